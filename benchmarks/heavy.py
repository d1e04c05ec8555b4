"""Heavy places files: build time and peak memory of a whole story, load → validate → render → write.

    python benchmarks/heavy.py [--sizes 1000 10000 50000] [--runs 3] [--unknown 3000]

For each size a valid story folder is written: one places file of that many points scattered over
the inhabited latitudes (each with a name, a one-line annotation and one source, as small as a
valid place gets, so that 50,000 stay under the 10 MiB file limit) and three steps (all places,
the first ten, every hundredth). Each build runs in a fresh Python process (storymap imported
first, not timed): ``storymap.load(folder).save(out)``, timed in its parts (load and validate,
render, write). Printed: the median build time, the time
of each phase in the median run, the median CPU time (which other work on a shared machine does
not inflate), the process's peak resident memory and the page size.

Then the error report for a step naming ``--unknown`` place ids that do not exist (each with a
"did you mean" among 5,000 places): the median time from reading the folder to the formatted
report.

The budgets (issue 16): 50,000 places build in under 30 s and 1.5 GB; the report of thousands of
unknown names takes under 2 s. A case over its budget is marked and the exit status is 1.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BUDGET_S, BUDGET_MB = 30.0, 1536.0
REPORT_BUDGET_S = 2.0

CHILD = r"""
import json, resource, sys, time
import storymap
from storymap.files import write_atomic

folder, out = sys.argv[1], sys.argv[2]
start, cpu = time.perf_counter(), time.process_time()
story = storymap.load(folder)  # what story.save(out) does, in its three parts
loaded = time.perf_counter()
html = story.to_html()
rendered = time.perf_counter()
write_atomic(out, html)
done = time.perf_counter()
print(json.dumps({"total": done - start, "cpu": time.process_time() - cpu, "load": loaded - start,
                  "render": rendered - loaded, "write": done - rendered,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "bytes": len(html.encode("utf-8"))}))
"""

REPORT_CHILD = r"""
import json, sys, time
import storymap
start = time.perf_counter()
try:
    storymap.load(sys.argv[1])
except storymap.StoryError as exc:
    text = str(exc)
    print(json.dumps({"time": time.perf_counter() - start, "problems": len(exc.problems),
                      "suggested": text.count("did you mean")}))
"""


def write_story(folder: Path, n: int, *, unknown: int = 0, seed: int = 0) -> Path:
    """A valid story of ``n`` points (plus, with ``unknown``, a step naming that many missing ids)."""
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    xy = np.column_stack([rng.uniform(-180, 180, n), rng.uniform(-55, 70, n)]).round(4)
    features = [{"type": "Feature", "id": f"p{i}",
                 "properties": {"name": f"P{i}", "annotation": f"Place {i}.",
                                "sources": [{"title": "S", "url": "https://e.org"}]},
                 "geometry": {"type": "Point", "coordinates": [x, y]}} for i, (x, y) in enumerate(xy.tolist())]
    (folder / "places.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")), "utf-8")
    ids = [f["id"] for f in features]
    steps = [("all", "Every place", ids), ("first", "The first ten", ids[:10]),
             ("some", "Every hundredth", ids[::100])]
    if unknown:  # near misses of real ids, and names like none of them
        steps.append(("missing", "Missing", [f"p{i}x" if i % 2 else f"place-{i}" for i in range(unknown)]))
    text = 'title = "Heavy"\n'
    for sid, title, places in steps:
        text += f'\n[[steps]]\nid = "{sid}"\ntitle = "{title}"\nnarrative = "The places."\nplaces = {json.dumps(places)}\n'
    (folder / "story.toml").write_text(text, "utf-8")
    return folder


def _child(code: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the build failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 50_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--unknown", type=int, default=3000, help="unknown place ids in the error report case")
    args = parser.parse_args()
    failed = False
    print(f"{'places':>7} {'file':>8} {'build (median)':>15} {'load':>7} {'render':>7} {'write':>7} "
          f"{'CPU':>7} {'peak RSS':>10} {'page':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            folder = write_story(Path(tmp) / f"s{n}", n)
            size = (folder / "places.geojson").stat().st_size
            runs = [_child(CHILD, str(folder), str(Path(tmp) / f"s{n}.html")) for _ in range(args.runs)]
            median = sorted(runs, key=lambda r: r["total"])[len(runs) // 2]
            peak = max(r["peak_mb"] for r in runs)
            over = median["total"] > BUDGET_S or peak > BUDGET_MB
            failed |= over
            print(f"{n:>7,} {size / 2**20:>6.1f}MB {median['total']:>14.2f}s {median['load']:>6.2f}s "
                  f"{median['render']:>6.2f}s {median['write']:>6.2f}s "
                  f"{statistics.median(r['cpu'] for r in runs):>6.2f}s {peak:>8.0f}MB "
                  f"{median['bytes'] / 2**20:>7.1f}MB" + ("  OVER BUDGET" if over else ""))
        folder = write_story(Path(tmp) / "unknown", 5000, unknown=args.unknown)
        reports = [_child(REPORT_CHILD, str(folder)) for _ in range(args.runs)]
        took = statistics.median(r["time"] for r in reports)
        over = took > REPORT_BUDGET_S
        failed |= over
        print(f"\nerror report: {reports[0]['problems']:,} problems ({reports[0]['suggested']:,} with a suggestion) "
              f"for {args.unknown:,} unknown ids among 5,000 places: {took:.2f}s (median)"
              + ("  OVER BUDGET" if over else ""))
    print(f"budgets: build {BUDGET_S:.0f} s and {BUDGET_MB / 1024:.1f} GB; error report {REPORT_BUDGET_S:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
