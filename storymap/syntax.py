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

__all__ = ["toml_message", "json_message", "TYPOGRAPHIC_QUOTES"]

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


#: Quotes TOML and JSON do not read: a word processor's or an editor's smart quotes (“…”, ‘…’),
#: and the quotes of a text's own language («…», „…“, 「…」, 『…』, the full-width ＂).
TYPOGRAPHIC_QUOTES = "\u201c\u201d\u201e\u201f\u2018\u2019\u201a\u201b\u00ab\u00bb\u2039\u203a" \
                     "\u300c\u300d\u300e\u300f\u301d\u301e\u301f\uff02\uff07\u05f4"
_QUOTED_RUN = re.compile(f"[\"{TYPOGRAPHIC_QUOTES}][^\"{TYPOGRAPHIC_QUOTES}\\n]*[\"{TYPOGRAPHIC_QUOTES}]")
#: Python's words for JSON's (what a dict printed by Python holds).
_JSON_WORDS = {"True": "true", "False": "false", "None": "null"}
_PYTHON_WORD = re.compile(r"(True|False|None)\b")
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


def _typographic(text: str, said: str, line: int | None, column: int | None) -> tuple[str, str] | None:
    """For a value, a key or a text's end written with typographic quotes (``subtitle = “A story”``,
    ``“title” = …``, ``title = "A story”``): what to change, naming the quotes found, and the line
    as it should be (its texts shown as "…": a problem line does not repeat what a file holds), or
    as :func:`_line` shows it where that cannot be told."""
    lines = text.splitlines()
    if not line or not 0 < line <= len(lines):
        return None
    row = lines[line - 1]
    at = row[column - 1:] if column else ""
    fixed = None
    if said.startswith(("Illegal character '\\n'", "Unterminated string")):
        # A text opened with a straight quote and closed with a typographic one runs to the line's end.
        key = _KEY.match(row)
        end = row.rstrip()[-1:]
        if not key or not end or end not in TYPOGRAPHIC_QUOTES or row[key.end():].strip()[:1] != '"':
            return None
        found, fixed = end, f'{key.group(1)} = "…"'
    elif said.startswith(("Invalid value", "Invalid statement")) and at and at[0] in TYPOGRAPHIC_QUOTES:
        found = "".join(dict.fromkeys(c for c in at.split("#")[0] if c in TYPOGRAPHIC_QUOTES))
        key = _KEY.match(row)
        if said.startswith("Invalid statement"):  # “title” = …: a key in quotes
            name = _QUOTED_RUN.match(at.lstrip())
            inner = name.group()[1:-1] if name else ""
            fixed = f"{inner} = …" if re.fullmatch(r"[A-Za-z0-9_-]+", inner) else None
        elif key:
            value = row[key.end():].split("#")[0].strip()
            masked = _QUOTED_RUN.sub('"…"', value)
            if re.fullmatch(r'[\[\],\s]*(?:"…"[\[\],\s]*)+', masked):  # a text, or a list of texts
                fixed = f"{key.group(1)} = {masked}"
            elif value[:1] in TYPOGRAPHIC_QUOTES and value[-1:] in TYPOGRAPHIC_QUOTES + '"':
                fixed = f'{key.group(1)} = "…"'
    else:
        return None
    hint = (f"typographic quotes ({' '.join(found)}) where TOML needs straight ones (\"): a text goes between \" "
            "and \" (its own quotes may stay inside them); a word processor's smart quotes may have put them there: "
            "type story files in a plain-text editor")
    return hint, fixed or _line(text, line)


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
    typographic = _typographic(text, said, line, int(match.group(2)) if match and match.group(2) else None)
    if typographic:
        hint, fixed = typographic
        out = "invalid TOML" + (f" at {where}" if where else "") + f": {hint}"
        return out + (f" (line {line}: {fixed})" if fixed else "") + f" [{said}]"
    out = "invalid TOML" + (f" at {where}" if where else "") + f": {hint or said}"
    if line and _line(text, line):
        out += f" (line {line}: {_line(text, line)})"
    return out + (f" [{said}]" if hint else "")


def json_message(text: str, error: "json.JSONDecodeError") -> str:  # noqa: F821 (a name for readers)
    """A JSON syntax error as one problem line's message, with a hint for the usual slips."""
    before = text[:error.pos].rstrip()
    at = text[error.pos:error.pos + 1]
    hint, line, column = None, error.lineno, error.colno
    # A comma left after the last property or item: up to Python 3.12 the parser stops at the } or ]
    # after it, from 3.13 on at the comma ("Illegal trailing comma before end of object"). Either
    # way the line names the comma, the character to remove.
    trailing_object = error.msg == "Illegal trailing comma before end of object" or (
        error.msg.startswith("Expecting property name") and before.endswith(",") and at == "}")
    trailing_list = error.msg == "Illegal trailing comma before end of array" or (
        error.msg == "Expecting value" and before.endswith(",") and at == "]")
    if trailing_object or trailing_list:
        moved = type(error)(error.msg, text, error.pos if at == "," else len(before) - 1)
        line, column = moved.lineno, moved.colno
    python_word = _PYTHON_WORD.match(text, error.pos) if error.msg == "Expecting value" else None
    if at in TYPOGRAPHIC_QUOTES and at:
        shown = "\u201c \u201d" if at in "\u201c\u201d" else at
        hint = (f"a typographic quote ({shown}) where JSON needs a straight one (\"): a word processor or "
                "an editor's smart quotes changed it; type the text in a plain-text editor")
    elif before.endswith(",") and at == ",":
        hint = "two commas in a row: remove one"
    elif at == "'":
        hint = ("a text in single quotes ('…') where JSON needs double ones (\"…\"); a Python dict printed "
                "with print() or str() is not JSON: write it with json.dump()")
    elif python_word:
        hint = f"Python's {python_word.group()} where JSON writes {_JSON_WORDS[python_word.group()]}"
    elif trailing_object:
        hint = "a comma before } : remove the last comma of the object"
    elif trailing_list:
        hint = "a comma before ] : remove the last comma of the list"
    elif error.msg == "Expecting value" and not before:
        hint = "the file is empty or is not JSON: a places file is a GeoJSON FeatureCollection"
    elif error.msg.startswith("Expecting ',' delimiter"):
        hint = "a comma missing between two items (or a quote inside a text, written \\\" in JSON)"
    elif error.msg.startswith("Invalid control character"):
        hint = "a text runs over a line end: write a line break inside a text as \\n"
    said = f"{hint} [{error.msg}]" if hint else error.msg
    return f"invalid JSON at line {line}, column {column}: {said}"
