"""The example stories in examples/ are tested like the first: they load, build and read in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import storymap
from storymap.cli import main as cli

from .conftest import ROOT, axe_violations

EXAMPLES = sorted(p.parent for p in (ROOT / "examples").glob("*/story.toml"))


def test_there_is_an_example_story_besides_panama():
    assert [p.name for p in EXAMPLES] == ["ports"]
    story = storymap.load(EXAMPLES[0])
    assert not {p.kind for p in story.data.places} & {"canal", "lock", "border-zone", "corridor"}


@pytest.mark.parametrize("folder", EXAMPLES, ids=lambda p: p.name)
def test_example_validates_and_every_place_is_sourced_and_shown(folder: Path):
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    data = storymap.load(folder).data
    shown = {pid for step in data.steps for pid in step.places}
    for place in data.places:
        assert place.sources and all(s.url.startswith(("http://", "https://")) for s in place.sources), place.id
        assert place.id in shown, place.id
    assert (folder / "RESEARCH.md").is_file()


def test_build_writes_every_example(build_run):
    out, result = build_run
    for folder in EXAMPLES:
        page = out / "dist" / "examples" / folder.name / "index.html"
        assert page.is_file() and f"wrote dist/examples/{folder.name}/index.html" in result.stdout
        assert page.read_text("utf-8") == storymap.load(folder).to_html()


@pytest.fixture(scope="module")
def example_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("examples")
    return {folder.name: storymap.load(folder).save(out / f"{folder.name}.html") for folder in EXAMPLES}


@pytest.mark.browser
@pytest.mark.parametrize("name", [p.name for p in EXAMPLES])
def test_example_steps_through_with_its_places_in_view(example_pages, make_page, name: str):
    story = storymap.load(ROOT / "examples" / name)
    run = make_page(reduced_motion="reduce").open(example_pages[name])
    for i, step in enumerate(story.steps):
        run.js(f"() => void document.querySelector('[data-storymap]').storymap.goTo({i})")
        run.settle()
        outside = run.js("""(ids) => {
          const s = document.querySelector('[data-storymap]').storymap, view = s.map.getBounds().pad(0.02);
          return ids.filter((id) => !view.contains(s._places[id].layer.getBounds()));
        }""", step.places)
        assert outside == [], (step.id, outside)
        assert run.js("() => document.querySelector('.storymap-step--current h2').textContent") == step.title
    assert not run.errors and not run.outside, (run.errors, run.outside)


@pytest.mark.browser
@pytest.mark.parametrize("name", [p.name for p in EXAMPLES])
def test_example_has_no_axe_violations(example_pages, make_page, name: str):
    steps = storymap.load(ROOT / "examples" / name).steps
    for viewport, step in (((1280, 800), steps[0].id), ((390, 844), steps[len(steps) // 2].id)):
        run = make_page(viewport, reduced_motion="reduce").open(example_pages[name], step)
        violations = axe_violations(run.page)
        assert violations == [], (viewport, step, violations)
