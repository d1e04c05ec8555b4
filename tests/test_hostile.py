"""Issue 16, attacked again: hostile hosts and frames, folium elements, heavy and linked files.

Each test is one of the attacks the issue lists (the build-time budgets of heavy files are in
``benchmarks/heavy.py``, not here). Browser tests share their pages: one story built once, host
pages around it, and an article, a story and an attacker served from three origins by Playwright.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import stat
import sys
from pathlib import Path

import folium
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import storymap
from storymap import assets
from storymap.cli import main as cli
from storymap.embed import MAX_HEIGHT, MIN_HEIGHT, REFERRER_POLICY, SANDBOX
from storymap.errors import Suggester
from storymap.files import write_atomic
from storymap.serve import DevServer
from storymap.text import _markdown_html, _plain_paragraph, sanitize_html

from .conftest import BLANK_PNG, CHROMIUM_ARGS, GEODATA, ROOT, TILE_HOSTS
from .xss_payloads import PAYLOADS

sys.path.insert(0, str(ROOT / "benchmarks"))
from heavy import write_story  # noqa: E402  (the benchmark's story of N points)

SECRET = "AKIA-SECRET-TOKEN-1234"
READY = ("() => [...document.querySelectorAll('[data-storymap]')].length > 0 && "
         "[...document.querySelectorAll('[data-storymap]')].every(r => r.storymap && !r.hasAttribute('data-storymap-moving'))")


def _copy_story(tmp_path: Path) -> Path:
    folder = tmp_path / "story"
    shutil.copytree(GEODATA, folder)
    return folder


def _problems(folder: Path) -> str:
    with pytest.raises(storymap.StoryError) as info:
        storymap.load(folder)
    return str(info.value)


# Files -------------------------------------------------------------------------------------------

def test_story_files_linking_outside_the_folder_are_refused(tmp_path: Path):
    folder = _copy_story(tmp_path)
    secrets = tmp_path / "home"
    secrets.mkdir()
    (secrets / "credentials.toml").write_text(f'title = "x"\ntoken = "{SECRET}"\n', "utf-8")
    (secrets / "places.geojson").write_bytes((GEODATA / "places.geojson").read_bytes())
    (folder / "story.toml").unlink()
    (folder / "story.toml").symlink_to(secrets / "credentials.toml")
    (folder / "more.geojson").symlink_to(secrets / "places.geojson")
    report = _problems(folder)
    assert SECRET not in report
    for link in ("story.toml", "more.geojson"):  # each link named, as outside the folder
        assert re.search(rf"{link}: is a link to a file outside the story folder", report), report
    # A link that stays inside the folder is a file of the story like any other.
    (folder / "story.toml").unlink()
    (folder / "more.geojson").unlink()
    (folder / "real.toml").write_bytes((GEODATA / "story.toml").read_bytes())
    (folder / "story.toml").symlink_to("real.toml")
    assert len(storymap.load(folder).steps) == 11


def test_errors_never_echo_the_values_of_unknown_keys(tmp_path: Path):
    folder = _copy_story(tmp_path)
    toml = (folder / "story.toml").read_text("utf-8")
    toml = toml.replace('lang = "en"', f'lang = "en"\napi_token = "{SECRET}"\nsecrets = {{ key = "{SECRET}" }}', 1)
    toml = toml.replace('label = "Canal"', f'label = "Canal"\npassword = "{SECRET}"', 1)
    toml = toml.replace('id = "overview"', f'id = "overview"\nkey = "{SECRET}"\nview = {{ zoom = 5, center = [0, 0], '
                                           f'token = "{SECRET}" }}', 1)
    (folder / "story.toml").write_text(toml, "utf-8")
    doc = json.loads((folder / "places.geojson").read_text("utf-8"))
    doc["features"][0]["properties"]["sources"][0]["token"] = SECRET
    (folder / "places.geojson").write_text(json.dumps(doc), "utf-8")
    report = _problems(folder)
    assert SECRET not in report
    for name in ("api_token", "secrets", "password", "key", "token"):
        assert re.search(rf"\b{name}: unknown field", report), (name, report)



#: What a terminal acts on instead of showing: ESC (clear the screen), CSI (C1), BEL, a right-to-left
#: override (the line read backwards) and a line separator.
TERMINAL = "\x1b[2J\x9b31m\x07\u202e\u2028"


def _raw_controls(text: str) -> list[str]:
    return [c for c in TERMINAL if not c.isprintable() and c in text]


def test_problem_lines_never_print_a_files_control_characters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A place's name, a key, a file's name quoted in a problem line cannot clear the reporter's
    terminal (``\x1b[2J``), reorder the line (U+202E) or ring its bell: each is written as its escape."""
    escaped = "".join(c if " " <= c < "\x7f" else f"\\u{ord(c):04x}" for c in TERMINAL)  # (TOML's escapes)
    folder = _copy_story(tmp_path)
    toml = (folder / "story.toml").read_text("utf-8")
    (folder / "story.toml").write_text(f'"{escaped}title" = "x"\n' + toml.replace('[kinds.canal]', f'[kinds."{escaped}"]\n'
                                       'label = "x"\n\n[kinds.canal]', 1), "utf-8")
    doc = json.loads((folder / "places.geojson").read_text("utf-8"))
    del doc["features"][0]["id"]  # named by its name: "feature named ..."
    doc["features"][0]["properties"]["name"] = TERMINAL + "Old harbour"
    doc["features"][1]["id"] = TERMINAL
    (folder / "places.geojson").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    # (color=True: the output is a terminal's, which click passes ANSI sequences through to)
    result = CliRunner().invoke(cli, ["validate", str(folder)], color=True)
    assert result.exit_code == 1
    assert not _raw_controls(result.output), result.output
    assert "\\x1b[2J\\x9b31m\\x07\\u202e\\u2028" in result.output  # each said, as its escape
    assert "title: unknown field" in result.output and 'feature named "' in result.output
    # A file's own name: a places file saved as .json, named with the name to give it.
    (folder / "places.geojson").rename(folder / f"places{TERMINAL}.json")
    result = CliRunner().invoke(cli, ["validate", str(folder)], color=True)
    assert "no *.geojson file of places (there is places" in result.output
    assert not _raw_controls(result.output), result.output


def test_serve_prints_a_title_without_its_control_characters(tmp_path: Path):
    folder = _copy_story(tmp_path)
    toml = (folder / "story.toml").read_text("utf-8")
    (folder / "story.toml").write_text(toml.replace('title = "Partners', 'title = "\\u001b]0;owned\\u0007Partners', 1),
                                       "utf-8")
    said: list[str] = []
    server = DevServer(folder, port=0, echo=lambda text, **_: said.append(text))
    try:
        assert server.build().ok
    finally:
        server.stop()
    assert 'built "\\x1b]0;owned\\x07Partners at the Crossroads"' in said[0], said
    assert "\x1b" not in "".join(said) and "\x07" not in "".join(said)




def test_serve_debug_log_escapes_a_requests_control_characters(capsys: pytest.CaptureFixture[str]):
    """With --debug, each request is logged: its line is the client's, escaped as http.server's
    own log escapes it (storymap's log replaced that one)."""
    from types import SimpleNamespace

    from storymap.serve import _Handler

    handler = _Handler.__new__(_Handler)  # (no socket: only its log is used)
    handler.server = SimpleNamespace(dev=SimpleNamespace(debug=True))
    handler.client_address = ("127.0.0.1", 5000)
    handler.log_message('"%s" %s %s', "GET /\x1b]0;owned\x07 HTTP/1.1", "404", "-")
    said = capsys.readouterr().err
    assert "\x1b" not in said and "\x07" not in said and "GET /\\x1b]0;owned\\x07 HTTP/1.1" in said


def test_schema_printed_for_a_story_escapes_its_labels_control_characters(tmp_path: Path):
    folder = _copy_story(tmp_path)
    toml = (folder / "story.toml").read_text("utf-8")
    (folder / "story.toml").write_text(toml.replace('label = "Canal"', 'label = "Ca\\u009b2J\\u202enal"', 1), "utf-8")
    result = CliRunner().invoke(cli, ["schema", "places", "--story", str(folder)], color=True)
    assert result.exit_code == 0
    assert not _raw_controls(result.output)
    assert "Ca\x9b2J\u202enal" in json.dumps(json.loads(result.output), ensure_ascii=False)  # the same JSON


def test_ids_match_in_full(tmp_path: Path):
    folder = _copy_story(tmp_path)
    toml = (folder / "story.toml").read_text("utf-8").replace('id = "overview"', 'id = "overview\\n"', 1)
    (folder / "story.toml").write_text(toml, "utf-8")
    doc = json.loads((folder / "places.geojson").read_text("utf-8"))
    doc["features"][0]["id"] += "\n"
    (folder / "places.geojson").write_text(json.dumps(doc), "utf-8")
    report = _problems(folder)
    assert "'overview\\n' is not a valid id" in report
    assert "'socsouth-hq\\n' is not a valid id" in report
    for bad in ("a\n", "a\r", "a\t", "\na", "a-\n"):
        with pytest.raises(ValueError):
            storymap.Step(id=bad, title="t")


@pytest.mark.parametrize("view", ["{ center = [nan, 9.0], zoom = 8 }", "{ center = [-79.5, inf], zoom = 8 }",
                                  "{ center = [-79.5, 9.0], zoom = nan }",
                                  "{ bounds = [[-80.0, 8.9], [inf, 9.4]] }", "{ bounds = [[-inf, 8.9], [-79.5, nan]] }"])
def test_views_take_finite_numbers_only(tmp_path: Path, view: str):
    folder = _copy_story(tmp_path)
    toml = (folder / "story.toml").read_text("utf-8").replace('id = "overview"', f'id = "overview"\nview = {view}', 1)
    (folder / "story.toml").write_text(toml, "utf-8")
    assert re.search(r'step "overview" \(steps\[0\]\) view\S*: .*(finite|nan|inf)', _problems(folder), re.I)


def test_output_must_be_a_regular_file_or_absent(tmp_path: Path):
    story = storymap.load(GEODATA)
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    folder = tmp_path / "dir.html"
    folder.mkdir()
    for target, kind in ((fifo, "a FIFO"), (folder, "a directory"), (Path("/dev/null"), "a device")):
        with pytest.raises(ValueError, match=f"is {kind}; a page is written only to a regular file"):
            story.save(target)
    assert stat.S_ISFIFO(fifo.stat().st_mode) and folder.is_dir() and stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left
    result = CliRunner().invoke(cli, ["build", str(GEODATA), "-o", str(fifo)])
    assert result.exit_code == 1 and "is a FIFO" in result.stderr and "Traceback" not in result.output
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    # A regular file, and a link to one, are written (the link is replaced, its target left alone).
    (tmp_path / "old.html").write_text("old", "utf-8")
    (tmp_path / "link.html").symlink_to(tmp_path / "old.html")
    story.save(tmp_path / "link.html")
    assert (tmp_path / "old.html").read_text("utf-8") == "old" and not (tmp_path / "link.html").is_symlink()


def test_every_file_build_py_writes_is_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    tree = ast.parse((ROOT / "build.py").read_text("utf-8"))
    calls = {node.func.attr for node in ast.walk(tree) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Attribute)}
    assert calls & {"write_text", "write_bytes", "open", "write"} == set()  # only save() and write_atomic()
    assert {"save", "write_atomic"} <= calls
    # write_atomic: a failure while renaming leaves the old file whole and no temporary file behind.
    page = tmp_path / "article.html"
    page.write_text("old article", "utf-8")
    page.chmod(0o640)
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    with pytest.raises(OSError):
        write_atomic(page, "new article")
    assert page.read_text("utf-8") == "old article" and sorted(p.name for p in tmp_path.iterdir()) == ["article.html"]
    monkeypatch.undo()
    write_atomic(page, "new article")
    assert page.read_text("utf-8") == "new article" and stat.S_IMODE(page.stat().st_mode) == 0o640


# Heavy files (their budgets: benchmarks/heavy.py) -------------------------------------------------

def test_a_story_of_thousands_of_points_builds_whole(tmp_path: Path):
    story = storymap.load(write_story(tmp_path / "heavy", 3000))
    html = story.to_html()
    assert html.count('class="storymap-place"') == 3000 and '"p2999"' in html


def test_thousands_of_unknown_places_are_each_reported_with_a_suggestion(tmp_path: Path):
    folder = write_story(tmp_path / "unknown", 2000, unknown=1500)
    with pytest.raises(storymap.StoryError) as info:
        storymap.load(folder)
    problems = [p for p in info.value.problems if "unknown place" in p.message]
    assert len(problems) == 1500
    names = [f"p{i}x" if i % 2 else f"place-{i}" for i in range(1500)]
    one_by_one = Suggester([f"p{i}" for i in range(2000)])
    for problem, name in zip(problems, names):  # the batch gives what asking one name at a time gives
        close = one_by_one(name)
        assert problem.message == f"unknown place {name!r}" + (f"; did you mean {close!r}?" if close else "")
    assert sum("did you mean" in p.message for p in problems) > 1400


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(list("abcXYZ019 .,;:()-+=\"'?/%$@^{}\xa0é\u2028\u00ad") +
                                ["\u200b", "\t", "\n", "&", "<", "*", "_", "1.", "1)", "#", "  ", "[x](y)"]),
                max_size=12).map("".join))
def test_plain_annotations_skip_the_parser_with_the_same_result(text: str):
    fast = _plain_paragraph(text)
    assert fast is None or fast == _markdown_html(text)


# folium elements -------------------------------------------------------------------------------

HOSTILE_TIP = "${document.title='PWNED'}<img src=x onerror=\"__xss('tooltip')\">"
HOSTILE_POPUP = "<b>bold</b> `${__xss('popup')}` <img src=x onerror=\"__xss('popup-img')\"><script>__xss('s')</script>"


def _folium_story() -> storymap.Story:
    story = storymap.load(GEODATA)
    story.add_layer(folium.Marker([9.0, -79.5], tooltip=HOSTILE_TIP, popup=HOSTILE_POPUP), "Marker")
    story.add_layer(folium.CircleMarker([9.1, -79.6], radius=8, tooltip=folium.Tooltip(HOSTILE_TIP, style="color: teal"),
                                        popup=folium.Popup(HOSTILE_POPUP, max_width=250)), "Circle")
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"n": payload, "o": {"nested": payload}},
         "geometry": {"type": "Point", "coordinates": [-79.4 + k * 0.01, 9.2]}} for k, payload in enumerate(PAYLOADS)]}
    story.add_layer(folium.GeoJson(data, tooltip=folium.GeoJsonTooltip(["n", "o"], aliases=["<b>N</b>", "O"]),
                                   popup=folium.GeoJsonPopup(["n"])), "Data")
    group = folium.FeatureGroup(name="__proto__")  # added to story.map directly, not through add_layer
    folium.Marker([9.3, -79.3], tooltip="proto").add_to(group)
    group.add_to(story.map)
    return story


def test_folium_text_reaches_the_page_only_as_json_strings():
    html = _folium_story().to_html()
    script = html[html.rindex("<script>"):]
    assert "$(`" not in script and "bindTooltip(`" not in script  # no template strings, no jQuery
    assert '"${document.title=\'PWNED\'}"' in script  # the tooltip's text, in a JSON string
    assert "onerror" not in sanitize_html(HOSTILE_POPUP) and "<b>bold</b>" in sanitize_html(HOSTILE_POPUP)
    assert "__xss('s')" not in script  # the script element's content is dropped, not kept as text
    assert '["__proto__"]: ' in script  # a computed key: the layer is a layer, not the registry's prototype


def test_leaflet_loops_are_routed_past_polluted_prototypes():
    js = assets.leaflet_js()
    assert js.count(assets.OWN_KEYS + "(") == 43  # every for-in loop of Leaflet 1.9.4
    assert not re.search(r"for\((var )?[\w$]+ in (?!" + assets.OWN_KEYS + r"\()", js)
    with pytest.raises(ValueError, match="for-in loops"):
        assets.guard_for_in("for(k in o)x(k);", expected=43)
    # A name or a chain of properties is passed as it is; any other expression in parentheses of
    # its own (a comma expression's last operand is the loop's object, as it was).
    guarded = assets.guard_for_in("for(k in this._layers)a(k);for(var k in e.touches=[],Yt)b(k);for(k in t[E])c(k);",
                                  expected=3)
    keys = assets.OWN_KEYS
    assert guarded == (f"for(k in {keys}(this._layers))a(k);for(var k in {keys}((e.touches=[],Yt)))b(k);"
                       f"for(k in {keys}((t[E])))c(k);")


# Embedding -------------------------------------------------------------------------------------

def test_embed_snippet_sandboxes_the_frame_and_refuses_odd_heights():
    snippet = storymap.embed_snippet("https://maps.example/story/", title="Story")
    assert f'sandbox="{SANDBOX}"' in snippet and f'referrerpolicy="{REFERRER_POLICY}"' in snippet
    assert set(SANDBOX.split()) == {"allow-scripts", "allow-same-origin", "allow-popups",
                                    "allow-popups-to-escape-sandbox"}  # no top navigation, forms or modals
    assert "event.origin" in snippet and f"Math.min({MAX_HEIGHT}, Math.max({MIN_HEIGHT}" in snippet
    for bad in (True, False, 1.5, "640", 0, MIN_HEIGHT - 1, MAX_HEIGHT + 1, None):
        with pytest.raises(ValueError, match="height"):
            storymap.embed_snippet("index.html", height=bad)
    assert 'width="100%" height="400"></iframe>' in storymap.embed_snippet("index.html", height=400)
    # The story clamps the heights it reports to the same range.
    story_js = (ROOT / "storymap" / "static" / "story.js").read_text("utf-8")
    assert f"var MIN_HEIGHT = {MIN_HEIGHT}, MAX_HEIGHT = {MAX_HEIGHT};" in story_js
    assert CliRunner().invoke(cli, ["embed", "https://maps.example/", "--height", "100"]).exit_code == 2


def test_allowed_origins_are_bare_origins(tmp_path: Path):
    story = storymap.load(GEODATA)
    assert story.allowed_origins == [] and '"origins":[]' in story.to_html(fragment=True)
    story.allowed_origins = "https://news.example"
    assert story.allowed_origins == ["https://news.example"]
    for bad in ("https://news.example/", "https://news.example/article", "*", "https://News.example", "javascript:x",
                "news.example", "https://news.example:99999999"):
        with pytest.raises(storymap.StoryError, match="allowed_origins"):
            story.allowed_origins = [bad]
    folder = _copy_story(tmp_path)
    toml = (folder / "story.toml").read_text("utf-8").replace('lang = "en"', 'lang = "en"\nallowed_origins = '
                                                               '["https://news.example", "http://localhost:8000"]', 1)
    (folder / "story.toml").write_text(toml, "utf-8")
    assert '"origins":["https://news.example","http://localhost:8000"]' in storymap.load(folder).to_html()


# Browser: hostile hosts ------------------------------------------------------------------------

SENTINELS = """window.__xssHits = []; window.__xss = function (n) { window.__xssHits.push(String(n)); };"""
HOST = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host</title>{head}</head>
<body><h1>Host page</h1>{body}<p>Between.</p>{fragment}<p>And again.</p>{fragment}</body></html>"""
HOSTS = {
    # Named elements the browser also puts on window, and enumerable properties on the prototypes.
    "junk-globals": ('<script>Object.prototype.polluted = function () {}; Array.prototype.alsoPolluted = 1;'
                     'window.define = function () {}; window.define.amd = true;</script>',
                     '<div id="L"></div><div id="exports"></div><div id="module"></div>'),
    # A host whose window.L is junk it cannot even replace.
    "read-only-L": ("<script>Object.defineProperty(window, 'L', {value: {host: true}, writable: false});</script>", ""),
    # A host with its own Leaflet (a separate copy, as a CMS would load it) and its own map.
    "own-leaflet": ('<script src="leaflet.js"></script><script>L.hostMark = true;</script>',
                    '<div id="hostmap" style="height:100px"></div>'
                    '<script>window.hostMap = L.map("hostmap").setView([0, 0], 2);</script>'),
}


@pytest.fixture(scope="module")
def hostile_pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile-hosts")
    fragment = storymap.load(GEODATA).to_html(fragment=True)
    (out / "leaflet.js").write_text(assets._LEAFLET.joinpath("leaflet.js").read_text("utf-8"), "utf-8")
    for name, (head, body) in HOSTS.items():
        (out / f"{name}.html").write_text(HOST.format(head=head, body=body, fragment=fragment), "utf-8")
    story = _folium_story()
    story.save(out / "folium.html")
    (out / "folium-host.html").write_text(HOST.format(head="", body="", fragment=story.to_html(fragment=True)), "utf-8")
    return out


def _open(make_page, path: Path):
    run = make_page(reduced_motion="reduce")
    run.page.add_init_script(SENTINELS)
    run.page.goto(path.as_uri())
    run.page.wait_for_function(READY, timeout=15_000)
    return run


@pytest.mark.browser
@pytest.mark.parametrize("host", list(HOSTS))
def test_fragments_run_whatever_the_host_put_on_window(hostile_pages: Path, make_page, host: str):
    run = _open(make_page, hostile_pages / f"{host}.html")
    roots = run.page.locator("[data-storymap]")
    roots.nth(1).locator(".storymap-next").click()
    run.js("() => void document.querySelector('[data-storymap]').storymap.goTo('the-canal')")
    run.page.wait_for_function(READY)
    assert run.js("() => [...document.querySelectorAll('[data-storymap]')].map(r => r.storymap.index)") == [
        [s.id for s in storymap.load(GEODATA).steps].index("the-canal"), 1]
    # A place's card opens as a popup, on both stories' maps.
    cards = run.js("""() => [...document.querySelectorAll('[data-storymap]')].map(root => {
      const sm = root.storymap; let text = null;
      sm.layers['Story places'].eachLayer(g => { if (text === null && g.getPopup && g.getPopup()) { g.openPopup();
        const el = g.getPopup().getElement(); text = el ? el.textContent : ''; g.closePopup(); } });
      return text; })""")
    assert all(cards), cards
    # What the host had is as it was; storymap added nothing.
    host_l = run.js("""() => window.L instanceof HTMLElement ? 'the element' : Object.keys(window.L || {}).filter(
      k => ['host', 'hostMark', 'storymap'].includes(k)).sort()""")
    assert host_l == {"junk-globals": "the element", "read-only-L": ["host"], "own-leaflet": ["hostMark"]}[host]
    if host == "own-leaflet":  # the host's map still works with its own Leaflet
        assert run.js("() => window.hostMap instanceof L.Map && !!window.hostMap.getCenter()")
    # Both stories go as a single-page app takes them down (with the junk on the prototypes,
    # destroy() threw: Leaflet's remove() reached a group's member the group had taken away).
    assert run.js("""() => [...document.querySelectorAll('[data-storymap]')].map(root => {
      const box = root.storymap.map.getContainer(); root.storymap.destroy();
      return [box.children.length, box.className]; })""") == [[0, "storymap-map"]] * 2
    assert run.errors == [] and run.outside == [] and run.js("() => window.__xssHits") == []


OPEN_ALL = """() => {
  const root = document.querySelector('[data-storymap]'), sm = root.storymap, shown = [];
  sm.goTo('overview');
  ['Marker', 'Circle', 'Data', '__proto__'].forEach(name => {
    const group = sm.layers[name];
    if (!sm.map.hasLayer(group)) sm.map.addLayer(group);
    group.eachLayer(layer => {
      const leaves = layer.getLayers ? layer.getLayers() : [layer];
      leaves.forEach(leaf => {
        const owner = layer.getPopup && layer.getPopup() ? layer : leaf;
        if (owner.getPopup && owner.getPopup()) {
          owner.openPopup(leaf.getLatLng ? leaf.getLatLng() : undefined);
          const content = owner.getPopup().getElement() && owner.getPopup().getElement().querySelector('.leaflet-popup-content');
          if (content) shown.push('popup ' + content.textContent.trim());
          owner.closePopup();
        }
        const tipOwner = layer.getTooltip && layer.getTooltip() ? layer : leaf;
        if (tipOwner.getTooltip && tipOwner.getTooltip()) {
          tipOwner.openTooltip(leaf.getLatLng ? leaf.getLatLng() : undefined);
          const el = tipOwner.getTooltip().getElement();
          if (el) shown.push('tooltip ' + el.textContent.trim());
          tipOwner.closeTooltip();
        }
      });
    });
  });
  return {shown, title: document.title, proto: Object.getPrototypeOf(sm.layers) === Object.prototype,
          protoLayer: Object.prototype.hasOwnProperty.call(sm.layers, '__proto__') &&
            typeof sm.layers['__proto__'].addTo === 'function' && !('addTo' in {}),
          injected: root.querySelectorAll('.leaflet-popup-pane img, .leaflet-tooltip-pane img, script').length};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("page", ["folium.html", "folium-host.html"])
def test_folium_popups_and_tooltips_work_and_run_nothing(hostile_pages: Path, make_page, page: str):
    run = _open(make_page, hostile_pages / page)
    run.page.evaluate("() => { window.__csp = []; document.addEventListener('securitypolicyviolation', "
                      "e => window.__csp.push(e.violatedDirective)); }")
    result = run.js(OPEN_ALL)
    title = "Partners at the Crossroads" if page == "folium.html" else "Host"
    assert result["title"] == title and run.js("() => window.__xssHits") == []
    assert result["injected"] == 0 and result["proto"] and result["protoLayer"]
    shown = result["shown"]
    assert "tooltip ${document.title='PWNED'}" in shown  # the text as it was given, shown as text
    assert "popup bold `${__xss('popup')}`" in [" ".join(s.split()) for s in shown]
    assert any(s.startswith("tooltip <b>N</b>" + PAYLOADS[0]) for s in shown)  # GeoJsonTooltip: alias and value as text
    assert "tooltip proto" in shown
    assert run.errors == [] and run.outside == [] and run.js("() => window.__csp") == []


# Browser: an article, the story and an attacker on three origins ---------------------------------

NEWS, MAPS, EVIL = "https://news.example", "https://maps.example", "https://evil.example"
ARTICLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Article</title></head><body>
<h1>Article</h1>{snippet}<script>window.__got = []; window.addEventListener('message', e => {{
  if (e.data && typeof e.data.type === 'string') window.__got.push(Object.assign({{origin: e.origin}}, e.data)); }});
</script></body></html>"""
ATTACK = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><script>
parent.postMessage({type: 'storymap:height', height: 19999}, '*');
parent.postMessage({type: 'storymap:height', height: 0.0001}, '*');
document.title = 'sent';
</script></body></html>"""


@pytest.mark.browser
def test_the_snippet_works_under_a_policy_without_inline_styles(browser, origins):
    """The snippet sized its frame with a style attribute, which a policy without 'unsafe-inline'
    blocks: the frame fell back to 300 px wide, bordered. What `storymap embed --policy` prints is
    all such an article has to allow."""
    context, page, opened, errors = _serve(browser, origins)
    try:
        page.goto(f"{NEWS}/strict.html")
        _framed(page)
        page.wait_for_function("() => document.querySelector('iframe').getBoundingClientRect().height !== 640")
        frame = page.evaluate("""() => { const f = document.querySelector('iframe'), s = getComputedStyle(f);
          return [f.getBoundingClientRect().width, f.clientWidth, s.display, s.borderTopWidth,
                  document.querySelector('main').clientWidth]; }""")
        assert frame[:4] == [frame[4], frame[4], "block", "0px"], frame  # the column's width, no border
        assert page.evaluate("window.__blocked") == [] and errors == []
    finally:
        context.close()


def _not_driven_from(page, url: str) -> None:
    """Open ``url`` (an article framing the story), ask the story to go to "the-canal" from there
    (not allowed), then step it once from inside: it must stand at step 1, not at the canal."""
    page.goto(url)
    frame = _framed(page)
    page.evaluate("""() => document.querySelector('iframe').contentWindow.postMessage(
      {type: 'storymap:goto', step: 'the-canal'}, '*')""")
    frame.evaluate("void document.querySelector('[data-storymap]').storymap.next()")
    page.wait_for_function("() => window.__got.some(m => m.type === 'storymap:step' && m.index === 1)")
    assert frame.evaluate("document.querySelector('[data-storymap]').storymap.index") == 1


@pytest.fixture(scope="module")
def origins():
    """What each origin serves: the story (allowed: the news site), the same story allowing nobody,
    the article framing each, and an attacker framing the first and posting heights."""
    story = storymap.load(GEODATA)
    plain = story.to_html()
    story.allowed_origins = [NEWS]
    allowed = story.to_html()
    snippet = storymap.embed_snippet(f"{MAPS}/story.html", title="Story").replace(' loading="lazy"', "")
    return {
        f"{MAPS}/story.html": allowed,
        f"{MAPS}/plain.html": plain,
        f"{NEWS}/article.html": ARTICLE.format(snippet=snippet),
        f"{NEWS}/strict.html": STRICT.format(snippet=snippet),
        f"{NEWS}/plain.html": ARTICLE.format(snippet=snippet.replace("story.html", "plain.html")),
        f"{EVIL}/article.html": ARTICLE.format(snippet=snippet),
        f"{EVIL}/attack.html": ATTACK,
    }


# An article whose policy allows no inline style at all, only scripts by hash: its own, and the
# snippet's as `storymap embed --policy` names it, with the story's origin as a frame.
STRICT = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Strict</title></head><body>"
          "<main><h1>Strict</h1>{snippet}</main><script>window.__blocked = [];"
          " document.addEventListener('securitypolicyviolation', e => window.__blocked.push(e.violatedDirective));"
          "</script></body></html>")


def _policy(url: str, body: str) -> str | None:
    """The Content-Security-Policy header of the strict article (None for the other pages)."""
    if not url.endswith("/strict.html"):
        return None
    own = re.findall(r"<script>(.*?)</script>", body, re.S)[-1]
    from storymap.security import _hash
    return "default-src 'none'; " + storymap.embed_policy(MAPS + "/story.html").replace(";", f" {_hash(own)};", 1)


def _serve(browser, origins):
    context = browser.new_context(viewport={"width": 1100, "height": 800}, reduced_motion="reduce")
    opened, errors = [], []

    def route(r):
        url = r.request.url.split("#")[0]
        if url in origins:
            policy = _policy(url, origins[url])
            r.fulfill(status=200, content_type="text/html; charset=utf-8", body=origins[url],
                      headers={"content-security-policy": policy} if policy else {})
        elif any(host in url for host in TILE_HOSTS):
            r.fulfill(status=200, content_type="image/png", body=BLANK_PNG)
        else:
            opened.append(url)
            r.fulfill(status=200, content_type="text/html", body="<title>elsewhere</title>")

    context.route("**/*", route)
    context.on("page", lambda p: opened.append("new tab"))
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, opened, errors


def _framed(page):
    frame = page.frames[1]
    frame.wait_for_function(READY, timeout=15_000)
    return frame


def _height(page) -> float:
    return page.evaluate("() => document.querySelector('iframe[data-storymap-frame]').getBoundingClientRect().height")


@pytest.mark.browser
def test_only_the_allowed_origin_hears_titles_and_moves_the_story(browser, origins):
    context, page, opened, errors = _serve(browser, origins)
    try:
        steps = [s.id for s in storymap.load(GEODATA).steps]
        page.goto(f"{NEWS}/article.html")
        frame = _framed(page)
        # The allowed article hears each step with its title, and moves the story.
        page.evaluate(f"""() => document.querySelector('iframe').contentWindow.postMessage(
          {{type: 'storymap:goto', step: 'the-canal'}}, '{MAPS}')""")
        frame.wait_for_function(f"() => document.querySelector('[data-storymap]').storymap.index === {steps.index('the-canal')}")
        page.wait_for_function("() => window.__got.some(m => m.type === 'storymap:step' && m.id === 'the-canal')")
        step = page.evaluate("() => window.__got.find(m => m.type === 'storymap:step' && m.id === 'the-canal')")
        assert step["origin"] == MAPS and step["title"] and step["index"] == steps.index("the-canal")
        # Heights from the story's own document are clamped; from a page the frame is navigated to, ignored.
        for sent, kept in ((19999, MAX_HEIGHT), (0.0001, MIN_HEIGHT)):
            frame.evaluate(f"parent.postMessage({{type: 'storymap:height', height: {sent}}}, '*')")
            page.wait_for_function(f"() => document.querySelector('iframe').getBoundingClientRect().height === {kept}")
        frame.evaluate("parent.postMessage({type: 'storymap:height', height: 700}, '*')")
        page.wait_for_function("() => document.querySelector('iframe').getBoundingClientRect().height === 700")
        # A link the story renders (here Leaflet's attribution) opens a new tab: the frame stays on the story.
        # (Followed once the flight to the canal is over and the tiles are on the map, which
        # writes the attribution's links anew; and from the keyboard, as a reader may: a click at
        # the link's place opened nothing, twice in fresh-clone runs on a busy machine, where
        # something of the moving map may have lain over it.)
        frame.wait_for_function(READY)
        frame.wait_for_function("""() => { const s = document.querySelector('[data-storymap]').storymap;
          return Object.values(s.layers).some((l) => l instanceof L.TileLayer && s.map.hasLayer(l)); }""")
        with context.expect_page() as tab:
            frame.locator(".leaflet-control-attribution a").first.press("Enter")
        assert frame.url == f"{MAPS}/story.html#the-canal" and "new tab" in opened
        # ... which neither knows the story (rel="noreferrer": no Referer, and no window.opener).
        tab.value.wait_for_load_state()
        assert tab.value.evaluate("() => window.opener === null && document.referrer === ''")
        tab.value.close()
        frame.evaluate(f"() => {{ location.href = '{EVIL}/attack.html'; }}")
        # Both of the attacker's messages reached the article (its listener runs after the snippet's):
        page.wait_for_function("() => window.__got.some(m => m.height === 0.0001)")
        assert _height(page) == 700
        # The same story allowing nobody: the article hears ids and heights, no text, and cannot move it.
        _not_driven_from(page, f"{NEWS}/plain.html")
        got = page.evaluate("() => window.__got")
        assert {m["type"] for m in got} == {"storymap:step", "storymap:height"}
        assert all(set(m) <= {"origin", "type", "id", "index", "height"} for m in got), got
        # Another site framing the story that allows only the article: no titles, no driving.
        _not_driven_from(page, f"{EVIL}/article.html")
        assert not [m for m in page.evaluate("() => window.__got") if "title" in m]
        assert errors == []
    finally:
        context.close()
