"""Prepare the embedded offline basemap's package data (storymap/data/) from Natural Earth.

    pip install -e ".[data]"
    git clone https://github.com/ropensci/rnaturalearthhires     /tmp/rnaturalearthhires
    git clone https://github.com/martynafford/natural-earth-geojson /tmp/natural-earth-geojson
    python scripts/prepare_basemap.py /tmp/rnaturalearthhires /tmp/natural-earth-geojson

Either argument may be a work tree or a bare git directory: files are read from the checked-out
tree if present, else with ``git show HEAD:path``. The commits read are recorded in the output.

Sources (Natural Earth is in the public domain; both repositories are CC0):

* **Countries** — Natural Earth 1:10m *Admin 0 – Countries*, the default edition (boundaries as
  de facto on the ground, not a country's point of view), as packaged by the R package
  rnaturalearthhires (``data/countries10.rda``, an sf data frame with every Natural Earth column).
* **Lakes and rivers** — Natural Earth 1:10m *Lakes* and *Rivers + lake centerlines*, as converted
  to GeoJSON by martynafford/natural-earth-geojson (``10m/physical/*.7z``, Natural Earth 4.0.0;
  the newest release has no snapshot small enough to bring here). Natural Earth's regional
  supplement *lakes_north_america* covers the US and Canada only (nothing in Panama), so it is
  not used.

Processing (all in EPSG:4326 degrees):

1. *land*: the union of all country polygons, simplified to ``TOLERANCE`` (topology kept) and
   snapped to a ``1/SCALE``-degree grid (``shapely.set_precision``, which keeps it valid);
2. *borders*: the lines two countries share (intersection of their boundaries), merged,
   simplified and snapped the same way; they end on the coast, so no coastline is repeated;
3. *lakes*: every Natural Earth 1:10m lake and reservoir (Gatún Lake is ``Lago Gatun``),
   simplified and snapped, made valid, with their area rank;
4. *rivers*: ``featurecla == "River"`` lines (the Panama Canal is one) with their scalerank;
   lake centerlines are dropped as the lakes themselves are drawn;
5. *labels*: one row per country: Natural Earth's label point (``LABEL_X``/``LABEL_Y``), its
   ``LABELRANK`` and ``MIN_LABEL``, its area, and its name in each of Natural Earth's languages
   (``NAME_EN``, ``NAME_ES``, … falling back to ``NAME``; two English names fixed, see
   ``EN_NAMES``), in UTF-8;
6. *countries*: each country coarsely simplified (``COARSE_TOLERANCE``), used only to place a
   label on the visible part of a large country whose label point lies out of view.

Geometry goes to ``basemap.npz`` (integer coordinates in 1/SCALE degree, delta-encoded per
layer, with ring/part/polygon counts; zlib-compressed); labels and the provenance record go to
``basemap.json``.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "storymap" / "data"

#: Stored coordinates are integers in 1/SCALE degree (about 11 m).
SCALE = 10_000
#: Simplification of land, borders, lakes and rivers before storing (degrees, about 110 m: a
#: pixel and a half at zoom 11).
TOLERANCE = 0.001
#: Simplification of the countries kept only for label placement, the lowest label rank kept
#: and the smallest part kept (square degrees).
COARSE_TOLERANCE = 0.05
LABEL_RANK = 7
LABEL_PART_AREA = 0.25

COUNTRIES = "data/countries10.rda"
LAKES = "10m/physical/ne_10m_lakes.7z"
RIVERS = "10m/physical/ne_10m_rivers_lake_centerlines.7z"
NE_RELEASE = "release-versions/natural-earth-vector-latest.txt"

#: What was done, recorded in basemap.json (the module docstring says the same at length).
PROCESSING = (
    "land: union of all countries, simplified (topology kept) to tolerance_degrees, snapped to 1/scale degree",
    "borders: lines shared by two countries, merged, simplified and snapped likewise",
    "lakes: all lakes and reservoirs, simplified, snapped, made valid; scalerank kept",
    "rivers: featurecla River only, simplified and snapped; scalerank kept",
    "labels: LABEL_X/LABEL_Y, LABELRANK, MIN_LABEL, area (square degrees) and NAME_<lang> (NAME when empty) "
    "of every country; English names overridden by EN_NAMES",
    "countries: each country simplified to label_shape_tolerance_degrees, for placing labels of large countries",
)

#: Natural Earth's name columns, NAME_<code>, by the language code storymap uses.
LANGUAGES = ("ar", "bn", "de", "el", "en", "es", "fa", "fr", "he", "hi", "hu", "id", "it", "ja",
             "ko", "nl", "pl", "pt", "ru", "sv", "tr", "uk", "ur", "vi", "zh", "zht")


#: English names where Natural Earth's NAME_EN is not the one a map shows (NAME_EN of the
#: Spratly Islands is "Wake Island", a data error; China's is its formal name).
EN_NAMES = {"PGA": "Spratly Islands", "CHN": "China"}


# Reading sources ----------------------------------------------------------------------------

def _git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True).stdout


def read_source(repo: Path, path: str) -> bytes:
    """A file of ``repo``: from its work tree if checked out, else from its HEAD commit."""
    local = repo / path
    if local.is_file():
        return local.read_bytes()
    return _git(repo, "show", f"HEAD:{path}")


def provenance(repo: Path, path: str) -> dict[str, str]:
    commit = _git(repo, "rev-parse", "HEAD").decode().strip()
    last = _git(repo, "log", "-1", "--format=%H %cs %s", "--", path).decode().strip()
    return {"path": path, "commit": commit, "file_last_changed": last}


def _rda_frame(data: bytes, name: str):
    """The sf data frame ``name`` in an .rda file, as a pandas frame (geometry as nested lists)."""
    import rdata  # only this script needs it

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rdata has no constructors for sf's classes: fine, lists come back
        parsed = rdata.parser.parse_data(data)
        return rdata.conversion.convert(parsed)[name]


def _sfg_polygon(value: Any) -> shapely.Geometry:
    """An sf POLYGON (list of n×2 rings) or MULTIPOLYGON (list of those) as shapely."""
    if not len(value):
        return shapely.Polygon()
    if isinstance(value[0], np.ndarray):
        rings = [np.asarray(r, dtype=float)[:, :2] for r in value]
        return shapely.Polygon(rings[0], rings[1:])
    return shapely.MultiPolygon([_sfg_polygon(part) for part in value if len(part)])


def read_countries(repo: Path):
    import geopandas as gpd

    frame = _rda_frame(read_source(repo, COUNTRIES), "countries10")
    geoms = [shapely.make_valid(_sfg_polygon(g)) for g in frame["geometry"]]
    frame = frame.drop(columns=["geometry"])
    return gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")


def read_7z_geojson(repo: Path, path: str):
    import geopandas as gpd
    import py7zr  # only this script needs it

    with tempfile.TemporaryDirectory() as tmp:
        with py7zr.SevenZipFile(io.BytesIO(read_source(repo, path))) as archive:
            archive.extractall(path=tmp)
        (found,) = Path(tmp).glob("*.json")
        return gpd.read_file(found)


# Processing -------------------------------------------------------------------------------

def _snap(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    simple = shapely.simplify(geoms, tolerance, preserve_topology=True)
    return shapely.set_precision(simple, 1.0 / SCALE)


def _parts(geoms: np.ndarray, type_id: int) -> np.ndarray:
    """Single parts of ``type_id`` (1 line, 3 polygon) from any mix of geometries."""
    parts = np.asarray(geoms, dtype=object)
    while (shapely.get_type_id(parts) >= 4).any():
        parts = shapely.get_parts(parts)
    if type_id == 1:
        parts = parts[np.isin(shapely.get_type_id(parts), (1, 2))]
    else:
        parts = parts[shapely.get_type_id(parts) == type_id]
    return parts[~shapely.is_empty(parts)]


def make_land(countries) -> np.ndarray:
    land = shapely.union_all(np.asarray(countries.geometry.values, dtype=object), grid_size=None)
    land = _snap(np.array([land], dtype=object), TOLERANCE)
    polys = _parts(land, 3)
    return polys[shapely.area(polys) > 0]


def make_borders(countries) -> tuple[np.ndarray, np.ndarray]:
    """The lines two countries share, and for each the two countries (rows of ``countries``)."""
    geoms = np.asarray(countries.geometry.values, dtype=object)
    bounds = shapely.boundary(geoms)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    shared = shapely.line_merge(shapely.intersection(bounds[left], bounds[right]))
    shared = _snap(shared, TOLERANCE)
    lines, pair = shapely.get_parts(shared, return_index=True)
    while (shapely.get_type_id(lines) >= 4).any():
        lines, at = shapely.get_parts(lines, return_index=True)
        pair = pair[at]
    keep = np.isin(shapely.get_type_id(lines), (1, 2)) & (shapely.length(lines) > 0)
    return lines[keep], np.stack([left[pair[keep]], right[pair[keep]]], axis=1)


def make_lakes(lakes) -> tuple[np.ndarray, np.ndarray]:
    geoms = shapely.make_valid(np.asarray(lakes.geometry.values, dtype=object))
    out, rank = [], []
    for geom, scalerank in zip(_snap(geoms, TOLERANCE), lakes["scalerank"].to_numpy()):
        for part in _parts(np.array([shapely.make_valid(geom)], dtype=object), 3):
            if part.area > 0:
                out.append(part)
                rank.append(int(scalerank))
    return np.array(out, dtype=object), np.array(rank, dtype=np.int8)


def make_rivers(rivers) -> tuple[np.ndarray, np.ndarray]:
    rivers = rivers[rivers["featurecla"] == "River"]
    out, rank = [], []
    for geom, scalerank in zip(_snap(np.asarray(rivers.geometry.values, dtype=object), TOLERANCE),
                               rivers["scalerank"].to_numpy()):
        for part in _parts(np.array([geom], dtype=object), 1):
            if part.length > 0:
                out.append(part)
                rank.append(int(scalerank))
    return np.array(out, dtype=object), np.array(rank, dtype=np.int8)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value).strip()
    return "" if text in ("nan", "<NA>", "None") else text


def make_labels(countries) -> tuple[list[dict[str, Any]], np.ndarray, np.ndarray]:
    """Label rows sorted by rank then English name; each row's coarse country shape; and the row
    of each country of ``countries``."""
    rows, shapes = [], []
    for row, geom in zip(countries.itertuples(index=False), countries.geometry.values):
        fallback = _text(row.NAME)
        names = {lang: _text(getattr(row, f"NAME_{lang.upper()}")) or fallback for lang in LANGUAGES}
        code = _text(row.ADM0_A3)
        names["en"] = EN_NAMES.get(code, names["en"])
        rows.append({
            "id": code,
            "rank": int(row.LABELRANK),
            "min_zoom": round(float(row.MIN_LABEL), 1),
            "at": [round(float(row.LABEL_X), 4), round(float(row.LABEL_Y), 4)],
            "area": round(float(shapely.area(geom)), 6),
            "names": names,
        })
        shapes.append(geom)
    order = sorted(range(len(rows)), key=lambda i: (rows[i]["rank"], rows[i]["names"]["en"], rows[i]["id"]))
    coarse = shapely.simplify(np.asarray([shapes[i] if rows[i]["rank"] <= LABEL_RANK else shapely.Polygon()
                                          for i in order], dtype=object), COARSE_TOLERANCE, preserve_topology=True)
    coarse = shapely.set_precision(coarse, 0.01)
    row_of = np.empty(len(rows), dtype=np.int16)
    row_of[order] = np.arange(len(rows), dtype=np.int16)
    return [rows[i] for i in order], coarse, row_of


# Writing ----------------------------------------------------------------------------------

def _deltas(coords: np.ndarray) -> np.ndarray:
    q = np.rint(coords * SCALE).astype(np.int64)
    return np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).astype(np.int32)


def pack_polygons(polys: np.ndarray) -> dict[str, np.ndarray]:
    """Polygons as ``xy`` (delta-encoded, rings closed), ``rings`` (vertex counts), ``polys``
    (ring counts)."""
    rings, owner = shapely.get_rings(polys, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    return {"xy": _deltas(coords),
            "rings": np.bincount(ring_of, minlength=len(rings)).astype(np.int32),
            "polys": np.bincount(owner, minlength=len(polys)).astype(np.int32)}


def pack_lines(lines: np.ndarray) -> dict[str, np.ndarray]:
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    return {"xy": _deltas(coords), "parts": np.bincount(owner, minlength=len(lines)).astype(np.int32)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rnaturalearthhires", type=Path, help="clone of ropensci/rnaturalearthhires")
    parser.add_argument("natural_earth_geojson", type=Path, help="clone of martynafford/natural-earth-geojson")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    print("reading countries …", file=sys.stderr)
    countries = read_countries(args.rnaturalearthhires)
    release = read_source(args.rnaturalearthhires, NE_RELEASE).decode().strip()
    print(f"  {len(countries)} countries (Natural Earth {release})", file=sys.stderr)
    land = make_land(countries)
    print(f"  land: {len(land)} polygons, {shapely.get_num_coordinates(land).sum():,} vertices", file=sys.stderr)
    borders, pairs = make_borders(countries)
    print(f"  borders: {len(borders)} lines, {shapely.get_num_coordinates(borders).sum():,} vertices",
          file=sys.stderr)
    labels, label_shapes, row_of = make_labels(countries)

    print("reading lakes and rivers …", file=sys.stderr)
    lakes, lake_rank = make_lakes(read_7z_geojson(args.natural_earth_geojson, LAKES))
    print(f"  lakes: {len(lakes)} polygons, {shapely.get_num_coordinates(lakes).sum():,} vertices", file=sys.stderr)
    rivers, river_rank = make_rivers(read_7z_geojson(args.natural_earth_geojson, RIVERS))
    print(f"  rivers: {len(rivers)} lines, {shapely.get_num_coordinates(rivers).sum():,} vertices", file=sys.stderr)

    arrays: dict[str, np.ndarray] = {"scale": np.array(SCALE, dtype=np.int32)}
    for name, packed in (("land", pack_polygons(land)), ("lakes", pack_polygons(lakes)),
                         ("borders", pack_lines(borders)), ("rivers", pack_lines(rivers)),
                         ("countries", pack_polygons(_country_polygons(label_shapes)[0]))):
        arrays.update({f"{name}_{key}": value for key, value in packed.items()})
    arrays["countries_label"] = _country_polygons(label_shapes)[1]
    arrays["borders_pair"] = row_of[pairs]
    arrays["lakes_rank"] = lake_rank
    arrays["rivers_rank"] = river_rank

    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out / "basemap.npz", **arrays)
    record = {
        "about": "Embedded offline basemap for storymap; written by scripts/prepare_basemap.py.",
        "licence": "Natural Earth: public domain (naturalearthdata.com/about/terms-of-use). "
                   "Repackagings used: rnaturalearthhires (CC0), natural-earth-geojson (CC0).",
        "attribution": "Made with Natural Earth",
        "sources": {
            "countries": {
                "dataset": "Natural Earth 1:10m Cultural, Admin 0 - Countries (default edition: de facto boundaries)",
                "version": release,
                "repository": "https://github.com/ropensci/rnaturalearthhires",
                **provenance(args.rnaturalearthhires, COUNTRIES),
            },
            "lakes": {
                "dataset": "Natural Earth 1:10m Physical, Lakes + Reservoirs",
                "version": "4.0.0",
                "repository": "https://github.com/martynafford/natural-earth-geojson",
                **provenance(args.natural_earth_geojson, LAKES),
            },
            "rivers": {
                "dataset": "Natural Earth 1:10m Physical, Rivers + lake centerlines (featurecla River only)",
                "version": "4.0.0",
                "repository": "https://github.com/martynafford/natural-earth-geojson",
                **provenance(args.natural_earth_geojson, RIVERS),
            },
        },
        "processing": {
            "scale": SCALE,
            "tolerance_degrees": TOLERANCE,
            "label_shape_tolerance_degrees": COARSE_TOLERANCE,
            "steps": PROCESSING,
            "shapely": shapely.__version__,
            "geos": shapely.geos_version_string,
        },
        "languages": list(LANGUAGES),
        "labels": labels,
    }
    (args.out / "basemap.json").write_text(_json(record), encoding="utf-8")
    for name in ("basemap.npz", "basemap.json"):
        print(f"wrote {args.out / name} ({(args.out / name).stat().st_size:,} bytes)", file=sys.stderr)
    return 0


def _json(record: dict[str, Any]) -> str:
    """Readable and diffable: the header indented, then one label a line."""
    head = json.dumps({k: v for k, v in record.items() if k != "labels"}, ensure_ascii=False, indent=1)
    rows = ",\n".join(json.dumps(row, ensure_ascii=False, separators=(",", ":")) for row in record["labels"])
    return head[:-2] + ',\n "labels": [\n' + rows + "\n ]\n}\n"


def _country_polygons(shapes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Single polygons of each label row's coarse shape, and the row each belongs to."""
    parts, owner = shapely.get_parts(shapes, return_index=True)
    keep = (shapely.get_type_id(parts) == 3) & (shapely.area(parts) >= LABEL_PART_AREA)
    return parts[keep], owner[keep].astype(np.int32)


if __name__ == "__main__":
    sys.exit(main())
