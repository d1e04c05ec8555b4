"""The embedded offline basemap: its packaged data, the shared encoding, the region it cuts
around a story's places, and (in Chromium) Gatún Lake drawn as water offline."""

from __future__ import annotations

import json
import struct
import zlib
from importlib import resources
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely

import storymap
from storymap.basemap import MARGIN, REACH_SLACK, SCALE, _reach, _region, _seen, basemap_data, label_language, natural_earth, stacked
from storymap.encoding import decode, encode_lines, encode_polygons, pack, unpack
from storymap.text import script_json
from storymap.scaffold import new_story
from storymap.story import framed_places, story_basemap

from .conftest import GEODATA, ROOT

PORTS = ROOT / "examples" / "ports"

GATUN_LAKE = (-79.9, 9.2)  # lon, lat: in the lake, beside the canal's line across it


@pytest.fixture(scope="module")
def panama():
    data = storymap.load(GEODATA).data
    return data, basemap_data([p.shape for p in data.places], langs=("en", "es"))


def polygons(packed: dict, scale: int) -> shapely.Geometry:
    # (Made valid first: integer coordinates may leave a sliver touching itself.)
    return shapely.union_all(shapely.make_valid(np.array([shapely.Polygon(p[0], p[1:]) for p in decode(packed, scale)])))


def lines(packed: dict, scale: int) -> shapely.Geometry:
    return shapely.MultiLineString(decode(packed, scale))


# The packaged data -----------------------------------------------------------------------------

def test_package_data_is_small_and_records_its_sources():
    files = resources.files("storymap").joinpath("data")
    sizes = {name: len(files.joinpath(name).read_bytes()) for name in ("basemap.npz", "basemap.json")}
    assert sum(sizes.values()) < 4 * 1024 * 1024, sizes
    record = natural_earth().record
    for source in record["sources"].values():
        assert len(source["commit"]) == 40 and source["repository"].startswith("https://github.com/")
        assert source["version"]
    assert record["sources"]["countries"]["version"].startswith("v5")
    assert "public domain" in record["licence"]
    assert record["processing"]["steps"]


def test_names_are_utf8_in_every_language():
    labels = natural_earth().labels
    names = [name for row in labels for name in row["names"].values()]
    assert not [n for n in names if "Ã" in n or "Â" in n or "\ufffd" in n]
    curacao = next(row for row in labels if row["id"] == "CUW")
    assert curacao["names"]["en"] == "Curaçao" and curacao["names"]["es"] == "Curazao"
    assert {"en", "es", "fr", "de", "zh", "zht", "ar"} <= set(natural_earth().languages)


def test_label_language_tags():
    assert label_language("es-MX") == "es" and label_language("pt_BR") == "pt"
    assert label_language("zh-Hant-TW") == "zht" and label_language("zh") == "zh"
    assert label_language("tlh") == "en"


def test_a_long_country_name_is_set_in_balanced_lines():
    # A world view in French named China "RÉPUBLIQUE POPULAIRE DE CHINE" in one line across India
    # and Vietnam, whose own names then gave way: a map stacks a long name.
    assert stacked("République populaire de Chine") == "République\npopulaire de Chine"  # (not 20 + 8)
    assert stacked("United States of America") == "United States\nof America"
    assert stacked("Territoires extérieurs australiens de l'Océan Indien") == (
        "Territoires\nextérieurs australiens\nde l'Océan Indien")  # (over twice as long: three lines)
    for name in ("República Dominicana", "Trinidad and Tobago", "Saint-Vincent-et-les-Grenadines", "中华人民共和国"):
        assert stacked(name) == name  # (short enough, or no space to break at)
    # Each language's name is set so in the page's data.
    data = basemap_data([shapely.box(100, 20, 110, 30)], langs=["fr", "en", "zh"])
    china = next(row for row in data["labels"] if row[4].startswith("République"))
    assert china[4:] == ["République\npopulaire de Chine", "China", "中华人民共和国"]


def test_the_panama_page_labels_in_utf8_and_in_spanish(panama):
    _, data = panama
    assert data["langs"] == ["en", "es"]
    names = {row[4]: row[5] for row in data["labels"]}
    assert names["Curaçao"] == "Curazao" and names["Panama"] == "Panamá"
    assert all(isinstance(row[2], int) and 1 <= row[2] <= 5 for row in data["labels"])  # rank
    assert [row[2] for row in data["labels"]] == sorted(row[2] for row in data["labels"])


def test_gatun_lake_is_water_in_the_panama_basemap(panama):
    _, data = panama
    lake = shapely.Point(GATUN_LAKE)
    assert polygons(data["water"], data["scale"]).contains(lake)
    assert polygons(data["land"], data["scale"]).contains(lake)  # drawn under the water
    # The canal itself is a Natural Earth river: the canal's waters, drawn as water too.
    canal = lines(data["rivers"], data["scale"])
    assert canal.distance(shapely.Point(-79.68, 9.08)) < 0.02  # the Culebra Cut


def test_borders_are_natural_earths_default_de_facto_edition():
    # Natural Earth's default edition draws boundaries as they are on the ground ("de facto").
    # Somaliland (self-administered, claimed by Somalia: its NOTE_BRK) is a country of its own
    # there, with a border to Somalia; point-of-view editions such as Germany's, which the
    # basemap used to read, merge it into Somalia.
    ne = natural_earth()
    ids = [row["id"] for row in ne.labels]
    sol, som = ids.index("SOL"), ids.index("SOM")
    pair = (ne.borders.extra == [sol, som]).all(axis=1) | (ne.borders.extra == [som, sol]).all(axis=1)
    assert pair.any()
    line = shapely.union_all(ne.borders.geoms[pair])
    data = basemap_data([shapely.Point(45.0, 9.5)])  # Hargeisa
    assert "Somaliland" in [row[4] for row in data["labels"]]
    drawn = lines(data["borders"], data["scale"])
    assert drawn.buffer(0.05).contains(shapely.clip_by_rect(line, 46, 7, 49, 11).simplify(0.01))


def test_the_data_says_which_region_it_covers(panama):
    # The page draws the map outside the region as not mapped (basemap.js), not as sea: the region
    # is the box every layer was cut to, around the places and their margin.
    data, base = panama
    region = polygons(base["region"], base["scale"])
    assert region.equals(shapely.box(*region.bounds))  # one box
    west, south, east, north = region.bounds
    places = shapely.bounds(np.array([p.shape for p in data.places]))
    assert west <= places[:, 0].min() - MARGIN and east >= places[:, 2].max() + MARGIN
    assert south <= places[:, 1].min() - MARGIN and north >= places[:, 3].max() + MARGIN
    for layer in ("land", "water"):
        assert region.buffer(1e-6).contains(polygons(base[layer], base["scale"])), layer
    for layer in ("rivers", "borders"):
        assert region.buffer(1e-6).contains(lines(base[layer], base["scale"])), layer
    assert all(lat <= north and lat >= south and west <= lon <= east for lat, lon, *_ in base["labels"])
    # (Whole numbers as whole numbers: 3, not 3.0.)
    assert not any(isinstance(x, float) and x.is_integer() for row in base["labels"] for x in row[:4])
    assert "region" not in basemap_data([])


def test_a_frame_across_180_draws_land_on_both_sides():
    # Shanghai → Los Angeles in the story frame: 121 … 242 (DESIGN.md).
    shapes = [shapely.Point(121.5, 31.2), shapely.Point(241.75, 34.05),
              shapely.LineString([(121.5, 31.2), (180, 45), (241.75, 34.05)])]
    data = basemap_data(shapes)
    land = polygons(data["land"], data["scale"])
    assert land.contains(shapely.Point(121.3, 31.3))  # Shanghai
    assert land.contains(shapely.Point(241.8, 34.1))  # Los Angeles, at -118.2 + 360
    assert not land.contains(shapely.Point(-118.2, 34.1))
    # As far as a phone shows when it fits the lane and zooms out for the labels: the whole world's
    # width (coarse past the margin), one copy of it.
    xs = shapely.get_coordinates(land)[:, 0]
    assert xs.min() < 95 and xs.max() > 270 and xs.max() - xs.min() <= 360.01
    assert len(json.dumps(data)) < 60_000
    labels = {row[4]: row[1] for row in data["labels"]}
    assert labels["Japan"] < 180 < labels[stacked("United States of America")]


def test_a_world_story_has_the_world_arctic_included():
    # The ports story spans the world: its overview, fitted at the map's least zoom, shows the
    # Arctic, and the basemap the page carries has the land that is there (it used to stop at
    # 60° N, the places' 52° N plus the margin: a band of empty sea above).
    data = storymap.load(PORTS).data
    base = story_basemap(data)
    land = polygons(base["land"], base["scale"])
    # Greenland, Taymyr, Ellesmere Island (at -80 + 360 in the story's frame), Antarctica.
    for lon, lat in ((-40.0, 76.0), (100.0, 74.5), (280.0, 80.0), (60.0, -80.0)):
        assert land.contains(shapely.Point(lon, lat)), (lon, lat)
    arctic = shapely.box(-50, 72, 310, 85)  # (coarse there, two pixels of the overview: some islets go)
    assert land.intersection(arctic).area > 0.8 * _natural_land(arctic).area
    # All the world's width, one copy of it, in the story's frame (-20 … 280).
    xs = shapely.get_coordinates(land)[:, 0]
    assert xs.max() - xs.min() > 355 and -60 < xs.min() and xs.max() < 320
    # Beyond the margin it is coarse: the page stays within reason.
    assert len(json.dumps(base)) < 240_000


def _natural_land(box: shapely.Geometry) -> shapely.Geometry:
    """Natural Earth's land in ``box`` (story frame: longitudes shifted by whole turns)."""
    west, south, east, north = box.bounds
    land, parts = natural_earth().land, []
    for k in (-360.0, 0.0, 360.0):
        w, e = max(west - k, -180.0), min(east - k, 180.0)
        if w < e:
            found = land.geoms[land.tree.query(shapely.box(w, south, e, north))]
            parts.append(shapely.transform(shapely.clip_by_rect(found, w, south, e, north),
                                           lambda c, k=k: c + np.array([k, 0.0])))
    return shapely.union_all(np.concatenate(parts))


def test_a_regional_story_reaches_as_far_as_its_views_zoomed_out_for_labels(panama):
    # Panama's overview step zooms out to make room for its 18 labels, and shows land past its places'
    # margin (it ended in a straight cut east of Venezuela on a laptop, north of Florida on a phone).
    # The basemap reaches that far, no farther, in coarse detail past the margin.
    data, base = panama
    _, drawn = framed_places(data)
    bounds = shapely.bounds(np.asarray(list(drawn.values()), dtype=object))
    box = (bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max())
    inner, views = _region(box, MARGIN), _seen(box)
    region, reached = _reach(inner, views, REACH_SLACK)
    assert region[0] < inner[0] - MARGIN and region[2] > inner[2] + MARGIN and reached
    assert region[0] >= min(v[0][0] for v in views) and region[2] <= max(v[0][2] for v in views)
    land = np.array([v for poly in decode(base["land"], base["scale"]) for ring in poly for v in ring])
    assert land[:, 0].min() < -100 and land[:, 0].max() > -60 and land[:, 1].max() > 35  # Mexico's west, Trinidad, Virginia
    # Rivers stop at the margin; past it land is coarse: the page stays within its budget.
    rivers = np.array([v for line in decode(base["rivers"], base["scale"]) for v in line])
    assert rivers[:, 0].min() >= inner[0] - 0.01 and rivers[:, 0].max() <= inner[2] + 0.01
    assert len(json.dumps(base)) < 18_000


def test_the_basemap_reaches_under_the_panel_on_its_side():
    # The map shows under the text panel's side too (above and below a floating panel; a phone on
    # its side showed grey there): left of the places in a left-to-right story, right of them in a
    # right-to-left one, both in a story of both.
    box = (-85.0, 7.0, -75.0, 12.0)
    views = {sides: _seen(box, sides) for sides in ((True, False), (False, True), (True, True))}
    for (free, _), (ltr, _), (rtl, _), (both, _) in zip(_seen(box, (False, False)), views[True, False],
                                                         views[False, True], views[True, True]):
        assert ltr[0] <= free[0] and ltr[2] == free[2] and rtl[2] >= free[2] and rtl[0] == free[0]
        assert both[0] == ltr[0] and both[2] == rtl[2]
    assert any(ltr[0] < free[0] for (free, _), (ltr, _) in zip(_seen(box, (False, False)), views[True, False]))
    place = [shapely.box(*box)]
    en, ar = (shapely.Polygon(decode(basemap_data(place, langs=(lang,))["region"], SCALE)[0][0]).bounds
              for lang in ("en", "ar"))
    assert en[0] < ar[0] and ar[2] > en[2], (en, ar)


def test_the_same_places_give_the_same_basemap(panama):
    data, first = panama
    shapes = [p.shape for p in data.places]
    again = basemap_data(list(reversed(shapes)), langs=("en", "es"))
    assert json.dumps(again) == json.dumps(first)


def test_fine_near_the_places_coarse_far_away(panama):
    _, data = panama
    land = decode(data["land"], data["scale"])
    vertices = np.array([v for poly in land for ring in poly for v in ring])
    near = (np.abs(vertices[:, 0] + 79.8) < 0.5) & (np.abs(vertices[:, 1] - 9.1) < 0.5)
    far = (np.abs(vertices[:, 0] + 90.5) < 0.5) & (np.abs(vertices[:, 1] - 21) < 0.5)  # Yucatán
    assert near.sum() > 5 * max(1, far.sum())


def test_fifty_thousand_scattered_points_stay_bounded():
    # The timing budget is in benchmarks/basemap.py; here only that it finishes, compactly.
    rng = np.random.default_rng(1)
    points = shapely.points(np.column_stack([rng.uniform(-180, 180, 50_000), rng.uniform(-55, 70, 50_000)]))
    data = basemap_data(list(points))
    assert 100_000 < len(json.dumps(data)) < 3_000_000


def test_no_places_no_basemap():
    assert basemap_data([])["labels"] == []
    assert "land" not in basemap_data([shapely.Point()])


# The shared encoding ---------------------------------------------------------------------------

def test_pack_round_trips_and_needs_no_escape():
    values = [0, 1, -1, 15, 16, -16, -17, 30, 31, -31, -32, 805, -806, 1023, -1024, 720_000, -720_000,
              2 ** 40, -(2 ** 40)]
    text = pack(values)
    assert unpack(text) == values
    # Printable ASCII that JSON and an inline script write as it is (script_json escapes & < >).
    assert all(35 <= ord(c) <= 126 for c in text) and not set(text) & set("&<>\\\"")
    assert script_json(text) == f'"{text}"'
    assert pack([0, 1, -1]) == "#%$"
    # Under 31 units either way, one character; under 806, two.
    assert [len(pack([v])) for v in (30, -31, 31, -32, 805, -806, 806)] == [1, 1, 2, 2, 2, 2, 3]
    assert pack([]) == "" and unpack("") == []
    many = np.random.default_rng(7).integers(-10 ** 9, 10 ** 9, 2000)
    assert unpack(pack(many)) == many.tolist()


def test_encoders_drop_closing_and_repeated_vertices():
    square = shapely.Polygon([(0, 0), (1, 0), (1, 1), (0, 1)], [[(0.2, 0.2), (0.2, 0.4), (0.4, 0.4), (0.4, 0.2)]])
    tiny = shapely.Polygon([(5, 5), (5.0001, 5), (5, 5.0001)])
    packed, kept = encode_polygons(np.array([square, tiny], dtype=object), 1000)
    assert kept.tolist() == [True, False]
    assert packed["rings"] == [4, 4] and packed["polys"] == [2]
    assert decode(packed, 1000)[0][0] == [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]  # counter-clockwise
    text, _ = encode_polygons(np.array([square], dtype=object), 1000, text=True)
    assert decode(text, 1000) == decode(packed, 1000)
    line = shapely.LineString([(0, 0), (0, 0.0001), (1, 1)])
    packed, kept = encode_lines(np.array([line, shapely.LineString([(2, 2), (2, 2.0001)])], dtype=object), 1000)
    assert kept.tolist() == [True, False] and packed["parts"] == [2]
    assert decode(packed, 1000) == [[(0.0, 0.0), (1.0, 1.0)]]


def test_encoders_drop_vertices_on_a_straight_run():
    # A square with points along two of its edges (as cutting a polygon along a zone's edge leaves),
    # one of them at its first vertex's place in the ring; and a spike, which goes back: kept.
    edged = shapely.Polygon([(0.5, 0), (1, 0), (1, 0.25), (1, 0.5), (1, 1), (0, 1), (0, 0.5), (0.5, 0.5),
                             (0, 0.5), (0, 0)])
    packed, _ = encode_polygons(np.array([edged], dtype=object), 1000)
    ring = decode(packed, 1000)[0][0]
    assert (0.5, 0.0) not in ring and (1.0, 0.25) not in ring and (1.0, 0.5) not in ring
    assert (0.5, 0.5) in ring and ring.count((0.0, 0.5)) == 2 and len(ring) == 7, ring
    assert shapely.equals(shapely.Polygon(ring), shapely.Polygon(edged.exterior))
    # A line keeps its two ends and its turns, not the points along a straight stretch.
    line = shapely.LineString([(0, 0), (0.25, 0.25), (0.5, 0.5), (0.5, 1), (0.5, 0.75), (1, 0.75), (2, 0.75)])
    packed, _ = encode_lines(np.array([line], dtype=object), 1000)
    assert decode(packed, 1000) == [[(0.0, 0.0), (0.5, 0.5), (0.5, 1.0), (0.5, 0.75), (2.0, 0.75)]]


# In Chromium -----------------------------------------------------------------------------------

def _pixel(page, x: float, y: float) -> tuple[int, int, int]:
    """The colour of one screen pixel: a 1×1 screenshot's PNG (whose single row, whatever its
    filter, stores the pixel as it is)."""
    png = page.screenshot(clip={"x": x, "y": y, "width": 1, "height": 1})
    chunks, at = {}, 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at:at + 4])
        kind = png[at + 4:at + 8]
        chunks[kind] = chunks.get(kind, b"") + png[at + 8:at + 8 + length]
        at += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (width, height, depth) == (1, 1, 8) and colour in (2, 6)
    row = zlib.decompress(chunks[b"IDAT"])
    return tuple(row[1:4])


@pytest.mark.browser
def test_gatun_lake_is_water_offline_at_the_canal_step(built_page: Path, make_page):
    run = make_page().open(built_page, "the-canal")
    # The move to the step has ended (open() waits for it); the canvases have drawn the view (no
    # redraw left for a frame to do), and that frame has been painted.
    run.page.wait_for_function("""() => { let pending = false;
      document.querySelector('[data-storymap]').storymap.map.eachLayer((l) => { pending = pending || !!l._redrawRequest; });
      return !pending; }""")
    run.js("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    lake, land = (-79.95, 9.15), (-79.75, 9.05)  # in the lake; dry ground east of the canal

    def at(lon: float, lat: float) -> tuple[int, int, int]:
        x, y = run.js("""([lat, lon]) => { const map = document.querySelector('[data-storymap]').storymap.map;
          const p = map.latLngToContainerPoint([lat, lon]), box = map.getContainer().getBoundingClientRect();
          return [box.left + p.x, box.top + p.y]; }""", [lat, lon])
        return _pixel(run.page, x, y)

    water, ground = at(*lake), at(*land)
    assert water != ground
    assert max(abs(a - b) for a, b in zip(ground, (243, 239, 230))) <= 6, ground  # land colour
    assert max(abs(a - b) for a, b in zip(water, (201, 221, 232))) <= 6, water  # the sea's colour
    assert run.tile_requests == []
    assert run.js("() => document.querySelectorAll('.storymap-country-label[data-rank]').length") > 0


# The shapes as Leaflet's own Polygon and Polyline layers would draw them, on a canvas of the same
# size and place: the share of pixels where the two canvases differ (a channel by more than 48 of
# 255), and the share the basemap covers.
SAME_AS_LEAFLET_JS = """async () => {
  const sm = document.querySelector('[data-storymap]').storymap, map = sm.map, base = sm.layers.Basemap;
  const data = base._data, u = L.storymap.util, scale = data.scale || 1000, o = base.options;
  const split = (items, counts) => { const out = []; let at = 0;
    for (const c of counts) { out.push(items.slice(at, at + c)); at += c; } return out; };
  // Each family with its copies a world to the west and to the east (drawn where a view shows them).
  const latLngs = (f) => [0, -360, 360].flatMap((d) => { const xy = u.coordinates(f.xy, scale), pts = [];
    for (let i = 0; i + 1 < xy.length; i += 2) pts.push([xy[i + 1], xy[i] + d]);
    return f.rings !== undefined ? split(split(pts, u.unpack(f.rings)), u.unpack(f.polys)) : split(pts, u.unpack(f.parts)); });
  if (!map.getPane('leafletShapes')) map.createPane('leafletShapes').style.visibility = 'hidden';
  // (The sea's and the land's colours: the story's CSS.)
  const css = getComputedStyle(map.getContainer()), [sea, land] = ['sea', 'land'].map((n) => css.getPropertyValue('--storymap-' + n).trim());
  const renderer = L.canvas({pane: 'leafletShapes'}), group = L.layerGroup().addTo(map);
  const common = {renderer, interactive: false, smoothFactor: 0.5};
  // (The region first, in the sea's colour: outside it the map shows as not mapped.)
  group.addLayer(L.polygon(latLngs(data.region), {...common, fillColor: sea, ...o.water}));
  group.addLayer(L.polygon(latLngs(data.land), {...common, fillColor: land, ...o.land}));
  group.addLayer(L.polygon(latLngs(data.water), {...common, fillColor: sea, ...o.water}));
  group.addLayer(L.polyline(latLngs(data.rivers), {...common, color: sea, ...o.rivers}));
  group.addLayer(L.polyline(latLngs(data.borders), {...common, ...o.borders}));
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const ours = document.querySelector('.leaflet-storymapBasemap-pane canvas'), theirs = renderer._container;
  const read = (c) => c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const a = read(ours), b = read(theirs);
  let differ = 0, covered = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (a[i + 3] > 0) covered++;
    if (Math.max(Math.abs(a[i] - b[i]), Math.abs(a[i + 1] - b[i + 1]), Math.abs(a[i + 2] - b[i + 2]),
                 Math.abs(a[i + 3] - b[i + 3])) > 48) differ++;
  }
  group.remove();
  return {same: [ours.width, ours.height].join() === [theirs.width, theirs.height].join(),
          differ: differ / (a.length / 4), covered: covered / (a.length / 4)};
}"""


@pytest.fixture(scope="module")
def ports_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ports example: a world story whose frame crosses 180° (Rotterdam to Los Angeles by Asia)."""
    return storymap.load(PORTS).save(tmp_path_factory.mktemp("ports") / "index.html")


@pytest.mark.browser
@pytest.mark.parametrize("story, step", [("panama", "overview"), ("panama", "border-service"),
                                         ("panama", "the-canal"), ("ports", "")])
def test_the_basemap_draws_as_leaflets_own_layers_would(built_page: Path, ports_page: Path, make_page,
                                                        story: str, step: str):
    # storymap draws the basemap's land, lakes, rivers and borders itself (projected once, no
    # LatLng per vertex); at a regional, a close and two world-wide steps (one across 180°), and
    # after a zoom, the picture is Leaflet's (0.003-0.2% of the pixels differ here; a projection
    # 0.5% off differs on ~2%), copies a world to either side included (the ports' world view
    # shows the Americas again beside the panel).
    run = make_page().open(built_page if story == "panama" else ports_page, step)
    result = run.js(SAME_AS_LEAFLET_JS)
    assert result["same"] and result["covered"] > 0.1 and result["differ"] < 0.005, result
    run.js("() => { document.querySelector('[data-storymap]').storymap.map.zoomIn(1, {animate: false}); }")
    run.js("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    zoomed = run.js(SAME_AS_LEAFLET_JS)
    assert zoomed["same"] and zoomed["covered"] > 0.1 and zoomed["differ"] < 0.005, zoomed
    assert run.errors == []


@pytest.mark.browser
def test_country_labels_follow_natural_earths_zoom(ports_page: Path, make_page):
    # The ports story's world overview (zoom 1.5-2) named "Heard Island and McDonald Islands" and
    # "United States Minor Outlying Islands" in empty ocean. A country is named from a zoom level
    # before Natural Earth's MIN_LABEL (for web maps) on.
    run = make_page().open(ports_page)
    seen = run.js("""() => { const s = document.querySelector('[data-storymap]').storymap;
      return {zoom: s.map.getZoom(), labels: Array.from(document.querySelectorAll('.storymap-country-label'))
        .filter((n) => getComputedStyle(n).visibility !== 'hidden')
        .map((n) => [n.textContent, +n.getAttribute('data-min-zoom')])}; }""")
    names = [name for name, _ in seen["labels"]]
    assert seen["zoom"] < 3 and len(names) >= 5, seen
    assert all(min_zoom <= seen["zoom"] + 1 for _, min_zoom in seen["labels"]), seen
    heard = stacked("Heard Island and McDonald Islands")  # (in two lines)
    assert heard not in names and "China" in names, names
    # Closer in, the small ones come back.
    run.js("() => void document.querySelector('[data-storymap]').storymap.showView({centerLatLng: [-53.1, 73.5], zoom: 5})")
    run.page.wait_for_function("""(heard) => Array.from(document.querySelectorAll('.storymap-country-label'))
      .some((n) => n.textContent === heard && getComputedStyle(n).visibility !== 'hidden')""", arg=heard)
    assert not run.errors, run.errors


# Views and layers past the places ---------------------------------------------------------------

def _land_vertices(base: dict, box: tuple[float, float, float, float]) -> int:
    """How many of the basemap's land vertices lie in ``box`` (west, south, east, north)."""
    xy = np.array([v for poly in decode(base["land"], base["scale"]) for ring in poly for v in ring])
    return int(((xy[:, 0] >= box[0]) & (xy[:, 0] <= box[2]) & (xy[:, 1] >= box[1]) & (xy[:, 1] <= box[3])).sum())


def _europe_story(tmp_path: Path) -> "storymap.Story":
    new_story(tmp_path / "s", lang="fr")
    story = storymap.load(tmp_path / "s")
    story.add_step(id="europe", title="Europe", narrative="Europe.", view={"bounds": [[-10, 40], [30, 60]]})
    return story


def test_a_steps_view_past_the_places_has_land_as_that_view_shows_it(tmp_path: Path):
    # A step whose view showed the world drew the world's land on grey but for a box around the
    # places: the basemap reached only as far as the places' own views. It now reaches as far as
    # each step's view, and past the places only as finely as the view that shows a part does: the
    # world step's far land coarse, the continent's finer.
    story = _europe_story(tmp_path)
    continent = story_basemap(story.data)
    story.add_step(id="world", title="World", narrative="World.", view={"bounds": [[-170, -60], [170, 80]]})
    world = story_basemap(story.data)
    west, south, east, north = polygons(world["region"], world["scale"]).bounds
    assert west <= -170 and east >= 170 and south <= -60 and north >= 80
    australia, scandinavia = (113, -39, 154, -11), (8, 54, 20, 60)
    assert _land_vertices(continent, australia) == 0 < _land_vertices(world, australia)
    # (Australia as the world view shows it: far fewer vertices than Scandinavia as the Europe
    # view shows it, which stays as it was without the world step.)
    assert _land_vertices(world, australia) * 4 < _land_vertices(world, scandinavia)
    assert abs(_land_vertices(world, scandinavia) - _land_vertices(continent, scandinavia)) <= 0.02 * _land_vertices(
        continent, scandinavia)  # (a vertex or two where a ring's edge cuts the land)
    # A view by centre and zoom too.
    story.remove_step("world")
    story.add_step(id="pacific", title="Pacifique", narrative="…", view={"center": [150, -25], "zoom": 4})
    assert _land_vertices(story_basemap(story.data), australia) > 0


def test_a_long_country_name_shows_in_centred_lines(tmp_path: Path, make_page):
    story = _europe_story(tmp_path)
    story.add_step(id="asia", title="Asie", narrative="L'Asie.", view={"bounds": [[60, 0], [140, 50]]})
    run = make_page().open(story.save(tmp_path / "index.html", languages=["fr"]), "asia")
    lines = run.js("""() => Array.from(document.querySelectorAll('.storymap-country-label span')).map((span) => {
      const range = document.createRange(); range.selectNodeContents(span);
      const rows = [...new Map([...range.getClientRects()].filter((r) => r.width > 0)
        .map((r) => [Math.round(r.top), r])).values()];  // (one box per line: its text, not the break)
      const one = span.cloneNode(true); one.textContent = span.textContent.replace(/\\n/g, ' ');
      span.parentNode.appendChild(one); const wide = one.getBoundingClientRect().width; one.remove();
      return [span.textContent, rows.map((r) => Math.round(r.left + r.width / 2)),
              span.getBoundingClientRect().width / wide]; })""")
    shown = {name: (centres, narrower) for name, centres, narrower in lines}
    centres, narrower = shown["République\npopulaire de Chine"]
    # Two lines, centred one over the other, the label as wide as the longer (in one line, 29 letters).
    assert len(centres) == 2 and abs(centres[0] - centres[1]) <= 1, lines
    assert 0.55 < narrower < 0.7, lines
    assert all(len(c) == 1 and n == 1 for name, (c, n) in shown.items() if "\n" not in name), lines
    assert run.errors == [] and run.outside == []


def test_a_layer_added_from_python_has_the_basemap_under_it(tmp_path: Path):
    story = _europe_story(tmp_path)
    world = shapely.box(-170, -55, 175, 75)
    story.add_layer(gpd.GeoDataFrame({"n": [1]}, geometry=[world], crs=4326), "Monde")
    base = story_basemap(story.data, overlays=list(story._overlays.values()))
    west, south, east, north = polygons(base["region"], base["scale"]).bounds
    assert west <= -170 and east >= 175 and south <= -55 and north >= 75
    assert _land_vertices(base, (113, -39, 154, -11)) > 0  # (Australia)
    # (A folium layer's own bounds count too.)
    story.remove_layer("Monde")
    story.add_layer(folium.PolyLine([[-33.9, 151.2], [51.5, -0.1]]), "Vol")
    base = story_basemap(story.data, overlays=list(story._overlays.values()))
    assert _land_vertices(base, (113, -39, 154, -11)) > 0
