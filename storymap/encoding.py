"""One compact coordinate encoding for everything the page draws from data.

Coordinates become integers in ``1/scale`` degree (:func:`quantize`), and each vertex is stored
as its difference from the one before (:func:`deltas`): nearby vertices give short numbers, so
the JSON is small. A family of geometries is one flat ``xy`` array plus counts:

* points: ``{"xy": [...]}``, one vertex per point;
* lines: ``{"xy": [...], "parts": [n, ...]}``, vertices per line;
* polygons: ``{"xy": [...], "rings": [n, ...], "polys": [k, ...]}``, vertices per ring (a ring's
  closing vertex is not stored: the path closes it) and rings per polygon, exterior first.

Vertices that quantize onto the one before are dropped, then lines of fewer than 2 vertices,
rings of fewer than 3 and polygons whose exterior went are dropped. Each ``encode_*`` function
also returns which of its inputs it kept, so a caller can carry per-feature data along.

With ``text=True`` every integer array is written as a string instead (:func:`pack`: a variable
number of characters per integer, like Google's polyline encoding but with 88 characters, none
that JSON or an inline script must escape): less than half the bytes of a JSON list of the same
numbers, and faster for the browser to read. ``static/storymap.js`` (``L.storymap.util.unpack``)
decodes both forms.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
import shapely

__all__ = ["whole", "quantize", "deltas", "pack", "pack_rows", "unpack", "encode_points", "encode_lines", "encode_polygons", "decode"]

#: pack()'s characters: "#" … "~" but "&", "<", ">" and "\\" (which an inline script's JSON escapes,
#: 2 to 6 bytes each): 88 of them. A number is written lowest digit first: while it is
#: _TERMINAL or more, a digit in base _CONTINUE (its remainder) as the character _TERMINAL + digit,
#: then what is left (under _TERMINAL) as its last character. 62 and 26 made the example story's
#: page the smallest (a basemap's differences between vertices are mostly under 31 units either way).
_ALPHABET = np.array([c for c in range(35, 127) if chr(c) not in "&<>\\"], dtype=np.uint8)
_TERMINAL = 62
_CONTINUE = len(_ALPHABET) - _TERMINAL
_DIGIT = {chr(c): k for k, c in enumerate(_ALPHABET.tolist())}


def whole(value: Any) -> Any:
    """``value``, a float with no fraction as an int (JSON ``8``, not ``8.0``); anything else as it is."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def quantize(coords: np.ndarray, scale: int) -> np.ndarray:
    """``(n, 2)`` float degrees → ``(n, 2)`` int64 in ``1/scale`` degree (rounded)."""
    return np.rint(np.asarray(coords, dtype=float)[:, :2] * scale).astype(np.int64)


def deltas(q: np.ndarray) -> list[int]:
    """Flat ``[x0, y0, x1 - x0, y1 - y0, ...]`` of quantized vertices (the first from 0, 0)."""
    if not len(q):
        return []
    return np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel().tolist()


def pack(values: Any) -> str:
    """Integers as text: each zigzag-encoded (0, -1, 1, -2 … → 0, 1, 2, 3 …), then written lowest
    digit first (see ``_ALPHABET``): under 62 in one character, under 1,612 in two."""
    return _pack(np.asarray(values, dtype=np.int64).ravel())[0]


def pack_rows(values: Any) -> list[str]:
    """Each row of a 2-D integer array packed on its own (:func:`pack`), all in one pass."""
    v = np.asarray(values, dtype=np.int64)
    text, length = _pack(v.ravel())
    ends = np.cumsum(length.reshape(v.shape).sum(axis=1)).tolist()
    return [text[a:b] for a, b in zip([0] + ends[:-1], ends)]


def _pack(v: np.ndarray) -> tuple[str, np.ndarray]:
    """:func:`pack`'s text and the number of characters of each integer."""
    if not len(v):
        return "", np.zeros(0, dtype=np.int64)
    z = ((v << 1) ^ (v >> 63)).astype(np.uint64)
    terminal, base = np.uint64(_TERMINAL), np.uint64(_CONTINUE)
    length, rest = np.ones(len(z), dtype=np.int64), z
    while (more := rest >= terminal).any():
        length += more
        rest = np.where(more, rest // base, rest)
    chunk = np.arange(int(length.max()))
    codes, rest = np.zeros((len(z), len(chunk)), dtype=np.int64), z
    for j in chunk:
        last = length - 1 == j
        codes[:, j] = np.where(last, rest, (rest % base) + terminal).astype(np.int64)
        rest = np.where(last, rest, rest // base)
    return _ALPHABET[codes[chunk[None, :] < length[:, None]]].tobytes().decode("ascii"), length


def unpack(text: str) -> list[int]:
    """The integers of :func:`pack`."""
    out, value, factor = [], 0, 1
    for char in text:
        digit = _DIGIT[char]
        if digit >= _TERMINAL:
            value += (digit - _TERMINAL) * factor
            factor *= _CONTINUE
            continue
        value += digit * factor
        out.append(-((value + 1) >> 1) if value & 1 else value >> 1)
        value, factor = 0, 1
    return out


def _ints(values: Any, text: bool) -> Any:
    return pack(values) if text else [int(v) for v in values]


def _runs(q: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Mask keeping each vertex that differs from the one before it in the same part."""
    keep = np.ones(len(q), dtype=bool)
    if len(q) > 1:
        keep[1:] = (q[1:] != q[:-1]).any(axis=1) | (owner[1:] != owner[:-1])
    return keep


def _bends(q: np.ndarray, owner: np.ndarray, closed: bool) -> np.ndarray:
    """Mask keeping each vertex at which its part turns (and a line's two ends): a vertex on the
    straight line from the one before it to the one after it, going on the same way, draws nothing
    (the basemap's cuts along its zones' edges leave such vertices). ``closed``: each part is a
    ring, its last vertex before its first."""
    n = len(q)
    keep = np.ones(n, dtype=bool)
    if n < 3:
        return keep
    start = np.ones(n, dtype=bool)
    start[1:] = owner[1:] != owner[:-1]
    end = np.ones(n, dtype=bool)
    end[:-1] = start[1:]
    before, after = np.arange(n) - 1, np.arange(n) + 1
    before[start], after[end] = np.flatnonzero(end), np.flatnonzero(start)
    u, v = q - q[before], q[after] - q
    straight = (u[:, 0] * v[:, 1] == u[:, 1] * v[:, 0]) & ((u * v).sum(axis=1) > 0)
    if not closed:
        straight &= ~start & ~end
    keep[straight] = False
    return keep


def _kept(q: np.ndarray, owner: np.ndarray, closed: bool) -> np.ndarray:
    """Mask of the vertices worth drawing: none repeating the one before it, none on a straight run."""
    keep = _runs(q, owner)
    at = np.flatnonzero(keep)
    keep[at] = _bends(q[at], owner[at], closed)
    return keep


def encode_points(points: np.ndarray, scale: int, *, text: bool = False) -> dict[str, Any]:
    """Points (or any geometries: all their vertices) as ``{"xy"}``, in the given order."""
    return {"xy": _ints(deltas(quantize(shapely.get_coordinates(np.asarray(points, dtype=object)), scale)), text)}


def encode_lines(lines: np.ndarray, scale: int, *, text: bool = False) -> tuple[Optional[dict[str, Any]], np.ndarray]:
    """LineStrings (or LinearRings) as ``{"xy", "parts"}``, and the mask of lines kept.

    Returns ``(None, mask)`` when no line is left.
    """
    lines = np.asarray(lines, dtype=object)
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    q = quantize(coords, scale) if len(coords) else np.zeros((0, 2), dtype=np.int64)
    keep = _kept(q, owner, closed=False)
    counts = np.bincount(owner[keep], minlength=len(lines))
    good = counts >= 2
    if not good.any():
        return None, good
    keep &= good[owner]
    return {"xy": _ints(deltas(q[keep]), text), "parts": _ints(counts[good], text)}, good


def encode_polygons(polys: np.ndarray, scale: int, *, text: bool = False) -> tuple[Optional[dict[str, Any]], np.ndarray]:
    """Polygons as ``{"xy", "rings", "polys"}``, and the mask of polygons kept.

    Exteriors are counter-clockwise and holes clockwise where shapely can orient them.
    Returns ``(None, mask)`` when no polygon is left.
    """
    polys = np.asarray(polys, dtype=object)
    if hasattr(shapely, "orient_polygons"):  # shapely >= 2.1
        polys = shapely.orient_polygons(polys)
    rings, poly_of_ring = shapely.get_rings(polys, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    closing = np.ones(len(coords), dtype=bool)  # each ring's last vertex repeats its first
    closing[:-1] = ring_of[1:] != ring_of[:-1]
    coords, ring_of = coords[~closing], ring_of[~closing]
    q = quantize(coords, scale) if len(coords) else np.zeros((0, 2), dtype=np.int64)
    keep = _kept(q, ring_of, closed=True)
    counts = np.bincount(ring_of[keep], minlength=len(rings))
    good_ring = counts >= 3
    first = np.ones(len(rings), dtype=bool)
    first[1:] = poly_of_ring[1:] != poly_of_ring[:-1]
    good_poly = np.zeros(len(polys), dtype=bool)
    good_poly[poly_of_ring[first & good_ring]] = True  # a polygon lives while its exterior does
    if not good_poly.any():
        return None, good_poly
    good_ring &= good_poly[poly_of_ring]
    keep &= good_ring[ring_of]
    per_poly = np.bincount(poly_of_ring[good_ring], minlength=len(polys))[good_poly]
    return ({"xy": _ints(deltas(q[keep]), text), "rings": _ints(counts[good_ring], text),
             "polys": _ints(per_poly, text)}, good_poly)


def decode(packed: dict[str, Any], scale: int) -> list[Any]:
    """The inverse, for tests and tools: ``[(x, y), ...]`` per point, per line, or
    ``[[ring, ...], ...]`` per polygon (rings unclosed), in degrees."""
    packed = {k: unpack(v) if isinstance(v, str) else v for k, v in packed.items()}
    xy = np.cumsum(np.asarray(packed.get("xy", []), dtype=np.int64).reshape(-1, 2), axis=0) / scale
    vertices = [tuple(v) for v in xy.tolist()]
    if "rings" in packed:
        rings, at = [], 0
        for n in packed["rings"]:
            rings.append(vertices[at:at + n])
            at += n
        polys, at = [], 0
        for k in packed["polys"]:
            polys.append(rings[at:at + k])
            at += k
        return polys
    if "parts" in packed:
        lines, at = [], 0
        for n in packed["parts"]:
            lines.append(vertices[at:at + n])
            at += n
        return lines
    return vertices
