"""The project's one error type: a list of problems, each naming file, object and field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from pydantic import ValidationError

__all__ = ["Problem", "StoryError", "problems_from_validation", "field_path", "short_repr"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where (file, object, field) and what."""

    file: str
    message: str
    where: str = ""
    field: str = ""

    def __str__(self) -> str:
        # e.g. geodata/places.geojson: feature "canal" (features[3]) properties.kind: unknown kind ...
        location = " ".join(part for part in (self.where, self.field) if part)
        head = ": ".join(part for part in (self.file, location) if part)
        return f"{head}: {self.message}" if head else self.message


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


def problems_from_validation(
    error: ValidationError, *, file: str, where: str = "", prefix: str = "", rename: dict[str, str] | None = None
) -> list[Problem]:
    """Turn a pydantic ``ValidationError`` into :class:`Problem` lines.

    ``rename`` maps a top-level field to the path it has in the file (e.g. ``kind`` →
    ``properties.kind`` for a GeoJSON Feature).
    """
    rename = rename or {}
    problems = []
    for err in error.errors(include_url=False):
        loc = tuple(err["loc"])
        if err["type"] == "storymap":
            # Several problems found by one validator, each with its own location (models.py).
            for sub, message in err["ctx"]["problems"]:
                field = prefix + field_path(_renamed(loc + tuple(sub), rename))
                problems.append(Problem(file=file, where=where, field=field, message=message))
            continue
        field = prefix + field_path(_renamed(loc, rename))
        message = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if err["type"] == "missing":
            message = "missing (required)"
        elif err["type"] not in ("value_error", "assertion_error") and "input" in err:
            message = f"{message} (got {short_repr(err['input'])})"
        for line in message.splitlines():
            problems.append(Problem(file=file, where=where, field=field, message=line))
    return problems


def _renamed(loc: tuple[Any, ...], rename: dict[str, str]) -> tuple[Any, ...]:
    if loc and isinstance(loc[0], str) and loc[0] in rename:
        return (rename[loc[0]],) + loc[1:]
    return loc
