"""A story → one HTML page or fragment, as a pure function: nothing outside the call changes.

The map is a ``folium.Map`` (so any folium layer can join it) and the story UI a folium
``MacroElement``; branca renders the tree. Rendering must neither depend on nor change anything
but its own objects, so :func:`render_page`

- renders a *copy* of the story's folium tree (:func:`clone_tree`): the user's elements keep their
  names, children and parents, and two renders, in any order or at once in several threads, see
  the same input;
- gives every element of the copy an id derived from the story's content and its place in the
  tree, so the same story renders byte-identically (branca's ids are random), and maps the ids of
  elements that rendering itself creates, and of the user's originals, onto stable ones in the
  output;
- keeps text that elements render as it is: branca wraps each rendered macro in an ``Element``
  compiled as a Jinja template, which would evaluate ``{{ ... }}`` in story text or layer data.
  :class:`StoryPage` puts those pieces into the page verbatim instead of rendering them again,
  and branca is handed a short placeholder for each (:class:`_Pieces`), so that compiling costs
  nothing however large the story;
- renders the copies' folium popups and tooltips through storymap's own templates
  (:mod:`storymap.inert`): their text stays text;
- inlines the JS and CSS that folium plugins load from CDNs (:mod:`storymap.assets`), so the page
  stays one self-contained file, in one script whose Leaflet is storymap's own
  (:mod:`storymap.private`).
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import re
import secrets
import warnings
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional, Sequence

import folium
import jinja2
from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement
from folium.map import Layer
from folium.plugins import TimestampedGeoJson
from folium.utilities import camelize
from markupsafe import Markup

from . import assets, channels, fonts, i18n, inert, private
from . import media as story_media, tiles as story_tiles
from .context import PageContext, frame_middle, framed_places
from .errors import Problem, StoryError
from .layers import DataLayer
from .security import add_csp, element_policy, fragment_needs, tile_sources
from .text import script_json

if TYPE_CHECKING:
    from .models import StoryData

__all__ = ["StoryPage", "StoryFoliumMap", "Basemap", "StoryControl", "render_page", "clone_tree", "remote_links",
           "TILES", "framed_places", "trimmed_leaflet"]

ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("storymap", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
)
ENV.filters["tojs"] = lambda value: Markup(script_json(value))
ENV.filters["dir"] = i18n.dir_attribute
ENV.filters["direction"] = i18n.direction

#: The online tile layer a story gets unless it names its own (``tiles``, see :mod:`storymap.tiles`):
#: CARTO's light basemap on OSM data.
TILES = story_tiles.DEFAULT


def _inline(text: str, tag: str) -> Markup:
    if f"</{tag}" in text.lower():
        raise ValueError(f"an inline asset contains '</{tag}' and cannot be embedded")
    return Markup(text)


# Text an element renders is put into the page as it is. But branca compiles each rendered piece as
# a Jinja template when it wraps it in an Element (MacroElement.render), which fails on text such as
# "{% &" in a story or a layer's data, before anything is rendered. So every "{" that elements
# render becomes a noncharacter (U+FDD0, never in interchanged text) while rendering, and "{" again in
# the finished page: no piece then holds anything Jinja could compile, let alone evaluate.
_BRACE, _GUARD = "{", "\ufdd0"


def _escape(text: str) -> str:
    return text.replace(_BRACE, _GUARD)


class _Pieces:
    """What elements' macros rendered, kept aside while branca assembles the page.

    branca wraps each macro's output in an ``Element``, which compiles it as a Jinja template:
    harmless with braces guarded, but slow in proportion to the text (seconds for the megabytes of
    a story of thousands of places). So a macro gives branca a short placeholder instead, and
    :meth:`restore` puts the text back into the finished page. A placeholder carries a key random to
    each render, so that no text can name one.
    """

    def __init__(self) -> None:
        self._texts: list[str] = []
        key = "\ufdd1" + secrets.token_hex(8) + ":"
        self._key = key
        self._pattern = re.compile(re.escape(key) + r"([0-9]+)\ufdd1")

    def put(self, text: str) -> str:
        self._texts.append(text)
        return f"{self._key}{len(self._texts) - 1}\ufdd1"

    def restore(self, text: str) -> str:
        def back(found: re.Match[str]) -> str:
            return self._pattern.sub(back, self._texts[int(found.group(1))])
        return self._pattern.sub(back, text)


class _GuardedModule:
    """A template module whose macros give their output with braces guarded (kept in ``pieces``)."""

    def __init__(self, module: Any, pieces: _Pieces, fix: Callable[[str, str], str]):
        for name, value in vars(module).items():
            setattr(self, name, _guarded_macro(value, pieces, lambda text, name=name: fix(name, text))
                    if isinstance(value, jinja2.runtime.Macro) else value)


def _guarded_macro(macro: Any, pieces: _Pieces, fix: Callable[[str], str]) -> Callable[..., str]:
    return lambda *args, **kwargs: pieces.put(_escape(fix(str(macro(*args, **kwargs)))))


def _as_written(macro: str, text: str) -> str:
    return text


class _GuardedTemplate:
    """Stands in for an element's template while a copy of it renders (see :func:`_escape`);
    ``fix(macro, text)`` corrects what a macro renders (see :data:`_FIXES`)."""

    def __init__(self, template: Any, pieces: _Pieces, fix: Callable[[str, str], str] = _as_written):
        self._template = template
        self._pieces = pieces
        self._fix = fix
        self._module: Optional[_GuardedModule] = None

    @property
    def module(self) -> _GuardedModule:
        if self._module is None:
            self._module = _GuardedModule(self._template.module, self._pieces, self._fix)
        return self._module

    def render(self, *args: Any, **kwargs: Any) -> str:
        return _escape(self._template.render(*args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._template, name)


def _timestamped_geojson(macro: str, text: str) -> str:
    # Its script declares ``var timeDimensionControl`` and adds ``this.timeDimensionControl``: on
    # folium's page a top-level var is a property of window (``this``), in the story's one function
    # (which defines no globals) it is not, and the control was undefined.
    if macro != "script" or "this.timeDimensionControl" not in text:
        return text
    if ".addControl(this.timeDimensionControl)" not in text:  # (another folium's template)
        warnings.warn("folium.plugins.TimestampedGeoJson: its script no longer reads as storymap corrects it; "
                      "its time control may not show", UserWarning, stacklevel=2)
        return text
    return text.replace(".addControl(this.timeDimensionControl)", ".addControl(timeDimensionControl)")


#: Corrections of what some folium elements' templates render, by class (subclasses too): code
#: written for a page where each element's script runs at the top level of the document.
_FIXES: tuple[tuple[type, Callable[[str, str], str]], ...] = ((TimestampedGeoJson, _timestamped_geojson),)


def _fix_for(element: Element) -> Callable[[str, str], str]:
    return next((fix for kind, fix in _FIXES if isinstance(element, kind)), _as_written)


def _guard_templates(root: Element, pieces: _Pieces) -> None:
    """Give every element of a tree copy a guarded template (an instance attribute of the copy)."""
    for element in _all_elements(root):
        template = getattr(element, "_template", None)
        if template is not None and not isinstance(template, _GuardedTemplate):
            element._template = _GuardedTemplate(template, pieces, _fix_for(element))


class _Verbatim(Element):
    """A container of the page (its header, body or script) that puts in what elements rendered as
    it is: a plain ``Element`` made from rendered text is never rendered (evaluated) again."""

    def render(self, **kwargs: Any) -> str:
        return "".join(_rendered(child, kwargs) for child in self._children.values())


def _rendered(element: Element, kwargs: dict[str, Any]) -> str:
    if type(element) is Element and getattr(element, "_template_str", None) is not None:
        return element._template_str  # type: ignore[return-value]
    return element.render(**kwargs)


class _Text(Element):
    """Text for a container of the page, put in as it is (never compiled as a template)."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


#: An inline script in what an element put into the header: its attributes and its code.
_HEADER_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)


def _runs(attributes: str) -> bool:
    """Whether a ``<script>`` with these attributes is inline JavaScript (not ``src=``, not data)."""
    if re.search(r"\ssrc\s*=", " " + attributes, re.IGNORECASE):
        return False  # (refused as a load from elsewhere: see render_page)
    kind = re.search(r"\stype\s*=\s*[\"']?([^\"'\s>]*)", " " + attributes, re.IGNORECASE)
    return kind is None or kind.group(1).lower() in ("", "text/javascript", "application/javascript")


class _Scripts(_Verbatim):
    """The page's element scripts, each user element's (with what is below it) guarded on its own.

    folium elements' scripts run one after another in one function: one that throws would stop
    every later one, the story's own included, and the story would never get ready. So the script
    of each element the user added (``owners``: ``{JS name: label}`` of it and everything below it,
    see :func:`_user_elements`) runs in a ``try`` block that reports its error with
    ``console.error``, naming the element; storymap's own scripts run as they are. A ``try`` block
    keeps the page's one scope: a ``var`` is seen by the elements after it, as folium expects.

    ``early``: ``(JS name, script)`` of the scripts elements put into the page's header, run
    first (after Leaflet and the plugins' files; see :meth:`StoryPage.render`).
    """

    def __init__(self) -> None:
        super().__init__()
        self.owners: dict[str, Optional[str]] = {}
        self.early: list[tuple[str, str]] = []

    def render(self, **kwargs: Any) -> str:
        runs: list[tuple[Optional[str], list[str]]] = []
        owner: Optional[str] = None
        items = self.early + [(key, _rendered(child, kwargs)) for key, child in self._children.items()]
        for key, text in items:
            # (A script keyed by a name of no element, made while rendering, goes with the one before it.)
            owner = self.owners.get(key, owner)
            if runs and runs[-1][0] == owner:
                runs[-1][1].append(text)
            else:
                runs.append((owner, [text]))
        if all(label is None for label, _ in runs):
            return "".join(text for _, texts in runs for text in texts)
        out = [_FAILED]
        for label, texts in runs:
            body = "".join(texts)
            out.append(body if label is None else
                       "try {\n" + body + "\n} catch (e) { storymapFailed(" + script_json(label) + ", e); }\n")
        return "".join(out)


#: How a page with user elements reports one whose script throws (see :class:`_Scripts`).
_FAILED = ("var storymapFailed = function (what, e) { try { console.error('storymap: ' + what + ' failed; "
           "the story goes on without it.', e); } catch (ignored) {} };\n")


class StoryPage(Figure):
    """The page (or fragment): ``<html lang>``, a viewport that lets readers zoom, the story's styles
    in the head and one script at the end of the body.

    The elements' scripts are :class:`_Scripts`: each user element's guarded on its own. ``restore``
    turns the placeholders elements rendered back into their text (see :class:`_Pieces`).

    Links that elements add to the header (folium plugins' ``<script src>`` and stylesheets) are
    taken out and handed to ``resolve``, which returns their contents to inline.
    """

    _template = ENV.get_template("page.html")

    def __init__(self, title: str, lang: str = "en", *, fragment: bool = False,
                 resolve: Optional[Callable[[list[tuple[str, str]]], tuple[str, str]]] = None,
                 restore: Callable[[str], str] = str):
        super().__init__(title=title)
        self._name = "StoryPage"
        self.lang = lang
        self.fragment = fragment
        self.header, self.html, self.script = _Verbatim(), _Verbatim(), _Scripts()
        self._restore = restore
        for part in (self.header, self.html, self.script):
            part._parent = self
        self._resolve = resolve
        #: The JS and CSS inlined for the elements' remote assets (set while rendering).
        self.asset_js = ""
        self.asset_css = ""
        if fragment:
            self._template = ENV.get_template("fragment.html")

    @property
    def control(self) -> "StoryControl":
        for element in _walk(self):
            if isinstance(element, StoryControl):
                return element
        raise LookupError("the page holds no story")  # pragma: no cover - render_page always adds one

    def render(self, **kwargs: Any) -> str:
        for child in self._children.values():
            child.render(**kwargs)
        links = [(("script" if isinstance(el, JavascriptLink) else "style"), el.url)
                 for el in self.header._children.values() if isinstance(el, (JavascriptLink, CssLink))]
        for key in [k for k, el in self.header._children.items() if isinstance(el, (JavascriptLink, CssLink))]:
            del self.header._children[key]
        if links and self._resolve is not None:
            self.asset_js, self.asset_css = self._resolve(links)
        self._scripts_from_header(kwargs)
        return self._template.render(this=self, kwargs=kwargs)

    def _scripts_from_header(self, kwargs: dict[str, Any]) -> None:
        """Move the inline scripts elements put into the header (folium's ``HeatMapWithTime`` defines
        its classes there) to the start of the elements' scripts: in ``<head>`` they would run before
        the page's Leaflet and plugins, which come with the page's one script."""
        for key, child in list(self.header._children.items()):
            text = self._restore(_rendered(child, kwargs))
            scripts = [found for found in _HEADER_SCRIPT.finditer(text) if _runs(found.group(1))]
            if not scripts:
                continue
            self.script.early.extend((key, found.group(2)) for found in scripts)
            rest = _HEADER_SCRIPT.sub(lambda found: "" if _runs(found.group(1)) else found.group(0), text)
            self.header._children[key] = _Text(rest)


class StoryFoliumMap(folium.Map):
    """A ``folium.Map`` that loads nothing from CDNs: Leaflet is inlined by the page."""

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []
    _template = ENV.get_template("map.html")

    def __init__(self, **kwargs: Any):
        super().__init__(tiles=None, control_scale=True, zoom_control="topright", **kwargs)
        self._name = "Map"

    def render(self, **kwargs: Any) -> None:
        super().render(**kwargs)
        # folium before 0.18 puts a script of global switches and full-window styles for ``#map`` into
        # the page's header from Map.render: the story's page has its own styles and one script only.
        header = self.get_root().header
        for name in ("global_switches", "css_style", "map_style"):
            header._children.pop(name, None)

    @property
    def root_id(self) -> str:
        """The DOM id of the story's root element (the map div sits inside it)."""
        return "storymap-" + self._id

    @property
    def default_icons(self) -> dict[str, str] | None:
        """Leaflet's default marker images as data URIs, when an element the user put on the map may
        draw that marker (set before any of them is created): not only a folium Marker or GeoJson,
        but plugins that make markers as the reader goes (ClickForMarker, Realtime's points), whose
        relative image URL the page's policy would block. Not on a page of storymap's own layers
        alone (they draw no such marker): a page with the trimmed Leaflet (see :func:`trimmed_leaflet`)."""
        control = next((el for el in self._children.values() if isinstance(el, StoryControl)), None)
        trimmed = control.trimmed_leaflet if control is not None else trimmed_leaflet(self)
        return None if trimmed else assets.leaflet_icon_urls()

    @property
    def credit_separators(self) -> dict[str, str]:
        """What joins the map's credits in each language of the page that does not write ", "
        between the items of a list (Arabic: "، "; see :func:`storymap.i18n.credit_separators`):
        the map's script then joins them so in the language shown. Empty (nothing in the page)
        where every language writes ", ", as Leaflet joins them."""
        control = next((el for el in self._children.values() if isinstance(el, StoryControl)), None)
        return i18n.credit_separators(control.context.source) if control is not None else {}

    @property
    def map_options(self) -> dict[str, Any]:
        # maxZoom is set even without tiles (offline): plugins such as MarkerCluster need it.
        options = {"center": list(self.location), "zoom": self.options.get("zoom", 5), "zoomSnap": 0.25,
                   "zoomControl": False, "minZoom": 2, "maxZoom": TILES["max_zoom"]}
        options.update({k: v for k, v in self.options.items() if k not in ("zoom", "zoom_control", "zoomControl")})
        # (folium keeps prefer_canvas as Python names it; Leaflet reads preferCanvas, false by default)
        canvas = [options.pop(key) for key in ("prefer_canvas", "preferCanvas") if key in options]
        if any(canvas):
            options["preferCanvas"] = True
        return options


class Basemap(Layer):
    """The embedded offline basemap: land and country labels, drawn under the tile layer."""

    _template = ENV.get_template("basemap.html")

    def __init__(self, data: dict[str, Any], name: str = "Basemap"):
        super().__init__(name=name, overlay=False, control=False)
        self._name = "Basemap"
        self.data = data


class StoryTiles(folium.TileLayer):
    """The story's online tile layer: folium's ``TileLayer``, its options written on one line,
    without those that say what Leaflet does anyway (``minZoom: 0``, ``opacity: 1``, a
    ``maxNativeZoom`` equal to ``maxZoom`` ...)."""

    _template = ENV.get_template("tiles.html")

    #: Leaflet 1.9's defaults for ``L.tileLayer`` (GridLayer's and TileLayer's), as Leaflet names them.
    LEAFLET_DEFAULTS = {"minZoom": 0, "noWrap": False, "detectRetina": False, "tms": False, "opacity": 1}

    @property
    def leaflet_options(self) -> dict[str, Any]:
        # (folium 0.17 keeps its options camelCased already, later versions in snake_case.)
        options = {camelize(key): value for key, value in self.options.items()}
        out = {key: value for key, value in options.items()
               if key not in self.LEAFLET_DEFAULTS or self.LEAFLET_DEFAULTS[key] != value}
        if out.get("maxNativeZoom") == out.get("maxZoom"):
            del out["maxNativeZoom"]
        return out


#: What a step's config holds that the page's script reads from the step's section instead.
_STEP_MARKUP = ("id", "title", "places")


class StoryControl(MacroElement):
    """The story UI: title card, step panel, navigation, legend; the map sits inside its root.

    Holds a :class:`~storymap.context.PageContext`: everything the templates read is computed
    once per render.
    """

    _template = ENV.get_template("story.html")

    def __init__(self, context: PageContext, *, trimmed_leaflet: bool = False):
        super().__init__()
        self._name = "StoryControl"
        #: Whether the page's Leaflet is the trimmed one (decided by :func:`trimmed_leaflet` before
        #: rendering, which adds elements of folium's own to the layers).
        self.trimmed_leaflet = trimmed_leaflet
        self.context = context
        self.story = context.story
        self.layout = context.layout
        self.mode = context.mode

    @property
    def map_name(self) -> str:
        return self._parent.get_name()

    @property
    def root_id(self) -> str:
        return "storymap-" + self._parent._id

    @property
    def steps(self) -> list[dict[str, Any]]:
        return self.context.steps

    @property
    def media(self) -> list[list[dict[str, Any]]]:
        """Each step's media for the template (see :mod:`storymap.media`)."""
        return self.context.media

    @property
    def article(self) -> Markup:
        """The story as a <noscript> article (issue 12: see storymap.channels)."""
        return channels.noscript_article(self.story, self.root_id, self.context, self.i18n_marks,
                                         page=self.mode != "fragment")

    @property
    def cards(self) -> list[dict[str, Any]]:
        return self.context.cards

    @property
    def config(self) -> dict[str, Any]:
        """What the page's script reads (:attr:`PageContext.config`), less what it reads from the
        page's markup: each step's id, title and places (its section's ``data-step``, its heading,
        its list's ``data-places``), which would be in the page twice."""
        config = self.context.config
        steps = [{key: value for key, value in step.items() if key not in _STEP_MARKUP} for step in config["steps"]]
        return {**config, "steps": steps, "i18n": i18n.page_config(self)}

    @property
    def ui(self) -> Any:
        """The interface strings in the page's language."""
        return self.context.ui

    @property
    def languages(self) -> list[tuple[str, str]]:
        """``(tag, own name)`` of each language of the page (one: no language switch)."""
        return i18n.switch_names(self.context.source)

    @property
    def i18n_marks(self) -> tuple[Markup, Markup]:
        """The marks of elements whose content, or only attributes, depend on the language: none
        in a page of one language."""
        if len(i18n.page_languages(self.context.source)) < 2:
            return Markup(""), Markup("")
        return Markup(f" {i18n.MARK}"), Markup(f' {i18n.MARK}="attrs"')

    @property
    def language_templates(self) -> Markup:
        """The texts of the page's other languages (see :mod:`storymap.i18n`)."""
        return Markup("") if getattr(self, "i18n_variant", False) else i18n.language_templates(self)

    @property
    def timeline(self) -> bool:
        """Whether steps carry dates: the page then holds the timeline's element (``static/timeline.js`` fills it)."""
        return self.context.timeline

    @property
    def layer_refs(self) -> list[tuple[str, str]]:
        """``(name, JS variable)`` of every folium layer on the map, in the order added."""
        return [(str(child.layer_name), child.get_name()) for child in self._parent._children.values()
                if isinstance(child, Layer) and child is not self]

    @property
    def features(self) -> dict[str, bool]:
        """Each of the parts of storymap's script that only some pages need (see
        :data:`storymap.assets.SCRIPT_FEATURES`), and whether this page needs it."""
        return {
            "symbols": any("symbol" in kind for kind in self.context.config["kinds"].values()),
            "fragment": self.mode == "fragment",
            "scroll": self.layout == "scroll",
            "layers": any(isinstance(el, DataLayer) for el in _walk(self._parent)),
            "languages": len(self.languages) > 1,
            "markers": any(overlay.get("shape") == "marker" for overlay in self.context.overlays),
        }

    def core_css(self, extra: str = "") -> Markup:
        """Leaflet's CSS, storymap's and the elements' (all scoped under ``.storymap``; Leaflet's,
        in a standalone page, under ``:root``: see :func:`storymap.assets.leaflet_css`)."""
        layer_control = any(isinstance(el, folium.LayerControl) for el in _walk(self._parent))
        rtl = any(i18n.direction(lang) == "rtl" for lang in i18n.page_languages(self.context.source))
        features = self.features
        fragment = assets.fragment_css() if features["fragment"] else ""  # (a host page's rules stop at it)
        media = any(step.media for step in self.context.source.steps)
        own = assets.storymap_css(features["scroll"], rtl, languages=features["languages"],
                                  fragment=features["fragment"], layer_control=layer_control, media=media)
        symbols = assets.symbols_css() if features["symbols"] else ""
        # (The story's theme after storymap's defaults: its colours, set on the root, win over them.)
        theme = self.context.source.theme.css()
        if features["fragment"]:
            scope = ".storymap"
        else:  # (a standalone page: see leaflet_css, page_scoped)
            scope, own, symbols = assets.PAGE_SCOPE, assets.page_scoped(own), assets.page_scoped(symbols)
        css = assets.leaflet_css(layer_control, self.trimmed_leaflet, scope) + fragment + own + symbols + theme
        if self.context.source.theme.faces:  # (its font files' rules once the page's text is known: render_page)
            css = fonts.FACES_MARK + css
        return _inline((assets.fragment_rem(css) if fragment else css) + extra, "style")

    def core_js(self, extra: str = "") -> Markup:
        """The start of the page's code: storymap's own Leaflet (run once per page, however many
        stories it holds) and storymap's script (the parts this page needs: :attr:`features`),
        inside one function (closed by :meth:`core_js_end`): a fragment's one script
        (:func:`storymap.private.script_start`), a standalone page's data block that
        :meth:`boot_js` runs after the first paint (:func:`storymap.private.code_start`)."""
        inner = extra + assets.storymap_js(**self.features)
        if self.mode == "fragment":
            script = private.script_start(inner, self.root_id, languages=len(self.languages) > 1,
                                          trimmed=self.trimmed_leaflet)
        else:
            script = private.code_start(inner, self.root_id, trimmed=self.trimmed_leaflet)
        return _inline(script, "script")

    def boot_js(self) -> Markup:
        """A standalone page's first script (:func:`storymap.private.boot_script`)."""
        return _inline(private.boot_script(self.root_id, languages=len(self.languages) > 1), "script")

    def core_js_end(self) -> Markup:
        """The end of the page's code: in a fragment the host's ``window.L`` is given back."""
        return Markup(private.script_end(page=self.mode != "fragment", trimmed=self.trimmed_leaflet))


def trimmed_leaflet(tree: Element) -> bool:
    """Whether the page of the map ``tree`` gets the trimmed Leaflet (:mod:`storymap.leaflet_trim`):
    when everything on the map is storymap's own: the story, the basemap, the tiles and the layers
    of geodata ``add_layer`` makes (drawn by ``static/storymap-layers.js``, which uses no part
    that is cut). Any other element, a folium element or plugin the user put on ``story.map``, or
    a folium layer given to ``add_layer`` (storymap puts it in a group of its own, which counts as
    the user's), gets the full Leaflet: its script may use any part of it.

    The one rule for the page's Leaflet script and key (:meth:`StoryControl.core_js`), Leaflet's
    CSS (:meth:`StoryControl.core_css`) and the default marker's images
    (:attr:`StoryFoliumMap.default_icons`), taken by :func:`render_page` before rendering.
    """
    ours = (StoryControl, Basemap, StoryTiles, DataLayer)
    return all(isinstance(element, ours) for element in _walk(tree))


def _walk(root: Element) -> Iterator[Element]:
    """Every element below ``root``, depth first, children in order."""
    for child in root._children.values():
        yield child
        yield from _walk(child)


# Copies and ids --------------------------------------------------------------------------------

def _copy_value(value: Any, memo: dict[int, Any]) -> Any:
    """An attribute value for a copied element: elements copied (through ``memo``), containers
    copied one level deep so that rendering cannot change the original's, the rest shared."""
    if isinstance(value, Element):
        return _copy_element(value, memo)
    if isinstance(value, OrderedDict):
        return OrderedDict((k, _copy_value(v, memo)) for k, v in value.items())
    if isinstance(value, dict):
        return {k: _copy_value(v, memo) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_value(v, memo) for v in value]
    if isinstance(value, tuple) and any(isinstance(v, Element) for v in value):
        return tuple(_copy_value(v, memo) for v in value)
    return value


def _copy_element(element: Element, memo: dict[int, Any]) -> Element:
    if id(element) in memo:
        return memo[id(element)]
    new = copy.copy(element)
    memo[id(element)] = new
    for name, value in vars(element).items():
        if name != "_parent":
            setattr(new, name, _copy_value(value, memo))
    return new


def clone_tree(root: Element) -> tuple[Element, dict[int, Element]]:
    """A copy of ``root``'s element tree that can be rendered (and changed by rendering) while the
    original stays as it is. Returns the copy and ``{id(original): copy}`` for every element."""
    memo: dict[int, Any] = {}
    new = _copy_element(root, memo)
    originals = {id(v): v for v in inert.reachable(root, parents=True)}
    for key, copied in list(memo.items()):
        original = originals.get(key)
        if isinstance(copied, Element) and original is not None:
            parent = original._parent
            copied._parent = memo.get(id(parent)) if parent is not None else None
    new._parent = None
    return new, {k: v for k, v in memo.items() if isinstance(v, Element)}


def _all_elements(root: Element) -> list[Element]:
    """Every element reachable from ``root`` (children and element-valued attributes), in a fixed
    order: children in order, then other attributes by name."""
    out: list[Element] = []
    seen: set[int] = set()

    def visit(element: Element) -> None:
        if id(element) in seen:
            return
        seen.add(id(element))
        out.append(element)
        for child in element._children.values():
            visit(child)
        for name in sorted(vars(element)):
            if name not in ("_children", "_parent"):
                for item in inert.elements_in(vars(element)[name]):
                    visit(item)

    visit(root)
    return out


_BRANCA_ID = re.compile(r"^[0-9a-f]{32}$")


def _stable_ids(root: Element, prefix: str, counter: Iterator[int]) -> dict[str, str]:
    """Give every element reachable from ``root`` a stable id; return ``{old id: new id}`` of
    those that had a random one."""
    renamed: dict[str, str] = {}
    for element in _all_elements(root):
        new = f"{prefix}{next(counter):04d}"
        if _BRANCA_ID.match(element._id):
            renamed[element._id] = new
        element._id = new
    for element in _all_elements(root):  # children keyed by their own (old) name follow it
        items = list(element._children.items())
        element._children = OrderedDict(
            (child.get_name() if _BRANCA_ID.search(key.rsplit("_", 1)[-1]) else key, child) for key, child in items)
    return renamed


def _user_elements(tree: Element, groups: dict[int, str]) -> dict[str, Optional[str]]:
    """``{JS name: label}`` of every element the user put on the map and of everything below it (a
    popup, a marker's icon), the label naming the element for an error; ``None`` for storymap's own
    (the map, its basemap and tiles, the story, the layers ``add_layer`` made of geodata, and the
    groups it puts a folium element in: ``groups``, ``{id(group): layer name}``)."""
    owners: dict[str, Optional[str]] = {tree.get_name(): None}
    tops: list[tuple[Element, Optional[str]]] = []
    for child in tree._children.values():
        if id(child) in groups:
            tops.append((child, None))
            if not isinstance(child, DataLayer):
                tops.extend((el, f"layer {groups[id(child)]!r} (a folium {type(el).__name__})")
                            for el in child._children.values())
        elif isinstance(child, (Basemap, StoryTiles, StoryControl)):
            tops.append((child, None))
        else:
            tops.append((child, f"story.map's folium {type(child).__name__} ({child.get_name()})"))
    for top, label in tops:
        owners[top.get_name()] = label
    for top, label in sorted(tops, key=lambda found: found[1] is None):  # (a group's element is the user's)
        for element in _all_elements(top):
            owners.setdefault(element.get_name(), label)
    return owners


def _layer_controls_last(tree: Element) -> None:
    """Move the layer controls on the map after every layer, storymap's own too: a control's script
    lists the layers beside it by their variables, which must be defined by then (folium asks for
    the control to be added last; a story adds its basemap and tiles after the user's elements).

    The story's own layers stay out of the control (``control=False``): the basemap is always
    there, the tiles come and go with the network, and the layers added with ``add_layer`` show on
    their steps (their legend rows say so). It lists what the user put on ``story.map`` as folium
    would: ``FeatureGroup``s and other overlays to tick, tile layers as base layers.
    """
    children = tree._children
    for key in [k for k, child in children.items() if isinstance(child, folium.LayerControl)]:
        children.move_to_end(key)


def remote_links(element: Element) -> list[tuple[str, str]]:
    """The files an element loads from elsewhere when rendered: ``("script" | "style", url)``.

    Found by rendering a copy of it on an empty map (the element itself is not touched).
    """
    tree = StoryFoliumMap(location=[0.0, 0.0])
    copied, _ = clone_tree(element)
    tree.add_child(copied)
    page = StoryPage(title="")
    page.add_child(tree)
    _guard_templates(tree, _Pieces())
    for child in page._children.values():
        child.render()
    return [("script" if isinstance(el, JavascriptLink) else "style", el.url)
            for el in page.header._children.values() if isinstance(el, (JavascriptLink, CssLink))]


def render_page(data: "StoryData", folium_map: folium.Map, *, overlays: Sequence[Any] = (),
                basemap: Optional[dict[str, Any]] = None, fragment: bool = False, layout: Optional[str] = None,
                asset_store: Optional[assets.AssetStore] = None, lang: Optional[str] = None,
                own_lang: Optional[str] = None, page_name: Optional[str] = None) -> str:
    """The story as one page (or a fragment), byte-identical for the same input.

    Parameters
    ----------
    data : StoryData
        The story.
    folium_map : folium.Map
        The story's map with the elements added to it (a :class:`StoryFoliumMap`); never changed.
    overlays : sequence of Overlay
        The layers added with ``Story.add_layer`` (their elements are on ``folium_map``).
    basemap : dict
        The embedded basemap's data (:func:`storymap.basemap.basemap_data`).
    fragment : bool
        A fragment for a host page, instead of a whole page.
    layout : {"slides", "scroll"}, optional
        Overrides the story's layout.
    asset_store : AssetStore, optional
        Where the files of folium plugins loaded from elsewhere are found.
    lang : str, optional
        The language the page opens in, one of the story's (default: its own); the page holds them all.
    own_lang : str, optional
        The language the story is written in, when ``data`` is the story told in others
        (``Story.to_html(languages=...)``): a page in another language has a social card and an
        address of its own (see :func:`storymap.channels.page_url`).
    page_name : str, optional
        The page's file name, when it is known (``Story.save``): its address in ``base_url``'s folder.
    """
    context = PageContext(data, layout=layout or data.layout, mode="fragment" if fragment else "page",
                          overlays=[o.config for o in overlays], lang=lang or data.lang)
    tree, copies = clone_tree(folium_map)
    inert.make_inert(list(copies.values()))  # popups and tooltips: their text stays text
    tree.location = context.center
    zooms = {id(o.element): o.zoom(data) for o in overlays}
    middle = frame_middle(data)
    for original, copied in copies.items():
        if zooms.get(original) is not None:
            copied.zoom = zooms[original]  # a data layer's detail, for this story's steps
            copied.middle = middle  # and its features drawn where the story draws its places
            # Encoded now, not while the page's templates render it: a warning that it is too big
            # for the page points at the user's line (prepare, here, Story._html, to_html or save).
            copied.prepare(copied.zoom, stacklevel=5)
    if basemap and basemap.get("attribution"):
        basemap = {**basemap, "attribution": i18n.basemap_attribution(context.lang, context.ui)}
    Basemap(basemap or {}).add_to(tree)
    source = story_tiles.resolve(data.tiles)
    if source is not None:  # (tiles = "none": no tile layer, no tile request, no image host in the CSP)
        # The default tiles' credit in the page's language; a named provider's as it gives it.
        attribution = i18n.tiles_attribution(context.lang, context.ui) if data.tiles is None else source["attribution"]
        StoryTiles(
            tiles=source["url"], attr=attribution, name="Tiles", subdomains=source["subdomains"],
            max_zoom=TILES["max_zoom"], max_native_zoom=min(source["max_zoom"], TILES["max_zoom"]),
            detect_retina=False, show=False, control=False,
        ).add_to(tree)
    _layer_controls_last(tree)
    # Last: the story's script needs every layer defined first.
    StoryControl(context, trimmed_leaflet=trimmed_leaflet(tree)).add_to(tree)
    groups = {id(copies[id(o.element)]): o.name for o in overlays if id(o.element) in copies}

    store = asset_store or assets.AssetStore()
    pieces = _Pieces()
    page = StoryPage(title=context.story.title, lang=context.lang, fragment=fragment,
                     resolve=lambda links: store.inline(links, where="the page"), restore=pieces.restore)
    page.meta_tags = channels.meta_tags(context.story, lang=context.lang, own_lang=own_lang, page=page_name)
    page.add_child(tree, name="map")
    prefix = hashlib.sha256(data.model_dump_json().encode("utf-8")).hexdigest()[:8]
    counter = itertools.count(1)
    renamed = _stable_ids(page, prefix, counter)
    page.script.owners = _user_elements(tree, groups)
    _guard_templates(tree, pieces)
    html = pieces.restore(page.render()).replace(_GUARD, _BRACE)
    # Elements made while rendering (folium adds some) got random ids: make them stable too, in
    # tree order; and point any mention of a user's original element at its copy.
    later: dict[str, str] = {}
    parts = [page.header, page.html, page.script]
    for element in _all_elements(page) + [el for part in parts for el in part._children.values()]:
        if _BRANCA_ID.match(element._id) and element._id not in later:
            later[element._id] = f"{prefix}{next(counter):04d}"
    for old, new in itertools.chain(renamed.items(), later.items()):
        if old in html:
            html = html.replace(old, new)
    remote = _REMOTE.findall(html)
    if remote:  # an element wrote its own <script src> or stylesheet link: the page would not be whole
        raise StoryError([Problem(file="", where="the page", field="assets",
                                  message=f"an element loads {url} from elsewhere; a story page must hold "
                                          "everything itself: use folium elements whose files storymap can "
                                          "inline (see add_layer's assets)") for url in dict.fromkeys(remote)])
    # A whole page gets its Content-Security-Policy, computed from the page as rendered; a fragment
    # says on its root what its host's must allow besides its inline code.
    sources, extra = tile_sources(tree) + story_media.csp_sources(data), element_policy(tree)
    if data.theme.faces:  # (the story's fonts, cut down to the characters the page holds)
        html = fonts.fill_faces(html, data.theme.faces)
        extra = {**extra, "font-src": ["data:"]}
    return fragment_needs(html, sources, extra) if fragment else add_csp(html, sources, extra)


#: A script or stylesheet the page would load from elsewhere (a canonical link is not a load).
_REMOTE = re.compile(r"<(?:script[^>]*\ssrc|link(?=[^>]*\srel\s*=\s*[\"']?[^\"'>]*(?:stylesheet|preload|import|prefetch))"
                     r"[^>]*\shref)\s*=\s*[\"']?([^\"'\s>]+)", re.IGNORECASE)