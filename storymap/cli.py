"""The ``storymap`` command: a thin layer over the library (every command has ``--help``)."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import NoReturn

import click

from . import __version__
from .embed import MAX_HEIGHT, MIN_HEIGHT, embed_snippet
from .errors import StoryError
from .load import STORY_FILE, load_places
from .story import LAYOUTS, Story, load

EXIT_INVALID = 1
EXIT_USAGE = 2


def _fail(exc: StoryError, debug: bool) -> NoReturn:
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    click.echo(f"{len(exc.problems)} problem(s) found", err=True)
    if debug:
        traceback.print_exception(exc)
    sys.exit(EXIT_INVALID)


def _crash(exc: Exception, what: str, debug: bool) -> NoReturn:
    """Anything but invalid input: one line, the traceback only with --debug."""
    if debug:
        traceback.print_exception(exc)
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
    click.echo(f"{what}: {reason}" + ("" if debug else " (run with --debug for the traceback)"), err=True)
    sys.exit(EXIT_INVALID)


def _load(folder: Path, debug: bool) -> Story:
    try:
        return load(folder)
    except StoryError as exc:
        _fail(exc, debug)
    except Exception as exc:  # noqa: BLE001 - a bug or an unreadable disk, not a story problem
        _crash(exc, f"cannot load {folder}", debug)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="storymap")
def main() -> None:
    """Turn GeoJSON places and a step sequence into a standalone Leaflet story map."""


_EXISTING = click.Path(exists=True, path_type=Path)


def default_folder() -> Path:
    """The story folder when none is given: ``.`` when it holds a story.toml, else ``geodata``."""
    return Path(".") if Path(STORY_FILE).is_file() else Path("geodata")


def _folder(value: Path | None) -> Path:
    folder = default_folder() if value is None else value
    if not folder.exists():
        raise click.BadParameter(f"no story folder at {str(folder)!r}" + (
            f" (FOLDER defaults to . when it holds a {STORY_FILE}, else to geodata)" if value is None else ""),
            param_hint="FOLDER")
    return folder


@main.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("dist/index.html"),
              show_default=True, help="Where to write the page.")
@click.option("--fragment", is_flag=True,
              help="Write an HTML fragment to paste into a CMS (no html/head/body).")
@click.option("--layout", type=click.Choice(LAYOUTS), default=None,
              help="Override the story's layout: slides (default) or scroll.")
@click.option("--debug", is_flag=True, help="Show a Python traceback on errors.")
def build(folder: Path, output: Path, fragment: bool, layout: str | None, debug: bool) -> None:
    """Build the story in FOLDER into one self-contained HTML page (or fragment).

    FOLDER defaults to the current folder when it holds a story.toml, else to geodata. Invalid
    input is reported like `storymap validate` does (exit status 1); the page is written
    atomically, so a failed build leaves the previous page as it was.
    """
    story = _load(_folder(folder), debug)
    try:
        path = story.save(output, fragment=fragment, layout=layout)
    except Exception as exc:  # noqa: BLE001 - rendering or writing failed; the old page is intact
        _crash(exc, f"cannot build {output}", debug)
    click.echo(f"wrote {path} ({path.stat().st_size:,} bytes)")


@main.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--debug", is_flag=True, help="Show a Python traceback on errors.")
def validate(path: Path | None, debug: bool) -> None:
    """Check the story in PATH; print one line per problem.

    PATH is a story folder (default: the current folder when it holds a story.toml, else
    geodata), its story.toml, or one *.geojson file of places (checked on its own, against the
    kinds of the story.toml beside it). Exit status: 0 valid, 1 invalid input, 2 usage error.
    """
    path = _folder(path)
    if path.is_file() and path.name == STORY_FILE:
        path = path.parent
    if path.is_dir():
        story = _load(path, debug)
        click.echo(f"{path}: valid ({len(story.steps)} steps, {len(story.data.places)} places)")
        return
    if path.suffix.lower() not in (".geojson", ".json"):
        raise click.BadParameter(f"expected a story folder, its {STORY_FILE} or a .geojson file, got {path}",
                                 param_hint="PATH")
    try:
        places = load_places(path)
    except StoryError as exc:
        _fail(exc, debug)
    click.echo(f"{path}: valid ({len(places)} places)")


@main.command()
@click.argument("url")
@click.option("--title", default="Story map", show_default=True, help="The iframe's accessible title.")
@click.option("--height", type=click.IntRange(min=MIN_HEIGHT, max=MAX_HEIGHT), default=640, show_default=True,
              help="Height in pixels until the story reports its own.")
def embed(url: str, title: str, height: int) -> None:
    """Print an iframe snippet for the story page at URL, with the script that sizes it."""
    click.echo(embed_snippet(url, title=title, height=height), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
