"""Broken input: one validation layer (load → models) behind `storymap validate` and the build.

Every case gets one line per problem naming file, feature and field; all problems are reported in
one run; the CLI exits 1 on invalid input and 2 on usage errors, with no traceback unless --debug.
"""

from __future__ import annotations

import json
import os
import re
import tracemalloc
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import TypeAdapter, ValidationError

import storymap
from storymap import Place, StoryError
from storymap.cli import main as cli
from storymap.errors import field_path, validation_problems
from storymap.load import MAX_FILE_BYTES, load_places, story_notes
from storymap.media import MediaError, read_image
from storymap.models import swapped_places, swapped_story
from storymap.types import Color

from .conftest import GEODATA

PLACES = "geodata/places.geojson"
STORY = "geodata/story.toml"
INDEX = {"socsouth-hq": 0, "talks-jcet-2025": 1, "darien-border-zone": 2, "panama-canal": 7, "gatun-locks": 8}


@pytest.fixture()
def story(story_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The Panama story, copied; the working directory is its parent, so lines read ``geodata/...``."""
    monkeypatch.chdir(story_dir.parent)
    return story_dir


def read(story: Path) -> dict:
    return json.loads((story / "places.geojson").read_text("utf-8"))


def write(story: Path, doc) -> None:
    (story / "places.geojson").write_text(json.dumps(doc, indent=1, ensure_ascii=False), "utf-8")


def feature(doc: dict, fid: str) -> dict:
    return doc["features"][INDEX[fid]]


def lines(story: Path) -> list[str]:
    """The problem lines of a story, through the library."""
    with pytest.raises(StoryError) as info:
        storymap.load(story.name)
    out = [str(p) for p in info.value.problems]
    assert str(info.value) == "\n".join(out)
    return out


def has(found: list[str], *expected: str) -> None:
    for line in expected:
        assert line in found, f"{line!r} not among:\n" + "\n".join(found)


def has_start(found: list[str], start: str) -> str:
    hits = [line for line in found if line.startswith(start)]
    assert hits, f"no line starts with {start!r}:\n" + "\n".join(found)
    return hits[0]


# GeoJSON files -------------------------------------------------------------------------------

def test_invalid_json_names_line_and_column(story: Path):
    (story / "places.geojson").write_text('{\n  "type": "FeatureCollection",\n  "features": [,]\n}\n', "utf-8")
    # Only that line: with a file unread, steps are not reported as naming unknown places.
    assert lines(story) == [f"{PLACES}: invalid JSON at line 3, column 16: Expecting value"]


@pytest.mark.parametrize("text, expected", [
    # A comma left after the last property or item (JSON allows none), a comma forgotten, an empty file.
    # (The line names the comma to remove, whatever the Python: its own words, in brackets, differ.)
    ('{"type": "FeatureCollection", "features": [\n {"type": "Feature", "id": "a",\n }\n]}',
     'at line 2, column 31: a comma before } : remove the last comma of the object ['),
    ('{"type": "FeatureCollection", "features": [1, 2,\n]}',
     "at line 1, column 48: a comma before ] : remove the last comma of the list ["),
    # (A comma before something that is not JSON is not a comma too many: no such hint.)
    ('{"type": "FeatureCollection", "features": [1, x]}', "at line 1, column 47: Expecting value"),
    # What Python prints of a dict, which is not JSON: single quotes, True, False, None.
    ('{"type": "FeatureCollection", \'features\': []}', "at line 1, column 31: a text in single quotes ('…') "
     "where JSON needs double ones (\"…\"); a Python dict printed with print() or str() is not JSON: write it "
     "with json.dump() [Expecting property name enclosed in double quotes]"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": None}]}',
     "at line 1, column 78: Python's None where JSON writes null [Expecting value]"),
    ('{"type": "FeatureCollection"\n "features": []}',
     "at line 2, column 2: a comma missing between two items (or a quote inside a text, written \\\" in JSON) "
     "[Expecting ',' delimiter]"),
    ("", "at line 1, column 1: the file is empty or is not JSON: a places file is a GeoJSON FeatureCollection"),
    # Two commas in a row (described before as "a comma before }", with no } there), and the curly
    # quotes a word processor writes.
    ('{"type": "FeatureCollection", "features": [1,, 2]}', "at line 1, column 46: two commas in a row: remove one"),
    ('{"type": "FeatureCollection",, "features": []}', "at line 1, column 30: two commas in a row: remove one"),
    ('{"type": \u201cFeatureCollection\u201d, "features": []}',
     "at line 1, column 10: a typographic quote (\u201c \u201d) where JSON needs a straight one (\")"),
])
def test_json_syntax_errors_say_how_to_fix_them(story: Path, text: str, expected: str):
    (story / "places.geojson").write_text(text, "utf-8")
    found = lines(story)
    assert len(found) == 1 and found[0].startswith(f"{PLACES}: invalid JSON {expected}"), found


@pytest.mark.parametrize("doc, got", [
    ({"type": "Feature", "properties": {}, "geometry": None}, "'Feature'"),
    ([], "'list'"),
    ({"features": []}, "None"),
])
def test_not_a_feature_collection(story: Path, doc, got):
    write(story, doc)
    has(lines(story), f"{PLACES}: expected a GeoJSON FeatureCollection, got {got}")


def test_features_must_be_features(story: Path):
    doc = read(story)
    doc["features"][3] = {"type": "Point", "coordinates": [0, 0]}
    doc["features"].append("canal")
    write(story, doc)
    found = lines(story)
    has(found, f"{PLACES}: features[3] type: expected a GeoJSON Feature, got 'Point'",
        f"{PLACES}: features[18] type: expected a GeoJSON Feature, got 'canal'")


def test_missing_and_duplicate_ids(story: Path):
    doc = read(story)
    del feature(doc, "talks-jcet-2025")["id"]
    feature(doc, "darien-border-zone")["properties"]["id"] = "darien"
    del feature(doc, "darien-border-zone")["id"]
    feature(doc, "gatun-locks")["id"] = "panama-canal"
    write(story, doc)
    feature(doc, "socsouth-hq")["id"] = 7  # (GeoJSON allows a number; QGIS writes 0, 1, 2...)
    write(story, doc)
    found = lines(story)
    # A feature without an id is named by its name, with the id its name would give: before,
    # "features[1] id: missing; every place needs a stable string id (e.g. "old-harbour")" alone.
    has(found, f'{PLACES}: feature named "First U.S.–Panama SOF talks and JCET, February 2025" (features[1]) id: '
               'missing; every place needs a stable string id, e.g. from its name: "id": '
               '"first-u-s-panama-sof-talks-and-jcet-february-2025" beside "type": "Feature"')
    has(found, f'{PLACES}: feature named "SOCSOUTH headquarters, Homestead Air Reserve Base" (features[0]) id: is the '
               'number 7, not text; every place needs a stable string id, e.g. from its name: "id": '
               '"socsouth-headquarters-homestead-air-reserve-base" beside "type": "Feature"')
    line = has_start(found, f'{PLACES}: feature named "Darién border zone (Panama–Colombia)" (features[2]) id:')
    assert line.endswith("(properties.id is 'darien': move it to the Feature's own id)"), line
    has(found, f'{PLACES}: feature "panama-canal" (features[8]) id: duplicate id \'panama-canal\' (first used by features[7])')
    # One line a feature (before, "properties.id: clashes with the Feature's own id; ... rename it"
    # too), and no step named as naming an unknown place: the places without an id may be those.
    assert len(found) == 4, found


def test_duplicate_ids_across_files(story: Path):
    doc = read(story)
    extra = {"type": "FeatureCollection", "features": [feature(doc, "gatun-locks")]}
    (story / "more.geojson").write_text(json.dumps(extra), "utf-8")
    has(lines(story), 'geodata/places.geojson: feature "gatun-locks" (features[8]) id: duplicate id '
                      "'gatun-locks' (first used by features[0] in geodata/more.geojson)")


def test_unknown_kind_line_format(story: Path):
    doc = read(story)
    feature(doc, "panama-canal")["properties"]["kind"] = "canall"
    write(story, doc)
    found = lines(story)
    kinds = ", ".join(storymap.load(GEODATA).data.kinds)
    assert found == [f'{PLACES}: feature "panama-canal" (features[7]) properties.kind: unknown kind \'canall\'; '
                     f"did you mean 'canal'? the story's kinds are {kinds}; declare a new one in story.toml: "
                     "[kinds.canall] with label, geometry and color"]


@pytest.mark.parametrize("kind", [None, "place", "lock"])
@pytest.mark.parametrize("members", [
    [{"type": "Point", "coordinates": [-79.92, 9.27]},
     {"type": "LineString", "coordinates": [[-79.92, 9.27], [-79.9, 9.26]]}],
    [{"type": "Polygon", "coordinates": [[[-79.93, 9.26], [-79.91, 9.26], [-79.91, 9.28], [-79.93, 9.26]]]},
     {"type": "LineString", "coordinates": [[-79.92, 9.27], [-79.9, 9.26]]}],
])
def test_a_mixed_geometry_collection_fits_no_kind(story: Path, kind, members):
    doc = read(story)
    place = feature(doc, "gatun-locks")
    place["geometry"] = {"type": "GeometryCollection", "geometries": members}
    if kind is None:  # without a kind, there is no generic kind of its geometry to take either
        del place["properties"]["kind"]
    else:
        place["properties"]["kind"] = kind
    write(story, doc)
    assert lines(story) == [f'{PLACES}: feature "gatun-locks" (features[8]) geometry: a GeometryCollection mixing '
                            "points, lines and areas fits no kind; split it into places"]


def test_missing_name_and_annotation_together(story: Path):
    doc = read(story)
    props = feature(doc, "gatun-locks")["properties"]
    del props["name"]
    props["annotation"] = "   "
    write(story, doc)
    found = lines(story)
    where = f'{PLACES}: feature "gatun-locks" (features[8])'
    # (A missing property says what it holds: before, "missing (required)" alone.)
    has(found, f"{where} properties.name: missing (required): the place's name, as its label and card show it "
               '("name": "…")')
    has(found, f"{where} properties.annotation: blank: '   ' is whitespace only; it needs some text")
    props["annotation"] = "Text."
    del props["sources"]
    write(story, doc)
    has(lines(story), f"{where} properties.sources: missing (required): where the position and the facts come from "
                      '("sources": [{"title": "…", "url": "https://…"}])')


def test_blank_texts_say_they_are_blank(story: Path):
    doc = read(story)
    props = feature(doc, "gatun-locks")["properties"]
    props["name"] = " \t "
    props["annotation"] = ""
    props["sources"][0]["title"] = "\n"
    write(story, doc)
    toml_replace(story, 'title = "Partners at the Crossroads"', 'title = "   "')
    toml_replace(story, 'title = "The first official talks"', 'title = " "')
    toml_replace(story, 'label = "Canal"', 'label = "  "')
    found = lines(story)
    where = f'{PLACES}: feature "gatun-locks" (features[8])'
    has(found, f"{where} properties.name: blank: ' \\t ' is whitespace only; it needs some text",
        f"{where} properties.annotation: blank: '' is empty; it needs some text",
        f"{where} properties.sources[0].title: blank: '\\n' is whitespace only; it needs some text",
        f"{STORY}: title: blank: '   ' is whitespace only; it needs some text",
        f'{STORY}: step "first-talks" (steps[1]) title: blank: \' \' is whitespace only; it needs some text',
        f"{STORY}: kinds.canal.label: blank: '  ' is whitespace only; it needs some text")
    assert not [line for line in found if "at least 1 character" in line]


def test_self_intersecting_polygon_says_where(story: Path):
    doc = read(story)
    feature(doc, "darien-border-zone")["geometry"] = {
        "type": "Polygon", "coordinates": [[[-78, 8], [-77, 9], [-77, 8], [-78, 9], [-78, 8]]]}
    write(story, doc)
    has(lines(story), f'{PLACES}: feature "darien-border-zone" (features[2]) geometry: invalid Polygon: '
                      "Self-intersection at [-77.5, 8.5] (longitude, latitude)")


def test_unclosed_ring_and_too_few_positions(story: Path):
    doc = read(story)
    feature(doc, "darien-border-zone")["geometry"] = {
        "type": "Polygon", "coordinates": [[[-78, 8], [-77, 8], [-77, 9], [-78, 9]]]}
    feature(doc, "panama-canal")["geometry"] = {"type": "LineString", "coordinates": [[-79.9, 9.4]]}
    feature(doc, "gatun-locks")["geometry"] = {"type": "Polygon", "coordinates": [[[-79, 9], [-78, 9], [-79, 9]]]}
    write(story, doc)
    found = lines(story)
    has(found,
        f'{PLACES}: feature "darien-border-zone" (features[2]) geometry.coordinates[0]: ring is not closed '
        "(first position [-78, 8] differs from last [-78, 9]); repeat the first position at the end",
        f'{PLACES}: feature "panama-canal" (features[7]) geometry.coordinates: 1 position(s), at least 2 needed',
        f'{PLACES}: feature "gatun-locks" (features[8]) geometry.coordinates[0]: 3 position(s), at least 4 needed')


def test_coordinates_out_of_range(story: Path):
    doc = read(story)
    feature(doc, "gatun-locks")["geometry"]["coordinates"] = [-200.5, 9.27]
    feature(doc, "panama-canal")["geometry"]["coordinates"][3] = [-100.5, 95]
    feature(doc, "socsouth-hq")["geometry"]["coordinates"] = [25.48, -100.38]
    write(story, doc)
    found = lines(story)
    has(found,
        f'{PLACES}: feature "gatun-locks" (features[8]) geometry.coordinates: longitude -200.5 is outside -180..180',
        f'{PLACES}: feature "panama-canal" (features[7]) geometry.coordinates[3]: latitude 95 is outside -90..90',
        f'{PLACES}: feature "socsouth-hq" (features[0]) geometry.coordinates: latitude -100.38 is outside -90..90; '
        "GeoJSON positions are [longitude, latitude]: are the two swapped?")


def test_swapped_latitude_and_longitude(story: Path):
    doc = read(story)
    lon, lat = feature(doc, "gatun-locks")["geometry"]["coordinates"]
    feature(doc, "gatun-locks")["geometry"]["coordinates"] = [lat, lon]
    write(story, doc)
    found = lines(story)
    line = has_start(found, f'{PLACES}: feature "gatun-locks" (features[8]) geometry: coordinates look swapped')
    assert "longitude 9.272, latitude -79.92" in line and "[longitude, latitude]" in line
    assert len(found) == 1  # Homestead, Florida, is far from Panama too, but not swapped


def test_a_place_beyond_the_maps_edge_is_a_warning(tmp_path: Path):
    # The North Pole and the South Pole station were valid, then drawn on the map's edge out of
    # sight, unlabelled.
    def at(pid, geometry):
        return {"id": pid, "name": pid, "annotation": "a", "sources": [{"title": "s", "url": "https://example.org"}],
                "geometry": geometry}

    places = [at("north-pole", {"type": "Point", "coordinates": [0, 90]}),
              at("amundsen-scott", {"type": "Point", "coordinates": [139.27, -89.99]}),
              at("svalbard", {"type": "Point", "coordinates": [15.6, 78.2]}),
              at("arctic", {"type": "Polygon", "coordinates": [[[0, 80], [20, 80], [20, 88], [0, 88], [0, 80]]]})]
    data = storymap.StoryData.model_validate({"title": "T", "places": places,
                                              "steps": [{"id": "a", "title": "A", "places": ["svalbard"]}]})
    (tmp_path / "story.toml").write_text("", "utf-8")
    (tmp_path / "places.geojson").write_text("{}", "utf-8")
    found = [str(p) for p in story_notes(data, tmp_path) if "edge" in str(p)]
    assert [line.split(" geometry:")[0].rsplit('"', 2)[-2] for line in found] == ["north-pole", "amundsen-scott"]
    assert found[1].endswith('places.geojson: feature "amundsen-scott" geometry: warning: it lies at latitude -89.99, '
                             "beyond the map's southern edge (±85.05°: the web map's projection ends there): the page "
                             "draws it on that edge, often out of sight and unlabelled; for a place at the pole, a point "
                             "at 85° (and the annotation saying so) shows on the map"), found[1]


def test_markdown_that_does_not_show_as_written_is_a_warning(story: Path):
    # A reporter's Markdown image, HTML and a javascript: link were published silently: the image
    # left out (an empty paragraph), the tags and the link shown as text.
    toml_replace(story, "In February 2025, special-operations", "![The talks](media/talks.jpg)\n\nIn February 2025, "
                 "<b>special-operations</b>")
    toml_replace(story, "goes back decades.", "goes back [decades](javascript:alert(1)), [see](/about).")
    doc = read(story)
    feature(doc, "panama-canal")["properties"]["annotation"] += " <script>x()</script>"
    write(story, doc)
    es = story / "story.es.toml"
    es.write_text(es.read_text("utf-8").replace("En febrero de 2025,", "Ver ![mapa](m.png)\n\nEn febrero de 2025,", 1),
                  "utf-8")
    with pytest.warns(UserWarning):
        data = storymap.load(story).data
    found = [str(p) for p in story_notes(data, story) if "Markdown" in str(p) or "HTML" in str(p) or "link" in str(p)]
    overview = f'{STORY}: step "overview" (steps[0]) narrative: warning: '
    assert found[:4] == [
        overview + "an image in Markdown (![…](media/talks.jpg)) is left out: a step shows images as its media "
                   "([[steps.media]], with alt text)",
        overview + "HTML (<b>) is shown as text, not as markup: write Markdown (**bold**, *italic*, [text](https://…))",
        overview + "the link to 'javascript:alert(1)' is shown as written, not as a link: a link goes to an http(s) "
                   "or mailto address, written in full (https://…)",
        f'{PLACES}: feature "panama-canal" properties.annotation: warning: HTML (<script>) is shown as '
        "text, not as markup: write Markdown (**bold**, *italic*, [text](https://…))"], found
    # A translation's, at its own file.
    assert found[4:] == ['geodata/story.es.toml: step "overview" narrative: warning: an image in Markdown '
                         "(![…](m.png)) is left out: a step shows images as its media ([[steps.media]], with alt text)"]
    # Only the first link of a text is named; a relative one keeps its text, not its target.
    from storymap.text import markdown_notes
    assert markdown_notes("[see](/about)") == ["the link to '/about' keeps its text but not its target: a link goes "
                                               "to an http(s) or mailto address, written in full (https://…)"]
    assert markdown_notes("**Bold**, [a link](https://example.org), <3, a < b, `<code>` and 2 * 3.") == []


def test_a_whole_file_saved_as_latitude_longitude_is_a_warning(story: Path):
    # Every place swapped: each still lies among the others, so none looked swapped, and the Panama
    # story, all in the Antarctic, validated and built without a word.
    doc = read(story)
    for f in doc["features"]:
        f["geometry"]["coordinates"] = _swapped(f["geometry"]["coordinates"])
    write(story, doc)
    with pytest.warns(UserWarning, match="coordinates may be swapped: every place lies in the Antarctic"):
        data = storymap.load(story).data
    found = [str(p) for p in story_notes(data, story)]
    assert found == [f"{PLACES}: warning: coordinates may be swapped: every place lies in the Antarctic (around "
                     "longitude 8.991, latitude -79.72); swapped, they would lie around longitude -79.72, latitude "
                     "8.991: GeoJSON positions are [longitude, latitude] (a file saved as [latitude, longitude] needs "
                     "its two numbers exchanged); if the places are meant to be there, leave it"], found
    # A story about the Antarctic whose swap is polar too, or cannot be swapped, is left alone.
    assert swapped_story(data.places[:1]) is None
    stations = [Place(id=pid, name=pid, annotation="a", sources=[{"title": "s", "url": "https://example.org"}],
                      geometry={"type": "Point", "coordinates": xy})
                for pid, xy in (("palmer", [-64.05, -64.77]), ("rothera", [-68.13, -67.57]), ("mcmurdo", [166.67, -77.85]))]
    assert swapped_story(stations) is None and swapped_story(stations[:2]) is None


def _swapped(coordinates):
    return coordinates[::-1] if isinstance(coordinates[0], (int, float)) else [_swapped(c) for c in coordinates]


@pytest.mark.parametrize("saved_as", ["places.json", "places.geo.json", "places.GeoJSON", None])
def test_a_places_file_under_another_name_is_named_with_the_name_to_give_it(story: Path, saved_as):
    # Before: "no *.geojson file of places", then every place of every step as unknown (33 lines
    # for the Panama story), and not a word about places.json lying beside story.toml.
    if saved_as:
        (story / "places.geojson").rename(story / saved_as)
    else:
        (story / "places.geojson").unlink()
    hint = f" (there is {saved_as}: rename it places.geojson)" if saved_as else ""
    assert lines(story) == [f"geodata: no *.geojson file of places{hint}"]


def test_swapped_check_is_robust():
    def at(pid, x, y):
        return Place(id=pid, name=pid, annotation="a",
                     sources=[{"title": "s", "url": "https://example.org"}],
                     geometry={"type": "Point", "coordinates": [x, y]})

    europe = [at("paris", 2.35, 48.86), at("berlin", 13.4, 52.52), at("vienna", 16.37, 48.21),
              at("rome", 12.5, 41.9)]
    # Far away but not swapped (its swap lies far from Europe too): fine.
    assert swapped_places(europe + [at("cairo", 31.2, 30.0), at("new-york", -74.0, 40.7)]) == []
    # Two swapped places are both found: the area comes from medians, not from all bounds.
    found = swapped_places(europe + [at("munich", 48.14, 11.58), at("prague", 50.08, 14.42)])
    assert [f.index for f in found] == [4, 5] and all(f.loc == ("geometry",) for f in found)
    # Too few places to tell.
    assert swapped_places([at("a", 2.35, 48.86), at("b", 48.86, 2.35)]) == []


@pytest.mark.parametrize("geometry, message", [
    (None, "geometry: is null; a place needs a geometry"),
    ({}, "geometry: is empty ({}); a place needs a geometry"),
    ({"type": "Point", "coordinates": []}, "geometry: empty Point; expected coordinates"),
    ({"type": "MultiPolygon", "coordinates": []}, "geometry: empty MultiPolygon; expected coordinates"),
    ({"type": "GeometryCollection", "geometries": []},
     "geometry.geometries: empty GeometryCollection; expected a non-empty array of geometries"),
    ({"type": "Circle", "coordinates": [0, 0]}, "geometry.type: unknown geometry type 'Circle'"),
])
def test_empty_and_null_geometries(story: Path, geometry, message):
    doc = read(story)
    feature(doc, "gatun-locks")["geometry"] = geometry
    write(story, doc)
    has_start(lines(story), f'{PLACES}: feature "gatun-locks" (features[8]) {message}')


def test_missing_geometry_member(story: Path):
    doc = read(story)
    del feature(doc, "gatun-locks")["geometry"]
    write(story, doc)
    has(lines(story), f'{PLACES}: feature "gatun-locks" (features[8]) geometry: is null; a place needs a geometry')


def test_wrong_crs(story: Path):
    doc = read(story)
    doc = {"type": "FeatureCollection",
           "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}, "features": doc["features"]}
    write(story, doc)
    has_start(lines(story), f"{PLACES}: crs: 'urn:ogc:def:crs:EPSG::3857' is not WGS84 longitude/latitude")
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    write(story, doc)
    storymap.load(story.name)  # WGS84 said explicitly is fine


def test_repeated_json_keys_are_reported_not_lost(story: Path):
    text = (story / "places.geojson").read_text("utf-8")
    text = text.replace('"kind": "lock",', '"kind": "lock", "kind": "port",', 1)
    (story / "places.geojson").write_text(text, "utf-8")
    has_start(lines(story), f'{PLACES}: feature "gatun-locks" (features[8]) properties.kind: key \'kind\' appears '
                            "more than once")


def test_properties_that_clash_with_the_feature(story: Path):
    doc = read(story)
    feature(doc, "gatun-locks")["properties"]["id"] = "gatun"
    feature(doc, "panama-canal")["properties"]["id"] = "panama-canal"  # the same: nothing is lost
    write(story, doc)
    assert lines(story) == [f'{PLACES}: feature "gatun-locks" (features[8]) properties.id: clashes with the '
                            "Feature's own id; it would be lost: rename it"]


def test_nan_is_not_json(story: Path):
    text = (story / "places.geojson").read_text("utf-8").replace("-79.92266", "NaN", 1)
    (story / "places.geojson").write_text(text, "utf-8")
    has(lines(story), f"{PLACES}: invalid JSON: NaN is not a JSON number")


# Encoding and size ---------------------------------------------------------------------------

def test_not_utf8(story: Path):
    raw = (story / "places.geojson").read_bytes()
    (story / "places.geojson").write_bytes(raw.replace("Gatún".encode(), "Gatún".encode("latin-1"), 1))
    line = has_start(lines(story), f"{PLACES}: not UTF-8: byte 0xfa at line ")
    # (A reporter who never heard of bytes learns which character it is: "ú", of "Gatún".)
    assert re.search(r"line \d+, column \d+ \(offset \d+\), which reads as 'ú' in Windows-1252 \(Latin-1\): the file "
                     r"looks saved in that encoding; save the file as UTF-8$", line), line
    # Bytes that are no Windows-1252 text (0x81 is none) are named alone.
    (story / "places.geojson").write_bytes(raw.replace("Gatún".encode(), b"Gat\x81n", 1))
    line = has_start(lines(story), f"{PLACES}: not UTF-8: byte 0x81 at line ")
    assert re.search(r"\(offset \d+\); save the file as UTF-8$", line), line


def test_utf16_is_named(story: Path):
    text = (story / "places.geojson").read_text("utf-8")
    (story / "places.geojson").write_bytes(text.encode("utf-16"))
    has(lines(story), f"{PLACES}: is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8")


def test_a_utf8_byte_order_mark_is_read_past(story: Path):
    """Files saved as "UTF-8 with BOM" (Windows Notepad, Excel) were refused; the mark is ignored,
    as RFC 8259 allows, and the files read as they are."""
    toml = (story / "story.toml").read_bytes()
    (story / "story.toml").write_bytes(b"\xef\xbb\xbf" + toml)
    for name in ("places.geojson", "story.es.toml"):
        (story / name).write_bytes(b"\xef\xbb\xbf" + (story / name).read_bytes())
    data = storymap.load(story).data
    assert data.title.startswith("Partners") and data.translations["es"].title
    doc = json.loads((story / "places.geojson").read_text("utf-8-sig"))
    feature(doc, "panama-canal")["properties"]["kind"] = "canall"
    (story / "places.geojson").write_bytes(b"\xef\xbb\xbf" + json.dumps(doc).encode())
    found = lines(story)
    assert not any("byte-order mark" in line for line in found)
    has_start(found, f'{PLACES}: feature "panama-canal" (features[7]) properties.kind: unknown kind')


def test_huge_file_is_refused_without_reading_it(story: Path):
    huge = story / "places.geojson"
    with huge.open("r+b") as fh:  # sparse: 8 × the limit, nearly no disk
        fh.truncate(8 * MAX_FILE_BYTES)
    tracemalloc.start()
    try:
        found = lines(story)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    line = has_start(found, f"{PLACES}: file is 80.0 MiB; the limit for a story file is 10 MiB")
    assert "too large to embed" in line
    assert peak < MAX_FILE_BYTES / 4, f"{peak:,} bytes allocated while refusing the file"


def test_not_a_regular_file(story: Path):
    (story / "folder.geojson").mkdir()
    has(lines(story), "geodata/folder.geojson: not a regular file")


# story.toml ----------------------------------------------------------------------------------

def toml_replace(story: Path, old: str, new: str) -> None:
    path = story / "story.toml"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_a_view_in_leaflets_order_is_named(story: Path):
    # [lat, lon], as Leaflet takes it: read as [lon, lat], the step opens on the Antarctic.
    toml_replace(story, "max_zoom = 9", "view = { center = [9.1, -79.7], zoom = 9 }")
    assert lines(story) == [
        f'{STORY}: step "first-talks" (steps[1]) view.center: coordinates look swapped: the view\'s center lies at '
        "longitude 9.1, latitude -79.7, in the Antarctic, far from the step's place (at longitude -79.53, latitude "
        "8.971: 10,962 km away); swapped, at longitude -79.7, latitude 9.1, it would lie near it: views are "
        "[longitude, latitude], as GeoJSON positions: write center = [-79.7, 9.1]"]
    toml_replace(story, "view = { center = [9.1, -79.7], zoom = 9 }", "view = { bounds = [[8.9, -80.0], [9.4, -79.5]] }")
    assert lines(story) == [
        f'{STORY}: step "first-talks" (steps[1]) view.bounds: coordinates look swapped: the view\'s bounds lie around '
        "longitude 9.15, latitude -79.75, in the Antarctic, far from the step's place (at longitude -79.53, latitude "
        "8.971: 10,963 km away); swapped, around longitude -79.75, latitude 9.15, it would lie near it: views are "
        "[longitude, latitude], as GeoJSON positions: write bounds = [[-80.0, 8.9], [-79.5, 9.4]]"]


def test_a_view_that_may_be_swapped_but_may_be_meant_is_a_warning(tmp_path: Path):
    # Where longitudes and latitudes overlap (Europe, Africa), a view swapped lands among places
    # too: a story in Italy with a step on Ethiopia ([39, 9]: read as [9, 39], Italy) was refused.
    # Only a view in a polar zone none of the places is in is sure to be swapped (an error); the
    # others are warnings.
    def at(pid, x, y):
        return {"id": pid, "name": pid, "annotation": "a", "sources": [{"title": "s", "url": "https://example.org"}],
                "geometry": {"type": "Point", "coordinates": [x, y]}}

    europe = [at("paris", 2.35, 48.86), at("berlin", 13.4, 52.52), at("vienna", 16.37, 48.21), at("rome", 12.5, 41.9)]
    steps = [{"id": "all", "title": "All", "places": ["paris", "berlin", "vienna"],
              "view": {"center": [50.5, 10.0], "zoom": 5}},
             {"id": "none", "title": "None", "view": {"bounds": [[41.0, 0.0], [54.0, 18.0]]}},
             {"id": "ethiopia", "title": "Ethiopia", "places": ["rome"], "view": {"center": [39.0, 9.0], "zoom": 5}},
             {"id": "arabia", "title": "Arabia", "view": {"bounds": [[35.0, 12.0], [60.0, 32.0]]}},
             {"id": "world", "title": "World", "places": ["rome"], "view": {"center": [40.0, 10.0], "zoom": 2}}]
    data = storymap.StoryData.model_validate({"title": "T", "places": europe, "steps": steps})  # valid
    (tmp_path / "story.toml").write_text("", "utf-8")
    found = [str(p) for p in story_notes(data, tmp_path)]
    assert [line.split(" (steps[")[0].rsplit('"', 2)[-2] for line in found] == ["all", "none", "ethiopia", "arabia"]
    assert found[0].endswith(
        'story.toml: step "all" (steps[0]) view.center: warning: coordinates may be swapped: the view\'s center lies at '
        "longitude 50.5, latitude 10, far from the step's places (around longitude 13.4, latitude 48.86: a median "
        "5,781 km away); swapped, at longitude 10, latitude 50.5, it would lie among them: views are [longitude, "
        "latitude], as GeoJSON positions: write center = [10.0, 50.5]; if the view is meant to be there, leave it"), \
        found[0]
    assert "view.bounds: warning: coordinates may be swapped: the view's bounds lie around longitude 47.5" in found[1]
    assert found[1].endswith("write bounds = [[0.0, 41.0], [18.0, 54.0]]; if the view is meant to be there, leave it")


def test_a_view_that_shows_none_of_its_places_is_a_warning(tmp_path: Path):
    # Luxor in Leaflet's [lat, lng] order lands in the sea off Libya: 1,000 km away, too near to
    # look swapped among places that lie along the Nile, yet the step's window shows no place.
    def at(pid, x, y):
        return {"id": pid, "name": pid, "annotation": "a", "sources": [{"title": "s", "url": "https://example.org"}],
                "geometry": {"type": "Point", "coordinates": [x, y]}}

    egypt = [at("luxor", 32.64, 25.69), at("aswan", 32.9, 24.09), at("cairo", 31.24, 30.04), at("fiji", 179.5, -17.8),
             {**at("nile", 0, 0), "geometry": {"type": "LineString", "coordinates": [[32.9, 24.09], [31.24, 30.04]]}}]
    steps = [{"id": "luxor", "title": "L", "places": ["luxor"], "view": {"center": [25.69, 32.64], "zoom": 9}},
             {"id": "near", "title": "N", "places": ["luxor"], "view": {"center": [31.2, 25.2], "zoom": 9}},
             {"id": "far", "title": "F", "places": ["aswan", "cairo"], "view": {"center": [-77.04, 38.9], "zoom": 9}},
             {"id": "box", "title": "B", "places": ["luxor"], "view": {"bounds": [[0.0, 0.0], [1.0, 1.0]]}},
             {"id": "line", "title": "R", "places": ["nile"], "view": {"bounds": [[31.5, 27.0], [32.5, 28.0]]}},
             {"id": "across", "title": "A", "places": ["fiji"], "view": {"center": [-179.5, -17.0], "zoom": 6}},
             {"id": "none", "title": "O", "view": {"center": [-77.04, 38.9], "zoom": 9}}]
    data = storymap.StoryData.model_validate({"title": "T", "places": egypt, "steps": steps})  # valid
    (tmp_path / "story.toml").write_text("", "utf-8")
    found = [str(p) for p in story_notes(data, tmp_path)]
    assert [line.split(" (steps[")[0].rsplit('"', 2)[-2] for line in found] == ["luxor", "far", "box"], found
    assert found[0].endswith(
        'story.toml: step "luxor" (steps[0]) view.center: warning: the view shows none of the step\'s places: at zoom '
        "9, centred on longitude 25.69, latitude 32.64, a 1280×800 window reaches longitude 23.93 to 27.45, latitude "
        "31.71 to 33.56; its place 'luxor' lies at longitude 32.64, latitude 25.69; swapped, it would show it: views "
        "are [longitude, latitude], as GeoJSON positions: write center = [32.64, 25.69]"), found[0]
    assert "its 2 places lie around longitude 32.07, latitude 27.06; to fit the view to them, leave `view` out" in found[1]
    assert found[2].endswith("view.bounds: warning: the view shows none of the step's places: its bounds reach "
                             "longitude 0 to 1, latitude 0 to 1; its place 'luxor' lies at longitude 32.64, latitude "
                             "25.69; to fit the view to them, leave `view` out"), found[2]


def test_a_step_with_no_place_and_no_view_is_a_warning(tmp_path: Path):
    """A step emptied by mistake (places = []) zoomed out to all the story's places, each dimmed,
    while its text told of one town, and nothing said so. A step with a view of its own (a
    title step over a region) is left alone."""
    place = {"id": "a", "name": "A", "annotation": "a", "sources": [{"title": "s", "url": "https://example.org"}],
             "geometry": {"type": "Point", "coordinates": [-51.2, -30.0]}}
    steps = [{"id": "empty", "title": "E", "places": []}, {"id": "town", "title": "T", "places": ["a"]},
             {"id": "region", "title": "R", "view": {"center": [-51.2, -30.0], "zoom": 6}}]
    data = storymap.StoryData.model_validate({"title": "T", "places": [place], "steps": steps})  # valid
    (tmp_path / "story.toml").write_text("", "utf-8")
    found = [str(p) for p in story_notes(data, tmp_path)]
    assert len(found) == 1 and found[0].endswith(
        'story.toml: step "empty" (steps[0]) places: warning: the step shows no place and has no view: its map zooms '
        "out to all of the story's places, each dimmed; list the places it is about in places, or give it a view"), found


def _storys(told: list) -> list:
    """storymap's own warnings among those recorded (an older library may warn of its deprecations too)."""
    return [w for w in told if w.category is UserWarning]


def test_a_page_made_in_python_warns_of_what_validate_would_once(tmp_path: Path):
    """A Python user who emptied a step or pointed a view at Paris saw nothing at save(): the
    warnings came from storymap.load() and storymap validate only. What load() warned of is not
    said again."""
    with warnings.catch_warnings(record=True) as told:
        warnings.simplefilter("always")
        story = storymap.load(GEODATA)
        loaded = len(_storys(told))
        story.add_step(id="empty", title="Empty", places=[])
        story.steps[1].view = {"center": [2.35, 48.85], "zoom": 10}
        story.save(tmp_path / "a.html")
        story.to_html()  # (nothing new: not again)
    later = [str(w.message) for w in _storys(told)[loaded:]]
    assert len(later) == 3, later
    assert later[2].startswith("step 'empty': warning: no title in 'es'")  # (added in English only)
    # (Changes made from Python: the lines name no file, where story.toml has neither the step nor
    # that view.)
    assert later[0].startswith('step "first-talks" (steps[1]) view.center: warning: the view shows '
                               "none of the step's places")
    assert later[1].startswith('step "empty" (steps[11]) places: warning: the step shows no place')
    assert all(w.filename == __file__ for w in _storys(told)[loaded:])  # (the caller's line)
    # A story made in Python alone names no file either.
    with warnings.catch_warnings(record=True) as told:
        warnings.simplefilter("always")
        place = {"id": "a", "name": "A", "annotation": "a", "sources": [{"title": "s", "url": "https://example.org"}],
                 "geometry": {"type": "Point", "coordinates": [-51.2, -30.0]}}
        storymap.Story({"title": "T", "places": [place], "steps": [{"id": "x", "title": "X", "places": []}]}).to_html()
    assert [str(w.message) for w in _storys(told)][-1].startswith('step "x" (steps[0]) places: warning:')


def test_a_step_added_in_python_takes_its_texts_in_each_language_and_warns_without(tmp_path: Path):
    """add_step(title={"en": …, "es": …}) was refused ("Input should be a valid string"), and a step
    added in English alone gave a Spanish page in English, without a word (the same step in
    story.toml is invalid: story.es.toml lacks its texts)."""
    with warnings.catch_warnings(record=True) as told:
        warnings.simplefilter("always")
        story = storymap.load(GEODATA)
        loaded = len(_storys(told))
        story.add_step(id="free-zone", title={"en": "The free zone", "es": "La zona libre"},
                       narrative={"en": "**Colón**'s port.", "es": "El puerto de **Colón**."}, places=["panama-canal"])
        assert story.data.translations["es"].steps["free-zone"].title == "La zona libre"
        spanish = story.to_html(lang="es")
        assert len(_storys(told)) == loaded and "La zona libre" in spanish and "El puerto de" in spanish
        story.add_step(id="alone", title="Alone", narrative="Only in English.", places=["panama-canal"])
        story.to_html()
    assert [str(w.message) for w in _storys(told)[loaded:]] == [
        "step 'alone': warning: no title or narrative in 'es': the 'es' page shows them in 'en'; give each in both, "
        "add_step(..., title={'en': ..., 'es': ...})"]
    with pytest.raises(StoryError, match=r"step 'x' title: give the text in 'en', the story's own language, too"):
        story.add_step(id="x", title={"es": "Solo"}, places=["panama-canal"])
    with pytest.raises(StoryError, match=r"step 'y' title: 'fr' is not one of the story's languages \(en, es\)"):
        story.add_step(id="y", title={"en": "A", "fr": "B"}, places=["panama-canal"])
    assert [s.id for s in story.data.steps][-2:] == ["free-zone", "alone"]  # (refused: nothing added)


@pytest.mark.parametrize("view", [
    "view = { bounds = [[-180.0, -60.0], [180.0, 80.0]] }",  # the world
    "view = { center = [0.0, 20.0], zoom = 2 }",  # a world overview, centred on the Atlantic
    "view = { center = [-77.04, 38.9], zoom = 9 }",  # Washington, deliberately: far, and farther swapped
    "view = { bounds = [[30.0, 25.0], [35.0, 32.0]] }",  # Egypt: far, its swap no closer
    "view = { center = [-79.53, 8.97], zoom = 3 }",  # over the place, whatever the zoom
])
def test_a_far_view_that_is_not_swapped_is_left_alone(story: Path, view: str):
    toml_replace(story, "max_zoom = 9", view)
    toml_replace(story, 'places = ["socsouth-hq", "panama-canal"]',  # and a step showing the story's places
                 f"places = []\n{view}")
    with warnings.catch_warnings(record=True) as told:
        warnings.simplefilter("always")
        assert storymap.load(story.name).data.steps[1].view is not None
    # No swap is suggested; a view far from its step's place says only that it shows none of it.
    assert [str(w.message) for w in told if "swapped" in str(w.message)] == []
    far = [str(w.message) for w in told if "shows none" in str(w.message)]
    assert len(far) == (1 if "-77.04" in view or "[30.0, 25.0]" in view else 0), far


def test_the_places_problems_come_in_the_order_of_their_features(story: Path):
    # They came in the order of the checks: a field's, then the ids', then the kinds' (features
    # 8, then 2, then 0).
    doc = read(story)
    feature(doc, "socsouth-hq")["properties"]["kind"] = "headquarter"
    feature(doc, "darien-border-zone")["id"] = "socsouth-hq"
    del feature(doc, "gatun-locks")["properties"]["name"]
    write(story, doc)
    found = [line for line in lines(story) if line.startswith(PLACES)]
    assert [re.search(r"features\[(\d+)\]", line).group(1) for line in found] == ["0", "2", "8"], found


def test_unknown_place_suggests_the_closest_even_with_other_problems(story: Path):
    toml_replace(story, 'places = ["talks-jcet-2025"]', 'places = ["talks-jcet-2052"]')
    doc = read(story)
    feature(doc, "panama-canal")["properties"]["kind"] = "canall"  # another problem, elsewhere
    write(story, doc)
    found = lines(story)
    has(found, f'{STORY}: step "first-talks" (steps[1]) places[0]: unknown place \'talks-jcet-2052\'; '
               "did you mean 'talks-jcet-2025'?")
    # The broken feature still exists: steps showing it are not reported as naming an unknown place.
    assert not [line for line in found if "unknown place 'panama-canal'" in line]


def test_unknown_place_without_a_close_id(story: Path):
    toml_replace(story, 'places = ["talks-jcet-2025"]', 'places = ["zzz"]')
    assert lines(story) == [f"{STORY}: step \"first-talks\" (steps[1]) places[0]: unknown place 'zzz'"]


def test_duplicate_step_ids(story: Path):
    toml_replace(story, 'id = "jcet-training"', 'id = "first-talks"')
    assert lines(story) == [f'{STORY}: step "first-talks" (steps[2]) id: duplicate step id \'first-talks\' '
                            "(first used by steps[1])"]


def test_duplicate_step_ids_with_a_broken_step(story: Path):
    toml_replace(story, 'id = "jcet-training"', 'id = "first-talks"\ntitel = "typo"')
    found = lines(story)
    has(found, f'{STORY}: step "first-talks" (steps[2]) id: duplicate step id \'first-talks\' (first used by steps[1])',
        f'{STORY}: step "first-talks" (steps[2]) titel: unknown field; did you mean \'title\'?')


def test_empty_story(story: Path):
    (story / "story.toml").write_text("", "utf-8")
    found = lines(story)
    has(found, f"{STORY}: title: missing (required)",
        f"{STORY}: steps: the story has no steps; add at least one [[steps]] table")


def test_story_without_places(story: Path):
    write(story, {"type": "FeatureCollection", "features": []})
    found = lines(story)
    has(found, f"{PLACES}: the story has no places: no Feature in any *.geojson file")
    # And each step names places that do not exist.
    has_start(found, f'{STORY}: step "overview" (steps[0]) places[0]: unknown place \'socsouth-hq\'')


def test_story_fields(story: Path):
    toml_replace(story, 'lang = "en"', 'lang = "en\\" onload=\\"x"\ntitel = "typo"')
    toml_replace(story, 'layout = "slides"', 'layout = "carousel"')
    found = lines(story)
    has_start(found, f"{STORY}: lang: 'en\" onload=\"x' is not a language tag")
    has(found, f"{STORY}: titel: unknown field; did you mean 'title'?")
    has_start(found, f"{STORY}: layout: Input should be 'slides' or 'scroll'")


def test_a_misspelt_steps_or_kinds_table_is_named_with_the_right_name(story: Path):
    # Before: "step: unknown field; expected one of title, subtitle, ... tiles", a list without
    # steps or kinds in it, and no suggestion.
    text = (story / "story.toml").read_text("utf-8")
    (story / "story.toml").write_text(text.replace("[[steps]]", "[[step]]", 1).replace("[kinds.", "[kind.", 1), "utf-8")
    found = lines(story)
    has(found, f"{STORY}: step: unknown field; did you mean 'steps'?")
    has(found, f"{STORY}: kind: unknown field; did you mean 'kinds'?")
    (story / "story.toml").write_text(text.replace("[[steps]]", "[[chapters]]"), "utf-8")
    has_start(lines(story), f"{STORY}: chapters: unknown field; expected one of title, subtitle, byline, kicker, lang, ")
    assert lines(story)[0].endswith(", tiles, kinds, steps"), lines(story)


def test_steps_not_an_array(story: Path):
    text = (story / "story.toml").read_text("utf-8")
    kinds = text[text.index("[kinds."):text.index("[[steps]]")]
    (story / "story.toml").write_text(f'title = "T"\nsteps = "all of them"\n{kinds}', "utf-8")
    assert lines(story) == [f"{STORY}: steps: expected [[steps]] tables, got 'all of them'"]


def test_all_problems_of_all_files_in_one_run(story: Path):
    doc = read(story)
    feature(doc, "panama-canal")["properties"]["kind"] = "canall"
    del feature(doc, "gatun-locks")["properties"]["annotation"]
    feature(doc, "socsouth-hq")["geometry"]["coordinates"] = [0, 95]
    lon, lat = feature(doc, "talks-jcet-2025")["geometry"]["coordinates"]
    feature(doc, "talks-jcet-2025")["geometry"]["coordinates"] = [lat, lon]
    write(story, doc)
    toml_replace(story, 'places = ["talks-jcet-2025"]', 'places = ["gatun-lock"]')
    toml_replace(story, 'layout = "slides"', 'layout = "slide"')
    found = lines(story)
    for start in ('geodata/places.geojson: feature "panama-canal" (features[7]) properties.kind:',
                  'geodata/places.geojson: feature "gatun-locks" (features[8]) properties.annotation: missing',
                  'geodata/places.geojson: feature "socsouth-hq" (features[0]) geometry.coordinates: latitude 95',
                  'geodata/places.geojson: feature "talks-jcet-2025" (features[1]) geometry: coordinates look swapped',
                  "geodata/story.toml: layout: Input should be",
                  'geodata/story.toml: step "first-talks" (steps[1]) places[0]: unknown place \'gatun-lock\'; '
                  "did you mean 'gatun-locks'?"):
        has_start(found, start)
    assert len(found) == 6, found


def test_toml_syntax_error(story: Path):
    (story / "story.toml").write_text('title = "x"\n[[steps]]\nid = \n', "utf-8")
    assert lines(story) == [f"{STORY}: invalid TOML at line 3, column 6: a value TOML cannot read: text goes between "
                            f'quotes (lang = "fr"); numbers, true and false go without (line 3: id = …) [Invalid value]']


def test_with_story_toml_unreadable_the_places_are_still_checked_for_all_that_needs_no_kinds(story: Path):
    # A slip in story.toml hid the places' own mistakes until it was fixed: of their geometries'
    # only coordinates given latitude first were reported, not a longitude of 200 or a line of one
    # position. What needs the kinds (an unknown kind, a geometry that does not fit its kind) waits
    # for a story.toml that reads.
    doc = read(story)
    feature(doc, "socsouth-hq")["geometry"]["coordinates"] = [200.0, 25.49]
    feature(doc, "panama-canal")["geometry"] = {"type": "LineString", "coordinates": [[-79.9, 9.3]]}
    feature(doc, "gatun-locks")["properties"]["kind"] = "lokc"
    feature(doc, "talks-jcet-2025")["geometry"] = {"type": "LineString", "coordinates": [[-79.5, 8.9], [-79.4, 9.0]]}
    write(story, doc)
    (story / "story.toml").write_text('title = "x\n', "utf-8")
    found = lines(story)
    has_start(found, f"{STORY}: invalid TOML at line 1")
    has_start(found, f'{PLACES}: feature "socsouth-hq" (features[0]) geometry.coordinates: longitude 200.0 is outside -180..180')
    has_start(found, f'{PLACES}: feature "panama-canal" (features[7]) geometry.coordinates: 1 position(s), at least 2 needed')
    assert not [line for line in found if "lokc" in line or '"talks-jcet-2025"' in line], found
    assert len(found) == 3, found


CLOSE_QUOTE = 'a text has no closing quote: end it with " on the same line, or write a text of several lines between """ and """'


@pytest.mark.parametrize("toml, expected", [
    # The slips of a reporter editing story.toml by hand: before, tomllib's words alone ("Illegal
    # character '\n'", "Invalid value"), and for a text of several lines left open, no line at all
    # ("Unterminated string (at end of document)").
    ('title = "x\nlang = "de"\n', f"at line 1, column 11: {CLOSE_QUOTE} (line 1: title = …) [Illegal character '\\n']"),
    ('title = "x"\nlang = de\n', "at line 2, column 8: a value TOML cannot read"),
    ('title = "x"\n# a """ in a comment\n[[steps]]\nid = "a"\nnarrative = """One "quoted" word.\nMore.\n'
     'places = ["a"]\n[[steps]]\nid = "b"\n',
     f"at line 5: {CLOSE_QUOTE} (line 5: narrative = …) [Unterminated string]"),
    ('title = "The "Big" river"\n', "at line 1, column 15: something after the value on this line: one key = value a "
                                    "line; a quote inside a text is written \\\" (or put the text between ''' and ''')"),
    ('title = "x"\ntitle = "y"\n', 'at line 2, column 12: a key given twice: keep one of them (line 2: title = …) '
                                   "[Cannot overwrite a value]"),
    ('[kinds.port]\nlabel = "P"\n[kinds.port]\n', "at line 3, column 12: a table given twice: keep one of them, or use "
                                                 "[[steps]] (two brackets) for a list of them (line 3: [kinds.port])"),
    # (The line is named by its key: its value, whatever the file holds, is never repeated.)
    ('token = "s3cr3t" x\n', "at line 1, column 18: something after the value on this line"),
    ('places = ["a" "b"]\n', "at line 1, column 15: a list that is not closed: separate its items with commas"),
    ('title = "x"\nnot a key\n', "at line 2, column 5: a line that is neither key = value nor a [table]"),
    # A text of several lines closed with two quotes, not three, in the middle of the file: it ran on
    # to the next step's opening quotes, and the parser stopped inside that step's correct text, 8
    # lines further down (before: "invalid TOML at line 10 …: a line that is neither key = value nor
    # a [table]", in the wrong step).
    ('[[steps]]\nid = "a"\nnarrative = """\nOne.\n""\n\n[[steps]]\nid = "b"\nnarrative = """\nTwo words.\n"""\n',
     'at line 3: the text of several lines that starts there (narrative = …) runs on to line 9, over the keys and '
     '[tables] after it: its closing """ is missing or mistyped (the file cannot be read from line 10 on)'),
])
def test_toml_syntax_errors_name_the_line_and_say_how_to_fix_them(story: Path, toml: str, expected: str):
    (story / "story.toml").write_text(toml, "utf-8")
    found = lines(story)
    assert len(found) == 1 and found[0].startswith(f"{STORY}: invalid TOML {expected}"), found
    assert "s3cr3t" not in found[0] and "Big" not in found[0]


TYPOGRAPHIC = ('where TOML needs straight ones ("): a text goes between " and " (its own quotes may stay inside '
               "them); a word processor's smart quotes may have put them there: type story files in a plain-text editor")


@pytest.mark.parametrize("toml, expected", [
    # A word processor's curly quotes and a language's own quotes around a text: before, "a value TOML
    # cannot read: text goes between quotes (lang = "fr")", though the text was between quotes.
    ('title = "x"\nsubtitle = \u201cA story\u201d\n',
     f'at line 2, column 12: typographic quotes (\u201c \u201d) {TYPOGRAPHIC} (line 2: subtitle = "…") [Invalid value]'),
    ('subtitle = \u00abA story\u00bb\n', f'at line 1, column 12: typographic quotes (\u00ab \u00bb) {TYPOGRAPHIC} '
                                       '(line 1: subtitle = "…") [Invalid value]'),
    ('subtitle = \u201eA story\u201c\n', "at line 1, column 12: typographic quotes (\u201e \u201c) where TOML"),
    ('subtitle = \u2018A story\u2019\n', "at line 1, column 12: typographic quotes (\u2018 \u2019) where TOML"),
    ('subtitle = \u300cA story\u300d  # \u300c\u300d\n', f"at line 1, column 12: typographic quotes (\u300c \u300d) "
                                                     f'{TYPOGRAPHIC} (line 1: subtitle = "…") [Invalid value]'),
    # A straight quote that opens a text closed by a curly one; a list of texts; a key in curly quotes.
    ('subtitle = "A story\u201d\n', f'at line 1, column 21: typographic quotes (\u201d) {TYPOGRAPHIC} '
                                   """(line 1: subtitle = "…") [Illegal character '\\n']"""),
    ('places = [\u201ca\u201d, \u201cb\u201d]\n', 'at line 1, column 11: typographic quotes (\u201c \u201d) '
                                                f'{TYPOGRAPHIC} (line 1: places = ["…", "…"]) [Invalid value]'),
    ('\u201ctitle\u201d = "x"\n', f"at line 1, column 1: typographic quotes (\u201c \u201d) {TYPOGRAPHIC} "
                                 "(line 1: title = …) [Invalid statement]"),
])
def test_typographic_quotes_in_toml_are_named_with_the_line_to_write(story: Path, toml: str, expected: str):
    (story / "story.toml").write_text(toml, "utf-8")
    found = lines(story)
    assert len(found) == 1 and found[0].startswith(f"{STORY}: invalid TOML {expected}"), found
    assert "A story" not in found[0]  # (the line is shown fixed, its text as "…")


def test_a_text_of_several_lines_holding_toml_is_not_blamed_for_a_slip_further_down(story: Path):
    """A narrative may quote a line that looks like TOML: a later slip, not right after it, is
    still said where it is."""
    (story / "story.toml").write_text('[[steps]]\nid = "a"\nnarrative = """\nwrite title = "x" here\n"""\n'
                                      'title = "A"\n\nlang = de\n', "utf-8")
    found = lines(story)
    assert len(found) == 1 and found[0].startswith(f"{STORY}: invalid TOML at line 8, column 8: a value TOML cannot"), found


def test_an_image_over_its_budget_is_named_at_its_own_step_when_an_earlier_step_is_broken(story: Path):
    """A reporter with a bad date in one step and a heavy photo in a later one was sent to the step
    before the photo's (the budget counted only the valid steps)."""
    from PIL import Image
    Image.effect_noise((900, 900), 90).convert("RGB").save(story / "heavy.png")
    text = (story / "story.toml").read_text("utf-8")
    text = text.replace('date = "2025-02-18"', 'date = "05/05/2024"', 1)  # (steps[1], first-talks)
    at = text.index("[[steps]]", text.index('id = "jcet-training"'))  # (the step's end)
    text = text[:at] + '[[steps.media]]\nsrc = "heavy.png"\nalt = "Noise"\n\n' + text[at:]
    (story / "story.toml").write_text(text, "utf-8")
    found = [line for line in lines(story) if "heavy.png" in line]
    assert len(found) == 1 and 'step "jcet-training" (steps[2]) media[0].src' in found[0], found


def test_a_place_listed_twice_in_a_step_is_an_error(story: Path):
    text = (story / "story.toml").read_text("utf-8")
    assert 'places = ["talks-jcet-2025"]' in text
    (story / "story.toml").write_text(text.replace('places = ["talks-jcet-2025"]',
                                                   'places = ["talks-jcet-2025", "talks-jcet-2025"]', 1), "utf-8")
    assert lines(story) == [f'{STORY}: step "first-talks" (steps[1]) places[1]: \'talks-jcet-2025\' is listed twice '
                            "(first as places[0]); a step lists each place once"]


@pytest.mark.parametrize("bad, close", [("muçum", "mucum"), ("Mercado Público", "mercado-publico"),
                                        ("São_Leopoldo", "sao-leopoldo")])
def test_an_id_with_accents_capitals_or_spaces_gets_one_to_use(story: Path, bad: str, close: str):
    doc = read(story)
    feature(doc, "gatun-locks")["id"] = bad
    write(story, doc)
    found = [line for line in lines(story) if "not a valid id" in line]
    assert found and found[0].endswith("no accents, capitals or spaces (1-64 characters, e.g. 'old-harbour'); "
                                       f"did you mean {close!r}?"), found


NOT_READABLE = ("is not a valid id: an id is written with a-z, 0-9 and dashes only (1-64 characters), whatever the "
                "story's language (its names and titles stay as written); a letter-by-letter transliteration of this "
                "one would mislead a reader, so write one from an English or other Latin-script name: ")


def _one_place_story(folder: Path, place_id: str, name: str, english: str | None = None, *, step_id: str = "one",
                     title: str = "One", english_title: str | None = None) -> Path:
    folder.mkdir()
    feature = {"type": "Feature", "id": place_id, "geometry": {"type": "Point", "coordinates": [139.77, 35.68]},
               "properties": {"name": name, "annotation": "A.", "sources": [{"title": "S", "url": "https://example.org"}]}}
    (folder / "places.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]},
                                                      ensure_ascii=False), "utf-8")
    (folder / "story.toml").write_text(f'title = "T"\nlang = "ja"\n[[steps]]\nid = {json.dumps(step_id)}\n'
                                       f"title = {json.dumps(title)}\nplaces = [{json.dumps(place_id)}]\n", "utf-8")
    translation = 'title = "T"\n' + (f"[places.{json.dumps(place_id)}]\nname = {json.dumps(english)}\n" if english else "")
    translation += f"[steps.{json.dumps(step_id)}]\ntitle = {json.dumps(english_title)}\n" if english_title else ""
    (folder / "story.en.toml").write_text(translation, "utf-8")
    return folder


@pytest.mark.parametrize("place_id, name, english, expected, listed", [
    # Before: "did you mean 'dongjingyi'?" (a Mandarin reading of Japanese), "'myn-jdh'" (Arabic
    # without its vowels), "'nml-hyfh'": an id made from the English or Latin-script name, else a neutral one.
    ("東京駅", "東京駅", "Tokyo Station", "e.g. 'tokyo-station' (from its name in English)",           # Japanese
     "e.g. 'tokyo-station' (as the place's new id, from its name in English)"),
    ("北京站", "北京站", None, "e.g. 'place-1'", "e.g. 'place-1' (as the place's new id)"),             # Chinese
    ("ميناء-جدة", "ميناء جدة", "Jeddah Islamic Port", "e.g. 'jeddah-islamic-port' (from its name in English)",
     "e.g. 'jeddah-islamic-port' (as the place's new id, from its name in English)"),                # Arabic
    ("נמל-חיפה", "Haifa Port", None, "e.g. 'haifa-port' (from its name)",                            # Hebrew
     "e.g. 'haifa-port' (as the place's new id, from its name)"),
    ("נמל-חיפה", "נמל חיפה", None, "e.g. 'place-1'", "e.g. 'place-1' (as the place's new id)"),
])
def test_an_id_in_a_script_transliteration_would_garble_gets_one_from_a_latin_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, place_id: str, name: str, english: str | None, expected: str,
        listed: str):
    monkeypatch.chdir(tmp_path)
    found = lines(_one_place_story(tmp_path / "s", place_id, name, english))
    said = f"{place_id!r} {NOT_READABLE}"
    assert found == [f's/places.geojson: feature "{place_id}" (features[0]) id: {said}{expected}',
                     f's/story.toml: step "one" (steps[0]) places[0]: {said}{listed}'], found


@pytest.mark.parametrize("step_id, title, english_title, expected", [
    ("東京駅へ", "東京駅へ", "To Tokyo Station", "e.g. 'to-tokyo-station' (from its title in English)"),
    ("到达北京", "到达北京", None, "e.g. 'step-1'"),
    ("ميناء-جدة", "Port of Jeddah", None, "e.g. 'port-of-jeddah' (from its title)"),
    ("נמל-חיפה", "נמל חיפה", "Haifa", "e.g. 'haifa' (from its title in English)"),
])
def test_a_step_id_in_a_script_transliteration_would_garble_gets_one_from_a_latin_title(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step_id: str, title: str, english_title: str | None,
        expected: str):
    monkeypatch.chdir(tmp_path)
    folder = _one_place_story(tmp_path / "s", "tokyo-station", "東京駅", step_id=step_id, title=title,
                              english_title=english_title)
    assert lines(folder) == [f's/story.toml: step "{step_id}" (steps[0]) id: {step_id!r} {NOT_READABLE}{expected}']


def test_a_feature_without_an_id_named_in_such_a_script_gets_no_transliteration(tmp_path: Path,
                                                                                  monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    folder = _one_place_story(tmp_path / "s", "tokyo-station", "東京駅")
    doc = json.loads((folder / "places.geojson").read_text("utf-8"))
    del doc["features"][0]["id"]
    (folder / "places.geojson").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    found = lines(folder)  # (before: e.g. from its name: "id": "dongjingyi")
    has(found, 's/places.geojson: feature named "東京駅" (features[0]) id: missing; every place needs a stable string '
               'id (e.g. "old-harbour", made from its name in English or in another language written in Latin letters)')


@pytest.mark.parametrize("place_id, close", [("muçum", "mucum"), ("москва", "moskva"), ("αθήνα", "athina")])
def test_an_id_in_latin_cyrillic_or_greek_letters_still_gets_its_transliteration(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, place_id: str, close: str):
    monkeypatch.chdir(tmp_path)
    found = lines(_one_place_story(tmp_path / "s", place_id, place_id.title()))
    assert found[0].endswith(f"(1-64 characters, e.g. 'old-harbour'); did you mean {close!r}?"), found


def test_what_a_reporter_writes_for_a_list_a_colour_a_url_or_an_image_gets_the_fix(story: Path):
    """Parser words ("Input should be a valid list", "List should have at least 1 item after
    validation, not 0") said what a reporter could not act on; a colour in Portuguese, an address
    without https:// and an image's name with a dash for an underscore got no suggestion."""
    text = (story / "story.toml").read_text("utf-8")
    at = text.index("[[steps]]", text.index('id = "jcet-training"'))
    text = text[:at] + '[steps.media]\nsrc = "river-level.png"\nalt = "Level"\n\n' + text[at:]
    (story / "story.toml").write_text(text, "utf-8")
    doc = read(story)
    feature(doc, "socsouth-hq")["properties"]["sources"] = []
    feature(doc, "gatun-locks")["properties"]["sources"] = [{"title": "Site", "url": "www.example.org/locks"}]
    write(story, doc)
    found = lines(story)
    has(found, f'{STORY}: step "jcet-training" (steps[2]) media: one table where a list of them goes: in story.toml '
               "each one's header takes two pairs of brackets (as in [[steps.media]], not [steps.media]); in JSON, put "
               "the object in [ ]")
    has(found, f'{PLACES}: feature "socsouth-hq" (features[0]) properties.sources: an empty list: give at least 1')
    has(found, f'{PLACES}: feature "gatun-locks" (features[8]) properties.sources[0].url: \'www.example.org/locks\' is '
               "not an http(s) URL; did you mean 'https://www.example.org/locks'?")


@pytest.mark.parametrize("word, meant", [("azul", "blue"), ("vermelho", "red"), ("Roxo", "purple"), ("grün", "green")])
def test_a_colour_named_in_another_language_gets_the_css_name(word: str, meant: str):
    with pytest.raises(ValidationError, match=rf"{word!r} is not a CSS color: .*; did you mean {meant!r}\?"):
        TypeAdapter(Color).validate_python(word)


def test_a_missing_image_gets_the_close_name_in_its_folder(tmp_path: Path):
    (tmp_path / "river-level.png").write_bytes(b"")
    with pytest.raises(MediaError, match=r"file not found: .*river_level\.png; did you mean '.*river-level\.png'\?"):
        read_image(tmp_path / "river_level.png")
    with pytest.raises(MediaError, match=r"file not found: .*nothing-like-it\.png$"):
        read_image(tmp_path / "nothing-like-it.png")


def test_one_geojson_file_alone(story: Path):
    assert len(load_places(story / "places.geojson")) == 18
    doc = read(story)
    feature(doc, "gatun-locks")["properties"]["kind"] = "lox"
    write(story, doc)
    with pytest.raises(StoryError, match=r'feature "gatun-locks" \(features\[8\]\) properties.kind: unknown kind'):
        load_places(story / "places.geojson")


# The command line ----------------------------------------------------------------------------

def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_validate_and_build_report_the_same_lines(story: Path):
    doc = read(story)
    feature(doc, "panama-canal")["properties"]["kind"] = "canall"
    feature(doc, "gatun-locks")["geometry"] = None
    write(story, doc)
    expected = lines(story)
    for args in (["validate", "geodata"], ["validate", "geodata/story.toml"], ["build", "geodata", "-o", "out.html"]):
        result = run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.splitlines() == expected + [f"{len(expected)} problem(s) found"], args
        assert "Traceback" not in result.output
    assert not Path("out.html").exists()


def test_a_problem_in_every_feature_is_folded_on_a_terminal(story: Path, monkeypatch: pytest.MonkeyPatch):
    """A mistake made in every feature of a file was a line per feature, on a terminal too (400
    features: 400 lines, the other problems lost among them). On a terminal it shows three lines
    and a count; read from a pipe (an editor's problem matcher, CI), or with --all, every line."""
    doc = read(story)
    for f in doc["features"]:
        del f["properties"]["sources"]
    feature(doc, "gatun-locks")["geometry"] = None
    write(story, doc)
    expected = lines(story)
    sources = [line for line in expected if "properties.sources: missing" in line]
    assert len(sources) == 18 and len(expected) == 19
    piped = run("validate", "geodata")
    assert piped.stderr.splitlines() == expected + ["19 problem(s) found"]
    monkeypatch.setattr("storymap.cli._terminal", lambda: True)
    for args in (["validate", "geodata"], ["build", "geodata", "-o", "out.html"]):
        shown = run(*args).stderr.splitlines()
        fold = ("geodata/places.geojson: … properties.sources: the same in 15 more features "
                "(18 in all; storymap validate --all prints each)")
        assert shown == sources[:3] + [fold] + [line for line in expected if line not in sources] + [
            "19 problem(s) found"], (args, shown)
    assert run("validate", "--all", "geodata").stderr.splitlines() == expected + ["19 problem(s) found"]


def test_problem_lines_fold_only_what_repeats_more_than_five_times():
    from storymap.cli import problem_lines
    from storymap.errors import Problem

    same = [Problem("a.geojson", "missing", where=f'feature "p{i}" (features[{i}])', field="properties.x")
            for i in range(6)]
    other = Problem("a.geojson", "unknown kind", where='feature "q" (features[9])', field="properties.kind")
    five = [Problem("story.toml", "no places", where=f'step "s{i}" (steps[{i}])') for i in range(5)]
    problems = same[:2] + [other] + same[2:] + five
    assert problem_lines(problems, fold=False) == [str(p) for p in problems]
    assert problem_lines(problems, fold=True) == [str(p) for p in same[:2] + [other] + same[2:3]] + [
        "a.geojson: … properties.x: the same in 3 more features (6 in all; storymap validate --all prints each)"] + [
        str(p) for p in five]


def test_validate_ok_and_usage_errors(story: Path):
    result = run("validate", "geodata")
    assert result.exit_code == 0 and result.stdout == "geodata: valid (11 steps, 18 places)\n"
    result = run("validate", "geodata/places.geojson")
    assert result.exit_code == 0 and "valid (18 places)" in result.stdout
    assert run("validate", "no-such-folder").exit_code == 2
    assert run("validate", "--no-such-option").exit_code == 2
    assert run("build", "geodata/story.toml").exit_code == 2
    assert run("validate", "geodata/RESEARCH.md").exit_code == 2
    assert run("nonsense").exit_code == 2


def test_a_story_outside_the_working_folder_is_named_by_its_absolute_path(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch):
    """Messages name a file as the writer finds it: relative inside the working folder, absolute
    outside it (``/home/me/story/story.toml``, not ``../../me/story/story.toml``)."""
    story = tmp_path / "elsewhere" / "story"
    story.mkdir(parents=True)
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    result = run("validate", str(story))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [f"{story}/story.toml: missing: a story folder needs a story.toml with its steps",
                                              f"{story}: no *.geojson file of places"]
    with pytest.raises(StoryError, match=f"^{re.escape(str(tmp_path))}/nowhere: not a story folder"):
        storymap.load(tmp_path / "nowhere")
    monkeypatch.chdir(tmp_path)
    assert run("validate", str(story)).stderr.startswith("elsewhere/story/story.toml: missing")


def test_python_dash_m_storymap_is_the_command(story: Path):
    """``python -m storymap`` works where the ``storymap`` script is not on PATH (a venv not
    activated, Windows): the same command, the same exit statuses, named as storymap."""
    import subprocess
    import sys

    root = str(Path(storymap.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    result = subprocess.run([sys.executable, "-m", "storymap", "validate", "geodata"], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0 and result.stdout == "geodata: valid (11 steps, 18 places)\n", result.stderr
    result = subprocess.run([sys.executable, "-m", "storymap", "build", "--no-such-option"], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 2 and result.stderr.startswith("Usage: storymap build [OPTIONS] [FOLDER]")


def test_debug_shows_the_traceback(story: Path):
    (story / "story.toml").write_text("", "utf-8")
    assert "Traceback" not in run("validate", "geodata").output
    result = run("validate", "geodata", "--debug")
    assert result.exit_code == 1 and "Traceback" in result.stderr and "StoryError" in result.stderr


def test_validate_one_geojson_file(story: Path):
    doc = read(story)
    feature(doc, "gatun-locks")["properties"]["kind"] = "lox"
    write(story, doc)
    result = run("validate", "geodata/places.geojson")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(f'{PLACES}: feature "gatun-locks" (features[8]) properties.kind:')


# Atomic writes -------------------------------------------------------------------------------

def dist_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "social.png")  # the page's social card (issue 12)


@pytest.fixture()
def built(story: Path) -> Path:
    result = run("build", "geodata", "-o", "dist/index.html")
    assert result.exit_code == 0, result.output
    page = story.parent / "dist" / "index.html"
    assert page.stat().st_mode & 0o777 == 0o644  # readable, not mkstemp's 0600
    return page


def test_invalid_story_leaves_the_old_page(story: Path, built: Path):
    before = built.read_bytes()
    toml_replace(story, 'id = "jcet-training"', 'id = "first-talks"')
    result = run("build", "geodata", "-o", "dist/index.html")
    assert result.exit_code == 1 and "duplicate step id" in result.stderr
    assert built.read_bytes() == before and dist_files(built.parent) == ["index.html"]


def test_failed_rendering_leaves_the_old_page(story: Path, built: Path, monkeypatch: pytest.MonkeyPatch):
    before = built.read_bytes()
    toml_replace(story, 'title = "Partners at the Crossroads"', 'title = "A new title"')

    def broken(self):
        raise RuntimeError("renderer broke half-way")

    monkeypatch.setattr(storymap.render.StoryControl, "steps", property(broken))
    result = run("build", "geodata", "-o", "dist/index.html")
    assert result.exit_code == 1
    assert result.stderr == "cannot build dist/index.html: renderer broke half-way (run with --debug for the traceback)\n"
    assert built.read_bytes() == before and dist_files(built.parent) == ["index.html"]


@pytest.mark.parametrize("where", ["fsync", "replace"])
def test_failed_write_leaves_the_old_page_and_no_temp_file(story: Path, built: Path, monkeypatch, where):
    before = built.read_bytes()
    toml_replace(story, 'title = "Partners at the Crossroads"', 'title = "A new title"')

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, where, fail)
    with pytest.raises(OSError):
        storymap.load("geodata").save("dist/index.html")
    assert built.read_bytes() == before and dist_files(built.parent) == ["index.html"]
    result = run("build", "geodata", "-o", "dist/index.html")
    assert result.exit_code == 1 and result.stderr.startswith("cannot build dist/index.html: No space left on device")
    assert "Traceback" not in result.output
    assert built.read_bytes() == before and dist_files(built.parent) == ["index.html"]


@pytest.mark.parametrize("output", ["geodata/story.toml", "geodata/story.es.toml", "geodata/places.geojson",
                                    "geodata/media/canal-profile.svg", "geodata/media/canal-profile.es.svg"])
def test_build_never_writes_over_the_storys_own_files(story: Path, output: str):
    """A slip such as ``-o geodata/story.toml`` replaced the story with the page (and the next
    build failed on invalid TOML): a usage error now, naming the file, nothing written."""
    before = Path(output).read_bytes()
    result = run("build", "geodata", "-o", output)
    assert result.exit_code == 2, result.output
    assert f"{output} is one of the story's own files, which the build would replace" in result.stderr
    assert Path(output).read_bytes() == before and not (story / "social.png").exists()


def test_build_output_to_a_folder_writes_index_html(story: Path):
    """``-o public/`` (a new folder, named by its trailing /) or ``-o public`` once it exists: the page
    is public/index.html with its card beside it, not a file called ``public``."""
    for output in ("public/", "public"):
        result = run("build", "geodata", "-o", output)
        assert result.exit_code == 0, result.output
        assert Path("public").is_dir() and sorted(p.name for p in Path("public").iterdir()) == ["index.html",
                                                                                               "social.png"]
        assert result.stdout.startswith("wrote public/index.html (")
    # In Python, a path ending with / names a folder too: refused as one, with the file to name instead.
    with pytest.raises(ValueError, match="names a folder; a page is written to a file: give its name, such as "
                                         "site/index.html"):
        storymap.load("geodata").save("site/")
    assert not Path("site").exists()


@pytest.mark.parametrize("text, message", [
    ("[" * 100_000, "invalid JSON: nested too deeply"),
    ("[" * 900 + "]" * 900, "invalid JSON: arrays or objects nested more than 64 levels deep"),
    ('{"type": "FeatureCollection", "features": [' + "1" * 5000 + "]}", "invalid JSON: Exceeds the limit"),
])
def test_pathological_json(story: Path, text, message):
    (story / "places.geojson").write_text(text, "utf-8")
    has_start(lines(story), f"{PLACES}: {message}")


def test_nested_geometry_collections(story: Path):
    doc = read(story)
    nested = {"type": "Point", "coordinates": [-79.9, 9.27]}
    for _ in range(10):
        nested = {"type": "GeometryCollection", "geometries": [nested]}
    feature(doc, "gatun-locks")["geometry"] = nested
    write(story, doc)
    has_start(lines(story), f'{PLACES}: feature "gatun-locks" (features[8]) geometry: '
                            "GeometryCollections nested too deeply")


# Languages and dates ---------------------------------------------------------------------------

def test_a_day_out_of_its_month_says_so(story: Path):
    toml_replace(story, 'date = "2025-02-18"', 'date = "2024-02-30"')
    toml_replace(story, 'period = "2008–2025"', 'period = "2008-01-01/2023-02-29"')
    found = lines(story)
    has(found, f"{STORY}: step \"first-talks\" (steps[1]) date: '2024-02-30' is not a date: day 30 is out of "
               "range for February 2024, which has 29 days")
    has_start(found, f"{STORY}: step \"border-service\" (steps[3]) period: '2008-01-01/2023-02-29' is not a period: "
                     "'2023-02-29' is not a date: day 29 is out of range for February 2023, which has 28 days")
    result = run("validate", "geodata")
    assert result.exit_code == 1 and "February 2024, which has 29 days" in result.stderr
    assert "expected YYYY, YYYY-MM or YYYY-MM-DD" not in result.stderr  # the form was right; the day was not


@pytest.mark.parametrize("given, message", [
    ("jp", "unknown language 'jp'; did you mean 'ja' (Japanese)?"),
    ("cn", "unknown language 'cn'; did you mean 'zh' (Chinese)?"),
    ("gr", "unknown language 'gr'; did you mean 'el' (Greek)?"),
    ("dk", "unknown language 'dk'; did you mean 'da' (Danish)?"),
    ("cz", "unknown language 'cz'; did you mean 'cs' (Czech)?"),
    ("ua", "unknown language 'ua'; did you mean 'uk' (Ukrainian)?"),
    ("Deutsch", "unknown language 'Deutsch'; did you mean 'de' (German)?"),
    ("German", "unknown language 'German'; did you mean 'de' (German)?"),
    ("Japanes", "unknown language 'Japanes'; did you mean 'ja' (Japanese)?"),
    ("iw", "unknown language 'iw'; did you mean 'he' (Hebrew)?"),
    ("eng", "unknown language 'eng'; did you mean 'en' (English)?"),
    ("jp-JP", "unknown language 'jp-JP'; did you mean 'ja-JP' (Japanese (Japan))?"),
    ("zz", "unknown language 'zz': no language has this tag (expected a BCP 47 tag such as 'en', 'es' or 'pt-BR')"),
    ("en_US", "'en_US' is not a language tag (expected a BCP 47 tag such as 'en', 'es' or 'pt-BR'); did you mean "
              "'en-US' (English (United States))?"),
    ("Español", "'Español' is not a language tag (expected a BCP 47 tag such as 'en', 'es' or 'pt-BR'); did you "
                "mean 'es' (Spanish)?"),
])
def test_a_wrong_language_is_an_error_with_the_tag_meant(story: Path, given: str, message: str):
    toml_replace(story, 'lang = "en"', f'lang = "{given}"')
    result = run("validate", "geodata")
    assert result.exit_code == 1
    assert f"{STORY}: lang: {message}" in result.stderr.splitlines(), result.stderr
    assert run("build", "geodata", "-o", "out.html").exit_code == 1 and not Path("out.html").exists()


def test_wrong_languages_entries_are_errors(story: Path):
    toml_replace(story, 'lang = "en"', 'lang = "en"\nlanguages = ["en", "sp", "Deutsch"]')
    found = lines(story)
    has(found, f"{STORY}: languages[1]: unknown language 'sp'; did you mean 'es' (Spanish)?",
        f"{STORY}: languages[2]: unknown language 'Deutsch'; did you mean 'de' (German)?")


def test_tags_are_taken_in_bcp47_case(story: Path):
    toml_replace(story, 'lang = "en"', 'lang = "EN"\nlanguages = ["EN", "ES"]')
    data = storymap.load("geodata").data
    assert (data.lang, data.languages) == ("en", ["en", "es"])


def test_a_language_without_interface_texts_is_a_warning_not_an_error(story: Path):
    """A story in Korean builds, its dates in Korean, but its controls are English: said at
    validate and build (stderr, exit status 0), naming the languages storymap has."""
    (story / "story.es.toml").unlink()
    toml_replace(story, 'lang = "en"', 'lang = "ko"')
    warning = (f"{STORY}: lang: warning: the page's interface (Previous/Next, the legend's title, announcements, "
               "labels for screen readers) is in English for Korean ('ko'): storymap has interface texts for ar, "
               "de, en, es, fr, he, ja, pt, pt-BR, zh-Hans and zh-Hant only; give them in Korean ('ko') in an "
               "[interface] table (`storymap new --lang ko` writes one to translate; `storymap schema story` lists "
               "its keys)")
    result = run("validate", "geodata")
    assert result.exit_code == 0, result.output
    assert result.stdout == "geodata: valid (11 steps, 18 places; 1 warning)\n"
    assert result.stderr.splitlines() == [warning]
    result = run("build", "geodata", "-o", "out.html", "--no-social")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [warning] and '<html lang="ko">' in Path("out.html").read_text("utf-8")


def test_a_well_formed_tag_cldr_lacks_is_a_warning(story: Path):
    """Guna (cuk) has an ISO 639-3 code but no CLDR data: taken as given, with a warning."""
    (story / "story.es.toml").unlink()
    toml_replace(story, 'lang = "en"', 'lang = "cuk"')
    result = run("validate", "geodata")
    assert result.exit_code == 0, result.output
    assert result.stdout == "geodata: valid (11 steps, 18 places; 2 warnings)\n"
    first, second = result.stderr.splitlines()
    assert first.startswith(f"{STORY}: lang: warning: 'cuk' is not a language CLDR (through Babel) knows")
    assert "dates stay written as 2024-05-13" in first
    assert second.startswith(f"{STORY}: lang: warning: the page's interface") and "for 'cuk'" in second
    with pytest.warns(UserWarning) as heard:
        assert storymap.load("geodata").data.lang == "cuk"
    assert ["'cuk' is not a language CLDR" in str(w.message) for w in heard] == [True, False]  # (and English controls)


@pytest.mark.parametrize("folder", ["geodata", "examples/ports"])
def test_the_repositorys_stories_validate_without_warnings(folder: str, monkeypatch: pytest.MonkeyPatch):
    from .conftest import ROOT

    monkeypatch.chdir(ROOT)
    result = run("validate", folder)
    assert result.exit_code == 0 and result.stderr == "" and result.stdout.endswith("places)\n"), result.output
