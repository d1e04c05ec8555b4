"""Static assets: Leaflet from its installed package, storymap's own JS/CSS, data URIs."""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from importlib import resources

import rcssmin
import rjsmin

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
    return rcssmin.cssmin(text).strip()


@lru_cache(maxsize=1)
def storymap_css() -> str:
    """storymap's stylesheet (every rule under ``.storymap``), comments and spacing squeezed."""
    return _squeeze_css(_OWN.joinpath("storymap.css").read_text("utf-8"))


@lru_cache(maxsize=1)
def storymap_js() -> str:
    """storymap's script, minified: an ``L.storymap`` namespace on Leaflet, no other globals."""
    return rjsmin.jsmin(_OWN.joinpath("storymap.js").read_text("utf-8")).strip()
