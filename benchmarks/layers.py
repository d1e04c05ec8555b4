"""Big layers: the same random points through storymap and through folium.GeoJson, in one run.

    python benchmarks/layers.py [--sizes 1000 10000 100000] [--timeout 60] [--runs 3]
                                [--styled 100000] [--only-styled]

For each size, two pages are built from the same points in Panama (each with a ``name`` property
shown in a tooltip):

- **storymap**: the Panama story with the points added by ``Story.add_layer`` (drawn by
  ``L.storymap.DataLayer`` on one canvas);
- **folium**: a plain ``folium.Map(prefer_canvas=True)`` with ``folium.GeoJson`` drawing each
  point as a ``CircleMarker`` with a ``GeoJsonTooltip`` (folium's fastest setup for points).

Both pages run offline: folium's Leaflet is inlined from the installed ``js_lib_leaflet`` package
(as storymap's is) and its other CDN assets (jQuery, Bootstrap, Font Awesome), which the map does
not need, are dropped. Each page is opened in headless Chromium (fresh context, local files only)
and timed from navigation to the first frame after the layer is drawn: for storymap, when
``root.storymap`` exists and the layer has drawn; for folium, after the ``load`` event (its
script adds every feature synchronously). A page that is not ready within ``--timeout`` seconds
is reported as not finished. The median of ``--runs`` openings is printed, with the longest
main-thread task (PerformanceObserver 'longtask') during loading and, for storymap, the longest
task over five step changes with the layer on (median over the runs).

Then, for ``--styled`` features (100,000 by default; 0 skips it), storymap layers coloured by a
column (``GeoDataFrame.explore``'s keywords) against the same layer in one colour: points in
quantiles of a column (``column=, scheme="quantiles"``), in categories, in a continuous ramp,
with radii from a column, and areas (a tenth as many squares) in one colour and in quantiles.
Per-feature colours are an index into a small palette, drawn by the same canvas layer, so
their times should match the single colour's. Besides the times above, the table shows the median
of 15 whole redraws of the view (``DataLayer.redraw()``, one task each), steadier on a busy machine.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np

import storymap

HERE = Path(__file__).resolve().parent
GEODATA = HERE.parent / "geodata"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LEAFLET = resources.files("js_lib_leaflet").joinpath("static", "js_lib_leaflet")

# Runs before the page's own scripts: long tasks, and the first frame once the layer is drawn.
TIMING_JS = """
window.__long = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push(e.duration); })
  .observe({type: 'longtask', buffered: true});
let __loaded = false;
addEventListener('load', () => { __loaded = true; });
(function poll() {
  const root = document.querySelector('[data-storymap]');
  let done;
  if (root) {
    const sm = root.storymap;
    done = sm && Object.values(sm.layers).every(
      (l) => !(L.storymap.DataLayer && l instanceof L.storymap.DataLayer) || !sm.map.hasLayer(l) || l._drawnAt);
  } else {
    done = __loaded;
  }
  if (done) { requestAnimationFrame(() => { window.__ready = performance.now(); }); return; }
  requestAnimationFrame(poll);
})();
"""


def random_points(n: int, seed: int = 7) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(-83.0, -77.2, n), rng.uniform(7.2, 9.6, n)
    return gpd.GeoDataFrame({"name": [f"Point {i}" for i in range(n)]}, geometry=gpd.points_from_xy(x, y),
                            crs="EPSG:4326")


def squares(n: int, seed: int = 7) -> gpd.GeoDataFrame:
    """``n`` small squares in Panama with a ``value`` column (lognormal, like populations)."""
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(-83.0, -77.3, n), rng.uniform(7.2, 9.5, n)
    return gpd.GeoDataFrame({"name": [f"Area {i}" for i in range(n)], "value": rng.lognormal(8, 1.5, n)},
                            geometry=gpd.GeoSeries.from_xy(x, y).buffer(0.02, cap_style="square"), crs="EPSG:4326")


def styled_pages(n: int) -> list[tuple[str, str]]:
    """(label, page) for the layers coloured by a column and their single-colour twins."""
    rng = np.random.default_rng(11)
    points = random_points(n)
    points["value"] = rng.lognormal(8, 1.5, n)
    points["kind"] = np.array(["clinic", "school", "market", "station"])[rng.integers(0, 4, n)]
    points["radius"] = 1 + 4 * rng.random(n)
    areas = squares(max(1, n // 10))
    variants = [
        (f"{n:,} points, one colour", points, {}),
        (f"{n:,} points, quantiles of a column", points, {"column": "value", "scheme": "quantiles"}),
        (f"{n:,} points, 4 categories", points, {"column": "kind"}),
        (f"{n:,} points, continuous ramp", points, {"column": "value", "cmap": "viridis"}),
        (f"{n:,} points, quantiles and radius by a column", points,
         {"column": "value", "scheme": "quantiles", "marker_kwds": {"radius": "radius"}}),
        (f"{len(areas):,} areas, one colour", areas, {}),
        (f"{len(areas):,} areas, quantiles of a column", areas, {"column": "value", "scheme": "quantiles"}),
    ]
    # Import matplotlib and mapclassify before timing (a one-off second or more).
    storymap.load(GEODATA).add_layer(points.iloc[:50], "Warm-up", column="value", scheme="quantiles").to_html()
    out = []
    for label, frame, keywords in variants:
        story = storymap.load(GEODATA)
        start = time.perf_counter()
        story.add_layer(frame, "Layer", tooltip="name", **keywords)
        html = story.to_html()
        out.append((label, html, time.perf_counter() - start))
    return out


def storymap_page(points: gpd.GeoDataFrame) -> str:
    story = storymap.load(GEODATA)
    story.add_layer(points, "Points", tooltip="name")
    return story.to_html()


def folium_page(points: gpd.GeoDataFrame) -> str:
    m = folium.Map(location=[8.5, -80.0], zoom_start=7, prefer_canvas=True, tiles=None)
    folium.GeoJson(points, name="Points", marker=folium.CircleMarker(radius=3, fill=True, weight=0),
                   tooltip=folium.GeoJsonTooltip(["name"])).add_to(m)
    return offline(m.get_root().render())


def offline(html: str) -> str:
    """folium's page with Leaflet inlined and every other CDN asset dropped."""
    js = LEAFLET.joinpath("leaflet.js").read_text("utf-8")
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)
    css = LEAFLET.joinpath("leaflet.css").read_text("utf-8")

    def script(match: re.Match[str]) -> str:
        return f"<script>{js}</script>" if match.group(1).endswith("/leaflet.js") else ""

    def link(match: re.Match[str]) -> str:
        return f"<style>{css}</style>" if match.group(1).endswith("/leaflet.css") else ""

    html = re.sub(r'<script src="(https?://[^"]+)"></script>', lambda m: script(m), html)
    html = re.sub(r'<link rel="stylesheet" href="(https?://[^"]+)"/>', lambda m: link(m), html)
    assert "https://cdn" not in html and "code.jquery" not in html
    return html


def open_page(browser, path: Path, timeout_s: float) -> dict[str, float] | None:
    """Open ``path`` once; its ready time (ms) and longest task, or None if not ready in time."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                   else route.abort())
        page.add_init_script(TIMING_JS)
        page.goto(path.as_uri(), wait_until="commit", timeout=timeout_s * 1000)
        page.wait_for_function("() => window.__ready", timeout=timeout_s * 1000, polling=100)
        result = {"ready": page.evaluate("window.__ready"), "longest": max(page.evaluate("window.__long"), default=0),
                  "step": None, "draw": None}
        if page.evaluate("() => !!document.querySelector('[data-storymap]')"):
            result["step"] = max(step_tasks(page))
            result["draw"] = page.evaluate(DRAW_JS)
        return result
    except Exception as exc:  # Playwright's TimeoutError, or a renderer that gave up
        if "Timeout" not in type(exc).__name__ and "timeout" not in str(exc).lower():
            print(f"    ({path.name}: {str(exc).splitlines()[0]})", file=sys.stderr)
        return None
    finally:
        context.close()


# The median time of 15 whole redraws of the view by the data layers on the map (in one task each):
# the drawing alone, steadier than the times above on a busy machine.
DRAW_JS = """() => { const sm = document.querySelector('[data-storymap]').storymap, times = [];
  const layers = Object.values(sm.layers).filter((l) => L.storymap.DataLayer && l instanceof L.storymap.DataLayer
    && sm.map.hasLayer(l));
  if (!layers.length) return null;
  for (let i = 0; i < 15; i++) { const t = performance.now(); layers.forEach((l) => l.redraw());
    times.push(performance.now() - t); }
  return times.sort((a, b) => a - b)[7]; }"""
STEP_JS = "(i) => { window.__long = []; document.querySelector('[data-storymap]').storymap.goTo(i); }"
SETTLED_JS = """() => { const root = document.querySelector('[data-storymap]'), sm = root.storymap;
  return !root.hasAttribute('data-storymap-moving') && Object.values(sm.layers).every(
    (l) => !(L.storymap.DataLayer && l instanceof L.storymap.DataLayer) || !l._timer && !l._next); }"""


def step_tasks(page, steps: tuple[int, ...] = (1, 3, 4, 6, 0)) -> list[float]:
    """The longest task (ms) of each of a few step changes, the layer on (0 when none is long)."""
    page.wait_for_timeout(500)
    out = []
    for i in steps:
        page.evaluate(STEP_JS, i)
        page.wait_for_function(SETTLED_JS, timeout=10_000)
        page.wait_for_timeout(300)
        out.append(max(page.evaluate("window.__long"), default=0))
    return out


def measure(browser, html: str, path: Path, runs: int, timeout_s: float) -> dict[str, object]:
    path.write_text(html, "utf-8")
    results = []
    for _ in range(runs):
        result = open_page(browser, path, timeout_s)
        if result is None:
            return {"ready": None, "longest": None, "step": None, "draw": None}
        results.append(result)
    return {"ready": statistics.median(r["ready"] for r in results),
            "longest": statistics.median(r["longest"] for r in results),
            "step": None if results[0]["step"] is None else statistics.median(r["step"] for r in results),
            "draw": None if results[0]["draw"] is None else statistics.median(r["draw"] for r in results)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a page may take to be ready")
    parser.add_argument("--runs", type=int, default=3, help="openings of each page (the median is shown)")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--styled", type=int, default=100_000,
                        help="features of the layers coloured by a column (0: skip them)")
    parser.add_argument("--only-styled", action="store_true", help="skip the storymap/folium comparison")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        base = measure(browser, storymap.load(GEODATA).to_html(), Path(tmp) / "base.html", args.runs, args.timeout)
        print(f"  story page alone: ready {fmt_ms(base['ready'], args.timeout)}, longest task on a step change "
              f"{base['step']:.0f} ms", file=sys.stderr)
        styled = []
        if args.styled:
            for i, (label, html, build) in enumerate(styled_pages(args.styled)):
                timing = measure(browser, html, Path(tmp) / f"styled-{i}.html", args.runs, args.timeout)
                styled.append({"label": label, "build": build, "size": len(html.encode("utf-8")), **timing})
                print(f"  {label}: built in {build:.2f} s, ready {fmt_ms(timing['ready'], args.timeout)}",
                      file=sys.stderr)
        for n in ([] if args.only_styled else args.sizes):
            points = random_points(n)
            row: dict[str, object] = {"n": n}
            for tool, build in (("storymap", storymap_page), ("folium", folium_page)):
                start = time.perf_counter()
                html = build(points)
                row[f"{tool}_build"] = time.perf_counter() - start
                row[f"{tool}_size"] = len(html.encode("utf-8"))
                timing = measure(browser, html, Path(tmp) / f"{tool}-{n}.html", args.runs, args.timeout)
                row[f"{tool}_ready"], row[f"{tool}_longest"] = timing["ready"], timing["longest"]
                if tool == "storymap":
                    row["step"] = timing["step"]
                print(f"  {n:>7,} {tool:<8} built in {row[f'{tool}_build']:.2f} s, "
                      f"{row[f'{tool}_size'] / 1e6:.2f} MB, ready {fmt_ms(timing['ready'], args.timeout)}",
                      file=sys.stderr)
            rows.append(row)
        browser.close()
    if rows:
        print_table(rows, args.timeout)
    if styled:
        print_styled(styled, args.timeout, args.runs)
    print(f"\nThe story page alone (no added layer): ready in {fmt_ms(base['ready'], args.timeout)}, "
          f"longest task on a step change {base['step']:.0f} ms.")
    return 0


def fmt_ms(value: object, timeout: float) -> str:
    return f"> {timeout:.0f} s (not finished)" if value is None else f"{value:,.0f} ms"


def print_styled(rows: list[dict[str, object]], timeout: float, runs: int) -> None:
    print(f"\nLayers coloured by a column against one colour (storymap; median of {runs} openings):\n")
    print("| layer | build | HTML | ready | longest task at load | longest task on a step change "
          "| one whole redraw |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        ms = [("–" if r[k] is None else f"{r[k]:,.0f} ms") for k in ("longest", "step", "draw")]
        print(f"| {r['label']} | {r['build']:.2f} s | {r['size'] / 1e6:.2f} MB | {fmt_ms(r['ready'], timeout)} "
              f"| {ms[0]} | {ms[1]} | {ms[2]} |")


def print_table(rows: list[dict[str, object]], timeout: float) -> None:
    print("| points | build: storymap / folium | HTML: storymap / folium | ready: storymap / folium "
          "| folium / storymap (ready) | longest task at load: storymap / folium | longest task on a step change |")
    print("|---:|---|---|---|---:|---|---:|")
    for r in rows:
        s_ready, f_ready = r["storymap_ready"], r["folium_ready"]
        ratio = ("–" if s_ready is None else f"> {timeout * 1000 / s_ready:.0f}×" if f_ready is None
                 else f"{f_ready / s_ready:.1f}×")
        longest = " / ".join("–" if r[k] is None else f"{r[k]:,.0f} ms" for k in ("storymap_longest", "folium_longest"))
        print(f"| {r['n']:,} | {r['storymap_build']:.2f} s / {r['folium_build']:.2f} s "
              f"| {r['storymap_size'] / 1e6:.2f} MB / {r['folium_size'] / 1e6:.2f} MB "
              f"| {fmt_ms(s_ready, timeout)} / {fmt_ms(f_ready, timeout)} | {ratio} | {longest} "
              f"| {'–' if r.get('step') is None else format(r['step'], ',.0f') + ' ms'} |")


if __name__ == "__main__":
    sys.exit(main())
