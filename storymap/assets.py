"""Static assets: Leaflet from its installed package, storymap's own JS/CSS, data URIs."""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from importlib import resources

__all__ = ["leaflet_js", "leaflet_css", "storymap_js", "storymap_css", "leaflet_icon_urls", "LEAFLET_VERSION"]

_LEAFLET = resources.files("js_lib_leaflet").joinpath("static", "js_lib_leaflet")
_OWN = resources.files("storymap").joinpath("static")
LEAFLET_VERSION = "1.9.4"


def _data_uri(name: str) -> str:
    data = _LEAFLET.joinpath("images", name).read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


@lru_cache(maxsize=1)
def leaflet_js() -> str:
    """Leaflet's minified JS, without its source-map comment (no request for leaflet.js.map)."""
    text = _LEAFLET.joinpath("leaflet.js").read_text("utf-8")
    return re.sub(r"\n?//# sourceMappingURL=\S+\s*$", "", text).strip()


@lru_cache(maxsize=1)
def leaflet_css() -> str:
    """Leaflet's CSS with its image references turned into data URIs and comments dropped."""
    text = _LEAFLET.joinpath("leaflet.css").read_text("utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"url\((?:['\"])?images/([\w.-]+\.png)(?:['\"])?\)", lambda m: f"url({_data_uri(m.group(1))})", text)
    return _squeeze_css(text)


@lru_cache(maxsize=1)
def leaflet_icon_urls() -> dict[str, str]:
    """Data URIs for Leaflet's default marker icon, for ``L.Icon.Default`` options."""
    return {
        "iconUrl": _data_uri("marker-icon.png"),
        "iconRetinaUrl": _data_uri("marker-icon-2x.png"),
        "shadowUrl": _data_uri("marker-shadow.png"),
    }


def _squeeze_css(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s*([{}:;,>])\s*", r"\1", text)
    return text.replace(";}", "}").strip()


@lru_cache(maxsize=1)
def storymap_css() -> str:
    """storymap's stylesheet (every rule under ``.storymap``), comments and spacing squeezed."""
    text = _OWN.joinpath("storymap.css").read_text("utf-8")
    return _squeeze_css(re.sub(r"/\*.*?\*/", "", text, flags=re.S))


@lru_cache(maxsize=1)
def storymap_js() -> str:
    """storymap's script: an ``L.storymap`` namespace on Leaflet, no other globals.

    Comment lines and indentation are dropped; the code is written so that this is safe (no
    multi-line strings, no ``//`` inside strings at line start).
    """
    lines = []
    for line in _OWN.joinpath("storymap.js").read_text("utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("//"):
            continue
        lines.append(stripped)
    return "\n".join(lines)
