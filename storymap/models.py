"""pydantic models for a story: the one place that validates.

A story is :class:`StoryData`: its own fields (:class:`StoryMeta`), its kinds (:class:`~storymap.kinds.Kind`),
its places (:class:`Place`, each a GeoJSON Feature with a typed geometry) and its steps (:class:`Step`).
Everything downstream (loading, rendering, the CLI) receives these models, never raw dicts.

Validating a :class:`StoryData` checks every part and then, once, what spans parts: unique ids,
the places each step names, each place's kind and the properties its kind asks for, swapped
coordinates (of places and of steps' views). A broken part never hides the problems of the rest:
the checks across parts run on whatever is readable, and every problem is reported in one error,
each with its location (``places[3].properties.kind``), which :mod:`storymap.load` maps back to a
file and a feature.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from functools import cached_property
from typing import Any, Callable, Collection, Iterable, Literal, NamedTuple, NoReturn, Optional, Sequence

import numpy as np
import shapely
from pathlib import Path

from pydantic import (
    BaseModel, ConfigDict, Field, PrivateAttr, TypeAdapter, ValidationError, ValidationInfo, field_validator,
    model_validator,
)

from .dates import Span, parse_date, parse_period, step_span
from .errors import (StoryError, Suggester, field_path, json_text, located_problems, problems_from_validation,
                     short_repr, validation_problems)
from .geometry import GEOMETRY_TYPES, MERCATOR_LIMIT, Geometry, bounds_union, family, mercator, unmercator, unwrap
from .geometry import Point as PointGeometry
from .kinds import DEFAULT_KIND, GENERIC_KINDS, Kind
from .translations import StoryLanguage, Translation, check_translations
from .types import GENERIC_FONTS, Color, FontStack, HttpUrl, stack_families, Identifier, InterfaceTexts, Layout, LocationPrecision, NonEmptyText, Origin, Zoom
from .types import ascii_id, id_problem, in_scripts

__all__ = [
    "Source", "Place", "PlaceProperties", "View", "Step", "StoryMeta", "StoryData", "Finding", "check_geometry",
    "duplicate_ids", "unknown_places", "swapped_places", "swapped_views", "views_missing_places", "steps_without_places", "swapped_layer", "places_past_the_map", "GEOMETRY_TYPES", "Loc", "PlaceCollection",
    "check_places", "resolve_kinds", "Media", "MediaBudget", "TileTemplate", "Theme", "THEME_DEFAULTS", "contrast",
]

#: Where a problem lies inside the object checked, as a pydantic-style location.
Loc = tuple[Any, ...]


def _raise_problems(problems: Sequence[tuple[Loc, str]]) -> NoReturn:
    """Raise one pydantic error that carries several problems, each with its own location.

    :func:`storymap.errors.problems_from_validation` turns each into its own line.
    """
    raise located_problems(problems)


def _errors_at(exc: ValidationError, at: Loc, model: Any = None) -> list[tuple[Loc, str]]:
    """A ValidationError's problems as ``(location, message)`` pairs, under ``at``."""
    return [(at + loc, message) for loc, message in validation_problems(exc, model)]


class _Checked(BaseModel):
    """A model whose fields are validated again when assigned (``step.view = ...``), as when it was
    made: a bad value raises :class:`storymap.StoryError` naming the model and the field, and the
    model keeps its old value (pydantic sets a field before the model's own checks run on it)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in type(self).model_fields:
            super().__setattr__(name, value)
            return
        before = dict(self.__dict__)
        for key in [key for key in self.__dict__ if key not in type(self).model_fields]:
            # A cached property (Place.shape): made again from the fields when next read (pydantic
            # would take it for an extra field).
            del self.__dict__[key]
        try:
            super().__setattr__(name, value)
        except ValidationError as exc:
            object.__setattr__(self, "__dict__", before)
            ident = self.__dict__.get("id")
            where = f"{type(self).__name__} {ident!r}" if isinstance(ident, str) else type(self).__name__
            raise StoryError(problems_from_validation(exc, file="", where=where, model=type(self))) from None


class Source(BaseModel):
    """A public source a place's position or facts come from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: NonEmptyText = Field(description="The source's title, as a reader would cite it.")
    url: HttpUrl = Field(description="Where to read it (http or https).")

    @model_validator(mode="before")
    @classmethod
    def _not_a_bare_url(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value.strip().lower().startswith(("http://", "https://")):
                raise ValueError(f"a source is {{title, url}}, not a bare URL: write {{\"title\": \"…\", "
                                 f"\"url\": {json_text(value.strip()[:200])}}} (in TOML: {{ title = \"…\", url = \"…\" }})")
            raise ValueError(f"a source is {{title, url}}, got the text {short_repr(value)}")
        return value


class PlaceProperties(_Checked):
    """The properties of a place's Feature. Other properties are kept (nothing a journalist adds
    is lost) but not shown."""

    model_config = ConfigDict(extra="allow", validate_assignment=True)

    name: NonEmptyText = Field(description="The place's name.")
    kind: Optional[Identifier] = Field(
        default=None, description="One of the story's kinds; without one, the generic kind of its geometry "
                                  "(place, line or area).")
    annotation: NonEmptyText = Field(description="Markdown narrative tying the place to the story.")
    sources: list[Source] = Field(min_length=1, description="Where the position and the facts come from.")
    date: Optional[str] = Field(default=None, description="When, as the sources give it (2024-05, 2024-05-13).")
    period: Optional[str] = Field(default=None, description="A span of time, as the sources give it (2008–2025).")
    location_precision: LocationPrecision = Field(
        default="exact", description="How well the position is known: exact, approximate, schematic (a drawn "
                                     "route or band) or unpublished (not published; geometry at city level).")

    @field_validator("sources", mode="before")
    @classmethod
    def _one_source(cls, value: Any) -> Any:
        """One source given alone (a URL, a {title, url}), not in a list: checked as the list's one
        item, so that a bare URL is named as such ('Input should be a valid list' said nothing)."""
        return [value] if isinstance(value, (str, dict)) else value

    @model_validator(mode="wrap")
    @classmethod
    def _misspelled(cls, value: Any, handler: Callable[[Any], Any]) -> Any:
        """A required property that is missing while a close misspelling is there: say which."""
        try:
            return handler(value)
        except ValidationError as exc:
            if not isinstance(value, dict):
                raise
            problems = validation_problems(exc, cls)
            missing = [loc[0] for loc, message in problems if len(loc) == 1 and message == "missing (required)"]
            suggest = Suggester(missing, cutoff=75)
            hints = {}
            for key in value:
                if key not in cls.model_fields and (close := suggest(key)):
                    hints.setdefault(close, key)
            _raise_problems([(loc, f"{message}; there is a property {hints[loc[0]]!r}: did you mean {loc[0]!r}?"
                              if loc and loc[0] in hints and message == "missing (required)" else
                              f"{message}: {_NEEDED[loc[0]]}" if len(loc) == 1 and loc[0] in _NEEDED
                              and message == "missing (required)" else message)
                             for loc, message in problems])


#: What a required property holds, for a writer who left it out.
_NEEDED = {
    "name": "the place's name, as its label and card show it (\"name\": \"…\")",
    "annotation": "a sentence or more on the place in the story, in Markdown (\"annotation\": \"…\")",
    "sources": "where the position and the facts come from "
               "(\"sources\": [{\"title\": \"…\", \"url\": \"https://…\"}])",
}


_FEATURE_KEYS = ("type", "id", "properties", "geometry")


def _id_from_name(props: Any) -> str:
    """For a Feature without an id: the one its name would give, as a writer would add it."""
    from .places import slug

    name = props.get("name") if isinstance(props, dict) else None
    if not isinstance(name, str) or not name.strip():
        return " (e.g. \"old-harbour\")"
    if not in_scripts(name):  # (東京駅 would give "dongjingyi", a Mandarin reading of Japanese)
        return " (e.g. \"old-harbour\", made from its name in English or in another language written in Latin letters)"
    return f", e.g. from its name: \"id\": {json.dumps(slug(name, set()))} beside \"type\": \"Feature\""


class Place(_Checked):
    """A place of the story: a GeoJSON Feature with a string ``id``, narrative properties and a
    typed geometry. Build one from a Feature mapping (``Place.model_validate(feature)``), or from
    flat fields (``Place(id=..., name=..., annotation=..., sources=..., geometry=...)``)."""

    model_config = ConfigDict(extra="allow", validate_assignment=True)

    type: Literal["Feature"] = "Feature"
    id: Identifier = Field(description="A stable, URL-safe id (kebab-case): steps name places by it.")
    properties: PlaceProperties
    geometry: Geometry

    @model_validator(mode="before")
    @classmethod
    def _feature(cls, value: Any) -> Any:
        if isinstance(value, dict) and "properties" not in value and "type" not in value:
            # Flat fields: everything but the Feature's own members is a property.
            value = {"type": "Feature", "id": value.get("id"), "geometry": value.get("geometry"),
                     "properties": {k: v for k, v in value.items() if k not in ("id", "geometry")}}
        if isinstance(value, Place):
            return value
        if isinstance(value, dict) and isinstance(value.get("properties"), PlaceProperties):
            # (An attribute assigned, ``place.id = ...``: the properties are a model already.)
            return value
        if not isinstance(value, dict) or value.get("type", "Feature") != "Feature":
            got = value.get("type") if isinstance(value, dict) else value
            _raise_problems([(("type",), f"expected a GeoJSON Feature, got {short_repr(got)}")])
        problems: list[tuple[Loc, str]] = []
        props = value.get("properties")
        fid = value.get("id")
        moved = fid is None and isinstance(props, dict) and isinstance(props.get("id"), str)
        if fid is None or (isinstance(fid, (int, float)) and not isinstance(fid, bool)):
            # (GeoJSON allows a number; geojson.io and QGIS write none, or 0, 1, 2...)
            if moved:
                hint = f" (properties.id is {short_repr(props['id'])}: move it to the Feature's own id)"
            else:
                hint = _id_from_name(props)
            said = "missing" if fid is None else f"is the number {fid}, not text"
            problems.append((("id",), f"{said}; every place needs a stable string id{hint}"))
        if not isinstance(props, dict):
            problems.append((("properties",), "expected an object with name, kind, annotation and sources, got "
                                              f"{short_repr(props)}"))
        else:
            for key in ("id", "geometry"):
                if key == "id" and moved:  # (said above: move it)
                    continue
                if key in props and not (key == "id" and props[key] == value.get("id")):
                    problems.append((("properties", key),
                                     f"clashes with the Feature's own {key}; it would be lost: rename it"))
        if problems:
            _raise_problems(problems)
        if "geometry" not in value:
            value = {**value, "geometry": None}
        if value.get("properties", {}).get("id") == value.get("id"):
            value = {**value, "properties": {k: v for k, v in value["properties"].items() if k != "id"}}
        return value

    @model_validator(mode="after")
    def _default_kind(self) -> "Place":
        if self.properties.kind is None and self.family in DEFAULT_KIND:
            # (A known kind: set as it is, without validating the properties again, once per place.)
            object.__setattr__(self.properties, "kind", DEFAULT_KIND[self.family])
            self.properties.__pydantic_fields_set__.add("kind")
        return self

    # The properties, as attributes -------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.properties.name

    @property
    def kind(self) -> str:
        return self.properties.kind or ""

    @property
    def annotation(self) -> str:
        return self.properties.annotation

    @property
    def sources(self) -> list[Source]:
        return self.properties.sources

    @property
    def date(self) -> Optional[str]:
        return self.properties.date

    @property
    def period(self) -> Optional[str]:
        return self.properties.period

    @property
    def location_precision(self) -> str:
        return self.properties.location_precision

    def get(self, key: str, default: Any = None) -> Any:
        """Any property, the story's own included (``place.get("coast")``)."""
        extra = self.properties.model_extra or {}
        if key in extra:
            return extra[key]
        return getattr(self.properties, key, default) if key in PlaceProperties.model_fields else default

    # Geometry ----------------------------------------------------------------------------------
    @property
    def family(self) -> str:
        """``"point"``, ``"line"`` or ``"area"`` (``"mixed"`` for a mixed GeometryCollection)."""
        return family(self.geometry)

    @cached_property
    def shape(self) -> shapely.Geometry:
        """The geometry as a shapely object, as given."""
        return self.geometry.shape

    @cached_property
    def drawn(self) -> shapely.Geometry:
        """The geometry made continuous across the antimeridian (longitudes may pass ±180)."""
        if isinstance(self.geometry, PointGeometry):  # one position: nothing to unwrap
            return self.shape
        return unwrap(self.shape)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(west, south, east, north)`` of :attr:`drawn` (east may pass 180 across the antimeridian)."""
        return tuple(self.drawn.bounds)  # type: ignore[return-value]

    # GeoJSON ------------------------------------------------------------------------------------
    @classmethod
    def from_feature(cls, feature: Any) -> "Place":
        """Build a place from a GeoJSON Feature mapping (``id`` at the top level)."""
        return cls.model_validate(feature)

    def to_feature(self) -> dict[str, Any]:
        """The place as a GeoJSON Feature mapping (round-trips :meth:`from_feature`)."""
        return self.model_dump(mode="json", exclude_none=True)

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        return self.to_feature()


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number")
    return value


class View(_Checked):
    """An explicit map view for a step: a center and zoom, or bounds; GeoJSON order (longitude first)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    center: Optional[tuple[float, float]] = Field(default=None, description="[longitude, latitude]",
                                                  examples=[[-79.7, 9.1]])
    zoom: Optional[Zoom] = None
    bounds: Optional[tuple[tuple[float, float], tuple[float, float]]] = Field(
        default=None, description="[[west, south], [east, north]]", examples=[[[-80.0, 8.9], [-79.5, 9.4]]])

    @field_validator("center", "zoom", "bounds")
    @classmethod
    def _finite_numbers(cls, value: Any) -> Any:
        for number in np.ravel(np.asarray(value if value is not None else [], dtype=float)):
            _finite(float(number))
        return value

    @model_validator(mode="after")
    def _one_of(self) -> "View":
        if self.bounds is None and (self.center is None or self.zoom is None):
            raise ValueError("a view needs either `bounds` or both `center` and `zoom`")
        if self.center is not None:
            lon, lat = self.center
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                hint = ("; are the two swapped?" if -90 <= lon <= 90 and -180 <= lat <= 180 else "")
                raise ValueError(f"center {list(self.center)!r} is not [longitude, latitude]{hint}")
        if self.bounds is not None:
            (west, south), (east, north) = self.bounds
            if not (-90 <= south < north <= 90 and -180 <= west <= 180 and -180 <= east <= 180 and west != east):
                raise ValueError(f"bounds {[list(b) for b in self.bounds]!r} are not [[west, south], [east, north]] "
                                 "in degrees (south < north; east < west crosses the antimeridian)")
        return self

    @property
    def lonlat_bounds(self) -> Optional[tuple[float, float, float, float]]:
        """``(west, south, east, north)``, east past 180 when the bounds cross the antimeridian."""
        if self.bounds is None:
            return None
        (west, south), (east, north) = self.bounds
        return (west, south, east + 360 if east < west else east, north)


class Media(BaseModel):
    """An image shown with a step: a file in the story folder (or, when the story opts in with
    ``remote_media = true``, an https URL), with its alt text, credit and caption.

    From story.toml, ``src`` is relative to the story folder and must stay inside it. From Python
    (``add_step(..., media=[...])``), a relative ``src`` is relative to the current directory; a
    :class:`pathlib.Path` works too. A local image is read and prepared when validated (see
    :mod:`storymap.media`): a missing file or an unreadable image is a validation problem of
    ``src``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)  # (read when made: a new src is a new Media)

    src: NonEmptyText = Field(description="An image file relative to the story folder (JPEG, PNG, WebP, GIF or "
                                          "SVG), or an https URL when the story sets remote_media = true.",
                              examples=["media/miraflores.jpg"])
    alt: str = Field(description="What the image shows, for readers who cannot see it (required); \"\" only for "
                                 "a purely decorative image.")
    credit: str = Field(default="", description="Who made the image (photographer / agency, or the sources "
                                                "of a graphic).")
    caption: str = Field(default="", description="Markdown caption shown under the image.")

    _prepared: Any = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _readable(cls, value: Any, handler: Callable[[Any], Any], info: ValidationInfo) -> Any:
        if isinstance(value, dict) and isinstance(value.get("src"), Path):
            value = {**value, "src": str(value["src"])}
        folder = (info.context or {}).get("folder")
        try:
            media = handler(value)
        except ValidationError as exc:
            if not isinstance(value, dict):
                raise
            problems = [(loc, message + ": describe what the image shows, or alt = \"\" for a purely "
                                        "decorative image" if loc == ("alt",) and message == "missing (required)"
                         else message) for loc, message in validation_problems(exc, cls)]
            src = value.get("src")
            if isinstance(src, str) and src.strip() and not any(loc[:1] == ("src",) for loc, _ in problems):
                try:  # (the image's own problem in the same run: a missing alt hid a file that is no image)
                    cls._read(src, folder)
                except ValueError as image:
                    problems.append((("src",), str(image)))
            _raise_problems(problems)
        if isinstance(value, Media):
            return media
        try:
            media._prepared = cls._read(media.src, folder)
        except ValueError as exc:
            _raise_problems([(("src",), str(exc))])
        return media

    @staticmethod
    def _read(src: str, folder: Any) -> Any:
        """A local image read and prepared (None for a remote one); ValueError (MediaError) naming
        what is wrong with it."""
        from . import media as _media

        where, target = _media.classify_src(src)
        return _media.read_image(_media.local_path(target, Path(folder) if folder else None)) if where == "local" \
            else None

    @property
    def prepared(self) -> Any:
        """The image ready to inline (:class:`storymap.media.Prepared`); None for a remote image."""
        return self._prepared

    @property
    def remote(self) -> bool:
        """Whether the image is loaded from an https URL when the page is read."""
        return self._prepared is None


class Step(_Checked):
    """One step of the story: what the reader sees and reads at that point."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    id: Identifier = Field(description="A stable id, used in the page's URL (#id).")
    title: NonEmptyText
    narrative: str = Field(default="", description="Markdown.")
    places: list[Identifier] = Field(default_factory=list, description="Ids of the places the step shows.")
    description: Optional[str] = Field(
        default=None, description="A short text description of what the map shows (for screen readers)."
    )
    view: Optional[View] = Field(default=None, description="Overrides fitting the map to the step's places.")
    max_zoom: Optional[Zoom] = Field(default=None, description="Never zoom in further than this when fitting.")
    media: list[Media] = Field(default_factory=list, description="Images shown with the step's text "
                                                                 "([[steps.media]] tables).")
    date: Optional[str] = Field(
        default=None, description="When the step happens: a year, a month or a day (YYYY, YYYY-MM or "
                                  "YYYY-MM-DD); dated steps get a mark on the page's timeline.",
        examples=["2024-05-13", "2025-02", "2016"])
    period: Optional[str] = Field(
        default=None, description="The span of time a step covers, instead of a date: START–END or START/END, "
                                  "each YYYY, YYYY-MM or YYYY-MM-DD, both ends included.",
        examples=["2008–2025", "2024-05/2024-07"])

    @field_validator("date", "period", mode="before")
    @classmethod
    def _when(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return None
        span = (parse_date if info.field_name == "date" else parse_period)(value)
        return value.strip() if isinstance(value, str) else "/".join(span.ends)

    @model_validator(mode="after")
    def _date_or_period(self) -> "Step":
        if self.date is not None and self.period is not None:
            _raise_problems([(("period",), "a step has a date or a period, not both; keep the one that says when "
                                           "the step happens")])
        return self

    @property
    def time(self) -> Optional[Span]:
        """The step's date or period as days (None for an undated step)."""
        return step_span(self.date, self.period)

    def fitted(self, every: Iterable[str]) -> list[str]:
        """The ids of the places its map fits: its own, or where it names none and has no view of
        its own, ``every`` place's (all of the story's, shown dimmed: see steps_without_places)."""
        return list(self.places or ([] if self.view is not None else every))


class MediaBudget(_Checked):
    """What a story's inlined images may add to the page, in kilobytes (base64, as in the page)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    image_kb: int = Field(default=400, ge=1, description="The most one image may take in the page (KB).")
    page_kb: int = Field(default=2000, ge=1, description="The most all the story's images may take (KB).")


class TileTemplate(_Checked):
    """Online tiles from a URL template, with the credit their provider asks for."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    url: str = Field(description="An http(s) URL template with {z}, {x} and {y} (and {s}, {r} if the provider "
                                 "has them).", examples=["https://tile.openstreetmap.org/{z}/{x}/{y}.png"])
    attribution: str = Field(description="The credit the provider asks for; it may hold links (<a href>), no other "
                                         "HTML.", examples=["&copy; OpenStreetMap contributors"])
    subdomains: Optional[str] = Field(default=None, description="The letters {s} stands for (default \"abc\").")
    max_zoom: Optional[int] = Field(default=None, ge=0, le=24, description="The provider's greatest zoom; the "
                                                                          "tiles are enlarged beyond it.")


#: The colours of a story's page that a theme may change, and storymap's own (static/storymap.css).
THEME_DEFAULTS = {"accent": "#0b5394", "titlecard": "#0b2e4f", "sea": "#c9dde8", "land": "#f3efe6", "beyond": "#c8c8c4"}
#: The text on the colours a theme checks (static/storymap.css), by colour: the buttons' on the accent
#: (and the accent's links on the white panel); the title card's title and dek, kicker and byline.
_TEXT_ON = {"accent": {"#ffffff": "the buttons' white text and the links on the white panel"},
            "titlecard": {"#ffffff": "the title card's title and dek",
                          "#d6e4f0": "the title card's kicker and byline"}}
#: storymap's own fonts (static/storymap.css's --storymap-font): the reader's system font.
_FONTS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
#: WCAG 2's contrast for text (level AA, normal size).
_AA = 4.5


def _rgb_of(colour: str) -> tuple[int, int, int]:
    """The sRGB of an opaque CSS colour (a name, #rgb, #rrggbb, rgb(), hsl())."""
    from PIL import ImageColor

    try:
        rgb = ImageColor.getrgb(colour)
    except ValueError:
        raise ValueError(f"{short_repr(colour)}: write a theme's colour as '#8a1538', a name ('teal') or "
                         "'rgb(138, 21, 56)'") from None
    if len(rgb) == 4 and rgb[3] != 255:
        raise ValueError(f"{short_repr(colour)} is see-through; a theme's colours are opaque")
    return rgb[0], rgb[1], rgb[2]


def contrast(first: str, second: str) -> float:
    """WCAG 2's contrast ratio of two opaque CSS colours (1 to 21)."""
    def luminance(colour: str) -> float:
        c = [v / 255 for v in _rgb_of(colour)]
        c = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


class Theme(_Checked):
    """The story's own colours and fonts (story.toml's [theme]), each over storymap's default. The
    text on them stays readable: a colour the text on which would not meet WCAG AA's contrast
    (4.5:1) is refused. Its font files are read when it is validated (:mod:`storymap.fonts`)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    accent: Optional[Color] = Field(default=None, description="Buttons (white text on it), links, the progress "
                                    "bar and the timeline's current mark (default #0b5394).",
                                    examples=["#8a1538"])
    titlecard: Optional[Color] = Field(default=None, description="The title card's background, under white "
                                       "text (default #0b2e4f).", examples=["#1a1a1a"])
    sea: Optional[Color] = Field(default=None, description="The embedded basemap's sea, lakes and rivers "
                                 "(default #c9dde8).")
    land: Optional[Color] = Field(default=None, description="The embedded basemap's land (default #f3efe6).")
    beyond: Optional[Color] = Field(default=None, description="The map past the region the embedded basemap "
                                    "covers (default #c8c8c4, a grey as far in lightness from the sea as the land).")
    font: Optional[FontStack] = Field(default=None, description="The text's fonts, as a CSS font-family list: "
                                      "the panel, the map's labels and controls (default: the reader's system "
                                      "font). Without a generic family (serif, sans-serif...) at its end, "
                                      "storymap's own list follows it.", examples=['"Source Serif 4", Georgia, serif'])
    heading_font: Optional[FontStack] = Field(default=None, description="The title's and the steps' titles' fonts "
                                              "(default: `font`).", examples=['"Oswald", "Arial Narrow", sans-serif'])
    font_files: list[str] = Field(default_factory=list, description="Font files the page carries (TrueType or "
                                  "OpenType: .woff2, .woff, .ttf, .otf, or a .ttc collection, of which the fonts "
                                  "named), relative to the story folder: each a face of a family that `font` or "
                                  "`heading_font` names, cut down to the characters the page uses and inlined, so "
                                  "that the page shows it offline and on any machine.",
                                  examples=[["fonts/SourceSerif4-Regular.woff2", "fonts/SourceSerif4-Bold.woff2"]])

    _faces: Any = PrivateAttr(default=())
    _read: Any = PrivateAttr(default_factory=dict)  # every face of each file, a collection's too

    @model_validator(mode="wrap")
    @classmethod
    def _fonts_read(cls, value: Any, handler: Callable[[Any], Any], info: ValidationInfo) -> Any:
        if isinstance(value, dict) and any(isinstance(f, Path) for f in value.get("font_files") or ()):
            value = {**value, "font_files": [str(f) if isinstance(f, Path) else f for f in value["font_files"]]}
        theme = handler(value)
        if isinstance(value, Theme) or not theme.font_files:
            return theme
        from . import fonts as _fonts
        from . import media as _media

        folder, known = (info.context or {}).get("folder"), (info.context or {}).get("faces") or {}
        named = set(stack_families(theme.font) + stack_families(theme.heading_font))
        faces, problems, read = [], [], {}
        for i, name in enumerate(theme.font_files):
            try:  # (a file the story read already, as the story named it: not read again from elsewhere)
                found = known.get(name) or _fonts.read_faces(_media.local_path(name, Path(folder) if folder else None),
                                                             name)
            except (_fonts.FontError, _media.MediaError) as exc:
                problems.append((("font_files", i), f"{name!r} {exc}" if isinstance(exc, _fonts.FontError) else str(exc)))
                continue
            read[name] = found
            used = [face for face in found if face.family.lower() in named]  # (a collection's: those named)
            if not used:
                families = ", ".join(dict.fromkeys(repr(face.family) for face in found))
                problems.append((("font_files", i), (
                    f"{name!r} is a face of {families}, which neither font nor heading_font names: add it to one of "
                    f"them (font = '\"{found[0].family}\", sans-serif')" if len(found) == 1 else
                    f"{name!r} is a collection of {families}, none of which font or heading_font names: add the one "
                    f"the page is to use to one of them (font = '\"{found[0].family}\", sans-serif')")))
            faces += used
        if problems:
            _raise_problems(problems)
        theme._faces, theme._read = tuple(faces), read
        return theme

    @property
    def faces(self) -> tuple[Any, ...]:
        """The font files read (:class:`storymap.fonts.Face`), in the order given."""
        return self._faces

    # (Each colour checked on its own, so that one look lists every problem, an unknown key's too.)
    @field_validator("accent", "titlecard", "sea", "land", "beyond")
    @classmethod
    def _readable(cls, colour: Optional[str], info: ValidationInfo) -> Optional[str]:
        if colour is None:
            return colour
        _rgb_of(colour)  # (opaque, and a colour Pillow reads, for the contrast)
        for text, what in _TEXT_ON.get(info.field_name or "", {}).items():
            ratio = contrast(colour, text)
            if ratio < _AA:  # (the first text it fails)
                raise ValueError(f"{colour!r} leaves {what} ({text}) a contrast of {ratio:.2f}:1, under the "
                                 f"{_AA}:1 that WCAG AA asks of text: choose a darker colour")
        return colour

    def css(self) -> str:
        """The custom properties of the colours and fonts set, as one rule for the story's root ('' for
        none). A font list without a generic family ends with storymap's own (_FONTS)."""
        given = [f"--storymap-{name}:{getattr(self, name)}" for name in THEME_DEFAULTS if getattr(self, name)]
        text, headings = self.fonts()
        given += [f"--storymap-{name}:{stack}" for name, stack, set_ in
                  (("font", text, self.font), ("heading-font", headings, self.heading_font)) if set_]
        return f".storymap{{{';'.join(given)}}}" if given else ""

    def fonts(self) -> tuple[str, str]:
        """The text's and the titles' font-family lists, as the page uses them: storymap's own where
        none is given, after a list given without a generic family."""
        def whole(stack: str) -> str:
            return stack if stack.rsplit(", ", 1)[-1] in GENERIC_FONTS else f"{stack}, {_FONTS}"

        text = whole(self.font) if self.font else _FONTS
        return text, whole(self.heading_font) if self.heading_font else text


class StoryMeta(_Checked):
    """The story's own fields: ``story.toml`` without its kinds and steps."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    title: NonEmptyText
    subtitle: str = Field(default="", description="The dek: one or two sentences under the title.")
    byline: str = Field(default="", description="Credits and sources, on the title card.")
    kicker: str = Field(default="", description="A short line above the title (e.g. \"Story map\"); none when empty.")
    lang: StoryLanguage = Field(default="en", description="The language the story is written in (BCP 47).")
    layout: Layout = Field(default="slides", description="slides (Previous/Next) or scroll (sections scroll past).")
    site_name: str = Field(default="", description="The publication's name (\"The Daily Example\"), which "
                           "link previews show with the story (og:site_name); none when empty.")
    base_url: Optional[HttpUrl] = Field(
        default=None, description="Where the page will be published (e.g. https://example.org/stories/harbours/): "
                                  "makes the social card's og:url and og:image absolute. A folder holds the "
                                  "pages of each language, each at its own file name (es.html).")
    remote_media: bool = Field(default=False, description="Allow step media from https URLs (loaded when the page "
                                                          "is read; the page's CSP allows exactly those hosts).")
    media_budget: MediaBudget = Field(default_factory=MediaBudget,
                                      description="Per-image and per-page limits for inlined images.")
    languages: list[StoryLanguage] = Field(
        default_factory=list, description="The languages the page holds (BCP 47), each but `lang` from its "
                                          "story.<lang>.toml; empty: `lang` and every translation file present.")
    allowed_origins: list[Origin] = Field(
        default_factory=list, description="Origins of the pages that embed the story in an iframe "
        "(e.g. 'https://news.example'): only they hear its steps' titles and may move it (storymap:goto); "
        "without any, a parent page learns the step's id and the height, and nobody moves the story.")

    interface: InterfaceTexts = Field(
        default_factory=dict, description="The page's interface texts (Previous, Next, the legend's title, "
                                          "announcements, labels for screen readers) in the story's language, "
                                          "by key (\"nav.next\" = \"次へ\"), over storymap's own for it: for a "
                                          "language storymap has none for, or wording of the newsroom's own.")
    theme: Theme = Field(default_factory=Theme, description="The story's own colours and fonts, over storymap's: "
                         "the accent, the title card, the embedded basemap's sea, land and the grey past it; "
                         "the text's and the titles' fonts, and font files the page carries.")
    tiles: Optional[str | TileTemplate] = Field(
        default=None, description="The online tiles over the embedded basemap: a provider's name as xyzservices "
                                  "knows it (\"CartoDB.Positron\", \"OpenStreetMap.Mapnik\", ...), a URL template "
                                  "with its attribution, or \"none\" (no tile request, ever). Default: CARTO's light "
                                  "basemap.", examples=["OpenStreetMap.Mapnik", "none"])

    @field_validator("tiles", mode="before")
    @classmethod
    def _tiles(cls, value: Any) -> Any:
        from .tiles import check_tiles

        return check_tiles(value.model_dump(exclude_none=True) if isinstance(value, TileTemplate) else value)


_WGS84 = {
    "urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326",
}


class PlaceCollection(BaseModel):
    """A file of places: a GeoJSON FeatureCollection (RFC 7946). Only its envelope is checked here;
    its features are checked as the story's places (:class:`StoryData`), where ids can be compared
    across files."""

    model_config = ConfigDict(extra="allow")

    type: Literal["FeatureCollection"]
    features: list[Any]
    crs: Optional[Any] = Field(default=None, description="Only WGS84 longitude/latitude, if given at all.")

    @model_validator(mode="before")
    @classmethod
    def _envelope(cls, value: Any) -> Any:
        if not isinstance(value, dict) or value.get("type") != "FeatureCollection":
            got = value.get("type") if isinstance(value, dict) else type(value).__name__
            raise ValueError(f"expected a GeoJSON FeatureCollection, got {short_repr(got)}")
        if not isinstance(value.get("features"), list):
            _raise_problems([(("features",), f"expected an array of Features, got {short_repr(value.get('features'))}")])
        return value

    @field_validator("crs")
    @classmethod
    def _wgs84(cls, crs: Any) -> Any:
        name = (crs.get("properties") or {}).get("name") if isinstance(crs, dict) else None
        if crs is not None and (not isinstance(name, str) or name not in _WGS84):
            raise ValueError(f"{short_repr(name or crs)} is not WGS84 longitude/latitude; GeoJSON (RFC 7946) "
                             "coordinates are always WGS84 longitude/latitude: reproject the file and drop the crs member")
        return crs


#: The parts of a story that are not its own fields.
_PARTS = ("kinds", "places", "steps", "translations")


class _StoryFileKeys(StoryMeta):
    """The top-level keys of story.toml: what a misspelt one (``[[step]]``, ``[kind.port]``) is
    compared with for a suggestion (StoryMeta alone knows neither ``steps`` nor ``kinds``)."""

    kinds: Any = None
    steps: Any = None


class StoryData(StoryMeta):
    """A whole story: its fields, kinds, places and the ordered steps.

    ``kinds`` holds every kind the story can use: the generic ones and those it declares
    (given as ``{name: {field: value}}``, as in ``story.toml``; a declared kind of a generic name
    overrides its fields).

    Validation context (optional, for :mod:`storymap.load`): ``describe_place(index, other)``
    names place ``other`` for a message about place ``index`` (default ``places[other]``), and
    ``ids`` lists every place id known, valid or not, so that a step naming a broken place is not
    also reported as naming an unknown one (``None``: some ids could not be read, don't report
    unknown places at all).
    """

    kinds: dict[str, Kind] = Field(default_factory=dict)
    places: list[Place] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)
    translations: dict[str, Translation] = Field(
        default_factory=dict, description="The story's texts in other languages, by language tag "
                                          "(story.<lang>.toml; see storymap.translations).")

    @model_validator(mode="wrap")
    @classmethod
    def _whole(cls, value: Any, handler: Callable[[Any], Any], info: ValidationInfo) -> Any:
        if not isinstance(value, dict):
            return handler(value)
        fields, problems = _assemble(value, info.context or {})
        if problems:
            _raise_problems(problems)
        return handler(fields)  # every part is a validated model by now: taken as it is

    def place(self, place_id: str) -> Place:
        """The place with this id (KeyError otherwise)."""
        found = self._places_by_id.get(place_id)
        if found is None:
            raise KeyError(place_id)
        return found

    @cached_property
    def _places_by_id(self) -> dict[str, Place]:
        return {p.id: p for p in self.places}

    def kind(self, place: Place) -> Kind:
        """The kind of a place."""
        return self.kinds[place.kind]


def _assemble(raw: dict[str, Any], context: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[Loc, str]]]:
    """Validate every part of a raw story, then what spans parts; return the fields or the problems."""
    problems: list[tuple[Loc, str]] = []
    fields: dict[str, Any] = {}
    try:
        meta = StoryMeta.model_validate({k: v for k, v in raw.items() if k not in _PARTS}, context=context)
        fields.update(meta.model_dump())
        fields["theme"] = meta.theme  # (with its font files read, from the story's folder)
    except ValidationError as exc:
        problems += _errors_at(exc, (), _StoryFileKeys)

    kinds = _kinds(raw.get("kinds"), problems)
    fields["kinds"] = kinds
    if isinstance(raw.get("kinds"), dict):
        # A kind declared with a mistake: its places are not also reported as of an unknown kind.
        context = {**context, "broken_kinds": {name for name in raw["kinds"] if name not in kinds}}

    raw_places = raw.get("places") or []
    if not isinstance(raw_places, (list, tuple)):
        problems.append((("places",), f"expected a list of places, got {short_repr(raw_places)}"))
        raw_places = []
    places, found = check_places(raw_places, kinds, {**context, "translations": raw.get("translations")})
    problems += found
    fields["places"] = places

    raw_steps = raw.get("steps")
    if "steps" in raw and not isinstance(raw_steps, (list, tuple)):
        problems.append((("steps",), f"expected [[steps]] tables, got {short_repr(raw_steps)}"))
        raw_steps = []
    elif not raw_steps:
        problems.append((("steps",), "the story has no steps; add at least one [[steps]] table"))
        raw_steps = []
    steps = []
    step_index = []  # the index in raw_steps of each valid step
    for i, item in enumerate(raw_steps):
        try:
            steps.append(item if isinstance(item, Step) else Step.model_validate(item, context=context))
            step_index.append(i)
        except ValidationError as exc:
            problems += _errors_at(exc, ("steps", i), Step)
    problems = _name_ids(problems, "steps", raw_steps, raw.get("translations"), raw_places)
    fields["steps"] = steps
    problems += _media_problems(fields, raw_steps, steps, step_index)

    # Across parts, once. Ids are checked on the raw input: a part broken elsewhere still counts.
    place_ids = [_raw_id(item) for item in raw_places]
    step_ids = [_raw_id(item) for item in raw_steps]
    for i, first in duplicate_ids(step_ids):
        problems.append((("steps", i, "id"), f"duplicate step id {short_repr(step_ids[i])} "
                                             f"(first used by steps[{first}])"))
    known = context.get("ids", [pid for pid in place_ids if isinstance(pid, str)])
    step_places = [item.places if isinstance(item, Step) else (item or {}).get("places") if isinstance(item, dict)
                   else None for item in raw_steps]
    if known is not None:
        for f in unknown_places(step_places, set(known)):
            problems.append((("steps", f.index) + f.loc, f.message))
    for i, ids in enumerate(step_places):  # (a place listed twice: its label and card came twice)
        for j, first in duplicate_ids(ids if isinstance(ids, list) else []):
            problems.append((("steps", i, "places", j), f"{short_repr(ids[j])} is listed twice (first as places[{first}]); "
                                                        "a step lists each place once"))
    for f in swapped_views(steps, places):
        problems.append((("steps", step_index[f.index]) + f.loc, f.message))
    # Translations: checked against the story once the story itself is valid (a broken story would
    # make every translation of what it breaks look wrong too).
    lang = fields.get("lang", raw.get("lang") if isinstance(raw.get("lang"), str) else "en")
    fields["translations"], found = check_translations(
        raw.get("translations"), lang=lang, declared=fields.get("languages", []), raw_kinds=raw.get("kinds"),
        raw_places=places, raw_steps=steps, meta=raw, against_story=not problems and known is not None,
        complete=bool(context.get("complete_translations")), folder=context.get("folder"))
    problems += found
    return fields, problems


def place_shapes(places: Sequence[Place]) -> np.ndarray:
    """The shapely geometries of places (:attr:`Place.shape`), points made in one call and kept."""
    todo = [p for p in places if "shape" not in p.__dict__ and isinstance(p.geometry, PointGeometry)
            and len(p.geometry.coordinates) == 2]
    if todo:
        for place, shape in zip(todo, shapely.points(np.array([p.geometry.coordinates for p in todo], dtype=float))):
            place.__dict__["shape"] = shape  # what the cached property would hold
    return np.array([p.shape for p in places], dtype=object)


def _media_problems(fields: dict[str, Any], raw_steps: Sequence[Any], steps: list[Step],
                    step_index: Sequence[int]) -> list[tuple[Loc, str]]:
    """Remote media only when the story opts in (checked on the raw steps: a step broken elsewhere
    still counts); the images' weight within the story's budget (``steps`` the valid ones, each at
    its ``step_index`` in ``raw_steps``)."""
    from .media import budget_problems

    problems: list[tuple[Loc, str]] = []
    if not fields.get("remote_media", False):
        for i, item in enumerate(raw_steps):
            media = item.media if isinstance(item, Step) else item.get("media") if isinstance(item, dict) else None
            for j, one in enumerate(media if isinstance(media, list) else []):
                src = one.src if isinstance(one, Media) else one.get("src") if isinstance(one, dict) else None
                if isinstance(src, str) and src.strip().lower().startswith("https://"):
                    problems.append((("steps", i, "media", j, "src"), (
                        "a remote image is used only when the story opts in with remote_media = true in story.toml "
                        "(the page then loads it from its host when read, and the page's CSP allows that host); "
                        "or save the image in the story folder and give its path")))
    budget = fields.get("media_budget") or {}
    budget = budget.model_dump() if isinstance(budget, MediaBudget) else budget
    problems += budget_problems(steps, budget.get("image_kb", 400), budget.get("page_kb", 2000), step_index)
    return problems


def _part_text(table: Any, *keys: str) -> Any:
    """``table[key][key]…`` of raw tables or models alike (None where one is missing)."""
    for key in keys:
        table = table.get(key) if isinstance(table, dict) else getattr(table, key, None)
    return table


def _id_examples(items: Sequence[Any], part: str, translations: Any) -> dict[int, tuple[str, str]]:
    """For each raw place or step (``part``: "places" or "steps") whose id is text in a script not
    written readably in Latin letters (see :func:`storymap.types.in_scripts`), by its index: an id to
    give it and where it comes from. It is made from its name (a place's) or title (a step's) where
    one is written in Latin letters: its own, else a translation's, English first; else it is
    ``place-N`` (``step-N``), N counted from 1. Each is unique among the ids of ``items``."""
    from .i18n import language_name
    from .places import slug

    field, what = ("name", "place") if part == "places" else ("title", "step")
    taken = {rid for rid in map(_raw_id, items) if isinstance(rid, str)}
    tables = translations if isinstance(translations, dict) else {}
    order = sorted(tables, key=lambda tag: (not str(tag).lower().startswith("en"), str(tag)))
    out = {}
    for index, item in enumerate(items):
        rid = _raw_id(item)
        if not isinstance(rid, str) or in_scripts(rid):
            continue
        own = _part_text(item, "properties", field) if part == "places" else _part_text(item, field)
        candidates = [(own, f"from its {field}")] + [
            (_part_text(tables[tag], part, rid, field), f"from its {field} in {language_name(str(tag)) or tag}")
            for tag in order]
        out[index] = next(((slug(text, taken), source) for text, source in candidates
                           if isinstance(text, str) and ascii_id(text) and in_scripts(text, {"LATIN"})),
                          (slug(f"{what}-{index + 1}", taken), ""))
    return out


def _name_ids(problems: list[tuple[Loc, str]], part: str, items: Sequence[Any], translations: Any,
              places: Sequence[Any] = ()) -> list[tuple[Loc, str]]:
    """``problems`` with each id of ``part`` in a script not written readably in Latin letters given
    an id to write instead (see :func:`_id_examples`), and, with ``places``, each step's place so
    named given the one its place gets."""
    if not any(loc[2:] == ("id",) or loc[2:3] == ("places",) for loc, _ in problems):
        return problems  # (the usual case: nothing to look up in thousands of places)
    examples = _id_examples(items, part, translations)
    ours = {_raw_id(places[k]): example for k, example in _id_examples(places, "places", translations).items()}
    out = []
    for loc, message in problems:
        if loc[:1] == (part,) and loc[2:] == ("id",) and loc[1] in examples:
            rid = _raw_id(items[loc[1]])
            message = id_problem(rid, *examples[loc[1]]) if message == id_problem(rid) else message
        elif loc[:1] == ("steps",) and loc[2:3] == ("places",) and len(loc) == 4 and places:
            pid = _part_text(items[loc[1]], "places")[loc[3]]
            if pid in ours and message == id_problem(pid):
                example, source = ours[pid]
                message = id_problem(pid, example, "as the place's new id" + (f", {source}" if source else ""))
        out.append((loc, message))
    return out


def check_places(raw_places: Sequence[Any], kinds: dict[str, Kind],
                 context: Optional[dict[str, Any]] = None) -> tuple[list[Place], list[tuple[Loc, str]]]:
    """Validate places (Features or :class:`Place`), then what spans them: unique ids, each place's
    kind and the properties it asks for, swapped coordinates. Returns the valid places and every
    problem, located as ``("places", index, ...)``. ``context`` as for :class:`StoryData`."""
    context = context or {}
    problems: list[tuple[Loc, str]] = []
    valid: list[tuple[int, Place]] = []
    for i, item in enumerate(raw_places):
        try:
            valid.append((i, item if isinstance(item, Place) else Place.model_validate(item)))
        except ValidationError as exc:
            problems += _errors_at(exc, ("places", i), Place)
    problems = _name_ids(problems, "places", raw_places, context.get("translations"))
    describe = context.get("describe_place") or (lambda index, other: f"places[{other}]")
    place_ids = [_raw_id(item) for item in raw_places]
    duplicate = set()
    for i, first in duplicate_ids(place_ids):
        duplicate.add(i)
        problems.append((("places", i, "id"), f"duplicate id {short_repr(place_ids[i])} "
                                              f"(first used by {describe(i, first)})"))
    broken = context.get("broken_kinds", ())  # declared, but wrong (said once, in story.toml)
    for i, place in valid:
        if place.kind not in broken:
            problems += [(("places", i) + loc, message) for loc, message in _kind_problems(place, kinds)]
    valid = [(i, p) for i, p in valid if i not in duplicate]
    for f in swapped_places([p for _, p in valid]):
        problems.append((("places", valid[f.index][0]) + f.loc, f.message))
    return [p for _, p in valid], problems


def resolve_kinds(declared: Any) -> tuple[dict[str, Kind], list[tuple[Loc, str]]]:
    """The generic kinds with a story's declared ones (``{name: {field: value}}``) added or merged in."""
    problems: list[tuple[Loc, str]] = []
    return _kinds(declared, problems), problems


def _raw_id(item: Any) -> Any:
    if isinstance(item, (Place, Step)):
        return item.id
    return item.get("id") if isinstance(item, dict) else None


#: A kind's geometry, from the names a writer may know it by.
_KIND_GEOMETRY = {"point": "point", "points": "point", "marker": "point", "linestring": "line", "lines": "line",
                  "polyline": "line", "route": "line", "polygon": "area", "polygons": "area", "areas": "area",
                  "zone": "area", "region": "area"}


def _kinds(declared: Any, problems: list[tuple[Loc, str]]) -> dict[str, Kind]:
    """The story's declared kinds, in the order declared, then the generic kinds it did not declare.

    A declared kind of a generic name overrides the generic one's fields.
    """
    generic = {name: Kind.model_validate(spec) for name, spec in GENERIC_KINDS.items()}
    if declared is None:
        return generic
    if not isinstance(declared, dict):
        problems.append((("kinds",), f"expected [kinds.NAME] tables, got {short_repr(declared)}"))
        return generic
    kinds: dict[str, Kind] = {}
    identifier = TypeAdapter(Identifier)
    for name, spec in declared.items():
        try:
            identifier.validate_python(name)
        except ValidationError as exc:
            problems += _errors_at(exc, ("kinds", name))
            continue
        if isinstance(spec, Kind):
            kinds[name] = spec
            continue
        if not isinstance(spec, dict):
            problems.append((("kinds", name), f"expected a table of the kind's fields (label, geometry, color, …), "
                                              f"got {short_repr(spec)}"))
            continue
        base = GENERIC_KINDS.get(name, {})
        try:
            kinds[name] = Kind.model_validate({**base, **spec})
        except ValidationError as exc:
            for loc, message in _errors_at(exc, ("kinds", name), Kind):
                if message == "missing (required)":
                    message += ": a new kind needs label, geometry (point, line or area) and color"
                elif loc[-1:] == ("geometry",) and isinstance(spec.get("geometry"), str):
                    # GeoJSON's and GIS words for them: Polygon is an area, LineString a line...
                    meant = _KIND_GEOMETRY.get(spec["geometry"].strip().lower().removeprefix("multi"))
                    message += f"; did you mean {meant!r}?" if meant else ""
                problems.append((loc, message))
    return {**kinds, **{name: kind for name, kind in generic.items() if name not in kinds}}


#: A geometry no kind fits (see :func:`storymap.geometry.family`).
_MIXED = (("geometry",), "a GeometryCollection mixing points, lines and areas fits no kind; split it into places")


def _kind_problems(place: Place, kinds: dict[str, Kind]) -> list[tuple[Loc, str]]:
    name = place.kind
    if not name:  # no kind given, and a geometry of no single family to take the generic kind of
        return [_MIXED]
    if name not in kinds:
        close = Suggester(kinds)(name)
        hint = f"did you mean {close!r}? " if close else ""
        return [(("properties", "kind"), f"unknown kind {short_repr(name)}; {hint}the story's kinds are "
                                         f"{', '.join(kinds)}; declare a new one in story.toml: [kinds.{name}] "
                                         "with label, geometry and color")]
    kind = kinds[name]
    found = []
    if place.family != kind.geometry:
        what = {"point": "a point", "line": "a line", "area": "an area"}
        got = place.geometry.type
        found.append((("geometry",), f"a {got} does not fit kind {name!r}, which is drawn as "
                                     f"{what[kind.geometry]}; give the place a kind of its geometry "
                                     f"({', '.join(k for k, v in kinds.items() if v.geometry == place.family)})")
                     if place.family in what else _MIXED)
    for prop, allowed in kind.properties.items():
        value = place.get(prop)
        if value is None:
            found.append((("properties", prop), f"missing: places of kind {name!r} need {prop!r} "
                                                f"(one of {', '.join(map(str, allowed))})"))
        elif allowed and value not in allowed:
            found.append((("properties", prop), f"{short_repr(value)} is not one of {', '.join(map(str, allowed))}"))
    return found


# Checks across objects -------------------------------------------------------------------------


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
    missing = [(i, j, pid) for i, ids in enumerate(step_places) if isinstance(ids, list)
               for j, pid in enumerate(ids) if isinstance(pid, str) and pid not in known]
    suggestions = Suggester(known).many([pid for _, _, pid in missing])  # all at once: thousands stay fast
    found = []
    for (i, j, pid), close in zip(missing, suggestions):
        hint = f"; did you mean {close!r}?" if close else ""
        found.append(Finding(i, ("places", j), f"unknown place {short_repr(pid)}{hint}"))
    return found


#: A place is "far" from the story when the median distance to the others is more than this (km).
_FAR_KM = 1100.0
#: Swapped, a place must lie this many times closer to the others to count as swapped.
_CLOSER = 4.0
#: Latitudes few stories go to (the Antarctic, the high Arctic): a place there while none of the
#: story's others is, whose swap lies far closer to them, is a swap.
_POLAR = (-60.0, 75.0)
_EARTH_KM = 6371.0088


def _km(lon: np.ndarray, lat: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    """Great-circle distances in km (haversine), broadcast."""
    lon, lat, lon2, lat2 = (np.radians(a) for a in (lon, lat, lon2, lat2))
    h = np.sin((lat2 - lat) / 2) ** 2 + np.cos(lat) * np.cos(lat2) * np.sin((lon2 - lon) / 2) ** 2
    return 2 * _EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _polar_zone(lat: float) -> str:
    return "in the Antarctic" if lat < _POLAR[0] else "in the high Arctic" if lat > _POLAR[1] else ""


def _positions(places: Sequence[Place]) -> tuple[np.ndarray, np.ndarray]:
    """Where each place lies, for the swap checks: the middle of its drawn bounds, longitude in -180..180."""
    place_shapes(places)  # points made in one call
    bounds = shapely.bounds(np.array([place.drawn for place in places], dtype=object))
    lon = (bounds[:, 0] + bounds[:, 2]) / 2
    return (lon + 180.0) % 360.0 - 180.0, (bounds[:, 1] + bounds[:, 3]) / 2


def _sample(count: int) -> np.ndarray:
    """At most ~200 indices, evenly spread through ``count``: compared with them, linear time however many."""
    return np.unique(np.linspace(0, count - 1, min(count, 201)).round().astype(int))


def _median(rows: np.ndarray) -> np.ndarray:
    if rows.shape[1] % 2:  # an odd count (the usual ~201): the middle value, found without a full sort
        return np.partition(rows, rows.shape[1] // 2, axis=1)[:, rows.shape[1] // 2]
    return np.median(rows, axis=1)


def _median_km(x: np.ndarray, y: np.ndarray, to_x: np.ndarray, to_y: np.ndarray) -> np.ndarray:
    """For each point, the median distance to the points ``to`` (in chunks small enough to stay in
    cache: the memory stays bounded however many points)."""
    return np.concatenate([_median(_km(x[i:i + 1024, None], y[i:i + 1024, None], to_x[None, :], to_y[None, :]))
                           for i in range(0, len(x), 1024)])


def _spread(x: np.ndarray, y: np.ndarray, to_x: Optional[np.ndarray] = None,
            to_y: Optional[np.ndarray] = None) -> np.ndarray:
    """For each of two or more points, the median distance to the others: to the points ``to`` (as
    many, in the same order) but the one of its own index, when given."""
    to_x, to_y = (x, y) if to_x is None or to_y is None else (to_x, to_y)
    among = _km(x[:, None], y[:, None], to_x[None, :], to_y[None, :])
    return np.median(among[~np.eye(len(x), dtype=bool)].reshape(len(x), len(x) - 1), axis=1)


def _polar(lat: Any) -> Any:
    return (lat < _POLAR[0]) | (lat > _POLAR[1])


def _looks_swapped(lon: np.ndarray, lat: np.ndarray, now: np.ndarray, swapped: np.ndarray, typical: float,
                   others_polar: np.ndarray) -> list[tuple[int, bool, bool]]:
    """The points (``lon``, ``lat``) that look swapped, given the median distance ``now`` from each to
    the places it is compared with, ``swapped`` that distance with its coordinates swapped, how far
    those places typically lie from each other (``typical``) and, for each point, whether any of
    them is polar (``others_polar``). Each as ``(index, where it lies is implausible, swapped it
    lies among them)`` (see :func:`swapped_places`)."""
    polar, swapped_polar = _polar(lat), _polar(lon)
    found = []
    for i in np.flatnonzero((now > _FAR_KM) & (swapped * _CLOSER <= now)):
        among = bool(swapped[i] <= typical)
        implausible = bool(polar[i] and not others_polar[i] and not swapped_polar[i])
        if among or implausible:
            found.append((int(i), implausible, among))
    return found


def _swap_message(subject: str, x: float, y: float, implausible: bool, others: str, mx: float, my: float,
                  km: float, among: bool, km_swapped: float, order: str, *, at: str = "at", one: bool = False) -> str:
    """The message for a position that looks swapped (a place's, a view's): where it lies, far from
    ``others`` (around ``mx``, ``my``; ``one`` place: at it) and what swapped would do."""
    zone = _polar_zone(y) + ", " if implausible else ""
    them = (f"at longitude {mx:.4g}, latitude {my:.4g}: {km:,.0f} km away" if one else
            f"around longitude {mx:.4g}, latitude {my:.4g}: a median {km:,.0f} km away")
    where = (("lie near it" if one else "lie among them") if among else
             f"lie far closer to it ({km_swapped:,.0f} km away)" if one else
             f"lie far closer to them (a median {km_swapped:,.0f} km away)")
    return (f"coordinates look swapped: {subject} {at} longitude {x:.4g}, latitude {y:.4g}, {zone}far from "
            f"{others} ({them}); swapped, {at} longitude {y:.4g}, latitude {x:.4g}, it would {where}: {order}")


def swapped_places(places: Sequence[Place]) -> list[Finding]:
    """Places whose coordinates look like [latitude, longitude] instead of [longitude, latitude].

    Each place is compared with the others by the median great-circle distance to them (robust: a
    few stray places, other swapped ones included, barely move a median). A place is reported when
    it lies far from the others (over 1,100 km), swapped it would lie far closer to them (a quarter
    of the distance or less), and either

    - swapped, it lies among them (no farther than the story's places typically lie from each
      other), or
    - where it lies is implausible for the story: the Antarctic or the high Arctic while none of the
      story's other places is there (a place in the Americas swapped lands near a pole), and its
      swap is not.

    A place legitimately far from the others (a headquarters across the sea from where a story
    happens, a port across an ocean) is not reported: swapped, it lies no closer. Needs at least
    three places.
    """
    if len(places) < 3:
        return []
    lon, lat = _positions(places)
    # (What it finds depends on the positions alone: a story saved again unchanged, as to_html and
    # save check it, is not measured again: 0.3 s for 20,000 places.)
    key = (lon.tobytes(), lat.tobytes())
    if _LAST_SWAPPED[0] == key:
        return list(_LAST_SWAPPED[1])
    found = _swapped_places(lon, lat)
    _LAST_SWAPPED[:] = [key, found]
    return list(found)


#: The positions and findings of the last :func:`swapped_places` call.
_LAST_SWAPPED: list[Any] = [None, []]


def _swapped_places(lon: np.ndarray, lat: np.ndarray) -> list[Finding]:
    sample = _sample(len(lon))

    def median_km(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """For each point, the median distance to the sampled places but its own."""
        out = _median_km(x, y, lon[sample], lat[sample])
        out[sample] = _spread(x[sample], y[sample], lon[sample], lat[sample])  # a sampled place: not to itself
        return out

    now = median_km(lon, lat)
    can_swap = np.abs(lon) <= 90.0  # swapped, the longitude becomes a latitude
    swapped = np.where(can_swap, median_km(np.where(can_swap, lat, 0.0), np.where(can_swap, lon, 0.0)), np.inf)
    typical = max(float(np.median(now)), _FAR_KM)
    polar = _polar(lat)
    others_polar = (polar.sum() - polar) > 0
    mx, my = float(np.median(lon)), float(np.median(lat))
    return [Finding(i, ("geometry",), _swap_message(
        "the place lies", lon[i], lat[i], implausible, "the story's other places", mx, my, now[i], among,
        swapped[i], "GeoJSON positions are [longitude, latitude]"))
        for i, implausible, among in _looks_swapped(lon, lat, now, swapped, typical, others_polar)]


def swapped_story(places: Sequence[Place]) -> Optional[str]:
    """A warning's message when the story's places all look given as [latitude, longitude].

    :func:`swapped_places` compares each place with the others, so a whole file saved in the wrong
    order goes unseen: its places still lie together. Where they lie can still be implausible: a
    story set in the Americas east of 90° W (or in South Asia) lands, swapped, in the Antarctic (the
    high Arctic). Every place (two or more) in the Antarctic or the high Arctic whose swap is a
    position none of which is there is reported; a story about the Antarctic may mean it (hence a
    warning, not a problem).
    """
    if len(places) < 2:
        return None
    lon, lat = _positions(places)
    if not (_polar(lat).all() and (np.abs(lon) <= 90.0).all() and not _polar(lon).any()):
        return None
    zone = ("in the Antarctic" if (lat < _POLAR[0]).all() else "in the high Arctic" if (lat > _POLAR[1]).all()
            else "in the Antarctic or the high Arctic")
    mx, my = float(np.median(lon)), float(np.median(lat))
    return (f"coordinates may be swapped: every place lies {zone} (around longitude {mx:.4g}, latitude {my:.4g}); "
            f"swapped, they would lie around longitude {my:.4g}, latitude {mx:.4g}: GeoJSON positions are "
            "[longitude, latitude] (a file saved as [latitude, longitude] needs its two numbers exchanged); "
            "if the places are meant to be there, leave it")


def swapped_layer(geometries: Any, places: Sequence[Place]) -> Optional[tuple[bool, str]]:
    """Whether a layer's geodata looks given as [latitude, longitude]: its features, taken together
    (the median of the middles of up to ~200 of them), compared with the story's places as a view is
    (see :func:`swapped_views`). ``(where it lies is implausible, the message)``, or None. A layer
    legitimately elsewhere (the world, a region beyond the story) lies no closer swapped."""
    geometries = np.asarray(geometries, dtype=object)
    geometries = geometries[~(shapely.is_missing(geometries) | shapely.is_empty(geometries))]
    if not places or not len(geometries):
        return None
    bounds = shapely.bounds(geometries[_sample(len(geometries))])
    x = float(np.median(((bounds[:, 0] + bounds[:, 2]) / 2 + 180.0) % 360.0 - 180.0))
    y = float(np.median((bounds[:, 1] + bounds[:, 3]) / 2))
    if abs(x) > 90.0:
        return None  # swapped, its longitude would be no latitude
    lon, lat = _positions(places)
    sample = _sample(len(lon))
    lon, lat = lon[sample], lat[sample]
    seen = _point_swapped(x, y, lon, lat)
    if seen is None:
        return None
    implausible, among, now, swapped = seen
    return implausible, _swap_message(
        "the layer's features lie", x, y, implausible, "the story's places" if len(lon) > 1 else "the story's place",
        float(np.median(lon)), float(np.median(lat)), now, among, swapped,
        "geodata is [longitude, latitude] (x, y): a table read with points_from_xy(df.lat, df.lon) needs "
        "points_from_xy(df.lon, df.lat)", at="around", one=len(lon) == 1)


def swapped_views(steps: Sequence[Step], places: Sequence[Place], *, certain: bool = True) -> list[Finding]:
    """Steps whose ``view`` looks given as [latitude, longitude] (Leaflet's order) instead of
    [longitude, latitude].

    A view's center, or the middle of its bounds, is compared with the step's places (a step
    naming none: the story's places), as :func:`swapped_places` compares a place with the others:
    it lies far from them and, swapped, far closer. With ``certain`` (validation's errors), only
    where it lies is implausible: the Antarctic or the high Arctic while none of the places is
    there (the Americas in Leaflet's order). Without, the others (validation's warnings): swapped,
    it would lie among the places, but a view elsewhere may be meant (a story in Italy with a step
    on Ethiopia: [39, 9] read as [9, 39] lies among the Italian places).

    A view whose bounds hold one of the places is not far from them, nor is a world overview (zoom
    2 or less); a view legitimately elsewhere lies no closer swapped. ``steps[i]`` is
    :attr:`Finding.index`; a place a step names that is not in ``places`` is skipped (a step
    naming only such places is not checked).
    """
    found: list[Finding] = []
    if not places:
        return found
    by_id = {place.id: place for place in places}
    story: Optional[tuple[np.ndarray, np.ndarray]] = None  # the story's places, sampled (once)
    for index, step in enumerate(steps):
        view = step.view
        if view is None:
            continue
        named = [by_id[pid] for pid in step.places if pid in by_id]
        if step.places and not named:
            continue
        if named or story is None:
            lon, lat = _positions(named or places)
            sample = _sample(len(lon))
            lon, lat = lon[sample], lat[sample]
            if not named:
                story = lon, lat
        else:
            lon, lat = story
        if view.center is not None:
            if view.zoom is not None and view.zoom <= 2:
                continue  # a world overview shows the places wherever it is centred
            x, y = view.center
            field, subject, at = "center", "the view's center lies", "at"
            fix = f"center = {json.dumps([y, x])}"
        else:
            west, south, east, north = view.lonlat_bounds  # type: ignore[misc]
            inside = (south <= lat) & (lat <= north) & (((west <= lon) & (lon <= east))
                                                        | ((west <= lon + 360) & (lon + 360 <= east)))
            if inside.any() or max(abs(west), abs(east if east <= 180 else east - 360)) > 90:
                continue  # it shows some of them; or, swapped, a longitude would be no latitude
            (w, s), (e, n) = view.bounds  # type: ignore[misc]
            x, y = ((west + east) / 2 + 180.0) % 360.0 - 180.0, (south + north) / 2
            field, subject, at = "bounds", "the view's bounds lie", "around"
            fix = f"bounds = {json.dumps([[s, w], [n, e]])}"
        if abs(x) > 90.0:
            continue  # swapped, its longitude would be no latitude
        seen = _point_swapped(x, y, lon, lat)
        if seen is None or seen[0] != certain:
            continue
        implausible, among, now, swapped = seen
        one = len(lon) == 1
        others = ("the step's place" if one and named else "the story's place" if one else
                  "the step's places" if named else "the story's places")
        found.append(Finding(index, ("view", field), _swap_message(
            subject, x, y, implausible, others, float(np.median(lon)), float(np.median(lat)), now, among, swapped,
            f"views are [longitude, latitude], as GeoJSON positions: write {fix}", at=at, one=one)))
    return found


def _point_swapped(x: float, y: float, lon: np.ndarray, lat: np.ndarray) -> Optional[tuple[bool, bool, float, float]]:
    """Whether one position (a view's center, a layer's middle) looks swapped, compared with the
    places at ``lon``, ``lat`` as :func:`swapped_places` compares a place with the others:
    ``(where it lies is implausible, swapped it lies among them, its median distance to them now,
    swapped)``, or None."""
    point = np.array([x]), np.array([y])
    now, swapped = _median_km(*point, lon, lat), _median_km(point[1], point[0], lon, lat)
    typical = max(float(np.median(_spread(lon, lat))), _FAR_KM) if len(lon) > 1 else _FAR_KM
    for _, implausible, among in _looks_swapped(*point, now, swapped, typical, np.array([bool(_polar(lat).any())])):
        return implausible, among, float(now[0]), float(swapped[0])
    return None


#: The window a view's reach is judged in: a desktop's (1280×800). A view that shows none of its
#: step's places there shows none on a phone either.
_WINDOW_PX = (1280.0, 800.0)


def view_reach(center: tuple[float, float], zoom: float) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` that a view centred on ``center`` at ``zoom`` shows in a
    1280×800 window (west and east may pass ±180)."""
    world = 256.0 * 2.0 ** zoom
    lon, lat = center
    half = _WINDOW_PX[0] / 2.0 / world * 360.0
    y, reach = mercator(lon, lat)[1], _WINDOW_PX[1] / 2.0 / world * 256.0
    return (lon - half, unmercator(0.0, min(256.0, y + reach))[1], lon + half, unmercator(0.0, max(0.0, y - reach))[1])


def _shows(box: tuple[float, float, float, float], bounds: np.ndarray) -> np.ndarray:
    """For each place's ``bounds`` row (minx, miny, maxx, maxy), whether it meets ``box``, the world
    wrapped (a place at longitude 179 meets a box reaching past 180)."""
    west, south, east, north = box
    meets = (bounds[:, 1] <= north) & (bounds[:, 3] >= south)
    across = np.zeros(len(bounds), dtype=bool)
    for turn in (-360.0, 0.0, 360.0):
        across |= (bounds[:, 0] + turn <= east) & (bounds[:, 2] + turn >= west)
    return meets & across


def places_past_the_map(places: Sequence[Place]) -> list[Finding]:
    """Places that lie, wholly, beyond latitude ±85.05°, where the Web Mercator map ends (the North
    Pole, the South Pole station): the page draws them at its top or bottom edge, often out of
    sight, with no label. ``places[i]`` is :attr:`Finding.index`."""
    found = []
    for i, place in enumerate(places):
        west, south, east, north = place.drawn.bounds
        if south > MERCATOR_LIMIT or north < -MERCATOR_LIMIT:
            edge = "north" if south > 0 else "south"
            found.append(Finding(i, ("geometry",), (
                f"it lies at latitude {north if edge == 'north' else south:.4g}, beyond the map's {edge}ern edge "
                f"(±85.05°: the web map's projection ends there): the page draws it on that edge, often out of "
                f"sight and unlabelled; for a place at the pole, a point at 85° (and the annotation saying so) "
                f"shows on the map")))
    return found


def steps_without_places(steps: Sequence[Step]) -> list[Finding]:
    """Steps with no place and no view: such a step's map shows the whole of what the story draws,
    every place dimmed, while its text tells of somewhere (a step emptied by mistake, or left
    to be filled in)."""
    return [Finding(i, ("places",), "the step shows no place and has no view: its map zooms out to all of the "
                    "story's places, each dimmed; list the places it is about in places, or give it a view")
            for i, step in enumerate(steps) if not step.places and step.view is None]


def views_missing_places(steps: Sequence[Step], places: Sequence[Place]) -> list[Finding]:
    """Steps whose ``view`` shows none of the places they name: a center and zoom whose 1280×800
    window (:func:`view_reach`) meets none of them, or bounds that meet none. (The reader of such a
    step sees the map's empty sea or land while the text speaks of the places.) The message says
    where the view reaches and where the places lie, and, where the view swapped (Leaflet's
    [latitude, longitude] order) would show one, says so. Steps naming no places, or only places
    not in ``places``, are not checked."""
    found: list[Finding] = []
    by_id = {place.id: place for place in places}
    for index, step in enumerate(steps):
        named = [by_id[pid] for pid in step.places if pid in by_id]
        if step.view is None or not named:
            continue
        view = step.view
        bounds = shapely.bounds(np.array([place.drawn for place in named], dtype=object))
        if view.center is not None:
            box = view_reach(view.center, float(view.zoom or 0))
            swapped = view_reach((view.center[1], view.center[0]), float(view.zoom or 0))
            field, what = "center", f"at zoom {view.zoom:g}, centred on longitude {view.center[0]:.4g}, latitude " \
                                    f"{view.center[1]:.4g}, a 1280×800 window reaches"
            fix = f"center = {json.dumps([view.center[1], view.center[0]])}"
        else:
            box = view.lonlat_bounds  # type: ignore[assignment]
            (w, s), (e, n) = view.bounds  # type: ignore[misc]
            swapped = (s, w, n, e) if max(abs(s), abs(n)) <= 180 and max(abs(w), abs(e)) <= 90 else None
            field, what = "bounds", "its bounds reach"
            fix = f"bounds = {json.dumps([[s, w], [n, e]])}"
        if _shows(box, bounds).any():
            continue
        lon, lat = _positions(named)
        them = (f"its place {named[0].id!r} lies at longitude {lon[0]:.4g}, latitude {lat[0]:.4g}" if len(named) == 1 else
                f"its {len(named)} places lie around longitude {float(np.median(lon)):.4g}, latitude "
                f"{float(np.median(lat)):.4g}")
        west, south, east, north = box
        message = (f"the view shows none of the step's places: {what} longitude "
                   f"{(west + 180) % 360 - 180:.4g} to {(east + 180) % 360 - 180:.4g}, latitude {south:.4g} to "
                   f"{north:.4g}; {them}")
        if swapped is not None and _shows(swapped, bounds).any():
            message += (f"; swapped, it would show {'it' if len(named) == 1 else 'them'}: views are "
                        f"[longitude, latitude], as GeoJSON positions: write {fix}")
        else:
            message += "; to fit the view to them, leave `view` out"
        found.append(Finding(index, ("view", field), message))
    return found


_GEOMETRY = TypeAdapter(Geometry)


def check_geometry(geometry: Any, where: str = "geometry") -> list[str]:
    """Check a GeoJSON geometry object; return every problem found, each naming where.

    Checks the structure (RFC 7946 types, positions, minimum counts, closed rings), coordinate
    ranges and, through shapely, validity (e.g. a self-intersecting polygon and where it crosses).
    Never raises, whatever ``geometry`` is.
    """
    try:
        _GEOMETRY.validate_python(geometry)
    except ValidationError as exc:
        return [f"{where}{field_path(loc, nested=True)}: {message}" for loc, message in _errors_at(exc, ())]
    except (RecursionError, ValueError, TypeError) as exc:
        return [f"{where}: not readable: {exc}"]
    return []


#: The union of places' bounds, for steps and views.
places_bounds = bounds_union
