"""The public, mutable story: load it, extend it from Python, save one standalone page."""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import warnings
from pathlib import Path
from collections.abc import Iterable, Mapping
from typing import Any, Optional, Sequence

import folium
import numpy as np
import shapely
from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement
from folium.map import Layer
from folium.plugins import DualMap
from pydantic import ValidationError

from .assets import AssetStore
from .bulk import paused_gc
from .basemap import basemap_data
from .context import frame_middle, framed_places, step_view
from .geometry import into_frame, shift_into
from .files import check_output, write_atomic
from .errors import Problem, StoryError, did_you_mean, problems_from_validation
from .i18n import match_language, page_languages
from .translations import StepText, localize
from .inert import FRAMED_POPUP, framed_popups, needed_links, reachable
from .security import blocked
from .layers import CHOROPLETH, DataLayer, Overlay, make_overlay, texts_by_language
from .load import load_data, story_notes
from .models import Step, StoryData, swapped_layer
from .places import place_records
from .render import StoryFoliumMap, remote_links, render_page
from .steps import insert_step

__all__ = ["Story", "load", "LAYOUTS"]


class _Copy(list):
    """A list of the story's that is a copy: changing it would change nothing, so it says how to
    (``story.steps.append(step)`` used to do nothing, silently)."""

    def __init__(self, items: Iterable[Any], what: str, how: str):
        super().__init__(items)
        self._what, self._how = what, how

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"{self._what} is a copy, to read: changing it would change nothing; {self._how}")

    append = extend = insert = remove = pop = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse

    def __reduce_ex__(self, protocol: Any) -> Any:  # (copy.copy, deepcopy, pickle: a plain list, to change)
        return list, (list(self),)


class _CopyMapping(dict):
    """A mapping of the story's that is a copy (as :class:`_Copy`)."""

    def __init__(self, items: Mapping[str, Any], what: str, how: str):
        super().__init__(items)
        self._what, self._how = what, how

    _refuse = _Copy._refuse
    __setitem__ = __delitem__ = __ior__ = pop = popitem = clear = update = setdefault = _refuse

    def __reduce_ex__(self, protocol: Any) -> Any:
        return dict, (dict(self),)

#: The page layouts: Previous/Next slides beside the map, or sections scrolling past a sticky map.
LAYOUTS = ("slides", "scroll")


def _refusals(m: folium.Map, elements: list[Element]) -> list[Problem]:
    """What on ``story.map`` (``elements``: all that is reachable from it) a story page cannot hold,
    the first kind found: a ``folium.Choropleth``; elements the page's policy blocks
    (:func:`storymap.security.blocked`); a map of its own (``DualMap``, a second ``folium.Map``); a
    bare branca ``Element``, which folium would leave out silently."""
    def refused(field: str, message: str) -> list[Problem]:
        return [Problem(file="", where="story.map", field=field, message=message)]

    if any(isinstance(el, folium.Choropleth) for el in elements):
        return refused("folium.Choropleth", CHOROPLETH)
    blocked_kinds = blocked(elements)
    if blocked_kinds:
        return [problem for kind, message in blocked_kinds for problem in refused(kind, message)]
    other = next((el for el in elements if el is not m and isinstance(el, (folium.Map, DualMap))), None)
    if other is not None:
        return refused(f"folium {type(other).__name__}", (
            f"a folium {type(other).__name__} brings a map of its own, and a story page has one map, story.map, "
            "which the story moves from step to step: add the layers to story.map itself (or with add_layer, "
            "to show them on some steps only)"))
    # (An element with no render of its own: folium 0.17's Popup is a plain Element that has one.)
    dropped = next((el for el in elements if isinstance(el._parent, (folium.Map, Layer))
                    and not isinstance(el, (MacroElement, Figure)) and type(el).render is Element.render), None)
    if dropped is not None:
        return refused(f"branca {type(dropped).__name__}", (
            f"a bare {type(dropped).__name__} on the map or in a layer is not drawn (folium renders only "
            "elements with a template of their own there, and would leave it out silently): for HTML on the "
            "map use a folium.Marker with a folium.DivIcon, or a folium.Popup; for text beside it, the "
            "steps' narrative and media; for your own page around the story, embed it "
            "(to_html(fragment=True))"))
    return []


#: story.toml's words in a message, and what a Python user writes instead.
_PYTHON_WORDS = ((re.compile(r"declare a new one in story\.toml: \[kinds\.(.+?)\] with label, geometry and color$"),
                  r"declare it first: story.add_kind('\1', label=..., geometry=..., color=...)"),
                 (re.compile(r"add at least one \[\[steps\]\] table$"), "give at least one step"))


def _in_python(problems: list[Problem]) -> list[Problem]:
    """Problems found from Python (``Story(...)``, ``add_place``, ``add_kind``), told in Python's
    words rather than story.toml's."""
    told = []
    for problem in problems:
        message = problem.message
        for pattern, words in _PYTHON_WORDS:
            message = pattern.sub(words, message)
        told.append(dataclasses.replace(problem, message=message))
    return told


def _added_to_figure(m: folium.Map, names: set[str]) -> list[tuple[str, Element]]:
    """What code added to the map's figure (``m.get_root().html.add_child(...)``): children kept
    under their own names. Left out are folium's own (``meta_http``), the files plugins link, and
    what rendering the map for a preview put there (kept under the names of its elements,
    ``names``)."""
    root = m.get_root()
    if not isinstance(root, Figure):
        return []
    return [(part, child) for part in ("header", "html", "script")
            for key, child in getattr(root, part)._children.items()
            if key == child.get_name() and key not in names and not isinstance(child, (JavascriptLink, CssLink))]


class Story:
    """A story map: validated places and steps on a ``folium.Map`` with the story UI.

    Parameters
    ----------
    data : StoryData or mapping
        The validated story, or a mapping of its fields (``title``, ``places``, ``steps``, ...) to
        validate. To read a story folder, use :func:`storymap.load`.

    Attributes
    ----------
    map : folium.Map
        The map the story is drawn on; folium layers added to it show in the page.

    Raises
    ------
    storymap.StoryError
        For a mapping that is not a valid story, naming every problem.
    TypeError
        For anything else (a folder's path among them: that is :func:`storymap.load`'s).
    """

    def __init__(self, data: StoryData | Mapping[str, Any]):
        if isinstance(data, (str, os.PathLike)):
            raise TypeError(f"Story takes a StoryData, not a path ({os.fspath(data)!r}); to read a story folder, "
                            f"use storymap.load({os.fspath(data)!r})")
        if isinstance(data, Mapping):
            try:
                data = StoryData.model_validate(dict(data))
            except ValidationError as exc:
                raise StoryError(_in_python(problems_from_validation(exc, file="", where="Story",
                                                                     model=StoryData))) from None
        if not isinstance(data, StoryData):
            raise TypeError(f"Story takes a storymap.StoryData (or a mapping of its fields), got "
                            f"{type(data).__name__}")
        self.data = data
        self.map: folium.Map = StoryFoliumMap(location=[0.0, 0.0], zoom_start=5)
        self._overlays: dict[str, Overlay] = {}
        self._asset_folders: list[Path] = []
        # What storymap.load() warned of (the lines storymap validate prints), and its folder: a
        # page made later warns of what changed since, once each.
        self._folder: Optional[Path] = None
        self._told: set[str] = set()
        self._noted: Optional[StoryData] = None  # (the data they were found in: unchanged, not looked at again)

    # Reading -------------------------------------------------------------------------------
    @property
    def title(self) -> str:
        """The story's title, in its own language (``story.toml``'s ``title``); set a new one
        (checked as story.toml's is: :class:`storymap.StoryError` for a blank one)."""
        return self.data.title

    @title.setter
    def title(self, value: str) -> None:
        self.data = self._revalidated("title", title=value)

    @property
    def steps(self) -> list[Step]:
        """The ordered steps, a copy (changing the list raises TypeError: use :meth:`add_step` to add
        one). A step's fields can be
        set (``story.steps[0].title = ...``): each is checked when set (:class:`storymap.StoryError`
        naming the step and the field, the step left as it was), and what spans the story (the
        places a step names, a view against them) again by :meth:`to_html` and :meth:`save`."""
        return _Copy(self.data.steps, "story.steps", "add a step with story.add_step(...); change one in place "
                     "(story.steps[0].title = ...)")

    @property
    def allowed_origins(self) -> list[str]:
        """Origins of the pages that embed the story in an iframe (``story.toml``'s ``allowed_origins``):
        only they hear its steps' titles and may move it; set a list (or one origin) to change them.

        Examples
        --------
        >>> story.allowed_origins = ["https://news.example"]  # doctest: +SKIP
        """
        return _Copy(self.data.allowed_origins, "story.allowed_origins",
                     "set the whole list: story.allowed_origins = [*story.allowed_origins, origin]")

    @allowed_origins.setter
    def allowed_origins(self, origins: str | Sequence[str]) -> None:
        given = [origins] if isinstance(origins, str) else list(origins) if isinstance(origins, Iterable) else origins
        self.data = self._revalidated("", allowed_origins=given)  # (its field names it)

    def __repr__(self) -> str:
        steps, places = len(self.data.steps), len(self.data.places)
        return (f"<Story {self.data.title!r}: {steps} step{'s' * (steps != 1)}, "
                f"{places} place{'s' * (places != 1)}>")

    @property
    def tiles(self) -> Any:
        """The online tiles over the embedded basemap, as story.toml's ``tiles`` gives them.

        Set it to a provider's name as xyzservices knows it (``"CartoDB.Positron"``,
        ``"OpenStreetMap.Mapnik"``, ...) or an ``xyzservices.TileProvider``, to
        ``{"url": ..., "attribution": ...}`` (a URL template with its credit; optional
        ``subdomains``, ``max_zoom``), to ``"none"`` (no tiles, no tile request, ever), or to None
        (the default: CARTO's light basemap). The attribution follows the provider; the page's
        Content-Security-Policy allows images from its host only.

        Raises
        ------
        storymap.StoryError
            For a name xyzservices does not know (with the closest one), a provider that needs an
            API key, or a URL template without {z}, {x}, {y} or attribution.
        """
        return self.data.tiles

    @tiles.setter
    def tiles(self, value: Any) -> None:
        self.data = self._revalidated("", tiles=value)  # (its field names it)

    @property
    def base_url(self) -> Optional[str]:
        """Where the story's page will be published (story.toml's ``base_url``): its ``og:url``,
        ``og:image`` and canonical link are absolute under it (a folder URL, ending with ``/``: each
        page's own file name in it; see :meth:`save`). Set it to publish a build elsewhere (a
        staging site, a page per language in folders of their own), or to None.

        Raises
        ------
        storymap.StoryError
            For a value that is not an http(s) URL.
        """
        return self.data.base_url

    @base_url.setter
    def base_url(self, value: Optional[str]) -> None:
        self.data = self._revalidated("", base_url=value)  # (its field names it)

    @property
    def theme(self) -> dict[str, str]:
        """The story's own colours and fonts (story.toml's ``[theme]``), by name: ``accent``
        (buttons, links, the progress bar), ``titlecard`` (the title card's background), ``sea``,
        ``land`` and ``beyond`` (the embedded basemap's, and the map past its region); ``font`` (the
        text's, a CSS font-family list) and ``heading_font`` (the titles'); those not given are
        storymap's. Set a mapping to change them (the social card and the handout follow).

        Examples
        --------
        >>> story.theme = {"accent": "#8a1538", "titlecard": "#1a1a1a"}  # doctest: +SKIP
        >>> story.theme = {**story.theme, "heading_font": '"Playfair Display", Georgia, serif'}  # doctest: +SKIP

        Raises
        ------
        storymap.StoryError
            For a name that is none of these, a value that is not a CSS colour or a font-family list,
            and an accent or a title card the text on which would not meet WCAG AA's contrast (4.5:1).
        """
        return _CopyMapping(self.data.theme.model_dump(exclude_none=True, exclude_defaults=True), "story.theme",
                            "set the whole mapping: story.theme = {**story.theme, name: colour}")

    @theme.setter
    def theme(self, value: Mapping[str, str]) -> None:
        given = dict(value) if isinstance(value, Mapping) else value
        self.data = self._revalidated("", theme=given)  # (its field names it)

    @property
    def interface(self) -> dict[str, str]:
        """The page's interface texts the story gives in its own language (story.toml's
        ``[interface]``), by key: over storymap's own (Previous, Next, the legend's title,
        announcements, labels for screen readers), for a language storymap has none for or a
        wording of your own. Set a mapping to change them; ``storymap schema story`` lists the keys
        with their English. (Another language's are its ``story.<lang>.toml``'s ``[interface]``.)

        Raises
        ------
        storymap.StoryError
            For a key storymap does not know (with the closest), a text that is not text, or a
            text whose ``{placeholders}`` are not its English's.

        Examples
        --------
        >>> story.interface = {"nav.next": "次へ", "nav.previous": "前へ"}  # doctest: +SKIP
        """
        return _CopyMapping(self.data.interface, "story.interface",
                            "set the whole mapping: story.interface = {**story.interface, key: text}")

    @interface.setter
    def interface(self, texts: Mapping[str, str]) -> None:
        self.data = self._revalidated("", interface=texts)  # (its field names it)

    @property
    def layers(self) -> list[str]:
        """Names of the layers added with :meth:`add_layer`, in the order added."""
        return _Copy(self._overlays, "story.layers", "use story.add_layer(...) and story.remove_layer(name)")

    # Extending -----------------------------------------------------------------------------
    def add_layer(self, data: Any, name: str | Mapping[str, str], *, steps: Optional[Sequence[str]] = None,
                  style: Optional[Mapping[str, Any]] = None, tooltip: Any = None, popup: Any = None,
                  assets: Optional[str | os.PathLike[str]] = None, time: Any = None,
                  time_mode: Optional[str] = None, column: Any = None, cmap: Any = None, color: Any = None, categorical: bool = False,
                  categories: Optional[Sequence[Any]] = None, scheme: Optional[str] = None, k: int = 5,
                  vmin: Optional[float] = None, vmax: Optional[float] = None,
                  classification_kwds: Optional[Mapping[str, Any]] = None, legend: bool = True,
                  legend_kwds: Optional[Mapping[str, Any]] = None, style_kwds: Optional[Mapping[str, Any]] = None,
                  marker_type: Optional[str] = None, marker_kwds: Optional[Mapping[str, Any]] = None,
                  highlight: bool = True, highlight_kwds: Optional[Mapping[str, Any]] = None,
                  missing_kwds: Optional[Mapping[str, Any]] = None, tooltip_kwds: Optional[Mapping[str, Any]] = None,
                  popup_kwds: Optional[Mapping[str, Any]] = None, **unsupported: Any) -> "Story":
        """Add a layer to the map, its legend and ``root.storymap.layers[name]``.

        Geodata takes the keywords of :meth:`geopandas.GeoDataFrame.explore` with the same meaning
        (``column``, ``cmap``, ``scheme``, ``k``, ``legend_kwds``, ...): the classes and colours are
        explore's, drawn on the layer's canvas, as fast as a single colour.

        Parameters
        ----------
        data : GeoDataFrame, GeoSeries, path, GeoJSON mapping or str, shapely geometry, folium element
            Geodata in any CRS (reprojected to EPSG:4326): a GeoDataFrame or GeoSeries, a path
            geopandas reads (GeoJSON, GeoPackage, Shapefile, FlatGeobuf), a GeoJSON mapping,
            anything with ``__geo_interface__``, or a shapely geometry. Geodata is drawn on a canvas
            in a compact encoding, fast with 100,000 features. Or a folium layer, marker or vector
            shape, which is added as it is, inside a group named ``name`` (explore's keywords do not
            apply to it).
        name : str or mapping
            Unique name: the legend label and the key in ``root.storymap.layers``. In a story of
            several languages, a mapping gives it in each (``{"en": "Population", "es":
            "Población"}``, the story's own language among them: its text is the key); a language
            left out shows the story's own.
        steps : sequence of str, optional
            Ids of the steps the layer shows on; hidden on the others. ``None``: every step.
        style : mapping, optional
            Leaflet path options: ``color``, ``weight``, ``opacity``, ``fillColor``,
            ``fillOpacity``, ``radius`` (points), ``dashArray``, ``fill``, ``stroke``. Used for the
            legend swatch of a folium element.
        tooltip, popup : bool, int, str or sequence of str, optional
            Properties shown on hover and on click (as text, never as HTML): ``True`` every
            column (a named index first, as explore shows it), ``False``/``None`` none (the default, unlike explore's tooltip), a number ``n``
            the first n columns, a name or a list of names. A single name shows the bare value in
            the tooltip; otherwise ``name: value`` lines.
        assets : path, optional
            A folder holding the JS and CSS files a folium plugin loads from a CDN (found by the
            last part of their URLs), to inline in the page; ``$STORYMAP_ASSETS`` names more.
        time : str or sequence, optional
            The column (or one value per feature) of each feature's time: datetimes (a datetime64
            column, ``datetime``/``date``/``Timestamp`` objects) or ISO 8601 text (``2024``,
            ``2024-05``, ``2024-05-13``, ``2024-05-13T10:30:00+02:00``). A feature counts on the
            calendar day of its time as written (a month or a year from its first day); None or
            empty text: no time. At each step with a ``date`` or ``period`` the layer then shows
            only the features of that time; at an undated step, all of them (those without a
            time included). The page's layer tells how many it shows: ``featureCount()``.
        time_mode : {"cumulative", "window"}, optional
            With ``time``: ``"cumulative"`` (the default) shows the features dated up to the end
            of the step's date or period, ``"window"`` only those inside it.
        column : str or sequence, optional
            The column (or one value per feature) that colours the features: numbers by a
            colormap, or categories (text, booleans, a categorical dtype, or ``categorical=True``)
            one colour each.
        cmap : str, sequence of str, matplotlib or branca colormap, or callable, optional
            A matplotlib colormap name (``"viridis"`` for numbers, ``"tab20"`` for categories by
            default; ``"_r"`` reverses), a branca name (``"YlOrRd_09"``), a list of colours (one
            per category, cycled; a ramp through them for numbers), a colormap object, or a
            function of a number returning a colour.
        color : str or sequence of str, optional
            Without ``column``: one CSS colour for every feature, a column of colours, or one
            colour per feature.
        categorical : bool, default False
            Colour the column's values as categories even if they are numbers.
        categories : sequence, optional
            The categories, in legend order; features with other values count as missing.
        scheme : str, optional
            A mapclassify classification (``"quantiles"``, ``"equal_interval"``,
            ``"natural_breaks"``, ``"fisher_jenks"``, ...) into ``k`` classes, one colour each
            (needs ``storymap[explore]``). Without it numbers get a continuous ramp from ``vmin``
            to ``vmax``.
        k : int, default 5
            Number of classes of the ``scheme``.
        vmin, vmax : float, optional
            The ends of the colour ramp (default: the column's least and greatest values).
        classification_kwds : mapping, optional
            More arguments of ``mapclassify.classify`` (e.g. ``{"bins": [10, 100]}`` for
            ``scheme="user_defined"``).
        legend : bool, default True
            Show the colours in the legend: the colour bar, or the classes or categories.
        legend_kwds : mapping, optional
            ``caption`` (default: the column's name; a mapping gives it in each of the story's
            languages, as ``name`` does), ``labels`` (one per class or category),
            ``fmt`` (class ranges, such as explore's ``"{:.2f}"``; by default as few decimals as
            tell the classes apart, written as each of the page's languages writes numbers),
            ``colorbar`` (with a scheme, ``True``
            shows explore's stepped bar instead of the list of classes and their ranges that a
            story's legend shows by default), ``scale``, ``interval``, ``max_labels``.
        style_kwds : mapping, optional
            Leaflet path options, as ``style``. Outlines take each feature's colour unless
            ``color`` is set here.
        marker_type : {"circle_marker"}, optional
            Points are circle markers (the only type drawn on the canvas).
        marker_kwds : mapping, optional
            Options of the circle markers: ``radius`` in pixels, a number or a column of radii
            (0 to 50; missing values take the style's radius), and path options such as ``fill``.
        highlight : bool, default True
            Highlight the feature under the pointer.
        highlight_kwds : mapping, optional
            Path options of the highlighted feature (areas: ``{"fillOpacity": 0.75}``).
        missing_kwds : mapping, optional
            ``color`` for features whose value is missing (else they are left out) and its
            legend ``label`` (default ``"NaN"``).
        tooltip_kwds, popup_kwds : mapping, optional
            ``aliases`` (shown instead of the column names; a mapping gives them in each of the
            story's languages, ``{"en": ["People"], "es": ["Personas"]}``) and ``labels`` (show
            the names).
        **unsupported
            explore's map options (``m``, ``tiles``, ``width``, ``map_kwds``, ...) raise
            :class:`storymap.StoryError` saying why; misspelt keywords get "did you mean".

        Returns
        -------
        Story
            This story, so calls chain.

        Raises
        ------
        storymap.StoryError
            For a duplicate name, an unknown step, property or column (listing the real ones),
            an unknown colormap or scheme (listing valid ones), an invalid style, times that are not
            dates (naming them) or an unknown time mode, an unsupported keyword, a missing optional
            library (naming ``pip install 'storymap[explore]'``), data that is empty or not
            geographic, or a folium plugin whose files cannot be had (each URL is named, with the
            ways out); the message names the keyword, what was given and what was expected.

        Examples
        --------
        >>> story.add_layer("roads.gpkg", "Roads", steps=["the-harbour"], style={"color": "#555"})  # doctest: +SKIP
        >>> story.add_layer(districts, "Population", column="pop", scheme="quantiles", cmap="YlOrRd",
        ...                 tooltip=["name", "pop"])  # doctest: +SKIP
        >>> story.add_layer(seizures, "Seizures", time="date", tooltip=["place", "date"])  # doctest: +SKIP
        """
        taken = list(self._overlays) + [str(c.layer_name) for c in self.map._children.values()
                                        if isinstance(c, folium.map.Layer)]
        names = None
        if isinstance(name, Mapping):  # (the name in several of the story's languages)
            names = texts_by_language("add_layer", "name", name, self.languages, self.data.lang)
            name = names[self.data.lang]
        if isinstance(legend_kwds, Mapping) and isinstance(legend_kwds.get("caption"), Mapping):
            caption = texts_by_language(f"layer {name!r}", "legend_kwds.caption", legend_kwds["caption"],
                                        self.languages, self.data.lang)
            legend_kwds = {**legend_kwds, "caption": caption}
        kwds = {"tooltip_kwds": tooltip_kwds, "popup_kwds": popup_kwds}
        for which, given in kwds.items():  # (aliases in each language: the languages checked here)
            if isinstance(given, Mapping) and isinstance(given.get("aliases"), Mapping):
                aliases = texts_by_language(f"layer {name!r}", f"{which}.aliases", given["aliases"], self.languages,
                                            self.data.lang, check=lambda lang, value: value)
                kwds[which] = {**given, "aliases": aliases}
        tooltip_kwds, popup_kwds = kwds["tooltip_kwds"], kwds["popup_kwds"]
        overlay = make_overlay(
            data, name, steps=steps, style=style, tooltip=tooltip, popup=popup, taken=taken,
            step_ids=[s.id for s in self.data.steps], index=len(self._overlays), time=time, time_mode=time_mode,
            column=column, cmap=cmap,
            color=color, categorical=categorical, categories=categories, scheme=scheme, k=k, vmin=vmin, vmax=vmax,
            classification_kwds=classification_kwds, legend=legend, legend_kwds=legend_kwds, style_kwds=style_kwds,
            marker_type=marker_type, marker_kwds=marker_kwds, highlight=highlight, highlight_kwds=highlight_kwds,
            missing_kwds=missing_kwds, tooltip_kwds=tooltip_kwds, popup_kwds=popup_kwds, **unsupported)
        folders = self._asset_folders + ([Path(assets)] if assets is not None else [])
        # (A data layer loads nothing from elsewhere: rendering it to find out would encode its data.)
        links = [] if isinstance(overlay.element, DataLayer) else list(dict.fromkeys(
            needed_links(overlay.element) + remote_links(overlay.element)))
        if links:
            # A folium plugin (or a folium.Icon, jQuery): its files must be inlined. Find them now, not at save.
            store = AssetStore(folders, call="add_layer()")
            missing = [url for _, url in links if store.find(url) is None]
            if missing:
                raise StoryError(store.problems(missing, where=f"layer {overlay.name!r}"))
        if isinstance(overlay.element, DataLayer):
            # (A table of lat and lon columns read the wrong way round lies, as a whole, where the
            # story is not: in the Antarctic for the Americas, an error; elsewhere, a warning.)
            swapped = swapped_layer(overlay.element.frame.geometry.values, self.data.places)
            if swapped and swapped[0]:
                raise StoryError([Problem("add_layer()", swapped[1], where=f"layer {overlay.name!r}")])
            if swapped:
                message = swapped[1].replace("coordinates look swapped", "coordinates may be swapped", 1)
                warnings.warn(f"layer {overlay.name!r}: {message}; if the layer is meant to be there, leave it",
                              UserWarning, stacklevel=2)
        if framed_popups(overlay.element):
            warnings.warn(f"layer {overlay.name!r}: {FRAMED_POPUP}", UserWarning, stacklevel=2)
        if overlay.time is not None:
            shown = [s for s in self.data.steps if overlay.steps is None or s.id in overlay.steps]
            if not any(s.date or s.period for s in shown):
                which = "none of the story's steps has" if overlay.steps is None else (
                    f"none of its steps ({', '.join(repr(s.id) for s in shown)}) has")
                warnings.warn(f"layer {overlay.name!r}: time= changes nothing: {which} a date or a period, and an "
                              "undated step shows all the features; give the steps a date or a period",
                              UserWarning, stacklevel=2)
        if assets is not None and Path(assets) not in self._asset_folders:
            self._asset_folders.append(Path(assets))
        overlay.element.add_to(self.map)
        overlay.names = names
        if names is not None and isinstance(overlay.element, DataLayer):  # (its popup's title)
            overlay.element.titles = names
        self._overlays[overlay.name] = overlay
        return self

    def remove_layer(self, name: str) -> "Story":
        """Remove a layer added with :meth:`add_layer`.

        Raises
        ------
        storymap.StoryError
            For a name no layer has (with the closest one).
        """
        if name not in self._overlays:
            close = did_you_mean(str(name), list(self._overlays))
            hint = f"; did you mean {close!r}?" if close else ""
            raise StoryError([Problem(file="", where="remove_layer", field="name",
                                      message=f"no layer named {name!r}{hint} (the layers are: "
                                              f"{', '.join(self._overlays) or 'none'})")])
        overlay = self._overlays.pop(name)
        self.map._children = type(self.map._children)(
            (key, child) for key, child in self.map._children.items() if child is not overlay.element)
        overlay.element._parent = None
        return self

    def remove_step(self, step_id: str) -> "Story":
        """Remove the step with id ``step_id`` (and its texts in the story's translations; a layer
        shown on it is shown on its other steps).

        Raises
        ------
        storymap.StoryError
            For an id no step has (with the closest one), the story's last step, or a step a layer
            is shown on alone (remove the layer first); the story is left as it was.
        """
        ids = [step.id for step in self.data.steps]
        self._known("remove_step", "step", step_id, ids)
        translations = {lang: t.model_copy(update={"steps": {k: v for k, v in t.steps.items() if k != step_id}})
                        for lang, t in self.data.translations.items()}
        data = self._revalidated("remove_step", steps=[s for s in self.data.steps if s.id != step_id],
                                 translations=translations)
        only = [name for name, overlay in self._overlays.items() if overlay.steps == [step_id]]
        if only:
            many = len(only) > 1
            raise StoryError([Problem(file="", where="remove_step", field="step_id", message=(
                f"layer{'s' if many else ''} {', '.join(map(repr, only))} {'are' if many else 'is'} shown on "
                f"{step_id!r} alone, and would be shown on no step: remove {'them' if many else 'it'} first "
                f"({'; '.join(f'story.remove_layer({name!r})' for name in only)}), or add "
                f"{'them' if many else 'it'} again with other steps (steps=[...])"))])
        self.data = data
        for overlay in self._overlays.values():
            if overlay.steps is not None:
                overlay.steps = [sid for sid in overlay.steps if sid != step_id]
        return self

    def remove_place(self, place_id: str) -> "Story":
        """Remove the place with id ``place_id`` (and its texts in the story's translations).

        Raises
        ------
        storymap.StoryError
            For an id no place has (with the closest one), or a place a step still names (remove it
            from that step's ``places`` first, or the step); the story is left as it was.
        """
        self._known("remove_place", "place", place_id, [place.id for place in self.data.places])
        naming = [step.id for step in self.data.steps if place_id in step.places]
        if naming:
            raise StoryError([Problem(file="", where="remove_place", field="place_id", message=(
                f"step{'s' if len(naming) > 1 else ''} {', '.join(map(repr, naming))} "
                f"name{'' if len(naming) > 1 else 's'} {place_id!r}: take it out of "
                f"{'their' if len(naming) > 1 else 'its'} places first (story.steps[i].places = [...]), or "
                f"remove {'them' if len(naming) > 1 else 'it'}"))])
        translations = {lang: t.model_copy(update={"places": {k: v for k, v in t.places.items() if k != place_id}})
                        for lang, t in self.data.translations.items()}
        self.data = self._revalidated("remove_place", places=[p for p in self.data.places if p.id != place_id],
                                      translations=translations)
        return self

    @staticmethod
    def _known(where: str, what: str, given: str, ids: list[str]) -> None:
        if given not in ids:
            close = did_you_mean(str(given), ids)
            hint = f"; did you mean {close!r}?" if close else ""
            raise StoryError([Problem(file="", where=where, field=f"{what}_id",
                                      message=f"no {what} with id {given!r}{hint}")])

    def add_place(self, data: Any, /, *, id: Optional[str] = None, name: Optional[str] = None,
                  kind: Optional[str] = None, annotation: Optional[str] = None, sources: Any = None,
                  **properties: Any) -> "Story":
        """Add places that steps can show.

        Parameters
        ----------
        data : Feature mapping, Place, shapely geometry, GeoJSON geometry, GeoDataFrame, path, FeatureCollection
            One place (a GeoJSON Feature, a :class:`storymap.Place`, or a bare geometry whose
            properties come from the keywords), or many (a GeoDataFrame or GeoSeries in any CRS, a
            FeatureCollection, a path geopandas reads): each feature or row is a place, its
            properties (columns) its fields, the keywords filling in what it lacks.
        id, name, kind, annotation, sources, **properties
            The place's fields (see the README's data format). ``sources`` is a list of
            ``{"title": ..., "url": ...}``. Without an ``id``, one is made from the name.

        Returns
        -------
        Story
            This story, so calls chain.

        Raises
        ------
        storymap.StoryError
            For an input that is not geodata, and for every problem of the new places, each named.

        Examples
        --------
        >>> story.add_place(shapely.Point(121.8, 29.9), id="port-of-ningbo-zhoushan", name="Ningbo-Zhoushan",
        ...                 kind="port", annotation="…", sources=[{"title": "…", "url": "https://…"}])  # doctest: +SKIP
        """
        given = {"id": id, "name": name, "kind": kind, "annotation": annotation, "sources": sources, **properties}
        records = place_records(data, {k: v for k, v in given.items() if v is not None},
                                taken={p.id for p in self.data.places})
        self.data = self._revalidated("add_place", places=list(self.data.places) + records)
        return self

    def add_kind(self, name: str, /, **fields: Any) -> "Story":
        """Declare a kind of place, or override fields of one (as ``[kinds.NAME]`` in story.toml does).

        Parameters
        ----------
        name : str
            The kind's name, as places give it in ``kind``.
        **fields
            Its fields: ``label``, ``geometry`` (``"point"``, ``"line"`` or ``"area"``), ``color``
            (all three needed by a new kind), ``symbol``, ... (see the README's Kinds).

        Returns
        -------
        Story
            This story, so calls chain.

        Raises
        ------
        storymap.StoryError
            For a missing, invalid or unknown field (with the closest one), or a story that the
            kind no longer validates, each problem named; the story is left as it was.

        Examples
        --------
        >>> story.add_kind("chokepoint", label="Chokepoint", geometry="point", color="#c62828",
        ...                symbol="diamond")  # doctest: +SKIP
        """
        base = self.data.kinds[name].model_dump(exclude_defaults=True) if name in self.data.kinds else {}
        kinds: dict[str, Any] = dict(self.data.kinds)
        kinds[name] = {**base, **fields}
        self.data = self._revalidated(f"kind {name!r}", kinds=kinds)
        return self

    def _revalidated(self, where: str, **changes: Any) -> StoryData:
        values = {field: getattr(self.data, field) for field in StoryData.model_fields}
        values.update(changes)
        try:
            # (Font files the story has read keep their faces: named as before, they are not looked
            # for again from the current directory.)
            data = StoryData.model_validate(values, context={"faces": self.data.theme._read})
        except ValidationError as exc:
            raise StoryError(_in_python(problems_from_validation(exc, file="", where=where, model=StoryData))) from None
        return data

    def add_step(self, step: Step | Mapping[str, Any] | None = None, /, *, before: Optional[str] = None,
                 after: Optional[str] = None, **fields: Any) -> "Story":
        """Add a step at the end, or insert it ``before`` or ``after`` the step with that id.

        Parameters
        ----------
        step : Step or mapping, optional
            The step, or a mapping of its fields (``id``, ``title``, ``narrative``, ``places``,
            ``description``, ``view``, ``max_zoom``). In a story of several languages, ``title``,
            ``narrative`` and ``description`` may each be given in them, ``{"en": "The port", "es":
            "El puerto"}`` (the story's own language among them): the others go into the story's
            translations, as a ``story.<lang>.toml`` holds them.
        before, after : str, optional
            Id of the step to insert before or after (at most one).
        **fields
            Step fields, merged over ``step``.

        Returns
        -------
        Story
            This story, so calls chain.

        Raises
        ------
        storymap.StoryError
            For an invalid or duplicate step, an unknown place, or an unknown ``before``/``after``.

        Examples
        --------
        >>> story.add_step(id="roads", title="The roads", places=["old-harbour"], after="the-harbour")  # doctest: +SKIP
        """
        given = {**(step.model_dump(exclude_unset=True) if isinstance(step, Step) else dict(step or {})), **fields}
        texts: dict[str, dict[str, str]] = {}  # language -> field -> text, the story's own left out
        for field in ("title", "narrative", "description"):
            if isinstance(given.get(field), Mapping):
                by_language = texts_by_language(f"step {given.get('id')!r}", field, given[field], self.languages,
                                                self.data.lang)
                given[field] = by_language.pop(self.data.lang)
                for lang, text in by_language.items():
                    texts.setdefault(lang, {})[field] = text
        data = insert_step(self.data, given, before=before, after=after)
        if texts:
            # (Each language's texts checked as story.<lang>.toml's are; the rest of its texts, read
            # and checked with the story, kept as they are.)
            step_id = given.get("id")
            translations = dict(data.translations)
            for lang, step_texts in texts.items():
                try:
                    text = StepText.model_validate(step_texts)
                except ValidationError as exc:
                    raise StoryError(_in_python(problems_from_validation(
                        exc, file="", where=f"add_step {lang}", model=StepText))) from None
                translations[lang] = translations[lang].model_copy(
                    update={"steps": {**translations[lang].steps, step_id: text}})
            data = data.model_copy(update={"translations": translations})
        self.data = data
        return self

    # Output --------------------------------------------------------------------------------
    @property
    def languages(self) -> list[str]:
        """The languages the story is in (its own ``lang`` and its translations'), in the page's order."""
        return page_languages(self.data)

    def to_html(self, *, fragment: bool = False, layout: str | None = None, lang: str | None = None,
                languages: Sequence[str] | None = None,
                assets: Optional[str | os.PathLike[str]] = None) -> str:
        """The story as one self-contained HTML page, or an HTML fragment for a CMS.

        Parameters
        ----------
        fragment : bool
            Return a fragment (no ``html``/``head``/``body``): its styles are scoped under the
            story's root, its script defines no globals but ``L`` and ``L.storymap``, and
            Leaflet runs once however many stories a page holds.
        layout : {"slides", "scroll"}, optional
            Override the story's layout.
        lang : str, optional
            The language the page (or fragment) opens in, one of :attr:`languages` (default: the
            story's own). The page holds every language; a reader switches in the panel, and
            ``?lang=es`` in the page's URL opens another.
        languages : sequence of str, optional
            Only these of the story's languages in the page (default: all); ``lang`` defaults to
            the first. ``languages=["es"]`` makes a page in Spanish alone, a third smaller.
        assets : path, optional
            A folder holding the JS and CSS files that folium elements added straight to
            :attr:`map` (controls such as ``Fullscreen`` or ``MiniMap``) load from a CDN, to inline
            (for this page only; the folders given to :meth:`add_layer` are searched too).

        Returns
        -------
        str
            The HTML; the same story renders byte-identically every time.

        Raises
        ------
        ValueError
            For a ``fragment`` that is not True or False, an unknown ``layout``, a ``lang`` the story is not in (or not among ``languages``),
            or ``languages`` that are not a non-empty list of the story's languages.
        storymap.StoryError
            For a story changed in place (``story.steps[0].places = [...]``) that is no longer
            valid, each problem named by its path (``steps[0].places[0]: unknown place ...``); for a folium element on :attr:`map` whose files cannot be had (each URL is named,
            with the ways out), or one storymap cannot draw (``folium.Choropleth``; a map of its own, such
            as ``folium.plugins.DualMap``: a story page has one map), or one that cannot run under the
            page's Content-Security-Policy (``MeasureControl``), or an element that would be left out (a
            bare ``branca.element.Element`` on the map).
        """
        return self._html(fragment=fragment, layout=layout, lang=lang, languages=languages, assets=assets)

    def _html(self, *, fragment: bool, layout: str | None, lang: str | None, languages: Sequence[str] | None,
              assets: Optional[str | os.PathLike[str]], page_name: str | None = None) -> str:
        """:meth:`to_html`'s page; with ``page_name``, the file name it is saved as (its address
        under ``base_url``)."""
        if not isinstance(fragment, (bool, np.bool_)):  # ("no" would make a fragment)
            raise ValueError(f"fragment must be True or False, got {fragment!r}")
        fragment = bool(fragment)
        if layout is not None and layout not in LAYOUTS:
            raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
        # Its parts may have been changed in place (story.steps[0].places = [...]): each field was
        # checked when assigned, what spans parts (the places a step names, a view against them) is now.
        self.data = data = self._revalidated("story")
        if languages is not None:
            data, lang = self._only(languages, lang)
        lang = self._language(lang)
        elements = list(reachable(self.map))
        refused = _refusals(self.map, elements)
        if refused:
            raise StoryError(refused)
        added = {id(overlay.element) for overlay in self._overlays.values()}  # (add_layer warned of its own)
        if any(framed_popups(child) for child in self.map._children.values() if id(child) not in added):
            warnings.warn(f"story.map: {FRAMED_POPUP}", UserWarning, stacklevel=3)
        for part, child in _added_to_figure(self.map, {el.get_name() for el in elements}):
            warnings.warn(f"story.map.get_root().{part}: what was added there ({type(child).__name__} "
                          f"{child.get_name()}) is not in the story page, which storymap builds itself: put HTML on "
                          "the map in a folium.Marker with a folium.DivIcon or in a folium.Popup, text in the steps, "
                          "and a script in a branca MacroElement on story.map", UserWarning, stacklevel=3)
        self._warn_notes(stacklevel=4)
        folders = self._asset_folders + ([Path(assets)] if assets is not None else [])
        with paused_gc():  # thousands of places: see storymap.bulk
            return render_page(data, self.map, overlays=list(self._overlays.values()),
                               basemap=story_basemap(data, lang, list(self._overlays.values())), fragment=fragment, layout=layout,
                               asset_store=AssetStore(folders, call="save() or to_html()"), lang=lang,
                               own_lang=self.data.lang, page_name=page_name)

    def _warn_notes(self, stacklevel: int, files: bool = False) -> None:
        """The warnings storymap validate would print for the story as it is now (a step emptied or
        added from Python without places, a view that shows none of its step's places, …), each
        once: storymap.load() warned of the story's own already (``files``: its lines name the story's
        files; later ones name none, as they come of changes made from Python)."""
        if self._noted is self.data:
            return
        # (What load() finds is in the story's files: its lines name them. What a page made later
        # finds that load() did not comes of changes made from Python: its lines name no file.)
        self._noted = self.data
        notes = [(str(dataclasses.replace(n, file="")), str(n)) for n in story_notes(self.data, self._folder)]
        for key, text in notes + [(text, text) for text in self._untranslated()]:
            if key not in self._told:
                self._told.add(key)
                warnings.warn(text if files else key, UserWarning, stacklevel=stacklevel)

    def _untranslated(self) -> list[str]:
        """Steps and places added from Python in a story of several languages without their texts
        in the others (a story.<lang>.toml without them is invalid): their pages show them in the
        story's own language."""
        from .translations import _against_story as against_story  # (the check storymap.load runs)

        data, out = self.data, []
        meta = {"lang": data.lang, **{name: getattr(data, name) for name in ("title", "subtitle", "byline", "kicker")}}
        for lang, texts in data.translations.items():
            missing: dict[tuple[str, str], list[str]] = {}  # (steps|places, id) -> its fields without a text
            for loc, message in against_story(texts, raw_kinds=data.kinds, raw_places=data.places,
                                              raw_steps=data.steps, meta=meta, langs=page_languages(data),
                                              complete=True):
                if message.startswith(("missing", "empty")) and loc[0] in ("steps", "places") and loc[2] in (
                        "title", "narrative", "description", "annotation"):
                    missing.setdefault(loc[:2], []).append(loc[2])
            for (what, name), fields in missing.items():
                if what == "steps":
                    out.append(f"step {name!r}: warning: no {' or '.join(fields)} in {lang!r}: the {lang!r} page "
                               f"shows {'them' if len(fields) > 1 else 'it'} in {data.lang!r}; give each in both, "
                               f"add_step(..., title={{{data.lang!r}: ..., {lang!r}: ...}})")
                else:
                    out.append(f"place {name!r}: warning: no annotation in {lang!r}: the {lang!r} page shows "
                               f"it in {data.lang!r}")
        return out

    def _only(self, languages: Sequence[str], lang: str | None) -> tuple[StoryData, str]:
        """The story holding only ``languages`` (its own texts in the first when its own is not
        among them), and the language to open in."""
        if isinstance(languages, str) or not languages:
            raise ValueError(f"languages must be a non-empty list of the story's languages, got {languages!r}")
        keep = list(dict.fromkeys(self._language(tag) for tag in languages))
        lang = self._language(lang) if lang is not None else keep[0]
        if lang not in keep:
            raise ValueError(f"lang {lang!r} is not one of the languages asked for ({', '.join(keep)})")
        data = self.data
        if data.lang not in keep:  # told in another language: that one becomes the story's own
            data = localize(data, keep[0]).model_copy(update={"lang": keep[0]})
        translations = {tag: text for tag, text in data.translations.items() if tag in keep}
        declared = [tag for tag in data.languages if tag in keep]
        return data.model_copy(update={"translations": translations, "languages": declared}), lang

    def _language(self, lang: str | None) -> str:
        """One of the story's languages (a tag in any case, or its primary language)."""
        langs = self.languages
        if lang is None:
            return self.data.lang
        if not isinstance(lang, str):
            raise ValueError(f"a language is a tag such as {langs[-1]!r}, got {lang!r}; the story's languages are "
                             f"{', '.join(langs)}")
        found = match_language(langs, lang)
        if found is not None:
            return found
        raise ValueError(f"the story is not in {lang!r}; its languages are {', '.join(langs)} "
                         "(a translation is a story.<lang>.toml file next to story.toml)")

    def save(self, path: str | os.PathLike[str], *, fragment: bool = False, layout: str | None = None,
             lang: str | None = None, languages: Sequence[str] | None = None,
             assets: Optional[str | os.PathLike[str]] = None) -> Path:
        """Write the page to ``path`` atomically (a failed write leaves any old file intact).

        The keywords are :meth:`to_html`'s (``assets``: a folder of the files that controls added
        to :attr:`map` load from a CDN). The page's file name is its address in ``base_url``'s
        folder (its ``og:url`` and canonical link: ``es.html`` there; ``index.html`` is the folder
        itself), and a page opening in another language than the story's names its own social
        card, ``social.<lang>.png`` (see :func:`storymap.write_social_card`).

        ``path`` must be a regular file or a new path: a directory (or a path ending with ``/``,
        which names one), a device (``/dev/null``), a FIFO or a socket is refused before anything
        is rendered (``ValueError``). Missing folders on the way are made.

        Returns
        -------
        pathlib.Path
            The path written.

        Raises
        ------
        ValueError
            For a ``path`` that cannot hold a page (above), or a keyword :meth:`to_html` refuses.
        storymap.StoryError
            For what :meth:`to_html` cannot render (nothing is written).
        OSError
            When the page cannot be written (the old file, if any, is left intact).
        """
        target = check_output(path)  # before rendering: a device or a FIFO is refused at once
        # Rendered in full before anything is written.
        html = self._html(fragment=fragment, layout=layout, lang=lang, languages=languages, assets=assets,
                          page_name=target.name)
        return write_atomic(target, html)

    def _repr_html_(self) -> str:
        """Jupyter: the page in a sandboxed iframe (its script runs in its own document, of an
        origin of its own: it cannot reach the notebook). Its links (sources, credits) open in a
        new tab, as in the page, outside the sandbox."""
        import html as _html

        doc = _html.escape(self.to_html(), quote=True)
        return (f'<iframe srcdoc="{doc}" title="{_html.escape(self.title)}" '
                'style="width:100%;height:600px;border:0" '
                'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"></iframe>')


def load(folder: str | os.PathLike[str]) -> Story:
    """Load and validate a story folder (``story.toml`` + ``*.geojson``), or the folder of a ``story.toml``.

    What a writer should know about a valid story (a language storymap has no interface texts for:
    its page's controls are English) comes as a :class:`UserWarning` each, the lines ``storymap
    validate`` prints as warnings.

    Raises
    ------
    storymap.StoryError
        Listing every problem found, each naming file, object and field.
    """
    story = Story(load_data(folder))
    story._folder = Path(folder)
    story._warn_notes(stacklevel=3, files=True)
    return story


def story_basemap(data: StoryData, lang: str | None = None, overlays: Sequence[Overlay] = ()) -> dict[str, Any]:
    """The embedded basemap around a story's places (cached: the same places give the same data),
    its labels named in each of the story's languages, ``lang`` (default: the story's) first. It
    reaches as far as the steps' own views and the layers added from Python (``overlays``) show."""
    start, drawn = framed_places(data)
    langs = tuple(dict.fromkeys([lang or data.lang, *page_languages(data)]))
    boxes, views = [], []
    # (Each step's view in the story's frame, as the page has it.)
    for moved in (step_view(step.view, start) for step in data.steps):
        if moved and "zoom" in moved:
            lat, lon = moved["centerLatLng"]
            views.append((lon, lat, float(moved["zoom"])))
        elif moved:
            (south, west), (north, east) = moved["boundsLatLng"]
            boxes.append((west, south, east, north))
    middle = frame_middle(data)
    boxes += [box for overlay in overlays for box in [_layer_box(overlay.element, start, middle)] if box is not None]
    return _basemap(tuple(shapely.to_wkb(list(drawn.values()))) if drawn else (), langs, tuple(boxes), tuple(views))


def _layer_box(element: Any, start: float, middle: float) -> Optional[tuple[float, float, float, float]]:
    """Where a layer added from Python lies in the story's longitude frame, ``(west, south, east,
    north)``, as the page draws it (a data layer's features within 180° of the places' ``middle``);
    None for a layer with no extent (or none folium knows)."""
    if isinstance(element, DataLayer):
        geoms = into_frame(np.asarray(element.frame.geometry.values, dtype=object), middle)
        box = shapely.total_bounds(geoms) if len(geoms) else None
    else:
        try:
            (south, west), (north, east) = element.get_bounds()
        except (AttributeError, TypeError, ValueError):  # (an element folium has no bounds for)
            return None
        box = None if None in (south, west, north, east) else np.array([west, south, east, north], dtype=float)
        if box is not None:
            box[[0, 2]] += shift_into((box[0] + box[2]) / 2, start)
    if box is None or not np.isfinite(box).all():
        return None
    return tuple(float(v) for v in box)  # type: ignore[return-value]


@functools.lru_cache(maxsize=8)
def _basemap(shapes: tuple[bytes, ...], langs: tuple[str, ...], boxes: tuple[tuple[float, float, float, float], ...] = (),
             views: tuple[tuple[float, float, float], ...] = ()) -> dict[str, Any]:
    return basemap_data(list(shapely.from_wkb(list(shapes))) if shapes else [], langs=langs, boxes=boxes, views=views)
