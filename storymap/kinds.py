"""Kinds of place: how a class of places is named (legend, cards) and drawn.

Kinds belong to the story: ``story.toml`` declares them as ``[kinds.NAME]`` tables. A few generic
kinds (:data:`GENERIC_KINDS`) ship with the library and need no declaration; a story's table of
the same name overrides their fields. A place without a ``kind`` gets the generic kind of its
geometry (:data:`DEFAULT_KIND`).
"""

from __future__ import annotations

from typing import Any, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .encoding import whole
from .types import Color, DashPattern, GeometryFamily, NonEmptyText, Symbol

__all__ = ["Kind", "GENERIC_KINDS", "DEFAULT_KIND", "KIND_FIELDS"]


class Kind(BaseModel):
    """A kind of place, as declared in ``story.toml``'s ``[kinds.NAME]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: NonEmptyText = Field(description="What the legend and the place cards call it.",
                                examples=["Container port"])
    geometry: GeometryFamily = Field(description="How its places are drawn: as points, lines or areas.")
    color: Color = Field(description="Its colour: the fill of points, the stroke of lines, stroke and fill of areas.",
                         examples=["#00695c"])
    outline: Optional[Color] = Field(default=None, description="The ring of points, the stroke of areas.")
    fill: Optional[Color] = Field(default=None, description="The fill of areas and points, when not `color`.")
    opacity: Optional[float] = Field(default=None, ge=0, le=1, description="Stroke opacity, 0–1.")
    fill_opacity: Optional[float] = Field(default=None, ge=0, le=1, description="Fill opacity, 0–1.")
    weight: Optional[float] = Field(default=None, ge=0, le=20, description="Stroke width in pixels.")
    dash: Optional[DashPattern] = Field(default=None, description="Dash pattern in pixels, e.g. \"10 6\".")
    arrows: bool = Field(default=False, description="Lines only: arrowheads show the direction of travel "
                                                    "(the order of the line's coordinates).")
    radius: Optional[float] = Field(default=None, ge=1, le=40, description="Points only: radius in pixels.")
    symbol: Symbol = Field(default="circle", description="Points only: the symbol drawn.")
    description: str = Field(default="", description="What the kind means (for the legend's title and readers).")
    properties: dict[str, list[Union[str, int, float, bool]]] = Field(
        default_factory=dict,
        description="Properties every place of this kind must carry, each with its allowed values.",
        examples=[{"coast": ["pacific", "caribbean", "land"]}])
    legend: bool = Field(default=True, description="Whether the legend lists the kind.")

    @model_validator(mode="after")
    def _fits_geometry(self) -> "Kind":
        if self.arrows and self.geometry != "line":
            raise ValueError("`arrows` apply to lines only (geometry = \"line\")")
        if self.geometry != "point" and (self.radius is not None or self.symbol != "circle"):
            raise ValueError("`radius` and `symbol` apply to points only (geometry = \"point\")")
        return self

    def style(self) -> dict[str, Any]:
        """Leaflet path options for the kind's places."""
        if self.geometry == "point":
            style = {"radius": self.radius or 7, "color": self.outline or "#ffffff", "weight": _or(self.weight, 2),
                     "opacity": _or(self.opacity, 1), "fillColor": self.fill or self.color,
                     "fillOpacity": _or(self.fill_opacity, 1)}
        elif self.geometry == "line":
            style = {"color": self.color, "weight": _or(self.weight, 3), "opacity": _or(self.opacity, 0.95)}
        else:
            style = {"color": self.outline or self.color, "weight": _or(self.weight, 2),
                     "opacity": _or(self.opacity, 0.9), "fillColor": self.fill or self.color,
                     "fillOpacity": _or(self.fill_opacity, 0.25)}
        if self.dash:
            style["dashArray"] = self.dash
        return {key: whole(value) for key, value in style.items()}


def _or(value: Optional[float], default: float) -> float:
    return default if value is None else value


#: The field names of a kind, for "did you mean" on a misspelled one.
KIND_FIELDS = tuple(Kind.model_fields)

#: Kinds every story has without declaring them.
GENERIC_KINDS: dict[str, dict[str, Any]] = {
    "place": {"label": "Place", "geometry": "point", "color": "#1d4f91",
              "description": "A place the story visits."},
    "event": {"label": "Event", "geometry": "point", "color": "#7a2f8a",
              "description": "Where something happened."},
    "route": {"label": "Route", "geometry": "line", "color": "#b5461f", "arrows": True,
              "description": "A way travelled, drawn in the direction of its coordinates."},
    "line": {"label": "Line", "geometry": "line", "color": "#455a64",
             "description": "A line: a road, a river, a boundary."},
    "area": {"label": "Area", "geometry": "area", "color": "#2e7d32",
             "description": "An area: a region, a zone, a park."},
}

#: The kind of a place that names none, by the family of its geometry.
DEFAULT_KIND = {"point": "place", "line": "line", "area": "area"}
