"""The Panama story's facts and corridor geometry, checked as data (issue 14).

Reads geodata/ with plain json/tomllib (not the library's model) so these checks stay valid while the
model changes. Coastlines come from Natural Earth 1:10m through storymap.basemap.natural_earth_land().
Reference points for named coasts and islands are published coordinates (GeoNames, Wikipedia), listed below.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path
from urllib.parse import urlparse

import pytest

GEODATA = Path(__file__).resolve().parent.parent / "geodata"


@pytest.fixture(scope="module")
def places() -> dict[str, dict]:
    doc = json.loads((GEODATA / "places.geojson").read_text("utf-8"))
    return {f["id"]: f for f in doc["features"]}


@pytest.fixture(scope="module")
def steps() -> dict[str, dict]:
    story = tomllib.loads((GEODATA / "story.toml").read_text("utf-8"))
    return {s["id"]: s for s in story["steps"]}


def ann(places, pid: str) -> str:
    return places[pid]["properties"]["annotation"]


# --- geodesy (spherical; plenty for 0.1 km and 1° checks at these distances) ----------------------------

R_KM = 6371.0088


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lon1, lat1), (lon2, lat2) = (map(math.radians, a)), (map(math.radians, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * R_KM * math.asin(math.sqrt(h))


def bearing_deg(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lon1, lat1), (lon2, lat2) = (map(math.radians, a)), (map(math.radians, b))
    y = math.sin(lon2 - lon1) * math.cos(lat2)
    x = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    return math.degrees(math.atan2(y, x)) % 360


COMPASS = {"north": 0, "north-north-east": 22.5, "north-east": 45, "east-north-east": 67.5, "east": 90,
           "east-south-east": 112.5, "south-east": 135, "south-south-east": 157.5, "south": 180,
           "south-south-west": 202.5, "south-west": 225, "west-south-west": 247.5, "west": 270,
           "west-north-west": 292.5, "north-west": 315, "north-north-west": 337.5}


def angle_between(a: float, b: float) -> float:
    return abs((a - b + 180) % 360 - 180)


def test_geodesy_helpers_agree_with_known_values():
    # One degree of latitude is ~111.2 km; due east on the equator is 90°.
    assert distance_km((0, 0), (0, 1)) == pytest.approx(111.2, abs=0.1)
    assert bearing_deg((0, 0), (1, 0)) == pytest.approx(90)
    assert bearing_deg((0, 0), (0, -1)) == pytest.approx(180)


# --- the fact fixes -------------------------------------------------------------------------------------


def test_socsouth_left_panama_in_1999(places):
    text = ann(places, "socsouth-hq")
    assert "1999" in text and "1997" not in text
    assert "Roosevelt Roads" in text and "2004" in text
    urls = [s["url"] for s in places["socsouth-hq"]["properties"]["sources"]]
    assert any("defense.gov/Releases" in u for u in urls), "the 1999 DoD release is cited"


def test_overview_bearing_from_homestead_to_the_canal_is_south(places, steps):
    hq = tuple(places["socsouth-hq"]["geometry"]["coordinates"])
    canal = places["panama-canal"]["geometry"]["coordinates"]
    for end in (canal[0], canal[-1]):
        assert 170 <= bearing_deg(hq, tuple(end)) <= 186
    narrative = steps["overview"]["narrative"]
    assert re.search(r"to the south\b(?!-)", narrative)
    assert "south-south-west" not in narrative and "south-west" not in narrative
    stated = float(re.search(r"([\d,]+) km to the south", narrative).group(1).replace(",", ""))
    mid = canal[len(canal) // 2]
    assert distance_km(hq, tuple(mid)) == pytest.approx(stated, rel=0.05)


def test_port_of_balboa_ranks_by_a_sourced_year(places):
    text = ann(places, "port-of-balboa")
    assert "busiest" not in text
    assert "2024" in text and "Manzanillo International Terminal" in text
    urls = [s["url"] for s in places["port-of-balboa"]["properties"]["sources"]]
    assert any("prensa.com" in u and "2024" in u for u in urls)


@pytest.mark.parametrize("pid", ["port-of-balboa", "port-of-cristobal"])
def test_ports_say_why_the_hutchison_concession_is_past(places, pid):
    props = places[pid]["properties"]
    assert "Supreme Court" in props["annotation"] and "2026" in props["annotation"]
    assert props["period"].endswith("2026")
    assert "2026" in " ".join(s["title"] for s in props["sources"])


def test_belt_and_road_step_dates_the_concession_annulment(steps):
    narrative = steps["belt-and-road"]["narrative"]
    assert "Supreme Court" in narrative and "2026" in narrative


def test_colon_container_port_belt_and_road_is_attributed(places):
    props = places["panama-colon-container-port"]["properties"]
    assert "promoted as part of the Belt and Road" not in props["annotation"]
    assert "Global Construction Review" in props["annotation"]
    assert any("globalconstructionreview.com" in s["url"] for s in props["sources"])


def test_darien_land_corridor_drops_the_unsourced_patrol_claim(places):
    text = ann(places, "darien-land-corridor")
    assert "patrols most directly" not in text
    assert any("metrolibre.com" in s["url"] for s in places["darien-land-corridor"]["properties"]["sources"])


def test_canal_and_jcet_steps_do_not_overstate_the_article(steps):
    assert "first item" not in steps["the-canal"]["narrative"]
    jcet = steps["jcet-training"]["narrative"]
    assert "format dates back to the 1970s" not in jcet
    sentence = next(s for s in re.split(r"(?<=[.!?])\s+", jcet) if "1970s" in s)
    assert "JCETs improve interoperability" in sentence  # what the article says the 1970s experience shows


@pytest.mark.parametrize(("pid", "reference"), [("agua-clara-locks", "gatun-locks"),
                                                 ("cocoli-locks", "miraflores-locks")])
def test_lock_offsets_in_annotations_match_positions(places, pid, reference):
    text = ann(places, pid)
    m = re.search(r"about ([\d.]+) km ([a-z-]+) of the", text)
    assert m, "the annotation states the marker's offset"
    stated_km, direction = float(m.group(1)), m.group(2)
    here = tuple(places[pid]["geometry"]["coordinates"])
    there = tuple(places[reference]["geometry"]["coordinates"])
    assert distance_km(there, here) == pytest.approx(stated_km, abs=0.15)
    assert angle_between(bearing_deg(there, here), COMPASS[direction]) <= 11.25


# --- sources ------------------------------------------------------------------------------------------

MIRRORS = ("findatwiki", "wonilvalve", "piglix", "wikimili", "knowpia", "domilabs", "blogspot",
           "raytodd.blog", "issuu.com", "lostandfoundhostel", "fandom.com", "wikipedia.ddns",
           "liu233w", "puertorico-herald")


def test_every_place_cites_https_sources(places):
    for pid, feature in places.items():
        sources = feature["properties"]["sources"]
        assert sources, pid
        for s in sources:
            assert s["title"].strip(), pid
            assert urlparse(s["url"]).scheme == "https" and urlparse(s["url"]).netloc, (pid, s["url"])


def test_no_mirrors_proxies_or_copy_blogs_among_sources(places):
    for pid, feature in places.items():
        for s in feature["properties"]["sources"]:
            assert not any(m in s["url"] for m in MIRRORS), (pid, s["url"])


# --- corridors ----------------------------------------------------------------------------------------

# Published reference positions (lon, lat).
PEARL_ISLANDS = (-78.90455, 8.47812)  # GeoNames 12175813, Archipiélago de Las Perlas
SABOGA = (-79.06319, 8.62379)  # GeoNames 3701676, Isla Saboga (Pearl Islands)
COIBA = (-81.7833, 7.4833)  # Wikipedia "Coiba", 7°29′N 81°47′W
SAN_BLAS = (-78.67524, 9.48408)  # GeoNames 3701539, Archipiélago de San Blas (Guna Yala)
BOCAS_DEL_TORO = (-82.23333, 9.33333)  # GeoNames 11525714, port of Bocas del Toro (Isla Colón)
TURBO = (-76.73167, 8.09806)  # Wikipedia "Turbo (Kolumbien)", on the Gulf of Urabá


@pytest.fixture(scope="module")
def geo():
    """Natural Earth land near Panama and a projection to UTM 17N metres."""
    gpd = pytest.importorskip("geopandas")
    shapely = pytest.importorskip("shapely")
    from storymap.basemap import natural_earth_land

    world = natural_earth_land()
    box = shapely.box(-85.0, 5.0, -75.0, 11.0)
    world = world[world.intersects(box)].clip(box).to_crs("EPSG:32617")
    land = shapely.union_all(list(world.geometry))
    panama = land  # its parts: the mainland and each island

    def utm(geom):
        return gpd.GeoSeries([geom], crs="EPSG:4326").to_crs("EPSG:32617").iloc[0]

    return {"land": land, "panama": panama, "utm": utm, "shapely": shapely}


def line_utm(places, pid, geo):
    from shapely.geometry import LineString

    return geo["utm"](LineString(places[pid]["geometry"]["coordinates"]))


def km_to_point(places, pid, geo, lonlat) -> float:
    from shapely.geometry import Point

    return line_utm(places, pid, geo).distance(geo["utm"](Point(lonlat))) / 1000


def panama_part_near(geo, lonlat):
    """The Natural Earth Panama polygon (island or mainland) nearest a published point."""
    from shapely.geometry import Point

    p = geo["utm"](Point(lonlat))
    return min(geo["panama"].geoms, key=lambda g: g.distance(p))


@pytest.mark.parametrize("pid", ["pacific-sea-corridor", "caribbean-sea-corridor"])
def test_sea_corridor_runs_northbound_and_west(places, pid):
    coords = places[pid]["geometry"]["coordinates"]
    assert places[pid]["geometry"]["type"] == "LineString"
    assert places[pid]["properties"]["direction"] == "northbound"
    assert coords[-1][1] > coords[0][1] + 0.5  # ends well north of where it starts
    assert coords[-1][0] < coords[0][0] - 4  # ... and far to the west, off Costa Rica


@pytest.mark.parametrize("pid", ["pacific-sea-corridor", "caribbean-sea-corridor"])
def test_sea_corridor_vertices_lie_at_sea_near_the_coast(places, geo, pid):
    from shapely.geometry import Point

    for lon, lat in places[pid]["geometry"]["coordinates"]:
        p = geo["utm"](Point(lon, lat))
        assert not geo["land"].contains(p), (pid, lon, lat)
        assert 1 <= p.distance(geo["land"]) / 1000 <= 25, (pid, lon, lat)


@pytest.mark.parametrize("pid", ["pacific-sea-corridor", "caribbean-sea-corridor"])
def test_sea_corridor_never_crosses_land(places, geo, pid):
    assert line_utm(places, pid, geo).intersection(geo["land"]).length == 0


def test_pacific_corridor_passes_the_places_its_annotation_names(places, geo):
    pid = "pacific-sea-corridor"
    line = line_utm(places, pid, geo)
    # Among the Pearl Islands: within 5 km of the Natural Earth islands and of Saboga.
    assert line.distance(panama_part_near(geo, PEARL_ISLANDS)) / 1000 <= 5
    assert km_to_point(places, pid, geo, SABOGA) <= 6
    assert km_to_point(places, pid, geo, PEARL_ISLANDS) <= 20  # the archipelago centre, on Isla del Rey
    # Coiba: within 10 km of the island polygon that holds Wikipedia's point.
    assert line.distance(panama_part_near(geo, COIBA)) / 1000 <= 10
    # The Azuero peninsula: the mainland coast south of 7.6° N between 80.9° W and 79.9° W.
    shapely = geo["shapely"]
    azuero = geo["panama"].intersection(geo["utm"](shapely.box(-80.9, 7.0, -79.9, 7.6)))
    assert not azuero.is_empty and line.distance(azuero) / 1000 <= 10
    # Starts off Colombia's Pacific coast, ends off Costa Rica's.
    start, end = places[pid]["geometry"]["coordinates"][0], places[pid]["geometry"]["coordinates"][-1]
    assert 5.5 < start[1] < 7.2 and start[0] > -78.2
    assert end[0] < -83.0


def test_caribbean_corridor_passes_the_places_its_annotation_names(places, geo):
    pid = "caribbean-sea-corridor"
    assert km_to_point(places, pid, geo, TURBO) <= 10  # starts in the Gulf of Urabá
    assert km_to_point(places, pid, geo, SAN_BLAS) <= 15  # the Guna Yala islands
    cristobal = tuple(places["port-of-cristobal"]["geometry"]["coordinates"])
    assert km_to_point(places, pid, geo, cristobal) <= 15  # Colón
    assert km_to_point(places, pid, geo, BOCAS_DEL_TORO) <= 15
    line = line_utm(places, pid, geo)
    assert line.distance(panama_part_near(geo, BOCAS_DEL_TORO)) / 1000 <= 5  # Isla Colón itself
    # Follows the Guna Yala coast: every vertex between 77.5° W and 79° W is within 15 km of Panama.
    from shapely.geometry import Point

    guna = [c for c in places[pid]["geometry"]["coordinates"] if -79.0 <= c[0] <= -77.5]
    assert len(guna) >= 4
    for lon, lat in guna:
        assert geo["utm"](Point(lon, lat)).distance(geo["panama"]) / 1000 <= 15


@pytest.mark.parametrize("pid", ["pacific-sea-corridor", "caribbean-sea-corridor"])
def test_corridor_annotations_name_what_the_line_passes(places, pid):
    text = ann(places, pid)
    names = {"pacific-sea-corridor": ["Chocó", "Darién", "Pearl Islands", "Gulf of Panama", "Azuero", "Coiba",
                                      "Costa Rica"],
             "caribbean-sea-corridor": ["Urabá", "Guna Yala", "Colón", "Bocas del Toro", "Costa Rica"]}[pid]
    for name in names:
        assert name in text, name
    assert "schematic" in text
    assert "far offshore for legibility" not in text and "well offshore" not in text


# --- the Spanish edition (geodata/story.es.toml) ----------------------------------------------------------


@pytest.fixture(scope="module")
def spanish() -> dict:
    return tomllib.loads((GEODATA / "story.es.toml").read_text("utf-8"))


STORY_KINDS = ["canal", "lock", "border-zone", "corridor", "site", "port", "headquarters", "exercise-area"]


def test_spanish_edition_has_every_text(spanish, steps, places):
    for key in ("title", "subtitle", "byline"):
        assert spanish[key].strip()
    assert spanish["kicker"] == "Mapa narrativo"
    assert set(spanish["steps"]) == set(steps)
    for sid, texts in spanish["steps"].items():
        assert {"title", "narrative", "description"} <= set(texts), sid
    assert set(spanish["places"]) == set(places)
    for pid, texts in spanish["places"].items():
        assert texts["annotation"].strip(), pid
    used = {f["properties"]["kind"] for f in places.values()}
    assert used == set(STORY_KINDS)
    for kind in STORY_KINDS:
        assert spanish["kinds"][kind]["label"].strip(), kind


def test_spanish_keeps_the_markdown_emphasis(spanish, steps, places):
    for sid, step in steps.items():
        assert spanish["steps"][sid]["narrative"].count("**") == step["narrative"].count("**"), sid
    for pid, feature in places.items():
        english = feature["properties"]["annotation"]
        assert spanish["places"][pid]["annotation"].count("**") == english.count("**"), pid


def test_spanish_carries_the_fact_fixes(spanish):
    socsouth = spanish["places"]["socsouth-hq"]["annotation"]
    assert "1999" in socsouth and "1997" not in socsouth
    overview = spanish["steps"]["overview"]["narrative"]
    assert "1,800 km al sur " in overview and "suroeste" not in overview
    assert "1.5 km al este-sureste" in spanish["places"]["agua-clara-locks"]["annotation"]
    assert "1.9 km al suroeste" in spanish["places"]["cocoli-locks"]["annotation"]
    for pid in ("port-of-balboa", "port-of-cristobal"):
        assert "Corte Suprema de Justicia" in spanish["places"][pid]["annotation"]
        assert "2026" in spanish["places"][pid]["annotation"]
    assert "más concurrido" not in spanish["places"]["port-of-balboa"]["annotation"]


def test_spanish_uses_official_institution_names(spanish):
    text = json.dumps(spanish, ensure_ascii=False)
    for name in ("Servicio Nacional de Fronteras", "Servicio Nacional Aeronaval", "Policía Nacional",
                 "Ministerio de Seguridad Pública", "Comando Sur de los Estados Unidos",
                 "Comando de Operaciones Especiales del Sur", "Autoridad Marítima de Panamá",
                 "Corte Suprema de Justicia", "Canal de Panamá"):
        assert name in text, name
    for english in ("National Border Service", "Southern Command", "National Police", "Supreme Court"):
        assert english not in text, english
