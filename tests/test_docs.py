"""The README stays true: quick start, kinds, CLI commands and options, JS API members."""

from __future__ import annotations

import inspect
import re

import click

from storymap import GENERIC_KINDS
from storymap.cli import main as cli

from .conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")


def test_quick_start_is_the_two_commands():
    block = README.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in block.splitlines()[1:] if line.strip()]
    assert commands == ['pip install -e . && python build.py', 'pip install -e ".[test]" && pytest']
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    for command in commands:
        assert command in ci


def test_every_generic_kind_is_documented():
    section = README.split("### Kinds", 1)[1].split("\n### ", 1)[0]
    rows = re.findall(r"^\| `([a-z-]+)` \| ([^|]+) \| ([^|]+) \|", section, re.M)
    documented = {kind: label.strip() for kind, label, _ in rows if kind in GENERIC_KINDS}
    assert documented == {kind: spec["label"] for kind, spec in GENERIC_KINDS.items()}


def test_every_kind_field_is_documented():
    from storymap.kinds import KIND_FIELDS

    section = README.split("### Kinds", 1)[1].split("\n### ", 1)[0]
    for field in KIND_FIELDS:
        assert f"`{field}`" in section, field


def test_every_cli_command_and_option_is_documented():
    section = README.split("## Command line", 1)[1].split("\n## ", 1)[0]
    for name, command in cli.commands.items():
        assert f"storymap {name}" in section, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert any(opt in section for opt in param.opts), (name, param.opts)


def test_every_theme_field_is_in_the_story_toml_example():
    from storymap.models import Theme

    block = README.split("\n[theme]\n", 1)[1].split("\n[", 1)[0]
    for field in Theme.model_fields:
        assert re.search(rf"^{field} = ", block, re.M), field


def test_js_api_members_are_documented():
    section = README.split("## JavaScript API", 1)[1].split("\n## ", 1)[0]
    for member in ("steps", "index", "goTo(idOrIndex)", "next()", "prev()", "map", "layers",
                   "storymap:step", "data-storymap"):
        assert member in section, member


def test_the_python_api_says_what_it_raises():
    """help(storymap.Story.save) and the others tell a Python user which errors to expect."""
    import storymap

    for function in (storymap.load, storymap.Story, storymap.Story.add_layer, storymap.Story.remove_layer,
                     storymap.Story.remove_step, storymap.Story.remove_place,
                     storymap.Story.add_place, storymap.Story.add_kind, storymap.Story.add_step,
                     storymap.Story.to_html, storymap.Story.save, storymap.embed_snippet):
        # (As help() shows it: Python 3.13 strips a docstring's indentation when it compiles it.)
        doc = inspect.getdoc(function) or ""
        assert "\nRaises\n------\n" in doc, function.__qualname__
    assert storymap.Story.title.__doc__
    for error in ("ValueError", "storymap.StoryError", "OSError"):
        assert error in storymap.Story.save.__doc__.split("Raises", 1)[1], error


def test_the_python_api_section_names_the_whole_api_and_its_first_example_runs(tmp_path, monkeypatch):
    """Every public member of storymap and of a Story is in the README's Python API section (a
    StoryData field too), and the section's opening example runs as written."""
    import storymap

    section = README.split("## Python API", 1)[1].split("\n## ", 1)[0]
    for name in storymap.__all__:
        assert f"storymap.{name}" in section, name
    for name in (n for n in dir(storymap.Story) if not n.startswith("_")):
        assert f"story.{name}" in section or f".{name}(" in section, name
    for field in storymap.StoryData.model_fields:
        assert f"`{field}`" in section, field
    code = section.split("```python", 1)[1].split("```", 1)[0]
    (tmp_path / "geodata").symlink_to(ROOT / "geodata")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own example
    assert (tmp_path / "dist" / "index.html").is_file() and (tmp_path / "dist" / "social.png").is_file()
    assert namespace["story"].tiles == "OpenStreetMap.Mapnik"


def test_the_places_and_kinds_example_runs(tmp_path, monkeypatch):
    """README's "Places and kinds from Python" runs as written from the repository's root."""
    section = README.split("### Places and kinds from Python", 1)[1].split("\n### ", 1)[0]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "ports").symlink_to(ROOT / "examples" / "ports")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own example
    story = namespace["story"]
    assert story.steps[-1].id == "waiting" and "eastern-anchorage" in {place.id for place in story.data.places}
    assert "Waiting for a berth" in (tmp_path / "dist" / "waiting.html").read_text("utf-8")
