"""Time in Chromium: layers added with ``time=`` follow the dated steps (``featureCount()``, its
``featurecount`` event, what the canvas draws), and the timeline (its marks in time order,
``aria-current``, the keyboard, a phone)."""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import storymap

from .conftest import GEODATA, PageRun
from .layers_data import random_points
from .test_a11y import MAP_SHARE_JS

pytestmark = pytest.mark.browser

ROOT = "document.querySelector('[data-storymap]')"
STORY = storymap.load(GEODATA)
STEPS = STORY.steps
TALKS = (-79.53472, 8.97111)  # the talks marker (Panama City), the view of first-talks and jcet-training
EARLY, LATE = "2000-01-01", "2025-02-19"
SPANISH_TITLES = {sid: texts["title"] for sid, texts in
                  tomllib.loads((GEODATA / "story.es.toml").read_text("utf-8"))["steps"].items()}


def dated(n: int = 3000, seed: int = 9) -> gpd.GeoDataFrame:
    """Random points in Panama, dated 1900–2030 (every tenth without a date)."""
    points = random_points(n, seed)
    rng = np.random.default_rng(seed)
    when = pd.Series((np.datetime64("1900-01-01") + rng.integers(0, 47_000, n)).astype(str), dtype=object)
    when[::10] = None
    points["when"] = when.to_numpy()
    return points


POINTS = dated()
AREAS = POINTS.iloc[:400].copy()
AREAS["geometry"] = AREAS.to_crs("EPSG:32617").geometry.buffer(3000, cap_style="square").to_crs("EPSG:4326")
# Two big points beside the talks marker: one dated long before every step, one on the last day
# of February 2025 that any step shows (jcet-training), after first-talks.
PINS = gpd.GeoDataFrame({"name": ["early", "late"], "when": [EARLY, LATE]},
                        geometry=gpd.points_from_xy([TALKS[0] - 0.05, TALKS[0] + 0.05], [TALKS[1] + 0.02] * 2),
                        crs="EPSG:4326")


def expected_count(frame: gpd.GeoDataFrame, step: storymap.Step, mode: str) -> int:
    """What the layer should show at a step, computed here from the dates (not the page's numbers)."""
    span = step.time
    if span is None:
        return len(frame)
    when = frame["when"].map(lambda v: dt.date.fromisoformat(v) if isinstance(v, str) else None)
    inside = [d is not None and (mode == "cumulative" or d >= span.start) and d <= span.end for d in when]
    return sum(inside)


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    story = storymap.load(GEODATA)
    story.add_layer(POINTS, "Events", time="when", tooltip="name")
    story.add_layer(POINTS, "Window", time="when", time_mode="window")
    story.add_layer(AREAS, "Areas", time="when", steps=[s.id for s in STEPS[:6]])
    story.add_layer(PINS, "Pins", time="when", style={"radius": 10, "fillColor": "#d55e00"})
    story.add_layer(POINTS, "Plain")
    return story.save(tmp_path_factory.mktemp("timeline") / "index.html")


@pytest.fixture(scope="module")
def desktop(browser, page_file: Path):
    """One page for the module's desktop tests (they run in order and leave it where they like);
    offline, so that no tile is asked for (the embedded basemap shows)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
    context.set_offline(True)
    run = PageRun(context.new_page())
    run.open(page_file)
    yield run
    context.close()


def go(run: PageRun, step) -> None:
    run.js(f"(s) => {{ {ROOT}.storymap.goTo(s); }}", step)  # (braces: goTo returns the story, not to be serialized)
    run.settle()


def counts(run: PageRun) -> dict:
    return run.js(f"""() => {{ const layers = {ROOT}.storymap.layers, out = {{}};
      for (const name of ['Events', 'Window', 'Areas', 'Pins', 'Plain']) out[name] = layers[name].featureCount();
      return out; }}""")


# Layers that follow time ---------------------------------------------------------------------------

def test_feature_count_follows_each_step_and_fires_when_it_changes(desktop: PageRun):
    run = desktop
    go(run, 0)
    run.js(f"""() => {{ window.__events = [];
      for (const name of ['Events', 'Window', 'Plain'])
        {ROOT}.storymap.layers[name].on('featurecount', (e) => window.__events.push([name, e.count])); }}""")
    previous = counts(run)
    expected_events = []
    for i, step in enumerate(STEPS + STEPS[:1]):
        go(run, i % len(STEPS))
        found = counts(run)
        want = {"Events": expected_count(POINTS, step, "cumulative"), "Window": expected_count(POINTS, step, "window"),
                "Areas": expected_count(AREAS, step, "cumulative"), "Pins": expected_count(PINS, step, "cumulative"),
                "Plain": len(POINTS)}
        assert found == want, (step.id, found, want)
        expected_events += [[name, found[name]] for name in ("Events", "Window", "Plain")
                            if found[name] != previous[name]]
        previous = found
    # An undated step shows everything (features without a date too); a dated one never shows those.
    undated = next(s for s in STEPS if s.time is None)
    assert expected_count(POINTS, undated, "cumulative") == len(POINTS) > POINTS["when"].notna().sum()
    # One event per change, with the new count, and none when the count stays.
    assert run.js("() => window.__events") == expected_events
    assert expected_events and not any(name == "Plain" for name, _ in expected_events)
    assert run.errors == []


PIXEL_JS = """(name) => { const sm = document.querySelector('[data-storymap]').storymap, layer = sm.layers[name];
  layer.redraw();
  const v = layer._view, canvas = layer._container, ratio = canvas.width / v.w;
  return [[%s], [%s]].map(([lat, lng]) => {
    const p = sm.map.project([lat, lng], v.zoom);
    const x = Math.round((p.x - v.x) * ratio), y = Math.round((p.y - v.y) * ratio);
    return canvas.getContext('2d').getImageData(x, y, 1, 1).data[3]; }); }""" % (
    f"{TALKS[1] + 0.02}, {TALKS[0] - 0.05}", f"{TALKS[1] + 0.02}, {TALKS[0] + 0.05}")


def test_the_canvas_draws_only_what_the_step_shows(desktop: PageRun):
    run = desktop
    go(run, "first-talks")  # 18 Feb 2025: the late pin (19 Feb) is not there yet
    assert run.js(f"() => {ROOT}.storymap.map.hasLayer({ROOT}.storymap.layers.Pins)")
    early, late = run.js(PIXEL_JS, "Pins")
    assert early > 0 and late == 0, (early, late)
    go(run, "jcet-training")  # 19 Feb 2025: both
    early, late = run.js(PIXEL_JS, "Pins")
    assert early > 0 and late > 0, (early, late)
    go(run, "what-lies-ahead")  # undated: both
    assert run.js(f"() => {ROOT}.storymap.layers.Pins.featureCount()") == 2
    assert run.errors == []


# The timeline --------------------------------------------------------------------------------------

def chronological() -> list[str]:
    dated_steps = [(s.time.days, i, s.id) for i, s in enumerate(STEPS) if s.time is not None]
    return [sid for _, _, sid in sorted(dated_steps)]


MARKS_JS = """() => [...document.querySelectorAll('[data-storymap-timeline] [data-step]')].map((b) => ({
  id: b.dataset.step, tag: b.tagName, current: b.getAttribute('aria-current'), label: b.title,
  inMap: !!b.closest('.storymap-map')}))"""


def test_one_mark_per_dated_step_in_time_order_and_the_current_one(desktop: PageRun):
    run = desktop
    marks = run.js(MARKS_JS)
    assert [m["id"] for m in marks] == chronological()
    assert len(marks) == sum(1 for s in STEPS if s.time) < len(STEPS)
    titles = {s.id: s.title for s in STEPS}
    assert all(m["tag"] == "BUTTON" and m["inMap"] and m["label"].endswith(": " + titles[m["id"]]) for m in marks)
    assert run.js("() => document.querySelector('[data-storymap-timeline]').getAttribute('aria-label')") == "Timeline"
    # A screen reader hears each mark's date and title once: as its name, not again as its
    # description (a name from aria-label left the title to describe the mark), nor its year.
    tree = run.page.context.new_cdp_session(run.page).send("Accessibility.getFullAXTree")["nodes"]
    heard = {n["name"]["value"]: n.get("description", {}).get("value", "") for n in tree
             if not n.get("ignored") and n.get("role", {}).get("value") == "button"
             and n.get("name", {}).get("value") in {m["label"] for m in marks}}
    assert len(heard) == len(marks) and set(heard.values()) == {""}, heard
    for i, step in enumerate(STEPS):
        go(run, i)
        current = [m["id"] for m in run.js(MARKS_JS) if m["current"] is not None]
        assert current == ([step.id] if step.time else []), step.id
        if step.time:
            assert run.js(f"() => document.querySelector('[data-step=\"{step.id}\"][aria-current=step]').offsetWidth")
    go(run, "fuerzas-comando-2024")
    now = run.js("() => document.querySelector('[data-storymap-timeline] p').textContent")
    assert now == next(m["label"] for m in run.js(MARKS_JS) if m["id"] == "fuerzas-comando-2024").split(": ")[0]
    assert re.sub(r"\s", " ", now) == "May 12 – 24, 2024"  # (Intl's range in English, with thin spaces)
    assert run.errors == []


def test_the_keyboard_reaches_a_mark_and_moves_to_its_step(desktop: PageRun):
    run = desktop
    go(run, "overview")
    order = chronological()
    run.page.focus(".storymap-map")
    run.page.keyboard.press("Tab")  # right after the map: the row, at the current step's mark
    assert run.js("() => document.activeElement.dataset.step") == "overview"
    assert run.js("() => document.activeElement.getAttribute('aria-current')") == "step"
    run.page.keyboard.press("Home")  # ←/→/Home/End move between the marks; the row is one Tab stop
    assert run.js("() => document.activeElement.dataset.step") == order[0]
    run.page.keyboard.press("ArrowRight")
    assert run.js("() => document.activeElement.dataset.step") == order[1]
    run.page.keyboard.press("Enter")
    run.settle()
    assert run.js(f"() => {ROOT}.storymap.index") == [s.id for s in STEPS].index(order[1])
    assert run.js("() => document.activeElement.getAttribute('aria-current')") == "step"
    run.page.keyboard.press("ArrowRight")
    run.page.keyboard.press(" ")
    run.settle()
    assert run.js(f"() => {ROOT}.storymap.steps[{ROOT}.storymap.index].id") == order[2]
    assert run.js("() => location.hash") == f"#{order[2]}"
    # Tab leaves the row at once: one stop, whichever mark has the focus.
    run.page.keyboard.press("Tab")
    assert run.js("() => document.activeElement.closest('[data-storymap-timeline]')") is None
    # A click on a mark goes there too (and does not reach the map: no drag, no popup closed).
    run.page.click(f"[data-storymap-timeline] [data-step='{order[-1]}']")
    run.settle()
    assert run.js(f"() => {ROOT}.storymap.steps[{ROOT}.storymap.index].id") == order[-1]
    assert run.errors == []


def test_the_marks_follow_the_language(desktop: PageRun):
    run = desktop
    go(run, "first-talks")
    english = {m["id"]: m["label"] for m in run.js(MARKS_JS)}
    run.js(f"() => {{ {ROOT}.storymap.setLanguage('es'); }}")
    spanish = {m["id"]: m for m in run.js(MARKS_JS)}
    title = SPANISH_TITLES["first-talks"]
    assert spanish["first-talks"]["label"] == "18 feb 2025: " + title, spanish["first-talks"]
    assert spanish["first-talks"]["current"] == "step"
    assert run.js("() => document.querySelector('[data-storymap-timeline]').getAttribute('aria-label')") == "Cronología"
    assert run.js("() => document.querySelector('[data-storymap-timeline] p').textContent") == "18 feb 2025"
    run.js(f"() => {{ {ROOT}.storymap.setLanguage('en'); }}")
    assert {m["id"]: m["label"] for m in run.js(MARKS_JS)} == english
    assert english["first-talks"] == "Feb 18, 2025: " + STORY.steps[1].title
    assert run.errors == []


def test_on_a_phone_the_row_scrolls_to_the_current_mark(make_page, page_file: Path):
    run = make_page((390, 844)).open(page_file)
    row = "document.querySelector('[data-storymap-timeline] ol')"
    assert run.js(f"() => {row}.scrollWidth > {row}.clientWidth")  # more marks than the row shows
    for step in chronological() + chronological()[::-1][1:]:  # to the latest, and back
        go(run, step)
        run.page.wait_for_function(f"""(id) => {{ const m = document.querySelector('[data-storymap-timeline] [data-step="' + id + '"]');
          const a = m.getBoundingClientRect(), r = {row}.getBoundingClientRect();
          return a.left >= r.left - 0.5 && a.right <= r.right + 0.5; }}""", arg=step, timeout=2000)
    assert run.js(f"() => {row}.scrollLeft") == 0  # back at the earliest mark: the row's start
    assert run.errors == []


def test_destroy_puts_the_timeline_back(desktop: PageRun):
    run = desktop
    state = run.js(f"""() => {{ const root = {ROOT}; root.storymap.destroy();
      const box = root.querySelector('[data-storymap-timeline]');
      return {{hidden: box.hidden, children: box.children.length,
               afterMap: box.previousElementSibling.classList.contains('storymap-map'),
               map: root.querySelector('.storymap-map').children.length}}; }}""")
    assert state == {"hidden": True, "children": 0, "afterMap": True, "map": 0}


def test_the_timeline_fits_a_phone(browser, page_file: Path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, reduced_motion="reduce", is_mobile=True,
                                  has_touch=True)
    context.set_offline(True)
    try:
        run = PageRun(context.new_page()).open(page_file, chronological()[-1])
        assert run.js("() => document.documentElement.scrollWidth <= innerWidth")
        box = run.js("""() => { const r = document.querySelector('[data-storymap-timeline]').getBoundingClientRect(),
          m = document.querySelector('.storymap-map').getBoundingClientRect();
          return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, mapBottom: m.bottom}; }""")
        assert box["left"] >= 0 and box["right"] <= 390 and box["top"] >= 0 and box["bottom"] < box["mapBottom"] / 2
        sizes = run.js("""() => [...document.querySelectorAll('[data-storymap-timeline] [data-step]')]
          .map((b) => { const r = b.getBoundingClientRect(); return [r.width, r.height]; })""")
        assert sizes and all(w >= 44 and h >= 44 for w, h in sizes)
        # The row scrolls sideways and shows the current mark, the last one.
        seen = run.js("""() => { const list = document.querySelector('[data-storymap-timeline] ol'),
          b = list.querySelector('[aria-current]').getBoundingClientRect(), l = list.getBoundingClientRect();
          return [list.scrollWidth > list.clientWidth, b.left >= l.left - 1 && b.right <= l.right + 1]; }""")
        assert seen == [True, True]
        assert run.js(MAP_SHARE_JS) >= 0.45
        assert run.errors == []
    finally:
        context.close()


ROMAN_STEPS = [("invasion", "date", "0043", "侵攻"), ("revolt", "date", "0060-06", "反乱"),
               ("wall", "period", "0122–0128", "長城"), ("end", "date", "0410", "撤退")]


def write_dated_story(folder: Path, steps: list[tuple[str, str, str, str]], japanese: bool = True) -> Path:
    """A story in English (and Japanese) with dated steps ``(id, "date" or "period", when, Japanese title)``."""
    folder.mkdir(parents=True, exist_ok=True)
    source = [{"title": "A source", "url": "https://example.org/a"}]
    (folder / "places.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "a", "geometry": {"type": "Point", "coordinates": [-0.1, 51.5]},
         "properties": {"name": "Londinium", "annotation": "Text.", "sources": source}}]}), "utf-8")
    (folder / "story.toml").write_text('title = "Roman Britain"\nlang = "en"\n' + "".join(
        f'\n[[steps]]\nid = "{sid}"\ntitle = "{sid.title()}"\nplaces = ["a"]\n{key} = "{when}"\n'
        for sid, key, when, _ in steps), "utf-8")
    if japanese:
        (folder / "story.ja.toml").write_text('title = "ローマ時代のブリテン"\n[places.a]\nannotation = "本文。"\n' + "".join(
            f'[steps.{sid}]\ntitle = "{title}"\n' for sid, _, _, title in steps), "utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (no interface texts for Japanese)
        return storymap.load(folder).save(folder / "index.html")


YEARS_JS = ("() => [...document.querySelectorAll('[data-storymap-timeline] [data-step] span')]"
            ".map((s) => s.textContent.trim())")


def test_the_years_under_the_marks_are_written_as_the_language_shown_writes_them(make_page, tmp_path: Path):
    # Roman Britain: ISO's four digits (0043) are no year a reader writes; in Japanese a year is 43年.
    run = make_page().open(write_dated_story(tmp_path / "rome", ROMAN_STEPS), "revolt")
    assert run.js(YEARS_JS) == ["43", "60", "122", "410"]
    marks = {m["id"]: m["label"] for m in run.js(MARKS_JS)}
    assert marks["invasion"] == "43: Invasion" and marks["revolt"] == "Jun 60: Revolt", marks
    assert run.js("() => document.querySelector('[data-storymap-timeline] p').textContent") == "Jun 60"
    run.js(f"() => {{ {ROOT}.storymap.setLanguage('ja'); }}")
    assert run.js(YEARS_JS) == ["43年", "60年", "122年", "410年"]
    marks = {m["id"]: m["label"] for m in run.js(MARKS_JS)}
    assert marks["invasion"] == "43年: 侵攻" and marks["revolt"] == "60年6月: 反乱", marks
    run.js(f"() => {{ {ROOT}.storymap.setLanguage('en'); }}")  # and back
    assert run.js(YEARS_JS) == ["43", "60", "122", "410"]
    assert run.errors == []


def test_the_year_under_a_mark_shows_where_it_changes_in_every_language(make_page, page_file: Path):
    run = make_page().open(page_file)
    years = [s.time.ends[0][:4] for s in sorted((s for s in STEPS if s.time), key=lambda s: s.time.days)]
    expected = [y if i == 0 or y != years[i - 1] else "" for i, y in enumerate(years)]
    assert "" in expected and run.js(YEARS_JS) == expected
    # Every dot on the axis, a year under it or not (those without one sat lower, centred alone in
    # their buttons).
    dots = run.js("() => [...document.querySelectorAll('[data-storymap-timeline] [data-step] i')]"
                  ".map((i) => { const r = i.getBoundingClientRect(); return r.top + r.height / 2; })")
    assert max(dots) - min(dots) < 0.5, dots
    run.js(f"() => {{ {ROOT}.storymap.setLanguage('es'); }}")
    assert run.js(YEARS_JS) == expected
    assert run.errors == []


def test_one_dated_step_has_a_mark_and_no_axis_past_it(make_page, tmp_path: Path):
    page = write_dated_story(tmp_path / "one", [("only", "date", "2024-05-13", "")], japanese=False)
    run = make_page().open(page)
    shape = run.js("""() => { const box = document.querySelector('[data-storymap-timeline]'), list = box.querySelector('ol'),
      dot = list.querySelector('i').getBoundingClientRect(), row = list.getBoundingClientRect(), b = box.getBoundingClientRect(),
      s = getComputedStyle(list), axis = s.backgroundImage === 'none' ? 0 : row.width - 44;
      return {axis: axis, dotCentre: dot.left + dot.width / 2 - b.left, boxCentre: b.width / 2,
              wider: box.querySelector('p').offsetWidth > list.offsetWidth}; }""")
    assert shape["wider"]  # "May 13, 2024" under it is wider than the mark
    assert shape["axis"] <= 0, shape  # no line running on past the only mark
    assert abs(shape["dotCentre"] - shape["boxCentre"]) <= 2, shape  # the mark over its date
    assert run.errors == []


def test_in_a_right_to_left_story_time_runs_from_the_right_and_the_keys_follow(make_page, tmp_path: Path):
    # An Arabic story on a phone: the first date at the right, ← goes to a later mark (as the eye
    # reads), and the row, which scrolls, keeps the current mark in view at either end.
    folder = tmp_path / "ar"
    steps = [(f"s{i}", "date", f"{1990 + 3 * i}-{i % 12 + 1:02d}", "") for i in range(12)]
    write_dated_story(folder, steps, japanese=False)
    toml = (folder / "story.toml").read_text("utf-8").replace('lang = "en"', 'lang = "ar"')
    (folder / "story.toml").write_text(toml, "utf-8")
    run = make_page((390, 844)).open(storymap.load(folder).save(folder / "index.html"), "s11")
    row = "document.querySelector('[data-storymap-timeline] ol')"
    assert run.js(f"() => getComputedStyle({row}).direction") == "rtl"
    assert run.js(f"() => {row}.scrollWidth > {row}.clientWidth")
    visible = f"""(id) => {{ const a = document.querySelector('[data-storymap-timeline] [data-step="' + id + '"]')
      .getBoundingClientRect(), r = {row}.getBoundingClientRect(); return a.left >= r.left - 0.5 && a.right <= r.right + 0.5; }}"""
    run.page.wait_for_function(visible, arg="s11", timeout=2000)
    xs = run.js("() => [...document.querySelectorAll('[data-storymap-timeline] [data-step]')].map((b) => b.getBoundingClientRect().left)")
    assert xs == sorted(xs, reverse=True)  # later marks further left
    run.page.focus("[data-storymap-timeline] [aria-current]")
    run.page.keyboard.press("Home")
    assert run.js("() => document.activeElement.dataset.step") == "s0"
    run.page.keyboard.press("ArrowLeft")
    assert run.js("() => document.activeElement.dataset.step") == "s1"
    run.page.keyboard.press("ArrowRight")
    assert run.js("() => document.activeElement.dataset.step") == "s0"
    run.page.keyboard.press("Enter")
    run.settle()
    run.page.wait_for_function(visible, arg="s0", timeout=2000)
    assert run.errors == []
