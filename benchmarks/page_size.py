"""Print the built page's size, gzipped size and build time (median of several builds), and the
size of the page in each of the story's languages alone, without step media, against the budget
(which applies per language) and issue 11's goal.

    python benchmarks/page_size.py [--runs 5]
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import tempfile
import time
from pathlib import Path

import storymap

GEODATA = Path(__file__).resolve().parent.parent / "geodata"
# Issue 11's budget, which tests/test_build.py holds the page to: 300 KB raw (300 KiB) and 100 KB
# gzipped (100,000 bytes), for the page in one language without step media.
BUDGET, GZIP_BUDGET = 300 * 1024, 100_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    times, html = [], ""
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            start = time.perf_counter()
            path = storymap.load(GEODATA).save(Path(tmp) / "index.html")
            times.append(time.perf_counter() - start)
            html = path.read_text("utf-8")
    raw = html.encode("utf-8")
    packed = gzip.compress(raw, compresslevel=9)
    story = storymap.load(GEODATA)
    print(f"page size      {len(raw):>9,} bytes, gzipped {len(packed):,} ({', '.join(story.languages)}, media included)")
    print(f"build time     {statistics.median(times) * 1000:>9.0f} ms    (median of {args.runs}; "
          f"min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})")
    print(f"\neach language alone, without step media, as tests/test_build.py counts it (budget {BUDGET // 1024} KB raw"
          f" ({BUDGET:,} bytes), {GZIP_BUDGET:,} bytes gzipped):")
    for lang in story.languages:
        alone = without_media(story.to_html(languages=[lang]).encode("utf-8"))
        gz = len(gzip.compress(alone, compresslevel=9))
        print(f"  {lang:<6} {len(alone):>9,} bytes ({BUDGET - len(alone):+,} to the budget), gzipped {gz:,} "
              f"({GZIP_BUDGET - gz:+,} to the budget)")


def without_media(html: bytes) -> bytes:
    """``html`` without its step media's data URIs (counted against their own budget)."""
    return re.sub(rb'(<img class="storymap-media" src=")data:[^"]*"', rb'\1"', html)

if __name__ == "__main__":
    main()
