"""One input funnel for layer data: anything geographic → a GeoDataFrame in EPSG:4326.

Accepted: a GeoDataFrame or GeoSeries in any CRS, a path geopandas/pyogrio reads (GeoJSON,
GeoPackage, Shapefile, FlatGeobuf, ...), a GeoJSON mapping (FeatureCollection, Feature or
geometry) or GeoJSON text, any object with ``__geo_interface__`` and a shapely geometry. Anything
else, an empty input, or coordinates that are not longitude/latitude raise one
:class:`~storymap.errors.StoryError` saying what was given and what was expected.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .errors import Problem, StoryError, short_repr
from .geometry import CLAMP, into_frame

__all__ = ["to_geodataframe", "raw_frame", "public_columns", "ACCEPTED"]

#: What :func:`to_geodataframe` accepts, for error messages.
ACCEPTED = ("a GeoDataFrame or GeoSeries (any CRS), a path geopandas can read (GeoJSON, GeoPackage, "
            "Shapefile, FlatGeobuf), a GeoJSON mapping or string, an object with __geo_interface__, "
            "or a shapely geometry")
_GEOJSON_TYPES = {"FeatureCollection", "Feature", "Point", "MultiPoint", "LineString", "MultiLineString",
                  "Polygon", "MultiPolygon", "GeometryCollection"}


#: The prefix of the columns storymap adds to a frame for its own use (``__storymap_row``, ...).
INTERNAL = "__storymap_"


def public_columns(frame: pd.DataFrame, geometry: Any = None) -> list[str]:
    """A frame's column names as a message lists them: without ``geometry`` and storymap's own."""
    return [str(c) for c in frame.columns if c != geometry and not str(c).startswith(INTERNAL)]


def _from_xy(frame: pd.DataFrame) -> str:
    """How to make a table of longitudes and latitudes a GeoDataFrame: its own columns when it has them."""
    columns = public_columns(frame)
    lon = next((c for c in columns if c.strip().lower() in ("lon", "lng", "long", "longitude", "x")), "lon")
    lat = next((c for c in columns if c.strip().lower() in ("lat", "latitude", "y")), "lat")
    return (f"geopandas.GeoDataFrame(df, geometry=geopandas.points_from_xy(df[{lon!r}], df[{lat!r}]), "
            "crs='EPSG:4326')")


def _fail(where: str, message: str) -> StoryError:
    return StoryError([Problem(file="", where=where, message=message)])


def _describe(data: Any) -> str:
    text = repr(data)
    return f"{type(data).__name__} {text[:60] + '...' if len(text) > 60 else text}"


def _from_mapping(doc: Mapping[str, Any], where: str) -> gpd.GeoDataFrame:
    kind = doc.get("type")
    if kind not in _GEOJSON_TYPES:
        raise _fail(where, f"a mapping with type {kind!r} is not GeoJSON; expected a FeatureCollection, "
                           "a Feature or a geometry")
    if kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise _fail(where, "the FeatureCollection has no 'features' array")
    elif kind == "Feature":
        features = [doc]
    else:
        features = [{"type": "Feature", "properties": {}, "geometry": doc}]
    if not features:
        return gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    try:
        return gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
    except Exception as exc:  # shapely or pandas refusing a malformed feature
        raise _fail(where, f"not readable as GeoJSON: {exc}") from None


#: Paths GDAL reads without their being files here: zip://, /vsizip/, /vsicurl/, s3://, https://, ...
_GDAL_PATH = re.compile(r"^([a-z][a-z0-9+.-]*://|/vsi[a-z0-9_]+/)", re.IGNORECASE)


def _first_of_layers(path: str, where: str) -> str | None:
    """The first layer's name of a file that holds several (a GeoPackage's), said in a warning
    that names the others and how to read one of them; None for a file of one layer (or one
    pyogrio cannot list: reading it then says what is wrong)."""
    import pyogrio

    try:
        layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    except Exception:  # (not a data source: read_file's own error names the problem)
        return None
    if len(layers) < 2:
        return None
    shown = ", ".join(map(repr, layers[:6])) + (", ..." if len(layers) > 6 else "")
    warnings.warn(f"{where}: {path!r} holds {len(layers)} layers ({shown}); the layer is its first, {layers[0]!r}: "
                  f"for another, pass geopandas.read_file({path!r}, layer={layers[1]!r})", UserWarning, stacklevel=6)
    return layers[0]


def _read_path(path: Path | str, where: str) -> gpd.GeoDataFrame:
    text = str(path)
    if not _GDAL_PATH.match(text) and not Path(text).exists():
        raise _fail(where, f"no file or folder at {text!r}; expected {ACCEPTED}")
    layer = _first_of_layers(text, where)
    try:
        frame = gpd.read_file(text, engine="pyogrio", **({"layer": layer} if layer is not None else {}))
    except Exception as exc:  # pyogrio's DataSourceError and friends
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _fail(where, f"cannot read {str(path)!r} as geodata: {first}") from None
    if not isinstance(frame, gpd.GeoDataFrame):  # a table without geometry (a CSV): a plain DataFrame
        read = (f"df = pandas.read_csv({text!r})" if text.lower().endswith(".csv") else
                f"df = pandas.read_csv({text!r}, sep='\\t')" if text.lower().endswith(".tsv")
                else "read it into a pandas DataFrame df")
        raise _fail(where, f"{text!r} has no geometry: a table with columns {public_columns(frame)[:8]!r}; make it "
                           f"a GeoDataFrame from its longitude and latitude columns: {read}; {_from_xy(frame)}; or "
                           "give a file with geometry (GeoJSON, GeoPackage, Shapefile, FlatGeobuf)")
    return frame


def _flat_names(data: pd.DataFrame, where: str) -> None:
    """Refuse a table whose columns have several levels (a pandas MultiIndex, as ``groupby().agg()``
    with several functions or ``pivot_table()`` make): each property of a feature needs one name."""
    if not isinstance(data.columns, pd.MultiIndex):
        return
    var = "gdf" if isinstance(data, gpd.GeoDataFrame) else "df"
    names = [c for c in data.columns if not any(str(part).startswith(INTERNAL) for part in c)]
    flat = ["_".join(str(part) for part in c if str(part) != "") for c in names[:2]]
    shown = ", ".join(f"{c!r} → {f!r}" for c, f in zip(names, flat))
    raise _fail(where, f"the {type(data).__name__}'s columns have {data.columns.nlevels} levels (a pandas MultiIndex, "
                       "as groupby().agg() or pivot_table() make), and a feature's properties need one name each; "
                       f"flatten them first, e.g. {var}.columns = "
                       f"['_'.join(str(part) for part in c if str(part) != '') for c in {var}.columns] ({shown})")


def raw_frame(data: Any, where: str) -> gpd.GeoDataFrame:
    """``data`` (any input listed in :data:`ACCEPTED`) as a GeoDataFrame as it was read: every row,
    those without geometry too, in its own CRS (a GeoDataFrame given is returned as it is).
    :func:`to_geodataframe` then keeps the rows it can draw, in EPSG:4326."""
    if isinstance(data, pd.DataFrame):
        _flat_names(data, where)
    if isinstance(data, gpd.GeoDataFrame):
        if data._geometry_column_name not in data.columns:  # (geopandas would raise AttributeError)
            shapes = [str(c) for c, dtype in data.dtypes.items() if dtype == "geometry"]
            if shapes:
                raise _fail(where, f"the GeoDataFrame has no active geometry column; set one of its geometry "
                                   f"columns ({', '.join(map(repr, shapes))}) with gdf.set_geometry({shapes[0]!r})")
            raise _fail(where, f"a GeoDataFrame with columns {public_columns(data)[:8]!r} has no geometry; "
                               f"expected geometries (e.g. {_from_xy(data)})")
        return data
    if isinstance(data, gpd.GeoSeries):
        return gpd.GeoDataFrame(geometry=data)
    if isinstance(data, pd.DataFrame):
        raise _fail(where, f"a DataFrame with columns {public_columns(data)[:8]!r} has no geometry; "
                           f"expected a GeoDataFrame (e.g. {_from_xy(data)})")
    if isinstance(data, shapely.Geometry):
        return gpd.GeoDataFrame(geometry=[data], crs="EPSG:4326")
    if isinstance(data, os.PathLike):
        return _read_path(Path(data), where)
    if isinstance(data, str):
        stripped = data.lstrip()
        if stripped.startswith("{"):
            try:
                doc = json.loads(stripped)
            except json.JSONDecodeError as exc:
                raise _fail(where, f"invalid GeoJSON text at line {exc.lineno}, column {exc.colno}: {exc.msg}"
                            ) from None
            if isinstance(doc, dict):
                return _from_mapping(doc, where)
        return _read_path(data, where)
    if isinstance(data, Mapping):
        return _from_mapping(data, where)
    geo = getattr(data, "__geo_interface__", None)
    if isinstance(geo, Mapping):
        return _from_mapping(geo, where)
    raise _fail(where, f"cannot use {_describe(data)} as geodata; expected {ACCEPTED}")


def to_geodataframe(data: Any, where: str = "data") -> gpd.GeoDataFrame:
    """Read ``data`` into a GeoDataFrame in EPSG:4326 with no missing or empty geometries.

    Parameters
    ----------
    data : GeoDataFrame, GeoSeries, str, os.PathLike, Mapping, shapely.Geometry or object
        Any input listed in :data:`ACCEPTED`.
    where : str
        Names the input in error messages (e.g. ``layer "Roads"``).

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame (the input is never changed), longitude/latitude in EPSG:4326.

    Raises
    ------
    storymap.StoryError
        For an input of another type, an unreadable file, an input without features, or
        coordinates that are not longitude/latitude.
    """
    frame = raw_frame(data, where)
    if frame.geometry.name not in frame.columns:  # pragma: no cover - geopandas guarantees it
        raise _fail(where, "has no active geometry column")
    given = len(frame)
    frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
    if frame.empty:
        detail = f"all {given} geometries are missing or empty" if given else "it has no features"
        raise _fail(where, f"nothing to draw: {detail}; expected at least one geometry")
    coords, owner = shapely.get_coordinates(frame.geometry.values, return_index=True)
    odd = np.unique(owner[~np.isfinite(coords).all(axis=1)])
    if len(odd):  # (their bounds said "[nan, nan, nan, nan] outside longitude -180..180")
        rows = ", ".join(short_repr(label) for label in frame.index[odd[:3]]) + (", ..." if len(odd) > 3 else "")
        raise _fail(where, f"{len(odd):,} geometr{'y has' if len(odd) == 1 else 'ies have'} coordinates that are "
                           f"not numbers (NaN or infinite): row{'s' if len(odd) > 1 else ''} {rows}; drop or mend "
                           "them (a missing position is a missing geometry: None)")
    if frame.crs is None:
        west, south, east, north = frame.total_bounds
        if not (_lonlat(west, south, east, north) or _lon_0_360(west, south, east, north)):
            raise _fail(where, f"has no CRS and its coordinates (bounds {_bounds(frame)}) are not "
                               "longitude/latitude; set the CRS it is in, e.g. gdf.set_crs('EPSG:3857')")
        frame = frame.set_crs("EPSG:4326")
    elif not frame.crs.equals("EPSG:4326"):
        if not (frame.crs.is_geographic or frame.crs.is_projected):
            raise _fail(where, f"its CRS {frame.crs.to_string()!r} is not a geographic or projected CRS; "
                               "expected coordinates that can be placed on the Earth")
        frame = frame.to_crs("EPSG:4326")
    else:
        frame = frame.copy()
    west, south, east, north = frame.total_bounds
    if not _lonlat(west, south, east, north) and _lon_0_360(west, south, east, north):
        # Longitudes 0..360, as Pacific data often has them (explore draws them): each feature moved
        # a turn west where its middle lies east of 180 (as a layer's are into the story's frame).
        return frame.set_geometry(into_frame(frame.geometry.values)).reset_index(drop=True)
    if not _lonlat(west, south, east, north):
        raise _fail(where, f"coordinates (bounds {_bounds(frame)}) are outside longitude -180..180 / latitude "
                           f"-90..90 in {frame.crs.to_string()}; is the CRS right?")
    if not (-180 <= west and east <= 180 and -90 <= south and north <= 90):
        # Floating-point noise at the world's edge (180.00000000000006): pull it back onto the edge.
        frame = frame.set_geometry(shapely.transform(frame.geometry.values, _clamped))
    return frame.reset_index(drop=True)


def _lonlat(west: float, south: float, east: float, north: float) -> bool:
    """Whether bounds are longitude/latitude, allowing :data:`~storymap.geometry.CLAMP` past the edges."""
    return (-180 - CLAMP <= west <= east <= 180 + CLAMP) and (-90 - CLAMP <= south <= north <= 90 + CLAMP)


def _lon_0_360(west: float, south: float, east: float, north: float) -> bool:
    """Whether bounds are longitude/latitude with longitudes 0..360."""
    return (0 <= west <= east <= 360 + CLAMP) and (-90 - CLAMP <= south <= north <= 90 + CLAMP)


def _clamped(xy: Any) -> Any:
    return np.column_stack([np.clip(xy[:, 0], -180.0, 180.0), np.clip(xy[:, 1], -90.0, 90.0)])


def _bounds(frame: gpd.GeoDataFrame) -> str:
    """The frame's bounds at full precision (the value that failed is shown as it is)."""
    return "[" + ", ".join(repr(float(v)) for v in frame.total_bounds) + "]"
