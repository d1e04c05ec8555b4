"""Untrusted text: sanitized Markdown, script-safe JSON, no template evaluation, the page's CSP."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import folium
import pytest

import storymap
from storymap.security import add_csp, image_source, image_sources, page_policy
from storymap.text import ALLOWED_TAGS, markdown_html, script_json

from .conftest import CARTO_HOSTS, GEODATA
from .hostile import ALL, write_hostile_story
from .xss_payloads import PAYLOADS, URL_PAYLOADS

#: No Referer, and no window.opener either: HTML defines noreferrer to imply noopener.
REL = "noreferrer"
#: Every link opens in a new tab (issue 16: a link never navigates an iframe or a host page away).
NEW_TAB = f'target="_blank" rel="{REL}"'
NEW_TAB_NO_HREF = f'rel="{REL}" target="_blank"'  # the order nh3 gives when the filter drops the href


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text, as a browser's tokenizer sees them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_enough_payloads():
    assert len(PAYLOADS) >= 30 and len(set(PAYLOADS)) == len(PAYLOADS)


# Markdown --------------------------------------------------------------------------------------

@pytest.mark.parametrize("payload", PAYLOADS + URL_PAYLOADS)
def test_markdown_output_stays_inside_the_allowlist(payload):
    html = markdown_html(payload + "\n\n" + payload + " *and* [a link](https://example.org)")
    allowed_attrs = {"a": {"href", "title", "rel", "target"}, "ol": {"start"}}
    for tag, attrs in Tags(html).tags:
        assert tag in ALLOWED_TAGS, (tag, html)
        assert set(attrs) <= allowed_attrs.get(tag, set()), (tag, attrs)
        if tag == "a":
            assert attrs["rel"] == REL and attrs["target"] == "_blank"  # a new tab, never the story's frame
            href = attrs.get("href")
            assert href is None or re.match(r"^(https?:|mailto:)", href), href
    assert not re.search(r"<(script|img|svg|iframe)", html, re.I)


def test_raw_html_is_shown_as_text():
    assert markdown_html("<b>bold</b> & <script>x()</script>") == (
        "<p>&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;x()&lt;/script&gt;</p>")
    assert markdown_html("<div>\n<script>x()</script>\n</div>") == (
        "<p>&lt;div&gt;\n&lt;script&gt;x()&lt;/script&gt;\n&lt;/div&gt;</p>")
    assert markdown_html("<!-- hidden -->") == "<p>&lt;!-- hidden --&gt;</p>"


@pytest.mark.parametrize("source, expected", [
    ("[a](https://example.org/x?y=1&z=2)", f'<p><a href="https://example.org/x?y=1&amp;z=2" {NEW_TAB}>a</a></p>'),
    ("[a](http://example.org \"T\")", f'<p><a href="http://example.org" title="T" {NEW_TAB}>a</a></p>'),
    ("[mail](mailto:desk@example.org)", f'<p><a href="mailto:desk@example.org" {NEW_TAB}>mail</a></p>'),
    ("<https://example.org>", f'<p><a href="https://example.org" {NEW_TAB}>https://example.org</a></p>'),
    # markdown-it refuses script and file schemes: the link stays as text.
    ("[a](javascript:alert(1))", "<p>[a](javascript:alert(1))</p>"),
    ("[a](JAVASCRIPT:alert(1))", "<p>[a](JAVASCRIPT:alert(1))</p>"),
    ("[a](&#106;avascript:alert(1))", "<p>[a](javascript:alert(1))</p>"),
    ("[a](data:text/html,x)", "<p>[a](data:text/html,x)</p>"),
    ("[a](vbscript:x)", "<p>[a](vbscript:x)</p>"),
    ("[a](file:///etc/passwd)", "<p>[a](file:///etc/passwd)</p>"),
    # Other schemes and relative links (which would resolve against an embedding page) lose their href.
    ("[a](ftp://example.org/x)", f'<p><a {NEW_TAB}>a</a></p>'),
    ("[a](//evil.example/x)", f'<p><a {NEW_TAB_NO_HREF}>a</a></p>'),
    ("[a](/relative)", f'<p><a {NEW_TAB_NO_HREF}>a</a></p>'),
    ("[a](#fragment)", f'<p><a {NEW_TAB_NO_HREF}>a</a></p>'),
    ("[a](https:evil)", f'<p><a {NEW_TAB_NO_HREF}>a</a></p>'),
    ("![img](https://example.org/i.png)", "<p></p>"),
    ("# Heading\n\n### Three", "<h4>Heading</h4>\n<h6>Three</h6>"),
    ("**b** _i_ ~~s~~ `c`", "<p><strong>b</strong> <em>i</em> <s>s</s> <code>c</code></p>"),
])
def test_markdown_links_and_tags(source, expected):
    assert markdown_html(source) == expected


# JSON in scripts -------------------------------------------------------------------------------

@pytest.mark.parametrize("payload", PAYLOADS + URL_PAYLOADS)
def test_script_json_cannot_leave_the_script(payload):
    value = {"title": payload, "list": [payload, {"deeper": payload}], payload: 1}
    text = script_json(value)
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    assert "</script" not in text.lower() and "<!--" not in text
    assert json.loads(text) == value  # nothing lost


# Rendering -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = write_hostile_story(tmp_path_factory.mktemp("hostile") / "story")
    return storymap.load(folder).to_html()


def test_hostile_story_renders_inert(hostile_html: str):
    page = Tags(hostile_html)
    tags = [tag for tag, _ in page.tags]
    # storymap's own two scripts: boot.js, and the page's code as a data block boot.js runs.
    assert [attrs for tag, attrs in page.tags if tag == "script"] == [{}, {"type": "text/plain", "data-storymap-code": None}]
    assert tags.count("style") == 2
    for banned in ("iframe", "object", "embed", "base", "form", "input", "img", "svg", "math", "video",
                   "marquee", "textarea", "link", "isindex", "mglyph"):
        assert banned not in tags, banned
    assert tags.count("noscript") == 1  # storymap's own: the story as an article without JavaScript (issue 12)
    # charset, CSP, viewport, generator and the social card's (issue 12): none from a story
    metas = [a.get("property") or a.get("name") or a.get("http-equiv") or "charset" for t, a in page.tags if t == "meta"]
    assert metas == ["charset", "Content-Security-Policy", "viewport", "generator", "description", "og:type",
                     "og:title", "og:description", "og:locale", "og:image", "og:image:type", "og:image:width",
                     "og:image:height",
                     "og:image:alt", "twitter:card", "twitter:description", "twitter:image:alt"]
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            squeezed = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
            assert not squeezed.startswith(("javascript:", "vbscript:", "data:")), (tag, name, value)
    # The text survives, shown as text (each payload is a step title and a place name): nothing is lost.
    text = "".join(page.text)
    config = json.loads(re.search(r"L\.storymap\.story\([^,]+, \w+, (\{.*\}), \{", hostile_html).group(1))
    # (A step's title is in its heading, where the script reads it: the script's data has none.)
    titles = [unescape(t) for t in re.findall(r'<h2 class="storymap-step-title"[^>]*>(.*?)</h2>', hostile_html, re.S)]
    names = [unescape(t) for t in re.findall(r'<h3 class="storymap-place-name"><span[^>]*>(.*?)</span></h3>',
                                              hostile_html, re.S)]
    for k, payload in enumerate(PAYLOADS):
        assert f"{payload.strip()}" in text, payload
        assert titles[k + 1] == payload.strip() and "title" not in config["steps"][k + 1]
        # (A place's name is in its card, where the script reads it: the script's data has none.)
        assert names[k] == payload.strip() and "name" not in config["places"][k]
    assert config["title"] == ALL


def test_template_syntax_in_text_is_never_evaluated(story_dir: Path):
    title = "{{ 7*7 }} {% if true %}yes{% endif %} {# c #} {{ lipsum.__globals__.os.getpid() }}"
    toml = (story_dir / "story.toml").read_text("utf-8")
    toml = toml.replace('title = "From Florida to the isthmus"', f"title = {json.dumps(title)}")
    (story_dir / "story.toml").write_text(toml, "utf-8")
    story = storymap.load(story_dir)
    # A folium layer carrying the same text, in its data, tooltip and popup.
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"n": title}, "geometry": {"type": "Point", "coordinates": [-79.5, 9]}}]}
    folium.GeoJson(data, name=title, tooltip=folium.GeoJsonTooltip(["n"]),
                   popup=folium.Popup(title)).add_to(story.map)
    html = story.to_html()
    assert f">{title}</h2>" in html
    assert json.dumps(title) in html  # in the layer's data and the story's config, unevaluated
    # In the heading, the story's config, the layer's name, data and popup: every copy unevaluated.
    assert html.count("{{ 7*7 }}") >= 5 and html.count("lipsum.__globals__.os.getpid()") >= 5


# Content-Security-Policy -----------------------------------------------------------------------

def inline_bodies(html: str, tag: str) -> list[str]:
    return re.findall(rf"<{tag}(?:>| [^>]*>)(.*?)</{tag}>", html, re.S)


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def policy_of(html: str) -> dict[str, list[str]]:
    metas = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert len(metas) == 1
    return {d.split()[0]: d.split()[1:] for d in metas[0].split("; ")}


def test_page_csp_allows_exactly_its_own_scripts_styles_and_tiles(built_page: Path):
    html = built_page.read_text("utf-8")
    policy = policy_of(html)
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == [sha256(body) for body in inline_bodies(html, "script")]
    assert policy["style-src"] == [sha256(body) for body in inline_bodies(html, "style")]
    # boot.js, and the page's code, which boot.js runs from its data block after the first paint.
    assert len(policy["script-src"]) == 2 and len(policy["style-src"]) == 2
    assert html.count('<script type="text/plain" data-storymap-code>') == 1
    # CARTO's four tile hosts, each by name: exactly the hosts the tile layer asks.
    assert policy["img-src"] == ["data:"] + CARTO_HOSTS
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'none'"]
    assert "unsafe" not in html.split("<title>")[0]
    # It comes before any script or style, so it covers all of them.
    head = html.split("</head>")[0]
    assert "<script" not in head  # the scripts are at the end of the body: the text comes first
    assert head.index("Content-Security-Policy") < head.index("<style>")


def test_fragment_has_no_csp():
    html = storymap.load(GEODATA).to_html(fragment=True)
    assert "Content-Security-Policy" not in html and "<script>" in html


def test_added_tile_layer_host_is_allowed():
    story = storymap.load(GEODATA)
    folium.TileLayer("OpenStreetMap").add_to(story.map)
    assert policy_of(story.to_html())["img-src"] == ["data:"] + CARTO_HOSTS + ["https://tile.openstreetmap.org"]


@pytest.mark.parametrize("url, source", [
    ("https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png", "https://*.basemaps.cartocdn.com"),
    ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
    ("http://tiles.example.org:8080/{z}/{x}/{y}.png", "http://tiles.example.org:8080"),
    ("https://{s}/{z}/{x}/{y}.png", "https:"),
    ("https://a.tile-{s}.example.org/x", "https://*.example.org"),
    ("https://evil.example\"; script-src *;/x", "https:"),
    ("data:image/png;base64,AAAA", "data:"),
    ("tiles/{z}/{x}/{y}.png", None),
    ("javascript:alert(1)", None),
])
def test_image_sources(url, source):
    assert image_source(url) == source


@pytest.mark.parametrize("url, subdomains, sources", [
    # Leaflet's {s} with the layer's subdomains: each host by name, as Leaflet fills it in.
    ("https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png", "abcd",
     [f"https://{s}.basemaps.cartocdn.com" for s in "abcd"]),
    ("https://{s}.Tiles.Example.org:8443/{z}/{x}/{y}.png", ["tile1", "Tile2"],
     ["https://tile1.tiles.example.org:8443", "https://tile2.tiles.example.org:8443"]),
    ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "abc", ["https://tile.openstreetmap.org"]),
    # Not knowable host by host: the wildcard (never a whole scheme where a domain is named).
    ("https://{s}.tiles.example.org/{z}/{x}/{y}.png", None, ["https://*.tiles.example.org"]),
    ("https://{s}.tiles.example.org/{z}/{x}/{y}.png", "", ["https://*.tiles.example.org"]),
    ("https://{s}.tiles.example.org/{z}/{x}/{y}.png", [str(i) for i in range(17)], ["https://*.tiles.example.org"]),
    ("https://{s}.tiles.example.org/{z}/{x}/{y}.png", ["a", "evil.org;"], ["https://*.tiles.example.org"]),
    ("https://{s}.tiles.example.org/{z}/{x}/{y}.png", ["a", 1], ["https://*.tiles.example.org"]),
    ("https://{s}.tiles.example.org/{z}/{x}/{y}.png", 3, ["https://*.tiles.example.org"]),
    ("https://{s}.tiles.example.org/{z}/{x}/{y}.png", {"a": 1}, ["https://*.tiles.example.org"]),
    # {s} inside a label: filled in there, as Leaflet fills it.
    ("https://tile-{s}.example.org/{z}/{x}/{y}.png", "ab", ["https://tile-a.example.org", "https://tile-b.example.org"]),
    ("https://tile-{s}.example.org/{z}/{x}/{y}.png", None, ["https://*.example.org"]),
    ("https://{s}.{r}.example.org/{z}/{x}/{y}.png", "abc", ["https://*.example.org"]),
    ("tiles/{z}/{x}/{y}.png", "abc", []),
])
def test_a_tile_layers_hosts_are_named_one_by_one(url, subdomains, sources):
    assert image_sources(url, subdomains) == sources


def test_a_folium_tile_layers_own_subdomains_are_its_hosts():
    story = storymap.load(GEODATA)
    folium.TileLayer("https://{s}.tiles.example.org/{z}/{x}/{y}.png", attr="Example", subdomains=["t1", "t2"],
                     name="Example").add_to(story.map)
    assert policy_of(story.to_html())["img-src"] == [
        "data:", *CARTO_HOSTS, "https://t1.tiles.example.org", "https://t2.tiles.example.org"]


def test_policy_needs_charset_first_and_refuses_external_scripts():
    assert "script-src 'none'" in page_policy("<p>no scripts</p>")
    with pytest.raises(ValueError, match="meta charset"):
        add_csp("<html><head><script>x</script><meta charset=\"utf-8\"></head></html>")
    with pytest.raises(ValueError, match="elsewhere"):
        page_policy('<script src="https://cdn.example/x.js"></script>')


def test_a_fragments_policy_is_whole(tmp_path):
    """page_policy(fragment_html) is all a host page must allow: the fragment's inline code by hash,
    and what its root says it needs besides (its tiles' host; a DivIcon's style attributes)."""
    import folium

    story = storymap.load(GEODATA)
    plain = page_policy(story.to_html(fragment=True))
    assert f"img-src data: {' '.join(CARTO_HOSTS)};" in plain and "style-src-attr" not in plain
    story.add_layer(folium.Marker([9.08, -79.68], icon=folium.DivIcon(html='<b style="color:red">X</b>')), "X")
    fragment, page = story.to_html(fragment=True), story.to_html()
    needs = {d.split()[0]: d for d in page_policy(fragment).split("; ")}
    whole = {d.split()[0]: d for d in re.search(r'Content-Security-Policy" content="([^"]+)"', page).group(1).split("; ")}
    assert needs["style-src-attr"] == whole["style-src-attr"] and needs["img-src"] == whole["img-src"]
    # Said once, on the fragment's root, as escaped JSON.
    import html as html_module
    import json

    (said,) = re.findall(r' data-storymap-policy="([^"]*)"', fragment)
    assert json.loads(html_module.unescape(said)) == {"img-src": CARTO_HOSTS, "style-src-attr": ["color:red"]}
    assert re.search(r'<div class="storymap [^>]*data-storymap-policy=', fragment)

