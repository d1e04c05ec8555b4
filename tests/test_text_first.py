"""Text before scripts (issue 11): the page's text paints before Leaflet or the map's code runs, and
no part of the page's script runs at once but boot.js. Timings are benchmarks/first_view.py's."""

from __future__ import annotations

import re
from pathlib import Path

import folium
import pytest

import storymap
from storymap import private

from .conftest import GEODATA

# Runs before the page: at each of the first animation frames, what the page holds (frames come
# before their paint, so a frame with the text and no Leaflet is a paint of the text alone).
FRAMES_JS = """
window.__frames = [];
(function watch() {
  requestAnimationFrame(function () {
    var root = document.querySelector('[data-storymap]');
    if (root) {
      var shown = Array.prototype.filter.call(root.querySelectorAll('.storymap-step'), function (s) { return !s.hidden; });
      var onmap = shown.length === 1 && shown[0].querySelector('.storymap-onmap');
      var narrative = shown.length === 1 && shown[0].querySelector('.storymap-narrative');
      window.__frames.push({
        narrative: narrative ? narrative.textContent.trim().slice(0, 60) : '',
        onmap: onmap ? Math.round(onmap.getBoundingClientRect().top) : null,
        t: performance.now(),
        leaflet: !!window[Symbol.for('%s')],
        story: !!root.storymap,
        title: (root.querySelector('.storymap-title') || {}).textContent || '',
        shown: shown.map(function (s) { return s.getAttribute('data-step'); }),
        counter: (root.querySelector('.storymap-counter') || {}).textContent || '',
        prevDisabled: root.querySelector('.storymap-prev').disabled
      });
    }
    if (!(root && root.storymap && root.storymap.ready)) { watch(); }
  });
})();
""" % private.leaflet_key(trimmed=True)  # (the Panama story's: its map holds only storymap's own elements)


@pytest.fixture(scope="module")
def page_file(tmp_path_factory) -> Path:
    return storymap.load(GEODATA).save(tmp_path_factory.mktemp("textfirst") / "index.html")


@pytest.mark.parametrize("fragment", [False, True])
def test_the_script_runs_only_boot_js_at_once(fragment):
    html = storymap.load(GEODATA).to_html(languages=["en"], fragment=fragment)
    script = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(script) == 1
    text = script[0]
    code = re.findall(r'<script type="text/plain" data-storymap-code>(.*?)</script>', html, re.S)
    assert "var storymapBoot=" in text
    if fragment:
        # A fragment's one script: boot.js, then Leaflet inside the first part of the task list:
        # nothing of Leaflet at the top level.
        assert code == []
        boot, leaflet = text.index("var storymapBoot="), text.index("Leaflet 1.9.4")
        start = text.index("storymapBoot.start(storymapScript,")
        assert boot < start < leaflet
    else:
        # A page's script is boot.js only; its code is a data block (which runs nothing) boot.js
        # runs after the first paint, handing it the script element and itself.
        assert "Leaflet 1.9.4" not in text and "storymapBoot.later(storymapScript," in text
        assert len(code) == 1 and "Leaflet 1.9.4" in code[0] and "storymapBoot.start(storymapScript," in code[0]
        assert html.index("<script>") < html.index("data-storymap-code")
        assert code[0].rstrip().endswith("document.currentScript.storymap);\n"
                                         "//# sourceURL=storymap-code.js")
        text = code[0]
    # The map's code finds its script through the element the page kept, not document.currentScript
    # (which is null in a later task).
    assert "L.storymap.claim(storymapScript," in text and text.rstrip().endswith((");", ".js"))


@pytest.mark.parametrize("mode", ["page", "fragment"])
def test_only_a_pages_code_asks_v8_to_compile_it_whole_at_once(mode):
    # (Nearly every function of the code runs while the story opens: compiled lazily, each is read
    # twice, on the main thread, in the tasks that draw the map. A page compiles its code after the
    # first paint; a fragment's one script is compiled before it, so it does not ask.)
    story = storymap.load(GEODATA)
    html = story.to_html(languages=["en"], fragment=mode == "fragment")
    code = re.findall(r"<script[^>]*>(.*?)</script>", html, re.S)[-1]
    assert code.startswith(private.COMPILE_HINT) is (mode == "page")
    assert private.COMPILE_HINT == "//# allFunctionsCalledOnLoad\n"
    # Not on a map holding code other than storymap's (with a plugin's library, most of it may never
    # run): any folium element gets the full Leaflet.
    folium.Marker([9.0, -79.5]).add_to(story.map)
    assert not re.findall(r"<script[^>]*>(.*?)</script>", story.to_html(languages=["en"]), re.S)[-1].startswith(
        private.COMPILE_HINT)


@pytest.mark.browser
@pytest.mark.parametrize("hash_", ["", "the-canal"])
def test_the_text_paints_before_leaflet_runs(make_page, page_file, hash_):
    # The page waits for its first paint at most 500 ms (boot.js afterPaint: a background tab gets
    # none) before it runs Leaflet. A machine too busy to paint a first frame that soon gets the
    # page again, up to three times.
    for _ in range(3):
        run = make_page()
        run.page.add_init_script(FRAMES_JS)
        run.open(page_file, hash_)
        frames = run.js("() => window.__frames")
        if frames and frames[0]["t"] < 400:
            break
    text = [f for f in frames if f["title"] and not f["leaflet"]]
    # Frames with the story's text in them came before Leaflet ran, and before the story existed.
    assert text and text[0] is next(f for f in frames if f["title"]), frames
    assert text[0]["title"] == "Partners at the Crossroads" and not any(f["story"] for f in text), frames
    # Each shows one step's text; the last before Leaflet (boot.js has run) shows the opening step
    # (the link's step when there is one), its counter and buttons as they stay.
    assert all(len(f["shown"]) == 1 for f in text), text
    step = hash_ or "overview"
    last = text[-1]
    assert last["shown"] == [step], last
    index = run.js("(id) => document.querySelector('[data-storymap]').storymap.steps.findIndex((s) => s.id === id)", step)
    assert last["counter"] == f"{index + 1} / 11" and last["prevDisabled"] == (index == 0)
    # ... its narrative too (in the page for the first step, copied from the story's article for
    # a linked one) ...
    assert last["narrative"] and last["narrative"] == frames[-1]["narrative"], (last, frames[-1])
    # ... and the story, once ready, shows the same step: nothing jumps (the narrative came in
    # with the story; the language switch, once shown, made the title wrap again).
    assert run.js("() => document.querySelector('[data-storymap]').storymap.index") == index
    assert last["onmap"] == frames[-1]["onmap"], (last, frames[-1])
    assert frames[-1]["leaflet"] and frames[-1]["story"]
    assert not run.errors, run.errors


@pytest.mark.browser
def test_the_tasks_after_the_first_paint_are_not_timers(make_page, page_file):
    # A timer nested five deep waits at least 4 ms (the HTML standard), and the page's tasks after
    # its first paint are chained deeper than that: they are messages the page sends itself.
    run = make_page()
    run.page.add_init_script("""
      window.__timers = [];
      const own = window.setTimeout;
      window.setTimeout = function (fn, ms) {
        if (/storymap-code\\.js/.test(new Error().stack || '')) window.__timers.push(ms || 0);
        return own.apply(this, arguments);
      };""")
    run.open(page_file)
    run.js("() => { const s = document.querySelector('[data-storymap]').storymap; s.goTo(3); s.goTo(0); }")
    timers = run.js("() => window.__timers")
    # (The page's code is seen: a step change waits for its flight with a timer.)
    assert timers and 0 not in timers, timers


@pytest.mark.browser
def test_a_page_served_with_a_nonce_policy_runs_its_code(make_page, page_file):
    # A newsroom's server that allows scripts by nonce (a header, not the page's own <meta>) and puts
    # the nonce on the page's script: the code boot.js runs after the first paint carries it too.
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page_file.read_text("utf-8"))
    html = html.replace("<script>", '<script nonce="n0nce">', 1)
    policy = "default-src 'none'; script-src 'nonce-n0nce'; style-src 'unsafe-inline'; img-src data:"
    url = "http://news.example/story.html"
    copy = re.compile(r"\b\w\.nonce=\w\.nonce;")
    assert len(copy.findall(html)) == 1

    def serve(run, body):
        run.page.route(url, lambda route: route.fulfill(status=200, body=body, headers={
            "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": policy}))
        run.page.goto(url, wait_until="load")
        return run

    run = serve(make_page(), html)
    run.settle()
    assert run.js("() => document.querySelector('[data-storymap]').storymap.ready")
    assert not run.errors, run.errors
    # Without the nonce copied onto the code, the policy stops it (what the copy is for).
    blocked = []
    run = make_page()
    run.page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    serve(run, copy.sub("", html)).page.wait_for_timeout(800)
    assert run.js("() => !document.querySelector('[data-storymap]').storymap") and blocked


@pytest.mark.browser
def test_the_scroll_layout_shows_every_narrative_before_leaflet_runs(make_page, tmp_path):
    # (The scroll layout shows every step: boot.js copies each narrative from the article.) With
    # no frame and no timer ever firing, nothing runs after boot.js: the page as it shows then.
    page = storymap.load(GEODATA).save(tmp_path / "scroll.html", layout="scroll", languages=["en"])
    run = make_page()
    run.page.add_init_script("window.requestAnimationFrame = () => 0; window.setTimeout = () => 0;")
    run.page.goto(page.resolve().as_uri(), wait_until="load")
    state = run.js("""() => { const root = document.querySelector('[data-storymap]');
      return {leaflet: !!window[Symbol.for('%s')], story: !!root.storymap,
              filled: Array.from(root.querySelectorAll('.storymap-step .storymap-narrative'))
                .filter((n) => n.textContent.trim()).length}; }""" % private.leaflet_key(trimmed=True))
    assert state == {"leaflet": False, "story": False, "filled": len(storymap.load(GEODATA).steps)}, state
    # The page's code is still a data block: it is made a script (and compiled) only after a paint.
    assert run.js("""() => !!document.querySelector('script[data-storymap-code]')
      && !Array.prototype.some.call(document.scripts, (s) => s.storymap)""")
    assert not run.errors, run.errors


# At each frame until the story exists, the first paragraph of the narrative shown.
FIRST_TEXT_JS = """
(function watch() {
  requestAnimationFrame(function () {
    var root = document.querySelector('[data-storymap]');
    var p = root && root.querySelector('.storymap-step:not([hidden]) .storymap-narrative p');
    if (p && !root.storymap) { window.__firstText = p; }
    if (!(root && root.storymap)) { watch(); }
  });
})();
"""


@pytest.mark.browser
def test_the_text_painted_first_is_kept_and_still_changes_language(make_page, page_file):
    # The narrative painted before the story starts is the one the story keeps (its nodes are not
    # replaced by the article's, which would lay the text out again); it takes the article's marks,
    # so it still changes language; destroy() takes the marks away again.
    run = make_page()
    run.page.add_init_script(FIRST_TEXT_JS)
    run.open(page_file)
    state = run.js("""() => {
      const root = document.querySelector('[data-storymap]'), p = window.__firstText;
      const narrative = root.querySelector('.storymap-step:not([hidden]) .storymap-narrative');
      const out = {kept: !!p && narrative.contains(p), en: p && p.textContent.slice(0, 16)};
      root.storymap.setLanguage('es');
      out.es = narrative.isConnected ? narrative.textContent.trim().slice(0, 16) : null;
      out.shownEs = root.querySelector('.storymap-step:not([hidden]) .storymap-narrative').textContent.trim().slice(0, 16);
      root.storymap.setLanguage('en');
      out.back = root.querySelector('.storymap-step:not([hidden]) .storymap-narrative').textContent.trim().slice(0, 16);
      root.storymap.setLanguage('es');
      root.storymap.destroy();  // (in Spanish: the page's own English comes back)
      out.left = root.querySelectorAll('.storymap-narrative [data-i18n], .storymap-narrative[data-i18n]').length;
      out.after = root.querySelector('.storymap-step .storymap-narrative').textContent.trim().slice(0, 16);
      return out; }""")
    assert state["kept"], state
    assert state["en"] == "In February 2025" and state["shownEs"] == "En febrero de 20", state
    assert state["back"] == "In February 2025" and state["left"] == 0 and state["after"] == "In February 2025", state
    assert not run.errors, run.errors
