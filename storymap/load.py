"""Story folders → validated models.

A story folder holds ``story.toml`` (title, layout and the ordered steps) and one or more
``*.geojson`` FeatureCollections of places. Everything read passes through the pydantic models of
:mod:`storymap.models`; every problem found is collected into one :class:`~storymap.errors.StoryError`.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import Problem, StoryError, problems_from_validation
from .models import Place, Step, StoryData

__all__ = ["load_data", "read_places", "read_story_file", "MAX_FILE_BYTES", "STORY_FILE"]

STORY_FILE = "story.toml"
#: A file larger than this is refused before it is read: it could not be embedded in one page.
MAX_FILE_BYTES = 25 * 1024 * 1024
_PLACE_FIELDS = {
    name: f"properties.{name}" for name in Place.model_fields if name not in ("id", "geometry")
}
_ACCEPTED_CRS = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4326",
}


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _read_text(path: Path, problems: list[Problem]) -> str | None:
    name = _display(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        problems.append(Problem(name, f"cannot read: {exc.strerror or exc}"))
        return None
    if size > MAX_FILE_BYTES:
        problems.append(Problem(
            name, f"file is {size / 2**20:.1f} MiB; the limit for a story file is "
            f"{MAX_FILE_BYTES / 2**20:.0f} MiB (too large to embed in one page); "
            "simplify it or add it as a layer with fewer features"))
        return None
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append(Problem(name, "starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM"))
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(name, f"not UTF-8: byte 0x{raw[exc.start]:02x} at line {line} "
                                      f"(offset {exc.start}); save the file as UTF-8"))
        return None


def read_story_file(path: Path, problems: list[Problem]) -> dict[str, Any] | None:
    """Parse ``story.toml``; TOML syntax errors are reported with line and column."""
    text = _read_text(path, problems)
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(_display(path), f"invalid TOML: {exc}"))
        return None


def read_places(path: Path, problems: list[Problem]) -> tuple[list[Place], list[str]]:
    """Read one GeoJSON FeatureCollection of places.

    Returns the valid places and the ids of every feature that had one (valid or not), so that
    steps naming a broken feature are not reported as naming an unknown one.
    """
    name = _display(path)
    text = _read_text(path, problems)
    if text is None:
        return [], []
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(Problem(name, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"))
        return [], []
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        got = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        problems.append(Problem(name, f"expected a GeoJSON FeatureCollection, got {got!r}"))
        return [], []
    crs = doc.get("crs")
    if crs is not None:
        crs_name = (crs.get("properties") or {}).get("name") if isinstance(crs, dict) else None
        if crs_name not in _ACCEPTED_CRS:
            problems.append(Problem(
                name, f"crs {crs_name or crs!r} is not WGS84; GeoJSON (RFC 7946) coordinates are "
                      "longitude/latitude in WGS84: reproject the file and drop the crs member", field="crs"))
    features = doc.get("features")
    if not isinstance(features, list):
        problems.append(Problem(name, "expected an array", field="features"))
        return [], []
    places: list[Place] = []
    ids: list[str] = []
    seen: dict[str, int] = {}
    for i, feature in enumerate(features):
        fid = feature.get("id") if isinstance(feature, dict) else None
        where = f"feature {fid!r} (features[{i}])".replace("'", '"') if isinstance(fid, str) else f"features[{i}]"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(Problem(name, "expected a GeoJSON Feature", where=where, field="type"))
            continue
        if fid is None:
            problems.append(Problem(name, "missing; every place needs a stable string id (e.g. \"panama-canal\")",
                                    where=where, field="id"))
        elif isinstance(fid, str):
            ids.append(fid)
            if fid in seen:
                problems.append(Problem(name, f"duplicate id {fid!r} (first used by features[{seen[fid]}])",
                                        where=where, field="id"))
                continue
            seen[fid] = i
        if not isinstance(feature.get("properties"), dict):
            problems.append(Problem(name, "expected an object with name, kind, annotation and sources",
                                    where=where, field="properties"))
            continue
        try:
            places.append(Place.from_feature(feature))
        except ValidationError as exc:
            problems += problems_from_validation(exc, file=name, where=where, rename=_PLACE_FIELDS)
    return places, ids


def load_data(folder: str | os.PathLike[str]) -> StoryData:
    """Read and validate a story folder; raise :class:`StoryError` listing every problem."""
    root = Path(folder)
    problems: list[Problem] = []
    if not root.is_dir():
        raise StoryError([Problem(_display(root), "not a story folder (expected a directory holding "
                                                  f"{STORY_FILE} and *.geojson files)")])
    story_path = root / STORY_FILE
    meta = read_story_file(story_path, problems) if story_path.exists() else None
    if meta is None and not story_path.exists():
        problems.append(Problem(_display(story_path), "missing: a story folder needs a story.toml with its steps"))
    places: list[Place] = []
    all_ids: list[str] = []
    place_files = sorted(root.glob("*.geojson"))
    if not place_files:
        problems.append(Problem(_display(root), "no *.geojson file of places"))
    for path in place_files:
        found, ids = read_places(path, problems)
        places += found
        all_ids += ids
    if meta is None:
        raise StoryError(problems)
    story_name = _display(story_path)
    steps_raw = meta.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        problems.append(Problem(story_name, "the story has no steps; add at least one [[steps]] table",
                                field="steps"))
        raise StoryError(problems)
    steps: list[Step] = []
    for i, raw in enumerate(steps_raw):
        sid = raw.get("id") if isinstance(raw, dict) else None
        where = f"step {sid!r} (steps[{i}])".replace("'", '"') if isinstance(sid, str) else f"steps[{i}]"
        try:
            steps.append(Step.model_validate(raw))
        except ValidationError as exc:
            problems += problems_from_validation(exc, file=story_name, where=where)
    if problems:
        # Cross-references are checked against every feature id, valid or not, so one broken
        # feature is reported once, not again by each step that shows it.
        known = set(all_ids)
        for i, step in enumerate(steps):
            for pid in step.places:
                if pid not in known:
                    problems.append(Problem(story_name, f"unknown place {pid!r}", where=f'step "{step.id}"',
                                            field="places"))
        raise StoryError(problems)
    fields = {k: v for k, v in meta.items() if k != "steps"}
    try:
        return StoryData.model_validate({**fields, "places": places, "steps": steps})
    except ValidationError as exc:
        raise StoryError(problems_from_validation(exc, file=story_name)) from None
