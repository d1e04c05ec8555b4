"""Hostile text in Chromium: nothing a story says ever runs, and the page's CSP holds.

Every payload calls a sentinel (``__xss``, ``alert``, ``confirm``, ``prompt``) if it ever runs.
The hostile story is opened twice: with the CSP bypassed (escaping and sanitizing alone must hold)
and with it enforced (no violation either: nothing even tries to run).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import storymap

from .conftest import GEODATA
from .hostile import ALL, write_hostile_story
from .xss_payloads import PAYLOADS

pytestmark = pytest.mark.browser

ROOT_JS = "document.querySelector('[data-storymap]')"

SENTINELS = """
window.__xssHits = [];
window.__xss = function (n) { window.__xssHits.push(String(n)); };
['alert', 'confirm', 'prompt', 'print'].forEach(function (name) {
  window[name] = function (m) { window.__xssHits.push(name + ':' + m); };
});
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
});
"""

# Whatever the DOM holds that a story could only have put there by injecting markup.
DOM_CHECK = """() => {
  const bad = [];
  const banned = ['iframe', 'frame', 'object', 'embed', 'base', 'form', 'input', 'textarea', 'isindex',
                  'marquee', 'video', 'audio', 'source', 'math', 'noscript:not(.storymap-noscript)', 'link',
                  'body meta', 'body style'];
  banned.forEach(sel => document.querySelectorAll(sel).forEach(el => bad.push('element ' + sel)));
  // storymap's own <noscript> article (one), whose content is inert text while scripts run.
  if (document.querySelectorAll('noscript.storymap-noscript').length !== 1) bad.push('noscripts');
  // storymap's own two: boot.js, and the page's code (which boot.js runs from its data block).
  if (document.scripts.length !== 2 || Array.prototype.some.call(document.scripts, s => s.src)) bad.push('scripts: ' + document.scripts.length);
  if (document.querySelectorAll('style').length !== 2) bad.push('styles');
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase(), value = a.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
      if (name.startsWith('on')) bad.push(el.tagName + ' ' + name);
      if (/^(javascript|vbscript|data:text|livescript)/.test(value)) bad.push(el.tagName + ' ' + name + '=' + value);
      if (name === 'href' && !/^(https?:|mailto:|#)/.test(value)) bad.push(el.tagName + ' href=' + value);
      if (name === 'srcdoc' || name === 'formaction' || name === 'style' && /url\\(|expression/.test(value)) bad.push(name);
    }
    if (el.tagName === 'IMG' && !/^(data:image\\/|https:\\/\\/[a-d]\\.basemaps\\.cartocdn\\.com\\/)/.test(el.src)) {
      bad.push('img ' + el.src);
    }
  }
  return bad;
}"""

# Opens every popup and tooltip on the map, one after the other; returns each popup's text and
# anything in it that markup injection would have put there. (Each popup opens without panning
# the map to it: its content is the same, and 57 pans would take seconds.)
OPEN_EVERYTHING = """() => {
  const map = %s.storymap.map, texts = [], bad = [];
  map.eachLayer(l => {
    if (l.getPopup && l.getPopup()) {
      const pan = l.getPopup().options.autoPan;
      l.getPopup().options.autoPan = false;
      l.openPopup();
      l.getPopup().options.autoPan = pan;
      const c = l.getPopup().getElement().querySelector('.leaflet-popup-content');
      if (c) {
        texts.push(c.textContent);
        c.querySelectorAll('script, iframe, object, embed, img, svg, form, input, style').forEach(e => bad.push(e.tagName));
        c.querySelectorAll('*').forEach(e => { for (const a of e.attributes) if (/^on/i.test(a.name)) bad.push(a.name); });
      }
      l.closePopup();
    }
    if (l.getTooltip && l.getTooltip()) { l.openTooltip(); }
  });
  return {texts, bad};
}""" % ROOT_JS


# Steps to step i and waits until the view is there; returns the step's title as shown, the
# sentinels' hits so far and what DOM_CHECK finds (one round trip a step).
STEP_JS = """async (i) => {
  const root = %s;
  root.storymap.goTo(i);
  while (root.hasAttribute('data-storymap-moving')) await new Promise((r) => requestAnimationFrame(r));
  return {title: root.querySelectorAll('.storymap-step-title')[i].textContent, hits: window.__xssHits.slice(),
          dom: (%s)()};
}""" % (ROOT_JS, DOM_CHECK)


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = write_hostile_story(tmp_path_factory.mktemp("hostile") / "story")
    return storymap.load(folder).save(folder.parent / "index.html")


def open_page(make_page, page: Path, *, csp: bool):
    run = make_page(bypass_csp=not csp, clock=True)  # (the page's timers: the test runs them, see run_late)
    run.dialogs = []
    run.page.on("dialog", lambda d: (run.dialogs.append(d.message), d.dismiss()))
    run.page.add_init_script(SENTINELS)
    try:
        return run.open(page)
    except Exception as exc:  # noqa: BLE001 - say what ran, not just that the page never settled
        hits = run.js("() => window.__xssHits")
        pytest.fail(f"the page did not start ({exc.__class__.__name__}); payloads ran: {hits}; "
                    f"errors: {run.errors[:3]}")


def run_late(run) -> None:
    """Let whatever the page has left for later happen now: every timer and animation frame due in
    the next 5 s of its clock runs (the story's own longest wait is 1.5 s), and an image that
    fails after all the others has reported its error (as would any a payload made)."""
    run.page.clock.run_for(5000)
    run.js("""() => new Promise((done) => { const img = new Image();
      img.onload = img.onerror = () => done(); img.src = 'data:image/png;base64,AAAA'; })""")


def assert_nothing_ran(run, when: str) -> None:
    hits = run.js("() => window.__xssHits")
    assert hits == [] and run.dialogs == [], f"{when}: payload ran: {hits} {run.dialogs}"
    assert run.js(DOM_CHECK) == [], when


@pytest.mark.parametrize("csp", [False, True], ids=["escaping-alone", "with-csp"])
def test_no_payload_runs_anywhere(hostile_page: Path, make_page, csp: bool):
    run = open_page(make_page, hostile_page, csp=csp)
    assert_nothing_ran(run, "on load")
    # Shown as text, not lost: the title card and each step's title are the text given.
    assert run.js("() => document.querySelector('.storymap-title').textContent") == ALL.strip()
    steps = run.js(f"() => {ROOT_JS}.storymap.steps.map(s => s.title)")
    assert steps == [ALL.strip()] + [p.strip() for p in PAYLOADS]
    for i in range(len(steps)):
        seen = run.js(STEP_JS, i)
        assert seen["title"] == steps[i]
        assert seen["hits"] == [] and run.dialogs == [], f"step {i}: payload ran: {seen['hits']} {run.dialogs}"
        assert seen["dom"] == [], f"step {i}"
    # Every popup (each place's card) and tooltip, on the first step, where all places are lit.
    run.js(f"() => {{ {ROOT_JS}.storymap.goTo(0); }}")
    run.settle()
    opened = run.js(OPEN_EVERYTHING)
    assert opened["bad"] == []
    assert len(opened["texts"]) == len(PAYLOADS) + 1
    for payload in PAYLOADS:  # each card shows its place's name as text
        assert any(text.strip().startswith(payload.strip()) for text in opened["texts"]), payload
    assert_nothing_ran(run, "popups")
    # The buttons and keys too, and the card links (never followed).
    run.js(f"() => {{ {ROOT_JS}.storymap.goTo(0); }}")
    for _ in range(3):
        run.page.click(".storymap-next")
    run.page.keyboard.press("End")
    run.page.click(".storymap-prev")
    assert_nothing_ran(run, "buttons")
    run_late(run)  # late timers, image errors
    assert_nothing_ran(run, "at the end")
    if csp:
        assert run.js("() => window.__csp") == []
    assert run.errors == [] and run.outside == []


@pytest.mark.parametrize("layout", ["slides", "scroll"])
def test_page_works_under_its_csp(built_page: Path, tmp_path: Path, make_page, layout: str):
    page = built_page if layout == "slides" else storymap.load(GEODATA).save(tmp_path / "p.html", layout=layout)
    run = make_page(online=True)  # online: the tiles are requested (and the CSP lets them in)
    run.page.add_init_script(SENTINELS)
    run.open(page)
    count = run.js(f"() => {ROOT_JS}.storymap.steps.length")
    for i in range(1, count):
        run.js(f"(i) => {{ {ROOT_JS}.storymap.goTo(i); }}", i)  # the layouts' own controls differ
        run.settle()
        assert run.js(f"() => {ROOT_JS}.storymap.index") == i
        assert run.js(OPEN_EVERYTHING)["texts"]
    # A tile has loaded (each gets the blank PNG): then its request was seen.
    run.page.wait_for_function("() => [...document.querySelectorAll('img.leaflet-tile')].some((i) => i.complete && i.naturalWidth)")
    assert run.tile_requests, "the tiles (allowed by img-src) were not requested"
    assert run.js("() => window.__csp") == []
    assert run.errors == [] and run.outside == []
    # The policy is live: a script injected now is refused, and reported. (An inline handler would run
    # before a listener added after it: once the image's error has reached the listener, the
    # handler has had its chance.)
    blocked = run.js("""() => new Promise((done) => {
      let reported = 0, failed = false;
      const check = () => { if (reported >= 2 && failed) done([window.__injected === undefined, window.__csp]); };
      document.addEventListener('securitypolicyviolation', () => { reported++; check(); });
      const s = document.createElement('script'); s.textContent = 'window.__injected = 1';
      document.body.appendChild(s);
      const img = document.createElement('img'); img.setAttribute('onerror', 'window.__injected = 2');
      img.addEventListener('error', () => { failed = true; check(); });
      img.src = 'data:,'; document.body.appendChild(img); })""")
    assert blocked[0] is True
    assert any(v.startswith("script-src") for v in blocked[1]), blocked


@pytest.mark.skipif(not hasattr(storymap.Story, "add_layer"),
                    reason="Story.add_layer lands with issue 3: enable this test when it is merged")
def test_added_layer_text_never_runs(tmp_path: Path, make_page):  # pragma: no cover - until add_layer exists
    story = storymap.load(write_hostile_story(tmp_path / "story"))
    features = [{"type": "Feature", "properties": {"name": p, "note": p},
                 "geometry": {"type": "Point", "coordinates": [-80.5 + k * 0.02, 8.6]}}
                for k, p in enumerate(PAYLOADS)]
    layer = {"type": "FeatureCollection", "features": features}
    for k, payload in enumerate(PAYLOADS[:5]):
        story.add_layer(layer, payload, steps=["all", f"s{k}"], tooltip="name", popup=["name", "note"])
    page = story.save(tmp_path / "index.html")
    html = page.read_text("utf-8")
    assert not [p for p in PAYLOADS if p.startswith("<") and p in html]  # every copy escaped
    for csp in (False, True):
        run = open_page(make_page, page, csp=csp)
        # Step 0 ("all") shows the five layers, step k + 1 layer k; step 6 shows none of them (the
        # steps after it show the same, and their own texts are test_no_payload_runs_anywhere's).
        # Every popup and tooltip on the map is opened at step 0, where all of them are.
        for i in range(7):
            run.js(f"(i) => {{ {ROOT_JS}.storymap.goTo(i); }}", i)
            run.settle()
            if i == 0:
                opened = run.js(OPEN_EVERYTHING)
                assert opened["bad"] == [] and opened["texts"]
            assert_nothing_ran(run, f"step {i}")
        assert run.errors == []
