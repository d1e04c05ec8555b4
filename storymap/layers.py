"""Layers added from Python: data layers in a compact encoding, and any folium layer.

A *data layer* (from a GeoDataFrame, a file, GeoJSON, ``__geo_interface__`` or shapely) is not
emitted as ``folium.GeoJson``: that writes every feature as verbose GeoJSON and builds one Leaflet
object per feature, too slow and too large for 100,000 points. Instead :func:`encode` writes

- coordinates as integers in units of ``1/scale`` degree, delta-encoded in one flat array per
  geometry family (points, lines, areas), with counts of vertices per part/ring;
- lines and areas simplified for the highest zoom the layer is seen at (:func:`detail_zoom`),
  with the precision capped to match and repeated vertices dropped;
- only the properties a tooltip or popup shows, one column each (repetitive columns as a
  dictionary of values and integer codes);

and ``static/storymap-layers.js`` (inlined only in pages that have a data layer) draws it on one
canvas per layer with hit-testing for tooltips and popups.

A folium element (a ``Layer``, a marker or a vector shape) is put in a named ``FeatureGroup``.
Either way the story gets one :class:`Overlay` entry: its legend row and the steps it shows on.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Optional, Sequence

import folium
import geopandas as gpd
import jinja2
import numpy as np
import pandas as pd
import shapely
from branca.element import Element
from folium.map import Layer
from folium.plugins import HeatMap, HeatMapWithTime
from folium.vector_layers import BaseMultiLocation, Rectangle
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .dates import FEATURE_FORMS, MISSING_DAY, TIME_MODES, feature_days
from .encoding import deltas, encode_lines, encode_polygons, quantize
from .errors import Problem, StoryError, did_you_mean, problems_from_validation, short_repr
from .geodata import raw_frame, to_geodataframe
from .geometry import FAMILIES, bounds_union, family_codes, into_frame, mercator
from .inert import reachable
from .security import blocked
from .styling import MAX_RADIUS, check_keywords, check_options, color_error, data_style, flag, is_css_color
from .styling import point_radii
from .styling import _values as column_values
from .text import script_json
from .tiles import MAP_MAX_ZOOM

if TYPE_CHECKING:
    from .models import StoryData

__all__ = ["LayerStyle", "Overlay", "DataLayer", "make_overlay", "encode", "detail_zoom",
           "fit_zoom", "RESERVED_NAMES", "FIT_MAX_ZOOM", "ZOOM_MARGIN", "REFERENCE_VIEW", "MAX_LAYER_CHARS",
           "KEYWORDS", "EXPLORE_DEFAULTS"]

#: Names the page already uses in ``root.storymap.layers``.
RESERVED_NAMES = frozenset({"Basemap", "Tiles", "Story places"})
#: The zoom a step fits to at most when it sets none (``L.storymap.Story``'s ``maxZoom`` option).
FIT_MAX_ZOOM = 11
#: Readers may zoom in this many levels past a step's view and still see full detail.
ZOOM_MARGIN = 2
#: The map area (pixels) a step's view is estimated for: a desktop map beside the story panel.
REFERENCE_VIEW = (880, 760)
#: A layer's encoding larger than this is simplified for lower zooms until it fits (with a warning).
MAX_LAYER_CHARS = 4_000_000
#: Colors given, in turn, to layers added without one (Okabe–Ito, distinct from the kinds' colors).
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")
_LAYERLIKE = (Layer, folium.Marker, BaseMultiLocation, Rectangle)
#: Why a ``folium.Choropleth`` is refused, and what to do instead.
CHOROPLETH = ("folium.Choropleth is not supported: its legend needs d3, which a story page does not hold (and it "
              "cannot be put in a layer's group: it must sit on a folium.Map itself); colour the geodata by its column instead, with explore's "
              "keywords: add_layer(gdf, name, column='pop_est', scheme='quantiles', k=5, cmap='YlOrRd') (the classes "
              "show in the story's legend; join the data to the geodata first, e.g. gdf.merge(df, on='name'))")


class LayerStyle(BaseModel):
    """How a layer is drawn: Leaflet path options (camelCase, as in Leaflet and folium)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    color: Optional[str] = Field(default=None, description="Stroke color (CSS color).")
    weight: Optional[float] = Field(default=None, ge=0, le=50, description="Stroke width in pixels.")
    opacity: Optional[float] = Field(default=None, ge=0, le=1)
    fillColor: Optional[str] = None
    fillOpacity: Optional[float] = Field(default=None, ge=0, le=1)
    radius: Optional[float] = Field(default=None, ge=0.5, le=MAX_RADIUS, description="Point radius in pixels.")
    dashArray: Optional[str] = Field(default=None, pattern=r"^[0-9., ]{1,40}$")
    fill: Optional[bool] = None
    stroke: Optional[bool] = None

    @field_validator("color", "fillColor")
    @classmethod
    def _css_color(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not is_css_color(value):
            raise ValueError(color_error(value))
        return value.strip() if value else value


_DEFAULTS = {
    "point": {"radius": 3, "weight": 0, "fillOpacity": 0.8, "opacity": 1},
    "line": {"weight": 2, "opacity": 0.9},
    "area": {"weight": 1, "opacity": 0.9, "fillOpacity": 0.25},
}


@dataclass
class Overlay:
    """A layer added through :meth:`storymap.Story.add_layer`: its element and legend row."""

    name: str
    element: Layer
    shape: str
    style: dict[str, Any]
    steps: Optional[list[str]] = None
    #: The legend's key to the layer's colours (a colour bar or a list of classes), or None.
    key: Optional[dict[str, Any]] = None
    #: How the layer follows the dated steps (``"cumulative"`` or ``"window"``), or None without times.
    time: Optional[str] = None
    #: The layer's name in each of the story's languages given (the legend's row), or None.
    names: Optional[dict[str, str]] = None

    @property
    def config(self) -> dict[str, Any]:
        """What ``L.storymap.Story`` reads: ``{name, shape, style, steps}``, ``key`` when the
        layer is coloured by a column (see ``static/legend.js``) and ``time`` (its time mode)
        when its features have times."""
        out = {"name": self.name, "shape": self.shape, "style": self.style, "steps": self.steps}
        if self.key is not None:
            out["key"] = self.key
        if self.time is not None:
            out["time"] = self.time
        if self.names is not None:
            out["names"] = dict(self.names)
        return out

    def zoom(self, data: "StoryData") -> Optional[float]:
        """The detail a data layer is encoded for in this story (None for a folium element)."""
        return detail_zoom(data, self.steps) if isinstance(self.element, DataLayer) else None


# Encoding --------------------------------------------------------------------------------------

def fit_zoom(bounds: Optional[Sequence[float]], cap: float, size: tuple[int, int] = REFERENCE_VIEW) -> float:
    """The zoom at which ``bounds`` (west, south, east, north) fit a map area of ``size`` pixels."""
    if bounds is None:
        return cap
    west, south, east, north = bounds
    zooms = [cap]
    if east - west > 0:
        zooms.append(math.log2(size[0] * 360.0 / (256.0 * (east - west))))
    if north - south > 0:
        zooms.append(math.log2(size[1] / (mercator(0.0, south)[1] - mercator(0.0, north)[1])))
    return min(zooms)


def detail_zoom(data: "StoryData", shown_on: Optional[Iterable[str]] = None) -> float:
    """The highest zoom a layer is seen at: the closest view among its steps, plus :data:`ZOOM_MARGIN`.

    A step's view is its explicit ``view`` or the zoom its places fit at in a
    :data:`REFERENCE_VIEW` map area, capped by its ``max_zoom`` (or :data:`FIT_MAX_ZOOM`).
    """
    wanted = None if shown_on is None else set(shown_on)
    places = {p.id: p for p in data.places}
    zooms = []
    for step in data.steps:
        if wanted is not None and step.id not in wanted:
            continue
        cap = step.max_zoom if step.max_zoom is not None else FIT_MAX_ZOOM
        view = step.view
        if view is not None and view.zoom is not None:
            zooms.append(view.zoom)
        elif view is not None and view.bounds is not None:  # (shown as asked: no cap but its own)
            zooms.append(fit_zoom(view.lonlat_bounds, step.max_zoom if step.max_zoom is not None else MAP_MAX_ZOOM))
        elif fitted := step.fitted(places):  # (no place and no view: every place, as the page shows them)
            zooms.append(fit_zoom(bounds_union(places[pid].bounds for pid in fitted), cap))
    return min(22.0, max(zooms, default=FIT_MAX_ZOOM) + ZOOM_MARGIN)


def _tolerance(zoom: float, max_abs_lat: float) -> float:
    """Half a screen pixel at ``zoom``, in degrees (latitude degrees shrink by cos φ in Mercator)."""
    pixel = 360.0 / (256.0 * 2.0 ** zoom)
    return 0.5 * pixel * max(0.01, math.cos(math.radians(min(85.0, max_abs_lat))))


def _explode(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Single-part geometries, in feature order, and the index of the feature each came from."""
    index = np.arange(len(geoms))
    while (shapely.get_type_id(geoms) >= 4).any():  # Multi* and GeometryCollection
        geoms, at = shapely.get_parts(geoms, return_index=True)
        index = index[at]
    return geoms, index


def _index_deltas(index: np.ndarray, n: int) -> Optional[list[int]]:
    """Feature index per part, delta-encoded; ``None`` when parts and features match one to one."""
    if len(index) == n and np.array_equal(index, np.arange(n)):
        return None
    return np.diff(index, prepend=0).tolist()


def _morton(q: np.ndarray) -> np.ndarray:
    """Z-order keys of integer points: nearby points get nearby keys (so their deltas are short)."""
    rel = (q - q.min(axis=0)).astype(np.uint64)
    bits = int(rel.max()).bit_length() if len(rel) else 0
    rel >>= np.uint64(max(0, bits - 20))

    def spread(v: np.ndarray) -> np.ndarray:
        v = v & np.uint64(0xFFFFF)
        for shift, mask in ((16, 0x0000FFFF0000FFFF), (8, 0x00FF00FF00FF00FF), (4, 0x0F0F0F0F0F0F0F0F),
                            (2, 0x3333333333333333), (1, 0x5555555555555555)):
            v = (v | (v << np.uint64(shift))) & np.uint64(mask)
        return v

    return spread(rel[:, 0]) | (spread(rel[:, 1]) << np.uint64(1))


def _encode_lines(lines: np.ndarray, fid: np.ndarray, scale: int, n: int) -> Optional[dict[str, Any]]:
    encoded, kept = encode_lines(lines, scale)
    if encoded is None:
        return None
    return {**encoded, "fid": _index_deltas(fid[kept], n)}


def _encode_areas(polys: np.ndarray, fid: np.ndarray, scale: int, n: int) -> Optional[dict[str, Any]]:
    encoded, kept = encode_polygons(polys, scale)
    if encoded is None:
        return None
    return {**encoded, "fid": _index_deltas(fid[kept], n)}


def _json_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is pd.NaT:
        return None
    if hasattr(value, "isoformat"):  # (as explore writes them, and the legend: 2024-05-13 10:30:00)
        return str(value)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _shown(values: pd.Series) -> np.ndarray:
    """A property's values as the tooltip shows them: datetimes as explore and the legend write
    them (pandas' text: ``2024-05-13`` when every time is midnight), the others as they are."""
    if pd.api.types.is_datetime64_any_dtype(values):
        values = values.astype("string")
    return values.to_numpy(dtype=object)


def _column(values: list[Any]) -> Any:
    """A property column: a plain list, or ``{values, codes}`` when values repeat a lot."""
    codes: dict[tuple[str, Any], int] = {}
    index = [codes.setdefault((type(v).__name__, v), len(codes)) for v in values]
    if len(values) >= 16 and len(codes) * 2 <= len(values):
        return {"values": [v for _, v in codes], "codes": index}
    return values


def encode(frame: gpd.GeoDataFrame, fields: Sequence[str], zoom: float, *, codes: Optional[np.ndarray] = None,
           radii: Optional[np.ndarray] = None, days: Optional[np.ndarray] = None,
           middle: float = 0.0) -> dict[str, Any]:
    """Encode a layer's features (EPSG:4326) for ``L.storymap.dataLayer``, in the story's longitude
    frame (``middle``: see :func:`storymap.geometry.into_frame`).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        The features, in EPSG:4326, none missing or empty.
    fields : sequence of str
        The properties kept (those a tooltip or popup shows).
    zoom : float
        The highest zoom the layer is seen at: lines and areas are simplified to half a pixel
        there and coordinates are kept to the matching precision.
    codes : numpy.ndarray, optional
        Per feature (in frame order): its colour, an index into the layer's palette.
    radii : numpy.ndarray, optional
        Per feature: its point radius in half pixels (whole numbers).
    days : numpy.ndarray, optional
        Per feature: its day (days since 1970-01-01), :data:`storymap.dates.MISSING_DAY` for none.
    middle : float
        The middle of the story's places in its longitude frame (0 in the standard one).

    Returns
    -------
    dict
        ``{scale, n, bounds, points?, lines?, areas?, props, codes?, radii?, time?}``; see
        ``static/storymap-layers.js``. ``codes``, ``radii`` and ``time`` follow the stored feature
        order; ``time`` is ``{t0, d}``: the first day, and each feature's day minus ``t0`` (-1: none).
    """
    geoms = into_frame(np.asarray(frame.geometry.values, dtype=object), middle)
    west, south, east, north = (float(v) for v in shapely.total_bounds(geoms))
    tolerance = _tolerance(zoom, max(abs(south), abs(north)))
    scale = int(min(10 ** 6, 10 ** math.ceil(math.log10(1 / tolerance))))
    parts, fid = _explode(geoms)
    kinds = shapely.get_type_id(parts)
    n = len(frame)
    out: dict[str, Any] = {"scale": scale, "n": n,
                           "bounds": [[round(south, 6), round(west, 6)], [round(north, 6), round(east, 6)]]}
    order = np.arange(n)
    points = kinds == 0
    if points.any():
        q = quantize(shapely.get_coordinates(parts[points]), scale)
        pfid = fid[points]
        if points.all() and len(pfid) == n and np.array_equal(pfid, order):
            # One point per feature: store features in Z-order (short deltas); properties follow.
            # Points of several sizes go largest first (small ones stay visible), in Z-order each.
            if radii is None:
                order = np.argsort(_morton(q), kind="stable")
            else:
                order = np.lexsort((_morton(q), -np.asarray(radii)))
            q = q[order]
        out["points"] = {"xy": deltas(q), "fid": _index_deltas(pfid, n)}
    lines = (kinds == 1) | (kinds == 2)
    if lines.any():
        simple = shapely.simplify(parts[lines], tolerance, preserve_topology=False)
        encoded = _encode_lines(simple, fid[lines], scale, n)
        if encoded:
            out["lines"] = encoded
    areas = kinds == 3
    if areas.any():
        simple = shapely.simplify(parts[areas], tolerance, preserve_topology=False)
        encoded = _encode_areas(simple, fid[areas], scale, n)
        if encoded:
            out["areas"] = encoded
    out["props"] = {name: _column([_json_value(v) for v in _shown(frame[name])[order]]) for name in fields}
    if codes is not None:
        out["codes"] = np.asarray(codes, dtype=np.int64)[order].tolist()
    if radii is not None:
        out["radii"] = np.asarray(radii, dtype=np.int64)[order].tolist()
    if days is not None:
        days = np.asarray(days, dtype=np.int64)[order]
        dated = days != MISSING_DAY
        t0 = int(days[dated].min()) if dated.any() else 0
        out["time"] = {"t0": t0, "d": np.where(dated, days - t0, -1).tolist()}
    return out


def _shape(frame: gpd.GeoDataFrame) -> str:
    """The legend swatch for a layer: the geometry family most of its parts have."""
    parts, _ = _explode(np.asarray(frame.geometry.values, dtype=object))
    counts = np.bincount(family_codes(parts), minlength=3)
    return FAMILIES[int(np.argmax(counts))]


# Elements --------------------------------------------------------------------------------------

_TEMPLATE = jinja2.Template(
    "{% macro script(this, kwargs) %}\n"
    "var {{ this.get_name() }} = L.storymap.dataLayer(JSON.parse('{{ this.payload_string }}'), {{ this.options_json }});\n"
    "{% endmacro %}"
)


class DataLayer(Layer):
    """A data layer: features drawn by ``L.storymap.dataLayer`` on one canvas.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Features in EPSG:4326.
    name : str
        The layer's name (legend label, key in ``root.storymap.layers``).
    style : dict
        Leaflet path options.
    shape : {"point", "line", "area"}
        The legend swatch.
    tooltip, popup : list of str or None
        The properties shown on hover and on click.
    labels : bool
        Whether the tooltip prefixes each value with its property name.
    show : bool
        Whether the layer is put on the map by its own script (the story adds its layers itself).
    palette : list of str, optional
        CSS colours; with ``codes``, the colour of each feature.
    codes : numpy.ndarray, optional
        Per feature (frame order), an index into ``palette``.
    radii : numpy.ndarray, optional
        Per feature, a point radius in pixels (none missing: see make_overlay).
    stroke_follows : bool
        Whether outlines take each feature's colour (else the style's ``color``).
    highlight : dict, optional
        Path options for the feature under the pointer, or None for no highlight.
    tooltip_options, popup_options : dict, optional
        ``aliases`` (shown instead of the property names; a mapping gives them in each language),
        ``labels`` and ``localize`` (bool); a tooltip's ``sticky`` (bool), a popup's ``max_width``.
    days : numpy.ndarray, optional
        Per feature (frame order), its day (:func:`storymap.dates.feature_days`): the layer then
        shows, at each dated step, the features of the step's time.
    time_mode : {"cumulative", "window"}
        With ``days``: the features dated up to the step's end, or only those inside its date or period.
    """

    _template = _TEMPLATE

    def __init__(self, frame: gpd.GeoDataFrame, name: str, *, style: dict[str, Any], shape: str,
                 tooltip: Optional[list[str]] = None, popup: Optional[list[str]] = None, labels: bool = False,
                 show: bool = True, palette: Optional[list[str]] = None, codes: Optional[np.ndarray] = None,
                 radii: Optional[np.ndarray] = None, stroke_follows: bool = False,
                 highlight: Optional[dict[str, Any]] = None, tooltip_options: Optional[dict[str, Any]] = None,
                 popup_options: Optional[dict[str, Any]] = None, days: Optional[np.ndarray] = None,
                 time_mode: str = "cumulative"):
        super().__init__(name=name, overlay=True, control=False, show=show)
        self._name = "DataLayer"
        self.frame = frame
        self.style = style
        self.shape = shape
        self.tooltip = tooltip
        self.popup = popup
        self.labels = labels
        self.palette = list(palette) if palette and codes is not None else None
        self.codes = None if self.palette is None else np.asarray(codes, dtype=np.int64)
        self.radii = None
        if radii is not None:  # (pixels, none missing: make_overlay gives a missing one its radius)
            self.radii = np.clip(np.rint(np.asarray(radii, dtype=float) * 2), 1, 2 * MAX_RADIUS)
        self.stroke_follows = stroke_follows
        self.highlight = highlight
        self.tooltip_options = tooltip_options or {}
        #: The popup's title (the layer's name) in each of the story's languages, or None (Story.add_layer).
        self.titles: Optional[dict[str, str]] = None
        self.popup_options = popup_options or {}
        self.days = None if days is None else np.asarray(days, dtype=np.int64)
        self.time_mode = time_mode
        #: The highest zoom the layer is seen at (set by the story before rendering).
        self.zoom: float = FIT_MAX_ZOOM + ZOOM_MARGIN
        #: The middle of the story's places in its longitude frame (set by the story before rendering).
        self.middle: float = 0.0
        self._cache: dict[tuple[float, float], str] = {}

    @property
    def fields(self) -> list[str]:
        return list(dict.fromkeys((self.tooltip or []) + (self.popup or [])))

    def prepare(self, zoom: float, stacklevel: int = 3) -> str:
        """Encode the features for ``zoom`` (cached). An encoding over :data:`MAX_LAYER_CHARS`
        is made again for lower zooms until it fits, with a warning (``stacklevel`` as
        :func:`warnings.warn` takes it, from this method)."""
        self.zoom = zoom
        if (zoom, self.middle) in self._cache:
            return self._cache[zoom, self.middle]
        at = zoom
        text = self._encode(at)
        while len(text) > MAX_LAYER_CHARS and at > 3 and not self._points_only():
            # Vertices kept grow about twofold per zoom level: jump as far as the excess says.
            at = max(3.0, at - max(1, math.floor(math.log2(len(text) / MAX_LAYER_CHARS))))
            text = self._encode(at)
        if len(text) > MAX_LAYER_CHARS and self._points_only():  # (points are never simplified)
            warnings.warn(f"layer {self.layer_name!r} takes {len(text):,} characters of the page for its "
                          f"{len(self.frame):,} features; consider fewer features, or fewer properties in "
                          "its tooltip and popup", stacklevel=stacklevel)
        elif len(text) > MAX_LAYER_CHARS:
            warnings.warn(f"layer {self.layer_name!r} takes {len(text):,} characters of the page even "
                          f"simplified for zoom {at:g}; consider fewer features", stacklevel=stacklevel)
        elif at < zoom:
            warnings.warn(f"layer {self.layer_name!r} is simplified for zoom {at:g}, not {zoom:g}, "
                          f"to keep it under {MAX_LAYER_CHARS:,} characters", stacklevel=stacklevel)
        self._cache.clear()  # one encoding kept: the last asked for (shared by copies made to render)
        self._cache[zoom, self.middle] = text
        return text

    def _encode(self, zoom: float) -> str:
        return script_json(encode(self.frame, self.fields, zoom, codes=self.codes, radii=self.radii, days=self.days,
                                  middle=self.middle))

    @property
    def payload_string(self) -> Markup:
        """The encoding as the body of a single-quoted JavaScript string, for ``JSON.parse``: a big
        JSON string parses faster than the same object literal, and leaves no copy behind."""
        text = self.prepare(self.zoom).replace("\\", "\\\\").replace("'", "\\'")
        return Markup(text)

    def _points_only(self) -> bool:
        return bool((shapely.get_type_id(np.asarray(self.frame.geometry.values, dtype=object)) % 4 == 0).all())

    @property
    def options_json(self) -> Markup:
        tip, pop = self.tooltip_options, self.popup_options
        options = {
            "style": self.style,
            "shape": self.shape,
            # (localize, sticky and a popup's maxWidth only where they differ from the defaults)
            "tooltip": {"fields": self.tooltip, "labels": tip.get("labels", self.labels), "aliases": tip.get("aliases"),
                        **({"localize": True} if tip.get("localize") else {}),
                        **({"sticky": False} if tip.get("sticky") is False else {})} if self.tooltip else None,
            "popup": {"fields": self.popup, "title": self.titles or str(self.layer_name),
                      "labels": pop.get("labels", True), "aliases": pop.get("aliases"),
                      **({"localize": True} if pop.get("localize") else {}),
                      **({"maxWidth": pop["max_width"]} if "max_width" in pop else {})} if self.popup else None,
            "palette": self.palette,
            "strokeFollows": self.stroke_follows,
            "highlight": self.highlight,
        }
        if self.days is not None:
            options["timeMode"] = self.time_mode
        return Markup(script_json(options))


# The funnel ------------------------------------------------------------------------------------

def _problem(name: str, field_name: str, message: str) -> StoryError:
    return StoryError([Problem(file="", where=f"layer {name!r}", field=field_name, message=message)])


def texts_by_language(where: str, field_name: str, value: Mapping[Any, Any], languages: Sequence[str],
                      own: str, check: Optional[Callable[[str, Any], Any]] = None) -> dict[str, Any]:
    """A text given in several of a story's languages (``{"en": "Population", "es": "Población"}``):
    each key one of the story's ``languages``, the story's ``own`` among them (first in the result),
    each value some text (or what ``check(lang, value)`` returns, raising ValueError with what is
    wrong)."""
    def fail(message: str) -> StoryError:
        return StoryError([Problem(file="", where=where, field=field_name, message=message)])

    def text(lang: str, given: Any) -> str:
        if not isinstance(given, str) or not given.strip():
            raise ValueError(f"expected some text for {lang!r}, got {short_repr(given)}")
        return given.strip()

    out: dict[str, Any] = {}
    for lang, given in value.items():
        if lang not in languages:
            raise fail(f"{short_repr(lang)} is not one of the story's languages ({', '.join(languages)})")
        try:
            out[lang] = (check or text)(lang, given)
        except ValueError as exc:
            raise fail(str(exc)) from None
    if own not in out:
        raise fail(f"give the text in {own!r}, the story's own language, too (given: {', '.join(out) or 'none'})")
    return {own: out[own], **out}


def _check_name(name: Any, taken: Iterable[str]) -> str:
    if not isinstance(name, str) or not name.strip():
        raise StoryError([Problem(file="", where="add_layer", field="name",
                                  message=f"expected a non-empty string naming the layer, got {name!r}")])
    if len(name) > 200 or name == "__proto__":
        raise _problem(name[:40], "name", "expected a name of at most 200 characters, other than '__proto__'")
    if name in RESERVED_NAMES:
        raise _problem(name, "name", f"the name {name!r} is taken by the page itself "
                                     f"({', '.join(sorted(RESERVED_NAMES))}); choose another name")
    if name in set(taken):
        raise _problem(name, "name", f"a layer named {name!r} was already added; layer names must be unique")
    # (" Roads" and "roads" beside "Roads": rows a reader cannot tell apart in the legend.)
    same = next((t for t in taken if " ".join(t.split()).casefold() == " ".join(name.split()).casefold()), None)
    if same is not None:
        raise _problem(name, "name", f"the legend would show it as the layer {same!r} already added (names differ "
                                     "in case or spaces only): choose another name, or remove_layer() that one first")
    return name


def _check_steps(name: str, steps: Any, step_ids: Sequence[str]) -> Optional[list[str]]:
    if steps is None:
        return None
    if isinstance(steps, str):
        steps = [steps]
    if not isinstance(steps, (list, tuple, set, frozenset)) or not steps:
        raise _problem(name, "steps", f"expected a non-empty list of step ids (or None for every step), "
                                      f"got {steps!r}")
    problems = []
    for sid in steps:
        if sid not in step_ids:
            close = did_you_mean(str(sid), list(step_ids))
            hint = f"; did you mean {close!r}?" if close else ""
            problems.append(Problem(file="", where=f"layer {name!r}", field="steps",
                                    message=f"unknown step {sid!r}{hint} (the steps are: {', '.join(step_ids)})"))
    if problems:
        raise StoryError(problems)
    return [sid for sid in step_ids if sid in set(steps)]  # story order, no duplicates


def _check_fields(name: str, which: str, value: Any, columns: Sequence[str]) -> Optional[list[str]]:
    """explore's ``tooltip``/``popup``: True (every column), False or None (none), a number n (the
    first n columns), a column name or a list of them."""
    if isinstance(value, np.bool_):  # (a flag computed from data, as explore takes it)
        value = bool(value)
    if value is None or value is False:
        return None
    available = [str(c) for c in columns]
    if value is True:
        return available or None
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if value < 0:
            raise _problem(name, which, f"expected a number of columns (0 or more), got {value}")
        return available[:int(value)] or None
    fields = [value] if isinstance(value, str) else value
    if isinstance(fields, (list, tuple)):  # (columns named by numbers are named by their text, as in explore)
        fields = [str(f) if isinstance(f, (int, float, np.number)) and not isinstance(f, bool) else f for f in fields]
    if not isinstance(fields, (list, tuple)) or not fields or not all(isinstance(f, str) for f in fields):
        raise _problem(name, which, f"expected a property name or a list of them (or True for every column, a "
                                    f"number n for the first n, False for none), got {short_repr(value)}")
    problems = []
    for f in fields:
        if f not in available:
            close = did_you_mean(f, available)
            hint = f"did you mean {close!r}? " if close else ""
            problems.append(Problem(file="", where=f"layer {name!r}", field=which,
                                    message=f"unknown property {f!r}; {hint}the data has: "
                                            f"{', '.join(available) or '(no properties)'}"))
    if problems:
        raise StoryError(problems)
    return list(dict.fromkeys(fields))


def _check_text_options(name: str, which: str, value: Any, fields: Optional[list[str]]) -> dict[str, Any]:
    """explore's ``tooltip_kwds``/``popup_kwds``: ``aliases`` (one per field), ``labels`` and
    ``localize`` (numbers as the story's language writes them); a tooltip's ``sticky`` (False: at
    the feature, not the pointer), a popup's ``max_width`` (pixels)."""
    extra = ("sticky",) if which == "tooltip_kwds" else ("max_width",)
    options = check_options(name, which, value, ("aliases", "labels", "localize") + extra)
    for word in ("labels", "localize", "sticky"):
        if word in options:
            options[word] = flag(name, f"{which}.{word}", options[word])
    if "max_width" in options:
        width = options["max_width"]
        if isinstance(width, bool) or not isinstance(width, (int, float)) or not 50 <= width <= 2000:
            raise _problem(name, f"{which}.max_width", f"expected a width in pixels from 50 to 2000, got {short_repr(width)}")
        options["max_width"] = int(width)
    if "aliases" in options:
        aliases = options["aliases"]
        if isinstance(aliases, Mapping):  # (in each of the story's languages: Story.add_layer checks which)
            options["aliases"] = {str(lang): _aliases(name, which, given, fields) for lang, given in aliases.items()}
        else:
            options["aliases"] = _aliases(name, which, aliases, fields)
    return options


def _aliases(name: str, which: str, aliases: Any, fields: Optional[list[str]]) -> list[str]:
    if not isinstance(aliases, (list, tuple)) or not all(isinstance(a, str) for a in aliases):
        raise _problem(name, f"{which}.aliases", f"expected a list of names, got {short_repr(aliases)}")
    count = len(fields or [])
    if len(aliases) != count:
        raise _problem(name, f"{which}.aliases", f"{len(aliases)} aliases for {count} fields; give one alias "
                                                 "per field shown")
    return list(aliases)


def _check_style(name: str, style: Any) -> dict[str, Any]:
    if style is None:
        return {}
    if not isinstance(style, dict):
        raise _problem(name, "style", f"expected a dict of Leaflet path options, got {style!r}")
    try:
        return LayerStyle.model_validate(style).model_dump(exclude_none=True)
    except ValidationError as exc:
        raise StoryError(problems_from_validation(exc, file="", where=f"layer {name!r}", prefix="style.",
                                                model=LayerStyle)) from None


def _element_shape(element: Element) -> str:
    """The legend's shape for a folium element: ``"marker"`` for one drawn with markers' icons
    (a Marker, a group or a MarkerCluster of them, a GeoJson's points without a marker of its own:
    the legend shows its icon, static/markers.js), else the family it draws."""
    if isinstance(element, (folium.vector_layers.Polygon, Rectangle)):
        return "area"
    if isinstance(element, BaseMultiLocation):
        return "line"
    if isinstance(element, folium.GeoJson):
        try:
            shape = _shape(to_geodataframe(element.data))
        except (StoryError, TypeError, ValueError):
            return "area"
        return "marker" if shape == "point" and getattr(element, "marker", None) is None else shape
    if isinstance(element, (folium.raster_layers.TileLayer, folium.raster_layers.ImageOverlay,
                            folium.raster_layers.WmsTileLayer)):
        return "area"
    return "marker" if _first(element, _is_marker) is not None else "point"


#: Leaflet.heat's colours when a HeatMap gives none (its own default gradient).
HEAT_GRADIENT = {0.4: "blue", 0.6: "cyan", 0.7: "lime", 0.8: "yellow", 1.0: "red"}


def _heat_gradient(name: str, element: Element) -> str:
    """A HeatMap's colours as a CSS gradient for its legend swatch (its ``gradient``, else
    Leaflet.heat's), low to high. A gradient colour that is no CSS colour raises (Leaflet.heat
    stopped the page on it); a stop outside 0..1 is left out."""
    given = element.options.get("gradient") if isinstance(getattr(element, "options", None), dict) else None
    stops = given if isinstance(given, dict) and given else HEAT_GRADIENT
    kept = []
    for at, colour in sorted(stops.items(), key=lambda item: float(item[0])):
        if not (isinstance(colour, str) and is_css_color(colour)):
            raise _problem(name, "data", f"the HeatMap's gradient gives {short_repr(colour)} at {short_repr(at)}, "
                                         "which is no CSS colour (e.g. 'blue', '#00f', 'rgb(0, 0, 255)')")
        if isinstance(at, (int, float)) and 0 <= at <= 1:
            kept.append(f"{colour} {round(float(at) * 100)}%")
    if len(kept) < 2:
        kept = [f"{colour} {round(at * 100)}%" for at, colour in HEAT_GRADIENT.items()]
    return f"linear-gradient(90deg, {', '.join(kept)})"


def _is_marker(element: Element) -> bool:
    """A marker drawn with an icon (not a CircleMarker or a Circle, which folium makes Markers)."""
    return isinstance(element, folium.Marker) and not isinstance(element, (folium.CircleMarker, folium.Circle))


def _first(element: Element, test: Callable[[Element], bool]) -> Optional[Element]:
    """``element`` or the first element below it that passes ``test``, depth first."""
    if test(element):
        return element
    for child in element._children.values():
        found = _first(child, test)
        if found is not None:
            return found
    return None


def _geojson_style(element: "folium.GeoJson") -> dict[str, Any]:
    """A folium.GeoJson's first feature as it is drawn: its marker's options (a ``marker`` of its
    own), then what its ``style_function`` gives that feature (folium's default gives nothing)."""
    options: dict[str, Any] = {}
    marker = getattr(element, "marker", None)
    if isinstance(getattr(marker, "options", None), dict):
        options.update(marker.options)
    data = getattr(element, "data", None)
    features = data.get("features") if isinstance(data, dict) else None
    if callable(getattr(element, "style_function", None)) and isinstance(features, list) and features:
        try:
            given = element.style_function(features[0])
        except Exception:  # noqa: BLE001 - the user's function: the legend falls back, the page is folium's
            given = None
        if isinstance(given, dict):
            options.update(given)
    return options


def _element_style(element: Element) -> dict[str, Any]:
    """The legend's style for a folium element: its own path options, else those of the first
    vector shape in it (a group of CircleMarkers is drawn in theirs); for a folium.GeoJson, its
    first feature's (its style_function's: the swatch was the layer's default colour while the map
    drew the lines green)."""
    shape = _first(element, lambda e: isinstance(getattr(e, "options", None), dict) and any(
        e.options.get(k) is not None for k in ("color", "fillColor")))
    options = shape.options if shape is not None else {}
    geojson = _first(element, lambda e: isinstance(e, folium.GeoJson))
    if geojson is not None and (shape is None or _first(geojson, lambda e: e is shape) is not None):
        options = {**options, **_geojson_style(geojson)}
    picked = {k: options[k] for k in ("color", "weight", "opacity", "fillColor", "fillOpacity", "dashArray")
              if options.get(k) is not None}
    try:
        return LayerStyle.model_validate(picked).model_dump(exclude_none=True)
    except ValidationError:
        return {}


#: add_layer's keywords besides ``data`` and ``name``: storymap's own, then GeoDataFrame.explore's.
KEYWORDS = ("steps", "style", "tooltip", "popup", "assets", "time", "time_mode", "column", "cmap", "color", "categorical", "categories",
            "scheme", "k", "vmin", "vmax", "classification_kwds", "legend", "legend_kwds", "style_kwds",
            "marker_type", "marker_kwds", "highlight", "highlight_kwds", "missing_kwds", "tooltip_kwds", "popup_kwds")
#: explore's keywords with their defaults in ``add_layer``.
EXPLORE_DEFAULTS: dict[str, Any] = {
    "column": None, "cmap": None, "color": None, "categorical": False, "categories": None, "scheme": None, "k": 5,
    "vmin": None, "vmax": None, "classification_kwds": None, "legend": True, "legend_kwds": None,
    "style_kwds": None, "marker_type": None, "marker_kwds": None, "highlight": True, "highlight_kwds": None,
    "missing_kwds": None, "tooltip_kwds": None, "popup_kwds": None,
}
#: The feature under the pointer, by default: explore's ``{"fillOpacity": 0.75}`` for areas; lines
#: get thicker and points an outline, which a fill opacity would not show.
_HIGHLIGHT = {"area": {"fillOpacity": 0.75}, "line": {"opacity": 1}, "point": {"fillOpacity": 1, "weight": 2}}


def _is_given(word: str, value: Any) -> bool:
    default = EXPLORE_DEFAULTS[word]
    return not (value is default or (isinstance(value, (bool, int)) and value == default and
                                      type(value) is type(default)))


def _check_path_options(name: str, which: str, value: Any, extra: Sequence[str] = ()) -> dict[str, Any]:
    """``style_kwds``, ``marker_kwds`` or ``highlight_kwds``: Leaflet path options (and ``extra``)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _problem(name, which, f"expected a dict of Leaflet path options, got {short_repr(value)}")
    if "style_function" in value:
        raise _problem(name, f"{which}.style_function", "a style function per feature is not supported: the layer "
                                                        "is drawn on a canvas; colour features by a column with "
                                                        "column=, or by a column of colours with color=")
    for word in ("icon", "draggable"):
        if word in value:
            raise _problem(name, f"{which}.{word}", "not supported: points are drawn as circle markers on a canvas; "
                                                    "to draw folium Markers, pass a folium element as the data")
    plain = {k: v for k, v in value.items() if k not in extra}
    try:
        checked = LayerStyle.model_validate(plain).model_dump(exclude_none=True)
    except ValidationError as exc:
        raise StoryError(problems_from_validation(exc, file="", where=f"layer {name!r}", prefix=f"{which}.",
                                                  model=LayerStyle)) from None
    return {**checked, **{k: value[k] for k in extra if k in value}}


def _attach(data: Any, name: str, arrays: dict[str, Any]) -> Any:
    """A copy of a GeoDataFrame (or GeoSeries) with the per-feature values given for ``arrays``
    as columns ``__storymap_<word>``, before rows without geometry are dropped."""
    if not arrays:
        return data
    frame = gpd.GeoDataFrame(geometry=data) if isinstance(data, gpd.GeoSeries) else data.copy()
    for word, values in arrays.items():
        _check_length(name, word, values, len(frame))
        # A Series is aligned on the index (as explore assigns it); anything else is taken in order.
        if isinstance(values, pd.Series) and not frame.index.isin(values.index).all():
            field_name = "marker_kwds.radius" if word == "radius" else word
            lost, labels = frame.index[~frame.index.isin(values.index)].tolist(), frame.index[:3].tolist()
            shown = ", ".join(map(short_repr, labels)) + (", ..." if len(frame) > 3 else "")
            raise _problem(name, field_name, f"the Series' index has no {short_repr(lost[0])} (the data's index: "
                                             f"{shown}): "
                                             "its values are matched to features by index, and those features would have "
                                             "none; give the values in the data's order (values.to_numpy()) or "
                                             "on its index (values.set_axis(gdf.index))")
        frame[f"__storymap_{word}"] = _as_column(values, aligned=True)
    return frame


def _as_column(values: Any, aligned: bool) -> Any:
    """Values for a new column: a Series aligned on the index (``aligned``) or in order; arrays
    (numpy, pandas Categorical, ...) keep their dtype."""
    if isinstance(values, pd.Series):
        return values if aligned else values.array
    if isinstance(values, (np.ndarray, pd.api.extensions.ExtensionArray, pd.Index)):
        return values
    return list(values)


def _check_length(name: str, word: str, values: Any, count: int) -> None:
    field_name = "marker_kwds.radius" if word == "radius" else word
    if len(values) != count:
        raise _problem(name, field_name, f"{len(values)} values for {count} features; give one value per feature, "
                                         "or a column name")


def _arrays(column: Any, color: Any, radius: Any, time: Any = None) -> dict[str, Any]:
    """The per-feature values given as arrays (not as column names)."""
    out = {}
    for word, value in (("column", column), ("color", color), ("radius", radius), ("time", time)):
        if value is not None and not isinstance(value, (str, bytes, dict)) and pd.api.types.is_list_like(value):
            out[word] = value
    return out


def make_overlay(data: Any, name: str, *, steps: Any = None, style: Any = None, tooltip: Any = None,
                 popup: Any = None, taken: Iterable[str] = (), step_ids: Sequence[str] = (),
                 index: int = 0, time: Any = None, time_mode: Any = None, **options: Any) -> Overlay:
    """Check the arguments of :meth:`storymap.Story.add_layer` and build the layer.

    ``options`` are GeoDataFrame.explore's keywords (:data:`EXPLORE_DEFAULTS`); others raise.

    Raises
    ------
    storymap.StoryError
        For a duplicate or reserved name, an unknown step, an unknown tooltip/popup property or
        column, an invalid style, colormap or scheme, an unsupported keyword, times that are not
        dates or an unknown time mode, or data that is empty or not geographic.
    """
    name = _check_name(name, taken)
    check_keywords(name, {k: v for k, v in options.items() if k not in EXPLORE_DEFAULTS}, KEYWORDS)
    opts = {**EXPLORE_DEFAULTS, **options}
    for word in ("categorical", "legend", "highlight"):  # ("no" is no False)
        opts[word] = flag(name, word, opts[word])
    shown_on = _check_steps(name, steps, step_ids)
    mode = _check_time_mode(name, time, time_mode)
    style_kwds = _check_path_options(name, "style_kwds", opts["style_kwds"])
    own_style = {**style_kwds, **_check_style(name, style)}
    if opts["marker_type"] not in (None, "circle_marker"):
        raise _problem(name, "marker_type", f"{short_repr(opts['marker_type'])} is not supported: points are drawn as "
                                            "circle markers on a canvas (marker_type='circle_marker'); to draw folium "
                                            "Markers or Circles, pass a folium element as the data")
    marker = opts["marker_kwds"]
    radius = marker.get("radius") if isinstance(marker, dict) else None
    by_column = isinstance(radius, str) or _arrays(None, None, radius)
    marker_style = _check_path_options(name, "marker_kwds", marker, extra=("radius",) if by_column else ())
    color = PALETTE[index % len(PALETTE)]
    if isinstance(data, Element):
        elements = list(reachable(data))
        if any(isinstance(el, folium.Choropleth) for el in elements):
            raise _problem(name, "data", CHOROPLETH)
        for _, message in blocked(elements):  # (before "not a layer": a control, say why it cannot be)
            raise _problem(name, "data", message)
        if isinstance(data, HeatMapWithTime):  # (a Layer whose script adds a time control to its parent)
            raise _problem(name, "data", "a folium.plugins.HeatMapWithTime adds its time control to the map it sits on, "
                                         "and in a layer's group there is none: add it to story.map itself (it then "
                                         "shows on every step), or show points by time with add_layer(gdf, name, "
                                         "time='date'), each step showing its date")
        if isinstance(data, folium.Map) or not isinstance(data, _LAYERLIKE):
            raise _problem(name, "data", f"a folium {type(data).__name__} is not a layer; add_layer takes "
                                         "folium layers, markers and vector shapes (add controls to "
                                         "story.map directly) or geodata: " + _accepted())
        if tooltip is not None or popup is not None:
            raise _problem(name, "tooltip", "tooltip and popup name properties of geodata; for a folium "
                                            "element, give it a folium Tooltip or Popup instead")
        if time is not None:
            raise _problem(name, "time", "time names the column of each feature's date in geodata; a folium "
                                         "element has none (pass the geodata itself to show it by time)")
        if getattr(data, "show", True) is False:  # (a folium Layer's show=False: the steps decide)
            raise _problem(name, "data", f"the folium {type(data).__name__}'s show=False does not apply: a layer "
                                         "added to the story shows on its steps (steps=[...], every step without it) "
                                         "and on no other; leave show out")
        given = [w for w in EXPLORE_DEFAULTS if w not in ("style_kwds", "highlight") and _is_given(w, opts[w])]
        if given:
            raise _problem(name, given[0], f"{given[0]} styles geodata by its columns; a folium element keeps its "
                                           "own style (pass the geodata itself to colour it by a column)")
        # Every added layer starts off the map: the story adds it on its steps, once it has set up
        # the page (e.g. the data URIs of Leaflet's default marker icon).
        group = folium.FeatureGroup(name=name, overlay=True, control=False, show=False)
        if data._parent is not None:  # already on a map: move it into the group
            data._parent._children.pop(data.get_name(), None)
            data._parent = None
        group.add_child(data)
        heat = _first(data, lambda e: isinstance(e, HeatMap))
        gradient = _heat_gradient(name, heat) if heat is not None else None  # (its colours checked)
        if gradient is not None and not own_style:  # (its colours are its gradient's: the legend shows it)
            return Overlay(name, group, "area", {"color": "#8a949e", "fillColor": gradient}, shown_on)
        legend_style = own_style or _element_style(data) or {"color": color, "fillColor": color}
        return Overlay(name, group, _element_shape(data), legend_style, shown_on)
    arrays = _arrays(opts["column"], opts["color"], radius, time)
    where = f"layer {name!r}"
    if isinstance(data, (gpd.GeoDataFrame, gpd.GeoSeries)):
        data, arrays = _attach(data, name, arrays), {}
    # Every row read, those without geometry too: explore classifies the values of all of them
    # (and leaves the rows without geometry out only when it draws), so the classes and colours
    # are computed on these rows, then the drawn features keep theirs (``__storymap_row``).
    whole = raw_frame(data, where)
    whole = whole.copy() if whole is data else whole
    others = [c for c, dtype in whole.dtypes.items() if dtype == "geometry" and c != whole.geometry.name]
    whole = whole.drop(columns=others)  # other geometry columns are no properties (explore drops them too)
    label = whole.index.name
    if label is not None and str(label) not in [str(c) for c in whole.columns]:
        whole = whole.reset_index()  # a named index is a column to show, as explore's tooltip shows it
    texts = [str(c) for c in whole.columns]
    twice = list(dict.fromkeys(t for t in texts if texts.count(t) > 1))
    if twice:  # (frame["a"] would be a table, not a column; 1 and "1" are one name in the page)
        raise _problem(name, "data", f"more than one column is named {' or '.join(map(repr, twice))}; give each "
                                     "column a name of its own (e.g. gdf.columns = [...] or gdf.rename(columns=...))")
    for word, values in arrays.items():  # (other inputs: one value per feature read)
        _check_length(name, word, values, len(whole))
        whole[f"__storymap_{word}"] = _as_column(values, aligned=False)
    whole["__storymap_row"] = np.arange(len(whole))
    frame = to_geodataframe(whole, where=where)
    rows = frame["__storymap_row"].to_numpy()
    geometry = frame.geometry.name
    renamed = {c: str(c) for c in frame.columns if c != geometry and not isinstance(c, str)}
    frame, whole = frame.rename(columns=renamed), whole.rename(columns=renamed)
    columns = [c for c in frame.columns if c != geometry and not c.startswith("__storymap_")]
    shape = _shape(frame)
    column = opts["column"]
    if isinstance(column, (int, np.integer)) and not isinstance(column, bool) and str(column) in columns:
        column = str(column)  # (non-str column names were renamed)
    styling = data_style(whole, name, geometry=geometry, shape=shape, column=column, cmap=opts["cmap"],
                         color=opts["color"], categorical=opts["categorical"], categories=opts["categories"],
                         scheme=opts["scheme"], k=opts["k"], vmin=opts["vmin"], vmax=opts["vmax"],
                         classification_kwds=opts["classification_kwds"], legend=opts["legend"],
                         legend_kwds=opts["legend_kwds"], missing_kwds=opts["missing_kwds"])
    radii = point_radii(frame, name, radius, geometry) if by_column else None
    days = None if time is None else _feature_days(frame, name, time, geometry)
    codes = None if styling.codes is None else np.asarray(styling.codes)[rows]  # (the rows drawn)
    if styling.keep is not None:  # features whose value is missing are left out (explore leaves them black)
        keep = np.asarray(styling.keep, dtype=bool)[rows]
        if not keep.any():
            raise _problem(name, "column", f"every feature with a geometry has a missing value of "
                                           f"{short_repr(column) if isinstance(column, str) else 'the column'}: "
                                           "nothing to draw (missing_kwds={'color': ...} would draw them in one "
                                           "colour)")
        frame = frame[keep].reset_index(drop=True)
        codes = None if codes is None else codes[keep]
        radii = None if radii is None else radii[keep]
        days = None if days is None else days[keep]
    tip = _check_fields(name, "tooltip", tooltip, columns)
    pop = _check_fields(name, "popup", popup, columns)
    tip_options = _check_text_options(name, "tooltip_kwds", opts["tooltip_kwds"], tip)
    pop_options = _check_text_options(name, "popup_kwds", opts["popup_kwds"], pop)
    coloured = codes is not None
    color = styling.uniform or color
    base = dict(_DEFAULTS[shape])
    if coloured and shape == "area":
        base["fillOpacity"] = 0.5  # explore's: a choropleth reads at half opacity
    if shape == "point" or "radius" in marker_style:
        own_style = {**own_style, **{k: v for k, v in marker_style.items() if k != "radius" or not by_column}}
    drawn = {**base, "color": color, "fillColor": color, **own_style}
    if "color" in own_style and "fillColor" not in own_style:
        drawn["fillColor"] = own_style["color"]
    elif "fillColor" in own_style and "color" not in own_style:
        drawn["color"] = own_style["fillColor"]
    if shape == "point" and "weight" in own_style and "color" not in own_style:
        drawn["color"] = "#ffffff"
    stroke_follows = coloured and "color" not in own_style and not (shape == "point" and "weight" in own_style)
    if coloured:  # the legend row's swatch: the middle colour
        drawn["fillColor"] = styling.swatch
        if stroke_follows:
            drawn["color"] = styling.swatch
    highlight = None
    if opts["highlight"]:
        highlight = {**_HIGHLIGHT[shape], **_check_path_options(name, "highlight_kwds", opts["highlight_kwds"])}
        if shape == "line" and "weight" not in highlight:
            highlight["weight"] = drawn.get("weight", 2) + 2
    keep = [geometry] + list(dict.fromkeys((tip or []) + (pop or [])))
    if radii is not None:
        # (A point whose radius is missing is drawn at the layer's own radius, style={"radius": 4},
        # else at its typical one, as the legend's "missing" row shows it, not as a 3-px speck among
        # circles up to 20 px.)
        finite = radii[np.isfinite(radii)]
        fill = own_style.get("radius", float(np.median(finite)) if len(finite) else drawn.get("radius", 3))
        radii = np.where(np.isnan(radii), fill, radii)
    element = DataLayer(frame[keep], name, style=drawn, shape=shape, tooltip=tip, popup=pop,
                        labels=not isinstance(tooltip, str), show=False, palette=styling.palette, codes=codes,
                        radii=radii, stroke_follows=stroke_follows, highlight=highlight,
                        tooltip_options=tip_options, popup_options=pop_options, days=days,
                        time_mode=mode or "cumulative")
    return Overlay(name, element, shape, drawn, shown_on, key=styling.key, time=mode)


def _check_time_mode(name: str, time: Any, time_mode: Any) -> Optional[str]:
    """The layer's time mode: None without ``time``, else ``time_mode`` (``"cumulative"`` by default)."""
    if time is None:
        if time_mode is not None:
            raise _problem(name, "time_mode", "time_mode applies to a layer with times: name the column of each "
                                              "feature's date with time= (e.g. time=\"date\")")
        return None
    if time_mode is None:
        return "cumulative"
    if time_mode not in TIME_MODES:
        close = did_you_mean(time_mode, TIME_MODES)
        hint = f"did you mean {close!r}? " if close else ""
        raise _problem(name, "time_mode", f"unknown time mode {short_repr(time_mode)}; {hint}expected 'cumulative' "
                                          "(at each dated step, the features dated up to its end) or 'window' "
                                          "(only those inside the step's date or period)")
    return str(time_mode)


def _feature_days(frame: gpd.GeoDataFrame, name: str, time: Any, geometry: str) -> np.ndarray:
    """Each feature's day from the ``time`` column (or values), or a problem naming the values that
    are not times."""
    values, _ = column_values(name, "time", time, frame, geometry)
    days, bad = feature_days(values)
    if bad:
        shown = ", ".join(f"{short_repr(v)} (row {i})" for i, v in bad[:3]) + (f" and {len(bad) - 3} more"
                                                                             if len(bad) > 3 else "")
        numbers = all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for _, v in bad)
        # (astype(str) would not do: a column of years with a gap is of floats, '2024.0', and a year
        # before 1000 needs its four digits, '0044')
        column = time if isinstance(time, str) else "year"
        hint = (f"; numbers are not dates: for years, write them as four-digit text (e.g. frame[{column!r}]"
                ".astype(\"Int64\").map(\"{:04d}\".format, na_action=\"ignore\")), or convert with "
                "pandas.to_datetime" if numbers else "")
        raise _problem(name, "time", f"not a date: {shown}; expected {FEATURE_FORMS}, or None for a feature "
                                     f"without one{hint}")
    return days


def _accepted() -> str:
    from .geodata import ACCEPTED

    return ACCEPTED
