"""The built page in Chromium: the JS API, buttons, keys, URL hash, views, offline basemap."""

from __future__ import annotations

from pathlib import Path

import pytest

import storymap
from storymap import private

from .conftest import GEODATA

pytestmark = pytest.mark.browser

ROOT_JS = "document.querySelector('[data-storymap]')"
STEPS = storymap.load(GEODATA).steps
STEP_IDS = [s.id for s in STEPS]

# The step's places, in page pixels, against the map, the panel, the legend and the attribution.
GEOMETRY_JS = """(i) => {
  const root = document.querySelector('[data-storymap]'), sm = root.storymap, map = sm.map;
  const rect = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const c = map.getContainer().getBoundingClientRect();
  const b = L.latLngBounds(sm.steps[i].latLngBounds);
  const nw = map.latLngToContainerPoint(b.getNorthWest()), se = map.latLngToContainerPoint(b.getSouthEast());
  return {box: [nw.x + c.left, nw.y + c.top, se.x + c.left, se.y + c.top], map: rect(map.getContainer()),
          panel: rect(root.querySelector('.storymap-panel')), legend: rect(root.querySelector('.storymap-legend')),
          attribution: rect(root.querySelector('.leaflet-control-attribution'))};
}"""


def overlaps(a, b, slack=1.0) -> bool:
    return a[0] < b[2] - slack and a[2] > b[0] + slack and a[1] < b[3] - slack and a[3] > b[1] + slack


def assert_view_shows_step(run, i: int, g: dict | None = None) -> None:
    g = g or run.js(GEOMETRY_JS, i)
    box, m = g["box"], g["map"]
    assert m[0] - 1 <= box[0] and box[2] <= m[2] + 1 and m[1] - 1 <= box[1] and box[3] <= m[3] + 1, (i, g)
    assert not overlaps(box, g["panel"]), f"step {i}: places under the panel {g}"
    assert not overlaps(box, g["legend"]), f"step {i}: places under the legend {g}"
    # (On a phone the attribution is a bar of two lines across the foot of the map.)
    assert not overlaps(box, g["attribution"]), f"step {i}: places under the attribution {g}"


STATE_JS = f"""() => {{ const r = {ROOT_JS}, sm = r.storymap;
  const shown = [...r.querySelectorAll('.storymap-step')].filter(s => !s.hidden).map(s => s.dataset.step);
  return {{index: sm.index, hash: location.hash, shown,
           prev: r.querySelector('.storymap-prev').disabled, next: r.querySelector('.storymap-next').disabled,
           counter: r.querySelector('.storymap-counter').textContent,
           live: r.querySelector('.storymap-live').textContent}}; }}"""


def state(run) -> dict:
    return run.js(STATE_JS)


def assert_clean(run) -> None:
    assert run.errors == [], run.errors
    assert run.outside == [], run.outside


def test_public_api_shape(built_page: Path, make_page):
    run = make_page().open(built_page)
    api = run.js(f"""() => {{ const sm = {ROOT_JS}.storymap;
      return {{steps: sm.steps, index: sm.index, fns: ['goTo', 'next', 'prev'].map(n => typeof sm[n]),
               isMap: sm.map instanceof L.Map, layers: Object.keys(sm.layers),
               layersAreLayers: Object.values(sm.layers).every(l => l instanceof L.Layer)}}; }}""")
    # (Each step's id and title come from its section: the page's config does not carry them.)
    assert [s["id"] for s in api["steps"]] == STEP_IDS
    assert [s["title"] for s in api["steps"]] == [s.title for s in STEPS]
    assert all(set(s) == {"id", "title", "latLngBounds"} for s in api["steps"])
    # ... and its places, from its list's data-places.
    assert run.js(f"() => {ROOT_JS}.storymap._config.steps.map(s => s.places)") == [s.places for s in STEPS]
    south_west, north_east = api["steps"][0]["latLngBounds"]
    assert south_west[0] < north_east[0] and south_west[1] < north_east[1]
    assert api["index"] == 0 and api["fns"] == ["function"] * 3
    assert api["isMap"] and api["layersAreLayers"]
    assert {"Basemap", "Tiles", "Story places"} <= set(api["layers"])
    assert_clean(run)


# Each place's highest opacity: lit or not.
LIT_JS = f"""() => {{ const sm = {ROOT_JS}.storymap, out = {{}};
  for (const [id, e] of Object.entries(sm._places)) {{
    const seen = []; const walk = l => l.eachLayer ? l.eachLayer(walk) : seen.push(l.options.opacity);
    walk(e.layer); out[id] = Math.max(...seen); }}
  return out; }}"""


# goTo(t), then (as PageRun.settle waits) until the view is reached: the state, the geometry of
# the step reached and the places' opacities, in one round trip (the Story itself stays in the page).
STEP_JS = f"""async ([t, fly]) => {{
  const r = {ROOT_JS};
  r.storymap.goTo(t, fly ? {{}} : {{animate: false}});
  while (r.hasAttribute('data-storymap-moving')) await new Promise((go) => requestAnimationFrame(go));
  return {{state: ({STATE_JS})(), geometry: ({GEOMETRY_JS})(r.storymap.index), lit: ({LIT_JS})()}}; }}"""


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_every_step_through_the_api(built_page: Path, make_page, viewport):
    # On a desktop without reduced motion, the first steps are flights (as a reader sees them); the
    # rest jump (animate: false), each flight being a second of frames to draw.
    run = make_page(viewport, **({"reduced_motion": "no-preference"} if viewport[0] > 640 else {})).open(built_page)
    run.js("""() => { window.__events = [];
      document.addEventListener('storymap:step', e => window.__events.push(e.detail)); }""")
    for i, step in enumerate(STEPS):
        target = step.id if i % 2 else i  # by id and by index
        seen = run.js(STEP_JS, [target, i <= 3])
        s = seen["state"]
        assert s["index"] == i and s["shown"] == [step.id] and s["hash"] == f"#{step.id}"
        assert s["counter"] == f"{i + 1} / {len(STEP_IDS)}"
        assert s["live"].startswith(f"Step {i + 1} of {len(STEP_IDS)}: ")
        assert_view_shows_step(run, i, seen["geometry"])
        for pid, opacity in seen["lit"].items():
            if pid in step.places:
                assert opacity > 0.5, (step.id, pid)
            else:
                assert opacity < 0.5, (step.id, pid)
    events = run.js("() => window.__events")
    assert [e["id"] for e in events] == STEP_IDS[1:]
    assert all(set(e) == {"index", "id", "title"} for e in events)
    # Unknown steps are ignored.
    run.js(f"() => void {ROOT_JS}.storymap.goTo('no-such-step')")
    assert state(run)["index"] == len(STEP_IDS) - 1
    assert_clean(run)


def test_buttons_step_through_and_stop_at_the_ends(built_page: Path, make_page):
    run = make_page().open(built_page)
    s = state(run)
    assert s["prev"] and not s["next"]
    for i in range(1, len(STEP_IDS)):
        run.page.click(".storymap-next")
        run.settle()
        assert state(run)["index"] == i
        assert_view_shows_step(run, i)
    s = state(run)
    assert s["next"] and not s["prev"]
    run.page.click(".storymap-prev")
    assert state(run)["index"] == len(STEP_IDS) - 2
    assert_clean(run)


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_a_plugins_control_in_a_left_corner_is_not_under_the_panel(built_page: Path, make_page, viewport):
    # Fullscreen, Draw, Search ... sit in Leaflet's top-left corner: on a desktop that was under the
    # panel, out of reach (an audit of folium's plugins).
    run = make_page(viewport).open(built_page)
    hit = run.js("""() => { const s = document.querySelector('[data-storymap]').storymap;
      const found = [];
      for (const position of ['topleft', 'bottomleft']) {
        const c = L.control.zoom({position}).addTo(s.map), r = c.getContainer().getBoundingClientRect();
        const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        found.push([position, c.getContainer().contains(at), r.left >= 0 && r.right <= innerWidth]);
      }
      s.next();  // (a step later: the top-left corner starts below the timeline, on a phone too)
      const t = document.querySelector('.storymap-timeline').getBoundingClientRect();
      const corner = document.querySelector('.leaflet-top.leaflet-left .leaflet-control').getBoundingClientRect();
      found.push(['below the timeline', corner.top >= t.bottom || corner.left >= t.right || corner.right <= t.left]);
      return found; }""")
    assert hit == [["topleft", True, True], ["bottomleft", True, True], ["below the timeline", True]], hit


def test_keys_step(built_page: Path, make_page):
    run = make_page().open(built_page)
    run.page.focus("body")
    run.page.keyboard.press("ArrowRight")
    run.page.keyboard.press("ArrowRight")
    assert state(run)["index"] == 2
    run.page.keyboard.press("ArrowLeft")
    assert state(run)["index"] == 1
    run.page.keyboard.press("End")
    assert state(run)["index"] == len(STEP_IDS) - 1
    run.page.keyboard.press("ArrowRight")
    assert state(run)["index"] == len(STEP_IDS) - 1
    run.page.keyboard.press("Home")
    assert state(run)["index"] == 0
    # With focus on the map, arrows pan the map instead of stepping.
    run.page.focus(".storymap-map")
    run.page.keyboard.press("ArrowRight")
    assert state(run)["index"] == 0
    assert_clean(run)


def test_hash_deep_link_and_back_forward(built_page: Path, make_page):
    run = make_page().open(built_page, "the-canal")
    assert state(run)["index"] == STEP_IDS.index("the-canal")
    assert_view_shows_step(run, STEP_IDS.index("the-canal"))
    run.page.click(".storymap-next")
    run.page.click(".storymap-next")
    assert state(run)["index"] == STEP_IDS.index("the-canal") + 2
    run.page.go_back()
    run.page.wait_for_function(f"() => {ROOT_JS}.storymap.index === {STEP_IDS.index('the-canal') + 1}")
    run.page.go_back()
    run.page.wait_for_function(f"() => {ROOT_JS}.storymap.index === {STEP_IDS.index('the-canal')}")
    run.page.go_forward()
    run.page.wait_for_function(f"() => {ROOT_JS}.storymap.index === {STEP_IDS.index('the-canal') + 1}")
    assert state(run)["hash"] == f"#{STEP_IDS[STEP_IDS.index('the-canal') + 1]}"
    # An unknown hash opens the first step.
    other = make_page().open(built_page, "nonsense")
    assert state(other)["index"] == 0
    assert_clean(run)


def test_a_hash_that_does_not_decode_is_no_step(built_page: Path, make_page):
    # (boot.js's hashId reads it for the step the page opens on, and the story for every change.)
    run = make_page().open(built_page, "%E0%A4%A")
    assert state(run)["index"] == 0
    run.js(f"() => {{ {ROOT_JS}.storymap.goTo(2); location.hash = '%E0%A4%A'; }}")
    run.page.wait_for_function("() => location.hash === '#%E0%A4%A'")
    assert state(run)["index"] == 2
    run.js("() => { location.hash = 'the-canal'; }")
    run.page.wait_for_function(f"() => {ROOT_JS}.storymap.index === {STEP_IDS.index('the-canal')}")
    assert_clean(run)


def test_a_page_opened_without_a_step_keeps_its_url_and_back_returns_to_the_first_step(built_page: Path, make_page):
    run = make_page().open(built_page)
    run.page.wait_for_function(f"() => {ROOT_JS}.storymap.ready")
    # The first step is what a URL without a #step means: nothing is written into the history.
    entries = run.js("() => history.length")
    assert [state(run)["index"], state(run)["hash"]] == [0, ""]
    run.page.click(".storymap-next")
    run.page.click(".storymap-next")
    assert [state(run)["index"], state(run)["hash"], run.js("() => history.length")] == [2, f"#{STEP_IDS[2]}", entries + 2]
    run.page.go_back()
    run.page.wait_for_function(f"() => {ROOT_JS}.storymap.index === 1")
    run.page.go_back()
    run.page.wait_for_function(f"() => {ROOT_JS}.storymap.index === 0")
    assert state(run)["hash"] == "" and state(run)["counter"] == f"1 / {len(STEP_IDS)}"
    run.page.go_forward()
    run.page.wait_for_function(f"() => {ROOT_JS}.storymap.index === 1")
    assert_clean(run)


def test_a_page_of_its_own_is_titled_by_the_step_shown(built_page: Path, make_page):
    # (Before, every step of the page had the story's title: a reader's history listed the story
    # eleven times, and a bookmark of the canal's step was named as the story.)
    story = storymap.load(GEODATA)
    run = make_page().open(built_page)
    run.page.wait_for_function(f"() => {ROOT_JS}.storymap.ready")
    assert run.js("() => document.title") == story.title  # (the first step: the title card's)
    run.page.click(".storymap-next")
    run.page.click(".storymap-next")
    assert run.js("() => document.title") == f"{STEPS[2].title} – {story.title}"
    # Each step's entry in the browser's history has that step's title.
    cdp = run.page.context.new_cdp_session(run.page)
    entries = cdp.send("Page.getNavigationHistory")["entries"][-3:]
    assert [e["title"] for e in entries] == [story.title] + [f"{s.title} – {story.title}" for s in STEPS[1:3]]
    run.page.go_back()
    run.page.wait_for_function(f"() => document.title === {STEPS[1].title + ' – ' + story.title!r}")
    # On paper the whole story is printed: the header has the story's title, and the step's comes back after.
    run.page.emulate_media(media="print")
    run.page.wait_for_function(f"() => document.title === {story.title!r}")
    run.page.emulate_media(media="screen")
    run.page.wait_for_function(f"() => document.title === {STEPS[1].title + ' – ' + story.title!r}")
    # In another language, the step's and the story's titles in it.
    spanish = story.data.translations["es"]
    run.page.click(".storymap-lang[data-lang=es]")
    assert run.js("() => document.title") == f"{spanish.steps[STEPS[1].id].title} – {spanish.title}"
    # destroy() gives the page its own title back.
    run.js(f"() => {ROOT_JS}.storymap.destroy()")
    assert run.js("() => document.title") == story.title
    assert_clean(run)


def test_popups_show_the_place_card(built_page: Path, make_page):
    run = make_page().open(built_page, "the-canal")
    point = run.js(f"""() => {{ const sm = {ROOT_JS}.storymap, c = sm.map.getContainer().getBoundingClientRect();
      const p = sm.map.latLngToContainerPoint(sm.steps[{STEP_IDS.index('the-canal')}] && sm._places['gatun-locks'].layer.getBounds().getCenter());
      return [p.x + c.left, p.y + c.top]; }}""")
    run.page.mouse.click(*point)
    text = run.page.inner_text(".leaflet-popup-content", timeout=3000)
    assert "Gatún" in text and "Sources" in text
    # The map pans so that the popup shows whole beside the panel, below the timeline (Leaflet's
    # own autoPan kept it inside the map, half under the panel: the place is near it).
    run.page.wait_for_timeout(600)  # (the pan's animation, 0.25 s)
    boxes = run.js(f"""() => {{ const r = (el) => {{ const b = el.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; }};
      const root = {ROOT_JS};
      return {{popup: r(root.querySelector('.leaflet-popup')), panel: r(root.querySelector('.storymap-panel')),
               timeline: r(root.querySelector('.storymap-timeline')), map: r(root.querySelector('.storymap-map'))}}; }}""")
    popup, panel, timeline, whole = boxes["popup"], boxes["panel"], boxes["timeline"], boxes["map"]
    assert popup[0] >= panel[2] and popup[2] <= whole[2] and popup[3] <= whole[3], boxes
    assert popup[1] >= timeline[3] or popup[2] <= timeline[0], boxes
    # Any popup on the story's map does (a folium element's, a layer's), unless it has padding of
    # its own.
    leaflet = f"window[Symbol.for('{private.leaflet_key(trimmed=True)}')]"
    run.js(f"""() => {{ const map = {ROOT_JS}.storymap.map, L = {leaflet};
      map.closePopup();
      const at = map.containerPointToLatLng([map.getSize().x * 0.2, map.getSize().y * 0.5]);
      window.__own = L.popup().setLatLng(at).setContent('<p style="width:200px">An element of the map</p>').openOn(map); }}""")
    run.page.wait_for_timeout(600)
    own = run.js(f"""() => {{ const L = {leaflet}, map = {ROOT_JS}.storymap.map;
      const fixed = L.popup({{autoPanPaddingTopLeft: [0, 0]}}).setLatLng(map.getCenter()).setContent('x');
      map.addLayer(fixed);
      const padded = L.popup({{autoPanPadding: [150, 150]}}).setLatLng(map.getCenter()).setContent('y');
      map.addLayer(padded);
      return [window.__own.getElement().getBoundingClientRect().left, {ROOT_JS}.querySelector('.storymap-panel').getBoundingClientRect().right,
              fixed.options.autoPanPaddingTopLeft, padded.options.autoPanPaddingTopLeft || null]; }}""")
    assert own[0] >= own[1] and own[2] == [0, 0] and own[3] is None, own


def test_each_card_shows_its_kinds_swatch_before_its_name(built_page: Path, make_page):
    # The article (the story without JavaScript) shows no colours: its cards have no swatch; the
    # story puts its kind's in front of each card's name.
    html = built_page.read_text("utf-8")
    article = html[html.index('<noscript class="storymap-noscript"'):html.index("</noscript>")]
    assert article.count('class="storymap-place"') > 10 and "storymap-swatch" not in article
    run = make_page().open(built_page, "the-canal").cards()
    story = storymap.load(GEODATA)
    kinds = {p.id: story.data.kinds[p.kind] for p in story.data.places}
    cards = run.js("""() => [...document.querySelectorAll('.storymap-step--current .storymap-place')].map((card) => {
      const head = card.querySelector('.storymap-place-name'), swatch = head.firstElementChild, st = getComputedStyle(swatch);
      return {id: card.dataset.place, swatch: swatch.className, colors: [st.backgroundColor, st.borderTopColor],
              name: head.lastElementChild.textContent, children: head.children.length}; })""")
    assert [c["id"] for c in cards] == next(s for s in story.data.steps if s.id == "the-canal").places
    for card in cards:
        kind = kinds[card["id"]]
        assert card["swatch"] == f"storymap-swatch storymap-swatch--{kind.geometry}" and card["children"] == 2, card
        assert card["name"] == story.data.place(card["id"]).name
        red, green, blue = (int(kind.color[i:i + 2], 16) for i in (1, 3, 5))
        assert f"rgb({red}, {green}, {blue})" in card["colors"], (card, kind.color)
    assert_clean(run)



@pytest.mark.parametrize("viewport", [(844, 390), (390, 844)])
def test_a_popup_fits_a_phone(built_page: Path, make_page, viewport):
    # A place's card no higher than the part of the map the timeline and the controls leave free:
    # its content scrolls, and the whole card and its tip show (held sideways, the card ran off the
    # map's foot, tip and all), its close button clear of the zoom buttons, its text of the legend.
    run = make_page(viewport).open(built_page, "the-canal")
    point = run.js(f"""() => {{ const sm = {ROOT_JS}.storymap, c = sm.map.getContainer().getBoundingClientRect();
      const p = sm.map.latLngToContainerPoint(sm._places['gatun-locks'].layer.getBounds().getCenter());
      return [p.x + c.left, p.y + c.top]; }}""")
    run.page.mouse.click(*point)
    run.page.wait_for_selector(".leaflet-popup", timeout=3000)
    run.page.wait_for_timeout(600)  # (the pan's animation)
    boxes = run.js(f"""() => {{ const r = (el) => {{ const b = el.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; }};
      const root = {ROOT_JS};
      return {{popup: r(root.querySelector('.leaflet-popup')), tip: r(root.querySelector('.leaflet-popup-tip')),
               timeline: r(root.querySelector('.storymap-timeline')), map: r(root.querySelector('.storymap-map')),
               close: r(root.querySelector('.leaflet-popup-close-button')), zoom: r(root.querySelector('.leaflet-control-zoom')),
               legend: r(root.querySelector('.storymap-legend')),
               scrolled: !!root.querySelector('.leaflet-popup-content.leaflet-popup-scrolled')}}; }}""")
    assert boxes["scrolled"], boxes
    assert boxes["popup"][1] >= boxes["timeline"][3] and boxes["tip"][3] <= boxes["map"][3], boxes

    def apart(a, b):
        return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]

    assert apart(boxes["close"], boxes["zoom"]) and apart(boxes["popup"], boxes["legend"]), boxes
    assert_clean(run)

def _land_pixels(run) -> int:
    return run.js("""() => {
      const canvas = document.querySelector('.leaflet-storymapBasemap-pane canvas');
      if (!canvas) return 0;
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0; for (let i = 3; i < data.length; i += 4 * 16) if (data[i] > 200) n++;
      return n; }""")


def test_land_is_drawn_with_the_network_off(built_page: Path, make_page):
    run = make_page().open(built_page, "border-service")
    assert _land_pixels(run) > 1000
    assert run.tile_requests == []  # offline: the tile layer stays off, nothing fails
    assert run.js(f"() => {ROOT_JS}.storymap.map.hasLayer({ROOT_JS}.storymap.layers.Tiles)") is False
    assert "Natural Earth" in run.page.inner_text(".leaflet-control-attribution")
    assert_clean(run)


def test_tiles_show_when_online(built_page: Path, make_page):
    run = make_page(online=True).open(built_page)
    # A tile has loaded (each gets the blank PNG): then its request was seen.
    run.page.wait_for_function("() => [...document.querySelectorAll('img.leaflet-tile')].some((i) => i.complete && i.naturalWidth)")
    assert run.tile_requests, "no tile requested while online"
    # Only the first step's view's tiles: the tile layer is added once that view is set.
    zoom = run.js(f"() => {{ const s = {ROOT_JS}.storymap; return s.layers.Tiles._tileZoom; }}")
    assert {int(url.split("/")[-3]) for url in run.tile_requests} == {zoom}, run.tile_requests[:3]
    assert "OpenStreetMap" in run.page.inner_text(".leaflet-control-attribution")
    assert_clean(run)


def test_network_blocked_but_online_still_reads(built_page: Path, make_page):
    # Tiles requested but failing (a captive network): the basemap still shows underneath.
    run = make_page(tiles=False, online=True).open(built_page)
    assert _land_pixels(run) > 1000
    assert [e for e in run.errors if "ERR_FAILED" not in e] == []
    assert run.outside == []


def test_folium_marker_added_to_the_map_draws_its_inlined_icon(tmp_path: Path, make_page):
    import folium

    story = storymap.load(GEODATA)
    folium.Marker([8.95, -79.55], tooltip="A marker").add_to(story.map)
    page = story.save(tmp_path / "marker.html")
    assert "marker-icon" not in page.read_text("utf-8").split("L.storymap.defaultIcons", 1)[0][-2000:]
    run = make_page().open(page)
    icons = run.js("""() => [...document.querySelectorAll('img.leaflet-marker-icon, img.leaflet-marker-shadow')]
      .map(i => [i.src.slice(0, 22), i.complete && i.naturalWidth > 0])""")
    assert icons and all(src.startswith("data:image/png;base64") and ok for src, ok in icons), icons
    assert_clean(run)


# Each shown label of one line or area of the step, with that shape's box (container px).
COVER_JS = f"""() => {{ const sm = {ROOT_JS}.storymap, map = sm.map;
  return sm.labels().filter((l) => l.shown && l.ids.length === 1 && !sm._places[l.ids[0]].data.geometry.type.endsWith('Point'))
    .map((l) => {{ const b = sm._places[l.ids[0]].layer.getBounds();
      const nw = map.latLngToContainerPoint(b.getNorthWest()), se = map.latLngToContainerPoint(b.getSouthEast());
      return {{text: l.text, label: [l.left, l.top, l.right, l.bottom], shape: [nw.x, nw.y, se.x, se.y]}}; }}); }}"""


@pytest.mark.parametrize("viewport", [(390, 844), (1280, 800)], ids=["phone", "desktop"])
def test_online_places_stay_clear_of_the_attribution_and_of_their_own_labels(built_page: Path, make_page, viewport):
    # Online, the tiles add their credit to the attribution: on a phone it became a bar of two
    # lines (one since a narrow map names the basemap's source alone). The first step's view is
    # fitted before the tiles come, the later ones after: every step's places stay above it.
    # Panama's canal, a few pixels long at the first step's scale, had its label centred on it
    # (hiding it) and sat under that bar.
    run = make_page(viewport, online=True).open(built_page)
    run.page.wait_for_function("() => [...document.querySelectorAll('img.leaflet-tile')].some((i) => i.complete && i.naturalWidth)")
    bar = run.js("""() => { const a = document.querySelector('.leaflet-control-attribution');
      return [a.getBoundingClientRect().height / parseFloat(getComputedStyle(a).lineHeight), a.textContent]; }""")
    assert bar[1].count("OpenStreetMap") == 1 and "Natural Earth" in bar[1]
    assert bar[0] < 1.5, bar  # one line
    assert_view_shows_step(run, 0)  # the view the page opened on
    hidden = []
    for i in range(len(STEPS)):
        assert_view_shows_step(run, i, run.js(STEP_JS, [i, False])["geometry"])
        for c in run.js(COVER_JS):
            (ll, lt, lr, lb), (sl, st, sr, sb) = c["label"], c["shape"]
            if ll <= sl and st >= lt and sr <= lr and sb <= lb:  # the whole shape under its label
                hidden.append((i, c["text"]))
    assert hidden == [], hidden
    assert_clean(run)


# Every element's computed style in the story's root (document order), and the root's own: each
# element's class and properties, or (digest) a hash of them (cyrb53, to keep the answer small).
STYLES_JS = f"""(digest) => {{ const root = {ROOT_JS};
  const hash = (str) => {{ let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
    for (let i = 0; i < str.length; i++) {{ const c = str.charCodeAt(i); h1 = Math.imul(h1 ^ c, 2654435761); h2 = Math.imul(h2 ^ c, 1597334677); }}
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return 4294967296 * (2097151 & h2) + (h1 >>> 0); }};
  return [root, ...root.querySelectorAll('*')].map((e, i) => {{
    if (digest !== true && digest.indexOf(i) < 0) return null;
    const s = getComputedStyle(e), out = [];
    for (let k = 0; k < s.length; k++) out.push(s[k] + ':' + s.getPropertyValue(s[k]));
    out.sort().unshift(e.tagName + '.' + (e.className.baseVal ?? e.className));  // (custom properties come in no set order)
    return digest === true ? hash(out.join(';')) : out; }}); }}"""


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_leaflets_rules_under_root_style_a_page_as_under_the_story(tmp_path: Path, make_page, viewport):
    # A standalone page scopes Leaflet's rules under :root, a fragment under .storymap (a host page's
    # own Leaflet map stays untouched): the same elements, the same specificity; storymap's own rules
    # from the root down to a class too (assets.page_scoped). The page and a copy of it scoped as a
    # fragment give every element of the story the same style, at a step with a popup open and the
    # legend open.
    from storymap import security

    page = storymap.load(GEODATA).save(tmp_path / "page.html", languages=["en"])
    html = page.read_text("utf-8")
    styles = html.split("<style>")  # (the first is the page's margins; the largest, Leaflet's and storymap's)
    own = max(styles[1:], key=len).split("</style>", 1)[0]
    assert own.count(":root .leaflet-") > 100 and ".storymap .leaflet-pane" not in own
    assert own.count(":root .storymap-") > 100 and ".storymap .storymap-panel" not in own
    scoped = own.replace(":root .", ".storymap .")
    assert security._hash(own) in html
    copy = tmp_path / "scoped.html"
    copy.write_text(html.replace(own, scoped).replace(security._hash(own), security._hash(scoped)), "utf-8")
    runs = []
    for path in (page, copy):
        run = make_page(viewport).open(path, "the-canal")
        run.js("""() => { const r = document.querySelector('[data-storymap]'), sm = r.storymap;
          r.querySelector('.storymap-legend').open = true;
          sm._places['pedro-miguel-locks'].layer.getLayers()[0].openPopup(); }""")
        run.settle()  # (the map pans to show the popup: the story counts as moving until it is still)
        run.page.wait_for_timeout(400)  # (and the popup fades in, in 0.2 s)
        runs.append(run)
    digests = [run.js(STYLES_JS, True) for run in runs]
    assert len(digests[0]) == len(digests[1]) > 500
    differ = [i for i, (a, b) in enumerate(zip(*digests)) if a != b][:5]
    # (The differing elements' properties, asked for only when there are some.)
    assert differ == [], [(a[0], set(a) ^ set(b)) for a, b in zip(*(run.js(STYLES_JS, differ) for run in runs)) if a]
    for run in runs:
        assert_clean(run)
