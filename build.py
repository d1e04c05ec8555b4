"""Build the Panama story: geodata/ → dist/index.html (and print what was written)."""

from __future__ import annotations

import sys
from pathlib import Path

import storymap

HERE = Path(__file__).resolve().parent


def main() -> int:
    try:
        story = storymap.load(HERE / "geodata")
    except storymap.StoryError as exc:
        print(exc, file=sys.stderr)
        return 1
    page = story.save(HERE / "dist" / "index.html")
    print(f"wrote {page.relative_to(HERE)} ({page.stat().st_size:,} bytes): "
          f"{len(story.steps)} steps, {len(story.data.places)} places")
    return 0


if __name__ == "__main__":
    sys.exit(main())
