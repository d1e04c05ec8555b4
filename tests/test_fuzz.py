"""Fuzzing the loader and the validator: any input gives a valid story or a StoryError, nothing else.

hypothesis writes arbitrary JSON, arbitrary bytes and GeoJSON-shaped data (features whose ids,
properties and geometries are drawn from valid and broken values alike) into a story folder and
loads it; valid stories are rendered too.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import storymap
from storymap import StoryError
from storymap.cli import main as cli
from storymap.kinds import GENERIC_KINDS as KINDS
from storymap.load import load_data
from storymap.models import GEOMETRY_TYPES, check_geometry

from .conftest import GEODATA

# As many examples as the profile says (tests/conftest.py: 80, or 2,000 with HYPOTHESIS_PROFILE=thorough).
FUZZ = settings()

# JSON of any shape.
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text()
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=5), max_leaves=30)

# GeoJSON-shaped data: mostly plausible values, some broken ones.
IDS = ["a", "b", "c", "panama-canal", "Bad Id", "", "x" * 70]
numbers = (st.floats(min_value=-200, max_value=200, allow_nan=False) | st.integers(-200, 200)
           | st.sampled_from([0, 90, -90, 180, -180, 1e308, float("nan"), 10**400]))
positions = st.lists(numbers, min_size=0, max_size=4)


def coordinates(depth: int):
    strategy = positions
    for _ in range(depth):
        strategy = st.lists(strategy, max_size=6)
    return strategy


geometries = st.one_of(
    st.none(),
    st.builds(lambda t, c: {"type": t, "coordinates": c},
              st.sampled_from(GEOMETRY_TYPES + ("Circle", "")),
              st.integers(0, 3).flatmap(coordinates)),
    st.builds(lambda x, y: {"type": "Point", "coordinates": [x, y]},
              st.floats(-82, -77), st.floats(7, 10)),
    st.builds(lambda x, y, s: {"type": "Polygon", "coordinates": [[[x, y], [x + s, y], [x, y + s], [x, y]]]},
              st.floats(-82, -77), st.floats(7, 10), st.floats(-1, 1)),
    st.builds(lambda gs: {"type": "GeometryCollection", "geometries": gs}, st.lists(st.none() | st.just(
        {"type": "Point", "coordinates": [-79.5, 9.0]}), max_size=2)),
    json_values,
)
sources = st.lists(st.fixed_dictionaries(
    {"title": st.sampled_from(["A source", "", "<b>x</b>"]),
     "url": st.sampled_from(["https://example.org", "javascript:alert(1)", "ftp://x", ""])}), max_size=2)
properties = st.fixed_dictionaries({}, optional={
    "name": st.text(max_size=20) | st.integers(),
    "kind": st.sampled_from(list(KINDS) + ["canall", ""]),
    "annotation": st.text(max_size=40),
    "sources": sources | json_values,
    "coast": st.sampled_from(["pacific", "moon"]),
    "direction": st.sampled_from(["northbound", "up"]),
    "location_precision": st.sampled_from(["exact", "vague"]),
    "date": st.text(max_size=10) | st.integers(),
    "id": st.sampled_from(IDS),
    "geometry": st.just({}),
    "extra": json_values,
})
features = st.fixed_dictionaries(
    {"type": st.sampled_from(["Feature", "Feature", "Feature", "feature"])},
    optional={"id": st.sampled_from(IDS) | st.integers(), "properties": properties | json_values,
              "geometry": geometries})
collections = st.fixed_dictionaries(
    {"type": st.sampled_from(["FeatureCollection", "FeatureCollection", "Feature"]),
     "features": st.lists(features, max_size=6) | json_values},
    optional={"crs": st.sampled_from([None, {"type": "name", "properties": {"name": "EPSG:3857"}}, "x"])})
steps = st.lists(st.fixed_dictionaries(
    {"id": st.sampled_from(["s1", "s2", "Bad", 3]), "title": st.text(max_size=10)},
    optional={"places": st.lists(st.sampled_from(IDS), max_size=3) | json_values,
              "narrative": st.text(max_size=30), "max_zoom": st.integers(-5, 30),
              "view": json_values}), max_size=4)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list) and all(isinstance(v, (str, int, bool)) for v in value):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(json.dumps(value))  # anything else: as a string


def story_toml(title, layout, step_list) -> str:
    lines = [f"title = {toml_value(title)}", f"layout = {toml_value(layout)}"]
    for step in step_list:
        lines.append("[[steps]]")
        lines += [f"{key} = {toml_value(value)}" for key, value in step.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("fuzz") / "story"
    target.mkdir()
    (target / "story.toml").write_bytes((GEODATA / "story.toml").read_bytes())
    return target


def outcome(folder: Path):
    """Load the folder: a valid story, or a StoryError with at least one well-formed line."""
    try:
        return load_data(folder)
    except StoryError as exc:
        assert exc.problems and all(str(p) and "\n" not in str(p) for p in exc.problems)
        return None


@FUZZ
@given(doc=json_values)
def test_any_json_as_places(folder: Path, doc):
    text = json.dumps(doc)  # NaN and Infinity come out as the non-JSON tokens: refused too
    (folder / "places.geojson").write_text(text, "utf-8")
    assert outcome(folder) is None  # the Panama steps name places no such document has


@FUZZ
@given(raw=st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_bytes_as_places(folder: Path, raw: bytes):
    (folder / "places.geojson").write_bytes(raw)
    assert outcome(folder) is None


@FUZZ
@given(fc=collections, step_list=steps, title=st.text(max_size=10), layout=st.sampled_from(["slides", "x"]))
def test_geojson_shaped_stories(folder: Path, fc, step_list, title, layout):
    (folder / "places.geojson").write_text(json.dumps(fc), "utf-8")
    (folder / "story.toml").write_text(story_toml(title, layout, step_list), "utf-8")
    data = outcome(folder)
    if data is not None:
        known = {p.id for p in data.places}
        assert all(pid in known for step in data.steps for pid in step.places)
        assert data.steps and all(math.isfinite(v) for p in data.places for v in p.bounds)


# Valid stories with unusual content: anywhere on Earth, any text, steps naming any places.
lon, lat = st.floats(-180, 180), st.floats(-85, 85)
valid_geometries = st.one_of(
    st.builds(lambda x, y: {"type": "Point", "coordinates": [x, y]}, lon, lat),
    st.builds(lambda a, b, c, d: {"type": "LineString", "coordinates": [[a, b], [c, d]]}, lon, lat, lon, lat),
    st.builds(lambda x, y, s: {"type": "Polygon", "coordinates": [[[x, y], [x + s, y], [x, y + s], [x, y]]]},
              st.floats(-170, 170), st.floats(-80, 80), st.floats(0.001, 5)),
)
any_text = st.text(min_size=1, max_size=30).filter(str.strip)


@st.composite
def valid_stories(draw):
    n = draw(st.integers(1, 5))
    feats = []
    for i in range(n):
        props = {"name": draw(any_text), "annotation": draw(any_text),
                 "sources": [{"title": draw(any_text), "url": "https://example.org/" + str(i)}]}
        feats.append({"type": "Feature", "id": f"p{i}", "properties": props, "geometry": draw(valid_geometries)})
    step_list = [{"id": f"s{j}", "title": draw(any_text), "narrative": draw(st.text(max_size=40)),
                  "places": draw(st.lists(st.sampled_from([f["id"] for f in feats]), max_size=3, unique=True))}
                 for j in range(draw(st.integers(1, 3)))]
    return {"type": "FeatureCollection", "features": feats}, step_list


@settings(max_examples=15)  # a whole page each
@given(story=valid_stories(), title=any_text)
def test_valid_fuzzed_stories_render(folder: Path, story, title):
    fc, step_list = story
    (folder / "places.geojson").write_text(json.dumps(fc), "utf-8")
    (folder / "story.toml").write_text(story_toml(title, "slides", step_list), "utf-8")
    data = outcome(folder)
    assume(data is not None)  # e.g. a place looking swapped among the others
    html = storymap.Story(data).to_html()
    assert html.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in html
    assert html.count("<script>") == 1  # Leaflet, storymap and the story: one script at the end


@FUZZ
@given(meta=st.dictionaries(st.sampled_from(["title", "subtitle", "lang", "layout", "steps", "other"]),
                            json_values, max_size=5))
def test_any_story_toml(folder: Path, meta):
    (folder / "places.geojson").write_bytes((GEODATA / "places.geojson").read_bytes())
    lines = [f"{key} = {toml_value(value)}" for key, value in meta.items()]
    (folder / "story.toml").write_text("\n".join(lines) + "\n", "utf-8")
    outcome(folder)


@FUZZ
@given(geometry=geometries)
def test_check_geometry_never_raises(geometry):
    problems = check_geometry(geometry)
    assert isinstance(problems, list) and all(isinstance(p, str) and p.startswith("geometry") for p in problems)


@settings(max_examples=30)
@given(doc=collections)
def test_cli_validate_exits_0_or_1_without_traceback(folder: Path, doc):
    (folder / "places.geojson").write_text(json.dumps(doc), "utf-8")
    (folder / "story.toml").write_bytes((GEODATA / "story.toml").read_bytes())
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
