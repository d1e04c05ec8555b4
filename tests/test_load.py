"""Loading story folders through the models, and the Panama story's own data."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import shape

import storymap
from storymap.context import PageContext
from storymap import StoryError
from storymap.basemap import natural_earth_land

from .conftest import GEODATA


def test_loads_the_panama_story():
    story = storymap.load(GEODATA)
    assert isinstance(story, storymap.Story)
    assert len(story.steps) >= 8
    assert story.steps[0].id == "overview" and story.steps[-1].id == "what-lies-ahead"
    declared = {"canal", "lock", "border-zone", "corridor", "site", "port", "headquarters", "exercise-area"}
    assert {p.kind for p in story.data.places} == declared  # the story's own kinds, from its story.toml
    assert list(story.data.kinds)[:len(declared)] == ["canal", "lock", "border-zone", "corridor", "site", "port",
                                                      "headquarters", "exercise-area"]


def test_every_place_has_sources_and_is_shown():
    data = storymap.load(GEODATA).data
    shown = {pid for step in data.steps for pid in step.places}
    for place in data.places:
        assert place.sources, place.id
        assert all(s.url.startswith(("http://", "https://")) for s in place.sources)
        assert place.id in shown, f"{place.id} is in no step"
        if place.location_precision in ("unpublished", "approximate", "schematic"):
            words = ("not published", "not been published", "approximate", "schematic", "not found", "symbolic", "not an official")
            assert any(w in place.annotation.lower() for w in words), place.id


def test_required_places_exist_with_the_right_geometry():
    data = storymap.load(GEODATA).data
    by_id = {p.id: p for p in data.places}
    assert by_id["panama-canal"].shape.geom_type == "LineString"
    assert len(by_id["panama-canal"].shape.coords) >= 10
    for zone in ("darien-border-zone", "costa-rica-border-zone"):
        assert by_id[zone].kind == "border-zone" and by_id[zone].shape.geom_type == "Polygon"
    corridors = {p.id: p for p in data.places if p.kind == "corridor"}
    assert {corridors[c].get("coast") for c in corridors} == {"pacific", "caribbean", "land"}
    for c in corridors.values():
        assert c.get("direction") == "northbound"
        coords = c.shape.coords
        assert coords[-1][1] > coords[0][1], f"{c.id} does not run south→north"
    assert by_id["fuerzas-comando-2024"].shape.geom_type == "Point"
    assert by_id["socsouth-hq"].kind == "headquarters"
    assert sum(p.kind == "lock" for p in data.places) >= 3
    assert sum(p.kind == "port" for p in data.places) >= 2


def test_sea_corridors_stay_at_sea_and_the_land_route_on_land():
    data = storymap.load(GEODATA).data
    land = natural_earth_land()
    land = land[land.intersects(shapely.box(-90, 0, -70, 15))].geometry.union_all()
    for place in data.places:
        if place.kind != "corridor":
            continue
        if place.get("coast") == "land":
            assert place.shape.difference(land).length < 0.05 * place.shape.length, place.id
        else:
            assert not place.shape.intersects(land), f"{place.id} crosses land"


def test_sea_corridors_lie_on_their_coast():
    data = storymap.load(GEODATA).data
    canal = data.place("panama-canal").shape
    for place in data.places:
        if place.kind == "corridor" and place.get("coast") in ("pacific", "caribbean"):
            # The Pacific lies south-west of the canal's axis, the Caribbean north-east.
            mid = place.shape.interpolate(0.5, normalized=True)
            north_of_canal = mid.y > canal.centroid.y
            assert north_of_canal == (place.get("coast") == "caribbean"), place.id


def test_points_are_on_or_near_land():
    data = storymap.load(GEODATA).data
    world = natural_earth_land()
    for place in data.places:
        if place.kind in ("lock", "port", "headquarters", "site"):
            x, y = place.shape.centroid.x, place.shape.centroid.y
            land = world.cx[x - 0.5:x + 0.5, y - 0.5:y + 0.5].geometry.union_all()  # the land nearby
            assert land.distance(place.shape) < 0.03, place.id  # ~3 km


def test_files_are_plain_rfc7946_geojson():
    for path in GEODATA.glob("*.geojson"):
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        doc = json.loads(raw.decode("utf-8"))
        assert doc["type"] == "FeatureCollection" and "crs" not in doc
        frame = gpd.read_file(path)  # what QGIS and geojson.io read too
        assert len(frame) == len(doc["features"]) and frame.crs.to_epsg() == 4326
        for feature in doc["features"]:
            assert shape(feature["geometry"]).is_valid


def test_step_bounds_come_from_places():
    story = storymap.load(GEODATA)
    steps = {s["id"]: s for s in PageContext(story.data).config["steps"]}
    (south, west), (north, east) = steps["overview"]["latLngBounds"]
    assert south < 9.0 and north > 25.4  # Panama to Florida
    assert west < -80 and east > -80


def test_missing_folder_and_files(tmp_path: Path):
    with pytest.raises(StoryError, match="not a story folder"):
        storymap.load(tmp_path / "nope")
    with pytest.raises(StoryError) as info:
        storymap.load(tmp_path)
    text = str(info.value)
    assert "story.toml" in text and "no *.geojson" in text


def test_all_problems_of_a_file_are_reported_together(story_dir: Path):
    path = story_dir / "places.geojson"
    doc = json.loads(path.read_text("utf-8"))
    doc["features"][0]["properties"]["kind"] = "canall"
    doc["features"][1]["properties"].pop("name")
    doc["features"][2]["id"] = doc["features"][3]["id"]
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(StoryError) as info:
        storymap.load(story_dir)
    lines = [str(p) for p in info.value.problems]
    assert any('feature "socsouth-hq" (features[0]) properties.kind: unknown kind \'canall\'' in line for line in lines)
    assert any("(features[1]) properties.name: missing" in line for line in lines)
    assert any("features[2]" in line and "duplicate id" in line for line in lines)
    # The renamed feature's old id is now unknown to the steps: reported too, in the same run.
    assert any("story.toml" in line and "unknown place 'darien-border-zone'" in line for line in lines)
    assert all(line.split(": ")[0].endswith(("places.geojson", "story.toml")) for line in lines)


def test_toml_syntax_error_has_line_and_column(story_dir: Path):
    (story_dir / "story.toml").write_text('title = "x"\n[[steps]]\nid = \n', "utf-8")
    with pytest.raises(StoryError, match=r"line 3, column"):
        storymap.load(story_dir)
