"""The kinds of place a story knows, with their legend labels and map styles.

One table drives validation (``Place.kind``), the legend, the map styles and the README.
"""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = ["KINDS", "KindInfo"]


class KindInfo(TypedDict):
    label: str
    description: str
    #: Leaflet path options for the kind; ``radius`` marks point kinds drawn as circles.
    style: dict[str, Any]


KINDS: dict[str, KindInfo] = {
    "canal": {
        "label": "Canal",
        "description": "A navigable waterway, drawn as a line from one entrance to the other.",
        "style": {"color": "#0b5394", "weight": 5, "opacity": 0.95},
    },
    "lock": {
        "label": "Canal locks",
        "description": "A set of canal locks, drawn as a point.",
        "style": {"radius": 6, "color": "#0b5394", "weight": 2, "fillColor": "#ffffff", "fillOpacity": 1},
    },
    "border-zone": {
        "label": "Border zone",
        "description": "An area along an international border, drawn as a polygon.",
        "style": {"color": "#a0410d", "weight": 2, "dashArray": "6 4", "fillColor": "#e69138", "fillOpacity": 0.3},
    },
    "corridor": {
        "label": "Trafficking corridor (arrows show direction)",
        "description": (
            "A route of travel, drawn as a line whose coordinates run in the direction of travel; "
            "properties `coast` (pacific, caribbean, land) and `direction` (e.g. northbound)."
        ),
        "style": {"color": "#b3001b", "weight": 3, "dashArray": "10 6", "opacity": 0.95},
    },
    "site": {
        "label": "Exercise or meeting site",
        "description": "Where an event took place, as precisely as published; a point.",
        "style": {"radius": 8, "color": "#ffffff", "weight": 2, "fillColor": "#6a1b9a", "fillOpacity": 1},
    },
    "port": {
        "label": "Port",
        "description": "A seaport or container terminal; a point.",
        "style": {"radius": 7, "color": "#ffffff", "weight": 2, "fillColor": "#00695c", "fillOpacity": 1},
    },
    "headquarters": {
        "label": "Headquarters",
        "description": "A command's headquarters; a point.",
        "style": {"radius": 8, "color": "#ffffff", "weight": 2, "fillColor": "#263238", "fillOpacity": 1},
    },
    "exercise-area": {
        "label": "Exercise focus",
        "description": "The area or feature an exercise concentrates on; any geometry, usually schematic.",
        "style": {"color": "#7f6000", "weight": 3, "dashArray": "2 6", "fillColor": "#f1c232",
                  "fillOpacity": 0.25, "radius": 9},
    },
}
