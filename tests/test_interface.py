"""A story's own interface texts (story.toml's and a translation's ``[interface]``): a reporter in a
language storymap has no catalogue for, or a newsroom with its own wording, gives the page's
controls, announcements and labels in its words, checked like every other field."""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

import storymap
from storymap import i18n
from storymap.cli import main as cli
from storymap.errors import StoryError

from .conftest import GEODATA

JAPANESE = {"language.name": "日本語", "nav.next": "次へ", "nav.previous": "前へ", "legend.title": "凡例",
            "progress.value": "{total}ステップ中{n}", "zoom.in": "拡大", "announce": "{total}中{n}：{title}"}
#: A reporter's texts in a language storymap has no catalogue for (Korean): the rest stays English.
KOREAN = {"language.name": "한국어", "nav.next": "다음", "nav.previous": "이전", "legend.title": "범례",
          "progress.value": "{total}단계 중 {n}단계", "zoom.in": "확대", "announce": "{total}단계 중 {n}단계: {title}"}


def _toml(texts: dict[str, str]) -> str:
    return "\n[interface]\n" + "".join(f"{json.dumps(key)} = {json.dumps(value, ensure_ascii=False)}\n"
                                        for key, value in texts.items())


def _story(tmp_path: Path, lang: str = "en", interface: dict[str, str] | None = None, *,
           spanish: dict[str, str] | None = None) -> Path:
    folder = tmp_path / "story"
    shutil.copytree(GEODATA, folder)
    toml = (folder / "story.toml").read_text("utf-8")
    if lang != "en":
        toml = toml.replace('lang = "en"', f'lang = "{lang}"', 1)
        (folder / "story.es.toml").unlink()
    (folder / "story.toml").write_text(toml + (_toml(interface) if interface else ""), "utf-8")
    if spanish:
        es = folder / "story.es.toml"
        es.write_text(es.read_text("utf-8") + _toml(spanish), "utf-8")
    return folder


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


# ------------------------------------------------------------------------------------ the check
def test_the_texts_are_checked_each_at_its_key():
    with pytest.raises(ValueError) as caught:
        storymap.StoryData.model_validate({
            "title": "T", "steps": [{"id": "a", "title": "A", "narrative": "x"}],
            "interface": {"nav.nxt": "Next!", "announce": "{n}: {titel}", "zoom.in": 3, "banana": "x",
                          "legend.title": "   "}})
    text = str(caught.value)
    assert "interface.nav.nxt: not an interface text; did you mean 'nav.next'?" in text
    assert ("interface.announce: {titel} is not one of its placeholders; {title} is missing; {total} is missing: the "
            "text holds {n}, {title} and {total}, as its English 'Step {n} of {total}: {title}' does") in text
    assert "interface.zoom.in: expected its text (some words), got 3" in text
    assert "interface.banana: not an interface text; `storymap schema story` lists them all" in text
    assert "interface.legend.title: expected its text (some words), got" in text


def test_keys_written_without_quotes_in_toml_are_the_dotted_keys_they_spell():
    """`nav.next = "…"` in TOML is a table in a table: taken as the key "nav.next"."""
    parsed = tomllib.loads('[interface]\nnav.next = "次へ"\n"legend.title" = "凡例"\n')["interface"]
    assert i18n.check_interface(parsed) == {"nav.next": "次へ", "legend.title": "凡例"}
    # Placeholders in any order; a text without placeholders keeps none.
    assert i18n.check_interface({"progress.value": "{total}ステップ中{n}"}) == {"progress.value": "{total}ステップ中{n}"}
    with pytest.raises(ValueError, match=r"\{n\} is not one of its placeholders.*holds no placeholder"):
        i18n.check_interface({"nav.next": "{n} next"})


def test_a_key_given_both_quoted_and_unquoted_is_an_error(tmp_path: Path):
    """A reporter who uncommented the starter's `"nav.next" = …` line and had also written
    `nav.next = …` got one of the two texts dropped without a word (TOML reads them as two keys)."""
    parsed = tomllib.loads('[interface]\n"nav.next" = "次へ"\nnav.next = "つぎ"\n')["interface"]
    with pytest.raises(ValueError, match=r"nav\.next: given twice, quoted and unquoted \('次へ' and 'つぎ'\): keep one"):
        i18n.check_interface(parsed)
    folder = _story(tmp_path, "ja", {"language.name": "日本語"})
    (folder / "story.toml").write_text((folder / "story.toml").read_text("utf-8") + '"nav.next" = "次へ"\n'
                                       'nav.next = "つぎ"\n', "utf-8")
    result = run("validate", str(folder))
    assert result.exit_code == 1 and "story.toml: interface.nav.next: given twice, quoted and unquoted" in result.output


def test_the_catalogue_takes_the_storys_texts_over_its_own():
    assert i18n.catalogue("ko", {"nav.next": "다음"})["nav.next"] == "다음"
    assert i18n.catalogue("ko")["nav.next"] == "Next"  # (the shared catalogue is not changed)
    assert i18n.catalogue("ja", {"nav.next": "つぎへ"})["nav.next"] == "つぎへ"
    assert i18n.catalogue("ja")["nav.next"] == "次へ"
    assert i18n.catalogue("es", {"nav.next": "Adelante"})["nav.previous"] == "Anterior"


# ------------------------------------------------------------------------------------ the page
def test_a_story_in_a_language_without_a_catalogue_gets_its_own_controls(tmp_path: Path):
    folder = _story(tmp_path, "ko", KOREAN)
    total = len(i18n.english())
    with pytest.warns(UserWarning, match=rf"{total - len(KOREAN)} of the page's {total} interface texts are still in "
                                         "English for Korean"):
        story = storymap.load(folder)
    page = story.to_html()
    assert re.search(r'class="storymap-button storymap-next"[^>]*>다음', page)
    assert re.search(r'class="storymap-button storymap-prev"[^>]*>.{0,60}이전</button>', page)
    config = json.loads(re.search(r'"i18n":(\{"lang":"ko".*?\}\}\})', page).group(1))
    strings = config["ui"]["ko"]
    assert (strings["legend.title"], strings["zoom.in"], strings["announce"]) == ("범례", "확대", KOREAN["announce"])
    assert strings["sheet.show"] == "Show story text"  # (not given: English)


def test_a_storys_own_texts_go_over_its_languages_catalogue(tmp_path: Path, recwarn):
    """A story in Japanese (which storymap has texts for) words some of them its own way: its
    words, the catalogue's for the rest, and no warning."""
    story = storymap.load(_story(tmp_path, "ja", JAPANESE))
    assert not [w for w in recwarn.list if "interface" in str(w.message)]
    page = story.to_html()
    strings = json.loads(re.search(r'"i18n":(\{"lang":"ja".*?\}\}\})', page).group(1))["ui"]["ja"]
    assert (strings["announce"], strings["sheet.show"]) == ("{total}中{n}：{title}", "本文を表示")


def test_all_texts_given_means_no_warning(tmp_path: Path, recwarn):
    texts = {key: f"«{text}»" for key, text in i18n.english().items()}
    storymap.load(_story(tmp_path, "ja", texts))
    assert not [w for w in recwarn.list if "interface" in str(w.message)]
    result = run("validate", str(tmp_path / "story"))
    assert result.exit_code == 0 and result.stderr == "", result.output


def test_a_translation_gives_the_texts_of_its_language(tmp_path: Path):
    """story.es.toml's [interface] words the Spanish page; the English one keeps storymap's."""
    story = storymap.load(_story(tmp_path, spanish={"nav.next": "Adelante", "language.name": "Castellano"}))
    spanish = story.to_html(lang="es")
    assert re.search(r'storymap-next"[^>]*>Adelante', spanish)
    english = story.to_html()
    assert re.search(r'storymap-next"[^>]*>Next', english)
    assert "Adelante" in english  # (the Spanish variant's template, for the language switch)
    assert '"langs":[["en","English"],["es","Castellano"]]' in english


@pytest.mark.filterwarnings("ignore::UserWarning")  # (no Korean, Thai or Guna texts; Guna unknown to CLDR)
def test_the_language_switch_names_a_language_without_texts_in_itself(tmp_path: Path):
    """A translation in a language storymap has no texts for, without an [interface] table, was
    "ko" and "th" on the language switch, beside "English": a reader looking for their language
    met its code. It is named as CLDR names it in itself; a language CLDR does not know keeps its
    tag."""
    folder = _story(tmp_path)
    for lang in ("ko", "th", "cuk"):
        shutil.copy(folder / "story.es.toml", folder / f"story.{lang}.toml")
    page = storymap.load(folder).to_html()
    assert re.findall(r'data-lang="([^"]+)" lang="[^"]+" aria-pressed="\w+">([^<]*)<', page) == [
        ("en", "English"), ("cuk", "cuk"), ("es", "Español"), ("ko", "한국어"), ("th", "ไทย")]
    assert '["ko","한국어"]' in page and '["th","ไทย"]' in page


def test_the_storys_texts_reach_the_link_preview_and_the_noscript_article(tmp_path: Path):
    story = storymap.load(_story(tmp_path, interface={
        "social.alt": "Carte de « {title} » : {map}", "article.note": "Lisez ceci sans JavaScript."}))
    page = story.to_html()
    assert 'property="og:image:alt" content="Carte de « ' in page
    assert "Lisez ceci sans JavaScript." in page


def test_python_sets_and_checks_the_texts(tmp_path: Path):
    story = storymap.load(GEODATA)
    story.interface = {"nav.next": "Onward"}
    assert story.interface == {"nav.next": "Onward"}
    assert re.search(r'storymap-next"[^>]*>Onward', story.to_html())
    with pytest.raises(StoryError, match=r"interface\.nav\.nxt: not an interface text; did you mean 'nav\.next'\?"):
        story.interface = {"nav.nxt": "Onward"}
    assert story.interface == {"nav.next": "Onward"}  # (a refused change changes nothing)


# ------------------------------------------------------------------------------------ authoring
def test_new_in_a_language_without_texts_writes_the_table_to_translate(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("new", "mine", "--lang", "ko").exit_code == 0
    toml = (tmp_path / "mine" / "story.toml").read_text("utf-8")
    table = tomllib.loads(toml)["interface"]
    assert table == {"language.name": "한국어"}  # (its own name; every other text commented out, in English)
    for key, text in i18n.english().items():
        if key != "language.name":
            assert f"# {json.dumps(key)} = {json.dumps(text, ensure_ascii=False)}" in toml
    # A language storymap has: only the commented example, and no warning.
    for lang in ("fr", "ja", "zh", "zh-TW"):
        result = run("new", f"theirs-{lang}", "--lang", lang)
        assert result.exit_code == 0 and result.stderr == "", (lang, result.output)
        toml = (tmp_path / f"theirs-{lang}" / "story.toml").read_text("utf-8")
        assert "interface" not in tomllib.loads(toml) and '# [interface]\n# "nav.next" = "Next"' in toml
        assert run("validate", f"theirs-{lang}").stderr == ""


def test_the_schema_lists_every_key_with_its_english():
    result = run("schema", "story")
    schema = json.loads(result.stdout)
    table = schema["properties"]["interface"]
    assert table["additionalProperties"] is False
    assert set(i18n.english()) <= set(table["properties"])  # (and the tables of keys without quotes, below)
    assert table["properties"]["nav.next"]["description"] == "English: Next"


def test_the_schema_takes_keys_written_without_quotes_as_validate_does(tmp_path: Path):
    """`nav.next = "次へ"`, which validate takes (and the README offers), was flagged by an editor
    using the schema: TOML reads it as a table "nav", which the schema did not allow."""
    from jsonschema import Draft202012Validator

    from storymap.schema import story_schema

    folder = _story(tmp_path, "ja")
    base = (folder / "story.toml").read_text("utf-8")
    checker = Draft202012Validator(story_schema(folder))
    for table, ok in (('nav.next = "次へ"\n"legend.title" = "凡例"\nmap.shows_region = "地図"\n', True),
                      ('[interface.nav]\nprevious = "前へ"\n', True),
                      ('nav.nxt = "次へ"\n', False), ('banana.next = "x"\n', False), ('skip.more = "x"\n', False)):
        doc = tomllib.loads(base + "\n[interface]\n" + table)
        errors = [e.message for e in checker.iter_errors(doc)]
        assert (errors == []) is ok, (table, errors)
        if ok:
            i18n.check_interface(doc["interface"])
        else:
            with pytest.raises(ValueError, match="not an interface text"):
                i18n.check_interface(doc["interface"])


# ------------------------------------------------------------------------------------ in a browser
def test_the_texts_the_pages_script_writes_are_the_storys(tmp_path: Path, make_page):
    """The zoom buttons, the legend's title and the step announcement are written by the page's
    script: in the story's words too."""
    folder = _story(tmp_path, "ko", KOREAN)
    with pytest.warns(UserWarning):
        page = storymap.load(folder).save(tmp_path / "ko.html")
    run_ = make_page((1280, 800)).open(page)
    got = run_.js("""() => {
      const root = document.querySelector('[data-storymap]');
      root.storymap.goTo(1, {animate: false});
      return {zoom: root.querySelector('.leaflet-control-zoom-in').getAttribute('aria-label') ||
                    root.querySelector('.leaflet-control-zoom-in').title,
              legend: root.querySelector('.leaflet-control-container').textContent,
              live: root.querySelector('.storymap-live').textContent}; }""")
    assert got["zoom"] == "확대"
    assert "범례" in got["legend"]
    assert re.fullmatch(r"11단계 중 2단계: .+", got["live"]), got["live"]
    assert run_.errors == []


def test_the_count_of_texts_still_english_leaves_out_the_name_cldr_gives():
    """The language switch names a language in itself from CLDR where the story does not: that
    text is not counted as still English."""
    total = len(i18n.english())
    notes = i18n.language_notes("ko", {"nav.next": "다음"})
    assert len(notes) == 2 and "voice control, told to press '다음'" in notes[1]  # ('Next step' names 다음)
    assert notes[0].startswith(f"{total - 2} of the page's {total} interface texts are still in "
                                                   "English for Korean ('ko'): add 'language.label',")
    assert "is in English for Korean" in i18n.language_notes("ko")[0]  # (none given: the whole interface)
    assert i18n.language_notes("cuk", {"nav.next": "Next!"})[-1].startswith(f"{total - 1} of the page's {total}")


def test_two_languages_of_one_name_are_told_apart_on_the_switch(tmp_path: Path):
    """es and es-MX were both "Español" on the language switch (es-MX takes es's catalogue)."""
    folder = _story(tmp_path)
    (folder / "story.es-MX.toml").write_bytes((folder / "story.es.toml").read_bytes())
    story = storymap.load(folder)
    assert i18n.switch_names(story.data) == [("en", "English"), ("es", "Español"), ("es-MX", "Español (México)")]
    page = story.to_html()
    assert '"langs":[["en","English"],["es","Español"],["es-MX","Español (México)"]]' in page
    assert re.search(r'lang="es-MX"[^>]*>Español \(México\)<', page)
    # A name the story gives is kept; the tag tells apart what still reads the same.
    for name in ("story.es.toml", "story.es-MX.toml"):
        path = folder / name
        path.write_text(path.read_text("utf-8") + _toml({"language.name": "Español (México)"}), "utf-8")
    assert i18n.switch_names(storymap.load(folder).data)[1:] == [("es", "Español (México) (es)"),
                                                                 ("es-MX", "Español (México) (es-MX)")]


# ------------------------------------------------------------------ the step buttons' names
def test_every_catalogues_step_buttons_are_named_with_the_words_they_show():
    # WCAG 2.5.3 (label in name): German's Next button showed "Weiter" and was named "Nächster
    # Schritt", Brazilian Portuguese's showed "Próximo" and was named "Próxima etapa": a voice
    # control user saying "Weiter" (what the button shows) found no button of that name.
    for lang in i18n.catalogues():
        texts = i18n.catalogue(lang)
        for shown, name in i18n.STEP_BUTTONS:
            assert texts[shown].casefold() in texts[name].casefold(), (lang, texts[shown], texts[name])
        assert texts["nav.previous_step"] != texts["nav.next_step"], lang
    assert i18n.button_notes("de", {"nav.next": "Weiter"}) == []


def test_a_storys_step_button_texts_that_confuse_their_readers_are_warned_of(tmp_path: Path):
    # A story could name both buttons alike (a screen reader then cannot tell Previous from Next),
    # or name one without the words it shows: the page was built without a word.
    texts = {**JAPANESE, "nav.previous_step": "ステップ", "nav.next_step": "ステップ"}
    result = run("validate", str(_story(tmp_path, "ja", texts)))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if "nav." in line]
    assert len(lines) == 3, result.stderr
    assert "story.toml: lang: warning: interface: 'nav.previous_step' and 'nav.next_step' are both 'ステップ': a screen " \
           "reader names the Previous and Next buttons alike" in lines[0]
    assert "'nav.next_step' ('ステップ') does not hold the button's own text 'nav.next' ('次へ'): voice control" in lines[2]
    # Names that hold the shown words, whatever marks surround them, are fine; so is English's.
    fine = {**JAPANESE, "nav.previous_step": "「前へ」戻る", "nav.next_step": "次へ進む"}
    assert i18n.button_notes("ja", fine) == [] and i18n.button_notes("en", {"nav.next": "Next"}) == []
    assert i18n.button_notes("ja", {"nav.next": "«Next»", "nav.next_step": "«Next step»"}) == []
    # The story's Next button over a catalogue's name for it: Japanese's 次へ進む does not hold it.
    assert i18n.button_notes("ja", {"nav.next": "つぎ"})[0].startswith("interface: 'nav.next_step' ('次へ進む') does not")
    with pytest.warns(UserWarning, match="voice control, told to press '다음'"):  # (Python says it too)
        storymap.load(_story(tmp_path / "py", "ko", KOREAN))  # ('Next step' names its 다음 button)


def test_a_long_legend_title_reads_whole_in_the_closed_legend_on_a_phone(tmp_path: Path, make_page):
    # The closed legend (as it starts on a phone) held its title on one line: a story's longer
    # title ran out of its box and off the map's edge, its end unreadable.
    title = "凡例：" + "地図の記号と色の説明" * 4
    page = storymap.load(_story(tmp_path, "ja", {**JAPANESE, "legend.title": title}))
    run_ = make_page((390, 844), has_touch=True, is_mobile=True).open(page.save(tmp_path / "ja.html"))
    seen = run_.js("""() => { const legend = document.querySelector('.storymap-legend'), s = legend.querySelector('summary');
      const box = legend.getBoundingClientRect(), map = document.querySelector('.storymap-map').getBoundingClientRect();
      return {open: legend.open, text: s.textContent, fits: s.scrollWidth <= s.clientWidth + 1,
              inside: box.left >= map.left && box.right <= map.right}; }""")
    assert seen == {"open": False, "text": title, "fits": True, "inside": True}, seen
    assert run_.errors == []
