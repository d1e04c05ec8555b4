"""A step's own bounds are shown as given, however close (a street, a square); a step that fits its
places zooms in no closer than 11 unless it says otherwise."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import storymap
from storymap.channels import _step_view
from storymap.context import framed_places
from storymap.layers import FIT_MAX_ZOOM, REFERENCE_VIEW, ZOOM_MARGIN, detail_zoom

from .conftest import GEODATA

# A few streets of Panama City's old town (Casco Viejo), about 600 × 450 m.
CASCO = [[-79.5370, 8.9500], [-79.5315, 8.9540]]


def _story() -> storymap.Story:
    story = storymap.load(GEODATA)
    story.add_step({"id": "old-town", "title": "The old town", "narrative": "Streets.",
                    "places": ["talks-jcet-2025"], "view": {"bounds": CASCO}})
    return story


def test_a_steps_bounds_set_the_social_cards_view_and_the_layers_detail():
    story = _story()
    step = story.data.steps[-1]
    zoom, _, _ = _step_view(story.data, step, framed_places(story.data)[1], (1200, 630))
    assert zoom > 15  # (the bounds fill 1200 × 630 px at about zoom 16; it was capped at 11)
    assert detail_zoom(story.data, ["old-town"]) == pytest.approx(zoom_for(CASCO, REFERENCE_VIEW) + ZOOM_MARGIN, abs=0.5)
    assert detail_zoom(story.data, ["first-talks"]) <= FIT_MAX_ZOOM + ZOOM_MARGIN  # (places: capped as before)


def zoom_for(bounds, size) -> float:
    def y(lat):
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    (w, s), (e, n) = bounds
    return min(math.log2(size[0] / 256 / ((e - w) / 360)), math.log2(size[1] / 256 / ((y(n) - y(s)) / (2 * math.pi))))


@pytest.mark.browser
def test_a_steps_bounds_are_shown_as_given(tmp_path: Path, make_page):
    page = _story().save(tmp_path / "index.html")
    run = make_page((1280, 800))
    run.open(page, "old-town")
    view = run.js("""() => { const m = document.querySelector('[data-storymap]').storymap.map, b = m.getBounds();
      return {zoom: m.getZoom(), bounds: [[b.getWest(), b.getSouth()], [b.getEast(), b.getNorth()]]}; }""")
    (w, s), (e, n) = CASCO
    (vw, vs), (ve, vn) = view["bounds"]
    assert view["zoom"] > 14, view
    assert vw <= w and vs <= s and ve >= e and vn >= n, view  # all of it in view ...
    assert (ve - vw) * (vn - vs) < 12 * (e - w) * (n - s), view  # ... and not the city around it
    # A step that fits its places (a single point) keeps the cap.
    run.js("() => document.querySelector('[data-storymap]').storymap.goTo('first-talks', {animate: false})")
    run.page.wait_for_function("() => !document.querySelector('[data-storymap]').hasAttribute('data-storymap-moving')")
    assert run.js("() => document.querySelector('[data-storymap]').storymap.map.getZoom()") <= 11
    assert run.errors == []
