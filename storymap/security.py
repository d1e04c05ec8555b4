"""A page's Content-Security-Policy.

(That rendered text is never evaluated as a template again is :mod:`storymap.render`'s job: its
page puts what elements rendered into the page as it is.)

**A Content-Security-Policy for a finished page**: only its own inline scripts and styles apply.
The policy is computed from the page as rendered: the sha256 of every inline ``<script>`` and
``<style>`` body, images from ``data:`` and from the hosts of the map's tile layers, nothing else
(no other scripts, styles, fonts, frames, requests, forms or ``<base>``). What the user's folium
elements name is added (:func:`element_policy`), each by its exact host or text: the host of an
image overlay's or a ``CustomIcon``'s image (``img-src``), of a ``Realtime`` source or a
``VectorGridProtobuf``'s tiles (``connect-src``: both ``fetch`` them), of a ``VideoOverlay``'s video
(``media-src``); and the ``style="…"`` attributes of a ``DivIcon``'s HTML, which Leaflet inserts with
``innerHTML``, by their sha256 (``style-src-attr 'unsafe-hashes'``; no other attribute, and no
``<style>`` element, is allowed by it). The code that builds the story names them; a story's
files (untrusted text) never do. It is added as a
``<meta http-equiv>`` right after ``<meta charset>``, before any script or style, so that it
covers all of them; adding it changes no script or style, so the hashes stay valid.

A fragment (a page's body to embed in another page) carries no policy: the host page sets its own.
"""

from __future__ import annotations

import base64
import hashlib
import html as html_module
import json
import re
import warnings
from html.parser import HTMLParser
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import urlsplit

from branca.element import Element
from folium.features import CustomIcon, DivIcon
from folium.plugins import FloatImage, MeasureControl, Realtime, ScrollZoomToggler, VectorGridProtobuf
from folium.raster_layers import ImageOverlay, TileLayer, VideoOverlay, WmsTileLayer

from .errors import Problem, StoryError
from .inert import reachable

__all__ = ["page_policy", "add_csp", "tile_sources", "image_source", "image_sources", "filled_subdomains",
           "named_source", "named_sources", "element_policy", "style_attributes", "blocked"]


_INLINE = re.compile(r"<(script|style)(\s[^>]*)?>(.*?)</\1\s*>", re.DOTALL | re.IGNORECASE)
_HOST = re.compile(r"^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?$")
_CHARSET = re.compile(r"<meta charset=[\"']?utf-8[\"']?\s*/?>", re.IGNORECASE)


def _hash(body: str) -> str:
    # The browser hashes the element's text after the HTML parser has normalised newlines.
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def page_policy(html: str, image_sources: Iterable[str] = (),
                extra: Mapping[str, Iterable[str]] | None = None) -> str:
    """The policy for ``html``: its inline scripts and styles by hash, images from ``data:`` and
    ``image_sources`` (CSP source expressions such as ``https://*.basemaps.cartocdn.com``), and
    fonts from ``data:`` only where an inline stylesheet declares its own (``@font-face``).

    ``extra`` (see :func:`element_policy`) adds what elements name, by directive: for ``img-src``,
    ``connect-src`` and ``media-src``, source expressions; for ``style-src-attr``, the text of
    ``style`` attributes, allowed by their hash; a directive with nothing in it is left out.

    A fragment says what else it needs in its root's ``data-storymap-policy`` (its tiles' and
    elements' hosts, its elements' style attributes: see :func:`fragment_needs`): those are
    allowed too, so that ``page_policy(fragment_html)`` is all a host page has to allow."""
    extra = {name: list(values) for name, values in (extra or {}).items()}
    for found in _NEEDS.finditer(html):
        for name, values in json.loads(html_module.unescape(found.group(1))).items():
            extra.setdefault(name, []).extend(values)
    hashes: dict[str, list[str]] = {"script": [], "style": []}
    fonts = False
    for found in _INLINE.finditer(html):
        fonts = fonts or (found.group(1).lower() == "style" and "@font-face" in found.group(3).lower())
        if found.group(2) and "src=" in found.group(2).lower():
            raise ValueError("the page loads a script from elsewhere; a standalone page inlines everything")
        digest = _hash(found.group(3))
        bucket = hashes[found.group(1).lower()]
        if digest not in bucket:
            bucket.append(digest)
    images = ["data:"] + sorted((set(image_sources) | set(extra.get("img-src", ()))) - {"data:"})
    attributes = list(dict.fromkeys(_hash(text) for text in extra.get("style-src-attr", ())))
    directives = [
        "default-src 'none'",
        "script-src " + (" ".join(hashes["script"]) or "'none'"),
        "style-src " + (" ".join(hashes["style"]) or "'none'"),
    ] + ([f"style-src-attr 'unsafe-hashes' {' '.join(attributes)}"] if attributes else []) + [
        "img-src " + " ".join(images),
    ] + [f"{name} {' '.join(sorted(set(extra[name])))}" for name in ("connect-src", "media-src") if extra.get(name)] + (["font-src data:"] if fonts else []) + [  # (an inlined stylesheet's own fonts: a plugin's icons)
        "base-uri 'none'",
        "form-action 'none'",
    ]
    return "; ".join(directives)


#: A fragment's root's statement of what it needs beyond its inline code (see :func:`fragment_needs`).
_NEEDS = re.compile(r'\sdata-storymap-policy="([^"]*)"')


def fragment_needs(html: str, image_sources: Iterable[str] = (),
                   extra: Mapping[str, Iterable[str]] | None = None) -> str:
    """``html`` (a fragment) with what its host's policy must allow besides its inline script and
    style, written on its root (``data-storymap-policy``, JSON by directive) for :func:`page_policy`:
    ``image_sources`` under ``img-src`` and ``extra`` (see :func:`element_policy`). A fragment
    needing nothing more is returned as it is."""
    needs = {name: sorted(set(values)) for name, values in (extra or {}).items() if values}
    images = sorted((set(image_sources) | set(needs.get("img-src", ()))) - {"data:"})
    if images:
        needs["img-src"] = images
    if not needs:
        return html
    attribute = ' data-storymap-policy="' + html_module.escape(json.dumps(needs, sort_keys=True), quote=True) + '"'
    return html.replace(" data-storymap ", " data-storymap" + attribute + " ", 1)


def add_csp(html: str, image_sources: Iterable[str] = (), extra: Mapping[str, Iterable[str]] | None = None) -> str:
    """``html`` (a whole page) with its Content-Security-Policy ``<meta>`` added after ``<meta charset>``
    (``extra``: see :func:`page_policy`)."""
    policy = page_policy(html, image_sources, extra)
    charset = _CHARSET.search(html)
    if charset is None or _INLINE.search(html, 0, charset.start()):
        raise ValueError("the page needs <meta charset> before any script or style to carry a CSP")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    return html[: charset.end()] + "\n" + meta + html[charset.end():]


def image_source(url: str) -> str | None:
    """The CSP source expression that allows a URL template's images.

    ``https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png`` → ``https://*.basemaps.cartocdn.com``.
    A template part of the host becomes a ``*.`` wildcard (CSP allows one only at the start).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return "data:"
    if scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc.rsplit("@", 1)[-1].lower()
    labels = host.split(".")
    templated = [i for i, label in enumerate(labels) if "{" in label or "}" in label]
    if templated:
        host = "*." + ".".join(labels[templated[-1] + 1:])
    if not _HOST.match(host):  # a wildcard over a whole domain, or not a plain host: allow the scheme
        return f"{scheme}:"
    return f"{scheme}://{host}"


_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_MOST_SUBDOMAINS = 16


def filled_subdomains(url: str, subdomains: Any) -> list[str] | None:
    """``url`` once per subdomain, its host's ``{s}`` filled in as Leaflet fills it (each letter of
    a string, each item of a list: ``https://tile-{s}.example.org/…`` with ``"ab"`` →
    ``https://tile-a.example.org/…``, ``https://tile-b.example.org/…``), or None where the hosts
    are not knowable one by one: no ``{s}`` in the host, another template there too, no
    subdomains, more than 16, or one that is not a host name's label."""
    host = urlsplit(url).netloc.rsplit("@", 1)[-1]
    rest, names = host.replace("{s}", ""), list(subdomains) if isinstance(subdomains, (str, list, tuple)) else []
    if ("{s}" not in host or "{" in rest or "}" in rest or not 0 < len(names) <= _MOST_SUBDOMAINS
            or not all(isinstance(name, str) and _LABEL.match(name.lower()) for name in names)):
        return None
    return [url.replace("{s}", name.lower()) for name in names]


def _by_subdomain(url: str, subdomains: Any, source_of: Callable[[str], str | None]) -> list[str]:
    """``source_of``'s sources for ``url``: one per subdomain (:func:`filled_subdomains`) where
    each is a plain host's (never a whole scheme or a wildcard), else ``url``'s own."""
    sources = {source_of(one) for one in filled_subdomains(url, subdomains) or ()}
    if sources and all(source and "://" in source and "*" not in source for source in sources):
        return sorted(sources)  # type: ignore[arg-type]
    source = source_of(url)
    return [source] if source else []


def image_sources(url: str, subdomains: str | Iterable[str] | None = None) -> list[str]:
    """The CSP source expressions that allow exactly the hosts a tile layer asks for its images.

    A host with Leaflet's ``{s}`` gives one host per subdomain (see :func:`filled_subdomains`):
    ``https://{s}.basemaps.cartocdn.com/...`` with ``"abcd"`` → ``https://a.basemaps.cartocdn.com``
    ... ``https://d.basemaps.cartocdn.com``. Without known subdomains, and for any other template in
    the host, the ``*.`` wildcard of :func:`image_source`.
    """
    return _by_subdomain(url, subdomains, image_source)


def tile_sources(root: Element) -> list[str]:
    """CSP image sources for every tile layer in a folium tree (``TileLayer``, ``WmsTileLayer``),
    those held in an element's attributes too (a ``MiniMap``'s ``tile_layer``): each host it asks,
    by name (see :func:`image_sources`)."""
    sources: set[str] = set()
    for element in reachable(root):
        url = getattr(element, "tiles", None) or getattr(element, "url", None)
        if isinstance(element, (TileLayer, WmsTileLayer)) and isinstance(url, str):
            options = getattr(element, "options", None)
            subdomains = options.get("subdomains") if isinstance(options, Mapping) else None
            sources.update(image_sources(url, subdomains))
    return sorted(sources)


class _StyleAttributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value or "" for name, value in attrs if name == "style"]

    handle_startendtag = handle_starttag


def style_attributes(html: str) -> list[str]:
    """The values of the ``style`` attributes in a piece of HTML, as the browser reads them
    (character references decoded), once each."""
    parser = _StyleAttributes()
    parser.feed(html)
    parser.close()
    return list(dict.fromkeys(parser.found))


def _urls(value: Any) -> list[str]:
    """The URLs in an element's attribute: a string, a Realtime source's ``{"url": …}``, a list of them."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _urls(value.get("url"))
    if isinstance(value, (list, tuple)):
        return [url for item in value for url in _urls(item)]
    return []


def _vector_grid_subdomains(element: VectorGridProtobuf) -> Any:
    """The subdomains a ``VectorGridProtobuf`` fills its URL's ``{s}`` with: its options' (a dict's),
    else Leaflet.VectorGrid's default, ``"abc"``; None for options given as JavaScript text (what
    they say is not known here)."""
    options = getattr(element, "options", None)
    if options is None:
        return "abc"
    return options.get("subdomains", "abc") if isinstance(options, Mapping) else None


#: Where each kind of element keeps the URLs it loads, the directive that allows them and, for a
#: layer of tiles, the subdomains its URL's ``{s}`` takes.
_NAMED = (
    (ImageOverlay, lambda el: _urls(el.url), "img-src", None),
    (CustomIcon, lambda el: _urls([el.options.get(key) for key in ("icon_url", "shadow_url", "iconUrl", "shadowUrl")]),
     "img-src", None),  # (folium 0.17 keeps its options camelCased)
    (Realtime, lambda el: _urls(el.src), "connect-src", None),
    (VectorGridProtobuf, lambda el: _urls(el.url), "connect-src", _vector_grid_subdomains),
    (VideoOverlay, lambda el: _urls(el.video_url), "media-src", None),
)


#: A host a policy can name exactly: a name (``localhost`` too), an IPv4 or a bracketed IPv6
#: address, a ``*.`` wildcard over a named domain (a URL template's subdomain), and a port.
_NAMED_HOST = re.compile(r"^((\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:\d+)?$")


def named_source(url: str) -> str | None:
    """The CSP source that allows exactly ``url``'s host (``https://data.example.org:8443``; a
    template's subdomain ``{s}`` as ``*.``), ``data:`` for a data URI, or None for a relative URL.

    Raises
    ------
    ValueError
        For a URL whose host cannot be named exactly (``https://{s}/v.mp4``, ``https://my_bucket…``):
        allowing it would take the whole scheme (``https:``), every host."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return "data:"
    if not scheme and not parts.netloc:
        return None
    host = parts.netloc.rsplit("@", 1)[-1].lower().rstrip(".")
    labels = host.split(".")
    templated = [i for i, label in enumerate(labels) if "{" in label or "}" in label]
    if templated and templated[-1] + 3 <= len(labels):  # a subdomain template over a named domain (not a TLD)
        host = "*." + ".".join(labels[templated[-1] + 1:])
    if scheme not in ("http", "https") or not _NAMED_HOST.match(host):
        raise ValueError(f"{url!r}: its host cannot be named in the page's Content-Security-Policy (only "
                         "http(s) URLs whose host is a plain name, an IP address or a {s}. subdomain template "
                         "can be); allowing it would allow every host")
    return f"{scheme}://{host}"


def named_sources(url: str, subdomains: Any = None) -> list[str]:
    """The CSP sources that allow exactly ``url``'s hosts: :func:`named_source`'s, or one per
    subdomain where its host has Leaflet's ``{s}`` and the subdomains are known (see
    :func:`filled_subdomains`), rather than its ``*.`` wildcard. Raises ValueError as it does."""
    return _by_subdomain(url, subdomains, named_source)


def element_policy(root: Element) -> dict[str, list[str]]:
    """What the folium elements in a tree add to the page's policy (``extra`` for :func:`add_csp`):
    ``{"img-src" | "connect-src" | "media-src": [source, ...], "style-src-attr": [text, ...]}``, only
    the directives something needs. The exact hosts (:func:`named_source`) of the URLs the elements
    load, and the ``style`` attributes of every ``DivIcon``'s HTML: the code that builds the story
    wrote them (untrusted text never reaches these options).

    Raises
    ------
    storymap.StoryError
        For a URL whose host cannot be named exactly (see :func:`named_source`). A relative URL
        gets a UserWarning: the policy allows no host for it, and it would not load."""
    found: dict[str, list[str]] = {}
    problems = []
    for element in reachable(root):
        for kind, urls, directive, subdomains in _NAMED:
            if not isinstance(element, kind):
                continue
            for url in urls(element):
                try:
                    sources = named_sources(url, subdomains(element) if subdomains else None)
                except ValueError as exc:
                    problems.append(Problem(file="", where=f"folium {type(element).__name__}", field=directive,
                                            message=str(exc)))
                    continue
                if not sources:
                    warnings.warn(f"folium {type(element).__name__}: {url!r} is relative: the page's Content-"
                                  "Security-Policy allows no host for it, so it would not load; give its full "
                                  "https:// URL", UserWarning, stacklevel=4)
                else:
                    found.setdefault(directive, []).extend(sources)
        html = element.options.get("html") if isinstance(element, DivIcon) else None
        if isinstance(html, str):
            found.setdefault("style-src-attr", []).extend(style_attributes(html))
    if problems:
        raise StoryError(problems)
    return {name: list(dict.fromkeys(values)) if name == "style-src-attr" else sorted(set(values))
            for name, values in found.items() if values}


#: folium elements whose scripts cannot run under a story page's policy: ``(type, why and what instead)``.
BLOCKED = (
    (MeasureControl,
     "folium.plugins.MeasureControl cannot run under the story page's Content-Security-Policy: its script "
     "(leaflet-measure) compiles its templates with new Function, which the policy forbids (it allows no "
     "'unsafe-eval'), and the page's script would stop. Instead, give a distance in the step's narrative, or draw "
     "it: a folium.PolyLine with a folium.Tooltip saying its length (the map shows a scale bar)"),
    (FloatImage,
     "folium.plugins.FloatImage would not show on a story page: its image is put beside the story, not on the "
     "map, and its inline z-index is refused by the page's Content-Security-Policy, so it lies under the map. "
     "Show an image with a step instead (media in story.toml: a photo or graphic with its caption and credit), "
     "or on the map in a folium.Marker with a folium.DivIcon"),
    (ScrollZoomToggler,
     "folium.plugins.ScrollZoomToggler has no part on a story page: the story decides what the wheel does (on its "
     "own page it zooms; embedded, it scrolls the article and Ctrl or ⌘ with the wheel zooms), and the "
     "toggler's icon is an image from elsewhere that the page's policy refuses"),
)


def blocked(elements: Iterable[Element]) -> list[tuple[str, str]]:
    """Which of ``elements`` (a tree's: see :func:`storymap.inert.reachable`) cannot run under the
    page's policy: ``(type name, message)`` once per kind, in :data:`BLOCKED`'s order."""
    kinds = {type(element) for element in elements}
    return [(kind.__name__, message) for kind, message in BLOCKED if any(issubclass(k, kind) for k in kinds)]
