"""The pydantic models: the one place that validates."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from storymap import Place, Step, StoryData
from storymap.models import check_geometry

POINT = {"type": "Point", "coordinates": [-79.9, 9.3]}


def place(**overrides):
    data = {"id": "gatun", "name": "Gatún Locks", "kind": "lock", "annotation": "Locks.",
            "sources": [{"title": "A source", "url": "https://example.org/a"}], "geometry": POINT}
    data.update(overrides)
    return data


def test_place_round_trips_through_a_feature():
    p = Place.model_validate(place(period="1914–present", extra_note="kept"))
    feature = p.to_feature()
    assert feature["id"] == "gatun" and feature["properties"]["extra_note"] == "kept"
    again = Place.from_feature(feature)
    assert again == p
    assert p.bounds == (-79.9, 9.3, -79.9, 9.3)
    assert p.__geo_interface__["geometry"] == POINT


@pytest.mark.parametrize("field, value, message", [
    ("kind", "canall", "unknown kind 'canall'; expected one of canal"),
    ("id", "Bad Id", "is not a valid id"),
    ("sources", [], "at least 1"),
    ("sources", [{"title": "x", "url": "javascript:alert(1)"}], "is not an http(s) URL"),
    ("annotation", "   ", "at least 1 character"),
    ("geometry", None, "is null"),
])
def test_place_errors_name_the_field(field, value, message):
    with pytest.raises(ValidationError) as info:
        Place.model_validate(place(**{field: value}))
    assert message in str(info.value)
    assert field in str(info.value)


def test_corridor_needs_coast_and_direction():
    line = {"type": "LineString", "coordinates": [[-78, 5], [-80, 7]]}
    with pytest.raises(ValidationError, match="coast"):
        Place.model_validate(place(kind="corridor", geometry=line))
    ok = Place.model_validate(place(kind="corridor", geometry=line, coast="pacific", direction="northbound"))
    assert ok.coast == "pacific"


@pytest.mark.parametrize("geometry, message", [
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, "Self-intersection"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "not closed"),
    ({"type": "LineString", "coordinates": [[0, 0]]}, "at least 2 needed"),
    ({"type": "Point", "coordinates": [200, 0]}, "longitude 200 is outside"),
    ({"type": "Point", "coordinates": [0, 95]}, "latitude 95 is outside"),
    ({"type": "Point", "coordinates": []}, "empty Point"),
    ({"type": "Circle", "coordinates": [0, 0]}, "unknown geometry type"),
])
def test_geometry_problems_are_reported_with_where(geometry, message):
    problems = check_geometry(geometry)
    assert problems and any(message in p for p in problems), problems


def test_valid_geometries_pass():
    assert check_geometry(POINT) == []
    assert check_geometry({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}) == []


def test_story_checks_references_and_duplicates():
    p = Place.model_validate(place())
    with pytest.raises(ValidationError) as info:
        StoryData(title="T", places=[p, p], steps=[
            Step(id="a", title="A", places=["gatn"]), Step(id="a", title="B"),
        ])
    text = str(info.value)
    assert "duplicate place id 'gatun'" in text
    assert "duplicate step id 'a'" in text
    assert "unknown place 'gatn'; did you mean 'gatun'?" in text


def test_story_needs_a_step():
    with pytest.raises(ValidationError, match="steps"):
        StoryData(title="T", steps=[])


def test_view_needs_bounds_or_center_and_zoom():
    with pytest.raises(ValidationError, match="either `bounds`"):
        Step(id="a", title="A", view={"center": [9, -79]})
    assert Step(id="a", title="A", view={"center": [9, -79], "zoom": 8}).view.zoom == 8
