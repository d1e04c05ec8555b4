"""Syntax errors in story files, said in plain words: where, the line as written, and how to fix it.

``tomllib`` and ``json`` name a syntax error in a parser's terms ("Invalid value", "Illegal
character '\\n'", "Unterminated string (at end of document)", "Expecting property name enclosed in
double quotes"), and a text left open runs to the end of the file, where the parser reports it.
A reporter editing ``story.toml`` by hand needs the line to look at and what to change there:
:func:`toml_message` and :func:`json_message` give both, keeping the parser's own words last. As
every problem line, they name keys but never repeat a value from the file.
"""

from __future__ import annotations

import re
from typing import Iterator

__all__ = ["toml_message", "json_message"]

_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")

#: The parser's message (its start) → what it means and how to fix it.
_TOML_HINTS = (
    ("Illegal character '\\n'", "a text has no closing quote: end it with \" on the same line, "
                                "or write a text of several lines between \"\"\" and \"\"\""),
    ("Unterminated string", "a text has no closing quote: end it with \" on the same line, "
                            "or write a text of several lines between \"\"\" and \"\"\""),
    ("Invalid value", "a value TOML cannot read: text goes between quotes (lang = \"fr\"); "
                      "numbers, true and false go without"),
    ("Cannot overwrite a value", "a key given twice: keep one of them"),
    ("Cannot declare", "a table given twice: keep one of them, or use [[steps]] (two brackets) for a list of them"),
    ("Unclosed array", "a list that is not closed: separate its items with commas and end it with ]"),
    ("Unclosed inline table", "a { … } table that is not closed: separate its items with commas and end it with }"),
    ("Expected '=' after a key", "a line that is neither key = value nor a [table]: "
                                 "text goes between quotes, and a text of several lines between \"\"\" and \"\"\""),
    ("Invalid statement", "a line that is neither key = value nor a [table]: "
                          "text goes between quotes, and a text of several lines between \"\"\" and \"\"\""),
    ("Expected newline or end of document after a statement",
     "something after the value on this line: one key = value a line; a quote inside a text is written \\\" "
     "(or put the text between ''' and ''')"),
)


_KEY = re.compile(r"\s*([A-Za-z0-9_.-]+)\s*=")
_TABLE = re.compile(r"\s*(\[\[?[A-Za-z0-9_. -]+\]\]?)\s*(?:#.*)?$")


def _line(text: str, number: int) -> str:
    """The line's key (``title = …``) or table header (``[kinds.port]``), never its value: a
    problem line does not repeat what a file holds (the file may not be what it seems)."""
    lines = text.splitlines()
    line = lines[number - 1] if 0 < number <= len(lines) else ""
    key, table = _KEY.match(line), _TABLE.match(line)
    return f"{key.group(1)} = …" if key else table.group(1) if table else ""


def _strings(text: str) -> Iterator[tuple[int, int | None, str]]:
    """TOML's strings in ``text`` (its four kinds, comments skipped) as ``(first line, last line,
    body)``, the last line None for a string still open at the end of ``text``."""
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif c in "\"'":
            start = line
            delimiter = c * 3 if text.startswith(c * 3, i) else c
            i += len(delimiter)
            begin = i
            while True:
                if i >= n or (len(delimiter) == 1 and text[i] == "\n"):
                    if i >= n:
                        yield start, None, text[begin:]
                        return
                    break  # a one-line string ends at its line (tomllib says so there)
                if c == '"' and text[i] == "\\":
                    line += text[i + 1:i + 2] == "\n"
                    i += 2
                    continue
                if text.startswith(delimiter, i):
                    yield start, line, text[begin:i]
                    i += len(delimiter)
                    while i < n and text[i] == c:  # """a "quoted" end"""" closes at the last quotes
                        i += 1
                    break
                line += text[i] == "\n"
                i += 1
            continue
        i += 1


def _open_string(text: str) -> int | None:
    """The line where a string still open at the end of ``text`` starts, or None when every string
    is closed."""
    return next((start for start, end, _ in _strings(text) if end is None), None)


#: A whole line of TOML: a [table] header, or a key given a text (``title = "…``, ``narrative = """…``).
_STATEMENT = re.compile(r"""^[ \t]*(?:\[\[?[A-Za-z0-9_. -]+\]\]?[ \t]*$|[A-Za-z0-9_.-]+[ \t]*=[ \t]*["'])""", re.M)


def _overrun(text: str, line: int) -> tuple[int, int] | None:
    """The text of several lines that ends right before ``line`` (blank lines and comments
    between) and holds whole lines of TOML (a ``[[steps]]`` header, a key given a text): a text
    whose closing quotes were left out or mistyped, so that it ran on to the next text's opening
    quotes and closed there, the parser stopping at the first line after. Its first and last lines."""
    found = None
    for start, end, body in _strings(text):
        if end is None or end > line:
            break
        found = (start, end, body)
    if found is None or found[1] == found[0] or not _STATEMENT.search(found[2]):
        return None
    between = text.splitlines()[found[1]:line - 1]
    return found[:2] if all(not row.strip() or row.lstrip().startswith("#") for row in between) else None


def toml_message(text: str, error: Exception) -> str:
    """A TOML syntax error as one problem line's message: ``line N: what it means: the line``."""
    raw = str(error)
    match = _AT.search(raw)
    said = raw[:match.start()] if match else raw
    line = int(match.group(1)) if match and match.group(1) else None
    if line is None and said.startswith("Unterminated string"):
        line = _open_string(text)
    hint = next((h for start, h in _TOML_HINTS if said.startswith(start)), None)
    overrun = _overrun(text, line) if line and not said.startswith("Unterminated string") else None
    if overrun:
        # (Where the parser stopped is not where the slip is: a text left open further up ran on.)
        first, last = overrun
        opened = f" ({_line(text, first)})" if _line(text, first) else ""
        return (f"invalid TOML at line {first}: the text of several lines that starts there{opened} runs on to line "
                f"{last}, over the keys and [tables] after it: its closing \"\"\" is missing or mistyped "
                f"(the file cannot be read from line {line} on) [{said}]")
    where = f"line {line}" + (f", column {match.group(2)}" if match and match.group(2) else "") if line else ""
    out = "invalid TOML" + (f" at {where}" if where else "") + f": {hint or said}"
    if line and _line(text, line):
        out += f" (line {line}: {_line(text, line)})"
    return out + (f" [{said}]" if hint else "")


def json_message(text: str, error: "json.JSONDecodeError") -> str:  # noqa: F821 (a name for readers)
    """A JSON syntax error as one problem line's message, with a hint for the usual slips."""
    before = text[:error.pos].rstrip()
    at = text[error.pos:error.pos + 1]
    hint = None
    if at in "\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e" and at:
        hint = ("a typographic quote (\u201c \u201d) where JSON needs a straight one (\"): a word processor or "
                "an editor's smart quotes changed it; type the text in a plain-text editor")
    elif before.endswith(",") and at == ",":
        hint = "two commas in a row: remove one"
    elif error.msg.startswith("Expecting property name") and before.endswith(","):
        hint = "a comma before } : remove the last comma of the object"
    elif error.msg == "Expecting value" and before.endswith(","):
        hint = "a comma before ] : remove the last comma of the list"
    elif error.msg == "Expecting value" and not before:
        hint = "the file is empty or is not JSON: a places file is a GeoJSON FeatureCollection"
    elif error.msg.startswith("Expecting ',' delimiter"):
        hint = "a comma missing between two items (or a quote inside a text, written \\\" in JSON)"
    elif error.msg.startswith("Invalid control character"):
        hint = "a text runs over a line end: write a line break inside a text as \\n"
    said = f"{hint} [{error.msg}]" if hint else error.msg
    return f"invalid JSON at line {error.lineno}, column {error.colno}: {said}"
