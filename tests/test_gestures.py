"""An embedded story's map lets the article scroll: the wheel scrolls the article and zooms the map
only with Ctrl (⌘), as a hint over the map says; the story's own page zooms with the wheel."""

from __future__ import annotations

from pathlib import Path

import pytest

import storymap

from .conftest import GEODATA

pytestmark = pytest.mark.browser

READY = "() => { const r = document.querySelector('[data-storymap]'); return r && r.storymap && r.storymap.ready; }"
FILLER = "<p>" + "An article's paragraph. " * 60 + "</p>"
HOST = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Article</title></head>"
        "<body><h1>An article</h1>{filler}{story}{filler}{filler}{filler}</body></html>")
STATE = """() => { const r = document.querySelector('[data-storymap]'), hint = r.querySelector('.storymap-wheel-hint');
  return {scroll: Math.round(window.scrollY), zoom: r.storymap.map.getZoom(),
          hint: hint ? [hint.textContent, getComputedStyle(hint).opacity, hint.getAttribute('aria-hidden')] : null}; }"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    story = storymap.load(GEODATA)
    out = tmp_path_factory.mktemp("gestures")
    story.save(out / "index.html")
    (out / "article.html").write_text(HOST.format(filler=FILLER, story=story.to_html(fragment=True)), "utf-8")
    return out


def _over_the_map(run) -> None:
    run.js("() => document.querySelector('.storymap-map').scrollIntoView({block: 'center'})")
    box = run.page.locator(".storymap-map").bounding_box()
    run.page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] / 2)


def test_the_wheel_scrolls_the_article_and_zooms_the_embedded_map_with_ctrl(pages: Path, make_page):
    run = make_page((1280, 800))
    run.page.goto((pages / "article.html").as_uri())
    run.page.wait_for_function(READY)
    _over_the_map(run)
    before = run.js(STATE)
    run.page.mouse.wheel(0, 300)
    run.page.wait_for_function(f"() => Math.round(window.scrollY) > {before['scroll']}")
    run.page.wait_for_timeout(300)  # (Leaflet zooms 40 ms after a wheel it hears)
    after = run.js(STATE)
    assert after["zoom"] == before["zoom"], (before, after)
    assert after["hint"] == ["Use Ctrl + scroll to zoom the map", "1", "true"]
    # Its words stand in the part of the map the panel leaves free (centred on the whole map, the
    # panel covered half of them).
    words, free = run.js("""() => { const hint = document.querySelector('.storymap-wheel-hint'), range = document.createRange();
      range.selectNodeContents(hint); const w = range.getBoundingClientRect();
      const s = document.querySelector('[data-storymap]').storymap, f = s._free(), m = s.map.getContainer().getBoundingClientRect();
      return [[w.left, w.right], [m.left + f.l, m.left + f.r]]; }""")
    assert words[0] >= free[0] - 1 and abs((words[0] + words[1]) / 2 - (free[0] + free[1]) / 2) <= 2, (words, free)
    run.page.wait_for_function("() => getComputedStyle(document.querySelector('.storymap-wheel-hint')).opacity === '0'")
    # With Ctrl held, the map zooms and the article stays where it is.
    _over_the_map(run)
    held = run.js(STATE)
    run.page.keyboard.down("Control")
    run.page.mouse.wheel(0, -300)
    run.page.keyboard.up("Control")
    run.page.wait_for_function(f"() => document.querySelector('[data-storymap]').storymap.map.getZoom() > {held['zoom']}")
    assert run.js(STATE)["scroll"] == held["scroll"]
    # The hint speaks the story's language.
    run.js("() => document.querySelector('[data-storymap]').storymap.setLanguage('es')")
    run.page.mouse.wheel(0, 100)
    run.page.wait_for_function("""() => (document.querySelector('.storymap-wheel-hint') || {}).textContent
      === 'Usa Ctrl + rueda para hacer zoom en el mapa'""")
    assert run.errors == []


def test_the_storys_own_page_zooms_with_the_wheel(pages: Path, make_page):
    run = make_page((1280, 800))
    run.open(pages / "index.html")
    box = run.page.locator(".storymap-map").bounding_box()
    run.page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] / 2)
    zoom = run.js("() => document.querySelector('[data-storymap]').storymap.map.getZoom()")
    run.page.mouse.wheel(0, -300)
    run.page.wait_for_function(f"() => document.querySelector('[data-storymap]').storymap.map.getZoom() > {zoom}")
    assert run.js("() => document.querySelector('.storymap-wheel-hint')") is None
    assert run.errors == []


def test_on_a_phone_one_finger_scrolls_the_article_over_an_embedded_map(pages: Path, make_page):
    phone = {"is_mobile": True, "has_touch": True, "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) "
             "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36"}
    dragging = "() => document.querySelector('[data-storymap]').storymap.map.dragging.enabled()"
    touch = "() => getComputedStyle(document.querySelector('.storymap-map')).touchAction"
    run = make_page((390, 844), **phone)
    run.page.goto((pages / "article.html").as_uri())
    run.page.wait_for_function(READY)
    # Two fingers pan and zoom the map; one scrolls the article (the browser pans for it).
    assert run.js(dragging) is False and run.js(touch) in ("pan-x pan-y", "manipulation")
    own = make_page((390, 844), **phone)
    own.open(pages / "index.html")
    assert own.js(dragging) is True and own.js(touch) == "none"
