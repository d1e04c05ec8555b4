"""Images in a story: read, check, scale, recompress and inline them (the page stays one file).

A step's media (:class:`storymap.Media`) names an image file relative to the story folder, or an
https URL when the story opts in (``remote_media = true``). A local image is read once, here:

- JPEG, PNG, WebP and GIF are decoded with Pillow (EXIF orientation applied), scaled to at most
  :data:`MAX_SIDE` px on the long side and recompressed: photographs as JPEG, drawings (few
  colours, or transparency) as PNG. Metadata (EXIF, GPS position, camera, ICC profile) is dropped.
  An animated GIF or WebP keeps its first frame.
- An SVG is parsed without DTDs or entities (defusedxml) and rebuilt from an allowlist of drawing
  elements and attributes; one that holds active content (a script, an event attribute, a
  ``foreignObject``, a reference to another file or URL) is refused rather than silently altered.

The result is a ``data:`` URI. What it costs the page is counted in base64 bytes, checked against
a per-image and a per-page budget (``media_budget`` in story.toml) by :func:`budget_problems`.
"""

from __future__ import annotations

import base64
import io
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree as ET

from markupsafe import Markup

from .errors import did_you_mean
from .files import shown_path
from .text import markdown_html

if TYPE_CHECKING:
    from .models import Media, StoryData

__all__ = [
    "MediaError", "Prepared", "MAX_SIDE", "MAX_FILE_BYTES", "MAX_PIXELS", "IMAGE_BUDGET_KB", "PAGE_BUDGET_KB",
    "read_image", "sanitize_svg", "classify_src", "prepare_media", "csp_sources", "budget_problems", "kb",
]

#: The long side of an inlined image, at most (px).
MAX_SIDE = 1600
#: An image file larger than this is refused before it is decoded.
MAX_FILE_BYTES = 25 * 1024 * 1024
#: An image with more pixels than this is refused before it is decoded (a decompression bomb).
MAX_PIXELS = 60_000_000
#: An SVG larger than this is refused (a drawing for a story is a few tens of kilobytes).
MAX_SVG_BYTES = 1024 * 1024
#: Default budgets, in kilobytes of the page (base64 data URIs), per image and for all of them.
IMAGE_BUDGET_KB = 400
PAGE_BUDGET_KB = 2000
#: JPEG quality for photographs.
JPEG_QUALITY = 82

_RASTER = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


#: Characters left as they are in an SVG data URI: what needs no escaping in a URL or an HTML attribute.
_SVG_SAFE = " /:=;,()!*-._~@+?'"


class MediaError(ValueError):
    """An image that cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class Prepared:
    """An image ready to inline."""

    mime: str
    data: bytes
    width: Optional[int]
    height: Optional[int]
    #: What was done, for messages: "JPEG 1600×1067 px, scaled from 4000×2667".
    note: str

    @property
    def data_uri(self) -> str:
        """The image as a ``data:`` URI: base64, or for an SVG (text) percent-encoding, which is
        smaller and compresses better."""
        if self.mime == "image/svg+xml":
            return f"data:{self.mime}," + quote(self.data.decode("utf-8"), safe=_SVG_SAFE)
        return f"data:{self.mime};base64," + base64.b64encode(self.data).decode("ascii")

    @property
    def page_bytes(self) -> int:
        """What the image adds to the page: the length of its data URI."""
        return len(self.data_uri)


def kb(n: int) -> str:
    """Bytes as kilobytes for a message (1 KB = 1024 bytes)."""
    return f"{n / 1024:,.0f} KB" if n >= 10 * 1024 else f"{n / 1024:,.1f} KB"


# Where an image comes from ------------------------------------------------------------------

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def classify_src(src: str) -> tuple[str, str]:
    """``("remote", url)`` for an https URL, ``("local", path)`` for a file path.

    Raises :class:`MediaError` for any other URL (http, data, file, javascript, …).
    """
    text = src.strip()
    match = _SCHEME.match(text)
    if match and len(match.group(1)) > 1:  # "C:\…" is a Windows path, not a scheme
        scheme = match.group(1).lower()
        if scheme == "https":
            parts = urlsplit(text)
            if not parts.hostname or re.search(r"[\s\x00-\x1f\x7f\"'<>\\]", text):
                raise MediaError(f"{text[:80]!r} is not a valid https URL")
            return "remote", text
        if scheme == "http":
            raise MediaError("a remote image must use https (http would be blocked as mixed content on an https page)")
        raise MediaError(f"a {scheme}: URL is not allowed; src is a file path relative to the story folder "
                         "(e.g. \"media/photo.jpg\") or, with remote_media = true, an https URL")
    return "local", text


def local_path(src: str, folder: Optional[Path]) -> Path:
    """The file a local ``src`` names: relative to the story ``folder`` (and inside it), or, with
    no folder (a story built in Python), as given (relative to the current directory)."""
    path = Path(src)
    if folder is None:
        return path
    if path.is_absolute() or path.drive:
        raise MediaError("must be a path relative to the story folder (e.g. \"media/photo.jpg\"), not an absolute path")
    root = folder.resolve()
    full = (root / path).resolve()
    if full != root and root not in full.parents:
        raise MediaError("points outside the story folder; copy the image into the story folder (e.g. media/)")
    return folder / path


def _display(path: Path) -> str:
    return shown_path(path)


# Reading -------------------------------------------------------------------------------------

def _close_file(path: Path) -> str:
    """``; did you mean 'media/river-level.png'?`` for a missing image whose folder holds one of a
    close name (a dash for an underscore, another case, a letter off), else ``""``."""
    try:
        names = [p.name for p in path.parent.iterdir() if p.is_file()]
    except OSError:
        return ""
    close = did_you_mean(path.name, names, cutoff=70)
    if close is None:
        close = next((name for name in names if name.casefold() == path.name.casefold()), None)
    return f"; did you mean {_display(path.with_name(close))!r}?" if close else ""


def read_image(path: Path) -> Prepared:
    """Read, check and prepare the image at ``path`` (cached while the file is unchanged).

    Raises
    ------
    MediaError
        A missing or unreadable file, a format other than JPEG, PNG, WebP, GIF or SVG, an image
        too large to decode, or an SVG with active content.
    """
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise MediaError(f"file not found: {_display(path)}{_close_file(path)}") from None
    except OSError as exc:
        raise MediaError(f"cannot read {_display(path)}: {exc.strerror or exc}") from None
    if not path.is_file():
        raise MediaError(f"not a file: {_display(path)}")
    if stat.st_size > MAX_FILE_BYTES:
        raise MediaError(f"{_display(path)} is {stat.st_size / 2**20:.1f} MiB; the limit for an image file is "
                         f"{MAX_FILE_BYTES / 2**20:.0f} MiB: export it smaller")
    return _read_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size, _display(path))


@lru_cache(maxsize=64)
def _read_cached(path: str, mtime_ns: int, size: int, name: str) -> Prepared:
    try:
        with open(path, "rb") as fh:  # read(n) allocates n bytes: ask for what stat said (and no more than the limit)
            data = fh.read(min(size, MAX_FILE_BYTES) + 1)
    except OSError as exc:
        raise MediaError(f"cannot read {name}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise MediaError(f"{name} is larger than {MAX_FILE_BYTES / 2**20:.0f} MiB, the limit for an image file: export it smaller")
    if _looks_like_svg(data, path):
        return sanitize_svg(data, name)
    return _raster(data, name)


def _looks_like_svg(data: bytes, path: str) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return path.lower().endswith((".svg", ".svgz")) or head.startswith((b"<?xml", b"<svg", b"<!--"))


def _raster(data: bytes, name: str) -> Prepared:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
    except UnidentifiedImageError:
        raise MediaError(f"{name} is not an image storymap can read (JPEG, PNG, WebP, GIF or SVG)") from None
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise MediaError(f"{name} is not a readable image: {str(exc).splitlines()[0][:120] or type(exc).__name__}; "
                         "the file may be truncated or damaged: export it again") from None
    if fmt not in _RASTER:
        raise MediaError(f"{name} is a {fmt} image; storymap inlines JPEG, PNG, WebP, GIF and SVG: "
                         "export it in one of those")
    if width * height > MAX_PIXELS:
        raise MediaError(f"{name} is {width}×{height} px ({width * height / 1e6:.0f} megapixels); the limit is "
                         f"{MAX_PIXELS / 1e6:.0f} megapixels: export it smaller")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.seek(0)  # an animation: its first frame
            image = ImageOps.exif_transpose(image)
            image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise MediaError(f"{name} cannot be decoded ({fmt}): {str(exc).splitlines()[0][:120] or type(exc).__name__}; "
                         "the file may be truncated or damaged: export it again") from None
    return _recompress(image, fmt, name)


def _recompress(image: Any, fmt: str, name: str) -> Prepared:
    from PIL import Image

    original = image.size
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if image.mode not in ("RGB", "RGBA") or (has_alpha and image.mode == "RGB"):
        image = image.convert("RGBA" if has_alpha else "RGB")
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert("RGB")  # an alpha channel that is opaque everywhere
    scale = MAX_SIDE / max(image.size)
    if scale < 1:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    alpha = image.mode == "RGBA"
    drawing = alpha or fmt in ("PNG", "GIF") or (fmt == "WEBP" and image.getcolors(256) is not None)
    if drawing:
        png = _png(image)
        if alpha:
            out, mime = png, "image/png"
        else:
            jpeg = _jpeg(image)
            out, mime = (png, "image/png") if len(png) <= 1.3 * len(jpeg) else (jpeg, "image/jpeg")
    else:
        out, mime = _jpeg(image), "image/jpeg"
    kind = "PNG" if mime == "image/png" else f"JPEG (quality {JPEG_QUALITY})"
    note = f"{kind} {image.width}×{image.height} px"
    if image.size != original:
        note += f", scaled from {original[0]}×{original[1]}"
    return Prepared(mime, out, image.width, image.height, note)


def _png(image: Any) -> bytes:
    colours = image.getcolors(256)
    if colours is not None and image.mode == "RGB":
        image = image.quantize(colors=max(2, len(colours)), dither=0)
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _jpeg(image: Any) -> bytes:
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True,
                              subsampling="4:2:0")
    return buf.getvalue()


# SVG -----------------------------------------------------------------------------------------

_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"
_XML = "http://www.w3.org/XML/1998/namespace"

#: Drawing elements an SVG figure may hold. Anything else in the SVG namespace is refused when it
#: can act (script, foreignObject, animation, links) and dropped when it only describes (metadata).
SVG_ELEMENTS = frozenset({
    "svg", "g", "defs", "title", "desc", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "text", "tspan", "textPath", "linearGradient", "radialGradient", "stop", "clipPath", "mask", "pattern",
    "symbol", "use", "marker", "style", "image", "filter", "feGaussianBlur", "feOffset", "feBlend", "feMerge",
    "feMergeNode", "feFlood", "feComposite", "feColorMatrix",
})
_ACTIVE = frozenset({"script", "foreignObject", "a", "animate", "animateMotion", "animateTransform", "set",
                     "iframe", "object", "embed", "audio", "video", "handler", "listener", "discard"})
_DROPPED = frozenset({"metadata", "sodipodi:namedview"})
SVG_ATTRIBUTES = frozenset({
    "id", "class", "style", "d", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy",
    "width", "height", "viewBox", "preserveAspectRatio", "points", "transform", "fill", "fill-opacity",
    "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-dasharray", "stroke-dashoffset",
    "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "opacity", "color", "font-family", "font-size",
    "font-weight", "font-style", "font-variant", "text-anchor", "dominant-baseline", "alignment-baseline",
    "baseline-shift", "letter-spacing", "word-spacing", "text-decoration", "dx", "dy", "rotate", "textLength",
    "lengthAdjust", "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform",
    "spreadMethod", "patternUnits", "patternContentUnits", "patternTransform", "clip-path", "clip-rule",
    "clipPathUnits", "mask", "maskUnits", "maskContentUnits", "marker-start", "marker-mid", "marker-end",
    "markerWidth", "markerHeight", "markerUnits", "refX", "refY", "orient", "visibility", "display",
    "overflow", "vector-effect", "paint-order", "shape-rendering", "text-rendering", "version", "role",
    "aria-label", "aria-hidden", "lang", "href", "filter", "filterUnits", "primitiveUnits", "stdDeviation",
    "in", "in2", "result", "mode", "operator", "values", "type", "flood-color", "flood-opacity", "k1", "k2",
    "k3", "k4", "startOffset", "method", "spacing", "space", "mix-blend-mode", "isolation",
})
_URL_REF = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$")


def _local_name(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _check_css(text: str, what: str, problems: list[str]) -> None:
    lowered = text.lower()
    if "\\" in text:
        problems.append(f"a CSS escape in {what}")
    if "@import" in lowered:
        problems.append(f"@import in {what}")
    if "expression(" in lowered or "javascript:" in lowered or "behavior" in lowered or "-moz-binding" in lowered:
        problems.append(f"script in {what}")
    for match in _URL_REF.finditer(text):
        if not match.group(2).strip().startswith("#"):
            problems.append(f"url({match.group(2).strip()[:40]}) in {what} (a reference to another file)")


def sanitize_svg(data: bytes, name: str = "SVG") -> Prepared:
    """An SVG rebuilt from allowlisted drawing elements and attributes, as a :class:`Prepared`.

    Comments, processing instructions, metadata and other namespaces' elements and attributes
    (Inkscape's, Illustrator's) are dropped. Active content is refused with a message listing
    what was found: scripts, event attributes (``onload``…), ``foreignObject``, links, animation,
    and references to anything outside the drawing (``href`` other than ``#id`` or an inline
    PNG/JPEG/GIF/WebP, ``url()`` other than ``url(#id)``, ``@import``).
    """
    from defusedxml import ElementTree as SafeET
    from defusedxml.common import DefusedXmlException

    if len(data) > MAX_SVG_BYTES:
        raise MediaError(f"{name} is {kb(len(data))}; the limit for an SVG is {kb(MAX_SVG_BYTES)}: simplify it")
    if data[:2] == b"\x1f\x8b":
        raise MediaError(f"{name} is a compressed SVG (.svgz): save it as plain SVG")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise MediaError(f"{name}: an SVG with a DTD or entities is refused (they can pull in other files); "
                         "save it without a DOCTYPE") from None
    except ET.ParseError as exc:
        raise MediaError(f"{name} is not a readable SVG: invalid XML ({exc})") from None
    if _local_name(root.tag) != (_SVG, "svg"):
        raise MediaError(f"{name} is not an SVG image (its root element is {_local_name(root.tag)[1]!r})")
    problems: list[str] = []
    clean = _clean_element(root, problems)
    if problems:
        shown = list(dict.fromkeys(problems))
        more = f" and {len(shown) - 5} more" if len(shown) > 5 else ""
        raise MediaError(f"{name} holds active content, refused: {'; '.join(shown[:5])}{more}. A figure may hold "
                         "only drawing: remove scripts, event attributes, links and references to other files")
    ET.register_namespace("", _SVG)
    ET.register_namespace("xlink", _XLINK)
    body = ET.tostring(clean, encoding="unicode", short_empty_elements=True)
    width, height = _svg_size(clean)
    size = f" {width}×{height}" if width and height else ""
    return Prepared("image/svg+xml", body.encode("utf-8"), width, height, f"SVG{size}, sanitized")


def _clean_element(element: ET.Element, problems: list[str]) -> ET.Element:
    ns, tag = _local_name(element.tag)
    out = ET.Element(element.tag)
    for key, value in element.attrib.items():
        ans, attr = _local_name(key)
        if attr.lower().startswith("on"):
            problems.append(f"an event attribute {attr}= on <{tag}>")
            continue
        if ans == _XLINK and attr == "href" or (ans == "" and attr == "href"):
            ref = value.strip()
            if ref.startswith("#") or (tag == "image" and _DATA_IMAGE.match(ref)):
                out.set(key, value)
            else:
                problems.append(f"a reference to {ref[:40]!r} on <{tag}>")
            continue
        if ans == _XML and attr in ("space", "lang"):
            out.set(key, value)
            continue
        if ans or attr not in SVG_ATTRIBUTES:
            continue  # another program's attribute (inkscape:label, data-name): dropped
        if attr == "style":
            _check_css(value, f"the style of <{tag}>", problems)
        else:
            for match in _URL_REF.finditer(value):
                if not match.group(2).strip().startswith("#"):
                    problems.append(f"url({match.group(2).strip()[:40]}) on <{tag}> (a reference to another file)")
            if "javascript:" in value.lower():
                problems.append(f"javascript: in {attr}= on <{tag}>")
        out.set(key, value)
    if tag == "style":
        _check_css(element.text or "", "a <style> element", problems)
    if tag == "image" and not any(_local_name(k)[1] == "href" for k in element.attrib):
        problems.append("an <image> without inline data")
    out.text = element.text if tag in ("style", "text", "tspan", "textPath", "title", "desc") else None
    for child in element:
        if not isinstance(child.tag, str):
            continue  # a comment or processing instruction
        cns, ctag = _local_name(child.tag)
        if cns == _SVG and ctag in SVG_ELEMENTS:
            cleaned = _clean_element(child, problems)
            cleaned.tail = child.tail if tag in ("text", "tspan", "textPath") else None
            out.append(cleaned)
        elif cns == _SVG and ctag in _ACTIVE or ctag in _ACTIVE:
            problems.append(f"a <{ctag}> element")
        elif cns == _SVG and ctag not in ("metadata",):
            problems.append(f"a <{ctag}> element (not a drawing element storymap knows)")
        # else: metadata, or another program's element: dropped
    return out


def _svg_size(root: ET.Element) -> tuple[Optional[int], Optional[int]]:
    def number(value: Optional[str]) -> Optional[float]:
        if value is None:
            return None
        match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(px)?\s*", value)
        return float(match.group(1)) if match else None

    width, height = number(root.get("width")), number(root.get("height"))
    if not (width and height) and root.get("viewBox"):
        parts = re.split(r"[\s,]+", root.get("viewBox", "").strip())
        try:
            width, height = float(parts[2]), float(parts[3])
        except (IndexError, ValueError):
            return None, None
    if width and height and width > 0 and height > 0:
        return round(width), round(height)
    return None, None


# The story's media ---------------------------------------------------------------------------

def _items(story: "StoryData") -> Iterable[tuple[int, int, "Media"]]:
    for i, step in enumerate(story.steps):
        for j, media in enumerate(step.media):
            yield i, j, media


def budget_problems(steps: Iterable[Any], image_kb: int, page_kb: int,
                    indices: Optional[Sequence[int]] = None) -> list[tuple[tuple[Any, ...], str]]:
    """Images over the per-image budget, and the story's images over the per-page budget, as
    ``(location, message)`` pairs (locations like ``("steps", 5, "media", 0, "src")``). ``indices``
    are the steps' places in story.toml where some steps are left out (the valid ones of a story
    with a broken step): a photo is then not blamed on the step before its own."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    total = 0
    sizes = []
    steps = list(steps)
    for i, step in zip(indices if indices is not None else range(len(steps)), steps):
        for j, media in enumerate(getattr(step, "media", [])):
            prepared = media.prepared
            if prepared is None:
                continue
            size = prepared.page_bytes
            total += size
            sizes.append((size, i, j))
            if size > image_kb * 1024:
                problems.append((("steps", i, "media", j, "src"), (
                    f"{media.src!r} takes {kb(size)} in the page ({prepared.note}); the limit per image is "
                    f"{image_kb:,} KB: crop it or export it smaller, or raise media_budget.image_kb in story.toml")))
    if total > page_kb * 1024:
        largest = ", ".join(f"steps[{i}].media[{j}] {kb(s)}" for s, i, j in sorted(sizes, reverse=True)[:3])
        problems.append((("media_budget", "page_kb"), (
            f"the story's images take {kb(total)} in the page (largest: {largest}); the limit for all images is "
            f"{page_kb:,} KB: use fewer or smaller images, or raise media_budget.page_kb in story.toml")))
    return problems


def prepare_media(story: "StoryData") -> list[list[dict[str, Any]]]:
    """Each step's media, ready for the page's template: ``src`` (a data URI, or the https URL of a
    remote image), ``alt``, ``credit``, ``caption_html`` (sanitized Markdown), ``width``, ``height``."""
    out = []
    for step in story.steps:
        items = []
        for media in step.media:
            prepared = media.prepared
            items.append({
                "src": prepared.data_uri if prepared else media.src,
                "remote": prepared is None,
                "alt": media.alt,
                "credit": media.credit,
                "caption_html": Markup(markdown_html(media.caption)) if media.caption else "",
                "width": prepared.width if prepared else None,
                "height": prepared.height if prepared else None,
            })
        out.append(items)
    return out


def csp_sources(story: "StoryData") -> list[str]:
    """The CSP image sources remote media need: ``https://host`` of each remote image, exactly."""
    hosts = set()
    if getattr(story, "remote_media", False):
        for _, _, media in _items(story):
            if media.prepared is None and media.src.lower().startswith("https://"):
                parts = urlsplit(media.src)
                host = (parts.hostname or "").lower()
                port = f":{parts.port}" if parts.port else ""
                if re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", host):
                    hosts.add(f"https://{host}{port}")
    return sorted(hosts)


def media_bytes(story: "StoryData") -> int:
    """What the story's inlined images add to the page, in bytes."""
    return sum(m.prepared.page_bytes for _, _, m in _items(story) if m.prepared is not None)
