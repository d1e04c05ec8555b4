"""The ``storymap`` command: a thin layer over the library (every command has ``--help``)."""

from __future__ import annotations

import re
import sys
import traceback
import warnings
from collections import Counter
from pathlib import Path
from typing import Any, NoReturn, Optional, Sequence

import click

from . import __version__, fonts
from .channels import page_url, social_image, write_social_card
from .embed import MAX_HEIGHT, MIN_HEIGHT, bare_host, embed_policy, embed_snippet
from .errors import Problem, StoryError, visible
from .files import names_folder
from .i18n import LanguageTagError
from .load import STORY_FILE, load_places
from .story import LAYOUTS, Story, load

EXIT_INVALID = 1
EXIT_USAGE = 2


#: On a terminal a problem repeated in more than FOLD_AFTER places (the same file, field and
#: message: one mistake made in every feature of a file) shows its first FOLD_SHOWN lines and a line
#: that counts the rest. Read from a pipe (an editor's problem matcher, CI), or with
#: `validate --all`, every problem is a line of its own.
FOLD_SHOWN, FOLD_AFTER = 3, 5


def _terminal() -> bool:
    """Whether stderr, where problems are printed, is a terminal (a person reads it)."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # (a closed or replaced stream)
        return False


def problem_lines(problems: Sequence[Problem], fold: bool) -> list[str]:
    """The lines that print ``problems``: one each, or with ``fold``, a problem repeated in more
    than FOLD_AFTER places as its first FOLD_SHOWN lines and one that counts the others."""
    if not fold:
        return [str(problem) for problem in problems]

    def key(problem: Problem) -> tuple[str, str, str]:
        return problem.file, problem.field, problem.message

    counts, seen = Counter(map(key, problems)), Counter[tuple[str, str, str]]()
    out = []
    for problem in problems:
        k = key(problem)
        seen[k] += 1
        if counts[k] <= FOLD_AFTER or seen[k] <= FOLD_SHOWN:
            out.append(str(problem))
        if counts[k] > FOLD_AFTER and seen[k] == FOLD_SHOWN:
            # ("feature", "step" ...: the places the same problem is in)
            word = problem.where.split(" ", 1)[0] if problem.where else ""
            places = f"{word}s" if word.isalpha() else "places"
            what = f"{problem.field}: " if problem.field else ""
            out.append(visible(f"{problem.file}: … {what}the same in {counts[k] - FOLD_SHOWN} more {places} "
                               f"({counts[k]} in all; storymap validate --all prints each)"))
    return out


def _echo_problems(problems: Sequence[Problem], every: bool) -> None:
    """Print ``problems`` on stderr, folded on a terminal unless ``every`` (see problem_lines)."""
    for line in problem_lines(problems, fold=not every and _terminal()):
        click.echo(line, err=True)


def _fail(exc: StoryError, debug: bool, every: bool = False) -> NoReturn:
    _echo_problems(exc.problems, every)
    click.echo(f"{len(exc.problems)} problem(s) found", err=True)
    if debug:
        click.echo("".join(traceback.format_exception(exc)).rstrip("\n"), err=True)
    sys.exit(EXIT_INVALID)


def _notes(story: Story, folder: Path, only: Optional[list[str]] = None, every: bool = False) -> int:
    """Print what the writer should know about a valid story (warnings: the page still works) on
    stderr, one line each, folded on a terminal as problems are (with ``only``, about those of its
    languages only); return how many."""
    from .load import story_notes

    notes = story_notes(story.data, folder, only)
    _echo_problems(notes, every)
    return len(notes)


def _crash(exc: Exception, what: str, debug: bool) -> NoReturn:
    """Anything but invalid input: one line, the traceback only with --debug."""
    if debug:
        click.echo("".join(traceback.format_exception(exc)).rstrip("\n"), err=True)
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
    click.echo(visible(f"{what}: {reason}") + ("" if debug else " (run with --debug for the traceback)"), err=True)
    sys.exit(EXIT_INVALID)


def _load(folder: Path, debug: bool, every: bool = False) -> Story:
    try:
        with warnings.catch_warnings():  # (the command prints them itself, see _notes)
            warnings.simplefilter("ignore", UserWarning)
            return load(folder)
    except StoryError as exc:
        _fail(exc, debug, every)
    except Exception as exc:  # noqa: BLE001 - a bug or an unreadable disk, not a story problem
        _crash(exc, f"cannot load {folder}", debug)


class _Commands(click.Group):
    """storymap's commands; a name other tools give the same job says which one is storymap's
    (`storymap check` was "No such command 'check'", and nothing more)."""

    OTHER_NAMES = {"check": "validate", "lint": "validate", "verify": "validate",
                   "preview": "serve", "watch": "serve", "dev": "serve", "init": "new", "create": "new",
                   "start": "new", "make": "build", "export": "build", "publish": "build", "iframe": "embed"}

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name in self.OTHER_NAMES and self.get_command(ctx, name) is None:
            raise click.UsageError(f"No such command {name!r}. storymap's is {self.OTHER_NAMES[name]!r}: "
                                   f"storymap {self.OTHER_NAMES[name]} {' '.join(args[1:])}".rstrip(), ctx)
        return super().resolve_command(ctx, args)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="storymap")
def main() -> None:
    """Turn GeoJSON places and a step sequence into a standalone Leaflet story map."""


_EXISTING = click.Path(exists=True, path_type=Path)


def default_folder() -> Path:
    """The story folder when none is given: ``.`` when it holds a story.toml, else ``geodata``."""
    return Path(".") if Path(STORY_FILE).is_file() else Path("geodata")


def _folder(value: Path | None, name: str = "FOLDER") -> Path:
    """The story folder (or, for validate, ``PATH``: a folder or a .geojson file) named ``name``."""
    folder = default_folder() if value is None else value
    if not folder.exists():
        what = "no story folder or .geojson file" if name == "PATH" else "no story folder"
        raise click.BadParameter(f"{what} at {str(folder)!r}" + (
            f" ({name} defaults to . when it holds a {STORY_FILE}, else to geodata)" if value is None else ""),
            param_hint=name)
    return folder


@main.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(), default="dist/index.html", show_default=True,
              help="Where to write the page: a file, or a folder (one that exists, or a path ending with /) to "
                   "write index.html in.")
@click.option("--fragment", is_flag=True,
              help="Write an HTML fragment to paste into a CMS (no html/head/body).")
@click.option("--layout", type=click.Choice(LAYOUTS), default=None,
              help="Override the story's layout: slides (default) or scroll.")
@click.option("--lang", default=None, metavar="TAG",
              help="The language the page opens in, one of the story's (default: its own lang); "
                   "the page holds them all.")
@click.option("--languages", default=None, metavar="TAGS",
              help="Only these of the story's languages in the page, comma-separated (e.g. es: a smaller page "
                   "in Spanish alone); --lang defaults to the first.")
@click.option("--social/--no-social", default=True, show_default=True,
              help="Also write the social card (social.png, 1200×630; social.es.png for a page opening in "
                   "Spanish, another language than the story's) beside the page.")
@click.option("--base-url", default=None, metavar="URL",
              help="Where this page will be published, instead of story.toml's base_url (og:url, og:image and "
                   "the canonical link are absolute under it): a staging site, or a page per language in a "
                   "folder of its own.")
@click.option("--debug", is_flag=True, help="Show a Python traceback on errors.")
def build(folder: Path | None, output: str, fragment: bool, layout: str | None, lang: str | None, languages: str | None,
          social: bool, base_url: str | None, debug: bool) -> None:
    """Build the story in FOLDER into one self-contained HTML page (or fragment).

    FOLDER defaults to the current folder when it holds a story.toml, else to geodata. Invalid
    input is reported like `storymap validate` does (exit status 1); the page is written
    atomically, so a failed build leaves the previous page as it was.
    """
    folder = _folder(folder)
    page = Path(output) / "index.html" if names_folder(output) or Path(output).is_dir() else Path(output)
    story = _load(folder, debug)
    if base_url is not None:
        try:
            story.base_url = base_url
        except StoryError as exc:
            raise click.BadParameter("; ".join(p.message for p in exc.problems), param_hint="--base-url") from None
    only = [tag.strip() for tag in languages.split(",") if tag.strip()] if languages is not None else None
    _notes(story, folder, only)
    # Checked before anything is rendered, each option named.
    if only is not None:
        if not only:
            raise click.BadParameter(f"give one or more of the story's languages, comma-separated (its languages "
                                     f"are {', '.join(story.languages)})", param_hint="--languages")
        try:
            story._only(only, None)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--languages") from None
    try:
        page_lang = story._only(only, lang)[1] if only is not None else story._language(lang)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--lang") from None
    # The card the page's og:image names: social.png, or social.es.png for a page in Spanish of a
    # story written in English (pages of several languages built into one folder keep their own),
    # ports.social.png beside ports.html (two stories built into one folder keep theirs).
    card_path = page.parent / social_image(story.data.lang, page_lang, page.name)
    written = [page] + ([card_path] if not fragment and social else [])
    own = next((path for path in written if path.resolve() in _story_files(story, folder)), None)
    if own is not None:  # (a slip such as -o geodata/story.toml would replace the story with the page)
        raise click.BadParameter(f"{own} is one of the story's own files, which the build would replace; write the "
                                 "page elsewhere (e.g. dist/index.html)", param_hint="'-o' / '--output'")
    try:
        path = story.save(page, fragment=fragment, layout=layout, lang=lang, languages=only)
    except Exception as exc:  # noqa: BLE001 - rendering or writing failed; the old page is intact
        _crash(exc, f"cannot build {page}", debug)
    click.echo(f"wrote {path} ({path.stat().st_size:,} bytes)")
    faces = story.data.theme.faces
    if faces:  # (what the story's own fonts take of it, cut down to its characters)
        inlined = fonts.inlined_bytes(path.read_text("utf-8"))
        click.echo(f"{path}: its fonts take {sum(inlined):,} bytes ({len(faces)} face{'s' if len(faces) > 1 else ''}, "
                   f"cut down to the page's characters: "
                   f"{', '.join(f'{face.name} {size:,}' for face, size in zip(faces, inlined))})")
    base = getattr(story.data, "base_url", None)
    if base_url is None and base and page_lang != story.data.lang and not fragment and page_url(str(base), own=False, page=path.name) == base:
        # (the address of the story's own page: a search engine keeps one of the two)
        click.echo(f"{path}: note: this page in {page_lang} claims base_url ({base}), the address of the story's page "
                   f"in {story.data.lang}, as its own (og:url, canonical); if both are published, build it beside that "
                   f"one under another name (e.g. {page_lang}.html)", err=True)
    if not fragment and social:  # the link preview the page's og:image names (issue 12)
        try:
            with warnings.catch_warnings(record=True) as drawn:  # (a text no font here has: said below)
                warnings.simplefilter("always", UserWarning)
                card = write_social_card(story, card_path, lang=page_lang)  # (in the page's language)
        except Exception as exc:  # noqa: BLE001 - the page is written; say why the card is not
            _crash(exc, f"cannot draw {card_path}", debug)
        click.echo(f"wrote {card} ({card.stat().st_size:,} bytes)")
        for warning in drawn:
            click.echo(visible(f"{card}: warning: {warning.message}"), err=True)
        if not base:  # (a link preview needs an absolute og:image)
            click.echo(f"{folder / 'story.toml'}: base_url: note: link previews (Facebook, LinkedIn, X, "
                       f"messaging apps) need the card's absolute address, and the page names it as "
                       f"'{card_path.name}' beside itself; set base_url = \"https://…/\" in story.toml to where the "
                       "page will live, and og:image and og:url become absolute", err=True)


def _story_files(story: Story, folder: Path) -> set[Path]:
    """The files a story is read from (resolved): story.toml, its translations, its places, and
    the images of its steps."""
    files = [folder / STORY_FILE, *folder.glob("story.*.toml"), *folder.glob("*.geojson")]
    sources = [figure.src for step in story.data.steps for figure in step.media]
    sources += [figure.src for translation in story.data.translations.values()
                for step in translation.steps.values() for figure in step.media or () if figure.src]
    files += [folder / src for src in sources if "://" not in src]
    return {path.resolve() for path in files}


@main.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--all", "every", is_flag=True,
              help="On a terminal too, print every problem: a problem repeated in more than 5 places "
                   "otherwise shows 3 lines and a count.")
@click.option("--debug", is_flag=True, help="Show a Python traceback on errors.")
def validate(path: Path | None, every: bool, debug: bool) -> None:
    """Check the story in PATH; print one line per problem.

    PATH is a story folder (default: the current folder when it holds a story.toml, else
    geodata), its story.toml, or one *.geojson file of places (checked on its own, against the
    kinds of the story.toml beside it). Exit status: 0 valid, 1 invalid input, 2 usage error.
    On a terminal, a problem repeated in more than 5 places shows 3 lines and a count (--all:
    every line); read from a pipe (an editor, CI) every problem is a line.
    """
    path = _folder(path, "PATH")
    if path.is_file() and path.name == STORY_FILE:
        path = path.parent
    if path.is_dir():
        story = _load(path, debug, every)
        warned = _notes(story, path, every=every)
        more = f"; {warned} warning{'s' if warned > 1 else ''}" if warned else ""
        # (validate run inside the story's folder: its name, not ".")
        shown = f"{path.resolve().name} ({path})" if path.name in ("", ".", "..") else path
        click.echo(f"{shown}: valid ({len(story.steps)} steps, {len(story.data.places)} places{more})")
        return
    if path.suffix.lower() not in (".geojson", ".json"):
        raise click.BadParameter(f"expected a story folder, its {STORY_FILE} or a .geojson file, got {path}",
                                 param_hint="PATH")
    try:
        places = load_places(path)
    except StoryError as exc:
        _fail(exc, debug, every)
    click.echo(f"{path}: valid ({len(places)} places)")


@main.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=Path("dist/render"),
              show_default=True, help="The folder to write <step-id>.png and story.pdf into.")
@click.option("--width", type=click.IntRange(min=1200, max=4000), default=1280, show_default=True,
              help="Window width in CSS pixels (at least 1200).")
@click.option("--height", type=click.IntRange(min=400, max=4000), default=800, show_default=True,
              help="Window height in CSS pixels.")
@click.option("--scale", type=click.FloatRange(min=1, max=3), default=1.0, show_default=True,
              help="Device pixel ratio: 2 gives pictures twice as sharp (and twice as wide).")
@click.option("--layout", type=click.Choice(LAYOUTS), default=None, help="Override the story's layout.")
@click.option("--tiles", is_flag=True,
              help="Draw the online tile layer too (needs the network); without it, the embedded basemap only.")
@click.option("--pdf/--no-pdf", default=True, show_default=True, help="Also write story.pdf, the handout.")
@click.option("--lang", default=None, metavar="TAG",
              help="The language of the pictures and the handout, one of the story's (default: its own).")
@click.option("--debug", is_flag=True, help="Show a Python traceback on errors.")
def render(folder: Path | None, output: Path, width: int, height: int, scale: float, layout: str | None,
           tiles: bool, pdf: bool, lang: str | None, debug: bool) -> None:
    """Write a picture of every step (OUTPUT/<step-id>.png) and a PDF handout (OUTPUT/story.pdf).

    Each picture is the page as a reader sees it at that step, drawn by headless Chromium
    through Playwright (pip install 'storymap[render]'; then python -m playwright install
    chromium, or use a system Chromium, or set STORYMAP_CHROMIUM). Without a browser, says what
    to install and exits with status 1.
    """
    from .channels import RenderUnavailable, render_steps

    story = _load(_folder(folder), debug)
    try:
        lang = story._language(lang)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--lang") from None
    try:
        render_steps(story, output, width=width, height=height, scale=scale, layout=layout, tiles=tiles, pdf=pdf,
                     progress=lambda path: click.echo(f"wrote {path} ({path.stat().st_size:,} bytes)"), lang=lang)
    except RenderUnavailable as exc:
        click.echo(f"storymap render: {exc}", err=True)
        sys.exit(EXIT_INVALID)
    except Exception as exc:  # noqa: BLE001 - the browser failed; one line unless --debug
        _crash(exc, f"cannot render {output}", debug)


@main.command()
@click.argument("url")
@click.option("--story", "story_path", type=click.Path(exists=True, path_type=Path), default=None,
              help="The story at URL: its folder (or story.toml), or the page storymap build wrote. The iframe's "
                   "title is then the story's, in --lang's language, and --lang is one of its languages. Without "
                   "it, a URL naming a page here (dist/index.html) is read for them.")
@click.option("--title", default=None,
              help="The iframe's accessible title  [default: the story's title, when --story or the page says it; "
                   "else 'Story map']")
@click.option("--height", type=click.IntRange(min=MIN_HEIGHT, max=MAX_HEIGHT), default=640, show_default=True,
              help="Height in pixels until the story reports its own.")
@click.option("--lang", default=None, metavar="TAG",
              help="Open the story in this language (adds ?lang=TAG, unless the story says it is its own).")
@click.option("--policy", is_flag=True, help="Print instead what the article's Content-Security-Policy must allow "
                                             "for the snippet: its script's hash and the story's origin as a frame.")
def embed(url: str, story_path: Path | None, title: str | None, height: int, lang: str | None, policy: bool) -> None:
    """Print an iframe snippet for the story page at URL, with the script that sizes it."""
    from .embed import local_page, story_page

    story: Any = story_path
    if story_path is not None and (story_path.is_dir() or story_path.name == STORY_FILE):
        story = _load(story_path.parent if story_path.is_file() else story_path, debug=False)
    elif story_path is not None and not story_page(story_path):
        raise click.BadParameter(f"expected the story's folder, its {STORY_FILE} or the page storymap build wrote, got "
                                 f"{story_path} (a fragment has no title of its own: give the story's folder)",
                                 param_hint="--story")
    elif story_path is None and not policy:
        story = local_page(url)
        if story is not None:
            click.echo(f"storymap embed: note: the title and the language are those of the page at {story}", err=True)
    try:
        snippet = embed_policy(url) + "\n" if policy else embed_snippet(url, title=title, height=height, lang=lang,
                                                                        story=story)
    except LanguageTagError as exc:
        raise click.BadParameter(str(exc), param_hint="--lang") from None
    except ValueError as exc:  # (the URL, the title, or a --lang the story is not in: --height is checked by its type)
        message = str(exc)
        hint = "--title" if message.startswith("title") else "--lang" if message.startswith("the story is not in") else "URL"
        raise click.BadParameter(message, param_hint=hint) from None
    click.echo(snippet, nl=False)
    host = bare_host(url)
    if host is not None:  # (a path beside the article, to the browser: the frame would show the site's 404)
        click.echo(f"storymap embed: note: {url!r} has no scheme, so a browser takes it as a path beside the "
                   f"page that embeds the story; for the site {host}, write https://{url}", err=True)


@main.command("new")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="My story", show_default=True, help="The story's title.")
@click.option("--lang", default="en", show_default=True, metavar="TAG",
              help="The language the story is written in (BCP 47: fr, es, pt-BR …): the page's dates, legend and "
                   "direction follow it, and its interface where storymap has it in that language (ar, de, en, es, "
                   "fr, he, ja, pt, pt-BR, zh or zh-Hans, zh-Hant).")
def new(folder: Path, title: str, lang: str) -> None:
    """Start a story in FOLDER: a commented story.toml, a places.geojson and editor schemas.

    The starter is small and valid (three landmarks, three steps): `storymap build FOLDER` builds
    it at once. FOLDER is created if needed; a file the starter would write, or a story already
    there, is never overwritten (exit status 1, nothing written). With --lang, the story's `lang`
    is that language; the starter's own texts stay English, to be replaced.
    """
    from .i18n import check_language, english, has_catalogue, language_name, language_notes
    from .scaffold import new_story, toml_string

    if not title.strip():  # (a usage error too, as --lang's)
        raise click.BadParameter("the title is blank; give it some text", param_hint="--title")
    try:
        lang, notes = check_language(lang)
    except LanguageTagError as exc:  # (a usage error, as for build's and embed's --lang: exit status 2)
        raise click.BadParameter(str(exc), param_hint="--lang") from None
    try:
        written = new_story(folder, title=title, lang=lang)
    except StoryError as exc:
        for problem in exc.problems:
            click.echo(f"storymap new: {problem}", err=True)
        sys.exit(EXIT_INVALID)
    except OSError as exc:
        click.echo(f"storymap new: cannot write {folder}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_INVALID)
    click.echo(f"wrote {', '.join(str(p) for p in written)}")
    if not has_catalogue(lang):  # (the starter's [interface] table lists its texts, in English, to translate)
        name = language_name(lang)
        notes = language_notes(lang, english()) + [
            f"the page's interface (Previous/Next, the legend's title, announcements, labels for screen readers) "
            f"is in English for {f'{name} ({lang!r})' if name else repr(lang)}, which storymap has no texts for: "
            f"translate them in story.toml's [interface] table"]
    if lang != "en":
        follows = "" if notes else ": the page's interface follows it"  # else the warnings say what does not
        click.echo(f"lang = {toml_string(lang)} in story.toml{follows}; the starter's texts are English, to be "
                   "replaced with yours")
    for note in notes:
        click.echo(f"storymap new: warning: {note}", err=True)
    shown = _shell_word(str(folder))
    click.echo(f"next: storymap serve {shown} --open    (a live preview while you edit)\n"
               f"      storymap build {shown}           (the page, in dist/index.html)")


def _shell_word(text: str) -> str:
    import shlex

    return shlex.quote(text)


@main.command()
@click.argument("what", type=click.Choice(["story", "places"]))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the schema to this file instead of printing it.")
@click.option("--story", "story_folder", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Fit the schema to the story in this folder: places may name only its kinds, steps only its "
                   "places.")
@click.option("--debug", is_flag=True, help="Show a Python traceback on errors.")
def schema(what: str, output: Path | None, story_folder: Path | None, debug: bool) -> None:
    """Print the JSON Schema (draft 2020-12) of story.toml (story) or of a places file (places).

    For editors (completion and checks as you type) and `check-jsonschema`. It is generated from
    the models `storymap validate` uses; what spans files (unique ids, swapped coordinates) is
    left to `storymap validate`.
    """
    from .schema import dumps, schema_for

    if output is not None and (re.fullmatch(r"story(\.[^.]+)?\.toml", output.name, re.IGNORECASE)
                               or output.suffix.lower() == ".geojson"):
        # (A slip such as -o geodata/story.toml would replace the story with its schema.)
        raise click.BadParameter(f"{output} is a story's own file, which the schema would replace; write it "
                                 f"beside them (e.g. schema/{what}.schema.json)", param_hint="'-o' / '--output'")
    try:
        text = dumps(schema_for(what, story_folder))
    except StoryError as exc:
        _fail(exc, debug)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _crash(exc, f"cannot write {output}", debug)
    click.echo(f"wrote {output}", err=True)


@main.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default browser.")
@click.option("--debug", is_flag=True, help="Show Python tracebacks and every request.")
def serve(folder: Path | None, port: int, open_browser: bool, debug: bool) -> None:
    """Preview the story in FOLDER at http://127.0.0.1:PORT/, rebuilt on every save.

    The open page reloads itself and keeps its step; while the files are invalid it shows their
    problems over the last version that built. A view picker shows the map's current view as the
    TOML to paste into a step. Only 127.0.0.1 is served, and only the page and the folder's own
    files. FOLDER defaults like `build`'s. Ctrl-C stops it.
    """
    from .serve import DevServer

    folder = _folder(folder)
    try:
        server = DevServer(folder, port=port, debug=debug)
    except OSError as exc:
        hint = "; choose another with --port (0 picks a free one)" if port else ""
        click.echo(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}{hint}", err=True)
        sys.exit(EXIT_INVALID)
    server.run(open_browser=open_browser)


if __name__ == "__main__":  # pragma: no cover
    main()
