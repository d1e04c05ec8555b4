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
    assert feature["type"] == "Feature" and feature["id"] == "gatun"
    assert feature["properties"]["extra_note"] == "kept" and p.get("extra_note") == "kept"
    again = Place.from_feature(feature)
    assert again == p
    assert p.bounds == (-79.9, 9.3, -79.9, 9.3)
    assert p.__geo_interface__["geometry"] == POINT
    assert p.geometry.type == "Point" and p.family == "point"


def test_a_place_without_a_kind_gets_the_generic_kind_of_its_geometry():
    line = {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}
    area = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    for geometry, kind in ((POINT, "place"), (line, "line"), (area, "area")):
        data = place(geometry=geometry)
        del data["kind"]
        assert Place.model_validate(data).kind == kind


@pytest.mark.parametrize("field, value, message", [
    ("id", "Bad Id", "is not a valid id"),
    ("sources", [], "at least 1"),
    ("sources", [{"title": "x", "url": "javascript:alert(1)"}], "is not an http(s) URL"),
    ("annotation", "   ", "annotation: blank: '   ' is whitespace only; it needs some text"),
    ("geometry", None, "is null"),
])
def test_place_errors_name_the_field(field, value, message):
    with pytest.raises(ValidationError) as info:
        Place.model_validate(place(**{field: value}))
    assert message in str(info.value)
    assert field in str(info.value)


def test_a_kind_can_ask_for_properties():
    line = {"type": "LineString", "coordinates": [[-78, 5], [-80, 7]]}
    kinds = {"corridor": {"label": "Corridor", "geometry": "line", "color": "#b3001b",
                          "properties": {"coast": ["pacific", "caribbean"]}}}
    steps = [Step(id="a", title="A")]
    with pytest.raises(ValidationError, match=r"places\[0\]\.properties\.coast: missing: places of kind 'corridor' need"):
        StoryData(title="T", kinds=kinds, places=[place(kind="corridor", geometry=line)], steps=steps)
    with pytest.raises(ValidationError, match="'atlantic' is not one of pacific, caribbean"):
        StoryData(title="T", kinds=kinds, places=[place(kind="corridor", geometry=line, coast="atlantic")], steps=steps)
    ok = StoryData(title="T", kinds=kinds, places=[place(kind="corridor", geometry=line, coast="pacific")], steps=steps)
    assert ok.places[0].get("coast") == "pacific"


@pytest.mark.parametrize("color, message", [
    ("gren", "did you mean 'green'?"),
    ("#12345", "'#12345' is not a CSS color"),
    ("nope", "'nope' is not a CSS color"),
])
def test_a_kind_colour_the_browser_would_ignore_is_refused(color, message):
    """A browser ignores a colour it does not know (and draws the places in its default blue):
    a misspelt name or a hex colour of the wrong length is an error, with the closest name."""
    kinds = {"harbour": {"label": "Harbour", "geometry": "point", "color": "teal", "outline": color}}
    with pytest.raises(ValidationError) as info:
        StoryData(title="T", kinds=kinds, places=[place(kind="harbour")], steps=[Step(id="a", title="A")])
    assert "outline" in str(info.value) and message in str(info.value)
    for fine in ("Teal", "#0072b2", "#0072b2cc", "#abc", "rgb(0, 114, 178)", "transparent"):
        kinds["harbour"]["outline"] = fine
        StoryData(title="T", kinds=kinds, places=[place(kind="harbour")], steps=[Step(id="a", title="A")])


@pytest.mark.parametrize("geometry, message", [
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, "Self-intersection"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "not closed"),
    ({"type": "LineString", "coordinates": [[0, 0]]}, "at least 2 needed"),
    # (A line of one point repeated draws nothing, and broke the basemap's making: found by the fuzz test.)
    ({"type": "LineString", "coordinates": [[-79.5, 9], [-79.5, 9, 3]]}, "every position of the line is [-79.5, 9]"),
    ({"type": "MultiLineString", "coordinates": [[[0, 0], [1, 1]], [[2, 2], [2, 2]]]}, "coordinates[1]: every position"),
    ({"type": "Point", "coordinates": [200, 0]}, "longitude 200 is outside"),
    ({"type": "Point", "coordinates": [180.0000001, 0]}, "longitude 180.0000001 is outside"),
    ({"type": "Point", "coordinates": [0, 95]}, "latitude 95 is outside"),
    ({"type": "Point", "coordinates": []}, "empty Point"),
    ({"type": "Circle", "coordinates": [0, 0]}, "unknown geometry type"),
])
def test_geometry_problems_are_reported_with_where(geometry, message):
    problems = check_geometry(geometry)
    assert problems and any(message in p for p in problems), problems


def test_valid_geometries_pass():
    assert check_geometry(POINT) == []
    # Whole-world data is often a hair past the edge: within 1e-8 it is the edge itself.
    assert check_geometry({"type": "Point", "coordinates": [180.00000000000006, -90.00000000000001]}) == []
    assert check_geometry({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}) == []


def test_story_checks_references_and_duplicates():
    p = Place.model_validate(place())
    with pytest.raises(ValidationError) as info:
        StoryData(title="T", places=[p, p], steps=[
            Step(id="a", title="A", places=["gatn"]), Step(id="a", title="B"),
        ])
    text = str(info.value)
    assert "places[1].id: duplicate id 'gatun' (first used by places[0])" in text
    assert "duplicate step id 'a'" in text
    assert "unknown place 'gatn'; did you mean 'gatun'?" in text


def test_story_needs_a_step():
    with pytest.raises(ValidationError, match="steps"):
        StoryData(title="T", steps=[])


def test_view_needs_bounds_or_center_and_zoom():
    with pytest.raises(ValidationError, match="either `bounds`"):
        Step(id="a", title="A", view={"center": [-79, 9]})
    assert Step(id="a", title="A", view={"center": [-79, 9], "zoom": 8}).view.zoom == 8


@pytest.mark.parametrize("view, message", [
    ({"center": [9, -179], "zoom": 5}, "center [9.0, -179.0] is not [longitude, latitude]; are the two swapped?"),
    ({"center": [float("nan"), 9], "zoom": 5}, "nan is not a finite number"),
    ({"center": [-79, 9], "zoom": float("inf")}, "less than or equal to 22"),
    ({"bounds": [[-80, 10], [-79, 9]]}, "are not [[west, south], [east, north]]"),
])
def test_views_are_geojson_order_and_finite(view, message):
    with pytest.raises(ValidationError) as info:
        Step(id="a", title="A", view=view)
    assert message in str(info.value)


def test_bounds_east_of_west_cross_the_antimeridian():
    view = Step(id="a", title="A", view={"bounds": [[150, -10], [-150, 10]]}).view
    assert view.lonlat_bounds == (150, -10, 210, 10)


def test_a_story_is_made_from_its_data_or_a_mapping_never_from_a_path(tmp_path):
    """``Story("geodata")`` used to make a broken story that failed later (``'str' object has no
    attribute 'steps'``): a path is refused at once, naming storymap.load; a mapping is validated."""
    import storymap

    for folder in ("geodata", tmp_path):
        with pytest.raises(TypeError, match=r"Story takes a StoryData, not a path .*use storymap\.load\("):
            storymap.Story(folder)
    with pytest.raises(TypeError, match="got int"):
        storymap.Story(3)
    with pytest.raises(storymap.StoryError, match="steps: the story has no steps"):
        storymap.Story({"title": "Empty"})
    story = storymap.Story({"title": "One place", "places": [Place.from_feature(
        {"type": "Feature", "id": "gatun", "geometry": POINT, "properties": {k: v for k, v in place().items()
                                                                           if k not in ("id", "geometry", "kind")}})],
        "steps": [{"id": "locks", "title": "The locks", "places": ["gatun"]}]})
    assert repr(story) == "<Story 'One place': 1 step, 1 place>" and "The locks" in story.to_html()


def test_problems_found_from_python_say_what_to_write_in_python():
    """add_place with an undeclared kind named story.toml's [kinds.NAME] table to a Python user; it
    now names story.add_kind. (storymap validate keeps story.toml's words: see test_any_story.)"""
    import shapely

    import storymap
    from tests.conftest import GEODATA

    story = storymap.load(GEODATA)
    with pytest.raises(storymap.StoryError) as caught:
        story.add_place(shapely.Point(-79.5, 9.0), name="Pier", kind="pier", annotation="A pier.",
                        sources=[{"title": "A source", "url": "https://example.org/a"}])
    [problem] = caught.value.problems
    assert problem.message.endswith("declare it first: story.add_kind('pier', label=..., geometry=..., color=...)")
    assert "story.toml" not in problem.message
    with pytest.raises(storymap.StoryError, match="the story has no steps; give at least one step$"):
        storymap.Story({"title": "Empty"})


def test_swapped_places_are_found_again_only_when_the_positions_change():
    """to_html and save check a story's places again; the swap check (0.3 s for 20,000 places) is
    not run again on the same positions, and any change of a position runs it."""
    from storymap import models

    def place(pid: str, lon: float, lat: float) -> Place:
        return Place(id=pid, name=pid, annotation="x", sources=[{"title": "s", "url": "https://example.org/"}],
                     geometry={"type": "Point", "coordinates": [lon, lat]})

    around = [place(f"p{i}", -79.5 + i * 0.1, 9.0 + i * 0.05) for i in range(6)]
    swapped = around + [place("bad", 9.2, -79.4)]
    first = models.swapped_places(swapped)
    assert [f.index for f in first] == [6]
    first.clear()  # (the caller's list: the next answer is whole)
    assert [f.index for f in models.swapped_places(swapped)] == [6]
    assert models.swapped_places(around + [place("good", -79.4, 9.2)]) == []
    calls = []
    real = models._swapped_places
    try:
        models._swapped_places = lambda lon, lat: calls.append(1) or real(lon, lat)
        assert [f.index for f in models.swapped_places(swapped)] == [6] and calls == [1]
        assert [f.index for f in models.swapped_places(swapped)] == [6] and calls == [1]  # the same positions
    finally:
        models._swapped_places = real
