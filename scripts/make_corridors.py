"""Regenerate the two sea corridors in geodata/places.geojson from named coastal waypoints.

`pacific-sea-corridor` and `caribbean-sea-corridor` are LineStrings whose coordinate order is the
direction of travel (northbound, from Colombia toward Costa Rica). They follow the coastal routes the
sources cited by each place describe: boats running along the coast and among the islands, where
seizures, landings and fuel or drug caches have been reported. Each vertex below is a waypoint placed
by hand off a named stretch of coast or island group, with the source key that puts boats there
(see the place's `sources` and geodata/RESEARCH.md, "Trafficking corridors"). The waypoints are
schematic: they are not vessel tracks and carry no more precision than "off this coast".

Coastline: Natural Earth 1:10m Admin 0 countries (public domain), read through the installed package
storymap's packaged Natural Earth data via ``storymap.basemap.natural_earth_land()``. Distances are
measured in UTM zone 17N (EPSG:32617), as in scripts/make_border_zones.py.

Every waypoint is checked before anything is written: it lies at sea (outside Natural Earth land),
between MIN_KM and MAX_KM from the nearest land, and no leg between two waypoints crosses land.

    python scripts/make_corridors.py           # check, then write the two geometries
    python scripts/make_corridors.py --check   # check only; exit 1 on a violation
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import LineString, Point

from storymap.basemap import natural_earth_land

PLACES = Path(__file__).resolve().parent.parent / "geodata" / "places.geojson"
MIN_KM = 1.0
MAX_KM = 25.0
PRECISION = 3  # decimal degrees, about 100 m: more would claim a precision the line does not have

# (longitude, latitude, where, source key). Source keys: UNODC = UNODC 2012 threat assessment, map 3;
# MINSEG = Ministerio de Seguridad Pública on the 2024 INCSR; others name the article in the place's
# sources (see RESEARCH.md). "coast" = no specific source: the leg keeps to the coast between two
# sourced stretches, as a boat running along the shore would.
PACIFIC = [
    (-77.60, 6.50, "off the Chocó coast of Colombia, south of Juradó", "El Colombiano (Juradó coast route)"),
    (-77.95, 7.15, "off Juradó, near the Colombia–Panama line", "El Colombiano; UNODC (Jurado)"),
    (-78.30, 7.55, "off Jaqué, Darién", "La Prensa (Jaqué)"),
    (-78.55, 8.00, "off Garachiné, Darién", "coast"),
    (-78.72, 8.18, "south-east of Isla del Rey, Pearl Islands", "La Prensa (Punta Coco); UNODC (Las Perlas)"),
    (-78.90, 8.20, "south of Isla del Rey", "La Prensa (Punta Coco)"),
    (-79.02, 8.33, "between Isla del Rey and Isla San José", "EFE/ABC (San José)"),
    (-79.05, 8.50, "by Pedro González", "La Estrella (Saboga, Pearl Islands corridor)"),
    (-79.10, 8.60, "by Saboga and Contadora", "La Estrella (Saboga)"),
    (-79.45, 8.72, "north Gulf of Panama, toward Taboga", "EFE/ABC (Isla Chepillo); coast"),
    (-79.80, 8.55, "off Punta Chame", "coast"),
    (-80.10, 8.35, "off Río Hato, Coclé", "coast"),
    (-80.30, 8.10, "Bahía de Parita", "coast"),
    (-80.20, 7.90, "off Chitré, Azuero", "coast"),
    (-80.02, 7.65, "off Las Tablas, Azuero", "coast"),
    (-79.95, 7.45, "off Punta Mala, Azuero", "La Prensa (Punta Mala)"),
    (-80.35, 7.25, "south coast of Azuero", "UNODC (Azuero peninsula)"),
    (-80.75, 7.15, "off Cerro Hoya", "UNODC (Cerro Hoya)"),
    (-80.95, 7.15, "off Mariato", "coast"),
    (-81.15, 7.43, "south of Isla Cébaco", "coast"),
    (-81.50, 7.52, "between Cébaco and Coiba", "La Prensa (Jicarón, Coiba group)"),
    (-81.62, 7.70, "north-east of Coiba", "La Prensa (Jicarón, Coiba group)"),
    (-81.85, 7.76, "north of Coiba", "coast"),
    (-82.10, 8.03, "Gulf of Chiriquí", "coast"),
    (-82.35, 8.02, "off Isla Parida, Chiriquí", "coast"),
    (-82.75, 8.15, "east side of the Burica peninsula", "coast"),
    (-82.87, 7.93, "off Punta Burica, on the Costa Rican line", "La Nación (Punta Burica)"),
    (-83.30, 8.30, "off the Osa peninsula, Costa Rica", "La Nación (Punta Burica corridor)"),
    (-83.80, 8.45, "north-west along Costa Rica's Pacific coast", "MINSEG (toward Central America)"),
]

CARIBBEAN = [
    (-76.79, 8.12, "Gulf of Urabá, off Turbo", "Crítica (Urabá shipments)"),
    (-76.95, 8.45, "Gulf of Urabá, west shore", "Crítica (Urabá shipments)"),
    (-77.30, 8.72, "off Capurganá and Cabo Tiburón", "coast"),
    (-77.45, 8.82, "off Puerto Obaldía, Guna Yala", "coast"),
    (-77.75, 9.00, "Guna Yala coast", "Connectas/La Estrella (Guna Yala route)"),
    (-78.00, 9.30, "off Ailigandí, Guna Yala", "Crítica (Ailigandí)"),
    (-78.35, 9.45, "Guna Yala coast", "Connectas/La Estrella (Guna Yala route)"),
    (-78.70, 9.58, "San Blas islands", "UNODC (San Blas)"),
    (-79.00, 9.65, "off El Porvenir", "UNODC (San Blas)"),
    (-79.30, 9.70, "off Isla Grande", "coast"),
    (-79.56, 9.72, "off Punta Manzanillo", "coast"),
    (-79.75, 9.60, "off Portobelo", "coast"),
    (-79.93, 9.45, "off Colón and the canal breakwater", "UNODC (Colón); La Prensa (Sherman, Colón)"),
    (-80.20, 9.30, "Costa Abajo de Colón", "coast"),
    (-80.55, 9.20, "off Río Coclé del Norte", "UNODC (Río Coclé del Norte)"),
    (-80.95, 9.00, "off Río Belén, Veraguas", "UNODC (Río Belén)"),
    (-81.25, 8.95, "Veraguas Caribbean coast", "coast"),
    (-81.50, 9.15, "by Isla Escudo de Veraguas", "UNODC (Isla Escudo de Veraguas)"),
    (-81.85, 9.25, "off the Chiriquí lagoon", "coast"),
    (-82.05, 9.33, "north-east of Isla Bastimentos, Bocas del Toro", "InSight Crime 2020 (Bocas del Toro)"),
    (-82.17, 9.38, "north of Isla Bastimentos", "InSight Crime 2020 (Bocas del Toro)"),
    (-82.26, 9.47, "north of Isla Colón", "InSight Crime 2020; UNODC (Bocas del Toro)"),
    (-82.50, 9.62, "off the Sixaola river mouth, Costa Rican line", "coast"),
    (-82.65, 9.75, "off Costa Rica's Caribbean coast", "InSight Crime 2020 (Caribbean routes)"),
]

CORRIDORS = {"pacific-sea-corridor": PACIFIC, "caribbean-sea-corridor": CARIBBEAN}


def land_utm() -> shapely.Geometry:
    """Natural Earth land around Panama, in UTM 17N metres."""
    world = natural_earth_land()
    box = shapely.box(-85.0, 5.0, -75.0, 11.0)
    near = world[world.intersects(box)].clip(box)
    return shapely.union_all(list(near.to_crs("EPSG:32617").geometry))


def problems(name: str, waypoints: list[tuple], land: shapely.Geometry) -> list[str]:
    pts = list(gpd.GeoSeries([Point(w[0], w[1]) for w in waypoints], crs="EPSG:4326").to_crs("EPSG:32617"))
    out = []
    for (lon, lat, where, _src), p in zip(waypoints, pts):
        km = p.distance(land) / 1000
        if land.contains(p):
            out.append(f"{name}: ({lon}, {lat}) {where} lies on land")
        elif not MIN_KM <= km <= MAX_KM:
            out.append(f"{name}: ({lon}, {lat}) {where} is {km:.1f} km from land (allowed {MIN_KM}–{MAX_KM})")
    for a, b, wa, wb in zip(pts, pts[1:], waypoints, waypoints[1:]):
        crossed = LineString([a, b]).intersection(land).length / 1000
        if crossed > 0:
            out.append(f"{name}: the leg {wa[2]} → {wb[2]} crosses {crossed:.1f} km of land")
    return out


def main(argv: list[str]) -> int:
    land = land_utm()
    found = [msg for name, wps in CORRIDORS.items() for msg in problems(name, wps, land)]
    for msg in found:
        print(msg, file=sys.stderr)
    if found or "--check" in argv:
        return 1 if found else 0
    doc = json.loads(PLACES.read_text("utf-8"))
    for feature in doc["features"]:
        wps = CORRIDORS.get(feature.get("id"))
        if wps is not None:
            coords = [[round(lon, PRECISION), round(lat, PRECISION)] for lon, lat, *_ in wps]
            feature["geometry"] = {"type": "LineString", "coordinates": coords}
    PLACES.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
