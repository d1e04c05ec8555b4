"""Story folders → validated models.

A story folder holds ``story.toml`` (title, layout and the ordered steps) and one or more
``*.geojson`` FeatureCollections of places. Everything read passes through the pydantic models of
:mod:`storymap.models`; every problem found is collected into one :class:`~storymap.errors.StoryError`,
each problem naming its file, object and field. A broken part never hides the problems of the
rest: the checks across objects (duplicate ids, steps naming unknown places, swapped coordinates)
run on whatever is readable.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from pydantic import ValidationError

from .errors import Problem, StoryError, field_path, problems_from_validation, short_repr
from .models import Place, Step, StoryData, StoryMeta, duplicate_ids, swapped_places, unknown_places

__all__ = ["load_data", "load_places", "read_places", "read_story_file", "MAX_FILE_BYTES", "STORY_FILE"]

STORY_FILE = "story.toml"
#: A file larger than this is refused before it is read: it could never be embedded in one page
#: (the page's whole budget is 300 KB).
MAX_FILE_BYTES = 10 * 1024 * 1024
_PLACE_FIELDS = {
    name: f"properties.{name}" for name in Place.model_fields if name not in ("id", "geometry")
}
_ACCEPTED_CRS = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4326",
}


@dataclass(frozen=True)
class _Located:
    """A valid place and where it was read from."""

    place: Place
    file: str
    where: str


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _quoted(value: str) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:28] + "..." + text[-28:]


def _read_bytes(path: Path, problems: list[Problem]) -> bytes | None:
    """The file's bytes, or None (and a problem) when it cannot or should not be read.

    The size is checked before reading, and the read itself is bounded, so a huge file (or a
    device posing as one) is never pulled into memory.
    """
    name = _display(path)
    try:
        if not path.is_file():
            problems.append(Problem(name, "not a regular file"))
            return None
        size = path.stat().st_size
        if size <= MAX_FILE_BYTES:
            chunks, got = [], 0
            with path.open("rb") as fh:  # in chunks: the file may be longer than stat said
                while got <= MAX_FILE_BYTES and (chunk := fh.read(min(1 << 20, MAX_FILE_BYTES + 1 - got))):
                    chunks.append(chunk)
                    got += len(chunk)
            raw = b"".join(chunks)
            size = max(size, got)
    except OSError as exc:
        problems.append(Problem(name, f"cannot read: {exc.strerror or exc}"))
        return None
    if size > MAX_FILE_BYTES:
        problems.append(Problem(
            name, f"file is {size / 2**20:.1f} MiB; the limit for a story file is "
                  f"{MAX_FILE_BYTES / 2**20:.0f} MiB (far too large to embed in one page); "
                  "simplify the geometries (e.g. in QGIS or mapshaper) or split off what the story does not show"))
        return None
    return raw


def _read_text(path: Path, problems: list[Problem]) -> str | None:
    name = _display(path)
    raw = _read_bytes(path, problems)
    if raw is None:
        return None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.append(Problem(name, "is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8"))
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append(Problem(name, "starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM"))
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(Problem(name, f"not UTF-8: byte 0x{raw[exc.start]:02x} at line {line}, column {column} "
                                      f"(offset {exc.start}); save the file as UTF-8"))
        return None


#: Deeper nesting than this is refused (a MultiPolygon's positions sit 8 levels down a file).
MAX_DEPTH = 64


def _too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects nest more than ``limit`` levels (iterative: no recursion limit)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def read_story_file(path: Path, problems: list[Problem]) -> dict[str, Any] | None:
    """Parse ``story.toml``; TOML syntax errors are reported with line and column."""
    text = _read_text(path, problems)
    if text is None:
        return None
    try:
        meta = tomllib.loads(text)
        if _too_deep(meta):
            raise ValueError(f"arrays or tables nested more than {MAX_DEPTH} levels deep")
        return meta
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(_display(path), f"invalid TOML: {exc}"))
    except (ValueError, RecursionError) as exc:  # e.g. an integer too long to convert
        problems.append(Problem(_display(path), f"invalid TOML: {exc or 'nested too deeply'}"))
    return None


# JSON ------------------------------------------------------------------------------------------

class _Object(dict):  # type: ignore[type-arg]
    """A JSON object that remembers the keys it was given more than once (JSON keeps the last)."""

    duplicates: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        repeated = []
        for key, _ in pairs:
            if key in seen and key not in repeated:
                repeated.append(key)
            seen.add(key)
        obj.duplicates = tuple(repeated)
    return obj


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _parse_json(text: str) -> Any:
    """``json.loads`` that refuses NaN/Infinity and records repeated keys (see :class:`_Object`)."""
    return json.loads(text, object_pairs_hook=_object, parse_constant=_no_constant)


def _repeated_keys(value: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, _Object):
        for key in value.duplicates:
            yield loc + (key,), key
        for key, item in value.items():
            yield from _repeated_keys(item, loc + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _repeated_keys(item, loc + (i,))


def _repeated_key_problems(value: Any, file: str, where: str = "", loc: tuple[Any, ...] = ()) -> list[Problem]:
    return [Problem(file, f"key {short_repr(key)} appears more than once; JSON keeps only the last value, "
                          "so the others would be lost: keep one", where=where, field=field_path(at))
            for at, key in _repeated_keys(value, loc)]


# Places ----------------------------------------------------------------------------------------

def _read_features(
    path: Path, problems: list[Problem], seen: dict[str, tuple[str, int]]
) -> tuple[list[_Located], list[str] | None]:
    """Read one FeatureCollection; ``seen`` maps each id to its first (file, index) across files.

    Returns the valid places and the id of every Feature that has one, valid or not (None when
    the file could not be read as a FeatureCollection: its ids are unknown).
    """
    name = _display(path)
    text = _read_text(path, problems)
    if text is None:
        return [], None
    try:
        doc = _parse_json(text)
    except json.JSONDecodeError as exc:
        problems.append(Problem(name, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"))
        return [], None
    except RecursionError:
        problems.append(Problem(name, "invalid JSON: nested too deeply"))
        return [], None
    except ValueError as exc:  # NaN/Infinity, an integer too long to convert
        problems.append(Problem(name, f"invalid JSON: {exc}"))
        return [], None
    if _too_deep(doc):
        problems.append(Problem(name, f"invalid JSON: arrays or objects nested more than {MAX_DEPTH} levels deep"))
        return [], None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        got = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        problems.append(Problem(name, f"expected a GeoJSON FeatureCollection, got {short_repr(got)}"))
        return [], None
    top = _Object((k, v) for k, v in doc.items() if k != "features")  # features: one by one below
    top.duplicates = doc.duplicates
    problems += _repeated_key_problems(top, name)
    if "crs" in doc:
        crs = doc["crs"]
        crs_name = (crs.get("properties") or {}).get("name") if isinstance(crs, dict) else None
        if not isinstance(crs_name, str) or crs_name not in _ACCEPTED_CRS:
            problems.append(Problem(
                name, f"{short_repr(crs_name or crs)} is not WGS84 longitude/latitude; GeoJSON (RFC 7946) "
                      "coordinates are always WGS84 longitude/latitude: reproject the file and drop the crs member",
                field="crs"))
    features = doc.get("features")
    if not isinstance(features, list):
        problems.append(Problem(name, f"expected an array of Features, got {short_repr(features)}", field="features"))
        return [], None
    located: list[_Located] = []
    ids: list[str] = []
    for i, feature in enumerate(features):
        fid = feature.get("id") if isinstance(feature, dict) else None
        where = f"feature {_quoted(fid)} (features[{i}])" if isinstance(fid, str) else f"features[{i}]"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            got = feature.get("type") if isinstance(feature, dict) else feature
            problems.append(Problem(name, f"expected a GeoJSON Feature, got {short_repr(got)}", where=where,
                                    field="type"))
            continue
        problems += _repeated_key_problems(feature, name, where)
        props = feature.get("properties")
        duplicate = False
        if fid is None:
            hint = ""
            if isinstance(props, dict) and isinstance(props.get("id"), str):
                hint = f" (properties.id is {short_repr(props['id'])}: move it to the Feature's own id)"
            problems.append(Problem(name, "missing; every place needs a stable string id "
                                          f"(e.g. \"panama-canal\"){hint}", where=where, field="id"))
        elif isinstance(fid, str):
            ids.append(fid)
            if fid in seen:
                first_file, first = seen[fid]
                other = "" if first_file == name else f" in {first_file}"
                problems.append(Problem(
                    name, f"duplicate id {short_repr(fid)} (first used by features[{first}]{other})",
                    where=where, field="id"))
                duplicate = True
            else:
                seen[fid] = (name, i)
        if not isinstance(props, dict):
            problems.append(Problem(name, "expected an object with name, kind, annotation and sources, got "
                                          f"{short_repr(props)}", where=where, field="properties"))
            continue
        for key in ("id", "geometry"):
            if key in props and not (key == "id" and props[key] == fid):
                problems.append(Problem(
                    name, f"clashes with the Feature's own {key}; it would be lost: rename it",
                    where=where, field=f"properties.{key}"))
        try:
            place = Place.from_feature(feature)
        except ValidationError as exc:
            problems += problems_from_validation(exc, file=name, where=where, rename=_PLACE_FIELDS)
            continue
        if not duplicate:
            located.append(_Located(place, name, where))
    return located, ids


def read_places(path: Path, problems: list[Problem]) -> tuple[list[Place], list[str]]:
    """Read one GeoJSON FeatureCollection of places.

    Returns the valid places and the ids of every feature that had one (valid or not), so that
    steps naming a broken feature are not reported as naming an unknown one.
    """
    located, ids = _read_features(Path(path), problems, {})
    return [item.place for item in located], ids or []


def _swapped(located: list[_Located]) -> list[Problem]:
    return [Problem(located[f.index].file, f.message, where=located[f.index].where, field=field_path(f.loc))
            for f in swapped_places([item.place for item in located])]


def load_places(path: str | os.PathLike[str]) -> list[Place]:
    """Read and validate one ``*.geojson`` file of places on its own (``storymap validate FILE``).

    Raises
    ------
    StoryError
        Listing every problem of the file.
    """
    problems: list[Problem] = []
    located, _ = _read_features(Path(path), problems, {})
    problems += _swapped(located)
    if problems:
        raise StoryError(problems)
    return [item.place for item in located]


# The story -------------------------------------------------------------------------------------

def load_data(folder: str | os.PathLike[str]) -> StoryData:
    """Read and validate a story folder; raise :class:`StoryError` listing every problem."""
    root = Path(folder)
    if not root.is_dir():
        raise StoryError([Problem(_display(root), "not a story folder (expected a directory holding "
                                                  f"{STORY_FILE} and *.geojson files)")])
    problems: list[Problem] = []
    story_path = root / STORY_FILE
    story_name = _display(story_path)
    meta: dict[str, Any] | None = None
    if story_path.exists():
        meta = read_story_file(story_path, problems)
    else:
        problems.append(Problem(story_name, "missing: a story folder needs a story.toml with its steps"))

    located: list[_Located] = []
    all_ids: list[str] = []
    all_read = True  # every *.geojson file read, so every place id is known
    seen: dict[str, tuple[str, int]] = {}
    place_files = sorted(root.glob("*.geojson"))
    if not place_files:
        problems.append(Problem(_display(root), "no *.geojson file of places"))
    before = len(problems)
    for path in place_files:
        found, ids = _read_features(path, problems, seen)
        located += found
        all_ids += ids or []
        all_read = all_read and ids is not None
    if place_files and not all_ids and len(problems) == before:
        problems.append(Problem(_display(place_files[0]) if len(place_files) == 1 else _display(root),
                                "the story has no places: no Feature in any *.geojson file"))
    problems += _swapped(located)
    if meta is None:
        raise StoryError(problems)

    fields = {k: v for k, v in meta.items() if k != "steps"}
    try:
        StoryMeta.model_validate(fields)
    except ValidationError as exc:
        problems += problems_from_validation(exc, file=story_name)

    steps_raw = meta.get("steps")
    if "steps" in meta and not isinstance(steps_raw, list):
        problems.append(Problem(story_name, f"expected [[steps]] tables, got {short_repr(steps_raw)}", field="steps"))
        steps_raw = []
    elif not steps_raw:
        problems.append(Problem(story_name, "the story has no steps; add at least one [[steps]] table",
                                field="steps"))
        steps_raw = []
    steps: list[Step] = []
    wheres: list[str] = []
    for i, raw in enumerate(steps_raw):
        sid = raw.get("id") if isinstance(raw, dict) else None
        wheres.append(f"step {_quoted(sid)} (steps[{i}])" if isinstance(sid, str) else f"steps[{i}]")
        try:
            steps.append(Step.model_validate(raw))
        except ValidationError as exc:
            problems += problems_from_validation(exc, file=story_name, where=wheres[i])

    # Across objects, on the raw steps: a step that is broken elsewhere is still checked here.
    # References are checked against every feature id, valid or not, so one broken feature is
    # reported once, not again by each step that shows it.
    raw_steps = [raw if isinstance(raw, dict) else {} for raw in steps_raw]
    for i, first in duplicate_ids([raw.get("id") for raw in raw_steps]):
        problems.append(Problem(story_name, f"duplicate step id {short_repr(raw_steps[i]['id'])} "
                                            f"(first used by steps[{first}])", where=wheres[i], field="id"))
    for f in unknown_places([raw.get("places") for raw in raw_steps] if all_read else [], set(all_ids)):
        problems.append(Problem(story_name, f.message, where=wheres[f.index], field=field_path(f.loc)))
    if problems:
        raise StoryError(problems)
    try:
        return StoryData.model_validate({**fields, "places": [item.place for item in located], "steps": steps})
    except ValidationError as exc:  # pragma: no cover - every check above runs first
        raise StoryError(problems_from_validation(exc, file=story_name)) from None
