"""The embedded, low-detail basemap: land, inland water, borders and country labels, so the
story reads with no network.

The data is Natural Earth 1:10m (public domain), prepared once by ``scripts/prepare_basemap.py``
and shipped in ``storymap/data/`` (``basemap.npz``: geometry; ``basemap.json``: labels in 26
languages and the record of where it all came from). Countries come from Natural Earth's default
edition, which draws boundaries as they are on the ground, not as one country sees them.

At render time :func:`basemap_data` cuts out the region around the story's places, in the
story's longitude frame (see the design notes: a story across the antimeridian has longitudes
beyond ±180, and the basemap follows), and simplifies it: finely near the places, coarsely far
away. The region holds the places with a margin, and reaches as far as a page's view of them all,
on one of the screens of ``SCREENS``, goes well past that (a story across the world shows the
world, Arctic included): there only as finely as that view shows it. "Near" is found on a grid of ``CELL``-degree cells marked under the places' vertices and
widened by a few cells, so the cost grows with the number of vertices and the size of the
region, never with the places' pairwise geometry.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from io import BytesIO
from itertools import combinations
from typing import TYPE_CHECKING, Any, Optional, Sequence

import numpy as np
import shapely
from shapely.errors import GEOSException

from .encoding import encode_lines, encode_polygons, whole
from .geometry import mercator, unmercator
from .i18n import direction

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["basemap_data", "natural_earth", "natural_earth_land", "NaturalEarth", "label_language"]

#: Coordinates in the page are integers in 1/SCALE degree (about 110 m).
SCALE = 1000
#: Degrees of margin around the story's places.
MARGIN = 8.0
#: The screens a page is made for: the map's width and height (px) and the part of its width that
#: the text panel covers (at its left; a right-to-left story's at its right), where the page fits
#: the places beside it (story.js: a step's view): a desktop, a phone upright (the text in a sheet
#: below the map) and a phone on its side (a 320-px panel). The map shows under the panel's side
#: too, above and below the panel, and past the panel's edge when a reader pans: the basemap
#: reaches there as well.
SCREENS = ((1280, 800, 430), (390, 464, 0), (844, 390, 332))
#: Pixels the page keeps between the places and the map's edges when it fits them.
PAD = 24
#: Zoom levels a view may go out beyond that fit to make room for its places' labels (story.js,
#: ``_labelView``, tries one, one and a half, then two).
LABEL_ZOOM_OUT = 1.0
#: Beyond the margin, land and borders are as fine as this many pixels of the closest view that
#: reaches there (zoomed out for its labels); rivers stop at the margin.
OUTER_PIXELS = 2.0
#: Degrees a view may reach past the margin before the basemap reaches as far.
REACH_SLACK = 1.0
#: The map's least zoom (render.py); a map narrower than the world at that zoom goes down to the
#: zoom where the world fills its width (story.js), in steps of ZOOM_SNAP.
MIN_ZOOM = 2.0
ZOOM_SNAP = 0.25
#: Web Mercator's latitude limit (a little over, so the land reaches the map's edge).
MAX_LAT = 85.06
#: Size (degrees) of the grid cells that decide the level of detail.
CELL = 0.2
#: Levels of detail near the places: (distance in cells, tolerance in degrees, largest area in
#: square degrees at that tolerance: past it the tolerance grows, so that thousands of scattered
#: places do not ask for the whole world in fine detail).
LEVELS = ((2, 0.001, 60.0), (5, 0.004, 600.0))
#: Tolerance (degrees) far from every place.
COARSE = 0.06
#: Far from the places, land parts and lakes smaller than these (square degrees) are dropped.
MIN_LAND_AREA = 0.004
MIN_LAKE_AREA = 0.05
#: Rivers of Natural Earth scalerank up to this are drawn everywhere; smaller ones only near.
RIVER_RANK = 4
#: Countries with a label rank up to this are labelled.
LABEL_RANK = 5
#: Countries smaller than this (square degrees: reefs, banks, Gibraltar) are not labelled.
LABEL_MIN_AREA = 0.001
#: A country whose label point is out of the region is labelled on its visible part if that
#: part is at least this big (square degrees).
LABEL_AREA = 2.0
#: A country's name longer than this (characters) is set in lines, as maps stack long names: two
#: up to twice as long, three beyond ("RÉPUBLIQUE / POPULAIRE DE CHINE", not one line across its
#: neighbours).
LABEL_LINE = 20
#: The smallest quadtree node (degrees) zones are clipped to before an overlay (see _Quadtree).
NODE = 4.0
#: At most this many rectangles describe a level's cells (coarser cells beyond).
MAX_RECTS = 1000

ATTRIBUTION = "Natural Earth: land, water and borders (public domain)"


# Data -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Layer:
    geoms: np.ndarray
    tree: shapely.STRtree
    extra: Optional[np.ndarray] = None  # per geometry: rank, label row or country pair


@dataclass(frozen=True)
class NaturalEarth:
    """The packaged Natural Earth data (coordinates -180…180)."""

    land: _Layer
    lakes: _Layer
    rivers: _Layer
    borders: _Layer
    countries: _Layer
    labels: list[dict[str, Any]]
    languages: tuple[str, ...]
    record: dict[str, Any]


def _read(name: str) -> bytes:
    return resources.files("storymap").joinpath("data", name).read_bytes()


def _coords(arrays: Any, name: str, scale: int) -> np.ndarray:
    return np.cumsum(arrays[f"{name}_xy"].astype(np.int64), axis=0) / scale


def _offsets(counts: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])


def _polygons(arrays: Any, name: str, scale: int) -> np.ndarray:
    return shapely.from_ragged_array(shapely.GeometryType.POLYGON, _coords(arrays, name, scale),
                                     (_offsets(arrays[f"{name}_rings"]), _offsets(arrays[f"{name}_polys"])))


def _lines(arrays: Any, name: str, scale: int) -> np.ndarray:
    return shapely.from_ragged_array(shapely.GeometryType.LINESTRING, _coords(arrays, name, scale),
                                     (_offsets(arrays[f"{name}_parts"]),))


def _layer(geoms: np.ndarray, extra: Optional[np.ndarray] = None) -> _Layer:
    return _Layer(geoms, shapely.STRtree(geoms), extra)


@lru_cache(maxsize=1)
def natural_earth() -> NaturalEarth:
    """The packaged basemap data, loaded once."""
    record = json.loads(_read("basemap.json").decode("utf-8"))
    labels = record.pop("labels")
    with np.load(BytesIO(_read("basemap.npz"))) as arrays:
        scale = int(arrays["scale"])
        return NaturalEarth(
            land=_layer(_polygons(arrays, "land", scale)),
            lakes=_layer(_polygons(arrays, "lakes", scale), arrays["lakes_rank"]),
            rivers=_layer(_lines(arrays, "rivers", scale), arrays["rivers_rank"]),
            borders=_layer(_lines(arrays, "borders", scale), arrays["borders_pair"]),
            countries=_layer(_polygons(arrays, "countries", scale), arrays["countries_label"]),
            labels=labels,
            languages=tuple(record["languages"]),
            record=record,
        )


def stacked(name: str) -> str:
    """A country's name as its label sets it: longer than :data:`LABEL_LINE` characters, in two
    lines (three when over twice as long), broken at spaces where the longest line is shortest; a
    name without spaces (Chinese, Japanese) stays one line."""
    words = name.split(" ")
    count = min(len(words), 1 if len(name) <= LABEL_LINE else 2 if len(name) <= 2 * LABEL_LINE else 3)
    if count < 2:
        return name
    ways = ([" ".join(words[a:b]) for a, b in zip((0, *breaks), (*breaks, len(words)))]
            for breaks in combinations(range(1, len(words)), count - 1))
    return "\n".join(min(ways, key=lambda lines: max(map(len, lines))))


def natural_earth_land() -> "gpd.GeoDataFrame":
    """Natural Earth's land (all countries dissolved) as a GeoDataFrame in EPSG:4326."""
    import geopandas as gpd

    return gpd.GeoDataFrame(geometry=natural_earth().land.geoms.copy(), crs="EPSG:4326")


def label_language(lang: str) -> str:
    """The Natural Earth name column for a language tag (``"es-MX"`` → ``"es"``,
    ``"zh-Hant"`` → ``"zht"``); ``"en"`` for a language Natural Earth has no names in."""
    parts = lang.lower().replace("_", "-").split("-")
    key = parts[0]
    if key == "zh" and any(p in ("hant", "tw", "hk", "mo") for p in parts[1:]):
        key = "zht"
    return key if key in natural_earth().languages else "en"


# The region and its levels of detail -------------------------------------------------------

def _region(bounds: tuple[float, float, float, float], margin: float) -> tuple[float, float, float, float]:
    west, south, east, north = bounds
    west, east = west - margin, east + margin
    if east - west > 360.0:
        middle = (west + east) / 2
        west, east = middle - 180.0, middle + 180.0
    return west, max(-MAX_LAT, south - margin), east, min(MAX_LAT, north + margin)


def _seen(bounds: tuple[float, float, float, float], panel_sides: tuple[bool, bool] = (True, False)
          ) -> list[tuple[tuple[float, float, float, float], float]]:
    """What each of ``SCREENS`` shows when a page fits ``bounds`` beside its panel and then goes
    ``LABEL_ZOOM_OUT`` further out for the labels: ``((west, south, east, north), zoom)``, the
    places in the middle of the free part, and the map under the panel on its side
    (``panel_sides``: (west, east); a page in a left-to-right and a right-to-left language, both)."""
    west, south, east, north = bounds
    x0, y1 = mercator(west, south)
    x1, y0 = mercator(east, north)
    out = []
    for width, height, panel in SCREENS:
        least = min(MIN_ZOOM, math.ceil(math.log2(width / 256.0) / ZOOM_SNAP) * ZOOM_SNAP)
        fit = min(math.log2(max(width - panel - 2 * PAD, 1) / max(x1 - x0, 1e-9)),
                  math.log2(max(height - 2 * PAD, 1) / max(y1 - y0, 1e-9)))
        zoom = max(least, math.floor(fit / ZOOM_SNAP) * ZOOM_SNAP - LABEL_ZOOM_OUT)
        half_x, half_y = (width - panel) / 2 / 2.0 ** zoom, height / 2 / 2.0 ** zoom
        middle, lon, under = (west + east) / 2, 360.0 * half_x / 256.0, 360.0 * panel / 256.0 / 2.0 ** zoom
        out.append(((middle - lon - under * panel_sides[0], unmercator(0.0, min(256.0, (y0 + y1) / 2 + half_y))[1],
                     middle + lon + under * panel_sides[1], unmercator(0.0, max(0.0, (y0 + y1) / 2 - half_y))[1]), zoom))
    return out


def _seen_around(lon: float, lat: float, zoom: float) -> list[tuple[tuple[float, float, float, float], float]]:
    """What each of ``SCREENS`` shows of a view centred on ``(lon, lat)`` at ``zoom`` (a step's
    ``view = {center, zoom}``), as :func:`_seen` says it, the panel's width on both sides (the page
    may move the centre into the part the panel leaves free)."""
    cx, cy = mercator(lon, lat)
    out = []
    for width, height, panel in SCREENS:
        half_x, half_y = (width / 2 + panel) / 2.0 ** zoom, height / 2 / 2.0 ** zoom
        out.append(((lon - 360.0 * half_x / 256.0, unmercator(0.0, min(256.0, cy + half_y))[1],
                     lon + 360.0 * half_x / 256.0, unmercator(0.0, max(0.0, cy - half_y))[1]), zoom))
    return out


def _reach(inner: tuple[float, float, float, float], seen: list[tuple[tuple[float, float, float, float], float]],
           margin: float) -> tuple[tuple[float, float, float, float], list[tuple[tuple[float, float, float, float], float]]]:
    """The region: ``inner`` (the places and their margin), reaching as far as a view of ``seen``
    goes past it by more than ``margin`` (a view a half world wide or more: all the world's width);
    and the views that made it reach, ``(box, zoom)`` (none where none did)."""
    west, south, east, north = inner
    reached = []
    for (w, s_, e, n), zoom in seen:
        if e - w >= 180.0:
            w, e = (inner[0] + inner[2]) / 2 - 180.0, (inner[0] + inner[2]) / 2 + 180.0
            margin_x = -1.0
        else:
            margin_x = margin
        sides = (min(west, w) if inner[0] - w > margin_x else west, min(south, s_) if inner[1] - s_ > margin else south,
                 max(east, e) if e - inner[2] > margin_x else east, max(north, n) if n - inner[3] > margin else north)
        if sides != (west, south, east, north):
            west, south, east, north = sides
            reached.append(((w, s_, e, n), zoom))
    return _region((west, south, east, north), 0.0), reached


def _rings(inner: tuple[float, float, float, float], region: tuple[float, float, float, float],
           reached: list[tuple[tuple[float, float, float, float], float]]) -> list[tuple[shapely.Geometry, float]]:
    """The region past ``inner`` cut into rings, each as fine as OUTER_PIXELS of the closest of the
    ``reached`` views that shows it (the rest, between views, as the farthest shows it): a story
    whose step shows a continent and another the world has the continent in the first's detail
    and the rest of the world in the second's, not all of it in the finer."""
    taken, out = shapely.box(*inner), []
    whole = shapely.box(*region)
    for box, zoom in sorted(reached, key=lambda view: -view[1]):
        area = shapely.intersection(shapely.box(*box), whole)
        ring = shapely.difference(area, taken)
        taken = shapely.union(taken, area)
        if not ring.is_empty:
            out.append((ring, max(COARSE, OUTER_PIXELS * 360.0 / 256.0 / 2.0 ** zoom)))
    rest = shapely.difference(whole, taken)
    if not rest.is_empty and reached:
        out.append((rest, max(COARSE, OUTER_PIXELS * 360.0 / 256.0 / 2.0 ** min(z for _, z in reached))))
    return out


def _vertices(geoms: np.ndarray) -> np.ndarray:
    """The places' vertices, with lines and outlines densified to one vertex a cell."""
    kinds = shapely.get_type_id(geoms)
    points = (kinds == 0) | (kinds == 4)
    coords = [shapely.get_coordinates(geoms[points])]
    if (~points).any():
        coords.append(shapely.get_coordinates(shapely.segmentize(geoms[~points], CELL)))
    xy = np.concatenate(coords)
    return xy[np.isfinite(xy).all(axis=1)]


def _dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """Cells within ``radius`` cells (a square) of a marked cell."""
    h, w = mask.shape
    total = np.zeros((h + 1, w + 1), dtype=np.int32)
    total[1:, 1:] = mask.cumsum(axis=0, dtype=np.int32).cumsum(axis=1, dtype=np.int32)
    rows, cols = np.arange(h), np.arange(w)
    r0, r1 = np.clip(rows - radius, 0, h), np.clip(rows + radius + 1, 0, h)
    c0, c1 = np.clip(cols - radius, 0, w), np.clip(cols + radius + 1, 0, w)
    window = (total[np.ix_(r1, c1)] - total[np.ix_(r0, c1)] - total[np.ix_(r1, c0)] + total[np.ix_(r0, c0)])
    return window > 0


def _coarsen(mask: np.ndarray) -> np.ndarray:
    """Cells twice the size: marked if any of the four is."""
    h, w = mask.shape
    padded = np.zeros((h + h % 2, w + w % 2), dtype=bool)
    padded[:h, :w] = mask
    return padded.reshape(padded.shape[0] // 2, 2, padded.shape[1] // 2, 2).any(axis=(1, 3))


def _rectangles(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """The marked cells as rectangles ``(col0, row0, col1, row1)``: runs of each row, merged
    with the same run in the rows below."""
    done: list[tuple[int, int, int, int]] = []
    open_: dict[tuple[int, int], int] = {}
    h, w = mask.shape
    for row in range(h + 1):
        runs: set[tuple[int, int]] = set()
        if row < h:
            edges = np.flatnonzero(np.diff(np.concatenate([[0], mask[row].view(np.int8), [0]])))
            runs = set(zip(edges[::2].tolist(), edges[1::2].tolist()))
        for run in [r for r in open_ if r not in runs]:
            done.append((run[0], open_.pop(run), run[1], row))
        for run in runs:
            open_.setdefault(run, row)
    return sorted(done)


def _runs_count(mask: np.ndarray) -> int:
    return int(np.count_nonzero(mask[:, 0]) + np.count_nonzero(mask[:, 1:] & ~mask[:, :-1]))


def _mask_polygon(mask: np.ndarray, x0: float, y0: float) -> tuple[shapely.Geometry, float]:
    """The union of the marked cells, and the area they cover (square degrees)."""
    cell = CELL
    while _runs_count(mask) > MAX_RECTS:
        mask, cell = _coarsen(mask), cell * 2
    rects = _rectangles(mask)
    if not rects:
        return shapely.Polygon(), 0.0
    r = np.asarray(rects, dtype=float)
    boxes = shapely.box(x0 + r[:, 0] * cell, y0 + r[:, 1] * cell, x0 + r[:, 2] * cell, y0 + r[:, 3] * cell)
    return shapely.union_all(boxes), float(mask.sum()) * cell * cell


@dataclass(frozen=True)
class _Zones:
    near: list[tuple[shapely.Geometry, float]]  # (area, tolerance), finest first, disjoint
    covered: Optional[shapely.Geometry]  # their union; the rest of the region is far
    # The places' box with its margin, where far is COARSE; beyond it (what a page's view shows
    # past the margin) rings, each with its tolerance (disjoint, finest first), where land smaller
    # than the ring's views show is dropped.
    inner: Optional[tuple[float, float, float, float]] = None
    outer: tuple[tuple[shapely.Geometry, float], ...] = ()


def _zones(geoms: np.ndarray, region: tuple[float, float, float, float]) -> _Zones:
    """Nested zones around the places, finest first; the rest of the region is far."""
    west, south, east, north = region
    x0, y0 = math.floor(west / CELL) * CELL, math.floor(south / CELL) * CELL
    w, h = max(1, math.ceil((east - x0) / CELL)), max(1, math.ceil((north - y0) / CELL))
    xy = _vertices(geoms)
    marks = np.zeros((h, w), dtype=bool)
    cols = np.clip(np.floor((xy[:, 0] - x0) / CELL).astype(np.int64), 0, w - 1)
    rows = np.clip(np.floor((xy[:, 1] - y0) / CELL).astype(np.int64), 0, h - 1)
    marks[rows, cols] = True
    near: list[tuple[shapely.Geometry, float]] = []
    covered: Optional[shapely.Geometry] = None
    for radius, tolerance, largest in LEVELS:
        area, size = _mask_polygon(_dilate(marks, radius), x0, y0)
        if area.is_empty:
            continue
        if size > largest:
            tolerance = tolerance * math.sqrt(size / largest)
        if tolerance >= COARSE:
            break
        ring = area if covered is None else shapely.difference(area, covered)
        covered = area if covered is None else shapely.union(covered, area)
        if not ring.is_empty:
            near.append((ring, tolerance))
    if covered is not None:
        shapely.prepare(covered)
    return _Zones(near, covered)


# Cutting the layers ------------------------------------------------------------------------

def _window(layer: _Layer, region: tuple[float, float, float, float], lines: bool,
            keep: Optional[np.ndarray] = None) -> tuple[np.ndarray, np.ndarray]:
    """The layer's geometries clipped to ``region`` in the story's frame (copies shifted by
    multiples of 360° as the region needs), and the index of each in the layer."""
    west, south, east, north = region
    out, index = [], []
    for k in range(math.floor((west + 180.0) / 360.0), math.floor((east + 180.0) / 360.0) + 1):
        shift = 360.0 * k
        w, e = max(west - shift, -180.0), min(east - shift, 180.0)
        if w >= e:
            continue
        found = np.sort(layer.tree.query(shapely.box(w, south, e, north)))
        if keep is not None:
            found = found[keep[found]]
        if not len(found):
            continue
        clipped = shapely.clip_by_rect(layer.geoms[found], w, south, e, north)
        if not lines:  # a clip may leave a polygon invalid; only those cut by the window can be
            b = shapely.bounds(layer.geoms[found])
            cut = (b[:, 0] < w) | (b[:, 1] < south) | (b[:, 2] > e) | (b[:, 3] > north)
            cut[cut] = ~shapely.is_valid(clipped[cut])
            clipped[cut] = shapely.make_valid(clipped[cut])
        if shift:
            clipped = shapely.transform(clipped, lambda c: c + np.array([shift, 0.0]))
        good = ~shapely.is_empty(clipped)
        out.append(clipped[good])
        index.append(found[good])
    if not out:
        return np.array([], dtype=object), np.array([], dtype=np.int64)
    return np.concatenate(out), np.concatenate(index)


def _parts(geoms: np.ndarray, lines: bool) -> np.ndarray:
    parts = np.asarray(geoms, dtype=object)
    while len(parts) and (shapely.get_type_id(parts) >= 4).any():
        parts = shapely.get_parts(parts)
    wanted = np.isin(shapely.get_type_id(parts), (1, 2) if lines else (3,))
    return parts[wanted & ~shapely.is_empty(parts)]


class _Quadtree:
    """Geometries placed in a quadtree over the region: each in the smallest node (down to
    about ``NODE`` degrees) whose box holds its bounds. An overlay with a zone then clips the zone
    down the tree, so each geometry meets only the part of the zone around it and the whole
    zone is read once a level, not once a geometry. A simplified geometry stays in its node."""

    def __init__(self, geoms: np.ndarray, region: tuple[float, float, float, float]):
        west, south, east, north = region
        self.origin = (west, south)
        self.size = (max(east - west, 1e-9), max(north - south, 1e-9))
        depth = max(0, int(math.log2(max(self.size) / NODE)))
        b = shapely.bounds(geoms) if len(geoms) else np.zeros((0, 4))
        node = np.zeros((len(geoms), 3), dtype=np.int64)  # depth, column, row
        for d in range(1, depth + 1):
            n = 2 ** d
            c0 = np.floor((b[:, 0] - west) / self.size[0] * n)
            c1 = np.floor((b[:, 2] - west) / self.size[0] * n)
            r0 = np.floor((b[:, 1] - south) / self.size[1] * n)
            r1 = np.floor((b[:, 3] - south) / self.size[1] * n)
            fits = (c0 == c1) & (r0 == r1) & (c0 >= 0) & (c0 < n) & (r0 >= 0) & (r0 < n)
            node[fits] = np.column_stack([np.full(fits.sum(), d), c0[fits], r0[fits]])
        self.node = node

    def _box(self, d: int, c: int, r: int) -> tuple[float, float, float, float]:
        n = 2 ** d
        w, h = self.size[0] / n, self.size[1] / n
        x, y = self.origin[0] + c * w, self.origin[1] + r * h
        pad = CELL  # a geometry on a node's edge still meets the zone just beyond it
        return x - pad, y - pad, x + w + pad, y + h + pad

    def apply(self, op: Any, area: shapely.Geometry, geoms: np.ndarray) -> np.ndarray:
        """``op(geom, area)`` for each of ``geoms`` (aligned with the tree's), in order."""
        if not len(geoms):
            return np.empty(0, dtype=object)
        keys, inverse = np.unique(self.node, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        order = np.argsort(inverse, kind="stable")
        starts = np.searchsorted(inverse[order], np.arange(len(keys) + 1))
        members = {tuple(k): order[starts[i]:starts[i + 1]] for i, k in enumerate(keys.tolist())}
        used = set()
        for d, c, r in members:
            for up in range(d, -1, -1):
                used.add((up, c >> (d - up), r >> (d - up)))
        zone = np.empty(len(geoms), dtype=object)  # each geometry's part of the zone
        stack = [((0, 0, 0), area)]
        while stack:
            key, local = stack.pop()
            mine = members.get(key)
            if mine is not None:
                zone[mine] = local
            d, c, r = key
            for child in ((d + 1, 2 * c, 2 * r), (d + 1, 2 * c + 1, 2 * r),
                          (d + 1, 2 * c, 2 * r + 1), (d + 1, 2 * c + 1, 2 * r + 1)):
                if child in used:
                    stack.append((child, shapely.clip_by_rect(local, *self._box(*child))))
        try:
            return op(geoms, zone)
        except GEOSException:  # pragma: no cover - a topology error on odd input: repair, retry
            return op(shapely.make_valid(geoms), shapely.make_valid(zone))


def _simplify(geoms: np.ndarray, tolerance: float, lines: bool) -> np.ndarray:
    """Douglas-Peucker (fast); the rare polygon it leaves invalid is repaired."""
    simple = shapely.simplify(geoms, tolerance, preserve_topology=False)
    if not lines and len(simple):
        bad = ~shapely.is_valid(simple)
        simple[bad] = shapely.make_valid(simple[bad])
    return simple


def _cut(geoms: np.ndarray, zones: _Zones, region: tuple[float, float, float, float], lines: bool,
         min_far_area: float = 0.0, far: bool = True, beyond: bool = True) -> list[np.ndarray]:
    """``geoms`` simplified to each zone's tolerance, then cut to that zone: single parts (none
    far away unless ``far``, none beyond the margin unless ``beyond``).

    Simplifying before cutting keeps the cuts exact: pieces of two zones meet along the zone's
    edge, with no sliver between them, and the overlays work on fewer vertices.
    """
    cuts = []  # (pieces, the least area of a polygon kept)
    hits = np.zeros(len(geoms), dtype=bool)
    if zones.covered is not None and len(geoms):
        hits = shapely.intersects(geoms, zones.covered)
    if hits.any():
        tree = _Quadtree(geoms[hits], region)
        for area, tolerance in zones.near:
            cuts.append((tree.apply(shapely.intersection, area, _simplify(geoms[hits], tolerance, lines)), 0.0))
    if far:
        simple = _simplify(geoms, COARSE, lines)
        if hits.any():
            cut = tree.apply(shapely.difference, zones.covered, simple[hits])
            simple = np.concatenate([simple[~hits], cut])
        if zones.inner is not None and len(geoms):
            # Beyond the margin: coarser, and land smaller than the view shows is dropped.
            box = shapely.box(*zones.inner)
            out_of = _out_of(simple, zones.inner)
            simple[out_of] = shapely.intersection(simple[out_of], box)
            outside = geoms[_out_of(geoms, zones.inner)] if beyond else geoms[:0]
            for ring, tolerance in zones.outer if len(outside) else ():
                past = shapely.intersection(_simplify(outside, tolerance, lines), ring)
                cuts.append((past, max(min_far_area, (2 * tolerance) ** 2)))
        cuts.append((simple, min_far_area))
    out = []
    for pieces, least in cuts:
        parts = _parts(pieces, lines)
        if not lines and least:
            parts = parts[shapely.area(parts) >= least]
        out.append(parts)
    return out


def _out_of(geoms: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """Which of ``geoms`` are not wholly inside ``box``."""
    b = shapely.bounds(geoms)
    return ~((b[:, 0] >= box[0]) & (b[:, 1] >= box[1]) & (b[:, 2] <= box[2]) & (b[:, 3] <= box[3]))


def _encode(parts: list[np.ndarray], lines: bool) -> Optional[dict[str, Any]]:
    geoms = np.concatenate(parts) if parts else np.array([], dtype=object)
    if not len(geoms):
        return None
    encoded, _ = (encode_lines if lines else encode_polygons)(geoms, SCALE, text=True)
    return encoded


def _labels(data: NaturalEarth, region: tuple[float, float, float, float], langs: Sequence[str],
            max_rank: int) -> list[list[Any]]:
    west, south, east, north = region
    keys = [label_language(lang) for lang in langs]
    shapes, rows = _window(data.countries, region, lines=False)
    owner = data.countries.extra[rows] if len(rows) else np.array([], dtype=np.int64)
    out = []
    for i, row in enumerate(data.labels):
        if row["rank"] > max_rank or row["area"] < LABEL_MIN_AREA:
            continue
        x, y = row["at"]
        anchor = None
        if south <= y <= north:
            for k in range(math.floor((west - x) / 360.0), math.floor((east - x) / 360.0) + 1):
                if west <= x + 360.0 * k <= east:
                    anchor = (x + 360.0 * k, y)
                    break
        if anchor is None:
            # A large country whose label point lies out of view (a big neighbour seen from a small one):
            # label its biggest visible part instead.
            mine = shapes[owner == i]
            if not len(mine) or shapely.area(mine).sum() < LABEL_AREA:
                continue
            point = shapely.point_on_surface(mine[int(np.argmax(shapely.area(mine)))])
            anchor = (point.x, point.y)
        names = [stacked(row["names"].get(key) or row["names"]["en"]) for key in keys]
        out.append([whole(round(anchor[1], 2)), whole(round(anchor[0], 2)), row["rank"], whole(row["min_zoom"]), *names])
    return out


def basemap_data(shapes: Sequence[shapely.Geometry], *, langs: Sequence[str] = ("en",),
                 margin: float = MARGIN, max_rank: int = LABEL_RANK,
                 boxes: Sequence[tuple[float, float, float, float]] = (),
                 views: Sequence[tuple[float, float, float]] = ()) -> dict[str, Any]:
    """Land, inland water, borders and country labels around ``shapes``, for ``L.storymap.basemap``.

    Parameters
    ----------
    shapes : sequence of shapely geometries
        The places, in the story's longitude frame (longitudes may lie beyond ±180).
    langs : sequence of str
        Languages of the labels' names (BCP 47 tags; Natural Earth has names in 26 languages,
        others fall back to English). Each label carries one name per language, in this order.
    margin : float
        Degrees of map around the places.
    max_rank : int
        Label countries of Natural Earth ``LABELRANK`` up to this (1 the most prominent).
    boxes : sequence of (west, south, east, north)
        Other boxes a page fits (a step's ``view = {bounds}``, a layer added from Python), in the
        story's longitude frame: the basemap reaches as far as a view of each does, there only as
        finely as that view shows it.
    views : sequence of (lon, lat, zoom)
        A step's ``view = {center, zoom}`` in the story's frame: the basemap reaches as far as it
        shows, as finely as it shows it.

    Returns
    -------
    dict
        ``{scale, langs, region?, land?, water?, rivers?, borders?, labels, attribution}``:
        ``region`` (the box the data covers), ``land`` and ``water`` (lakes) are polygons, ``rivers``
        and ``borders`` lines, in the encoding of
        :mod:`storymap.encoding` at ``scale``; ``labels`` is ``[[lat, lon, rank, min_zoom, name,
        ...], ...]`` from the most prominent (``min_zoom``: Natural Earth's ``MIN_LABEL``, the
        zoom from which a web map labels the country). The same input gives the same output.
    """
    out: dict[str, Any] = {"scale": SCALE, "langs": list(langs)}
    geoms = np.asarray([g for g in shapes if g is not None and not g.is_empty], dtype=object)
    bounds = shapely.bounds(geoms) if len(geoms) else np.zeros((0, 4))
    finite = np.isfinite(bounds).all(axis=1)
    if not finite.any():
        return {**out, "labels": [], "attribution": ""}
    geoms, bounds = geoms[finite], bounds[finite]
    box = (float(bounds[:, 0].min()), float(bounds[:, 1].min()), float(bounds[:, 2].max()), float(bounds[:, 3].max()))
    inner = _region(box, margin)
    rtl = [direction(lang) == "rtl" for lang in langs]
    sides = (not all(rtl), any(rtl))
    seen = _seen(box, sides) + [far for other in boxes for far in _seen(other, sides)]
    region, reached = _reach(inner, seen + [far for view in views for far in _seen_around(*view)], REACH_SLACK)
    data = natural_earth()
    zones = _zones(geoms, region)
    if reached:
        # Beyond the margin, as fine as OUTER_PIXELS of the closest view that shows it.
        zones = _Zones(zones.near, zones.covered, inner, tuple(_rings(inner, region, reached)))

    land, _ = _window(data.land, region, lines=False)
    lakes, _ = _window(data.lakes, region, lines=False)
    major = data.rivers.extra <= RIVER_RANK
    rivers, _ = _window(data.rivers, region, lines=True, keep=major)
    minor, _ = _window(data.rivers, region, lines=True, keep=~major)
    borders, _ = _window(data.borders, region, lines=True)

    # (An older shapely hands GEOS's NaN bounds of an empty piece to NumPy, which warns of them: not
    # the user's concern.)
    with np.errstate(invalid="ignore"):
        layers = {
            # The region itself: the page draws the map outside it as not mapped, not as sea.
            "region": _encode([np.array([shapely.box(*region)])], False),
            "land": _encode(_cut(land, zones, region, False, MIN_LAND_AREA), False),
            "water": _encode(_cut(lakes, zones, region, False, MIN_LAKE_AREA), False),
            # (Rivers stop at the margin: past it they are the edge of a view zoomed out.)
            "rivers": _encode(_cut(rivers, zones, region, True, beyond=False) + _cut(minor, zones, region, True,
                                                                                   far=False), True),
            "borders": _encode(_cut(borders, zones, region, True), True),
        }
    out.update({name: value for name, value in layers.items() if value})
    out["labels"] = _labels(data, region, langs, max_rank)
    out["attribution"] = ATTRIBUTION
    return out
