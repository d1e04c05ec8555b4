"""Layers added from Python, in Chromium: the registry, the legend, per-step visibility, tooltips
and popups, and the time budgets of big layers (ready within 2 s, no task over 200 ms on a step
change)."""

from __future__ import annotations

from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pytest

import storymap

from storymap.i18n import number_range

from .conftest import GEODATA, PageRun, axe_violations
from .layers_data import random_points, wiggly_features

pytestmark = pytest.mark.browser

ROOT_JS = "document.querySelector('[data-storymap]')"
STEPS = [s.id for s in storymap.load(GEODATA).steps]
EVIL = "</script><img src=x onerror=alert(1)> & 'quotes'"

# Before any script of the page runs: the first frame at which the story exists and every data
# layer on the map has drawn.
READY_JS = """
(function poll() {
  const root = document.querySelector('[data-storymap]'), sm = root && root.storymap;
  const drawn = sm && Object.values(sm.layers).every(
    (l) => !(L.storymap.DataLayer && l instanceof L.storymap.DataLayer) || !sm.map.hasLayer(l) || l._drawnAt);
  if (drawn) { requestAnimationFrame(() => { window.__ready = performance.now(); }); return; }
  requestAnimationFrame(poll);
})();
"""

# Every data layer on the map: how many times it has drawn (its `draw` events), and whether its
# canvas shows the map's view as it is now, with no draw pending.
DRAWN_JS = """() => { const sm = document.querySelector('[data-storymap]').storymap, out = {};
  for (const [name, l] of Object.entries(sm.layers)) {
    if (!(l instanceof L.storymap.DataLayer) || !sm.map.hasLayer(l)) continue;
    if (!l.__draws) { l.__draws = 0; l.on('draw', () => { l.__draws++; }); }
    out[name] = {draws: l.__draws, current: !l._timer && !l._next && !!l._view && l._view.zoom === sm.map.getZoom()
      && l._center.equals(sm.map.getCenter())};
  }
  return out; }"""


@pytest.fixture(scope="module")
def layered_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Panama story with a data layer on two steps, one on every step, and a folium marker."""
    points = gpd.GeoDataFrame(
        {"name": ["Colón", EVIL], "kind": ["port", "<b>not bold</b>"]},
        geometry=gpd.points_from_xy([-79.9, -79.52], [9.35, 8.97]), crs="EPSG:4326")
    areas, lines = wiggly_features(3, 200)
    story = storymap.load(GEODATA)
    story.add_layer(points, EVIL, steps=[STEPS[1], STEPS[3]], tooltip="name", popup=["name", "kind"],
                    style={"radius": 8, "fillColor": "#d55e00"})
    story.add_layer(lines, "Lines", tooltip=["name"], style={"weight": 4})
    story.add_layer(areas, "Areas", steps=[STEPS[0]])
    story.add_layer(folium.Marker([9.1, -79.7]), "Marker", steps=[STEPS[2]])
    return story.save(tmp_path_factory.mktemp("layers") / "index.html")


@pytest.fixture(scope="module")
def layered(layered_page: Path, browser):
    """The layered page, opened once for the module; ``layered(step)`` shows a step on it, its
    data layers drawn, no popup open and the mouse away from the map."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
    run = PageRun(context.new_page()).open(layered_page)

    def at(step: str) -> PageRun:
        run.page.mouse.move(0, 0)
        run.js(f"(s) => {{ const sm = {ROOT_JS}.storymap; sm.map.closePopup(); sm.goTo(s); }}", step)
        run.settle()
        run.page.wait_for_function(f"() => Object.values(({DRAWN_JS})()).every((l) => l.current)")
        return run

    yield at
    context.close()


def visible(run) -> dict:
    return run.js(f"""() => {{ const sm = {ROOT_JS}.storymap, out = {{}};
      for (const name of [{EVIL!r}, 'Lines', 'Areas', 'Marker']) out[name] = sm.map.hasLayer(sm.layers[name]);
      return out; }}""")


def legend(run) -> dict:
    return run.js(f"""() => Object.fromEntries([...{ROOT_JS}.querySelectorAll('.storymap-legend-item[data-layer]')]
      .map((row) => [row.dataset.layer, {{label: row.textContent, off: row.hasAttribute('data-off')}}]))""")


def test_layers_are_registered_and_listed(layered):
    run = layered(STEPS[0])
    kinds = run.js(f"""() => {{ const sm = {ROOT_JS}.storymap, out = {{}};
      for (const [k, v] of Object.entries(sm.layers)) out[k] = v instanceof L.storymap.DataLayer ? 'data' :
        v instanceof L.Layer ? 'layer' : typeof v;
      return out; }}""")
    assert {k: kinds[k] for k in (EVIL, "Lines", "Areas", "Marker")} == {
        EVIL: "data", "Lines": "data", "Areas": "data", "Marker": "layer"}
    rows = legend(run)
    assert list(rows) == [EVIL, "Lines", "Areas", "Marker"]
    assert all(rows[name]["label"] == name for name in rows)  # the name is text, not markup
    assert run.js("() => document.querySelectorAll('img[src=x], b').length") == 0
    assert run.errors == [] and run.outside == []


def test_layers_show_on_their_steps_only(layered):
    run = layered(STEPS[0])
    expected = {EVIL: {STEPS[1], STEPS[3]}, "Lines": set(STEPS), "Areas": {STEPS[0]}, "Marker": {STEPS[2]}}
    for i, step in enumerate(STEPS[:5] + [STEPS[0]]):
        run.js(f"(s) => void {ROOT_JS}.storymap.goTo(s)", step)  # (void: the Story stays in the page)
        run.settle()
        shown, rows = visible(run), legend(run)
        for name, steps in expected.items():
            assert shown[name] == (step in steps), (step, name)
            assert rows[name]["off"] == (step not in steps), (step, name)
        if shown[EVIL]:  # points drawn opaque, the canvas translucent: also after coming back
            assert run.js(f"() => {ROOT_JS}.storymap.layers[{EVIL!r}]._container.style.opacity") == "0.8"
    assert run.errors == []


def test_data_layers_draw_on_canvas(layered):
    run = layered(STEPS[0])
    painted = run.js(f"""() => {{ const sm = {ROOT_JS}.storymap, out = {{}};
      for (const name of ['Lines', 'Areas']) {{
        const c = sm.layers[name]._container, d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
        out[name] = n; }}
      return out; }}""")
    assert painted["Lines"] > 200 and painted["Areas"] > 40, painted  # (the areas are small at this zoom)


def _point_on_screen(run, lat: float, lon: float) -> tuple[float, float]:
    """Where (lat, lon) is on the page, once the map has stopped moving (conftest.PageRun.still)."""
    run.still()
    return tuple(run.js(f"""([lat, lon]) => {{ const sm = {ROOT_JS}.storymap;
      const r = sm.map.getContainer().getBoundingClientRect(), p = sm.map.latLngToContainerPoint([lat, lon]);
      return [p.x + r.left, p.y + r.top]; }}""", [lat, lon]))


def test_tooltip_and_popup_show_properties_as_text(layered):
    run = layered(STEPS[3])
    run.js(f"() => void {ROOT_JS}.storymap.map.setView([8.97, -79.52], 11, {{animate: false}})")
    run.page.wait_for_function(f"() => {ROOT_JS}.storymap.layers[{EVIL!r}]._view.zoom === 11")
    x, y = _point_on_screen(run, 8.97, -79.52)
    run.page.mouse.move(x + 2, y + 1)
    tip = run.page.wait_for_selector(".leaflet-tooltip.storymap-hover", timeout=3000)
    assert tip.inner_text() == EVIL  # one property named as a str: the bare value
    run.page.mouse.click(x + 2, y + 1)
    popup = run.page.wait_for_selector(".storymap-data-popup .leaflet-popup-content", timeout=3000)
    assert popup.inner_text().splitlines()[0] == EVIL
    cells = run.js("() => [...document.querySelectorAll('.storymap-data-popup td')].map((td) => td.textContent)")
    assert cells == [EVIL, "<b>not bold</b>"]
    assert run.js("() => document.querySelectorAll('.leaflet-popup-content b, img[src=x]').length") == 0
    # Away from every feature the tooltip goes.
    run.page.mouse.move(x + 300, y + 200)
    run.page.wait_for_selector(".leaflet-tooltip.storymap-hover", state="detached", timeout=3000)
    assert run.errors == []


def test_line_tooltip(layered):
    run = layered(STEPS[0])
    lines = wiggly_features(3, 200)[1]
    first = lines.geometry.iloc[0].interpolate(0.5, normalized=True)
    run.js(f"([lat, lon]) => void {ROOT_JS}.storymap.map.setView([lat, lon], 10, {{animate: false}})", [first.y, first.x])
    run.page.wait_for_function(f"() => {ROOT_JS}.storymap.layers.Lines._view.zoom === 10")
    x, y = _point_on_screen(run, first.y, first.x)
    run.page.mouse.move(x, y + 1)
    tip = run.page.wait_for_selector(".leaflet-tooltip.storymap-hover", timeout=3000)
    assert tip.inner_text() == f"name: {lines['name'].iloc[0]}"  # a list of properties: "name: value" lines


# Big layers --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def big_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("big")
    points = storymap.load(GEODATA).add_layer(random_points(100_000), "Points", tooltip="name", popup=["name", "kind"])
    areas, lines = wiggly_features(1000, 2000)
    shapes = storymap.load(GEODATA).add_layer(areas, "Areas", tooltip="name").add_layer(lines, "Lines", tooltip="name")
    return {"points": points.save(folder / "points.html"), "shapes": shapes.save(folder / "shapes.html")}


def _step_through(make_page, page: Path) -> dict:
    """Open ``page``; change step five times, each time until every data layer has drawn the new view.
    Returns the ready time and each step's draws per layer."""
    run = make_page()
    run.page.add_init_script(READY_JS)
    run.page.goto(page.resolve().as_uri(), wait_until="load")
    run.page.wait_for_function("() => window.__ready", timeout=20_000)
    result = {"ready": run.js("() => window.__ready"), "steps": []}
    run.settle()
    before = run.js(DRAWN_JS)
    for i in (1, 3, 4, 6, 0):
        run.js(f"(i) => void {ROOT_JS}.storymap.goTo(i)", i)
        run.settle()
        run.page.wait_for_function(f"() => Object.values(({DRAWN_JS})()).every((l) => l.current)", timeout=20_000)
        after = run.js(DRAWN_JS)
        result["steps"].append({name: after[name]["draws"] - before[name]["draws"] for name in after})
        before = after
    assert run.errors == [], run.errors
    run.page.context.close()
    return result


@pytest.mark.parametrize("kind", ["points", "shapes"])
def test_big_layer_draws_and_follows_the_steps(big_pages, make_page, kind):
    """A big layer draws, and redraws the new view on every step change, without errors. How fast
    (ready time, the longest task of a step change) is measured by benchmarks/layers.py, not
    asserted here."""
    result = _step_through(make_page, big_pages[kind])
    assert result["ready"] > 0 and len(result["steps"]) == 5
    names = {"points": ["Points"], "shapes": ["Areas", "Lines"]}[kind]
    assert all(sorted(drawn) == names and all(n >= 1 for n in drawn.values()) for drawn in result["steps"]), result


def test_layers_in_two_fragments_on_one_host_page(tmp_path: Path, make_page):
    story = storymap.load(GEODATA).add_layer(random_points(2000), "Points", tooltip="name")
    fragment = story.to_html(fragment=True)
    host = tmp_path / "host.html"
    host.write_text(f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Host</title></head>"
                    f"<body><p>Before.</p>{fragment}<p>Between.</p>{fragment}</body></html>", "utf-8")
    run = make_page()
    run.page.goto(host.as_uri())
    run.page.wait_for_function("""() => { const roots = [...document.querySelectorAll('[data-storymap]')];
      return roots.length === 2 && roots.every((r) => r.storymap && r.storymap.layers.Points._drawnAt); }""")
    layers = run.js("""() => [...document.querySelectorAll('[data-storymap]')].map((r) => {
      const l = r.storymap.layers.Points;
      return {own: r.contains(l._container), map: r.storymap.map.hasLayer(l)}; })""")
    assert layers == [{"own": True, "map": True}, {"own": True, "map": True}]
    # One storymap (and one DataLayer class) serves both, and none of it is a global of the host (issue 16).
    assert run.js("""() => { const [a, b] = [...document.querySelectorAll('[data-storymap]')].map(
      (r) => r.storymap.layers.Points); return a.constructor === b.constructor && a !== b && window.L === undefined; }""")
    assert run.errors == [] and run.outside == []


# Layers coloured by a column (GeoDataFrame.explore's keywords) ------------------------------------

SQUARE_VALUES = [3.0, 40.0, 7.0, 900.0, 15.0, 120.0, 60.0, 5000.0, 1.0, 250.0]
KINDS = ["clinic", "school", "market", "station"]


def _coloured_frames() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    import shapely

    squares = gpd.GeoDataFrame(
        {"name": [f"Square {i}" for i in range(10)], "people": SQUARE_VALUES},
        geometry=[shapely.box(-82.0 + 0.45 * i, 8.1, -82.0 + 0.45 * i + 0.35, 8.45) for i in range(10)],
        crs="EPSG:4326")
    points = gpd.GeoDataFrame(
        {"name": [f"Site {i}" for i in range(12)], "kind": [KINDS[i % 4] for i in range(12)]},
        geometry=gpd.points_from_xy([-81.9 + 0.38 * i for i in range(12)], [8.9] * 12), crs="EPSG:4326")
    return squares, points


@pytest.fixture(scope="module")
def coloured_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    squares, points = _coloured_frames()
    story = storymap.load(GEODATA)
    story.add_layer(squares, "People", column="people", scheme="quantiles", k=5, tooltip=["name", "people"],
                    tooltip_kwds={"aliases": ["Square", "People"]}, legend_kwds={"fmt": "{:,.0f}"})
    story.add_layer(points, "Sites", column="kind", marker_kwds={"radius": 6}, legend_kwds={"caption": "Site kind"})
    hostile = points.iloc[:2].assign(label=[EVIL, "<b>not bold</b>"])
    story.add_layer(hostile, "Hostile", column="label", legend_kwds={"caption": EVIL}, steps=[STEPS[1]])
    return story.save(tmp_path_factory.mktemp("coloured") / "index.html")


def _pixels(run, name: str, lonlats: list[tuple[float, float]]) -> list[list[int]]:
    """The RGBA of the layer's canvas at each (lon, lat)."""
    return run.js(f"""([name, places]) => {{ const sm = {ROOT_JS}.storymap, layer = sm.layers[name];
      const c = layer._container, ctx = c.getContext('2d'), ratio = c.width / parseFloat(c.style.width);
      return places.map(([lon, lat]) => {{
        const p = sm.map.latLngToLayerPoint([lat, lon]).subtract(layer._bounds.min);
        return [...ctx.getImageData(Math.round(p.x * ratio), Math.round(p.y * ratio), 1, 1).data]; }}); }}""",
                  [name, lonlats])


def _rgb(hex_color: str) -> list[int]:
    return [int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]


@pytest.fixture(scope="module")
def coloured(coloured_page: Path, browser) -> PageRun:
    """The coloured page at the first step, zoomed in on the squares and sites, for the module."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    run = PageRun(context.new_page()).open(coloured_page, STEPS[0])
    run.js(f"() => void {ROOT_JS}.storymap.map.setView([8.6, -79.9], 8, {{animate: false}})")
    run.page.wait_for_function(f"""() => {{ const l = {ROOT_JS}.storymap.layers;
      return l.People._view && l.People._view.zoom === 8 && l.Sites._view && l.Sites._view.zoom === 8; }}""")
    yield run
    context.close()


def test_quantiles_are_drawn_in_their_class_colours(coloured: PageRun):
    import mapclassify
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    run = coloured
    squares, _ = _coloured_frames()
    classes = mapclassify.classify(np.asarray(SQUARE_VALUES), "quantiles", k=5).yb
    palette = [to_hex(c) for c in colormaps["viridis"].resampled(5)(range(5))]
    centres = [(g.centroid.x, g.centroid.y) for g in squares.geometry]
    for (x, y), cls, pixel in zip(centres, classes, _pixels(run, "People", centres)):
        want = _rgb(palette[cls])
        assert all(abs(a - b) <= 3 for a, b in zip(pixel[:3], want)), ((x, y), pixel, palette[cls])
        assert 110 <= pixel[3] <= 145  # explore's fill opacity of 0.5
    assert run.errors == []


def test_categories_are_drawn_one_colour_each(coloured: PageRun):
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    run = coloured
    _, points = _coloured_frames()
    palette = dict(zip(sorted(KINDS), (to_hex(c) for c in colormaps["tab20"].resampled(4)(range(4)))))
    places = [(g.x, g.y) for g in points.geometry]
    pixels = _pixels(run, "Sites", places)
    for kind, pixel in zip(points["kind"], pixels):
        assert pixel == _rgb(palette[kind]) + [255], (kind, pixel)  # (the canvas is made translucent as a whole)
    # Off the points, the canvas is empty.
    assert _pixels(run, "Sites", [(-81.7, 8.9)]) == [[0, 0, 0, 0]]
    assert len({tuple(p) for p in pixels}) == 4
    assert run.errors == []


def test_legend_shows_classes_categories_and_captions(coloured: PageRun):
    run = coloured
    keys = run.js(f"""() => Object.fromEntries([...{ROOT_JS}.querySelectorAll('.storymap-legend-item[data-layer]')]
      .map((row) => [row.dataset.layer, {{
        caption: row.querySelector('.storymap-legend-caption')?.textContent,
        labels: [...row.querySelectorAll('.storymap-legend-class .storymap-legend-label')].map((n) => n.textContent),
        swatches: [...row.querySelectorAll('.storymap-legend-class .storymap-swatch')]
          .map((n) => getComputedStyle(n).backgroundColor)}}]))""")
    import mapclassify

    binning = mapclassify.classify(np.asarray(SQUARE_VALUES), "quantiles", k=5)
    edges = [min(SQUARE_VALUES)] + list(binning.bins)
    assert keys["People"]["caption"] == "people"
    assert keys["People"]["labels"] == [f"{a:,.0f} – {b:,.0f}" for a, b in zip(edges[:-1], edges[1:])]
    assert keys["People"]["swatches"][0] == "rgb(68, 1, 84)" and keys["People"]["swatches"][-1] == "rgb(253, 231, 37)"
    assert keys["Sites"] == {"caption": "Site kind", "labels": sorted(KINDS), "swatches": [
        "rgb(31, 119, 180)", "rgb(214, 39, 40)", "rgb(247, 182, 210)", "rgb(158, 218, 229)"]}
    # The layer's own label is still the first text of its row.
    labels = run.js(f"""() => [...{ROOT_JS}.querySelectorAll(
      '.storymap-legend-item[data-layer] > .storymap-legend-label')].map((n) => n.textContent)""")
    assert labels == ["People", "Sites", "Hostile"]
    # Captions and categories from the data are text, never markup.
    assert keys["Hostile"]["caption"] == EVIL and keys["Hostile"]["labels"] == sorted([EVIL, "<b>not bold</b>"])
    assert run.js("() => document.querySelectorAll('img[src=x], .storymap-legend b').length") == 0
    assert run.errors == [] and run.outside == []


def test_legend_numbers_are_legible_in_the_page_language(tmp_path: Path, browser):
    """Without `fmt`, a class's range has as few decimals as tell the classes apart, written as
    the page's language writes numbers, and again when the reader switches language (explore's
    "{:.2f}" wrote a population as "2348401.60", in English whatever the story's language); so are
    a layer's name and caption given in each language. A colour bar's values are written short
    as the language writes them ("200 mil", where they read "200k" in every language), and do
    not run into one another in any of them (its first and last label, drawn from the bar's ends
    inward, overlapped their neighbours: "569.950k")."""
    squares, _ = _coloured_frames()
    story = storymap.load(GEODATA)
    reach = squares.assign(reach=[v * 24.5 + 0.25 for v in SQUARE_VALUES])  # from 24.75 to 122,500.25
    story.add_layer(reach, {"en": "Reach", "es": "Alcance"}, column="reach", scheme="user_defined",
                    classification_kwds={"bins": [25.5, 2500.5, 125000]},
                    legend_kwds={"caption": {"en": "People reached", "es": "Personas alcanzadas"}},
                    tooltip=["name", "reach"], popup=["reach"],
                    tooltip_kwds={"aliases": {"en": ["Square", "Reach"], "es": ["Cuadrado", "Alcance"]}},
                    popup_kwds={"aliases": {"en": ["People"], "es": ["Personas"]}})
    output = squares.assign(output=np.linspace(569.9, 200_000, len(squares)))
    # (Over the same squares, above them: not answering the pointer, so that Reach's tooltip shows.)
    story.add_layer(output, "Output", column="output", cmap="viridis", highlight=False)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        run = PageRun(context.new_page()).open(story.save(tmp_path / "index.html"), STEPS[0])
        read = f"""() => [...{ROOT_JS}.querySelectorAll(
          '.storymap-legend-item[data-layer="Reach"] .storymap-legend-class .storymap-legend-label')]
          .map((n) => n.textContent)"""
        # (As CLDR writes the language's numbers, with the two decimals 24.75 needs.)
        edges = [24.75, 25.5, 2500.5, 125000]
        english = run.js(read)
        assert english == ["24.75 – 25.50", "25.50 – 2,500.50", "2,500.50 – 125,000.00"]
        assert english == [number_range(a, b, 2, "en") for a, b in zip(edges, edges[1:])]
        run.js(f"() => void {ROOT_JS}.storymap.setLanguage('es')")
        spanish = run.js(read)
        assert spanish == ["24,75 – 25,50", "25,50 – 2.500,50", "2.500,50 – 125.000,00"], spanish
        # Written at build time: the page's script makes no Intl.NumberFormat (its first costs 10–20 ms).
        assert "NumberFormat" not in (tmp_path / "index.html").read_text("utf-8")
        # The layer's name and caption given in each language follow the switch too.
        texts = f"""() => {{ const row = {ROOT_JS}.querySelector('.storymap-legend-item[data-layer="Reach"]');
          return [row.querySelector('.storymap-legend-label').textContent,
                  row.querySelector('.storymap-legend-caption').textContent]; }}"""
        assert run.js(texts) == ["Alcance", "Personas alcanzadas"]
        # ... and so do its tooltip's and popup's aliases and the popup's title (the layer's name).
        run.js(f"() => void {ROOT_JS}.storymap.map.setView([8.6, -79.9], 8, {{animate: false}})")
        run.page.wait_for_function(f"() => {{ const l = {ROOT_JS}.storymap.layers.Reach; return l._view && l._view.zoom === 8; }}")
        centre = squares.geometry.iloc[7].centroid
        x, y = _point_on_screen(run, centre.y, centre.x)
        run.page.mouse.move(x, y)
        tip = run.page.wait_for_selector(".leaflet-tooltip.storymap-hover", timeout=3000)
        assert tip.inner_text().splitlines() == ["Cuadrado: Square 7", "Alcance: 122500.25"]
        run.page.mouse.click(x, y)
        popup = run.page.wait_for_selector(".leaflet-popup-content", timeout=3000)
        assert popup.inner_text().split("\n")[:2] == ["Alcance", "Personas\t122500.25"], popup.inner_text()
        run.page.keyboard.press("Escape")
        run.js(f"() => void {ROOT_JS}.storymap.setLanguage('en')")
        run.page.mouse.move(x, y + 300)
        run.page.mouse.move(x, y)
        run.page.wait_for_function("""() => (document.querySelector('.leaflet-tooltip.storymap-hover') || {}).innerText
          === 'Square: Square 7\\nReach: 122500.25'""", timeout=3000)
        assert run.js(read) == english
        assert run.js(texts) == ["Reach", "People reached"]
        assert run.js(f"() => Object.keys({ROOT_JS}.storymap.layers).includes('Reach')")
        ticks = f"""() => [...{ROOT_JS}.querySelectorAll(
          '.storymap-legend-item[data-layer="Output"] .storymap-legend-tick')].map((n) => {{
            const r = n.getBoundingClientRect(); return [n.textContent, r.left, r.right]; }})"""
        english = run.js(ticks)
        assert [t[0] for t in english] == ["569.9", "100K", "200K"], english
        run.js(f"() => void {ROOT_JS}.storymap.setLanguage('es')")  # (CLDR's short forms, a decimal comma)
        spanish = run.js(ticks)
        assert [t[0] for t in spanish] == ["569,9", "100\xa0mil", "200\xa0mil"], spanish
        # Spaced for the wider of the two: no two values touch in either language.
        for drawn in (english, spanish):
            assert all(a[2] + 2 <= b[1] for a, b in zip(drawn, drawn[1:])), drawn
        assert run.errors == []
    finally:
        context.close()


def test_hover_highlights_the_feature_and_shows_aliases(coloured: PageRun):
    run = coloured
    squares, _ = _coloured_frames()
    centre = squares.geometry.iloc[7].centroid  # the greatest value: the lightest colour
    x, y = _point_on_screen(run, centre.y, centre.x)
    run.page.mouse.move(x, y)
    tip = run.page.wait_for_selector(".leaflet-tooltip.storymap-hover", timeout=3000)
    assert tip.inner_text().splitlines() == ["Square: Square 7", "People: 5000"]
    path = run.page.wait_for_selector(".leaflet-storymapHighlight-pane path", timeout=3000)
    assert path.get_attribute("fill") == "#fde725" and path.get_attribute("fill-opacity") == "0.75"
    run.page.mouse.move(x, y + 300)
    run.page.wait_for_selector(".leaflet-storymapHighlight-pane path", state="detached", timeout=3000)
    assert run.errors == []


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_coloured_legend_passes_axe(coloured_page: Path, make_page, viewport):
    run = make_page(viewport).open(coloured_page, STEPS[0])
    run.js(f"() => {{ {ROOT_JS}.querySelector('.storymap-legend').open = true; }}")  # (closed on phones)
    # Opened, its list scrolls within the room the zoom buttons leave: it covers no button.
    run.page.wait_for_function(f"""() => {{ const l = {ROOT_JS}.querySelector('.storymap-legend').getBoundingClientRect(),
      z = {ROOT_JS}.querySelector('.leaflet-control-zoom').getBoundingClientRect();
      return l.top >= z.bottom || l.right <= z.left || l.bottom <= z.top; }}""", timeout=3000)
    # (A legend with keys, storymap-layers.js: its list scrolls, and the keyboard reaches it.)
    assert run.js(f"""() => {{ const list = {ROOT_JS}.querySelector('.storymap-legend-list');
      return [list.style.overflowY, list.tabIndex, parseFloat(list.style.maxHeight) >= 80]; }}""") == ["auto", 0, True]
    assert axe_violations(run.page) == []
    assert run.errors == []


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_a_colour_bar_and_its_values_stay_inside_the_legend(tmp_path: Path, make_page, viewport):
    """A layer's key was indented by a margin beside a width of 100%: on a phone its colour bar ran
    26 px past the legend and the screen, and its top value ("112") with it."""
    rng = np.random.default_rng(1)
    points = gpd.GeoDataFrame({"value": rng.normal(50, 20, 300)}, crs=4326,
                              geometry=gpd.points_from_xy(rng.uniform(-83, -77, 300), rng.uniform(7.2, 9.6, 300)))
    story = storymap.load(GEODATA)
    story.add_layer(points, "Incidents", column="value", cmap="plasma")
    run = make_page(viewport).open(story.save(tmp_path / "ramp.html"), STEPS[0])
    run.js(f"() => {{ {ROOT_JS}.querySelector('.storymap-legend').open = true; }}")
    boxes = run.js(f"""() => {{ const r = (e) => e.getBoundingClientRect().toJSON(), root = {ROOT_JS};
      return {{legend: r(root.querySelector('.storymap-legend')),
               parts: [...root.querySelectorAll('.storymap-legend-ramp, .storymap-legend-tick')].map(r)}}; }}""")
    assert len(boxes["parts"]) >= 3
    for part in boxes["parts"]:
        assert boxes["legend"]["left"] <= part["left"] and part["right"] <= boxes["legend"]["right"] - 4, boxes
        assert part["right"] <= viewport[0]
    assert run.errors == []


def test_only_the_topmost_layer_answers_the_pointer(tmp_path: Path, browser):
    """A point of one layer over an area of another, both with tooltips, popups and highlights:
    the pointer over the point shows the point's tooltip alone and lights the point alone (both
    tooltips showed, one over the other, and the area's highlight covered the points), a click
    opens the point's popup; beside the point, the area answers."""
    import shapely

    squares, _ = _coloured_frames()
    area = squares.iloc[[3]]
    centre = area.geometry.iloc[0].centroid
    point = gpd.GeoDataFrame({"name": ["Clinic"]}, geometry=[shapely.Point(centre.x, centre.y)], crs="EPSG:4326")
    story = storymap.load(GEODATA)
    story.add_layer(area, "Area", tooltip="name", popup=["name"])
    story.add_layer(point, "Points", tooltip="name", popup=["name"], marker_kwds={"radius": 8})
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        run = PageRun(context.new_page()).open(story.save(tmp_path / "index.html"), STEPS[0])
        run.js(f"() => void {ROOT_JS}.storymap.map.setView([{centre.y}, {centre.x}], 9, {{animate: false}})")
        run.page.wait_for_function(f"() => {ROOT_JS}.storymap.layers.Points._view && {ROOT_JS}.storymap.layers.Points._view.zoom === 9")
        tips = "() => [...document.querySelectorAll('.leaflet-tooltip.storymap-hover')].map((n) => n.innerText)"
        lit = "() => document.querySelectorAll('.leaflet-storymapHighlight-pane path').length"
        x, y = _point_on_screen(run, centre.y, centre.x)
        run.page.mouse.move(x, y + 40)  # (beside the point, inside the area)
        run.page.wait_for_function(f"() => ({tips})().length === 1")
        assert run.js(tips) == ["Square 3"]
        run.page.mouse.move(x, y)
        run.page.wait_for_function(f"() => ({tips})().join() === 'Clinic'")
        run.page.wait_for_timeout(100)
        assert run.js(tips) == ["Clinic"] and run.js(lit) == 1
        run.page.mouse.click(x, y)
        popup = run.page.wait_for_selector(".leaflet-popup-content", timeout=3000)
        assert popup.inner_text().startswith("Points") and run.js("() => document.querySelectorAll('.leaflet-popup').length") == 1
        assert run.errors == []
    finally:
        context.close()


def test_tooltips_and_popups_take_explores_localize_sticky_and_max_width(tmp_path: Path, browser):
    """explore passes tooltip_kwds and popup_kwds on to folium: localize (numbers with the
    language's separators), a tooltip's sticky, a popup's max_width. They were refused."""
    squares, _ = _coloured_frames()
    reach = squares.assign(people=[v * 12345.5 for v in SQUARE_VALUES]).iloc[[7]]  # 61,727,500
    story = storymap.load(GEODATA)
    story.add_layer(reach, "Reach", tooltip=["people"], popup=["people"],
                    tooltip_kwds={"localize": True, "sticky": False}, popup_kwds={"localize": True, "max_width": 120})
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        run = PageRun(context.new_page()).open(story.save(tmp_path / "index.html"), STEPS[0])
        box = reach.geometry.iloc[0]
        centre = box.centroid
        run.js(f"() => void {ROOT_JS}.storymap.map.setView([{centre.y}, {centre.x}], 9, {{animate: false}})")
        run.page.wait_for_function(f"() => {ROOT_JS}.storymap.layers.Reach._view && {ROOT_JS}.storymap.layers.Reach._view.zoom === 9")
        x, y = _point_on_screen(run, centre.y, centre.x)
        at = "() => document.querySelector('.leaflet-tooltip.storymap-hover')._leaflet_pos"
        run.page.mouse.move(x - 30, y + 20)
        tip = run.page.wait_for_selector(".leaflet-tooltip.storymap-hover", timeout=3000)
        assert tip.inner_text() == "people: 61,727,500"
        first = run.js(at)
        run.page.mouse.move(x + 30, y - 20)  # (not sticky: it stays at the feature)
        run.page.wait_for_timeout(100)
        assert run.js(at) == first
        run.js(f"() => void {ROOT_JS}.storymap.setLanguage('es')")
        run.page.mouse.move(x, y + 300)
        run.page.mouse.move(x, y)
        run.page.wait_for_function("""() => (document.querySelector('.leaflet-tooltip.storymap-hover') || {}).innerText
          === 'people: 61.727.500'""", timeout=3000)
        run.page.mouse.click(x, y)
        popup = run.page.wait_for_selector(".leaflet-popup-content", timeout=3000)
        assert "61.727.500" in popup.inner_text()
        assert run.js("() => document.querySelector('.leaflet-popup-content').getBoundingClientRect().width") <= 121
        assert run.errors == []
    finally:
        context.close()


def test_a_layers_colour_key_keeps_its_colours_in_high_contrast(coloured_page: Path, make_page):
    # Windows' high contrast (forced colours) kept the map's colours but made every swatch of a
    # layer's key the same empty box: four kinds of site could no longer be told apart.
    run = make_page(forced_colors="active").open(coloured_page, STEPS[0])
    swatches = run.js(f"""() => [...{ROOT_JS}.querySelectorAll('.storymap-legend-item[data-layer="Sites"] .storymap-legend-class .storymap-swatch')]
      .map((s) => getComputedStyle(s).backgroundColor)""")
    assert len(swatches) == len(KINDS) and len(set(swatches)) == len(KINDS), swatches
    assert run.errors == []
