"""Accessibility and phones: axe-core, keyboard, screen-reader text, motion, zoom, touch, contrast."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import storymap
from storymap.private import leaflet_key

from .conftest import GEODATA, PageRun, axe_violations

pytestmark = pytest.mark.browser

STEPS = storymap.load(GEODATA).steps
STEP_IDS = [s.id for s in STEPS]
ROOT = "document.querySelector('[data-storymap]')"
DESKTOP, PHONE = (1280, 800), (390, 844)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("a11y")
    story = storymap.load(GEODATA)
    story.save(out / "slides.html")
    story.save(out / "scroll.html", layout="scroll")
    return out


def reader(viewport) -> dict:
    """The reader's settings of a browser context: reduced motion, and touch on a phone."""
    return {"reduced_motion": "reduce", **({"has_touch": True, "is_mobile": True} if viewport == PHONE else {})}


def open_page(make_page, pages: Path, layout: str, viewport, step: str = "", **options):
    return make_page(viewport, **reader(viewport), **options).open(pages / f"{layout}.html", step)


@pytest.fixture(scope="module")
def shared(pages, browser):
    """One page per layout and size for the module, for the tests that only look (axe, contrast,
    tap targets, the map's share of a phone): each steps it to the steps it checks."""
    opened, contexts = {}, []

    def get(layout: str, viewport) -> PageRun:
        if (layout, viewport) not in opened:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                          **reader(viewport))
            contexts.append(context)
            opened[layout, viewport] = PageRun(context.new_page()).open(pages / f"{layout}.html")
        return opened[layout, viewport]

    yield get
    for context in contexts:
        context.close()


def go(run, step) -> None:
    """Step ``run`` to ``step`` (an id or an index) through the API, and wait until the view is
    there and a frame has been drawn with it."""
    run.js(f"(s) => void {ROOT}.storymap.goTo(s)", step)
    run.settle()
    run.js("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def index(run) -> int:
    return run.js(f"() => {ROOT}.storymap.index")


# ---------------------------------------------------------------------------------------- axe
@pytest.mark.parametrize("layout", ["slides", "scroll"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_reports_no_violations(shared, layout, viewport):
    run = shared(layout, viewport)
    for step in (STEP_IDS[0], STEP_IDS[len(STEP_IDS) // 2], STEP_IDS[-1]):
        go(run, step)
        assert index(run) == STEP_IDS.index(step)
        violations = axe_violations(run.page)
        assert violations == [], (layout, viewport, step, violations)
        assert run.errors == []


# ----------------------------------------------------------------------------------- keyboard
FOCUS_JS = """() => { const e = document.activeElement, cs = getComputedStyle(e);
  return {cls: e.className && e.className.baseVal === undefined ? e.className : '', tag: e.tagName,
          label: e.getAttribute('aria-label') || e.textContent.trim().slice(0, 40),
          outline: (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) ||
            (getComputedStyle(e, '::after').content !== 'none' && parseFloat(getComputedStyle(e, '::after').borderTopWidth) >= 2),
          inMap: !!e.closest('.storymap-map'), inPanel: !!e.closest('.storymap-panel')}; }"""


def test_tab_order_focus_ring_and_skip_link(pages, make_page):
    run = open_page(make_page, pages, "slides", DESKTOP)
    seen, edge = [], {"x": DESKTOP[0] - 3, "y": DESKTOP[1] // 2, "width": 3, "height": 40}  # (the map's right edge)
    for _ in range(40):
        before = run.page.screenshot(clip=edge) if len(seen) == 1 else None
        run.page.keyboard.press("Tab")
        seen.append(run.js(FOCUS_JS))
        if before is not None:
            # The map's ring shows: an outline of its own lay under its panes, and nothing changed.
            assert run.page.screenshot(clip=edge) != before
    assert "storymap-skip" in seen[0]["cls"], seen[0]
    assert seen[1]["cls"].startswith("storymap-map"), seen[1]
    labels = [f["label"] for f in seen]
    assert "Zoom in" in labels and "Zoom out" in labels and "Next step" in labels
    first_panel = next(i for i, f in enumerate(seen) if f["inPanel"])
    assert all(f["inMap"] or "storymap-skip" in f["cls"] for f in seen[:first_panel])  # map, then the story
    for f in seen:
        if f["tag"] in ("A", "BUTTON", "SUMMARY") or f["cls"].startswith("storymap-map"):
            assert f["outline"], f"no visible focus ring on {f}"
    # The skip link passes the map: focus lands on the current step's heading, with its ring (it
    # had none: a sighted reader on the keyboard lost the focus there).
    run.page.focus(".storymap-skip")
    run.page.keyboard.press("Enter")
    assert run.js("() => document.activeElement.classList.contains('storymap-step-title')")
    assert run.js("() => getComputedStyle(document.activeElement).outlineStyle") == "solid"
    assert run.js("() => document.activeElement.closest('.storymap-step').dataset.step") == STEP_IDS[0]
    assert run.errors == []


def test_enter_and_space_activate_controls(pages, make_page):
    run = open_page(make_page, pages, "slides", DESKTOP)
    run.page.focus(".storymap-next")
    run.page.keyboard.press("Enter")
    assert index(run) == 1
    run.page.keyboard.press(" ")
    assert index(run) == 2
    zoom = run.js(f"() => {ROOT}.storymap.map.getZoom()")
    run.page.focus(".leaflet-control-zoom-in")
    run.page.keyboard.press(" ")
    run.page.wait_for_function(f"() => {ROOT}.storymap.map.getZoom() > {zoom}")
    after_space = run.js(f"() => {ROOT}.storymap.map.getZoom()")
    run.page.keyboard.press("Enter")
    run.page.wait_for_function(f"() => {ROOT}.storymap.map.getZoom() > {after_space}")
    # The legend opens and closes from the keyboard.
    run.page.focus(".storymap-legend-title")
    run.page.keyboard.press("Enter")
    assert run.js("() => document.querySelector('.storymap-legend').open") is False


def test_arrow_keys_step_but_not_in_form_fields_and_pan_the_map(pages, make_page):
    run = open_page(make_page, pages, "slides", DESKTOP)
    run.page.keyboard.press("ArrowRight")
    assert index(run) == 1
    run.js(f"() => {{ const i = document.createElement('input'); i.id = 'field'; {ROOT}.querySelector('.storymap-steps').prepend(i); }}")
    run.page.focus("#field")
    for key in ("ArrowRight", "End", "Home", "ArrowLeft"):
        run.page.keyboard.press(key)
    assert index(run) == 1
    run.page.focus(".storymap-map")
    run.settle()  # the view of step 1 reached: from here only the keys move the map
    center = run.js(f"() => {ROOT}.storymap.map.getCenter()")
    zoom = run.js(f"() => {ROOT}.storymap.map.getZoom()")
    # (Leaflet ignores arrow keys while a pan is under way: one key, then its pan, then the next.)
    run.page.keyboard.press("ArrowDown")
    run.page.wait_for_function(f"() => {ROOT}.storymap.map.getCenter().lat < {center['lat']} - 0.05")
    run.page.wait_for_function(f"() => !{ROOT}.storymap.map._panAnim || !{ROOT}.storymap.map._panAnim._inProgress")
    west = run.js(f"() => {ROOT}.storymap.map.getCenter().lng")
    run.page.keyboard.press("ArrowRight")
    run.page.wait_for_function(f"() => {ROOT}.storymap.map.getCenter().lng > {west} + 0.05")
    run.page.keyboard.press("+")
    run.page.wait_for_function(f"() => {ROOT}.storymap.map.getZoom() > {zoom}")
    assert index(run) == 1


# ----------------------------------------------------------------------------- screen readers
def test_screen_reader_text(pages, make_page):
    run = open_page(make_page, pages, "slides", DESKTOP)
    assert run.js("() => document.documentElement.lang") == "en"
    live = run.page.locator(".storymap-live")
    assert live.get_attribute("aria-live") == "polite" and live.get_attribute("role") == "status"
    run.page.click(".storymap-next")
    run.page.click(".storymap-next")
    assert live.text_content() == f"Step 3 of {len(STEPS)}: {STEPS[2].title}"
    map_region = run.page.locator(".storymap-map")
    assert map_region.get_attribute("role") == "region" and map_region.get_attribute("aria-label").startswith("Map: ")
    described = run.js("""() => { const m = document.querySelector('.storymap-map');
      return document.getElementById(m.getAttribute('aria-describedby')).textContent; }""")
    assert described == STEPS[2].description
    for i, step in enumerate(STEPS):
        seen = run.js(f"""() => {{ {ROOT}.storymap.goTo({i});
          const m = document.querySelector('.storymap-map');
          return {{described: document.getElementById(m.getAttribute('aria-describedby')).textContent,
            buttons: [...document.querySelectorAll('.storymap-nav button')].map(b => [b.getAttribute('aria-label'), b.disabled]),
            levels: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
              .filter(h => h.getClientRects().length || h.closest('details:not([open])')).map(h => +h.tagName[1])}}; }}""")
        assert seen["described"].strip()
        assert seen["buttons"] == [["Previous step", i == 0], ["Next step", i == len(STEPS) - 1]]
        levels = seen["levels"]
        assert levels[0] == 1
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), (step.id, levels)


def test_the_maps_drawing_surfaces_are_not_unnamed_pictures(pages, make_page):
    """A screen reader met an unnamed "image" (the places' SVG) and a canvas (the basemap's) in the
    map: the map's region names and describes it, and the step's list names its places."""
    run = open_page(make_page, pages, "slides", DESKTOP, "the-canal")
    surfaces = run.js("() => Array.from(document.querySelectorAll('.storymap-map svg, .storymap-map canvas'),"
                      " (n) => [n.tagName, n.getAttribute('aria-hidden')])")
    assert {tag.lower() for tag, _ in surfaces} == {"svg", "canvas"}
    assert all(hidden == "true" for _, hidden in surfaces), surfaces
    tree = run.page.context.new_cdp_session(run.page).send("Accessibility.getFullAXTree")["nodes"]
    unnamed = [n["role"]["value"] for n in tree if not n.get("ignored")
               and n.get("role", {}).get("value") in ("image", "img", "Canvas", "graphics-document")
               and not n.get("name", {}).get("value")]
    assert unnamed == []
    # (A layer drawn later, on a renderer made then, too.)
    run.js(f"() => {{ const L = window[Symbol.for('{leaflet_key(True)}')];"
           f" L.polyline([[9, -80], [9.2, -79.5]], {{renderer: L.svg({{pane: 'shadowPane'}})}}).addTo({ROOT}.storymap.map); }}")
    assert run.js("() => document.querySelector('.leaflet-shadow-pane svg').getAttribute('aria-hidden')") == "true"


def test_a_screen_reader_hears_each_title_and_description_once(pages, make_page):
    """The step's title named the text's box, the step's section and its heading (three times at
    each step), the map's description was read where the map is and again from a paragraph after
    it, and the basemap's country names in capitals in the map's region."""
    run = open_page(make_page, pages, "slides", DESKTOP, "the-canal")
    tree = run.page.context.new_cdp_session(run.page).send("Accessibility.getFullAXTree")["nodes"]
    shown = [n for n in tree if not n.get("ignored")]
    title = STEPS[STEP_IDS.index("the-canal")].title
    named = [n["role"]["value"] for n in shown if n.get("name", {}).get("value") == title
             and n["role"]["value"] not in ("StaticText", "InlineTextBox")]
    assert sorted(named) == ["group", "heading"], named  # (the box's name and the heading)
    description = STEPS[STEP_IDS.index("the-canal")].description
    region = [n for n in shown if n.get("role", {}).get("value") == "region"
              and n.get("name", {}).get("value", "").startswith("Map: ")]
    assert len(region) == 1 and region[0].get("description", {}).get("value") == description
    texts = [n for n in shown if n.get("role", {}).get("value") in ("StaticText", "paragraph")
             and n.get("name", {}).get("value") == description]
    assert len(texts) == 1, texts  # ("On the map: …" in the step, not a hidden copy as well)
    countries = {n.get("name", {}).get("value", "").casefold() for n in shown}
    assert not countries & {"costa rica", "colombia", "cuba", "jamaica"}
    # In the scroll layout each step's section is a region named by its title (a reader jumps
    # from step to step by region).
    scroll = open_page(make_page, pages, "scroll", DESKTOP)
    assert scroll.js("() => [...document.querySelectorAll('.storymap-step')].every((s) =>"
                     " document.getElementById(s.getAttribute('aria-labelledby')).closest('.storymap-step') === s)")


def test_home_and_end_scroll_the_text_and_step_elsewhere(pages, make_page):
    """A reader who clicked the story's text and pressed End to read its end was taken to the last
    step."""
    run = open_page(make_page, pages, "slides", (1280, 500), "the-canal")
    at = STEP_IDS.index("the-canal")
    run.page.click(".storymap-step--current .storymap-narrative p")
    run.page.keyboard.press("End")
    run.page.wait_for_function("() => document.querySelector('.storymap-steps').scrollTop > 0"
                               " || document.querySelector('.storymap-panel').scrollTop > 0")
    run.page.keyboard.press("Home")
    assert index(run) == at
    run.page.focus(".storymap-step--current .storymap-step-title")  # (where the skip link leaves it)
    run.page.keyboard.press("End")
    assert index(run) == at
    run.page.focus(".storymap-next")
    run.page.keyboard.press("End")
    assert index(run) == len(STEPS) - 1
    run.page.focus(".storymap-map")
    run.page.keyboard.press("Home")  # (the map's: Leaflet's keyboard does nothing with it)
    assert index(run) == len(STEPS) - 1
    run.page.evaluate("() => document.activeElement.blur()")
    run.page.keyboard.press("Home")
    assert index(run) == 0


def test_focus_in_the_phone_sheet_never_hides_under_its_handle_and_buttons(pages, make_page):
    """Tabbing back up a step's sources on a small screen, the focused link sat under the sheet's
    sticky handle and navigation; the handle's own ring was cut off by the sheet's edge."""
    run = open_page(make_page, pages, "slides", (320, 512), "the-canal").cards()
    run.js("() => document.querySelectorAll('.storymap-step--current details').forEach((d) => { d.open = true; })")
    run.page.wait_for_selector(".storymap-step--current .storymap-sources a")
    run.page.focus(".storymap-sheet-toggle")
    ring = run.js("""() => { const t = document.activeElement; return [t.matches(':focus-visible') || t.matches(':focus'),
      parseFloat(getComputedStyle(t).outlineOffset)]; }""")
    assert ring[0] and ring[1] < 0, ring  # (drawn inside the handle, the sheet's edge does not cut it)
    covered = []
    last = run.page.locator(".storymap-step--current .storymap-sources a").last
    last.focus()
    for _ in range(30):
        run.page.keyboard.press("Shift+Tab")
        seen = run.js("""() => { const e = document.activeElement, r = e.getBoundingClientRect();
          const bar = Math.max(...['.storymap-sheet-toggle', '.storymap-nav'].map((s) =>
            document.querySelector(s).getBoundingClientRect().bottom));
          return {name: (e.textContent || '').trim().slice(0, 40), sticky: !!e.closest('.storymap-nav, .storymap-sheet-toggle'),
                  inText: !!e.closest('.storymap-steps, .storymap-titlecard'), bottom: r.bottom, top: r.top, bar}; }""")
        if seen["sticky"] or not seen["inText"]:
            break
        if seen["bottom"] <= seen["bar"] + 1:
            covered.append(seen)
    assert covered == []


def test_the_maps_focus_ring_shows_in_a_dark_high_contrast_theme(pages, make_page):
    """In forced colours the ring took the theme's text colour, white in a dark theme, on the map's
    light land and sea."""
    run = open_page(make_page, pages, "slides", DESKTOP, forced_colors="active", color_scheme="dark")
    run.page.focus(".storymap-map")
    ring = run.js("""() => { const s = getComputedStyle(document.querySelector('.storymap-map'), '::after');
      return [s.borderTopColor, s.boxShadow]; }""")
    assert ring[0] == "rgb(0, 0, 0)" and "rgb(255, 255, 255)" in ring[1], ring


# ------------------------------------------------------------------------------------- motion
def test_reduced_motion_jumps_and_nothing_moves_by_itself(pages, make_page):
    run = make_page(DESKTOP, clock=True, **reader(DESKTOP))  # (timers and frames: the test moves them on)
    run.open(pages / "slides.html")
    jumped = run.js(f"""() => {{ const sm = {ROOT}.storymap; sm.goTo('the-canal');
      return [{ROOT}.hasAttribute('data-storymap-moving'), sm.map.getZoom()]; }}""")
    assert jumped[0] is False and jumped[1] > 8
    center = run.js(f"() => {ROOT}.storymap.map.getCenter()")
    # 2.5 s of the page's time, every timer and animation frame in it run: still nothing moves.
    run.page.clock.run_for(2500)
    assert run.js(f"() => {ROOT}.storymap.map.getCenter()") == center and index(run) == STEP_IDS.index("the-canal")
    animated = make_page(DESKTOP, reduced_motion="no-preference").open(pages / "slides.html")
    assert animated.js(f"""() => {{ {ROOT}.storymap.goTo('the-canal');
      return {ROOT}.hasAttribute('data-storymap-moving'); }}""") is True


# --------------------------------------------------------------------------------- zoom, width
@pytest.mark.parametrize("layout", ["slides", "scroll"])
@pytest.mark.parametrize("viewport", [(640, 400), (320, 640)], ids=["200pct-zoom", "320px"])
def test_layout_holds_at_200_percent_zoom_and_320px(pages, make_page, layout, viewport):
    run = open_page(make_page, pages, layout, viewport, "the-canal")
    assert run.js("() => document.documentElement.scrollWidth <= innerWidth + 1")
    boxes = run.js("""() => [...document.querySelectorAll('.storymap-nav button, .storymap-step--current .storymap-step-title, .leaflet-control-zoom a')]
      .filter(e => e.getClientRects().length).map(e => { const r = e.getBoundingClientRect();
        return [e.className || e.tagName, r.left, r.right, r.width, r.height]; })""")
    assert boxes
    for name, left, right, width, height in boxes:
        assert left >= -1 and right <= viewport[0] + 1 and width > 0 and height > 0, (name, left, right)
    if layout == "slides":
        text = run.js("() => document.querySelector('.storymap-steps').getBoundingClientRect().height")
        assert text >= 60  # some story text shows next to the map


@pytest.mark.parametrize("viewport", [(640, 400), (568, 320)], ids=["200pct-zoom", "phone-on-its-side"])
def test_a_short_wide_screen_keeps_the_story_beside_the_map(pages, make_page, viewport):
    """A 1280x800 laptop at 200% zoom, a small phone on its side: a bottom sheet there showed its
    handle, the navigation and the title, the map a strip above it. The panel stays a column
    beside the map, the step's text readable in it, the attribution and the timeline clear of it (and
    the timeline of the zoom buttons)."""
    run = open_page(make_page, pages, "slides", viewport, "the-canal")
    got = run.js("""() => { const box = s => document.querySelector(s).getBoundingClientRect();
      const panel = box('.storymap-panel'), text = box('.storymap-step--current .storymap-narrative'),
        attribution = box('.leaflet-control-attribution'), timeline = box('.storymap-timeline'),
        zoom = box('.leaflet-control-zoom');
      return {panelRight: panel.right, panelTop: panel.top, timeline: [timeline.left, timeline.right], zoomLeft: zoom.left,
        text: Math.min(text.bottom, panel.bottom, innerHeight) - Math.max(text.top, panel.top, 0),
        attributionLeft: attribution.left, attributionBottom: attribution.bottom}; }""")
    assert got["panelTop"] < 20 and got["panelRight"] < 0.55 * viewport[0], got  # a column, not a sheet
    assert got["text"] >= 0.2 * viewport[1], got  # lines of the step's own text, not only its title
    assert got["attributionLeft"] >= got["panelRight"] and got["attributionBottom"] <= viewport[1] + 1, got
    assert got["timeline"][0] >= got["panelRight"] and got["timeline"][1] <= got["zoomLeft"] - 4, got
    assert run.js(MAP_SHARE_JS) >= 0.5
    # Previous, the count and Next on one line, "11 / 11" too (the buttons' arrows left out and
    # their sides narrower), in Spanish too ("Anterior" and "Siguiente" put Next a line lower).
    go(run, len(STEPS) - 1)
    for lang in ("en", "es"):
        run.page.click(f".storymap-lang[data-lang={lang}]")
        assert run.js("() => document.querySelector('[data-storymap]').lang") == lang
        tops = run.js("() => ['.storymap-prev', '.storymap-progress', '.storymap-next'].map((s) => "
                      "document.querySelector(s).getBoundingClientRect().top)")
        assert max(tops) - min(tops) < 44, (lang, tops)


# -------------------------------------------------------------------------------------- phone
MAP_SHARE_JS = """() => { let inMap = 0, n = 0;
  for (let x = 5; x < innerWidth; x += 20) for (let y = 5; y < innerHeight; y += 20) {
    n++; const e = document.elementFromPoint(x, y);
    if (e && e.closest('.storymap-map')) inMap++; }
  return inMap / n; }"""


@pytest.mark.parametrize("layout", ["slides", "scroll"])
def test_phone_map_keeps_45_percent_at_every_step(shared, layout):
    run = shared(layout, PHONE)
    for i in range(len(STEPS)):
        go(run, i)
        share = run.js(MAP_SHARE_JS)
        assert share >= 0.45, (layout, STEPS[i].id, share)


def test_phone_bottom_sheet_collapses_and_expands(pages, make_page):
    run = open_page(make_page, pages, "slides", PHONE)
    toggle = run.page.locator(".storymap-sheet-toggle")
    assert toggle.get_attribute("aria-expanded") == "true"
    before = run.js(MAP_SHARE_JS)
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert run.js(MAP_SHARE_JS) > before + 0.2
    assert run.page.locator(".storymap-next").is_visible()  # navigation stays
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert abs(run.js(MAP_SHARE_JS) - before) < 0.02


def _swipe(run, dx: int) -> None:
    box = run.page.locator(".storymap-panel").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.7  # on the story text
    cdp = run.page.context.new_cdp_session(run.page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for k in range(1, 6):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x + dx * k / 5, "y": y + 3}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def _index_after_swipe(run, expected: int) -> int:
    """The step once the page has handled the touches: the protocol's touch events and the test's
    reads travel by different routes, so a read may come before the page saw the touch's end (it
    did on a loaded CI machine). Polled from here: the page's own clock stands still."""
    deadline = time.monotonic() + 5.0
    while True:
        found = index(run)
        if found == expected or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_phone_swipe_steps(pages, make_page):
    run = make_page(PHONE, clock=True, **reader(PHONE))
    run.open(pages / "slides.html")
    # A swipe counts if it is quick (under 0.8 s of the page's clock): the page's time stands still
    # while the test sends the touches, however busy the machine.
    run.page.clock.pause_at(run.js("() => Date.now()") + 1000)
    _swipe(run, -150)
    assert _index_after_swipe(run, 1) == 1
    _swipe(run, -150)
    assert _index_after_swipe(run, 2) == 2
    _swipe(run, 150)
    assert _index_after_swipe(run, 1) == 1
    _swipe(run, -20)  # too short to count
    time.sleep(0.3)  # (a step it wrongly took would show by now)
    assert index(run) == 1


@pytest.mark.parametrize("layout", ["slides", "scroll"])
def test_phone_tap_targets_are_44px(shared, layout):
    run = shared(layout, PHONE)
    go(run, "the-canal")
    small = run.js("""() => [...document.querySelectorAll('[data-storymap] button, [data-storymap] summary, [data-storymap] [role=button], .storymap-skip')]
      .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
      .map(e => { const r = e.getBoundingClientRect(); return [e.className || e.tagName, r.width, r.height]; })
      .filter(([, w, h]) => w < 44 || h < 44)""")
    assert small == []


# Every control in view, sampled on a 44×44 square around its centre (a step of 7 px): the points
# that a touch there does not reach the control. A timeline mark partly scrolled out of its row is
# left out (the row scrolls).
TOUCH_TARGETS_JS = """() => {
  const root = document.querySelector('[data-storymap]'), missed = [];
  const controls = [...root.querySelectorAll('.storymap-lang, .storymap-button, .storymap-legend-title, '
    + '.storymap-sources summary, .leaflet-control-zoom a, .storymap-timeline button, .storymap-sheet-toggle')];
  for (const el of controls) {
    const r = el.getBoundingClientRect(), row = el.closest('ol');
    if (!el.getClientRects().length || getComputedStyle(el).visibility === 'hidden' || r.top < 0 || r.bottom > innerHeight
        || r.left < 0 || r.right > innerWidth) continue;
    if (row) { const o = row.getBoundingClientRect(); if (r.left < o.left || r.right > o.right) continue; }
    const x = r.left + r.width / 2, y = r.top + r.height / 2, out = [];
    for (let dx = -21; dx <= 21; dx += 7) for (let dy = -21; dy <= 21; dy += 7) {
      const hit = document.elementFromPoint(x + dx, y + dy);
      if (!hit || !el.contains(hit)) out.push([dx, dy]);
    }
    if (out.length) missed.push([el.className || el.tagName, el.textContent.trim().slice(0, 12), out.length]);
  }
  return [controls.length, missed]; }"""


@pytest.mark.parametrize("viewport", [PHONE, (844, 390), (568, 320), (1024, 768)],
                         ids=["phone", "phone-sideways", "small-phone-sideways", "tablet-sideways"])
def test_a_touch_reaches_every_control_44px_around_its_centre(pages, make_page, viewport):
    """On a touch screen of any width, each control takes a touch 44 px around its centre (the
    language buttons were 24 px tall beside a wide screen's title, the zoom buttons 30 px): by its
    size, or for the language buttons, whose 24 px keep the title's room, by the touch area around them."""
    run = make_page(viewport, reduced_motion="reduce", has_touch=True, is_mobile=True).open(pages / "slides.html")
    for step in (0, 3):
        go(run, step)
        count, missed = run.js(TOUCH_TARGETS_JS)
        assert count >= 6 and missed == [], (step, missed)


def test_a_mouse_keeps_the_language_buttons_small_and_the_zoom_buttons_leaflets(shared):
    """(The touch areas are for touch screens: with a mouse the language buttons stay 24 px tall pills.)"""
    run = shared("slides", DESKTOP)
    sizes = run.js("""() => [...document.querySelectorAll('.storymap-lang, .leaflet-control-zoom a')].map((e) =>
      [e.className, Math.round(e.getBoundingClientRect().height), getComputedStyle(e, '::after').content])""")
    assert sizes and all(h < 44 for _, h, _ in sizes), sizes
    assert all(after in ("none", "normal") for _, _, after in sizes), sizes


# ----------------------------------------------------------------------------------- contrast
CONTRAST_JS = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const blend = (top, under) => { const a = top[3] === undefined ? 1 : top[3];
    return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)); };
  const mapColors = [[243, 239, 230], [201, 221, 232]];  // land and sea of the basemap
  const backgrounds = (el) => {  // the colours text can sit on: walk up, blending
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length && (c[3] === undefined || c[3] > 0)) { layers.push(c); if (c[3] === undefined || c[3] === 1) break; }
      if (e.classList.contains('storymap-map')) { return mapColors.map(m => layers.reduceRight((u, t) => blend(t, u), m)); }
    }
    const base = layers.length && (layers[layers.length - 1][3] === undefined || layers[layers.length - 1][3] === 1)
      ? layers.pop() : [255, 255, 255];
    return [layers.reduceRight((u, t) => blend(t, u), base)];
  };
  const bad = [];
  const walker = document.createTreeWalker(document.querySelector('[data-storymap]'), NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el.getClientRects().length || el.closest('.storymap-sr-only, [hidden], button:disabled')) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || +cs.opacity === 0) continue;
    const fg = rgb(cs.color);
    for (const bg of backgrounds(el)) {
      const r = ratio(fg, bg);
      if (r < 4.5) bad.push([n.textContent.trim().slice(0, 30), el.className, r.toFixed(2)]);
    }
  }
  return bad; }"""


@pytest.mark.parametrize("layout", ["slides", "scroll"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_text_contrast_is_at_least_4_5(shared, layout, viewport):
    run = shared(layout, viewport)
    for step in (STEP_IDS[0], "the-canal", STEP_IDS[-1]):
        go(run, step)
        assert run.js(CONTRAST_JS) == [], (layout, viewport, step)


# ------------------------------------------------------------------------- focus never lost
ACTIVE_JS = """() => { const e = document.activeElement, s = e.closest('.storymap-step');
  return [e.tagName, e.className.baseVal === undefined ? e.className : '', s && s.dataset.step]; }"""


def test_a_step_change_moves_focus_from_the_text_it_hid_to_the_new_heading(pages, make_page):
    # Slides: the focus on a summary or a link in the step's text, a key steps on; the text is
    # hidden with the step, and the focus went with it to the page's body (Tab then began again
    # at the skip link). It goes to the new step's heading.
    run = open_page(make_page, pages, "slides", DESKTOP)
    run.page.focus(".storymap-step--current summary")
    run.page.keyboard.press("ArrowRight")
    run.settle()
    assert run.js(ACTIVE_JS) == ["H2", "storymap-step-title", STEP_IDS[1]]
    run.page.focus(".storymap-step--current summary")
    run.page.keyboard.press("End")
    run.settle()
    assert run.js(ACTIVE_JS) == ["H2", "storymap-step-title", STEP_IDS[-1]]
    run.page.keyboard.press("Shift+Tab")  # on from there: back to the story's controls, not the skip link
    assert run.js("() => document.activeElement.closest('.storymap-panel') !== null")
    # A focus the change leaves visible stays: the language switch, Previous.
    run.page.focus(".storymap-prev")
    run.page.keyboard.press("Enter")
    run.settle()
    assert run.js(ACTIVE_JS)[1] == "storymap-button storymap-prev" and index(run) == len(STEPS) - 2
    assert run.errors == []


def test_the_skip_link_shows_the_story_text_hidden_on_a_phone(pages, make_page):
    # With the sheet collapsed, "Skip the map: go to the story text" did nothing: its target, the
    # step's heading, was hidden, and the focus stayed on the link.
    run = open_page(make_page, pages, "slides", PHONE)
    run.page.click(".storymap-sheet-toggle")
    assert run.page.locator(".storymap-sheet-toggle").get_attribute("aria-expanded") == "false"
    run.page.focus(".storymap-skip")
    run.page.keyboard.press("Enter")
    assert run.page.locator(".storymap-sheet-toggle").get_attribute("aria-expanded") == "true"
    assert run.js(ACTIVE_JS) == ["H2", "storymap-step-title", STEP_IDS[0]]
    assert run.page.locator(".storymap-step--current .storymap-step-title").is_visible()


PLACE_POINT_JS = f"""() => {{ const map = {ROOT}.storymap.map, box = map.getContainer().getBoundingClientRect();
  let found = null;
  map.eachLayer((l) => {{ if (found || !l.feature || !l.getLatLng || !l._path) return;
    const p = map.latLngToContainerPoint(l.getLatLng()), x = box.left + p.x, y = box.top + p.y;
    if (document.elementFromPoint(x, y) === l._path) found = [x, y]; }});
  return found; }}"""


def test_a_popup_closed_from_the_keyboard_gives_the_focus_back_to_the_map(pages, make_page):
    # A place clicked opens its card; Tab goes into it. Escape there did nothing (Leaflet closes a
    # popup on Escape only while the map itself has the focus), and its × took the focus with it
    # to the page's body.
    run = open_page(make_page, pages, "slides", DESKTOP, "the-canal")
    in_popup = "() => !!document.activeElement.closest('.leaflet-popup')"
    on_map = "() => document.activeElement.classList.contains('storymap-map')"
    for close in ("Escape", "the × button"):
        # (Where it is now, the map still: it moved to show the popup, and under load it was still
        # moving, the place under the mouse no more, when the test clicked.)
        run.still()
        point = run.js(PLACE_POINT_JS)
        assert point, "no place of the step to click"
        run.page.mouse.click(*point)
        run.page.wait_for_selector(".leaflet-popup")
        assert run.js(on_map)
        for _ in range(3):  # (past the timeline, first in the map after the map itself)
            run.page.keyboard.press("Tab")
            if run.js(in_popup):
                break
        assert run.js(in_popup)
        if close == "Escape":
            run.page.keyboard.press("Escape")
        else:
            run.page.focus(".leaflet-popup-close-button")
            run.page.keyboard.press("Enter")
        run.page.wait_for_selector(".leaflet-popup", state="detached")
        assert run.js(on_map), close
        assert index(run) == STEP_IDS.index("the-canal")
    # A popup that closes with the step while the focus is elsewhere leaves it there.
    run.still()
    run.page.mouse.click(*run.js(PLACE_POINT_JS))
    run.page.wait_for_selector(".leaflet-popup")
    run.page.focus(".storymap-next")
    run.page.keyboard.press("Enter")
    run.settle()
    assert run.js("() => document.activeElement.classList.contains('storymap-next')")
    assert run.errors == []


# ------------------------------------------------------------------------------ forced colours
def test_forced_colours_keep_the_legend_timeline_and_progress_colours(pages, make_page):
    # Windows' high contrast: the map keeps its colours, but the legend's swatches lost theirs (all
    # the same empty outline), the timeline's current mark looked like the others and the progress
    # bar was gone.
    run = open_page(make_page, pages, "slides", DESKTOP, "the-canal", forced_colors="active")
    assert run.js("() => matchMedia('(forced-colors: active)').matches")
    seen = run.js("""() => { const bg = (e) => getComputedStyle(e).backgroundColor;
      return {swatches: [...document.querySelectorAll('.storymap-legend .storymap-swatch--point')].map(bg),
        current: bg(document.querySelector('.storymap-timeline [aria-current] i')),
        other: bg(document.querySelector('.storymap-timeline button:not([aria-current]) i')),
        fill: bg(document.querySelector('.storymap-bar-fill')), bar: bg(document.querySelector('.storymap-bar')),
        axis: getComputedStyle(document.querySelector('.storymap-timeline ol')).backgroundImage,
        year: getComputedStyle(document.querySelector('.storymap-timeline button')).color}; }""")
    assert seen["swatches"] and all(c not in ("rgba(0, 0, 0, 0)", "transparent") for c in seen["swatches"]), seen
    assert len(set(seen["swatches"])) == len(seen["swatches"]) > 1, seen  # each kind its own colour
    assert seen["current"] != seen["other"], seen
    assert seen["fill"] != seen["bar"], seen
    # The line between the timeline's marks (a gradient: forced colours leave out all but images)
    # was gone, the marks floating apart; the years keep the reader's colours.
    assert seen["axis"].startswith("linear-gradient("), seen
    canvas_text = run.js("""() => { const e = document.createElement('span'); e.style.color = 'CanvasText';
      document.body.append(e); const c = getComputedStyle(e).color; e.remove(); return c; }""")
    assert seen["year"] == canvas_text, seen


TEXT_SHOWN_JS = """() => { const panel = document.querySelector('.storymap-panel'), box = panel.getBoundingClientRect();
  panel.scrollTop = document.querySelector('.storymap-step--current p').offsetTop;  // (scrolled to the text)
  let shown = 0;
  for (let y = Math.max(0, box.top); y < Math.min(innerHeight, box.bottom); y += 2) {
    const e = document.elementFromPoint(innerWidth / 2, y);
    if (e && e.closest('.storymap-step--current')) shown += 2; }
  return shown; }"""


def test_the_story_text_can_be_read_at_400_percent_zoom(pages, make_page):
    # A 1280 × 1024 screen at 400 % zoom is 320 × 256 CSS px: the bottom sheet's handle and
    # navigation, both sticky, covered all but a line of the text however it was scrolled.
    run = open_page(make_page, pages, "slides", (320, 256), "the-canal")
    assert run.js(TEXT_SHOWN_JS) >= 80
    run.page.focus(".storymap-next")  # (the navigation scrolled back to when it is used)
    run.page.keyboard.press("Enter")
    run.settle()
    assert index(run) == STEP_IDS.index("the-canal") + 1


def test_a_popups_close_button_is_clear_of_the_zoom_buttons_on_a_phone_held_sideways(tmp_path, make_page):
    # The ports story (no timeline) on a phone held sideways: Rotterdam's card opened under the
    # zoom buttons, which covered its close button (the map was thought wide enough for the card
    # to sit beside them, but a card is centred on its place).
    storymap.load(Path(__file__).parent.parent / "examples" / "ports").save(tmp_path / "ports.html")
    run = make_page((844, 390), has_touch=True, is_mobile=True).open(tmp_path / "ports.html", "europe")
    point = run.js(f"""() => {{ const sm = {ROOT}.storymap, c = sm.map.getContainer().getBoundingClientRect();
      const p = sm.map.latLngToContainerPoint(sm._places['port-of-rotterdam'].layer.getBounds().getCenter());
      return [p.x + c.left, p.y + c.top]; }}""")
    run.page.touchscreen.tap(*point)
    run.page.wait_for_selector(".leaflet-popup")
    run.page.wait_for_timeout(600)  # (the pan's animation)
    close = run.js("""() => { const b = document.querySelector('.leaflet-popup-close-button'), r = b.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return [!!hit && b.contains(hit), r.top, document.querySelector('.leaflet-control-zoom').getBoundingClientRect().bottom]; }""")
    assert close[0], close
    run.page.touchscreen.tap(*run.js("""() => { const r = document.querySelector('.leaflet-popup-close-button').getBoundingClientRect();
      return [r.left + r.width / 2, r.top + r.height / 2]; }"""))
    run.page.wait_for_selector(".leaflet-popup", state="detached")
    assert run.errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_text_at_twice_the_size_is_not_clipped_or_overlapped(pages, make_page, viewport):
    # The browser's own text size (Chrome's font size setting, a text-only zoom) at 200 %: the
    # navigation's "← Previous" ran over the step count and "Next →" was cut off, and the
    # timeline's years broke in two ("199" over "7").
    run = make_page(viewport, **reader(viewport))
    cdp = run.page.context.new_cdp_session(run.page)
    cdp.send("Page.enable")
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    run.open(pages / "slides.html", "the-canal")
    assert run.js("() => parseFloat(getComputedStyle(document.querySelector('.storymap-step--current p')).fontSize)") >= 30
    seen = run.js("""() => { const box = (s) => document.querySelector(s).getBoundingClientRect();
      const parts = ['.storymap-prev', '.storymap-progress', '.storymap-next'].map(box), nav = box('.storymap-nav');
      const apart = (a, b) => a.right <= b.left + 1 || b.right <= a.left + 1 || a.bottom <= b.top + 1 || b.bottom <= a.top + 1;
      return {apart: [apart(parts[0], parts[1]), apart(parts[1], parts[2]), apart(parts[0], parts[2])],
        inside: parts.map((r) => r.left >= nav.left - 1 && r.right <= nav.right + 1),
        clipped: [...document.querySelectorAll('.storymap-nav button')].filter((b) => b.scrollWidth > b.clientWidth + 1).length,
        broken: [...document.querySelectorAll('.storymap-timeline span')].filter((s) => s.getClientRects().length > 1)
          .map((s) => s.textContent)}; }""")
    assert seen == {"apart": [True] * 3, "inside": [True] * 3, "clipped": 0, "broken": []}, seen
