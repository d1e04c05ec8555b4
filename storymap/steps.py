"""Adding steps to a validated story: the new story is validated again as a whole."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

from pydantic import ValidationError

from .errors import Problem, StoryError, did_you_mean, problems_from_validation
from .models import Step, StoryData

__all__ = ["insert_step"]


def _position(data: StoryData, before: Optional[str], after: Optional[str]) -> int:
    ids = [s.id for s in data.steps]
    if before is not None and after is not None:
        raise StoryError([Problem(file="", where="add_step", message="give `before` or `after`, not both")])
    anchor, field = (before, "before") if before is not None else (after, "after")
    if anchor is None:
        return len(ids)
    if anchor not in ids:
        close = did_you_mean(str(anchor), ids)
        hint = f"; did you mean {close!r}?" if close else ""
        raise StoryError([Problem(file="", where="add_step", field=field,
                                  message=f"unknown step {anchor!r}{hint} (the steps are: {', '.join(ids)})")])
    return ids.index(anchor) + (field == "after")


def insert_step(data: StoryData, step: Step | Mapping[str, Any] | None = None, *, before: Optional[str] = None,
                after: Optional[str] = None, **fields: Any) -> StoryData:
    """Return a copy of ``data`` with ``step`` added at the end, or ``before``/``after`` a step id.

    ``step`` is a :class:`~storymap.Step` or a mapping of its fields; keyword ``fields`` are
    merged over it (so ``insert_step(data, id="x", title="X")`` works too).

    Raises
    ------
    storymap.StoryError
        For an invalid step, a duplicate step id, an unknown place or an unknown anchor step.
    """
    if isinstance(step, Step):
        raw: dict[str, Any] = step.model_dump(exclude_unset=True)
    elif isinstance(step, Mapping):
        raw = dict(step)
    elif step is None:
        raw = {}
    else:
        raise StoryError([Problem(file="", where="add_step", field="step",
                                  message=f"expected a storymap.Step or a mapping of its fields, got {step!r}")])
    raw.update(fields)
    where = f"step {raw.get('id')!r}" if isinstance(raw.get("id"), str) else "add_step"
    try:
        new = Step.model_validate(raw)
    except ValidationError as exc:
        raise StoryError(problems_from_validation(exc, file="", where=where, model=Step)) from None
    at = _position(data, before, after)
    steps = list(data.steps)
    steps.insert(at, new)
    values = {name: getattr(data, name) for name in StoryData.model_fields}
    try:
        return StoryData.model_validate({**values, "steps": steps})
    except ValidationError as exc:
        raise StoryError(problems_from_validation(exc, file="", where=where, model=StoryData)) from None
