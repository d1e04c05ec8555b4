"""pydantic models for places, steps and the story: the one place that validates.

Everything downstream (loading, rendering, the CLI) receives these models, never raw dicts.
An error names the field and shows the offending value; all problems of one object are reported
together by pydantic.
"""

from __future__ import annotations

import difflib
import math
import re
from functools import cached_property
from typing import Any, Collection, NamedTuple, NoReturn, Optional, Sequence

import numpy as np
import shapely
import shapely.geometry
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError
from shapely.validation import explain_validity

from .errors import field_path, short_repr
from .kinds import KINDS
from .types import (
    Coast, Direction, HttpUrl, Identifier, Language, Layout, LocationPrecision, NonEmptyText, Zoom,
)

__all__ = [
    "Source", "Place", "View", "Step", "StoryMeta", "StoryData", "Finding", "check_geometry",
    "geometry_problems", "duplicate_ids", "unknown_places", "swapped_places", "GEOMETRY_TYPES",
]

GEOMETRY_TYPES = (
    "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection",
)


class Source(BaseModel):
    """A public source a place's position or facts come from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: NonEmptyText
    url: HttpUrl


#: Where a problem lies inside the object checked, as a pydantic-style location.
Loc = tuple[Any, ...]


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


def _check_position(pos: Any, at: Loc, problems: list[tuple[Loc, str]]) -> None:
    if not isinstance(pos, (list, tuple)) or len(pos) < 2 or not all(_is_number(v) for v in pos[:3]):
        problems.append((at, f"expected a position [longitude, latitude], got {short_repr(pos)}"))
        return
    lon, lat = pos[0], pos[1]
    if not -180 <= lon <= 180:
        problems.append((at, f"longitude {lon!r} is outside -180..180"))
    if not -90 <= lat <= 90:
        hint = ("; GeoJSON positions are [longitude, latitude]: are the two swapped?"
                if -90 <= lon <= 90 and -180 <= lat <= 180 else "")
        problems.append((at, f"latitude {lat!r} is outside -90..90{hint}"))


def _check_positions(coords: Any, at: Loc, minimum: int, problems: list[tuple[Loc, str]]) -> bool:
    if not isinstance(coords, (list, tuple)):
        problems.append((at, f"expected an array of positions, got {short_repr(coords)}"))
        return False
    if len(coords) < minimum:
        problems.append((at, f"{len(coords)} position(s), at least {minimum} needed"))
        return False
    before = len(problems)
    for i, pos in enumerate(coords):
        _check_position(pos, at + (i,), problems)
    return len(problems) == before


def _check_rings(rings: Any, at: Loc, problems: list[tuple[Loc, str]]) -> None:
    if not isinstance(rings, (list, tuple)) or not rings:
        problems.append((at, f"expected an array of linear rings, got {short_repr(rings)}"))
        return
    for r, ring in enumerate(rings):
        if _check_positions(ring, at + (r,), 4, problems) and list(ring[0][:2]) != list(ring[-1][:2]):
            problems.append((
                at + (r,),
                f"ring is not closed (first position {list(ring[0])!r} differs from last {list(ring[-1])!r}); "
                "repeat the first position at the end",
            ))


def _explain(shape: shapely.Geometry) -> str:
    """shapely's reason for invalidity, with the place it happens as [longitude, latitude]."""
    reason = explain_validity(shape)
    found = re.fullmatch(r"(.*?)\s*\[(\S+) (\S+)\]", reason)
    if not found:
        return reason
    what, x, y = found.groups()
    return f"{what} at [{x}, {y}] (longitude, latitude)"


def geometry_problems(geometry: Any, at: Loc = (), *, depth: int = 0) -> list[tuple[Loc, str]]:
    """Every problem of a GeoJSON geometry object, each with its location inside it."""
    if geometry is None:
        return [(at, "is null; a place needs a geometry")]
    if not isinstance(geometry, dict):
        return [(at, f"expected a GeoJSON geometry object, got {short_repr(geometry)}")]
    if not geometry:
        return [(at, "is empty ({}); a place needs a geometry")]
    gtype = geometry.get("type")
    if gtype not in GEOMETRY_TYPES:
        expected = ", ".join(GEOMETRY_TYPES)
        return [(at + ("type",), f"unknown geometry type {short_repr(gtype)}; expected one of {expected}")]
    problems: list[tuple[Loc, str]] = []
    if gtype == "GeometryCollection":
        members = geometry.get("geometries")
        if not isinstance(members, list) or not members:
            return [(at + ("geometries",), "empty GeometryCollection; expected a non-empty array of geometries")]
        if depth >= 2:
            return [(at, "GeometryCollections nested too deeply; flatten them")]
        for i, member in enumerate(members):
            problems += geometry_problems(member, at + ("geometries", i), depth=depth + 1)
        return problems
    coords = geometry.get("coordinates")
    where = at + ("coordinates",)
    if coords is None or coords == []:
        return [(at, f"empty {gtype}; expected coordinates")]
    if gtype == "Point":
        _check_position(coords, where, problems)
    elif gtype == "MultiPoint":
        _check_positions(coords, where, 1, problems)
    elif gtype == "LineString":
        _check_positions(coords, where, 2, problems)
    elif gtype in ("MultiLineString", "MultiPolygon"):
        if not isinstance(coords, list):
            what = "lines" if gtype == "MultiLineString" else "polygons"
            problems.append((where, f"expected an array of {what}, got {short_repr(coords)}"))
        else:
            for i, part in enumerate(coords):
                if gtype == "MultiLineString":
                    _check_positions(part, where + (i,), 2, problems)
                else:
                    _check_rings(part, where + (i,), problems)
    elif gtype == "Polygon":
        _check_rings(coords, where, problems)
    if problems:
        return problems
    try:
        shape = shapely.geometry.shape(geometry)
    except Exception as exc:  # noqa: BLE001 - shapely/GEOS refusing the structure, whatever it raises
        return [(at, f"not a readable {gtype}: {exc}")]
    if not shape.is_valid:
        problems.append((at, f"invalid {gtype}: {_explain(shape)}"))
    return problems


def check_geometry(geometry: Any, where: str = "geometry") -> list[str]:
    """Check a GeoJSON geometry object; return every problem found, each naming where.

    Checks the structure (RFC 7946 types, positions, minimum counts, closed rings), coordinate
    ranges and, through shapely, validity (e.g. a self-intersecting polygon and where it crosses).
    Never raises, whatever ``geometry`` is.
    """
    return [f"{where}{field_path(loc, nested=True)}: {message}" for loc, message in geometry_problems(geometry)]


def _raise_problems(problems: Sequence[tuple[Loc, str]]) -> NoReturn:
    """Raise one pydantic error that carries several problems, each with its own location.

    :func:`storymap.errors.problems_from_validation` turns each into its own line.
    """
    detail = "\n".join(f"{field_path(loc)}: {msg}" if loc else msg for loc, msg in problems)
    raise PydanticCustomError("storymap", "{detail}", {"detail": detail, "problems": list(problems)})


class Place(BaseModel):
    """A place of the story: a GeoJSON Feature with narrative properties.

    Unknown properties are kept (nothing a journalist adds is lost) but not shown.
    """

    model_config = ConfigDict(extra="allow")

    id: Identifier
    name: NonEmptyText
    kind: str
    annotation: NonEmptyText = Field(description="Markdown narrative tying the place to the story.")
    sources: list[Source] = Field(min_length=1)
    date: Optional[str] = None
    period: Optional[str] = None
    location_precision: LocationPrecision = "exact"
    coast: Optional[Coast] = None
    direction: Optional[Direction] = None
    geometry: dict[str, Any]

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"unknown kind {value!r}; expected one of {', '.join(KINDS)}")
        return value

    @field_validator("geometry", mode="before")
    @classmethod
    def _valid_geometry(cls, value: Any) -> Any:
        problems = geometry_problems(value)
        if problems:
            _raise_problems(problems)
        return value

    @model_validator(mode="after")
    def _corridor_fields(self) -> "Place":
        if self.kind == "corridor" and (self.coast is None or self.direction is None):
            raise ValueError("a corridor needs `coast` (pacific, caribbean, land) and `direction` (e.g. northbound)")
        return self

    @cached_property
    def shape(self) -> shapely.Geometry:
        """The place's geometry as a shapely object."""
        return shapely.geometry.shape(self.geometry)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(west, south, east, north)`` of the geometry."""
        return tuple(self.shape.bounds)  # type: ignore[return-value]

    @classmethod
    def from_feature(cls, feature: dict[str, Any]) -> "Place":
        """Build a place from a GeoJSON Feature mapping (``id`` at the top level)."""
        props = dict(feature.get("properties") or {})
        return cls.model_validate({**props, "id": feature.get("id"), "geometry": feature.get("geometry")})

    def to_feature(self) -> dict[str, Any]:
        """The place as a GeoJSON Feature mapping (round-trips :meth:`from_feature`)."""
        props = self.model_dump(mode="json", exclude={"id", "geometry"}, exclude_none=True)
        return {"type": "Feature", "id": self.id, "properties": props, "geometry": self.geometry}

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        return self.to_feature()


class View(BaseModel):
    """An explicit map view for a step: a center and zoom, or bounds."""

    model_config = ConfigDict(extra="forbid")

    center: Optional[tuple[float, float]] = Field(default=None, description="[latitude, longitude]")
    zoom: Optional[Zoom] = None
    bounds: Optional[tuple[tuple[float, float], tuple[float, float]]] = Field(
        default=None, description="[[south, west], [north, east]]"
    )

    @model_validator(mode="after")
    def _one_of(self) -> "View":
        if self.bounds is None and (self.center is None or self.zoom is None):
            raise ValueError("a view needs either `bounds` or both `center` and `zoom`")
        if self.center is not None:
            lat, lon = self.center
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError(f"center {list(self.center)!r} is not [latitude, longitude]")
        return self


class Step(BaseModel):
    """One step of the story: what the reader sees and reads at that point."""

    model_config = ConfigDict(extra="forbid")

    id: Identifier
    title: NonEmptyText
    narrative: str = Field(default="", description="Markdown.")
    places: list[Identifier] = Field(default_factory=list)
    description: Optional[str] = Field(
        default=None, description="A short text description of what the map shows (for screen readers)."
    )
    view: Optional[View] = None
    max_zoom: Optional[Zoom] = Field(default=None, description="Never zoom in further than this when fitting.")


class StoryMeta(BaseModel):
    """The story's own fields: ``story.toml`` without its steps."""

    model_config = ConfigDict(extra="forbid")

    title: NonEmptyText
    subtitle: str = ""
    byline: str = ""
    lang: Language = "en"
    layout: Layout = "slides"


class StoryData(StoryMeta):
    """A whole story: metadata, places and the ordered steps."""

    places: list[Place] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> "StoryData":
        problems: list[tuple[Loc, str]] = []
        for i, first in duplicate_ids([p.id for p in self.places]):
            problems.append((("places", i, "id"),
                             f"duplicate place id {self.places[i].id!r} (first used by places[{first}])"))
        for i, first in duplicate_ids([s.id for s in self.steps]):
            problems.append((("steps", i, "id"),
                             f"duplicate step id {self.steps[i].id!r} (first used by steps[{first}])"))
        for f in unknown_places([s.places for s in self.steps], {p.id for p in self.places}):
            problems.append((("steps", f.index) + f.loc, f.message))
        for f in swapped_places(self.places):
            problems.append((("places", f.index) + f.loc, f.message))
        if problems:
            _raise_problems(problems)
        return self

    def place(self, place_id: str) -> Place:
        """The place with this id (KeyError otherwise)."""
        for place in self.places:
            if place.id == place_id:
                return place
        raise KeyError(place_id)


# Checks across objects -------------------------------------------------------------------------
# Used by StoryData and by the loader (which runs them on whatever part of a broken story is
# valid, so that every problem is reported in one run, each against its file).


class Finding(NamedTuple):
    """A problem found across objects: the index of the object, where inside it, and what."""

    index: int
    loc: Loc
    message: str


def duplicate_ids(ids: Sequence[Any]) -> list[tuple[int, int]]:
    """``(index, index of first use)`` of every id used again; ids that are not strings are ignored."""
    seen: dict[str, int] = {}
    found = []
    for i, value in enumerate(ids):
        if not isinstance(value, str):
            continue
        if value in seen:
            found.append((i, seen[value]))
        else:
            seen[value] = i
    return found


def unknown_places(step_places: Sequence[Any], known: Collection[str]) -> list[Finding]:
    """Steps naming a place that does not exist, with the closest known id as a suggestion.

    ``step_places`` holds each step's list of place ids (anything else is skipped).
    """
    found = []
    choices = sorted(known)
    for i, ids in enumerate(step_places):
        if not isinstance(ids, list):
            continue
        for j, pid in enumerate(ids):
            if isinstance(pid, str) and pid not in known:
                close = difflib.get_close_matches(pid, choices, n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                found.append(Finding(i, ("places", j), f"unknown place {short_repr(pid)}{hint}"))
    return found


#: A place is "far" from the story when the median distance to the others is more than this (degrees).
_FAR_DEGREES = 10.0


def swapped_places(places: Sequence[Place]) -> list[Finding]:
    """Places whose coordinates look like [latitude, longitude] instead of [longitude, latitude].

    Each place is compared with the others by the median of its distances to them (robust: a
    few stray places, other swapped ones included, barely move a median). A place is reported
    when it lies far from the others, and swapped it would lie among them: its median distance
    swapped is a quarter of what it is now or less, and no more than the story's typical one.
    Needs at least three places.
    """
    if len(places) < 3:
        return []
    bounds = np.array([place.bounds for place in places], dtype=float)
    centres = np.column_stack([(bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2])
    # Compared with at most ~200 places, evenly spread through the list: linear time however many.
    sample = np.unique(np.linspace(0, len(centres) - 1, min(len(centres), 201)).round().astype(int))

    def median_distance(points: np.ndarray) -> np.ndarray:
        """For each point, the median (Chebyshev, in degrees) distance to the sampled places but its own."""
        gaps = np.abs(points[:, None, :] - centres[sample][None, :, :]).max(axis=2)
        gaps[sample, np.arange(len(sample))] = np.nan
        return np.nanmedian(gaps, axis=1)

    now = median_distance(centres)
    swapped = median_distance(centres[:, ::-1])
    typical = float(np.median(now))
    mx, my = np.median(centres, axis=0)
    found = []
    for i in np.flatnonzero((now > _FAR_DEGREES) & (swapped * 4 <= now) & (swapped <= typical)):
        x, y = centres[i]
        found.append(Finding(int(i), ("geometry",), (
            f"coordinates look swapped: the place lies at longitude {x:.4g}, latitude {y:.4g}, far from "
            f"the story's other places (around longitude {mx:.4g}, latitude {my:.4g}); swapped, it would "
            "lie among them: GeoJSON positions are [longitude, latitude]"
        )))
    return found
