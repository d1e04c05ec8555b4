"""Data for the layer tests and benchmarks: random features in Panama, and a decoder of the
compact layer encoding (the Python twin of ``decode`` in ``static/storymap-layers.js``)."""

from __future__ import annotations

import json
import re
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

#: Panama's mainland, roughly: (west, south, east, north).
PANAMA = (-83.0, 7.2, -77.2, 9.6)


def random_points(n: int, seed: int = 1) -> gpd.GeoDataFrame:
    """``n`` random points in Panama with a ``name`` and a repetitive ``kind`` property."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(PANAMA[0], PANAMA[2], n)
    y = rng.uniform(PANAMA[1], PANAMA[3], n)
    kinds = np.array(["clinic", "school", "market", "station"])[rng.integers(0, 4, n)]
    return gpd.GeoDataFrame({"name": [f"Point {i}" for i in range(n)], "kind": kinds, "unused": np.arange(n)},
                            geometry=gpd.points_from_xy(x, y), crs="EPSG:4326")


def wiggly_features(n: int, vertices: int, seed: int = 3) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """``n`` areas and ``n`` lines of ``vertices`` vertices each: smooth shapes, densely sampled."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    s = np.linspace(0, 1, vertices)
    polygons, lines = [], []
    for _ in range(n):
        cx, cy = rng.uniform(PANAMA[0], PANAMA[2]), rng.uniform(PANAMA[1], PANAMA[3])
        r = 0.05 * (1 + 0.3 * np.sin(rng.integers(3, 12) * t + rng.uniform(0, 6)))
        polygons.append(shapely.Polygon(np.c_[cx + r * np.cos(t), cy + r * np.sin(t)]))
        lines.append(shapely.LineString(np.c_[cx + 0.5 * s, cy + 0.1 * np.sin(s * rng.uniform(5, 30))]))
    names = [f"Feature {i}" for i in range(n)]
    return (gpd.GeoDataFrame({"name": names}, geometry=polygons, crs="EPSG:4326"),
            gpd.GeoDataFrame({"name": names}, geometry=lines, crs="EPSG:4326"))


def undelta(values: list[int], scale: int) -> np.ndarray:
    """Delta-encoded integers [dx, dy, ...] → an (n, 2) array of longitude/latitude."""
    return np.cumsum(np.asarray(values, dtype=np.int64).reshape(-1, 2), axis=0) / scale


def payloads(html: str) -> dict[str, dict[str, Any]]:
    """Every data layer's encoding in a page, by its JS variable."""
    found = {}
    for var, body in re.findall(r"var (\w+) = L\.storymap\.dataLayer\(JSON\.parse\('((?:[^'\\]|\\.)*)'\)", html):
        text = re.sub(r"\\(.)", r"\1", body)  # undo the single-quoted string's escapes
        found[var] = json.loads(text)
    return found


def column(payload: dict[str, Any], name: str) -> list[Any]:
    """A property column of an encoding, expanded."""
    col = payload["props"][name]
    return [col["values"][c] for c in col["codes"]] if isinstance(col, dict) else col
