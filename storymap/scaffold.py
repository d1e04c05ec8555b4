"""``storymap new``: a small, valid, documented story to start from.

The starter story (``storymap/starter/``: a commented ``story.toml`` and a ``places.geojson`` of
three landmarks, each with its Wikipedia article as source) is copied into a new folder with the
title given, along with JSON Schemas for editors (``schema/story.schema.json``, which the first
line of story.toml points TOML language servers at, and ``schema/places.schema.json``). Nothing is
ever overwritten: a folder that already holds a story, or any file the starter would write, is refused.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from .errors import Problem, StoryError
from .i18n import english, has_catalogue, own_name
from .load import STORY_FILE

__all__ = ["new_story", "STARTER_FILES", "SCHEMA_DIR", "toml_string"]

#: The starter's files, copied as they are but for the title.
STARTER_FILES = (STORY_FILE, "places.geojson")
#: Where the editor schemas go, inside the new story's folder.
SCHEMA_DIR = "schema"
_TITLE = '"__STORYMAP_TITLE__"'
DEFAULT_TITLE = "My story"


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string (quoted; escapes as TOML 1.0 reads them)."""
    out = []
    for char in text:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _starter(name: str) -> str:
    return resources.files("storymap").joinpath("starter", name).read_text("utf-8")


def new_story(folder: str | os.PathLike[str], *, title: str = DEFAULT_TITLE, lang: str = "en") -> list[Path]:
    """Write the starter story into ``folder`` (created if needed); return the paths written.

    ``lang`` is the language the story will be written in (a BCP 47 tag, checked as story.toml's
    ``lang`` is, and written in BCP 47's usual case): the page's dates, legend and direction follow
    it, and its interface where storymap has a catalogue for it (see
    :func:`storymap.i18n.language_notes`). The starter's own texts stay English, to be replaced;
    in another language its kicker ("Story map") is left empty rather than shown in English.

    Raises
    ------
    StoryError
        When ``folder`` is a file, already holds a story (a story.toml or *.geojson files, which
        would become part of the new story) or any file the starter would write, or the title is
        blank, or ``lang`` is not a language (``jp``: did you mean ``ja``?). Nothing is written then.
    """
    from .schema import dumps, places_schema, story_schema
    from .i18n import check_language

    root = Path(folder)
    if not title.strip():
        raise StoryError([Problem("", "the title is blank; give --title some text")])
    try:
        lang = check_language(lang)[0]  # the check story.toml's lang gets
    except ValueError as exc:
        raise StoryError([Problem("", f"--lang: {exc}")]) from None
    targets = [root / name for name in STARTER_FILES] + [root / SCHEMA_DIR / f"{what}.schema.json"
                                                         for what in ("story", "places")]
    if root.exists() and not root.is_dir():
        raise StoryError([Problem(str(root), "exists and is not a folder; nothing was written")])
    existing = [p for p in targets if p.exists() or p.is_symlink()]
    existing += [p for p in sorted(root.glob("*.geojson")) if p not in existing] if root.is_dir() else []
    if existing:
        names = ", ".join(str(p) for p in existing)
        raise StoryError([Problem(str(root), f"already holds {names}; storymap new never overwrites a file "
                                             "(nothing was written): choose a new folder")])
    texts = {
        STORY_FILE: _starter_toml(title.strip(), lang),
        "places.geojson": _starter("places.geojson"),
    }
    root.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for name, text in texts.items():
            written.append(_create(root / name, text))
        (root / SCHEMA_DIR).mkdir(exist_ok=True)
        written.append(_create(root / SCHEMA_DIR / "story.schema.json", dumps(story_schema(root))))
        written.append(_create(root / SCHEMA_DIR / "places.schema.json", dumps(places_schema(root))))
    except BaseException:
        for path in written:  # all or nothing: no half-made story is left behind
            path.unlink(missing_ok=True)
        raise
    return written


def _starter_toml(title: str, lang: str) -> str:
    text = _starter(STORY_FILE).replace(_TITLE, toml_string(title), 1)
    if lang == "en":
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("lang = "):
            lines[i] = _with_value(line, "lang", toml_string(lang))
        elif line.startswith("kicker = "):
            lines[i] = _with_value(line, "kicker", '""')
    text = "\n".join(lines)
    return text if has_catalogue(lang) else text.replace(_INTERFACE_EXAMPLE, _interface_table(lang))


#: The starter's example of an [interface] table (commented out).
_INTERFACE_EXAMPLE = '# [interface]\n# "nav.next" = "Next"\n'


def _interface_table(lang: str) -> str:
    """For a language storymap has no interface texts for: the [interface] table with its own name
    (the language switch's, where CLDR knows it) and every other text, in English, to translate
    (commented out: a line left as it is stays English, and validation says how many remain)."""
    name = own_name(lang)  # (None for a language CLDR lacks: the writer names it)
    rows = [f"{toml_string(key)} = {toml_string(name)}" if key == "language.name" and name else
            f"# {toml_string(key)} = {toml_string(text)}" for key, text in english().items()]
    return "[interface]\n" + "\n".join(rows) + "\n"


def _with_value(line: str, key: str, value: str) -> str:
    """``line`` (``key = value   # comment``) with another value, its comment kept in its column."""
    comment = line.index("  #")
    setting = f"{key} = {value}"
    return setting + " " * max(comment + 2 - len(setting), 1) + line[comment:].lstrip()


def _create(path: Path, text: str) -> Path:
    """Write a new file; fail if it exists (even if it appeared since the check)."""
    with path.open("x", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    return path
