"""The ``storymap`` command: a thin layer over the library (every command has ``--help``)."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from . import __version__
from .embed import embed_snippet
from .errors import StoryError
from .story import LAYOUTS, load

EXIT_INVALID = 1


def _fail(exc: StoryError, debug: bool) -> None:
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    click.echo(f"{len(exc.problems)} problem(s) found", err=True)
    if debug:
        traceback.print_exception(exc)
    sys.exit(EXIT_INVALID)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="storymap")
def main() -> None:
    """Turn GeoJSON places and a step sequence into a standalone Leaflet story map."""


@main.command()
@click.argument("folder", default="geodata", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("dist/index.html"),
              show_default=True, help="Where to write the page.")
@click.option("--fragment", is_flag=True,
              help="Write an HTML fragment to paste into a CMS (no html/head/body).")
@click.option("--layout", type=click.Choice(LAYOUTS), default=None,
              help="Override the story's layout: slides (default) or scroll.")
@click.option("--debug", is_flag=True, help="Show a Python traceback on errors.")
def build(folder: Path, output: Path, fragment: bool, layout: str | None, debug: bool) -> None:
    """Build the story in FOLDER into one self-contained HTML page (or fragment)."""
    try:
        story = load(folder)
    except StoryError as exc:
        _fail(exc, debug)
    path = story.save(output, fragment=fragment, layout=layout)
    click.echo(f"wrote {path} ({path.stat().st_size:,} bytes)")


@main.command()
@click.argument("folder", default="geodata", type=click.Path(path_type=Path))
@click.option("--debug", is_flag=True, help="Show a Python traceback on errors.")
def validate(folder: Path, debug: bool) -> None:
    """Check the story in FOLDER; print one line per problem.

    Exit status: 0 valid, 1 invalid input, 2 usage error.
    """
    try:
        story = load(folder)
    except StoryError as exc:
        _fail(exc, debug)
    click.echo(f"{folder}: valid ({len(story.steps)} steps, {len(story.data.places)} places)")


@main.command()
@click.argument("url")
@click.option("--title", default="Story map", show_default=True, help="The iframe's accessible title.")
@click.option("--height", type=click.IntRange(min=100), default=640, show_default=True,
              help="Height in pixels until the story reports its own.")
def embed(url: str, title: str, height: int) -> None:
    """Print an iframe snippet for the story page at URL, with the script that sizes it."""
    click.echo(embed_snippet(url, title=title, height=height), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
