"""The story in the engines beside the suite's Chromium: WebKit, the engine of Safari (and of every
browser on an iPhone), and Firefox's Gecko (tests/engines.py drives them). In each, the page opens
under its own security policy with no error; every step keeps its labels in the free map, in
English and (on a phone) in Spanish; the buttons and the arrow keys step through; the canal step's
basemap draws Gatún Lake as water, on the canvas and on the screen; axe-core finds nothing; in a
news site's article the story keeps its own styles, the site's script still works and the iframe
takes the height its story tells it; and layers added in Python (a layer coloured by a column, a
folium plugin) draw.

At a desktop's 1280×800 and a phone's width: Firefox at 390×844; WebKitGTK's window is at least
447 px wide, so WebKit at 480×844 (the phone layout, the map above and the text in a sheet below,
starts under 900)."""

from __future__ import annotations

import json
from itertools import accumulate
from pathlib import Path

import pytest

import storymap

from .conftest import AXE_LOADED_JS, AXE_RUN_JS, GEODATA, ROOT as REPO, _no_browser, axe_options
from .geometry import FOCUS_JS, GEOMETRY_JS, country_name_problems, label_problems
from .pdfs import HEADINGS_JS, pdf_page_feet, stranded

pytestmark = pytest.mark.browser

ENGINES = ("webkit", "firefox")
DESKTOP = (1280, 800)
PHONE = {"webkit": (480, 844), "firefox": (390, 844)}
SEA, LAND = (201, 221, 232), (243, 239, 230)
ROOT = "document.querySelector('[data-storymap]')"

# Runs first in the page (before its security policy, which then holds for all that follows):
# records uncaught errors, rejected promises and what the policy blocked.
RECORDER = ("<script>window.__problems=[];"
            "addEventListener('error',function(e){__problems.push('error: '+e.message)});"
            "addEventListener('unhandledrejection',function(e){__problems.push('unhandled: '+e.reason)});"
            "document.addEventListener('securitypolicyviolation',function(e){"
            "__problems.push('policy: '+e.violatedDirective+' '+e.blockedURI)});</script>")

# Settles once the story is ready and no view change is pending, two frames later (labels are
# placed when the view settles, and are on screen a frame after): the step's index.
SETTLED = f"""new Promise((done) => {{
  const tick = () => {{ const root = {ROOT};
    if (!root || !root.storymap || !root.storymap.ready || root.hasAttribute('data-storymap-moving')) return setTimeout(tick, 30);
    requestAnimationFrame(() => requestAnimationFrame(() => done(root.storymap.index)));
  }};
  tick(); }})"""

PROBLEMS = "window.__problems"


@pytest.fixture(scope="module", params=ENGINES)
def engine(request):
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    """The Panama story as build.py writes it (both languages), the recorder put first in its head."""
    out = tmp_path_factory.mktemp("engines")
    return _recorded(storymap.load(GEODATA).save(out / "built.html").read_text("utf-8"), out / "panama.html")


def _recorded(html: str, path: Path) -> Path:
    """``html`` written to ``path`` with the RECORDER first in its head."""
    head = html.index('<meta charset="utf-8">') + len('<meta charset="utf-8">')
    path.write_text(html[:head] + RECORDER + html[head:], "utf-8")
    return path


def _open(engine, path: Path, size: tuple[int, int], after: str = "") -> None:
    engine.open(path, size, after)
    engine.evaluate(SETTLED)
    assert engine.evaluate("[innerWidth, innerHeight]")[0] == size[0]


def _go(engine, i: int) -> dict:
    """Step i, without the flight, and what a reader sees there (GEOMETRY_JS)."""
    return engine.evaluate(f"""(() => {{ {ROOT}.storymap.goTo({i}, {{animate: false}});
      return {SETTLED}.then(() => ({GEOMETRY_JS})()); }})()""")


@pytest.mark.parametrize("screen, lang", [("desktop", "en"), ("phone", "en"), ("phone", "es")])
def test_every_step_keeps_its_labels_in_the_free_map(engine, page, screen, lang):
    size = DESKTOP if screen == "desktop" else PHONE[engine.name]
    _open(engine, page, size, "?lang=es" if lang == "es" else "")
    assert engine.evaluate("document.documentElement.lang") == lang
    n = engine.evaluate(f"{ROOT}.storymap.steps.length")
    steps = [_go(engine, i) for i in range(n)]
    assert [g["index"] for g in steps] == list(range(n))
    assert label_problems(steps) == {}
    assert country_name_problems(steps) == {}
    for g in steps:
        assert sorted(k for k in g["legend"] if k) == sorted(g["kinds"]), g["index"]
        # Next is on the screen, whole.
        assert 0 <= g["next"]["t"] and g["next"]["b"] <= g["screen"][1], g["index"]
    # On a phone the legend starts as a small closed button.
    assert steps[0]["legendOpen"] is (screen == "desktop")
    assert engine.evaluate(PROBLEMS) == []


def test_the_buttons_and_the_arrow_keys_step_through(engine, page):
    _open(engine, page, DESKTOP)
    state = f"""(() => {{ const s = {ROOT}.storymap, shown = document.querySelectorAll('.storymap-step:not([hidden])');
      return [s.index, location.hash, shown.length, shown[0].getAttribute('data-step'),
              document.querySelector('.storymap-counter').textContent.trim()]; }})()"""
    assert engine.evaluate(state) == [0, "", 1, "overview", "1 / 11"]
    engine.click(".storymap-next")
    assert engine.evaluate(SETTLED) == 1
    assert engine.evaluate(state) == [1, "#first-talks", 1, "first-talks", "2 / 11"]
    # The arrow keys (on the page, from the button that has the focus), End and Home; the buttons.
    for action, arg, index in (("key", "ArrowRight", 2), ("key", "ArrowLeft", 1), ("key", "End", 10), ("key", "Home", 0),
                               ("click", ".storymap-next", 1), ("click", ".storymap-prev", 0)):
        getattr(engine, action)(arg)
        assert engine.evaluate(SETTLED) == index, (action, arg)
    assert engine.evaluate(state)[:4] == [0, "#overview", 1, "overview"]
    assert engine.evaluate(PROBLEMS) == []


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_tab_reaches_next_within_12_and_every_stop_is_named(engine, page, screen):
    _open(engine, page, DESKTOP if screen == "desktop" else PHONE[engine.name])
    stops = []
    while len(stops) < 12 and not (stops and stops[-1]["next"]):
        engine.key("Tab")
        stops.append(engine.evaluate(f"({FOCUS_JS})()"))
    assert stops[-1]["next"], [s["label"] for s in stops]
    # Next works. (Clicked: through WebDriver BiDi, Firefox's keys reach the page, but Enter and
    # Space on a focused button click nothing, in any page.)
    engine.click(".storymap-next")
    assert engine.evaluate(SETTLED) == 1
    for _ in range(30):  # and on, through the step's text and places
        engine.key("Tab")
        stops.append(engine.evaluate(f"({FOCUS_JS})()"))
    assert all(s["label"] for s in stops), [s for s in stops if not s["label"]]
    assert not any(s["tag"].lower() == "path" for s in stops)  # map shapes are out of the Tab order
    assert engine.evaluate(PROBLEMS) == []


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_gatun_lake_is_water_on_the_canvas_and_on_the_screen(engine, page, screen):
    _open(engine, page, DESKTOP if screen == "desktop" else PHONE[engine.name], "#the-canal")
    # Points in the lake, beside the canal's line, and on dry ground east of it: where they are on
    # the screen, whether the map shows there (no panel, control or country name over it), and the basemap
    # canvas's pixel there. The first of each that the map shows is read from the screenshot.
    lake = [[9.15, -79.95], [9.2, -79.9]]
    ground = [[9.05, -79.75], [9.25, -79.7], [9.0, -79.6]]
    points = engine.evaluate(f"""(() => {{ const map = {ROOT}.storymap.map, box = map.getContainer().getBoundingClientRect();
      const canvas = document.querySelector('.leaflet-storymapBasemap-pane canvas'), c = canvas.getBoundingClientRect();
      const ctx = canvas.getContext('2d'), covers = document.querySelectorAll('.storymap-panel, .leaflet-control, .storymap-country-label');
      return {lake + ground}.map((at) => {{
        const p = map.latLngToContainerPoint(at), x = box.left + p.x, y = box.top + p.y;
        const free = x > box.left && x < box.right && y > box.top && y < box.bottom && !Array.from(covers).some((e) => {{
          const r = e.getBoundingClientRect(); return r.width && x >= r.left - 2 && x <= r.right + 2 && y >= r.top - 2 && y <= r.bottom + 2; }});
        const pixel = ctx.getImageData(Math.round((x - c.left) * canvas.width / c.width),
                                       Math.round((y - c.top) * canvas.height / c.height), 1, 1).data;
        return [x, y, free, [pixel[0], pixel[1], pixel[2]]];
      }}); }})()""")
    # (The story's own layers hidden: at a phone's zoom the canal's line covers the ground beside it.)
    engine.evaluate("document.querySelectorAll('.leaflet-map-pane > .leaflet-pane:not(.leaflet-storymapBasemap-pane)')"
                    ".forEach((p) => { p.style.visibility = 'hidden'; })")
    engine.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    shot = engine.screenshot()
    scale = shot.width / engine.evaluate("innerWidth")

    def near(a, b):
        return max(abs(x - y) for x, y in zip(a, b)) <= 6

    on_lake, on_ground = points[:len(lake)], points[len(lake):]
    assert all(near(p[3], SEA) for p in on_lake) and all(near(p[3], LAND) for p in on_ground), points
    shown = [next(shot.getpixel((round(x * scale), round(y * scale))) for x, y, free, _ in group if free)
             for group in (on_lake, on_ground)]
    assert near(shown[0], SEA) and near(shown[1], LAND), shown
    assert engine.evaluate(PROBLEMS) == []


def _axe(engine) -> list:
    """axe-core's violations in the page as it is now (conftest.axe_violations, in this engine)."""
    from axe_playwright_python.base import AXE_SCRIPT

    if not engine.evaluate(f"({AXE_LOADED_JS})()"):
        engine.run(AXE_SCRIPT)
    return engine.evaluate(f"({AXE_RUN_JS})({json.dumps(axe_options())})")


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_axe_finds_nothing_at_the_first_and_the_canal_step(engine, page, screen):
    _open(engine, page, DESKTOP if screen == "desktop" else PHONE[engine.name])
    assert _axe(engine) == []
    assert _go(engine, 5)["index"] == 5  # (the canal: the step with a picture, its profile)
    assert _axe(engine) == []
    assert engine.evaluate(PROBLEMS) == []


def test_a_page_printed_in_firefox_never_ends_on_a_heading(firefox, page):
    """Firefox ignores break-after: avoid, so its print ended pages on a place's name ("Pacific
    maritime trafficking corridor"), the line under one, or a step's "Places on the map (18)", what
    they head on the next page. (WebKitGTK's WebDriver server cannot print.)"""
    _open(firefox, page, DESKTOP)
    feet = pdf_page_feet(firefox.print_pdf())
    headings = firefox.evaluate(HEADINGS_JS)
    assert "Pacific maritime trafficking corridor" in headings and len(feet) > 20
    assert stranded(feet, headings) == []


#: A German story's places (approximate positions, in Bonn): one name a compound longer than a
#: label's line, one that fits.
GERMAN = {"ministerium": ("Bundesverteidigungsministerium", 7.043, 50.697), "zoll": ("Generalzolldirektion", 7.104, 50.724)}
#: The long name's syllables: where a German hyphenation may break it.
SYLLABLES = "Bun-des-ver-tei-di-gungs-mi-nis-te-ri-um"

#: Each shown map label's names as drawn, a line at a time (a character's box lower than the one
#: before starts a line), and whether every character lies inside the label's box (none cut off).
#: (A character's widest box: WebKit gives the first after a hyphen a box of no width at the end of
#: the line before too.)
LABEL_LINES_JS = """Array.from(document.querySelectorAll('.storymap-label'))
  .filter((label) => label.offsetWidth && getComputedStyle(label).visibility !== 'hidden').map((label) => {
    const box = label.getBoundingClientRect(), range = document.createRange(), names = [];
    let inside = true;
    label.querySelectorAll('.storymap-label-text').forEach((text) => {
      const t = text.firstChild, lines = [];
      let top = null, line = '';
      for (let i = 0; i < t.length; i++) {
        range.setStart(t, i); range.setEnd(t, i + 1);
        const r = Array.from(range.getClientRects()).reduce((a, b) => (!a || b.width > a.width ? b : a), null);
        if (r && top !== null && r.top > top + 3) { lines.push(line); line = ''; }
        if (r) { top = r.top; inside = inside && r.left >= box.left - 0.5 && r.right <= box.right + 0.5 && r.bottom <= box.bottom + 0.5; }
        line += t.data[i];
      }
      names.push(lines.concat([line]));
    });
    return {names, inside}; })"""


def _broken_words(names: list[list[str]]) -> list[tuple[str, str]]:
    """Where a name's line ends inside a word: (the line, the next)."""
    return [(a, b) for lines in names for a, b in zip(lines, lines[1:]) if a[-1:].isalpha() and b[:1].isalpha()]


@pytest.fixture(scope="module")
def german(page) -> Path:
    from .test_any_story import feature, point, write_story

    toml = 'title = "Bonn"\nlang = "de"\n[[steps]]\nid = "bonn"\ntitle = "Bonn"\nplaces = ["ministerium", "zoll"]\n'
    folder = write_story(page.parent / "german", toml,
                         [feature(pid, point(x, y), name=name) for pid, (name, x, y) in GERMAN.items()])
    return _recorded(storymap.load(folder).save(page.parent / "german0.html").read_text("utf-8"),
                     page.parent / "german.html")


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_long_german_name_breaks_between_syllables(engine, german, page, screen):
    """A name longer than a label's line broke wherever the line ran out, with no hyphen
    ("Bundesverteidigung" over "sministerium"). A word of 18 characters or more is hyphenated in
    the story's language now, which Firefox does with its own dictionaries and WebKit with the
    system's (Debian's hyphen-de; Chromium takes its own from a download this machine refuses),
    WebKit told by its own limits before and after a break, as it knows no hyphenate-limit-chars:
    the name breaks between two of its syllables, wholly inside its label. Shorter words stay
    whole: the Panama story's labels break between words only (hyphenating every word, Firefox
    wrote "SOCSOUTH headquar-ters")."""
    if engine.name == "webkit" and not list(Path("/usr/share/hyphen").glob("hyph_de*.dic")):
        _no_browser("WebKitGTK has no German hyphenation dictionary (Debian: apt-get install hyphen-de)")
    size = DESKTOP if screen == "desktop" else PHONE[engine.name]
    _open(engine, german, size)
    labels = engine.evaluate(LABEL_LINES_JS)
    word = "Bundesverteidigungsministerium"
    long = [label for label in labels if word in "".join(label["names"][0])]
    assert len(long) == 1 and long[0]["inside"], labels
    lines = next(lines for lines in long[0]["names"] if word in "".join(lines))
    assert len(lines) > 1 and "…" not in "".join(lines), lines
    start = "".join(lines).index(word)
    breaks = [end - start for end in accumulate(len(line) for line in lines[:-1]) if start < end < start + len(word)]
    syllables = SYLLABLES.split("-")
    allowed = {len("".join(syllables[:i])) for i in range(1, len(syllables))}
    assert breaks and set(breaks) <= allowed, lines
    assert engine.evaluate(PROBLEMS) == []
    _open(engine, page, size)
    broken = []
    for i in range(engine.evaluate(f"{ROOT}.storymap.steps.length")):
        _go(engine, i)
        broken += [(i, pair) for label in engine.evaluate(LABEL_LINES_JS) for pair in _broken_words(label["names"])]
    assert broken == []


@pytest.fixture(scope="module")
def article(page) -> Path:
    """examples/news-article.html as build.py fills it: the story as a fragment among the site's
    own styles and script, and the standalone page in an iframe (`storymap embed`'s snippet)."""
    story = storymap.load(GEODATA)
    html = (REPO / "examples" / "news-article.html").read_text("utf-8")
    html = html.replace("<!-- storymap:fragment -->", story.to_html(fragment=True))
    html = html.replace("<!-- storymap:iframe -->", storymap.embed_snippet(page.name, title=story.title))
    return _recorded(html, page.parent / "article.html")


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_the_story_in_a_news_article(engine, article, screen):
    _open(engine, article, DESKTOP if screen == "desktop" else PHONE[engine.name])
    # The site's type and button styles stay out of the story, and its script still works.
    looks = engine.evaluate(f"""(() => {{ const root = {ROOT}, css = (s) => getComputedStyle(root.querySelector(s));
      return [css('.storymap-step-title').fontFamily, css('.storymap-next').textTransform,
              css('.storymap-next').letterSpacing, css('.storymap-narrative p').fontFamily]; }})()""")
    assert looks[0].startswith("system-ui") and looks[3] == looks[0], looks  # (the site's are Arial and Georgia)
    assert looks[1:3] == ["none", "normal"], looks
    engine.click("#share")
    assert engine.evaluate("document.getElementById('shares').textContent") == "1 share"
    # The story steps on in the page, its labels in its free map.
    steps = [_go(engine, i) for i in (0, 5)]
    assert label_problems(steps) == {}
    # The iframe's story: its height told to the page and taken (no longer the snippet's 640 px).
    engine.evaluate("document.querySelector('iframe[data-storymap-frame]').scrollIntoView()")
    height = engine.evaluate("""new Promise((done) => { const frame = document.querySelector('iframe[data-storymap-frame]');
      const tick = (n) => (frame.style.height !== '640px' || n > 100) ? done(frame.style.height) : setTimeout(() => tick(n + 1), 50);
      tick(0); })""")
    assert height != "640px"
    assert engine.evaluate(PROBLEMS) == []


@pytest.fixture(scope="module")
def layered(page) -> Path:
    """The Panama story with layers added in Python: ten squares coloured by a column in five
    quantile classes (as GeoDataFrame.explore colours them), and a folium plugin (Leaflet.markercluster,
    its files from the xstatic package) clustering four markers."""
    import folium
    import geopandas as gpd
    import shapely
    import xstatic.pkg.leaflet_markercluster as markercluster
    from folium.plugins import MarkerCluster

    story = storymap.load(GEODATA)
    squares = gpd.GeoDataFrame({"name": [f"Square {i}" for i in range(10)], "people": [3, 40, 7, 900, 15, 120, 60, 5000, 1, 250]},
                               geometry=[shapely.box(-82.0 + 0.45 * i, 8.1, -82.0 + 0.45 * i + 0.35, 8.45) for i in range(10)],
                               crs="EPSG:4326")
    story.add_layer(squares, "People", column="people", scheme="quantiles", k=5, tooltip=["name", "people"])
    cluster = MarkerCluster()
    for lat, lon in [(9.0, -79.5), (9.05, -79.55), (8.95, -79.45), (9.1, -79.6)]:
        folium.Marker([lat, lon]).add_to(cluster)
    story.add_layer(cluster, "Cluster", assets=markercluster.BASE_DIR)
    return _recorded(story.save(page.parent / "layered0.html", languages=["en"]).read_text("utf-8"),
                     page.parent / "layered.html")


def test_layers_added_in_python_draw(engine, layered):
    _open(engine, layered, DESKTOP, "#border-service")
    drawn = engine.evaluate(f"""(() => {{ const sm = {ROOT}.storymap, layer = sm.layers.People;
      const c = layer._container, ctx = c.getContext('2d'), ratio = c.width / parseFloat(c.style.width);
      const legend = Array.from(document.querySelectorAll('.storymap-legend-item')).map((r) => r.textContent.trim());
      const count = (l) => l.getLayers ? l.getLayers().reduce((n, c) => n + count(c), 0) : 1;
      const fills = Array.from({{length: 10}}, (_, i) => {{
        const p = sm.map.latLngToLayerPoint([8.275, -82.0 + 0.45 * i + 0.175]).subtract(layer._bounds.min);
        return Array.from(ctx.getImageData(Math.round(p.x * ratio), Math.round(p.y * ratio), 1, 1).data).join();
      }});
      return {{legend, fills, clusters: document.querySelectorAll('.marker-cluster').length,
               markers: count(sm.layers.Cluster)}}; }})()""")
    assert any(t.startswith("People") for t in drawn["legend"]) and "Cluster" in drawn["legend"], drawn["legend"]
    # Every square drawn, half see-through (explore's fill), in one of five colours (the classes; an
    # engine may round a channel a unit differently); the cluster holds its markers.
    fills = [[int(v) for v in f.split(",")] for f in drawn["fills"]]
    classes: list[list[int]] = []
    for rgba in fills:
        assert abs(rgba[3] - 128) <= 2, fills
        if not any(max(abs(a - b) for a, b in zip(rgba, c)) <= 4 for c in classes):
            classes.append(rgba)
    assert len(classes) == 5, fills
    assert drawn["markers"] == 4 and drawn["clusters"] >= 1, drawn
    assert engine.evaluate(PROBLEMS) == []


@pytest.fixture(scope="module")
def boxes(page) -> Path:
    """The Panama story in English set in its own font, inlined as WOFF2: a regular and a bold face
    whose every glyph is a box 0.9 em wide (an "i" is about 0.25 em in any other font)."""
    from .fontmaker import box_font

    files = []
    for weight in (400, 700):
        files.append(page.parent / f"boxes-{weight}.woff2")
        files[-1].write_bytes(box_font("Storymap Boxes", weight=weight, flavor="woff2"))
    story = storymap.load(GEODATA)
    story.theme = {"font": "Storymap Boxes, sans-serif", "font_files": files}
    return _recorded(story.save(page.parent / "boxes0.html", languages=["en"]).read_text("utf-8"),
                     page.parent / "boxes.html")


def test_the_storys_own_font_is_used_and_its_labels_fit(engine, boxes):
    """The story's inlined font (font-src data: in the page's policy) sets the text and the map's
    labels in each engine, and every step's labels fit the free map."""
    _open(engine, boxes, DESKTOP)
    assert engine.evaluate("""document.fonts.ready.then(() => document.fonts.check('16px "Storymap Boxes"') &&
      document.fonts.check('bold 16px "Storymap Boxes"'))""")
    widths = engine.evaluate("""Array.from(document.querySelectorAll('.storymap-narrative, .storymap-title, .storymap-label'))
      .filter((n) => n.offsetWidth).slice(0, 3).map((host) => { const s = document.createElement('span');
        s.textContent = 'iiii'; host.appendChild(s);
        const w = s.getBoundingClientRect().width / parseFloat(getComputedStyle(s).fontSize); s.remove();
        return Math.round(w * 100) / 100; })""")
    # (Four boxes: 3.6 em; WebKitGTK rounds each advance to whole pixels. Any other font: about 1.)
    assert len(widths) == 3 and all(3.5 <= w <= 3.8 for w in widths), widths
    steps = [_go(engine, i) for i in range(engine.evaluate(f"{ROOT}.storymap.steps.length"))]
    assert label_problems(steps) == {}
    assert engine.evaluate(PROBLEMS) == []
