"""A story's own fonts (story.toml's [theme] font, heading_font and font_files): font-family lists
checked and written back safely, font files read (family, weight, style), cut down to the page's
characters and inlined under the page's policy, in the page, a fragment and the handout; in the
browser the face is used, and the map's labels are measured in a font that comes late."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest

import storymap
from storymap import channels, fonts
from storymap.types import font_stack

from .conftest import GEODATA
from .fontmaker import box_collection, box_font
from .geometry import GEOMETRY_JS, label_problems
from .test_channels import tiny_story

ROOT = "document.querySelector('[data-storymap]')"


@pytest.mark.parametrize("given, written", [
    ("'Source Serif 4', Georgia, serif", '"Source Serif 4", "Georgia", serif'),
    ('Noto Sans JP,sans-serif', '"Noto Sans JP", sans-serif'),
    ("system-ui", "system-ui"),
    ('"serif"', '"serif"'),  # (quoted: a font of that name, not the generic family)
    ("Times  New Roman", '"Times New Roman"'),
    ("ヒラギノ角ゴ Pro, sans-serif", '"ヒラギノ角ゴ Pro", sans-serif'),
])
def test_a_font_list_is_written_back_with_each_family_quoted(given: str, written: str):
    assert font_stack(given) == written


@pytest.mark.parametrize("given", [
    "", "Arial,,serif", "a;b", "x}body{color:red", 'Arial"; color: red', "url(x)", "</style><script>",
    '"a\\"b"', "var(--x)", "Arial !important", ", ".join(["Arial"] * 13),
])
def test_a_font_list_that_is_not_only_names_is_refused(given: str):
    with pytest.raises(ValueError, match="font family's name|12 at most"):
        font_stack(given)


def _theme_rule(html: str) -> str:
    return re.findall(r"\.storymap\{--storymap-[^}]*\}", html)[0]


def test_the_themes_fonts_reach_the_page_with_storymaps_own_after_them(tmp_path: Path):
    story = storymap.load(tiny_story(tmp_path / "s", extra='[theme]\nfont = "Georgia, serif"\n'
                                                           'heading_font = "Oswald"\n'))
    assert story.theme == {"font": '"Georgia", serif', "heading_font": '"Oswald"'}
    rule = _theme_rule(story.to_html())
    # A list that ends in a generic family as it is; one that does not, with storymap's own after it.
    assert '--storymap-font:"Georgia", serif;' in rule
    assert '--storymap-heading-font:"Oswald", system-ui, -apple-system,' in rule and rule.endswith("sans-serif}")
    # The handout takes them too.
    html = channels.handout_html(story, {})
    assert 'font: 10.5pt/1.45 "Georgia", serif;' in html and 'h1, h2 { font-family: "Oswald", system-ui' in html
    with pytest.raises(storymap.StoryError, match=r"theme\.font: .* is not a font family's name"):
        story.theme = {"font": "Georgia; } body { display: none"}
    assert story.theme["font"] == '"Georgia", serif'


def _font_story(folder: Path, extra: str = "") -> Path:
    folder = tiny_story(folder, extra='[theme]\nfont = "Storymap Boxes, sans-serif"\nfont_files = '
                                      '["fonts/boxes.woff2", "fonts/boxes-bold.ttf", "fonts/boxes-italic.woff"]\n' + extra)
    (folder / "fonts").mkdir()
    (folder / "fonts/boxes.woff2").write_bytes(box_font("Storymap Boxes", flavor="woff2"))
    (folder / "fonts/boxes-bold.ttf").write_bytes(box_font("Storymap Boxes", weight=700))
    (folder / "fonts/boxes-italic.woff").write_bytes(box_font("Storymap Boxes", italic=True, flavor="woff"))
    return folder


def _faces(html: str) -> list[tuple[str, bytes, str, str]]:
    """Each @font-face of the page: family, the font's bytes, weight and style."""
    return [(family, base64.b64decode(data), weight, style) for family, data, weight, style in re.findall(
        r'@font-face\{font-family:"([^"]+)";src:url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\) format\("woff2"\);'
        r"font-weight:([0-9 ]+);font-style:(normal|italic);font-display:swap\}", html)]


def test_font_files_are_inlined_cut_down_to_the_pages_characters(tmp_path: Path):
    from fontTools.ttLib import TTFont

    story = storymap.load(_font_story(tmp_path / "s"))
    assert [(f.family, f.weight, f.italic) for f in story.data.theme.faces] == [
        ("Storymap Boxes", 400, False), ("Storymap Boxes", 700, False), ("Storymap Boxes", 400, True)]
    html = story.to_html()
    faces = _faces(html)
    assert [(family, weight, style) for family, _, weight, style in faces] == [
        ("Storymap Boxes", "400", "normal"), ("Storymap Boxes", "700", "normal"), ("Storymap Boxes", "400", "italic")]
    # Before storymap's rules in the one style element, which the page's policy allows, with fonts
    # from data: URLs.
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1)
    assert "font-src data:" in policy.split("; ")
    text = fonts.page_characters(html)
    for _, data, _, _ in faces:
        font = TTFont(io.BytesIO(data))
        assert font.flavor == "woff2"
        kept = {chr(c) for c in font.getBestCmap()}
        # The page's characters that the font has, and no others: a story in Latin script keeps
        # far fewer than the font's 300-odd.
        assert set(story.title) - {" "} <= kept and "…" in kept
        assert kept <= text and len(kept) < 200, len(kept)
        assert len(data) < len(box_font("Storymap Boxes")) / 3
    # A fragment tells its host's policy to allow fonts from data: URLs.
    fragment = story.to_html(fragment=True)
    assert len(_faces(fragment)) == 3 and "font-src&quot;: [&quot;data:&quot;]" in fragment
    # The handout carries them too, under its own policy.
    handout = channels.handout_html(story, {})
    assert len(_faces(handout)) == 3 and "style-src 'unsafe-inline'; font-src data:" in handout
    # A story without font files has no @font-face, and no font-src.
    plain = storymap.load(GEODATA).to_html()
    assert "@font-face" not in plain and "font-src" not in plain


def test_every_languages_characters_are_in_the_subset(tmp_path: Path):
    """The page holds the story in English and Spanish: the subset keeps the Spanish text's
    characters too ("ñ", "Á", "«" are in no English text of the story)."""
    from fontTools.ttLib import TTFont

    story = storymap.load(GEODATA)
    font_file = tmp_path / "boxes.ttf"
    font_file.write_bytes(box_font("Storymap Boxes"))
    story.theme = {"font": "Storymap Boxes, sans-serif", "font_files": [font_file]}
    kept = {chr(c) for c in TTFont(io.BytesIO(_faces(story.to_html())[0][1])).getBestCmap()}
    assert {"ñ", "Á", "«"} <= kept


def test_a_collection_gives_the_faces_the_lists_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A system's CJK fonts come as collections (NotoSansCJK-Regular.ttc holds JP, KR, SC, TC...):
    the page carries the one font of it that the story's lists name, as a font of its own."""
    from fontTools.ttLib import TTFont

    folder = tiny_story(tmp_path / "s", extra='[theme]\nfont = "Boxes KR, sans-serif"\nfont_files = ["cjk.ttc"]\n')
    (folder / "cjk.ttc").write_bytes(box_collection(["Boxes JP", "Boxes KR"]))
    story = storymap.load(folder)
    assert [(f.family, f.index) for f in story.data.theme.faces] == [("Boxes KR", 1)]
    faces = _faces(story.to_html())
    assert [f[0] for f in faces] == ["Boxes KR"]
    assert TTFont(io.BytesIO(faces[0][1]))["name"].getDebugName(1) == "Boxes KR"
    # Named another of the collection's fonts (from another directory), the story takes that one.
    monkeypatch.chdir(tmp_path)
    story.theme = {**story.theme, "font": "Boxes JP"}
    assert [(f.family, f.index) for f in story.data.theme.faces] == [("Boxes JP", 0)]


def test_the_theme_set_again_in_python_keeps_the_files_it_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The files were read from the story's folder; set again (another colour) from elsewhere,
    the theme keeps them rather than looking for them in the current directory."""
    story = storymap.load(_font_story(tmp_path / "s"))
    monkeypatch.chdir(tmp_path)
    story.theme = {**story.theme, "accent": "#8a1538"}
    assert story.theme["accent"] == "#8a1538" and len(story.data.theme.faces) == 3
    assert len(_faces(story.to_html())) == 3


@pytest.mark.parametrize("files, message", [
    ('["fonts/missing.woff2"]', "'fonts/missing.woff2' cannot read it"),
    ('["../outside.ttf"]', "points outside the story folder"),
    ('["fonts/photo.woff2"]', "is not a font file storymap can read"),
    ('["fonts/broken.ttc"]', "is not a font file storymap can read"),
    ('["fonts/pair.ttc"]', "'fonts/pair.ttc' is a collection of 'Boxes JP', 'Boxes KR', none of which"),
    ('["fonts/other.ttf"]', "'fonts/other.ttf' is a face of 'Other Boxes', which neither font nor heading_font names"),
    ('["fonts/hostile.ttf"]', "which holds characters a font-family list cannot"),
])
def test_a_font_file_the_page_cannot_use_is_a_problem_of_the_story(tmp_path: Path, files: str, message: str):
    folder = tiny_story(tmp_path / "s", extra=f'[theme]\nfont = "Storymap Boxes"\nfont_files = {files}\n')
    (folder / "fonts").mkdir()
    (tmp_path / "outside.ttf").write_bytes(box_font("Storymap Boxes"))
    (folder / "fonts/photo.woff2").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (folder / "fonts/broken.ttc").write_bytes(b"ttcf" + bytes(64))
    (folder / "fonts/pair.ttc").write_bytes(box_collection(["Boxes JP", "Boxes KR"]))
    (folder / "fonts/other.ttf").write_bytes(box_font("Other Boxes"))
    (folder / "fonts/hostile.ttf").write_bytes(box_font('Boxes"}body{display:none}'))
    with pytest.raises(storymap.StoryError) as raised:
        storymap.load(folder)
    problems = [p for p in raised.value.problems if p.field == "theme.font_files[0]"]
    assert problems and message in problems[0].message, raised.value.problems
    assert problems[0].file.endswith("story.toml")


def test_the_social_card_draws_with_the_storys_fonts(tmp_path: Path):
    """The card's title in the titles' font, its dek in the text's: with a bold face of solid
    boxes as the titles' font, far more of the title's lines is white than with the machine's
    font; the dek, in the machine's font either way, is as white as before."""
    from PIL import Image

    story = storymap.load(GEODATA)
    plain = Image.open(io.BytesIO(channels.social_card(story))).convert("L")
    bold = tmp_path / "boxes-bold.woff2"
    bold.write_bytes(box_font("Storymap Boxes", weight=700, flavor="woff2"))
    story.theme = {"heading_font": "Storymap Boxes, sans-serif", "font_files": [bold]}
    heading, body = fonts.card_files(story.data.theme)
    assert len(heading) == 1 and heading[0].endswith(".ttf") and body == ()
    assert channels._fit(story.title, "bold", heading)[1][0][0] == heading[0]
    card = Image.open(io.BytesIO(channels.social_card(story))).convert("L")

    def white(image, top: int, bottom: int) -> float:  # the share of the panel's rows that is white
        strip = image.crop((44, top, 470, bottom)).point(lambda v: 255 if v > 200 else 0)
        return strip.histogram()[255] / (strip.width * strip.height)

    assert white(card, 100, 200) > white(plain, 100, 200) + 0.07
    assert abs(white(card, 230, 380) - white(plain, 230, 380)) < 0.03


def _box_width(run, selector: str) -> float:
    """The width of four i's set in the font of the first element ``selector``, in its font size."""
    return run.js(f"""() => {{ const host = document.querySelector({selector!r}); const s = document.createElement('span');
      s.textContent = 'iiii'; host.appendChild(s); const w = s.getBoundingClientRect().width / parseFloat(getComputedStyle(s).fontSize);
      s.remove(); return w; }}""")


@pytest.mark.browser
def test_the_pages_own_font_is_used_offline_and_its_labels_fit(tmp_path: Path, make_page):
    """The Panama story in a face whose every glyph is a box 0.9 em wide (an "i" is about 0.25 em
    in any other): the text and the titles use it, with no error under the page's policy, and
    every step's labels, measured in it, still lie in the free map without overlapping."""
    story = storymap.load(GEODATA)
    font_file = tmp_path / "boxes.woff2"
    font_file.write_bytes(box_font("Storymap Boxes", flavor="woff2", advance=900))
    bold = tmp_path / "boxes-bold.woff2"
    bold.write_bytes(box_font("Storymap Boxes", weight=700, flavor="woff2", advance=900))
    story.theme = {"font": "Storymap Boxes, sans-serif", "font_files": [font_file, bold]}
    page = story.save(tmp_path / "index.html")
    for viewport in ((1280, 800), (390, 844)):
        run = make_page(viewport, tiles=False).open(page)
        run.page.wait_for_function(f"() => {ROOT}.storymap && {ROOT}.storymap.ready")
        assert run.js("() => document.fonts.check('16px \"Storymap Boxes\"') && document.fonts.check('bold 16px \"Storymap Boxes\"')")
        assert round(_box_width(run, ".storymap-narrative"), 2) == 3.6
        assert round(_box_width(run, ".storymap-title"), 2) == 3.6
        n = run.js(f"() => {ROOT}.storymap.steps.length")
        steps = [run.js(f"""async () => {{ const root = {ROOT};
          root.storymap.goTo({i}, {{animate: false}});
          while (!root.storymap.ready || root.hasAttribute('data-storymap-moving'))
            await new Promise((r) => requestAnimationFrame(r));
          await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
          return ({GEOMETRY_JS})(); }}""") for i in range(n)]
        assert label_problems(steps) == {}, viewport
        assert run.errors == []


@pytest.mark.browser
def test_labels_are_measured_again_when_a_font_comes_late(tmp_path: Path, make_page):
    """A host's web font that loads after the map's labels were measured (here asked for once the
    story in the host's article is ready): the labels are measured again in it, and fit. Before,
    they kept the fallback font's sizes, and the wide face made "SOCSOUTH headquarters, Homestead
    Air Reserve Base" overflow its lines."""
    story = storymap.load(GEODATA)
    story.theme = {"font": "Late Boxes, sans-serif"}  # (named, not carried: the host loads it)
    host = tmp_path / "article.html"
    host.write_text('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Article</title></head>'
                    f'<body><h1>News</h1>{story.to_html(fragment=True)}</body></html>', "utf-8")
    run = make_page((1280, 800), tiles=False).open(host)
    run.page.wait_for_function(f"() => {ROOT}.storymap && {ROOT}.storymap.ready && !{ROOT}.hasAttribute('data-storymap-moving')")
    data = base64.b64encode(box_font("Late Boxes", advance=900)).decode("ascii")
    geometry = run.js(f"""async (data) => {{
      const face = new FontFace('Late Boxes', 'url(data:font/ttf;base64,' + data + ')');
      document.fonts.add(face);
      await face.load();
      for (let i = 0; i < 10; i++) await new Promise((r) => requestAnimationFrame(r));
      return ({GEOMETRY_JS})(); }}""", data)
    assert run.js("() => document.fonts.check('16px \"Late Boxes\"')")
    assert round(_box_width(run, ".storymap-narrative"), 2) == 3.6
    assert geometry["labels"] and label_problems([geometry]) == {}
    assert run.errors == []


def test_build_says_what_the_fonts_take_of_the_page(tmp_path: Path):
    from click.testing import CliRunner

    from storymap.cli import main as cli

    folder = _font_story(tmp_path / "s")
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(tmp_path / "out" / "index.html"), "--no-social"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if "its fonts take" in line)
    sizes = [int(n.replace(",", "")) for n in re.findall(r"\.(?:woff2|ttf|woff) ([0-9,]+)", line)]
    html = (tmp_path / "out" / "index.html").read_text("utf-8")
    assert sizes == fonts.inlined_bytes(html) and len(sizes) == 3 and all(0 < n < 2000 for n in sizes)
    assert f"take {sum(sizes):,} bytes (3 faces" in line


@pytest.mark.browser
def test_the_handout_is_printed_in_the_storys_fonts(tmp_path: Path, browser):
    """The PDF handout embeds the story's own faces (its text and its titles are set in them)."""
    from pypdf import PdfReader

    def fonts_of(story) -> set[str]:
        pdf = PdfReader(io.BytesIO(channels.handout_pdf(browser, channels.handout_html(story, {}))))
        return {str(font.get_object().get("/BaseFont", "")) for page in pdf.pages
                for font in (page["/Resources"].get("/Font") or {}).values()}

    # (Chromium names a web font it embeds "OTS-derived-font", after the sanitizer it passed.)
    assert any("OTS-derived-font" in name for name in fonts_of(storymap.load(_font_story(tmp_path / "s"))))
    assert not any("OTS-derived-font" in name for name in fonts_of(storymap.load(tiny_story(tmp_path / "plain"))))
