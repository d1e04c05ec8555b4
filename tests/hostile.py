"""A story folder whose every text field holds XSS payloads (see ``xss_payloads``).

One place and one step per payload (the payload in each of its text fields), plus a first step
and a place holding all payloads at once; the story's title, subtitle and byline hold them all.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from .xss_payloads import PAYLOADS, URL_PAYLOADS

ALL = " ".join(PAYLOADS)
ALL_MARKDOWN = "\n\n".join(PAYLOADS)
KINDS = ["site", "lock", "border-zone", "canal", "corridor", "port", "headquarters", "exercise-area"]
GEOMETRY = {"border-zone": "area", "exercise-area": "area", "canal": "line", "corridor": "line"}


def toml_string(value: str) -> str:
    # JSON string escapes (\" \\ \n \t \uXXXX) are TOML basic-string escapes too.
    return json.dumps(value, ensure_ascii=False)


def _geometry(kind: str, x: float, y: float) -> dict[str, Any]:
    if kind in ("border-zone", "exercise-area"):
        ring = [[x, y], [x + 0.2, y], [x + 0.2, y + 0.2], [x, y + 0.2], [x, y]]
        return {"type": "Polygon", "coordinates": [ring]}
    if kind in ("canal", "corridor"):
        return {"type": "LineString", "coordinates": [[x, y], [x + 0.1, y + 0.15], [x + 0.2, y + 0.25]]}
    return {"type": "Point", "coordinates": [x, y]}


def place(k: int, text: str, annotation: str) -> dict[str, Any]:
    kind = KINDS[k % len(KINDS)]
    props: dict[str, Any] = {
        "name": text, "kind": kind, "annotation": annotation,
        "sources": [{"title": text, "url": URL_PAYLOADS[k % len(URL_PAYLOADS)]},
                    {"title": text, "url": "https://example.org/source"}],
        "date": text, "period": text, "location_precision": "approximate", "note": text,
        "tags": [text, {"nested": text}],
    }
    x, y = -81.0 + (k % 8) * 0.4, 7.5 + (k // 8) * 0.4
    return {"type": "Feature", "id": f"p{k}", "properties": props, "geometry": _geometry(kind, x, y)}


def write_hostile_story(folder: Path) -> Path:
    """Write the story into ``folder`` (created); return it."""
    folder.mkdir(parents=True, exist_ok=True)
    features = [place(k, payload, f"{payload}\n\n*{payload}*") for k, payload in enumerate(PAYLOADS)]
    features.append(place(len(PAYLOADS), ALL, ALL_MARKDOWN))
    (folder / "places.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1), "utf-8")
    lines = [f"title = {toml_string(ALL)}", f"subtitle = {toml_string(ALL)}", f"byline = {toml_string(ALL)}",
             f"kicker = {toml_string(ALL)}", ""]
    for k, kind in enumerate(KINDS):  # the kinds' labels and descriptions reach the page too
        lines += [f"[kinds.{kind}]", f"label = {toml_string(PAYLOADS[k % len(PAYLOADS)] + ' ' + ALL)}",
                  f'geometry = "{GEOMETRY.get(kind, "point")}"', 'color = "#336699"',
                  f"description = {toml_string(ALL)}"] + (["arrows = true"] if kind == "corridor" else []) + [""]
    steps = [("all", ALL, ALL_MARKDOWN, [f["id"] for f in features])]
    steps += [(f"s{k}", payload, payload, [f"p{k}"]) for k, payload in enumerate(PAYLOADS)]
    for sid, title, narrative, places in steps:
        lines += ["[[steps]]", f"id = {toml_string(sid)}", f"title = {toml_string(title)}",
                  f"narrative = {toml_string(narrative)}", f"description = {toml_string(title)}",
                  f"places = {json.dumps(places)}", ""]
    text = "\n".join(lines)
    assert tomllib.loads(text)["steps"][1]["title"] == PAYLOADS[0]  # the TOML says what we meant
    (folder / "story.toml").write_text(text, "utf-8")
    return folder
