"""A story in several languages: the translation files, their validation, the interface catalogues,
the page that holds every language (in Chromium: Spanish throughout, the switch, deep links, axe)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import storymap
from storymap import i18n, private
from storymap.basemap import ATTRIBUTION
from storymap.cli import main as cli
from storymap.errors import StoryError
from storymap.kinds import GENERIC_KINDS
from storymap.models import Place, swapped_places
from storymap.render import TILES

from .conftest import GEODATA, ROOT, axe_violations

STORY = storymap.load(GEODATA)
STEPS = STORY.steps
ES = STORY.data.translations["es"]
EN_UI = dict(i18n.catalogue("en"))
ROOT_JS = "document.querySelector('[data-storymap]')"


def problems(folder: Path) -> list[str]:
    with pytest.raises(StoryError) as info:
        storymap.load(folder)
    return [str(p) for p in info.value.problems]


@pytest.fixture()
def story_dir(story_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the Panama story, problem lines naming it geodata/ as in the repository."""
    monkeypatch.chdir(story_dir.parent)
    return story_dir


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) >= 1, old
    path.write_text(text.replace(old, new, count), "utf-8")


# ------------------------------------------------------------------------------- catalogues
def test_every_catalogue_has_every_interface_string_with_its_placeholders():
    assert i18n.catalogues() == ["ar", "de", "en", "es", "fr", "he", "ja", "pt", "pt-br", "zh-hans", "zh-hant"]
    keys = set(EN_UI)
    for lang in i18n.catalogues():
        own = json.loads((ROOT / "storymap" / "locales" / f"{lang}.json").read_text("utf-8"))
        assert set(own) == keys, (lang, keys ^ set(own))
        for key, text in own.items():
            assert text.strip(), (lang, key)
            assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", EN_UI[key])), (lang, key)
    # English is what the library said before catalogues: generic kinds, attributions.
    assert {name: EN_UI[f"kind.{name}"] for name in GENERIC_KINDS} == {n: k["label"] for n, k in GENERIC_KINDS.items()}
    assert i18n.tiles_attribution("en") == TILES["attribution"]
    assert EN_UI["attribution.basemap"] == ATTRIBUTION


def test_a_language_without_a_catalogue_falls_back_to_english():
    assert i18n.catalogue("es-PA")["nav.next"] == "Siguiente"  # the primary subtag's
    assert i18n.catalogue("ko")["nav.next"] == "Next" and i18n.catalogue("ko")["language.name"] == "한국어"
    assert i18n.catalogue("sv")["language.name"] == "Svenska" and i18n.catalogue("cuk")["language.name"] == "cuk"
    assert i18n.catalogue("fr-CA")["nav.next"] == "Suivant" and i18n.catalogue("pt-PT")["nav.next"] == "Seguinte"
    # Brazil's Portuguese has its own words where Portugal's differ; the rest is the same.
    brazil, portugal = i18n.catalogue("pt-BR"), i18n.catalogue("pt")
    assert (brazil["nav.next"], brazil["skip"], brazil["kind.event"]) == (
        "Próxima", "Pular o mapa: ir para o texto da história", "Evento")
    assert brazil["nav.previous"] == portugal["nav.previous"] == "Anterior"


def _one_place_folder(folder: Path, pid: str, name: str, lonlat: list[float], annotation: str, source: str) -> Path:
    """A story folder with its places.geojson of one point (story.toml is the test's to write)."""
    folder.mkdir()
    feature = {"type": "Feature", "id": pid, "geometry": {"type": "Point", "coordinates": lonlat},
               "properties": {"name": name, "annotation": annotation, "kind": "place",
                              "sources": [{"title": source, "url": "https://example.org/a"}]}}
    (folder / "places.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    return folder


def test_a_story_in_french_german_or_portuguese_has_its_controls_in_that_language(tmp_path: Path):
    """A reporter's story in French (German, Portuguese) reads in French around its own text: the
    buttons, the legend's title, the generic kinds, the sources' heading, the attribution."""
    folder = _one_place_folder(tmp_path / "ponts", "pont-neuf", "Pont Neuf", [2.3413, 48.8570], "Achevé en 1607.",
                               "Archives")
    expected = {"fr": ["Suivant", "Précédent", "Légende", '"label":"Lieu"', "Sources (1)", "Sur la carte\u00a0:"],
                "de": ["Weiter", "Zurück", "Legende", '"label":"Ort"', "Quellen (1)", "Auf der Karte:"],
                "pt": ["Seguinte", "Anterior", "Legenda", '"label":"Lugar"', "Fontes (1)", "No mapa:"]}
    for lang, words in expected.items():
        (folder / "story.toml").write_text(f'title = "Les ponts"\nlang = "{lang}"\n[[steps]]\nid = "a"\ntitle = "A"\n'
                                           'description = "Le pont"\nplaces = ["pont-neuf"]\n', "utf-8")
        page = storymap.load(folder).to_html()
        assert f'<html lang="{lang}">' in page
        missing = [w for w in words if w not in page]
        assert missing == [], (lang, missing)
        assert ">Next <" not in page and 'aria-label="Previous step"' not in page and "On the map:" not in page
    assert i18n.text("es", "announce", n=3, total=11, title="{n} x") == "Paso 3 de 11: {n} x"


def _next_button(page: str) -> tuple[str, str]:
    """The Next button's text (without its arrow) and its name for screen readers."""
    found = re.search(r'<button type="button" class="storymap-button storymap-next" aria-label="([^"]*)"[^>]*>([^<]*) <',
                      page)
    assert found, "no Next button"
    return found.group(2), found.group(1)


@pytest.mark.parametrize(("lang", "next_", "name", "words"), [
    ("ja", "次へ", "次へ進む", ["前へ", "凡例", "出典（1）", "地図上の表示：", "全{total}ステップ中{n}番目：{title}"]),
    ("zh", "下一步", "下一步", ["上一步", "图例", "来源（1）", "地图上：", "第{n}步，共{total}步：{title}"]),
    ("zh-CN", "下一步", "下一步", ["图例", "来源（1）"]),
    ("zh-Hans", "下一步", "下一步", ["图例", "来源（1）"]),
    # Traditional characters for Taiwan's and Hong Kong's tags, never the Simplified catalogue's.
    ("zh-TW", "下一步", "下一步", ["圖例", "來源（1）", "地圖上：", "第{n}步，共{total}步：{title}"]),
    ("zh-Hant", "下一步", "下一步", ["圖例", "來源（1）"]),
    ("zh-HK", "下一步", "下一步", ["圖例", "來源（1）"]),
])
def test_a_story_in_japanese_or_chinese_has_its_controls_in_that_language(tmp_path: Path, recwarn, lang: str,
                                                                           next_: str, name: str, words: list[str]):
    """A reporter writing in Japanese got a page half in English (51 texts to translate by hand):
    storymap has Japanese and Chinese (Simplified, Traditional) interface texts, with no warning."""
    folder = _one_place_folder(tmp_path / "story", "tower", "東京タワー", [139.7454, 35.6586], "1958年完成。", "資料")
    (folder / "story.toml").write_text(f'title = "東京"\nlang = "{lang}"\n[[steps]]\nid = "a"\ntitle = "A"\n'
                                       'description = "塔"\nplaces = ["tower"]\n[[steps]]\nid = "b"\ntitle = "B"\n'
                                       'narrative = "x"\nplaces = ["tower"]\n', "utf-8")
    assert i18n.language_notes(lang) == []
    page = storymap.load(folder).to_html()
    assert not [w for w in recwarn.list if "interface" in str(w.message)], [str(w.message) for w in recwarn.list]
    assert f'<html lang="{lang}">' in page and _next_button(page) == (next_, name)
    missing = [w for w in words if w not in page]
    assert missing == [], missing
    assert '"legend.title":"Legend"' not in page and "On the map:" not in page and "Sources (1)" not in page
    assert ">Next <" not in page and 'aria-label="Previous step"' not in page
    if lang.startswith("zh"):
        assert ("图例" in page) != ("圖例" in page)  # (one script, never the other's)
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 0 and result.stderr == "", result.output


def test_storymap_new_in_japanese_or_chinese_writes_no_table_to_translate(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for lang, next_ in (("ja", "次へ"), ("zh-CN", "下一步"), ("zh-TW", "下一步")):
        result = CliRunner().invoke(cli, ["new", lang, "--lang", lang])
        assert result.exit_code == 0 and result.stderr == "", result.output
        assert f'lang = "{lang}" in story.toml: the page\'s interface follows it' in result.stdout
        build = CliRunner().invoke(cli, ["build", lang, "-o", f"{lang}.html", "--no-social"])
        assert build.exit_code == 0 and "interface" not in build.stderr, build.output
        assert _next_button((tmp_path / f"{lang}.html").read_text("utf-8"))[0] == next_


def test_chinese_tags_take_the_catalogue_of_their_script():
    """Chinese has a catalogue per script: a tag takes the one of its script subtag, else of the
    script CLDR finds likeliest for its region (Taiwan, Hong Kong, Macao: Traditional); a script
    storymap has none for is English, never the other script's characters."""
    for tag in ("zh", "zh-CN", "zh-SG", "zh-Hans", "zh-Hans-HK", "ZH_cn"):
        assert i18n.catalogue(tag)["legend.title"] == "图例", tag
    for tag in ("zh-TW", "zh-HK", "zh-MO", "zh-Hant", "zh-Hant-CN", "zh-hant-tw"):
        assert i18n.catalogue(tag)["legend.title"] == "圖例", tag
    assert i18n.catalogue("zh-Latn")["legend.title"] == "Legend" and not i18n.has_catalogue("zh-Latn")
    assert i18n.catalogue("yue")["legend.title"] == "Legend"  # (Cantonese is its own language)
    assert i18n.catalogue("ja-JP")["nav.next"] == "次へ" and i18n.catalogue("es-PA")["nav.next"] == "Siguiente"
    assert i18n.catalogue("zh-CN")["language.name"] == "简体中文" and i18n.catalogue("zh-TW")["language.name"] == "繁體中文"
    assert i18n.dev_texts("zh-TW") == ("zh-TW", {key[4:]: text for key, text in i18n.catalogue("zh-Hant").items()
                                                 if key.startswith("dev.")})


# ------------------------------------------------------------------------------- the format
def test_the_spanish_translation_is_complete_and_read():
    assert STORY.languages == ["en", "es"]
    assert ES.title == "Socios en la encrucijada" and set(ES.steps) == {s.id for s in STEPS}
    es = storymap.translations.localize(STORY.data, "es")
    canal = es.place("panama-canal")
    assert canal.name == "Canal de Panamá" and canal.period == "desde 1914 (ampliado en 2016)"
    assert es.place("fuerzas-comando-2024").name == "Fuerzas Comando 2024"  # same name: falls back
    assert es.place("talks-jcet-2025").date == "2025-02-18"  # no words: the same in every language
    sources = es.place("port-of-balboa").sources
    assert "cifras preliminares de la Autoridad Marítima de Panamá" in sources[0].title
    assert sources[1] == STORY.data.place("port-of-balboa").sources[1]  # "" keeps a source's own title
    assert es.kinds["corridor"].label.startswith("Corredor de narcotráfico")
    assert es.kinds["place"].label == "Lugar"  # a generic kind: the catalogue's
    assert STORY.data.title == "Partners at the Crossroads"  # the story itself is unchanged


def test_a_missing_text_is_reported(story_dir: Path):
    path = story_dir / "story.es.toml"
    text = path.read_text("utf-8")
    start = text.index('narrative = """', text.index("[steps.overview]"))
    end = text.index('"""', start + 15) + 3
    path.write_text(text[:start] + text[end:], "utf-8")
    edit(path, 'period = "desde 1914 (ampliado en 2016)"\n', "")
    edit(path, 'label = "Puerto"', 'label = ""')
    assert problems(story_dir) == [
        "geodata/story.es.toml: kinds.port.label: empty (the story is in en and es)",
        "geodata/story.es.toml: steps.overview.narrative: missing (the story is in en and es)",
        "geodata/story.es.toml: places.panama-canal.period: missing (the story is in en and es)",
    ]


def test_unknown_ids_and_fields_in_a_translation(story_dir: Path):
    path = story_dir / "story.es.toml"
    edit(path, "[steps.the-canal]", "[steps.the-canl]")
    edit(path, "[places.gatun-locks]", "[places.gatun-lock]")
    edit(path, "[kinds.corridor]", "[kinds.corridors]")
    edit(path, 'title = "Socios en la encrucijada"', 'titel = "Socios en la encrucijada"')
    # Every problem in one run: the unknown field and, the rest of the file checked, the ids and
    # the texts missing (the unknown field hid them until it was mended).
    first = problems(story_dir)
    assert first[0] == "geodata/story.es.toml: titel: unknown field; did you mean 'title'?"
    edit(path, "titel =", "title =")
    found = problems(story_dir)
    assert found == first[1:]  # ("title: missing" beside it is left to the unknown field's line)
    for line in (
        "geodata/story.es.toml: kinds.corridors: unknown kind 'corridors'; did you mean 'corridor'? "
        "(translations are keyed by the story's kind ids)",
        "geodata/story.es.toml: steps.the-canl: unknown step 'the-canl'; did you mean 'the-canal'? "
        "(translations are keyed by the story's step ids)",
        "geodata/story.es.toml: places.gatun-lock: unknown place 'gatun-lock'; did you mean 'gatun-locks'? "
        "(translations are keyed by the story's place ids)",
        "geodata/story.es.toml: steps.the-canal.title: missing (the story is in en and es)",
        "geodata/story.es.toml: places.gatun-locks.annotation: missing (the story is in en and es)",
        "geodata/story.es.toml: kinds.corridor.label: missing (the story is in en and es)",
    ):
        assert line in found, (line, found)


def test_declared_languages_and_texts_the_story_lacks(story_dir: Path):
    edit(story_dir / "story.toml", 'lang = "en"', 'lang = "en"\nlanguages = ["en", "es", "fr"]')
    edit(story_dir / "story.es.toml", 'kicker = "Mapa narrativo"', 'kicker = "Mapa narrativo"\nsources = 3')
    (story_dir / "story.de.toml").write_text('title = "Partner am Scheideweg"\n', "utf-8")
    assert problems(story_dir) == [
        "geodata/story.toml: languages[2]: 'fr' has no translation: add story.fr.toml next to story.toml",
        "geodata/story.de.toml: 'de' is not one of the story's languages (en, es, fr): add it to `languages` in "
        "story.toml, or remove the file",
        "geodata/story.es.toml: sources: unknown field; expected one of title, subtitle, byline, kicker, site_name, "
        "kinds, steps, places, interface",
    ]
    (story_dir / "story.de.toml").unlink()
    edit(story_dir / "story.toml", 'languages = ["en", "es", "fr"]', 'languages = ["es", "en"]')
    edit(story_dir / "story.es.toml", "\nsources = 3", "")
    edit(story_dir / "story.toml", 'kicker = "Story map"', 'kicker = ""')
    edit(story_dir / "story.es.toml", "[places.cocoli-locks]", '[places.cocoli-locks]\nsources = ["", "x"]')
    assert problems(story_dir) == [
        "geodata/story.es.toml: kicker: the story has no kicker in en: nothing to translate (add it to the "
        "original first)",
        "geodata/story.es.toml: places.cocoli-locks.sources: 2 title(s) for the place's 3 source(s): give one "
        "title per source, in order (\"\" keeps a source's own title)",
    ]
    edit(story_dir / "story.es.toml", 'kicker = "Mapa narrativo"', "")
    edit(story_dir / "story.es.toml", 'sources = ["", "x"]', "")
    assert storymap.load(story_dir).languages == ["es", "en"]  # the declared order


@pytest.mark.parametrize("name, message", [
    ("story.en_US.toml", "not a translation file name: 'en_US' is not a language tag (expected a BCP 47 tag such as "
                         "'en', 'es' or 'pt-BR'); rename it story.en-US.toml (English (United States)), or move it "
                         "out of the story folder"),
    ("story.english.toml", "not a translation file name: unknown language 'english'; rename it story.en.toml "
                           "(English), or move it out of the story folder"),
    ("story.jp.toml", "not a translation file name: unknown language 'jp'; rename it story.ja.toml (Japanese), or "
                      "move it out of the story folder"),
    ("story.backup.toml", "not a translation file name: unknown language 'backup': no language has this tag "
                          "(expected a BCP 47 tag such as 'en', 'es' or 'pt-BR'); name a translation "
                          "story.<lang>.toml (e.g. story.es.toml), or move it out of the story folder"),
])
def test_a_translation_file_named_with_a_wrong_tag_is_named(story_dir: Path, name: str, message: str):
    """Not silently ignored: the file is named, with the name to give it."""
    shutil.copy(story_dir / "story.es.toml", story_dir / name)
    assert problems(story_dir) == [f"geodata/{name}: {message}"]
    result = CliRunner().invoke(cli, ["validate", "geodata"])
    assert result.exit_code == 1 and f"geodata/{name}: {message}" in result.stderr.splitlines()


def test_translation_file_tags_are_taken_in_bcp47_case(story_dir: Path):
    (story_dir / "story.es.toml").rename(story_dir / "story.ES.toml")
    story = storymap.load(story_dir)
    assert story.languages == ["en", "es"] and '<template data-lang="es">' in story.to_html()
    shutil.copy(story_dir / "story.ES.toml", story_dir / "story.es.toml")  # the same language twice
    assert problems(story_dir) == ["geodata/story.es.toml: a second translation into 'es', with geodata/story.ES.toml: "
                                   "keep one"]
    (story_dir / "story.ES.toml").unlink()
    edit(story_dir / "story.toml", 'lang = "en"', 'lang = "en"\nlanguages = ["en", "es"]')
    (story_dir / "story.es.toml").rename(story_dir / "story.EN.toml")  # the story's own language, written large
    assert "geodata/story.EN.toml: the story is written in 'en': its en texts are in story.toml and the places' " \
           "properties, not in a translation file" in problems(story_dir)


def test_a_translation_without_interface_texts_is_a_warning(story_dir: Path):
    """A Korean translation's page has English controls: the warning names its file."""
    (story_dir / "story.es.toml").rename(story_dir / "story.ko.toml")
    result = CliRunner().invoke(cli, ["validate", "geodata"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "geodata: valid (11 steps, 18 places; 1 warning)\n"
    assert result.stderr.startswith("geodata/story.ko.toml: warning: the page's interface (Previous/Next, the "
                                    "legend's title, announcements, labels for screen readers) is in English for "
                                    "Korean ('ko'): storymap has interface texts for ar, de, en, es, fr, he, ja, pt, "
                                    "pt-BR, zh-Hans and zh-Hant only")
    # A page of the story's other languages only says nothing about Korean.
    result = CliRunner().invoke(cli, ["build", "geodata", "-o", "en.html", "--languages", "en", "--no-social"])
    assert result.exit_code == 0, result.output
    assert "Korean" not in result.stderr


def test_language_tags_are_checked_against_cldr():
    assert i18n.check_language(" pt-br ") == ("pt-BR", [])
    assert i18n.check_language("zh-hant-tw")[0] == "zh-Hant-TW"
    assert i18n.check_language("fr-CA") == ("fr-CA", [])  # a regional tag takes its language's interface
    # Languages that are also country codes are taken as those languages, with a word for the slip.
    assert i18n.check_language("se")[1][0] == "'se' is Northern Sami; if the story is in Swedish, its tag is 'sv'"
    assert i18n.check_language("kr")[0] == "kr"
    # Every language with a catalogue, and only those, needs no word about its interface.
    listed = sorted(p.stem for p in (ROOT / "storymap" / "locales").glob("*.json"))
    assert i18n.catalogues() == listed == ["ar", "de", "en", "es", "fr", "he", "ja", "pt", "pt-br", "zh-hans", "zh-hant"]
    assert all(i18n.check_language(lang)[1] == [] for lang in listed)
    assert all(i18n.check_language(lang)[1] == [] for lang in ("ja-JP", "zh", "zh-CN", "zh-TW", "zh-HK", "zh-Hant-TW"))
    assert all(i18n.language_notes(lang) for lang in ("ko", "hi", "yue", "ru", "it", "nl", "zh-Latn"))
    tag, notes = i18n.check_language("kr-kr")  # Kanuri in Korea: odd, but a language
    assert tag == "kr-KR" and notes[0] == "'kr' is Kanuri; if the story is in Korean, its tag is 'ko'"
    # ISO 639's codes that name no language are taken, with a note of what the page loses.
    for code, says in {"und": "undetermined", "mul": "several languages", "zxx": "no linguistic content"}.items():
        tag, notes = i18n.check_language(code.upper())
        assert tag == code and len(notes) == 1 and says in notes[0] and "give the language its text is in" in notes[0]
        assert "English (United States)" not in notes[0]
    for wrong, meant in {"日本語": "ja", "Français": "fr", "Francais": "fr", "english": "en", "pt_BR": "pt-BR",
                         "deu": "de"}.items():
        with pytest.raises(i18n.LanguageTagError) as info:
            i18n.check_language(wrong)
        assert info.value.suggestion == meant, wrong


def test_a_small_story_in_two_languages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "harbour"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    feature = {"type": "Feature", "id": "old-harbour", "geometry": {"type": "Point", "coordinates": [4.3, 52.1]},
               "properties": {"name": "Old harbour", "annotation": "Built in *1610*.", "period": "1610–1890",
                              "sources": [{"title": "City archive", "url": "https://example.org/a"}]}}
    (folder / "places.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    (folder / "story.toml").write_text('title = "The harbour"\nlang = "en"\n[kinds.place]\nlabel = "Quay"\n'
                                       '[[steps]]\nid = "start"\ntitle = "Start"\nplaces = ["old-harbour"]\n', "utf-8")
    (folder / "story.nl.toml").write_text('title = "De haven"\n[steps.start]\ntitle = "Begin"\n'
                                          '[places.old-harbour]\nannotation = "Gebouwd in *1610*."\n', "utf-8")
    # A generic kind the story renames is a text of the story; a period without words is not.
    assert problems(folder) == ["harbour/story.nl.toml: kinds.place.label: missing (the story is in en and nl)"]
    (folder / "story.nl.toml").write_text((folder / "story.nl.toml").read_text("utf-8") + '[kinds.place]\n'
                                          'label = "Kade"\n', "utf-8")
    with pytest.warns(UserWarning, match="English for Dutch"):  # (storymap has no Dutch controls)
        story = storymap.load(folder)
    dutch = story.to_html(lang="nl")
    assert '<html lang="nl">' in dutch and "Gebouwd in <em>1610</em>." in dutch and ">Kade · 1610–1890 · " in dutch
    # No Dutch catalogue: the interface falls back to English, the switch names the language in itself (CLDR).
    assert '>Next <span aria-hidden="true">→</span></button>' in dutch and 'lang="nl" aria-pressed="true">Nederlands<' in dutch
    # From Python, a story whose translation lacks a text (a step added later) falls back to the original.
    story.add_step(id="more", title="More", places=["old-harbour"])
    assert ">More</h2>" in story.to_html(lang="nl")


def test_a_broken_story_is_not_also_reported_through_its_translation(story_dir: Path):
    edit(story_dir / "story.toml", 'id = "the-canal"', 'id = "overview"')
    assert problems(story_dir) == ["geodata/story.toml: step \"overview\" (steps[5]) id: duplicate step id "
                                   "'overview' (first used by steps[0])"]


def test_untrusted_translations_are_escaped_and_sanitized(story_dir: Path):
    payload = '<img src=x onerror=alert(1)>{{ 7*7 }}'
    edit(story_dir / "story.es.toml", 'title = "De Florida al istmo"', f"title = {json.dumps(payload)}")
    edit(story_dir / "story.es.toml", "En febrero de 2025,", "<script>alert(2)</script> [x](javascript:alert(3)) ")
    edit(story_dir / "story.es.toml", 'name = "Canal de Panamá"', 'name = "</template><script>alert(4)</script>"')
    html = storymap.load(story_dir).to_html()
    assert "<img src=x" not in html and "<script>alert" not in html and 'href="javascript' not in html
    assert "&lt;img src=x onerror=alert(1)&gt;{{ 7*7 }}" in html  # shown as text, never evaluated
    assert "&lt;/template&gt;&lt;script&gt;" in html and html.count("</template>") == 1


# ------------------------------------------------------------------------------- the page
def test_the_page_holds_every_language_and_opens_in_the_one_asked_for():
    english, spanish = STORY.to_html(), STORY.to_html(lang="es")
    assert '<html lang="en">' in english and '<template data-lang="es">' in english
    assert '<html lang="es">' in spanish and '<template data-lang="en">' in spanish
    assert "<title>Socios en la encrucijada</title>" in spanish
    assert ">Saltar el mapa: ir al texto de la historia</a>" in spanish and "Skip the map" not in spanish.split(
        '<template data-lang="en">')[0]
    assert STORY.to_html(lang="ES") == spanish and STORY.to_html(lang="es-PA") == spanish
    fragment = STORY.to_html(fragment=True, lang="es")
    assert re.search(r'data-storymap( data-storymap-policy="[^"]*")? data-layout="slides" data-storymap-index="0" '
                     r'lang="es"', fragment) and '<template data-lang="en">' in fragment
    with pytest.raises(ValueError, match="not in 'fr'; its languages are en, es"):
        STORY.to_html(lang="fr")
    # Only what differs travels: an entry per marked element that changes.
    entries = re.findall(r'<div data-k="(\d+)"', english.split('<template data-lang="es">')[1].split("</template>")[0])
    assert len(entries) == len(set(entries)) > 100


def test_a_page_can_hold_one_language_alone():
    spanish = STORY.to_html(languages=["es"])
    markup = spanish.split("<main>")[1].split("<script>")[0]
    assert '<html lang="es">' in spanish and "Socios en la encrucijada" in markup
    assert "<template" not in markup and "storymap-langs" not in markup and "Partners at the" not in spanish
    assert "_initSwitch:" not in spanish and "_initSwitch:" in STORY.to_html()  # the switch's script too
    assert STORY.to_html(languages=["es", "en"]) == STORY.to_html(lang="es")
    with pytest.raises(ValueError, match="not one of the languages asked for"):
        STORY.to_html(lang="en", languages=["es"])


def test_a_story_in_one_language_has_no_switch_and_no_marks(tmp_path: Path):
    folder = tmp_path / "ports"
    shutil.copytree(ROOT / "examples" / "ports", folder)
    html = storymap.load(folder).to_html()
    markup = html.split("<main>")[1].split("<script>")[0]
    assert "data-i18n" not in markup and "<template" not in markup and "storymap-langs" not in markup
    # (No list of languages for a switch, and no credits to translate: the layers' are in English.)
    assert '"langs":[[' not in html and '"attribution.tiles"' not in html and '"attribution.basemap"' not in html
    spanish = STORY.to_html(languages=["es"])
    assert '"attribution.basemap"' not in spanish and "tierra, agua y fronteras (dominio público)" in spanish
    assert '"attribution.basemap"' in STORY.to_html()


def test_marked_elements_are_found_with_their_content():
    found = i18n.marked_elements('<div data-i18n="attrs" aria-label="A"><p data-i18n>x <b>y</b></p>'
                                 '<img data-i18n alt="z"><span data-i18n>w</span></div>')
    assert found == [("div", {"data-i18n": "attrs", "aria-label": "A"}, ""), ("p", {"data-i18n": ""}, "x <b>y</b>"),
                     ("img", {"data-i18n": "", "alt": "z"}, ""), ("span", {"data-i18n": ""}, "w")]
    with pytest.raises(ValueError, match="do not nest"):
        i18n.marked_elements("<p data-i18n><span data-i18n>x</span></p>")


@pytest.mark.parametrize("args, option, message", [
    (["--languages", "es", "--lang", "en"], "--lang", "lang 'en' is not one of the languages asked for (es)"),
    (["--languages", "es,fr"], "--languages", "the story is not in 'fr'; its languages are en, es"),
    (["--languages", " , "], "--languages", "give one or more of the story's languages, comma-separated (its "
                                            "languages are en, es)"),
])
def test_build_names_the_language_option_at_fault(tmp_path: Path, args, option, message):
    """A usage error names the option that is wrong (--lang outside --languages is --lang's), in the
    command line's words rather than Python's (no ``got []``)."""
    result = CliRunner().invoke(cli, ["build", str(GEODATA), "-o", str(tmp_path / "x.html"), *args])
    assert result.exit_code == 2 and f"Invalid value for {option}: {message}" in result.stderr, result.stderr
    assert not (tmp_path / "x.html").exists()


def test_cli_and_embed_choose_the_language(tmp_path: Path):
    runner = CliRunner()
    out = tmp_path / "es.html"
    result = runner.invoke(cli, ["build", str(GEODATA), "-o", str(out), "--lang", "es"])
    assert result.exit_code == 0, result.output
    assert '<html lang="es">' in out.read_text("utf-8")
    result = runner.invoke(cli, ["build", str(GEODATA), "-o", str(tmp_path / "fr.html"), "--lang", "fr"])
    assert result.exit_code == 2 and "its languages are en, es" in result.output
    result = runner.invoke(cli, ["build", str(GEODATA), "-o", str(out), "--languages", "es"])
    assert result.exit_code == 0 and "<template" not in out.read_text("utf-8").split("<main>")[1].split("<script>")[0]
    result = runner.invoke(cli, ["embed", "https://news.example/s/index.html#the-canal", "--lang", "es"])
    assert 'src="https://news.example/s/index.html?lang=es#the-canal"' in result.output
    snippet = storymap.embed_snippet("story.html?x=1&lang=en", lang="es")
    assert 'src="story.html?x=1&amp;lang=es"' in snippet
    with pytest.raises(ValueError, match="language tag"):
        storymap.embed_snippet("story.html", lang='es" onload="x')
    # The tag is checked as a story's are: a slip names the tag meant, and a tag takes BCP 47's case.
    result = runner.invoke(cli, ["embed", "https://news.example/s/", "--lang", "jp"])
    assert result.exit_code == 2 and "--lang" in result.output and "did you mean 'ja' (Japanese)?" in result.output
    assert 'src="story.html?lang=pt-BR"' in storymap.embed_snippet("story.html", lang="pt-br")
    with pytest.raises(i18n.LanguageTagError, match="did you mean 'en-US'"):
        storymap.embed_snippet("story.html", lang="en_US")


# ------------------------------------------------------------------------------- swapped places
def test_a_swapped_far_place_is_reported(story_dir: Path):
    path = story_dir / "places.geojson"
    doc = json.loads(path.read_text("utf-8"))
    hq = next(f for f in doc["features"] if f["id"] == "socsouth-hq")
    lon, lat = hq["geometry"]["coordinates"]
    hq["geometry"]["coordinates"] = [lat, lon]  # Homestead, Florida → near the South Pole
    path.write_text(json.dumps(doc), "utf-8")
    (line,) = problems(story_dir)
    assert line.startswith('geodata/places.geojson: feature "socsouth-hq" (features[0]) geometry: coordinates look '
                           "swapped: the place lies at longitude 25.49, latitude -80.38, in the Antarctic, far from "
                           "the story's other places")
    assert "swapped, at longitude -80.38, latitude 25.49, it would lie far closer to them" in line


def test_far_places_that_are_not_swapped_are_left_alone():
    def at(pid, x, y):
        return Place(id=pid, name=pid, annotation="a", sources=[{"title": "s", "url": "https://example.org"}],
                     geometry={"type": "Point", "coordinates": [x, y]})

    assert swapped_places(STORY.data.places) == []
    assert swapped_places(storymap.load(ROOT / "examples" / "ports").data.places) == []
    # Stations in the Antarctic among Antarctic places are no swap; one alone in a Chilean story, swapped
    # into Chile, is.
    chile = [at("santiago", -70.67, -33.45), at("valparaiso", -71.62, -33.05), at("punta-arenas", -70.9, -53.16)]
    antarctic = [at("rothera", -68.13, -67.57), at("palmer", -64.05, -64.77)]
    assert swapped_places(chile + antarctic) == []
    found = swapped_places(chile + [at("puerto-montt", -41.47, -72.94)])
    assert [f.index for f in found] == [3] and "in the Antarctic" in found[0].message


# ------------------------------------------------------------------------------- in Chromium
@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("i18n")
    STORY.save(out / "slides.html")
    STORY.save(out / "scroll.html", layout="scroll")
    STORY.save(out / "es.html", languages=["es"])
    return out


def open_at(make_page, path: Path, query: str = "", viewport=(1280, 800), **options):
    run = make_page(viewport, reduced_motion="reduce", **options)
    run.page.goto(path.resolve().as_uri() + query, wait_until="load")
    run.settle()
    return run


# Every text node and label of the story's root, the map's controls and popups included.
CHROME_JS = """() => {
  const root = document.querySelector('[data-storymap]'), out = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, host = node.parentElement;
    if (node.textContent.trim() && !host.closest('[lang]:not([lang="es"])')) out.push(node.textContent.trim());
  }
  for (const el of [root, ...root.querySelectorAll('*')]) {
    if (el.closest('[lang]:not([lang="es"])')) continue;
    for (const name of ['aria-label', 'title', 'aria-valuetext', 'alt']) {
      if (el.getAttribute(name)) out.push(el.getAttribute(name));
    }
  }
  return out;
}"""


def english_left(texts: list[str]) -> list[tuple[str, str]]:
    """Texts that are (or hold) an English interface string."""
    found = []
    for key, english in EN_UI.items():
        if key in ("language.name", "list.separator", "legend.arrows_word") or key.startswith("attribution."):
            continue
        parts = [re.escape(part) for part in re.split(r"\{\w+\}", english)]
        pattern = re.compile(".+?".join(parts)) if len(english.split()) > 1 else re.compile(f"^{parts[0]}$")
        found += [(key, text) for text in texts if pattern.search(text)]
    for english in ("contributors", "JavaScript library", "land, water and borders"):
        found += [("attribution", text) for text in texts if english in text]
    return found


def legend_rows(lang: str) -> list[str]:
    """The labels of the Panama story's legend rows (its kinds') in ``lang``."""
    from storymap.context import PageContext

    context = PageContext(STORY.data, lang=lang)
    return [context.legend_label(kind) for kind in context.kinds.values() if kind.legend]


@pytest.mark.browser
def test_back_to_a_step_seen_before_a_change_of_language_keeps_it_in_the_address(pages: Path, make_page):
    """Back to an entry made before the reader chose Spanish: the page stayed in Spanish but the
    address lost ?lang=es, and a reload opened it in English."""
    run = open_at(make_page, pages / "slides.html")
    run.page.click(".storymap-next")
    run.page.click(".storymap-lang[data-lang=es]")
    assert run.js("() => [location.search, location.hash]") == ["?lang=es", f"#{STEPS[1].id}"]
    run.page.go_back()
    run.page.wait_for_function(f"() => {ROOT_JS}.storymap.index === 0")
    assert run.js(f"() => [location.search, location.hash, {ROOT_JS}.storymap.language]") == ["?lang=es", "", "es"]
    run.page.reload()
    run.page.wait_for_function(f"() => {ROOT_JS}.storymap && {ROOT_JS}.storymap.ready")
    assert run.js(f"() => [{ROOT_JS}.storymap.language, {ROOT_JS}.storymap.index]") == ["es", 0]
    assert run.errors == []


def test_the_spanish_page_reads_in_spanish_and_switches_back(pages: Path, make_page):
    run = open_at(make_page, pages / "slides.html", "?lang=es#the-canal")
    canal = next(i for i, s in enumerate(STEPS) if s.id == "the-canal")
    state = run.js(f"""() => {{ const r = {ROOT_JS};
      return {{index: r.storymap.index, language: r.storymap.language, lang: r.lang, doc: document.documentElement.lang,
               title: document.title, live: r.querySelector('.storymap-live').textContent, hash: location.hash,
               pressed: [...r.querySelectorAll('.storymap-lang[aria-pressed=true]')].map(b => b.textContent),
               legend: r.querySelector('.storymap-legend-title').textContent, rows: [...r.querySelectorAll('.storymap-legend-item > .storymap-legend-label')].map(n => n.textContent),
               labels: [...r.querySelectorAll('.storymap-label')].map(l => l.textContent)}}; }}""")
    # (The legend is made after the page has switched to Spanish: its rows are in Spanish from the start.)
    assert state == {"index": canal, "language": "es", "lang": "es", "doc": "es",
                     "title": f"{ES.steps['the-canal'].title} – Socios en la encrucijada",
                     "live": f"Paso {canal + 1} de {len(STEPS)}: {ES.steps['the-canal'].title}",
                     "hash": "#the-canal", "pressed": ["Español"], "legend": "Leyenda", "rows": legend_rows("es"),
                     "labels": state["labels"]}, state
    assert "Canal de Panamá" in state["labels"] and "Esclusas de Gatún" in state["labels"]
    # A place's card in a popup, with its close button, in Spanish too.
    run.js(f"() => void {ROOT_JS}.storymap.layers['Story places'].eachLayer(l => l.getLayers && "
           "l.getLayers()[0].feature && l.getLayers()[0].feature.geometry.type === 'LineString' && l.openPopup())")
    run.page.wait_for_selector(".leaflet-popup-content .storymap-place")
    assert run.page.get_attribute(".leaflet-popup-close-button", "aria-label") == "Cerrar la ventana"
    texts = run.js(CHROME_JS)
    assert english_left(texts) == []
    assert "Fuentes (1)" in texts and "En el mapa:" in texts and "Acercar" in texts and "Paso siguiente" in texts
    assert any(t == "Canal · desde 1914 (ampliado en 2016) · posición aproximada" for t in texts)

    # The switch keeps the step; English comes back whole, and the URL keeps the language.
    run.page.click(".storymap-lang[data-lang=en]")
    back = run.js(f"""() => {{ const r = {ROOT_JS};
      return [r.storymap.index, r.lang, document.documentElement.lang, location.search, location.hash,
              r.querySelector('.storymap-live').textContent, r.querySelector('.leaflet-popup-close-button')
              .getAttribute('aria-label'), r.querySelector('.leaflet-popup-content .storymap-place-name').textContent,
              r.querySelector('.storymap-step--current .storymap-step-title').textContent,
              [...r.querySelectorAll('.storymap-legend-item > .storymap-legend-label')].map(n => n.textContent)]; }}""")
    assert back == [canal, "en", "en", "", "#the-canal", f"Step {canal + 1} of {len(STEPS)}: {STEPS[canal].title}",
                    "Close popup", "Panama Canal", STEPS[canal].title, legend_rows("en")]
    run.page.click(".storymap-lang[data-lang=es]")
    run.page.click(".storymap-next")
    assert run.js("() => [location.search, location.hash, document.querySelector('.storymap-live').textContent]") == [
        "?lang=es", f"#{STEPS[canal + 1].id}", f"Paso {canal + 2} de {len(STEPS)}: {ES.steps[STEPS[canal + 1].id].title}"]
    # destroy() leaves the markup as the server rendered it (English), the Spanish still in its template.
    after = run.js(f"""() => {{ const r = {ROOT_JS}; r.storymap.destroy();
      return [r.querySelector('.storymap-step-title').textContent, r.lang, r.querySelector('[data-i18n]')
              .getAttribute('data-i18n'), r.querySelector('template').content.children.length > 100,
              document.documentElement.lang, document.title]; }}""")
    assert after == [STEPS[0].title, "en", "", True, "en", STORY.title]
    assert run.errors == [] and run.outside == []


# The story's text as a reader sees it (what the story fills in later, the places' cards, aside),
# and whether Leaflet has run.
PANEL_JS = """() => { const r = document.querySelector('[data-storymap]'), text = (n) => n ? n.innerText.trim() : null;
  const shown = [...r.querySelectorAll('.storymap-step')].filter((s) => !s.hidden);
  return {lang: r.lang, dir: r.getAttribute('dir'), card: [...r.querySelectorAll('.storymap-titlecard > :not(.storymap-langs)')].map(text).join(' | '),
          steps: shown.map((s) => ['.storymap-step-title', '.storymap-narrative', '.storymap-onmap', 'figcaption']
            .map((q) => text(s.querySelector(q)))),
          controls: [...r.querySelectorAll('.storymap-skip, .storymap-sheet-toggle, .storymap-nav button')]
            .map((b) => [b.textContent.trim(), b.getAttribute('aria-label')]),
          leaflet: !!window[Symbol.for('%s')]}; }""" % private.leaflet_key(trimmed=True)  # (the Panama story's)
# Stops every frame and timer: nothing runs after boot.js, and the page stays as boot.js left it.
NOTHING_AFTER_BOOT = "window.requestAnimationFrame = () => 0; window.setTimeout = () => 0;"


@pytest.mark.browser
@pytest.mark.parametrize("layout, step", [("slides", "the-canal"), ("slides", ""), ("scroll", "the-canal")])
def test_a_page_opened_in_spanish_shows_spanish_before_leaflet_runs(pages: Path, make_page, layout: str, step: str):
    # Before, the first paint was in English, and the Spanish came in when the story started.
    query = "?lang=es" + (f"#{step}" if step else "")
    first = make_page(reduced_motion="reduce")
    first.page.add_init_script(NOTHING_AFTER_BOOT)
    first.page.goto((pages / f"{layout}.html").resolve().as_uri() + query, wait_until="load")
    before = first.js(PANEL_JS)
    assert not before.pop("leaflet") and before["lang"] == "es" and before["dir"] == "ltr"
    assert first.js("() => [document.documentElement.lang, document.title]") == ["es", ES.title]
    texts = [before["card"]] + [t for shown in before["steps"] for t in shown if t] + [t for c in before["controls"]
                                                                                       for t in c if t]
    assert english_left(texts) == [], texts
    # The step's title and narrative (in the page in English for the first step) are Spanish.
    ids = [s.id for s in STEPS]
    for at, shown in zip([ids.index(step or ids[0])] if layout == "slides" else range(len(ids)), before["steps"]):
        spanish = ES.steps[ids[at]]
        assert shown[0] == spanish.title and shown[1].startswith(re.sub(r"[*_]", "", spanish.narrative)[:30]), shown
    assert ("Siguiente →", "Paso siguiente") in map(tuple, before["controls"]), before["controls"]
    # The story, once started, shows the same text: it took the swap over (and did not swap back).
    ready = open_at(make_page, pages / f"{layout}.html", query)
    after = ready.js(PANEL_JS)
    assert after.pop("leaflet") and after == before
    assert ready.js(f"() => [{ROOT_JS}.storymap.language, document.documentElement.lang]") == ["es", "es"]
    # Back to English, and to Spanish again: every text follows.
    ready.page.click(".storymap-lang[data-lang=en]")
    english = ready.js(PANEL_JS)
    assert english["lang"] == "en" and f" | {STORY.title} | " in english["card"], english
    ready.page.click(".storymap-lang[data-lang=es]")
    assert ready.js(PANEL_JS) == dict(before, leaflet=True)
    assert first.errors == [] and ready.errors == []


@pytest.mark.browser
def test_the_scale_shows_miles_in_english_only(pages: Path, make_page):
    """A Spanish reader's scale read "500 km / 300 mi": miles for English readers only."""
    lines = """() => [...document.querySelectorAll('.leaflet-control-scale-line')]
      .map((n) => getComputedStyle(n).display !== 'none')"""
    english = open_at(make_page, pages / "slides.html")
    assert english.js(lines) == [True, True]
    english.js("() => document.querySelector('[data-storymap]').storymap.setLanguage('es')")
    assert english.js(lines) == [True, False]
    english.js("() => document.querySelector('[data-storymap]').storymap.setLanguage('en')")
    assert english.js(lines) == [True, True]
    assert open_at(make_page, pages / "es.html").js(lines) == [True, False]
    # Its lengths are written as the language writes them: "3,000 km" in English, "3.000 km" in
    # Spanish (Leaflet wrote "3000 km" in both), following the switch.
    texts = """() => { const s = document.querySelector('[data-storymap]').storymap; s.map.setZoom(2, {animate: false});
      return [...document.querySelectorAll('.leaflet-control-scale-line')].map((n) => n.textContent); }"""
    km, mi = english.js(texts)
    assert re.fullmatch(r"[1-9],000 km", km) and re.fullmatch(r"[1-9],000 mi", mi), (km, mi)
    english.js("() => document.querySelector('[data-storymap]').storymap.setLanguage('es')")
    assert english.js(texts)[0] == km.replace(",", ".")
    assert english.errors == []


def test_the_scales_lengths_follow_cldr():
    assert i18n.scale_words("en") == ["{0} m", "{0} km", "{0} ft", "{0} mi", ",", 4]
    assert i18n.scale_words("fr")[1] == "{0}\u202fkm" and i18n.scale_words("fr")[4] == "\u202f"  # 1 000 km
    # Arabic's word for metres follows the number: "متران" (two metres), "{0} أمتار" (3 to 10).
    metres = i18n.scale_words("ar")[0]
    assert metres[""] == "{0} متر" and metres["2"] == "متران" and metres["5"] == "{0} أمتار"
    assert i18n.scale_words("cuk") == i18n.scale_words("en")  # a language CLDR lacks: English's
    # A tag Babel does not parse takes its language's (French's, not English's "1,000 km").
    assert i18n.scale_words("fr-x-press") == i18n.scale_words("fr")
    assert i18n.number_range(1000, 20000, 0, "de-u-co-phonebk") == "1.000 – 20.000"


@pytest.mark.browser
def test_a_page_printed_in_spanish_prints_no_language_switch(pages: Path, make_page):
    run = open_at(make_page, pages / "slides.html", "?lang=es")
    shown = "(q) => { const el = document.querySelector(q); return !!el && getComputedStyle(el).display !== 'none'; }"
    assert run.js(f"() => ({shown})('.storymap-langs')")  # on screen, the switch
    run.page.emulate_media(media="print")
    try:
        printed = run.js(f"() => [({shown})('.storymap-langs'), ({shown})('.storymap-title'), "
                         "document.querySelector('.storymap-title').textContent]")
    finally:
        run.page.emulate_media(media="screen")
    assert printed == [False, True, ES.title]


@pytest.mark.browser
def test_a_page_asked_for_a_language_it_lacks_opens_in_its_own(pages: Path, make_page):
    for query in ("?lang=fr", "?lang=", "?lang=es", "?lang=ES-mx"):
        run = make_page()
        run.page.add_init_script(NOTHING_AFTER_BOOT)
        run.page.goto((pages / ("es.html" if query == "?lang=es" else "slides.html")).resolve().as_uri() + query)
        state = run.js(PANEL_JS)
        expected = "es" if query == "?lang=ES-mx" or query == "?lang=es" else "en"
        assert state["lang"] == expected, (query, state)
        assert run.errors == []


@pytest.mark.browser
def test_a_steps_place_list_filled_when_it_shows_is_in_the_language_shown(pages: Path, make_page):
    """A step's list of places gets its cards when the step first shows (not all at the start):
    switched to Spanish on the first step, a later step lists its places in Spanish."""
    run = open_at(make_page, pages / "slides.html").cards()
    canal = next(i for i, s in enumerate(STEPS) if s.id == "the-canal")
    lists_js = f"""() => Array.from({ROOT_JS}.querySelectorAll('.storymap-step-places')).map((list) =>
      Array.from(list.querySelectorAll('.storymap-place-name')).map((n) => n.textContent.trim()))"""
    lists = run.js(lists_js)
    assert lists[0] and not any(lists[1:])  # only the step shown has its cards
    run.page.click(".storymap-lang[data-lang=es]")
    run.js(f"(i) => void {ROOT_JS}.storymap.goTo(i, {{animate: false}})", canal)
    run.settle()
    names = run.js(lists_js)[canal]
    places = STEPS[canal].places
    assert len(names) == len(places)
    assert names == [ES.places[p].name for p in places]
    # In the scroll layout every step shows at once: every list is filled from the start.
    scroll = open_at(make_page, pages / "scroll.html")
    assert all(scroll.js(lists_js))


@pytest.mark.browser
def test_a_page_in_spanish_alone_has_no_english_control(pages: Path, make_page):
    """A page built in one language other than English: its controls, the legend's title among them
    (it read "Legend" when no switch to another language had set it), are in that language."""
    for viewport in ((1280, 800), (390, 844)):
        run = open_at(make_page, pages / "es.html", "", viewport)
        texts = run.js(CHROME_JS)
        assert run.js(f"() => {ROOT_JS}.querySelector('.storymap-legend-title').textContent") == "Leyenda"
        assert english_left(texts) == [], english_left(texts)
        assert "Acercar" in texts and "Paso siguiente" in texts
        assert run.errors == []


@pytest.mark.browser
def test_the_spanish_page_has_no_axe_violations(pages: Path, make_page):
    for layout, viewport, step in (("slides", (1280, 800), ""), ("slides", (390, 844), "#the-canal"),
                                   ("scroll", (1280, 800), "")):
        phone = {"has_touch": True, "is_mobile": True} if viewport[0] < 600 else {}
        run = open_at(make_page, pages / f"{layout}.html", "?lang=es" + step, viewport, **phone)
        assert run.js("() => document.documentElement.lang") == "es"
        violations = axe_violations(run.page)
        assert violations == [], (layout, viewport, step, violations)
        assert run.errors == []


def test_step_media_have_their_translation(story_dir: Path, monkeypatch: pytest.MonkeyPatch):
    """A figure's alt text and caption are translated, and a graphic with words can be another file."""
    story = storymap.load(GEODATA)
    spanish = story.to_html(languages=["es"])
    assert 'alt="Vista lateral de los niveles de agua del canal' in spanish
    assert "Perfil%20del%20Canal%20de%20Panam" in spanish or "Perfil del Canal de Panam" in spanish
    assert "La escalera del canal." in spanish
    english = story.to_html(languages=["en"])
    assert "Profile%20of%20the%20Panama%20Canal" in english or "Profile of the Panama Canal" in english
    # Both languages in one page: the Spanish figure waits in the Spanish template.
    both = story.to_html()
    assert 'alt="Vista lateral de los niveles' in both.split('<template data-lang="es">', 1)[1]
    # A figure left untranslated is reported like any missing text.
    monkeypatch.chdir(story_dir.parent)
    path = story_dir / "story.es.toml"
    text = path.read_text("utf-8")
    start = text.index("[[steps.the-canal.media]]")
    end = text.index("\n[", start + 5)
    path.write_text(text[:start] + text[end + 1:], "utf-8")
    with pytest.raises(storymap.StoryError) as info:
        storymap.load("geodata")
    lines = [str(p) for p in info.value.problems]
    hint = "; write one [[steps.the-canal.media]] table per image, in order"  # (the translation has none)
    assert f"geodata/story.es.toml: steps.the-canal.media[0].alt: missing (the story is in en and es){hint}" in lines
    assert f"geodata/story.es.toml: steps.the-canal.media[0].caption: missing (the story is in en and es){hint}" in lines
    # A translation that has the table but not its alt: no hint needed.
    path.write_text(re.sub(r'\nalt = "Vista lateral[^\n]*', "", text, count=1), "utf-8")
    with pytest.raises(storymap.StoryError) as info:
        storymap.load("geodata")
    assert "geodata/story.es.toml: steps.the-canal.media[0].alt: missing (the story is in en and es)" in \
        [str(p) for p in info.value.problems]


# ------------------------------------------------------------------------------- right to left
def write_suez_story(folder: Path) -> Path:
    """A small story written in Arabic, with an English translation."""
    folder.mkdir()
    places = [("port-said", "بورسعيد", "Port Said", [32.30, 31.26]), ("suez", "السويس", "Suez", [32.55, 29.97])]
    features = [{"type": "Feature", "id": pid, "geometry": {"type": "Point", "coordinates": xy},
                 "properties": {"name": name, "kind": "port", "location_precision": "approximate",
                                "annotation": f"مدينة {name} على قناة السويس.",
                                "sources": [{"title": f"{name} – ويكيبيديا", "url": f"https://ar.wikipedia.org/wiki/{pid}"}]}}
                for pid, name, _, xy in places]
    (folder / "places.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features},
                                                      ensure_ascii=False), "utf-8")
    (folder / "story.toml").write_text(
        'title = "قناة السويس"\nlang = "ar"\n[kinds.port]\nlabel = "ميناء"\ngeometry = "point"\ncolor = "#00695c"\n'
        '[[steps]]\nid = "north"\ntitle = "المدخل الشمالي"\nnarrative = "تبدأ القناة عند **بورسعيد**."\n'
        'date = "1859"\nplaces = ["port-said"]\n'
        '[[steps]]\nid = "canal"\ntitle = "القناة كلها"\nnarrative = "تمتد القناة من بورسعيد إلى السويس."\n'
        'date = "1869"\nplaces = ["port-said", "suez"]\n', "utf-8")
    (folder / "story.en.toml").write_text(
        'title = "The Suez Canal"\n[kinds.port]\nlabel = "Port"\n'
        '[steps.north]\ntitle = "The northern entrance"\nnarrative = "The canal begins at **Port Said**."\n'
        '[steps.canal]\ntitle = "The whole canal"\nnarrative = "The canal runs from Port Said to Suez."\n'
        + "".join(f'[places.{pid}]\nname = "{en}"\nannotation = "{en}, on the Suez Canal."\n' for pid, _, en, _ in places),
        "utf-8")
    return folder


def test_right_to_left_languages_are_known_and_marked(tmp_path: Path):
    assert [i18n.direction(tag) for tag in ("ar", "he-IL", "fa", "ur", "ar_EG")] == ["rtl"] * 5
    assert [i18n.direction(tag) for tag in ("en", "es-PA", "fr", "zz", "x-private")] == ["ltr"] * 5
    story = storymap.load(write_suez_story(tmp_path / "suez"))
    arabic, english = story.to_html(), story.to_html(lang="en")
    assert '<html lang="ar" dir="rtl">' in arabic and 'data-storymap-index="0" lang="ar" dir="rtl">' in arabic
    assert 'lang="ar" dir="rtl" aria-pressed="true">العربية</button>' in arabic
    assert '"dirs":{"ar":"rtl"}' in arabic and '"dirs":{"ar":"rtl"}' in english
    # The English page's markup says nothing of direction but for its Arabic switch button and its
    # Arabic texts (which a page opened in Arabic takes its direction from before the map's code runs).
    markup = lambda page: re.sub(r"<style\b.*?</style>", "", page, flags=re.S)  # noqa: E731
    assert '<html lang="en">' in english and 'data-storymap-index="0" lang="en" dir="ltr">' in english
    assert markup(english).count('dir="rtl"') == 2 and '<template data-lang="ar" data-dir="rtl">' in english
    # The Panama story (English and Spanish): left to right, said on its root and on its text-only
    # article only (a fragment's host page may run right to left: neither follows it, scripts on or off).
    panama = STORY.to_html()
    assert 'dir="rtl"' not in markup(panama) and '"dirs"' not in panama and markup(panama).count(" dir=") == 2
    fragment = STORY.to_html(fragment=True)
    assert 'data-storymap-index="0" lang="en" dir="ltr">' in fragment
    assert '<article class="storymap storymap--article" lang="en" dir="ltr">' in fragment


# Where a story's text (`text`: a selector) and the map's controls and labels are: those of the
# map's controls and timeline under the text (`under`), how many show, the free map (container px).
RTL_SIDES_JS = """(text) => {
  const r = document.querySelector('[data-storymap]'), s = r.storymap, box = (e) => e.getBoundingClientRect().toJSON();
  const t = box(r.querySelector(text)), hit = (b) => b.left < t.right - 1 && b.right > t.left + 1 && b.top < t.bottom - 1 && b.bottom > t.top + 1;
  const shown = [...r.querySelectorAll('.leaflet-control, .storymap-timeline')].filter((e) => e.offsetWidth);
  return {text: t, controls: shown.length, zoom: box(r.querySelector('.leaflet-control-zoom')), free: s._free(),
          under: shown.filter((e) => hit(box(e))).map((e) => e.className),
          labels: [...r.querySelectorAll('.storymap-label')].filter((e) => e.offsetWidth).map(box)};
}"""


@pytest.mark.browser
def test_a_story_in_arabic_reads_right_to_left(tmp_path: Path, make_page):
    story = storymap.load(write_suez_story(tmp_path / "suez"))
    path = story.save(tmp_path / "suez.html")
    run = open_at(make_page, path)
    state = run.js(f"""() => {{ const r = {ROOT_JS}, s = getComputedStyle;
      const box = (q) => r.querySelector(q).getBoundingClientRect();
      const p = r.querySelector('.storymap-step--current p'), panel = box('.storymap-panel');
      return {{panel: s(r.querySelector('.storymap-panel')).direction, map: s(r.storymap.map.getContainer()).direction,
               textRight: Math.round(panel.right - ((range) => (range.selectNodeContents(p), range))(document.createRange())
                 .getBoundingClientRect().right),
               nextLeftOfPrevious: box('.storymap-next').right <= box('.storymap-prev').left,
               legend: r.querySelector('.storymap-legend-title').textContent,
               labels: r.storymap.labels().filter((l) => l.shown).map((l) => l.text)}}; }}""")
    assert state["panel"] == "rtl" and state["map"] == "ltr" and state["nextLeftOfPrevious"], state
    assert state["textRight"] <= 24 and state["legend"] == "مفتاح الخريطة" and state["labels"] == ["بورسعيد"], state
    # Its panel is at the right, where its lines start (it stayed at the left, as in English); the
    # map's controls and the timeline beside it, not under it; the steps' places and their labels
    # fitted in the map it leaves at the left.
    covered = run.js(RTL_SIDES_JS, ".storymap-panel")
    assert covered["text"]["right"] >= 1280 - 13 and covered["text"]["left"] > 640, covered
    assert covered["under"] == [] and covered["controls"] >= 4, covered
    for step in ("north", "canal"):
        run.js(f"() => {ROOT_JS}.storymap.goTo('{step}')")
        run.settle()
        covered = run.js(RTL_SIDES_JS, ".storymap-panel")
        assert covered["free"]["r"] <= covered["text"]["left"] and covered["free"]["l"] < 40, (step, covered)
        assert covered["labels"] and all(b["right"] <= covered["text"]["left"] for b in covered["labels"]), (step, covered)
    run.js(f"() => {ROOT_JS}.storymap.goTo('north')")
    run.settle()
    # Its timeline runs right to left too: the first date at the right, ← to the next mark.
    marks = run.js(f"() => [...{ROOT_JS}.querySelectorAll('.storymap-timeline [data-step]')]"
                   ".map((m) => [m.getAttribute('data-step'), m.getBoundingClientRect().left])")
    assert [m[0] for m in marks] == ["north", "canal"] and marks[0][1] > marks[1][1], marks
    run.page.focus(".storymap-timeline [data-step=north]")
    run.page.keyboard.press("ArrowLeft")
    assert run.js("() => document.activeElement.getAttribute('data-step')") == "canal"
    # ← goes on in a story that runs right to left, → goes back.
    run.page.focus(".storymap-panel")
    run.page.keyboard.press("ArrowLeft")
    run.settle()
    assert run.js(f"() => {ROOT_JS}.storymap.index") == 1
    run.page.keyboard.press("ArrowRight")
    run.settle()
    assert run.js(f"() => {ROOT_JS}.storymap.index") == 0
    assert axe_violations(run.page) == []
    # The switch to English turns the story and the page left to right, and back.
    run.page.click(".storymap-lang[data-lang=en]")
    assert run.js(f"() => [{ROOT_JS}.getAttribute('dir'), document.documentElement.getAttribute('dir'), "
                  f"getComputedStyle({ROOT_JS}.querySelector('.storymap-panel')).direction]") == ["ltr", None, "ltr"]
    # (its panel goes to the left, and the step's places and labels to the map it leaves at the right)
    run.settle()
    covered = run.js(RTL_SIDES_JS, ".storymap-panel")
    assert covered["text"]["left"] <= 13 and covered["free"]["l"] >= covered["text"]["right"], covered
    assert covered["labels"] and all(b["left"] >= covered["text"]["right"] for b in covered["labels"]), covered
    run.page.click(".storymap-lang[data-lang=ar]")
    assert run.js(f"() => [{ROOT_JS}.getAttribute('dir'), document.documentElement.getAttribute('dir')]") == ["rtl", "rtl"]
    run.settle()
    covered = run.js(RTL_SIDES_JS, ".storymap-panel")
    assert covered["labels"] and all(b["right"] <= covered["text"]["left"] for b in covered["labels"]), covered
    assert run.errors == []
    # The English page opened in Arabic runs right to left from its first paint (before Leaflet).
    english = story.save(tmp_path / "en.html", lang="en")
    first = make_page()
    first.page.add_init_script(NOTHING_AFTER_BOOT)
    first.page.goto(english.resolve().as_uri() + "?lang=ar")
    assert first.js(f"() => [{ROOT_JS}.lang, {ROOT_JS}.getAttribute('dir'), {ROOT_JS}.querySelector('.storymap-title')"
                    f".textContent, getComputedStyle({ROOT_JS}.querySelector('.storymap-panel')).direction, "
                    "document.documentElement.getAttribute('dir'), document.title]") == [
        "ar", "rtl", "قناة السويس", "rtl", "rtl", "قناة السويس"]
    # The scroll layout's text column is at the map's right too, the controls beside it.
    scroll = open_at(make_page, story.save(tmp_path / "scroll.html", layout="scroll"), "#canal")
    covered = scroll.js(RTL_SIDES_JS, ".storymap-step--current")
    assert covered["text"]["right"] > 1280 - 40 and covered["text"]["width"] < 600, covered
    assert covered["under"] == [] and covered["controls"] >= 4, covered
    assert covered["free"]["r"] <= covered["text"]["left"], covered
    assert scroll.js(f"() => getComputedStyle({ROOT_JS}.querySelector('.storymap-step--current')).direction") == "rtl"
    assert scroll.errors == []
    # On a phone the sheet (and the scroll layout's text, a step of a few words too: its card was
    # as wide as its words, at the right) spans the screen below the map, whose controls are at
    # its edge, as Leaflet puts them.
    for page in (path, tmp_path / "scroll.html"):
        phone = open_at(make_page, page, "#canal", viewport=(390, 844), is_mobile=True, has_touch=True)
        covered = phone.js(RTL_SIDES_JS, ".storymap-panel")
        assert covered["text"]["left"] <= 8 and covered["text"]["right"] >= 390 - 8, (page.name, covered)
        assert covered["zoom"]["right"] >= 390 - 12, (page.name, covered)
        assert phone.errors == []


# Each shown label's lines on the map: the line's box and each of its rendered lines (a range's
# client rects), in page pixels.
LABEL_LINES_JS = """() => [...document.querySelectorAll('.storymap-label')]
  .filter((l) => l.style.visibility !== 'hidden' && l.getClientRects().length)
  .map((l) => [...l.querySelectorAll('.storymap-label-text')].map((line) => {
    const range = document.createRange(), box = line.getBoundingClientRect();
    range.selectNodeContents(line);
    return {text: line.textContent, box: [box.left, box.right], clipped: line.scrollWidth > line.clientWidth,
            rows: [...range.getClientRects()].map((r) => [r.left, r.right])};
  }))"""


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [(640, 400), (568, 320)], ids=["200pct-zoom", "phone-on-its-side"])
def test_an_arabic_story_on_a_short_wide_screen_keeps_its_panel_at_the_right(tmp_path: Path, make_page, viewport):
    """A short, wide page keeps its panel beside the map rather than a bottom sheet: in a story
    written right to left at the right, the zoom buttons, legend, attribution and timeline in the
    map it leaves at the left, the timeline clear of the zoom buttons."""
    path = storymap.load(write_suez_story(tmp_path / "suez")).save(tmp_path / "suez.html")
    run = open_at(make_page, path, "#canal", viewport=viewport)
    covered = run.js(RTL_SIDES_JS, ".storymap-panel")
    assert covered["text"]["top"] < 20 and covered["text"]["right"] >= viewport[0] - 13, covered
    assert covered["text"]["left"] > 0.45 * viewport[0], covered  # a column, not a sheet
    assert covered["under"] == [] and covered["controls"] >= 4, covered
    timeline = run.js(f"() => {ROOT_JS}.querySelector('.storymap-timeline').getBoundingClientRect().toJSON()")
    zoom = covered["zoom"]
    assert timeline["right"] <= zoom["left"] - 4 or timeline["top"] >= zoom["bottom"], (timeline, zoom)
    assert covered["labels"] and all(b["right"] <= covered["text"]["left"] for b in covered["labels"]), covered


def test_an_arabic_group_label_shows_each_name_whole_from_the_right(tmp_path: Path, make_page):
    """Two places too close for a label each share one, a name a line, a long one wrapped with its
    further lines indented. An Arabic name's first line was shifted right by the indent's padding,
    past the label's edge: its first letter cut off ("رج إيفل" for "برج إيفل")."""
    folder = tmp_path / "ports"
    folder.mkdir()
    places = [("east", "محطة حاويات شرق بورسعيد ومنطقة الخدمات اللوجستية الجديدة", [32.360, 31.230]),
              ("fuad", "بور فؤاد", [32.364, 31.236])]
    features = [{"type": "Feature", "id": pid, "geometry": {"type": "Point", "coordinates": xy},
                 "properties": {"name": name, "location_precision": "approximate", "annotation": "نص.",
                                "sources": [{"title": "مصدر", "url": "https://example.org/"}]}}
                for pid, name, xy in places]
    (folder / "places.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features},
                                                      ensure_ascii=False), "utf-8")
    (folder / "story.toml").write_text('title = "موانئ"\nlang = "ar"\n[[steps]]\nid = "ports"\ntitle = "الميناءان"\n'
                                       'narrative = "نص."\nplaces = ["east", "fuad"]\n', "utf-8")
    run = open_at(make_page, storymap.load(folder).save(tmp_path / "ports.html"))
    run.settle()
    groups = [g for g in run.js(f"() => {ROOT_JS}.storymap.labels()") if g["shown"] and len(g["ids"]) == 2]
    assert groups, run.js(f"() => {ROOT_JS}.storymap.labels()")
    lines = [line for label in run.js(LABEL_LINES_JS) for line in label]
    assert {line["text"] for line in lines} >= {name for _, name, _ in places}, lines
    for line in lines:
        left, right = line["box"]
        assert not line["clipped"] and all(left - 0.5 <= a and b <= right + 0.5 for a, b in line["rows"]), line
    # The long name wraps: its first line starts at the right edge, the next ones indented from there.
    long = next(line for line in lines if line["text"] == places[0][1])
    (_, first), *rest = long["rows"]
    assert rest and first >= long["box"][1] - 0.5, long
    assert all(6 <= first - b <= 10 for _, b in rest), long  # (.6em of the label's 13 px)
    assert run.errors == []


def test_an_arabic_pages_map_credits_are_joined_with_an_arabic_comma(tmp_path: Path):
    """Online, an Arabic page's attribution read "Natural Earth (ملك عام), © المساهمون في
    OpenStreetMap": Leaflet joins the map's credits with a Latin comma, where Arabic (and Persian)
    writes "،". The page's languages that join a list otherwise (their ``list.separator``) have the
    map's script join the credits so; a page whose languages all write ", " carries nothing more."""
    story = storymap.load(write_suez_story(tmp_path / "suez"))
    assert i18n.credit_separators(story.data) == {"ar": "، "}
    assert '{"ar":"، "}' in story.to_html() and '{"ar":"، "}' in story.to_html(lang="en")
    assert "credits.join(" not in story.to_html(languages=["en"])
    assert i18n.credit_separators(STORY.data) == {} and "credits.join(" not in STORY.to_html()
    with pytest.warns(UserWarning, match="still in English for Persian"):
        persian = storymap.load(titled_in(tmp_path / "fa", "fa", '[interface]\n"list.separator" = "، "\n'))
    assert i18n.credit_separators(persian.data) == {"fa": "، "}  # (a story's own separator too)


def titled_in(folder: Path, lang: str, extra: str = "") -> Path:
    """A story of one step and one place in ``lang``."""
    folder.mkdir()
    feature = {"type": "Feature", "id": "a", "geometry": {"type": "Point", "coordinates": [51.4, 35.7]},
               "properties": {"name": "A", "kind": "place", "annotation": "A.", "sources": [
                   {"title": "A", "url": "https://example.org/a"}]}}
    (folder / "places.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    (folder / "story.toml").write_text(f'title = "A"\nlang = "{lang}"\n{extra}[[steps]]\nid = "a"\ntitle = "A"\n'
                                       'narrative = "A."\nplaces = ["a"]\n', "utf-8")
    return folder


@pytest.mark.browser
def test_online_an_arabic_pages_credits_read_with_an_arabic_comma(tmp_path: Path, make_page):
    story = storymap.load(write_suez_story(tmp_path / "suez"))
    page = story.save(tmp_path / "index.html")
    run = open_at(make_page, page, online=True)
    run.page.wait_for_function("() => /OpenStreetMap/.test(document.querySelector('.leaflet-control-attribution').textContent)")

    def credits() -> str:  # (after Leaflet's own link, before "|")
        return run.page.inner_text(".leaflet-control-attribution").split("|")[-1]

    # The basemap's credit and the tiles' (in either order: a change of language adds them again).
    assert "، " in credits() and "," not in credits(), credits()
    run.js(f"() => {ROOT_JS}.storymap.setLanguage('en')")  # (the language shown joins them)
    assert "CARTO, Natural Earth: land" in credits() or "(public domain), ©" in credits(), credits()
    run.js(f"() => {ROOT_JS}.storymap.setLanguage('ar')")
    assert "، " in credits() and "," not in credits(), credits()
    assert run.errors == []


def test_the_social_card_of_a_right_to_left_story_sets_its_title_flush_right(tmp_path: Path):
    import io

    from PIL import Image

    from storymap.channels import social_card

    story = storymap.load(write_suez_story(tmp_path / "suez"))

    def margins(png: bytes, top: int, bottom: int, light: int, rtl: bool = False) -> tuple[int, int]:
        image = Image.open(io.BytesIO(png)).convert("L")
        start = image.width * 7 // 12 if rtl else 0  # (the text panel: at the right in a right-to-left story)
        band = image.crop((start, top, start + image.width * 5 // 12, bottom))  # a band of the text panel
        left, _, right, _ = band.point(lambda v: 255 if v > light else 0).getbbox()
        return left, band.width - right

    arabic, english = social_card(story), social_card(STORY)
    for top, bottom, light in ((40, 130, 235), (580, 620, 150)):  # the title; the basemap's credit at the foot
        left, right = margins(arabic, top, bottom, light, rtl=True)
        assert right < left, (top, left, right)
        left, right = margins(english, top, bottom, light)  # a story in English: flush left, as before
        assert left < right, (top, left, right)


@pytest.mark.browser
def test_a_left_to_right_fragment_in_a_right_to_left_page_stays_left_to_right(tmp_path: Path, make_page):
    """An English story pasted into an Arabic news site's page (html dir="rtl"): the story's root
    says ltr, so its text, its buttons and its keys do not turn with the host."""
    host = tmp_path / "host.html"
    host.write_text('<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>مقال</title></head>'
                    f'<body><p>مقدمة المقال.</p>{STORY.to_html(fragment=True)}</body></html>', "utf-8")
    run = open_at(make_page, host)
    state = run.js(f"""() => {{ const r = {ROOT_JS}, box = (q) => r.querySelector(q).getBoundingClientRect();
      return [getComputedStyle(r.querySelector('.storymap-panel')).direction,
              box('.storymap-prev').right <= box('.storymap-next').left]; }}""")
    assert state == ["ltr", True], state
    run.page.focus(".storymap-panel")
    run.page.keyboard.press("ArrowRight")
    run.settle()
    assert run.js(f"() => {ROOT_JS}.storymap.index") == 1
    assert run.errors == []


def test_loading_from_python_warns_where_the_interface_is_english(story_dir: Path):
    """From Python, what validate prints as warnings comes as UserWarnings."""
    (story_dir / "story.es.toml").rename(story_dir / "story.ko.toml")
    with pytest.warns(UserWarning, match=r"story\.ko\.toml: warning: the page's interface .* English for Korean"):
        storymap.load(story_dir)
    (story_dir / "story.ko.toml").unlink()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        storymap.load(story_dir)  # (a story in languages storymap has: no warning)


@pytest.mark.parametrize("lang, own, html", [
    # The catalogues name the source first where the language runs left to right: one gloss.
    ("en", None, "Natural Earth<span class=storymap-gloss>: land, water and borders (public domain)</span>"),
    ("ja", None, "Natural Earth<span class=storymap-gloss>：陸地・水域・境界（パブリックドメイン）</span>"),
    # Right to left, the words either side of it.
    ("ar", None, "<span class=storymap-gloss>اليابسة والمياه والحدود: </span>Natural Earth"
                 "<span class=storymap-gloss> (ملك عام)</span>"),
    # A story's own words: escaped, glossed only around the name; without it, whole on every map.
    ("en", {"attribution.basemap": "Map <b>data</b>: Natural Earth"},
     "<span class=storymap-gloss>Map &lt;b&gt;data&lt;/b&gt;: </span>Natural Earth"),
    ("en", {"attribution.basemap": "Basemap © us & them"}, "Basemap © us &amp; them"),
])
def test_the_basemaps_credit_glosses_its_sources_name(lang, own, html):
    """A narrow map shows the source's name alone (storymap.css leaves out the storymap-gloss)."""
    assert i18n.basemap_attribution(lang, own) == html
