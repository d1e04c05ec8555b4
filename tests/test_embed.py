"""Embedding: the fragment, the iframe protocol, the scroll layout and the example news page."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import TimeoutError as PlaywrightTimeout

import storymap
from storymap.cli import main as cli
from storymap.security import page_policy

from .conftest import GEODATA, ROOT, axe_violations

STEP_IDS = [s.id for s in storymap.load(GEODATA).steps]
READY = ("() => [...document.querySelectorAll('[data-storymap]')].length > 0 && "
         "[...document.querySelectorAll('[data-storymap]')].every(r => r.storymap && !r.hasAttribute('data-storymap-moving'))")
HOST = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<style>* {{ box-sizing: border-box; }} img {{ max-width: 100%; }} button {{ background: red; padding: 30px;
letter-spacing: 0.3em; text-transform: uppercase; }} body {{ margin: 0; font: 20px Georgia, serif; }}</style></head>
<body><h1>Host page</h1><p>Before.</p>{0}<p>Between.</p>{1}<p>After.</p></body></html>"""


# ------------------------------------------------------------------------------------- Python
def _top_level_split(selector_list: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in selector_list:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return parts + [current]


def test_fragment_has_no_document_tags_and_scoped_css():
    html = storymap.load(GEODATA).to_html(fragment=True)
    for tag in ("html", "head", "body", "!DOCTYPE", "title", "meta"):
        assert not re.search(rf"<{tag}[\s>]", html, re.I), tag
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert styles
    for css in styles:
        # (keyframes' own steps, from/to/50%, are no selectors of the page's elements)
        css = re.sub(r"@keyframes[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", css)
        selectors = []
        for head in re.findall(r"([^{}]+)\{", css):
            head = head.strip()
            if head.startswith("@"):
                continue
            selectors += [s.strip() for s in _top_level_split(head)]
        assert selectors
        outside = [s for s in selectors if not s.startswith((".storymap", ":where(.storymap)"))]
        assert outside == [], outside[:5]
    # storymap's own Leaflet, run once however many stories a page holds (issue 16: not the host's window.L);
    # the Panama story's map holds only storymap's own elements: its Leaflet is the trimmed one, under its own key.
    assert re.search(r"Symbol\.for\('storymap\.leaflet@1\.9\.4-trim\.[0-9a-f]{8}'\)", html) and "if (!window.L)" not in html


def test_layout_choice_from_data_and_argument(story_dir: Path):
    story = storymap.load(GEODATA)
    assert 'data-layout="slides"' in story.to_html()
    assert 'data-layout="scroll"' in story.to_html(layout="scroll")
    with pytest.raises(ValueError, match="unknown layout 'carousel'; expected one of slides, scroll"):
        story.to_html(layout="carousel")
    toml = (story_dir / "story.toml").read_text("utf-8").replace('layout = "slides"', 'layout = "scroll"')
    (story_dir / "story.toml").write_text(toml, "utf-8")
    assert 'data-layout="scroll"' in storymap.load(story_dir).to_html()



def page_policy_hash(script: str) -> str:
    """The hash a page's policy names ``script`` by, as storymap.security.page_policy finds it."""
    found = re.search(r"script-src ('sha256-[^']+')", page_policy(f"<script>{script}</script>"))
    assert found
    return found.group(1)


def test_embed_snippet():
    snippet = storymap.embed_snippet("https://news.example/map/#the-canal", title='A "story"')
    assert '<iframe src="https://news.example/map/#the-canal" title="A &quot;story&quot;"' in snippet
    assert "event.source !== frame.contentWindow" in snippet and "storymap:height" in snippet
    # No style attribute (a policy without 'unsafe-inline' blocks it): sized by attributes, styled by the script.
    assert "style=" not in snippet and 'width="100%" height="640"></iframe>' in snippet
    policy = storymap.embed_policy("https://News.example:8443/map/#the-canal")
    script = snippet[snippet.index("<script>") + len("<script>"):snippet.index("</script>")]
    assert policy == f"script-src {page_policy_hash(script)}; frame-src https://news.example:8443"
    assert storymap.embed_policy("../map/").endswith("; frame-src 'self'")
    result = CliRunner().invoke(cli, ["embed", "https://news.example/map/", "--policy"])
    assert result.exit_code == 0 and result.stdout == storymap.embed_policy("https://news.example/map/") + "\n"
    with pytest.raises(ValueError, match="http"):
        storymap.embed_policy("javascript:alert(1)")
    with pytest.raises(ValueError, match="http"):
        storymap.embed_snippet("javascript:alert(1)")
    with pytest.raises(ValueError, match="height"):
        storymap.embed_snippet("index.html", height=0)


@pytest.mark.parametrize("title", ["", "   "])
def test_an_embedded_story_always_has_an_accessible_name(title: str):
    """The iframe's title is what a screen reader announces for the frame: a blank one is refused
    (it made ``title="  "``), by the function and by the command (a usage error naming --title)."""
    with pytest.raises(ValueError, match="title must name the story for screen readers"):
        storymap.embed_snippet("https://news.example/s/", title=title)
    result = CliRunner().invoke(cli, ["embed", "https://news.example/s/", "--title", title])
    assert result.exit_code == 2 and "Invalid value for --title: title must name the story" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("url, host", [("example.org/story/", "example.org"), ("www.news.example/s#the-canal",
                                                                              "www.news.example"),
                                        ("story/index.html", None), ("../s/", None), ("index.html", None),
                                        ("https://example.org/story/", None)])
def test_embed_notes_a_site_written_without_its_scheme(url: str, host):
    """``storymap embed example.org/story/`` makes an iframe of a path beside the article (the site's
    404 in the frame): the snippet is still printed, and a note on stderr says what to write."""
    result = CliRunner().invoke(cli, ["embed", url])
    assert result.exit_code == 0 and result.stdout == storymap.embed_snippet(url)
    if host is None:
        assert result.stderr == ""
    else:
        assert result.stderr == (f"storymap embed: note: {url!r} has no scheme, so a browser takes it as a path "
                                 f"beside the page that embeds the story; for the site {host}, write https://{url}\n")


def test_embed_takes_the_storys_title_and_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Without --title the frame of a Portuguese story was named "Story map" in English, and
    --lang pt added ?lang=pt to a page that opens in Portuguese anyway. Told the story (a Story,
    its folder, or the page build wrote), embed names the frame by the story's title in the
    language it opens in, says that language, and adds ?lang= only for another of its languages."""
    from storymap.scaffold import new_story

    new_story(tmp_path / "pt", title="Os portos do Atlântico", lang="pt")
    portuguese = storymap.load(tmp_path / "pt")
    for story in (portuguese, tmp_path / "pt", tmp_path / "pt" / "story.toml"):
        for lang in (None, "pt", "PT"):
            frame = storymap.embed_snippet("https://news.example/s/#paris", story=story, lang=lang).split("\n")[0]
            assert frame.startswith('<iframe src="https://news.example/s/#paris" title="Os portos do Atlântico" '
                                    'lang="pt" data-storymap-frame'), frame
    assert 'title="Mapa"' in storymap.embed_snippet("s/", story=portuguese, title="Mapa")  # (given: kept)
    with pytest.raises(ValueError, match="the story is not in 'es'; its languages are pt"):
        storymap.embed_snippet("s/", story=portuguese, lang="es")
    # A story in two languages: the other one is asked for, and named in it.
    spanish = storymap.embed_snippet("https://news.example/s/", story=GEODATA, lang="es")
    assert spanish.startswith('<iframe src="https://news.example/s/?lang=es" title="Socios en la encrucijada" lang="es" ')
    # (A URL that asks for the other language is told the story's own.)
    assert 'src="s/?lang=en" title="Partners at the Crossroads" lang="en"' in storymap.embed_snippet(
        "s/?lang=es", story=GEODATA, lang="en")
    # Nothing known: as before.
    assert 'src="s/?lang=pt" title="Story map" data-storymap-frame' in storymap.embed_snippet("s/", lang="pt")

    # The command: --story FOLDER, --story PAGE, or the page a relative URL names here.
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["build", str(GEODATA), "-o", "dist/", "--no-social"]).exit_code == 0
    assert runner.invoke(cli, ["build", str(GEODATA), "-o", "frag.html", "--fragment"]).exit_code == 0
    for args in (["https://news.example/s/", "--story", str(GEODATA)], ["https://news.example/s/", "--story",
                 "dist/index.html"], ["dist/index.html"], ["dist/"]):
        result = runner.invoke(cli, ["embed", *args, "--lang", "es"])
        assert result.exit_code == 0, result.output
        assert '?lang=es" title="Socios en la encrucijada" lang="es" ' in result.stdout, args
        result = runner.invoke(cli, ["embed", *args, "--lang", "en"])
        assert f'<iframe src="{args[0]}" title="Partners at the Crossroads" lang="en" ' in result.stdout, args
        assert ("note: the title and the language are those of the page at dist/index.html" in result.stderr) == (
            len(args) == 1)
    result = runner.invoke(cli, ["embed", "s/", "--story", "pt", "--lang", "pt"])
    assert result.exit_code == 0 and result.stdout.startswith('<iframe src="s/" title="Os portos do Atlântico" lang="pt"')
    result = runner.invoke(cli, ["embed", "s/", "--story", "pt", "--lang", "fr"])
    assert result.exit_code == 2 and "Invalid value for --lang: the story is not in 'fr'; its languages are pt" in \
        result.stderr
    result = runner.invoke(cli, ["embed", "s/", "--story", "frag.html"])
    assert result.exit_code == 2 and "Invalid value for --story" in result.stderr and result.stdout == ""
    result = runner.invoke(cli, ["embed", "frag.html", "--lang", "es"])  # (a fragment says nothing: as before)
    assert result.exit_code == 0 and 'src="frag.html?lang=es" title="Story map" data' in result.stdout


def test_cli_build_fragment_layout_and_embed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(ROOT)

    def run(*args):
        return CliRunner().invoke(cli, list(args))
    out = tmp_path / "fragment.html"
    result = run("build", str(GEODATA), "-o", str(out), "--fragment", "--layout", "scroll")
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert "<html" not in text and 'data-layout="scroll"' in text
    result = run("embed", "https://news.example/story/")
    assert result.exit_code == 0 and result.stdout.startswith('<iframe src="https://news.example/story/"')
    assert run("build", "--layout", "carousel").exit_code == 2
    result = run("embed", "javascript:alert(1)")
    assert result.exit_code == 2 and "Invalid value for URL: src must be an http(s) or relative URL" in result.stderr
    for command in ("build", "validate", "embed"):
        assert run(command, "--help").exit_code == 0
    # The installed command runs as a module too (what `storymap` on the PATH calls).
    result = subprocess.run([sys.executable, "-m", "storymap.cli", "embed", "--help"], capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode == 0 and "Usage:" in result.stdout


# ------------------------------------------------------------------------------------ Browser
@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """A standalone page, a scroll page, fragments and host pages, built once."""
    story = storymap.load(GEODATA)
    out = tmp_path_factory.mktemp("embed")
    story.save(out / "index.html")
    story.save(out / "scroll.html", layout="scroll")
    fragment = story.to_html(fragment=True)
    scroll_fragment = story.to_html(fragment=True, layout="scroll")
    (out / "two-fragments.html").write_text(HOST.format(fragment, fragment), "utf-8")
    (out / "scroll-fragment.html").write_text(HOST.format(scroll_fragment, ""), "utf-8")
    (out / "empty-host.html").write_text(HOST.format("", ""), "utf-8")
    # A fragment in one language without symbols, then one that draws a symbol and scrolls: each
    # brings the parts of storymap's script it needs.
    ports = storymap.load(ROOT / "examples" / "ports").to_html(fragment=True, layout="scroll")
    (out / "mixed-fragments.html").write_text(HOST.format(story.to_html(fragment=True, languages=["es"]), ports),
                                              "utf-8")
    # A fragment in one language, then one in two (whose script brings the language switch).
    (out / "one-then-two-languages.html").write_text(
        HOST.format(story.to_html(fragment=True, languages=["en"]), story.to_html(fragment=True)), "utf-8")
    (out / "frame-host.html").write_text(HOST.format(
        storymap.embed_snippet("index.html", title="Story").replace(' loading="lazy"', ""), ""), "utf-8")
    # An article with a sticky header (which its anchors scroll clear of) and the story far below its start.
    (out / "long-article.html").write_text(LONG_ARTICLE.format(fragment, ""), "utf-8")
    # (and the header's height given to a scroll story's sticky map)
    (out / "long-scroll-article.html").write_text(LONG_ARTICLE.format(scroll_fragment, "--storymap-top: 64px;"), "utf-8")
    # (a slides story told the header's height with --storymap-top alone: the page sets no scroll-padding-top)
    (out / "top-article.html").write_text(TOP_ARTICLE.format(fragment), "utf-8")
    scroll_frame = '<iframe src="scroll.html" title="Scroll story" style="display:block;width:100%;height:700px;border:0"></iframe>'
    (out / "scroll-frame-host.html").write_text(HOST.format(scroll_frame, ""), "utf-8")
    return out


def test_two_fragments_work_independently_and_leaflet_runs_once(pages: Path, make_page):
    run = make_page()
    # Leaflet's UMD sets window.L as it runs (storymap then gives the host's back): count the Leaflets set.
    run.page.add_init_script("""(() => { const seen = new Set(); let v; Object.defineProperty(window, 'L', {
      configurable: true, get() { return v; }, set(x) { if (x && x.version) seen.add(x); v = x; }});
      window.__leafletRuns = () => seen.size; })();""")
    run.page.goto((pages / "two-fragments.html").as_uri())
    run.page.wait_for_function(READY)
    assert run.js("() => window.__leafletRuns()") == 1
    roots = run.page.locator("[data-storymap]")
    assert roots.count() == 2
    ids = run.js("() => [...document.querySelectorAll('[data-storymap]')].map(r => r.id)")
    assert len(set(ids)) == 2  # the same fragment twice: the second got fresh ids
    every = run.js("() => [...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(every) == len(set(every)), sorted(i for i in every if every.count(i) > 1)  # (its map's, its article's)
    roots.nth(1).locator(".storymap-next").click()
    roots.nth(1).locator(".storymap-next").click()
    assert run.js("() => [...document.querySelectorAll('[data-storymap]')].map(r => r.storymap.index)") == [0, 2]
    # (the second's narratives come from its own article, whose id it changed)
    assert run.js("""() => document.querySelectorAll('[data-storymap]')[1]
      .querySelector('.storymap-step:not([hidden]) .storymap-narrative').textContent.trim().length""") > 50
    roots.nth(0).locator(".storymap-next").click()
    assert run.js("() => [...document.querySelectorAll('[data-storymap]')].map(r => r.storymap.index)") == [1, 2]
    # A fragment never rewrites the host's URL or its title, and hears keys only when focus is inside it.
    assert run.js("() => [location.hash, document.title]") == ["", "Host"]
    run.js("() => document.activeElement.blur()")
    run.page.keyboard.press("ArrowRight")
    assert run.js("() => [...document.querySelectorAll('[data-storymap]')].map(r => r.storymap.index)") == [1, 2]
    roots.nth(0).locator(".storymap-next").focus()
    run.page.keyboard.press("ArrowRight")
    assert run.js("() => [...document.querySelectorAll('[data-storymap]')].map(r => r.storymap.index)") == [2, 2]
    # Each story's map shows its own step.
    for i in range(2):
        assert run.js(f"() => document.querySelectorAll('[data-storymap]')[{i}].storymap.map.getContainer()"
                      f".closest('[data-storymap]') === document.querySelectorAll('[data-storymap]')[{i}]")
    assert run.errors == [] and run.outside == []


def test_fragment_defines_no_globals(pages: Path, make_page):
    empty = make_page()
    empty.page.goto((pages / "empty-host.html").as_uri())
    before = set(empty.js("() => Object.keys(window)"))
    run = make_page()
    run.page.goto((pages / "two-fragments.html").as_uri())
    run.page.wait_for_function(READY)
    after = set(run.js("() => Object.keys(window)"))
    # Only the expando Leaflet's maps leave on window for resize events; storymap's Leaflet is its own
    # (issue 16: no window.L left behind by a fragment).
    assert after - before <= {"_leaflet_events"}
    assert run.js("() => typeof window.L") == "undefined"
    page = make_page()
    page.open(pages / "index.html")  # a standalone page is storymap's own document: there L is global
    # (L.storymap.SymbolMarker is in pages whose kinds draw a symbol other than a circle, and
    # dataLayer in pages with layers of geodata added from Python: the Panama story has neither.)
    assert page.js("() => Object.keys(L.storymap).sort()") == sorted([
        "version", "claim", "defaultIcons", "mapOptions", "scale", "Basemap", "basemap", "Legend", "Story", "story",
        "Labels", "labels", "Timeline", "util"])


@pytest.mark.browser
def test_a_fragment_whose_script_never_runs_says_so_over_the_map(tmp_path: Path, make_page):
    """A CMS that strips scripts, a host policy without the script's hash: the reader found an
    empty map and a Next button that did nothing. After a while (a CSS animation: no script needed)
    a note says so, linking to the story's own page where it has a base_url."""
    story = storymap.load(GEODATA)
    story.base_url = "https://news.example/panama/"
    fragment = story.to_html(fragment=True)
    stripped = re.sub(r"<script>.*?</script>", "", fragment, flags=re.S)
    assert "<script" not in stripped
    (tmp_path / "stripped.html").write_text(HOST.format(stripped, ""), "utf-8")
    (tmp_path / "working.html").write_text(HOST.format(fragment, ""), "utf-8")
    note = """() => { const n = document.querySelector('.storymap-stalled'), a = n.querySelector('a');
      return [getComputedStyle(n).visibility, n.textContent, a && a.href]; }"""
    finish = "() => document.getAnimations().forEach((a) => a.finish())"  # (the 8 s, at once)
    run = make_page()
    run.page.goto((tmp_path / "stripped.html").as_uri())
    assert run.js(note)[0] == "hidden"  # (not at once: a script may be slow to start)
    run.js(finish)
    assert run.js(note) == ["visible", "The map and the rest of the story could not start here. Read the story on "
                            "its own page", "https://news.example/panama/"]
    next_look = "() => getComputedStyle(document.querySelector('.storymap-next')).opacity"
    assert float(run.js(next_look)) < 0.5  # (Next, which does nothing, looks it)
    # Over the map, clear of the story's text panel.
    box, panel = (run.js(f"() => {{ const r = document.querySelector('{s}').getBoundingClientRect(); "
                         "return [r.left, r.right, r.top, r.bottom]; }") for s in (".storymap-stalled", ".storymap-panel"))
    assert box[0] >= panel[1] and box[2] >= 0
    # A story that started never shows it, nor once it is taken down.
    run = make_page()
    run.page.goto((tmp_path / "working.html").as_uri())
    run.page.wait_for_function(READY)
    run.js(finish)
    assert run.js(note)[0] == "hidden" and float(run.js(next_look)) == 1
    run.js("() => document.querySelector('[data-storymap]').storymap.destroy()")
    run.js(finish)
    assert run.js(note)[0] == "hidden" and run.errors == []
    # A standalone page (its own document, its script allowed by its own policy) carries no note.
    assert "storymap-stalled" not in story.to_html()


def test_fragments_that_need_other_parts_of_the_script_work_on_one_page(pages: Path, make_page):
    # The fragments on a page share storymap's namespace, made by the first one's script; the
    # second's brings what it needs and the first did not have: its symbols, its scroll layout.
    run = make_page((1100, 800))
    run.page.goto((pages / "mixed-fragments.html").as_uri())
    run.page.wait_for_function(READY)
    state = run.js("""() => { const [plain, ports] = document.querySelectorAll('[data-storymap]');
      return {symbols: ports.querySelectorAll('.leaflet-marker-pane .storymap-symbol svg path').length,
              swatches: ports.querySelectorAll('.storymap-legend .storymap-swatch--symbol svg').length,
              plainSymbols: plain.querySelectorAll('.storymap-symbol, .storymap-swatch--symbol').length,
              watching: !!ports.storymap._observer, plainWatching: !!plain.storymap._observer,
              layouts: [plain.storymap.options.layout, ports.storymap.options.layout]}; }""")
    assert state["symbols"] > 0 and state["swatches"] == 1 and state["plainSymbols"] == 0, state
    assert state["watching"] and not state["plainWatching"] and state["layouts"] == ["slides", "scroll"], state
    roots = run.page.locator("[data-storymap]")
    roots.nth(0).locator(".storymap-next").click()
    # The scroll story follows its sections as the host page scrolls past them.
    run.js("() => document.querySelectorAll('[data-storymap]')[1].querySelectorAll('.storymap-step')[2]"
           ".scrollIntoView({block: 'center'})")
    run.page.wait_for_function("() => document.querySelectorAll('[data-storymap]')[1].storymap.index === 2")
    assert run.js("() => [...document.querySelectorAll('[data-storymap]')].map(r => r.storymap.index)") == [1, 2]
    assert run.errors == [] and run.outside == []


def test_no_place_of_a_step_sits_under_the_zoom_buttons(tmp_path: Path, make_page):
    """A place at the top right of a step's places went under the zoom buttons on a narrow map
    without a timeline (the starter story in an article on a phone: the Brandenburg Gate)."""
    from storymap.scaffold import new_story

    new_story(tmp_path / "starter")
    fragment = storymap.load(tmp_path / "starter").to_html(fragment=True)
    page = tmp_path / "host.html"
    page.write_text(HOST.format(f'<div style="padding: 0 12px">{fragment}</div>', ""), "utf-8")
    run = make_page((390, 844))
    run.page.goto(page.as_uri())
    run.page.wait_for_function(READY)
    under = []
    for i in range(3):
        run.js(f"() => void document.querySelector('[data-storymap]').storymap.goTo({i})")
        run.page.wait_for_function(READY)
        under += run.js("""() => { const root = document.querySelector('[data-storymap]');
          const z = root.querySelector('.leaflet-control-zoom').getBoundingClientRect();
          return [...root.querySelectorAll('.leaflet-overlay-pane path, .leaflet-marker-pane > *')].filter((el) => {
            const b = el.getBoundingClientRect();
            return b.width && b.left < z.right && b.right > z.left && b.top < z.bottom && b.bottom > z.top; })
            .map((el) => root.storymap.steps[root.storymap.index].id); }""")
    assert under == []
    assert run.errors == [] and run.outside == []


def test_two_stories_on_a_page_have_landmarks_of_their_own(pages: Path, make_page):
    """Each story's text, steps' navigation and timeline are named after it: two stories on a page
    had two regions named "Story" and two navigations "Story steps" (axe: landmark-unique), which a
    screen reader's list of landmarks could not tell apart."""
    run = make_page((1100, 800))
    run.page.goto((pages / "mixed-fragments.html").as_uri())
    run.page.wait_for_function(READY)
    names = [run.page.get_by_role("region").nth(i).aria_snapshot().splitlines()[0]
             for i in range(run.page.get_by_role("region").count())]
    assert any("Historia Socios en la encrucijada" in name for name in names), names
    # (The bare host page breaks rules of its own: no <main>, text outside landmarks.)
    assert [v for v in axe_violations(run.page) if v[0] in ("landmark-unique", "duplicate-id-aria")] == []
    assert run.errors == [] and run.outside == []


def test_a_story_in_one_language_beside_one_in_two(pages: Path, make_page):
    # The second fragment's script brings the language switch to the page they share: the story in
    # one language has nothing to switch to, whether it started before the switch's script came
    # (then it has no languages at all: setLanguage threw a TypeError) or after.
    run = make_page()
    run.page.goto((pages / "one-then-two-languages.html").as_uri())
    run.page.wait_for_function(READY)
    state = run.js("""() => { const [one, two] = [...document.querySelectorAll('[data-storymap]')].map((r) => r.storymap);
      one.setLanguage('es');
      delete one._langs;  // (as it is when it started before languages.js came)
      one.setLanguage('es'); two.setLanguage('es');
      return [one.language, two.language, one.root.lang, two.root.lang]; }""")
    assert state == ["en", "es", "en", "es"], state
    assert run.errors == [] and run.outside == []

def test_host_rules_do_not_break_the_story(pages: Path, make_page):
    run = make_page()
    run.page.goto((pages / "two-fragments.html").as_uri())
    run.page.wait_for_function(READY)
    style = run.js("""() => { const b = document.querySelector('[data-storymap] .storymap-next');
      const cs = getComputedStyle(b); return [cs.letterSpacing, cs.textTransform, cs.paddingTop,
      getComputedStyle(document.querySelector('[data-storymap]')).fontFamily]; }""")
    assert style[0] == "normal" and style[1] == "none" and style[2] != "30px"
    assert "Georgia" not in style[3]


LONG_ARTICLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<style>html {{ scroll-padding-top: 64px; {1} }} body {{ margin: 0; }}
header {{ position: sticky; top: 0; z-index: 10; height: 64px; background: #b00; }}</style></head>
<body><header>The Daily Host</header><p style="height: 2500px">A long start.
<a id="to-panamax" href="#panamax-alpha">The drill</a></p>{0}<p style="height: 2000px">After.</p></body></html>"""
STORY_TOP = "() => document.querySelector('[data-storymap]').getBoundingClientRect().top"
# (with a viewport meta: the phones' sizes below are a phone's, not a 980-px desktop page's)
TOP_ARTICLE = (LONG_ARTICLE.replace("scroll-padding-top: 64px; {1}", "--storymap-top: 64px;")
               .replace("<title>", '<meta name="viewport" content="width=device-width, initial-scale=1"><title>'))


def test_a_deep_link_to_a_step_brings_a_fragment_into_view(pages: Path, make_page):
    """A link to a step, shared or in the article, shows that step and scrolls the host page to
    the story (clear of the host's sticky header, as the host's anchors are): the story sat 2,500
    px below, out of sight."""
    run = make_page((1280, 800))
    run.page.goto((pages / "long-article.html").as_uri() + "#the-canal")
    run.page.wait_for_function(READY)
    assert run.js("() => document.querySelector('[data-storymap]').storymap.index") == STEP_IDS.index("the-canal")
    assert abs(run.js(STORY_TOP) - 64) <= 1
    run.js("() => window.scrollTo(0, 0)")
    run.page.click("#to-panamax")
    run.page.wait_for_function("() => document.querySelector('[data-storymap]').storymap.index === %d"
                               % STEP_IDS.index("panamax-alpha"))
    assert abs(run.js(STORY_TOP) - 64) <= 1
    assert run.errors == [] and run.outside == []


@pytest.mark.browser
def test_a_fragment_schedules_no_task_ahead_of_the_host_pages_parsing(pages: Path, make_page):
    """The story's tasks go ahead of rendering (the priority 'user-blocking') only once the page is
    parsed: posted while a host page was still parsed, they ran ahead of the parser, and the first
    of two copies followed a deep link while the page below it did not exist yet (it scrolled 44
    px of the 144 it needed)."""
    run = make_page((1280, 800))
    run.page.add_init_script("""(() => { const post = scheduler.postTask.bind(scheduler); window.__states = [];
      scheduler.postTask = (fn, options) => { window.__states.push(document.readyState); return post(fn, options); }; })();""")
    run.page.goto((pages / "two-fragments.html").as_uri() + "#the-canal")
    run.page.wait_for_function(READY)
    states = run.js("() => window.__states")
    assert states and "loading" not in states, states


@pytest.mark.browser
def test_a_deep_link_brings_the_first_of_two_copies_into_view(pages: Path, make_page):
    """The same fragment twice: both follow the link, and the page shows the first (each scrolled
    the page to itself in turn: the second, claimed last, won)."""
    run = make_page((1280, 800))
    run.page.goto((pages / "two-fragments.html").as_uri() + "#the-canal")
    run.page.wait_for_function(READY)
    assert run.js("() => [...document.querySelectorAll('[data-storymap]')].map(r => r.storymap.index)") == \
        [STEP_IDS.index("the-canal")] * 2
    tops = run.js("() => [...document.querySelectorAll('[data-storymap]')].map(r => r.getBoundingClientRect().top)")
    assert abs(tops[0]) <= 1 and tops[1] > 700, tops
    assert run.errors == [] and run.outside == []


def test_a_hosts_sticky_header_stays_above_the_story(pages: Path, make_page):
    """The story's panel, timeline and map controls (z-index 1000 and more) drew over the host's
    sticky header (z-index 10) as the story scrolled under it."""
    for viewport in ((1280, 800), (390, 844)):
        run = make_page(viewport)
        run.page.goto((pages / "long-article.html").as_uri())
        run.page.wait_for_function(READY)
        run.js("() => window.scrollTo(0, document.querySelector('[data-storymap]').offsetTop - 24)")
        over = run.js("""() => { const header = document.querySelector('header'), out = [];
          for (let x = 2; x < innerWidth; x += 8) for (const y of [30, 60]) {
            const el = document.elementFromPoint(x, y);
            if (el !== header) out.push(el.className || el.tagName); }
          return [...new Set(out)]; }""")
        assert over == [], viewport
        assert run.errors == [] and run.outside == []


def test_the_skip_link_lands_its_target_below_the_hosts_sticky_header(pages: Path, make_page):
    """With --storymap-top (the host's sticky header's height), the skip link's target (the step's
    heading, focused) was scrolled to the window's top, under the header (its top at 17 px, at 0 px
    on a phone), and the skip link itself, focused with the story's top under the header, was
    under it too. Now both land below the header, and the target in the window."""
    for viewport in ((1280, 800), (390, 844), (844, 390)):
        phone = viewport[0] < 900
        run = make_page(viewport, is_mobile=phone, has_touch=phone)
        run.page.goto((pages / "top-article.html").as_uri())
        run.page.wait_for_function(READY)
        for step in (0, 3):
            run.js(f"() => void document.querySelector('[data-storymap]').storymap.goTo({step})")
            # The step's heading at 20 px (under the header), then 100 px above the window.
            for at in (20, -100):
                run.js("""(at) => { const h = document.querySelector('[data-storymap] .storymap-step--current .storymap-step-title');
                  document.activeElement.blur(); window.scrollBy(0, h.getBoundingClientRect().top - at);
                  document.querySelector('[data-storymap] .storymap-skip').focus({preventScroll: true}); }""", at)
                run.page.keyboard.press("Enter")
                seen = run.js("""() => { const a = document.activeElement, b = a.getBoundingClientRect();
                  return {heading: a.matches('.storymap-step--current .storymap-step-title'), top: b.top, bottom: b.bottom}; }""")
                assert seen["heading"] and 64 <= seen["top"] + 0.5 and seen["bottom"] <= viewport[1] + 0.5, \
                    (viewport, step, at, seen)
        # Shift+Tab from the map to the skip link, the story's top under the header.
        run.js("""() => { const root = document.querySelector('[data-storymap]');
          window.scrollBy(0, root.getBoundingClientRect().top); root.querySelector('.storymap-map').focus({preventScroll: true}); }""")
        run.page.keyboard.press("Shift+Tab")
        skip = run.js("() => { const a = document.activeElement; return [a.className, a.getBoundingClientRect().top]; }")
        assert skip[0] == "storymap-skip" and skip[1] >= 64 - 0.5, (viewport, skip)
        # (Without the script, the link's target is the text's region: it lands below the header too.)
        assert run.js("() => getComputedStyle(document.querySelector('[data-storymap] .storymap-panel')).scrollMarginTop") == "64px"
        assert run.errors == [] and run.outside == []


def test_previous_and_next_are_in_view_below_the_hosts_sticky_header(pages: Path, make_page):
    """On a phone on its side (844×390) a fragment was 480 px tall: with the story's top at the
    header's bottom, Next's top was at 478 px, out of the window, wherever the reader scrolled to see
    the story. Now the story is no taller than the window below the header (--storymap-top), and a
    click where Next shows steps; upright and on a desktop its height stays storymap.css's."""
    for viewport in ((844, 390), (390, 844), (1280, 800)):
        phone = viewport[0] < 900
        run = make_page(viewport, is_mobile=phone, has_touch=phone)
        run.page.goto((pages / "top-article.html").as_uri())
        run.page.wait_for_function(READY)
        run.js("() => window.scrollBy(0, document.querySelector('[data-storymap]').getBoundingClientRect().top - 64)")
        for index, button in ((1, "next"), (0, "prev")):
            box = run.js(f"""() => {{ const b = document.querySelector('[data-storymap] .storymap-{button}'),
              r = b.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2, at = document.elementFromPoint(x, y);
              return {{left: r.left, top: r.top, right: r.right, bottom: r.bottom, x, y,
                       hit: !!(at && at.closest('.storymap-{button}'))}}; }}""")
            assert 64 <= box["top"] + 0.5 and box["bottom"] <= viewport[1] + 0.5, (viewport, button, box)
            assert 0 <= box["left"] + 0.5 and box["right"] <= viewport[0] + 0.5 and box["hit"], (viewport, button, box)
            run.page.mouse.click(box["x"], box["y"])  # (where it shows: no scrolling to it first)
            assert run.js("() => document.querySelector('[data-storymap]').storymap.index") == index, (viewport, button)
        height = run.js("() => document.querySelector('[data-storymap]').getBoundingClientRect().height")
        if viewport[1] >= 480 / 0.85:  # (clamp(480px, 85vh, 820px), which fits there, as before)
            assert abs(height - min(0.85 * viewport[1], 820)) <= 1, (viewport, height)
        else:
            assert height <= viewport[1] - 64 + 0.5, (viewport, height)
        assert run.errors == [] and run.outside == []


def _frame_story(run):
    frame = run.page.frame_locator("iframe[data-storymap-frame]")
    return frame, run.page.frames[1]


@pytest.mark.parametrize("mangle", ["br", "p-around-each"])
def test_the_iframe_snippet_finds_its_frame_where_a_cms_put_something_between(pages: Path, make_page, mangle: str):
    """A CMS's auto-paragraphs put a <br> between the snippet's iframe and its script, or each in a
    <p> of its own: the script took the <br> for the frame, and the frame stayed 640 px tall, with
    a border, never sized by the story."""
    iframe, script = storymap.embed_snippet("index.html", title="Story").replace(' loading="lazy"', "").split("\n", 1)
    snippet = f"{iframe}<br>{script}" if mangle == "br" else f"<p>{iframe}</p><p>{script}</p>"
    (pages / f"cms-{mangle}.html").write_text(HOST.format(snippet, ""), "utf-8")
    run = make_page((1100, 800))
    run.page.goto((pages / f"cms-{mangle}.html").as_uri())
    run.page.frames[1].wait_for_function(READY)
    story = run.page.frames[1].evaluate("document.querySelector('[data-storymap]').getBoundingClientRect().height")
    run.page.wait_for_function("""(h) => { const f = document.querySelector('iframe[data-storymap-frame]');
      return Math.abs(f.getBoundingClientRect().height - h) <= 2 && getComputedStyle(f).borderTopStyle === 'none'; }""",
                               arg=story)
    assert story != 640 and run.errors == []


def test_iframe_height_follows_the_story_and_goto_moves_it(pages: Path, make_page):
    run = make_page((1100, 800))
    run.page.goto((pages / "frame-host.html").as_uri())
    inner = run.page.frames[1]
    inner.wait_for_function(READY)
    run.page.evaluate("""() => { window.__steps = []; window.addEventListener('message', e => {
      if (e.data && e.data.type === 'storymap:step') window.__steps.push(e.data); }); }""")

    frame_height = "() => document.querySelector('iframe[data-storymap-frame]').getBoundingClientRect().height"
    story_height = "document.querySelector('[data-storymap]').getBoundingClientRect().height"

    def check_height():
        """The iframe takes the story's height (within 2 px), and the story keeps it meanwhile."""
        inner_h = None
        for _ in range(5):
            inner_h = inner.evaluate(story_height)
            try:
                run.page.wait_for_function(f"(h) => Math.abs(({frame_height})() - h) <= 2", arg=inner_h, timeout=5000)
            except PlaywrightTimeout:
                continue
            if inner.evaluate(story_height) == inner_h:
                return
        raise AssertionError(f"iframe {run.js(frame_height)}px, story {inner_h}px")

    check_height()
    # A step change in the frame. The story was given no allowed origin (issue 16), so the parent
    # hears the step's id, never its title, and cannot move it (tests/test_hostile.py: with one).
    inner.evaluate("void document.querySelector('[data-storymap]').storymap.goTo('the-canal')")
    inner.wait_for_function("() => document.querySelector('[data-storymap]').storymap.index === %d" % STEP_IDS.index("the-canal"))
    check_height()
    run.page.wait_for_function("() => window.__steps.some(s => s.id === 'the-canal')")
    message = run.js("() => window.__steps.find(s => s.id === 'the-canal')")
    assert set(message) == {"type", "id", "index"} and message["index"] == STEP_IDS.index("the-canal")
    # Messages of any other shape are ignored, and so is a goto from a parent not allowed.
    # (Messages reach the frame in the order sent: once a last one has arrived, the story has heard
    # every one before it.)
    inner.evaluate("""() => { window.__last = new Promise((r) => window.addEventListener('message',
      (e) => { if (e.data === 'last') r(); })); }""")
    for bad in ("'storymap:goto'", "{type: 'storymap:goto'}", "{type: 'storymap:goto', step: {}}",
                "{type: 'other', step: 'overview'}", "{type: 'storymap:goto', step: 'no-such-step'}",
                "{type: 'storymap:goto', step: 'overview'}", "'last'"):
        run.page.evaluate(f"() => document.querySelector('iframe[data-storymap-frame]').contentWindow.postMessage({bad}, '*')")
    inner.evaluate("() => window.__last")
    assert inner.evaluate("document.querySelector('[data-storymap]').storymap.index") == STEP_IDS.index("the-canal")
    # A resize: the story's height changes with its width, and the iframe follows.
    before = run.js("() => document.querySelector('iframe[data-storymap-frame]').getBoundingClientRect().height")
    run.page.set_viewport_size({"width": 600, "height": 800})
    check_height()
    after = run.js("() => document.querySelector('iframe[data-storymap-frame]').getBoundingClientRect().height")
    assert after != before
    # The parent trusts height messages only from its own iframe. (Its listener was added first: it
    # has had the message by the time this one hears it.)
    run.page.evaluate("""() => new Promise((heard) => {
      window.addEventListener('message', (e) => { if (e.data && e.data.height === 37) heard(); });
      const f = document.createElement('iframe');
      f.srcdoc = '<script>parent.postMessage({type: "storymap:height", height: 37}, "*")<\\/script>';
      document.body.appendChild(f); })""")
    assert run.js("() => document.querySelector('iframe[data-storymap-frame]').getBoundingClientRect().height") == after
    assert run.errors == [] and run.outside == []


FRAMES = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 0))))"

# Waits until the document has scrolled away from `y` and then drawn two frames (the story's
# IntersectionObserver has seen the new position); says where it is and whether that is the bottom.
SCROLLED = """(y) => new Promise((resolve, reject) => {
  const where = () => [scrollY, scrollY + innerHeight >= document.documentElement.scrollHeight - 2];
  if (y === null) { resolve(where()); return; }
  const give_up = setTimeout(() => reject(new Error('the wheel did not scroll')), 10000);
  const check = () => {
    if (scrollY === y) { requestAnimationFrame(check); return; }
    clearTimeout(give_up);
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => resolve(where()), 0)));
  };
  check(); })"""


def _scroll_through(page, target=None, step=300, limit=400):
    """Wheel from top to bottom, a wheel at a time, each once the last has scrolled the document
    and the story has seen it; stops at the bottom. (A wheel of 300 px, under half the shortest
    step's section: every section crosses the story's reading line in a frame it sees.)"""
    frame = target or page
    y, bottom = frame.evaluate(SCROLLED, None)
    for _ in range(limit):
        if bottom:
            break
        page.mouse.wheel(0, step)
        y, bottom = frame.evaluate(SCROLLED, y)
    else:
        raise AssertionError("the bottom was never reached")
    frame.evaluate(FRAMES)


def test_scroll_layout_visits_every_step_once_in_a_page(pages: Path, make_page):
    run = make_page((1280, 800), reduced_motion="reduce")
    run.page.goto((pages / "scroll.html").as_uri())
    run.page.wait_for_function(READY)
    run.js("() => { window.__ids = [0]; document.addEventListener('storymap:step', e => window.__ids.push(e.detail.index)); }")
    entries = run.js("() => history.length")
    run.page.mouse.move(900, 400)
    _scroll_through(run.page)
    assert run.js("() => window.__ids") == list(range(len(STEP_IDS)))
    # The address follows the reading, without an entry per section (Back walked back through them,
    # the map moving while the browser left the text on the later section).
    assert run.js("() => [history.length, location.hash]") == [entries, "#" + STEP_IDS[-1]]
    assert run.errors == [] and run.outside == []


def test_scroll_layout_visits_every_step_once_in_an_iframe(pages: Path, make_page):
    run = make_page((1280, 900), reduced_motion="reduce")
    run.page.goto((pages / "scroll-frame-host.html").as_uri())
    inner = run.page.frames[1]
    inner.wait_for_function(READY)
    run.js("() => { window.__ids = [0]; window.addEventListener('message', e => { if (e.data && e.data.type === 'storymap:step' && e.data.index !== window.__ids[window.__ids.length - 1]) window.__ids.push(e.data.index); }); }")
    box = run.page.locator("iframe").bounding_box()
    run.page.mouse.move(box["x"] + box["width"] - 100, box["y"] + box["height"] / 2)
    _scroll_through(run.page, target=inner)
    run.page.wait_for_function("(n) => window.__ids.length >= n", arg=len(STEP_IDS), timeout=5000)
    assert run.js("() => window.__ids") == list(range(len(STEP_IDS)))


def test_scroll_layout_on_a_phone_shows_each_steps_heading_below_the_map(pages: Path, make_page):
    """On a phone the scroll layout's map keeps the top 55% of the screen. A step shown by Next or
    the API lands with its heading wholly below the map (it sat half under it: the reading line was
    where the map ends), stays current, and scrolling by hand still visits every step once."""
    run = make_page((390, 844), reduced_motion="reduce", is_mobile=True, has_touch=True)
    run.page.goto((pages / "scroll.html").as_uri())
    run.page.wait_for_function(READY)
    for step in ("the-canal", "panamax-alpha", "first-talks"):
        run.js(f"() => void document.querySelector('[data-storymap]').storymap.goTo('{step}')")
        run.js(FRAMES)
        where = run.js(f"""() => {{ const root = document.querySelector('[data-storymap]');
          const h = root.querySelectorAll('.storymap-step')[{STEP_IDS.index(step)}].querySelector('.storymap-step-title')
            .getBoundingClientRect();
          return {{index: root.storymap.index, map: root.storymap.map.getContainer().getBoundingClientRect().bottom,
                   top: h.top, bottom: h.bottom}}; }}""")
        assert where["index"] == STEP_IDS.index(step), (step, where)
        assert where["map"] <= where["top"] and where["bottom"] <= 844, (step, where)
    run.js("() => void document.querySelector('[data-storymap]').storymap.goTo(0)")
    run.js(FRAMES)
    assert run.js("() => document.querySelector('[data-storymap]').storymap.index") == 0
    run.js("() => { window.__ids = [0]; document.addEventListener('storymap:step', e => window.__ids.push(e.detail.index)); }")
    run.page.mouse.move(200, 700)
    _scroll_through(run.page)
    assert run.js("() => window.__ids") == list(range(len(STEP_IDS)))
    assert run.errors == [] and run.outside == []


def test_a_scroll_storys_map_sticks_below_the_hosts_sticky_header(pages: Path, make_page):
    """With --storymap-top (the host's sticky header's height), the map sticks below the header, to
    the window's bottom: its top, the timeline and the zoom buttons, were under the header."""
    for viewport in ((1280, 800), (390, 844)):
        run = make_page(viewport)
        run.page.goto((pages / "long-scroll-article.html").as_uri() + "#the-canal")
        run.page.wait_for_function(READY)
        box = run.js("() => document.querySelector('[data-storymap] .storymap-map').getBoundingClientRect().toJSON()")
        assert abs(box["top"] - 64) <= 1, viewport
        if viewport[0] > 640:  # (on a phone the map keeps the top 55%: the text scrolls below it)
            assert abs(box["bottom"] - viewport[1]) <= 1
        zoom = run.js("""() => { const b = document.querySelector('[data-storymap] .leaflet-control-zoom-in')
          .getBoundingClientRect(); return !!document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2)
          .closest('.leaflet-control-zoom-in'); }""")
        assert zoom, viewport
        assert run.errors == [] and run.outside == []


def test_a_scroll_storys_steps_land_below_the_hosts_sticky_header_and_its_map(pages: Path, make_page):
    """With --storymap-top, a step linked to (#the-canal) or shown by goTo() landed with its heading
    under the host's header (its top at 16 px), and on a phone under the map (the map's bottom,
    pushed down by the header, passed the 60% line: the reader saw the step's end)."""
    for viewport in ((1280, 800), (390, 844)):
        run = make_page(viewport, reduced_motion="reduce")
        run.page.goto((pages / "long-scroll-article.html").as_uri() + "#the-canal")
        run.page.wait_for_function(READY)
        for step in ("the-canal", "belt-and-road", "overview"):
            if step != "the-canal":
                run.js(f"() => void document.querySelector('[data-storymap]').storymap.goTo('{step}')")
            run.js(FRAMES)
            seen = run.js(f"""() => {{ const root = document.querySelector('[data-storymap]');
              const h = root.querySelector('.storymap-step[data-step="{step}"] .storymap-step-title').getBoundingClientRect();
              const map = root.querySelector('.storymap-map').getBoundingClientRect();
              return {{index: root.storymap.index, top: h.top, bottom: h.bottom, mapBottom: map.bottom,
                       phone: innerWidth <= 640}}; }}""")
            assert seen["index"] == STEP_IDS.index(step), (viewport, step, seen)
            clear = seen["mapBottom"] if seen["phone"] else 64
            assert clear <= seen["top"] and seen["bottom"] <= viewport[1], (viewport, step, seen)
        assert run.errors == [] and run.outside == []


def test_a_fragments_text_hands_the_scroll_on_to_the_article_and_prints_whole(pages: Path, make_page, tmp_path: Path):
    """The wheel over the story's text scrolled the text to its end and stopped there: the article
    did not move ("an embedded story does not take the article's scrolling"). And a host's
    [hidden] {display: none !important} (Bootstrap's) printed the current step alone."""
    html = (pages / "long-article.html").read_text("utf-8").replace(
        "</style>", "[hidden] {{ display: none !important; }}</style>".replace("{{", "{").replace("}}", "}"))
    (tmp_path / "bootstrap-host.html").write_text(html, "utf-8")
    run = make_page((1280, 800))
    run.page.goto((tmp_path / "bootstrap-host.html").as_uri() + "#the-canal")
    run.page.wait_for_function(READY)
    box = run.js("() => document.querySelector('[data-storymap] .storymap-steps').getBoundingClientRect().toJSON()")
    run.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    before = run.js("() => scrollY")
    for _ in range(40):
        run.page.mouse.wheel(0, 400)
    run.page.wait_for_function(f"() => scrollY > {before} + 300")
    run.page.emulate_media(media="print")
    try:
        shown = run.js("""() => [...document.querySelectorAll('[data-storymap] .storymap-step')]
          .filter((s) => getComputedStyle(s).display !== 'none').length""")
    finally:
        run.page.emulate_media(media="screen")
    assert shown == len(STEP_IDS)
    assert run.errors == [] and run.outside == []


def test_scroll_layout_deep_link_and_api_scroll(pages: Path, make_page):
    for name in ("scroll.html", "scroll-fragment.html"):
        run = make_page((1280, 800), reduced_motion="reduce")
        run.page.goto((pages / name).as_uri() + "#the-canal")
        run.page.wait_for_function(READY)
        i = STEP_IDS.index("the-canal")
        assert run.js("() => document.querySelector('[data-storymap]').storymap.index") == i

        def crosses_middle(index):
            return run.js(f"""() => {{ const s = document.querySelectorAll('[data-storymap] .storymap-step')[{index}]
              .getBoundingClientRect(); return s.top <= innerHeight / 2 && s.bottom >= innerHeight / 2; }}""")

        assert crosses_middle(i), name
        run.js("() => void document.querySelector('[data-storymap]').storymap.goTo('panamax-alpha')")
        assert crosses_middle(STEP_IDS.index("panamax-alpha")), name
        run.js(FRAMES)  # the story has seen where the page scrolled to, and stays on the step
        assert run.js("() => document.querySelector('[data-storymap]').storymap.index") == STEP_IDS.index("panamax-alpha")
        assert run.errors == [] and run.outside == []


def test_scroll_layout_home_and_end_take_the_focus_to_the_step_they_show(pages: Path, make_page):
    """In the scroll layout, Home/End (and ←/→) pressed with focus in a step's text scroll the page
    to the first/last step: the focus goes there too (it stayed in the section scrolled away from,
    where Tab went on from), on the step's heading, without the page scrolling further."""
    run = make_page((1280, 800), reduced_motion="reduce")
    run.page.goto((pages / "scroll.html").as_uri() + "#the-canal")
    run.page.wait_for_function(READY)
    state_js = """() => { const root = document.querySelector('[data-storymap]'), a = document.activeElement;
      return [root.storymap.index, [...root.querySelectorAll('.storymap-step')].indexOf(a.closest('.storymap-step')),
              a.classList.contains('storymap-step-title'), Math.round(scrollY)]; }"""
    i, last = STEP_IDS.index("the-canal"), len(STEP_IDS) - 1
    run.page.focus("[data-storymap] .storymap-step[data-step=the-canal] .storymap-step-title")
    assert run.js(state_js)[:3] == [i, i, True]
    for key, to in (("End", last), ("Home", 0), ("ArrowRight", 1), ("End", last)):
        y = run.js(state_js)[3]
        run.page.keyboard.press(key)
        run.js(FRAMES)
        index, focused, heading, after = run.js(state_js)
        assert [index, focused, heading] == [to, to, True], key
        assert after != y, key
        # (the page is where the story scrolled it: the step's section across the reading line)
        assert run.js(f"""() => {{ const s = document.querySelectorAll('[data-storymap] .storymap-step')[{to}]
          .getBoundingClientRect(); return s.top <= innerHeight / 2 && s.bottom >= innerHeight / 2; }}"""), key
    assert run.errors == [] and run.outside == []


# ------------------------------------------------------------------------- The example page
@pytest.fixture(scope="module")
def example(build_run, tmp_path_factory):
    """The news-article example build.py writes, next to the bare article (without the story)."""
    out = tmp_path_factory.mktemp("example")
    shutil.copytree(build_run[0] / "dist", out / "dist")
    page = out / "dist" / "examples" / "news-article.html"
    bare = (ROOT / "examples" / "news-article.html").read_text("utf-8")
    (out / "dist" / "examples" / "bare.html").write_text(bare, "utf-8")
    return page


HOST_STYLES_JS = """() => {
  const props = ['font-family', 'font-size', 'font-weight', 'line-height', 'color', 'background-color',
    'margin-top', 'margin-bottom', 'padding-top', 'padding-left', 'letter-spacing', 'text-transform',
    'box-sizing', 'border-top-width', 'display', 'list-style-type'];
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('[data-storymap], figure, script, style')) continue;
    const cs = getComputedStyle(el);
    out.push(el.tagName + ' ' + props.map(p => cs.getPropertyValue(p)).join('|'));
  }
  return out; }"""


def test_example_page_hosts_both_stories_cleanly(example: Path, make_page):
    run = make_page((1280, 800))
    run.page.goto(example.as_uri())
    run.page.wait_for_function(READY)
    run.page.locator("iframe[data-storymap-frame]").scroll_into_view_if_needed()
    inner = run.page.frames[1]
    inner.wait_for_function(READY)
    # Host styles are the same with and without the stories.
    with_stories = run.js(HOST_STYLES_JS)
    bare = make_page((1280, 800))
    bare.page.goto((example.parent / "bare.html").as_uri())
    assert with_stories == bare.js(HOST_STYLES_JS)
    # The host's own script still works.
    run.page.click("#share")
    assert run.page.inner_text("#shares") == "1 share"
    # Each story steps on its own.
    run.page.locator("[data-storymap] .storymap-next").first.click()
    assert run.js("() => document.querySelector('[data-storymap]').storymap.index") == 1
    assert inner.evaluate("document.querySelector('[data-storymap]').storymap.index") == 0
    run.page.frame_locator("iframe[data-storymap-frame]").locator(".storymap-next").click()
    run.page.frame_locator("iframe[data-storymap-frame]").locator(".storymap-next").click()
    assert inner.evaluate("document.querySelector('[data-storymap]').storymap.index") == 2
    assert run.js("() => document.querySelector('[data-storymap]').storymap.index") == 1
    assert run.errors == [] and run.outside == []


def test_jupyter_preview_shows_the_story_and_its_links_open(tmp_path: Path, make_page):
    """``story`` in a notebook: the page in a sandboxed iframe (no reach into the notebook), its
    story running, and a source link opening in a new tab as in the page (the sandbox let no link
    out before)."""
    story = storymap.load(GEODATA)
    # (No tile layer: requests from the sandboxed frame, a process of its own, could slip past the
    # page's routing and offline setting before they applied to it, and tiles failed to resolve,
    # as console errors, in one CI run. The tiles are not what this test is about.)
    story.tiles = "none"
    preview = story._repr_html_()
    assert "allow-same-origin" not in preview and "<script" not in preview.split("srcdoc=", 1)[0]
    host = tmp_path / "notebook.html"
    host.write_text(f"<!doctype html><html lang='en'><title>Notebook</title><body>{preview}</body></html>", "utf-8")
    run = make_page((1200, 800))
    run.page.goto(host.resolve().as_uri(), wait_until="load")
    inner = run.page.frames[1]  # (of an origin of its own: the host cannot look in, Playwright can)
    inner.wait_for_function("() => { const r = document.querySelector('[data-storymap]'); return r && r.storymap; }",
                            timeout=10_000)
    assert inner.evaluate("() => document.querySelector('[data-storymap]').storymap.steps.length") == len(story.steps)
    # (The opening step's place cards, with its sources, come in the task after the story is ready.)
    source = ".storymap-step--current .storymap-place a[target=_blank][href^='https:']"
    inner.wait_for_selector(source, state="attached", timeout=10_000)
    link = inner.locator(source).first  # the opening step's first source
    link.evaluate("a => { for (let d = a.closest('details'); d; d = d.parentElement.closest('details')) d.open = true; }")
    with run.page.expect_popup(timeout=5_000):
        link.click()
    assert not run.errors, run.errors
