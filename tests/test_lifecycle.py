"""The page's JavaScript lifecycle (issue 10): destroy() takes back everything the story added."""

from __future__ import annotations

from pathlib import Path

import pytest

import storymap
from storymap.text import script_json

from .conftest import GEODATA

pytestmark = pytest.mark.browser

# Counts what the page has added and not taken back: listeners on window and document, observers,
# pending timers. Installed before any script of the page runs.
INSTRUMENT = r"""
(() => {
  const live = {listeners: new Map(), observers: 0, timers: new Set(), intervals: new Set()};
  window.__live = live;
  // Only what the page's own scripts add counts (Playwright adds listeners of its own).
  // (A standalone page's code, which its first script runs, goes by storymap-code.js.)
  const ours = () => /\.html|storymap-code\.js/.test(new Error().stack || '');
  const key = (target, type, fn, options) => {
    const capture = typeof options === 'boolean' ? options : !!(options && options.capture);
    return [target === window ? 'window' : 'document', type, capture];
  };
  for (const target of [window, document]) {
    const add = target.addEventListener.bind(target), remove = target.removeEventListener.bind(target);
    target.addEventListener = function (type, fn, options) {
      if (!ours()) return add(type, fn, options);
      const k = key(target, type, fn, options), id = k.join('|');
      if (!live.listeners.has(id)) live.listeners.set(id, new Set());
      live.listeners.get(id).add(fn);
      return add(type, fn, options);
    };
    target.removeEventListener = function (type, fn, options) {
      const id = key(target, type, fn, options).join('|');
      if (live.listeners.has(id)) live.listeners.get(id).delete(fn);
      return remove(type, fn, options);
    };
  }
  for (const name of ['ResizeObserver', 'IntersectionObserver', 'MutationObserver']) {
    const Original = window[name];
    if (!Original) continue;
    window[name] = class extends Original {
      constructor(cb, opts) { super(cb, opts); this.__on = false; }
      observe(...a) { if (!this.__on && ours()) { live.observers++; this.__on = true; } return super.observe(...a); }
      disconnect() { if (this.__on) { live.observers--; this.__on = false; } return super.disconnect(); }
    };
  }
  const setT = window.setTimeout.bind(window), clearT = window.clearTimeout.bind(window);
  window.setTimeout = (fn, ms, ...a) => {
    if (!ours()) return setT(fn, ms, ...a);
    const id = setT((...b) => { live.timers.delete(id); if (typeof fn === 'function') fn(...b); }, ms, ...a);
    live.timers.add(id);
    return id;
  };
  window.clearTimeout = (id) => { live.timers.delete(id); return clearT(id); };
  const setI = window.setInterval.bind(window), clearI = window.clearInterval.bind(window);
  window.setInterval = (...a) => { const id = setI(...a); if (ours()) live.intervals.add(id); return id; };
  window.clearInterval = (id) => { live.intervals.delete(id); return clearI(id); };
  window.__counts = () => {
    const listeners = {};
    for (const [id, fns] of live.listeners) if (fns.size) listeners[id] = fns.size;
    return {listeners, observers: live.observers, timers: live.timers.size, intervals: live.intervals.size};
  };
})();
"""

SPA = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>An app</title></head>
<body>
<h1>Single-page app</h1>
<div id="outlet"></div>
<script>
const FRAGMENT = __FRAGMENT__;
window.mount = () => {
  const outlet = document.getElementById('outlet');
  outlet.innerHTML = FRAGMENT;
  // What SPA routers do with a fragment's scripts: run each again as a new script element.
  for (const old of outlet.querySelectorAll('script')) {
    const fresh = document.createElement('script');
    fresh.textContent = old.textContent;
    old.replaceWith(fresh);
  }
};
window.unmount = () => {
  const root = document.querySelector('#outlet [data-storymap]');
  if (root && root.storymap) root.storymap.destroy();
  document.getElementById('outlet').innerHTML = '';
};
</script>
</body></html>
"""

READY = ("() => { const r = document.querySelector('#outlet [data-storymap]');"
         " return r && r.storymap && !r.hasAttribute('data-storymap-moving'); }")


@pytest.fixture(scope="module")
def spa(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("spa")
    fragment = storymap.load(GEODATA).to_html(fragment=True)
    page = folder / "spa.html"
    page.write_text(SPA.replace("__FRAGMENT__", script_json(fragment)), "utf-8")
    return page


def test_mount_and_destroy_many_times_without_leaks(spa: Path, make_page):
    run = make_page()
    run.page.add_init_script(INSTRUMENT)
    run.page.goto(spa.as_uri())
    empty = run.js("() => window.__counts()")
    counts = []
    for _ in range(8):
        run.js("() => window.mount()")
        run.page.wait_for_function(READY)
        run.js("() => void document.querySelector('#outlet [data-storymap]').storymap.goTo('the-canal')")
        run.page.wait_for_function(READY)
        run.js("() => window.unmount()")
        # Leaflet's own pending animation timers end by themselves: wait for them.
        run.page.wait_for_function("() => window.__counts().timers === 0", timeout=5000)
        counts.append(run.js("() => window.__counts()"))
    # After the first cycle, nothing grows: every listener, observer and timer was taken back.
    assert counts[-1] == counts[0], (counts[0], counts[-1])
    # And what remains after a story is gone is what Leaflet itself adds once per page (its
    # pointer listeners on document), nothing on window.
    extra = {k: v for k, v in counts[-1]["listeners"].items() if empty["listeners"].get(k) != v}
    assert not [k for k in extra if k.startswith("window|")], extra
    assert counts[-1]["observers"] == empty["observers"] and counts[-1]["intervals"] == empty["intervals"]
    # The host keeps working: events the story listened to raise nothing now.
    run.js("""() => {
      window.dispatchEvent(new Event('resize'));
      document.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true}));
      window.location.hash = '#the-canal';
      window.dispatchEvent(new HashChangeEvent('hashchange'));
      window.postMessage({type: 'storymap:goto', step: 'overview'}, '*');
      window.dispatchEvent(new Event('online'));
    }""")
    run.page.wait_for_function("() => window.location.hash === '#the-canal'")
    run.js("() => new Promise((resolve) => setTimeout(resolve, 0))")  # let queued events run
    assert not run.errors, run.errors


def test_destroy_takes_back_the_standalone_page(built_page: Path, make_page):
    run = make_page()
    run.page.add_init_script(INSTRUMENT)
    run.open(built_page)
    before = run.js("() => window.__counts()")
    assert before["listeners"], before
    state = run.js("""() => {
      const root = document.querySelector('[data-storymap]'), story = root.storymap;
      let fired = 0;
      root.addEventListener('storymap:destroy', () => fired++);
      story.destroy();
      story.destroy();  // twice is harmless
      story.goTo(3);    // and a destroyed story does nothing
      const box = root.querySelector('.storymap-map');
      if (box.className !== 'storymap-map' || box.hasAttribute('tabindex')) return box.outerHTML;  // (Leaflet's left)
      return {fired, api: 'storymap' in root, map: box.children.length,
              classes: root.className, cards: root.querySelectorAll('.storymap-step-places .storymap-place').length,
              hidden: [...root.querySelectorAll('.storymap-step')].filter((s) => s.hidden).length};
    }""")
    assert state == {"fired": 1, "api": False, "map": 0, "classes": "storymap storymap--slides storymap--page",
                     "cards": 0, "hidden": 0} or (state["fired"] == 1 and not state["api"] and state["map"] == 0
                                                  and state["cards"] == 0 and state["hidden"] == 0), state
    run.page.wait_for_function("() => window.__counts().timers === 0", timeout=5000)
    after = run.js("() => window.__counts()")
    window_listeners = {k: v for k, v in after["listeners"].items() if k.startswith("window|")}
    assert window_listeners == {}, window_listeners
    run.page.keyboard.press("ArrowRight")
    run.page.set_viewport_size({"width": 900, "height": 700})
    assert not run.errors, run.errors
