"""The project's one error type: a list of problems, each naming file, object and field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from pydantic import ValidationError

__all__ = ["Problem", "StoryError", "problems_from_validation"]


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


def _field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


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
        if loc and isinstance(loc[0], str) and loc[0] in rename:
            loc = (rename[loc[0]],) + loc[1:]
        field = prefix + _field_path(loc)
        message = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if err["type"] == "missing":
            message = "missing (required)"
        elif err["type"] not in ("value_error", "assertion_error") and "input" in err:
            message = f"{message} (got {err['input']!r})"
        for line in message.splitlines():
            problems.append(Problem(file=file, where=where, field=field, message=line))
    return problems
