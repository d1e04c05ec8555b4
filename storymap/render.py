"""Models → a folium tree → one HTML page. No file I/O here.

The map is a ``folium.Map`` (so any folium layer can join it); the story UI is a folium
``MacroElement`` (:class:`StoryControl`) whose ``html`` macro lays out the page and whose script
hands the step data to ``L.storymap.story`` (``static/storymap.js``).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
from typing import TYPE_CHECKING, Any, Iterator

import folium
import jinja2
import shapely
from branca.element import Element, Figure, MacroElement
from folium.map import Layer
from markupsafe import Markup

from . import assets, channels, media as story_media
from .security import add_csp, tile_sources, verbatim_rendering
from .geometry import bounds_union, frame_start, shift_into
from .text import markdown_html, script_json

if TYPE_CHECKING:
    from .models import Place, StoryData

__all__ = ["StoryPage", "StoryFoliumMap", "Basemap", "StoryControl", "render_page", "TILES"]

ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("storymap", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
)
ENV.filters["tojs"] = lambda value: Markup(script_json(value))

#: The online tile layer drawn over the embedded basemap (CARTO's light basemap on OSM data).
TILES = {
    "url": "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
    "attribution": '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors '
                   '&copy; <a href="https://carto.com/attributions">CARTO</a>',
    "subdomains": "abcd",
    "max_zoom": 19,
}

_PRECISION_TEXT = {
    "exact": "position from published coordinates",
    "approximate": "approximate position",
    "schematic": "schematic, not an exact route or boundary",
    "unpublished": "exact location not published",
}


def _inline(text: str, tag: str) -> Markup:
    if f"</{tag}" in text.lower():
        raise ValueError(f"an inline asset contains '</{tag}' and cannot be embedded")
    return Markup(text)


class StoryPage(Figure):
    """The page: ``<html lang>``, a viewport that lets readers zoom, one script at the end."""

    _template = ENV.get_template("page.html")

    def __init__(self, title: str, lang: str = "en", *, fragment: bool = False):
        super().__init__(title=title)
        self._name = "StoryPage"
        self.lang = lang
        self.header._children.clear()  # branca's http-equiv meta; the page declares <meta charset>
        if fragment:
            self._template = ENV.get_template("fragment.html")


class StoryFoliumMap(folium.Map):
    """A ``folium.Map`` that loads nothing from CDNs: Leaflet is inlined by :class:`StoryControl`."""

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []
    _template = ENV.get_template("map.html")

    def __init__(self, **kwargs: Any):
        super().__init__(tiles=None, control_scale=True, zoom_control="topright", **kwargs)
        self._name = "Map"

    @property
    def root_id(self) -> str:
        """The DOM id of the story's root element (the map div sits inside it)."""
        return "storymap-" + self._id

    @property
    def default_icons(self) -> dict[str, str] | None:
        """Leaflet's default marker images as data URIs, when an element on the map may draw that
        marker (a folium Marker or GeoJson); set before any of them is created."""
        ours = (StoryControl, Basemap, folium.TileLayer)

        def walk(element: Element) -> bool:
            return any((not isinstance(child, ours) and isinstance(child, (folium.Marker, folium.GeoJson)))
                       or walk(child) for child in element._children.values())

        return assets.leaflet_icon_urls() if walk(self) else None

    @property
    def map_options(self) -> dict[str, Any]:
        options = {"center": list(self.location), "zoom": self.options.get("zoom", 5), "zoomSnap": 0.25,
                   "zoomControl": False, "minZoom": 2}
        options.update({k: v for k, v in self.options.items() if k not in ("zoom", "zoom_control", "zoomControl")})
        return options


class Basemap(Layer):
    """The embedded offline basemap: land and country labels, drawn under the tile layer."""

    _template = ENV.get_template("basemap.html")

    def __init__(self, data: dict[str, Any], name: str = "Basemap"):
        super().__init__(name=name, overlay=False, control=False)
        self._name = "Basemap"
        self.data = data


class StoryControl(MacroElement):
    """The story UI: title card, step panel, navigation, legend; the map sits inside its root."""

    _template = ENV.get_template("story.html")

    def __init__(self, story: "StoryData"):
        super().__init__()
        self._name = "StoryControl"
        self.story = story
        #: "page" (a standalone page, or the same page in an iframe) or "fragment" (in a host page).
        self.mode = "page"
        #: "slides" or "scroll"; set from the story unless a render asks for another.
        self.layout = story.layout
        #: Layers added with ``Story.add_layer``: ``{name, shape, style, steps}`` each.
        self.overlays: list[dict[str, Any]] = []

    # Values the template reads -------------------------------------------------------------
    @property
    def css(self) -> Markup:
        return _inline(assets.leaflet_css() + assets.storymap_css(), "style")

    @property
    def leaflet_js(self) -> Markup:
        return _inline(assets.leaflet_js(), "script")

    @property
    def js(self) -> Markup:
        extra = "".join("\n" + js for js in _element_scripts(self._parent))
        return _inline(assets.storymap_js() + extra, "script")

    @property
    def map_name(self) -> str:
        return self._parent.get_name()

    @property
    def root_id(self) -> str:
        return "storymap-" + self._parent._id

    @property
    def steps(self) -> list[dict[str, Any]]:
        return [
            {
                "id": step.id,
                "title": step.title,
                "narrative_html": Markup(markdown_html(step.narrative)),
                "description": _description(step, self.story),
                "places": step.places,
            }
            for step in self.story.steps
        ]

    @property
    def media(self) -> list[list[dict[str, Any]]]:
        """Each step's media for the template (issue 12: see storymap.media)."""
        return story_media.prepare_media(self.story)

    @property
    def article(self) -> Markup:
        """The story as a <noscript> article (issue 12: see storymap.channels)."""
        return channels.noscript_article(self.story, self.root_id)

    @property
    def cards(self) -> list[dict[str, Any]]:
        """Each place's card (name, kind, annotation, sources), rendered once."""
        return [_place_card(place, self.story.kinds) for place in self.story.places]

    @property
    def layer_refs(self) -> list[tuple[str, str]]:
        """``(name, JS variable)`` of every folium layer on the map, in the order added."""
        refs = []
        for child in self._parent._children.values():
            if isinstance(child, Layer) and child is not self:
                refs.append((str(child.layer_name), child.get_name()))
        return refs

    @property
    def config(self) -> dict[str, Any]:
        story = self.story
        start, drawn = framed_places(story)
        kinds = used_kinds(story)
        return {
            "title": story.title,
            "mode": self.mode,
            "layout": self.layout,
            "kinds": {name: {"label": kind.label, "style": kind.style(), "geometry": kind.geometry,
                             "arrows": kind.arrows, "symbol": kind.symbol} for name, kind in kinds.items()},
            "tiles": "Tiles",
            "legend": [{"label": kind.label + (" (arrows show direction)" if kind.arrows and "arrow" not in
                                                 kind.label.lower() else ""),
                        "shape": kind.geometry, "style": kind.style(), "symbol": kind.symbol}
                       for kind in kinds.values() if kind.legend],
            "overlays": self.overlays,
            "places": [
                {"id": p.id, "name": p.name, "kind": p.kind, "geometry": _rounded(shapely.geometry.mapping(drawn[p.id])),
                 "label": _label_point(drawn[p.id])}
                for p in story.places
            ],
            "steps": [
                {
                    "id": s.id,
                    "title": s.title,
                    "places": s.places,
                    "latLngBounds": _latlng_bounds([drawn[pid] for pid in s.places]),
                    "view": _view(s.view, start),
                    "maxZoom": s.max_zoom,
                    "description": _description(s, story),
                }
                for s in story.steps
            ],
        }


def used_kinds(story: "StoryData") -> dict[str, Any]:
    """The story's kinds that its places use, in the story's order."""
    used = {p.kind for p in story.places}
    return {name: kind for name, kind in story.kinds.items() if name in used}


def framed_places(story: "StoryData") -> tuple[float, dict[str, shapely.Geometry]]:
    """The story's longitude frame (where it starts, see :func:`storymap.geometry.frame_start`) and
    each place's geometry in it: continuous across the antimeridian, and moved by whole turns so
    that the story spans the least longitude."""
    start = frame_start((p.bounds[0], p.bounds[2]) for p in story.places)
    out = {}
    for place in story.places:
        west, _, east, _ = place.bounds
        k = shift_into((west + east) / 2, start)
        out[place.id] = shapely.transform(place.drawn, lambda xy, k=k: xy + [k, 0]) if k else place.drawn
    return start, out


def _view(view: Any, start: float) -> dict[str, Any] | None:
    """A step's view for Leaflet (latitude first, as the names say), moved into the story's frame."""
    if view is None:
        return None
    if view.center is not None and view.zoom is not None:
        lon, lat = view.center
        return {"centerLatLng": [lat, lon + shift_into(lon, start)], "zoom": view.zoom}
    west, south, east, north = view.lonlat_bounds
    k = shift_into((west + east) / 2, start)
    return {"boundsLatLng": [[south, west + k], [north, east + k]]}


def _description(step: Any, story: "StoryData") -> str:
    """What the map shows at a step, for screen readers: the journalist's text, or a plain list."""
    if step.description:
        return step.description
    names = [story.place(pid).name for pid in step.places]
    return ("The map shows " + ", ".join(names) + ".") if names else "The map shows the story's region."


def _element_scripts(root: Element) -> list[str]:
    """Scripts that elements on the map ask for (a ``storymap_js`` attribute), once each, in order."""
    found: dict[str, None] = {}

    def walk(element: Element) -> None:
        for child in element._children.values():
            script = getattr(child, "storymap_js", None)
            if isinstance(script, str):
                found.setdefault(script)
            walk(child)

    walk(root)
    return list(found)


def _label_point(shape: shapely.Geometry) -> list[float]:
    """Where a place's name label goes, ``[lat, lon]``: the point, a line's midpoint, an area's inside."""
    if shape.geom_type in ("LineString", "MultiLineString"):
        point = shapely.line_interpolate_point(shapely.line_merge(shape) if shape.geom_type != "LineString"
                                               else shape, 0.5, normalized=True)
        if point.is_empty:
            point = shape.representative_point()
    elif shape.geom_type == "Point":
        point = shape
    else:
        point = shape.representative_point()
    return [round(point.y, 5), round(point.x, 5)]


def _place_card(place: "Place", kinds: dict[str, Any]) -> dict[str, Any]:
    when = place.date or place.period
    return {
        "id": place.id,
        "name": place.name,
        "kind": place.kind,
        "kind_label": kinds[place.kind].label,
        "shape": kinds[place.kind].geometry,
        "when": when,
        "precision_text": _PRECISION_TEXT[place.location_precision],
        "annotation_html": Markup(markdown_html(place.annotation)),
        "sources": place.sources,
    }


def _latlng_bounds(shapes: list[shapely.Geometry]) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` around shapes (Leaflet's order), or None."""
    box = bounds_union(g.bounds for g in shapes)
    if box is None:
        return None
    west, south, east, north = box
    return [[round(south, 5), round(west, 5)], [round(north, 5), round(east, 5)]]


def _rounded(value: Any, digits: int = 5) -> Any:
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, list):
        return [_rounded(v, digits) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v, digits) for k, v in value.items()}
    return value


@contextlib.contextmanager
def stable_ids(root: Element, seed: str) -> Iterator[None]:
    """Give every element of ``root``'s tree, and every element made while rendering, an id
    derived from ``seed`` and its position, so that the same input renders byte-identically
    (branca's ids are random by default). Children that rendering adds (folium attaches
    ``addTo`` elements to layers as it renders) are removed afterwards, so rendering again
    walks the same tree and gives the same ids."""
    counter = itertools.count(1)
    prefix = hashlib.sha256(seed.encode("utf-8")).hexdigest()[:8]
    snapshot: list[tuple[Element, list[tuple[str, Element]]]] = []

    def next_id() -> str:
        return f"{prefix}{next(counter):04d}"

    def walk(element: Element) -> None:
        renamed = []
        for key, child in list(element._children.items()):
            old = child.get_name()
            child._id = next_id()
            renamed.append((child.get_name() if key == old else key, child))
            walk(child)
        element._children.clear()
        element._children.update(renamed)
        snapshot.append((element, renamed))

    original = Element._generate_id
    Element._generate_id = classmethod(lambda cls: next_id())  # type: ignore[method-assign]
    try:
        root._id = next_id()
        walk(root)
        yield
    finally:
        Element._generate_id = original  # type: ignore[method-assign]
        for element, children in snapshot:
            element._children.clear()
            element._children.update(children)


def render_page(folium_map: folium.Map, story: "StoryData", *, fragment: bool = False, seed: str = "",
                layout: str | None = None) -> str:
    """Render ``folium_map`` (holding a :class:`StoryControl`) as one page or fragment."""
    page = StoryPage(title=story.title, lang=story.lang, fragment=fragment)
    page.meta_tags = channels.meta_tags(story)
    page.add_child(folium_map, name="map")
    # The story's script needs every layer defined first: render it last.
    controls = [k for k, v in folium_map._children.items() if isinstance(v, StoryControl)]
    for key in controls:
        folium_map._children.move_to_end(key)
        control = folium_map._children[key]
        control.mode = "fragment" if fragment else "page"
        control.layout = layout or story.layout
    try:
        with stable_ids(folium_map, seed or story.model_dump_json()), verbatim_rendering():
            html = page.render()
    finally:
        folium_map._parent = None
    # A whole page gets its Content-Security-Policy, computed from the page as rendered.
    return html if fragment else add_csp(html, tile_sources(folium_map) + story_media.csp_sources(story))
