"""Every channel: the social card (meta tags and social.png), the <noscript> article, print, and
`storymap render` (a PNG per step and a PDF handout); media in Chromium and on phones.

The browser tests share one built page (the Panama story with a photo from story.toml and a step
added from Python), opened once per viewport.
"""

from __future__ import annotations

import html as html_lib
import io
import json
import os
import re
import shutil
import sys
import unicodedata
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

import storymap
from storymap import channels
from storymap.cli import main as cli
from storymap.dates import span_label
from storymap.translations import localize

from .conftest import GEODATA, ROOT, PageRun

PORTS = ROOT / "examples" / "ports"
from .pdfs import HEADINGS_JS, pdf_page_feet, stranded
from .test_media import add_media, photo

SOURCE = [{"title": "A source", "url": "https://example.org/a"}]
MAGENTA = (255, 0, 255)


def tiny_story(folder: Path, *, extra: str = "") -> Path:
    """Two steps, two places on the coast of Portugal: small, so quick to draw."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "story.toml").write_text(f'''title = "Two harbours"
subtitle = "A short story about two harbours on the Atlantic coast."
kicker = "Test"
{extra}
[kinds.harbour]
label = "Harbour"
geometry = "point"
color = "#ff00ff"
fill = "#ff00ff"
outline = "#ff00ff"
radius = 8

[[steps]]
id = "lisbon"
title = "Step one: Lisbon"
narrative = "The first harbour."
places = ["lisbon"]
max_zoom = 7

[[steps]]
id = "porto"
title = "Step two: Porto"
narrative = "The second harbour."
places = ["porto", "lisbon"]
''', "utf-8")
    features = [{"type": "Feature", "id": pid, "geometry": {"type": "Point", "coordinates": xy},
                 "properties": {"name": pid.title(), "kind": "harbour", "annotation": "A harbour.", "sources": SOURCE}}
                for pid, xy in (("lisbon", [-9.14, 38.71]), ("porto", [-8.61, 41.15]))]
    (folder / "places.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return folder


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and ("property" in a or "name" in a):
            self.meta[a.get("property") or a["name"]] = a.get("content", "")
        if tag == "link":
            self.links[a.get("rel", "")] = a.get("href", "")


def head_of(html: str) -> _Head:
    parser = _Head()
    parser.feed(html[: html.index("</head>")])
    return parser


# The social card -------------------------------------------------------------------------------

def test_the_social_card_draws_land_all_round_an_inland_place():
    """Land fine near the places sits in a hole of the coarse land around them: the hole was
    painted as sea over it, and a card of Cairo showed the Nile crossing open sea."""
    import shapely

    story = storymap.load(GEODATA)
    story.add_kind("city", label="City", geometry="point", color="#c62828")
    story.add_place(shapely.Point(31.2357, 30.0444), id="cairo", name="Cairo", kind="city", annotation="A city.",
                    sources=[{"title": "Cairo", "url": "https://en.wikipedia.org/wiki/Cairo"}])
    story.add_step({"id": "cairo-first", "title": "Cairo", "narrative": "A city.", "places": ["cairo"]},
                   before=story.steps[0].id)
    card = Image.open(io.BytesIO(channels.social_card(story))).convert("RGB")
    land = channels._LAND
    pixels = [card.getpixel((x, y)) for x in range(540, 1200, 20) for y in range(20, 630, 20)]
    assert sum(p == land for p in pixels) > 0.8 * len(pixels), sum(p == land for p in pixels) / len(pixels)


def test_the_social_card_fits_a_story_from_pole_to_pole(tmp_path: Path):
    """A first step from Svalbard to Antarctica needs less than zoom 2 to fit the card's map: the
    card stopped at 2 and cut off both ends."""
    import shapely

    story = storymap.load(tiny_story(tmp_path / "s"))
    story.add_kind("station", label="Station", geometry="point", color="#0d47a1")
    for pid, lon, lat in (("himadri", 11.93, 78.92), ("maitri", 11.73, -70.77), ("bharati", 76.19, -69.41)):
        story.add_place(shapely.Point(lon, lat), id=pid, name=pid.title(), kind="station", annotation="A station.",
                        sources=[{"title": "Stations", "url": "https://en.wikipedia.org/wiki/Indian_Antarctic_Program"}])
    story.add_step({"id": "poles", "title": "Poles", "narrative": "Far.", "places": ["himadri", "maitri", "bharati"]},
                   before=story.steps[0].id)
    step = story.data.steps[0]
    zoom, cx, cy = channels._step_view(story.data, step, channels._framed(story.data), (620, 550))
    assert zoom < 2
    k = 2 ** zoom
    for lon, lat in ((11.93, 78.92), (11.73, -70.77), (76.19, -69.41)):
        x, y = channels.mercator(lon, lat)
        assert abs(x * k - cx * k) <= 310 + 1e-6 and abs(y * k - cy * k) <= 275 + 1e-6, (lon, lat)


def _card_names(monkeypatch, story, **options) -> list:
    """The names ``social_card(story, **options)`` sets on its map: ``(text, font, stroke, box)``."""
    placed = []
    real = channels.card_labels

    def spy(*args, **kwargs):
        placed.extend(real(*args, **kwargs))
        return placed

    monkeypatch.setattr(channels, "card_labels", spy)
    channels.social_card(story, **options)
    return placed


def test_the_social_card_names_the_first_steps_places(monkeypatch):
    """A link preview showed the first step's places as unnamed dots. The card names them where
    each fits (a long name by its short form), clear of the panel, the edges and the points."""
    placed = _card_names(monkeypatch, storymap.load(GEODATA))
    # ("SOCSOUTH headquarters, Homestead Air Reserve Base" runs past the card's edge: its short form.)
    assert [text for text, *_ in placed] == ["SOCSOUTH headquarters", "Panama Canal"]
    assert all(box[0] >= 500 * channels._SS and box[2] <= 1200 * channels._SS for *_, box in placed)


def test_a_name_no_form_of_which_fits_on_one_line_takes_two_on_the_social_card(monkeypatch):
    """The Spanish card left the SOCSOUTH point unnamed: "Cuartel general del SOCSOUTH", its short
    form, fits on neither side of it on one line. A name's last form is also offered in two lines,
    broken between words, and there it fits. (A form that fits on one line is taken as before:
    the English card, above.)"""
    placed = _card_names(monkeypatch, storymap.load(GEODATA), lang="es")
    texts = [text for text, *_ in placed]
    assert [text.replace("\n", " ") for text in texts] == ["Cuartel general del SOCSOUTH", "Canal de Panamá"], texts
    assert texts[0].count("\n") == 1 and "\n" not in texts[1]
    (_, _, _, two), (_, _, _, one) = placed
    assert two[3] - two[1] > 1.5 * (one[3] - one[1])  # (its box holds both lines)
    assert all(box[0] >= 500 * channels._SS and box[2] <= 1200 * channels._SS for *_, box in placed)


def test_card_labels_take_the_side_and_the_form_that_fit():
    def form(text, width):
        return (text, None, 0, (width, 20))

    room, pad, gap = (100, 0, 400, 100), (5, 5), 10
    found = channels.card_labels([
        ((110, 20), [form("right of it", 100)]),           # room to its right
        ((390, 60), [form("left of it", 100)]),            # none to its right: to its left
        ((120, 30), [form("on the first", 50)]),           # meets the first either side: left out
        ((300, 90), [form("too tall here", 50)]),          # off the foot of the room: left out
        ((250, 60), [form("a long name", 300), form("short", 40)])],  # too wide: its short form
        room, pad, gap, obstacles=[(262, 50, 268, 70)])  # (a point right of the last anchor)
    assert [(text, box) for text, _, _, box in found] == [
        ("right of it", (120, 5, 230, 35)), ("left of it", (270, 45, 380, 75)), ("short", (190, 45, 240, 75))]


def test_a_title_too_long_for_the_social_card_is_a_warning(tmp_path: Path):
    story = storymap.load(tiny_story(tmp_path / "s"))
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="the title")
        channels.social_card(story)  # (a title that fits: nothing said)
    story.data.title = "A very long headline about the river " * 8
    with pytest.warns(UserWarning, match=r"^the title takes \d+ lines on the social card, which shows 4: it ends in "
                                         r"'…' there \(the link preview's og:title carries all of it\)"):
        channels.social_card(story)


def test_a_subtitle_too_long_for_the_social_card_is_a_warning():
    """The Spanish card cut the Panama dek to "…primeras conversaciones…" and said nothing (a
    title too long was warned of)."""
    story = storymap.load(GEODATA)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="the subtitle")
        channels.social_card(story)  # (the English dek fits: nothing said)
    with pytest.warns(UserWarning, match=r"^the subtitle takes \d+ lines on the social card, which has room for \d+ "
                                         r"under the title: it ends in '…' there"):
        channels.social_card(story, "es")


def test_the_social_card_keeps_the_first_steps_places_clear_of_its_edges():
    """The Panama story's first step reaches from Florida to Panama: the card fitted it to 40 px
    of its edges, and SOCSOUTH's marker touched the top of the card, the border zones ran off
    its foot."""
    from PIL import Image

    card = Image.open(io.BytesIO(channels.social_card(storymap.load(GEODATA)))).convert("RGB")
    marker = (0x26, 0x32, 0x38)  # (the headquarters kind's colour)
    near = [(x, y) for y in range(card.height) for x in range(500, card.width)
            if sum(abs(a - b) for a, b in zip(card.getpixel((x, y)), marker)) < 30]
    assert near, "the marker is drawn"
    assert min(y for _, y in near) >= 48, min(y for _, y in near)


def test_a_right_to_left_storys_social_card_is_the_mirror_of_the_others(tmp_path: Path):
    """An Arabic story's page sets its text panel at the right; its card had the panel at the left,
    the map at the right. The card is mirrored as the page is: the panel at the right, its text
    flush right, and the step's places fitted into the map it leaves at the left."""
    def card(folder: Path) -> Image.Image:
        return Image.open(io.BytesIO(channels.social_card(storymap.load(folder)))).convert("RGB")

    def panel_colour(image: Image.Image, x: int) -> bool:
        return all(sum(abs(a - b) for a, b in zip(image.getpixel((x, y)), channels._PANEL)) < 40
                   for y in range(0, 630, 30))

    def places(image: Image.Image) -> list[int]:
        return [x for y in range(0, 630, 2) for x in range(0, 1200, 2)
                if sum(abs(a - b) for a, b in zip(image.getpixel((x, y)), MAGENTA)) < 60]

    for lang, title in (("ar", "مرفآن على الساحل"), ("he", "שני נמלים")):
        mirrored = card(titled(tmp_path / lang, title, subtitle="", lang=lang))
        assert panel_colour(mirrored, 1190) and panel_colour(mirrored, 710) and not panel_colour(mirrored, 10), lang
        drawn = places(mirrored)
        assert drawn and max(drawn) < 700 and abs((min(drawn) + max(drawn)) / 2 - 350) < 20, (lang, drawn[:3])
        text = Image.open(io.BytesIO(channels.social_card(storymap.load(tmp_path / lang)))).convert("L")
        ink = [x for x in range(700, 1200) for y in range(40, 200, 2) if text.getpixel((x, y)) > 235]
        assert ink and max(ink) > 1130 and min(ink) > 744, lang  # (flush right, in the panel)
    english = card(tiny_story(tmp_path / "en"))  # (left to right: as before)
    assert panel_colour(english, 10) and panel_colour(english, 490) and not panel_colour(english, 1190)
    drawn = places(english)
    assert drawn and min(drawn) > 500 and abs((min(drawn) + max(drawn)) / 2 - 850) < 20


@pytest.mark.parametrize("symbol, inside, outside", [
    ("triangle", (0, -1.1), (-0.9, -0.6)),   # its apex above a circle's top; no shoulders
    ("square", (0.85, 0.85), (0, -1.05)),     # its corners; flat top
    ("diamond", (0, -1.15), (0.7, 0.7)),
    ("circle", (0.7, 0.7), (0.9, 0.9)),
])
def test_the_social_card_draws_each_points_symbol(symbol, inside, outside):
    """A kind's symbol (a triangle for the pyramids) was drawn on the card as a circle."""
    from PIL import ImageDraw
    import shapely

    image = Image.new("RGB", (200, 200), (255, 255, 255))
    style = {"radius": 10, "color": "#000000", "fillColor": "#ff0000", "weight": 0.5}
    channels._draw_place(ImageDraw.Draw(image, "RGBA"), lambda coords: [(100.0, 100.0) for _ in coords],
                         shapely.Point(0, 0), style, 1.0, symbol)
    r = 10 * channels._SS * 1.4

    def red(at) -> bool:
        return image.getpixel((round(100 + at[0] * r), round(100 + at[1] * r)))[0] > 200 and \
            image.getpixel((round(100 + at[0] * r), round(100 + at[1] * r)))[1] < 60

    assert red(inside) and not red(outside), symbol


def test_the_social_cards_text_wraps_without_spaces():
    """Japanese and Chinese put no spaces between words: a subtitle in them wraps between its
    characters (it ran on past the text's column into the map); a web address wider than the
    column is broken too."""
    from PIL import ImageDraw

    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    font, _ = channels._font("regular", 30)
    text = "日本の特殊作戦部隊とパナマの国境警備隊が初めて公式に協議した。運河の安全が焦点となった。"
    lines = channels._wrap(draw, text, font, 500, 9)
    assert len(lines) > 1 and "".join(lines) == text
    assert all(draw.textlength(line, font=font) <= 500 for line in lines)
    mixed = channels._wrap(draw, "The story of 東京タワー and https://example.org/" + "a" * 80, font, 500, 9)
    assert mixed[0].startswith("The story of 東京") and all(draw.textlength(x, font=font) <= 500 for x in mixed)
    assert channels._wrap(draw, "Two words", font, 500, 9) == ["Two words"]


def test_the_cards_japanese_lines_never_start_with_a_small_kana_or_a_full_stop(tmp_path: Path):
    """A Japanese dek broke as "始ま / った": a line started with a small っ, which Japanese
    typesetting (kinsoku, JIS X 4051) never does, nor a line with 。 or a closing bracket, nor ends
    one with an opening bracket. Such a character goes to the next line with its neighbour."""
    from PIL import ImageDraw, ImageFont

    text = "新幹線が始まった東京の駅。から「新幹線」の歩みです"
    font = ImageFont.truetype(str(make_font(tmp_path / "Block.ttf", text)), 20)  # (every character 20 px)
    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    # Six characters a line would break before っ and before 。: "新幹線が始ま / った東京の駅 / 。から…"
    assert channels._wrap(draw, text, font, 120, 99) == ["新幹線が始", "まった東京の", "駅。から「新", "幹線」の歩み", "です"]
    for width in range(40, 400, 20):
        lines = channels._wrap(draw, text, font, width, 99)
        assert "".join(lines) == text and all(draw.textlength(line, font=font) <= width for line in lines), width
        assert not any(line[0] in "っ。」" or line[-1] == "「" for line in lines), (width, lines)


def test_meta_tags(built_page: Path):
    meta = head_of(built_page.read_text("utf-8")).meta
    story = storymap.load(GEODATA)
    assert meta["og:title"] == story.title
    # X reads Open Graph's title, description and image: no copies of them (a dek this short)
    assert "twitter:title" not in meta and "twitter:description" not in meta and "twitter:image" not in meta
    assert meta["og:description"] == meta["description"] == story.data.subtitle
    assert meta["og:type"] == "article"
    assert (meta["og:image"], meta["og:image:width"], meta["og:image:height"]) == ("social.png", "1200", "630")
    assert meta["og:image:alt"].startswith("Map from the story map “Partners at the Crossroads”: Map of the Caribbean")
    # ... in the page's language.
    for page in (story.to_html(languages=["es"]), story.to_html(lang="es")):
        spanish = head_of(page).meta
        assert spanish["og:image:alt"].startswith("Mapa de la historia «Socios en la encrucijada»: Mapa de la cuenca del Caribe")
    assert meta["twitter:card"] == "summary_large_image"
    assert "og:url" not in meta  # no base_url: no URL to claim


def test_x_gets_its_own_description_only_where_its_200_characters_shorten_the_dek():
    story = storymap.load(GEODATA)
    dek = "Special-operations forces of two countries, " * 8  # (352 characters)
    meta = head_of(str(channels.meta_tags(story.data.model_copy(update={"subtitle": dek.strip()}))) + "</head>").meta
    assert meta["og:description"] == meta["description"] and len(meta["description"]) > 200
    x = meta["twitter:description"]
    assert len(x) <= 200 and x.endswith("…") and dek.startswith(x[:-1])
    assert "twitter:title" not in meta  # (X reads og:title)


@pytest.mark.parametrize("base, page, image", [
    ("https://news.example.org/stories/panama/", "https://news.example.org/stories/panama/",
     "https://news.example.org/stories/panama/social.png"),
    ("https://news.example.org/stories/panama", "https://news.example.org/stories/panama",
     "https://news.example.org/stories/panama/social.png"),
    ("https://news.example.org/stories/panama/index.html", "https://news.example.org/stories/panama/index.html",
     "https://news.example.org/stories/panama/social.png"),
])
def test_base_url_makes_the_card_absolute(tmp_path: Path, base: str, page: str, image: str):
    folder = tiny_story(tmp_path / "s", extra=f'base_url = "{base}"\n')
    html = storymap.load(folder).to_html()
    head = head_of(html)
    assert head.meta["og:url"] == page and head.links["canonical"] == page
    assert head.meta["og:image"] == image


def test_meta_tags_are_escaped(tmp_path: Path):
    folder = tiny_story(tmp_path / "s")
    toml = (folder / "story.toml").read_text("utf-8").replace('title = "Two harbours"',
                                                              'title = "\\"><script>alert(1)</script>"')
    (folder / "story.toml").write_text(toml, "utf-8")
    html = storymap.load(folder).to_html()
    head = html[: html.index("</head>")]
    assert "<script>alert" not in head
    assert '<meta property="og:title" content="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">' in head
    with pytest.raises(storymap.StoryError, match="base_url: 'javascript:x' is not an http"):
        tiny_story(tmp_path / "t", extra='base_url = "javascript:x"\n') and storymap.load(tmp_path / "t")


def test_social_card_is_drawn_without_a_browser(tmp_path: Path):
    story = storymap.load(tiny_story(tmp_path / "s"))
    image = Image.open(io.BytesIO(channels.social_card(story))).convert("RGB")
    assert image.size == (1200, 630)
    panel_colour = image.getpixel((40, 600))  # the title panel: #0b2e4f at 94% over the map
    assert all(abs(a - b) <= 16 for a, b in zip(panel_colour, (11, 46, 79))), panel_colour
    colours = image.getcolors(1_000_000)
    counts = {c: n for n, c in colours}
    assert counts.get((201, 221, 232), 0) > 10_000  # sea
    assert counts.get((243, 239, 230), 0) > 10_000  # land: Portugal and Spain

    def near(c, target, tol=40):
        return all(abs(a - b) <= tol for a, b in zip(c, target))

    # The first step's place, Lisbon, is on the card, in the map's part (right of the panel).
    right = image.crop((500, 0, 1200, 630))
    assert sum(n for n, c in right.getcolors(1_000_000) if near(c, MAGENTA)) > 200
    # White title text on the panel.
    panel = image.crop((0, 0, 500, 630))
    assert sum(n for n, c in panel.getcolors(1_000_000) if c == (255, 255, 255)) > 2000


def test_write_social_card_into_a_new_folder_named_with_a_slash(tmp_path: Path):
    """``write_social_card(story, "cards/")`` writes cards/social.png, as into a folder that exists;
    it wrote a PNG file called ``cards``."""
    story = storymap.load(tiny_story(tmp_path / "s"))
    for folder in ("cards", "cards2"):  # (a new one, then one that exists)
        if folder == "cards2":
            (tmp_path / folder).mkdir()
        written = storymap.write_social_card(story, f"{tmp_path / folder}/")
        assert written == tmp_path / folder / "social.png" and Image.open(written).size == (1200, 630)
    assert storymap.write_social_card(story, tmp_path / "card.png") == tmp_path / "card.png"


def test_storymap_build_writes_the_social_card(tmp_path: Path):
    folder = tiny_story(tmp_path / "s")
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(tmp_path / "out" / "index.html")])
    assert result.exit_code == 0, result.output
    card = tmp_path / "out" / "social.png"
    assert Image.open(card).size == (1200, 630)
    assert f"wrote {card}" in result.output
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(tmp_path / "frag.html"), "--fragment"])
    assert result.exit_code == 0 and not (tmp_path / "social.png").exists()



def test_the_social_card_draws_a_kicker_with_line_separators(tmp_path: Path):
    """A carriage return or a paragraph separator (U+2029, as some editors paste a line break) in
    the kicker: Pillow's layout refused to draw it, and `storymap build` failed with 'cannot draw
    social.png: raqm_layout() failed.'. It is set on one line, as the title is."""
    folder = tiny_story(tmp_path / "s")
    toml = (folder / "story.toml").read_text("utf-8")
    (folder / "story.toml").write_text(toml.replace('kicker = "Test"', 'kicker = "Harbours\\r\\nof\\u2029the\\u0085coast"')
                                       .replace('title = "Two harbours"', 'title = "Two\\u2029harbours\\r"'), "utf-8")
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(tmp_path / "out" / "index.html")])
    assert result.exit_code == 0, result.output
    card = Image.open(tmp_path / "out" / "social.png").convert("RGB")
    assert card.size == (1200, 630)
    from PIL import ImageDraw

    font, _ = channels._font("bold", 22)
    assert channels._wrap(ImageDraw.Draw(card), "HARBOURS\r\nOF\u2029THE\x85COAST", font, 1000, 1) == ["HARBOURS OF THE COAST"]


def test_the_social_card_is_in_the_pages_language(tmp_path: Path):
    """A page built in Spanish (--languages es, --lang es) has its meta tags in Spanish; its card
    gave the story's English kicker, title and dek."""
    story = storymap.load(GEODATA)
    spanish = channels.social_card(story, "es")
    assert spanish == channels.social_card(story._only(["es"], None)[0])  # (the story told in Spanish alone)
    assert spanish != channels.social_card(story)
    for option in ("--languages", "--lang"):
        out = tmp_path / option.strip("-") / "index.html"
        result = CliRunner().invoke(cli, ["build", str(GEODATA), "-o", str(out), option, "es"])
        assert result.exit_code == 0, result.output
        assert (out.parent / "social.es.png").read_bytes() == spanish, option  # (the page's own card)
        assert not (out.parent / "social.png").exists(), option
    with pytest.raises(ValueError, match="not in 'fr'"):
        channels.social_card(story, "fr")


def test_storymap_build_says_when_link_previews_need_base_url(tmp_path: Path):
    """Without base_url, og:image names social.png beside the page, which Facebook, LinkedIn and
    X do not follow: the build says so (the page is still written)."""
    folder = tiny_story(tmp_path / "s")
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(tmp_path / "out" / "index.html")])
    assert result.exit_code == 0
    assert "base_url: note: link previews" in result.stderr and "set base_url" in result.stderr
    toml = folder / "story.toml"
    toml.write_text('base_url = "https://news.example.org/s/"\n' + toml.read_text("utf-8"), "utf-8")
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(tmp_path / "out" / "index.html")])
    assert result.exit_code == 0 and "base_url" not in result.stderr
    assert 'content="https://news.example.org/s/social.png"' in (tmp_path / "out" / "index.html").read_text("utf-8")


# The no-JS article -----------------------------------------------------------------------------

def _noscript(html: str) -> str:
    found = re.findall(r"<noscript[^>]*>(.*?)</noscript>", html, re.S)
    assert len(found) == 1
    return found[0]


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)))


def test_noscript_article_holds_the_whole_story(built_page: Path):
    html = built_page.read_text("utf-8")
    article = _noscript(html)
    assert "<style" not in article and "<script" not in article
    assert "@media (scripting:none){.storymap[data-storymap]{display:none}}" in html  # the live story hides
    story = storymap.load(GEODATA).data
    head = _text(article.split("<section", 1)[0])
    assert story.title in head and story.subtitle in head and story.byline in head
    sections = re.findall(r"<section[^>]*>(.*?)</section>", article, re.S)
    assert [_text(re.search(r"<h2>(.*?)</h2>", sec).group(1)).strip() for sec in sections] == \
        [step.title for step in story.steps]  # every step, in order
    for step, section in zip(story.steps, map(_text, sections)):
        first = re.sub(r"[*_\s]", "", step.narrative.strip().split("\n")[0])[:60]
        assert first in re.sub(r"\s", "", section), (step.id, first)
        for pid in step.places:
            assert story.place(pid).name in section, (step.id, pid)
        for media in step.media:
            assert f"Image: {media.alt}" in section and media.credit in section
    # Every place's sources, once each, as links.
    for place in story.places:
        for source in place.sources:
            assert f'<a href="{html_lib.escape(source.url)}" ' in article, source.url
    # The article's own markup has no line breaks between its tags (they show nothing and travel in
    # every page); those of the texts in it stay (a narrative's paragraphs, a soft break in one).
    texts = r'<div class="storymap-(?:narrative|annotation|article-caption)"[^>]*>.*?</div>'
    assert ">\n<" not in re.sub(texts, "", article, flags=re.S)
    assert "</p>\n<p>" in article


def test_noscript_article_dates_each_dated_step_in_its_language():
    # Without a script there is no timeline. Before: the article gave no step's date or period.
    story = storymap.load(GEODATA)
    for lang, expected in (("en", {"first-talks": "Feb 18, 2025", "border-service": "2008\u2009–\u20092025",
                                   "fuerzas-comando-2024": "May 12\u2009–\u200924, 2024"}),
                           ("es", {"first-talks": "18 feb 2025", "fuerzas-comando-2024": "12–24 may 2024"})):
        article = _noscript(story.to_html(lang=lang))
        # (The element after each section's title: its date, else its narrative.)
        sections = dict(re.findall(r'<section class="storymap-article-step" id="([^"]+)">\n?'
                                   r"<h2>.*?</h2>\n?(<p>[^<]*</p>|<div[^>]*>)", article))
        for step in story.steps:
            when = sections[step.id]
            if step.time is None:
                assert when.startswith('<div class="storymap-narrative"'), (lang, step.id)
            else:
                assert when == f"<p>{span_label(step.time.ends, lang)}</p>", (lang, step.id)
        for sid, label in expected.items():
            assert sections[sid] == f"<p>{label}</p>", (lang, sid)


# Step media, print and phones in Chromium (one page, shared) ----------------------------------

@pytest.fixture(scope="module")
def media_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The Panama story with a 3000×2000 photo from story.toml (first step) and a step with a
    drawing added from Python: built in both layouts."""
    root = tmp_path_factory.mktemp("media")
    folder = root / "geodata"
    shutil.copytree(GEODATA, folder)
    (folder / "story.es.toml").unlink()  # in English alone: the media added here have no Spanish texts
    photo(folder / "media" / "harbour.jpg")
    add_media(folder, "overview", 'src = "media/harbour.jpg"\nalt = "Container cranes at a harbour"\n'
                                  'credit = "Photo: Test Agency"\ncaption = "Cranes *at dusk*"')
    chart = root / "chart.png"
    Image.new("RGB", (600, 300), (11, 83, 148)).save(chart)
    story = storymap.load(folder)
    story.add_step(id="a-chart", title="A chart", places=["panama-canal"], after="overview",
                   media=[storymap.Media(src=chart, alt="A blue chart", credit="Chart: storymap")])
    pages = {"slides": root / "slides.html", "scroll": root / "scroll.html"}
    story.save(pages["slides"])
    story.save(pages["scroll"], layout="scroll")
    return pages


@pytest.fixture(scope="module")
def desktop(browser, media_pages) -> PageRun:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    run = PageRun(context.new_page()).open(media_pages["slides"])
    yield run
    context.close()


@pytest.mark.browser
def test_media_in_chromium(desktop: PageRun):
    def figure(step_id: str) -> dict:
        desktop.js("(id) => { document.querySelector('[data-storymap]').storymap.goTo(id, {animate: false}); }",
                   step_id)
        desktop.settle()
        return desktop.js("""async (id) => {
          const img = document.querySelector('.storymap-step[data-step="' + id + '"] .storymap-media');
          await img.decode();
          const r = img.getBoundingClientRect();
          return {src: img.getAttribute('src').slice(0, 23), alt: img.alt, natural: [img.naturalWidth, img.naturalHeight],
                  shown: r.width > 100 && r.height > 50, caption: img.closest('figure').querySelector('figcaption').innerText};
        }""", step_id)

    photo_ = figure("overview")
    photo_["caption"] = re.sub(r"\s*\n\s*", " | ", photo_["caption"].strip())
    assert photo_ == {"src": "data:image/jpeg;base64,", "alt": "Container cranes at a harbour",
                      "natural": [1600, 1067], "shown": True, "caption": "Cranes at dusk | Photo: Test Agency"}
    chart = figure("a-chart")
    assert chart["src"].startswith("data:image/png;base64,") and chart["natural"] == [600, 300]
    assert chart["alt"] == "A blue chart" and chart["shown"] and chart["caption"].strip() == "Chart: storymap"
    lazy = desktop.js("() => Array.from(document.querySelectorAll('.storymap-media')).map((i) => i.loading)")
    assert lazy == ["auto", "lazy", "lazy"]  # the first step's picture loads with the page, the others when shown
    canal = figure("the-canal")
    assert canal["src"].startswith("data:image/svg+xml,") and canal["natural"] == [400, 236] and canal["shown"]
    assert desktop.outside == [] and desktop.errors == []  # inlined: no request for any image


@pytest.mark.browser
def test_print_is_the_whole_story_as_an_article(desktop: PageRun):
    page = desktop.page
    desktop.js("() => { document.querySelector('[data-storymap]').storymap.goTo('the-canal', {animate: false}); }")
    desktop.settle()
    # (A legend closed on screen, as a phone's starts: the paper has no button to open it.)
    desktop.js("() => { document.querySelector('details.storymap-legend').open = false; }")
    page.emulate_media(media="print")
    try:
        # The map takes its printed size (11 cm at the top) and refits the current step.
        page.wait_for_function("""() => { const r = document.querySelector('[data-storymap]');
            const m = r.storymap.map; return Math.abs(m.getSize().y - m.getContainer().clientHeight) < 1
              && m.getContainer().clientHeight < 500 && !r.hasAttribute('data-storymap-moving')
              // every step's pictures, the later steps' loaded only when shown on screen:
              && Array.from(r.querySelectorAll('img.storymap-media')).every((i) => i.complete && i.naturalWidth > 0); }""")
        layout = desktop.js("""() => {
          const root = document.querySelector('[data-storymap]'), story = root.storymap;
          const shown = (el) => !!el && getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().height > 0;
          const map = root.querySelector('.storymap-map').getBoundingClientRect();
          const titles = Array.from(root.querySelectorAll('.storymap-step-title'));
          const step = story._config.steps[story.index];
          return {
            mapTop: map.top + window.scrollY, mapHeight: map.height, mapWidth: map.width,
            titleTops: titles.map((t) => shown(t) ? t.getBoundingClientRect().top + window.scrollY : -1),
            titles: titles.map((t) => t.textContent),
            nav: shown(root.querySelector('.storymap-nav')),
            zoom: shown(root.querySelector('.leaflet-control-zoom')),
            toggle: shown(root.querySelector('.storymap-sheet-toggle')),
            stepInView: story.map.getBounds().pad(0.02).contains(L.latLngBounds(step.latLngBounds)),
            sourcesOpen: Array.from(root.querySelectorAll('.storymap-step details.storymap-sources')).every((d) => d.open),
            legendOpen: root.querySelector('details.storymap-legend').open,
            // every step's list of places (filled on screen when the step first shows):
            listed: Array.from(root.querySelectorAll('.storymap-step-places')).map((list) =>
              list.querySelectorAll('.storymap-place').length === list.getAttribute('data-places').split(' ').length),
            current: step.id,
          };
        }""")
    finally:
        page.emulate_media(media="screen")
    assert layout["sourcesOpen"] and layout["legendOpen"]  # unfolded for the paper, folded again after:
    assert len(layout["listed"]) == 12 and all(layout["listed"])
    page.wait_for_function("() => !Array.from(document.querySelectorAll('details.storymap-sources, details.storymap-legend'))"
                           ".some((d) => d.open)")
    assert layout["current"] == "the-canal" and layout["stepInView"]
    assert -1 not in layout["titleTops"] and layout["titleTops"] == sorted(layout["titleTops"])
    assert len(layout["titles"]) == 12 and layout["titles"][6] == "A strategic anchor"
    assert layout["mapTop"] < 5 and layout["mapHeight"] > 300 and layout["mapWidth"] > 1000
    assert layout["titleTops"][0] > layout["mapTop"] + layout["mapHeight"]  # the map first, then the text
    assert not layout["nav"] and not layout["zoom"] and not layout["toggle"]


@pytest.mark.browser
def test_a_print_stays_unfolded_while_chrome_turns_the_print_query_off_and_on(desktop: PageRun):
    """Printed ~4 s after opening a link to a step, online, Chrome's PDF lost its last ten pages:
    after beforeprint, Chrome turns the print media query off and on again, and the story folded
    the sources and the legend back (and unfolded them) on the way, while the paper was laid out.
    Only afterprint folds what beforeprint unfolded now; a print the query alone starts (DevTools'
    emulation) still folds when it ends."""
    page, folded = desktop.page, ("() => Array.from(document.querySelectorAll('details.storymap-sources'))"
                                  ".filter((d) => !d.open).length")
    assert desktop.js(folded) > 0
    desktop.js("() => window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    page.emulate_media(media="screen")  # (Chrome's turn, while it prints)
    page.wait_for_timeout(100)
    assert desktop.js(folded) == 0
    page.emulate_media(media="print")
    desktop.js("() => window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    # (A frame, in which the page sees the query off: turned on again before one, the browser
    # reports no change at all, and the page, folded by afterprint, never heard the print below.)
    desktop.js("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_function(f"() => ({folded})() > 0")
    # The query alone: unfolded, then folded when it turns off.
    page.emulate_media(media="print")
    page.wait_for_function(f"() => ({folded})() === 0")
    page.emulate_media(media="screen")
    page.wait_for_function(f"() => ({folded})() > 0")
    assert desktop.errors == []


@pytest.mark.browser
def test_print_of_the_scroll_layout_holds_the_places_and_a_legible_title_card(media_pages, make_page):
    """The scroll layout folds each step's list of places on screen; printed, the lists stayed
    folded (no place, no source on the paper), and the title card's kicker and byline kept their
    pale blue for a dark card the paper does not have."""
    run = make_page((1280, 800)).open(media_pages["scroll"])
    state = """() => { const root = document.querySelector('[data-storymap]');
      const lists = Array.from(root.querySelectorAll('details.storymap-step-more'));
      return {open: lists.map((d) => d.open), cards: lists.map((d) => d.querySelectorAll('.storymap-place').length),
              colours: ['.storymap-kicker', '.storymap-byline'].map((s) => getComputedStyle(root.querySelector(s)).color)}; }"""
    assert not any(run.js(state)["open"])
    run.page.emulate_media(media="print")
    try:
        run.page.wait_for_function("() => Array.from(document.querySelectorAll('details.storymap-step-more'))"
                                   ".every((d) => d.open)", timeout=5000)
        printed = run.js(state)
    finally:
        run.page.emulate_media(media="screen")
    assert len(printed["cards"]) == 12 and all(printed["cards"])
    assert printed["colours"] == ["rgb(74, 85, 96)"] * 2  # (--storymap-muted: 7.5:1 on white)
    run.page.wait_for_function("() => !Array.from(document.querySelectorAll('details.storymap-step-more')).some((d) => d.open)")


@pytest.mark.browser
def test_a_pdf_of_the_page_keeps_its_text_off_the_papers_edges(built_page: Path, make_page):
    """Playwright's page.pdf() (and a print with the browser's margins set to none) put the text
    against the paper's edges, where a printer cuts it off: the page asks for margins of its own
    (12 mm, 34 pt)."""
    from pypdf import PdfReader

    run = make_page((1280, 800)).open(built_page)
    reader = PdfReader(io.BytesIO(run.page.pdf(format="A4")))
    for number, page in enumerate(reader.pages[:4]):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        spots = []
        page.extract_text(visitor_text=lambda text, cm, tm, *_: spots.append(
            (cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3])) if text.strip() else None)
        assert len(spots) > 20, number
        xs, ys = [x for x, _ in spots], [y for _, y in spots]
        assert min(xs) >= 30 and max(xs) <= width - 30 and min(ys) >= 30 and max(ys) <= height - 30, (number, spots[:3])


@pytest.mark.browser
def test_a_printed_page_never_ends_on_a_heading_whose_text_is_on_the_next(built_page: Path, make_page):
    """Printed, the Panama story's pages ended on "Sources (1)", on a place's name ("Pacific
    maritime trafficking corridor") or on the line under it, the text they head on the next page.
    A step's title, a list's summary, a place's name and its line under it keep to what follows."""
    run = make_page((1280, 800)).open(built_page)
    feet = pdf_page_feet(run.page.pdf(format="A4"))
    headings = run.js(HEADINGS_JS)  # (every step's places: listed to print)
    assert len(headings) > 100 and "Pacific maritime trafficking corridor" in headings
    assert len(feet) > 20
    assert stranded(feet, headings) == []


@pytest.mark.browser
def test_a_printed_page_never_ends_inside_a_steps_on_the_map_box(built_page: Path, make_page):
    """Printed, the Panama story's page 2 ended on the first line of a step's "On the map" box
    (its description of the map, for a reader who cannot see it), the rest on page 3: the box keeps
    together."""
    from pypdf import PdfReader

    run = make_page((1280, 800)).open(built_page)
    label = run.js("() => document.querySelector('.storymap-onmap strong').textContent.trim()")
    boxes = [unicodedata.normalize("NFKC", b) for b in run.js(
        "() => Array.from(document.querySelectorAll('.storymap-onmap')).map((el) => el.textContent.replace(/\\s+/g, ' ').trim())")]
    assert len(boxes) >= 10 and label == "On the map:"
    split = []
    for number, page in enumerate(PdfReader(io.BytesIO(run.page.pdf(format="A4"))).pages, 1):
        lines = [line.strip() for line in unicodedata.normalize("NFKC", page.extract_text()).splitlines() if line.strip()]
        # The page's lines from the last one that starts a box: all of that box, or not a box's start.
        starts = [i for i, line in enumerate(lines) if line.startswith(label)]
        if starts:
            tail = " ".join(lines[starts[-1]:])
            if not any(tail.startswith(box) for box in boxes):
                split.append((number, tail[:80]))
    assert split == []


@pytest.mark.browser
def test_a_printed_countrys_name_is_in_the_pdf_once(built_page: Path, make_page):
    """The basemap's country names are outlined by text shadows, which a PDF holds as copies of the
    text: printed, the map's "CUBA" read "CUBACUBACUBACUBA" to search and copy."""
    from pypdf import PdfReader

    run = make_page((1280, 800)).open(built_page)
    text = PdfReader(io.BytesIO(run.page.pdf(format="A4"))).pages[0].extract_text()
    names = run.js("() => Array.from(document.querySelectorAll('.storymap-country-label span'))"
                   ".map((s) => s.textContent.toUpperCase()).filter((t) => t.length > 3)")
    assert "CUBA" in names
    for name in names:
        assert name * 2 not in text.replace(" ", ""), name


@pytest.mark.browser
def test_printed_place_cards_keep_their_colours_and_drop_the_summaries_triangles(built_page: Path, make_page):
    """On paper (a browser prints without backgrounds unless asked) a place card's swatch, its
    only link to the map's legend, was an empty ring or outline; and every "Places on the map"
    and "Sources" kept the triangle of a button the paper does not have."""
    run = make_page((1280, 800)).open(built_page)
    run.page.emulate_media(media="print")
    try:
        run.page.wait_for_function("() => document.querySelectorAll('.storymap-place .storymap-swatch').length > 40")
        printed = run.js("""() => {
          const root = document.querySelector('[data-storymap]');
          const all = (selector) => Array.from(root.querySelectorAll(selector));
          return {
            swatches: all('.storymap-swatch').map((s) => getComputedStyle(s).printColorAdjust),
            filled: all('.storymap-place .storymap-swatch--point').map((s) => getComputedStyle(s).backgroundColor),
            markers: all('summary').map((s) => getComputedStyle(s).listStyleType),
          };
        }""")
    finally:
        run.page.emulate_media(media="screen")
    assert len(printed["swatches"]) > 40 and set(printed["swatches"]) == {"exact"}
    assert "rgb(38, 50, 56)" in printed["filled"]  # (the headquarters' dark dot: printed as it is)
    assert len(printed["markers"]) > 40 and set(printed["markers"]) == {"none"}
    assert run.js("() => getComputedStyle(document.querySelector('.storymap-panel summary')).listStyleType") != "none"


@pytest.mark.browser
def test_a_printed_address_reads_whole_in_a_right_to_left_story(tmp_path: Path, make_page):
    """Printed, a link shows its address after it; in a right-to-left story an address with an
    Arabic path was cut in pieces and reordered ("(برج_إيفل/https://ar.wikipedia.org/wiki)"): it
    is isolated, left to right, between the story's own brackets."""
    folder = tiny_story(tmp_path / "s", extra='lang = "ar"')
    places = json.loads((folder / "places.geojson").read_text("utf-8"))
    url = "https://ar.wikipedia.org/wiki/برج_إيفل"
    places["features"][0]["properties"]["sources"] = [{"title": "برج إيفل", "url": url}]
    (folder / "places.geojson").write_text(json.dumps(places), "utf-8")
    page = storymap.load(folder).save(tmp_path / "index.html")
    run = make_page((1280, 800)).open(page)
    run.page.emulate_media(media="print")
    try:
        # (The place cards, with their sources' links, are filled in after the step is ready.)
        run.page.wait_for_function("""() => document.querySelector('.storymap-panel a[href^="http"]')""")
        after = run.js("""() => Array.from(document.querySelectorAll('.storymap-panel a[href^="http"]'))
            .map((a) => [a.getAttribute('href'), getComputedStyle(a, '::after').content])""")
    finally:
        run.page.emulate_media(media="screen")
    assert run.js("() => document.querySelector('[data-storymap]').closest('[dir]').dir") == "rtl"
    assert [url, '" (\u2066' + url + '\u2069)"'] in after
    assert all(content == '" (\u2066' + href + '\u2069)"' for href, content in after)


@pytest.mark.browser
def test_without_javascript_the_article_shows(browser, media_pages):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(media_pages["slides"].as_uri())
        assert page.locator("[data-storymap]").evaluate("(el) => getComputedStyle(el).display") == "none"
        article = page.locator("article.storymap--article")
        assert article.is_visible()
        assert article.locator("h1").inner_text() == "Partners at the Crossroads"
        assert article.locator("h2").all_inner_texts()[:3] == ["From Florida to the isthmus", "A chart",
                                                               "The first official talks"]
        assert "Image: Container cranes at a harbour Photo: Test Agency" in re.sub(r"\s+", " ", article.inner_text())
    finally:
        context.close()


@pytest.mark.browser
def test_without_javascript_a_link_to_a_step_reaches_it(browser, media_pages, tmp_path):
    """A shared link to a step (index.html#the-canal) opens the article at that step, as the story
    opens at it: the article's sections carry the steps' ids in a standalone page (and only there:
    in a fragment they are the root's, a host page's ids being its own)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(media_pages["slides"].as_uri() + "#the-canal")
        top = page.evaluate("() => document.getElementById('the-canal').getBoundingClientRect().top")
        assert page.evaluate("() => window.scrollY") > 500 and abs(top) <= 2
        assert page.locator("#the-canal h2").inner_text() == "A strategic anchor"
        ids = page.evaluate("() => Array.from(document.querySelectorAll('[id]'), (e) => e.id)")
        assert len(ids) == len(set(ids))
    finally:
        context.close()
    fragment = storymap.load(GEODATA).to_html(fragment=True)
    assert 'id="the-canal"' not in fragment and re.search(r'id="storymap-[0-9a-f]+-article-the-canal"', fragment)


@pytest.mark.browser
@pytest.mark.parametrize("layout", ["slides", "scroll"])
def test_on_phones_media_never_pushes_the_map_below_45_percent(browser, media_pages, layout: str):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        run = PageRun(context.new_page()).open(media_pages[layout], "overview")
        for step in ("overview", "the-canal"):
            run.js("(id) => { document.querySelector('[data-storymap]').storymap.goTo(id, {animate: false}); }", step)
            run.settle()
            # Bring the figure into view as a reader would: scroll the sheet, or the page.
            run.js("""(id) => { const img = document.querySelector('.storymap-step[data-step="' + id + '"] .storymap-media');
                     img.scrollIntoView({block: 'end'}); }""", step)
            run.page.wait_for_function("""(id) => { const img = document.querySelector(
                '.storymap-step[data-step="' + id + '"] .storymap-media'); const r = img.getBoundingClientRect();
                return r.bottom <= window.innerHeight + 1 && r.height > 0; }""", arg=step)
            box = run.js("""(id) => {
              const map = document.querySelector('.storymap-map').getBoundingClientRect();
              const img = document.querySelector('.storymap-step[data-step="' + id + '"] .storymap-media').getBoundingClientRect();
              return {top: map.top, bottom: map.bottom, imgTop: img.top, imgHeight: img.height};
            }""", step)
            assert box["top"] <= 1 and box["bottom"] >= 0.45 * 844, (layout, step, box)
            assert box["imgTop"] >= box["bottom"] - 1, (layout, step, box)  # the figure sits below the map
            assert box["imgHeight"] <= 0.31 * 844, (layout, step, box)
    finally:
        context.close()


# storymap render ---------------------------------------------------------------------------------

@pytest.mark.browser
def test_render_writes_a_picture_of_every_step_and_a_handout(tmp_path: Path):
    pypdf = pytest.importorskip("pypdf")
    folder = tiny_story(tmp_path / "s")
    photo(folder / "media" / "a.jpg", size=(400, 300))
    add_media(folder, "porto", 'src = "media/a.jpg"\nalt = "A harbour photo"\ncredit = "Photo: Test"')
    out = tmp_path / "render"
    result = CliRunner().invoke(cli, ["render", str(folder), "-o", str(out)])
    if result.exit_code == 1 and "storymap render: " in result.output and not os.environ.get("CI"):
        pytest.skip(result.output.splitlines()[0])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["lisbon.png", "porto.png", "story.pdf"]
    first, second = Image.open(out / "lisbon.png"), Image.open(out / "porto.png")
    assert first.size == second.size == (1280, 800)
    assert first.mode == second.mode == "RGB"  # (opaque: some were RGBA, with translucent rows)
    assert first.convert("RGB").tobytes() != second.convert("RGB").tobytes()  # each step as it is shown
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(out / "story.pdf").pages)
    for expected in ("Two harbours", "Step one: Lisbon", "Step two: Porto", "The second harbour.", "Photo: Test",
                     "A source"):
        assert expected in text, expected
    # On paper a source is its address too (the PDF's links alone cannot be followed from paper).
    assert "https://example.org" in re.sub(r"\s+", "", text)


@pytest.mark.browser
def test_render_asks_for_no_tile_offline_and_draws_the_storys_tiles_with_them(tmp_path: Path):
    """render's pictures are taken offline unless ``tiles``: nothing watched that no request left
    the machine. A tile server on the loopback interface, whose tiles are solid red, counts them."""
    import http.server
    import threading

    import numpy as np

    red = io.BytesIO()
    Image.new("RGB", (256, 256), "#ff0000").save(red, "PNG")
    asked: list[str] = []

    class Tiles(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(red.getvalue())

        def log_message(self, format: str, *args) -> None:  # (no line per request)
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
        story = storymap.load(tiny_story(tmp_path / "s", extra=f'tiles = {{ url = "{url}", attribution = "Local" }}'))
        drawn = {}
        for tiles in (False, True):
            asked.clear()
            first = channels.render_steps(story, tmp_path / f"tiles-{tiles}", tiles=tiles, pdf=False)[0]
            pixels = np.asarray(Image.open(first).convert("RGB"))
            drawn[tiles] = (len(asked), int((pixels == (255, 0, 0)).all(axis=-1).sum()))
    finally:
        server.shutdown()
        server.server_close()
    assert drawn[False] == (0, 0), drawn  # offline: no request, the embedded basemap alone
    assert drawn[True][0] > 4 and drawn[True][1] > 100_000, drawn  # the story's tiles, asked for and drawn


def test_the_handout_gives_each_sources_address_and_the_storys_own():
    """The handout's sources were link titles alone: on paper they could not be traced; nor did it
    say where the story is read online."""
    from storymap.channels import handout_html

    story = storymap.load(GEODATA)
    assert ".places a::after" in handout_html(story, {}) and 'class="byline url"' not in handout_html(story, {})
    story.data = story.data.model_copy(update={"base_url": "https://news.example/stories/panama/"})
    page = handout_html(story, {})
    assert '<p class="byline url"><a href="https://news.example/stories/panama/">https://news.example/stories/panama/</a></p>' in page
    assert '<a href="https://news.example/stories/panama/?lang=es">' in handout_html(story, {}, lang="es")


def test_the_handout_is_in_the_language_asked_for(tmp_path: Path):
    """The PDF handout's words were English whatever the story's language ("On the map:", "Places
    and sources"), and render had no way to ask for another of its languages."""
    from storymap.channels import handout_html

    story = storymap.load(tiny_story_in_two_languages(tmp_path / "s"))
    spanish = handout_html(story, {}, lang="es")
    assert '<html lang="es">' in spanish
    assert "<strong>En el mapa:</strong>" in spanish and "<strong>Lugares y fuentes</strong>" in spanish
    assert "Primer paso: Lisboa" in spanish and "Dos puertos" in spanish and "On the map" not in spanish
    english = handout_html(story, {})
    assert '<html lang="en">' in english and "<strong>Places and sources</strong>" in english
    # The story's own words for them, as the page takes them.
    story.interface = {"step.on_map": "Shown:"}
    assert "<strong>Shown:</strong>" in handout_html(story, {})
    # A language the story is not in: a usage error, before any browser starts.
    result = CliRunner().invoke(cli, ["render", str(tmp_path / "s"), "-o", str(tmp_path / "out"), "--lang", "fr"])
    assert result.exit_code == 2 and "the story is not in 'fr'" in result.output
    assert not (tmp_path / "out").exists()


def test_the_handout_dates_each_dated_step_as_the_page_does():
    """The page's timeline and its article date each dated step; the PDF handout left the dates out."""
    from storymap.channels import handout_html

    story = storymap.load(GEODATA)
    for lang in ("en", "es"):
        page = handout_html(story, {}, lang=lang)
        for step in story.steps:
            when = f'<p class="when">{span_label(step.time.ends, lang)}</p>' if step.time else None
            section = page[page.index(f'<section id="step-{step.id}">'):]
            section = section[:section.index("</section>")]
            assert (when in section) if when else ('class="when"' not in section), (lang, step.id)
    assert '<p class="when">Feb 18, 2025</p>' in handout_html(story, {})


@pytest.mark.browser
def test_a_handout_of_forty_steps_never_ends_a_page_on_the_places_heading(tmp_path: Path, browser):
    """In the handout, a step's "Places and sources" fell at a page's foot, its list on the next
    page (the Panama story's first step in Spanish). Forty steps, each a line longer than the last,
    bring that heading to every height of a page: it always keeps to its list."""
    folder = tiny_story(tmp_path / "s")
    text = (folder / "story.toml").read_text("utf-8").split("[[steps]]")[0]
    for i in range(40):
        lines = "\n".join(f"- Line {n} of step {i + 1}." for n in range(i + 20))
        text += (f'[[steps]]\nid = "step-{i + 1}"\ntitle = "Step {i + 1}"\nnarrative = """\n{lines}\n"""\n'
                 f'places = ["lisbon", "porto"]\n\n')
    (folder / "story.toml").write_text(text, "utf-8")
    story = storymap.load(folder)
    assert len(story.steps) == 40
    pdf = channels.handout_pdf(browser, channels.handout_html(story, {}))
    feet = pdf_page_feet(pdf, skip_footer=True)
    assert len(feet) > 40 and [foot for foot in feet if foot == "Places and sources"] == []
    assert sum(foot.startswith(("Lisbon: ", "Porto: ")) for foot in feet) > 10  # (the steps' pages end on their places)


@pytest.mark.browser
def test_the_panama_handout_keeps_each_on_the_map_box_whole(browser):
    """In the Panama story's Spanish handout, step 6's "En el mapa:" box (after the canal's
    chart) was cut by a page break after its first line, its second line alone at the top of the
    next page. Printed with pictures of the size render takes, every box is on one page."""
    from pypdf import PdfReader

    story = storymap.load(GEODATA)
    blank = io.BytesIO()
    Image.new("RGB", (1280, 800), "#e0ddd5").save(blank, "PNG")
    html = channels.handout_html(story, {step.id: blank.getvalue() for step in story.steps}, lang="es")
    pages = [" ".join(unicodedata.normalize("NFKC", page.extract_text()).split())
             for page in PdfReader(io.BytesIO(channels.handout_pdf(browser, html))).pages]
    spanish = localize(story.data, "es")
    boxes = ["En el mapa: " + " ".join(channels._step_description(spanish, step, "es").split()) for step in spanish.steps]
    assert len(boxes) == 11 and sum(page.count("En el mapa:") for page in pages) == 11
    assert [box[:60] for box in boxes if not any(box in page for page in pages)] == []


@pytest.mark.browser
def test_render_in_another_language(tmp_path: Path):
    pypdf = pytest.importorskip("pypdf")
    folder = tiny_story_in_two_languages(tmp_path / "s")
    out = tmp_path / "render"
    result = CliRunner().invoke(cli, ["render", str(folder), "-o", str(out), "--lang", "ES"])
    assert result.exit_code == 0, result.output
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(out / "story.pdf").pages)
    for expected in ("Dos puertos", "Primer paso: Lisboa", "El segundo puerto.", "En el mapa:", "Lugares y fuentes"):
        assert expected in text, expected
    assert "Step one" not in text and "On the map" not in text


def test_render_without_a_browser_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tiny_story(tmp_path / "s")
    monkeypatch.setenv("STORYMAP_CHROMIUM", str(tmp_path / "no-such-chromium"))
    result = CliRunner().invoke(cli, ["render", str(folder), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "storymap render: no Chromium could be started" in result.output
    assert "pip install 'storymap[render]'" in result.output and "python -m playwright install chromium" in result.output
    assert "Traceback" not in result.output
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # Playwright not installed
    result = CliRunner().invoke(cli, ["render", str(folder), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "storymap render: Playwright is not installed" in result.output
    assert "pip install 'storymap[render]'" in result.output
    assert not list((tmp_path / "out").glob("*.png"))


# A story published one page per language ------------------------------------------------------

def tiny_story_in_two_languages(folder: Path, *, extra: str = "") -> Path:
    """:func:`tiny_story` with its Spanish (story.es.toml)."""
    tiny_story(folder, extra=extra)
    (folder / "story.es.toml").write_text("""title = "Dos puertos"
subtitle = "Una breve historia de dos puertos de la costa atlántica."
kicker = "Prueba"

[kinds.harbour]
label = "Puerto"

[steps.lisbon]
title = "Primer paso: Lisboa"
narrative = "El primer puerto."

[steps.porto]
title = "Segundo paso: Oporto"
narrative = "El segundo puerto."

[places.lisbon]
annotation = "Un puerto."

[places.porto]
annotation = "Un puerto."
""", "utf-8")
    return folder


def test_two_stories_built_into_one_folder_keep_their_own_social_cards(tmp_path: Path):
    """dist/panama.html and dist/ports.html, two stories in one folder, both named and wrote
    dist/social.png: the first story's links were shared with the second story's card."""
    dist = tmp_path / "dist"
    for folder, page in ((GEODATA, "panama.html"), (PORTS, "ports.html")):
        result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(dist / page)])
        assert result.exit_code == 0, result.output
    for story, page in ((GEODATA, "panama"), (PORTS, "ports")):
        assert head_of((dist / f"{page}.html").read_text("utf-8")).meta["og:image"] == f"{page}.social.png"
        assert (dist / f"{page}.social.png").read_bytes() == channels.social_card(storymap.load(story))
    assert not (dist / "social.png").exists()


def test_pages_of_two_languages_in_one_folder_keep_their_own_social_cards(tmp_path: Path):
    """A newsroom builds the English page, then the Spanish one, into dist/: both wrote
    dist/social.png, so the English page's link preview showed the Spanish card. A page opening in
    another language than the story's names and gets its own card, social.es.png; the story's own
    page keeps social.png."""
    folder = tiny_story_in_two_languages(tmp_path / "s")
    story = storymap.load(folder)
    dist = tmp_path / "dist"
    for args in (["--languages", "en", "-o", str(dist / "index.html")], ["--languages", "es", "-o", str(dist / "es.html")]):
        result = CliRunner().invoke(cli, ["build", str(folder), *args])
        assert result.exit_code == 0, result.output
    assert f"wrote {dist / 'social.es.png'}" in result.output
    assert (dist / "social.png").read_bytes() == channels.social_card(story)
    assert (dist / "social.es.png").read_bytes() == channels.social_card(story, "es") != channels.social_card(story)
    assert head_of((dist / "index.html").read_text("utf-8")).meta["og:image"] == "social.png"
    assert head_of((dist / "es.html").read_text("utf-8")).meta["og:image"] == "social.es.png"
    # (the note on base_url names the page's own card)
    assert "as 'social.es.png' beside itself" in " ".join(result.stderr.split())
    # From Python, as build does: the card a folder gets is the one the page in that language names.
    assert storymap.write_social_card(story, f"{tmp_path / 'py'}/", lang="es") == tmp_path / "py" / "social.es.png"
    assert storymap.write_social_card(story, tmp_path / "py") == tmp_path / "py" / "social.png"
    assert channels.social_image("en", "pt-BR") == "social.pt-BR.png" and channels.social_image("en", "en") == "social.png"
    # A page saved under its own name names its own card: two stories built into one folder
    # shared social.png, and the second build's card went out with the first story's links.
    assert [channels.social_image("en", lang, page) for lang, page in [
        (None, "index.html"), (None, "en.html"), (None, "ports.html"), ("es", "es.html"), ("es", "ports.es.html"),
        ("es", "ports.html")]] == ["social.png", "social.png", "ports.social.png", "social.es.png", "ports.social.es.png",
                                   "ports.social.es.png"]
    assert storymap.write_social_card(story, tmp_path / "py", page="ports.html") == tmp_path / "py" / "ports.social.png"
    # A tag as save takes it (any case, a region of the story's language) names the page's card.
    for tag in ("ES", "es-MX"):
        assert head_of(story.to_html(lang=tag)).meta["og:image"] == "social.es.png", tag
        written = storymap.write_social_card(story, f"{tmp_path / tag}/", lang=tag)
        assert written.name == "social.es.png" and written.read_bytes() == (dist / "social.es.png").read_bytes(), tag


def test_each_language_page_has_its_own_address(tmp_path: Path):
    """With base_url naming the folder the pages are published in, the Spanish page built as
    es.html claimed the story's address (og:url, canonical) as the English page does, so search
    engines dropped it as a duplicate. Each page's address is that folder and its own file name
    (index.html: the folder), its card beside it; a Spanish page whose file name is not known
    (to_html) claims no address rather than the English page's."""
    base = "https://news.example.org/stories/harbours/"
    folder = tiny_story_in_two_languages(tmp_path / "s", extra=f'base_url = "{base}"\n')
    story = storymap.load(folder)
    dist = tmp_path / "dist"
    pages = {"index.html": {"languages": ["en"]}, "es.html": {"languages": ["es"]},
             "todo-es.html": {"lang": "es"}, "en.html": {}}
    for name, options in pages.items():
        story.save(dist / name, **options)
    heads = {name: head_of((dist / name).read_text("utf-8")) for name in pages}
    expected = {"index.html": (base, "social.png"), "es.html": (base + "es.html", "social.es.png"),
                "todo-es.html": (base + "todo-es.html", "todo-es.social.es.png"), "en.html": (base + "en.html", "social.png")}
    for name, (url, card) in expected.items():
        assert heads[name].meta["og:url"] == heads[name].links["canonical"] == url, name
        assert heads[name].meta["og:image"] == base + card, name
    # Built as index.html in another folder, the Spanish page would claim the English page's
    # address: build says so.
    result = CliRunner().invoke(cli, ["build", str(folder), "--languages", "es", "-o", str(tmp_path / "es" / "index.html")])
    assert result.exit_code == 0, result.output
    assert f"note: this page in es claims base_url ({base})" in " ".join(result.stderr.split())
    result = CliRunner().invoke(cli, ["build", str(folder), "--languages", "es", "-o", str(dist / "es.html")])
    assert result.exit_code == 0 and "claims base_url" not in result.stderr
    # Or the page is given its own address: --base-url (story.base_url in Python) says where it lives.
    spanish = tmp_path / "es2" / "index.html"
    result = CliRunner().invoke(cli, ["build", str(folder), "--languages", "es", "-o", str(spanish),
                                      "--base-url", base + "es/"])
    assert result.exit_code == 0 and "claims base_url" not in result.stderr, result.output
    head = head_of(spanish.read_text("utf-8"))
    assert head.meta["og:url"] == head.links["canonical"] == base + "es/"
    assert head.meta["og:image"] == base + "es/social.es.png"
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(tmp_path / "x.html"), "--base-url", "ftp://x"])
    assert result.exit_code == 2 and "Invalid value for --base-url: 'ftp://x' is not an http(s) URL" in result.output
    assert not (tmp_path / "x.html").exists()
    other = storymap.load(folder)
    other.base_url = "https://staging.example.org/h/"
    assert head_of(other.to_html()).meta["og:url"] == "https://staging.example.org/h/"
    with pytest.raises(storymap.StoryError, match="not an http"):
        other.base_url = "staging"
    unsaved = head_of(story.to_html(languages=["es"]))
    assert "og:url" not in unsaved.meta and "canonical" not in unsaved.links
    assert unsaved.meta["og:image"] == base + "social.es.png"
    assert head_of(story.to_html()).meta["og:url"] == base  # (the story's own page: base_url, as before)
    # base_url naming the story's page itself: that page keeps it whatever its file name; the
    # others are beside it.
    page = "https://news.example.org/stories/harbours.html"
    assert channels.page_url(page, own=True, page="index.html") == page
    assert channels.page_url(page, own=False, page="es.html") == "https://news.example.org/stories/es.html"
    assert channels.page_url(page, own=False) is None and channels.page_url(None, own=False, page="es.html") is None
    # A file name is one path segment of the address, whatever it holds.
    assert channels.page_url(base, own=False, page="es #2?.html") == base + "es%20%232%3F.html"
    assert channels.page_url(base, own=False, page="página.html") == base + "p%C3%A1gina.html"


@pytest.mark.parametrize("tag, locale", [("en", "en_US"), ("es", "es_ES"), ("pt-BR", "pt_BR"), ("fr-CA", "fr_CA"),
                                         ("zh-Hant", "zh_TW"), ("he", "he_IL"), ("und", None), ("es-419", "es_LA"),
                                         ("es-MX", "es_MX")])
def test_og_locale(tag: str, locale):
    """Open Graph's og:locale (language_TERRITORY) defaults to en_US: a Spanish page without it
    was taken for an American English one."""
    assert channels.og_locale(tag) == locale


def test_the_pages_og_locale_is_its_language(tmp_path: Path):
    story = storymap.load(tiny_story_in_two_languages(tmp_path / "s"))
    assert head_of(story.to_html()).meta["og:locale"] == "en_US"
    assert head_of(story.to_html(lang="es")).meta["og:locale"] == "es_ES"
    assert head_of(story.to_html(languages=["es"])).meta["og:locale"] == "es_ES"


def test_the_publication_named_in_story_toml_is_the_pages_og_site_name(tmp_path: Path):
    # A link preview names the publication (Facebook, LinkedIn, Slack show it over the title): a
    # newsroom had no way to say it. The name is text like any other: escaped, never markup.
    plain = tiny_story_in_two_languages(tmp_path / "plain")
    assert "og:site_name" not in head_of(storymap.load(plain).to_html()).meta  # (none given: none said)
    story = storymap.load(tiny_story_in_two_languages(tmp_path / "s", extra='site_name = "The Daily <b>Example</b> & Co"'))
    assert story.data.site_name == "The Daily <b>Example</b> & Co"
    for html in (story.to_html(), story.to_html(lang="es")):  # (in each language's page)
        assert '<meta property="og:site_name" content="The Daily &lt;b&gt;Example&lt;/b&gt; &amp; Co">' in \
            html[: html.index("</head>")]
    assert head_of(story.to_html()).meta["og:site_name"] == "The Daily <b>Example</b> & Co"
    # From Python too.
    story.data.site_name = "El Diario"
    assert head_of(story.to_html()).meta["og:site_name"] == "El Diario"
    # A language's own name for the publication, in its translation file (else story.toml's).
    folder = tiny_story_in_two_languages(tmp_path / "es", extra='site_name = "The Daily"')
    spanish = folder / "story.es.toml"
    spanish.write_text('site_name = "El Diario"\n' + spanish.read_text("utf-8"), "utf-8")
    story = storymap.load(folder)
    assert [head_of(story.to_html(lang=lang)).meta["og:site_name"] for lang in ("en", "es")] == ["The Daily", "El Diario"]
    # (A name the story has not: nothing to translate.)
    (plain / "story.es.toml").write_text('site_name = "El Diario"\n' + (plain / "story.es.toml").read_text("utf-8"), "utf-8")
    with pytest.raises(storymap.StoryError, match=r"story.es.toml: site_name: the story has no site_name in en"):
        storymap.load(plain)


def make_font(path: Path, chars: str, *, bold: bool = False, short: str = "", high: int = 700) -> Path:
    """A TrueType font with a glyph for each of ``chars``: a solid block 0.8 em wide (a space: none),
    so that text drawn with it is easy to tell from a missing glyph's hollow box; those in ``short``
    are 0.3 em high, the others ``high`` thousandths of an em (0.7)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    chars = "".join(dict.fromkeys(chars + " "))
    names = [".notdef"] + [f"uni{ord(c):04X}" for c in chars]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(c): f"uni{ord(c):04X}" for c in chars})
    glyphs = {}
    for name in names:
        pen = TTGlyphPen(None)
        if name not in (".notdef", "uni0020"):
            pen.moveTo((100, 0))
            top = 300 if name[3:] and chr(int(name[3:], 16)) in short else high
            pen.lineTo((100, top))
            pen.lineTo((900, top))
            pen.lineTo((900, 0))
            pen.closePath()
        glyphs[name] = pen.glyph()
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({name: (1000, 0) for name in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Block Sans", "styleName": "Bold" if bold else "Regular"})
    builder.setupOS2(usWeightClass=700 if bold else 400, sTypoAscender=800, sTypoDescender=-200,
                     usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    path.parent.mkdir(parents=True, exist_ok=True)
    builder.save(str(path))
    return path


def titled(folder: Path, title: str, subtitle: str = "A short story.", kicker: str = "", lang: str = "en") -> Path:
    folder = tiny_story(folder)
    toml = (folder / "story.toml").read_text("utf-8")
    for key, value in (("title", title), ("subtitle", subtitle), ("kicker", kicker)):
        toml = re.sub(rf"(?m)^{key} = .*$", lambda _m: f"{key} = {json.dumps(value, ensure_ascii=False)}", toml, count=1)
    toml = f"lang = {json.dumps(lang)}\n" + toml
    (folder / "story.toml").write_text(toml, "utf-8")
    return folder


def panel_ink(card: bytes, top: int = 40, bottom: int = 560, rtl: bool = False) -> float:
    """The share of the text panel's pixels (above the map credit) that are near white: text (the
    panel at the card's right in a right-to-left story)."""
    left = 744 if rtl else 44
    image = Image.open(io.BytesIO(card)).convert("L").crop((left, top, left + 412, bottom))
    return sum(1 for v in image.tobytes() if v > 200) / (image.width * image.height)


JAPANESE = "東京の三つの名所と歴史"
JAPANESE_DEK = "東京タワーと浅草寺、そして皇居を巡る物語。"


def test_the_social_card_draws_a_title_in_any_script_with_a_font_that_has_it(tmp_path: Path, monkeypatch):
    """A story titled in Japanese got a card whose title was a row of empty boxes: DejaVu Sans has no
    CJK glyphs, and nothing looked for a font that has. The card now draws each text with a font
    whose character map has all of it: here one that STORYMAP_FONTS names (a folder of fonts)."""
    folder = titled(tmp_path / "ja", JAPANESE, JAPANESE_DEK, kicker="特集", lang="ja")
    make_font(tmp_path / "fonts" / "Block-Bold.ttf", JAPANESE + JAPANESE_DEK + "特集…", bold=True)
    make_font(tmp_path / "fonts" / "nested" / "Block-Regular.ttf", JAPANESE + JAPANESE_DEK + "…")
    monkeypatch.setenv(channels.FONTS_ENV, os.pathsep.join([str(tmp_path / "nowhere"), str(tmp_path / "fonts")]))
    with warnings_caught() as caught:
        card = channels.social_card(storymap.load(folder))  # (it warns about its interface's texts)
    assert not [str(w.message) for w in caught if "social card" in str(w.message)]
    # Solid blocks fill much of the panel: a missing glyph's box is a thin outline.
    assert panel_ink(card) > 0.12, panel_ink(card)
    assert channels._fit(JAPANESE, "bold")[1][0][0] == str(tmp_path / "fonts" / "Block-Bold.ttf")
    assert channels._fit(JAPANESE_DEK, "regular")[1][0][0].endswith("Block-Regular.ttf")
    # A Latin text keeps DejaVu (the fonts named have no Latin letters).
    assert "DejaVu" in channels._fit("Two harbours", "bold")[1][0][0]


class warnings_caught:
    def __enter__(self):
        import warnings

        self._context = warnings.catch_warnings(record=True)
        caught = self._context.__enter__()
        warnings.simplefilter("always")
        return caught

    def __exit__(self, *exc):
        return self._context.__exit__(*exc)


@pytest.mark.parametrize("title,script,package", [
    (JAPANESE, "Chinese/Japanese/Korean (CJK)", "fonts-noto-cjk"),
    ("दिल्ली के तीन स्मारक", "Devanagari", "fonts-noto-core"),
    ("กรุงเทพมหานคร", "Thai", "fonts-noto-core"),
    ("কলকাতার গল্প", "Bengali", "fonts-noto-core"),
])
def test_a_text_no_font_has_is_left_out_of_the_card_and_said(tmp_path: Path, monkeypatch, title, script, package):
    """With no font for a title's script on the machine the card drew empty boxes and said nothing.
    It now leaves that text out (the panel still reads: the map, the credit, the other texts) and
    warns, naming the script and what to install; `storymap build` prints the warning."""
    monkeypatch.setattr(channels, "_system_fonts", lambda weight: ())
    monkeypatch.delenv(channels.FONTS_ENV, raising=False)
    folder = titled(tmp_path / "s", title, subtitle="")
    with pytest.warns(UserWarning, match=re.escape(f"its {script} letters")) as caught:
        card = channels.social_card(storymap.load(folder))
    message = str(next(w.message for w in caught if "social card's title" in str(w.message)))
    assert package in message and channels.FONTS_ENV in message and title in message
    assert panel_ink(card, bottom=500) == 0  # (no boxes: the credit at the foot is all the text)
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(tmp_path / "out" / "index.html")])
    assert result.exit_code == 0, result.output
    assert f"social.png: warning: the social card's title {title!r}: no font here has all of its {script}" in result.output


def test_an_emoji_no_font_has_is_left_out_of_the_cards_title(tmp_path: Path, monkeypatch):
    """An emoji in a title (no font here has one) was drawn as an empty box; it is left out, the rest
    of the title drawn as it would be without it, and the warning names it."""
    monkeypatch.setattr(channels, "_system_fonts", lambda weight: ())
    with pytest.warns(UserWarning, match=r"no font here has 🌊 \(U\+1F30A\), 🇵 \(U\+1F1F5\), 🇹 \(U\+1F1F9\)"):
        card = channels.social_card(storymap.load(titled(tmp_path / "a", "Two 🌊 harbours 🇵🇹")))
    assert card == channels.social_card(storymap.load(titled(tmp_path / "b", "Two harbours")))


def test_without_raqm_a_right_to_left_title_is_left_out_not_drawn_backwards(tmp_path: Path, monkeypatch):
    """Pillow without raqm (no FriBiDi: common on Windows and macOS) draws Arabic letters unjoined
    and left to right: a title read backwards. The card leaves such a text out and says why; with
    raqm it sets it flush right, joined, in reading order."""
    folder = titled(tmp_path / "ar", "مرافئ الساحل", subtitle="", lang="ar")
    with warnings_caught() as caught:
        laid_out = channels.social_card(storymap.load(folder))
    assert not [w for w in caught if "social card" in str(w.message)]
    image = Image.open(io.BytesIO(laid_out)).convert("L").crop((700, 40, 1200, 140))  # (the panel, at the right)
    ink = [x for x in range(image.width) for y in range(image.height) if image.getpixel((x, y)) > 200]
    assert max(ink) > 440 and min(ink) > 150  # (flush right, at the panel's reading side)
    monkeypatch.setattr(channels, "_complex_layout", lambda: False)
    with pytest.warns(UserWarning, match="its Arabic letters need complex text layout.*libfribidi0"):
        card = channels.social_card(storymap.load(folder))
    assert panel_ink(card, bottom=500, rtl=True) == 0


def test_a_right_to_left_title_that_starts_with_a_latin_name_reads_from_the_right(tmp_path: Path, monkeypatch):
    """An Arabic story's title that starts with a Latin name ("BBC عربي") was laid out as a
    left-to-right line (raqm takes the direction from the first letter): the name at the left, the
    Arabic after it, read in the wrong order. The card sets every line in the story's direction."""
    arabic = "بتث"
    make_font(tmp_path / "fonts" / "Mixed-Bold.ttf", "ABC" + arabic, bold=True, short=arabic)
    monkeypatch.setenv(channels.FONTS_ENV, str(tmp_path / "fonts"))
    card = channels.social_card(storymap.load(titled(tmp_path / "ar", f"ABC {arabic}", subtitle="", lang="ar")))
    image = Image.open(io.BytesIO(card)).convert("L")
    row = lambda y: [x for x in range(700, 1200) if image.getpixel((x, y)) > 200]  # noqa: E731 (the panel)
    tall, line = row(62), row(95)  # (the top of the title's line: Latin blocks only; its foot: all)
    assert tall and line and min(tall) > (min(line) + max(line)) / 2, (tall[:3], line[:3])


def test_the_cards_text_breaks_between_letters_never_inside_one(tmp_path: Path):
    """A word wider than the card's column (Thai puts no spaces between words; a long Hindi
    compound) is broken where it must be, and a cut fell between a letter and its vowel sign (drawn
    on its own, on a dotted circle); a line cut short ended in an empty box with a font that has
    no "…" (a brand font)."""
    from PIL import ImageDraw, ImageFont

    thai = "กรุงเทพมหานครอมรรัตนโกสินทร์มหินทรายุทธยามหาดิลกภพนพรัตน์ราชธานีบุรีรมย์"
    hindi = "अन्तर्राष्ट्रीयकरणविश्वविद्यालयप्रबन्धनसमितिकार्यालयकीरिपोर्टपरचर्चा"
    path = make_font(tmp_path / "Block.ttf", thai + hindi + ".")
    font = ImageFont.truetype(str(path), 20)
    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    for text in (thai, hindi):
        for width in range(60, 200, 10):  # (20 px a spacing letter or sign: cuts fall everywhere)
            lines = channels._wrap(draw, text, font, width, 99)
            assert "".join(lines) == text and len(lines) > 2
            assert all(not channels._joined(text, len("".join(lines[:i]))) for i in range(1, len(lines))), lines
            short = channels._wrap(draw, text, font, width, 2)
            kept = "".join(short)[:-3]
            assert short[-1].endswith("...") and text.startswith(kept) and not channels._joined(text, len(kept))


@pytest.mark.parametrize("text", [
    "ที่นี่กรุงเทพ" * 40,                    # Thai: no spaces, vowel and tone marks after their consonants
    "राष्ट्रीय" * 60,                      # Devanagari: vowel signs and conjuncts (virama)
    "東京の名所" * 56 + "👩\u200d👩\u200d👧" * 20,  # no spaces, then emoji sequences where it is cut
])
def test_the_description_is_shortened_between_letters_never_inside_one(text: str):
    """The page's description (and og:description, the card's alt text) of a story written
    without spaces was cut at a code point: a Thai vowel or a Devanagari sign could end it alone,
    an emoji sequence be split."""
    from storymap.channels import _joined, _shorten

    for limit in range(280, 321):
        short = _shorten(text, limit)
        assert short.endswith("…") and len(short) <= limit, limit
        body = short[:-1]
        assert text.startswith(body) and not _joined(text, len(body)), (limit, body[-3:], text[len(body)])


def ink_blocks(card: bytes, top: int = 40, bottom: int = 560, left: int = 0, right: int = 500,
               slack: int = 1) -> list[list[tuple[int, int, int]]]:
    """The solid blocks a block font draws in the card's text panel, line by line from the top, each
    ``(left, right, height)`` from left to right (bottoms aside: each line's blocks share its baseline)."""
    image = Image.open(io.BytesIO(card)).convert("L").crop((left, top, right, bottom))
    ink = [[image.getpixel((x, y)) > 200 for x in range(image.width)] for y in range(image.height)]
    rows = [y for y in range(image.height) if any(ink[y])]
    bands, lines = [], []
    for y in rows:
        if bands and y == bands[-1][1] + 1:
            bands[-1][1] = y
        else:
            bands.append([y, y])
    for y0, y1 in bands:
        columns = [x for x in range(image.width) if any(ink[y][x] for y in range(y0, y1 + 1))]
        blocks: list[list[int]] = []
        for x in columns:
            if blocks and x == blocks[-1][1] + 1:
                blocks[-1][1] = x
            else:
                blocks.append([x, x])
        line = []
        for x0, x1 in blocks:
            middle = (x0 + x1) // 2
            column = [y for y in range(y0, y1 + 1) if ink[y][middle]]
            assert max(column) >= y1 - slack, "a block off the line's baseline"
            line.append((x0 + left, x1 + left, len(column)))
        lines.append(line)
    return lines


def heights(lines: list[list[tuple[int, int, int]]]) -> str:
    """Each block's height as a letter, line after line: T (0.7 em), M (0.5), S (0.3)."""
    tallest = max(h for line in lines for _l, _r, h in line)
    return "".join("T" if h > 0.85 * tallest else "M" if h > 0.57 * tallest else "S" for line in lines for *_x, h in line)


DELHI = "दिल्ली"  # (six characters: in a font without shaping rules, six blocks)


def several_fonts(folder: Path, *, devanagari: bool = True) -> Path:
    """Block fonts of three heights, each with the letters of one script: Latin 0.7 em high (XYZ
    0.3; no Devanagari), CJK 0.5 (no Latin), Devanagari 0.3 (no Latin)."""
    make_font(folder / "Latin-Bold.ttf", "TokyoandDelhiABCXYZ…", bold=True, short="XYZ")
    make_font(folder / "Cjk-Bold.ttf", "東京", bold=True, high=500)
    if devanagari:
        make_font(folder / "Deva-Bold.ttf", DELHI, bold=True, high=300)
    return folder


def test_a_title_no_one_font_has_is_drawn_with_a_font_for_each_run(tmp_path: Path, monkeypatch):
    """A title mixing scripts ("Tokyo 東京 and Delhi दिल्ली", a Latin name in a Hindi title whose
    font has no Latin letters) that no single font had was left out of the card, with a warning.
    Each run of its characters is now drawn with a font that has it, as a browser falls back from
    font to font: every letter is drawn, in order, on one baseline, wrapped as one text."""
    monkeypatch.setattr(channels, "_system_fonts", lambda weight: ())
    monkeypatch.setenv(channels.FONTS_ENV, str(several_fonts(tmp_path / "fonts")))
    title = f"Tokyo 東京 and Delhi {DELHI}"
    with warnings_caught() as caught:
        card = channels.social_card(storymap.load(titled(tmp_path / "s", title, subtitle="")))
    assert not [w for w in caught if "social card" in str(w.message)]
    lines = ink_blocks(card, bottom=500)
    assert heights(lines) == "TTTTT" "MM" "TTT" "TTTTT" "SSSSSS", lines
    assert len(lines) > 1 and all(line[0][0] == lines[0][0][0] for line in lines)  # (wrapped, flush left)
    # A Devanagari letter drawn alone (no font: Pillow's own) would be an outline, not a block.
    widths = {r - l for line in lines for l, r, _h in line}
    assert max(widths) - min(widths) <= 2, widths


def test_a_letter_no_font_has_is_left_out_of_a_mixed_title_the_rest_drawn(tmp_path: Path, monkeypatch):
    """When one script of a mixed title has no font at all, just its letters are left out (and
    said); the runs the other fonts have are drawn."""
    monkeypatch.setattr(channels, "_system_fonts", lambda weight: ())
    monkeypatch.setenv(channels.FONTS_ENV, str(several_fonts(tmp_path / "fonts", devanagari=False)))
    with pytest.warns(UserWarning, match=f"title 'Tokyo 東京 and Delhi {DELHI}': no font here has all of its "
                                         "Devanagari letters.*drawn without them"):
        card = channels.social_card(storymap.load(titled(tmp_path / "a", f"Tokyo 東京 and Delhi {DELHI}", subtitle="")))
    assert card == channels.social_card(storymap.load(titled(tmp_path / "b", "Tokyo 東京 and Delhi", subtitle="")))
    assert heights(ink_blocks(card, bottom=500)) == "TTTTT" "MM" "TTT" "TTTTT"


def test_a_right_to_left_title_mixing_fonts_is_read_from_the_right(tmp_path: Path, monkeypatch):
    """A right-to-left title with Latin names in it (Syriac letters: DejaVu has none), whose Syriac
    font has no Latin letters: the runs are set in reading order from the right (the first name at
    the right), each in its own direction. (The story is in Arabic: Babel 2.12, the lowest storymap
    takes, does not know Syriac's direction.)"""
    monkeypatch.setattr(channels, "_system_fonts", lambda weight: ())
    fonts = several_fonts(tmp_path / "fonts")
    make_font(fonts / "Syriac-Bold.ttf", "ܐܒܓ", bold=True, high=500)
    monkeypatch.setenv(channels.FONTS_ENV, str(fonts))
    with warnings_caught():
        card = channels.social_card(storymap.load(titled(tmp_path / "syr", "ABC ܐܒܓ", subtitle="", kicker="ABC ܐܒܓ XYZ",
                                                         lang="ar")))
    kicker = ink_blocks(card, bottom=90, left=700, right=1200)  # (the panel, at the right)
    assert heights(kicker) == "SSS" "MMM" "TTT", kicker  # (left to right: XYZ, the Syriac, ABC)
    assert kicker[0][-1][1] > 1140  # (flush right)
    title = ink_blocks(card, top=90, bottom=500, left=700, right=1200)
    assert heights(title) == "MMM" "TTT" and title[0][-1][1] > 1140, title


def test_a_mixed_text_keeps_each_fonts_bold_and_ends_a_short_line_in_an_ellipsis(tmp_path: Path, monkeypatch):
    """A run whose font has no bold face is drawn bold with a stroke, the others as they are; a
    mixed text too long for its lines ends in the "…" of a font that has it, its lines measured run
    by run."""
    from PIL import ImageDraw

    monkeypatch.setattr(channels, "_system_fonts", lambda weight: ())
    make_font(tmp_path / "fonts" / "Latin-Regular.ttf", "Tokyoand")
    make_font(tmp_path / "fonts" / "Cjk-Bold.ttf", "東京…", bold=True, high=500)
    monkeypatch.setenv(channels.FONTS_ENV, str(tmp_path / "fonts"))
    text = "Tokyo 東京 and " * 12
    font, stroke = channels._font("bold", 60, text)
    assert [s for _f, s, _c in font.faces] == [2, 0] and stroke == 2
    image = Image.new("RGB", (600, 100))
    draw = ImageDraw.Draw(image)
    channels._draw_line(draw, (10, 10), "T東", font, (255, 255, 255), stroke)
    out = io.BytesIO()
    image.save(out, "PNG")
    (latin, cjk), = ink_blocks(out.getvalue(), top=0, bottom=100, right=600, slack=2)  # (the stroke's foot)
    assert (latin[1] - latin[0]) - (cjk[1] - cjk[0]) == 2 * 2  # (0.8 em, and a stroke on each side)
    lines = channels._wrap(draw, text, font, 500, 3, stroke)
    assert len(lines) == 3 and lines[-1].endswith("…") and " ".join(lines)[:-1] in text
    assert all(channels._length(draw, line, font) + 2 * stroke <= 500 for line in lines)
    assert channels._length(draw, "T東", font) == 120
