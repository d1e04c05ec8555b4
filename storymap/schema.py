"""JSON Schema (draft 2020-12) for a story's files, for editors and ``check-jsonschema``.

Generated from the pydantic models that validate (:mod:`storymap.models`, :mod:`storymap.kinds`,
:mod:`storymap.geometry`), so a field added or changed there shows in the schema at once. Two
small models describe the *files* rather than the loaded story:

- :class:`StoryFile`: ``story.toml``, the story's own fields, its ``[kinds.NAME]`` tables and its
  ``[[steps]]`` (a table of a generic kind's name overrides some of its fields; a new kind needs
  ``label``, ``geometry`` and ``color``);
- :class:`PlacesFile`: a ``*.geojson`` FeatureCollection whose features are places.

What the validators check in code is added where JSON Schema can say it: the patterns of ids,
URLs, colours and language tags (the regular expressions the validators use), text that must not
be blank, position ranges, "bounds or center and zoom", which fields fit which geometry. Given a
story folder, the places schema enumerates that story's kinds (with the geometry and properties
each asks for) and the story schema the ids of its places. What spans files or needs arithmetic
(unique ids, swapped coordinates, south < north, self-intersections) stays with
``storymap validate``.
"""

from __future__ import annotations

import copy
import inspect
import json
import os
from pathlib import Path
from typing import Annotated, Any, Optional

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.json_schema import GenerateJsonSchema

from . import geometry as _geometry
from . import types as _types
from .errors import HIDDEN, Problem, StoryError
from .geometry import _FAMILY_OF_TYPE
from .kinds import GENERIC_KINDS, Kind
from .load import MAX_FILE_BYTES, STORY_FILE, read_story_file
from .models import Place, PlaceCollection, Step, StoryMeta
from .types import Identifier

__all__ = ["DIALECT", "SCHEMAS", "StoryFile", "PlacesFile", "KindOverride", "story_schema", "places_schema",
           "schema_for"]

#: The JSON Schema dialect of every schema made here.
DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: What ``storymap schema`` can describe.
SCHEMAS = ("story", "places")

# The patterns of the validators in storymap.types, as JSON Schema (ECMA-262) regular expressions.
# A value the validator strips first may carry surrounding whitespace.
_ID = _types._ID_RE.pattern
_LANGUAGE = r"^\s*" + _types._LANG_RE.pattern.strip("^$") + r"\s*$"
# (A colour name's spelling is checked by storymap validate: JSON Schema patterns have no case
# flag, and CSS takes "Red" as well as "red". A hex colour has 3, 4, 6 or 8 digits.)
_COLOR = r"^\s*(#([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|[a-zA-Z]{3,30}|(rgb|hsl)a?\([0-9\s.,%a-z]{1,60}\))\s*$"
# types._check_url matches this case-insensitively (JSON Schema patterns have no flags).
_URL = r"^\s*[Hh][Tt][Tt][Pp][Ss]?://[^\s\x00-\x1f\x7f/$.?#][^\s\x00-\x1f\x7f]*\s*$"

_AFTER_PATTERNS = {
    _types._check_text: r"\S",  # blank text is refused: stripped, it must keep a character
    _types._check_identifier: _ID,
    _types._check_language: _LANGUAGE,
    _types._check_color: _COLOR,
    _types._check_url: _URL,
}


class _Generator(GenerateJsonSchema):
    """pydantic's generator, plus what storymap's validator functions check, where JSON Schema can say it."""

    def function_after_schema(self, schema: Any) -> dict[str, Any]:
        out = super().function_after_schema(schema)
        pattern = _AFTER_PATTERNS.get(schema["function"]["function"])
        if pattern is not None:
            out = {**out, "pattern": pattern}
        return out

    def function_before_schema(self, schema: Any) -> dict[str, Any]:
        out = super().function_before_schema(schema)
        function = schema["function"]["function"]
        if function is _geometry._position:
            return {
                "type": "array", "minItems": 2, "maxItems": 3,
                "description": "A position: [longitude, latitude] (optionally an elevation third).",
                "prefixItems": [{"type": "number", "minimum": -180, "maximum": 180, "description": "longitude"},
                                {"type": "number", "minimum": -90, "maximum": 90, "description": "latitude"}],
                "items": {"type": "number"},
            }
        name = getattr(function, "__qualname__", "")
        if name == "_positions.<locals>.check":
            out = {**out, "minItems": inspect.getclosurevars(function).nonlocals["minimum"]}
        elif name == "_array.<locals>.check":
            out = {**out, "minItems": 1}
        return out


# Models of the files --------------------------------------------------------------------------

def _optional(name: str) -> tuple[Any, Any]:
    """A field of :class:`~storymap.kinds.Kind`, made optional: same type, constraints and docs."""
    field = Kind.model_fields[name]
    annotation = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
    info = copy.copy(field)
    info.metadata = []
    info.default = None
    info.default_factory = None
    return Optional[annotation], info


#: ``[kinds.NAME]`` for a generic kind: any of :class:`~storymap.kinds.Kind`'s fields, each optional.
KindOverride = create_model(  # type: ignore[call-overload]
    "KindOverride", __config__=ConfigDict(extra="forbid"),
    __doc__="Fields of a generic kind to change; the others keep the generic kind's values.",
    **{name: _optional(name) for name in Kind.model_fields},
)


class StoryFile(StoryMeta):
    """``story.toml``: the story's title and texts, its kinds of place and its steps.

    Coordinates are GeoJSON order, [longitude, latitude]; the places are in the folder's *.geojson files.
    """

    kinds: dict[Identifier, Kind] = Field(
        default_factory=dict,
        description="The story's kinds of place, as [kinds.NAME] tables: how each class of places is named "
                    "and drawn. The generic kinds (" + ", ".join(GENERIC_KINDS) + ") need no table; a table "
                    "of their name changes some of their fields. A new kind needs label, geometry and color.")
    steps: list[Step] = Field(
        min_length=1,
        description="The steps in reading order, as [[steps]] tables: what the reader sees and reads at each.")


class PlacesFile(PlaceCollection):
    """A ``*.geojson`` file of places: a GeoJSON FeatureCollection whose Features are the story's places.

    Each Feature has a string id (kebab-case) and properties name, kind, annotation and sources;
    positions are [longitude, latitude].
    """

    features: list[Place] = Field(description="The places: GeoJSON Features with an id and narrative properties.")


#: Descriptions and examples of fields whose models give none (the schema shows every field documented).
_MORE: dict[tuple[str, str], dict[str, Any]] = {
    ("StoryFile", "title"): {"description": "The story's title (the page's title and the title card's heading).",
                             "examples": ["Three landmarks, three capitals"]},
    ("StoryFile", "layout"): {"examples": ["slides", "scroll"]},
    ("StoryFile", "lang"): {"examples": ["en", "es", "pt-BR"]},
    ("Step", "id"): {"examples": ["overview", "the-harbour"]},
    ("Step", "title"): {"description": "The step's heading.", "examples": ["From Florida to the isthmus"]},
    ("Step", "narrative"): {"description": "The step's text, in Markdown (raw HTML shows as text)."},
    ("Step", "places"): {"examples": [["eiffel-tower", "tower-bridge"]]},
    ("View", "zoom"): {"description": "Zoom level, 0 (the world) to 22; used with center.", "examples": [6]},
    ("Place", "type"): {"description": "Always \"Feature\"."},
    ("Place", "id"): {"examples": ["eiffel-tower"]},
    ("Place", "properties"): {"description": "The place's name, kind, annotation and sources (other properties "
                                             "are kept, not shown)."},
    ("Place", "geometry"): {"description": "A GeoJSON geometry; positions are [longitude, latitude]."},
    ("PlaceProperties", "annotation"): {"examples": ["Built for the 1889 World's Fair, the tower ..."]},
    ("Source", "title"): {"examples": ["Eiffel Tower – Wikipedia"]},
    ("Source", "url"): {"examples": ["https://en.wikipedia.org/wiki/Eiffel_Tower"]},
    ("PlacesFile", "type"): {"description": "Always \"FeatureCollection\"."},
    # Every geometry's members.
    ("*", "bbox"): {"description": "Optional bounding box, [west, south, east, north] (RFC 7946 §5)."},
    ("*", "geometries"): {"description": "The geometries of the collection."},
    ("Point", "coordinates"): {"description": "[longitude, latitude]", "examples": [[2.2945, 48.8582]]},
    ("MultiPoint", "coordinates"): {"description": "An array of positions."},
    ("LineString", "coordinates"): {"description": "Two positions or more, in the direction of travel for an "
                                                   "arrowed kind."},
    ("MultiLineString", "coordinates"): {"description": "An array of lines (each two positions or more)."},
    ("Polygon", "coordinates"): {"description": "Linear rings: the outline, then any holes; each closed (its last "
                                                "position repeats its first)."},
    ("MultiPolygon", "coordinates"): {"description": "An array of polygons, each an array of linear rings."},
    **{(name, "type"): {"description": f"Always \"{name}\"."} for name in _geometry.GEOMETRY_TYPES},
}


#: Descriptions of models whose docstrings speak of the Python API rather than the file.
_DEF_DOCS = {
    "Place": "A place of the story: a GeoJSON Feature with a string id (kebab-case), its narrative properties "
             "and a geometry.",
    **{name: f"A GeoJSON {name} (RFC 7946); positions are [longitude, latitude]." for name in _geometry.GEOMETRY_TYPES},
}


def _generate(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(schema_generator=_Generator, mode="validation")
    defs = schema.setdefault("$defs", {})
    for name, text in _DEF_DOCS.items():
        if name in defs:
            defs[name]["description"] = text
    for name, definition in [(model.__name__, schema), *defs.items()]:
        for field, prop in definition.get("properties", {}).items():
            for key, value in {**_MORE.get(("*", field), {}), **_MORE.get((name, field), {})}.items():
                prop.setdefault(key, value)
    return schema


# Rules the validators check in code, as JSON Schema -------------------------------------------

def _kind_rules(base_geometry: Optional[str] = None) -> list[dict[str, Any]]:
    """Kind._fits_geometry: arrows for lines only, radius and symbol for points only.

    ``base_geometry``: the geometry of the generic kind a table overrides (used when it gives none).
    """
    def drawn_as(family: str) -> dict[str, Any]:
        given = {"required": ["geometry"], "properties": {"geometry": {"const": family}}}
        if base_geometry == family:  # an override may leave the generic kind's geometry as it is
            return {"anyOf": [given, {"not": {"required": ["geometry"]}}]}
        return given

    return [
        {"if": {"required": ["arrows"], "properties": {"arrows": {"const": True}}}, "then": drawn_as("line")},
        {"if": {"anyOf": [{"required": ["radius"], "properties": {"radius": {"not": {"type": "null"}}}},
                          {"required": ["symbol"], "properties": {"symbol": {"not": {"const": "circle"}}}}]},
         "then": drawn_as("point")},
    ]


def _view_rules(defs: dict[str, Any]) -> None:
    view = defs.get("View")
    if not view:
        return
    lon = {"type": "number", "minimum": -180, "maximum": 180}
    lat = {"type": "number", "minimum": -90, "maximum": 90}
    props = view["properties"]
    props["center"] = {"type": "array", "prefixItems": [{**lon, "description": "longitude"},
                                                        {**lat, "description": "latitude"}],
                       "minItems": 2, "maxItems": 2, **{k: v for k, v in _plain(props["center"]).items()
                                                        if k in ("description", "examples")}}
    corner = {"type": "array", "prefixItems": [lon, lat], "minItems": 2, "maxItems": 2}
    props["bounds"] = {"type": "array", "prefixItems": [{**corner, "description": "[west, south]"},
                                                        {**corner, "description": "[east, north]"}],
                       "minItems": 2, "maxItems": 2, **{k: v for k, v in _plain(props["bounds"]).items()
                                                        if k in ("description", "examples")}}
    view["anyOf"] = [{"required": ["bounds"]}, {"required": ["center", "zoom"]}]
    view["description"] = (view.get("description", "") + " Either bounds, or center and zoom.").strip()


def _plain(prop: dict[str, Any]) -> dict[str, Any]:
    """An optional field's schema without its ``anyOf [..., null]`` wrapper (TOML has no null)."""
    options = [o for o in prop.get("anyOf", []) if o.get("type") != "null"]
    if len(options) == 1:
        return {**{k: v for k, v in prop.items() if k not in ("anyOf", "default")}, **options[0]}
    return prop


def _geometry_types(family: str) -> list[str]:
    return [t for t, f in _FAMILY_OF_TYPE.items() if f == family and t in _geometry.GEOMETRY_TYPES]


# The schemas ----------------------------------------------------------------------------------

def story_schema(folder: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """JSON Schema for ``story.toml``. With a story ``folder``, steps may name only its places."""
    schema = _generate(StoryFile)
    defs = schema["$defs"]
    props = schema["properties"]
    # TOML has no null: optional step fields are plain.
    for name, prop in defs["Step"]["properties"].items():
        defs["Step"]["properties"][name] = _plain(prop)
    # Step._when takes a year as a number too (date = 2024), as storymap.dates.parse_date does.
    date = defs["Step"]["properties"]["date"]
    defs["Step"]["properties"]["date"] = {
        **{k: v for k, v in date.items() if k != "type"},
        "anyOf": [{"type": "string"}, {"type": "integer", "minimum": 1, "maximum": 9999, "description": "a year"}]}
    _view_rules(defs)
    for name, prop in defs["Kind"]["properties"].items():
        defs["Kind"]["properties"][name] = _plain(prop)
    defs["Kind"]["allOf"] = _kind_rules()
    override = _generate(KindOverride)
    defs.update({k: v for k, v in override.pop("$defs", {}).items() if k not in defs})
    override["properties"] = {name: _plain(prop) for name, prop in override["properties"].items()}
    kinds = props["kinds"]
    kinds.pop("additionalProperties", None)
    kinds.pop("patternProperties", None)
    kinds["propertyNames"] = {"pattern": _ID}
    kinds["properties"] = {}
    for name, spec in GENERIC_KINDS.items():
        kinds["properties"][name] = {
            **override, "title": f"Kind {name!r} (generic: {spec['label']}, drawn as {spec['geometry']})",
            "description": f"Changes fields of the generic kind {name!r} ({spec['description']})",
            "allOf": _kind_rules(spec["geometry"]),
        }
    kinds["additionalProperties"] = {"$ref": "#/$defs/Kind"}
    kinds["examples"] = [{"landmark": {"label": "Landmark", "geometry": "point", "color": "#1d4f91"}}]
    if folder is not None:
        if (Path(folder) / STORY_FILE).exists():  # (none yet: the schema helps to write it)
            _story_kinds(Path(folder))  # an unreadable one is reported, as for places
        ids = _place_ids(Path(folder))
        if ids:
            places = defs["Step"]["properties"]["places"]
            places["items"] = {**places.get("items", {}), "enum": ids}
    return _wrap(schema, "storymap story.toml", folder)


def places_schema(folder: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """JSON Schema for a ``*.geojson`` file of places. With a story ``folder``, a place's kind must be
    one of that story's kinds, with the geometry and properties the kind asks for."""
    schema = _generate(PlacesFile)
    defs = schema["$defs"]
    kind = defs["PlaceProperties"]["properties"]["kind"]
    if folder is None:
        kind["examples"] = list(GENERIC_KINDS)
    else:
        declared, resolved = _story_kinds(Path(folder))
        names = list(dict.fromkeys([*declared, *resolved]))
        kind.clear()
        kind.update({
            "description": "One of the story's kinds: " + ", ".join(names) + ". Without one, the generic kind "
                           "of the place's geometry (place, line or area).",
            "anyOf": [{"enum": names, "enumDescriptions": [_kind_text(resolved.get(n)) for n in names]},
                      {"type": "null"}],
        })
        rules = []
        for name, spec in resolved.items():
            types = _geometry_types(spec.geometry)
            then: dict[str, Any] = {"properties": {"geometry": {"anyOf": [
                {"properties": {"type": {"enum": types}}},
                {"properties": {"type": {"const": "GeometryCollection"},
                                "geometries": {"items": {"properties": {"type": {"enum": types}}}}}},
            ]}}}
            if spec.properties:
                then["properties"]["properties"] = {
                    "required": list(spec.properties),
                    "properties": {prop: ({"enum": list(allowed)} if allowed else {})
                                   for prop, allowed in spec.properties.items()},
                }
            rules.append({"if": {"required": ["properties"], "properties": {"properties": {
                "required": ["kind"], "properties": {"kind": {"const": name}}}}}, "then": then})
        if rules:
            defs["Place"]["allOf"] = rules
    return _wrap(schema, "storymap places (GeoJSON)", folder)


def _kind_text(kind: Optional[Kind]) -> str:
    if kind is None:
        return "(declared, but its table has a problem: see storymap validate)"
    return f"{kind.label}: drawn as {kind.geometry}" + (f". {kind.description}" if kind.description else "")


def _wrap(schema: dict[str, Any], title: str, folder: str | os.PathLike[str] | None) -> dict[str, Any]:
    from . import __version__

    description = schema.pop("description", "").strip()
    about = f"Generated by storymap {__version__}" + (f" for the story in {Path(folder).name or folder}" if folder
                                                        else "") + "; `storymap validate` checks the rest."
    schema.pop("title", None)
    return {"$schema": DIALECT, "title": title, "description": f"{description}\n\n{about}".strip(), **schema}


def _story_kinds(folder: Path) -> tuple[list[str], dict[str, Kind]]:
    """The names a story declares and its kinds as they resolve (generic ones included)."""
    from .models import resolve_kinds

    path = folder / STORY_FILE
    if not path.is_file():
        raise StoryError([Problem(str(path), f"missing: --story needs a story folder with its {STORY_FILE}")])
    problems: list[Problem] = []
    meta = read_story_file(path, problems)
    if meta is None:
        raise StoryError(problems)
    declared = meta.get("kinds") if isinstance(meta.get("kinds"), dict) else {}
    names = [name for name in declared if isinstance(name, str) and _types._ID_RE.fullmatch(name)]
    kinds, _ = resolve_kinds(declared)
    return names, kinds


def _place_ids(folder: Path) -> list[str]:
    """The place ids a folder's *.geojson files give (for steps to name); unreadable files are skipped."""
    ids: list[str] = []
    if not folder.is_dir():
        raise StoryError([Problem(str(folder), "not a story folder")])
    for path in sorted(folder.glob("*.geojson")):
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            doc = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError, RecursionError):
            continue
        features = doc.get("features") if isinstance(doc, dict) else None
        for feature in features if isinstance(features, list) else []:
            if isinstance(feature, dict) and isinstance(feature.get("id"), str) and feature["id"] not in ids:
                ids.append(feature["id"])
    return ids


def schema_for(what: str, folder: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The schema named ``what`` (``"story"`` or ``"places"``), for a story ``folder`` when given."""
    if what == "story":
        return story_schema(folder)
    if what == "places":
        return places_schema(folder)
    raise ValueError(f"unknown schema {what!r}; expected one of {', '.join(SCHEMAS)}")


def dumps(schema: dict[str, Any]) -> str:
    """A schema as the JSON text ``storymap schema`` writes (printed on a terminal without -o: a
    kind's label with a C1 control or a right-to-left override is written as its ``\\u`` escape,
    as JSON writes the C0 ones)."""
    text = json.dumps(schema, indent=2, ensure_ascii=False)  # (its C0: the lines and indents)
    return HIDDEN.sub(lambda m: m.group() if m.group() < " " else f"\\u{ord(m.group()):04x}", text) + "\n"
