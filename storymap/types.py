"""Reusable constrained types for the story models."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, Collection, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from .errors import did_you_mean, short_repr

__all__ = [
    "Identifier", "NonEmptyText", "HttpUrl", "Origin", "Language", "LocationPrecision", "Layout", "Zoom", "Color",
    "GeometryFamily", "Symbol", "DashPattern", "InterfaceTexts", "COLOR_RE", "CSS_NAMES", "is_css_color", "color_error",
    "FontStack", "GENERIC_FONTS", "FAMILY_RE", "font_stack", "stack_families", "ascii_id", "in_scripts", "id_problem",
]

# Matched in full (``fullmatch``): with ``match``, ``$`` would also match before a final newline,
# and an id "old-harbour\n" would pass, then break the page's selectors and URL hash. (The anchors
# stay for the JSON Schema, which takes these patterns as they are.)
_ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def ascii_id(text: str) -> str:
    """``text`` as an id's letters: in Latin letters (accents dropped, other scripts transliterated:
    ``Muçum`` → ``mucum``, ``Москва`` → ``moskva``), lowercase, runs of anything else one dash ('' if
    nothing is left)."""
    from anyascii import anyascii

    return re.sub(r"[^a-z0-9]+", "-", anyascii(unicodedata.normalize("NFC", text)).lower()).strip("-")


#: The scripts whose letters :func:`ascii_id` writes as Latin ones a reader still knows the word by.
_READABLE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "GEORGIAN"})


def in_scripts(text: str, scripts: Collection[str] = _READABLE_SCRIPTS) -> bool:
    """Whether every letter of ``text`` is of one of ``scripts`` (Unicode's names for them: ``LATIN``),
    by default those :func:`ascii_id` writes readably: Latin with its accents (``Muçum`` → ``mucum``),
    Cyrillic (``Москва`` → ``moskva``), Greek, Armenian and Georgian. Not Han or kana (``東京駅`` →
    ``dongjingyi``, a Mandarin reading of Japanese), nor an abjad such as Arabic or Hebrew, whose
    vowels go unwritten (``ميناء-جدة`` → ``myn-jdh``), nor the other scripts whose letters, written
    one by one in Latin ones, lose the word."""
    return all(any(word in scripts for word in unicodedata.name(c, "").split()[:2]) for c in text if c.isalpha())


def id_problem(value: str, example: str | None = None, source: str = "") -> str:
    """Why ``value`` is not an id, with one to write: written in Latin letters where that reads as the
    word (``'muçum'``: did you mean ``'mucum'``?); for a script where it does not (see
    :func:`in_scripts`), what an id holds and ``example`` (made ``source``: ``from its name in
    English``), or a general one."""
    if in_scripts(value):
        close = ascii_id(value)[:64].strip("-")
        hint = f"; did you mean {close!r}?" if close != value and _ID_RE.fullmatch(close) else ""
        return (f"{short_repr(value)} is not a valid id: an id is written with a-z, 0-9 and dashes only, no accents, "
                f"capitals or spaces (1-64 characters, e.g. 'old-harbour'){hint}")
    given = f"e.g. {example or 'old-harbour'!r}" + (f" ({source})" if source else "")
    return (f"{short_repr(value)} is not a valid id: an id is written with a-z, 0-9 and dashes only (1-64 "
            "characters), whatever the story's language (its names and titles stay as written); a letter-by-letter "
            "transliteration of this one would mislead a reader, so write one from an English or other Latin-script "
            f"name: {given}")


def _check_identifier(value: str) -> str:
    if not _ID_RE.fullmatch(value):
        raise ValueError(id_problem(value))
    return value


def _check_text(value: str) -> str:
    text = value.strip()
    if not text:
        raise ValueError(f"blank: {short_repr(value)} is " + ("whitespace only" if value else "empty")
                         + "; it needs some text")
    return text


_URL_RE = re.compile(r"https?://[^\s\x00-\x1f\x7f/$.?#][^\s\x00-\x1f\x7f]*", re.IGNORECASE)


def _check_url(value: str) -> str:
    if not _URL_RE.fullmatch(value):
        # (An address copied without its scheme, as browsers show it: www.example.org/page.)
        bare = "://" not in value and _URL_RE.fullmatch("https://" + value) and "." in value.split("/")[0]
        hint = f"; did you mean {'https://' + value!r}?" if bare else ""
        raise ValueError(f"{short_repr(value)} is not an http(s) URL{hint}")
    return value


_ORIGIN_RE = re.compile(r"https?://(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*)"
                        r"(:[0-9]{1,5})?")


def _check_origin(value: str) -> str:
    if not _ORIGIN_RE.fullmatch(value):
        hint = ""
        if re.match(r"(?i)https?://[^/]+/", value):
            hint = f"; an origin has no path: {value.split('/', 3)[0]}//{value.split('/', 3)[2]}"
        elif value != value.lower():
            hint = f"; origins are lowercase: {value.lower()!r}"
        raise ValueError(f"{short_repr(value)} is not a web origin (scheme://host[:port], e.g. "
                         f"'https://news.example'){hint}")
    return value


_LANG_RE = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")


def _check_language(value: str) -> str:
    if not _LANG_RE.fullmatch(value):
        raise ValueError(f"{short_repr(value)} is not a language tag; expected e.g. 'en', 'es' or 'pt-BR'")
    return value


#: A stable, URL-safe id for a place or a step (used in the page's URL hash).
Identifier = Annotated[str, AfterValidator(_check_identifier)]
#: Text that must say something (kept stripped of surrounding whitespace).
NonEmptyText = Annotated[str, AfterValidator(_check_text)]
#: An absolute http(s) URL, kept as the string given.
HttpUrl = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_check_url)]
#: A web origin, ``https://news.example`` (scheme, host, optional port; no path).
Origin = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_check_origin)]
#: A BCP 47 language tag (the page's ``lang``).
Language = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_check_language)]
#: How well a place's position is known.
LocationPrecision = Literal["exact", "approximate", "schematic", "unpublished"]
#: How the story is laid out on the page.
Layout = Literal["slides", "scroll"]
#: A zoom level Leaflet accepts.
Zoom = Annotated[float, Field(ge=0, le=22)]

#: A CSS color: hex, a name, rgb()/hsl().
COLOR_RE = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,30}|(rgb|hsl)a?\([0-9\s.,%a-z]{1,60}\))$")
#: The colours CSS knows by name (CSS Color 4), and ``transparent``: a browser ignores any other
#: word, and a canvas then draws in the colour it drew before.
CSS_NAMES = frozenset("""
    aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown
    burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue
    darkcyan darkgoldenrod darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange
    darkorchid darkred darksalmon darkseagreen darkslateblue darkslategray darkslategrey darkturquoise
    darkviolet deeppink deepskyblue dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia
    gainsboro ghostwhite gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo
    ivory khaki lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan
    lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen lightskyblue
    lightslategray lightslategrey lightsteelblue lightyellow lime limegreen linen magenta maroon
    mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen mediumslateblue
    mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream mistyrose moccasin
    navajowhite navy oldlace olive olivedrab orange orangered orchid palegoldenrod palegreen
    paleturquoise palevioletred papayawhip peachpuff peru pink plum powderblue purple rebeccapurple red
    rosybrown royalblue saddlebrown salmon sandybrown seagreen seashell sienna silver skyblue slateblue
    slategray slategrey snow springgreen steelblue tan teal thistle tomato transparent turquoise violet
    wheat white whitesmoke yellow yellowgreen
""".split())


def is_css_color(value: Any) -> bool:
    """Whether ``value`` is a colour a browser draws: ``#rgb``, ``#rgba``, ``#rrggbb``,
    ``#rrggbbaa``, ``rgb()``/``hsl()`` (with or without ``a``), or one of :data:`CSS_NAMES`."""
    if not isinstance(value, str) or not COLOR_RE.match(value.strip()):
        return False
    text = value.strip()
    if text.startswith("#"):
        return len(text) - 1 in (3, 4, 6, 8)
    return "(" in text or text.lower() in CSS_NAMES


def color_error(value: Any) -> str:
    """Why ``value`` is not a CSS colour, with the closest colour name for a misspelt one."""
    close = did_you_mean(value.strip().lower(), sorted(CSS_NAMES)) if isinstance(value, str) else None
    hint = f"; did you mean {close!r}?" if close else ""
    return f"{short_repr(value)} is not a CSS color{hint} (e.g. '#0072b2', 'teal', 'rgb(0, 114, 178)')"


#: Colour words of other languages (Portuguese, Spanish, French, German, Italian) and the CSS name
#: meant: a reporter writes the colour in their own language, and a browser draws an unknown one black.
_COLOUR_WORDS = {
    **dict.fromkeys(("azul", "bleu", "blau", "blu"), "blue"),
    **dict.fromkeys(("vermelho", "rojo", "rouge", "rot", "rosso"), "red"),
    **dict.fromkeys(("verde", "vert", "grün", "gruen"), "green"),
    **dict.fromkeys(("amarelo", "amarillo", "jaune", "gelb", "giallo"), "yellow"),
    **dict.fromkeys(("roxo", "morado", "lila", "viola"), "purple"),
    **dict.fromkeys(("laranja", "naranja", "arancione"), "orange"),
    **dict.fromkeys(("preto", "negro", "noir", "schwarz", "nero"), "black"),
    **dict.fromkeys(("branco", "blanco", "blanc", "weiss", "weiß", "bianco"), "white"),
    **dict.fromkeys(("cinza", "cinzento", "gris", "grau", "grigio"), "gray"),
    **dict.fromkeys(("rosa", "rose"), "pink"),
    **dict.fromkeys(("marrom", "castanho", "marrón", "marron", "braun", "marrone"), "brown"),
}


def _check_color(value: str) -> str:
    if is_css_color(value):
        return value
    # A hex colour copied without its '#' (as colour pickers show it), a name in another language
    # ('bleu', which a browser ignores: the place drawn black): say what was meant.
    if not COLOR_RE.fullmatch(value) and is_css_color(f"#{value}"):
        raise ValueError(f"{short_repr(value)} is not a CSS color (e.g. '#0072b2', 'teal', 'rgb(0, 114, 178)'); "
                         f"did you mean {'#' + value!r}?")
    if value.isalpha():
        meant = _COLOUR_WORDS.get(value.lower()) or did_you_mean(value.lower(), sorted(CSS_NAMES), cutoff=75)
        hint = f"; did you mean {meant!r}?" if meant else ""
        raise ValueError(f"{short_repr(value)} is not a CSS color: colour names are CSS's, in English ('blue', "
                         f"'teal', 'darkred'), or write '#0072b2' or 'rgb(0, 114, 178)'{hint}")
    raise ValueError(color_error(value))


#: A CSS colour: ``#rgb``, ``#rrggbb(aa)``, a colour name, ``rgb()``/``hsl()``.
Color = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_check_color)]
#: CSS's generic font families: written unquoted in a stack (quoted, "serif" is a font of that name).
GENERIC_FONTS = frozenset({"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "ui-serif",
                           "ui-sans-serif", "ui-monospace", "ui-rounded", "math", "emoji", "fangsong"})
# A family's name: letters and digits of any script, spaces, dashes, underscores and dots. Nothing
# that could end the CSS string it is written in, or the rule, or the <style> element.
FAMILY_RE = re.compile(r"[\w][\w .-]{0,62}")


def font_stack(value: str) -> str:
    """A CSS font-family list, checked and written back canonically: each family quoted but CSS's
    generic ones (``'Source Serif 4', Georgia, serif`` -> ``"Source Serif 4", "Georgia", serif``).
    Raises ValueError for anything else (a rule's ``;`` or ``}``, a URL, an empty family)."""
    families = []
    for part in value.split(","):
        name = part.strip()
        quoted = len(name) >= 2 and name[0] == name[-1] and name[0] in "'\""
        if quoted:
            name = name[1:-1].strip()
        name = " ".join(name.split())
        if not FAMILY_RE.fullmatch(name):
            raise ValueError(f"{short_repr(part.strip())} is not a font family's name; write a font-family list "
                             "of names (letters, digits, spaces, dashes, dots), e.g. '\"Source Serif 4\", Georgia, "
                             "serif'")
        families.append(name if not quoted and name.lower() in GENERIC_FONTS else f'"{name}"')
    if len(families) > 12:
        raise ValueError(f"{len(families)} font families; a stack of 12 at most is plenty")
    return ", ".join(families)


def stack_families(stack: str | None) -> list[str]:
    """The families of a list :func:`font_stack` wrote, unquoted and in lower case, in order."""
    return [family.strip('"').lower() for family in stack.split(", ")] if stack else []


#: A CSS font-family list (see :func:`font_stack`).
FontStack = Annotated[str, AfterValidator(font_stack)]
#: How a kind of place is drawn: as points, lines or areas.
GeometryFamily = Literal["point", "line", "area"]
#: The symbol a point kind is drawn with.
Symbol = Literal["circle", "square", "diamond", "triangle", "star"]
#: A dash pattern, as SVG's ``stroke-dasharray``: dash and gap lengths in pixels.
DashPattern = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]+(\.[0-9]+)?([ ,]+[0-9]+(\.[0-9]+)?){0,7}$")]


def _interface_texts(value: Any) -> Any:
    from .i18n import check_interface

    return check_interface(value)


class _InterfaceSchema:
    """The JSON Schema of ``[interface]``: each key English has, with its English text, and no other;
    quoted (``"nav.next" = "…"``, what editors complete) or not (``nav.next = "…"``, which TOML reads
    as a table ``nav`` holding ``next``, and validation takes as the same key)."""

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        from .i18n import english

        def table(texts: dict[str, str]) -> dict[str, Any]:
            out = {key: {"type": "string", "description": f"English: {text}"} for key, text in texts.items()}
            inner: dict[str, dict[str, str]] = {}
            for key, text in texts.items():
                head, dot, rest = key.partition(".")
                if dot:
                    inner.setdefault(head, {})[rest] = text
            out.update({head: table(rest) for head, rest in inner.items() if head not in out})
            return {"type": "object", "additionalProperties": False, "properties": out}

        return table(dict(english()))


#: A story's own interface texts in one language (``[interface]``: ``"nav.next" = "次へ"``), over
#: storymap's catalogue for it: see :func:`storymap.i18n.check_interface`.
InterfaceTexts = Annotated[dict[str, str], BeforeValidator(_interface_texts), _InterfaceSchema()]
