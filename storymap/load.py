"""Story folders → validated models: reading files, nothing else.

A story folder holds ``story.toml`` (title, kinds, layout and the ordered steps) and one or more
``*.geojson`` FeatureCollections of places. This module reads and parses them (size, encoding,
JSON and TOML syntax, keys given twice) and hands what it read to the models of
:mod:`storymap.models`, which do every check, once; it then maps each problem back to its file,
object and field, and raises one :class:`~storymap.errors.StoryError` listing them all.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence

from pydantic import ValidationError

from .bulk import paused_gc
from .files import shown_path
from .errors import Problem, StoryError, field_path, problems_from_validation, short_repr, validation_problems
from .models import Place, PlaceCollection, StoryData, check_places, resolve_kinds
from .syntax import json_message, toml_message
from .translations import translation_file_lang

__all__ = ["load_data", "load_places", "story_notes", "read_story_file", "story_folder", "MAX_FILE_BYTES", "STORY_FILE"]

STORY_FILE = "story.toml"
#: A file larger than this is refused before it is read: it could never be embedded in one page
#: (the page's whole budget is 300 KB).
MAX_FILE_BYTES = 10 * 1024 * 1024


def _geojson_name(name: str) -> str:
    """The name a places file saved under another extension needs: ``places.json``,
    ``places.geo.json`` and ``places.GeoJSON`` → ``places.geojson``."""
    lower = name.lower()
    for suffix in (".geo.json", ".geojson", ".json"):
        if lower.endswith(suffix):
            return name[:-len(suffix)] + ".geojson"
    return name + ".geojson"


def _display(path: Path) -> str:
    return shown_path(path)


def _quoted(value: str) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:28] + "..." + text[-28:]


def _outside(path: Path) -> bool:
    """Whether a story file resolves (through symbolic links) outside the folder that holds it.

    Every story file sits in the story folder itself, so a link to anywhere else (another folder,
    a credential file, a device) is refused before anything is read.
    """
    try:
        folder = path.absolute().parent.resolve()
        return not path.resolve().is_relative_to(folder)
    except (OSError, RuntimeError):  # a link loop
        return True


def _read_bytes(path: Path, problems: list[Problem]) -> bytes | None:
    """The file's bytes, or None (and a problem) when it cannot or should not be read.

    The size is checked before reading, and the read itself is bounded, so a huge file (or a
    device posing as one) is never pulled into memory.
    """
    name = _display(path)
    if _outside(path):
        problems.append(Problem(name, "is a link to a file outside the story folder; storymap reads only the "
                                      "story folder's own files: copy the file into the folder"))
        return None
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
        # UTF-8 "with BOM", as Windows Notepad and Excel save it: the mark says nothing more, and
        # RFC 8259 lets a reader ignore it.
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(Problem(name, f"not UTF-8: byte 0x{raw[exc.start]:02x} at line {line}, column {column} "
                                      f"(offset {exc.start}){_legacy_hint(raw, exc.start)}; save the file as UTF-8"))
        return None


def _legacy_hint(raw: bytes, at: int) -> str:
    """Where a text file not in UTF-8 reads as Windows-1252 (what Windows editors and Excel save
    western European text in, Latin-1's superset): the character the byte at ``at`` stands for there,
    for the writer to find it (``ú`` of "Gatún"), else nothing."""
    if b"\0" in raw:
        return ""
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return ""
    char = raw[at:at + 1].decode("cp1252")
    return f", which reads as {char!r} in Windows-1252 (Latin-1): the file looks saved in that encoding" if char.isprintable() else ""


#: Deeper nesting than this is refused (a MultiPolygon's positions sit 8 levels down a file).
MAX_DEPTH = 64


def _too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects nest more than ``limit`` levels (iterative: no recursion limit)."""
    level = [value] if isinstance(value, (dict, list)) else []
    depth = 0
    while level:  # one level of containers at a time (scalars, the bulk of a file, are never kept)
        depth += 1
        if depth > limit:
            return True
        level = [child for item in level for child in (item.values() if isinstance(item, dict) else item)
                 if isinstance(child, (dict, list))]
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
        problems.append(Problem(_display(path), toml_message(text, exc)))
    except (ValueError, RecursionError) as exc:  # e.g. an integer too long to convert
        problems.append(Problem(_display(path), f"invalid TOML: {exc or 'nested too deeply'}"))
    return None


# JSON ------------------------------------------------------------------------------------------

class _Object(dict):  # type: ignore[type-arg]
    """A JSON object that remembers the keys it was given more than once (JSON keeps the last)."""

    duplicates: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]], repeated: Optional[list[_Object]] = None) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):  # the usual case: a plain dict
        return obj
    repeated_object = _Object(pairs)
    seen: set[str] = set()
    keys: list[str] = []
    for key, _ in pairs:
        if key in seen and key not in keys:
            keys.append(key)
        seen.add(key)
    repeated_object.duplicates = tuple(keys)
    if repeated is not None:
        repeated.append(repeated_object)
    return repeated_object


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _parse_json(text: str, repeated: Optional[list[_Object]] = None) -> Any:
    """``json.loads`` that refuses NaN/Infinity and records repeated keys (see :class:`_Object`);
    ``repeated`` collects the objects that have some."""
    return json.loads(text, object_pairs_hook=lambda pairs: _object(pairs, repeated), parse_constant=_no_constant)


def _repeated_keys(value: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, dict):
        for key in getattr(value, "duplicates", ()):
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

@dataclass(frozen=True)
class _Origin:
    """Where a raw feature was read: its file, its index there and its id (as read)."""

    file: str
    index: int
    fid: Any = None
    name: Any = None  # (a feature without an id is named by its name)

    @property
    def where(self) -> str:
        """How a problem line names the feature."""
        return _where({"id": self.fid, "properties": {"name": self.name}}, self.index)


def _origins(file: str, features: Sequence[Any]) -> list[_Origin]:
    out = []
    for i, f in enumerate(features):
        props = f.get("properties") if isinstance(f, dict) else None
        out.append(_Origin(file, i, f.get("id") if isinstance(f, dict) else None,
                           props.get("name") if isinstance(props, dict) else None))
    return out


def _read_collection(path: Path, problems: list[Problem]) -> list[Any] | None:
    """The raw features of one places file, or None when it cannot be read as a FeatureCollection."""
    name = _display(path)
    text = _read_text(path, problems)
    if text is None:
        return None
    repeated: list[_Object] = []
    try:
        doc = _parse_json(text, repeated)
    except json.JSONDecodeError as exc:
        problems.append(Problem(name, json_message(text, exc)))
        return None
    except RecursionError:
        problems.append(Problem(name, "invalid JSON: nested too deeply"))
        return None
    except ValueError as exc:  # NaN/Infinity, an integer too long to convert
        problems.append(Problem(name, f"invalid JSON: {exc}"))
        return None
    if _too_deep(doc):
        problems.append(Problem(name, f"invalid JSON: arrays or objects nested more than {MAX_DEPTH} levels deep"))
        return None
    try:
        collection = PlaceCollection.model_validate(doc)
    except ValidationError as exc:
        problems += problems_from_validation(exc, file=name, model=PlaceCollection)
        return None
    features = collection.features
    if repeated:  # some object repeats a key: find where (a walk of the file, only then)
        top = _Object((k, v) for k, v in doc.items() if k != "features")  # features: one by one, with where
        top.duplicates = getattr(doc, "duplicates", ())
        problems += _repeated_key_problems(top, name)
        for i, feature in enumerate(features):
            problems += _repeated_key_problems(feature, name, _where(feature, i))
    return features


def _where(feature: Any, index: int) -> str:
    fid = feature.get("id") if isinstance(feature, dict) else None
    if isinstance(fid, str):
        return f"feature {_quoted(fid)} (features[{index}])"
    # Without an id, the name (if any) finds the feature in a file of many.
    props = feature.get("properties") if isinstance(feature, dict) else None
    name = props.get("name") if isinstance(props, dict) else None
    return f"feature named {_quoted(name)} (features[{index}])" if isinstance(name, str) and name.strip() else \
        f"features[{index}]"


def _place_problem(origins: list[_Origin], loc: tuple[Any, ...], message: str, fallback: str) -> Problem:
    origin = origins[loc[1]]
    return Problem(origin.file, message, where=origin.where, field=field_path(loc[2:]))


def _describer(origins: list[_Origin]) -> Any:
    def describe(index: int, other: int) -> str:
        first = origins[other]
        where = f"features[{first.index}]"
        return where if first.file == origins[index].file else f"{where} in {first.file}"
    return describe


def _story_kinds(folder: Path) -> Any:
    """The kinds a folder's story.toml declares, for checking one places file alone (None if unreadable)."""
    path = folder / STORY_FILE
    if not path.is_file():
        return None
    meta = read_story_file(path, [])
    return meta.get("kinds") if isinstance(meta, dict) else None


def load_places(path: str | os.PathLike[str]) -> list[Place]:
    """Read and validate one ``*.geojson`` file of places on its own (``storymap validate FILE``).

    Kinds are those of the ``story.toml`` beside it (the generic kinds only, without one).

    Raises
    ------
    StoryError
        Listing every problem of the file.
    """
    with paused_gc():
        return _load_places(Path(path))


def _load_places(path: Path) -> list[Place]:
    problems: list[Problem] = []
    features = _read_collection(path, problems)
    if features is None:
        raise StoryError(problems)
    name = _display(path)
    origins = _origins(name, features)
    kinds, kind_problems = resolve_kinds(_story_kinds(path.parent))
    places, found = check_places(features, kinds, {"describe_place": _describer(origins)})
    problems += [_place_problem(origins, loc, message, "") for loc, message in found]
    if problems:
        raise StoryError(problems)
    return places


# The story -------------------------------------------------------------------------------------

def story_folder(path: str | os.PathLike[str]) -> Path:
    """The story folder named by ``path``: the folder itself, or the folder of its ``story.toml``."""
    path = Path(path)
    return path.parent if path.name == STORY_FILE and not path.is_dir() else path


def load_data(folder: str | os.PathLike[str]) -> StoryData:
    """Read a story folder (or its ``story.toml``) and validate it; raise :class:`StoryError` listing
    every problem, each naming its file, object and field."""
    with paused_gc():
        return _load_data(folder)


def _load_data(folder: str | os.PathLike[str]) -> StoryData:
    root = story_folder(folder)
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

    features: list[Any] = []
    origins: list[_Origin] = []
    all_read = True  # every *.geojson file read, so every place id is known
    place_files = sorted(root.glob("*.geojson"))
    if not place_files:
        # (A places file saved as .json, .geo.json or .GeoJSON: named, with the name to give it.)
        near = sorted(p.name for p in root.iterdir() if p.is_file() and p.suffix.lower() in (".json", ".geojson"))
        rename = "; ".join(f"there is {n}: rename it {_geojson_name(n)}" for n in near[:3])
        problems.append(Problem(_display(root), "no *.geojson file of places" + (f" ({rename})" if rename else "")))
        all_read = False  # no place is known: steps are not reported as naming unknown ones
    for path in place_files:
        found = _read_collection(path, problems)
        if found is None:
            all_read = False
            continue
        name = _display(path)
        origins += _origins(name, found)
        features += found
    if place_files and all_read and not features:
        problems.append(Problem(_display(place_files[0]) if len(place_files) == 1 else _display(root),
                                "the story has no places: no Feature in any *.geojson file"))

    # Translations: story.<lang>.toml beside story.toml.
    translations: dict[str, Any] = {}
    translation_files: dict[str, str] = {}
    for path in sorted(root.glob("story.*.toml")):
        try:
            tag = translation_file_lang(path.name)
        except ValueError as exc:  # story.en_US.toml, story.english.toml: named, with the name to give it
            problems.append(Problem(_display(path), str(exc)))
            continue
        if tag is None:
            continue
        if tag in translation_files:  # story.es.toml and story.ES.toml
            problems.append(Problem(_display(path), f"a second translation into {tag!r}, with "
                                                    f"{translation_files[tag]}: keep one"))
            continue
        table = read_story_file(path, problems)
        translation_files[tag] = _display(path)
        if table is not None:
            translations[tag] = table

    context: dict[str, Any] = {"describe_place": _describer(origins), "complete_translations": True,
                               "folder": root}  # folder: where media src are read
    if not all_read or any(not isinstance(o.fid, str) for o in origins):
        # Some ids are unknown (a file unread, a feature without a string id, whose line says
        # which): don't report steps naming unknown places, which may be those.
        context["ids"] = None
    if meta is None:
        # Without story.toml there are no kinds to check places against: check them alone, all but
        # what needs the kinds (a kind unknown, a geometry that does not fit its kind). A longitude
        # of 200 is wrong whatever the kinds.
        _, found = check_places(features, {}, context)
        problems += [_place_problem(origins, loc, message, story_name) for loc, message in found
                     if loc[2:4] != ("properties", "kind") and not (loc[2:] == ("geometry",) and "kind" in message)]
        raise StoryError(problems)
    try:
        data = StoryData.model_validate({**meta, "places": features, "translations": translations}, context=context)
    except ValidationError as exc:
        problems += _story_problems(exc, meta, origins, story_name, translation_files)
        raise StoryError(problems) from None
    if problems:
        raise StoryError(problems)
    return data


def _story_problems(exc: ValidationError, meta: dict[str, Any], origins: list[_Origin], story_name: str,
                    translation_files: dict[str, str] | None = None) -> list[Problem]:
    """A story's validation problems, each mapped back to its file and object."""
    steps = meta.get("steps") if isinstance(meta.get("steps"), list) else []
    out = []
    found = validation_problems(exc, StoryData)
    # The places' problems in the order of their features (checks of a field, then ids, then kinds
    # came in the order of the checks: features 0, 5, 6, 4, 2), where the places' problems stood.
    at = [i for i, (loc, _) in enumerate(found) if loc[:1] == ("places",) and len(loc) > 1 and isinstance(loc[1], int)]
    for i, problem in zip(at, sorted((found[i] for i in at), key=lambda item: item[0][1])):
        found[i] = problem
    for loc, message in found:
        if loc[:1] == ("translations",) and len(loc) > 1 and loc[1] in (translation_files or {}):
            out.append(Problem(translation_files[loc[1]], message, field=field_path(loc[2:])))  # type: ignore[index]
        elif loc[:1] == ("places",) and len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(origins):
            out.append(_place_problem(origins, loc, message, story_name))
        elif loc[:1] == ("steps",) and len(loc) > 1 and isinstance(loc[1], int):
            sid = steps[loc[1]].get("id") if loc[1] < len(steps) and isinstance(steps[loc[1]], dict) else None
            where = f"step {_quoted(sid)} (steps[{loc[1]}])" if isinstance(sid, str) else f"steps[{loc[1]}]"
            out.append(Problem(story_name, message, where=where, field=field_path(loc[2:])))
        else:
            out.append(Problem(story_name, message, field=field_path(loc)))
    return out


def story_notes(data: StoryData, folder: str | os.PathLike[str] | None,
                only: Optional[Sequence[str]] = None) -> list[Problem]:
    """What a writer should know about a valid story that still builds: each of its languages that
    has no interface catalogue (its page's controls are in English) or that CLDR does not know (its
    dates stay ISO), places that may all be swapped (see :func:`storymap.models.swapped_story`) and
    each step's view that may be swapped but may be meant (see
    :func:`storymap.models.swapped_views`) or that shows none of its places (see
    :func:`storymap.models.views_missing_places`), as a line like a problem's, its message starting
    ``warning:``. ``storymap validate`` and ``build`` print them on stderr and still exit with 0."""
    from .i18n import language_notes, own_interface, page_languages
    from .models import places_past_the_map, steps_without_places, swapped_story, swapped_views, views_missing_places

    # (A story made in Python has no folder: its lines name story.toml and places.geojson.)
    root = story_folder(folder) if folder is not None else Path()
    files = {}
    for path in sorted(root.glob("story.*.toml")) if folder is not None else ():
        try:
            tag = translation_file_lang(path.name)
        except ValueError:
            continue
        if tag is not None:
            files.setdefault(tag, _display(path))
    out = []
    wanted = None if only is None else {tag.lower() for tag in only}
    for lang in page_languages(data):
        if wanted is not None and lang.lower() not in wanted:  # (a page of some of its languages)
            continue
        for note in language_notes(lang, own_interface(data, lang)):
            if lang == data.lang:
                out.append(Problem(_display(root / STORY_FILE), f"warning: {note}", field="lang"))
            else:
                out.append(Problem(files.get(lang, _display(root / STORY_FILE)), f"warning: {note}"))
    geojson = sorted(root.glob("*.geojson")) if folder is not None else [root / "places.geojson"]
    places_file = _display(geojson[0]) if len(geojson) == 1 else _display(root / "*.geojson")
    if only is None or data.lang.lower() in wanted:  # (once, with the story's own language)
        swapped = swapped_story(data.places)
        if swapped:
            out.append(Problem(places_file, f"warning: {swapped}"))
        told = set()
        for f in swapped_views(data.steps, data.places, certain=False):
            step = data.steps[f.index]
            told.add(f.index)
            message = f.message.replace("coordinates look swapped", "coordinates may be swapped", 1)
            out.append(Problem(_display(root / STORY_FILE), f"warning: {message}; if the view is meant to be "
                               "there, leave it", where=f'step "{step.id}" (steps[{f.index}])', field=field_path(f.loc)))
        for f in views_missing_places(data.steps, data.places) + steps_without_places(data.steps):
            if f.index not in told:
                out.append(Problem(_display(root / STORY_FILE), f"warning: {f.message}",
                                   where=f'step "{data.steps[f.index].id}" (steps[{f.index}])', field=field_path(f.loc)))
        for f in places_past_the_map(data.places):
            out.append(Problem(places_file, f"warning: {f.message}", where=f'feature "{data.places[f.index].id}"',
                               field=field_path(f.loc)))
    out += _markdown_notes(data, _display(root / STORY_FILE), places_file, files, wanted)
    return out


def _markdown_notes(data: StoryData, story_file: str, places_file: str, files: dict[str, str],
                    wanted: Optional[set[str]]) -> list[Problem]:
    """Markdown that does not show as written (:func:`storymap.text.markdown_notes`) in the story's
    narratives, annotations and captions, and in its translations', each at its file and field."""
    from .text import markdown_notes

    texts: list[tuple[str, str, str, Optional[str]]] = []  # (file, where, field, text)
    if wanted is None or data.lang.lower() in wanted:
        for i, step in enumerate(data.steps):
            where = f'step "{step.id}" (steps[{i}])'
            texts.append((story_file, where, "narrative", step.narrative))
            texts += [(story_file, where, f"media[{j}].caption", m.caption) for j, m in enumerate(step.media)]
        texts += [(places_file, f'feature "{p.id}"', "properties.annotation", p.annotation) for p in data.places]
    for lang, translation in data.translations.items():
        if wanted is not None and lang.lower() not in wanted:
            continue
        where_file = files.get(lang, story_file)
        for sid, step_text in translation.steps.items():
            texts.append((where_file, f'step "{sid}"', "narrative", step_text.narrative))
            texts += [(where_file, f'step "{sid}"', f"media[{j}].caption", m.caption)
                      for j, m in enumerate(step_text.media or [])]
        texts += [(where_file, f'place "{pid}"', "annotation", t.annotation) for pid, t in translation.places.items()]
    out = []
    for file, where, field, text in texts:
        out += [Problem(file, f"warning: {note}", where=where, field=field) for note in markdown_notes(text or "")]
    return out
