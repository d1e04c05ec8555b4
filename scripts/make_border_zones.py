"""Regenerate the border-zone polygons in geodata/places.geojson from Natural Earth.

A border zone is drawn as a schematic band: Panamanian territory within BAND_KM of the border
with a neighbour (the land boundary shared by the two Natural Earth 1:10m country polygons).
It is not an official boundary; the annotation of each zone says so.

    python scripts/make_border_zones.py /path/to/rnaturalearthhires

The countries are read as scripts/prepare_basemap.py reads them (Natural Earth's default
edition, from a clone of ropensci/rnaturalearthhires).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import mapping

from prepare_basemap import read_countries  # scripts/ is on sys.path when run as a script

PLACES = Path(__file__).resolve().parent.parent / "geodata" / "places.geojson"
BAND_KM = 30
ZONES = {"darien-border-zone": "Colombia", "costa-rica-border-zone": "Costa Rica"}


def band(world: gpd.GeoDataFrame, country: str, neighbour: str, km: float) -> dict:
    home = world.loc[world["name"] == country].geometry.union_all()
    other = world.loc[world["name"] == neighbour].geometry.union_all()
    border = home.boundary.intersection(other.buffer(50))  # the shared land boundary
    zone = home.intersection(border.buffer(km * 1000)).simplify(500)
    geo = gpd.GeoSeries([zone], crs="EPSG:32617").to_crs("EPSG:4326").iloc[0]
    geo = shapely.set_precision(geo, 0.0001)
    if geo.geom_type == "MultiPolygon":  # keep the mainland band, drop stray islets
        geo = max(geo.geoms, key=lambda g: g.area)
    return json.loads(json.dumps(mapping(shapely.geometry.polygon.orient(geo, 1.0))))


def main() -> None:
    countries = read_countries(Path(sys.argv[1])).rename(columns={"NAME_EN": "name"})
    world = countries.to_crs("EPSG:32617")  # UTM 17N: metres across Panama
    doc = json.loads(PLACES.read_text("utf-8"))
    for feature in doc["features"]:
        if feature.get("id") in ZONES:
            feature["geometry"] = band(world, "Panama", ZONES[feature["id"]], BAND_KM)
            feature["properties"]["band_width_km"] = BAND_KM
    PLACES.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
