"""Build the Panama story: geodata/ → dist/index.html and dist/examples/news-article.html."""

from __future__ import annotations

import sys
from pathlib import Path

import storymap

HERE = Path(__file__).resolve().parent
DIST = HERE / "dist"


def main() -> int:
    try:
        story = storymap.load(HERE / "geodata")
    except storymap.StoryError as exc:
        print(exc, file=sys.stderr)
        return 1
    page = story.save(DIST / "index.html")
    print(f"wrote {page.relative_to(HERE)} ({page.stat().st_size:,} bytes): "
          f"{len(story.steps)} steps, {len(story.data.places)} places")

    # An example news article embedding the story twice: as a fragment and as an iframe.
    article = (HERE / "examples" / "news-article.html").read_text("utf-8")
    article = article.replace("<!-- storymap:fragment -->", story.to_html(fragment=True))
    article = article.replace("<!-- storymap:iframe -->",
                              storymap.embed_snippet("../index.html", title=story.title))
    example = DIST / "examples" / "news-article.html"
    example.parent.mkdir(parents=True, exist_ok=True)
    example.write_text(article, "utf-8")
    print(f"wrote {example.relative_to(HERE)} ({example.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
