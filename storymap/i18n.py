"""The page in several languages: interface catalogues, and the texts of the languages not shown first.

**Interface strings** (controls, announcements, the legend's title, generic kinds, the
location-precision texts, attributions) live in one JSON catalogue per language in
``storymap/locales/<lang>.json``, a flat ``{key: text}`` object whose texts may hold ``{name}``
placeholders. English (``en.json``) has every key; a contributor adds a language by adding a file
with the same keys. A tag takes its own catalogue (``pt-br.json`` for ``pt-BR``), else its
language's in its script (``zh-hant.json`` for ``zh-TW``, ``zh-hans.json`` for ``zh`` and ``zh-CN``:
the script subtag, else CLDR's likeliest for the language and region), else its language's
(``es-PA`` uses ``es.json``). A language without a catalogue, or a key missing from one, falls
back to English. (Chinese has one catalogue per script and none for ``zh`` alone, so that a story
in Traditional characters never gets Simplified ones: a script without a catalogue gets English.)
The keys starting ``dev.`` are ``storymap serve``'s own (the overlay it adds to the page it
serves, for the writer: never in a built page, and no text a story's ``[interface]`` gives): see
:func:`dev_texts`.

**A page holds every language of its story.** It is rendered in one of them (the HTML a reader
without script gets, ``<html lang>``); each other language travels as a ``<template data-lang>``
in the story's root holding only what differs: the story's markup marks each element whose text
or attributes depend on the language with a ``data-i18n`` attribute, the markup is rendered once
per language, and each marked element whose attributes or content differ from the shown
language's becomes an entry ``<div data-k="N" [attributes] [data-c]>content</div>`` (``N`` its
place among the marked elements, ``data-c`` when its content changes). The page's script swaps
the entries in and out (``story.setLanguage``; for a page opened at ``?lang=``, before its first
paint: ``static/boot-languages.js``); a template's content is inert, so nothing in it
runs or is announced, and every text in it was escaped or sanitized like the shown language's.
The texts the script itself writes (step titles in announcements, place names on the map, the
map's description) it reads from the page once a language is in; legend labels and the interface
strings it writes come in the config.
"""

from __future__ import annotations

import copy
import html
import json
import math
import re
from functools import lru_cache
from html.parser import HTMLParser
from importlib import resources
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence

from markupsafe import Markup

from .translations import _listing, story_languages

if TYPE_CHECKING:
    from .models import StoryData

__all__ = ["catalogue", "catalogues", "text", "direction", "dir_attribute", "page_languages", "marked_elements", "language_templates",
           "page_config", "tiles_attribution", "basemap_attribution", "credit_separators", "with_language", "JS_KEYS",
           "MARK", "check_language", "own_name", "LanguageTagError", "language_notes", "has_catalogue", "language_name",
           "check_interface", "own_interface", "english", "placeholders", "switch_names", "dev_texts", "DEV"]

#: The attribute that marks an element whose text or attributes depend on the language.
MARK = "data-i18n"
#: The interface strings the page's script writes itself.
JS_KEYS = ("announce", "progress.value", "sheet.show", "sheet.hide", "legend.title", "labels.more", "zoom.in", "zoom.out",
           "map.wheel",
           "popup.close", "attribution.leaflet", "attribution.tiles", "attribution.basemap")
_LOCALES = "locales"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def catalogues() -> list[str]:
    """The languages with an interface catalogue (``storymap/locales/<lang>.json``)."""
    folder = resources.files("storymap").joinpath(_LOCALES)
    return sorted(entry.name[:-5] for entry in folder.iterdir() if entry.name.endswith(".json"))


@lru_cache(maxsize=None)
def _read(name: str) -> dict[str, str]:
    path = resources.files("storymap").joinpath(_LOCALES, f"{name}.json")
    if not path.is_file():
        return {}
    data = json.loads(path.read_text("utf-8"))
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError(f"storymap/locales/{name}.json: expected a flat {{key: text}} object")
    return data


def _script(tag: str) -> Optional[str]:
    """The script ``tag`` (lowercase, ``-``-separated) is written in, lowercase: its script subtag
    (``zh-hant``), else the likeliest for its language and region in CLDR's likely subtags
    (``zh-tw`` → ``hant``, ``zh`` and ``zh-sg`` → ``hans``, ``ja`` → ``jpan``); None where CLDR
    has none."""
    from babel.core import get_global

    parts = tag.split("-")
    if len(parts) > 1 and len(parts[1]) == 4 and parts[1].isalpha():
        return parts[1]
    likely = get_global("likely_subtags")
    region = parts[1] if len(parts) > 1 and re.fullmatch(r"[a-z]{2}|[0-9]{3}", parts[1]) else None
    for key in ([f"{parts[0]}_{region.upper()}"] if region else []) + [parts[0]]:
        found = likely.get(key, "").split("_")
        if len(found) > 1 and len(found[1]) == 4:
            return found[1].lower()
    return None


@lru_cache(maxsize=None)
def _catalogue_name(lang: str) -> Optional[str]:
    """The catalogue ``lang`` takes (its file's name without ``.json``): its own (``pt-br``), else
    its language's in its script (``zh-hant`` for ``zh-TW``, ``zh-hans`` for ``zh``), else its
    language's (``es`` for ``es-PA``); None for a language without one."""
    tag = lang.lower().replace("_", "-")
    if not re.fullmatch(r"[a-z0-9-]+", tag):
        return None
    primary = tag.split("-", 1)[0]
    script = _script(tag)
    ours = catalogues()
    for name in (tag, f"{primary}-{script}" if script else None, primary):
        if name in ours:
            return name
    return None


def catalogue(lang: str, own: Optional[Mapping[str, str]] = None) -> Mapping[str, str]:
    """Every interface string in ``lang``: the story's own texts for it (``own``: story.toml's or
    its translation's ``[interface]``, see :func:`own_interface`) over its catalogue (its own, else
    its language's in its script, else its language's: see the module's docstring) over English's.

    ``language.name`` (the language's own name, shown on the language switch) falls back to
    CLDR's (:func:`own_name`: ``ไทย`` for ``th``), else to the tag.
    """
    return {**_catalogue(lang), **own} if own else _catalogue(lang)


@lru_cache(maxsize=None)
def _catalogue(lang: str) -> Mapping[str, str]:
    tag = lang.lower().replace("_", "-")
    name = _catalogue_name(lang)
    own = _read(name) if name else {}
    merged = {**_read("en"), **own}
    if "language.name" not in own and tag != "en":
        merged["language.name"] = own_name(lang) or lang
    return merged


def own_name(tag: str) -> Optional[str]:
    """The language's name in itself, as CLDR (through Babel) writes it, its first letter a
    capital (``ko`` → ``한국어``, ``zh-Hant`` → ``中文 (繁體)``, ``sv`` → ``Svenska``), or None for a
    language CLDR does not know (``cuk``)."""
    from babel import Locale

    try:
        name = Locale.parse(tag.replace("_", "-"), sep="-").get_display_name(tag.replace("-", "_"))
    except Exception:  # noqa: BLE001 - a tag Babel has no data for
        return None
    return name[:1].upper() + name[1:] if name else None


@lru_cache(maxsize=None)
def direction(lang: str) -> str:
    """``"rtl"`` for a language written right to left (Arabic, Hebrew, Persian, Urdu, Pashto,
    Yiddish...: CLDR's data, through Babel), else ``"ltr"`` (an unknown tag too)."""
    from babel import Locale, UnknownLocaleError

    tag = lang.replace("_", "-")
    for candidate in (tag, tag.split("-", 1)[0]):
        try:
            return Locale.parse(candidate, sep="-").text_direction
        except (ValueError, TypeError, UnknownLocaleError):
            continue
    return "ltr"


# Language tags -----------------------------------------------------------------------------------

#: A well-formed tag, as the story's fields take it (storymap.types): a language, then subtags.
_TAG = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")
#: Country codes often written for a language's: ``jp`` is Japan, Japanese is ``ja``. A code here
#: that is also a language's (``se``, Northern Sami; ``kr``, Kanuri) is taken as that language, with
#: a note naming the other (:func:`language_notes`).
MIX_UPS = {
    "jp": "ja", "cn": "zh", "kr": "ko", "gr": "el", "dk": "da", "se": "sv", "cz": "cs", "ua": "uk", "vn": "vi",
    "ir": "fa", "il": "he", "al": "sq", "rs": "sr", "ge": "ka", "by": "be", "kz": "kk", "at": "de", "us": "en",
    "gb": "en", "sp": "es", "mx": "es", "pk": "ur", "bd": "bn", "np": "ne", "lk": "si", "hk": "zh",
}


class LanguageTagError(ValueError):
    """A language tag that names no language; ``suggestion`` is the tag probably meant (or None)."""

    def __init__(self, reason: str, suggestion: Optional[str] = None, hint: str = ""):
        super().__init__(reason + hint)
        #: What is wrong, without the suggestion.
        self.reason = reason
        self.suggestion = suggestion


@lru_cache(maxsize=1)
def _cldr() -> tuple[frozenset[str], dict[str, str], dict[str, str]]:
    """The languages CLDR knows (codes), their English names, and its aliases of retired or long
    codes to the ones to write (``iw`` → ``he``, ``deu`` → ``de``)."""
    from babel import Locale
    from babel.core import get_global
    from babel.localedata import locale_identifiers

    names = {code: name for code, name in Locale("en").languages.items() if "_" not in code}
    known = frozenset(names) | {ident.split("_", 1)[0] for ident in locale_identifiers()} - {"root"}
    aliases = {code: to.split("_", 1)[0] for code, to in get_global("language_aliases").items()
               if "_" not in code and to.split("_", 1)[0] in known and code not in known}
    return known, names, aliases


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Language names, lowercased, to codes: each language's English name and (where CLDR has its
    data) its own name, ``german`` and ``deutsch`` → ``de``."""
    from babel import Locale
    from babel.localedata import locale_identifiers

    english = _cldr()[1]
    out: dict[str, str] = {}
    for code in sorted(english, key=lambda c: (len(c), c)):  # two letters first: "German" is de
        out.setdefault(english[code].lower(), code)
    for ident in sorted(i for i in locale_identifiers() if "_" not in i and i != "root"):
        try:
            own = Locale.parse(ident).get_display_name(ident)
        except Exception:  # noqa: BLE001 - a locale Babel cannot load names nothing
            continue
        if own:
            out.setdefault(own.lower(), ident)
    return out


def _normal_case(tag: str) -> str:
    """A tag in BCP 47's usual case: ``PT-br`` → ``pt-BR``, ``zh-hant-tw`` → ``zh-Hant-TW``."""
    parts = tag.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if any(len(seen) == 1 for seen in out[1:]) or len(part) == 1:  # an extension (u-, x-...): lowercase
            out.append(part.lower())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha() or len(part) == 3 and part.isdigit():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


#: ISO 639's codes that name no language (BCP 47 takes them as tags): a story in one of them is
#: taken, with a note that names what the page loses.
NOT_A_LANGUAGE = {"und": "that its language is undetermined", "mul": "that it is in several languages",
                  "zxx": "that it has no linguistic content"}


def language_name(tag: str) -> Optional[str]:
    """The English name of the language of ``tag`` (``pt-BR`` → ``Portuguese (Brazil)``), or None."""
    from babel import Locale

    if tag.split("-", 1)[0].lower() in NOT_A_LANGUAGE:
        return _cldr()[1].get(tag.split("-", 1)[0].lower())  # (Babel would take 'und' for English (United States))
    try:
        name = Locale.parse(tag.replace("_", "-"), sep="-").get_display_name("en")
        if name:
            return name
    except Exception:  # noqa: BLE001 - not a locale Babel has data for: its language's name, if any
        pass
    return _cldr()[1].get(tag.split("-", 1)[0].lower())


def _named(code: str) -> str:
    name = language_name(code)
    return f"{code!r} ({name})" if name else repr(code)


def _suggest(value: str) -> Optional[str]:
    """The tag probably meant by ``value``, which names no language: a name (``Deutsch``,
    ``German``), a country code (``jp``), a retired or long code (``iw``, ``deu``), ``_`` for ``-``
    (``en_US``), or the closest name."""
    from .errors import did_you_mean

    known, _, aliases = _cldr()
    text = value.strip()
    if re.fullmatch(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})+", text):  # en_US, jp-JP: the language, then the rest
        first, rest = re.split(r"[-_]", text, maxsplit=1)
        head = first.lower()
        head = head if head in known else MIX_UPS.get(head) or aliases.get(head) or _suggest(first)
        return _normal_case(f"{head}-{rest.replace('_', '-')}") if head else None
    low = text.lower()
    if low in known:
        return low
    if low in MIX_UPS or low in aliases:
        return MIX_UPS.get(low) or aliases[low]
    names = _names()
    if low in names:
        return names[low]
    close = did_you_mean(low, list(names), cutoff=80.0) if len(low) > 3 else None
    return names[close] if close else None


def check_language(value: str) -> tuple[str, list[str]]:
    """Check a language tag against CLDR (through Babel): return it in BCP 47's usual case and the
    notes a writer should read (see :func:`language_notes`).

    Raises
    ------
    LanguageTagError
        For what is not a language tag (``en_US``, ``English!``) and for a well-formed tag that
        names no language: a country code (``jp``: did you mean ``ja``?), a language's name
        (``Deutsch``, ``German``), a two-letter code no language has (``zz``), a retired or long
        code CLDR writes otherwise (``iw``, ``deu``). A well-formed three-letter code CLDR does not
        know (Guna, ``cuk``) is taken, with a note.
    """
    if not isinstance(value, str):
        raise LanguageTagError(f"expected a language tag as text (e.g. 'en', 'es' or 'pt-BR'), got {value!r}")
    text = value.strip()
    example = "expected a BCP 47 tag such as 'en', 'es' or 'pt-BR'"
    known, _, aliases = _cldr()
    if not _TAG.fullmatch(text):
        suggestion = _suggest(text)
        hint = f"; did you mean {_named(suggestion)}?" if suggestion else ""
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise LanguageTagError(f"{shown!r} is not a language tag ({example})", suggestion, hint)
    tag = _normal_case(text)
    primary = tag.split("-", 1)[0]
    if primary in known:
        return tag, language_notes(tag)
    if len(primary) == 3 and primary not in aliases and primary not in MIX_UPS:
        return tag, language_notes(tag)  # a language CLDR lacks: taken, with a note
    suggestion = _suggest(text)
    if suggestion:
        raise LanguageTagError(f"unknown language {text!r}", suggestion, f"; did you mean {_named(suggestion)}?")
    raise LanguageTagError(f"unknown language {text!r}: no language has this tag ({example})")


#: The prefix of storymap serve's own texts in the catalogues.
DEV = "dev."


@lru_cache(maxsize=1)
def english() -> Mapping[str, str]:
    """Every interface string, in English: the keys a story's ``[interface]`` may give (not
    storymap serve's own, :data:`DEV`)."""
    return {key: text for key, text in _read("en").items() if not key.startswith(DEV)}


def dev_texts(lang: str) -> tuple[str, dict[str, str]]:
    """The texts of storymap serve's overlay for a story in ``lang``, from its catalogue (its own or
    its language's, see :func:`catalogue`; else English's), by key without :data:`DEV`, and the
    language they are in: ``lang``, or ``en`` for a language storymap has no catalogue for."""
    texts = {key[len(DEV):]: text for key, text in _catalogue(lang).items() if key.startswith(DEV)}
    return (lang if has_catalogue(lang) else "en"), texts


def placeholders(template: str) -> set[str]:
    """The ``{name}`` placeholders of an interface string."""
    return set(_PLACEHOLDER.findall(template))


def check_interface(value: Any) -> dict[str, str]:
    """A story's own interface texts (story.toml's or a translation's ``[interface]`` table), as
    ``{key: text}``: each key one of English's (with the closest when not), each text holding the
    placeholders its English does (``"Step {n} of {total}"``: a text without ``{n}`` would lose the
    step's number). Keys written without quotes in TOML (``nav.next = "…"``, a table in a table)
    are taken as the dotted key they spell.

    Raises
    ------
    ValueError
        For a value that is not a table.
    pydantic_core.PydanticCustomError
        One error holding each problem at its key (see :func:`storymap.errors.located_problems`).
    """
    from .errors import Suggester, located_problems, short_repr

    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f'expected a table of interface texts ("nav.next" = "…"), got {short_repr(value)}')
    flat: dict[str, Any] = {}
    problems: list[tuple[tuple[str, ...], str]] = []

    def walk(prefix: str, table: Mapping[Any, Any]) -> None:
        for key, text in table.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(text, Mapping):
                walk(name, text)
            elif name in flat:  # ("nav.next" = "…" and nav.next = "…": one would be dropped unseen)
                problems.append(((name,), f"given twice, quoted and unquoted ({short_repr(flat[name])} and "
                                          f"{short_repr(text)}): keep one"))
            else:
                flat[name] = text

    walk("", value)
    known = english()
    suggest = Suggester(known)
    for key, text in flat.items():
        if key not in known:
            close = suggest(key)
            problems.append(((key,), f"not an interface text; did you mean {close!r}?" if close else
                             "not an interface text; `storymap schema story` lists them all (the keys of "
                             "storymap/locales/en.json)"))
        elif not isinstance(text, str) or not text.strip():
            problems.append(((key,), f"expected its text (some words), got {short_repr(text)}"))
        else:
            want, got = placeholders(known[key]), placeholders(text)
            if got != want:
                said = _listing(["{" + name + "}" for name in sorted(want)]) if want else "no placeholder"
                wrong = [f"{{{name}}} is not one of its placeholders" for name in sorted(got - want)]
                wrong += [f"{{{name}}} is missing" for name in sorted(want - got)]
                problems.append(((key,), f"{'; '.join(wrong)}: the text holds {said}, as its English "
                                         f"{known[key]!r} does"))
    if problems:
        raise located_problems(problems)
    return flat


def own_interface(data: "StoryData", lang: str) -> Mapping[str, str]:
    """The interface texts a story gives for ``lang``, one of its languages: story.toml's
    ``[interface]`` for its own, its translation's for another (empty where none)."""
    if lang == data.lang:
        return data.interface
    translation = data.translations.get(lang)
    return translation.interface if translation is not None else {}


def has_catalogue(lang: str) -> bool:
    """Whether ``lang`` has an interface catalogue: its own, its language's in its script or its
    language's (see :func:`catalogue`)."""
    return _catalogue_name(lang) is not None


def language_notes(lang: str, own: Optional[Mapping[str, str]] = None) -> list[str]:
    """What a writer should know about a story language that still works: a language CLDR does not
    know (its dates stay ISO text, numbers are written as in English), and a language without an
    interface catalogue (its page's controls are in English) whose texts the story does not give
    itself (``own``: its ``[interface]`` table; see :func:`own_interface`). Empty for ar, de, en, es,
    fr, he, ja, pt, pt-BR, zh (zh-Hans, zh-CN...) and zh-Hant (zh-TW, zh-HK...)."""
    known = _cldr()[0]
    tag = lang.replace("_", "-")
    primary = tag.split("-", 1)[0].lower()
    name = language_name(tag)
    called = f"{name} ({tag!r})" if name else repr(tag)
    notes = []
    if primary not in known:
        notes.append(f"{tag!r} is not a language CLDR (through Babel) knows: make sure it is the tag you mean (an "
                     "ISO 639-3 code such as 'cuk', Guna, is taken as given: the page's lang says it), but the "
                     "page's dates stay written as 2024-05-13 and its numbers as in English")
    elif primary in NOT_A_LANGUAGE:
        notes.append(f"{primary!r} says {NOT_A_LANGUAGE[primary]}, not which language the story is in: screen readers "
                     "read it with the reader's own voice, and its dates, numbers and interface are English's; give "
                     "the language its text is in (e.g. 'fr'), and put each other language in a story.<lang>.toml")
        return notes
    elif primary in MIX_UPS:  # a language's code that is also a country's: se is Northern Sami, not Sweden's
        meant = MIX_UPS[primary]
        notes.append(f"{primary!r} is {_cldr()[1].get(primary, primary)}; if the story is in "
                     f"{_cldr()[1].get(meant, meant)}, its tag is {meant!r}")
    # (The language's own name, for the language switch, comes from CLDR where the story gives none.)
    named = own_name(tag) is not None
    missing = [key for key in english() if key not in (own or {}) and not (key == "language.name" and named)]
    if not has_catalogue(tag) and missing:
        ours = [_normal_case(c) for c in catalogues()]
        if not own:
            notes.append(f"the page's interface (Previous/Next, the legend's title, announcements, labels for screen "
                         f"readers) is in English for {called}: storymap has interface texts for "
                         f"{', '.join(ours[:-1])} and {ours[-1]} only; give them in {called} in an [interface] table "
                         f"(`storymap new --lang {tag}` writes one to translate; `storymap schema story` lists its "
                         f"keys)")
        else:
            shown = ", ".join(repr(key) for key in missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
            notes.append(f"{len(missing)} of the page's {len(english())} interface texts are still in English for "
                         f"{called}: add {shown} to its [interface] table")
    return notes + button_notes(tag, own)


def _words(text: str) -> str:
    """What voice control matches of a text: its words, not the marks around them, in any case."""
    return " ".join(re.sub(r"[^\w]+", " ", text).split()).casefold()


#: The step buttons' texts: what each shows, and the name a screen reader or voice control gives it.
STEP_BUTTONS = (("nav.previous", "nav.previous_step"), ("nav.next", "nav.next_step"))


def button_notes(lang: str, own: Optional[Mapping[str, str]]) -> list[str]:
    """What a story's own ``[interface]`` texts (``own``) make of the Previous and Next buttons for
    their readers: one name for both (a screen reader cannot tell them apart), or a name without
    the words the button shows (voice control, told "click Next", finds no button of that name:
    WCAG 2.5.3, label in name). Empty where the story gives none of their texts."""
    if not own or not any(key in own for pair in STEP_BUTTONS for key in pair):
        return []
    texts = catalogue(lang, own)
    notes = []
    names = [texts[name] for _shown, name in STEP_BUTTONS]
    if names[0].strip().casefold() == names[1].strip().casefold():
        notes.append(f"interface: 'nav.previous_step' and 'nav.next_step' are both {names[0]!r}: a screen reader "
                     "names the Previous and Next buttons alike; give each its own words")
    for shown, name in STEP_BUTTONS:
        seen = texts[shown].strip()
        if _words(seen) not in _words(texts[name]):
            notes.append(f"interface: {name!r} ({texts[name]!r}) does not hold the button's own text {shown!r} "
                         f"({seen!r}): voice control, told to press {seen!r}, finds no button of that name; "
                         f"write the name with its words (as 'Next' and 'Next step')")
    return notes


def _babel_locale(lang: str) -> Any:
    """Babel's locale for ``lang``: the whole tag (``pt-BR``), else its language (``fr`` for
    ``fr-x-press``, a tag Babel does not parse), else English."""
    from babel import Locale, UnknownLocaleError

    tag = str(lang).replace("_", "-")
    for candidate in (tag, tag.split("-", 1)[0]):
        try:
            return Locale.parse(candidate, sep="-")
        except (UnknownLocaleError, ValueError, TypeError):
            continue
    return Locale("en")


def number_range(low: Optional[float], high: float, digits: int, lang: str, scientific: bool = False) -> str:
    """A class's range as ``lang`` writes numbers (CLDR, through Babel), with ``digits`` decimals:
    ``2,348,402 – 6,195,124``, in French ``2 348 402 – 6 195 124``; with ``scientific``, ``digits``
    decimals of each mantissa (``5,0E-9 – 1,2E-8``); a class with no lower edge (``low`` None)
    reads ``≤ high``. Written at build time, as step dates are: the page needs no ``Intl`` (whose
    first use costs the browser 10–20 ms). A language CLDR does not know gets English's."""
    from babel.numbers import format_decimal, format_scientific

    decimals = "." + "0" * digits if digits > 0 else ""
    locale = _babel_locale(lang)
    if scientific:
        def write(value: float) -> str:
            return format_scientific(value, "0" + decimals + "E0", locale=locale)
    else:
        def write(value: float) -> str:
            return format_decimal(value, "#,##0" + decimals, locale=locale)
    return f"≤ {write(high)}" if low is None else f"{write(low)} – {write(high)}"


def compact_number(value: float, lang: str) -> str:
    """A colour bar's value written short as ``lang`` writes it (CLDR's short compact form, through
    Babel): ``569.9``, ``12.3K``, ``1.4B``; in French ``12,3 k``, in Spanish ``12,3 mil``, in
    Japanese ``1.23万``. Four significant digits below 10,000 (written whole, without grouping),
    three from there on. A language CLDR does not know gets English's."""
    from babel.numbers import format_compact_decimal, format_decimal, format_scientific

    value = float(value)
    if not math.isfinite(value):
        return str(value)
    locale = _babel_locale(lang)
    value = float(f"{value:.4g}") + 0.0  # (rounded before the choice: 9999.5 is 10K; -0.0 is 0)
    if 0 < abs(value) < 1e-3:  # (0.000005 would read 0: 5E-6)
        return format_scientific(float(f"{value:.3g}"), "0.##E0", locale=locale)
    if abs(value) < 1e4:
        return format_decimal(value, "0.######", locale=locale)
    value = float(f"{value:.3g}")
    short = format_compact_decimal(value, format_type="short", locale=locale, fraction_digits=2)
    if not re.search(r"[^\d\s.,'\u00a0\u202f\u066b\u066c-]", short):
        # No short form at this size in this language (German's thousands): grouped, so that
        # 12,300 does not read as an exact 12300.
        return format_decimal(value, "#,##0.##", locale=locale)
    return short


#: The scale's units as Leaflet writes them ("300 m", "1000 km", "500 ft", "30 mi"), CLDR's names
#: for them, and the lengths Leaflet's scale shows in each (1, 2, 3 or 5 times a power of ten).
SCALE_UNITS = (("m", "length-meter", 500), ("km", "length-kilometer", 20000), ("ft", "length-foot", 5000),
               ("mi", "length-mile", 10000))


def scale_words(lang: str) -> list[Any]:
    """How ``lang`` writes the map scale's lengths (CLDR's short units, through Babel), for the
    page's script: for metres, kilometres, feet and miles, a pattern (``{0} km``) or, where the
    unit's word follows the number (Arabic's "2 متر" is "متران"), the patterns by length with the
    most common under ``""``; then the group symbol and how many digits a number has before it is
    grouped. English: ``["{0} m", "{0} km", "{0} ft", "{0} mi", ",", 4]`` ("1,000 km"); French
    writes "1 000 km" with narrow no-break spaces. A language CLDR does not know gets English's."""
    from babel.numbers import format_decimal
    from babel.units import format_unit

    locale = _babel_locale(lang)
    out: list[Any] = []
    for _, unit, most in SCALE_UNITS:
        lengths = [d * 10 ** k for k in range(6) for d in (1, 2, 3, 5) if d * 10 ** k <= most]
        forms = {str(n): format_unit(n, unit, "short", locale=locale).replace(
            format_decimal(n, locale=locale), "{0}", 1) for n in lengths}
        usual = max(set(forms.values()), key=list(forms.values()).count)
        others = {n: form for n, form in forms.items() if form != usual}
        out.append(dict({"": usual}, **others) if others else usual)
    grouped = format_decimal(10000, "#,##0", locale=locale)
    out.append(grouped[2:-3] if grouped.startswith("10") and grouped.endswith("000") else "")
    out.append(4 if format_decimal(1000, locale=locale) != "1000" else 5)
    return out


def dir_attribute(lang: str) -> Markup:
    """`` dir="rtl"`` for an element in a right-to-left language, else nothing (left to right is
    what an element without ``dir`` in a left-to-right page gets)."""
    return Markup(' dir="rtl"') if direction(lang) == "rtl" else Markup("")


def text(lang: str, key: str, own: Optional[Mapping[str, str]] = None, **params: Any) -> str:
    """One interface string in ``lang`` (the story's ``own`` texts first, see :func:`catalogue`)
    with its ``{placeholders}`` filled in."""
    template = catalogue(lang, own)[key]
    return _PLACEHOLDER.sub(lambda m: str(params[m.group(1)]) if m.group(1) in params else m.group(0), template)


#: How many place names a step's description made from them lists before how many more ("+288
#: more"): a step of 300 places read out one sentence of 300 names (the panel lists them all).
LISTED_PLACES = 12


def places_shown(ui: Mapping[str, str], names: Sequence[str]) -> str:
    """What the map shows at a step of places with these ``names`` (none: the story's region), in
    the language of ``ui`` (a :func:`catalogue`): the names, or past LISTED_PLACES + 1 of them, the
    first LISTED_PLACES and how many more."""
    if not names:
        return ui["map.shows_region"]
    if len(names) > LISTED_PLACES + 1:
        names = [*names[:LISTED_PLACES], ui["labels.more"].replace("{n}", str(len(names) - LISTED_PLACES))]
    return ui["map.shows"].replace("{places}", ui["list.separator"].join(names))


def switch_names(data: "StoryData") -> list[tuple[str, str]]:
    """``(tag, name)`` of each language of the story's page, as the language switch names them: the
    story's ``language.name`` for it, else its catalogue's, else CLDR's. Two languages of one name
    (``es`` and ``es-MX``: both Español in the catalogue) are told apart by CLDR's names with their
    region (Español, Español (México)), else by their tags."""
    langs = page_languages(data)
    names = [catalogue(lang, own_interface(data, lang))["language.name"] for lang in langs]

    def repeated() -> set[str]:
        return {name for name in names if names.count(name) > 1}

    twice = repeated()
    names = [own_name(lang) or name if name in twice and "language.name" not in own_interface(data, lang) else name
             for lang, name in zip(langs, names)]
    twice = repeated()
    names = [f"{name} ({lang})" if name in twice else name for lang, name in zip(langs, names)]
    return list(zip(langs, names))


def page_languages(data: "StoryData") -> list[str]:
    """The languages a story's page holds, the story's own first unless ``languages`` orders them."""
    return story_languages(data.lang, data.languages, list(data.translations))


def match_language(langs: Sequence[str], lang: str) -> Optional[str]:
    """The one of ``langs`` that ``lang`` asks for: the same tag in any case (``ES``), else the first
    of its primary language (``es-MX`` for ``es``); None when none is."""
    for match in (lambda tag: tag.lower() == lang.lower(),
                  lambda tag: tag.lower().split("-")[0] == lang.lower().split("-")[0]):
        found = [tag for tag in langs if match(tag)]
        if found:
            return found[0]
    return None


#: The OpenStreetMap link of the tile layer's attribution.
# Links open in a new tab, never in the story's frame or over a host page (issue 16).
_OSM = '<a href="https://www.openstreetmap.org/copyright" target="_blank" rel="noreferrer">OpenStreetMap</a>'
_CARTO = '&copy; <a href="https://carto.com/attributions" target="_blank" rel="noreferrer">CARTO</a>'


def tiles_attribution(lang: str, own: Optional[Mapping[str, str]] = None) -> str:
    """The tile layer's attribution (HTML, as Leaflet takes it) in ``lang`` (``own``: see :func:`catalogue`)."""
    words = html.escape(catalogue(lang, own)["attribution.tiles"], quote=True)
    return "&copy; " + words.replace("{osm}", _OSM) + " " + _CARTO


#: The embedded basemap's source, as its credit names it in every language.
BASEMAP_SOURCE = "Natural Earth"


def basemap_attribution(lang: str, own: Optional[Mapping[str, str]] = None) -> str:
    """The embedded basemap's attribution (HTML) in ``lang`` (``own``: see :func:`catalogue`): the
    words around the source's name (:data:`BASEMAP_SOURCE`) in a ``storymap-gloss`` element,
    which a narrow map leaves out (storymap.css), so that a phone's credits keep to one line: the
    name alone ("Natural Earth", not "Natural Earth: land, water and borders (public domain)").
    (The catalogues put the name first where the language runs left to right: one element.)"""
    words = html.escape(catalogue(lang, own)["attribution.basemap"], quote=True)
    before, name, after = words.partition(BASEMAP_SOURCE)
    if not name:
        return words

    def more(part: str) -> str:
        return f"<span class=storymap-gloss>{part}</span>" if part.strip() else part

    return more(before) + name + more(after)


def credit_separators(data: "StoryData") -> dict[str, str]:
    """What joins the map's credits (the basemap's, the tiles', a layer's) in each language of the
    story's page that does not join a list with English's ", ": its ``list.separator``, the story's
    own (``[interface]``) or its catalogue's (Arabic "، "), as HTML. Empty where every language of
    the page writes ", " (its credits are joined as Leaflet joins them)."""
    out = {}
    for lang in page_languages(data):
        separator = catalogue(lang, own_interface(data, lang))["list.separator"]
        if separator != ", ":
            out[lang] = html.escape(separator, quote=False)
    return out


def with_language(url: str, lang: str) -> str:
    """``url`` with ``?lang=`` set (kept before any ``#step-id``), to open a story in ``lang``: a
    language tag, checked as a story's are (:func:`check_language`: ``jp`` is an error that names
    ``ja``), in BCP 47's usual case."""
    lang = check_language(lang)[0]
    base, hash_mark, fragment = url.partition("#")
    path, _, query = base.partition("?")
    pairs = [pair for pair in query.split("&") if pair and pair.split("=", 1)[0] != "lang"]
    return path + "?" + "&".join(pairs + [f"lang={lang}"]) + hash_mark + fragment


# Marked elements -------------------------------------------------------------------------------

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                   "wbr"})


class _Marked(HTMLParser):
    """Finds the marked elements of rendered markup: their attributes and the source of their content."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=False)
        self.source = source
        self._lines = [0] + [m.end() for m in re.finditer("\n", source)]
        self._stack: list[tuple[str, int | None]] = []  # (tag, index in found when marked)
        self.found: list[list[Any]] = []  # [tag, attrs, content start, content end]

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._lines[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        marked = MARK in values
        whole = marked and values[MARK] != "attrs"  # "attrs": only the attributes depend on the language
        if marked and any(index is not None for _, index in self._stack):
            raise ValueError(f"a <{tag} {MARK}> inside an element whose content is marked: marks do not nest")
        if marked:
            start = self._offset() + len(self.get_starttag_text() or "")
            end = start if tag in _VOID or not whole else None  # known now: no content to find
            self.found.append([tag, {k: v or "" for k, v in attrs}, start, end])
        if tag not in _VOID:
            self._stack.append((tag, len(self.found) - 1 if whole else None))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if any(name == MARK for name, _ in attrs):
            start = self._offset() + len(self.get_starttag_text() or "")
            self.found.append([tag, {k: v or "" for k, v in attrs}, start, start])

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            open_tag, index = self._stack.pop()
            if index is not None:
                self.found[index][3] = self._offset()
            if open_tag == tag:
                break


def marked_elements(markup: str) -> list[tuple[str, dict[str, str], str]]:
    """``(tag, attributes, content)`` of each element marked ``data-i18n`` in ``markup``, in order
    (content ``""`` for an element marked ``data-i18n="attrs"``, whose attributes alone depend on
    the language and which may hold marked elements)."""
    parser = _Marked(markup)
    parser.feed(markup)
    parser.close()
    out = []
    for tag, attrs, start, end in parser.found:
        if end is None:
            raise ValueError(f"a marked <{tag}> is never closed")
        out.append((tag, attrs, markup[start:end]))
    return out


# The page --------------------------------------------------------------------------------------

def _variants(control: Any) -> dict[str, Any]:
    """A copy of the story control per language of the page, its context in that language (cached)."""
    cache = control.__dict__.get("_i18n_variants")
    if cache is None:
        from .context import PageContext

        context = control.context
        cache = {}
        for lang in page_languages(context.source):
            variant = copy.copy(control)
            variant.context = context if lang == context.lang else PageContext(
                context.source, layout=context.layout, mode=context.mode, overlays=context.overlays, lang=lang)
            variant.story = variant.context.story
            variant.i18n_variant = True
            cache[lang] = variant
        control.__dict__["_i18n_variants"] = cache
    return cache


def _story_markup(variant: Any) -> str:
    from .render import ENV

    return str(ENV.get_template("story.html").module.html(variant, {}))


def language_templates(control: Any) -> Markup:
    """A ``<template data-lang>`` for each language of the page but the one shown, holding what
    differs from it (see the module's docstring); empty for a story in one language."""
    variants = _variants(control)
    shown_lang = control.context.lang
    if len(variants) < 2:
        return Markup("")
    shown = marked_elements(_story_markup(variants[shown_lang]))
    out = []
    for lang, variant in variants.items():
        if lang == shown_lang:
            continue
        other = marked_elements(_story_markup(variant))
        if [tag for tag, _, _ in other] != [tag for tag, _, _ in shown]:
            raise RuntimeError(f"the story's markup in {lang!r} is not shaped like in {shown_lang!r}: an element "
                               f"marked {MARK} depends on the language")
        entries = []
        for index, ((_, attrs, content), (_, new_attrs, new_content)) in enumerate(zip(shown, other)):
            if set(attrs) != set(new_attrs):
                raise RuntimeError(f"marked element {index} has other attributes in {lang!r}")
            changed = {k: v for k, v in new_attrs.items() if k != MARK and attrs[k] != v}
            if not changed and content == new_content:
                continue
            attributes = "".join(f' {name}="{html.escape(value, quote=True)}"'  # the parser unescaped it
                                 for name, value in changed.items())
            if content != new_content:
                entries.append(f'<div data-k="{index}"{attributes} data-c>{new_content}</div>')
            else:
                entries.append(f'<div data-k="{index}"{attributes}></div>')
        # (A page opened in this language takes its direction from here before the map's code runs.)
        rtl = ' data-dir="rtl"' if direction(lang) == "rtl" else ""
        out.append(f'<template data-lang="{html.escape(lang, quote=True)}"{rtl}>{"".join(entries)}</template>')
    return Markup("\n".join(out))


def page_config(control: Any) -> dict[str, Any]:
    """What the page's script needs to show each language: the languages (tag and own name), the
    interface strings it writes, and the legend's labels in each language not shown."""
    variants = _variants(control)
    shown_lang = control.context.lang
    out: dict[str, Any] = {
        "lang": shown_lang,
        "langs": [list(pair) for pair in switch_names(control.context.source)],
        "ui": {lang: _js_strings(lang, variant.context.ui) for lang, variant in variants.items()},
    }
    if control.context.source.tiles is not None:
        # A named provider's (or the story's own) tiles keep their credit in every language: only
        # the default tiles' credit has words to translate (it used to replace any provider's).
        for strings in out["ui"].values():
            del strings["attribution.tiles"]
    if len(variants) == 1:
        # One language: no switch to list the languages in, and the layers' credits are written
        # in it already.
        del out["langs"]
        for strings in out["ui"].values():
            strings.pop("attribution.tiles", None)
            strings.pop("attribution.basemap", None)
    rtl = {lang: "rtl" for lang in variants if direction(lang) == "rtl"}
    if rtl:  # (for the switch: the root's and the document's `dir` follow the language shown)
        out["dirs"] = rtl
    # The script reads step titles, descriptions and place names from the page once a language is
    # in (they are in its templates); the legend's labels are not in the page: they come here.
    legend = {lang: [variant.context.legend_label(kind) for kind in variant.context.kinds.values() if kind.legend]
              for lang, variant in variants.items() if lang != shown_lang}
    if legend:
        out["legend"] = legend
    return out


def _js_strings(lang: str, ui: Mapping[str, str]) -> dict[str, Any]:
    """The interface strings the page's script writes, in ``lang`` (``ui``: its page's, the story's own over the catalogue's)."""
    strings: dict[str, Any] = {key: ui[key] for key in JS_KEYS}
    # Attributions are HTML to Leaflet: the catalogue's words are escaped.
    strings["attribution.tiles"] = tiles_attribution(lang, ui)
    strings["attribution.basemap"] = basemap_attribution(lang, ui)
    strings["attribution.leaflet"] = html.escape(strings["attribution.leaflet"], quote=True)
    strings["scale"] = scale_words(lang)
    return strings
