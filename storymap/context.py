"""What a page shows, computed once per render from the story's models: no HTML, no I/O.

:class:`PageContext` holds the places in the story's longitude frame, the kinds in use, each
step's and each place's text rendered from Markdown (once), and the configuration the page's
script reads (``L.storymap.story(root, map, config)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Optional, Sequence

import numpy as np
import shapely
import shapely.geometry
from markupsafe import Markup

from .dates import span_label, year_label
from .encoding import deltas, pack, pack_rows, quantize
from .geometry import bounds_union, frame_start, shift_into
from .i18n import catalogue, number_range, own_interface, page_languages, places_shown
from .models import place_shapes
from .styling import place_ticks
from .text import markdown_html
from .translations import localize

if TYPE_CHECKING:
    from .dates import Span
    from .kinds import Kind
    from .models import Place, Step, StoryData, View

__all__ = ["PageContext", "framed_places", "frame_middle", "step_view", "PRECISION_TEXT"]

#: What a place's card says of its ``location_precision`` (in English; every language's are in
#: the interface catalogues, ``precision.<value>``).
PRECISION_TEXT = {
    "exact": "position from published coordinates",
    "approximate": "approximate position",
    "schematic": "schematic, not an exact route or boundary",
    "unpublished": "exact location not published",
}


class _Record(dict):  # type: ignore[type-arg]
    """A dict whose keys templates read as attributes (``place.name``) without a failed attribute
    look-up first: Jinja tries ``getattr`` before ``[]``, and the exception costs seconds over
    thousands of places."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def framed_places(story: "StoryData") -> tuple[float, dict[str, shapely.Geometry]]:
    """The story's longitude frame (where it starts, see :func:`storymap.geometry.frame_start`) and
    each place's geometry in it: continuous across the antimeridian, and moved by whole turns so
    that the story spans the least longitude.

    Computed once per story (kept with it, as its cached properties are: the basemap and the page
    of one render both need it); treat the result as read-only.
    """
    cached = story.__dict__.get("_storymap_frame")
    if cached is None or cached[0] is not story.places or cached[1] != len(story.places):  # a copy with other places
        cached = story.__dict__["_storymap_frame"] = (story.places, len(story.places), _framed_places(story))
    return cached[2]


def frame_middle(story: "StoryData") -> float:
    """Where the middle of the story's places lies in its longitude frame (:func:`framed_places`):
    0 in the standard frame, where longitudes are as given. A data layer's features are drawn
    within 180° of it (:func:`storymap.geometry.into_frame`)."""
    start, drawn = framed_places(story)
    if start == -180.0 or not drawn:
        return 0.0
    west, _, east, _ = shapely.total_bounds(np.array(list(drawn.values()), dtype=object))
    return float((west + east) / 2)


def _framed_places(story: "StoryData") -> tuple[float, dict[str, shapely.Geometry]]:
    places = story.places
    place_shapes(places)  # points made in one call
    drawn = np.array([p.drawn for p in places], dtype=object)
    bounds = shapely.bounds(drawn) if len(places) else np.empty((0, 4))
    row = {p.id: i for i, p in enumerate(places)}
    steps = [[row[pid] for pid in step.places if pid in row] for step in story.steps]
    start = frame_start(zip(bounds[:, 0].tolist(), bounds[:, 2].tolist()), steps)
    # shift_into for every place at once: the multiple of 360° that moves its middle into the frame
    shifts = 360.0 * np.ceil((start - (bounds[:, 0] + bounds[:, 2]) / 2) / 360.0)
    out = {}
    for place, shape, k in zip(places, drawn, shifts.tolist()):
        out[place.id] = shapely.transform(shape, lambda xy, k=k: xy + [k, 0]) if k else shape
    return start, out


def _present(step: dict[str, Any]) -> dict[str, Any]:
    """A step's config without its unset optional keys (``view``, ``maxZoom``, ``description``:
    the page's script reads a missing one as unset): about 0.5 KB less for a story of 11 steps."""
    return {key: value for key, value in step.items()
            if value is not None or key not in ("view", "maxZoom", "description")}


@dataclass
class PageContext:
    """Everything a render needs from the story, computed once.

    Parameters
    ----------
    story : StoryData
        The validated story.
    layout : {"slides", "scroll"}
        The page's layout.
    mode : {"page", "fragment"}
        A standalone page (or the same page in an iframe), or a fragment in a host page.
    overlays : list of dict
        ``{name, shape, style, steps}`` of every layer added with ``Story.add_layer``.
    lang : str, optional
        The language shown, one of the story's (default: its own). ``story`` is then the story
        in that language (:func:`storymap.translations.localize`) and ``source`` the story as given.
    """

    story: "StoryData"
    layout: str = "slides"
    mode: str = "page"
    overlays: Sequence[dict[str, Any]] = field(default_factory=list)
    lang: str = ""

    def __post_init__(self) -> None:
        self.source = self.story
        self.lang = self.lang or self.story.lang
        self.story = localize(self.story, self.lang)
        #: The interface strings in the page's language.
        self.ui = catalogue(self.lang, own_interface(self.source, self.lang))

    @cached_property
    def frame(self) -> tuple[float, dict[str, shapely.Geometry]]:
        # (The story as given: its places lie where they do in every language, and the basemap,
        # made from it, has this frame already.)
        return framed_places(self.source)

    @property
    def drawn(self) -> dict[str, shapely.Geometry]:
        """Each place's geometry in the story's frame."""
        return self.frame[1]

    @cached_property
    def kinds(self) -> dict[str, "Kind"]:
        """The story's kinds that its places use, in the story's order."""
        used = {p.kind for p in self.story.places}
        return {name: kind for name, kind in self.story.kinds.items() if name in used}

    @cached_property
    def steps(self) -> list[dict[str, Any]]:
        """Each step's text for the page: title, narrative as sanitized HTML, description, places."""
        return [_Record(id=step.id, title=step.title, narrative_html=Markup(markdown_html(step.narrative)),
                        description=self.description(step), places=step.places) for step in self.story.steps]

    @cached_property
    def media(self) -> list[list[dict[str, Any]]]:
        """Each step's media (images read, scaled and inlined), once per render."""
        from .media import prepare_media

        return prepare_media(self.story)

    @cached_property
    def cards(self) -> list[dict[str, Any]]:
        """Each place's card: name, kind, when, precision, annotation as sanitized HTML, sources."""
        return [self._card(place) for place in self.story.places]

    def _card(self, place: "Place") -> dict[str, Any]:
        kind = self.story.kinds[place.kind]
        return _Record(
            id=place.id,
            name=place.name,
            kind=place.kind,
            kind_label=kind.label,
            when=place.date or place.period,
            precision_text=self.ui[f"precision.{place.location_precision}"],
            annotation_html=Markup(markdown_html(place.annotation)),
            sources=place.sources,
            sources_label=self.ui["place.sources"].replace("{count}", str(len(place.sources))),
        )

    def description(self, step: "Step") -> str:
        """What the map shows at a step, for screen readers: the journalist's text, or a plain list."""
        if step.description:
            return step.description
        return places_shown(self.ui, [self.story.place(pid).name for pid in step.places])

    def legend_label(self, kind: "Kind") -> str:
        """A kind's label in the legend: saying that arrows show the direction when they do."""
        if kind.arrows and self.ui["legend.arrows_word"].lower() not in kind.label.lower():
            return self.ui["legend.arrows"].replace("{label}", kind.label)
        return kind.label

    @cached_property
    def center(self) -> list[float]:
        """``[lat, lon]`` of the first step's places (the map's first view before it is fitted)."""
        first = self.story.steps[0]
        box = _bounds([self.drawn[pid] for pid in first.fitted(self.drawn)])
        if box is None:
            return [0.0, 0.0]
        west, south, east, north = box
        return [(south + north) / 2, (west + east) / 2]

    @cached_property
    def config(self) -> dict[str, Any]:
        """What the page's script reads."""
        story, drawn = self.story, self.drawn
        start = self.frame[0]
        languages = page_languages(self.source)
        carded = {pid for step in story.steps for pid in step.places}
        return {
            "title": story.title,
            "mode": self.mode,
            "origins": list(story.allowed_origins),
            "layout": self.layout,
            # (What the script draws a kind with: its name shows in the legend's rows and the
            # cards; arrows and a symbol other than a circle only where the kind has them.)
            "kinds": {name: {"style": kind.style(), "geometry": kind.geometry,
                             **({"arrows": True} if kind.arrows else {}),
                             **({"symbol": kind.symbol} if kind.symbol != "circle" else {})}
                      for name, kind in self.kinds.items()},
            "tiles": None if story.tiles == "none" else "Tiles",
            "scale": GEOMETRY_SCALE,
            # (A kind's row: its shape, style and symbol are the kind's, in "kinds".)
            "legend": [{"label": self.legend_label(kind), "kind": name}
                       for name, kind in self.kinds.items() if kind.legend],
            "overlays": [_in_languages(o, languages, self.source.lang) for o in self.overlays],
            # (A place some step shows has its card in the page's article, whose name the script
            # reads: only the others' names travel here.)
            "places": [
                {"id": p.id, **({} if p.id in carded else {"name": p.name}), "kind": p.kind, "geometry": geometry,
                 **({"labels": labels} if labels else {})}
                for p, geometry, labels in zip(story.places, *_place_drawing(story.places, drawn))
            ],
            "steps": [
                _present({
                    "id": s.id,
                    "title": s.title,
                    "places": s.places,
                    "latLngBounds": _latlng_bounds([drawn[pid] for pid in s.fitted(drawn)]),
                    "view": step_view(s.view, start),
                    "maxZoom": s.max_zoom,
                    # A description the story gives is in the step's markup (the script reads it from
                    # there); only the one made from the places' names travels here.
                    "description": None if s.description else text["description"],
                    **_time(s.time, languages),
                })
                for s, text in zip(story.steps, self.steps)
            ],
        }

    @cached_property
    def timeline(self) -> bool:
        """Whether the page shows a timeline: when some step has a date or a period."""
        return any(s.time for s in self.story.steps)


def _in_languages(overlay: dict[str, Any], languages: Sequence[str], own: str) -> dict[str, Any]:
    """An overlay's config with its texts in each of the page's languages: its name (``names``) and
    its key's caption where given in several (a language left out shows the story's ``own``), and
    its key's numbers (see _number_labels)."""
    out = _number_labels(overlay, languages)
    names = out.get("names")
    if names:
        out = {**out, "names": {lang: names.get(lang) or names.get(own) or out["name"] for lang in languages}}
    key = out.get("key")
    if key and isinstance(key.get("caption"), dict):
        captions = key["caption"]
        first = captions.get(own) or next(iter(captions.values()), "")
        out = {**out, "key": {**key, "caption": {lang: captions.get(lang) or first for lang in languages}}}
    return out


def _number_labels(overlay: dict[str, Any], languages: Sequence[str]) -> dict[str, Any]:
    """An overlay's config with the numbers of its key written as each of the page's languages
    writes them: each class range (``range`` and the key's ``digits``, see storymap.styling) in
    ``labels``; a colour bar's values (``ticks``, written short and spaced for every language:
    storymap.styling.place_ticks)."""
    key = overlay.get("key")
    if key and "digits" in key:
        sci = bool(key.get("scientific"))
        items = [{**item, "labels": {lang: number_range(*item["range"], key["digits"], lang, scientific=sci)
                                     for lang in languages}}
                 if "range" in item else item for item in key["items"]]
        return {**overlay, "key": {**key, "items": items}}
    if key and key.get("ticks"):
        return {**overlay, "key": {**key, "ticks": place_ticks(key["ticks"], languages)}}
    return overlay


def _time(span: Optional["Span"], languages: Sequence[str]) -> dict[str, Any]:
    """A dated step's ``time`` for the page: ``days``, its first and last day as day numbers (days
    since 1970-01-01, both included), ``ends``, its date or the two ends of its period as ISO text,
    ``labels``, how each of the page's languages writes it, and ``years``, how a language writes its
    first year where that is not the year as a number (``2024年``; the timeline's marks show the year,
    ``44`` for ``0044`` otherwise); nothing for an undated step."""
    if span is None:
        return {}
    years = {lang: year for lang in languages if (year := year_label(span.ends[0], lang)) != str(int(span.ends[0][:4]))}
    return {"time": {"days": list(span.days), "ends": list(span.ends),
                     "labels": {lang: span_label(span.ends, lang) for lang in languages}, **({"years": years} if years else {})}}


def step_view(view: Optional["View"], start: float) -> dict[str, Any] | None:
    """A step's view for Leaflet (latitude first, as the names say), moved into the story's frame."""
    if view is None:
        return None
    if view.center is not None and view.zoom is not None:
        lon, lat = view.center
        return {"centerLatLng": [lat, lon + shift_into(lon, start)], "zoom": view.zoom}
    west, south, east, north = view.lonlat_bounds  # type: ignore[misc]
    k = shift_into((west + east) / 2, start)
    return {"boundsLatLng": [[south, west + k], [north, east + k]]}


#: Where along a line its label may go (fractions of its length), the middle first.
_LINE_LABEL_AT = (0.5, 0.35, 0.65, 0.2, 0.8)


def _label_points(shape: shapely.Geometry) -> list[list[float]]:
    """Where a place's name label may go, ``[[lat, lon], ...]``, the best first: the point (each
    point of a multipoint), points along a line from its middle out, an area's inside."""
    kind = shape.geom_type
    if kind in ("LineString", "MultiLineString"):
        line = shapely.line_merge(shape) if kind != "LineString" else shape
        points = [shapely.line_interpolate_point(line, f, normalized=True) for f in _LINE_LABEL_AT]
        points = [p for p in points if not p.is_empty] or [shape.representative_point()]
    elif kind == "Point":
        points = [shape]
    elif kind == "MultiPoint":
        points = list(shape.geoms)[:5]
    else:
        points = [shape.representative_point()]
    return [[round(p.y, 5), round(p.x, 5)] for p in points]


def _latlng_bounds(shapes: list[shapely.Geometry]) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` around shapes (Leaflet's order), or None."""
    box = _bounds(shapes)
    if box is None:
        return None
    west, south, east, north = box
    return [[round(south, 5), round(west, 5)], [round(north, 5), round(east, 5)]]


def _bounds(shapes: Sequence[shapely.Geometry]) -> Optional[tuple[float, float, float, float]]:
    """``(west, south, east, north)`` around shapes (one shapely call for all), or None."""
    return bounds_union(shapely.bounds(np.array(list(shapes), dtype=object))) if len(shapes) else None


#: Places' coordinates travel as integers in 1/GEOMETRY_SCALE degree (5 decimals, about a metre).
GEOMETRY_SCALE = 100_000

#: How deep each GeoJSON geometry type nests its positions.
_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}


def _place_drawing(places: Sequence["Place"], drawn: dict[str, shapely.Geometry]) -> tuple[list[Any], list[Any]]:
    """Each place's geometry for the page (:func:`_packed`) and label points ``[[lat, lon], ...]``
    (see :func:`_label_points`; None for a point, whose label goes on it), in the story's frame;
    points, often thousands, in one pass."""
    geometries: list[Any] = [None] * len(places)
    labels: list[Any] = [None] * len(places)
    points = [i for i, p in enumerate(places) if drawn[p.id].geom_type == "Point" and not drawn[p.id].has_z]
    if points:
        xy = shapely.get_coordinates(np.array([drawn[places[i].id] for i in points], dtype=object))
        for i, packed in zip(points, pack_rows(quantize(xy, GEOMETRY_SCALE))):
            geometries[i] = {"type": "Point", "xy": packed}
    for i, place in enumerate(places):
        if geometries[i] is None:
            shape = drawn[place.id]
            geometries[i], labels[i] = _packed(shapely.geometry.mapping(shape)), _label_points(shape)
    return geometries, labels


def _packed(geometry: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON geometry as the page carries it: ``{"type", "xy", "n"}``, its positions in one
    packed delta string (:mod:`storymap.encoding`, ``GEOMETRY_SCALE``) and ``n`` the number of
    positions in each part (a list of lists for a MultiPolygon; none for a point, a line or a
    multipoint). About a third of the bytes of GeoJSON. A geometry collection or one with heights
    stays GeoJSON (rounded to 5 decimals). ``L.storymap.util.geometry`` reads both."""
    depth = _DEPTH.get(geometry["type"])
    if depth is None:
        return _rounded(geometry)
    coordinates = geometry["coordinates"]
    parts = [coordinates] if depth == 0 else coordinates
    for _ in range(depth - 1):
        parts = [position for part in parts for position in part]
    if not parts:
        return _rounded(geometry)
    xy = np.asarray(parts, dtype=float).reshape(len(parts), -1)
    if xy.shape[1] != 2:
        return _rounded(geometry)
    out = {"type": geometry["type"], "xy": pack(deltas(quantize(xy, GEOMETRY_SCALE)))}
    if depth == 2:
        out["n"] = [len(part) for part in coordinates]
    elif depth == 3:
        out["n"] = [[len(ring) for ring in polygon] for polygon in coordinates]
    return out


def _rounded(value: Any, digits: int = 5) -> Any:
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, (list, tuple)):
        return [_rounded(v, digits) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v, digits) for k, v in value.items()}
    return value
