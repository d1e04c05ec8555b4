"""pydantic models for places, steps and the story: the one place that validates.

Everything downstream (loading, rendering, the CLI) receives these models, never raw dicts.
An error names the field and shows the offending value; all problems of one object are reported
together by pydantic.
"""

from __future__ import annotations

import difflib
import math
from functools import cached_property
from typing import Any, Optional

import shapely
import shapely.geometry
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from shapely.validation import explain_validity

from .kinds import KINDS
from .types import Coast, Direction, HttpUrl, Identifier, Layout, LocationPrecision, NonEmptyText, Zoom

__all__ = ["Source", "Place", "View", "Step", "StoryData", "check_geometry", "GEOMETRY_TYPES"]

GEOMETRY_TYPES = (
    "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection",
)


class Source(BaseModel):
    """A public source a place's position or facts come from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: NonEmptyText
    url: HttpUrl


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_position(pos: Any, where: str, problems: list[str]) -> None:
    if not isinstance(pos, (list, tuple)) or len(pos) < 2 or not all(_is_number(v) for v in pos[:3]):
        problems.append(f"{where}: expected a position [longitude, latitude], got {pos!r}")
        return
    lon, lat = pos[0], pos[1]
    if not -180 <= lon <= 180:
        problems.append(f"{where}: longitude {lon!r} is outside -180..180")
    if not -90 <= lat <= 90:
        problems.append(f"{where}: latitude {lat!r} is outside -90..90")


def _check_positions(coords: Any, where: str, minimum: int, problems: list[str]) -> bool:
    if not isinstance(coords, (list, tuple)):
        problems.append(f"{where}: expected an array of positions, got {coords!r}")
        return False
    if len(coords) < minimum:
        problems.append(f"{where}: {len(coords)} position(s), at least {minimum} needed")
        return False
    before = len(problems)
    for i, pos in enumerate(coords):
        _check_position(pos, f"{where}[{i}]", problems)
    return len(problems) == before


def _check_rings(rings: Any, where: str, problems: list[str]) -> None:
    if not isinstance(rings, (list, tuple)) or not rings:
        problems.append(f"{where}: expected an array of linear rings, got {rings!r}")
        return
    for r, ring in enumerate(rings):
        if _check_positions(ring, f"{where}[{r}]", 4, problems) and list(ring[0][:2]) != list(ring[-1][:2]):
            problems.append(
                f"{where}[{r}]: ring is not closed (first position {list(ring[0])!r} "
                f"differs from last {list(ring[-1])!r})"
            )


def check_geometry(geometry: Any, where: str = "geometry") -> list[str]:
    """Check a GeoJSON geometry object; return every problem found, each naming where.

    Checks the structure (RFC 7946 types, positions, minimum counts, closed rings), coordinate
    ranges and, through shapely, validity (e.g. a self-intersecting polygon and where it crosses).
    """
    problems: list[str] = []
    if geometry is None:
        return [f"{where}: is null; a place needs a geometry"]
    if not isinstance(geometry, dict):
        return [f"{where}: expected a GeoJSON geometry object, got {geometry!r}"]
    gtype = geometry.get("type")
    if gtype not in GEOMETRY_TYPES:
        return [f"{where}.type: unknown geometry type {gtype!r}; expected one of {', '.join(GEOMETRY_TYPES)}"]
    if gtype == "GeometryCollection":
        members = geometry.get("geometries")
        if not isinstance(members, list) or not members:
            return [f"{where}.geometries: a GeometryCollection needs a non-empty array of geometries"]
        for i, member in enumerate(members):
            problems += check_geometry(member, f"{where}.geometries[{i}]")
        return problems
    coords = geometry.get("coordinates")
    at = f"{where}.coordinates"
    if coords is None or coords == []:
        return [f"{where}: empty {gtype}; expected coordinates"]
    if gtype == "Point":
        _check_position(coords, at, problems)
    elif gtype == "MultiPoint":
        _check_positions(coords, at, 1, problems)
    elif gtype == "LineString":
        _check_positions(coords, at, 2, problems)
    elif gtype == "MultiLineString":
        if not isinstance(coords, list):
            problems.append(f"{at}: expected an array of lines, got {coords!r}")
        else:
            for i, line in enumerate(coords):
                _check_positions(line, f"{at}[{i}]", 2, problems)
    elif gtype == "Polygon":
        _check_rings(coords, at, problems)
    elif gtype == "MultiPolygon":
        if not isinstance(coords, list):
            problems.append(f"{at}: expected an array of polygons, got {coords!r}")
        else:
            for i, rings in enumerate(coords):
                _check_rings(rings, f"{at}[{i}]", problems)
    if problems:
        return problems
    try:
        shape = shapely.geometry.shape(geometry)
    except Exception as exc:  # shapely/GEOS refusing the structure
        return [f"{where}: not a readable {gtype}: {exc}"]
    if not shape.is_valid:
        problems.append(f"{where}: invalid {gtype}: {explain_validity(shape)}")
    return problems


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
        problems = check_geometry(value, "geometry")
        if problems:
            raise ValueError("; ".join(p.removeprefix("geometry").lstrip(":. ") or p for p in problems))
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


class StoryData(BaseModel):
    """A whole story: metadata, places and the ordered steps."""

    model_config = ConfigDict(extra="forbid")

    title: NonEmptyText
    subtitle: str = ""
    byline: str = ""
    lang: NonEmptyText = "en"
    layout: Layout = "slides"
    places: list[Place] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> "StoryData":
        problems: list[str] = []
        problems += _duplicates([p.id for p in self.places], "place")
        problems += _duplicates([s.id for s in self.steps], "step")
        known = {p.id for p in self.places}
        for i, step in enumerate(self.steps):
            for pid in step.places:
                if pid not in known:
                    close = difflib.get_close_matches(pid, sorted(known), n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    problems.append(f"steps[{i}] ({step.id!r}).places: unknown place {pid!r}{hint}")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def place(self, place_id: str) -> Place:
        """The place with this id (KeyError otherwise)."""
        for place in self.places:
            if place.id == place_id:
                return place
        raise KeyError(place_id)


def _duplicates(ids: list[str], what: str) -> list[str]:
    seen: dict[str, int] = {}
    problems = []
    for i, value in enumerate(ids):
        if value in seen:
            problems.append(f"duplicate {what} id {value!r} (first at index {seen[value]}, again at {i})")
        else:
            seen[value] = i
    return problems
