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
    """Leaflet's CSS, minified, image references as data URIs, every rule scoped under
    ``.storymap`` so that none reaches a host page (or a host page's own Leaflet map)."""
    text = _LEAFLET.joinpath("leaflet.css").read_text("utf-8")
    text = re.sub(r"url\((?:['\"])?images/([\w.-]+\.png)(?:['\"])?\)", lambda m: f"url({_data_uri(m.group(1))})", text)
    return scope_css(_squeeze_css(text), ".storymap")


def scope_css(css: str, scope: str) -> str:
    """Prefix every selector of minified ``css`` with ``scope`` (``@media`` blocks included).

    ``a,b>c{...}`` becomes ``S a,S b>c{...}``; selectors already starting with ``scope`` are kept.
    """
    out: list[str] = []
    i = 0
    while i < len(css):
        brace = css.find("{", i)
        if brace < 0:
            out.append(css[i:])
            break
        head = css[i:brace].strip()
        if head.startswith("@"):
            depth, j = 1, brace + 1
            while depth and j < len(css):
                depth += {"{": 1, "}": -1}.get(css[j], 0)
                j += 1
            inner = css[brace + 1:j - 1]
            body = scope_css(inner, scope) if head.startswith(("@media", "@supports")) else inner
            out.append(f"{head}{{{body}}}")
            i = j
            continue
        end = css.find("}", brace)
        selectors = ",".join(
            sel if sel.startswith(scope) else f"{scope} {sel}" for sel in (s.strip() for s in head.split(",")) if sel
        )
        out.append(f"{selectors}{css[brace:end + 1]}")
        i = end + 1
    return "".join(out)


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


#: storymap's script, one component a file, in the order they run (``storymap.js`` first: the
#: ``L.storymap`` namespace and the helpers the others share).
SCRIPT_FILES = ("storymap.js", "basemap.js", "legend.js", "story.js", "print.js")


@lru_cache(maxsize=1)
def storymap_js() -> str:
    """storymap's script, minified: an ``L.storymap`` namespace on Leaflet, no other globals."""
    return "\n".join(rjsmin.jsmin(_OWN.joinpath(name).read_text("utf-8")).strip() for name in SCRIPT_FILES)
