"""Any story, not just Panama (issue 9): story-defined kinds, one model, world data, the antimeridian."""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

import storymap
from storymap.context import PageContext
from storymap import StoryError
from storymap.cli import main as cli
from storymap.geometry import frame_start, shift_into, unwrap
from storymap.render import framed_places

from .conftest import GEODATA, ROOT

PORTS = ROOT / "examples" / "ports"
NATURALEARTH = Path(pyogrio.__file__).parent / "tests" / "fixtures" / "naturalearth_lowres" / "naturalearth_lowres.shp"
SOURCE = [{"title": "A source", "url": "https://example.org/a"}]


def write_story(folder: Path, toml: str, features: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "story.toml").write_text(toml, "utf-8")
    (folder / "places.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return folder


def feature(fid: str, geometry: dict, **props) -> dict:
    return {"type": "Feature", "id": fid, "geometry": geometry,
            "properties": {"name": fid.title(), "annotation": "Text.", "sources": SOURCE, **props}}


def point(x: float, y: float) -> dict:
    return {"type": "Point", "coordinates": [x, y]}


STEP = '\n[[steps]]\nid = "one"\ntitle = "One"\nplaces = ["a"]\n'


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Problem lines name files relative to the working directory: work where the stories are."""
    monkeypatch.chdir(tmp_path)


def problems(folder: Path) -> list[str]:
    with pytest.raises(StoryError) as info:
        storymap.load(folder)
    return [str(p) for p in info.value.problems]


# Kinds -----------------------------------------------------------------------------------------

def test_a_story_with_no_kinds_uses_the_generic_ones(tmp_path: Path):
    folder = write_story(tmp_path / "s", 'title = "Walks"\n' + STEP.replace('["a"]', '["a", "b", "c"]'), [
        feature("a", point(2.35, 48.86)),
        feature("b", {"type": "LineString", "coordinates": [[2.3, 48.8], [2.4, 48.9]]}, kind="route"),
        feature("c", {"type": "Polygon", "coordinates": [[[2.2, 48.8], [2.3, 48.8], [2.3, 48.9], [2.2, 48.8]]]}),
    ])
    story = storymap.load(folder)
    assert [p.kind for p in story.data.places] == ["place", "route", "area"]
    config = PageContext(story.data).config
    assert [row["label"] for row in config["legend"]] == ["Place", "Route (arrows show direction)", "Area"]
    assert config["kinds"]["route"]["arrows"] is True
    html = story.to_html()
    assert "Story map" not in html.split("<body", 1)[1].split("<script", 1)[0]  # no kicker unless the story sets one


def test_declared_kinds_drive_legend_cards_and_styles(tmp_path: Path):
    toml = '''title = "Ports"
kicker = "Shipping desk"

[kinds.chokepoint]
label = "Chokepoint"
geometry = "point"
color = "#c62828"
symbol = "diamond"
radius = 9

[kinds.place]
color = "#111111"
label = "Town"
''' + STEP.replace('["a"]', '["a", "b"]')
    folder = write_story(tmp_path / "s", toml, [feature("a", point(43.3, 12.6), kind="chokepoint"),
                                                feature("b", point(45.0, 12.8))])
    story = storymap.load(folder)
    kinds = story.data.kinds
    assert list(kinds)[:2] == ["chokepoint", "place"]  # declared first, in order
    assert kinds["place"].label == "Town" and kinds["place"].geometry == "point"  # overridden, the rest kept
    assert kinds["chokepoint"].style()["radius"] == 9 and kinds["chokepoint"].style()["fillColor"] == "#c62828"
    assert type(kinds["chokepoint"].style()["radius"]) is int  # (9 in the page, not 9.0)
    config = PageContext(story.data).config
    # A legend row names its kind; the page draws it with the kind's shape, style and symbol.
    assert config["legend"] == [{"label": "Chokepoint", "kind": "chokepoint"}, {"label": "Town", "kind": "place"}]
    assert config["kinds"]["chokepoint"] == {"style": kinds["chokepoint"].style(), "geometry": "point",
                                             "symbol": "diamond"}
    # (A circle, the default symbol, and no arrows go without saying.)
    assert config["kinds"]["place"] == {"style": kinds["place"].style(), "geometry": "point"}
    html = story.to_html()
    assert '<p class="storymap-kicker">Shipping desk</p>' in html
    assert "Chokepoint · " in html and "Town · " in html  # the cards' kind line


@pytest.mark.browser
def test_the_legend_draws_each_symbol_about_as_large_as_its_round_swatch(tmp_path: Path, make_page):
    # Before, every symbol was sized for the star (the shape reaching farthest): a square 8 px
    # across, a diamond 11, a triangle 10 by 9, beside a round swatch filled 12 px across.
    symbols = ["square", "diamond", "triangle", "star"]
    toml = 'title = "Symbols"\n' + "".join(
        f'[kinds.k-{s}]\nlabel = "{s}"\ngeometry = "point"\ncolor = "#6a1b9a"\nsymbol = "{s}"\n' for s in symbols)
    ids = ["round"] + symbols
    toml += '\n[[steps]]\nid = "one"\ntitle = "One"\nplaces = [' + ", ".join(f'"{i}"' for i in ids) + "]\n"
    folder = write_story(tmp_path / "s", toml, [feature("round", point(4.0, 52.0))] + [
        feature(s, point(4.2 + i / 5, 52.1), kind=f"k-{s}") for i, s in enumerate(symbols)])
    run = make_page().open(storymap.load(folder).save(tmp_path / "symbols.html"))
    boxes = run.js("""() => [...document.querySelectorAll('.storymap-legend .storymap-swatch')].map((s) => {
      const path = s.querySelector('path'), box = s.getBoundingClientRect();
      if (!path) { const style = getComputedStyle(s);
        return {round: true, fill: box.width - 2 * parseFloat(style.borderLeftWidth)}; }
      const b = path.getBBox(), stroke = parseFloat(path.getAttribute('stroke-width'));
      const v = s.querySelector('svg').viewBox.baseVal, mid = v.y + v.height / 2;  // (the box as the swatch shows it)
      return {width: b.width, height: b.height, left: b.x - stroke / 2, right: b.x + b.width + stroke / 2,
              top: b.y - mid - stroke / 2, bottom: b.y - mid + b.height + stroke / 2, half: box.width / 2}; })""")
    round_, drawn = [b for b in boxes if b.get("round")], [b for b in boxes if not b.get("round")]
    assert len(round_) == 1 and len(drawn) == 4, boxes
    fill = round_[0]["fill"]
    for symbol, box in zip(symbols, drawn):  # (the legend lists the kinds as declared)
        assert fill <= max(box["width"], box["height"]) <= fill + 3, (symbol, fill, box)
        # ... and inside its box, stroke included.
        assert -box["half"] <= min(box["left"], box["top"]) and max(box["right"], box["bottom"]) <= box["half"], (symbol, box)
        # ... and centred in it (a triangle, centred on its point as on the map, sat 1.75 px high).
        assert abs(box["top"] + box["bottom"]) <= 0.5 and abs(box["left"] + box["right"]) <= 0.5, (symbol, box)
    # The map draws them (a page whose kinds draw a symbol other than a circle has
    # L.storymap.SymbolMarker and the symbols' rules), and each card's swatch shows its kind's.
    drawn = run.js("""() => ({api: typeof L.storymap.SymbolMarker,
      markers: [...document.querySelectorAll('.leaflet-marker-pane .storymap-symbol')].map((m) => {
        const r = m.getBoundingClientRect(); return m.querySelector('svg path') && r.width > 10 && r.height > 10; }),
      swatch: ((st) => [st.width, st.borderTopWidth])(getComputedStyle(document.querySelector('.storymap-swatch--symbol'))),
      cards: [...document.querySelectorAll('.storymap-step .storymap-place-name')].map((n) =>
        n.firstElementChild.classList.contains('storymap-swatch--symbol'))})""")
    assert drawn == {"api": "function", "markers": [True] * 4, "swatch": ["18px", "0px"],
                     "cards": [False, True, True, True, True]}, drawn
    assert not run.errors, run.errors


@pytest.mark.parametrize("kinds, expected", [
    ('[kinds.port]\nlable = "Port"\ngeometry = "point"\ncolor = "#00695c"\n',
     "kinds.port.lable: unknown field; did you mean 'label'?"),
    ('[kinds.port]\nlabel = "Port"\ncolor = "#00695c"\n',
     "kinds.port.geometry: missing (required): a new kind needs label, geometry (point, line or area) and color"),
    ('[kinds.port]\nlabel = "Port"\ngeometry = "dot"\ncolor = "#00695c"\n',
     "kinds.port.geometry: Input should be 'point', 'line' or 'area'"),
    ('[kinds.port]\nlabel = "Port"\ngeometry = "point"\ncolor = "bleu!"\n', "kinds.port.color: 'bleu!' is not a CSS color"),
    # A colour named in another language ('bleu', which a browser ignores: the places drawn black)
    # was taken as a colour name; a hex colour without its '#' said nothing of it.
    ('[kinds.port]\nlabel = "Port"\ngeometry = "point"\ncolor = "bleu"\n',
     "kinds.port.color: 'bleu' is not a CSS color: colour names are CSS's, in English ('blue', 'teal', 'darkred'), "
     "or write '#0072b2' or 'rgb(0, 114, 178)'; did you mean 'blue'?"),
    ('[kinds.port]\nlabel = "Port"\ngeometry = "point"\ncolor = "rouge"\n', "kinds.port.color: 'rouge' is not a CSS color"),
    ('[kinds.port]\nlabel = "Port"\ngeometry = "point"\ncolor = "0b5394"\n',
     "kinds.port.color: '0b5394' is not a CSS color (e.g. '#0072b2', 'teal', 'rgb(0, 114, 178)'); did you mean '#0b5394'?"),
    # GeoJSON's word for a kind's geometry (before: the expected words alone).
    ('[kinds.port]\nlabel = "Port"\ngeometry = "Polygon"\ncolor = "#00695c"\n',
     "kinds.port.geometry: Input should be 'point', 'line' or 'area' (got 'Polygon'); did you mean 'area'?"),
    ('[kinds.port]\nlabel = "Port"\ngeometry = "point"\ncolor = "#00695c"\narrows = true\n',
     "kinds.port: `arrows` apply to lines only"),
    ('[kinds.Port]\nlabel = "Port"\ngeometry = "point"\ncolor = "#00695c"\n', "kinds.Port: 'Port' is not a valid id"),
])
def test_kind_declarations_are_checked(tmp_path: Path, kinds: str, expected: str):
    folder = write_story(tmp_path / "s", 'title = "T"\n' + kinds + STEP, [feature("a", point(4.0, 52.0))])
    found = problems(folder)
    assert any(line.startswith("s/story.toml: " + expected) or line.endswith(expected) or expected in line
               for line in found), found


def test_the_places_of_a_kind_declared_with_a_mistake_are_not_also_of_an_unknown_kind(tmp_path: Path):
    # Before: the kind's line, then one line a place, "unknown kind 'port'; ... declare a new one
    # in story.toml: [kinds.port] with label, geometry and color": declared it was.
    kinds = '[kinds.port]\nlabel = "Port"\ngeometry = "polygon"\ncolor = "#00695c"\n'
    folder = write_story(tmp_path / "s", 'title = "T"\n' + kinds + STEP.replace('["a"]', '["a", "b"]'),
                         [feature("a", point(4.0, 52.0), kind="port"), feature("b", point(4.1, 52.1), kind="port")])
    assert problems(folder) == ["s/story.toml: kinds.port.geometry: Input should be 'point', 'line' or 'area' "
                                "(got 'polygon'); did you mean 'area'?"]


def test_unknown_kind_lists_the_story_kinds_and_how_to_declare_one(tmp_path: Path):
    toml = 'title = "T"\n[kinds.port]\nlabel = "Port"\ngeometry = "point"\ncolor = "#00695c"\n' + STEP
    folder = write_story(tmp_path / "s", toml, [feature("a", point(4.0, 52.0), kind="chokepoint")])
    (line,) = problems(folder)
    assert line == ('s/places.geojson: feature "a" (features[0]) properties.kind: unknown kind \'chokepoint\'; '
                    "the story's kinds are port, place, event, route, line, area; declare a new one in story.toml: "
                    "[kinds.chokepoint] with label, geometry and color")


def test_a_place_must_fit_its_kind(tmp_path: Path):
    toml = 'title = "T"\n[kinds.port]\nlabel = "Port"\ngeometry = "point"\ncolor = "#00695c"\n' + STEP
    line_geometry = {"type": "LineString", "coordinates": [[4.0, 52.0], [4.1, 52.1]]}
    folder = write_story(tmp_path / "s", toml, [feature("a", line_geometry, kind="port")])
    (line,) = problems(folder)
    assert line == ('s/places.geojson: feature "a" (features[0]) geometry: a LineString does not fit kind \'port\', '
                    "which is drawn as a point; give the place a kind of its geometry (route, line)")


# Error wording ---------------------------------------------------------------------------------

def test_misspellings_and_bare_urls(tmp_path: Path):
    toml = 'title = "T"\n[[steps]]\nid = "one"\ntitle = "One"\nnarative = "Text"\nplaces = ["a"]\n'
    place = feature("a", point(4.0, 52.0))
    place["properties"]["anotation"] = place["properties"].pop("annotation")
    place["properties"]["sources"] = ["https://example.org/report"]
    other = feature("b", point(5.0, 52.0))
    other["properties"]["sources"] = ["https://ar.wikipedia.org/wiki/أسوان\u202e"]
    folder = write_story(tmp_path / "s", toml, [place, other])
    found = problems(folder)
    assert 's/story.toml: step "one" (steps[0]) narative: unknown field; did you mean \'narrative\'?' in found
    assert ('s/places.geojson: feature "a" (features[0]) properties.annotation: missing (required); there is a '
            "property 'anotation': did you mean 'annotation'?") in found
    assert ('s/places.geojson: feature "a" (features[0]) properties.sources[0]: a source is {title, url}, not a bare '
            'URL: write {"title": "…", "url": "https://example.org/report"} (in TOML: { title = "…", url = "…" })'
            ) in found
    # The fix to paste keeps the URL's letters as written; a character that does not print is escaped.
    assert any('write {"title": "…", "url": "https://ar.wikipedia.org/wiki/أسوان\\u202e"}' in line for line in found)


def test_unknown_field_values_are_never_echoed(tmp_path: Path):
    toml = 'title = "T"\napi_token = "s3cr3t-value"\n' + STEP
    folder = write_story(tmp_path / "s", toml, [feature("a", point(4.0, 52.0))])
    found = problems(folder)
    assert found == ["s/story.toml: api_token: unknown field; expected one of title, subtitle, byline, kicker, lang, "
                     "layout"] or any("api_token: unknown field" in line for line in found)
    assert not any("s3cr3t" in line for line in found)


def test_suggestions_prefer_the_closest_id(tmp_path: Path):
    folder = tmp_path / "ports"
    shutil.copytree(PORTS, folder)
    toml = (folder / "story.toml").read_text("utf-8")
    (folder / "story.toml").write_text(toml.replace('"port-of-ningbo-zhoushan"', '"port-of-ningbo"', 1), "utf-8")
    found = problems(folder)
    assert len(found) == 1 and found[0].endswith("unknown place 'port-of-ningbo'; did you mean 'port-of-ningbo-zhoushan'?")


# Loading ---------------------------------------------------------------------------------------

def test_load_takes_a_folder_or_its_story_toml():
    assert storymap.load(PORTS / "story.toml").data == storymap.load(PORTS).data


def test_cli_folder_defaults_to_the_current_folder_with_a_story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    shutil.copytree(PORTS, tmp_path / "ports")
    monkeypatch.chdir(tmp_path / "ports")
    result = CliRunner().invoke(cli, ["validate"])
    # (Named by the folder's own name: ".: valid" said little in a terminal's scrollback.)
    assert result.exit_code == 0 and result.stdout == "ports (.): valid (9 steps, 16 places)\n"
    result = CliRunner().invoke(cli, ["build", "-o", "out.html"])
    assert result.exit_code == 0 and (tmp_path / "ports" / "out.html").exists()
    monkeypatch.chdir(tmp_path)  # no story.toml here: geodata, which is not there
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 2 and "for PATH: no story folder or .geojson file at 'geodata'" in result.stderr
    assert "PATH defaults to ." in result.stderr  # (validate's argument is PATH, not FOLDER)
    result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code == 2 and "for FOLDER: no story folder at 'geodata'" in result.stderr


def test_the_panama_story_keeps_its_kinds_and_legend():
    story = storymap.load(GEODATA)
    config = PageContext(story.data).config
    assert [row["label"] for row in config["legend"]] == [
        "Canal", "Canal locks", "Border zone", "Trafficking corridor (arrows show direction)",
        "Exercise or meeting site", "Port", "Headquarters", "Exercise focus"]
    styles = {name: kind["style"] for name, kind in config["kinds"].items()}
    assert styles["lock"] == {"radius": 6.0, "color": "#0b5394", "weight": 2, "opacity": 1, "fillColor": "#ffffff",
                              "fillOpacity": 1}
    assert styles["corridor"] == {"color": "#b3001b", "weight": 3, "opacity": 0.95, "dashArray": "10 6"}
    assert re.search(r'<p class="storymap-kicker"[^>]*>Story map</p>', story.to_html())


def test_nothing_in_the_library_names_the_panama_story():
    words = re.compile(r"panama|trafficking|canal|corridor|socsouth|darién|darien", re.IGNORECASE)
    for path in (ROOT / "storymap").rglob("*"):
        if "data" in path.relative_to(ROOT / "storymap").parts:
            continue  # Natural Earth's place names (the world's countries, Panama among them)
        if path.is_file() and path.suffix in (".py", ".js", ".css", ".html", ".toml", ".json"):
            text = path.read_text("utf-8", errors="replace")
            assert not words.search(text), f"{path.relative_to(ROOT)}: {words.search(text).group()}"


# From Python -------------------------------------------------------------------------------------

def test_add_place_from_a_geometry_a_feature_and_a_frame():
    story = storymap.load(PORTS)
    story.add_kind("anchorage", label="Anchorage", geometry="point", color="#5e35b1", symbol="triangle")
    story.add_place(shapely.Point(103.9, 1.2), name="Eastern anchorage", kind="anchorage",
                    annotation="Ships wait here.", sources=SOURCE)
    story.add_place(feature("tuas", point(103.63, 1.23), kind="port"))
    frame = gpd.GeoDataFrame({"name": ["Pasir Panjang", "Keppel"], "annotation": ["A.", "B."]},
                             geometry=gpd.points_from_xy([103.76, 103.83], [1.27, 1.26]), crs="EPSG:4326").to_crs(3857)
    story.add_place(frame, kind="port", sources=SOURCE)
    ids = [p.id for p in story.data.places][-4:]
    assert ids == ["eastern-anchorage", "tuas", "pasir-panjang", "keppel"]
    assert story.data.place("keppel").shape.x == pytest.approx(103.83)
    story.add_step(id="waiting", title="Waiting", places=ids)
    html = story.to_html()
    assert "Eastern anchorage" in html and "Anchorage" in html
    with pytest.raises(StoryError, match="properties.kind: unknown kind 'anchorge'; did you mean 'anchorage'"):
        story.add_place(shapely.Point(103.8, 1.1), name="X", kind="anchorge", annotation="x", sources=SOURCE)
    with pytest.raises(StoryError, match=r"duplicate id 'keppel'"):
        story.add_place(feature("keppel", point(103.8, 1.2)))
    assert [p.id for p in story.data.places][-1] == "keppel"  # a refused add changes nothing
    # Names in any script give ids a writer can type (東京タワー, Москва used to give place, place-2).
    world = gpd.GeoDataFrame({"name": ["Москва", "Straße", "東京タワー", "***"], "annotation": ["A."] * 4},
                             geometry=gpd.points_from_xy([37.6, 13.4, 139.7, 0], [55.7, 52.5, 35.7, 0]), crs=4326)
    story.add_place(world, kind="port", sources=SOURCE)
    assert [p.id for p in story.data.places][-4:] == ["moskva", "strasse", "dongjingtawa", "place"]


def test_add_place_and_add_layer_name_a_bare_url_and_a_misspelt_style_word():
    """add_place(sources="https://…") said "Input should be a valid list", which the README's "a bare
    URL is named as such" did not promise; style_kwds={"fillOpactiy": …} got no suggestion, when
    style={"colour": …} does. One source given alone, a {title, url}, is taken."""
    story = storymap.load(PORTS)
    with pytest.raises(StoryError, match=r"properties\.sources\[0\]: a source is \{title, url\}, not a bare URL: write "
                                         r"\{\"title\": \"…\", \"url\": \"https://a\.org\"\}"):
        story.add_place(shapely.Point(103.9, 1.2), name="X", kind="port", annotation="a.", sources="https://a.org")
    story.add_place(shapely.Point(103.9, 1.25), name="Y", kind="port", annotation="a.",
                    sources={"title": "T", "url": "https://a.org"})
    assert [s.title for s in story.data.places[-1].properties.sources] == ["T"]
    frame = gpd.GeoDataFrame({"v": [1]}, geometry=gpd.points_from_xy([103.8], [1.3]), crs=4326)
    with pytest.raises(StoryError, match=r"style_kwds\.fillOpactiy: unknown field; did you mean 'fillOpacity'\?"):
        story.add_layer(frame, "L", style_kwds={"fillOpactiy": 0.5})


def test_add_place_writes_a_date_column_as_days_not_midnights():
    """A table's date column came onto the place's card as "2024-05-12T00:00:00"; a missing date
    as "NaT"."""
    story = storymap.load(PORTS)
    frame = gpd.GeoDataFrame({"name": ["A", "B", "C"], "annotation": ["a."] * 3,
                              "date": pd.to_datetime(["2024-05-12 00:00", "2024-05-12 14:30", None])},
                             geometry=gpd.points_from_xy([103.7, 103.8, 103.9], [1.2, 1.25, 1.3]), crs=4326)
    story.add_place(frame, kind="port", sources=SOURCE)
    assert [p.properties.date for p in story.data.places[-3:]] == ["2024-05-12", "2024-05-12 14:30", None]
    assert "2024-05-12T00:00" not in story.to_html()


def test_add_place_from_a_csv_says_it_has_no_geometry_and_how_to_give_one(tmp_path: Path):
    # GDAL reads a CSV of lon/lat columns as a table without geometry (a plain DataFrame).
    path = tmp_path / "p.csv"
    path.write_text("name,annotation,lon,lat\nEastern anchorage,Ships wait here.,103.9,1.2\n", "utf-8")
    story = storymap.load(PORTS)
    with pytest.raises(StoryError) as info:
        story.add_place(path, sources=SOURCE)
    assert str(info.value) == (
        f"add_place: {str(path)!r} has no geometry: a table with columns ['name', 'annotation', 'lon', 'lat']; "
        "make it a GeoDataFrame from its longitude and latitude columns: "
        f"df = pandas.read_csv({str(path)!r}); geopandas.GeoDataFrame(df, geometry=geopandas.points_from_xy("
        "df['lon'], df['lat']), crs='EPSG:4326'); or give a file with geometry (GeoJSON, GeoPackage, Shapefile, "
        "FlatGeobuf)")
    # What it says works.
    import pandas

    df = pandas.read_csv(path)
    story.add_place(gpd.GeoDataFrame(df.drop(columns=["lon", "lat"]), crs="EPSG:4326",
                                     geometry=gpd.points_from_xy(df["lon"], df["lat"])), sources=SOURCE)
    assert story.data.place("eastern-anchorage").shape.x == pytest.approx(103.9)
    # A tab-separated file: read with its separator (pandas' default would give one column).
    tsv = tmp_path / "p.tsv"
    tsv.write_text("name\tannotation\tlon\tlat\nWestern anchorage\tShips wait.\t103.6\t1.2\n", "utf-8")
    with pytest.raises(StoryError, match=re.escape(f"df = pandas.read_csv({str(tsv)!r}, sep='\\t')")):
        story.add_place(tsv, sources=SOURCE)


# World data ------------------------------------------------------------------------------------

def test_whole_world_data_in_4326_and_3857():
    world = gpd.read_file(NATURALEARTH)
    assert world.total_bounds[2] > 180  # Russia's 180.00000000000006: the file as many users have it
    story = storymap.load(PORTS)
    story.add_layer(world, "World 4326", tooltip="name")
    story.add_layer(world.to_crs(3857), "World 3857")
    story.add_layer(str(NATURALEARTH), "World from a path")
    assert story.layers == ["World 4326", "World 3857", "World from a path"]


def test_zip_paths(tmp_path: Path):
    archive = tmp_path / "world.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in NATURALEARTH.parent.iterdir():
            zf.write(part, part.name)
    story = storymap.load(PORTS)
    story.add_layer(f"zip://{archive}", "World (zip)")
    story.add_layer(f"/vsizip/{archive}/naturalearth_lowres.shp", "World (vsizip)")
    with pytest.raises(StoryError, match="cannot read 'zip://"):
        story.add_layer(f"zip://{tmp_path / 'missing.zip'}", "Missing")


def test_coordinates_past_the_edge_fail_with_the_value_at_full_precision():
    bad = gpd.GeoDataFrame(geometry=[shapely.Point(10, 90.001)], crs="EPSG:4326")
    with pytest.raises(StoryError, match=re.escape("bounds [10.0, 90.001, 10.0, 90.001]")):
        storymap.load(PORTS).add_layer(bad, "Bad")
    # (Longitudes past 180 are 0..360 ones, taken: past 360, refused.)
    bad = gpd.GeoDataFrame(geometry=[shapely.Point(360.001, 10)], crs="EPSG:4326")
    with pytest.raises(StoryError, match=re.escape("bounds [360.001, 10.0, 360.001, 10.0]")):
        storymap.load(PORTS).add_layer(bad, "Bad")


# The antimeridian --------------------------------------------------------------------------------

def test_unwrap_joins_a_line_split_at_180():
    split = shapely.MultiLineString([[(170, 0), (180, 5)], [(-180, 5), (-170, 10)]])
    joined = unwrap(split)
    assert joined.bounds == (170, 0, 190, 10)
    assert joined.geom_type == "LineString" and list(joined.coords) == [(170, 0), (180, 5), (190, 10)]
    # An area split at 180 is one area: no outline along the seam.
    halves = shapely.MultiPolygon([shapely.box(179.5, -18.8, 180, -18.3), shapely.box(-180, -18.8, -179.6, -18.3)])
    area = unwrap(halves)
    assert area.geom_type == "Polygon" and area.equals(shapely.box(179.5, -18.8, 180.4, -18.3))
    assert not area.boundary.intersection(shapely.LineString([(180, -18.7), (180, -18.4)])).length
    crossing = shapely.LineString([(179, 0), (-179, 1)])  # not split, but crossing
    assert unwrap(crossing).bounds == (179, 0, 181, 1)
    assert unwrap(shapely.LineString([(-80, 0), (-70, 1)])).bounds == (-80, 0, -70, 1)  # untouched


def test_unwrap_keeps_a_ring_round_a_pole():
    # Natural Earth's Antarctica: along the coast from -180 to 180, back along the pole. Made
    # continuous, the ring would not close (it ran on to 540°, one edge across the whole map).
    cap = shapely.Polygon([(180, -84), (180, -90), (-180, -90), (-180, -84), (-90, -72), (0, -70), (90, -66)])
    assert unwrap(cap).equals(cap) and unwrap(cap).is_valid
    with_an_island = shapely.MultiPolygon([cap, shapely.box(170, -78, 175, -77)])
    assert unwrap(with_an_island).equals(with_an_island)


def test_unwrap_keeps_a_sweep_round_the_world(tmp_path: Path):
    # The world's box (a "worldwide" area) and the equator drawn from -180 to 180 step from -180 to
    # 180: made continuous, as a crossing of the antimeridian, they shrank to nothing (the box to
    # a line along -180: on the page, a green line down the map and no area at all).
    world = shapely.box(-180, -85, 180, 85)
    assert unwrap(world).equals(world)
    equator = shapely.LineString([(-180, 0), (180, 0)])
    assert unwrap(equator).equals(equator)
    # ... while a crossing given with both sides of the seam still joins across it.
    seam = shapely.LineString([(170, 0), (180, 5), (-180, 5), (-170, 10)])
    assert list(unwrap(seam).coords) == [(170, 0), (180, 5), (180, 5), (190, 10)]
    story = storymap.load(write_story(tmp_path / "globe", 'title = "Globe"\n' + STEP, [feature(
        "a", {"type": "Polygon", "coordinates": [[[-180, -85], [180, -85], [180, 85], [-180, 85], [-180, -85]]]})]))
    assert framed_places(story.data)[1]["a"].area == pytest.approx(360 * 170)


def test_the_frame_is_the_narrowest_one():
    assert frame_start([(-82, -77), (-80, -79)]) == -180  # Panama: the standard frame
    start = frame_start([(121, 122), (-118.3, -118.2)])  # Shanghai and Los Angeles
    assert start == pytest.approx(121)
    assert -118.2 + shift_into(-118.2, start) == pytest.approx(241.8)
    assert frame_start([(-10, 10), (100, 120), (-120, -100)]) == -180  # spread round the world: standard
    # London, Paris and Berlin with two places either side of the antimeridian (the widest gap ends
    # at London, whose longitude, moved round the circle, came back a rounding error past itself).
    start = frame_start([(2.2945, 2.2945), (-0.0754, -0.0754), (13.3777, 13.3777), (-175, -175), (177, 177)])
    assert start == pytest.approx(-0.0754, abs=1e-6) and start < -0.0754
    assert -175 + shift_into(-175, start) == 185


def test_the_westernmost_place_stays_at_the_frames_start(tmp_path: Path):
    # Paris, Tokyo and Los Angeles with a line through them: the frame starts at Paris, whose point
    # used to land a whole turn east (362.35°), off a phone's map with its label hidden, and the
    # step spanned the whole world.
    paris, tokyo, la = (2.3522, 48.8566), (139.6917, 35.6895), (-118.4, 34.05)
    features = [feature(fid, point(*xy), kind="city") for fid, xy in (("paris", paris), ("tokyo", tokyo), ("la", la))]
    features.append(feature("flight", {"type": "LineString", "coordinates": [paris, tokyo, la]}, kind="route"))
    story = storymap.load(write_story(tmp_path / "world", (
        'title = "Round the world"\n[kinds.city]\nlabel = "City"\ngeometry = "point"\ncolor = "#0b5394"\n'
        '[kinds.route]\nlabel = "Route"\ngeometry = "line"\ncolor = "#b3001b"\n'
        '[[steps]]\nid = "all"\ntitle = "All"\nplaces = ["paris", "tokyo", "la", "flight"]\n'), features))
    start, drawn = framed_places(story.data)
    assert start == pytest.approx(2.3522)
    assert drawn["paris"].x == pytest.approx(2.3522) and drawn["la"].x == pytest.approx(241.6)
    (south, west), (north, east) = PageContext(story.data).config["steps"][0]["latLngBounds"]
    assert west == pytest.approx(2.3522) and east == pytest.approx(241.6)


def test_a_story_round_the_world_frames_its_pacific_step_across_the_pacific(tmp_path: Path):
    # A cable round the world covers every longitude, so no frame is narrower than another: the
    # standard one (-180) was kept, Honolulu stayed at -157.87 while the cable from Tokyo ended at
    # 202.13 (Honolulu a turn east), and the Pacific step spanned 359°: on the page, the whole
    # world with Tokyo at its edge and Honolulu and Suva off the map. (A stretch that a place
    # reaching round past 360° covers also looked empty to the search for the widest gap.)
    tokyo, honolulu, suva = (139.78, 35.62), (-157.87, 21.31), (178.42, -18.13)
    features = [feature(fid, point(*xy)) for fid, xy in (("tokyo", tokyo), ("honolulu", honolulu), ("suva", suva),
                                                          ("cape-town", (18.43, -33.9)), ("ushuaia", (-68.3, -54.8)))]
    features += [feature("cable", {"type": "MultiLineString", "coordinates": [[tokyo, [180, 28]], [[-180, 28], honolulu]]}),
                 feature("ring", {"type": "LineString", "coordinates": [[-170, 60], [-60, -50], [20, -35], [100, 0], [170, 40]]})]
    story = storymap.load(write_story(tmp_path / "world", (
        'title = "Cables"\n[[steps]]\nid = "pacific"\ntitle = "Pacific"\nplaces = ["tokyo", "cable", "honolulu", "suva"]\n'
        '[[steps]]\nid = "world"\ntitle = "World"\nplaces = ["ring", "tokyo", "cape-town", "ushuaia"]\n'), features))
    start, drawn = framed_places(story.data)
    assert drawn["cable"].bounds[2] == pytest.approx(202.13) and drawn["honolulu"].x == pytest.approx(202.13)
    assert drawn["ring"].bounds[0] == pytest.approx(-170) and drawn["ushuaia"].x == pytest.approx(-68.3)
    steps = {s["id"]: s for s in PageContext(story.data).config["steps"]}
    (south, west), (north, east) = steps["pacific"]["latLngBounds"]
    assert west == pytest.approx(139.78) and east == pytest.approx(202.13)
    # The steps choose only when the places cover every longitude; without steps, the standard frame.
    spans = [(p.bounds[0], p.bounds[2]) for p in story.data.places]
    assert frame_start(spans) == -180


def test_ports_story_frames_the_pacific():
    story = storymap.load(PORTS)
    start, drawn = framed_places(story.data)
    lane = drawn["transpacific-lane"]
    # (split at 180 in the data, as RFC 7946 asks: joined into one line across the Pacific)
    assert lane.geom_type == "LineString" and lane.bounds[0] > 120 and lane.bounds[2] > 180
    steps = {s["id"]: s for s in PageContext(story.data).config["steps"]}
    (south, west), (north, east) = steps["transpacific"]["latLngBounds"]
    assert 120 < west < 125 and 240 < east < 245, (west, east)  # across the Pacific: about 120°, not 240°


@pytest.mark.browser
def test_the_antimeridian_lane_draws_as_one_shape_across_the_pacific(tmp_path: Path, make_page):
    page = storymap.load(PORTS).save(tmp_path / "ports.html")
    run = make_page().open(page, "transpacific")
    view = run.js("""() => {
      const s = document.querySelector('[data-storymap]').storymap, b = s.map.getBounds();
      const lane = s._places['transpacific-lane'].layer.getBounds();
      const la = s.map.latLngToContainerPoint([33.73, 241.74]), sh = s.map.latLngToContainerPoint([30.63, 122.06]);
      return {west: b.getWest(), east: b.getEast(), laneWest: lane.getWest(), laneEast: lane.getEast(),
              width: s.map.getSize().x, la: [la.x, la.y], sh: [sh.x, sh.y]};
    }""")
    assert view["east"] - view["west"] < 200, view  # framed across the Pacific, not round the world
    assert view["laneWest"] > 120 and view["laneEast"] > 240
    assert 0 <= view["sh"][0] < view["la"][0] <= view["width"], view  # Shanghai left of Los Angeles, both in view
    assert not run.errors, run.errors


@pytest.mark.browser
def test_every_geometry_type_reaches_the_map_as_given(tmp_path: Path, make_page):
    # The page carries places' coordinates packed (storymap.context._packed): each type of geometry
    # comes back in the page as the GeoJSON given (to 5 decimals), a point's label on the point.
    ring = [[10.0, 40.0], [10.5, 40.0], [10.5, 40.5], [10.0, 40.5], [10.0, 40.0]]
    hole = [[10.1, 40.1], [10.2, 40.1], [10.2, 40.2], [10.1, 40.1]]
    geometries = {
        "pt": {"type": "Point", "coordinates": [12.345678, -41.98765]},
        "mpt": {"type": "MultiPoint", "coordinates": [[11.0, 41.0], [11.25, 41.5]]},
        "ln": {"type": "LineString", "coordinates": [[9.0, 39.0], [9.5, 39.25], [9.75, 39.0]]},
        "mln": {"type": "MultiLineString", "coordinates": [[[8.0, 38.0], [8.5, 38.5]], [[8.6, 38.6], [8.9, 38.2], [8.0, 38.1]]]},
        "poly": {"type": "Polygon", "coordinates": [ring, hole]},
        "mpoly": {"type": "MultiPolygon", "coordinates": [[[[c[0] + 2, c[1]] for c in ring]],
                                                          [[[c[0] + 3, c[1]] for c in ring], [[c[0] + 3, c[1]] for c in hole]]]},
    }
    story = storymap.load(write_story(tmp_path / "shapes", (
        'title = "Shapes"\n[[steps]]\nid = "all"\ntitle = "All"\nplaces = [' + ", ".join(f'"{k}"' for k in geometries) + ']\n'),
        [feature(fid, g, kind={"Poin": "place", "Line": "route", "Poly": "area"}[g["type"].replace("Multi", "")[:4]])
         for fid, g in geometries.items()]))
    config = PageContext(story.data).config
    assert all("coordinates" not in p["geometry"] for p in config["places"])  # packed, every type
    assert "labels" not in next(p for p in config["places"] if p["id"] == "pt")
    run = make_page().open(story.save(tmp_path / "shapes.html"))
    seen = run.js("""() => {
      const s = document.querySelector('[data-storymap]').storymap, out = {};
      for (const p of s._config.places) { out[p.id] = {geometry: p.geometry, labels: p.labels}; }
      return out; }""")

    def close(a, b):
        if isinstance(a, (int, float)):
            return abs(a - b) < 1e-9
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))

    for fid, given in geometries.items():
        got = seen[fid]["geometry"]
        rounded = json.loads(json.dumps(given), parse_float=lambda v: round(float(v), 5))
        assert got["type"] == given["type"] and close(got["coordinates"], rounded["coordinates"]), (fid, got)
    assert close(seen["pt"]["labels"], [[-41.98765, 12.34568]])
    assert len(seen["ln"]["labels"]) >= 1 and len(seen["poly"]["labels"]) == 1
    assert not run.errors, run.errors


@pytest.mark.browser
def test_a_place_name_travels_once_and_names_its_label(tmp_path: Path, make_page):
    # A place a step shows has its name in its card in the page's article, where the script reads
    # it: the script's data carries only the names of places no step shows. The map's labels and the
    # script's places still have every name, as given (markup characters too).
    name = 'Port <b>&amp; "Bay"'
    story = storymap.load(write_story(tmp_path / "names", 'title = "Names"' + STEP,
                                      [feature("a", point(10.0, 40.0), name=name),
                                       feature("b", point(30.0, 10.0), name="Elsewhere")]))
    config = PageContext(story.data).config
    assert [p.get("name") for p in config["places"]] == [None, "Elsewhere"]
    run = make_page().open(story.save(tmp_path / "names.html"))
    seen = run.js("""() => {
      const s = document.querySelector('[data-storymap]').storymap;
      return {names: s._config.places.map((p) => p.name),
              labels: [...s.root.querySelectorAll('.storymap-label')].map((n) => n.textContent)}; }""")
    assert seen["names"] == [name, "Elsewhere"]
    assert seen["labels"] == [name]
    assert not run.errors, run.errors



@pytest.mark.browser
@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)])
def test_a_word_longer_than_the_panel_breaks_inside_it(tmp_path: Path, make_page, viewport):
    # A German compound as a place's name, the step's description and a kind's label, and a bare
    # URL in the narrative: before, each ran out of the panel (and on a phone made the sheet
    # scroll sideways), cut off at its edge.
    word = "Donaudampfschifffahrtsgesellschaftskapitänswitwenpensionskasse"
    url = "https://example.org/" + "sehr-lang" * 12
    toml = (f'title = "Die Donau"\nlang = "de"\ntiles = "none"\n[kinds.kasse]\nlabel = "{word}"\n'
            f'geometry = "point"\ncolor = "#0b5394"\n[[steps]]\nid = "one"\ntitle = "{word}"\n'
            f'narrative = "Siehe {url} und {word}."\ndescription = "Die Karte zeigt {word}."\nplaces = ["a"]\n')
    story = storymap.load(write_story(tmp_path / "s", toml, [feature("a", point(14.2, 48.3), name=word, kind="kasse",
                                                                     annotation=f"Über {word}.")]))
    run = make_page(viewport).open(story.save(tmp_path / "long.html"))
    run.js("() => { document.querySelector('.storymap-legend').open = true; }")  # (closed on a phone)
    wide = run.js("""() => [...document.querySelectorAll(
        '.storymap-panel *, .storymap-steps *, .storymap-legend *')].filter((el) => {
      if (!el.getClientRects().length) return false;
      const style = getComputedStyle(el);
      return style.display !== 'inline' && style.overflowX === 'visible' && el.scrollWidth > el.clientWidth + 1;
    }).map((el) => el.tagName + '.' + el.className + ' ' + el.scrollWidth + ' > ' + el.clientWidth)""")
    assert wide == [], wide
    assert not run.errors, run.errors

def test_packed_geometry_falls_back_to_geojson_where_it_cannot_pack():
    from storymap.context import _packed
    from storymap.encoding import unpack

    polygon = _packed({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]})
    assert polygon["n"] == [4] and unpack(polygon["xy"]) == [0, 0, 100000, 0, 0, 100000, -100000, -100000]
    # Heights, a collection and no positions stay GeoJSON (rounded): the page reads it as it is.
    assert _packed({"type": "Point", "coordinates": [1.123456, 2.0, 3.0]}) == {"type": "Point", "coordinates": [1.12346, 2.0, 3.0]}
    collection = {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [1.0, 2.0]}]}
    assert _packed(collection) == collection
    assert _packed({"type": "LineString", "coordinates": []}) == {"type": "LineString", "coordinates": []}


def test_a_step_of_many_places_says_what_its_map_shows_in_its_first_names_and_how_many_more(tmp_path: Path):
    """A step of 300 places, with no description of its own, read out one sentence of 300 names
    (the map's description for screen readers, the panel's "On the map", the social card's text):
    past 13 names it gives the first 12 and how many more, in the story's language; the panel's
    list of places names them all."""
    from storymap.channels import _step_description

    features = [feature(f"p{i}", point(i * 0.01, 0.0)) for i in range(40)]
    ids = ", ".join(f'"p{i}"' for i in range(40))
    thirteen = ", ".join(f'"p{i}"' for i in range(13))
    toml = (f'title = "Muchos"\nlang = "es"\n[[steps]]\nid = "all"\ntitle = "Todos"\nplaces = [{ids}]\n'
            f'[[steps]]\nid = "some"\ntitle = "Trece"\nplaces = [{thirteen}]\n')
    story = storymap.load(write_story(tmp_path / "many", toml, features))
    listed = ", ".join(f"P{i}" for i in range(12))
    said = _step_description(story.data, story.data.steps[0])
    assert said == f"El mapa muestra {listed}, +28 más."
    assert _step_description(story.data, story.data.steps[1]) == f"El mapa muestra {listed}, P12."  # (whole)
    page = story.to_html()
    assert f'<span class="storymap-onmap-text">{said}</span>' in page
    assert page.count('data-place="p') >= 40  # (the article's cards: every place)
    # In Japanese, its own separator and words.
    ja = storymap.load(write_story(tmp_path / "ja", toml.replace('lang = "es"', 'lang = "ja"'), features))
    assert _step_description(ja.data, ja.data.steps[0]) == "地図には" + "、".join(f"P{i}" for i in range(12)) + "、ほか28件が表示されています。"
