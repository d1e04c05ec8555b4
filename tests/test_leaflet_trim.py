"""The trimmed Leaflet: what it lacks and keeps, which pages get it, how a different Leaflet fails
at build time, and a host page holding a story with it beside one with the full Leaflet."""

from __future__ import annotations

import re
from pathlib import Path

import folium
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

import storymap
from storymap import assets, leaflet_trim, private
from storymap.render import trimmed_leaflet

from .conftest import GEODATA, ROOT

#: Exports of the parts cut, each ``t.<name>=`` in Leaflet's script (see leaflet_trim.CUT_PARTS).
CUT_EXPORTS = ["ImageOverlay", "imageOverlay", "VideoOverlay", "videoOverlay", "SVGOverlay", "svgOverlay",
               "Circle", "circle", "Rectangle", "rectangle"]
#: What a story page uses of Leaflet (storymap's scripts and the map's code), and what the objects
#: it hands out (root.storymap.map, its layers) are made of.
KEPT_EXPORTS = ["Map", "map", "TileLayer", "tileLayer", "GridLayer", "Canvas", "canvas", "SVG", "svg", "Renderer",
                "GeoJSON", "geoJSON", "Polyline", "polyline", "Polygon", "polygon", "CircleMarker", "circleMarker",
                "Marker", "marker", "Icon", "icon", "DivIcon", "divIcon", "Popup", "popup", "Tooltip", "tooltip",
                "Control", "control", "FeatureGroup", "featureGroup", "LayerGroup", "layerGroup", "Path", "PosAnimation",
                "Draggable", "DomUtil", "DomEvent", "Browser", "CRS", "Projection", "Util", "LatLng", "latLng",
                "LatLngBounds", "latLngBounds", "Point", "point", "Bounds", "bounds", "Class", "Evented", "Layer",
                "Handler", "extend", "bind", "setOptions", "stamp", "LineUtil", "PolyUtil", "version"]
#: Text only the parts cut hold.
CUT_TEXT = ['collapsed:!0,position:"topright"', "leaflet-control-layers", "defaultWmsParams", '"EPSG:3395"',
            '"EPSG:4326"', "R_MINOR", "leaflet-image-layer", "leaflet-marker-draggable", "keepAspectRatio",
            '"addHandler","tapHold"', "tapTolerance"]
#: The map's handlers, controls and methods: all but TapHold stay (host pages reach them through
#: root.storymap.map).
KEPT_TEXT = ['"addHandler","boxZoom"', '"addHandler","dragging"', '"addHandler","keyboard"',
             '"addHandler","touchZoom"', '"addHandler","scrollWheelZoom"', '"addHandler","doubleClickZoom"',
             ".Zoom=", ".Scale=", ".Attribution=", "locate:function", "toGeoJSON:function", "flyTo:function",
             'code:"EPSG:3857"', 'code:"EPSG:900913"', "bindPopup:function", "bindTooltip:function"]


def _exports(js: str) -> set[str]:
    return set(re.findall(r"\bt\.(\w+)=", js[js.rindex("A.TouchZoom="):]))


def test_the_trimmed_leaflet_lacks_the_cut_parts_and_keeps_what_a_story_uses():
    full, trimmed = assets.leaflet_js(), assets.leaflet_js(trimmed=True)
    assert full != trimmed and len(full) - len(trimmed) > 16_000  # (16,713 bytes of Leaflet 1.9.4)
    assert set(CUT_EXPORTS) <= _exports(full) and not set(CUT_EXPORTS) & _exports(trimmed)
    assert set(KEPT_EXPORTS) <= _exports(trimmed)
    assert _exports(full) - _exports(trimmed) == set(CUT_EXPORTS)
    for text in CUT_TEXT:
        assert text in full and text not in trimmed, text
    for text in KEPT_TEXT:
        assert text in trimmed, text
    # Every for-in loop left is routed past polluted prototypes, as in the full script.
    assert trimmed.count(assets.OWN_KEYS + "(") == leaflet_trim.FOR_IN_LOOPS
    assert not re.search(r"for\((var )?[\w$]+ in (?!" + assets.OWN_KEYS + r"\()", trimmed)
    # It parses (the build checked it; this is the script the page gets, for-in loops guarded).
    from calmjs.parse import es5

    es5(trimmed)


def test_each_part_cut_is_named_and_measured():
    text, removals = leaflet_trim.trim(assets.leaflet_source())
    sizes = leaflet_trim.removed_parts(removals)
    assert set(sizes) == set(leaflet_trim.CUT_PARTS)
    assert all(size > 200 for size in sizes.values()), sizes
    assert len(assets.leaflet_source()) - len(text) == 16_713


def test_a_different_leaflet_fails_at_build_time(monkeypatch: pytest.MonkeyPatch):
    source, cuts = assets.leaflet_source(), leaflet_trim.CUTS
    text, removals = leaflet_trim.trim(source)
    leaflet_trim.check(source, text, removals)  # (as built)
    # A part not found, or found twice.
    with pytest.raises(ValueError, match="TileLayer.WMS.*0 times"):
        leaflet_trim.trim(source.replace("defaultWmsParams", "defaultWMSParams"))
    with pytest.raises(ValueError, match="Circle.*2 times"):
        leaflet_trim.trim(source + ";t.Circle=vi,t.CRS=ot,")
    with pytest.raises(ValueError, match="once"):
        leaflet_trim.trim("!function(t){t.x=1}(this);")
    # A cut whose item does not start where the pattern does.
    monkeypatch.setattr(leaflet_trim, "CUTS", (leaflet_trim.Cut("Circle", r"Circle=\{Circle\}"),))
    with pytest.raises(ValueError, match="not the start of an item"):
        leaflet_trim.trim(source)
    # A cut that would leave a reference behind: left out of the cuts, an export read at the top
    # level after the class is cut ("t.Circle=vi"), a use in a function (the marker's
    # "if (MarkerDrag) {...}"), an export of a variable that lives twice ("Pt": a Browser flag, then
    # CRS.EPSG3395) are each found still reading what was cut. (Parsing takes seconds: three.)
    for pattern in (r"t\.Circle=\{Circle\}", r"\{MarkerDrag\}&&\(t=this\.options\.draggable,",
                    r"\{CRS\}\.EPSG3395=\{EPSG3395\}"):
        assert sum(cut.pattern == pattern for cut in cuts) == 1
        monkeypatch.setattr(leaflet_trim, "CUTS", tuple(cut for cut in cuts if cut.pattern != pattern))
        text, removals = leaflet_trim.trim(source)
        with pytest.raises(ValueError, match="leaves .* used at"):
            leaflet_trim.check(source, text, removals)
    # The trimmed script as the page gets it: a different build's count of for-in loops fails too.
    with pytest.raises(ValueError, match="for-in loops"):
        assets.guard_for_in(assets.leaflet_source(), expected=leaflet_trim.FOR_IN_LOOPS)


def test_the_check_follows_a_variable_through_its_lives():
    # uglify-js reuses a top-level variable once nothing reads its first value: "P" is a flag,
    # then a class. Cutting the class must leave the flag's reads alone, and catch any read of the
    # class: after the cut, up to the name's next assignment, and in any function.
    source = "!function(t){var P=1,B={safari:P},P=function(){},Q=(t.K=P,2);t.B=B}(this);"
    cut_at = source.index("P=function")
    text = source[:cut_at] + source[source.index("Q=("):]
    removal = leaflet_trim.Removal("K", cut_at, (cut_at, source.index("Q=(")), "P=function(){},", frozenset())
    with pytest.raises(ValueError, match="leaves P used"):
        leaflet_trim.check(source, text, [removal])  # t.K=P still reads the class
    text = text.replace("t.K=P,", "")
    leaflet_trim.check(source, text, [removal])  # the flag's read, before the cut, is no concern
    # Read in a function, wherever it is: an error.
    late = text.replace("t.B=B}", "t.f=function(){return P}}")
    with pytest.raises(ValueError, match="leaves P used"):
        leaflet_trim.check(source, late, [removal])
    # Read after a new top-level assignment: the new value's.
    again = text.replace("t.B=B}", "P=3,t.B=P}")
    leaflet_trim.check(source, again, [removal])


def _panama_with(element) -> storymap.Story:
    story = storymap.load(GEODATA)
    element.add_to(story.map)
    return story


def test_which_pages_get_the_trimmed_leaflet():
    trim_key, full_key = private.leaflet_key(trimmed=True), private.leaflet_key()
    assert full_key == private.LEAFLET_KEY == "storymap.leaflet@1.9.4"
    assert trim_key == f"storymap.leaflet@1.9.4-trim.{assets.leaflet_id(True)}" and trim_key != full_key
    assert re.fullmatch(r"[0-9a-f]{8}", assets.leaflet_id(True))

    def kind(story: storymap.Story, **options) -> str:
        html = story.to_html(languages=["en"], **options)
        keys = re.findall(r"Symbol\.for\('([^']+)'\)", html)
        assert len(keys) == 1, keys
        has_trimmed_js = "t.ImageOverlay=" not in html
        has_trimmed_css = ".leaflet-image-layer" not in html
        assert has_trimmed_js == has_trimmed_css == (keys[0] == trim_key), (keys, has_trimmed_js, has_trimmed_css)
        return "trimmed" if keys[0] == trim_key else "full"

    # The Panama story: its map holds only storymap's own elements.
    story = storymap.load(GEODATA)
    assert kind(story) == kind(story, fragment=True) == kind(story, layout="scroll") == "trimmed"
    # Any folium element of the user's on story.map: the full Leaflet (its script may use any part).
    assert kind(_panama_with(folium.CircleMarker([9.0, -79.5], radius=5))) == "full"
    assert kind(_panama_with(folium.FeatureGroup(name="Mine"))) == "full"
    assert kind(_panama_with(folium.LayerControl())) == "full"
    # Layers of geodata added with add_layer are storymap's own (drawn by storymap-layers.js); a
    # folium layer given to add_layer is the user's.
    story = storymap.load(GEODATA)
    story.add_layer({"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [-79.5, 9.0]}},
                    "Point", steps=[story.steps[0].id])
    assert kind(story) == "trimmed"
    story = storymap.load(GEODATA)
    story.add_layer(folium.CircleMarker([9.0, -79.5], radius=5), "Marker", steps=[story.steps[0].id])
    assert kind(story) == "full"
    assert trimmed_leaflet(folium.Map(tiles=None)) is True and trimmed_leaflet(_panama_with(folium.Marker([9, -79])).map) is False


def test_the_trimmed_css_drops_only_the_rules_of_the_parts_cut():
    full, trimmed = assets.leaflet_css(), assets.leaflet_css(trimmed=True)
    for token in assets.TRIMMED_CSS:
        assert token in full and token not in trimmed
        assert token not in assets.leaflet_js(trimmed=True)  # (no part left sets that class)
    assert len(full) - len(trimmed) > 150

    def heads(css: str, gone: list[str]) -> list[list[str]]:
        # (Each rule's selectors but those naming a token of ``gone``; a rule next to one of the same
        # selectors counts once: the CSS joins them, see assets._join_repeats.)
        out: list[list[str]] = []
        for head in re.findall(r"([^{}]+)\{", css):
            kept = [sel for sel in head.split(",") if not any(t in sel for t in gone)]
            if not head.startswith("@") and kept and (not out or out[-1] != kept):
                out.append(kept)
        return out

    # The other selectors of a rule that named a part cut stay (".leaflet-pane, ..., .leaflet-image-layer,
    # .leaflet-layer {position: absolute}"), and so does every other rule.
    gone = assets.TRIMMED_CSS + assets.OWN_UNUSED_CSS
    assert heads(trimmed, []) == heads(full, gone)


def test_the_trimmed_css_drops_the_classes_storymaps_own_elements_never_get():
    # (Leaflet gives them to a divIcon without a class, a marker's shadow, a tooltip opening below
    # or beside: none of storymap's own elements is one.)
    trimmed = assets.leaflet_css(trimmed=True)
    for token in assets.OWN_UNUSED_CSS:
        assert token in assets.leaflet_css() and token not in trimmed
    static = ROOT / "storymap" / "static"
    own = "\n".join(path.read_text("utf-8") for path in sorted(static.glob("*.js")))
    assert not re.search(r"direction:\s*'(bottom|left|right|auto|center)'|shadowUrl|L\.icon\(", own)
    # Every divIcon of storymap's has a class of its own.
    assert re.findall(r"(?:L\.divIcon|new \w*Icon)\(\{(\w+):", own) and all(
        key == "className" for key in re.findall(r"(?:L\.divIcon|new \w*Icon)\(\{(\w+):", own))


#: Leaflet API that only a part cut has: storymap's own scripts and templates use none of it (a
#: script of storymap's that starts to must change the cuts, see leaflet_trim).
CUT_API = [r"\bL\.(circle|rectangle|imageOverlay|videoOverlay|svgOverlay)\s*\(",
           r"\bL\.(Circle|Rectangle|ImageOverlay|VideoOverlay|SVGOverlay)\b", r"control\.layers", r"Control\.Layers",
           r"\b(wms|WMS)\b", r"CRS\.(Simple|EPSG3395|EPSG4326)", r"Projection\.(LonLat|Mercator)\b", r"\bdraggable\b",
           r"leaflet-image-layer", r"leaflet-marker-draggable"]


def test_storymaps_own_scripts_use_no_part_cut():
    static = ROOT / "storymap" / "static"
    files = sorted(static.glob("*.js")) + sorted((ROOT / "storymap" / "templates").glob("*.html"))
    files += [ROOT / "storymap" / "layers.py", ROOT / "storymap" / "render.py"]
    assert static / "story.js" in files and static / "storymap-layers.js" in files
    for path in files:
        text = path.read_text("utf-8")
        if path.suffix == ".py":  # (the templates it renders)
            text = "\n".join(re.findall(r'"([^"\n]*L\.[^"\n]*)"', text))
        for pattern in CUT_API:
            assert not re.search(pattern, text), (path.name, pattern)


# ------------------------------------------------------------------------------------ Browser
HOST = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host</title></head>
<body><h1>Host page</h1>{0}<p>Between.</p>{1}<p>After.</p></body></html>"""
READY = ("() => [...document.querySelectorAll('[data-storymap]')].length === 2 && "
         "[...document.querySelectorAll('[data-storymap]')].every(r => r.storymap && r.storymap.ready "
         "&& !r.hasAttribute('data-storymap-moving'))")
LEAFLETS = """() => { const keys = %s, roots = [...document.querySelectorAll('[data-storymap]')];
  return {leaflets: keys.map((k) => { const L = window[Symbol.for(k)];
            return L ? {map: typeof L.map, circleMarker: typeof L.circleMarker, popup: typeof L.popup,
                        imageOverlay: typeof L.imageOverlay, circle: typeof L.circle} : null; }),
          maps: roots.map((r) => keys.findIndex((k) => window[Symbol.for(k)] && r.storymap.map instanceof window[Symbol.for(k)].Map)),
          index: roots.map((r) => r.storymap.index), hostL: typeof window.L}; }"""


@pytest.fixture(scope="module")
def host_pages(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("trim")
    trimmed = storymap.load(GEODATA).to_html(fragment=True, languages=["en"])
    full = _panama_with(folium.CircleMarker([9.0, -79.5], radius=6, color="#c00")).to_html(fragment=True, languages=["en"])
    assert private.leaflet_key(trimmed=True) in trimmed and private.leaflet_key(trimmed=True) not in full
    (out / "trimmed-then-full.html").write_text(HOST.format(trimmed, full), "utf-8")
    (out / "full-then-trimmed.html").write_text(HOST.format(full, trimmed), "utf-8")
    # A host page with a Leaflet map of its own (Leaflet as the package has it: its ids from 0).
    own = ('<div id="hostmap" style="height:200px"></div><script>' + assets.leaflet_source() +
           '\nwindow.hostMap = L.map("hostmap").setView([9, -79.5], 6);</script>')
    (out / "host-leaflet.html").write_text(HOST.format(own + full, trimmed), "utf-8")
    # The full story's script held back (a host that runs it later): the trimmed story, after it on
    # the page but sharing its root's id (both are the same story's), starts first.
    at = full.rindex("<script>")
    late = full[:at] + "<script type=\"text/plain\" data-late>" + full[at + len("<script>"):]
    (out / "full-late.html").write_text(HOST.format(late, trimmed), "utf-8")
    storymap.load(GEODATA).save(out / "page.html", languages=["en"])
    return out


@pytest.mark.browser
@pytest.mark.parametrize("name, kinds", [("trimmed-then-full", ["trimmed", "full"]),
                                         ("full-then-trimmed", ["full", "trimmed"])])
def test_a_trimmed_story_and_a_full_one_share_a_host_page(host_pages: Path, make_page, name, kinds):
    run = make_page()
    run.page.goto((host_pages / f"{name}.html").as_uri())
    run.page.wait_for_function(READY)
    keys = [private.leaflet_key(trimmed=True), private.leaflet_key()]
    state = run.js(LEAFLETS % repr(keys))
    trimmed_api = {"map": "function", "circleMarker": "function", "popup": "function",
                   "imageOverlay": "undefined", "circle": "undefined"}
    assert state["leaflets"] == [trimmed_api, dict(trimmed_api, imageOverlay="function", circle="function")]
    # Each story's map is its own Leaflet's: the trimmed story's the trimmed one.
    assert state["maps"] == [0 if kind == "trimmed" else 1 for kind in kinds]
    assert state["hostL"] == "undefined"  # (the host has no Leaflet; each fragment gave window.L back)
    roots = run.page.locator("[data-storymap]")
    roots.nth(1).locator(".storymap-next").click()
    roots.nth(1).locator(".storymap-next").click()
    roots.nth(0).locator(".storymap-next").click()
    run.page.wait_for_function(READY)
    assert run.js(LEAFLETS % repr(keys))["index"] == [1, 2]
    # The full story's circle marker is on its map; each map shows its step's places.
    for i in range(2):
        drawn = run.js(f"""() => {{ const r = document.querySelectorAll('[data-storymap]')[{i}];
          return r.querySelectorAll('.leaflet-overlay-pane path, .leaflet-overlay-pane canvas').length; }}""")
        assert drawn > 0
    assert run.errors == [] and run.outside == []


@pytest.mark.browser
def test_a_story_whose_script_runs_late_takes_its_own_root_not_an_earlier_one_of_the_same_id(host_pages, make_page):
    # Each fragment's script starts the story whose root comes just before it (before the story's
    # <noscript> article), whichever script runs first; it took the first root of its id not yet
    # taken, so that two stories with one id could swap roots (and did, now and then, in CI).
    run = make_page()
    run.page.goto((host_pages / "full-late.html").as_uri())
    run.page.wait_for_function("() => [...document.querySelectorAll('[data-storymap]')].some(r => r.storymap && r.storymap.ready)")
    ids = run.js("() => [...document.querySelectorAll('[data-storymap]')].map((r) => r.id)")
    # (The same story's two fragments: one id, the second root's made fresh as its story started.)
    assert ids[1] == ids[0] + "-2"
    run.js("""() => { const block = document.querySelector('script[data-late]'), code = document.createElement('script');
      code.text = block.textContent; block.replaceWith(code); }""")
    run.page.wait_for_function(READY)
    keys = [private.leaflet_key(trimmed=True), private.leaflet_key()]
    assert run.js(LEAFLETS % repr(keys))["maps"] == [1, 0]
    # Each root shows its own story: the full one's circle marker is on the first.
    marked = run.js("""() => [...document.querySelectorAll('[data-storymap]')].map((r) =>
      [...r.querySelectorAll('.leaflet-overlay-pane path')].some((p) => p.getAttribute('stroke') === '#c00'))""")
    assert marked == [True, False]
    assert run.errors == [] and run.outside == []


# Each map on the page: its size as Leaflet has it, and its container's.
SIZES = """() => [...[...document.querySelectorAll('[data-storymap]')].map((r) => r.storymap.map),
  ...(window.hostMap ? [window.hostMap] : [])].map((m) => [m.getSize().x, m.getContainer().clientWidth])"""


@pytest.mark.browser
@pytest.mark.parametrize("name", ["trimmed-then-full", "full-then-trimmed", "host-leaflet"])
def test_every_map_on_a_host_page_follows_the_window(host_pages: Path, make_page, name):
    # Each copy of Leaflet stamps ids of its own range (assets.first_id): two copies' window resize
    # listeners do not share a key, and every map hears the window resize (one of them did not).
    run = make_page()
    run.page.goto((host_pages / f"{name}.html").as_uri())
    run.page.wait_for_function(READY)
    for width in (700, 1280):
        run.page.set_viewport_size({"width": width, "height": 800})
        # (Leaflet resizes its map in the frame after the window's resize: up to 5 s for a busy machine.)
        try:
            run.page.wait_for_function(f"() => ({SIZES})().every(([x, w]) => x === w)", timeout=5000)
        except PlaywrightTimeout:
            pass  # (the assertion below says which map did not follow)
        sizes = run.js(SIZES)
        assert len(sizes) == (3 if name == "host-leaflet" else 2) and all(x == w for x, w in sizes), (width, sizes)
    assert run.errors == [] and run.outside == []


@pytest.mark.browser
def test_a_standalone_page_with_the_trimmed_leaflet_runs_its_story(host_pages: Path, make_page):
    run = make_page()
    run.page.goto((host_pages / "page.html").as_uri())
    run.page.wait_for_function("() => { const r = document.querySelector('[data-storymap]'); return r.storymap && r.storymap.ready; }")
    # The page's L is its Leaflet: the trimmed one, with what a story uses and without the parts cut.
    assert run.js("() => [window.L === window[Symbol.for(%r)], typeof L.imageOverlay, typeof L.circle, "
                  "typeof L.Control.Layers, typeof L.TileLayer.WMS, typeof L.CRS.Simple, typeof L.CRS.EPSG3857, "
                  "typeof L.storymap.story]" % private.leaflet_key(trimmed=True)) == [
        True, "undefined", "undefined", "undefined", "undefined", "undefined", "object", "function"]
    # The map keeps every handler and method (a host page reaches them through root.storymap.map).
    assert run.js("""() => { const m = document.querySelector('[data-storymap]').storymap.map;
      return [!!m.boxZoom, !!m.dragging, !!m.keyboard, !!m.scrollWheelZoom, !!m.touchZoom, typeof m.locate,
              typeof m.flyTo]; }""") == [True, True, True, True, True, "function", "function"]
    for _ in range(3):
        run.page.locator(".storymap-next").click()
    run.page.wait_for_function("() => !document.querySelector('[data-storymap]').hasAttribute('data-storymap-moving')")
    assert run.js("() => document.querySelector('[data-storymap]').storymap.index") == 3
    assert run.errors == [] and run.outside == []


def test_each_leaflet_of_storymaps_counts_its_ids_from_its_own_start():
    full, trimmed = assets.leaflet_js(), assets.leaflet_js(trimmed=True)
    assert f"={assets.FULL_FIRST_ID};function" in full and f"={assets.TRIMMED_FIRST_ID};function" in trimmed
    assert f"={assets.TRIMMED_FIRST_ID};function" not in full
    with pytest.raises(ValueError, match="id counter once"):
        assets.first_id("var D=0;function h(t){return t}", 5)  # (a different build: refused, not left as it is)
