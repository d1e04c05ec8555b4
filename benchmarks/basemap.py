"""Time and memory of the embedded basemap (``storymap.basemap.basemap_data``) for many places.

    python benchmarks/basemap.py [--sizes 1000 10000 50000] [--runs 3]

Each case runs in a fresh process, so "peak" is that process's peak resident memory (data
loaded, places made, basemap built) and "data" the part of it before the basemap was built.
"CPU" is the process's CPU time, which other work on a shared machine does not inflate.
Cases: points scattered over the world's inhabited latitudes, and the same number clustered
in one country-sized box. The budget (issue 16): 50,000 points in well under 10 s and a few
hundred MB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

BUDGET_S, BUDGET_MB = 10.0, 500.0

CHILD = r"""
import json, resource, statistics, sys, time
import numpy as np, shapely
from storymap.basemap import basemap_data, natural_earth

n, layout, runs = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
natural_earth()
rng = np.random.default_rng(0)
if layout == "scattered":
    xy = np.column_stack([rng.uniform(-180, 180, n), rng.uniform(-55, 70, n)])
else:  # clustered: Panama-sized
    xy = np.column_stack([rng.uniform(-83, -77, n), rng.uniform(7, 10, n)])
points = list(shapely.points(xy))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
times, cpu = [], []
for _ in range(runs):
    start, start_cpu = time.perf_counter(), time.process_time()
    data = basemap_data(points)
    times.append(time.perf_counter() - start)
    cpu.append(time.process_time() - start_cpu)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
size = len(json.dumps(data, separators=(",", ":"), ensure_ascii=False))
print(json.dumps({"median": statistics.median(times), "cpu": statistics.median(cpu), "peak_mb": peak, "data_mb": before, "bytes": size}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 50_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'places':>8} {'layout':<10} {'time (median)':>14} {'CPU':>9} {'peak RSS':>10} {'of it data':>11} {'output':>10}")
    failed = False
    for layout in ("scattered", "clustered"):
        for n in args.sizes:
            done = subprocess.run([sys.executable, "-c", CHILD, str(n), layout, str(args.runs)],
                                  check=True, capture_output=True, text=True)
            r = json.loads(done.stdout.strip().splitlines()[-1])
            over = r["median"] > BUDGET_S or r["peak_mb"] > BUDGET_MB
            failed |= over and n <= 50_000
            print(f"{n:>8,} {layout:<10} {r['median'] * 1000:>11,.0f} ms {r['cpu'] * 1000:>6,.0f} ms {r['peak_mb']:>7,.0f} MB "
                  f"{r['data_mb']:>8,.0f} MB {r['bytes'] / 1024:>7,.0f} KB" + ("  OVER BUDGET" if over else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
