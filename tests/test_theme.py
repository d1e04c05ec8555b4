"""A story's own colours: story.toml's [theme] and ``story.theme``, checked for the text on them."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

import storymap
from storymap import channels
from storymap.models import THEME_DEFAULTS, contrast

from .conftest import GEODATA
from .test_channels import tiny_story
from .test_host_styles import COLOURS_JS, assert_map_colours

THEME = '''[theme]
accent = "#8a1538"
titlecard = "#1a1a1a"
sea = "#9fc4d8"
land = "#ece6d8"
beyond = "#7a7a76"
'''


def _theme_rule(html: str) -> list[str]:
    return re.findall(r"\.storymap\{--storymap-(?:accent|titlecard|sea|land|beyond):[^}]*\}", html)


def test_contrast_is_wcags():
    assert round(contrast("#000000", "white"), 2) == 21.0 and contrast("#777", "#777") == 1.0
    # storymap's own colours meet AA with the text on them (the accent under white, the title
    # card under white and its kicker's light blue).
    assert contrast(THEME_DEFAULTS["accent"], "#ffffff") >= 4.5
    assert contrast(THEME_DEFAULTS["titlecard"], "#d6e4f0") >= 4.5


def test_a_storys_theme_colours_its_page_after_storymaps_own(tmp_path: Path):
    story = storymap.load(tiny_story(tmp_path / "s", extra=THEME))
    assert story.theme == {"accent": "#8a1538", "titlecard": "#1a1a1a", "sea": "#9fc4d8", "land": "#ece6d8",
                           "beyond": "#7a7a76"}
    for html in (story.to_html(), story.to_html(fragment=True)):
        rules = _theme_rule(html)
        assert rules == [".storymap{--storymap-accent:#8a1538;--storymap-titlecard:#1a1a1a;--storymap-sea:#9fc4d8;"
                         "--storymap-land:#ece6d8;--storymap-beyond:#7a7a76}"], rules
        # After storymap's defaults, which it overrides (and in the style the page's policy allows).
        assert html.index(":where(.storymap){") < html.index(rules[0])
    # A story without a theme carries no rule of one; a theme of one colour, that colour only.
    assert _theme_rule(storymap.load(GEODATA).to_html()) == []
    story.theme = {"accent": "teal"}
    assert story.theme == {"accent": "teal"} and _theme_rule(story.to_html()) == [".storymap{--storymap-accent:teal}"]


@pytest.mark.parametrize("toml, field, message", [
    ('accent = "#f0a202"', "accent", "contrast of 2.1"),            # white text on amber
    ('titlecard = "#4f6d8a"', "titlecard", "kicker and byline"),     # white passes (5.4), the light blue not
    ('sea = "#12345680"', "sea", "see-through"),
    ('land = "bleu"', "land", "did you mean 'blue'"),
    ('acent = "#8a1538"', "acent", "did you mean 'accent'"),
])
def test_a_theme_the_text_could_not_be_read_on_is_refused(tmp_path: Path, toml: str, field: str, message: str):
    folder = tiny_story(tmp_path / "s", extra=f"[theme]\n{toml}\n")
    with pytest.raises(storymap.StoryError) as raised:
        storymap.load(folder)
    problems = [p for p in raised.value.problems if p.field == f"theme.{field}"]
    assert problems and message in problems[0].message, raised.value.problems
    assert problems[0].file.endswith("story.toml")


def test_every_problem_of_a_theme_is_told_at_once(tmp_path: Path):
    """A misspelt key hid the colours' problems until it was put right: each is told in one look."""
    folder = tiny_story(tmp_path / "s", extra='[theme]\naccent = "#f0a202"\nsae = "#abc"\nland = "#12345680"\n')
    with pytest.raises(storymap.StoryError) as raised:
        storymap.load(folder)
    assert sorted(p.field for p in raised.value.problems) == ["theme.accent", "theme.land", "theme.sae"]


def test_setting_a_theme_from_python_is_checked_and_leaves_it_as_it_was(tmp_path: Path):
    story = storymap.load(tiny_story(tmp_path / "s", extra='[theme]\naccent = "#8a1538"\n'))
    with pytest.raises(storymap.StoryError, match=r"theme\.accent: 'yellow' leaves the buttons' white text"):
        story.theme = {"accent": "yellow"}
    assert story.theme == {"accent": "#8a1538"}
    # (What it gives is a copy: changing it in place would change nothing, and says so.)
    with pytest.raises(TypeError, match=r"story\.theme = \{\*\*story\.theme, name: colour\}"):
        story.theme["accent"] = "#000000"
    story.theme = {**story.theme, "sea": "#9fc4d8"}
    assert story.theme == {"accent": "#8a1538", "sea": "#9fc4d8"}
    story.theme = {}
    assert story.theme == {} and _theme_rule(story.to_html()) == []


def test_the_social_card_takes_the_storys_colours(tmp_path: Path):
    story = storymap.load(tiny_story(tmp_path / "s", extra=THEME))
    image = Image.open(io.BytesIO(channels.social_card(story))).convert("RGB")
    # The title panel: the theme's title card at 94% over the map (storymap's is navy).
    assert all(abs(a - b) <= 16 for a, b in zip(image.getpixel((40, 600)), (0x1a, 0x1a, 0x1a))), image.getpixel((40, 600))
    counts = {c: n for n, c in image.getcolors(1_000_000)}
    assert counts.get((0x9f, 0xc4, 0xd8), 0) > 10_000 and counts.get((0xec, 0xe6, 0xd8), 0) > 10_000  # sea, land
    assert counts.get((201, 221, 232), 0) == 0  # (none of storymap's sea)


@pytest.mark.browser
def test_a_themed_page_shows_the_storys_colours(tmp_path: Path, make_page):
    """The theme reaches the page: the Next button, the title card, the basemap's sea and land
    (pixels of its canvas) and the grey past its region."""
    story = storymap.load(GEODATA)
    story.theme = {"accent": "#8a1538", "titlecard": "#1a1a1a", "sea": "#9fc4d8", "land": "#ece6d8",
                   "beyond": "#7a7a76"}
    run = make_page((1280, 800), tiles=False).open(story.save(tmp_path / "index.html"))
    got = run.js(COLOURS_JS)
    assert got["next"] == "rgb(138, 21, 56)" and got["card"] == "rgb(26, 26, 26)", got
    assert_map_colours(got, sea=(0x9f, 0xc4, 0xd8), land=(0xec, 0xe6, 0xd8), beyond="rgb(122, 122, 118)")
    assert run.errors == []
