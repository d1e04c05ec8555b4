"""A host page's element rules stop at a fragment's story: it looks as in a plain host page."""

from __future__ import annotations

from pathlib import Path

import pytest

import storymap

from .conftest import GEODATA

# Element rules an article page, a theme or a CMS may have; and Eric Meyer's reset.
MEYER_RESET = """html, body, div, span, h1, h2, h3, h4, h5, h6, p, blockquote, pre, a, abbr, code, em, img, small,
strong, sub, sup, b, u, i, dl, dt, dd, ol, ul, li, form, label, table, caption, tbody, tfoot, thead, tr, th, td,
article, aside, canvas, details, figure, figcaption, footer, header, menu, nav, section, summary {
  margin: 0; padding: 0; border: 0; font-size: 100%; font: inherit; vertical-align: baseline; }
article, aside, details, figcaption, figure, footer, header, menu, nav, section { display: block; }
body { line-height: 1; } ol, ul { list-style: none; } blockquote, q { quotes: none; }"""
HOSTILE = MEYER_RESET + """
:root { color-scheme: dark; }
html { font-size: 62.5%; }
img, picture, video, canvas, svg { display: block; max-width: 100%; }
button { min-width: 120px; border-radius: .375rem; }
nav { display: flex; }
p { text-align: justify; font-size: 1.125rem; }
h2 { border-bottom: 3px solid #c00; }
section { padding: 2rem 0; }
details { border: 1px solid; background: #eee; padding: 1rem; }
ul li::before { content: "\\25A0  "; color: #c00; }
header { background: #111; color: #fff; }
summary { display: block; color: #c00; }
a { color: green; font-weight: bold; }
div { margin-bottom: 1em; }
span { padding: 2px; }
img { border: 3px solid #c00; border-radius: 8px; }
body { hyphens: auto; text-underline-offset: 3px; }
"""
PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host</title><style>{css}</style></head>
<body style="margin: 8px"><h2>A host page</h2><p>Before the story.</p>{fragment}
<p style="height: 150vh">After the story.</p></body></html>"""  # (the story as wide in both: a scroll bar in both)

# What is compared, for every element that matches (sizes and positions relative to the story's root).
SAMPLE = """() => {
  const root = document.querySelector('.storymap');
  const base = root.getBoundingClientRect();
  const sample = [
    ['.storymap-timeline', null, ['display']],
    ['.storymap-timeline button', null, ['width', 'min-width', 'border-radius', '@box']],
    ['.storymap-timeline [aria-current]', null, ['@box']],
    ['.storymap-step-title', null, ['border-bottom-width', 'border-bottom-style', 'font-size', '@box']],
    ['.storymap-step', null, ['padding-top', 'padding-bottom']],
    ['.storymap-legend-item', '::before', ['content', 'color']],
    ['.storymap-legend-title', null, ['display', 'color']],
    ['.storymap-button', null, ['min-width', 'border-radius', '@box']],
    ['.storymap-narrative p', null, ['text-align', 'font-size', 'line-height', 'margin-bottom']],
    ['.storymap-sources', null, ['border-top-width', 'background-color', 'padding-top']],
    ['.storymap-sources summary', null, ['display', 'color']],
    ['.storymap-sources li', '::before', ['content']],
    ['.storymap-sources ul', null, ['list-style-type', 'padding-inline-start']],
    ['.storymap-panel a', null, ['color', 'font-weight', 'text-underline-offset']],
    ['.storymap-narrative p', null, ['hyphens']],
    ['.storymap-place-name', null, ['display', 'font-size']],
    ['.storymap-lang', null, ['min-width', 'border-radius', '@box']],
    ['.storymap-country-label span', null, ['padding-top', 'padding-left']],
    ['.storymap-media', null, ['border-top-width', 'border-radius']],
    ['.storymap-article-head', null, ['background-color', 'color']],
    ['.storymap--article h2', null, ['border-bottom-width', 'font-size']],
    ['.storymap-article-step', null, ['padding-top']],
    ['.storymap--article p', null, ['text-align', 'font-size']],
    ['.storymap *', null, ['font-size']],
    ['.storymap .leaflet-pane > canvas', null, ['@box']],
  ];
  const out = {};
  for (const [selector, pseudo, props] of sample) {
    out[selector + (pseudo || '')] = [...document.querySelectorAll(selector)].map((el) => {
      const cs = getComputedStyle(el, pseudo);
      return props.map((p) => {
        if (p !== '@box') return cs.getPropertyValue(p);
        const r = el.getBoundingClientRect();
        if (!r.width && !r.height) return 'not shown';
        return [r.left - base.left, r.top - base.top, r.width, r.height].map(Math.round).join(' ');
      }).join(' | ');
    });
  }
  return out; }"""
READY = ("() => { const r = document.querySelector('[data-storymap]');"
         " return r && r.storymap && !r.hasAttribute('data-storymap-moving'); }")


@pytest.fixture(scope="module")
def hosts(tmp_path_factory) -> Path:
    fragment = storymap.load(GEODATA).to_html(fragment=True)
    out = tmp_path_factory.mktemp("hosts")
    (out / "plain.html").write_text(PAGE.format(css="", fragment=fragment), "utf-8")
    (out / "hostile.html").write_text(PAGE.format(css=HOSTILE, fragment=fragment), "utf-8")
    return out


def _sample(make_page, page: Path, viewport, step: str | None) -> dict:
    run = make_page(viewport)
    run.page.goto(page.as_uri())
    run.page.wait_for_function(READY)
    # (The opening step's place cards come in the task after ready: a step change before it left
    # them out of one page's sample and not the other's, which then held more elements.)
    run.page.wait_for_function("() => document.querySelector('.storymap-step--current .storymap-step-places > *')")
    if step:
        run.js(f"() => void document.querySelector('[data-storymap]').storymap.goTo('{step}')")
        run.page.wait_for_function(READY)
    run.page.locator(".storymap-sources").first.evaluate("(d) => { d.open = true; }")
    # (Sampled once the timeline has stopped scrolling its current mark into view.)
    marks = "() => [...document.querySelectorAll('.storymap-timeline button')].map((b) => b.getBoundingClientRect().left)"
    before = run.js(marks)
    for _ in range(20):
        run.page.wait_for_timeout(100)
        now = run.js(marks)
        if now == before:
            break
        before = now
    sample = run.js(SAMPLE)
    assert run.errors == [] and run.outside == []
    return sample


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)])
def test_host_element_rules_do_not_reach_into_the_story(hosts: Path, make_page, viewport):
    """Host rules for html's font size, canvas and svg, button, nav, p, h2, section, details,
    summary, a, div, span, img and li::before, and a whole CSS reset, change nothing of the story
    (every element's font size the same): the timeline's marks keep their width (the current one on
    screen), the step titles have no border, legend items no square before them..."""
    dated = "first-talks"  # a step with a date: the timeline shows
    plain = _sample(make_page, hosts / "plain.html", viewport, dated)
    hostile = _sample(make_page, hosts / "hostile.html", viewport, dated)
    assert plain[".storymap-timeline button"] and plain[".storymap-legend-item::before"]
    assert plain[".storymap-narrative p"] and plain[".storymap-sources"] and plain[".storymap-country-label span"]
    # (A host's html {font-size: 62.5%} made the story's text, sized in rem, 7 to 10 px.)
    assert len(plain[".storymap *"]) > 100 and len(set(plain[".storymap *"])) > 5
    # (And canvas {max-width: 100%} made the basemap's canvas 0 px wide: no land on the map.)
    assert plain[".storymap .leaflet-pane > canvas"] and "not shown" not in plain[".storymap .leaflet-pane > canvas"]
    assert {key: hostile[key] for key in plain if hostile[key] != plain[key]} == {}


@pytest.mark.browser
def test_a_dark_host_leaves_the_story_light(hosts: Path, make_page):
    """A host in dark mode (color-scheme: dark) passed it to the story's native parts (scrollbars,
    the disclosure triangles, form controls), dark on storymap's light panel."""
    run = make_page()
    run.page.goto((hosts / "hostile.html").as_uri())
    run.page.wait_for_function(READY)
    assert run.js("() => getComputedStyle(document.documentElement).colorScheme") == "dark"
    schemes = run.js("() => [...document.querySelectorAll('.storymap, .storymap-steps, .storymap summary')].map("
                     "(n) => getComputedStyle(n).colorScheme)")
    assert len(schemes) > 3 and set(schemes) == {"light"}


@pytest.mark.browser
def test_host_element_rules_do_not_reach_into_the_article(hosts: Path, make_page):
    """Without JavaScript the story is an article (<noscript>): the host's header, h2, section and
    p rules stop at it too."""
    samples = []
    for name in ("plain.html", "hostile.html"):
        run = make_page((1280, 800), java_script_enabled=False)
        run.page.goto((hosts / name).as_uri())
        samples.append(run.js(SAMPLE))
    plain, hostile = samples
    assert plain[".storymap-article-head"] and plain[".storymap--article h2"]
    keys = (".storymap-article-head", ".storymap--article h2", ".storymap-article-step", ".storymap--article p")
    assert {key: hostile[key] for key in keys if hostile[key] != plain[key]} == {}


# A newsroom's colours for the story, set where a host page sets them: in its own style sheet, before
# the story's (which a fragment brings in the body, after the host's <head>).
THEME = """.storymap { --storymap-accent: #8a1538; --storymap-ink: #202020; --storymap-sea: #9fc4d8;
  --storymap-land: #ece6d8; --storymap-beyond: #7a7a76; }"""


# The colours a Panama story's page shows: of its buttons, its text and title card, and of its map,
# read from the basemap's canvas (open sea south of Hispaniola; Jamaica's land) and the grey past it.
COLOURS_JS = """() => { const root = document.querySelector('.storymap'), map = root.storymap.map;
  const style = (s, p) => getComputedStyle(root.querySelector(s)).getPropertyValue(p);
  const canvas = root.querySelector('.leaflet-storymapBasemap-pane canvas'), box = canvas.getBoundingClientRect();
  const k = canvas.width / box.width, ctx = canvas.getContext('2d'), at = map.getContainer().getBoundingClientRect();
  const pixel = (lat, lon) => { const p = map.latLngToContainerPoint([lat, lon]);
    return Array.from(ctx.getImageData(Math.round((at.left + p.x - box.left) * k), Math.round((at.top + p.y - box.top) * k), 1, 1).data).slice(0, 3); };
  return {next: style('.storymap-next', 'background-color'), ink: style('.storymap-step-title', 'color'),
          card: style('.storymap-titlecard', 'background-color'), sea: pixel(15.5, -72.0), land: pixel(18.2, -77.3),
          beyond: getComputedStyle(canvas).backgroundColor}; }"""


def assert_map_colours(got: dict, *, sea: tuple, land: tuple, beyond: str) -> None:
    """The map's colours in :data:`COLOURS_JS`'s reading are these (its canvas's within 4 of 255)."""
    assert max(abs(a - b) for a, b in zip(got["sea"], sea)) <= 4, got
    assert max(abs(a - b) for a, b in zip(got["land"], land)) <= 4, got
    assert got["beyond"] == beyond, got


@pytest.mark.browser
def test_a_host_page_sets_the_storys_colours(hosts: Path, make_page):
    """The story's colours are custom properties a host page sets on the story's root, from its own
    style sheet wherever that comes: the buttons, links and text take them, and so does the map
    (its sea, its land and the grey past the embedded basemap's region), on screen and on paper.
    (The story's own rule, later in the page and as specific, kept its colours over the host's.)"""
    fragment = storymap.load(GEODATA).to_html(fragment=True)
    page = hosts / "themed.html"
    page.write_text(PAGE.format(css=THEME, fragment=fragment), "utf-8")
    run = make_page((1280, 800), tiles=False)
    run.page.goto(page.as_uri())
    run.page.wait_for_function(READY)
    got = run.js(COLOURS_JS)
    assert got["next"] == "rgb(138, 21, 56)" and got["ink"] == "rgb(32, 32, 32)", got
    assert_map_colours(got, sea=(0x9f, 0xc4, 0xd8), land=(0xec, 0xe6, 0xd8), beyond="rgb(122, 122, 118)")
    # On paper, where a browser leaves out backgrounds, the grey past the region is printed.
    run.page.emulate_media(media="print")
    assert run.js("() => getComputedStyle(document.querySelector('.storymap-beyond')).webkitPrintColorAdjust") == "exact"
    assert run.errors == []
