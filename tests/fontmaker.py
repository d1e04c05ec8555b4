"""Small fonts made for the tests with fontTools' FontBuilder: a family of boxes, every glyph an
outlined rectangle of one advance width (wide enough that text set in it measures unlike any
fallback font)."""

from __future__ import annotations

import io

#: What the test fonts cover: printable ASCII, Latin-1's letters, and a few marks storymap writes.
CHARACTERS = list(dict.fromkeys([chr(c) for c in range(0x20, 0x7F)] + [chr(c) for c in range(0xA0, 0x180)] + list("–—‘’“”…·•×")))


def box_font(family: str, *, weight: int = 400, italic: bool = False, advance: int = 900,
             characters: list[str] = CHARACTERS, flavor: str | None = None) -> bytes:
    """A TrueType font of ``family`` (as ``flavor`` "woff2" or "woff", if given) whose every glyph
    but the space is a box ``advance`` units wide on a 1000-unit em."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    def box(width: int):
        pen = TTGlyphPen(None)
        if width:
            pen.moveTo((50, 0))
            pen.lineTo((50, 700))
            pen.lineTo((width - 50, 700))
            pen.lineTo((width - 50, 0))
            pen.closePath()
        return pen.glyph()

    characters = list(dict.fromkeys(characters))
    names = [".notdef"] + [f"u{ord(c):04X}" for c in characters]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(c): f"u{ord(c):04X}" for c in characters})
    builder.setupGlyf({name: box(0 if name == "u0020" else advance) for name in names})
    builder.setupHorizontalMetrics({name: (advance if name != "u0020" else advance // 2, 50) for name in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    style = ("Bold " if weight >= 700 else "") + ("Italic" if italic else "") or "Regular"
    builder.setupNameTable({"familyName": family, "styleName": style.strip()})
    builder.setupOS2(usWeightClass=weight, fsSelection=(1 if italic else 0) | (0x40 if not italic and weight < 700 else 0),
                     sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    builder.font["head"].macStyle = (1 if weight >= 700 else 0) | (2 if italic else 0)
    out = io.BytesIO()
    if flavor:
        builder.font.flavor = flavor
    builder.save(out)
    return out.getvalue()


def box_collection(families: list[str], **kwargs) -> bytes:
    """A font collection (.ttc) of a box font of each of ``families``."""
    from fontTools.ttLib import TTCollection, TTFont

    collection = TTCollection()
    collection.fonts = [TTFont(io.BytesIO(box_font(family, **kwargs))) for family in families]
    out = io.BytesIO()
    collection.save(out)
    return out.getvalue()
