"""The online tiles drawn over the embedded basemap: the newsroom's choice (issue 11).

``tiles`` in story.toml (and ``Story.tiles`` in Python) is one of

- the name of a provider that xyzservices knows (``"CartoDB.Positron"``, ``"OpenStreetMap.Mapnik"``,
  ``"Esri.WorldImagery"``, ...; in Python an ``xyzservices.TileProvider`` too): its URL, subdomains,
  zoom range and attribution come from xyzservices;
- a URL template with its attribution: ``{ url = "https://tiles.example.org/{z}/{x}/{y}.png",
  attribution = "© Example" }`` (optional ``subdomains`` and ``max_zoom``); the attribution may
  hold links (``<a href="https://...">``), nothing else of HTML;
- ``"none"``: no tile layer, no tile request ever; the page shows the embedded basemap only;
- absent: CARTO's light basemap (:data:`DEFAULT`), as before.

The page's Content-Security-Policy allows images from exactly the chosen hosts, each by name (a
``{s}.`` template's one per subdomain: :func:`storymap.security.tile_sources` reads them from the
tile layer).
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from typing import Any, Mapping, Optional

import nh3

__all__ = ["DEFAULT", "TileSource", "resolve", "check_tiles", "provider_names"]

#: The tiles of a story that names none: CARTO's light basemap on OpenStreetMap data.
DEFAULT: dict[str, Any] = {
    "url": "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
    "attribution": '&copy; <a href="https://www.openstreetmap.org/copyright" target="_blank" '
                   'rel="noreferrer">OpenStreetMap</a> contributors &copy; <a href="https://carto.com/'
                   'attributions" target="_blank" rel="noreferrer">CARTO</a>',
    "subdomains": "abcd",
    "max_zoom": 19,
}

#: The map's own greatest zoom; tiles of a provider that stops earlier are enlarged beyond it.
MAP_MAX_ZOOM = 19

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_ALLOWED_PLACEHOLDERS = {"x", "y", "z", "s", "r"}

TileSource = dict  # {"url", "attribution" (safe HTML), "subdomains", "max_zoom", "name"}


@lru_cache(maxsize=1)
def _providers() -> dict[str, Any]:
    import xyzservices

    return dict(xyzservices.providers.flatten())


def provider_names() -> list[str]:
    """Every provider name xyzservices knows (``"CartoDB.Positron"``, ...)."""
    return sorted(_providers())


def safe_attribution(text: str) -> str:
    """An attribution as HTML that shows text and ``http(s)`` links only (Leaflet's attribution
    control sets it as HTML)."""
    return nh3.clean(text, tags={"a"}, attributes={"a": {"href"}}, url_schemes={"http", "https"},
                     link_rel="noreferrer", set_tag_attribute_values={"a": {"target": "_blank"}}).strip()


def _from_provider(provider: Mapping[str, Any]) -> dict[str, Any]:
    """A provider of xyzservices as a tile source (its placeholders filled in, but x, y, z, s, r)."""
    values = {k: v for k, v in provider.items() if k not in ("url", "subdomains", "name") and isinstance(v, str)}
    url = str(provider["url"])
    if str(provider.get("name", "")).startswith("CartoDB"):
        # CARTO's basemaps work without a key, as xyzservices' own build_url allows.
        url = url.replace("?key={apikey}", "")
    filled = _PLACEHOLDER.sub(lambda m: m.group(0) if m.group(1) in _ALLOWED_PLACEHOLDERS
                              else str(values.get(m.group(1), m.group(0))), url)
    return {
        "url": filled,
        "attribution": safe_attribution(str(provider.get("html_attribution") or provider.get("attribution") or "")),
        "subdomains": str(provider.get("subdomains") or "abc"),
        "max_zoom": int(provider.get("max_zoom") or MAP_MAX_ZOOM),
        "name": str(provider.get("name") or ""),
    }


def _check_url(url: str) -> str:
    if not re.match(r"^https?://[^/\s]+/", url):
        raise ValueError(f"a tile URL must be an http(s) URL template, got {url!r}")
    missing = [p for p in ("{z}", "{x}", "{y}") if p not in url]
    if missing:
        raise ValueError(f"the tile URL template {url!r} lacks {', '.join(missing)}")
    unknown = sorted(set(_PLACEHOLDER.findall(url)) - _ALLOWED_PLACEHOLDERS)
    if unknown:
        raise ValueError(f"the tile URL template {url!r} has placeholders Leaflet cannot fill: "
                         + ", ".join("{" + u + "}" for u in unknown))
    return url


def check_tiles(value: Any) -> Any:
    """``tiles`` as story.toml and ``Story.tiles`` take it, checked: ``"none"``, a provider's name
    (as xyzservices spells it), or ``{"url", "attribution", "subdomains"?, "max_zoom"?}``. An
    ``xyzservices.TileProvider`` becomes its name (or, if xyzservices does not know it, a URL
    template). Raises ``ValueError`` saying what was expected."""
    if value is None:
        return None
    if isinstance(value, str):
        name = value.strip()
        if name.lower() == "none":
            return "none"
        if "://" in name:
            raise ValueError("a URL template needs its attribution: tiles = { url = \"...\", attribution = \"...\" }")
        providers = _providers()
        if name not in providers:
            from .errors import did_you_mean

            close = did_you_mean(name, list(providers))
            hint = f"did you mean {close!r}? " if close else ""
            raise ValueError(f"{name!r} is not a tile provider xyzservices knows; {hint}give a name such as "
                             "'CartoDB.Positron' or 'OpenStreetMap.Mapnik', a URL template with its attribution, "
                             "or 'none'")
        provider = providers[name]
        if provider.requires_token() and not name.startswith("CartoDB"):
            raise ValueError(f"{name!r} needs an API key: give tiles = {{ url = \"...\", attribution = \"...\" }} "
                             "with your key in the URL")
        return name
    import xyzservices

    if isinstance(value, xyzservices.TileProvider):
        # By name if xyzservices knows it as it is; else as the URL template it makes.
        name = str(value.get("name") or "")
        if name in _providers() and dict(_providers()[name]) == dict(value):
            return check_tiles(name)
        source = _from_provider(value)
        return check_tiles({"url": source["url"], "attribution": source["attribution"],
                            "subdomains": source["subdomains"], "max_zoom": source["max_zoom"]})
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - {"url", "attribution", "subdomains", "max_zoom"})
        if unknown:
            raise ValueError(f"unknown field {unknown[0]!r} in tiles; expected url, attribution, subdomains, max_zoom")
        url = value.get("url")
        attribution = value.get("attribution")
        if not isinstance(url, str):
            raise ValueError("tiles needs a url (a URL template with {z}, {x} and {y})")
        if not isinstance(attribution, str) or not attribution.strip():
            raise ValueError("tiles needs an attribution: the credit the tiles' provider asks for")
        out: dict[str, Any] = {"url": _check_url(url.strip()), "attribution": attribution.strip()}
        if value.get("subdomains") is not None:
            subdomains = value["subdomains"]
            if not isinstance(subdomains, str) or not re.fullmatch(r"[A-Za-z0-9]{1,10}", subdomains):
                raise ValueError(f"tiles.subdomains must be letters or digits, one a subdomain (got {subdomains!r})")
            out["subdomains"] = subdomains
        if value.get("max_zoom") is not None:
            zoom = value["max_zoom"]
            if isinstance(zoom, bool) or not isinstance(zoom, int) or not 0 <= zoom <= 24:
                raise ValueError(f"tiles.max_zoom must be a whole number from 0 to 24 (got {zoom!r})")
            out["max_zoom"] = zoom
        return out
    raise ValueError("tiles must be a provider's name, a table with url and attribution, or 'none'")


def resolve(value: Any) -> Optional[dict[str, Any]]:
    """The tile source for a checked ``tiles`` value, or None for ``"none"``:
    ``{url, attribution (safe HTML), subdomains, max_zoom, name}``."""
    if value is None:
        return {**DEFAULT, "name": "CartoDB.Positron"}
    if value == "none":
        return None
    if isinstance(value, str):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _from_provider(_providers()[value])
    if not isinstance(value, Mapping):
        value = value.model_dump()
    return {"url": value["url"], "attribution": safe_attribution(value["attribution"]),
            "subdomains": value.get("subdomains") or "abc", "max_zoom": int(value.get("max_zoom") or MAP_MAX_ZOOM),
            "name": ""}
