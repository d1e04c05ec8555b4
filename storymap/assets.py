"""Static assets: Leaflet from its installed package, storymap's own JS/CSS, data URIs, and the files
folium plugins load from CDNs (found locally, or fetched once into a cache) to inline."""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import os
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import Request, urlopen

import rcssmin

from .errors import Problem, StoryError

__all__ = ["leaflet_js", "leaflet_css", "storymap_js", "storymap_css", "leaflet_icon_urls", "LEAFLET_VERSION",
           "AssetStore", "scope_css", "PAGE_SCOPE"]

_LEAFLET = resources.files("js_lib_leaflet").joinpath("static", "js_lib_leaflet")
_OWN = resources.files("storymap").joinpath("static")
LEAFLET_VERSION = "1.9.4"


def _data_uri(name: str) -> str:
    data = _LEAFLET.joinpath("images", name).read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


@lru_cache(maxsize=2)
def leaflet_js(trimmed: bool = False) -> str:
    """Leaflet's minified JS, without its source-map comment (no request for leaflet.js.map), its
    ``for … in`` loops made deaf to a host page's additions to ``Object.prototype`` and
    ``Array.prototype`` (see :func:`guard_for_in`).

    ``trimmed``: without the parts that a page whose map holds only storymap's own elements never
    uses (:mod:`storymap.leaflet_trim`; which pages, :func:`storymap.render.trimmed_leaflet`).
    """
    text = leaflet_source()
    if trimmed:
        from . import leaflet_trim

        return first_id(guard_for_in(_trimmed_leaflet(text), expected=leaflet_trim.FOR_IN_LOOPS), TRIMMED_FIRST_ID)
    return first_id(guard_for_in(text, expected=43), FULL_FIRST_ID)


#: Where each of storymap's Leaflets starts counting the ids it stamps on objects (``L.stamp``).
#: Leaflet keys the listeners it puts on ``window`` and ``document`` by those ids
#: (``window._leaflet_events["resize5_2"]``), and each copy of Leaflet on a page counts from 0: two
#: copies (a host page's own Leaflet and storymap's, or a trimmed fragment's and a full one's) gave
#: different handlers the same key, and the second was taken for the first, its map never resized.
#: Apart by a billion ids each, they never meet.
FULL_FIRST_ID, TRIMMED_FIRST_ID = 10**9, 2 * 10**9

_STAMP = re.compile(r'var (\w+)=0;(function \w+\(t\)\{return"_leaflet_id"in t\|\|\(t\._leaflet_id=\+\+\1\),t\._leaflet_id\})')


def first_id(source: str, start: int) -> str:
    """Leaflet's minified ``source`` with ``L.stamp`` counting from ``start`` (see
    :data:`FULL_FIRST_ID`). Raises ValueError when its counter is not found exactly once."""
    out, count = _STAMP.subn(lambda m: f"var {m.group(1)}={start};{m.group(2)}", source)
    if count != 1:
        raise ValueError(f"expected Leaflet's id counter once, found it {count} times: a different Leaflet build?")
    return out


@lru_cache(maxsize=1)
def leaflet_source() -> str:
    """Leaflet's minified JS without its source-map comment and its VML renderer (:func:`drop_vml`)."""
    text = _LEAFLET.joinpath("leaflet.js").read_text("utf-8")
    return drop_vml(re.sub(r"\n?//# sourceMappingURL=\S+\s*$", "", text).strip())


def _trimmed_leaflet(text: str) -> str:
    """``text`` trimmed and checked (:func:`storymap.leaflet_trim.trimmed`: parsing it takes a few
    seconds), kept in storymap's cache as :func:`own_script` keeps the minified scripts, keyed by
    Leaflet's text and the trimming module's own."""
    from . import leaflet_trim

    code = Path(leaflet_trim.__file__).read_bytes()
    key = hashlib.sha256(code + b"\n" + text.encode("utf-8")).hexdigest()[:24]
    return _cached(f"leaflet-trimmed.{key}.js", lambda: leaflet_trim.trimmed(text))


@lru_cache(maxsize=2)
def leaflet_id(trimmed: bool) -> str:
    """A short id of the trimmed Leaflet (its text's), or "" for the full one."""
    return hashlib.sha256(leaflet_js(True).encode("utf-8")).hexdigest()[:8] if trimmed else ""


#: What :func:`drop_vml` cuts from Leaflet 1.9.4's minified script: ``(pattern, replacement)``,
#: each pattern found exactly once.
_VML = (
    # L.Browser.vml: true only in a browser with VML and no SVG (Internet Explorer 8 and older).
    (r'vml:!(\w+)&&function\(\)\{try\{var t=document\.createElement\("div"\),e=\(t\.innerHTML=\'<v:shape adj="1"/>\''
     r'.{0,160}?catch\(t\)\{return!1\}\}\(\)', "vml:!1"),
    # The VML renderer: its element factory, and the mixin that turns L.SVG into it.
    (r'var (\w+)=function\(\)\{try\{return document\.namespaces\.add\("lvml".{0,3000}?,(\w+)=b\.vml\?\1:(\w+),',
     r"var \2=\3,"),
    (r"b\.vml&&\w+\.include\(\w+\),", ""),
)


def drop_vml(source: str) -> str:
    """Leaflet's minified script without its VML renderer (Leaflet draws with VML only where there
    is no SVG: Internet Explorer 8 and older, where a story page, written in ES5 with
    ``addEventListener``, ``classList`` and ``forEach``, cannot run; its CSS rules go too, see
    :func:`leaflet_css`). ``L.Browser.vml`` stays, false, as it is in every other browser.

    Raises ValueError when a part is not found once: a different Leaflet build fails here, at
    build time, rather than half-cut in a reader's browser.
    """
    for pattern, replacement in _VML:
        source, count = re.subn(pattern, replacement, source, flags=re.S)
        if count != 1:
            raise ValueError(f"expected the VML code once in Leaflet, found it {count} times: a different Leaflet build?")
    if "lvml" in source or "VML" in source:
        raise ValueError("VML code left in Leaflet: a different Leaflet build?")
    return source


#: The function that :func:`guard_for_in` routes every loop's object through; the page's script
#: defines it before Leaflet (:data:`OWN_KEYS_JS`), in the function that wraps the page's code (so
#: the name is no global; short, since every loop and its definition name it: 41 times in a page
#: with the trimmed Leaflet).
OWN_KEYS = "__keys"

#: ``__keys(o)``: ``o`` itself, unless a host page has added enumerable properties to
#: ``Object.prototype`` or ``Array.prototype`` (which every ``for … in`` loop would then visit, and
#: on which Leaflet breaks: ``this._events[t].push is not a function``). Then an object with no
#: prototype holding the keys a loop over ``o`` visits but those (the loop body reads ``o[key]``
#: itself, so only the keys matter).
OWN_KEYS_JS = """function __keys(o) {
  var k, keys, p, polluted = false, shared = [Object.prototype, Array.prototype];
  for (k in []) { polluted = true; break; }
  if (!polluted || o === null || (typeof o !== 'object' && typeof o !== 'function')) { return o; }
  keys = Object.create(null);
  for (k in o) {
    for (p = o; p !== null && !Object.prototype.hasOwnProperty.call(p, k); p = Object.getPrototypeOf(p)) {}
    if (shared.indexOf(p) < 0) { keys[k] = true; }
  }
  return keys;
}"""

_FOR_IN = re.compile(r"for\((var |let |const )?([\w$]+) in ")
_PLAIN = re.compile(r"[\w$]+(?:\.[\w$]+)*")


def guard_for_in(source: str, expected: int) -> str:
    """``source`` (minified JS) with every ``for (k in EXPR)`` turned into
    ``for (k in __keys((EXPR)))`` (``__keys(EXPR)`` where EXPR is a name or a chain of
    properties, ``this._layers``): EXPR is still evaluated once, and a loop visits only the
    keys of the object itself and of its own prototypes (Leaflet's options inherit through
    prototypes), never one a host page added to ``Object.prototype`` or ``Array.prototype``.

    ``expected`` is the number of loops the source holds: a different Leaflet build fails here,
    at build time, rather than half-patched in a reader's browser.
    """
    out, last, count = [], 0, 0
    for found in _FOR_IN.finditer(source):
        start = end = found.end()
        depth = 1
        while depth:  # to the ")" that closes the loop's head (strings skipped)
            char = source[end]
            if char in "([{":
                depth += 1
            elif char in ")]}":
                depth -= 1
            elif char in "'\"":
                end = source.index(char, end + 1)
            elif char == "`":
                raise ValueError("a template string in a for-in loop's head: cannot guard it")
            end += 1
        expr = source[start:end - 1]
        # (a name or a chain of properties needs no parentheses of its own; a comma expression does)
        out += [source[last:start], OWN_KEYS, f"({expr})" if _PLAIN.fullmatch(expr) else f"(({expr}))"]
        last = end - 1
        count += 1
    if count != expected:
        raise ValueError(f"expected {expected} for-in loops in Leaflet, found {count}: a different Leaflet build?")
    return "".join(out) + source[last:]


#: The scope of Leaflet's rules in a standalone page (see :func:`leaflet_css`).
PAGE_SCOPE = ":root"

#: A selector of storymap's own rules that starts at the story's root and goes down to a class:
#: ``.storymap .storymap-panel`` (not ``.storymap > *``, ``.storymap *`` or ``.storymap summary``).
_ROOT_THEN_CLASS = re.compile(r"(?:^|(?<=[,{}]))\.storymap (?=\.)")


def page_scoped(css: str) -> str:
    """storymap's own minified ``css`` for a standalone page: its selectors that go from the story's
    root down to a class (``.storymap .storymap-panel``) under :data:`PAGE_SCOPE` instead
    (``:root .storymap-panel``), as Leaflet's are (:func:`leaflet_css`): every element with such a
    class is inside the page's one story, and a pseudo-class counts as a class, so the same rules
    reach the same elements in the same order, 4 bytes shorter each (124 selectors: about 0.5 KB
    of each language's page). A fragment keeps ``.storymap``: a host page may use the same classes."""
    return _ROOT_THEN_CLASS.sub(PAGE_SCOPE + " ", css)


@lru_cache(maxsize=8)
def leaflet_css(layer_control: bool = False, trimmed: bool = False, scope: str = ".storymap") -> str:
    """Leaflet's CSS, minified, every rule scoped under ``scope``: ``.storymap`` (the default, a
    fragment's) so that none reaches a host page (or a host page's own Leaflet map). A standalone
    page has no host, and every Leaflet element in it is inside its story's root: there the scope is
    :data:`PAGE_SCOPE`, ``:root``, which matches the same elements with the same specificity (a
    pseudo-class counts as a class), so the cascade is unchanged, in 4 bytes less a selector (120 of
    them: about 0.5 KB of each language's page).

    Images are data URIs: the layer control's icon only when the map has a layer control. The
    default marker's image, which Leaflet's CSS holds only so its script can find the image
    folder, is left out: markers get their images as data URIs (:func:`leaflet_icon_urls`); so is
    the map's type, which storymap's stylesheet sets (:data:`_LEAFLET_TYPE`).
    With ``trimmed`` (the page's Leaflet is, see :func:`leaflet_js`) the rules of the parts cut
    from it go too: image overlays' (``leaflet-image-layer``) and marker dragging's
    (``leaflet-marker-draggable``), and those of the classes storymap's own elements never get
    (:data:`OWN_UNUSED_CSS`); such a page has no layer control either.
    """
    text = _LEAFLET.joinpath("leaflet.css").read_text("utf-8")
    text = re.sub(r"\.leaflet-default-icon-path\s*\{[^}]*\}", "", text)
    if not layer_control:
        text = re.sub(r"background-image:\s*url\(images/layers(-2x)?\.png\);?", "", text)
    text = re.sub(r"url\((?:['\"])?images/([\w.-]+\.png)(?:['\"])?\)", lambda m: f"url({_data_uri(m.group(1))})", text)
    # Rules no page of storymap's needs: old Internet Explorer's (VML, "oldie"), and the layer
    # control's when there is none.
    unused = ["leaflet-oldie", "lvml", "leaflet-vml-shape"] + ([] if layer_control else ["leaflet-control-layers"])
    if trimmed:
        unused += TRIMMED_CSS + OWN_UNUSED_CSS
    css = _squeeze_css(text).replace(_LEAFLET_TYPE, "")
    return scope_css(_drop_selectors(css, unused), scope)


#: Leaflet's type for the map (its font, size and line height), which storymap's stylesheet sets
#: again, for every page, after it: ``.storymap .leaflet-container{font:inherit}`` (the story's own).
_LEAFLET_TYPE = '.leaflet-container{font-family:"Helvetica Neue",Arial,Helvetica,sans-serif;font-size:.75rem;line-height:1.5}'


#: The class names of the parts cut from a trimmed Leaflet (see :func:`leaflet_css`).
TRIMMED_CSS = ["leaflet-image-layer", "leaflet-marker-draggable"]

#: Leaflet's class names that no element of storymap's own gets, left out with the trimmed
#: Leaflet's (a page whose map holds storymap's elements alone): its divIcons all have a class
#: of their own (not ``leaflet-div-icon``), its markers no shadow (divIcons only; default icons
#: come with a user's elements), its tooltips open above (``direction: 'top'``).
OWN_UNUSED_CSS = ["leaflet-div-icon", "leaflet-marker-shadow", "leaflet-shadow-pane", "leaflet-tooltip-bottom",
                  "leaflet-tooltip-left", "leaflet-tooltip-right"]


def _drop_selectors(css: str, tokens: Sequence[str]) -> str:
    """Minified ``css`` without the selectors naming any of ``tokens`` (a rule left with none goes,
    and so does a ``@media`` or ``@container`` block left with no rule; rules then next to one of
    the same selectors are joined to it, see :func:`_join_repeats`)."""
    def rule(match: re.Match[str]) -> str:
        kept = [sel for sel in match.group(1).split(",") if not any(token in sel for token in tokens)]
        return f"{','.join(kept)}{{{match.group(2)}}}" if kept else ""

    return _join_repeats(re.sub(r"@(media|container)[^{}]*\{\}", "", re.sub(r"([^{}@]+)\{([^{}]*)\}", rule, css)))


def scope_css(css: str, scope: str) -> str:
    """Prefix every selector of minified ``css`` with ``scope`` (``@media`` blocks included).

    ``a,b>c{...}`` becomes ``S a,S b>c{...}``; selectors already starting with ``scope`` are kept.
    """
    out: list[str] = []
    i = 0
    while i < len(css):
        brace = css.find("{", i)
        if brace < 0:
            out.append(css[i:])
            break
        head = css[i:brace].strip()
        if head.startswith("@"):
            depth, j = 1, brace + 1
            while depth and j < len(css):
                depth += {"{": 1, "}": -1}.get(css[j], 0)
                j += 1
            inner = css[brace + 1:j - 1]
            body = scope_css(inner, scope) if head.startswith(("@media", "@supports")) else inner
            out.append(f"{head}{{{body}}}")
            i = j
            continue
        end = css.find("}", brace)
        selectors = ",".join(
            sel if sel.startswith(scope) else f"{scope} {sel}" for sel in (s.strip() for s in head.split(",")) if sel
        )
        out.append(f"{selectors}{css[brace:end + 1]}")
        i = end + 1
    return "".join(out)


@lru_cache(maxsize=1)
def leaflet_icon_urls() -> dict[str, str]:
    """Data URIs for Leaflet's default marker icon, for ``L.Icon.Default`` options."""
    return {
        "iconUrl": _data_uri("marker-icon.png"),
        "iconRetinaUrl": _data_uri("marker-icon-2x.png"),
        "shadowUrl": _data_uri("marker-shadow.png"),
    }


#: Declarations a page's browsers no longer need (a page's CSS uses container queries, ``dvh`` and
#: ``inset``: Chrome 105, Firefox 110, Safari 16 and later, which read the unprefixed forms):
#: Internet Explorer's and old Firefox's prefixes, and WebKit's for transitions and transforms.
#: (``-webkit-user-select``, ``-webkit-line-clamp``, ``-webkit-box`` and the like stay: Safari needs them.)
_OLD_PREFIXED = re.compile(r"(?<=[{;])(?:-ms-[\w-]+|-moz-[\w-]+|-webkit-(?:transition|transform(?:-origin)?)"
                           r"|cursor:-(?:webkit|moz)-[\w-]+(?=[;}]))(?::[^;{}]*)?(?:;|(?=\}))")


#: A value a page's browsers may not all read: the small, large and dynamic viewport units (Chrome
#: reads them from 108), so the declaration before it in its rule stays as the fallback.
_NEWER_VALUE = re.compile(r"\d[sld]v(?:h|w|i|b|min|max)\b")


def _drop_fallbacks(css: str) -> str:
    """Minified ``css`` without the declarations that a later one of the same property in the same
    rule replaces in every browser a page supports (see :data:`_OLD_PREFIXED`): Leaflet's fallbacks
    for old browsers (``pointer-events:visiblePainted;pointer-events:auto``, ``font-size:13px;
    font-size:1.08333em``). Kept: one marked ``!important`` when the later one is not, and one
    before a value of :data:`_NEWER_VALUE`."""
    def replaced(decls: list[str], i: int) -> bool:
        prop = decls[i].split(":", 1)[0]
        return any(later.split(":", 1)[0] == prop and not _NEWER_VALUE.search(later)
                   and ("!important" in later or "!important" not in decls[i]) for later in decls[i + 1:])

    def rule(match: re.Match[str]) -> str:
        decls = re.split(r";(?![^()]*\))", match.group(2))  # (not a data URI's ";")
        return f"{match.group(1)}{{{';'.join(d for i, d in enumerate(decls) if not replaced(decls, i))}}}"

    return re.sub(r"([^{}]*)\{([^{}]*)\}", rule, css)


def _join_repeats(css: str) -> str:
    """Minified ``css`` with a rule that follows one of the very same selectors (in the same block)
    joined to it: ``a{x:1}a{y:2}`` is ``a{x:1;y:2}``, which the cascade reads alike."""
    joined = re.compile(r"(^|[{}])([^{}@]+)\{([^{}]*)\}\2\{")
    while True:
        css, n = joined.subn(lambda m: f"{m[1]}{m[2]}{{{m[3]};", css)
        if not n:
            return css


def _squeeze_css(text: str) -> str:
    """``text`` minified (rcssmin), then a little more: the declarations of :data:`_OLD_PREFIXED`
    gone (and a rule left empty), a rule repeating the selectors of the one before joined to it
    (:func:`_join_repeats`), fallbacks a later declaration replaces gone (:func:`_drop_fallbacks`),
    ``0.5`` written ``.5`` and ``#ffffff`` written ``#fff``."""
    css = rcssmin.cssmin(text).strip()
    css = _drop_fallbacks(_join_repeats(_OLD_PREFIXED.sub("", css).replace(";}", "}")))
    css = re.sub(r"@(?:media|container|supports)[^{}]*\{\}", "", re.sub(r"(^|[{}])[^{}@]+\{\}", r"\1", css))
    css = re.sub(r"(?<=[:\s,(/])0\.(\d)", r".\1", css)
    return re.sub(r"#([0-9a-fA-F])\1([0-9a-fA-F])\2([0-9a-fA-F])\3(?![0-9a-fA-F])", r"#\1\2\3", css)


#: The classes of a step's media (static/storymap.css: the figure, its image and credit, and the
#: article's line in its place).
MEDIA_CLASSES = ("storymap-figure", "storymap-media", "storymap-credit", "storymap-article-media")


@lru_cache(maxsize=None)
def storymap_css(scroll: bool = True, rtl: bool = True, *, languages: bool = True, fragment: bool = True,
                 layer_control: bool = True, media: bool = True) -> str:
    """storymap's stylesheet (every rule under ``.storymap``), comments and spacing squeezed, without
    the rules of what the page cannot show (its layout, languages and mode are set when it is
    built): the scroll layout's rules only with ``scroll``; the rules of a story shown right to left
    only with ``rtl`` (a page holding a language written so: the story's root says its direction,
    whatever its host page's is); the language switch's only with ``languages`` (a page holding
    several); a fragment's only with ``fragment``; the printed layer control's only with
    ``layer_control``; step media's (:data:`MEDIA_CLASSES`) only with ``media``."""
    text = _squeeze_css(_OWN.joinpath("storymap.css").read_text("utf-8"))
    dropped = (([] if scroll else ["storymap--scroll", "storymap-hint"]) + ([] if rtl else ['[dir="rtl"]'])
               + ([] if languages else ["storymap-lang"]) + ([] if fragment else ["storymap--fragment"])
               + ([] if layer_control else ["leaflet-control-layers"]) + ([] if media else list(MEDIA_CLASSES)))
    return _drop_selectors(text, dropped) if dropped else text


#: A length in rem in a declaration (not in an @media or @container query, whose rem is the
#: browser's default size whatever the host's <html> says).
_REM = re.compile(r"(?<=[:\s,(])(-?\d*\.?\d+)rem\b(?=[^{};]*[;}])")


def fragment_rem(css: str) -> str:
    """``css`` with its lengths in rem made the story's (``var(--storymap-rem)``, static/fragment.css):
    in a fragment, rem is the host page's root font size, which a host sets as it likes (62.5%...)."""
    return _REM.sub(lambda m: "var(--storymap-rem)" if m[1] == "1" else f"calc({m[1]}*var(--storymap-rem))", css)


@lru_cache(maxsize=1)
def fragment_css() -> str:
    """The rules a fragment adds before storymap's (every one under ``.storymap``): a host page's
    element rules stop at the story (static/fragment.css)."""
    return _squeeze_css(_OWN.joinpath("fragment.css").read_text("utf-8"))


#: storymap's script, one component a file, in the order they run (``storymap.js`` first: the
#: ``L.storymap`` namespace and the helpers the others share); those that only some pages need are
#: in :data:`SCRIPT_FEATURES` too.
SCRIPT_FILES = (
    "storymap.js",
    "symbols.js",
    "twins.js",
    "basemap.js",
    "legend.js",
    "labels.js",
    "story.js",
    "markers.js",
    "scroll.js",
    "i18n.js",
    "timeline.js",
    "print.js",
    "storymap-layers.js",
    "languages.js",
)

#: The parts of storymap's script that only some pages need, each with its files (a page's parts
#: are set when it is built: ``StoryControl.features`` in storymap/render.py). Each part adds to
#: what the others made: the fragments on one page share storymap's namespace (the first one's
#: script makes it) and run each part once, whichever fragment brought it.
SCRIPT_FEATURES = {
    # A kind of place drawn with a symbol other than a circle: L.storymap.SymbolMarker, its swatches.
    "symbols": ("symbols.js",),
    # A fragment, which a host page may hold twice: the second copy claimed gets fresh ids.
    "fragment": ("twins.js",),
    # The scroll layout: a step follows the section scrolled to, and Next scrolls to its section.
    "scroll": ("scroll.js",),
    # Layers of geodata added from Python: L.storymap.DataLayer, the legend's keys to their colours.
    "layers": ("storymap-layers.js",),
    # Several languages: the switch, and what only a change of language does.
    "languages": ("languages.js",),
    # A layer of markers (a folium Marker's, a GeoJson's of points, a MarkerCluster): its icon in the legend.
    "markers": ("markers.js",),
}


def minify_js(source: str) -> str:
    """One of storymap's own scripts, minified: comments and spaces gone, local names shortened
    (calmjs.parse: an ES5 parser, so the scripts are written in ES5, as Leaflet is), the semicolon
    before a block's closing brace dropped (the grammar inserts it: ``{a();b()}``), but not the
    script's last one: the page joins scripts one after another, and ``(function(){…})(L)`` followed
    by ``(function(){…})(L)`` would call the first one's result; names other scripts see
    (properties, globals) are kept. Two ``var`` statements one after the other become one
    (``var a=1,b=2``), and calmjs's space after each ';' of a ``for`` loop's head
    (``for(c=0; c<e; c++)``: a separate piece of its output, never part of a string) is dropped."""
    from calmjs.parse import es5
    from calmjs.parse.unparsers.es5 import minify_printer

    def printed(drop_semi: bool) -> str:
        tree = es5(source)
        _join_vars(tree)
        pieces, last = [], ""
        for chunk in minify_printer(obfuscate=True, obfuscate_globals=False, drop_semi=drop_semi)(tree):
            if not (chunk.text == " " and last == ";"):
                pieces.append(chunk.text)
            last = chunk.text
        return "".join(pieces).strip()

    text = printed(True)
    try:
        es5(text)  # (calmjs drops the ';' of an empty statement too: `while(a());}` would not parse)
    except Exception:  # noqa: BLE001 - any parse error: the semicolons kept
        text = printed(False)
    return text if text.endswith(";") else text + ";"


def _join_vars(node: Any) -> None:
    """Joins each run of ``var`` statements in the statement lists under ``node`` (a program's, a
    block's, a function's, a ``case``'s) into one, in place: the same names declared, in the same
    order, with the same values."""
    from calmjs.parse import asttypes

    lists = [node._children_list] if isinstance(node, (asttypes.Program, asttypes.Block)) else \
        [node.elements] if isinstance(node, (asttypes.FuncBase, asttypes.Case, asttypes.Default)) else []
    for statements in lists:
        joined: list = []
        for statement in statements:
            if joined and isinstance(statement, asttypes.VarStatement) and isinstance(joined[-1], asttypes.VarStatement):
                joined[-1]._children_list.extend(statement._children_list)
            else:
                joined.append(statement)
        statements[:] = joined
    for child in node.children():
        if child is not None:
            _join_vars(child)


@lru_cache(maxsize=None)
def own_script(name: str) -> str:
    """``static/<name>``, minified (see :func:`minify_js`).

    Parsing takes a few seconds, so the result is kept in storymap's cache (beside the assets'
    cache, keyed by the script's text) and read from there by later processes.
    """
    source = _OWN.joinpath(name).read_text("utf-8")
    key = hashlib.sha256(f"{_MINIFIER}\n{source}".encode("utf-8")).hexdigest()[:24]
    return _cached(f"{name}.{key}.js", lambda: minify_js(source))


def _cached(name: str, make: Callable[[], str]) -> str:
    """The text of ``name`` in storymap's cache of scripts, made (and kept) when not there."""
    cached = _cache_dir().parent / "js" / name
    try:
        return cached.read_text("utf-8")
    except OSError:
        pass
    text = make()
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
        tmp.write_text(text, "utf-8")
        os.replace(tmp, cached)
    except OSError:  # a read-only home: minified again next time
        pass
    return text


#: Part of the minified scripts' cache key: a new minifier gives new files.
_MINIFIER = "calmjs.parse es5 minify_print obfuscate drop_semi checked no-space-after-semicolon joined-vars 5"


def storymap_js(**features: bool) -> str:
    """storymap's script, minified: an ``L.storymap`` namespace on Leaflet, no other globals. Of the
    parts that only some pages need (:data:`SCRIPT_FEATURES`), those named true:
    ``storymap_js(layers=True, languages=True)``. Joined once for each set of features."""
    unknown = sorted(set(features) - set(SCRIPT_FEATURES))
    if unknown:
        raise TypeError(f"storymap_js() got unknown features: {', '.join(unknown)}")
    return _storymap_js(frozenset(name for name, on in features.items() if on))


@lru_cache(maxsize=None)
def _storymap_js(features: frozenset[str]) -> str:
    left_out = {name for feature, names in SCRIPT_FEATURES.items() if feature not in features for name in names}
    return "\n".join(own_script(name) for name in SCRIPT_FILES if name not in left_out)


@lru_cache(maxsize=1)
@lru_cache(maxsize=1)
def symbols_css() -> str:
    """The rules of point symbols other than circles (static/symbols.css), for a page whose kinds
    draw one (see :data:`SCRIPT_FEATURES`); they follow storymap's own."""
    return _squeeze_css(_OWN.joinpath("symbols.css").read_text("utf-8"))


# Assets of folium elements ---------------------------------------------------------------------

#: Largest file taken as an element's asset (a plugin's script or stylesheet).
MAX_ASSET_BYTES = 8 * 1024 * 1024
_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)")


def _cache_dir() -> Path:
    base = os.environ.get("STORYMAP_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "storymap")
    return Path(base) / "assets"


def _basename(url: str) -> str:
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])


class AssetStore:
    """Where the JS, CSS and images that folium elements load from elsewhere (a CDN) are found,
    so that they can be inlined and the page stays one self-contained file.

    A file is looked for, in order: in the asset folders (``folders``, then those in
    ``$STORYMAP_ASSETS``, separated by ``os.pathsep``), anywhere below them, by the last part of
    its URL (``leaflet.markercluster.js``, ``MarkerCluster.Default.css``); in storymap's cache
    (``$STORYMAP_CACHE`` or ``~/.cache/storymap/assets``); and, unless ``fetch`` is false (or
    ``$STORYMAP_FETCH`` is ``0``), fetched once from its URL into that cache, checked (a complete
    download of a plausible size and type), and used from there on.
    """

    def __init__(self, folders: Iterable[str | os.PathLike[str]] = (), *, fetch: Optional[bool] = None,
                 cache: Optional[Path] = None, timeout: float = 10.0, call: str = "add_layer() or save()"):
        env = [p for p in os.environ.get("STORYMAP_ASSETS", "").split(os.pathsep) if p]
        # Last: the few plugin files folium itself ships (HeatMap's script, for one).
        bundled = [Path(str(resources.files("folium").joinpath("templates")))]
        #: The folders the caller named (``folders``, then ``$STORYMAP_ASSETS``'s).
        self.named = [Path(f) for f in list(folders) + env]
        self.folders = self.named + bundled
        self.fetch = os.environ.get("STORYMAP_FETCH", "1") != "0" if fetch is None else fetch
        self.cache = cache or _cache_dir()
        self.timeout = timeout
        self._index: Optional[dict[str, Path]] = None
        #: The calls that take ``assets=FOLDER``, named in :meth:`problems`.
        self.call = call

    def _local(self, name: str) -> Optional[Path]:
        if self._index is None:
            self._index = {}
            for folder in self.folders:
                for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
                    if path.is_file():
                        self._index.setdefault(path.name, path)
        return self._index.get(name)

    def _cached(self, url: str) -> Path:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:20]
        return self.cache / key / (_basename(url) or "asset")

    def find(self, url: str) -> Optional[bytes]:
        """The file behind ``url``, or None when it can be had neither here nor from the network."""
        name = _basename(url)
        local = self._local(name) if name else None
        if local is not None:
            return local.read_bytes()
        cached = self._cached(url)
        if cached.is_file():
            return cached.read_bytes()
        if not self.fetch or urlsplit(url).scheme not in ("http", "https"):
            return None
        body = _download(url, self.timeout)
        if body is None or not _plausible(name, body):
            return None
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(cached.name + ".part")
        tmp.write_bytes(body)
        os.replace(tmp, cached)
        return body

    def inline(self, links: Sequence[tuple[str, str]], where: str) -> tuple[str, str]:
        """The contents of ``links`` (``("script" | "style", url)``) as one script and one
        stylesheet (scoped under ``.storymap``, its images as data URIs).

        Raises
        ------
        storymap.StoryError
            Naming ``where`` and every URL that could not be had, and the ways out.
        """
        js, css, missing = [], [], []
        for kind, url in links:
            body = self.find(url)
            if body is None:
                missing.append(url)
                continue
            text = body.decode("utf-8", errors="replace")
            if kind == "script":
                js.append(re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE).strip() + "\n;")
            else:
                text, lost = self._inline_images(text, url)
                missing += lost
                if "</style" in text.lower():
                    raise StoryError([Problem(file="", where=where, message=f"the stylesheet {url} contains "
                                                                           "'</style' and cannot be inlined")])
                css.append(scope_css(_squeeze_css(text), ".storymap"))
        if missing:
            raise StoryError(self.problems(missing, where))
        return "\n".join(js) + ("\n" if js else ""), "".join(css)

    def _inline_images(self, css: str, base: str) -> tuple[str, list[str]]:
        lost: list[str] = []

        def image(match: re.Match[str]) -> str:
            ref = match.group(2).strip()
            if ref.startswith(("data:", "#")):
                return match.group(0)
            url = urljoin(base, ref)
            body = self.find(url)
            if body is None:
                lost.append(url)
                return match.group(0)
            mime = mimetypes.guess_type(_basename(url))[0] or "application/octet-stream"
            return f"url({_data_url(mime, body)})"

        return _CSS_URL.sub(image, _woff2_only(css)), lost

    def problems(self, urls: Sequence[str], where: str) -> list[Problem]:
        """One line per file that could not be had, then the ways out."""
        lines = [Problem(file="", where=where, field="assets", message=f"cannot find {url}") for url in urls]
        # (A mistyped folder, or one named relative to another working folder, is found empty.)
        lines += [Problem(file="", where=where, field="assets", message=f"the assets folder {folder} does not exist"
                          + (f" (from {Path.cwd()})" if not folder.is_absolute() else ""))
                  for folder in self.named if not folder.is_dir()]
        names = {_basename(url) for url in urls}
        lines += [Problem(file="", where=where, field="assets", message=hint)
                  for files, hint in HINTS if names & set(files)]
        lines.append(Problem(file="", where=where, field="assets", message=(
            "these files are loaded from elsewhere, and a story page must hold everything itself: put them in a "
            f"folder and pass assets=FOLDER to {self.call} (or set STORYMAP_ASSETS=FOLDER; each file is found by "
            "the last part of its URL, in the folder or below it), or build once with network access so that "
            f"storymap fetches them into {self.cache}")))
        return lines


#: What missing files of well-known folium elements mean, and the other ways to the same map:
#: ``(file names, hint)``.
HINTS = (
    (("leaflet.awesome-markers.js", "leaflet.awesome-markers.css", "bootstrap-glyphicons.css", "all.min.css",
      "leaflet.awesome.rotate.min.css"),
     "folium.Icon (and a FastMarkerCluster without a callback, for each point) draws its marker with "
     "Leaflet.awesome-markers and an icon font (Bootstrap's glyphicons for "
     "prefix='glyphicon', Font Awesome for prefix='fa'), which a folium.Map loads from CDNs and a story page does "
     "not: give their files (the script, its stylesheet with its images markers-soft.png and markers-shadow.png, "
     "and the font's stylesheet with its font files) as assets, or draw the point without them: a data layer "
     "(add_layer(points, name, color='red', marker_kwds={'radius': 6}); points are circle markers, "
     "marker_type='circle_marker'), a folium.CircleMarker, or a folium.Marker with a folium.DivIcon or with no "
     "icon (Leaflet's own pin)"),
    (("jquery-3.7.1.min.js",),
     "folium.plugins.TimeSliderChoropleth's and HeatMapWithTime's scripts use jQuery ($), which a folium.Map loads "
     "from a CDN and a story page does not: give jQuery's file as assets (a TimeSliderChoropleth's slider then sits "
     "below the story, outside the map), or show the data by time with add_layer(gdf, name, time='date', ...), "
     "each step showing its date"),
    (("d3.min.js",),
     "d3 draws the legend of a branca colormap (a folium.Choropleth's, or a colormap added to the map), which a "
     "story page does not hold: colour geodata by a column with add_layer(gdf, name, column=..., scheme=..., "
     "cmap=...), whose classes show in the story's legend"),
)


_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.IGNORECASE)
_FONT_SRC = re.compile(r"(\bsrc\s*:\s*)([^;}]*)", re.IGNORECASE)


def _woff2_only(css: str) -> str:
    """``css`` with each ``@font-face`` keeping one source: its WOFF2, else its WOFF (every browser
    that runs a story page reads both), and only its last ``src`` (an earlier one is an old
    browser's fallback). A plugin's icon font inlined in all its formats (Font Awesome's WOFF2 and
    TTF of four families; Glyphicons' EOT, WOFF, TTF and SVG) would add up to a megabyte."""
    def face(match: re.Match[str]) -> str:
        block = match.group(0)
        found = list(_FONT_SRC.finditer(block))
        if not found:
            return block
        for earlier in reversed(found[:-1]):  # (the last src wins in every browser)
            start, end = earlier.span()
            block = block[:start] + block[end:].lstrip(";")
        last = list(_FONT_SRC.finditer(block))[-1]
        sources = [part.strip() for part in re.split(r",(?![^(]*\))", last.group(2))]
        for kind in ("woff2", "woff"):
            chosen = [part for part in sources if re.search(rf"format\(\s*['\"]?{kind}['\"]?\s*\)|\.{kind}\b",
                                                               part, re.IGNORECASE)]
            if chosen:
                return block[:last.start(2)] + chosen[0] + block[last.end(2):]
        return block

    return _FONT_FACE.sub(face, css)


def _data_url(mime: str, body: bytes) -> str:
    return f"data:{mime};base64," + base64.b64encode(body).decode("ascii")


def _download(url: str, timeout: float) -> Optional[bytes]:
    request = Request(url, headers={"User-Agent": "storymap"})
    try:
        with urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only, checked by the caller
            if getattr(response, "status", 200) != 200:
                return None
            length = response.headers.get("Content-Length")
            body = response.read(MAX_ASSET_BYTES + 1)
    except (OSError, ValueError):
        return None
    if len(body) > MAX_ASSET_BYTES or (length is not None and length.isdigit() and int(length) != len(body)):
        return None
    return body


def _plausible(name: str, body: bytes) -> bool:
    """Whether a download looks like the file asked for (not an HTML error page, not empty)."""
    head = body[:512].lstrip().lower()
    if not body.strip() or head.startswith((b"<!doctype", b"<html")):
        return False
    if name.endswith((".js", ".css")):
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True
