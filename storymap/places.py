"""Places from Python: any geodata → GeoJSON Features that :class:`storymap.Place` validates.

Used by :meth:`storymap.Story.add_place`. One place is a Feature mapping, a :class:`~storymap.Place`
or a bare geometry (shapely, a GeoJSON geometry mapping, anything with ``__geo_interface__``);
many places are a GeoDataFrame or GeoSeries (any CRS), a FeatureCollection or a path geopandas
reads. Properties given as keywords fill in what each place lacks; an ``id`` is made from the name
when there is none.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Mapping
from typing import Any, Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.geometry

from .errors import Problem, StoryError
from .geodata import to_geodataframe
from .geometry import GEOMETRY_TYPES
from .models import Place
from .types import ascii_id

__all__ = ["place_records", "slug"]


def slug(text: Any, taken: set[str], fallback: str = "place") -> str:
    """A kebab-case id from a name, made unique against ``taken``: written in Latin letters
    (accents dropped, other scripts transliterated: ``Москва`` → ``moskva``, ``Straße`` →
    ``strasse``), else ``fallback``."""
    base = ascii_id(str(text or ""))[:56].strip("-") or fallback
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


def _plain(value: Any) -> Any:
    """A JSON-friendly property value (numpy scalars, NaN and timestamps made plain)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NaT:
        return None  # (a missing date: no "NaT" on a card)
    if isinstance(value, (pd.Timestamp, _dt.datetime)):
        # (A day, as a table's date column holds one, is the day: "2024-05-12", not its midnight
        # "2024-05-12T00:00:00" on the place's card; a time of day keeps its hours and minutes.)
        if value.tzinfo is None and (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds" if value.second else "minutes")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    return value


def _from_frame(frame: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    geometry = frame.geometry.name
    features = []
    for row in frame.to_dict("records"):
        props = {str(k): _plain(v) for k, v in row.items() if k != geometry}
        props = {k: v for k, v in props.items() if v is not None}
        if isinstance(props.get("sources"), str) and props["sources"].lstrip().startswith("["):
            try:  # a file's list property read back as JSON text
                props["sources"] = json.loads(props["sources"])
            except json.JSONDecodeError:
                pass
        fid = props.pop("id", None)
        features.append({"type": "Feature", "id": fid, "properties": props,
                         "geometry": shapely.geometry.mapping(row[geometry])})
    return features


def _features(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, Place):
        return [data.to_feature()]
    if isinstance(data, shapely.Geometry):
        return [{"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(data)}]
    if isinstance(data, Mapping):
        kind = data.get("type")
        if kind == "Feature":
            return [dict(data)]
        if kind in GEOMETRY_TYPES:
            return [{"type": "Feature", "properties": {}, "geometry": dict(data)}]
        if kind == "FeatureCollection" and isinstance(data.get("features"), list):
            return [dict(f) if isinstance(f, Mapping) else f for f in data["features"]]
    if isinstance(data, (list, tuple)) and data and all(isinstance(f, (Mapping, Place)) for f in data):
        return [f for item in data for f in _features(item)]
    # (A GeoDataFrame is read as a frame: its __geo_interface__, all its features as GeoJSON, is not made.)
    geo = None if isinstance(data, (gpd.GeoDataFrame, gpd.GeoSeries)) else getattr(data, "__geo_interface__", None)
    if isinstance(geo, Mapping):
        return _features(dict(geo))
    return _from_frame(to_geodataframe(data, where="add_place"))


def place_records(data: Any, defaults: Mapping[str, Any], taken: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Features for :class:`storymap.Place`: ``data`` read, ``defaults`` filling in each one's fields.

    Raises
    ------
    storymap.StoryError
        When ``data`` is not geodata, or has no feature.
    """
    features = _features(data)
    if not features:
        raise StoryError([Problem(file="", where="add_place", message="no place to add: the data has no feature")])
    used = set(taken)
    given_id = defaults.get("id")
    if given_id is not None and len(features) > 1:
        raise StoryError([Problem(file="", where="add_place", field="id",
                                  message=f"one id for {len(features)} places; give each feature its own id "
                                          "(an 'id' column) or none (ids are made from the names)")])
    records = []
    for feature in features:
        if not isinstance(feature, Mapping):
            records.append(feature)  # the model names what is wrong with it
            continue
        props = dict(feature.get("properties") or {})
        for key, value in defaults.items():
            if key != "id":
                props.setdefault(key, value)
        fid = given_id if given_id is not None else feature.get("id")
        if fid is None:
            fid = slug(props.get("name"), used)
        used.add(str(fid))
        records.append({**feature, "type": "Feature", "id": fid, "properties": props})
    return records
