"""Draw the Panama Canal's profile (a side view of its water levels) as an SVG for the Panama story.

    python scripts/make_canal_profile.py            # writes geodata/media/canal-profile.svg

Distances along the canal are measured on the story's own `panama-canal` line in
geodata/places.geojson (its vertices are the published channel navigation points, see
geodata/RESEARCH.md), so the figure and the map agree: the line measures about 82 km from the
Atlantic to the Pacific entrance, the canal's published length.

Heights and steps (every number below, with its source):

- Gatún Locks raise ships 26 m in three steps (three chambers) to Gatún Lake.
  "Panama Canal: Gatun Locks", Port Economics, Management and Policy,
  https://porteconomicsmanagement.org/pemp/contents/part1/interoceanic-passages/panama-canal-gatun-locks/
- Gatún Lake lies 26 m (85 ft) above sea level.
  "Gatun Lake" (Wikipedia mirror), https://wiki.av1.space/content/wikipedia_en_all_mini_2025-06/Lake_Gat%C3%BAn
- Pedro Miguel Locks: one step of 9.5 m (one chamber).
  "Pedro Miguel Locks Construction", La Estrella de Panamá,
  https://www.laestrella.com.pa/nacional/140828/pedro-locks-miguel-construction
- Miraflores Locks: two steps, 16.5 m in all, from Miraflores Lake to the Pacific; with the
  Pacific's tides the lift varies from 13.1 m to 19.7 m.
  "Construction of Miraflores Locks", La Estrella de Panamá,
  https://www.laestrella.com.pa/nacional/140828/of-locks-miraflores-construction
- The Culebra (Gaillard) Cut runs 12.6 km from the Chagres arm of Gatún Lake to Pedro Miguel,
  through the continental divide.
  "Miraflores (Panama)" and its Panama Canal route table (Wikipedia, 2020 copy),
  https://kiwix.casplantje.nl/wikipedia_en_all_maxi_2020-06/A/Miraflores_(Panama)
  "Panama Canal: Culebra (Gaillard) Cut", http://tm01001.blogspot.com/2015/04/panama-canal-culebra-gaillard-cut.html

The lock staircases are drawn wider than to scale (a lock flight is 1–2 km long) so their steps
show; the figure says so. The drawing is plain SVG (no script, no external reference), which
storymap checks and inlines like any other image.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent.parent
PLACES = HERE / "geodata" / "places.geojson"
MEDIA = HERE / "geodata" / "media"
#: The figure's words in each language of the story (the Spanish one for geodata/story.es.toml).
WORDS = {
    "en": {"cut": "Culebra Cut", "locks": "Gatún Locks", "lift": "+{m:g} m in 3 steps", "lake": "Gatún Lake",
           "lake_height": "{m:g} m above sea level", "pm": ("Pedro Miguel", "−{m:g} m, 1 step"),
           "mf": ("Miraflores", "−{m:g} m, 2 steps"), "caribbean": "Caribbean", "pacific": "Pacific",
           "tides": "tides ±3.3 m",
           "axis": "Distance from the Caribbean entrance (km). Locks drawn wider than to scale.",
           "title": "Profile of the Panama Canal",
           "desc": ("Side view of the canal's water levels over its {total:.0f} km: Gatún Locks raise ships {lake:g} m "
                    "in three steps to Gatún Lake; after the {cut:g}-km Culebra Cut, Pedro Miguel Locks lower them "
                    "{pm:g} m to Miraflores Lake and Miraflores Locks {mf:g} m in two steps to the Pacific.")},
    "es": {"cut": "Corte Culebra", "locks": "Esclusas de Gatún", "lift": "+{m:g} m en 3 escalones", "lake": "Lago Gatún",
           "lake_height": "{m:g} m s. n. m.", "pm": ("Pedro Miguel", "−{m:g} m, 1 escalón"),
           "mf": ("Miraflores", "−{m:g} m, 2 escalones"), "caribbean": "Caribe", "pacific": "Pacífico",
           "tides": "mareas de ±3.3 m",
           "axis": "Distancia desde la entrada del Caribe (km). Esclusas más anchas que a escala.",
           "title": "Perfil del Canal de Panamá",
           "desc": ("Vista lateral de los niveles de agua del canal a lo largo de sus {total:.0f} km: las Esclusas de "
                    "Gatún elevan los buques {lake:g} m en tres escalones hasta el lago Gatún; tras los {cut:g} km del "
                    "Corte Culebra, las Esclusas de Pedro Miguel los bajan {pm:g} m al lago Miraflores y las de "
                    "Miraflores {mf:g} m en dos escalones hasta el Pacífico.")},
}


def out_path(lang: str) -> Path:
    return MEDIA / ("canal-profile.svg" if lang == "en" else f"canal-profile.{lang}.svg")

GATUN_LAKE_M = 26.0          # Gatún Lake above sea level; the Gatún lift (three steps)
PEDRO_MIGUEL_STEP_M = 9.5    # one step
MIRAFLORES_LIFT_M = 16.5     # two steps; Miraflores Lake above sea level
MIRAFLORES_TIDE_M = (13.1, 19.7)  # the Miraflores lift with the Pacific's tides
CULEBRA_CUT_KM = 12.6

# Vertices of the `panama-canal` line (its navigation points) where things are.
ATLANTIC_ENTRANCE = (-79.91863, 9.38743)
GATUN_LOCKS = (-79.92266, 9.27215)
PEDRO_MIGUEL_LOCKS = (-79.61281, 9.01698)
MIRAFLORES_LOCKS = (-79.59182, 8.99679)
PACIFIC_ENTRANCE = (-79.52145, 8.88846)


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    radius = 6371.0088
    p1, p2 = math.radians(a[1]), math.radians(b[1])
    dp, dl = p2 - p1, math.radians(b[0] - a[0])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(h))


def distances_km() -> dict[tuple[float, float], float]:
    """Distance along the canal line from the Atlantic entrance to each of its vertices."""
    features = json.loads(PLACES.read_text("utf-8"))["features"]
    line = next(f for f in features if f["id"] == "panama-canal")["geometry"]["coordinates"]
    line = [tuple(p) for p in line]
    start = line.index(ATLANTIC_ENTRANCE)
    out, total = {}, 0.0
    for i in range(start, len(line)):
        if i > start:
            total += haversine_km(line[i - 1], line[i])
        out[line[i]] = total
    return out


# Drawing -----------------------------------------------------------------------------------------

W, H = 400, 236
LEFT, RIGHT, TOP, SEA_Y = 30, 388, 38, 164
M_PX = (SEA_Y - TOP - 24) / GATUN_LAKE_M   # px per metre
STEP_PX = 7                                # drawn width of one lock chamber
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
INK, MUTED, WATER, WATER_LINE, GRID = "#1d232a", "#4a5560", "#c9dde8", "#0b5394", "#d5dbe0"


def build(lang: str = "en") -> str:
    w = WORDS[lang]
    km = distances_km()
    total = km[PACIFIC_ENTRANCE]
    gatun, pedro, mira = km[GATUN_LOCKS], km[PEDRO_MIGUEL_LOCKS], km[MIRAFLORES_LOCKS]

    def x(d: float) -> float:
        return LEFT + (RIGHT - LEFT) * d / total

    def y(m: float) -> float:
        return SEA_Y - m * M_PX

    # The water surface, Caribbean → Pacific: each lock a staircase centred on its position.
    pts: list[tuple[float, float]] = [(x(0), y(0))]

    def stairs(at_km: float, start_m: float, steps: list[float]) -> None:
        x0 = x(at_km) - STEP_PX * len(steps) / 2
        level = start_m
        pts.append((x0, y(level)))
        for i, change in enumerate(steps):
            level += change
            pts.append((x0 + STEP_PX * i, y(level)))
            pts.append((x0 + STEP_PX * (i + 1), y(level)))

    stairs(gatun, 0.0, [GATUN_LAKE_M / 3] * 3)
    stairs(pedro, GATUN_LAKE_M, [-PEDRO_MIGUEL_STEP_M])
    stairs(mira, MIRAFLORES_LIFT_M, [-MIRAFLORES_LIFT_M / 2] * 2)
    pts.append((x(total), y(0)))
    bottom = SEA_Y + 22
    surface = " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
    water = f"{LEFT:.1f},{bottom} {surface} {RIGHT:.1f},{bottom}"

    out: list[str] = []

    def text(px: float, py: float, label: str, *, size: int = 12, anchor: str = "start", weight: str = "normal",
             fill: str = INK) -> None:
        out.append(f'<text x="{px:.1f}" y="{py:.1f}" font-size="{size}" text-anchor="{anchor}" '
                   f'font-weight="{weight}" fill="{fill}">{escape(label)}</text>')

    out.append(f'<rect width="{W}" height="{H}" fill="#ffffff"/>')
    # Grid: sea level and every 10 m.
    for m in (10, 20):
        out.append(f'<line x1="{LEFT}" y1="{y(m):.1f}" x2="{RIGHT}" y2="{y(m):.1f}" stroke="{GRID}" '
                   'stroke-dasharray="2 3"/>')
        text(LEFT - 4, y(m) + 4, f"{m} m", size=10, anchor="end", fill=MUTED)
    text(LEFT - 4, y(0) + 4, "0 m", size=10, anchor="end", fill=MUTED)
    out.append(f'<polygon points="{water}" fill="{WATER}"/>')
    out.append(f'<polyline points="{surface}" fill="none" stroke="{WATER_LINE}" stroke-width="2.5" '
               'stroke-linejoin="round"/>')
    out.append(f'<line x1="{LEFT}" y1="{SEA_Y}" x2="{RIGHT}" y2="{SEA_Y}" stroke="{MUTED}" stroke-width="0.8" '
               'stroke-dasharray="4 3"/>')
    # The Pacific's tides: the band the sea level moves in at Miraflores.
    low, high = MIRAFLORES_LIFT_M - MIRAFLORES_TIDE_M[1], MIRAFLORES_LIFT_M - MIRAFLORES_TIDE_M[0]
    x_tide = x(mira) + STEP_PX
    out.append(f'<rect x="{x_tide:.1f}" y="{y(high):.1f}" width="{RIGHT - x_tide:.1f}" '
               f'height="{y(low) - y(high):.1f}" fill="{WATER_LINE}" fill-opacity="0.22"/>')

    # The Culebra Cut: a bracket under the lake's surface, over the stretch through the divide.
    cut0, cut1 = x(pedro - CULEBRA_CUT_KM), x(pedro) - STEP_PX / 2
    yb = y(GATUN_LAKE_M) + 8
    out.append(f'<path d="M{cut0:.1f},{yb - 4:.1f} V{yb:.1f} H{cut1:.1f} V{yb - 4:.1f}" fill="none" '
               f'stroke="{INK}" stroke-width="1"/>')
    text((cut0 + cut1) / 2 - 8, yb + 14, w["cut"], size=11, anchor="middle", weight="bold")
    text((cut0 + cut1) / 2 - 8, yb + 27, f"{CULEBRA_CUT_KM:g} km", size=10, anchor="middle", fill=MUTED)

    # Labels.
    lake = (x(gatun) + STEP_PX * 2 + cut0) / 2
    text(x(gatun) - 14, y(GATUN_LAKE_M) - 22, w["locks"], weight="bold")
    text(x(gatun) - 14, y(GATUN_LAKE_M) - 8, w["lift"].format(m=GATUN_LAKE_M), size=11, fill=MUTED)
    text(lake, y(GATUN_LAKE_M) + 22, w["lake"], anchor="middle", weight="bold")
    text(lake, y(GATUN_LAKE_M) + 36, w["lake_height"].format(m=GATUN_LAKE_M), size=11, anchor="middle", fill=MUTED)
    for row, (name, detail) in enumerate(((w["pm"][0], w["pm"][1].format(m=PEDRO_MIGUEL_STEP_M)),
                                          (w["mf"][0], w["mf"][1].format(m=MIRAFLORES_LIFT_M)))):
        out.append(f'<text x="{RIGHT}" y="{y(GATUN_LAKE_M) - 22 + 14 * row:.1f}" font-size="11" text-anchor="end" '
                   f'fill="{MUTED}"><tspan font-weight="bold" fill="{INK}">{escape(name)}</tspan> '
                   f'{escape(detail)}</text>')
    text(x(0) + 2, SEA_Y - 6, w["caribbean"], size=11, weight="bold")
    out.append(f'<text x="{RIGHT}" y="{SEA_Y + 17}" font-size="11" text-anchor="end" fill="{MUTED}">'
               f'<tspan font-weight="bold" fill="{INK}">{escape(w["pacific"])}</tspan> {escape(w["tides"])}</text>')

    # Distance axis.
    axis = bottom + 8
    out.append(f'<line x1="{LEFT}" y1="{axis}" x2="{RIGHT}" y2="{axis}" stroke="{MUTED}" stroke-width="0.8"/>')
    for d in range(0, int(total) - 10, 20):
        out.append(f'<line x1="{x(d):.1f}" y1="{axis}" x2="{x(d):.1f}" y2="{axis + 4}" stroke="{MUTED}"/>')
        text(x(d), axis + 16, f"{d}", size=10, anchor="middle", fill=MUTED)
    text(RIGHT, axis + 16, f"{total:.0f} km", size=10, anchor="end", fill=MUTED)
    text(LEFT, H - 4, w["axis"], size=9,
         fill=MUTED)

    title = w["title"]
    desc = w["desc"].format(total=total, lake=GATUN_LAKE_M, cut=CULEBRA_CUT_KM, pm=PEDRO_MIGUEL_STEP_M,
                            mf=MIRAFLORES_LIFT_M)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
            f'font-family="{FONT}" role="img">\n<title>{escape(title)}</title>\n<desc>{escape(desc)}</desc>\n')
    return head + "\n".join(out) + "\n</svg>\n"


def main() -> None:
    MEDIA.mkdir(parents=True, exist_ok=True)
    for lang in WORDS:
        out = out_path(lang)
        out.write_text(build(lang), "utf-8")
        print(f"wrote {out.relative_to(HERE)} ({out.stat().st_size:,} bytes)")
    km = distances_km()
    print("canal line "
          f"{km[PACIFIC_ENTRANCE]:.1f} km, Gatún Locks at km {km[GATUN_LOCKS]:.1f}, Pedro Miguel at km "
          f"{km[PEDRO_MIGUEL_LOCKS]:.1f}, Miraflores at km {km[MIRAFLORES_LOCKS]:.1f}")


if __name__ == "__main__":
    main()
