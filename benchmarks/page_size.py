"""Print the built page's size, gzipped size and build time (median of several builds), and the
size of the page in each of the story's languages alone (the budget applies per language).

    python benchmarks/page_size.py [--runs 5]
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import tempfile
import time
from pathlib import Path

import storymap

GEODATA = Path(__file__).resolve().parent.parent / "geodata"
BUDGET, GZIP_BUDGET = 300 * 1024, 100 * 1024


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
    print(f"page size      {len(raw):>9,} bytes  ({len(raw) / BUDGET:.0%} of the {BUDGET // 1024} KB budget)")
    print(f"gzipped        {len(packed):>9,} bytes  ({len(packed) / GZIP_BUDGET:.0%} of the {GZIP_BUDGET // 1024} KB budget)")
    print(f"build time     {statistics.median(times) * 1000:>9.0f} ms    (median of {args.runs}; "
          f"min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})")
    story = storymap.load(GEODATA)
    if len(story.languages) > 1:
        print(f"languages      {', '.join(story.languages)} (all in the page above)")
        for lang in story.languages:
            alone = story.to_html(languages=[lang]).encode("utf-8")
            print(f"  {lang} alone   {len(alone):>9,} bytes  ({len(alone) / BUDGET:.0%}), "
                  f"gzipped {len(gzip.compress(alone, compresslevel=9)):,}")


if __name__ == "__main__":
    main()
