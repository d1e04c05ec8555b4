"""Time filtering: a large layer added with ``time=`` following the Panama story's dated steps.

    python benchmarks/timefilter.py [--sizes 10000 100000] [--runs 3] [--timeout 60]

For each size, random points in Panama dated 2000–2026 (every tenth without a date) are added to
the Panama story three times, one page each: without ``time=`` (the baseline), with
``time="when"`` (cumulative) and with ``time_mode="window"``. Printed per page (the layer is on
at every step):

- **build**: ``add_layer`` + ``to_html`` (s), and the page's size; the time column costs one whole
  number per feature (its day, as an offset from the earliest);
- **days**: :func:`storymap.dates.feature_days` alone on the column as ISO text and as
  ``datetime64`` (ms);
- in headless Chromium (offline, reduced motion, 1280×800), medians over ``--runs`` openings and
  the story's dated steps: **filter**, one ``setTime`` call (the pass over the features' days
  that picks those shown); **step**, a whole step change to a dated step (from an undated one)
  until the layer has drawn the new view with nothing left to draw (frames counted: at least
  one frame, ~16 ms); **redraw**, one whole redraw of the view (``redraw()``) at a dated step
  and at an undated one (all features); and **count**, the features shown at each dated step
  (``featureCount()``), checked against the dates computed here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import storymap
from storymap.dates import feature_days

from layers import CHROMIUM_ARGS, GEODATA, random_points  # benchmarks/layers.py

# In the page: per dated step, the time of one setTime call (the filter; the story then draws),
# and of a whole step change until the layer has drawn, with the count it shows.
STEPS_JS = """async (name) => {
  const root = document.querySelector('[data-storymap]'), sm = root.storymap, layer = sm.layers[name];
  const frame = () => new Promise((done) => requestAnimationFrame(done));
  const settled = async () => { do { await frame(); } while (layer._timer || layer._next ||
    root.hasAttribute('data-storymap-moving')); };
  const undated = sm._config.steps.findIndex((s) => !s.time), out = [];
  for (let i = 0; i < sm.steps.length; i++) {
    const step = sm._config.steps[i];
    if (!step.time) continue;
    let t = performance.now();
    layer.setTime(step.time.days);
    const filter = performance.now() - t;
    sm.goTo(undated);
    await settled();
    t = performance.now();
    sm.goTo(i);
    await settled();
    out.push({id: step.id, filter, step: performance.now() - t, count: layer.featureCount()});
  }
  return out;
}"""
REDRAW_JS = """(args) => { const [name, i] = args, sm = document.querySelector('[data-storymap]').storymap;
  const layer = sm.layers[name], times = [];
  sm.goTo(i);
  for (let k = 0; k < 9; k++) { const t = performance.now(); layer.redraw(); times.push(performance.now() - t); }
  return times.sort((a, b) => a - b)[4]; }"""


def dated_points(n: int) -> pd.DataFrame:
    points = random_points(n)
    rng = np.random.default_rng(3)
    when = (np.datetime64("2000-01-01") + rng.integers(0, 9_800, n)).astype(str).astype(object)
    when[::10] = None
    points["when"] = when
    return points


def expected_counts(points: pd.DataFrame, mode: str) -> dict[str, int]:
    days = [dt.date.fromisoformat(v) if isinstance(v, str) else None for v in points["when"]]
    out = {}
    for step in storymap.load(GEODATA).steps:
        if step.time is not None:
            span = step.time
            out[step.id] = sum(1 for d in days if d is not None and d <= span.end and (mode == "cumulative" or
                                                                                      d >= span.start))
    return out


def browse(browser, path: Path, mode: str | None, runs: int, timeout_s: float) -> dict[str, float]:
    rows, redraw_dated, redraw_all = [], [], []
    story = storymap.load(GEODATA)
    dated = next(i for i, s in enumerate(story.steps) if s.time is not None)
    undated = next(i for i, s in enumerate(story.steps) if s.time is None)
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
        try:
            page = context.new_page()
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                       else route.abort())
            page.goto(path.as_uri(), timeout=timeout_s * 1000)
            page.wait_for_function("() => { const r = document.querySelector('[data-storymap]');"
                                   " return r && r.storymap && r.storymap.layers.Points._drawnAt; }",
                                   timeout=timeout_s * 1000, polling=100)
            rows.append(page.evaluate(STEPS_JS, "Points"))
            redraw_dated.append(page.evaluate(REDRAW_JS, ["Points", dated]))
            redraw_all.append(page.evaluate(REDRAW_JS, ["Points", undated]))
        finally:
            context.close()
    out = {"redraw dated": statistics.median(redraw_dated), "redraw undated": statistics.median(redraw_all)}
    out["step"] = statistics.median(r["step"] for run in rows for r in run)
    if mode is not None:  # (without times, setTime only asks for a redraw)
        out["filter"] = statistics.median(r["filter"] for run in rows for r in run)
    out["counts"] = {r["id"]: r["count"] for r in rows[0]}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3, help="openings of each page (the median is shown)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a page may take to be ready")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    storymap.load(GEODATA).to_html()  # warm caches (minified scripts, basemap)
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        for n in args.sizes:
            points = dated_points(n)
            as_text, as_dates = points["when"], pd.to_datetime(points["when"])
            timings = []
            for values in (as_text, as_dates):
                start = time.perf_counter()
                feature_days(values)
                timings.append((time.perf_counter() - start) * 1000)
            print(f"\n{n:,} points ({points['when'].notna().sum():,} dated); feature_days: "
                  f"{timings[0]:.0f} ms as ISO text, {timings[1]:.0f} ms as datetime64")
            print(f"  {'page':<22} {'build s':>8} {'bytes':>12} {'filter ms':>10} {'step ms':>9} "
                  f"{'redraw dated':>13} {'redraw all':>11}")
            base = None
            for label, mode in (("no time (baseline)", None), ("time, cumulative", "cumulative"),
                                ("time, window", "window")):
                story = storymap.load(GEODATA)
                start = time.perf_counter()
                keywords = {} if mode is None else {"time": "when", "time_mode": mode}
                story.add_layer(points, "Points", tooltip="name", **keywords)
                html = story.to_html()
                build = time.perf_counter() - start
                size = len(html.encode("utf-8"))
                base = size if base is None else base
                path = Path(tmp) / f"{n}-{mode}.html"
                path.write_text(html, "utf-8")
                found = browse(browser, path, mode, args.runs, args.timeout)
                extra = "" if mode is None else f" (+{size - base:,})"
                fmt = lambda key: f"{found[key]:.1f}" if key in found else "–"  # noqa: E731
                print(f"  {label:<22} {build:>8.2f} {size:>12,}{extra} {fmt('filter'):>10} {fmt('step'):>9} "
                      f"{fmt('redraw dated'):>13} {fmt('redraw undated'):>11}")
                if mode is not None:
                    want = expected_counts(points, mode)
                    ok = found["counts"] == want
                    shown = ", ".join(f"{k} {v:,}" for k, v in list(found["counts"].items())[:4])
                    print(f"      featureCount per dated step {'matches' if ok else 'DIFFERS from'} the dates "
                          f"({shown}, …)")
                    if not ok:
                        print(f"      expected {want}", file=sys.stderr)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
