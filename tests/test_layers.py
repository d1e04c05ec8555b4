"""The Python API: add_layer with every input type, add_step, errors, the encoding, the budgets."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pydantic import ValidationError

import storymap
from storymap import StoryError
from storymap.context import PageContext
from storymap.layers import detail_zoom, encode

from .conftest import GEODATA
from .layers_data import PANAMA, column, payloads, random_points, undelta, wiggly_features

STEPS = [s.id for s in storymap.load(GEODATA).steps]
MAX_LAYER_PAGE = 5 * 1024 * 1024


@pytest.fixture()
def story() -> storymap.Story:
    return storymap.load(GEODATA)


def _story_call(html: str) -> tuple[dict, str]:
    """The story's config and the rest of the ``L.storymap.story(...)`` call (the layer registry)."""
    tail = html.rsplit("L.storymap.story(", 1)[1]
    start = tail.index("{")
    config, end = json.JSONDecoder().raw_decode(tail, start)
    return config, tail[end:tail.index("});", end)]


def overlays(html: str) -> list[dict]:
    """The ``overlays`` list of the story's config in a page."""
    return _story_call(html)[0]["overlays"]


def registry(html: str) -> list[str]:
    """Names in the page's ``root.storymap.layers`` registry (the story call's last argument)."""
    names = re.findall(r'("(?:[^"\\]|\\.)*"): \w+', _story_call(html)[1])
    return [json.loads(n) for n in names]


def only_payload(html: str) -> dict:
    found = list(payloads(html).values())
    assert len(found) == 1, len(found)
    return found[0]


def assert_in_panama(payload: dict, family: str = "points") -> np.ndarray:
    coords = undelta(payload[family]["xy"], payload["scale"])
    west, south, east, north = PANAMA
    assert (coords[:, 0] >= west - 0.01).all() and (coords[:, 0] <= east + 0.01).all()
    assert (coords[:, 1] >= south - 0.01).all() and (coords[:, 1] <= north + 0.01).all()
    return coords


# Inputs ----------------------------------------------------------------------------------------

def test_add_layer_chains_and_registers(story):
    result = story.add_layer(random_points(50), "Clinics", tooltip="name").add_layer(
        random_points(5, seed=2), "Schools", steps=STEPS[1:3])
    assert result is story
    assert story.layers == ["Clinics", "Schools"]
    html = story.to_html()
    assert {"Clinics", "Schools"} <= set(registry(html))
    entries = {o["name"]: o for o in overlays(html)}
    assert entries["Clinics"]["steps"] is None and entries["Clinics"]["shape"] == "point"
    assert entries["Schools"]["steps"] == STEPS[1:3]
    assert len(payloads(html)) == 2


def test_geodataframe_in_epsg4326_round_trips(story):
    points = random_points(200)
    html = story.add_layer(points, "Points", tooltip="name", popup=["name", "kind"]).to_html()
    payload = only_payload(html)
    coords = assert_in_panama(payload)
    assert payload["n"] == 200 and len(coords) == 200
    # Features are stored in their own order (Z-order); every point keeps its properties.
    want = {name: (x, y) for name, x, y in zip(points["name"], points.geometry.x, points.geometry.y)}
    for name, (x, y) in zip(column(payload, "name"), coords):
        assert abs(want[name][0] - x) <= 1 / payload["scale"] and abs(want[name][1] - y) <= 1 / payload["scale"]


def test_geodataframe_in_web_mercator_lands_in_panama(story):
    mercator = random_points(100).to_crs("EPSG:3857")
    assert mercator.total_bounds[0] < -9_000_000  # metres, not degrees
    payload = only_payload(story.add_layer(mercator, "Mercator").to_html())
    assert_in_panama(payload)


def test_layers_are_drawn_in_the_storys_longitude_frame(tmp_path):
    """A story over the Bering Strait draws its places across the antimeridian (Anadyr at 177.5°,
    Lavrentiya at -171° drawn at 189°); its layers were drawn in -180..180: a point at -175 a world
    away from its place, and Russia, split at 180 as Natural Earth has it, cut off at 180 with
    Chukotka's tip never drawn, even in a step whose view crossed it."""
    from storymap.context import framed_places

    from .test_any_story import feature, point, write_story

    def story_of(places):
        toml = 'title = "T"\n[[steps]]\nid = "one"\ntitle = "One"\nplaces = ' + str([p for p, _ in places]).replace("'", '"')
        return storymap.load(write_story(tmp_path / places[0][0], toml + "\n", [feature(p, point(*xy)) for p, xy in places]))

    russia = gpd.GeoDataFrame({"name": ["Russia"]}, crs=4326, geometry=[
        shapely.MultiPolygon([shapely.box(160, 60, 180, 70), shapely.box(-180, 62, -169, 68)])])
    points = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[shapely.Point(-175, 66), shapely.Point(176, 65)], crs=4326)
    story = story_of([("anadyr", (177.5, 64.73)), ("lavrentiya", (-171.0, 65.58))])
    start, drawn = framed_places(story.data)
    assert drawn["lavrentiya"].x == pytest.approx(189.0)
    story.add_layer(russia, "Russia").add_layer(points, "Points")
    found = sorted(payloads(story.to_html()).values(), key=lambda p: "points" in p)
    # Russia is one continuous area, 160° to 191°; the points at 176° and 185°.
    assert found[0]["bounds"] == [[60, 160], [70, 191]]
    assert found[1]["bounds"] == [[65, 176], [66, 185]]
    # In the standard frame (a story in Panama), the same area is continuous too, past 180; the
    # points stay where they are.
    story = story_of([("canal", (-79.7, 9.1))])
    assert framed_places(story.data)[0] == -180
    found = sorted(payloads(story.add_layer(russia, "Russia").add_layer(points, "Points").to_html()).values(),
                   key=lambda p: "points" in p)
    assert [p["bounds"] for p in found] == [[[60, 160], [70, 191]], [[65, -175], [66, 176]]]


def test_a_layer_read_as_lat_lon_is_refused_and_a_far_layer_is_not(story, recwarn):
    """A table's lat and lon columns given to points_from_xy the wrong way round drew the layer in
    the Antarctic, far from the story, without a word (add_place refuses the same mistake)."""
    table = pd.DataFrame({"lat": [8.97, 9.35, 7.9, 8.4], "lon": [-79.53, -79.9, -78.3, -82.4]})
    swapped = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table.lat, table.lon), crs=4326)
    with pytest.raises(StoryError, match=r"^add_layer\(\): layer 'Ports': coordinates look swapped: the layer's "
                                         r"features lie around longitude 8\.\d+, latitude -79\.\d+, in the Antarctic, "
                                         r".*points_from_xy\(df\.lon, df\.lat\)$"):
        story.add_layer(swapped, "Ports")
    assert "Ports" not in story.layers
    story.add_layer(gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table.lon, table.lat), crs=4326), "Ports")
    # Far from the story and no nearer swapped: the world, another continent.
    world = gpd.GeoDataFrame({"name": ["Pacific", "Asia"]}, crs=4326,
                             geometry=[shapely.box(-179, -60, 179, 75), shapely.Point(100.5, 13.75)])
    story.add_layer(world, "World").add_layer(world.iloc[[1]], "Bangkok")
    assert not [w for w in recwarn.list if "swapped" in str(w.message)]


def test_a_layer_named_as_another_but_for_case_or_spaces_is_refused(story):
    """"Canal", " Canal" and "canal" were three legend rows a reader could not tell apart."""
    frame = gpd.GeoDataFrame({"v": [1]}, geometry=gpd.points_from_xy([-79.5], [9.0]), crs=4326)
    story.add_layer(frame, "Canal traffic")
    for name in (" canal  traffic", "CANAL TRAFFIC"):
        with pytest.raises(StoryError, match=rf"layer {name!r} name: the legend would show it as the layer "
                                             r"'Canal traffic' already added \(names differ in case or spaces only\)"):
            story.add_layer(frame, name)
    story.remove_layer("Canal traffic").add_layer(frame, "canal traffic")
    assert list(story.layers) == ["canal traffic"]


def test_geoseries_and_naive_lonlat_frame(story):
    naive = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=gpd.points_from_xy([-79.5, -80.0], [9.0, 8.5]))
    assert naive.crs is None
    story.add_layer(random_points(10).geometry, "Series").add_layer(naive, "Naive", tooltip="name")
    found = payloads(story.to_html())
    assert len(found) == 2
    for payload in found.values():
        assert_in_panama(payload)


@pytest.mark.parametrize("driver, suffix", [("GeoJSON", ".geojson"), ("GPKG", ".gpkg"),
                                            ("ESRI Shapefile", ".shp"), ("FlatGeobuf", ".fgb")])
def test_paths_of_every_format(story, tmp_path: Path, driver: str, suffix: str):
    path = tmp_path / f"points{suffix}"
    random_points(30).to_crs("EPSG:32617").to_file(path, driver=driver, engine="pyogrio")  # UTM 17N
    payload = only_payload(story.add_layer(path, "From file", tooltip="name").to_html())
    assert_in_panama(payload)
    assert sorted(column(payload, "name")) == sorted(f"Point {i}" for i in range(30))
    # A str path works as well as a Path.
    assert storymap.load(GEODATA).add_layer(str(path), "Again").layers == ["Again"]


def test_a_file_of_several_layers_says_which_it_read_and_how_to_read_another(story, tmp_path: Path):
    # pyogrio's own warning said "Specify layer parameter", and add_layer(path, layer=...) was then
    # "unknown keyword 'layer'".
    path = tmp_path / "two.gpkg"
    random_points(5).to_file(path, layer="towns", engine="pyogrio")
    random_points(7).to_file(path, layer="ports", engine="pyogrio")
    with pytest.warns(UserWarning) as told:
        payload = only_payload(story.add_layer(path, "Towns").to_html())
    assert [str(w.message) for w in told] == [
        f"layer 'Towns': {str(path)!r} holds 2 layers ('towns', 'ports'); the layer is its first, 'towns': for "
        f"another, pass geopandas.read_file({str(path)!r}, layer='ports')"]
    assert told[0].filename == __file__  # (said where add_layer was called)
    assert payload["n"] == 5
    with pytest.raises(StoryError, match=r"'layer' is a keyword of geopandas.read_file, not of add_layer: read the "
                                         r"file with geopandas.read_file\(path, layer=...\) and pass the GeoDataFrame"):
        story.add_layer(path, "Ports", layer="ports")


def test_geojson_mappings_and_text(story):
    feature = {"type": "Feature", "properties": {"name": "Colón"},
               "geometry": {"type": "Point", "coordinates": [-79.9, 9.35]}}
    collection = {"type": "FeatureCollection", "features": [feature]}
    geometry = {"type": "LineString", "coordinates": [[-80, 8.5], [-79.5, 9.0], [-79.0, 8.8]]}
    story.add_layer(collection, "Collection", tooltip="name").add_layer(feature, "Feature")
    story.add_layer(geometry, "Geometry").add_layer(json.dumps(collection), "Text")
    found = list(payloads(story.to_html()).values())
    assert len(found) == 4
    assert column(found[0], "name") == ["Colón"]
    assert_in_panama(found[2], "lines")


def test_geo_interface_and_shapely(story):
    class Survey:
        __geo_interface__ = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"site": "A"}, "geometry": {"type": "Point", "coordinates": [-80.1, 8.4]}},
        ]}

    area = shapely.Polygon([(-80, 8), (-79, 8), (-79, 9), (-80, 9)]).difference(
        shapely.Polygon([(-79.7, 8.3), (-79.3, 8.3), (-79.3, 8.7), (-79.7, 8.7)]))  # with a hole
    story.add_layer(Survey(), "Survey", tooltip="site").add_layer(area, "Area")
    found = list(payloads(story.to_html()).values())
    assert column(found[0], "site") == ["A"]
    areas = found[1]["areas"]
    assert areas["polys"] == [2] and len(areas["rings"]) == 2  # exterior and hole
    coords = undelta(areas["xy"], found[1]["scale"])
    assert len(coords) == sum(areas["rings"]) == 8  # closing vertices are left out
    assert overlays(story.to_html())[1]["shape"] == "area"


def test_folium_layers_and_elements(story):
    marker = folium.Marker([9.0, -79.5], tooltip="A marker")
    line = folium.PolyLine([[8.9, -79.6], [9.1, -79.4]], color="#aa0000", weight=4)
    geojson = folium.GeoJson({"type": "Polygon", "coordinates": [[[-80, 8], [-79, 8], [-79, 9], [-80, 8]]]})
    group = folium.FeatureGroup(name="Own name")
    folium.CircleMarker([8.5, -80.0], radius=5).add_to(group)
    story.add_layer(marker, "Marker", steps=[STEPS[0]]).add_layer(line, "Line").add_layer(geojson, "GeoJson")
    story.add_layer(group, "Group")
    html = story.to_html()
    entries = {o["name"]: o for o in overlays(html)}
    assert {k: v["shape"] for k, v in entries.items()} == {"Marker": "marker", "Line": "line", "GeoJson": "area",
                                                           "Group": "point"}
    assert entries["Line"]["style"]["color"] == "#aa0000"  # the legend swatch follows the element
    assert entries["Marker"]["steps"] == [STEPS[0]]
    assert {"Marker", "Line", "GeoJson", "Group"} <= set(registry(html))
    assert "L.storymap.dataLayer" not in html  # folium elements are added as they are
    # A folium element already on the map moves into the group: it is drawn once.
    other = storymap.load(GEODATA)
    circle = folium.Circle([9, -79.5], radius=1000).add_to(other.map)
    other.add_layer(circle, "Circle")
    html = other.to_html()
    assert html.count("var circle_") == 1 and circle.get_name() not in html  # drawn once, under a stable name
    # A folium layer's show=False was dropped without a word (the layer showed on its steps): the
    # steps decide, and show=False says so.
    hidden = folium.FeatureGroup(show=False).add_child(folium.Marker([9, -79.5]))
    with pytest.raises(StoryError, match=r"layer 'Hidden' data: the folium FeatureGroup's show=False does not apply: .*steps="):
        other.add_layer(hidden, "Hidden", steps=[STEPS[0]])
    assert "Hidden" not in other.layers


def test_renders_are_byte_identical_with_layers(tmp_path: Path):
    def build() -> str:
        s = storymap.load(GEODATA)
        s.add_layer(random_points(500), "Points", steps=STEPS[:2], tooltip="name")
        s.add_layer(folium.Marker([9, -79.5]), "Marker")
        return s.to_html()

    first = build()
    assert first == build()
    s = storymap.load(GEODATA).add_layer(random_points(100), "Points")
    assert s.to_html() == s.to_html()


# add_step ----------------------------------------------------------------------------------------

def test_add_step_appends_and_inserts(story):
    result = story.add_step(id="epilogue", title="Epilogue", narrative="The end.")
    assert result is story and story.steps[-1].id == "epilogue"
    story.add_step({"id": "prologue", "title": "Prologue", "places": ["panama-canal"]}, before=STEPS[0])
    story.add_step(storymap.Step(id="aside", title="An aside"), after=STEPS[1])
    ids = [s.id for s in story.steps]
    assert ids[0] == "prologue" and ids[ids.index(STEPS[1]) + 1] == "aside" and ids[-1] == "epilogue"
    html = story.to_html()
    assert 'data-step="prologue"' in html and "Epilogue" in html
    # New steps can carry layers.
    story.add_layer(random_points(10), "Late", steps=["epilogue"])
    assert overlays(story.to_html())[0]["steps"] == ["epilogue"]


def test_add_step_errors(story):
    with pytest.raises(StoryError, match="duplicate step id 'overview'"):
        story.add_step(id="overview", title="Again")
    with pytest.raises(StoryError, match=r"unknown place 'panama-canl'.*did you mean 'panama-canal'"):
        story.add_step(id="new", title="New", places=["panama-canl"])
    with pytest.raises(StoryError, match=r"before: unknown step 'overveiw'; did you mean 'overview'"):
        story.add_step(id="new", title="New", before="overveiw")
    with pytest.raises(StoryError, match="title: missing"):
        story.add_step(id="new")
    with pytest.raises(StoryError, match="not a valid id"):
        story.add_step(id="Not An Id", title="x")
    assert [s.id for s in story.steps] == STEPS  # nothing changed


def test_the_title_can_be_set(story):
    story.title = "Socios"
    assert story.title == "Socios" and "<title>Socios</title>" in story.to_html(languages=["en"])
    with pytest.raises(StoryError, match="title"):
        story.title = "   "
    assert story.title == "Socios"


def test_remove_step_and_place(story):
    """A story loaded to show a part of it: its steps and places come out again, with their texts in
    the translations and the steps named by layers; what still needs them says so."""
    story.add_layer(random_points(5), "Late", steps=["the-canal", "overview"])
    assert story.remove_step("the-canal") is story
    assert "the-canal" not in [s.id for s in story.steps] and len(story.steps) == len(STEPS) - 1
    html = story.to_html(languages=["es"])  # (the Spanish texts of the step went with it)
    assert 'data-step="the-canal"' not in html and overlays(html)[0]["steps"] == ["overview"]
    with pytest.raises(StoryError, match=r"remove_step step_id: no step with id 'overveiw'; did you mean 'overview'"):
        story.remove_step("overveiw")
    # A layer shown on the step alone would be shown on no step: it goes first (it stayed in the
    # page, shown nowhere, without a word).
    story.add_layer(random_points(3), "Alone", steps=["first-talks"])
    with pytest.raises(StoryError, match=r"layer 'Alone' is shown on 'first-talks' alone.*story\.remove_layer\('Alone'\)"):
        story.remove_step("first-talks")
    assert "first-talks" in [s.id for s in story.steps] and "Alone" in story.layers
    story.remove_layer("Alone").remove_step("first-talks")
    # A place a step names stays until the step lets it go.
    naming = [s.id for s in story.steps if "gatun-locks" in s.places]
    with pytest.raises(StoryError, match=r"remove_place place_id: steps? .*name.* 'gatun-locks': take it out"):
        story.remove_place("gatun-locks")
    for sid in naming:
        story.remove_step(sid)
    story.remove_place("gatun-locks")
    assert "gatun-locks" not in [p.id for p in story.data.places]
    assert all("gatun-locks" not in t.places for t in story.data.translations.values())
    assert story.to_html()
    with pytest.raises(StoryError, match="no place with id 'gatun-locks'"):
        story.remove_place("gatun-locks")
    # The last step cannot go: a story has at least one.
    for sid in [s.id for s in story.steps][1:]:
        story.remove_step(sid)
    with pytest.raises(StoryError, match="the story has no steps"):
        story.remove_step(story.steps[0].id)
    assert len(story.steps) == 1


def test_a_step_changed_in_place_is_checked_when_assigned(story):
    step = story.steps[1]
    assert step.id == "first-talks" and step.date == "2025-02-18"
    with pytest.raises(StoryError, match=r"Step 'first-talks' view: center \[9\.1, -179\.7\] is not \[longitude, "
                                         r"latitude\]; are the two swapped\?"):
        step.view = {"center": [9.1, -179.7], "zoom": 8}
    with pytest.raises(StoryError, match=r"Step 'first-talks' places\[0\]: 'Gatun Locks' is not a valid id"):
        step.places = ["Gatun Locks"]
    with pytest.raises(StoryError, match=r"Step 'first-talks' date: 'May 2024' is not a date.*did you mean '2024-05'"):
        step.date = "May 2024"
    with pytest.raises(StoryError, match="Step 'first-talks' period: a step has a date or a period, not both"):
        step.period = "1904–1914"
    # A refused value leaves the step as it was (pydantic sets a field before the model's checks).
    assert step.date == "2025-02-18" and step.period is None and step.view is None
    assert step.places == ["talks-jcet-2025"]
    step.view = storymap.View(center=(-79.7, 9.1), zoom=8)
    with pytest.raises(StoryError, match=r"View: center \[9\.1, -179\.7\] is not \[longitude, latitude\]"):
        step.view.center = (9.1, -179.7)
    assert step.view.center == (-79.7, 9.1)
    step.date = 2025  # a year as a number, as in story.toml
    assert step.date == "2025"
    place = story.data.places[0]
    with pytest.raises(StoryError, match=rf"Place {place.id!r} geometry.coordinates: longitude 500 is outside"):
        place.geometry = {"type": "Point", "coordinates": [500, 9]}
    with pytest.raises(StoryError, match="PlaceProperties name: blank"):
        place.properties.name = " "
    with pytest.raises(StoryError, match="StoryData title: blank"):
        story.data.title = ""
    step.title = "The talks, again"  # a good value is taken
    assert "The talks, again" in story.to_html()


def test_what_spans_a_story_changed_in_place_is_checked_at_save(story, tmp_path):
    step = story.steps[1]
    step.places = ["panama-canl"]  # a valid id, of no place: known only to the story
    with pytest.raises(StoryError, match=r"^story steps\[1\]\.places\[0\]: unknown place 'panama-canl'; "
                                         r"did you mean 'panama-canal'\?$"):
        story.save(tmp_path / "page.html")
    assert not (tmp_path / "page.html").exists()
    step.places = ["panama-canal"]
    # A view in Leaflet's order, [latitude, longitude], that lies in the Antarctic: swapped, at the step's places.
    step.view = {"center": [9.0, -79.5], "zoom": 8}
    with pytest.raises(StoryError, match=r"story steps\[1\]\.view\.center: coordinates look swapped"):
        story.to_html()
    step.view = None
    renamed = story.data.places[0].id
    story.data.places[0].id = "renamed"  # the steps naming it are told
    with pytest.raises(StoryError, match=rf"unknown place {renamed!r}"):
        story.to_html()
    story.data.places[0].id = renamed
    assert story.data.places[0].shape.geom_type == "Point"  # (its cached shape was made again)
    story.data.steps.append(storymap.Step(id="overview", title="Again"))
    with pytest.raises(StoryError, match=rf"story steps\[{len(STEPS)}\]\.id: duplicate step id 'overview'"):
        story.to_html()
    story.data.steps.pop()
    assert story.save(tmp_path / "page.html").exists()


def test_a_steps_media_is_read_when_made(tmp_path):
    from PIL import Image

    image = tmp_path / "a.png"
    Image.new("RGB", (4, 4), "red").save(image)
    media = storymap.Media(src=str(image), alt="Red")
    # Its image was read when made: a new src would have left the old image in the page.
    with pytest.raises(ValidationError, match="frozen"):
        media.src = str(tmp_path / "b.png")
    assert media.src == str(image)


def test_the_storys_lists_are_copies_that_say_so_when_changed(story):
    """story.steps.append(step) (or .layers, .allowed_origins, .interface[key] = ...) changed a copy:
    nothing happened, silently. Now it says what to call instead; reading, comparing and copying
    work as on a list or a dict."""
    import copy

    count = len(story.data.steps)
    step = storymap.Step(id="extra", title="Extra", places=[story.steps[0].places[0]])
    for change, how in [(lambda: story.steps.append(step), r"story\.steps is a copy.*story\.add_step"),
                        (lambda: story.steps.__setitem__(0, step), r"story\.steps is a copy"),
                        (lambda: story.steps.sort(key=lambda s: s.id), r"story\.steps is a copy"),
                        (lambda: story.layers.append("x"), r"story\.layers is a copy.*add_layer"),
                        (lambda: story.allowed_origins.append("https://a.example"),
                         r"story\.allowed_origins = \[\*story\.allowed_origins, origin\]"),
                        (lambda: story.interface.update({"nav.next": "Go"}), r"story\.interface = \{\*\*story\.interface")]:
        with pytest.raises(TypeError, match=how):
            change()
    assert len(story.data.steps) == count and story.interface == {} and story.layers == []
    assert story.steps == list(story.data.steps) and story.steps[0] is story.data.steps[0]
    mine = copy.copy(story.steps)
    mine.append(step)  # (a copy of the copy is the caller's own list)
    assert type(mine) is list and len(mine) == count + 1
    story.add_step(step)
    assert [s.id for s in story.steps][-1] == "extra"


# Errors ------------------------------------------------------------------------------------------

def test_unknown_step_says_what_was_given_and_expected(story):
    with pytest.raises(StoryError) as info:
        story.add_layer(random_points(5), "Points", steps=["overview", "the-canall"])
    message = str(info.value)
    assert "layer 'Points'" in message and "unknown step 'the-canall'" in message
    assert "did you mean 'the-canal'" in message and ", ".join(STEPS) in message
    assert story.layers == []


def test_duplicate_and_reserved_names(story):
    story.add_layer(random_points(5), "Points")
    with pytest.raises(StoryError, match="a layer named 'Points' was already added; layer names must be unique"):
        story.add_layer(random_points(5), "Points")
    folium.GeoJson({"type": "Point", "coordinates": [-79, 9]}, name="On the map").add_to(story.map)
    with pytest.raises(StoryError, match="already added"):
        story.add_layer(random_points(5), "On the map")
    for name in ("Basemap", "Tiles", "Story places"):
        with pytest.raises(StoryError, match="taken by the page itself"):
            story.add_layer(random_points(5), name)
    for bad in ("", "   ", None, 3):
        with pytest.raises(StoryError, match="expected a non-empty string naming the layer"):
            story.add_layer(random_points(5), bad)  # type: ignore[arg-type]


def test_a_layer_named_in_each_language(story):
    """In a story of several languages (Panama: en, es), a layer's name and its key's caption may
    be given in each; the story's own language's name is the layer's key."""
    frame = random_points(20).assign(people=range(20))
    story.add_layer(frame, {"en": "Population", "es": "Población"}, column="people", scheme="quantiles", k=3,
                    legend_kwds={"caption": {"en": "People", "es": "Personas"}})
    story.add_layer(random_points(5), {"en": "Ports"})  # (Spanish left out: the English shows)
    assert story.layers == ["Population", "Ports"]
    overlays = PageContext(story.data, overlays=[o.config for o in story._overlays.values()]).config["overlays"]
    assert overlays[0]["names"] == {"en": "Population", "es": "Población"}
    assert overlays[0]["key"]["caption"] == {"en": "People", "es": "Personas"}
    assert overlays[1]["names"] == {"en": "Ports", "es": "Ports"}
    for name, expected in [({"en": "A", "fr": "B"}, "'fr' is not one of the story's languages (en, es)"),
                           ({"es": "Puertos"}, "give the text in 'en', the story's own language, too"),
                           ({"en": "  "}, "expected some text for 'en'")]:
        with pytest.raises(StoryError, match=re.escape(expected)):
            story.add_layer(random_points(5), name)
    with pytest.raises(StoryError, match=r"legend_kwds\.caption: 'de' is not one of the story's languages"):
        story.add_layer(frame, "Other", column="people", legend_kwds={"caption": {"en": "People", "de": "Leute"}})
    assert story.layers == ["Population", "Ports"]  # (nothing added by a refused call)
    # A tooltip's and a popup's aliases in each language; the popup's title is the layer's name in each.
    story.add_layer(frame, {"es": "Sitios", "en": "Sites"}, tooltip=["people"], popup=["people"],
                    tooltip_kwds={"aliases": {"es": ["Personas"], "en": ["People"]}},
                    popup_kwds={"aliases": {"en": ["People"]}})
    element = story._overlays["Sites"].element
    options = json.loads(str(element.options_json))
    assert list(options["tooltip"]["aliases"]) == ["en", "es"]  # (the story's own language first)
    assert options["tooltip"]["aliases"] == {"en": ["People"], "es": ["Personas"]}
    assert options["popup"]["aliases"] == {"en": ["People"]}
    assert options["popup"]["title"] == {"en": "Sites", "es": "Sitios"}
    with pytest.raises(StoryError, match=r"tooltip_kwds\.aliases: 'fr' is not one of the story's languages"):
        story.add_layer(frame, "More", tooltip=["people"], tooltip_kwds={"aliases": {"en": ["P"], "fr": ["P"]}})
    with pytest.raises(StoryError, match=r"tooltip_kwds\.aliases: 2 aliases for 1 fields"):
        story.add_layer(frame, "More", tooltip=["people"], tooltip_kwds={"aliases": {"en": ["P"], "es": ["P", "Q"]}})


@pytest.mark.parametrize("data, expected", [
    (gpd.GeoDataFrame(geometry=[], crs="EPSG:4326"), "nothing to draw: it has no features"),
    (gpd.GeoDataFrame(geometry=[None, shapely.Point()], crs="EPSG:4326"),
     "nothing to draw: all 2 geometries are missing or empty"),
    ({"type": "FeatureCollection", "features": []}, "nothing to draw"),
    (pd.DataFrame({"lon": [1.0], "lat": [2.0]}), r"a DataFrame with columns \['lon', 'lat'\] has no geometry"),
    (gpd.GeoDataFrame({"lon": [1.0], "lat": [2.0]}), r"a GeoDataFrame with columns \['lon', 'lat'\] has no geometry"),
    (gpd.GeoDataFrame({"a": [1], "site": gpd.GeoSeries([shapely.Point(-79.5, 9.0)])}),
     r"the GeoDataFrame has no active geometry column; set one of its geometry columns \('site'\) with "
     r"gdf.set_geometry\('site'\)"),
    (42, "cannot use int 42 as geodata; expected a GeoDataFrame"),
    (gpd.GeoDataFrame(pd.DataFrame([[1, "x"]], columns=["a", "a"]), geometry=[shapely.Point(-79.5, 9.0)]),
     "more than one column is named 'a'; give each column a name of its own"),
    (gpd.GeoDataFrame({1: [1], "1": ["x"]}, geometry=[shapely.Point(-79.5, 9.0)]),
     "more than one column is named '1'"),
    ({"kind": "points"}, "a mapping with type None is not GeoJSON"),
    ([(-79.5, 9.0)], "cannot use list"),
    (gpd.GeoDataFrame(geometry=[shapely.Point(500_000, 1_000_000)]),
     r"has no CRS and its coordinates \(bounds \[500000\.0, 1000000\.0, 500000\.0, 1000000\.0\]\) are not "
         "longitude/latitude"),
    (gpd.GeoDataFrame(geometry=[shapely.Point(500_000, 1_000_000)], crs="EPSG:4326"),
     "outside longitude -180..180"),
    # (Point(nan, nan) is empty to shapely 2.0, skipped as a missing geometry is; not to 2.1.)
    (gpd.GeoDataFrame(geometry=[shapely.Point(-79.5, 9.0), shapely.Point(np.inf, 9.0)], crs="EPSG:4326"),
     r"1 geometry has coordinates that are not numbers \(NaN or infinite\): row 1; drop or mend them"),
    ("no/such/file.gpkg", "no file or folder at 'no/such/file.gpkg'"),
    ("{not json", "invalid GeoJSON text"),
    (folium.LayerControl(), "a folium LayerControl is not a layer"),
    (folium.Map(), "a folium Map is not a layer"),
])
def test_bad_data_says_what_was_given_and_expected(story, data, expected):
    with pytest.raises(StoryError, match=expected) as info:
        story.add_layer(data, "Bad")
    assert "layer 'Bad'" in str(info.value)
    assert isinstance(info.value, ValueError)
    assert story.layers == []



def test_longitudes_0_to_360_are_drawn_where_they_are(story):
    """Pacific data often has longitudes 0..360; explore draws them, add_layer refused them as
    "outside longitude -180..180". Features wholly east of 180 are moved a turn west; one across
    180 stays one shape (drawn across it); with or without a CRS. Past 360 is still refused."""
    shapes = [shapely.Point(200, 10), shapely.box(170, -20, 190, -10), shapely.Point(10, 5)]
    for crs in ("EPSG:4326", None):
        frame = gpd.GeoDataFrame({"name": ["east", "across", "west"]}, geometry=shapes, crs=crs)
        payload = only_payload(storymap.load(GEODATA).add_layer(frame, "Pacific", tooltip="name").to_html())
        assert payload["bounds"] == [[-20, -190], [10, 10]]  # (the box across 180 drawn at -190..-170)
        assert sorted(column(payload, "name")) == ["across", "east", "west"]
    with pytest.raises(StoryError, match="outside longitude -180..180"):
        story.add_layer(gpd.GeoDataFrame(geometry=[shapely.Point(400, 10)], crs="EPSG:4326"), "Past")


def test_other_geometry_columns_are_no_properties(story):
    """explore leaves out the geometry columns that are not the active one; so does add_layer (they
    were shown as text in another CRS than the map's: tooltip=True on a Web Mercator frame)."""
    frame = random_points(3).to_crs("EPSG:3857")
    frame["area"] = frame.buffer(1000)
    story.add_layer(frame, "Points", tooltip=True)
    assert list(only_payload(story.to_html())["props"]) == ["name", "kind", "unused"]
    with pytest.raises(StoryError, match="unknown property 'area'; the data has: name, kind, unused"):
        story.add_layer(frame, "Again", popup="area")


def test_columns_of_several_levels_say_what_to_do_without_internal_names(story):
    """A table of aggregates (groupby().agg() of several functions) has columns of two levels: its
    error named a column of storymap's own, "('__storymap_row', '')", and said the data had no
    geometry. It says what the columns are and how to flatten them, for a layer and a place."""
    stats = pd.DataFrame({"lon": [-79.5, -79.9], "lat": [9.0, 9.3], "people": [10, 20]}).groupby(
        ["lon", "lat"]).agg(["sum", "mean"]).reset_index()
    frame = gpd.GeoDataFrame(stats, geometry=gpd.points_from_xy(stats["lon"], stats["lat"]), crs="EPSG:4326")
    for data, var in ((frame, "gdf"), (stats, "df")):
        for call in (lambda: story.add_layer(data, "Stats", color=["red", "blue"]), lambda: story.add_place(data)):
            with pytest.raises(StoryError) as info:
                call()
            message = str(info.value)
            assert "__storymap" not in message and "no geometry" not in message, message
            assert f"the {type(data).__name__}'s columns have 2 levels (a pandas MultiIndex" in message, message
            assert f"flatten them first, e.g. {var}.columns = ['_'.join(str(part) for part in c if str(part) != '') " \
                   f"for c in {var}.columns] (('lon', '') → 'lon', ('lat', '') → 'lat')" in message, message
    flat = frame.copy()
    flat.columns = ["_".join(str(part) for part in c if str(part) != "") for c in flat.columns]
    story.add_layer(flat, "Stats", tooltip="people_sum")  # (as the message says: then it is drawn)
    assert story.layers == ["Stats"]


def test_a_csv_without_geometry_names_its_own_columns_only(story, tmp_path: Path):
    path = tmp_path / "p.csv"
    path.write_text("name,annotation,longitude,latitude\nA,B,-79.5,9.0\n", "utf-8")
    with pytest.raises(StoryError) as info:
        story.add_layer(path, "CSV")
    message = str(info.value)
    assert message.startswith(f"layer 'CSV': {str(path)!r} has no geometry: a table with columns "
                              "['name', 'annotation', 'longitude', 'latitude']; ")
    assert "points_from_xy(df['longitude'], df['latitude'])" in message
    assert "__storymap" not in message
    # Values given per feature become internal columns too: never listed.
    points = random_points(3)
    with pytest.raises(StoryError, match="nor a column; the data has: name, kind, unused$"):
        story.add_layer(points, "P", color="no-such-colour", marker_kwds={"radius": [1, 2, 3]})
    assert story.layers == []


def test_unreadable_file(story, tmp_path: Path):
    path = tmp_path / "broken.gpkg"
    path.write_bytes(b"not a geopackage")
    with pytest.raises(StoryError, match=r"cannot read '.*broken\.gpkg' as geodata"):
        story.add_layer(path, "Broken")


def test_bad_tooltip_popup_and_style(story):
    points = random_points(5)
    with pytest.raises(StoryError, match=r"tooltip: unknown property 'nam'; did you mean 'name'\? the data has: "
                                         r"name, kind, unused"):
        story.add_layer(points, "P", tooltip="nam")
    with pytest.raises(StoryError, match="popup: unknown property 'x'"):
        story.add_layer(points, "P", popup=["name", "x"])
    with pytest.raises(StoryError, match="expected a property name or a list of them"):
        story.add_layer(points, "P", tooltip=[None])
    with pytest.raises(StoryError, match="unknown property '1'; the data has: name, kind, unused"):
        story.add_layer(points, "P", tooltip=[1])  # (a column named 1 would be shown)
    with pytest.raises(StoryError, match=r"style\.color: .*is not a CSS color"):
        story.add_layer(points, "P", style={"color": "red;background:url(//x)"})
    with pytest.raises(StoryError, match=r"style\.radius: .*greater than or equal to 0.5"):
        story.add_layer(points, "P", style={"radius": 0})
    with pytest.raises(StoryError, match=r"style\.colour: unknown field; did you mean 'color'?"):
        story.add_layer(points, "P", style={"colour": "red"})
    with pytest.raises(StoryError, match="give it a folium Tooltip or Popup instead"):
        story.add_layer(folium.Marker([9, -79]), "M", tooltip="name")
    with pytest.raises(StoryError, match="steps: expected a non-empty list of step ids"):
        story.add_layer(points, "P", steps=[])
    assert story.layers == []


# Untrusted text ----------------------------------------------------------------------------------

def test_names_and_values_are_escaped(story):
    evil = "</script><img src=x onerror=alert(1)>'\\"
    points = gpd.GeoDataFrame({"label": [evil, "<b>bold</b> & 'quoted'"]},
                              geometry=gpd.points_from_xy([-79.5, -80], [9, 8.5]), crs="EPSG:4326")
    html = story.add_layer(points, evil, tooltip="label", popup="label").to_html()
    assert "<img src=x" not in html and "<b>bold" not in html
    assert html.count("</script>") == html.count("<script")  # nothing closes a script early
    assert evil in registry(html) and overlays(html)[0]["name"] == evil
    assert sorted(column(only_payload(html), "label")) == sorted([evil, "<b>bold</b> & 'quoted'"])


# The encoding ------------------------------------------------------------------------------------

def test_properties_are_pruned_and_columns_packed():
    points = random_points(1000)
    points["missing"] = np.where(np.arange(1000) % 2, np.nan, 1.5)
    payload = encode(points, ["kind", "missing"], 13)
    assert set(payload["props"]) == {"kind", "missing"}  # "name" and "unused" are not shipped
    assert set(payload["props"]["kind"]) == {"values", "codes"} and len(payload["props"]["kind"]["values"]) == 4
    assert sorted(set(column(payload, "missing")), key=str) == [1.5, None]


def test_lines_and_areas_are_simplified_and_capped():
    areas, lines = wiggly_features(20, 2000)
    for frame, family in ((areas, "areas"), (lines, "lines")):
        fine = encode(frame, [], 13)
        coarse = encode(frame, [], 8)
        kept_fine, kept_coarse = len(fine[family]["xy"]) // 2, len(coarse[family]["xy"]) // 2
        assert kept_coarse < kept_fine < 20 * 2000 / 2, (family, kept_fine, kept_coarse)
        assert fine["scale"] == 100_000 and coarse["scale"] == 1_000  # ~1 m and ~100 m
        decoded = undelta(fine[family]["xy"], fine["scale"])
        assert abs(decoded[:, 0].min() - frame.total_bounds[0]) < 1e-3


def test_detail_zoom_follows_the_steps_a_layer_is_on(story):
    data = story.data
    overview, closest = detail_zoom(data, ["overview"]), detail_zoom(data)
    assert overview < closest <= 11 + 2
    assert detail_zoom(data, ["first-talks"]) == pytest.approx(9 + 2)  # max_zoom = 9 caps a single point


def test_base_page_has_no_layer_script(built_page: Path):
    html = built_page.read_text("utf-8")
    assert "DataLayer" not in html and '"overlays":[]' in html
    story = storymap.load(GEODATA).add_layer(random_points(3), "Three")
    assert re.search(r"\.DataLayer=\w+\.Renderer\.extend\(", story.to_html())  # the layer script (minified)


def test_100k_points_page_stays_under_5_mb(tmp_path: Path):
    story = storymap.load(GEODATA).add_layer(random_points(100_000), "Points", tooltip="name", popup=["name", "kind"])
    page = story.save(tmp_path / "big.html")
    size = page.stat().st_size
    assert size <= MAX_LAYER_PAGE, f"{size:,} bytes"
    assert len(gzip.compress(page.read_bytes())) < size / 2


def test_many_vertex_lines_and_areas_page_stays_under_5_mb(tmp_path: Path):
    areas, lines = wiggly_features(1000, 2000)  # 4 million vertices in
    story = storymap.load(GEODATA).add_layer(areas, "Areas", tooltip="name").add_layer(lines, "Lines", popup="name")
    size = story.save(tmp_path / "lines.html").stat().st_size
    assert size <= MAX_LAYER_PAGE, f"{size:,} bytes"


def test_a_layer_is_encoded_once_and_warned_of_once(monkeypatch: pytest.MonkeyPatch):
    """add_layer does not encode the data (a render to find the files a folium plugin loads did,
    at another zoom: twice the time for a big layer, and two warnings with different zooms)."""
    import warnings

    import storymap.layers as layers

    calls = []
    monkeypatch.setattr(layers, "encode", lambda *args, **kwargs: calls.append(args[2]) or encode(*args, **kwargs))
    monkeypatch.setattr(layers, "MAX_LAYER_CHARS", 2_000)
    story = storymap.load(GEODATA)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        story.add_layer(random_points(500), "Points", tooltip="name")
        assert calls == [] and caught == []
        story.to_html()
    assert len(calls) == 1
    [warning] = [str(w.message) for w in caught]
    # Points are never simplified: the warning says what takes the room.
    assert re.fullmatch(r"layer 'Points' takes [\d,]+ characters of the page for its 500 features; consider "
                        r"fewer features, or fewer properties in its tooltip and popup", warning), warning
    areas, _ = wiggly_features(50, 400)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        storymap.load(GEODATA).add_layer(areas, "Areas").to_html()
    [warning] = [str(w.message) for w in caught]
    assert "simplified for zoom 3" in warning, warning


def test_a_layer_too_big_for_the_page_is_warned_of_at_the_users_line(monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path: Path):
    """The warning that a layer takes too much of the page pointed into jinja2's rendering of the
    page; like storymap's other warnings it points at the user's to_html() or save()."""
    import warnings

    import storymap.layers as layers

    monkeypatch.setattr(layers, "MAX_LAYER_CHARS", 2_000)
    areas, _ = wiggly_features(50, 400)
    for call in (lambda story: story.to_html(), lambda story: story.save(tmp_path / "page.html")):
        story = storymap.load(GEODATA).add_layer(random_points(500), "Points").add_layer(areas, "Areas")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call(story)
        told = [w for w in caught if "characters" in str(w.message)]
        assert len(told) == 2 and [w.filename for w in told] == [__file__] * 2, [(w.filename, w.lineno) for w in told]


# Docs ----------------------------------------------------------------------------------------------

def test_readme_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    section = readme.split("### Adding layers and steps", 1)[1].split("\n## ", 1)[0]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    (tmp_path / "geodata").symlink_to(GEODATA)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own example
    story = namespace["story"]
    assert story.layers == ["Sightings", "Population", "Canal area", "Every place", "Capital"]
    assert story.steps[-1].id == "epilogue"
    html = (tmp_path / "dist" / "extended.html").read_text("utf-8")
    assert len(payloads(html)) == 4 and {"Sightings", "Capital"} <= set(registry(html))
    population = next(o for o in overlays(html) if o["name"] == "Population")
    assert population["key"]["caption"] == "People" and len(population["key"]["items"]) == 5
    # Every argument of add_layer and add_step is documented.
    import inspect

    for method in (storymap.Story.add_layer, storymap.Story.add_step):
        for name, parameter in inspect.signature(method).parameters.items():
            if name != "self" and parameter.kind is not parameter.VAR_KEYWORD:
                assert f"`{name}`" in section or f"{name}=" in section, (method.__name__, name)


def test_to_html_fragment_is_true_or_false(story, tmp_path):
    # fragment="no" is truthy: it made a fragment, no <html> page.
    for given in ("no", "yes", 1, None):
        with pytest.raises(ValueError, match=rf"fragment must be True or False, got {re.escape(repr(given))}"):
            story.to_html(fragment=given)
    with pytest.raises(ValueError, match="fragment must be True or False, got 'no'"):
        story.save(tmp_path / "page.html", fragment="no")
    assert not (tmp_path / "page.html").exists()
    assert story.to_html(fragment=np.False_).startswith("<!DOCTYPE html>")


def test_keywords_of_the_wrong_type_are_named(story):
    # A language given as anything but text failed deep inside with AttributeError ('int' ... 'lower').
    with pytest.raises(ValueError, match=r"a language is a tag such as 'es', got 5; the story's languages are en, es"):
        story.to_html(lang=5)
    with pytest.raises(ValueError, match=r"a language is a tag such as 'es', got 5;"):
        story.to_html(languages=["en", 5])
    # One origin that is no text nor a list: a TypeError ('int' object is not iterable) before.
    with pytest.raises(StoryError, match=r"allowed_origins: Input should be a valid list \(got 5\)"):
        story.allowed_origins = 5
    # explore's tooltip takes numpy's True as True (a flag computed from data).
    overlay = story.add_layer(random_points(3), "Points", tooltip=np.True_)._overlays["Points"]
    assert overlay.element.tooltip == ["name", "kind", "unused"]
