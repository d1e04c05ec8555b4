"""Reusable constrained types for the story models."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from .errors import short_repr

__all__ = [
    "Identifier", "NonEmptyText", "HttpUrl", "Language", "LocationPrecision", "Coast", "Direction", "Layout",
]

_ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def _check_identifier(value: str) -> str:
    if not _ID_RE.match(value):
        raise ValueError(
            f"{short_repr(value)} is not a valid id; expected lowercase letters, digits and dashes "
            "(kebab-case, 1-64 characters, e.g. 'panama-canal')"
        )
    return value


def _check_url(value: str) -> str:
    if not re.match(r"^https?://[^\s\x00-\x1f\x7f/$.?#][^\s\x00-\x1f\x7f]*$", value, re.IGNORECASE):
        raise ValueError(f"{short_repr(value)} is not an http(s) URL")
    return value


_LANG_RE = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")


def _check_language(value: str) -> str:
    if not _LANG_RE.match(value):
        raise ValueError(f"{short_repr(value)} is not a language tag; expected e.g. 'en', 'es' or 'pt-BR'")
    return value


#: A stable, URL-safe id for a place or a step (used in the page's URL hash).
Identifier = Annotated[str, AfterValidator(_check_identifier)]
#: Text that must say something.
NonEmptyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
#: An absolute http(s) URL, kept as the string given.
HttpUrl = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_check_url)]
#: A BCP 47 language tag (the page's ``lang``).
Language = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_check_language)]
#: How well a place's position is known.
LocationPrecision = Literal["exact", "approximate", "schematic", "unpublished"]
#: Which coast a corridor runs along.
Coast = Literal["pacific", "caribbean", "land"]
#: The direction of travel along a corridor; its coordinates run in this direction.
Direction = Literal["northbound", "southbound", "eastbound", "westbound"]
#: How the story is laid out on the page.
Layout = Literal["slides", "scroll"]
#: A zoom level Leaflet accepts.
Zoom = Annotated[float, Field(ge=0, le=22)]
