"""The project's one error type: a list of problems, each naming file, object and field."""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
from pydantic import ValidationError
from pydantic_core import PydanticCustomError
from rapidfuzz import fuzz, process

__all__ = ["Problem", "StoryError", "problems_from_validation", "validation_problems", "field_path", "short_repr",
           "did_you_mean", "Suggester", "visible", "HIDDEN", "located_problems"]

#: Characters a terminal acts on instead of showing (C0 and C1 controls, DEL: ESC starts the
#: sequences that clear the screen, move the cursor or set the window's title), those that reorder
#: the text around them (bidirectional embeddings, overrides and isolates) and line separators.
HIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """``text`` for a terminal: each character it would act on rather than show (see ``HIDDEN``)
    written as its escape (``\\x1b``, ``\\u202e``). A file's names, keys and texts quoted in a
    problem line cannot clear the reporter's screen, reorder the line or split it in two."""
    return HIDDEN.sub(lambda m: repr(m.group())[1:-1] if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where (file, object, field) and what."""

    file: str
    message: str
    where: str = ""
    field: str = ""

    def __str__(self) -> str:
        # e.g. geodata/places.geojson: feature "old-harbour" (features[3]) properties.kind: unknown kind ...
        location = " ".join(part for part in (self.where, self.field) if part)
        head = ": ".join(part for part in (self.file, location) if part)
        # (Every part may quote the files: a file's name, a key, a place's name.)
        return visible(f"{head}: {self.message}" if head else self.message)


class StoryError(ValueError):
    """Invalid story input. ``problems`` lists every problem found, one line each."""

    def __init__(self, problems: Iterable[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem(file="", message=problems)]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def field_path(loc: tuple[Any, ...], *, nested: bool = False) -> str:
    """``("properties", "sources", 0, "url")`` → ``properties.sources[0].url``.

    With ``nested`` the path is to be appended to another one (``.kind``, ``[0]``).
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out or nested else "") + str(part)
    return out


def short_repr(value: Any, limit: int = 80) -> str:
    """``repr(value)``, cut short in the middle when long (a problem line stays one readable line)."""
    text = repr(value)
    if len(text) <= limit:
        return text
    keep = (limit - 5) // 2
    return f"{text[:keep]} ... {text[-keep:]}"


def json_text(text: str) -> str:
    """``text`` as a JSON string to paste, its letters as written (an Arabic URL stays readable); only
    characters that do not print (controls, direction marks) are escaped."""
    return "".join(c if c.isprintable() else json.dumps(c)[1:-1] for c in json.dumps(text, ensure_ascii=False))


#: Discriminator tags pydantic puts in a location (``geometry.Polygon.coordinates``): left out.
_TAGS = frozenset({"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
                   "GeometryCollection"})


def _untagged(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    out: list[Any] = []
    for part in loc:
        if part in _TAGS and (not out or out[-1] == "geometry" or (isinstance(out[-1], int) and len(out) > 1
                                                                 and out[-2] == "geometries")):
            continue
        out.append(part)
    return tuple(out)


def _fields_at(model: Any, loc: tuple[Any, ...]) -> list[str]:
    """The field names of the pydantic model found at ``loc`` inside ``model`` (for suggestions)."""
    from typing import get_args

    from pydantic import BaseModel

    def models_in(annotation: Any) -> list[Any]:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return [annotation]
        return [m for arg in get_args(annotation) for m in models_in(arg)]

    current = [model] if model is not None else []
    for part in loc:
        if isinstance(part, int) or not current:
            continue
        nxt = []
        for m in current:
            field = m.model_fields.get(part)
            nxt += models_in(field.annotation) if field is not None else [m] if part not in m.model_fields else []
        current = nxt or current
    return list(current[0].model_fields) if current else []


def located_problems(problems: Sequence[tuple[tuple[Any, ...], str]]) -> PydanticCustomError:
    """One pydantic error, for a validator to raise, that carries several problems, each with its
    own location (under the validated value's): :func:`validation_problems` gives each its line."""
    detail = "\n".join(f"{field_path(loc)}: {msg}" if loc else msg for loc, msg in problems)
    return PydanticCustomError("storymap", "{detail}", {"detail": detail, "problems": list(problems)})


def validation_problems(error: ValidationError, model: Any = None) -> list[tuple[tuple[Any, ...], str]]:
    """A pydantic ``ValidationError`` as ``(location, message)`` pairs, one per problem.

    Messages are made readable: ``missing (required)``; an unknown field is named with the
    closest known one (its value is never echoed: it may be anything, a secret included); a
    wrong value is shown as given. ``model`` (the model validated) lets unknown fields get a
    suggestion.
    """
    out = []
    for err in error.errors(include_url=False):
        loc = _untagged(tuple(err["loc"]))
        if err["type"] == "storymap":
            # Several problems found by one validator, each with its own location.
            for sub, message in err["ctx"]["problems"]:
                out.append((loc + tuple(sub), message))
            continue
        message = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if err["type"] == "missing":
            message = "missing (required)"
        elif err["type"] == "extra_forbidden":
            known = _fields_at(model, loc[:-1])
            close = did_you_mean(str(loc[-1]), known) if known else None
            message = (f"unknown field; did you mean {close!r}?" if close else
                       f"unknown field; expected one of {', '.join(known)}" if known else "unknown field")
        elif err["type"] == "list_type" and isinstance(err.get("input"), dict):
            # ([steps.media] with one pair of brackets: one table, where a list of them goes)
            message = ("one table where a list of them goes: in story.toml each one's header takes two pairs of "
                       "brackets (as in [[steps.media]], not [steps.media]); in JSON, put the object in [ ]")
        elif err["type"] == "too_short" and err.get("input") in ([], ()):
            least = (err.get("ctx") or {}).get("min_length", 1)
            message = f"an empty list: give at least {least}"
        elif err["type"] not in ("value_error", "assertion_error") and "input" in err:
            message = f"{message} (got {short_repr(err['input'])})"
        for line in message.splitlines():
            out.append((loc, line))
    return out


def problems_from_validation(
    error: ValidationError, *, file: str, where: str = "", prefix: str = "", rename: dict[str, str] | None = None,
    model: Any = None,
) -> list[Problem]:
    """Turn a pydantic ``ValidationError`` into :class:`Problem` lines (see :func:`validation_problems`).

    ``rename`` maps a top-level field to the path it has in the file (e.g. ``kind`` →
    ``properties.kind``).
    """
    rename = rename or {}
    return [Problem(file=file, where=where, field=prefix + field_path(_renamed(loc, rename)), message=message)
            for loc, message in validation_problems(error, model)]


def _renamed(loc: tuple[Any, ...], rename: dict[str, str]) -> tuple[Any, ...]:
    if loc and isinstance(loc[0], str) and loc[0] in rename:
        return (rename[loc[0]],) + loc[1:]
    return loc


#: How much closer (rapidfuzz ratio, 0–100) a spelling must be to beat a name extending the word.
_PREFIX_MARGIN = 10.0


class Suggester:
    """"Did you mean": the closest of a fixed set of names to a misspelled one.

    Closest means: a name that extends the given one at a word boundary, or that it extends
    (``port-of-ningbo`` → ``port-of-ningbo-zhoushan``, the nearest in length first), unless a
    spelling is far closer (``legend_kwrds`` → ``legend_kwds``, not ``legend``); else the best fuzzy
    match (rapidfuzz's ratio, at least ``cutoff`` out of 100). Built once for a set of
    names, each look-up costs a binary search and one vectorised scan, so reporting thousands of
    unknown names against thousands of known ones stays fast.
    """

    def __init__(self, choices: Iterable[str], cutoff: float = 60.0):
        self.choices = sorted({str(c) for c in choices})
        self._set = set(self.choices)
        self.cutoff = cutoff

    def __call__(self, word: Any) -> str | None:
        return self.many([word])[0]

    def many(self, words: Sequence[Any]) -> list[str | None]:
        """The suggestion for each of ``words`` (as calling the suggester on each would give), the
        fuzzy matches of all of them in a few vectorised passes: thousands of unknown names
        against thousands of known ones take well under a second."""
        out: list[str | None] = [None] * len(words)
        todo = [i for i, word in enumerate(words) if isinstance(word, str) and word and self.choices]
        for start in range(0, len(todo), 256):  # a block of words × every name at a time: bounded memory
            block = todo[start:start + 256]
            scores = process.cdist([words[i] for i in block], self.choices, scorer=fuzz.ratio,
                                   score_cutoff=self.cutoff, dtype=np.float64)
            best = scores.argmax(axis=1)  # the first of equal scores, as extractOne gives
            for i, column, score in zip(block, best.tolist(), scores[np.arange(len(block)), best].tolist()):
                found = (self.choices[column], score) if score > 0 else None
                out[i] = self._choose(words[i], found)
        return out

    def _choose(self, word: str, found: tuple[str, float] | None) -> str | None:
        """A name ``word`` extends or that extends it, unless the best spelling ``found`` is far closer."""
        # Names that start with the word at a boundary (word + "-..."): contiguous in sorted order.
        longer = []
        i = bisect.bisect_left(self.choices, word)
        while i < len(self.choices) and self.choices[i].startswith(word) and len(longer) < 50:
            rest = self.choices[i][len(word):]
            if rest and not rest[0].isalnum():
                longer.append(self.choices[i])
            i += 1
        # Names the word starts with, ending at a boundary.
        shorter = [word[:m.start()] for m in re.finditer(r"[^0-9A-Za-z]", word) if word[:m.start()] in self._set]
        prefixed = longer + shorter
        if prefixed:
            best = min(prefixed, key=lambda c: (abs(len(c) - len(word)), c))
            # A name it extends wins unless a spelling is far closer (legend_kwrds → legend_kwds,
            # not legend).
            if found is None or fuzz.ratio(word, best) >= found[1] - _PREFIX_MARGIN:
                return best
        return found[0] if found else None


def did_you_mean(word: Any, choices: Sequence[str] | Iterable[str], cutoff: float = 60.0) -> str | None:
    """The closest of ``choices`` to ``word`` (see :class:`Suggester`), or None."""
    return Suggester(choices, cutoff)(word)
