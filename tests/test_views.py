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


def _with_a_text_step(before: str | None = None) -> storymap.Story:
    """The Panama story with a step that names no place and gives no view (a coda, or with
    ``before``, an opening): the validator warns that its map zooms out to all of the story's places."""
    story = storymap.load(GEODATA)
    story.add_step({"id": "coda", "title": {"en": "Coda", "es": "Coda"}, "places": [],
                    "narrative": {"en": "The text alone.", "es": "El texto solo."}}, before=before)
    return story


def test_a_step_without_places_or_view_frames_all_of_the_storys_places():
    from storymap.context import PageContext, _latlng_bounds

    story = _with_a_text_step()
    context = PageContext(story.data)
    every = _latlng_bounds(list(context.drawn.values()))
    steps = {s["id"]: s for s in context.config["steps"]}
    assert steps["coda"]["latLngBounds"] == every  # (it had none: the map stayed where it was)
    assert steps["first-talks"]["latLngBounds"] != every  # (a step with places frames its own)
    # A layer shown at that step alone is drawn in the detail of that view, not of a city's.
    assert detail_zoom(story.data, ["coda"]) == pytest.approx(
        detail_zoom(story.data, ["overview"]), abs=0.2)  # (the overview spans Florida to Colombia)
    assert detail_zoom(story.data, ["coda"]) < detail_zoom(story.data, ["first-talks"]) - 3
    # Given a view, the step keeps it and takes no bounds.
    story.data.steps[-1].view = {"center": [-79.5, 9.0], "zoom": 8}
    assert PageContext(story.data).config["steps"][-1].get("latLngBounds") is None
    # A story that opens on such a step starts there, not at 0°, 0° in the Gulf of Guinea.
    opening = PageContext(_with_a_text_step(before="overview").data)
    (south, west), (north, east) = every
    assert opening.center == [(south + north) / 2, (west + east) / 2]


@pytest.mark.browser
def test_a_step_without_places_or_view_shows_all_of_them_dimmed(tmp_path: Path, make_page):
    """Opened at such a step, the map stayed at its first view (a step's places, zoom 5 on a
    whole-world story, with none of its places in sight); reached from a step at a city, it stayed
    there. It shows all of the story's places, as the validator's warning says, dimmed."""
    page = _with_a_text_step().save(tmp_path / "index.html")
    run = make_page((1280, 800))
    view_js = """() => { const sm = document.querySelector('[data-storymap]').storymap, b = sm.map.getBounds();
      const all = L.latLngBounds(sm._config.steps.filter((s) => s.places.length).map((s) => s.latLngBounds));
      const places = Object.values(sm._places);
      return {inside: b.contains(all), zoom: sm.map.getZoom(), step: sm.index,
              dimmed: places.filter((p) => !p.lit).length, places: places.length,
              labels: sm._labels.labels().filter((l) => l.shown).length}; }"""
    run.open(page, "coda")
    opened = run.js(view_js)
    assert opened["inside"] and opened["step"] == 11, opened
    assert opened["zoom"] >= 3, opened  # (framed, not the world)
    assert opened["labels"] == 0 and opened["dimmed"] == opened["places"] == 18, opened  # (none its own)
    run.js("() => document.querySelector('[data-storymap]').storymap.goTo('first-talks', {animate: false})")
    run.page.wait_for_function("() => !document.querySelector('[data-storymap]').hasAttribute('data-storymap-moving')")
    assert not run.js(view_js)["inside"]  # (a city: the story's other places out of sight)
    run.js("() => document.querySelector('[data-storymap]').storymap.goTo('coda', {animate: false})")
    run.page.wait_for_function("() => !document.querySelector('[data-storymap]').hasAttribute('data-storymap-moving')")
    again = run.js(view_js)
    assert again["inside"] and again["zoom"] == opened["zoom"], again
    assert run.errors == []
