"""A story in several languages: the translation files, what they must hold, and a story's texts in one language.

The GeoJSON stays plain (the texts of the story's own language, as QGIS and every GIS read them);
each other language is a ``story.<lang>.toml`` file next to ``story.toml`` that mirrors the texts by
id::

    title = "Los puertos de contenedores más activos del mundo"   # subtitle, byline, kicker alike
    [kinds.port]
    label = "Puerto de contenedores"
    [steps.overview]                          # by step id: title, narrative, description, media
    title = "Dónde se mueven las cajas"
    media = [{ alt = "…", caption = "…" }]     # one entry per image, in order (src where it differs)
    [places.port-of-shanghai]                 # by place id: name, annotation, date, period, sources
    name = "Puerto de Shanghái"
    period = "desde 2010, el primero del mundo"
    sources = ["", "Título traducido"]         # one title per source, in order; "" keeps the original

The languages are the story's own ``lang`` followed by those of its translation files, or, when
``story.toml`` says ``languages = ["en", "es"]``, exactly those (each needing its file).

What validation asks of each translation (:func:`check_translations`): every field known, every
id one the story has (with the closest one when not), and, when asked for completeness (a story
read from files), every text the page shows: the story's title, subtitle, byline and kicker when
it has them, each step's title, narrative and description, each place's annotation, the ``date``
and ``period`` that hold words (``2025-02-18`` and ``1997–2026`` read the same in every language),
and the label of each kind the story declares and its places use. Place names, source titles,
kind descriptions and the publication's name (``site_name``) fall back to the original when
absent. A text the original lacks (a kicker where the story has none) cannot be shown and is
reported.

:func:`localize` gives the story with its texts in one language (an absent text falls back to
the original), generic kinds' labels from that language's interface catalogue included.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Annotated, Any, Optional, Sequence

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, TypeAdapter, ValidationError

from .errors import Suggester, short_repr, validation_problems
from .kinds import GENERIC_KINDS
from .types import InterfaceTexts, Language

if TYPE_CHECKING:
    from .models import StoryData

__all__ = ["Translation", "StepText", "PlaceText", "KindText", "MediaText", "check_translations", "localize", "story_languages",
           "translation_file_lang", "needs_translation", "StoryLanguage"]

#: What may be a translation file: ``story.<anything>.toml`` (its tag is checked).
_TRANSLATION_LIKE = re.compile(r"^story\.(.*)\.toml$", re.IGNORECASE | re.DOTALL)

Loc = tuple[Any, ...]


def _known_language(value: Any) -> Any:
    """A story language: a tag CLDR knows as a language (or a well-formed three-letter code it
    lacks), in BCP 47's usual case (see :func:`storymap.i18n.check_language`)."""
    if not isinstance(value, str):
        return value  # (said by the type's own check)
    from .i18n import check_language

    return check_language(value)[0]


#: A language of the story (``lang``, ``languages``, a translation's): well formed, a language, normalised.
StoryLanguage = Annotated[Language, BeforeValidator(_known_language)]


def translation_file_lang(filename: str) -> Optional[str]:
    """The language of a file named like a translation (``story.<lang>.toml``), normalised
    (``story.EN.toml`` → ``en``, ``story.pt-br.toml`` → ``pt-BR``); None for another file.

    Raises
    ------
    ValueError
        When the name's tag is not a language, saying the name to give it instead where it can
        tell (``story.en_US.toml`` → ``story.en-US.toml``, ``story.english.toml`` → ``story.en.toml``).
    """
    from .i18n import check_language

    found = _TRANSLATION_LIKE.match(filename)
    if not found or filename == "story.toml":
        return None
    try:
        return check_language(found.group(1))[0]
    except ValueError as exc:
        from .i18n import language_name

        suggestion = getattr(exc, "suggestion", None)
        name = language_name(suggestion) if suggestion else None
        rename = (f"rename it story.{suggestion}.toml" + (f" ({name})" if name else "") if suggestion
                  else "name a translation story.<lang>.toml (e.g. story.es.toml)")
        raise ValueError(f"not a translation file name: {getattr(exc, 'reason', exc)}; {rename}, or move it out of the "
                         "story folder") from None


class _Texts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KindText(_Texts):
    """A kind's texts in another language."""

    label: Optional[str] = Field(default=None, description="What the legend and the cards call the kind.")
    description: Optional[str] = Field(default=None, description="What the kind means.")


class MediaText(_Texts):
    """A step's image in another language: its texts, and another file when the image itself holds
    words (a graphic drawn in each language)."""

    src: Optional[str] = Field(default=None, description="Another image for this language (as the original's src).")
    alt: Optional[str] = None
    caption: Optional[str] = Field(default=None, description="Markdown.")
    credit: Optional[str] = Field(default=None, description="Only where it reads differently; the original otherwise.")

    #: The other image, read and prepared (see storymap.media) when the translation is checked.
    _prepared: Any = PrivateAttr(default=None)


class StepText(_Texts):
    """A step's texts in another language."""

    title: Optional[str] = None
    narrative: Optional[str] = Field(default=None, description="Markdown.")
    description: Optional[str] = Field(default=None, description="What the map shows, for screen readers.")
    media: Optional[list[MediaText]] = Field(
        default=None, description="One entry per image of the step, in order: [{alt, caption}] (and src, credit "
                                  "where they differ).")


class PlaceText(_Texts):
    """A place's texts in another language."""

    name: Optional[str] = Field(default=None, description="Only where the name differs; the original otherwise.")
    annotation: Optional[str] = Field(default=None, description="Markdown.")
    date: Optional[str] = None
    period: Optional[str] = None
    sources: Optional[list[str]] = Field(
        default=None, description="One title per source, in the order of the place's sources; \"\" keeps the "
                                  "original title (a document is usually cited by its own title).")


class Translation(_Texts):
    """The texts of a story in another language: ``story.<lang>.toml``."""

    title: Optional[str] = None
    subtitle: Optional[str] = None
    byline: Optional[str] = None
    kicker: Optional[str] = None
    site_name: Optional[str] = Field(default=None, description="The publication's name in this language's "
                                     "link previews (og:site_name); without it, story.toml's.")
    kinds: dict[str, KindText] = Field(default_factory=dict)
    steps: dict[str, StepText] = Field(default_factory=dict)
    places: dict[str, PlaceText] = Field(default_factory=dict)
    interface: InterfaceTexts = Field(default_factory=dict, description="The page's interface texts in this "
                                      "language, by key, over storymap's own (as story.toml's [interface]).")


_LANGUAGE = TypeAdapter(StoryLanguage)
_WORDS = re.compile(r"[^\W\d_]", re.UNICODE)


def needs_translation(text: Optional[str]) -> bool:
    """Whether a text reads differently in another language: it holds letters (``1997–2026``,
    ``2025-02-18`` do not)."""
    return bool(text and _WORDS.search(text))


def _given(text: Optional[str]) -> bool:
    return text is not None and text.strip() != ""


def _listing(langs: Sequence[str]) -> str:
    return langs[0] if len(langs) == 1 else ", ".join(langs[:-1]) + " and " + langs[-1]


def _field(raw: Any, name: str) -> Any:
    return raw.get(name) if isinstance(raw, dict) else getattr(raw, name, None)


def story_languages(lang: str, declared: Sequence[str], translations: Sequence[str]) -> list[str]:
    """The story's languages, in order: the declared ones (its own among them), or its own then
    its translations' (sorted)."""
    if declared:
        return list(dict.fromkeys(declared if lang in declared else [lang, *declared]))
    return [lang] + sorted(t for t in translations if t != lang)


def check_translations(raw: Any, *, lang: str, declared: Sequence[str], raw_kinds: Any, raw_places: Sequence[Any],
                       raw_steps: Sequence[Any], meta: dict[str, Any], against_story: bool = True,
                       complete: bool = False, folder: Any = None) -> tuple[dict[str, Translation], list[tuple[Loc, str]]]:
    """Validate a story's translations (``{lang: table}``) and, with ``against_story`` (the story
    being valid), their ids and texts against the story's (its places and steps as validated, or
    as raw mappings); return the valid translations and every problem, located as
    ``("translations", lang, ...)`` or ``("languages", i)``.

    ``complete``: also report each text missing in a language (see the module's docstring).
    """
    problems: list[tuple[Loc, str]] = []
    out: dict[str, Translation] = {}
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return out, [(("translations",), f"expected {{language: texts}}, got {short_repr(raw)}")]
    # Each translation's language: a language tag, in BCP 47's usual case ("ES" is "es").
    tags: dict[Any, Any] = {}
    for tag, table in raw.items():
        try:
            normal = _LANGUAGE.validate_python(tag)
        except ValidationError as exc:
            reason = "; ".join(message for _, message in validation_problems(exc))
            problems.append((("translations", tag), f"{reason}; name translation files story.<lang>.toml, "
                                                    "e.g. story.es.toml"))
            continue
        if normal in tags:
            problems.append((("translations", tag), f"the same language as {short_repr(tags[normal][0])}: keep one"))
            continue
        tags[normal] = (tag, table)
    raw = {normal: table for normal, (_, table) in tags.items()}
    # The languages (each tag already checked as a field of the story).
    declared_list = [tag for tag in declared if isinstance(tag, str)] if isinstance(declared, (list, tuple)) else []
    if declared_list and lang not in declared_list:
        problems.append((("languages",), f"the story is written in {lang!r} (its lang): list it too, e.g. "
                                         + "languages = [" + ", ".join(f'"{t}"' for t in [lang, *declared_list]) + "]"))
    for i, tag in enumerate(declared_list):
        if declared_list.index(tag) != i:
            problems.append((("languages", i), f"{tag!r} is listed twice"))
        elif tag != lang and tag not in raw:
            problems.append((("languages", i), f"{tag!r} has no translation: add story.{tag}.toml next to story.toml"))
    langs = story_languages(lang, declared_list, list(raw))
    # Each translation on its own.
    for tag, table in raw.items():
        where: Loc = ("translations", tag)
        if tag == lang:
            problems.append((where, f"the story is written in {lang!r}: its {lang} texts are in story.toml and the "
                                    "places' properties, not in a translation file"))
            continue
        if declared_list and tag not in declared_list:
            problems.append((where, f"{tag!r} is not one of the story's languages ({', '.join(declared_list)}): add "
                                    "it to `languages` in story.toml, or remove the file"))
            continue
        if isinstance(table, Translation):
            translation = table
        else:
            try:
                translation = Translation.model_validate(table)
            except ValidationError as exc:
                problems += [(where + loc, message) for loc, message in validation_problems(exc, Translation)]
                # The rest of the file, checked against the story in the same run (an unknown
                # field hid a misspelt step id and the texts missing).
                rest = _without(table, [tuple(e["loc"]) for e in exc.errors()])
                if against_story and rest is not None:
                    # (A text missing beside a field refused is left to that field's line: "titel:
                    # unknown field; did you mean 'title'?" says what "title: missing" would.)
                    refused = {tuple(e["loc"][:-1]) for e in exc.errors()}
                    try:
                        problems += [(where + loc, message) for loc, message in _against_story(
                            Translation.model_validate(rest), raw_kinds=raw_kinds, raw_places=raw_places,
                            raw_steps=raw_steps, meta=meta, langs=langs if tag in langs else [*langs, tag],
                            complete=complete) if not (message.startswith("missing") and loc[:-1] in refused)]
                    except ValidationError:
                        pass
                continue
        out[tag] = translation
        problems += [(where + loc, message) for loc, message in _prepare_media(translation, folder)]
        if not against_story:
            continue
        problems += [(where + loc, message) for loc, message in
                     _against_story(translation, raw_kinds=raw_kinds, raw_places=raw_places, raw_steps=raw_steps,
                                    meta=meta, langs=langs if tag in langs else [*langs, tag], complete=complete)]
    return out, problems


def _without(table: Any, locs: Sequence[tuple[Any, ...]]) -> Optional[dict[str, Any]]:
    """``table`` without the values at ``locs`` (those validation refused), or None where one lies
    in a list (taking it out would renumber the others) or ``table`` is not a table."""
    if not isinstance(table, dict) or any(any(isinstance(part, int) for part in loc) for loc in locs):
        return None
    rest = copy.deepcopy(table)
    for loc in locs:
        node = rest
        for part in loc[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and loc:
            node.pop(loc[-1], None)
    return rest


def _prepare_media(tr: Translation, folder: Any) -> list[tuple[Loc, str]]:
    """Read each image a translation names instead of the original's (as a step's media are read)."""
    from pathlib import Path

    from . import media as _media

    problems: list[tuple[Loc, str]] = []
    for sid, text in tr.steps.items():
        for k, given in enumerate(text.media or []):
            if not given.src or given._prepared is not None:  # (read when the story was loaded)
                continue
            try:
                where, target = _media.classify_src(given.src)
                if where == "local":
                    given._prepared = _media.read_image(_media.local_path(target, Path(folder) if folder else None))
            except _media.MediaError as exc:
                problems.append((("steps", sid, "media", k, "src"), str(exc)))
    return problems


def _ids(items: Sequence[Any]) -> list[str]:
    return [i for i in (_field(item, "id") for item in items) if isinstance(i, str)]


def _against_story(tr: Translation, *, raw_kinds: Any, raw_places: Sequence[Any], raw_steps: Sequence[Any],
                   meta: dict[str, Any], langs: list[str], complete: bool) -> list[tuple[Loc, str]]:
    """A translation's unknown ids, texts the story lacks and (``complete``) texts missing."""
    problems: list[tuple[Loc, str]] = []
    missing = f"missing (the story is in {_listing(langs)})"
    original_lang = meta.get("lang") if isinstance(meta.get("lang"), str) else langs[0]

    def compare(loc: Loc, original: Any, translated: Optional[str], required: bool, hint: str = "") -> None:
        if _given(translated) and not _given(original) and loc[-1] != "description":
            problems.append((loc, f"the story has no {loc[-1]} in {original_lang}: nothing to translate "
                                  "(add it to the original first)"))
        elif complete and required and isinstance(original, str) and _given(original) and not _given(translated):
            problems.append((loc, (missing + hint) if translated is None else
                             f"empty (the story is in {_listing(langs)})"))

    for name in ("title", "subtitle", "byline", "kicker"):
        compare((name,), meta.get(name), getattr(tr, name), True)
    compare(("site_name",), meta.get("site_name"), tr.site_name, False)  # (a name may stay as it is)

    # Kinds: those the story has (declared or generic); the labels it declares and uses are its texts.
    declared = raw_kinds if isinstance(raw_kinds, dict) else {}
    known_kinds = list(dict.fromkeys([*declared, *GENERIC_KINDS]))
    suggest = Suggester(known_kinds)
    for name in tr.kinds:
        if name not in known_kinds:
            problems.append((("kinds", name), _unknown("kind", name, suggest)))
    used = set()
    for item in raw_places:
        props = _field(item, "properties")
        kind = _field(props, "kind") if props is not None else None
        used.add(kind if isinstance(kind, str) else None)
    for name, spec in declared.items():
        label = spec.get("label") if isinstance(spec, dict) else getattr(spec, "label", None)
        generic = GENERIC_KINDS.get(name, {}).get("label")
        if isinstance(name, str) and name in used and isinstance(label, str) and label != generic:
            text = tr.kinds.get(name)
            compare(("kinds", name, "label"), label, text.label if text else None, True)

    # Steps, by id.
    steps = {sid: item for item in raw_steps if isinstance(sid := _field(item, "id"), str)}
    suggest = Suggester(_ids(raw_steps))
    for sid in tr.steps:
        if sid not in steps:
            problems.append((("steps", sid), _unknown("step", sid, suggest)))
    for sid, item in steps.items():
        text = tr.steps.get(sid) or StepText()
        for name in ("title", "narrative", "description"):
            compare(("steps", sid, name), _field(item, name), getattr(text, name), True)
        media = _field(item, "media") or []
        if text.media is not None and len(text.media) != len(media):
            problems.append((("steps", sid, "media"), f"{len(text.media)} entr(y/ies) for the step's {len(media)} "
                                                      "image(s): give one per image, in order"))
            continue
        # (Where the translation has no media at all, the line says how to write them.)
        hint = "" if text.media is not None else f"; write one [[steps.{sid}.media]] table per image, in order"
        for k, figure in enumerate(media):
            given = text.media[k] if text.media is not None else MediaText()
            for name in ("alt", "caption"):
                compare(("steps", sid, "media", k, name), _field(figure, name), getattr(given, name), True, hint)

    # Places, by id.
    places = {}
    for item in raw_places:
        pid = _field(item, "id")
        if isinstance(pid, str):
            places.setdefault(pid, item)
    suggest = Suggester(list(places))
    for pid in tr.places:
        if pid not in places:
            problems.append((("places", pid), _unknown("place", pid, suggest)))
    for pid, item in places.items():
        props = _field(item, "properties")
        if props is None:
            continue
        text = tr.places.get(pid) or PlaceText()
        compare(("places", pid, "name"), _field(props, "name"), text.name, False)
        compare(("places", pid, "annotation"), _field(props, "annotation"), text.annotation, True)
        for name in ("date", "period"):
            original = _field(props, name)
            compare(("places", pid, name), original, getattr(text, name), needs_translation(original))
        sources = _field(props, "sources")
        if text.sources is not None and isinstance(sources, list) and len(text.sources) != len(sources):
            problems.append((("places", pid, "sources"),
                             f"{len(text.sources)} title(s) for the place's {len(sources)} source(s): give one title "
                             "per source, in order (\"\" keeps a source's own title)"))
    return problems


def _unknown(what: str, name: str, suggest: Suggester) -> str:
    close = suggest(name)
    hint = f"; did you mean {close!r}?" if close else ""
    return f"unknown {what} {short_repr(name)}{hint} (translations are keyed by the story's {what} ids)"


def _text(translated: Optional[str], original: Any) -> Any:
    return translated if _given(translated) else original


def _localized_media(figure: Any, given: MediaText) -> Any:
    new = figure.model_copy(update={name: _text(getattr(given, name), getattr(figure, name))
                                    for name in ("src", "alt", "caption", "credit")})
    if _given(given.src):
        new._prepared = given._prepared  # the other image (None: a remote one)
    return new


def localize(data: "StoryData", lang: str) -> "StoryData":
    """The story with its texts in ``lang`` (an absent text falls back to the original), generic
    kinds named from ``lang``'s interface catalogue. The result is for showing; it keeps the
    translations and the original's ``lang``.

    Raises
    ------
    KeyError
        For a language the story is not in.
    """
    from .i18n import catalogue, own_interface
    from .models import StoryData

    if lang != data.lang and lang not in data.translations:
        raise KeyError(lang)
    tr = data.translations.get(lang) if lang != data.lang else None
    tr = tr or Translation()
    ui = catalogue(lang, own_interface(data, lang))
    kinds = {}
    for name, kind in data.kinds.items():
        label = kind.label
        generic = GENERIC_KINDS.get(name, {}).get("label")
        if label == generic:
            label = ui.get(f"kind.{name}", label)
        text = tr.kinds.get(name)
        if text is not None:
            update = {"label": _text(text.label, label), "description": _text(text.description, kind.description)}
        else:
            update = {"label": label}
        kinds[name] = kind.model_copy(update=update) if update["label"] != kind.label or len(update) > 1 else kind
    steps = []
    for step in data.steps:
        text = tr.steps.get(step.id)
        if text is None:
            steps.append(step)
            continue
        media = list(step.media)
        if text.media is not None and len(text.media) == len(media):
            media = [_localized_media(figure, given) for figure, given in zip(media, text.media)]
        steps.append(step.model_copy(update={
            "title": _text(text.title, step.title), "narrative": _text(text.narrative, step.narrative),
            "description": _text(text.description, step.description), "media": media}))
    places = []
    for place in data.places:
        text = tr.places.get(place.id)
        if text is None:
            places.append(place)
            continue
        props = place.properties
        sources = props.sources
        if text.sources is not None and len(text.sources) == len(sources):
            sources = [s.model_copy(update={"title": t.strip()}) if _given(t) else s
                       for s, t in zip(sources, text.sources)]
        new = props.model_copy(update={
            "name": _text(text.name, props.name), "annotation": _text(text.annotation, props.annotation),
            "date": _text(text.date, props.date), "period": _text(text.period, props.period), "sources": sources})
        places.append(place.model_copy(update={"properties": new}))
    fields = {name: getattr(data, name) for name in StoryData.model_fields}
    fields.update({name: _text(getattr(tr, name), getattr(data, name)) for name in ("title", "subtitle", "byline",
                                                                                    "kicker", "site_name")})
    fields.update(kinds=kinds, steps=steps, places=places)
    return StoryData.model_construct(**fields)
