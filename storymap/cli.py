"""The ``storymap`` command: a thin layer over the library (every command has ``--help``)."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from . import __version__
from .errors import StoryError
from .story import load

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
@click.option("--debug", is_flag=True, help="Show a Python traceback on errors.")
def build(folder: Path, output: Path, debug: bool) -> None:
    """Build the story in FOLDER into one self-contained HTML page."""
    try:
        story = load(folder)
    except StoryError as exc:
        _fail(exc, debug)
    path = story.save(output)
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


if __name__ == "__main__":  # pragma: no cover
    main()
