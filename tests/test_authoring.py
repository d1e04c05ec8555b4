"""Authoring: `storymap new` (a valid, documented starter story) and `storymap schema` (JSON Schema
generated from the models that validate, accepting the repository's stories and rejecting what
validation rejects where JSON Schema can say it)."""

from __future__ import annotations

import copy
import json
import re
import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from pydantic import TypeAdapter, ValidationError

import storymap
from storymap import StoryError, assets, i18n
from storymap.cli import main as cli
from storymap.kinds import GENERIC_KINDS
from storymap.load import load_data
from storymap.scaffold import new_story, toml_string
from storymap.schema import DIALECT, dumps, places_schema, schema_for, story_schema
from storymap.types import Color, HttpUrl, Identifier, Language, NonEmptyText

from .conftest import GEODATA, ROOT

PORTS = ROOT / "examples" / "ports"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A story made by `storymap new`, never changed (copy it to change it)."""
    folder = tmp_path_factory.mktemp("new") / "landmarks"
    result = run("new", str(folder), "--title", "Landmarks")
    assert result.exit_code == 0, result.output
    return folder


def copied(starter: Path, tmp_path: Path) -> Path:
    target = tmp_path / "story"
    target.mkdir()
    for name in ("story.toml", "places.geojson"):
        (target / name).write_bytes((starter / name).read_bytes())
    return target


# storymap new ---------------------------------------------------------------------------------

@pytest.mark.parametrize("title", ["", "   "])
def test_new_with_a_blank_title_is_a_usage_error(tmp_path: Path, title: str):
    """A blank --title is a wrong option value, as a wrong --lang is: exit status 2, the option
    named, nothing written (it was status 1, the status of a story already there)."""
    result = run("new", str(tmp_path / "blank"), "--title", title)
    assert result.exit_code == 2 and "Invalid value for --title: the title is blank" in result.stderr
    assert not (tmp_path / "blank").exists()


def test_new_story_validates_and_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    title = 'Bridges "and" gates \\ ü\ttab'
    result = run("new", "mine", "--title", title)
    assert result.exit_code == 0, result.output
    assert "storymap serve mine" in result.output and "storymap build mine" in result.output
    assert run("validate", "mine").exit_code == 0
    result = run("build", "mine")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "dist" / "index.html").read_text("utf-8")
    assert "Eiffel Tower" in page and "Brandenburg Gate" in page
    assert storymap.load("mine").title == title  # the title, quotes and backslash included, as given


def test_new_story_in_a_language_without_interface_texts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`storymap new --lang ko` writes the story but does not claim the interface follows: it warns
    that the controls stay English until translated in story.toml's [interface] table (storymap has
    ar, de, en, es, fr, he, ja, pt, pt-BR, zh-Hans, zh-Hant), and validate counts the texts still English."""
    monkeypatch.chdir(tmp_path)
    result = run("new", "mine", "--lang", "ko")
    assert result.exit_code == 0, result.output
    assert "interface follows" not in result.output
    assert 'lang = "ko" in story.toml; the starter\'s texts are English' in result.stdout
    assert result.stderr.splitlines() == [
        "storymap new: warning: the page's interface (Previous/Next, the legend's title, announcements, labels for "
        "screen readers) is in English for Korean ('ko'), which storymap has no texts for: translate them in "
        "story.toml's [interface] table"]
    result = run("validate", "mine")
    assert result.exit_code == 0 and "1 warning" in result.stdout
    total = len(i18n.english())  # (the starter's table gives the language's own name)
    assert f"{total - 1} of the page's {total} interface texts are still in English for Korean ('ko')" in result.stderr
    # A language the page's interface has: no warning.
    result = run("new", "ours", "--lang", "pt-br")
    assert result.exit_code == 0 and result.stderr == ""
    assert 'lang = "pt-BR" in story.toml: the page\'s interface follows it' in result.stdout
    assert load_data("ours").lang == "pt-BR"


@pytest.mark.parametrize("given, message", [
    ("jp", "unknown language 'jp'; did you mean 'ja' (Japanese)?"),
    ("Deutsch", "unknown language 'Deutsch'; did you mean 'de' (German)?"),
    ("zz", "unknown language 'zz': no language has this tag"),
])
def test_new_refuses_a_tag_that_is_no_language(tmp_path: Path, given: str, message: str):
    """`storymap new --lang` checks the tag as story.toml's lang is checked: nothing written."""
    result = run("new", str(tmp_path / "bad"), "--lang", given)
    # (A usage error, exit status 2, as for build's and embed's --lang.)
    assert result.exit_code == 2 and f"Invalid value for --lang: {message}" in result.stderr
    assert not (tmp_path / "bad").exists()


def test_new_takes_a_tag_cldr_lacks_with_a_warning(tmp_path: Path):
    result = run("new", str(tmp_path / "guna"), "--lang", "cuk")
    assert result.exit_code == 0 and load_data(tmp_path / "guna").lang == "cuk"
    assert result.stderr.startswith("storymap new: warning: 'cuk' is not a language CLDR (through Babel) knows")


def test_new_story_in_another_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`storymap new --lang` starts a story in that language: its page's interface, legend and
    direction follow, and no English kicker sits above the title."""
    monkeypatch.chdir(tmp_path)
    result = run("new", "mine", "--title", "Trois monuments", "--lang", "fr")
    assert result.exit_code == 0, result.output
    assert 'lang = "fr" in story.toml' in result.output
    data = load_data(tmp_path / "mine")
    assert (data.lang, data.kicker, data.title) == ("fr", "", "Trois monuments")
    assert run("build", "mine").exit_code == 0
    page = (tmp_path / "dist" / "index.html").read_text("utf-8")
    assert '<html lang="fr">' in page and ">Suivant" in page and "Légende" in page
    assert "Story map" not in page and ">Next" not in page
    # (The social card's description of the picture too.)
    alt = re.search(r'<meta property="og:image:alt" content="([^"]*)"', page).group(1)
    assert alt.startswith("Carte du récit « Trois monuments » : "), alt  # (then the starter's own words)
    # Every line but those two is the starter's own (its comments included).
    english = (tmp_path / "en" / "story.toml")
    assert run("new", "en").exit_code == 0
    changed = [(a, b) for a, b in zip(english.read_text("utf-8").splitlines(),
                                      (tmp_path / "mine" / "story.toml").read_text("utf-8").splitlines()) if a != b]
    assert [b.split("=")[0].strip() for _, b in changed] == ["title", "kicker", "lang"]
    # (Their comments stay in the starter's column.)
    assert all(a.index("#") == b.index("#") for a, b in changed if "#" in a), changed
    # A language written right to left: the page's direction is.
    assert run("new", "ar", "--lang", "ar").exit_code == 0
    assert storymap.load(tmp_path / "ar").to_html().startswith('<!DOCTYPE html>\n<html lang="ar" dir="rtl">')
    # Not a language tag: refused, nothing written.
    result = run("new", "bad", "--lang", "fr_FR!")
    assert result.exit_code == 2 and "--lang" in result.stderr and "not a language tag" in result.stderr
    assert not (tmp_path / "bad").exists()


def test_new_story_is_small_documented_and_of_declared_kinds(starter: Path):
    text = (starter / "story.toml").read_text("utf-8")
    assert text.splitlines()[0] == "#:schema ./schema/story.schema.json"
    assert (starter / "schema" / "story.schema.json").is_file()
    # (Where the page will live, commented out: link previews need it, and build's note says so.)
    assert re.search(r'^# base_url = "https://[^"]+/"', text, re.M)
    data = load_data(starter)
    assert 2 <= len(data.steps) <= 3 and 2 <= len(data.places) <= 5
    declared = set(tomllib.loads(text)["kinds"])
    assert declared and not declared & set(GENERIC_KINDS)
    assert {p.kind for p in data.places} <= declared  # every example place shows a declared kind
    for place in data.places:
        assert place.sources and all(s.url.startswith("https://en.wikipedia.org/wiki/") for s in place.sources)
    # Every field of a kind is explained in a comment, so a new user sees the options.
    kinds_part = text.split("[kinds.", 1)[1].split("[[steps]]", 1)[0]
    for field in ("label", "geometry", "color", "outline", "radius", "symbol", "weight", "opacity", "fill",
                  "dash", "legend", "properties", "description", "arrows"):
        assert f"{field} =" in kinds_part, field
    assert "view = { center = [" in text and "view = { bounds = [[" in text and "max_zoom" in text
    # The editor schemas are those `storymap schema --story` prints for the folder.
    for what in ("story", "places"):
        written = json.loads((starter / "schema" / f"{what}.schema.json").read_text("utf-8"))
        assert written == schema_for(what, starter)


@pytest.mark.parametrize("existing", ["story.toml", "places.geojson", "other.geojson", "schema/story.schema.json"])
def test_new_never_overwrites(tmp_path: Path, existing: str):
    folder = tmp_path / "taken"
    (folder / "schema").mkdir(parents=True)
    (folder / existing).write_text("mine", "utf-8")
    result = run("new", str(folder))
    assert result.exit_code == 1
    assert "never overwrites" in result.stderr and existing.split("/")[-1] in result.stderr
    assert (folder / existing).read_text("utf-8") == "mine"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == sorted({"schema", existing})


def test_new_refuses_a_file_and_a_blank_title(tmp_path: Path):
    (tmp_path / "file").write_text("x", "utf-8")
    result = run("new", str(tmp_path / "file"))
    assert result.exit_code in (1, 2) and "Traceback" not in result.output
    with pytest.raises(StoryError, match="the title is blank"):  # (the command's: see the test above)
        new_story(tmp_path / "blank", title="  ")
    assert not (tmp_path / "blank").exists()
    with pytest.raises(StoryError):
        new_story(tmp_path / "file")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_toml_string_round_trips(text: str):
    assert tomllib.loads(f"title = {toml_string(text)}")["title"] == text


# storymap schema ------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, ours", [("check", "validate"), ("preview", "serve"), ("init", "new")])
def test_another_tools_name_for_a_command_names_storymaps(typed: str, ours: str):
    result = CliRunner().invoke(cli, [typed, "geodata"])
    assert result.exit_code == 2 and result.stdout == ""
    assert f"Error: No such command {typed!r}. storymap's is {ours!r}: storymap {ours} geodata" in result.stderr
    from storymap.cli import _Commands
    assert set(_Commands.OTHER_NAMES.values()) <= set(cli.commands)  # (each names a real command)


def test_schema_command_prints_and_writes(tmp_path: Path):
    result = run("schema", "story")
    assert result.exit_code == 0
    printed = json.loads(result.stdout)
    assert printed["$schema"] == DIALECT == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(printed)
    out = tmp_path / "places.schema.json"
    result = run("schema", "places", "--story", str(GEODATA), "-o", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out.read_text("utf-8")) == places_schema(GEODATA)
    Draft202012Validator.check_schema(places_schema(GEODATA))  # the fitted one too is a valid 2020-12 schema
    assert run("schema", "nothing").exit_code == 2
    # A slip of -o onto the story's own files is refused before anything is written.
    story = tmp_path / "mine"
    shutil.copytree(GEODATA, story)
    for own in ("story.toml", "story.es.toml", "places.geojson"):
        before = (story / own).read_bytes()
        result = run("schema", "story", "-o", str(story / own))
        assert result.exit_code == 2 and "is a story's own file" in result.stderr, own
        assert (story / own).read_bytes() == before, own
    assert run("schema", "places", "--story", str(tmp_path / "missing")).exit_code == 2
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "story.toml").write_text("title = ", "utf-8")
    for what in ("places", "story"):  # (the story's schema printed one, saying nothing)
        result = run("schema", what, "--story", str(broken))
        assert result.exit_code == 1 and "invalid TOML" in result.stderr and result.stdout == "", what
    # Places and no story.toml yet: the story's schema, to write it with, names their ids.
    (broken / "story.toml").unlink()
    shutil.copy(GEODATA / "places.geojson", broken / "places.geojson")
    result = run("schema", "story", "--story", str(broken))
    assert result.exit_code == 0 and "panama-canal" in result.stdout


def test_schemas_are_documented():
    """Descriptions (and examples) for editors' hovers: every property of every object says what it is."""
    for schema in (story_schema(), places_schema(GEODATA)):
        assert schema["description"]
        objects = [schema, *schema["$defs"].values()]
        for obj in objects:
            for name, prop in obj.get("properties", {}).items():
                assert prop.get("description") or "$ref" in prop, (obj.get("title"), name)
    story = story_schema()
    assert story["$defs"]["Kind"]["properties"]["color"]["examples"]
    assert story["$defs"]["View"]["properties"]["center"]["examples"]


@pytest.mark.parametrize("folder", [GEODATA, PORTS, "starter"], ids=["geodata", "ports", "starter"])
@pytest.mark.parametrize("fitted", [False, True], ids=["any-story", "fitted"])
def test_schemas_accept_the_repository_stories(folder, fitted: bool, starter: Path):
    folder = starter if folder == "starter" else folder
    story = tomllib.loads((folder / "story.toml").read_text("utf-8"))
    places = json.loads((folder / "places.geojson").read_text("utf-8"))
    for schema, doc in ((story_schema(folder if fitted else None), story),
                        (places_schema(folder if fitted else None), places)):
        assert [e.message for e in Draft202012Validator(schema).iter_errors(doc)] == []


def _set(doc, path, value):
    *head, last = path
    for key in head:
        doc = doc[key]
    if value is _DELETE:
        del doc[last]
    else:
        doc[last] = value


_DELETE = object()

# (file, path in it, new value): each breaks the starter story for `storymap validate` and the schema.
BROKEN = {
    "unknown kind": ("places", ("features", 0, "properties", "kind"), "tower"),
    "missing name": ("places", ("features", 0, "properties", "name"), _DELETE),
    "blank name": ("places", ("features", 0, "properties", "name"), "   "),
    "bad place id": ("places", ("features", 1, "id"), "Tower Bridge"),
    "source without url": ("places", ("features", 0, "properties", "sources", 0, "url"), _DELETE),
    "source url not http": ("places", ("features", 0, "properties", "sources", 0, "url"), "ftp://example.org/x"),
    "bare source": ("places", ("features", 0, "properties", "sources"), ["https://example.org"]),
    "no sources": ("places", ("features", 0, "properties", "sources"), []),
    "longitude out of range": ("places", ("features", 0, "geometry", "coordinates"), [190.0, 48.8]),
    "line of one position": ("places", ("features", 0, "geometry"), {"type": "LineString", "coordinates": [[2, 48]]}),
    "kind of another geometry": ("places", ("features", 0, "geometry"),
                                 {"type": "LineString", "coordinates": [[2.29, 48.85], [2.3, 48.86]]}),
    "bad precision": ("places", ("features", 0, "properties", "location_precision"), "roughly"),
    "not a FeatureCollection": ("places", ("type",), "Feature"),
    "unknown story field": ("story", ("subtitel",), "x"),
    "blank title": ("story", ("title",), ""),
    "bad layout": ("story", ("layout",), "columns"),
    "bad language": ("story", ("lang",), "English!"),
    "no steps": ("story", ("steps",), []),
    "unknown step field": ("story", ("steps", 0, "tilte"), "x"),
    "bad step id": ("story", ("steps", 0, "id"), "Step One"),
    "step names an unknown place": ("story", ("steps", 0, "places", 0), "eiffel"),
    "view of a zoom alone": ("story", ("steps", 0, "view"), {"zoom": 5}),
    "view center swapped": ("story", ("steps", 0, "view"), {"center": [48.8, 182.3], "zoom": 5}),
    "zoom too deep": ("story", ("steps", 0, "max_zoom"), 30),
    "new kind without color": ("story", ("kinds", "walk"), {"label": "Walk", "geometry": "line"}),
    "bad kind name": ("story", ("kinds", "Walk"), {"label": "Walk", "geometry": "line", "color": "#000"}),
    "bad color": ("story", ("kinds", "landmark", "color"), "not a colour!"),
    "arrows on points": ("story", ("kinds", "landmark", "arrows"), True),
    "symbol on a line kind": ("story", ("kinds", "route"), {"symbol": "star"}),
    "opacity over 1": ("story", ("kinds", "bridge", "opacity"), 1.5),
    "unknown kind field": ("story", ("kinds", "bridge", "colour"), "#000"),
    "step date a number that is no year": ("story", ("steps", 0, "date"), 0),
    "place date a number": ("places", ("features", 0, "properties", "date"), 1889),
}

# Changes both accept: the schema is no stricter than validation.
ACCEPTED = {
    "a generic kind changed in part": ("story", ("kinds", "place"), {"color": "#333333", "radius": 5}),
    "a place with no kind": ("places", ("features", 0, "properties", "kind"), _DELETE),
    "a view of bounds across the antimeridian": ("story", ("steps", 0, "view"), {"bounds": [[170, -20], [-170, 10]]}),
    "a view of center and zoom": ("story", ("steps", 0, "view"), {"center": [2.3, 48.9], "zoom": 11.5}),
    "a property of the story's own": ("places", ("features", 0, "properties", "architect"), "Gustave Eiffel"),
    "an http source": ("places", ("features", 0, "properties", "sources", 0, "url"), "http://example.org/a?b=c"),
    "a date": ("places", ("features", 0, "properties", "date"), "1889-03-31"),
    "a step dated by a year as a number": ("story", ("steps", 0, "date"), 1889),
    "a step dated by a day": ("story", ("steps", 0, "date"), "1889-03-31"),
    "a MultiPoint landmark": ("places", ("features", 0, "geometry"),
                              {"type": "MultiPoint", "coordinates": [[2.29, 48.85], [2.3, 48.86]]}),
}


def _variant(starter: Path, tmp_path: Path, change) -> tuple[Path, dict, dict]:
    folder = copied(starter, tmp_path)
    story = tomllib.loads((folder / "story.toml").read_text("utf-8"))
    places = json.loads((folder / "places.geojson").read_text("utf-8"))
    which, path, value = change
    _set(story if which == "story" else places, path, value if value is _DELETE else copy.deepcopy(value))
    (folder / "places.geojson").write_text(json.dumps(places), "utf-8")
    (folder / "story.toml").write_text(_toml(story), "utf-8")
    return folder, story, places


def _toml(doc: dict) -> str:
    """A story dict as TOML (enough for these tests: strings, numbers, bools, arrays, tables)."""
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, str):
            return toml_string(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return "{ " + ", ".join(f"{json.dumps(k)} = {value(x)}" for k, x in v.items()) + " }"
    lines = [f"{json.dumps(k)} = {value(v)}" for k, v in doc.items() if k not in ("kinds", "steps")]
    for name, spec in doc.get("kinds", {}).items():
        lines.append(f"[kinds.{json.dumps(name)}]")
        lines += [f"{json.dumps(k)} = {value(v)}" for k, v in spec.items()]
    for step in doc.get("steps", []):
        lines.append("[[steps]]")
        lines += [f"{json.dumps(k)} = {value(v)}" for k, v in step.items()]
    if "steps" in doc and not doc["steps"]:
        lines.insert(0, "steps = []")
    return "\n".join(lines) + "\n"


def _schema_errors(folder: Path, story: dict, places: dict) -> list[str]:
    return ([e.message for e in Draft202012Validator(story_schema(folder)).iter_errors(story)]
            + [e.message for e in Draft202012Validator(places_schema(folder)).iter_errors(places)])


@pytest.mark.parametrize("case", list(BROKEN))
def test_schema_rejects_what_validation_rejects(case: str, starter: Path, tmp_path: Path):
    folder, story, places = _variant(starter, tmp_path, BROKEN[case])
    with pytest.raises(StoryError):
        load_data(folder)
    assert _schema_errors(folder, story, places), case


@pytest.mark.parametrize("case", list(ACCEPTED))
def test_schema_accepts_what_validation_accepts(case: str, starter: Path, tmp_path: Path):
    folder, story, places = _variant(starter, tmp_path, ACCEPTED[case])
    load_data(folder)
    assert _schema_errors(folder, story, places) == [], case


def test_a_kinds_required_properties_are_in_the_fitted_schema():
    places = json.loads((GEODATA / "places.geojson").read_text("utf-8"))
    corridor = next(f for f in places["features"] if f["properties"].get("kind") == "corridor")
    validator = Draft202012Validator(places_schema(GEODATA))
    for change in ({"coast": "atlantic"}, {"direction": None}):
        broken = copy.deepcopy(corridor)
        broken["properties"].update(change)
        broken["properties"] = {k: v for k, v in broken["properties"].items() if v is not None}
        assert list(validator.iter_errors({"type": "FeatureCollection", "features": [broken]})), change
    assert not list(validator.iter_errors({"type": "FeatureCollection", "features": [corridor]}))


SAMPLES = {
    Identifier: ["old-harbour", "a", "x1", "-a", "a-", "A", "a_b", "a" * 64, "a" * 65, "", "é"],
    HttpUrl: ["https://example.org", "HTTP://EXAMPLE.ORG/x", " https://example.org ", "https://", "ftp://x",
              "https:// x", "javascript:alert(1)", "https://a.b/c d", "https://.x", "//example.org"],
    Color: ["#0072b2", "#fff", "teal", "rgb(0, 114, 178)", "hsla(1,2%,3%,.5)", " #abc ", "#ab", "url(x)", "12",
            "red;x"],
    Language: ["en", "pt-BR", "zh-Hant-TW", " es ", "e", "english-language-x", "en_US", "123"],
    NonEmptyText: ["x", " x ", "", "   ", "\t\n"],
}


@pytest.mark.parametrize("kind", list(SAMPLES), ids=lambda t: getattr(t, "__name__", None) or str(t)[:20])
def test_schema_patterns_agree_with_the_validators(kind):
    """The patterns the schema carries accept exactly what the validators accept, sample by sample."""
    schema = TypeAdapter(kind).json_schema(schema_generator=__import__("storymap.schema", fromlist=["_Generator"])
                                           ._Generator)
    check = Draft202012Validator(schema)
    for sample in SAMPLES[kind]:
        try:
            TypeAdapter(kind).validate_python(sample)
            valid = True
        except ValidationError:
            valid = False
        assert check.is_valid(sample) == valid, (sample, valid)


def test_schema_output_is_stable_json():
    assert dumps(story_schema()) == dumps(story_schema())
    assert dumps(places_schema()).endswith("}\n")


def test_a_story_without_media_has_no_media_rules(starter: Path, tmp_path: Path):
    # (The page carries no CSS for what it cannot show: a story without step media, the starter,
    # has none of the figure's rules; one with an image has them all.)
    def css(story) -> str:
        return re.findall(r"<style>(.*?)</style>", story.to_html(), re.S)[-1]

    story = storymap.load(copied(starter, tmp_path))
    assert not any(step.media for step in story.steps)
    assert not [name for name in assets.MEDIA_CLASSES if name in css(story)]
    image = tmp_path / "dot.png"
    Image.new("RGB", (4, 4), "red").save(image)
    story.steps[0].media = [storymap.Media(src=str(image), alt="A red square")]
    assert [name for name in assets.MEDIA_CLASSES if name in css(story)] == list(assets.MEDIA_CLASSES)
