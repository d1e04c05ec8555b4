"""The story beyond a browser with JavaScript: link previews, no-JS readers, print, pictures.

- :func:`meta_tags`: Open Graph and Twitter card ``<meta>`` for the page's ``<head>``.
- :func:`social_card`: the 1200×630 PNG those tags point to (title, dek and the first step's
  map), drawn with Pillow from the embedded basemap's land and the step's places: no browser.
- :func:`noscript_article`: the whole story as a ``<noscript>`` article (every step's title,
  narrative, media alt and credit, its places with their sources).
- :func:`render_steps`: a PNG of every step as a reader sees it, and a PDF handout, drawn by
  headless Chromium through Playwright (the optional ``storymap[render]`` extra).

Print needs no code here: ``@media print`` in storymap.css lays the live page out as an article,
and ``static/print.js`` refits the map to its printed size.
"""

from __future__ import annotations

import base64
import html as _html
import io
import math
import os
import re
import unicodedata
import warnings
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence
from urllib.parse import quote, urljoin, urlsplit

import jinja2
import jinja2.ext
import shapely
from markupsafe import Markup

from . import fonts
from .files import names_folder
from .geometry import bounds_union, mercator, shift_into, unmercator
from .i18n import catalogue, dir_attribute, direction, match_language, own_interface, places_shown, text as ui_text
from .models import THEME_DEFAULTS
from .dates import span_label
from .text import markdown_html
from .tiles import MAP_MAX_ZOOM

if TYPE_CHECKING:
    from .models import StoryData

__all__ = [
    "SOCIAL_IMAGE", "SOCIAL_SIZE", "social_image", "page_url", "og_locale", "meta_tags", "description", "social_card", "write_social_card",
    "noscript_article", "RenderUnavailable", "render_steps", "find_chromium", "INSTALL_HINT",
]

#: The social card's file name, beside the page, and its size (Open Graph's recommended 1.91:1).
SOCIAL_IMAGE = "social.png"
SOCIAL_SIZE = (1200, 630)


def social_image(story_lang: str, lang: Optional[str] = None, page: Optional[str] = None) -> str:
    """The social card's file name for a page in ``lang`` of a story written in ``story_lang``:
    :data:`SOCIAL_IMAGE` in the story's own language, ``social.<lang>.png`` in another (pages of
    several languages built into one folder each keep their own card). A page whose file name
    (``page``) is not ``index.html`` nor its language's (``es.html``) puts its name first
    (``ports.html``: ``ports.social.png``; ``ports.es.html`` in Spanish: ``ports.social.es.png``), so
    that two stories built into one folder do not share, and overwrite, one card."""
    tag = lang if lang and lang != story_lang else ""
    stem = Path(page).stem if page else ""
    if tag and stem.lower().endswith("." + tag.lower()):
        stem = stem[:-len(tag) - 1]
    named = f"{stem}." if stem.lower() not in ("", "index", (tag or story_lang).lower()) else ""
    return f"{named}social.{tag}.png" if tag else f"{named}{SOCIAL_IMAGE}"

class _JoinedLines(jinja2.ext.Extension):
    """The <noscript> article's template without its own line breaks between tags: a line there
    ends with a tag and the next starts with one, between blocks, where a break shows nothing (and
    travels in every page). The texts put in it are not touched."""

    def preprocess(self, source: str, name: Optional[str], filename: Optional[str] = None) -> str:
        return re.sub(r"(?<=>)\n(?=<|\{%)", "", source) if name == "article.html" else source


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("storymap", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=[_JoinedLines],
)
_ENV.filters["dir"] = dir_attribute
_ENV.filters["direction"] = direction


def _data(story: Any) -> "StoryData":
    """A :class:`StoryData` from a Story or a StoryData."""
    return getattr(story, "data", story)


def _plain(markdown: str) -> str:
    """Markdown as one line of plain text."""
    text = re.sub(r"<[^>]+>", " ", markdown_html(markdown))
    return re.sub(r"\s+", " ", _html.unescape(text)).strip()


def _shorten(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters: cut at a space in its second half, else (a text
    without spaces: Japanese, Thai) between two letters, never inside one (see :func:`_joined`)."""
    if len(text) <= limit:
        return text
    end = limit - 1
    while end > 1 and _joined(text, end):
        end -= 1
    cut = text[:end]
    cut = cut[: cut.rfind(" ")] if " " in cut[limit // 2:] else cut
    return cut.rstrip(" ,;:–-") + "…"


def description(story: Any, limit: int = 300) -> str:
    """The story in a sentence or two: its dek, or the start of its first step's narrative."""
    data = _data(story)
    return _shorten(data.subtitle.strip() or _plain(data.steps[0].narrative) or data.title, limit)


def _step_description(data: "StoryData", step: Any, lang: Optional[str] = None) -> str:
    lang = lang or data.lang
    if step.description:
        return step.description
    return places_shown(catalogue(lang, own_interface(data, lang)), [data.place(pid).name for pid in step.places])


def _absolute(base_url: Optional[str], name: str) -> str:
    """``name`` resolved against the page's URL (a folder URL, or the page itself)."""
    if not base_url:
        return name
    parts = urlsplit(base_url)
    base = base_url
    last = parts.path.rsplit("/", 1)[-1]
    if not parts.path.endswith("/") and "." not in last:
        base = base_url.split("?", 1)[0].split("#", 1)[0] + "/"
    return urljoin(base, name)


def _names_page(base_url: str) -> bool:
    """Whether ``base_url`` names a page (its last segment has a dot: ``…/harbours.html``) rather
    than the folder the page is published in."""
    path = urlsplit(base_url).path
    return not path.endswith("/") and "." in path.rsplit("/", 1)[-1]


def page_url(base_url: Optional[str], *, own: bool = True, page: Optional[str] = None) -> Optional[str]:
    """The address of a page of the story (its ``og:url`` and canonical link), or None.

    ``base_url`` is where the story's page is published: a folder (``…/harbours/``), or the page
    itself (``…/harbours.html``). ``page`` is the page's file name when known (``Story.save``);
    ``own`` whether the page opens in the story's own language. The pages of a story live in
    ``base_url``'s folder: a page saved as ``es.html`` is that folder's ``es.html``, one saved as
    ``index.html`` the folder itself. Where ``base_url`` names the page itself, it is the address
    of the page in the story's own language whatever its file name. A page in another language
    whose file name is not known has no address to claim (None): not the story's own page's, which
    would make search engines drop it as a duplicate.
    """
    if not base_url:
        return None
    name = quote(page) if page else None  # (a file name is a path segment: "es #2.html" is not es + a fragment)
    if _names_page(base_url):
        return base_url if own else (_absolute(base_url, name) if name else None)
    if name is None or name == "index.html":
        return base_url if own or name else None
    return _absolute(base_url, name)


def og_locale(lang: str) -> Optional[str]:
    """Open Graph's ``og:locale`` (``language_TERRITORY``) for a BCP 47 tag: its own region
    (``pt-BR`` → ``pt_BR``), else the territory CLDR finds likeliest (``es`` → ``es_ES``), and
    ``es_LA`` for Latin American Spanish (``es-419``); None when there is none."""
    from babel.core import get_global

    parts = lang.replace("_", "-").split("-")
    language = parts[0].lower()
    if language in ("und", "mul", "zxx", "mis"):  # (ISO 639's codes for no one language)
        return None
    region = next((p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()), None)
    if region is None and language == "es" and "419" in parts[1:]:
        return "es_LA"  # (Latin American Spanish: Facebook's locale for it, not Spain's es_ES)
    if region is None:  # (a language alone, or a region that is no country, such as 150, Europe)
        likely = get_global("likely_subtags")
        script = next((p.title() for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
        found = (likely.get(f"{language}_{script}") if script else None) or likely.get(language) or ""
        region = next((p for p in found.split("_")[1:] if len(p) == 2 and p.isupper()), None)
    return f"{language}_{region}" if region else None


def meta_tags(story: Any, *, image: Optional[str] = None, lang: Optional[str] = None,
              own_lang: Optional[str] = None, page: Optional[str] = None) -> Markup:
    """The social card's ``<meta>`` tags (Open Graph and Twitter) and the page's description.

    ``og:image`` names the page's card beside it (:func:`social_image`: ``social.png`` in the
    story's own language ``own_lang``, default the story's ``lang``; ``social.es.png`` for a page in
    Spanish); with the story's ``base_url`` it and ``og:url`` (:func:`page_url`, from ``page``,
    the page's file name when known) are absolute URLs, as the Open Graph protocol asks (without
    one, ``og:url`` is left out and ``og:image`` is relative, which some previewers do not follow).
    ``og:locale`` says the page's language; ``og:site_name`` the publication, where the story names
    one (``site_name``).
    """
    data = _data(story)
    dek = description(data)
    lang = lang or data.lang  # (the page's: a story shown in another of its languages keeps its own lang)
    own_lang = own_lang or data.lang
    image = image or social_image(own_lang, lang, page)
    alt = _shorten(ui_text(lang, "social.alt", own_interface(data, lang), title=data.title,
                           map=_step_description(data, data.steps[0], lang)), 420)
    base = getattr(data, "base_url", None)
    url = page_url(str(base) if base else None, own=lang == own_lang, page=page)
    locale = og_locale(lang)
    tags = [
        ("name", "description", dek),
        ("property", "og:type", "article"),
        ("property", "og:title", data.title),
        ("property", "og:description", dek),
    ]
    if data.site_name:
        tags.append(("property", "og:site_name", data.site_name))
    if locale:
        tags.append(("property", "og:locale", locale))
    if url:
        tags.append(("property", "og:url", url))
    tags += [
        ("property", "og:image", _absolute(base, image)),
        ("property", "og:image:type", "image/png"),
        ("property", "og:image:width", str(SOCIAL_SIZE[0])),
        ("property", "og:image:height", str(SOCIAL_SIZE[1])),
        ("property", "og:image:alt", alt),
        ("name", "twitter:card", "summary_large_image"),
    ]
    # (X reads og:title, og:description and og:image where its own tags are absent: its own
    # description only where X's 200 characters shorten the page's.)
    short = _shorten(dek, 200)
    if short != dek:
        tags.append(("name", "twitter:description", short))
    tags.append(("name", "twitter:image:alt", alt))
    lines = [Markup('<meta {}="{}" content="{}">').format(attr, key, value) for attr, key, value in tags]
    if url:
        lines.append(Markup('<link rel="canonical" href="{}">').format(url))
    return Markup("\n").join(lines)


# The no-JS article -----------------------------------------------------------------------------

def noscript_article(story: Any, root_id: str = "", context: Any = None,
                     marks: tuple[str, str] = ("", ""), *, page: bool = False) -> Markup:
    """The whole story as an article inside ``<noscript>``, in order.

    Each step: its title, narrative, media (alt text and credit; the image itself is in the
    interactive page already, and is not repeated), and the places it shows: the first time a
    place appears, its whole card (name, kind, annotation, sources); later, its name. Without
    JavaScript the interactive story is hidden (``@media (scripting: none)`` in storymap.css) and
    this article shows instead. It is also the page's one copy of the place cards: the page's
    script takes them from here (``<noscript>`` content is inert text while scripts run), so the
    cards are not sent twice.

    ``context`` is the render's :class:`~storymap.context.PageContext` (its Markdown rendered once);
    ``marks`` the attributes that mark a card's texts for a change of language (see
    :mod:`storymap.i18n`; empty in a page of one language).

    In a standalone ``page`` a step's section has the step's id, so that a link to a step
    (``index.html#old-harbour``) reaches it without JavaScript as it does with it; in a fragment the id
    is the root's, then ``-article-`` and the step's (the host page's ids are its own).
    """
    from .context import PageContext

    context = context or PageContext(_data(story))
    data = context.story  # in the page's language
    prefix = (root_id or "storymap") + "-article"
    cards = {card["id"]: card for card in context.cards}
    seen: set[str] = set()
    steps = []
    for step, text in zip(data.steps, context.steps):
        places = []
        for pid in step.places:
            places.append({"card": cards[pid], "first": pid not in seen})
            seen.add(pid)
        span = step.time
        steps.append({
            "id": step.id,
            "title": step.title,
            # (without a script there is no timeline: its date or period is written here, in the
            # article's language, as the timeline writes it)
            "when": span_label(span.ends, context.lang) if span else None,
            "narrative_html": text["narrative_html"],
            "media": [{"alt": m.alt, "credit": m.credit,
                       "caption_html": Markup(markdown_html(m.caption)) if m.caption else ""}
                      for m in step.media if m.alt or m.credit or m.caption],
            "places": places,
        })
    return Markup(_ENV.get_template("article.html").render(
        story=data, steps=steps, root_id=root_id, prefix=prefix, step_prefix="" if page else prefix + "-",
        m=Markup(marks[0]), ma=Markup(marks[1]), t=context.ui, lang=context.lang))


# The social card -------------------------------------------------------------------------------

#: Colours of the page's embedded basemap (static/basemap.js) and the story's title card: storymap's
#: own, which a story's theme replaces.
_SEA, _LAND, _PANEL = (tuple(bytes.fromhex(THEME_DEFAULTS[name][1:])) for name in ("sea", "land", "titlecard"))
_COAST, _PANEL_MUTED = (154, 143, 128), (214, 228, 240)
_SS = 2  # drawn at twice the size, then scaled down: smooth edges without anti-aliasing primitives

_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/TTF", "/usr/share/fonts/dejavu",
              "/Library/Fonts", "/System/Library/Fonts/Supplemental", "C:\\Windows\\Fonts")
_FONT_FILES = {"bold": ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "Arial Bold.ttf", "arialbd.ttf"),
               "regular": ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf", "arial.ttf")}

#: Font files, or folders of them, that the social card tries before any other (a newsroom's brand
#: fonts, a font for a script the machine lacks): paths separated as in PATH (":", ";" on Windows).
FONTS_ENV = "STORYMAP_FONTS"
#: Where systems keep fonts, searched (after fontconfig's list, where there is one) when no font
#: above has a text's characters: Linux, macOS, Windows.
_SYSTEM_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts",
                     "/System/Library/Fonts", "/System/Library/Fonts/Supplemental", "/Library/Fonts",
                     "~/Library/Fonts", "%WINDIR%\\Fonts", "%LOCALAPPDATA%\\Microsoft\\Windows\\Fonts")
_FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
# Sans-serif families first when a folder is searched (fontconfig sorts its own list).
_SANS = re.compile(r"sans|gothic|goth|hiragino|yahei|msyh|malgun|nirmala|leelawad|arial|helvet", re.I)


@lru_cache(maxsize=None)
def _faces(path: str) -> tuple[tuple[int, frozenset[int], bool], ...]:
    """The upright outline faces in a font file: ``(index, the characters it has, bold)`` each.

    From each face's character map, read with fontTools (a collection, .ttc, holds several faces);
    bitmap-only faces (colour emoji) and italic ones are left out, as is a file fontTools cannot read.
    """
    from fontTools.ttLib import TTCollection, TTFont

    faces = []
    try:
        with open(path, "rb") as file:
            collection = file.read(4) == b"ttcf"
        fonts = TTCollection(path, lazy=True).fonts if collection else [TTFont(path, lazy=True)]
        for index, font in enumerate(fonts):
            os2 = font["OS/2"] if "OS/2" in font else None
            italic = bool(font["head"].macStyle & 2) or bool(os2 is not None and os2.fsSelection & 1)
            if any(tag in font for tag in ("glyf", "CFF ", "CFF2")) and not italic:
                bold = os2.usWeightClass >= 600 if os2 is not None else bool(font["head"].macStyle & 1)
                faces.append((index, frozenset(font.getBestCmap() or ()), bold))
            font.close()
    except Exception:  # noqa: BLE001 - not a font fontTools reads: the card does without it
        pass
    return tuple(faces)


def _font_files(folder: str) -> list[str]:
    """The font files in ``folder`` and below, sans-serif families first."""
    found = []
    for root, _dirs, files in os.walk(folder):
        found += [os.path.join(root, f) for f in files if f.lower().endswith(_FONT_SUFFIXES)]
    return sorted(found, key=lambda f: (not _SANS.search(os.path.basename(f)), f))


def _extra_fonts(own: tuple[str, ...] = ()) -> list[str]:
    """The story's own font files (``own``: its theme's), then those :data:`FONTS_ENV` names (a
    folder: the font files in it)."""
    files: list[str] = list(own)
    for entry in os.environ.get(FONTS_ENV, "").split(os.pathsep):
        entry = os.path.expanduser(entry.strip())
        if os.path.isdir(entry):
            files += _font_files(entry)
        elif entry and os.path.isfile(entry):
            files.append(entry)
    return files


def _default_fonts(weight: str) -> list[str]:
    return [os.path.join(folder, name) for folder in _FONT_DIRS for name in _FONT_FILES[weight]
            if os.path.isfile(os.path.join(folder, name))]


@lru_cache(maxsize=None)
def _system_fonts(weight: str) -> tuple[str, ...]:
    """Every font file on the machine: fontconfig's list (sans-serif of ``weight`` first), then the
    usual font folders'."""
    import shutil
    import subprocess

    files: list[str] = []
    if shutil.which("fc-match"):
        try:
            listed = subprocess.run(["fc-match", "-s", "--format", "%{file}\\n", f"sans-serif:weight={weight}"],
                                    capture_output=True, text=True, timeout=20, check=False).stdout
            files += [line for line in listed.splitlines() if line]
        except (OSError, subprocess.SubprocessError):
            pass
    for folder in _SYSTEM_FONT_DIRS:
        folder = os.path.expanduser(os.path.expandvars(folder))
        if "%" not in folder and os.path.isdir(folder):
            files += _font_files(folder)
    return tuple(dict.fromkeys(files))


def _ignorable(char: str) -> bool:
    """A character no font needs to have: a space, a control, a format character (joiners,
    direction marks), a variation selector."""
    return (char.isspace() or unicodedata.category(char) in ("Cc", "Cf")
            or "\ufe00" <= char <= "\ufe0f" or "\U000e0100" <= char <= "\U000e01ef")


def _needs_layout(char: str) -> bool:
    """Whether ``char`` is only drawn right with complex text layout (raqm): right-to-left letters
    (joined, in reading order) and the vowel signs and marks of Indic, Thai and other scripts."""
    return unicodedata.bidirectional(char) in ("R", "AL", "AN") or (
        char >= "\u0590" and unicodedata.category(char) in ("Mn", "Mc"))


def _complex_layout() -> bool:
    """Whether Pillow lays out text with raqm (shaping, bidi); without it, letters are drawn one by
    one, left to right."""
    from PIL import features

    return bool(features.check("raqm"))


def _choose(needed: frozenset[int], weight: str, own: tuple[str, ...] = ()) -> Optional[tuple[str, int, bool]]:
    """``(file, face index, draw as bold)`` of the first font that has every character in
    ``needed``: one of the story's (``own``) or :data:`FONTS_ENV`'s, else DejaVu/Liberation/Arial,
    else any on the machine; of ``weight`` if one is, else of another weight (then made bold with a
    stroke). None: none has."""
    for group in (lambda: _extra_fonts(own), lambda: _default_fonts(weight), lambda: _system_fonts(weight)):
        other = None
        for path in group():
            for index, chars, bold in _faces(path):
                if needed <= chars:
                    if bold == (weight == "bold"):
                        return path, index, False
                    other = other or (path, index, weight == "bold")
        if other:
            return other
    return None


_CJK = ("CJK", "HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA", "HANGUL", "BOPOMOFO", "IDEOGRAPHIC", "HALFWIDTH")


def _scripts(chars: Iterable[str]) -> list[str]:
    """The scripts of ``chars``, by the first word of their Unicode names ("Devanagari", "Thai");
    Chinese, Japanese and Korean as one (their fonts come together)."""
    names = [unicodedata.name(c, "").split(" ")[0] for c in chars]
    return list(dict.fromkeys("Chinese/Japanese/Korean (CJK)" if n in _CJK else n.title() for n in names if n))


def _cluster_drop(text: str, drop: set[str]) -> str:
    """``text`` without the characters in ``drop`` and what modifies them (a variation selector, a
    joiner, a skin tone, a keycap, a tag): an emoji is left out whole."""
    out, dropping = [], False
    for char in text:
        if char in drop:
            dropping = True
            continue
        if dropping and (_ignorable(char) and not char.isspace() or unicodedata.category(char) in ("Mn", "Me", "Sk")
                         or "\U0001f3fb" <= char <= "\U0001f3ff"):
            continue
        dropping = False
        out.append(char)
    return re.sub(r"[ \t]{2,}", " ", "".join(out)).strip()


def _fit(text: str, weight: str, own: tuple[str, ...] = ()) -> tuple[str, tuple[tuple[str, int, bool], ...], str]:
    """What of ``text`` the card can draw, the fonts to draw it with, and what the writer should
    know when that is not all of it: ``(text, fonts, warning)``.

    One font when one has all of the text; else several, each run of characters drawn with one that
    has it (:class:`_Mixed`: a Latin name in a Hindi title, "Tokyo 東京"). No font: Pillow's own. A
    character no font has is left out (a letter or an emoji with its signs): never an empty box.
    Right-to-left or Indic letters Pillow cannot lay out (no raqm) leave the whole text out: never
    letters in the wrong order. The story's own font files (``own``) come first.
    """
    return _fitted(text, weight, os.environ.get(FONTS_ENV, ""), _complex_layout(), own)


@lru_cache(maxsize=256)
def _fitted(text: str, weight: str, _extra: str, laid_out: bool,
            own: tuple[str, ...]) -> tuple[str, tuple[tuple[str, int, bool], ...], str]:
    if not laid_out:
        unlaid = [c for c in text if _needs_layout(c)]
        if unlaid:
            return "", (), (f"its {' and '.join(_scripts(unlaid))} letters need complex text layout, which "
                            "Pillow here lacks (its raqm layout needs FriBiDi: Debian/Ubuntu apt install "
                            "libfribidi0, macOS brew install fribidi)")
    needed = frozenset(ord(c) for c in text if not _ignorable(c))
    choice = _choose(needed, weight, own)
    if choice or not needed:
        return text, (choice,) if choice else (), ""
    have = frozenset().union(*(chars for path in (*_extra_fonts(own), *_default_fonts(weight), *_system_fonts(weight))
                              for _i, chars, _b in _faces(path)))
    if not have and max(needed) < 0x250:  # (no font file at all: Pillow's own has Latin letters)
        return text, (), ""
    problem = ""
    missing = [chr(c) for c in sorted(needed - have, key=lambda c: text.index(chr(c)))]
    if missing:
        symbols = [c for c in missing if unicodedata.category(c)[0] not in "LN"
                   and unicodedata.category(c) not in ("Mn", "Mc")]
        letters = [c for c in missing if c not in symbols]
        if letters:
            scripts = _scripts(letters)
            package = "fonts-noto-cjk" if any("CJK" in n for n in scripts) else "fonts-noto-core"
            problem = (f"no font here has all of its {', '.join(scripts)} letters: install one that does "
                       f"(Debian/Ubuntu: apt install {package}; any Noto Sans font for the script) or name a "
                       f"font file or folder in {FONTS_ENV}")
        else:
            problem = f"no font here has {', '.join(f'{c} (U+{ord(c):04X})' for c in symbols)}: left out of its text"
        text = _cluster_drop(text, set(missing))
        if not any(not _ignorable(c) for c in text):
            return "", (), problem
        choice = _choose(frozenset(ord(c) for c in text if not _ignorable(c)), weight, own)
        if choice:
            return text, (choice,), problem
    return text, _chain(text, weight, own), problem


def _script(char: str) -> str:
    """``char``'s script, as :func:`_scripts` names it (punctuation and digits: their own names)."""
    name = unicodedata.name(char, "").split(" ")[0]
    return "CJK" if name in _CJK else name


def _chain(text: str, weight: str, own: tuple[str, ...] = ()) -> tuple[tuple[str, int, bool], ...]:
    """The fonts that draw ``text`` together when no one font has it all: in the order its scripts
    come, for each the first font (see :func:`_choose`) that has all of that script's letters in it,
    else its character; a script a font before has is drawn with that one."""
    chain: list[tuple[str, int, bool]] = []
    covered: set[int] = set()
    for char in text:
        if _ignorable(char) or ord(char) in covered:
            continue
        script = _script(char)
        group = frozenset(ord(c) for c in text if not _ignorable(c) and _script(c) == script) - covered
        choice = _choose(group, weight, own) or _choose(frozenset([ord(char)]), weight, own)
        if choice is None:
            continue
        chain.append(choice)
        covered |= _face_chars(choice[0], choice[1])
    return tuple(chain)


def _face_chars(path: str, index: int) -> frozenset[int]:
    return next((chars for i, chars, _bold in _faces(path) if i == index), frozenset())


class _Mixed:
    """Fonts that draw one text together, as a browser falls back from font to font: each letter
    (with its signs) with the font of the one before when that has it, else the first that has it.

    ``faces``: ``(font, stroke that makes it bold, its characters)`` each, the first setting the
    baseline. A line is laid out as runs of one font and one direction, placed in reading order
    (the bidi algorithm's reordering of levels); raqm lays out each run.
    """

    def __init__(self, faces: Sequence[tuple[Any, int, frozenset[int]]]):
        self.faces = list(faces)
        self.ascent = self.faces[0][0].getmetrics()[0]

    def has(self, char: str) -> bool:
        return any(ord(char) in chars for _font, _stroke, chars in self.faces)

    def _face(self, cluster: str, current: Optional[int]) -> int:
        for wanted in ({ord(c) for c in cluster if not _ignorable(c) or c.isspace()},
                       {ord(c) for c in cluster if not _ignorable(c)}):
            if current is not None and wanted <= self.faces[current][2]:
                return current
            found = next((i for i, (_f, _s, chars) in enumerate(self.faces) if wanted <= chars), None)
            if found is not None:
                return found
        return current or 0

    def runs(self, text: str) -> list[list[Any]]:
        """``[text, face, direction ("ltr", "rtl"; None: no strong letter)]`` in reading order."""
        runs: list[list[Any]] = []
        start = 0
        for end in range(1, len(text) + 1):
            if end < len(text) and _joined(text, end):
                continue
            cluster, start = text[start:end], end
            face = self._face(cluster, runs[-1][1] if runs else None)
            way = next(({"L": "ltr", "R": "rtl", "AL": "rtl"}[b] for b in map(unicodedata.bidirectional, cluster)
                        if b in ("L", "R", "AL")), None)
            if runs and runs[-1][1] == face and (way is None or runs[-1][2] in (None, way)):
                runs[-1][0] += cluster
                runs[-1][2] = runs[-1][2] or way
                continue
            if runs:  # (the spaces between two runs belong to neither: they take the line's side)
                body = runs[-1][0].rstrip()
                if body and body != runs[-1][0]:
                    runs[-1][0], space = body, runs[-1][0][len(body):]
                    runs.append([space, runs[-1][1], None])
            runs.append([cluster, face, way])
        return runs

    def layout(self, draw: Any, text: str, rtl: bool = False) -> list[tuple[str, int, Optional[str], float]]:
        """``(text, face, direction to lay it out in, width)`` of each run of a line, left to right."""
        laid_out = _complex_layout()
        runs = self.runs(text)
        line = "rtl" if rtl else "ltr"
        for i, run in enumerate(runs):
            if run[2] is None:  # (between two runs of one direction: that one; else the line's)
                before = next((r[2] for r in reversed(runs[:i]) if r[2]), line)
                after = next((r[2] for r in runs[i + 1:] if r[2]), line)
                run[2] = before if before == after else line
        levels = [(1 if rtl else 0) + (run[2] != line) for run in runs]
        order = list(range(len(runs)))
        for level in range(max(levels, default=0), 0, -1):  # (reverse each stretch at this level or above)
            i = 0
            while i < len(order):
                if levels[order[i]] >= level:
                    j = i
                    while j < len(order) and levels[order[j]] >= level:
                        j += 1
                    order[i:j] = order[i:j][::-1]
                    i = j
                else:
                    i += 1
        out = []
        for i in order:
            text_, face, way = runs[i]
            way = way if laid_out else None
            width = draw.textlength(text_, font=self.faces[face][0], **({"direction": way} if way else {}))
            out.append((text_, face, way, width))
        return out


@lru_cache(maxsize=64)
def _mixed(chain: tuple[tuple[str, int, bool], ...], size: int) -> _Mixed:
    return _Mixed([(_load_font(path, index, size), max(1, size // 30) if embolden else 0, _face_chars(path, index))
                   for path, index, embolden in chain])


@lru_cache(maxsize=64)
def _load_font(path: Optional[str], index: int, size: int) -> Any:
    from PIL import ImageFont

    return ImageFont.truetype(path, size, index=index) if path else ImageFont.load_default(size)


def _font(weight: str, size: int, text: str = "", own: tuple[str, ...] = ()) -> tuple[Any, int]:
    """A TrueType font that has every character of ``text`` and the stroke width that makes it
    look bold (0 when it is bold already); several together (:class:`_Mixed`) when no one font has
    it all (the stroke: the widest of theirs).

    See :func:`_choose`; Pillow's own scalable font when the machine has no font at all. Use
    :func:`_fit` first: ``text`` is what it left of a text. ``own``: the story's font files.
    """
    chain = _fit(text, weight, own)[1] if text else tuple(c for c in [_choose(frozenset(), weight, own)] if c)
    if len(chain) > 1:
        mixed = _mixed(chain, size)
        return mixed, max(stroke for _f, stroke, _c in mixed.faces)
    if chain:
        path, index, embolden = chain[0]
        return _load_font(path, index, size), (max(1, size // 30) if embolden else 0)
    return _load_font(None, 0, size), (max(1, size // 30) if weight == "bold" else 0)


def _length(draw: Any, text: str, font: Any, rtl: bool = False) -> float:
    """The width of ``text`` drawn in one line with ``font`` (one font, or :class:`_Mixed`)."""
    if isinstance(font, _Mixed):
        return sum(run[3] for run in font.layout(draw, text, rtl))
    return draw.textlength(text, font=font, **({"direction": "rtl"} if rtl and _complex_layout() else {}))


def _draw_line(draw: Any, xy: tuple[float, float], text: str, font: Any, fill: Any, stroke: int = 0,
               rtl: bool = False) -> None:
    """Draw one line of text at ``xy`` (its top left), in a right-to-left story set right to left."""
    if not isinstance(font, _Mixed):
        draw.text(xy, text, font=font, fill=fill, stroke_width=stroke, stroke_fill=fill,
                  **({"direction": "rtl"} if rtl and _complex_layout() else {}))
        return
    x, y = xy
    for run, face, way, width in font.layout(draw, text, rtl):
        if run.strip():
            own, bold, _chars = font.faces[face]
            draw.text((x, y + font.ascent), run, font=own, fill=fill, stroke_width=bold, stroke_fill=fill,
                      anchor="ls", **({"direction": way} if way else {}))
        x += width


#: What Japanese and Chinese typesetting (JIS X 4051's line breaking rules, kinsoku) never starts a
#: line with: closing brackets and quotes, hyphens, ?!, middle dots, colons, full stops, commas,
#: iteration marks, the prolonged sound mark and small kana (hiragana, katakana, half-width).
_NO_LINE_START = frozenset(
    ")]}）］｝〕〉》」』】〙〗〟’”｠»›｣"
    "‐〜゠–" "？！‼⁇⁈⁉?!" "・：；:;･" "。．.｡" "、，,､"
    "ヽヾゝゞ々〻" "ーｰ"
    "ぁぃぅぇぉっゃゅょゎゕゖ" "ァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ" "ｧｨｩｪｫｯｬｭｮ")
#: ... and never ends a line with: opening brackets and quotes.
_NO_LINE_END = frozenset("([{（［｛〔〈《「『【〘〖〝‘“｟«‹｢")


def _units(text: str) -> list[tuple[str, str]]:
    """``text`` as the units a line may break between, each with what joins it to the one before:
    words (" "), and each wide character (Chinese, Japanese: "", no spaces between them), kept with
    its neighbour where a break between them would start a line with a character Japanese and
    Chinese typesetting never starts one with (っ, 。, a closing bracket: :data:`_NO_LINE_START`) or
    end one with an opening bracket (:data:`_NO_LINE_END`)."""
    units: list[tuple[str, str]] = []
    for word in text.split():
        joiner, run = " ", ""
        for char in word:
            if unicodedata.east_asian_width(char) in "WF":
                if run:
                    units.append((run, joiner))
                    joiner, run = "", ""
                units.append((char, joiner))
                joiner = ""
            else:
                run += char
        if run:
            units.append((run, joiner))
    kept: list[tuple[str, str]] = []
    for unit, joiner in units:  # (no space between them: no break either, where a rule forbids one)
        if kept and not joiner and (unit[0] in _NO_LINE_START or kept[-1][0][-1] in _NO_LINE_END):
            kept[-1] = (kept[-1][0] + unit, kept[-1][1])
        else:
            kept.append((unit, joiner))
    return kept


def _joined(text: str, cut: int) -> bool:
    """Whether cutting ``text`` before ``text[cut]`` would part a letter from its marks (a Thai or
    Devanagari vowel sign, an accent), a conjunct after its virama, or an emoji from its joiner,
    variation selector or tone."""
    char = text[cut]
    return (unicodedata.category(char) in ("Mn", "Mc", "Me") or (_ignorable(char) and not char.isspace())
            or text[cut - 1] == "\u200d" or unicodedata.combining(text[cut - 1]) == 9
            or "\U0001f3fb" <= char <= "\U0001f3ff")


def _has(font: Any, char: str) -> bool:
    """Whether a TrueType ``font`` has ``char`` (Pillow's own font: taken as having it)."""
    if isinstance(font, _Mixed):
        return font.has(char)
    path = getattr(font, "path", None)
    chars = _face_chars(path, getattr(font, "index", 0)) if isinstance(path, str) else None
    return not chars or ord(char) in chars


def _wrap(draw: Any, text: str, font: Any, width: int, max_lines: int, stroke: int = 0) -> list[str]:
    def fits(line: str) -> bool:
        return _length(draw, line, font) + 2 * stroke <= width

    lines, line = [], ""
    for unit, joiner in _units(text):
        trial = line + joiner + unit if line else unit
        if fits(trial) or not line:
            line = trial
        else:
            lines.append(line)
            line = unit
    if line:
        lines.append(line)
    # A unit wider than a line (a long word, a web address) is broken where it must be.
    broken: list[str] = []
    for line in lines:
        while len(line) > 1 and not fits(line):
            cut = len(line) - 1
            while cut > 1 and (not fits(line[:cut]) or _joined(line, cut)):
                cut -= 1
            if _joined(line, cut):  # (one letter with its signs wider than the line: whole)
                cut = next((c for c in range(cut + 1, len(line)) if not _joined(line, c)), len(line))
                if cut == len(line):
                    break
            broken.append(line[:cut])
            line = line[cut:]
        broken.append(line)
    lines = broken
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        more = "…" if _has(font, "…") else "..."  # (a brand font may have no ellipsis: no empty box)
        while last and _length(draw, last + more, font) > width:
            if " " in last:
                last = last[: last.rfind(" ")]
            else:
                cut = len(last) - 1
                while cut > 0 and _joined(last, cut):
                    cut -= 1
                last = last[:cut]
        lines[-1] = last.rstrip(" ,;:–-") + more
    return lines


def _framed(data: "StoryData") -> dict[str, shapely.Geometry]:
    """Each place's geometry in the story's longitude frame (as the page draws them)."""
    from .context import framed_places

    return framed_places(data)[1]


def _step_view(data: "StoryData", step: Any, drawn: dict[str, shapely.Geometry],
               size: tuple[int, int]) -> tuple[float, float, float]:
    """``(zoom, centre x, centre y)`` (Mercator px at zoom 0) that fits the step in ``size`` px."""
    from .context import framed_places

    start = framed_places(data)[0]
    view = step.view
    if view is not None and view.center is not None and view.zoom is not None:
        lon, lat = view.center
        x, y = mercator(lon + shift_into(lon, start), lat)
        return float(view.zoom), x, y
    if view is not None and view.bounds is not None:
        west, south, east, north = view.lonlat_bounds
        k = shift_into((west + east) / 2, start)
        box = (west + k, south, east + k, north)
    else:
        box = bounds_union(drawn[pid].bounds for pid in step.fitted(drawn) if pid in drawn)
        if box is None:
            return 2.0, 128.0, 128.0
    x0, y1 = mercator(box[0], box[1])
    x1, y0 = mercator(box[2], box[3])
    width, height = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
    zoom = min(math.log2(size[0] / width), math.log2(size[1] / height))
    # (A step's own bounds as asked; its places no closer than zoom 11, as the page fits them.)
    cap = step.max_zoom or (MAP_MAX_ZOOM if view is not None and view.bounds is not None else 11)
    zoom = max(0.5, min(zoom, float(cap)))  # (a story from pole to pole fits below zoom 2)
    return zoom, (x0 + x1) / 2, (y0 + y1) / 2


def social_card(story: Any, lang: Optional[str] = None) -> bytes:
    """The 1200×630 PNG of the social card: the first step's map as the page frames it, the
    story's kicker, title and dek on a panel at the left (at the right, its text flush right, in a
    language written right to left, as the page sets its panel), in ``lang`` (one of the story's
    languages, the page's; default: the story's own). Drawn with Pillow, no browser."""
    from PIL import Image, ImageChops, ImageDraw

    from .basemap import basemap_data
    from .encoding import decode
    from .translations import localize

    data = _data(story)
    lang = _card_language(data, lang)
    if lang != data.lang:  # (the page's meta tags are in its language: the card says the same)
        if lang not in data.translations:
            raise ValueError(f"the story is not in {lang!r}; its languages are "
                             f"{', '.join([data.lang, *data.translations])}")
        data = localize(data, lang)
    width, height = SOCIAL_SIZE
    W, H = width * _SS, height * _SS
    panel = 500
    # A right-to-left story's card is the mirror of the others', as its page is: the panel at the
    # right, the map in the part it leaves at the left, the text flush right.
    rtl = direction(lang) == "rtl"
    panel_left = width - panel if rtl else 0  # (card px)
    map_left = 0 if rtl else panel
    # The page's colours: the story's theme, over storymap's.
    theme = data.theme
    sea, land, card = (_rgb(given) if given else own for given, own in
                       ((theme.sea, _SEA), (theme.land, _LAND), (theme.titlecard, _PANEL)))
    drawn = _framed(data)
    step = data.steps[0]
    # The map fills the card; the step is fitted into the part the panel leaves free.
    pad = 72  # (a place drawn at the edge, half its marker off the card, looked cut off)
    zoom, cx, cy = _step_view(data, step, drawn, (width - panel - 2 * pad, height - 2 * pad))
    k = 2 ** zoom * _SS
    ox = cx * k - (map_left + (width - panel) / 2) * _SS
    oy = cy * k - (height / 2) * _SS

    def project(points: Iterable[Sequence[float]]) -> list[tuple[float, float]]:
        out = []
        for lon, lat, *_ in points:
            x, y = mercator(lon, lat)
            out.append((x * k - ox, y * k - oy))
        return out

    image = Image.new("RGB", (W, H), sea)
    draw = ImageDraw.Draw(image)
    # Land around the places, with a margin wide enough to reach the card's edges.
    west, north = unmercator(ox / k, oy / k)
    east, south = unmercator((ox + W) / k, (oy + H) / k)
    box = bounds_union(g.bounds for g in drawn.values())
    margin = 8.0 if box is None else min(90.0, max(8.0, box[0] - west, east - box[2], box[1] - south, north - box[3]) + 1)
    base = basemap_data(list(drawn.values()), margin=margin)
    scale = int(base.get("scale", 1000))
    for layer, fill in (("land", land), ("water", sea)):
        # Each layer's polygons, holes left out, as one mask: a hole shows what is under the layer,
        # never paints over another polygon of it (land fine near the places sits in a hole of the
        # coarse land around them).
        mask = Image.new("L", (W, H), 0)
        ink = ImageDraw.Draw(mask)
        for polygon in decode(base[layer], scale) if base.get(layer) else []:
            rings = [project(ring) for ring in polygon]
            if len(rings[0]) < 3:
                continue
            if len(rings) == 1:
                ink.polygon(rings[0], fill=255)
                continue
            own = Image.new("L", (W, H), 0)
            pen = ImageDraw.Draw(own)
            pen.polygon(rings[0], fill=255)
            for hole in rings[1:]:
                if len(hole) >= 3:
                    pen.polygon(hole, fill=0)
            mask = ImageChops.lighter(mask, own)
            ink = ImageDraw.Draw(mask)
        image.paste(fill, (0, 0, W, H), mask)
    for line in decode(base["rivers"], scale) if base.get("rivers") else []:
        points = project(line)
        if len(points) >= 2:
            draw.line(points, fill=sea, width=2 * _SS)

    shown = set(step.places)
    # Drawn in RGBA mode onto the RGB map, each shape blends with what is under it (the page's
    # opacities); places the step does not show are dimmed, as on the page.
    blend = ImageDraw.Draw(image, "RGBA")
    for place in sorted(data.places, key=lambda p: (p.id in shown, {"area": 0, "line": 1}.get(p.family, 2))):
        kind = data.kind(place)
        _draw_place(blend, project, drawn[place.id], kind.style(), 1.0 if place.id in shown or not shown else 0.3,
                    getattr(kind, "symbol", "circle"))
    image = image.convert("RGBA")

    text_layer = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    tdraw = ImageDraw.Draw(text_layer)
    tdraw.rectangle((panel_left * _SS, 0, (panel_left + panel) * _SS, H), fill=card + (240,))
    x, y, text_width = (panel_left + 44) * _SS, 52 * _SS, (panel - 88) * _SS
    # (The story's direction for every line, too: a right-to-left title that starts with a Latin
    # name is still read from the right; raqm, without which _fit leaves such text out.)

    # The story's fonts first: the titles' for the kicker and the title, the text's for the rest.
    heading, body = fonts.card_files(data.theme)

    def drawable(text: str, weight: str, what: str, own: tuple[str, ...], still: str = "") -> str:
        shown, _choice, problem = _fit(text, weight, own)  # (what of it a font here draws)
        if problem:
            warnings.warn(f"the social card's {what} {text!r}: {problem}; the card is drawn without "
                          f"{'them' if shown else 'it'}{still}", UserWarning, stacklevel=3)
        return shown

    # The step's places named on the map, as the page names them, where each fits clear of the
    # panel, the card's edges, the places' points and the names already set (a link preview of two
    # unnamed dots said little); a long name, where it does not fit, by its short form, and that in
    # two lines where one does not fit; at most CARD_LABELS of them.
    size = 19 * _SS
    line_height, pad_x, pad_y = size * 1.25, 7 * _SS, 4 * _SS
    wanted, points = [], []
    by_id = {p.id: p for p in data.places}
    for place in (by_id[pid] for pid in step.places if pid in by_id):
        pid = place.id
        at = project([_anchor(drawn[pid])])[0]
        if drawn[pid].geom_type == "Point":
            points.append(at)
        forms = []
        for text in dict.fromkeys((place.name, _short_name(place.name))):
            name = drawable(text, "bold", f"label of {pid!r}", body) if text == place.name else text
            if name:
                font, stroke = _font("bold", size, name, body)
                forms.append((name, font, stroke, (_length(tdraw, name, font, rtl), line_height)))
        if forms:
            # Where no form fits on one line, the last one in two, as the page's labels wrap (a
            # long short form fitted on neither side of its point, which went unnamed): broken
            # between words (or wide characters), never inside one.
            name, font, stroke, (length, _height) = forms[-1]
            widest = max(_length(tdraw, unit, font, rtl) for unit, _joiner in _units(name))
            lines = _wrap(tdraw, name, font, max(math.ceil(length * 0.6), math.ceil(widest)), 3, stroke)
            if len(lines) == 2:
                forms.append(("\n".join(lines), font, stroke,
                              (max(_length(tdraw, line, font, rtl) for line in lines), 2 * line_height)))
            wanted.append((at, forms))
    reach = 12 * _SS  # (a point's marker and its ring)
    obstacles = [(x - reach, y - reach, x + reach, y + reach) for x, y in points]
    label_room = ((map_left + 8) * _SS, 8 * _SS, (map_left + width - panel - 8) * _SS, H - 8 * _SS)
    for name, font, stroke, box in card_labels(wanted, label_room,
                                               (pad_x, pad_y), reach, obstacles)[:CARD_LABELS]:
        tdraw.rounded_rectangle(box, radius=3 * _SS, fill=(255, 255, 255, 235), outline=(0, 0, 0, 60), width=_SS)
        for i, line in enumerate(name.split("\n")):  # (each from the box's start: its right, right to left)
            start = box[2] - pad_x - _length(tdraw, line, font, rtl) if rtl else box[0] + pad_x
            _draw_line(tdraw, (start, box[1] + pad_y + i * line_height), line, font, (27, 27, 27), stroke, rtl)

    def at(line: str, font: Any) -> float:  # a line's left edge: flush right in a right-to-left story
        return x + text_width - _length(tdraw, line, font, rtl) if rtl else x

    kicker = drawable(data.kicker.upper(), "bold", "kicker", heading) if data.kicker else ""
    if kicker:
        font, stroke = _font("bold", 22 * _SS, kicker, heading)
        # One line, set as the title and dek are (_wrap: its line breaks and other separators are
        # spaces, which Pillow's layout refuses to draw: "\r", U+2029; a long one ends in "…").
        kicker = "".join(_wrap(tdraw, kicker, font, text_width, 1, stroke))
        _draw_line(tdraw, (at(kicker, font), y), kicker, font, _PANEL_MUTED, stroke, rtl)
        y += 44 * _SS
    title = drawable(data.title, "bold", "title", heading, " (the link preview's og:title still carries it)")
    # The largest size that sets the title in two lines, else the one that needs the fewest.
    options = []
    for size in (58, 52, 46, 40, 34) if title else ():
        font, stroke = _font("bold", size * _SS, title, heading)
        options.append((len(_wrap(tdraw, title, font, text_width, 99, stroke)), -size))
    if options:
        size = -min(options)[1] if min(options)[0] > 2 else max(-s for n, s in options if n <= 2)
        font, stroke = _font("bold", size * _SS, title, heading)
        if min(options)[0] > 4:  # (a title of 280 characters was cut with "…" and nothing said)
            warnings.warn(f"the title takes {min(options)[0]} lines on the social card, which shows 4: it ends "
                          "in '…' there (the link preview's og:title carries all of it); a shorter title, with "
                          "the rest in the subtitle, shows whole", UserWarning, stacklevel=3)
        for line in _wrap(tdraw, title, font, text_width, 4, stroke):
            _draw_line(tdraw, (at(line, font), y), line, font, (255, 255, 255), stroke, rtl)
            y += int(size * 1.18 * _SS)
    # The basemap's credit, in the story's language, at the foot of the text panel (not over the map).
    credit = drawable(ui_text(lang, "attribution.basemap", own_interface(data, lang)), "regular", "map credit", body)
    small, _ = _font("regular", 14 * _SS, credit, body)
    note = _wrap(tdraw, credit, small, text_width, 2) if credit else []
    note_top = H - (24 + 20 * len(note)) * _SS
    dek = drawable(data.subtitle.strip(), "regular", "dek (subtitle)", body) if data.subtitle.strip() else ""
    if dek:
        y += 18 * _SS
        font, _ = _font("regular", 25 * _SS, dek, body)
        room = max(1, int((note_top - 24 * _SS - y) / (25 * 1.4 * _SS)))
        needed = len(_wrap(tdraw, dek, font, text_width, 99))
        if needed > min(room, 6):  # (cut with "…", and nothing said: the Spanish dek lost its end)
            warnings.warn(f"the subtitle takes {needed} lines on the social card, which has room for "
                          f"{min(room, 6)} under the title: it ends in '…' there (the link preview's "
                          "og:description carries all of it); a shorter subtitle, or title, shows whole",
                          UserWarning, stacklevel=3)
        for line in _wrap(tdraw, dek, font, text_width, min(room, 6)):
            _draw_line(tdraw, (at(line, font), y), line, font, _PANEL_MUTED, rtl=rtl)
            y += int(25 * 1.4 * _SS)
    for i, line in enumerate(note):
        _draw_line(tdraw, (at(line, small), note_top + i * 20 * _SS), line, small, _PANEL_MUTED, rtl=rtl)
    image = Image.alpha_composite(image, text_layer).convert("RGB")
    image = image.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


#: The most places a social card names.
CARD_LABELS = 6


def _anchor(shape: shapely.Geometry) -> tuple[float, float]:
    """Where a place's name goes on the card: beside its point, a line's middle, an area's inside."""
    if shape.geom_type == "Point":
        return shape.x, shape.y
    if shape.geom_type in ("LineString", "MultiLineString"):
        line = shape if shape.geom_type == "LineString" else max(shape.geoms, key=lambda g: g.length)
        point = line.interpolate(0.5, normalized=True)
        return point.x, point.y
    point = shape.representative_point()
    return point.x, point.y


def _short_name(name: str) -> str:
    """A name's short form, as the page's labels take it: without what is in brackets or after a
    comma, colon or dash ("Port of Rotterdam (Maasvlakte)" → "Port of Rotterdam")."""
    short = re.split(r"[,:،]\s|[，：、]|\s[–—-]\s", re.sub(r"\s*[(（][^)）]*[)）]", "", name))[0].strip()
    return short or name


def card_labels(wanted: Sequence[tuple[tuple[float, float], Sequence[tuple[Any, ...]]]],
                room: tuple[float, float, float, float], pad: tuple[float, float], gap: float,
                obstacles: Sequence[tuple[float, float, float, float]] = ()
                ) -> list[tuple[Any, Any, Any, tuple[float, float, float, float]]]:
    """The names a social card sets: for each place in ``wanted``, its anchor ``(x, y)`` and its
    forms (the name, then its short form), each ``(text, font, stroke, (width, height))``. A form
    goes right of its anchor by ``gap``, else left of it, where its box (text and ``pad``) lies
    wholly in ``room`` (left, top, right, bottom) and on no obstacle (the places' points) and no
    box set before; the first form and side that fit are taken, a place none fits is left out.
    Returns ``(text, font, stroke, box)`` in ``wanted``'s order."""
    placed: list[tuple[Any, Any, Any, tuple[float, float, float, float]]] = []
    left, top, right, bottom = room

    def meets(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    for (x, y), forms in wanted:
        for text, font, stroke, (width, height) in forms:
            w, h = width + 2 * pad[0], height + 2 * pad[1]
            fits = [box for box in ((x0, y - h / 2, x0 + w, y + h / 2) for x0 in (x + gap, x - gap - w))
                    if left <= box[0] and box[2] <= right and top <= box[1] and box[3] <= bottom
                    and not any(meets(box, o) for o in obstacles) and not any(meets(box, b) for *_, b in placed)]
            if fits:
                placed.append((text, font, stroke, fits[0]))
                break
    return placed


def _rgb(colour: str) -> tuple[int, int, int]:
    from PIL import ImageColor

    try:
        return ImageColor.getrgb(colour)[:3]
    except ValueError:
        return (11, 83, 148)


def _symbol_points(symbol: str, x: float, y: float, r: float) -> Optional[list[tuple[float, float]]]:
    """The outline of a point's symbol of radius ``r`` centred on (x, y), as the page draws it
    (storymap.js, symbolPath); None for a circle."""
    if symbol == "square":
        r *= 0.9
        points = [(-r, -r), (r, -r), (r, r), (-r, r)]
    elif symbol == "diamond":
        r *= 1.2
        points = [(0, -r), (r, 0), (0, r), (-r, 0)]
    elif symbol == "triangle":
        r *= 1.25
        points = [(0, -r), (r * 0.866, r * 0.5), (-r * 0.866, r * 0.5)]
    elif symbol == "star":
        r *= 1.3
        points = [(math.cos(math.pi / 5 * i - math.pi / 2) * (r * 0.45 if i % 2 else r),
                   math.sin(math.pi / 5 * i - math.pi / 2) * (r * 0.45 if i % 2 else r)) for i in range(10)]
    else:
        return None
    return [(x + dx, y + dy) for dx, dy in points]


def _draw_place(draw: Any, project: Any, shape: shapely.Geometry, style: dict[str, Any], dim: float,
                symbol: str = "circle") -> None:
    stroke = _rgb(style.get("color", "#0b5394"))
    fill = _rgb(style.get("fillColor", style.get("color", "#0b5394")))
    weight = max(1, round(float(style.get("weight", 2)) * _SS))

    def alpha(value: Any) -> int:
        return int(255 * max(0.0, min(1.0, float(value))) * dim)

    for geom in getattr(shape, "geoms", [shape]):
        if geom.geom_type == "Polygon":
            ring = project(geom.exterior.coords)
            draw.polygon(ring, fill=fill + (alpha(style.get("fillOpacity", 0.25)),))
            draw.line(ring + ring[:1], fill=stroke + (alpha(style.get("opacity", 0.9)),), width=weight, joint="curve")
        elif geom.geom_type == "LineString":
            draw.line(project(geom.coords), fill=stroke + (alpha(style.get("opacity", 0.95)),), width=weight,
                      joint="curve")
        elif geom.geom_type == "Point":
            (x, y), = project(geom.coords)
            r = float(style.get("radius", 7)) * _SS * 1.4
            outline = _symbol_points(symbol, x, y, r)
            if outline is not None:
                draw.polygon(outline, fill=fill + (alpha(style.get("fillOpacity", 1)),),
                             outline=stroke + (alpha(style.get("opacity", 1)),), width=weight)
                continue
            draw.ellipse((x - r - weight, y - r - weight, x + r + weight, y + r + weight),
                         fill=stroke + (alpha(style.get("opacity", 1)),))
            draw.ellipse((x - r, y - r, x + r, y + r), fill=fill + (alpha(style.get("fillOpacity", 1)),))
        elif hasattr(geom, "geoms"):
            _draw_place(draw, project, geom, style, dim, symbol)


def _card_language(data: "StoryData", lang: Optional[str]) -> str:
    """The story's language a card is asked in, as ``save`` takes it (``ES``, ``es-MX``: ``es``);
    ``lang`` as given when the story is not in it (:func:`social_card` says so)."""
    if not lang:
        return data.lang
    return match_language([data.lang, *data.translations], lang) or lang


def write_social_card(story: Any, path: str | os.PathLike[str], *, lang: Optional[str] = None,
                      page: Optional[str] = None) -> Path:
    """Write :func:`social_card` (in ``lang``: the page's language) to ``path`` (a folder, one that
    exists or a path ending with ``/``: the card the page's ``og:image`` names in it,
    :func:`social_image`: ``social.png`` in the story's own language, ``social.es.png`` in
    Spanish...; for a page saved under another name than ``index.html``, ``page``, its file name:
    ``ports.social.png``); return the path."""
    target = Path(path)
    if target.is_dir() or names_folder(path):
        data = _data(story)
        target = target / social_image(data.lang, _card_language(data, lang), page)
    data = social_card(story, lang)  # drawn in full before anything is written
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


# Pictures of steps and a PDF handout (headless Chromium) ---------------------------------------

#: What to install when ``storymap render`` finds no browser.
INSTALL_HINT = (
    "storymap render draws each step in headless Chromium, driven by Playwright. Install them:\n"
    "  pip install 'storymap[render]'\n"
    "  python -m playwright install chromium\n"
    "or use a Chromium that is already installed (Debian/Ubuntu: apt install chromium) and, if it is not "
    "at /usr/bin/chromium, point STORYMAP_CHROMIUM at it."
)

_BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


class RenderUnavailable(RuntimeError):
    """No browser to render with; the message says what was tried and what to install."""


def _chromium_candidates() -> list[Optional[str]]:
    """Chromium binaries to try, in order: $STORYMAP_CHROMIUM (alone, when set), the system's
    Chromium, then Playwright's own (``None``)."""
    env = os.environ.get("STORYMAP_CHROMIUM")
    if env:
        return [env]
    found: list[Optional[str]] = [p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if os.path.exists(p)]
    return found + [None]


def find_chromium(playwright: Any) -> Any:
    """Launch headless Chromium through ``playwright`` (a started ``sync_playwright()``).

    Raises
    ------
    RenderUnavailable
        When no candidate starts; the message lists each and says what to install.
    """
    errors = []
    for path in _chromium_candidates():
        try:
            return playwright.chromium.launch(executable_path=path, args=_BROWSER_ARGS)
        except Exception as exc:  # noqa: BLE001 - try the next candidate, report them all
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            errors.append(f"{path or 'Playwright’s own Chromium'}: {first[:200]}")
    raise RenderUnavailable("no Chromium could be started (" + "; ".join(errors) + ")\n" + INSTALL_HINT)


def _sync_playwright() -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise RenderUnavailable("Playwright is not installed\n" + INSTALL_HINT) from None
    return sync_playwright


#: Has a page say it is offline (``navigator.onLine`` false), as a script Playwright runs before the
#: page's own. Playwright's offline emulation fails every request, but some pairs of Chromium and
#: Playwright leave ``navigator.onLine`` true under it (Debian's Chromium 150 with Playwright 1.65):
#: the story would then add its tile layer, ask for tiles that fail and credit them.
OFFLINE_JS = "Object.defineProperty(Navigator.prototype, 'onLine', {configurable: true, get: () => false});"

_READY = ("() => { const r = document.querySelector('[data-storymap]');"
          " return !!(r && r.storymap && !r.hasAttribute('data-storymap-moving')); }")
_SETTLED = """async () => {
  const root = document.querySelector('[data-storymap]');
  const section = root.querySelector('.storymap-step[aria-current]') || root;
  await Promise.all(Array.from(section.querySelectorAll('img')).map((img) => img.decode().catch(() => null)));
  await document.fonts.ready;  // (the story's own fonts: the labels are measured again in them)
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
}"""


def render_steps(story: Any, out_dir: str | os.PathLike[str], *, width: int = 1280, height: int = 800,
                 scale: float = 1.0, layout: Optional[str] = None, tiles: bool = False, pdf: bool = True,
                 progress: Any = None, lang: Optional[str] = None) -> list[Path]:
    """Write ``<step-id>.png`` for every step (the page as a reader sees it at that step, at
    ``width``×``height`` CSS px times ``scale``) and ``story.pdf``, a handout with each step's
    picture and text, into ``out_dir``. Returns the paths written. ``lang``: one of the story's
    languages (default its own), the pictures' page and the handout's.

    The page is built, opened in headless Chromium and stepped through. Offline unless ``tiles``:
    the map shows the embedded basemap, and no request leaves the machine.

    Raises
    ------
    RenderUnavailable
        When Playwright or Chromium is missing (the message says what to install).
    """
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        # Playwright's sync API cannot run in a thread with a running event loop (Jupyter, or a
        # test process with its own Playwright session): render from a thread of its own.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(render_steps, story, out_dir, width=width, height=height, scale=scale, layout=layout,
                               tiles=tiles, pdf=pdf, progress=progress, lang=lang).result()
    from .story import Story

    sync_playwright = _sync_playwright()
    the_story = story if isinstance(story, Story) else Story(_data(story))
    data = the_story.data
    lang = the_story._language(lang)  # (a tag not the story's: refused before Chromium starts)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    html = the_story.to_html(layout=layout, lang=lang)
    written: list[Path] = []
    pictures: dict[str, bytes] = {}
    import tempfile

    with tempfile.TemporaryDirectory(prefix="storymap-render-") as tmp, sync_playwright() as pw:
        page_path = Path(tmp) / "index.html"
        page_path.write_text(html, "utf-8")
        browser = find_chromium(pw)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale)
            if not tiles:
                context.set_offline(True)
                context.add_init_script(OFFLINE_JS)
            page = context.new_page()
            page.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith(("file:", "data:", "blob:", "about:")) or tiles
                       else route.abort())
            page.goto(page_path.as_uri(), wait_until="load")
            page.wait_for_function(_READY, timeout=30_000)
            for i, step in enumerate(data.steps):
                page.evaluate("(i) => { document.querySelector('[data-storymap]').storymap.goTo(i, "
                              "{animate: false, history: 'none'}); }", i)  # returns nothing to serialise
                page.wait_for_function(_READY, timeout=30_000)
                if tiles:
                    try:
                        page.wait_for_load_state("networkidle", timeout=15_000)
                    except Exception:  # noqa: BLE001 - tiles that never come: draw what is there
                        pass
                page.evaluate(_SETTLED)
                target = out / f"{step.id}.png"
                pictures[step.id] = _opaque(page.screenshot())
                target.write_bytes(pictures[step.id])
                written.append(target)
                if progress:
                    progress(target)
            context.close()
            if pdf:
                target = out / "story.pdf"
                target.write_bytes(handout_pdf(browser, handout_html(data, pictures, lang=lang)))
                written.append(target)
                if progress:
                    progress(target)
        finally:
            browser.close()
    return written


def _opaque(png: bytes) -> bytes:
    """A step's picture as an opaque RGB PNG: Chromium's screenshot of a page keeps the alpha of its
    translucent parts (a few rows of it), and apps that take images show them over their own
    background. Over white, as the page shows them."""
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    if image.mode == "RGB":
        return png
    flat = Image.new("RGB", image.size, (255, 255, 255))
    flat.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
    out = io.BytesIO()
    flat.save(out, "PNG", optimize=True)
    return out.getvalue()


def handout_pdf(browser: Any, html: str) -> bytes:
    """The PDF (A4, numbered pages) of ``html``, a :func:`handout_html` page, printed by
    ``browser`` (a launched Playwright Chromium) offline."""
    context = browser.new_context(viewport={"width": 800, "height": 1100}, offline=True)
    try:
        handout = context.new_page()
        handout.route("**/*", lambda route: route.continue_()
                      if route.request.url.startswith(("data:", "about:")) else route.abort())
        handout.set_content(html, wait_until="load")
        handout.evaluate("() => Promise.all(Array.from(document.images).map((i) => i.decode()"
                         ".catch(() => null)).concat([document.fonts.ready]))")
        return handout.pdf(format="A4", print_background=True,
                           margin={"top": "14mm", "bottom": "16mm", "left": "14mm", "right": "14mm"},
                           display_header_footer=True, header_template="<span></span>",
                           footer_template='<div style="font-size:8px;width:100%;text-align:center;color:#555">'
                                           '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
    finally:
        context.close()


def handout_html(story: Any, pictures: dict[str, bytes], *, lang: Optional[str] = None) -> str:
    """The PDF handout's page: the story's title, then each step on its own page: its picture
    (``pictures[step.id]``, PNG bytes), title, narrative, media, what the map shows, and its
    places with their sources; in ``lang``, one of the story's languages (default its own)."""
    from .i18n import catalogue
    from .media import prepare_media
    from .translations import localize

    source = _data(story)
    lang = lang or source.lang
    data = localize(source, lang)
    ui = catalogue(lang, own_interface(source, lang))
    media = prepare_media(data)
    steps = []
    for i, step in enumerate(data.steps):
        picture = pictures.get(step.id)
        steps.append({
            "id": step.id,
            "number": i + 1,
            "title": step.title,
            # (its date or period, as the page's timeline and the article write it)
            "when": span_label(step.time.ends, lang) if step.time else None,
            "picture": "data:image/png;base64," + base64.b64encode(picture).decode("ascii") if picture else None,
            "description": _step_description(data, step, lang),
            "narrative_html": Markup(markdown_html(step.narrative)),
            "media": [m for m in media[i] if not m["remote"]],
            "places": [{"name": data.place(pid).name, "sources": data.place(pid).sources} for pid in step.places],
        })
    # (The story's fonts: lists checked to hold names only, safe in the style element as they are;
    # its font files' faces, cut down to the handout's characters.)
    font, heading_font = (Markup(stack) for stack in data.theme.fonts())
    faces = data.theme.faces
    # (Where the story is read online, with base_url: the paper's reader can go there; in another
    # of its languages, the page asked to open in it.)
    base = getattr(source, "base_url", None)
    url = page_url(str(base)) if base else None
    if url and lang != source.lang:
        url += f"?lang={lang}"
    html = _ENV.get_template("handout.html").render(story=data, steps=steps, lang=lang, t=ui, font=font,
                                                    heading_font=heading_font, url=url,
                                                    faces=Markup(fonts.FACES_MARK) if faces else "")
    return fonts.fill_faces(html, faces) if faces else html
