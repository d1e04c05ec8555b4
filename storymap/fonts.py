"""A story's own fonts (story.toml's ``[theme] font_files``): read, checked, cut down to the
characters the page uses and inlined as WOFF2, so that a standalone page shows the newsroom's
typeface offline, under its own security policy (``font-src data:``).

A font file names its family, weight and style itself (its ``name``, ``OS/2`` and ``fvar`` tables,
read with fontTools): the story's ``font`` and ``heading_font`` lists name the family, and the
page's ``@font-face`` rules say which file is which weight and style. The subset keeps every
OpenType feature (kerning, ligatures, the joining forms of Arabic) for the characters it keeps.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import logging
import re
import struct
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any, Iterable, Optional, Union

from .errors import short_repr
from .types import FAMILY_RE, stack_families

__all__ = ["FontError", "Face", "read_faces", "page_characters", "subset", "face_rules", "fill_faces", "inlined_bytes",
           "card_files", "FACES_MARK", "MAX_FILE_BYTES"]

#: The largest font file a story may name (before it is cut down to the page's characters).
MAX_FILE_BYTES = 50 * 1024 * 1024  # (a collection of CJK fonts is 20 to 30 MB)

#: Characters storymap's script writes that the page's text may not hold: the ellipsis of a
#: shortened label, dashes and quotes, spaces, the multiplication sign and ⌘ of the map's hints,
#: arrows, bullets, the isolates around an address in a right-to-left story, the figures.
_SCRIPT_CHARACTERS = frozenset(
    "\u2026\u2013\u2014\u2018\u2019\u201c\u201d\u00a0\u2009\u202f\u00d7\u2318\u2190\u2192\u2022\u00b7"
    "\u2066\u2067\u2068\u2069\u200e\u200f0123456789")

_ESCAPE = re.compile(r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})")
_CHARACTER_REF = re.compile(r"&#(?:x([0-9a-fA-F]+)|([0-9]+));")


class FontError(ValueError):
    """A font file that cannot be read, or is not one a page can use."""


@dataclass(frozen=True)
class Face:
    """One font file of a story: its family, weight (a range for a variable font), style, and the
    file's bytes."""

    name: str  # the file as the story names it
    family: str
    weight: Union[int, tuple[int, int]]
    italic: bool
    data: bytes
    index: int = -1  # the font's in a collection, -1 for a file of one font

    @property
    def weight_css(self) -> str:
        return f"{self.weight[0]} {self.weight[1]}" if isinstance(self.weight, tuple) else str(self.weight)


def read_faces(path: Path, name: Optional[str] = None) -> tuple[Face, ...]:
    """The faces in the font file ``path``: one for a TrueType or OpenType font (bare, or as WOFF
    or WOFF2), each of a collection's (.ttc, .otc) whose family a page can name.

    Raises FontError for a file that is missing, too large, or not a font."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise FontError(f"cannot read it: {exc.strerror or exc}") from None
    if not path.is_file():
        raise FontError("is not a file")
    if stat.st_size > MAX_FILE_BYTES:
        raise FontError(f"is {stat.st_size / 1024 / 1024:.1f} MB; a font file of {MAX_FILE_BYTES // 1024 // 1024} MB "
                        "at most")
    return _read_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size, name or path.name)


@functools.lru_cache(maxsize=32)
def _read_cached(path: str, mtime_ns: int, size: int, name: str) -> tuple[Face, ...]:
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    data = Path(path).read_bytes()
    try:
        if data[:4] == b"ttcf":
            faces = []
            for index, font in enumerate(TTCollection(io.BytesIO(data), lazy=True).fonts):
                try:
                    faces.append(_face(font, data, name, index))
                except FontError:  # (a face a page cannot name or use: the others can)
                    continue
            if not faces:
                raise FontError("is a collection none of whose fonts a page can use")
            return tuple(faces)
        return (_face(TTFont(io.BytesIO(data), lazy=True), data, name, -1),)
    except FontError:
        raise
    except ImportError as exc:  # (WOFF2 needs brotli, a dependency of storymap's)
        raise FontError(f"cannot be read: {exc}") from None
    except (TTLibError, KeyError, AssertionError, ValueError, IndexError, TypeError, OSError, struct.error) as exc:
        raise FontError(f"is not a font file storymap can read (TrueType or OpenType, as .ttf, .otf, .woff, .woff2 "
                        f"or a .ttc collection): {exc}") from None


def _face(font: Any, data: bytes, name: str, index: int) -> Face:
    """The face of ``font`` (a fontTools TTFont, font ``index`` of a collection, -1 for none)."""
    names = font["name"]
    family = " ".join((names.getDebugName(16) or names.getDebugName(1) or "").split())
    os2 = font["OS/2"] if "OS/2" in font else None
    italic = bool((os2 is not None and os2.fsSelection & 1) or font["head"].macStyle & 2)
    weight: Union[int, tuple[int, int]] = int(os2.usWeightClass) if os2 is not None else 400
    if "fvar" in font:
        axes = {axis.axisTag: axis for axis in font["fvar"].axes}
        if "wght" in axes:
            weight = (int(axes["wght"].minValue), int(axes["wght"].maxValue))
    if "cmap" not in font or not font.getBestCmap():
        raise FontError("maps no characters to its glyphs (it has no usable cmap table)")
    if not family:
        raise FontError("names no family (its name table has none)")
    if not FAMILY_RE.fullmatch(family):  # (written in the page's CSS: a name and nothing else)
        raise FontError(f"names its family {short_repr(family)}, which holds characters a font-family list "
                        "cannot; rename the family with a font editor")
    if not 1 <= (weight[0] if isinstance(weight, tuple) else weight) <= 1000:
        weight = 400
    return Face(name=name, family=family, weight=weight, italic=italic, data=data, index=index)


def page_characters(html: str) -> frozenset[str]:
    """Every character the page ``html`` may show: its text and attributes (character references
    read), its scripts' data (JSON's ``\\u`` escapes read), and those storymap's script writes."""
    found = set(unescape(html))
    for match in _ESCAPE.finditer(html):
        if match.group(3):
            found.add(chr(int(match.group(3), 16)))
        else:
            high, low = int(match.group(1), 16), int(match.group(2), 16)
            found.add(chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)))
    for match in _CHARACTER_REF.finditer(html):  # (double-escaped, as in the article's noscript)
        try:
            found.add(chr(int(match.group(1), 16) if match.group(1) else int(match.group(2))))
        except (ValueError, OverflowError):
            pass
    return frozenset(c for c in found | _SCRIPT_CHARACTERS if c.isprintable() or c in "\u00a0\u200e\u200f\u2066\u2067\u2068\u2069")


def subset(face: Face, characters: Iterable[str]) -> bytes:
    """The face cut down to ``characters`` (and what shaping them needs), as WOFF2."""
    return _subset_cached(face, frozenset(characters))


@functools.lru_cache(maxsize=16)
def _subset_cached(face: Face, characters: frozenset[str]) -> bytes:
    from fontTools import subset as fontsubset
    from fontTools.ttLib import TTFont

    options = fontsubset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # (kerning, ligatures, the joining forms of Arabic...)
    options.notdef_outline = True
    options.ignore_missing_unicodes = True
    font = TTFont(io.BytesIO(face.data), fontNumber=face.index)
    subsetter = fontsubset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in characters))
    log = logging.getLogger("fontTools.subset")
    level = log.level
    log.setLevel(logging.ERROR)  # (not the tables it drops, a font editor's own among them: "FFTM NOT subset")
    try:
        subsetter.subset(font)
    finally:
        log.setLevel(level)
    out = io.BytesIO()
    fontsubset.save_font(font, out, options)
    return out.getvalue()


_INLINED = re.compile(r"@font-face\{[^}]*?src:url\(data:font/woff2;base64,([A-Za-z0-9+/=]*)\)")


def inlined_bytes(html: str) -> list[int]:
    """What each @font-face of :func:`face_rules` in ``html`` takes of it, in bytes, in order."""
    return [len(found.group(1)) for found in _INLINED.finditer(html)]


#: Where a page's @font-face rules go in its style until its text is known (:func:`fill_faces`).
FACES_MARK = "/*storymap:font-faces*/"


def fill_faces(html: str, faces: Iterable[Face]) -> str:
    """``html`` with its :data:`FACES_MARK` replaced by the rules of ``faces``, each cut down to the
    characters ``html`` holds."""
    return html.replace(FACES_MARK, face_rules(faces, page_characters(html)), 1)


def face_rules(faces: Iterable[Face], characters: Iterable[str]) -> str:
    """The ``@font-face`` rules of ``faces``, each its subset to ``characters`` inlined as a data
    URL. ``font-display: swap``: the text shows at once in the next font of the list, then in this
    one (the map's labels are measured again when it comes)."""
    keep = frozenset(characters)
    rules = []
    for face in faces:
        data = base64.b64encode(subset(face, keep)).decode("ascii")
        rules.append(f'@font-face{{font-family:"{face.family}";src:url(data:font/woff2;base64,{data}) '
                     f'format("woff2");font-weight:{face.weight_css};font-style:{"italic" if face.italic else "normal"};'
                     "font-display:swap}")
    return "".join(rules)


def card_files(theme: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The theme's font files as the social card draws with them (Pillow reads TrueType and
    OpenType files): ``(the titles', the text's)``, each the faces of its list's families in the
    list's order (the titles' followed by the text's)."""
    def files(names: list[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_card_path(face) for family in names for face in theme.faces
                                   if face.family.lower() == family))

    text = stack_families(theme.font)
    return files(stack_families(theme.heading_font) + text), files(text)


@functools.lru_cache(maxsize=1)
def _card_folder() -> Path:
    """A folder of this process's own for the card's font files, removed when it ends."""
    import atexit
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="storymap-fonts-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


@functools.lru_cache(maxsize=32)
def _card_path(face: Face) -> str:
    """A TrueType or OpenType file of ``face`` alone (a WOFF or WOFF2 file unpacked, a collection's
    font taken out of it), written once in :func:`_card_folder`."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(face.data), fontNumber=face.index)
    font.flavor = None
    out = io.BytesIO()
    font.save(out)
    data = out.getvalue()
    path = _card_folder() / f"{hashlib.sha256(data).hexdigest()[:24]}.{'otf' if 'CFF ' in font else 'ttf'}"
    path.write_bytes(data)
    return str(path)
