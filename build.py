"""Build the stories: geodata/ → dist/index.html, each examples/<name>/ → dist/examples/<name>/index.html,
each with its social card (social.png, 1200×630) beside it, and dist/examples/news-article.html (the
first story embedded in a news article)."""

from __future__ import annotations

import sys
from pathlib import Path

import storymap

HERE = Path(__file__).resolve().parent
DIST = HERE / "dist"
EXAMPLES = HERE / "examples"


def _build(folder: Path, page: Path) -> storymap.Story | None:
    try:
        story = storymap.load(folder)
    except storymap.StoryError as exc:
        print(exc, file=sys.stderr)
        return None
    story.save(page)
    print(f"wrote {page.relative_to(HERE)} ({page.stat().st_size:,} bytes): "
          f"{len(story.steps)} steps, {len(story.data.places)} places")
    # The link preview the page's og:image names, beside the page.
    card = storymap.write_social_card(story, page.parent / "social.png")
    print(f"wrote {card.relative_to(HERE)} ({card.stat().st_size:,} bytes)")
    return story


def main() -> int:
    story = _build(HERE / "geodata", DIST / "index.html")
    if story is None:
        return 1
    ok = True
    for folder in sorted(p.parent for p in EXAMPLES.glob("*/story.toml")):
        ok = _build(folder, DIST / "examples" / folder.name / "index.html") is not None and ok

    # An example news article embedding the story twice: as a fragment and as an iframe.
    article = (EXAMPLES / "news-article.html").read_text("utf-8")
    article = article.replace("<!-- storymap:fragment -->", story.to_html(fragment=True))
    article = article.replace("<!-- storymap:iframe -->",
                              storymap.embed_snippet("../index.html", title=story.title))
    example = storymap.write_atomic(DIST / "examples" / "news-article.html", article)  # as story.save writes pages
    print(f"wrote {example.relative_to(HERE)} ({example.stat().st_size:,} bytes)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
