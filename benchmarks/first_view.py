"""The first view (issue 11): how soon the title shows and the first step is ready, against a
minimal Leaflet page that draws the same places on the same embedded basemap.

    python benchmarks/first_view.py [--runs 9] [--cpu-runs 5] [--story geodata] [--viewport 1280x800]
                                    [--throttle 4] [--query '?lang=es'] [--http] [--timeline 5]

Two pages are built in one run:

- **storymap**: the story's page as ``storymap.load(folder).save()`` writes it;
- **minimal**: one inline script (Leaflet, the same embedded basemap data, the same places in the
  same longitude frame) that draws the basemap's land, lakes, rivers, borders and country labels
  on a canvas, the places with ``L.geoJSON``, and fits the first step's places: what a page that
  only shows the map has to do;
- **text-first** (a reference, not a goal): the storymap page with its code swapped for the minimal
  page's script (run as the storymap page runs its code, after the first paint, into the story's
  map element; the page's policy allows it by its hash). It paints the same text first and then
  does only the minimal page's work: its ready over the minimal page's is what painting the text
  before the map costs by itself, whatever the map's code; storymap's over it is what storymap's
  own code costs (the story, labels, legend, timeline, languages).

Each page is opened ``--runs`` times, alternately, each time in a fresh browser context, offline
(no tiles: both draw the embedded basemap only), read from its file (with ``--http``, fetched from a
server on the loopback interface instead, as a reader's browser fetches a published page: the
browser then parses and paints the page as its bytes arrive, in pieces), and asked whether it is ready every 100 ms from
here (Playwright's wait_for_function would run its own script on the page's main thread as the page
loads). Measured in the page, from navigation:

- **FCP**: the first contentful paint (``performance``'s ``first-contentful-paint``; for the
  storymap page, the title card's text: nothing else in it is content before the map draws);
- **text**: the first animation frame in which the opening step's narrative shows (storymap only:
  the story's text, not only its title, before the map; with ``--query '?lang=es'``, in Spanish);
- **ready**: the end of the first animation frame in which the first step is ready (the task after
  that frame's callbacks and rendering: the frame that shows the drawn map, produced): for
  storymap, the story API present (``root.storymap``) and the map drawn (``storymap.ready`` where
  the page has it, else no view change pending); for the minimal page, once its script has added
  everything. (Taken at the frame's start, as it was until the tenth session, the minimal page's
  ready came before its map was drawn: Leaflet's canvas renderer draws its paths in that frame's
  callbacks, about 10 ms of CPU, while storymap's basemap draws its canvas in its own task, before
  the frame. Both are now measured once their map's frame is done.);
- **longest task**: the longest main-thread task (``PerformanceObserver`` ``longtask``, 50 ms and
  over) that started before ready.

Printed: the medians, the ratio of the ready medians (storymap / minimal, measured in the same run
so that the machine's load weighs on all pages alike) and how it splits (text-first / minimal,
storymap / text-first), the same ratios round by round (each round opens the three pages one after
the other, so they meet the same load: the median, quartiles and range of storymap / minimal and of
text-first / minimal, and in how many rounds each is within the goal), and the load average before
and after the run.

Then each page is opened ``--cpu-runs`` more times with Chromium's tracing on, for the CPU time its
main thread spent in tasks from navigation to ready, and the longest task's CPU time. On a shared
machine a task's wall time includes the time its thread waited for a core; the CPU time does not,
so it shows the page's own work when the load makes wall times jump (a task of 90 ms wall time may
be 35 ms of CPU). The goals are wall times; the CPU times say where the page's work stands.

``--timeline N`` opens each page N more times, untraced, and prints each opening's frames and
tasks in the order they came (:func:`timeline_line`), and in how many openings storymap drew a
frame between its tasks before ready: where a run's time went, without a trace's own slowing down.

``--throttle 4`` slows the CPU of both pages down four times (Chromium's emulation, as DevTools'
"4× slowdown"): a slow phone, where a task of 30 ms here takes over 100.
The goals (issue 11): FCP at most 150 ms, ready at most 1.2 × minimal, no task over 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import shapely

import storymap
from storymap import assets, security
from storymap.channels import OFFLINE_JS
from storymap.context import PageContext
from storymap.private import COMPILE_HINT
from storymap.story import story_basemap
from storymap.text import script_json

HERE = Path(__file__).resolve().parent
GEODATA = HERE.parent / "geodata"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FCP_GOAL_MS, READY_RATIO_GOAL, TASK_GOAL_MS = 150.0, 1.2, 100.0

# Runs before the page's own scripts: long tasks, and the end of the first frame in which the page is ready.
TIMING_JS = """
window.__fv = {long: [], ready: null, text: null};
try {
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__fv.long.push([e.startTime, e.duration]); })
    .observe({type: 'longtask', buffered: true});
} catch (e) { /* no long task timing */ }
(function poll() {
  requestAnimationFrame(() => {
    const root = document.querySelector('[data-storymap]'), sm = root && root.storymap;
    const told = root && root.querySelector('.storymap-step:not([hidden]) .storymap-narrative');
    // (With ?lang=, the narrative in that language: the story's root then says it.)
    const asked = (/[?&]lang=([A-Za-z0-9-]+)/.exec(location.search) || [])[1];
    const inLang = !asked || (root && root.lang.toLowerCase().split('-')[0] === asked.toLowerCase().split('-')[0]);
    if (window.__fv.text === null && told && told.textContent.trim() && inLang) { window.__fv.text = performance.now(); }
    const done = window.__minimalReady ||
      (sm && sm.map && (typeof sm.ready === 'boolean' ? sm.ready : !root.hasAttribute('data-storymap-moving')));
    // (Once this frame, which shows the drawn map, is done: its other callbacks, the minimal page's
    // canvas drawing among them, and its rendering.)
    if (done) { setTimeout(() => { window.__fv.ready = performance.now(); }, 0); } else { poll(); }
  });
})();
"""

# Runs before the page's own scripts, with --timeline: when each animation frame starts (until
# ready), when each task posted with scheduler.postTask runs (storymap's tasks after the first
# paint; not those it posts as messages while the page is still parsed), when the page is parsed
# (DOMContentLoaded) and when the story says it is ready (storymap:ready). Untraced, so the
# timings are the page's own.
TIMELINE_JS = """
window.__fvTimeline = [];
(function () {
  const log = (kind, start, end) => window.__fvTimeline.push([kind, start, end === undefined ? start : end]);
  (function frame() {
    requestAnimationFrame(() => {
      log('frame', performance.now());
      if (!window.__fv || window.__fv.ready === null) { frame(); }
    });
  })();
  const post = window.scheduler && window.scheduler.postTask && window.scheduler.postTask.bind(window.scheduler);
  if (post) {
    window.scheduler.postTask = function (callback, options) {
      return post(function () {
        const start = performance.now();
        try { return callback.apply(this, arguments); } finally { log('task', start, performance.now()); }
      }, options);
    };
  }
  document.addEventListener('DOMContentLoaded', () => log('parsed', performance.now()));
  document.addEventListener('storymap:ready', () => log('story ready', performance.now()));
})();
"""

READ_JS = """() => { const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const ready = window.__fv.ready;
  const long = window.__fv.long.filter(([start]) => start < ready).map(([, d]) => d);
  return {fcp: fcp ? fcp.startTime : null, text: window.__fv.text, ready, longest: long.length ? Math.max(...long) : 0,
          over: long.filter((d) => d > 100).length,
          title: (document.querySelector('.storymap-title') || {}).textContent || null}; }"""

# The minimal page's own script: decode the basemap (the encoding of storymap/encoding.py), draw it
# and the places, fit the first step.
MINIMAL_JS = r"""
(function () {
  function unpack(v) {
    if (typeof v !== 'string') return v || [];
    var out = [], n = 0, f = 1;
    for (var i = 0; i < v.length; i++) {
      var c = v.charCodeAt(i), d = c - 35 - (c > 38) - (c > 60) - (c > 62) - (c > 92);
      if (d > 61) { n += (d - 62) * f; f *= 26; continue; }
      n += d * f; out.push(n % 2 ? -(n + 1) / 2 : n / 2); n = 0; f = 1;
    }
    return out;
  }
  function split(items, counts) {
    var out = [], at = 0;
    for (var i = 0; i < counts.length; i++) { out.push(items.slice(at, at + counts[i])); at += counts[i]; }
    return out;
  }
  function latLngs(fam, scale) {
    var xy = unpack(fam.xy), pts = [], x = 0, y = 0;
    for (var i = 0; i + 1 < xy.length; i += 2) { x += xy[i]; y += xy[i + 1]; pts.push([y / scale, x / scale]); }
    return fam.rings !== undefined ? split(split(pts, unpack(fam.rings)), unpack(fam.polys)) : split(pts, unpack(fam.parts));
  }
  var map = L.map('map', {zoomSnap: 0.25, minZoom: 2, maxZoom: 19}).fitBounds(BOUNDS, {padding: [24, 24]});
  var canvas = L.canvas(), base = {interactive: false, renderer: canvas, smoothFactor: 0.5}, s = BASEMAP.scale;
  if (BASEMAP.land) L.polygon(latLngs(BASEMAP.land, s), L.extend({stroke: false, fillColor: '#f3efe6', fillOpacity: 1}, base)).addTo(map);
  if (BASEMAP.water) L.polygon(latLngs(BASEMAP.water, s), L.extend({stroke: false, fillColor: '#c9dde8', fillOpacity: 1}, base)).addTo(map);
  if (BASEMAP.rivers) L.polyline(latLngs(BASEMAP.rivers, s), L.extend({color: '#c9dde8', weight: 1.5}, base)).addTo(map);
  if (BASEMAP.borders) L.polyline(latLngs(BASEMAP.borders, s), L.extend({color: '#9a8f80', weight: 0.8}, base)).addTo(map);
  (BASEMAP.labels || []).forEach(function (row) {
    var text = document.createElement('span');
    text.textContent = row[4];
    L.marker([row[0], row[1]], {interactive: false, keyboard: false,
      icon: L.divIcon({className: 'label', html: text, iconSize: null})}).addTo(map);
  });
  PLACES.forEach(function (p) {
    L.geoJSON(p.geometry, {pointToLayer: function (f, ll) { return L.circleMarker(ll, p.style); },
      style: function () { return p.style; }}).bindTooltip(p.name).addTo(map);
  });
  window.__minimalReady = true;
}());
"""


def minimal_page(folder: Path) -> str:
    """One page with one script: Leaflet, the story's embedded basemap and places, fitted to step 1."""
    story = storymap.load(folder)
    context = PageContext(story.data)
    config = context.config
    # (GeoJSON, in the story's frame: the story's page packs it, see storymap.context._packed.)
    names = {place.id: place.name for place in story.data.places}  # (the page reads names from its cards)
    places = [{"name": names[p["id"]], "geometry": json.loads(shapely.to_geojson(context.drawn[p["id"]], indent=None),
                                                         parse_float=lambda v: round(float(v), 5)),
               "style": config["kinds"][p["kind"]]["style"]} for p in config["places"]]
    data = (f"var BASEMAP = {script_json(story_basemap(story.data))};\n"
            f"var PLACES = {script_json(places)};\nvar BOUNDS = {script_json(config['steps'][0]['latLngBounds'])};\n")
    css = assets.leaflet_css().replace(".storymap ", "")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Minimal</title>"
            f"<style>{css}\nhtml,body{{margin:0;height:100%}}#map{{position:absolute;inset:0;background:#c9dde8}}"
            ".label{font:600 12px system-ui;color:#5a5046;white-space:nowrap}</style></head>\n"
            f"<body><div id=\"map\"></div>\n<script>{assets.OWN_KEYS_JS}\n{assets.leaflet_js()}\n{data}{MINIMAL_JS}</script>\n"
            "</body></html>\n")


_CODE_BLOCK = re.compile(r'(<script type="text/plain" data-storymap-code>)(.*?)(</script>)', re.S)


def text_first_page(story_html: str, minimal_html: str) -> str:
    """The storymap page (``story_html``) with its code swapped for the minimal page's script
    (``minimal_html``'s), drawing into the story's map element, and its policy's hash for it."""
    code = _CODE_BLOCK.search(story_html)
    script = re.search(r"<script>(.*?)</script>", minimal_html, re.S)
    map_id = re.search(r'class="storymap-map" id="([^"]+)"', story_html)
    if not (code and script and map_id):
        raise ValueError("the storymap page or the minimal page is not as this benchmark expects")
    hint = code.group(2)[:len(COMPILE_HINT)] if code.group(2).startswith(COMPILE_HINT) else ""
    js = hint + script.group(1).replace("L.map('map',", f"L.map({json.dumps(map_id.group(1))},")
    old, new = security._hash(code.group(2)), security._hash(js)
    if old not in story_html:
        raise ValueError("the storymap page's policy does not name its code's hash")
    return (story_html[:code.start(2)] + js + story_html[code.end(2):]).replace(old, new)


def chromium(pw):
    errors = []
    for path in [os.environ.get("STORYMAP_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", None]:
        if path is not None and not os.path.exists(path):
            continue
        try:
            return pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        except Exception as exc:  # noqa: BLE001 - try the next one
            errors.append(str(exc).splitlines()[0])
    sys.exit("no Chromium: " + "; ".join(errors))


def open_once(browser, path: Path, viewport: tuple[int, int], *, traced: bool = False, throttle: float = 1,
              query: str = "", server: str = "", timeline: bool = False) -> dict:
    """One opening of ``path`` (its URL followed by ``query``, such as ``?lang=es``): its FCP, ready
    and longest task (see the module's docstring); with ``traced``, the main thread's CPU time too
    (see :func:`main_thread_cpu`); with ``timeline``, its frames and tasks (``timeline``: see
    :data:`TIMELINE_JS` and :func:`timeline_line`); with ``throttle`` over 1, its CPU slowed down
    that many times (Chromium's emulation of a slower device). With ``server`` (``http://127.0.0.1:PORT/``, serving
    ``path``'s folder), the page is fetched from there rather than read from its file."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    try:
        if not server:
            context.set_offline(True)  # (offline emulation blocks the loopback server too)
        page = context.new_page()
        allowed = (server, "data:") if server else ("file:", "data:")
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(allowed) else route.abort())
        page.add_init_script(TIMING_JS)
        # The page is told it is offline itself: a DevTools session (tracing, throttling) undoes the
        # context's offline emulation, a page served here is not offline, and some pairs of Chromium
        # and Playwright leave navigator.onLine true under the emulation (Chromium 150 with
        # Playwright 1.65). The story would then ask for tiles, which are refused: 35 failed
        # requests in the task after its map is drawn, before ready is stamped.
        page.add_init_script(OFFLINE_JS)
        if timeline:
            page.add_init_script(TIMELINE_JS)
        if throttle > 1:
            context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        if traced:
            browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
        page.goto((server + quote(path.name) if server else path.as_uri()) + query, wait_until="commit")
        # Asked from here every 100 ms, not with wait_for_function: that would put Playwright's own
        # script (and a check every 50 ms) on the page's main thread while it loads.
        deadline = time.monotonic() + 30
        while page.evaluate("() => window.__fv ? window.__fv.ready : null") is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{path.name}: not ready in 30 s")
            time.sleep(0.1)
        time.sleep(0.05)  # a long task that ends at ready is reported just after
        result = page.evaluate(READ_JS)
        if timeline:
            result["timeline"] = page.evaluate("() => window.__fvTimeline")
        if traced:
            result.update(main_thread_cpu(json.loads(browser.stop_tracing())["traceEvents"], result["ready"]))
        return result
    finally:
        context.close()


def _serve(folder: Path):
    """A server of ``folder``'s files on the loopback interface, answering from a thread of its own."""
    import functools
    import http.server

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args) -> None:  # (no line per request)
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink.user_timing"]


def main_thread_cpu(events: list[dict], ready: float) -> dict:
    """From a trace of one page load: the CPU time (ms) the page's main thread spent in tasks from
    navigation to ready (``cpu``), and the longest task's (``longest_cpu``). Unlike wall time, CPU
    time leaves out the time the thread waited for a core, which on a shared machine varies more
    than the page's own work does."""
    start = next(e for e in reversed(events) if e.get("name") == "navigationStart"
                 and e.get("args", {}).get("data", {}).get("documentLoaderURL", "").startswith(("file:", "http:")))
    thread, end = (start["pid"], start["tid"]), start["ts"] + ready * 1000
    tasks = [e.get("tdur", e["dur"]) / 1000 for e in events if e.get("name") == "RunTask" and e.get("ph") == "X"
             and (e["pid"], e["tid"]) == thread and start["ts"] <= e["ts"] < end]
    return {"cpu": sum(tasks), "longest_cpu": max(tasks, default=0.0)}


def timeline_line(result: dict) -> str:
    """One opening's timeline (``open_once(..., timeline=True)``) on one line, in the order things
    happened (ms from navigation): ``parsed`` (DOMContentLoaded), ``F`` a frame's start, ``T`` a
    posted task's start and ``+`` its length, ``R`` the story's ready event, then the benchmark's
    ready."""
    short = {"parsed": "parsed ", "frame": "F", "task": "T", "story ready": "R"}
    items = []
    for kind, start, end in sorted(result["timeline"], key=lambda item: item[1]):
        length = f"+{end - start:.0f}" if kind == "task" else ""
        items.append(f"{short.get(kind, kind + ' ')}{start:.0f}{length}")
    head = " ".join(f"{key} {result[key]:.0f}" for key in ("text", "fcp") if result.get(key) is not None)
    return " | ".join(part for part in (head, " ".join(items), f"ready {result['ready']:.0f}") if part)


def frames_between_tasks(timeline: list) -> int:
    """How many frames started after the first posted task began and before the story's ready
    event: frames Chromium drew between the story's tasks, over a map still being built (it draws
    one once the tasks have held its rendering back for about 100 ms)."""
    first = min((start for kind, start, _ in timeline if kind == "task"), default=None)
    ready = min((start for kind, start, _ in timeline if kind == "story ready"), default=None)
    if first is None or ready is None:
        return 0
    return sum(1 for kind, start, _ in timeline if kind == "frame" and first < start < ready)


def _quartiles(values: list[float]) -> str:
    """The lower and upper quartiles of ``values``, as "a–b" ("–" for fewer than two)."""
    if len(values) < 2:
        return "–"
    low, _, high = statistics.quantiles(values, n=4, method="inclusive")
    return f"{low:.2f}–{high:.2f}"


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--story", type=Path, default=GEODATA, help="the story folder (default: the Panama story)")
    parser.add_argument("--viewport", default="1280x800")
    parser.add_argument("--cpu-runs", type=int, default=5,
                        help="traced openings of each page for the main thread's CPU time (0: none)")
    parser.add_argument("--throttle", type=float, default=1,
                        help="slow the CPU down this many times (4: a slow phone; default 1: not at all)")
    parser.add_argument("--query", default="",
                        help="added to the storymap page's URL, such as '?lang=es' (a page opened in another of "
                             "its languages; 'text' then waits for that language's narrative)")
    parser.add_argument("--http", action="store_true",
                        help="fetch both pages from a server on the loopback interface (as a reader's browser "
                             "fetches a published page) rather than read them from their files")
    parser.add_argument("--timeline", type=int, default=0, metavar="N",
                        help="open each page N more times, untraced, and print each opening's frames and "
                             "tasks in order (see timeline_line), and in how many storymap drew a frame "
                             "between its tasks before ready")
    parser.add_argument("--json", action="store_true", help="print the medians as JSON too")
    args = parser.parse_args()
    viewport = tuple(int(v) for v in args.viewport.lower().split("x"))
    from playwright.sync_api import sync_playwright

    print(f"load average before: {load_average()}  (cores: {os.cpu_count()})")
    with tempfile.TemporaryDirectory() as tmp:
        pages = {"storymap": storymap.load(args.story).save(Path(tmp) / "story.html"),
                 "minimal": Path(tmp) / "minimal.html"}
        pages["minimal"].write_text(minimal_page(args.story), "utf-8")
        pages["text-first"] = Path(tmp) / "text-first.html"
        pages["text-first"].write_text(text_first_page(pages["storymap"].read_text("utf-8"),
                                                       pages["minimal"].read_text("utf-8")), "utf-8")
        results: dict[str, list[dict]] = {name: [] for name in pages}
        server = _serve(Path(tmp)) if args.http else None
        where = f"http://127.0.0.1:{server.server_address[1]}/" if server else ""
        with sync_playwright() as pw:
            browser = chromium(pw)
            query = {"storymap": args.query, "minimal": "", "text-first": ""}
            for name, path in pages.items():  # warm the file cache
                open_once(browser, path, viewport, throttle=args.throttle, query=query[name], server=where)
            for _ in range(args.runs):
                for name, path in pages.items():
                    results[name].append(open_once(browser, path, viewport, throttle=args.throttle, query=query[name],
                                                   server=where))
            # (Traced apart: tracing adds its own work to the timings above.)
            cpu: dict[str, list[dict]] = {name: [] for name in pages}
            for _ in range(args.cpu_runs):
                for name, path in pages.items():
                    cpu[name].append(open_once(browser, path, viewport, traced=True, throttle=args.throttle,
                                               query=query[name], server=where))
            timelines: dict[str, list[dict]] = {name: [] for name in pages}
            for _ in range(args.timeline):
                for name, path in pages.items():
                    timelines[name].append(open_once(browser, path, viewport, timeline=True, throttle=args.throttle,
                                                     query=query[name], server=where))
            browser.close()
        if server:
            server.shutdown()
    print(f"load average after:  {load_average()}")
    med = {name: {key: statistics.median(r[key] for r in rows if r[key] is not None) if any(
        r[key] is not None for r in rows) else None for key in ("fcp", "text", "ready", "longest")}
        for name, rows in results.items()}
    worst = {name: max(r["longest"] for r in rows) for name, rows in results.items()}
    slowed = f", CPU slowed down {args.throttle:g}× (the goals are for the CPU as it is)" if args.throttle > 1 else ""
    opened = (f", storymap opened at {args.query}" if args.query else "") + (
        ", fetched over loopback HTTP" if args.http else ", read from files")
    print(f"\n{args.story.name}{opened}, {viewport[0]}×{viewport[1]}{slowed}, medians of {args.runs} (ms)")
    print(f"{'page':<10} {'FCP':>7} {'text':>7} {'ready':>7} {'longest task':>13} {'(worst)':>8}")
    for name in pages:
        m = med[name]
        fcp, text = (f"{m[k]:7.0f}" if m[k] is not None else "      –" for k in ("fcp", "text"))
        print(f"{name:<10} {fcp} {text} {m['ready']:7.0f} {m['longest']:13.0f} {worst[name]:8.0f}")
    ratio = med["storymap"]["ready"] / med["minimal"]["ready"]
    fcp = med["storymap"]["fcp"]
    print(f"\nstorymap FCP (the title card's text): {fcp:.0f} ms (goal ≤ {FCP_GOAL_MS:.0f})"
          f" {'ok' if fcp <= FCP_GOAL_MS else 'OVER'}")
    print(f"ready, storymap / minimal: {ratio:.2f} (goal ≤ {READY_RATIO_GOAL})"
          f" {'ok' if ratio <= READY_RATIO_GOAL else 'OVER'}")
    floor = med["text-first"]["ready"] / med["minimal"]["ready"]
    print(f"  of which: text-first / minimal {floor:.2f} (painting the text before the map, whatever the map's"
          f" code), storymap / text-first {med['storymap']['ready'] / med['text-first']['ready']:.2f}"
          f" (storymap's own code)")
    # (Each round opens the pages one after the other, so a round's pages meet the same load: the
    # ratios within a round, and how many rounds meet the goal, show how far the load moves it.)
    rounds = {page: sorted(a["ready"] / b["ready"] for a, b in zip(results[page], results["minimal"]))
              for page in ("storymap", "text-first")}
    for page, pairs in rounds.items():
        met = sum(r <= READY_RATIO_GOAL for r in pairs)
        print(f"  {page} / minimal round by round: median {statistics.median(pairs):.2f}, quartiles"
              f" {_quartiles(pairs)}, range {pairs[0]:.2f}–{pairs[-1]:.2f}; within {READY_RATIO_GOAL} in {met} of"
              f" {len(pairs)} rounds")
    longest = med["storymap"]["longest"]
    print(f"storymap's longest task while loading: {longest:.0f} ms median, {worst['storymap']:.0f} ms worst"
          f" (goal ≤ {TASK_GOAL_MS:.0f}) {'ok' if longest <= TASK_GOAL_MS else 'OVER'};"
          f" tasks over {TASK_GOAL_MS:.0f} ms: {statistics.median(r['over'] for r in results['storymap']):g} (median)")
    cpu_med = {name: {key: statistics.median(r[key] for r in rows) for key in ("cpu", "longest_cpu")}
               for name, rows in cpu.items() if rows}
    if cpu_med:
        print(f"\nmain thread's CPU time from navigation to ready (traced, medians of {args.cpu_runs}):"
              f" storymap {cpu_med['storymap']['cpu']:.0f} ms, text-first {cpu_med['text-first']['cpu']:.0f} ms,"
              f" minimal {cpu_med['minimal']['cpu']:.0f} ms,"
              f" ratio {cpu_med['storymap']['cpu'] / cpu_med['minimal']['cpu']:.2f};"
              f" storymap's longest task {cpu_med['storymap']['longest_cpu']:.0f} ms of CPU")
    if args.timeline:
        print(f"\nframes (F) and posted tasks (T, +length) in order, ms from navigation, {args.timeline} untraced"
              " openings of each page:")
        for name, rows in timelines.items():
            for row in rows:
                print(f"  {name:<10} {timeline_line(row)}")
        between = [frames_between_tasks(row["timeline"]) for row in timelines["storymap"]]
        print(f"storymap drew a frame between its tasks, before ready, in {sum(n > 0 for n in between)} of"
              f" {len(between)} openings")
    if args.json:
        print(json.dumps({"medians": med, "ratio": ratio, "floor": floor, "worst": worst, "cpu": cpu_med,
                          "rounds": rounds}))


if __name__ == "__main__":
    main()
