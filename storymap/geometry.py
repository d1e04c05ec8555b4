"""GeoJSON geometries as typed models, and the few geometric helpers the rest of storymap shares.

- :data:`Geometry`: an RFC 7946 geometry object, a discriminated union on ``type``
  (:class:`Point`, :class:`MultiPoint`, :class:`LineString`, :class:`MultiLineString`,
  :class:`Polygon`, :class:`MultiPolygon`, :class:`GeometryCollection`). Positions are GeoJSON
  ``[longitude, latitude]``; a value within :data:`CLAMP` of the range's end (as whole-world data
  often has: 180.00000000000006) is clamped to it; every other problem is reported with where it
  is, the value at full precision, and what was expected.
- :func:`family`: ``"point"``, ``"line"`` or ``"area"`` for any geometry (the one helper for it).
- :func:`bounds_union`: the one union of ``(west, south, east, north)`` boxes.
- The antimeridian: :func:`unwrap` makes a geometry split at ±180 (as RFC 7946 asks) continuous,
  and :func:`frame_start` / :func:`shift_into` put a story's places in one longitude frame, so
  that a route from Shanghai to Los Angeles is drawn and framed across the Pacific.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Iterable, Literal, Optional, Sequence, Union

import numpy as np
import shapely
import shapely.geometry
from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Tag, model_validator
from pydantic_core import PydanticCustomError
from shapely.validation import explain_validity

from .errors import short_repr

__all__ = [
    "Geometry", "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
    "GeometryCollection", "GEOMETRY_TYPES", "CLAMP", "family", "family_codes", "FAMILIES", "bounds_union",
    "unwrap", "frame_start", "shift_into", "clamp_lonlat", "Bounds",
]

GEOMETRY_TYPES = (
    "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection",
)
#: Coordinates this close beyond ±180 / ±90 are taken as the limit itself (floating-point noise
#: of reprojected whole-world data), not as errors.
CLAMP = 1e-8
#: ``(west, south, east, north)`` in degrees.
Bounds = tuple[float, float, float, float]


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("storymap", "{detail}", {"detail": message, "problems": [((), message)]})


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


def _clamp(value: float, limit: float) -> float:
    if limit < abs(value) <= limit + CLAMP:
        return math.copysign(limit, value)
    return value


def _position(value: Any) -> list[float]:
    if not isinstance(value, (list, tuple)) or len(value) < 2 or not all(_is_number(v) for v in value[:3]):
        raise _fail(f"expected a position [longitude, latitude], got {short_repr(value)}")
    lon, lat = _clamp(value[0], 180.0), _clamp(value[1], 90.0)
    problems = []
    if not -180 <= lon <= 180:
        problems.append(f"longitude {lon!r} is outside -180..180")
    if not -90 <= lat <= 90:
        hint = ("; GeoJSON positions are [longitude, latitude]: are the two swapped?"
                if -90 <= lon <= 90 and -180 <= lat <= 180 else "")
        problems.append(f"latitude {lat!r} is outside -90..90{hint}")
    if problems:
        raise PydanticCustomError("storymap", "{detail}",
                                  {"detail": "; ".join(problems), "problems": [((), p) for p in problems]})
    return [lon, lat, *value[2:3]]


def _positions(minimum: int) -> Any:
    def check(value: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            raise _fail(f"expected an array of positions, got {short_repr(value)}")
        if len(value) < minimum:
            raise _fail(f"{len(value)} position(s), at least {minimum} needed")
        return value
    return BeforeValidator(check)


def _array(what: str) -> Any:
    def check(value: Any) -> Any:
        if not isinstance(value, (list, tuple)) or not value:
            raise _fail(f"expected a non-empty array of {what}, got {short_repr(value)}")
        return value
    return BeforeValidator(check)


def _closed(ring: list[list[float]]) -> list[list[float]]:
    if ring[0][:2] != ring[-1][:2]:
        raise _fail(f"ring is not closed (first position {_plain(ring[0])!r} differs from last "
                    f"{_plain(ring[-1])!r}); repeat the first position at the end")
    return ring


def _plain(position: Sequence[float]) -> list[Any]:
    return [int(v) if float(v).is_integer() else v for v in position]


Position = Annotated[list[float], BeforeValidator(_position)]
Line = Annotated[list[Position], _positions(2)]
Ring = Annotated[list[Position], _positions(4)]


def _part_error(index: int, message: str) -> PydanticCustomError:
    """A problem with part ``index`` of a geometry's coordinates (a ring, a line), located there."""
    return PydanticCustomError("storymap", "{detail}",
                               {"detail": message, "problems": [(("coordinates", index), message)]})


def _rings_closed(rings: Iterable[list[list[float]]]) -> None:
    for r, ring in enumerate(rings):
        try:
            _closed(ring)
        except PydanticCustomError as exc:
            raise _part_error(r, exc.context["detail"] if exc.context else str(exc)) from None


class _Geometry(BaseModel):
    """Members every geometry shares; foreign members (RFC 7946 §6.1) are kept."""

    model_config = ConfigDict(extra="allow")

    bbox: Optional[list[float]] = None

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)

    @property
    def shape(self) -> shapely.Geometry:
        """The geometry as a shapely object."""
        return shapely.geometry.shape(self.__geo_interface__)

    def _check_valid(self) -> None:
        shape = self.shape
        if not shape.is_valid:
            raise _fail(f"invalid {self.type}: {_explain(shape)}")  # type: ignore[attr-defined]


class Point(_Geometry):
    type: Literal["Point"]
    coordinates: Position

    @property
    def shape(self) -> shapely.Geometry:
        return shapely.Point(self.coordinates)


class MultiPoint(_Geometry):
    type: Literal["MultiPoint"]
    coordinates: Annotated[list[Position], _positions(1)]


def _has_length(line: list[list[float]]) -> str | None:
    """Why a line draws nothing (every position the same point), or None."""
    if any(position[:2] != line[0][:2] for position in line):
        return None
    return (f"every position of the line is {_plain(line[0][:2])!r}: it has no length, and the map would draw "
            "nothing; make it a Point, or give the line a second place to go")


class LineString(_Geometry):
    type: Literal["LineString"]
    coordinates: Line

    @property
    def shape(self) -> shapely.Geometry:
        return shapely.LineString(self.coordinates)

    @model_validator(mode="after")
    def _valid(self) -> "LineString":
        why = _has_length(self.coordinates)
        if why:
            raise _fail(why)
        return self


class MultiLineString(_Geometry):
    type: Literal["MultiLineString"]
    coordinates: Annotated[list[Line], _array("lines")]

    @model_validator(mode="after")
    def _valid(self) -> "MultiLineString":
        for i, line in enumerate(self.coordinates):
            why = _has_length(line)
            if why:
                raise _part_error(i, why)
        return self


class Polygon(_Geometry):
    type: Literal["Polygon"]
    coordinates: Annotated[list[Ring], _array("linear rings")]

    @model_validator(mode="after")
    def _valid(self) -> "Polygon":
        _rings_closed(self.coordinates)
        self._check_valid()
        return self


class MultiPolygon(_Geometry):
    type: Literal["MultiPolygon"]
    coordinates: Annotated[list[Annotated[list[Ring], _array("linear rings")]], _array("polygons")]

    @model_validator(mode="after")
    def _valid(self) -> "MultiPolygon":
        for p, rings in enumerate(self.coordinates):
            try:
                _rings_closed(rings)
            except PydanticCustomError as exc:
                (loc, message), = exc.context["problems"]  # type: ignore[index]
                raise PydanticCustomError("storymap", "{detail}", {
                    "detail": message, "problems": [(("coordinates", p) + tuple(loc[1:]), message)]}) from None
        self._check_valid()
        return self


class GeometryCollection(_Geometry):
    type: Literal["GeometryCollection"]
    geometries: Annotated[list["Geometry"], _array("geometries")]

    @model_validator(mode="before")
    @classmethod
    def _not_too_deep(cls, data: Any) -> Any:
        depth, level = 0, [data]
        while level:
            level = [g for item in level if isinstance(item, dict) and item.get("type") == "GeometryCollection"
                     for g in (item.get("geometries") or []) if isinstance(item.get("geometries"), list)]
            depth += bool(level)
            if depth > 2:
                raise _fail("GeometryCollections nested too deeply; flatten them")
        return data


def _explain(shape: shapely.Geometry) -> str:
    """shapely's reason for invalidity, with the place it happens as [longitude, latitude]."""
    reason = explain_validity(shape)
    found = re.fullmatch(r"(.*?)\s*\[(\S+) (\S+)\]", reason)
    if not found:
        return reason
    what, x, y = found.groups()
    return f"{what} at [{x}, {y}] (longitude, latitude)"


def _geometry_tag(value: Any) -> Optional[str]:
    if isinstance(value, dict):
        tag = value.get("type")
        return tag if tag in GEOMETRY_TYPES else None
    return getattr(value, "type", None)


def _before_geometry(value: Any) -> Any:
    """Friendly messages for what the union cannot even be tried on."""
    if value is None:
        raise _fail("is null; a place needs a geometry")
    if hasattr(value, "__geo_interface__") and not isinstance(value, (dict, _Geometry)):
        value = dict(value.__geo_interface__)
    if isinstance(value, _Geometry):
        return value
    if not isinstance(value, dict):
        raise _fail(f"expected a GeoJSON geometry object, got {short_repr(value)}")
    if not value:
        raise _fail("is empty ({}); a place needs a geometry")
    gtype = value.get("type")
    if gtype not in GEOMETRY_TYPES:
        message = f"unknown geometry type {short_repr(gtype)}; expected one of {', '.join(GEOMETRY_TYPES)}"
        raise PydanticCustomError("storymap", "{detail}", {"detail": message, "problems": [(("type",), message)]})
    if gtype == "GeometryCollection":
        if not isinstance(value.get("geometries"), list) or not value["geometries"]:
            message = "empty GeometryCollection; expected a non-empty array of geometries"
            raise PydanticCustomError("storymap", "{detail}",
                                      {"detail": message, "problems": [(("geometries",), message)]})
    elif value.get("coordinates") in (None, []):
        raise _fail(f"empty {gtype}; expected coordinates")
    return value


#: Any GeoJSON geometry: the models above, told apart by ``type``.
Geometry = Annotated[
    Union[
        Annotated[Point, Tag("Point")], Annotated[MultiPoint, Tag("MultiPoint")],
        Annotated[LineString, Tag("LineString")], Annotated[MultiLineString, Tag("MultiLineString")],
        Annotated[Polygon, Tag("Polygon")], Annotated[MultiPolygon, Tag("MultiPolygon")],
        Annotated[GeometryCollection, Tag("GeometryCollection")],
    ],
    Discriminator(_geometry_tag),
    BeforeValidator(_before_geometry),
]
GeometryCollection.model_rebuild()


# Shared helpers --------------------------------------------------------------------------------

_FAMILY_OF_TYPE = {"Point": "point", "MultiPoint": "point", "LineString": "line", "MultiLineString": "line",
                   "LinearRing": "line", "Polygon": "area", "MultiPolygon": "area"}
#: The families, in the order of :func:`family_codes`.
FAMILIES = ("point", "line", "area")
#: shapely's type ids (Point 0, LineString 1, LinearRing 2, Polygon 3, Multi* 4–6) → family codes.
_FAMILY_CODE = np.array([0, 1, 1, 2, 0, 1, 2])


def family_codes(geoms: Any) -> np.ndarray:
    """:data:`FAMILIES` index of each single- or multi-part geometry of an array (vectorized
    :func:`family`; a GeometryCollection is not one family and raises ValueError)."""
    ids = shapely.get_type_id(np.asarray(geoms, dtype=object))
    if (ids > 6).any() or (ids < 0).any():
        raise ValueError("a GeometryCollection or missing geometry has no single family")
    return _FAMILY_CODE[ids]


def family(geometry: Any) -> str:
    """``"point"``, ``"line"`` or ``"area"``: how a geometry is drawn and which kinds fit it.

    Takes a GeoJSON mapping, a geometry model or a shapely geometry. A GeometryCollection has the
    family of its members when they agree, else ``"mixed"``.
    """
    if isinstance(geometry, shapely.Geometry):
        gtype = geometry.geom_type
        members = list(getattr(geometry, "geoms", [])) if gtype == "GeometryCollection" else None
    elif isinstance(geometry, _Geometry):  # a model: no dump needed
        gtype = geometry.type  # type: ignore[attr-defined]
        members = geometry.geometries if gtype == "GeometryCollection" else None  # type: ignore[attr-defined]
    else:
        data = geometry if isinstance(geometry, dict) else geometry.__geo_interface__
        gtype = data.get("type")
        members = data.get("geometries") if gtype == "GeometryCollection" else None
    if members is not None:
        families = {family(m) for m in members}
        return families.pop() if len(families) == 1 else "mixed"
    return _FAMILY_OF_TYPE.get(gtype, "mixed")


def bounds_union(boxes: Iterable[Sequence[float]]) -> Optional[Bounds]:
    """The box around ``(west, south, east, north)`` boxes; None when there are none."""
    array = np.asarray(list(boxes), dtype=float).reshape(-1, 4)
    if not len(array):
        return None
    return (float(array[:, 0].min()), float(array[:, 1].min()), float(array[:, 2].max()), float(array[:, 3].max()))


def clamp_lonlat(bounds: Sequence[float]) -> Bounds:
    """``bounds`` with values within :data:`CLAMP` past ±180 / ±90 pulled back to the limit."""
    west, south, east, north = (float(v) for v in bounds)
    return (_clamp(west, 180.0), _clamp(south, 90.0), _clamp(east, 180.0), _clamp(north, 90.0))


# Web Mercator ----------------------------------------------------------------------------------

#: The latitude where Web Mercator's square world ends, north and south.
MERCATOR_LIMIT = 85.0511287798


def mercator(lon: float, lat: float) -> tuple[float, float]:
    """Web Mercator at zoom 0, a 256-px world: ``(x, y)``, x east from the antimeridian, y south from
    the world's top (a latitude past :data:`MERCATOR_LIMIT` is taken at it)."""
    s = math.sin(math.radians(max(-MERCATOR_LIMIT, min(MERCATOR_LIMIT, lat))))
    return (lon + 180.0) / 360.0 * 256.0, (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * 256.0


def unmercator(x: float, y: float) -> tuple[float, float]:
    """The inverse of :func:`mercator`: ``(lon, lat)``."""
    return x / 256.0 * 360.0 - 180.0, math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * y / 256.0))))


# The antimeridian ------------------------------------------------------------------------------

def _crosses(lons: np.ndarray) -> bool:
    return bool(len(lons)) and (bool((np.abs(lons) >= 180 - 1e-9).any()) or bool((np.abs(np.diff(lons)) > 180).any()))


def _continuous(coords: np.ndarray) -> np.ndarray:
    """A sequence of positions with no jump over 180° in longitude (±360 added where it jumps)."""
    out = coords.copy()
    if len(out) > 1:
        jumps = np.diff(out[:, 0])
        out[1:, 0] -= 360.0 * np.cumsum(np.round(jumps / 360.0))
    return out


def unwrap(shape: shapely.Geometry) -> shapely.Geometry:
    """``shape`` drawn continuously across the antimeridian.

    A geometry that touches ±180 or jumps over it between two positions is made continuous:
    each line or ring by adding ±360° where it jumps, then each part moved by a multiple of 360°
    next to the first one, so a line split at 180 as RFC 7946 asks (``[[170, 0], [180, 5]]`` and
    ``[[-180, 5], [-170, 10]]``) becomes one line from 170 to 190, and an area split there one
    area (its halves joined, with no edge along 180). Other geometries are returned as they are.
    """
    if shape.is_empty or not _crosses(shapely.get_coordinates(shape)[:, 0]):
        return shape
    parts = list(getattr(shape, "geoms", [shape])) if shape.geom_type.startswith("Multi") else [shape]
    fixed = []
    reference = None
    for part in parts:
        part = _continuous_part(part)
        middle = (part.bounds[0] + part.bounds[2]) / 2
        if reference is None:
            reference = middle
        else:
            part = shapely.transform(part, lambda xy, k=360.0 * round((reference - middle) / 360.0): xy + [k, 0])
        fixed.append(part)
    if shape.geom_type in ("MultiPolygon", "MultiLineString"):
        return _joined_at_seam(shape, fixed)
    if shape.geom_type.startswith("Multi") or shape.geom_type == "GeometryCollection":
        return type(shape)(fixed) if shape.geom_type != "GeometryCollection" else shapely.GeometryCollection(fixed)
    return fixed[0]


def _joined_at_seam(shape: shapely.Geometry, fixed: list[shapely.Geometry]) -> shapely.Geometry:
    """``shape``'s parts, made continuous (``fixed``), with those that were split at 180 joined:
    the halves of an area one area (no outline drawn along the seam), the halves of a line one
    line in its own direction (its dashes and arrows run on). Only the parts that touch ±180 in
    ``shape`` are joined; the others stay as they were, in their order."""
    at_seam = [i for i, part in enumerate(getattr(shape, "geoms", [])) if not part.is_empty and
               bool((np.abs(shapely.get_coordinates(part)[:, 0]) >= 180 - 1e-9).any())]
    if len(at_seam) < 2:
        return type(shape)(fixed)
    if shape.geom_type == "MultiPolygon":
        joined = shapely.union_all([fixed[i] for i in at_seam])
        pieces = list(getattr(joined, "geoms", [joined])) if joined.geom_type in ("Polygon", "MultiPolygon") else None
    else:
        joined = shapely.line_merge(shapely.MultiLineString([fixed[i] for i in at_seam]), directed=True)
        pieces = list(getattr(joined, "geoms", [joined])) if joined.geom_type in ("LineString", "MultiLineString") else None
    if not pieces:
        return type(shape)(fixed)
    parts = fixed[:at_seam[0]] + pieces + [part for i, part in enumerate(fixed) if i > at_seam[0] and i not in at_seam]
    return parts[0] if len(parts) == 1 else type(shape)(parts)


def _continuous_part(part: shapely.Geometry) -> shapely.Geometry:
    # A step from -180 to 180 is a crossing of the antimeridian (no step at all, east of it) or a
    # sweep round the whole world: a line or a ring that made continuous shrinks to nothing (the
    # world's box, the equator from -180 to 180) was a sweep, and is drawn as given.
    if part.geom_type == "LineString":
        line = shapely.LineString(_continuous(shapely.get_coordinates(part)))
        return part if line.length < 1e-9 < part.length else line
    if part.geom_type == "Polygon":
        exterior = _continuous(np.asarray(part.exterior.coords))
        if abs(exterior[-1, 0] - exterior[0, 0]) > 180 or shapely.Polygon(exterior).area < 1e-9 < part.area:
            # A ring round a pole (Natural Earth's Antarctica: along the coast from -180 to 180,
            # then back along the pole): made continuous it would not close. It is drawn as given,
            # as is the world's box (made continuous, a line along -180).
            return part
        holes = []
        for ring in part.interiors:
            hole = _continuous(np.asarray(ring.coords))
            hole[:, 0] += 360.0 * round((exterior[:, 0].mean() - hole[:, 0].mean()) / 360.0)
            holes.append(hole)
        return shapely.Polygon(exterior, holes)
    if part.geom_type == "GeometryCollection":
        return unwrap(part)
    return part


#: The standard -180..180 frame is kept unless another one is this many degrees narrower.
FRAME_PREFERENCE = 20.0
#: Degrees a frame starts before its westernmost place (far above rounding errors, far below a metre).
FRAME_SLACK = 1e-7


def frame_start(spans: Iterable[tuple[float, float]], steps: Sequence[Sequence[int]] = ()) -> float:
    """Where a story's longitude frame starts, given the ``(west, east)`` of each place (unwrapped).

    The frame is the 360° window that holds every place with the smallest total span: it starts
    after the widest empty gap between places. The standard frame (-180) is kept when it is
    within :data:`FRAME_PREFERENCE` degrees of the best.

    When the places cover every longitude (a voyage round the world, a line spanning the globe),
    no window is narrower than another; ``steps`` (the indexes in ``spans`` of each step's places)
    then choose it: the frame in which the steps span the least in all, so that a step across the
    Pacific in a story that goes round the world is drawn and framed across the Pacific.
    """
    spans = list(spans)
    intervals = sorted(((w % 360.0, (w % 360.0) + (e - w)) for w, e in spans), key=lambda iv: iv[0])
    if not intervals:
        return -180.0
    # Walk round the circle twice to find the widest gap between covered stretches, counting the
    # gaps of the second round only: in the first, a place reaching past 360° (round from the far
    # end) has not been met yet, and the stretch it covers would look empty.
    best_gap, best_start = -1.0, -180.0
    reach = intervals[0][1]
    circle = intervals + [(w + 360.0, e + 360.0) for w, e in intervals]
    for west, east in circle[1:]:
        if west >= 360.0 and west > reach and west - reach > best_gap:
            best_gap, best_start = west - reach, west
        reach = max(reach, east)
    if best_gap < 0:  # the places cover every longitude
        return _frame_for_steps(spans, steps)
    # A hair before the westernmost place: moved round the circle and back, its longitude may come
    # back a rounding error past itself, and the place would then be moved a whole turn east, to
    # the far end of the frame (Paris at 362.35° in a Paris–Tokyo–Los Angeles story). The span is
    # measured in that frame too: measured from the place itself, London (-0.0754°) went a turn
    # east, the frame looked no narrower than the standard one, and a step over the Bering Strait
    # in a story with London spanned the world.
    start = ((best_start + 180.0) % 360.0) - 180.0 - FRAME_SLACK
    if _span_in(intervals, -180.0) <= _span_in(intervals, start) + FRAME_PREFERENCE:
        return -180.0
    return start


def _frame_for_steps(spans: Sequence[tuple[float, float]], steps: Sequence[Sequence[int]]) -> float:
    """The frame start (:func:`frame_start`) in which the steps' places span the least longitude in
    all; -180 unless another start saves more than :data:`FRAME_PREFERENCE` degrees."""
    groups = [list(dict.fromkeys(g)) for g in steps if len(g) > 1]  # (a step of one place spans it anyway)
    if not groups:
        return -180.0
    index = np.concatenate([np.asarray(g, dtype=np.intp) for g in groups])
    firsts = np.cumsum([0] + [len(g) for g in groups[:-1]])
    bounds = np.asarray(spans, dtype=float).reshape(-1, 2)[index]
    middles = bounds.sum(axis=1) / 2
    # Each place changes copy where the frame passes its middle: those are the starts to try (a hair
    # before each middle, as frame_start's), on a 0.5° grid when there are more.
    candidates = np.unique(((middles + 180.0) % 360.0) - 180.0 - FRAME_SLACK)
    if len(candidates) > 720:
        candidates = np.arange(-180.0, 180.0, 0.5)

    def total(start: float) -> float:
        k = 360.0 * np.ceil((start - middles) / 360.0)
        west, east = bounds[:, 0] + k, bounds[:, 1] + k
        return float((np.maximum.reduceat(east, firsts) - np.minimum.reduceat(west, firsts)).sum())

    standard = total(-180.0)
    best, start = min((total(c), float(c)) for c in candidates)
    return -180.0 if standard <= best + FRAME_PREFERENCE else start


def _span_in(intervals: Sequence[tuple[float, float]], start: float) -> float:
    """The longitude span of the intervals, each moved into the frame starting at ``start``
    (:func:`shift_into` for all of them at once)."""
    spans = np.asarray(intervals, dtype=float).reshape(-1, 2)
    k = 360.0 * np.ceil((start - spans.sum(axis=1) / 2) / 360.0)
    return float((spans[:, 1] + k).max() - (spans[:, 0] + k).min())


def into_frame(shapes: np.ndarray, middle: float = 0.0) -> np.ndarray:
    """``shapes`` (an array of geometries, a data layer's) as the story draws its places: each that
    crosses the antimeridian made continuous (:func:`unwrap`: Russia's Chukotka next to the rest of
    Russia, not a world away), then each moved by whole turns so that its middle lies within 180°
    of ``middle``, the middle of the story's places in its frame (0 in the standard frame: shapes
    keep their longitudes). Shapes already there are the same objects."""
    out = np.asarray(shapes, dtype=object).copy()
    if not len(out):
        return out
    bounds = shapely.bounds(out)
    with np.errstate(invalid="ignore"):
        seam = (bounds[:, 0] <= -180 + 1e-9) | (bounds[:, 2] >= 180 - 1e-9) | (bounds[:, 2] - bounds[:, 0] > 180)
    for i in np.flatnonzero(seam):
        out[i] = unwrap(out[i])
    if seam.any():
        bounds[seam] = shapely.bounds(out[seam])
    middles = np.nan_to_num((bounds[:, 0] + bounds[:, 2]) / 2, nan=middle)
    turns = np.ceil((middle - 180.0 - middles) / 360.0)
    for k in np.unique(turns[turns != 0]):
        moved = turns == k
        out[moved] = shapely.transform(out[moved], lambda xy, k=float(k): xy + [360.0 * k, 0])
    return out


def shift_into(longitude: float, start: float) -> float:
    """The multiple of 360° that moves ``longitude`` into the frame ``[start, start + 360)``."""
    return 360.0 * math.ceil((start - longitude) / 360.0)
