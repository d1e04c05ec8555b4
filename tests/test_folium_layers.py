"""folium elements that need more than the page holds: folium.Icon (Leaflet.awesome-markers),
folium.Choropleth (d3), controls on story.map; and explore's classes with rows without geometry."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import folium
import numpy as np
import pytest
import shapely
from folium.plugins import Fullscreen

import storymap
from storymap import StoryError, assets

from .conftest import BLANK_PNG, CARTO_HOSTS, GEODATA
from .test_styling import colours, explore_colours, overlay, squares

AWESOME_JS = "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js"
GLYPHICONS = "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css"
FONT_AWESOME = "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css"
FULLSCREEN_JS = "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js"


pytestmark = pytest.mark.usefixtures("no_network")


def awesome_assets(folder: Path) -> Path:
    """Stand-ins for Leaflet.awesome-markers' files and the glyphicons' stylesheet, laid out as
    their packages lay them out (images/, fonts/ below the stylesheets)."""
    (folder / "images").mkdir(parents=True)
    (folder / "fonts").mkdir()
    (folder / "leaflet.awesome-markers.js").write_text(
        "L.AwesomeMarkers = {icon: function (o) { return L.divIcon({className: 'awesome-marker "
        "awesome-marker-icon-' + o.markerColor, iconSize: [35, 45], iconAnchor: [17, 42],"
        " html: '<i class=\"' + o.prefix + ' ' + o.prefix + '-' + o.icon + '\"></i>'}); }};\n")
    (folder / "leaflet.awesome-markers.css").write_text(
        ".awesome-marker{background:url('images/markers-soft.png') no-repeat 0 0;width:35px;height:46px}\n"
        ".awesome-marker-icon-red{background-position:0 0}\n")
    (folder / "images" / "markers-soft.png").write_bytes(BLANK_PNG)
    (folder / "leaflet.awesome.rotate.min.css").write_text(".fa-rotate-0{transform:rotate(0deg)}")
    (folder / "bootstrap-glyphicons.css").write_text(
        "@font-face{font-family:'Glyphicons Halflings';src:url('../fonts/glyphicons-halflings.woff') format('woff')}"
        ".glyphicon{font-family:'Glyphicons Halflings'}")
    (folder / "fonts" / "glyphicons-halflings.woff").write_bytes(b"wOFF" + bytes(60))
    return folder


def red_pin() -> folium.Marker:
    return folium.Marker([8.98, -79.52], icon=folium.Icon(color="red"))


# folium.Icon -----------------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["layer", "group", "map"])
def test_an_icon_without_its_files_is_refused_clearly(where):
    story = storymap.load(GEODATA)
    with pytest.raises(StoryError) as info:
        if where == "layer":
            story.add_layer(red_pin(), "Red pin")
        elif where == "group":
            story.add_layer(folium.FeatureGroup().add_child(red_pin()), "Red pin")
        else:
            red_pin().add_to(story.map)
            story.to_html()
    lines = [str(p) for p in info.value.problems]
    prefix = "the page" if where == "map" else "layer 'Red pin'"
    assert lines[0] == f"{prefix} assets: cannot find {AWESOME_JS}"
    assert any(line.endswith(GLYPHICONS) for line in lines)
    hint = next(line for line in lines if "folium.Icon" in line)
    for way in ("Leaflet.awesome-markers", "as assets", "marker_kwds", "folium.CircleMarker", "folium.DivIcon"):
        assert way in hint
    assert ("assets=FOLDER to save() or to_html()" if where == "map" else "assets=FOLDER to add_layer()") in lines[-1]
    if where != "map":
        assert story.layers == [] and "<!DOCTYPE html>" in story.to_html()


def test_an_icon_names_the_font_its_prefix_needs():
    story = storymap.load(GEODATA)
    with pytest.raises(StoryError) as info:
        story.add_layer(folium.Marker([9, -79.5], icon=folium.Icon(prefix="fa", icon="star")), "Star")
    text = str(info.value)
    assert FONT_AWESOME in text and GLYPHICONS not in text


def test_an_icon_with_its_files_is_inlined(tmp_path: Path):
    folder = awesome_assets(tmp_path / "awesome")
    story = storymap.load(GEODATA).add_layer(red_pin(), "Red pin", assets=folder)
    html = story.to_html()
    assert "<script src" not in html and "<link" not in html and "cdnjs" not in html and "bootstrapcdn" not in html
    assert "L.AwesomeMarkers = {icon" in html and ".storymap .awesome-marker{" in html
    assert "data:image/png;base64," + base64.b64encode(BLANK_PNG).decode() in html  # its images inlined
    assert "font/woff;base64" in html or "application/font-woff;base64" in html
    # On story.map, the files are given to save() or to_html().
    other = storymap.load(GEODATA)
    red_pin().add_to(other.map)
    assert "L.AwesomeMarkers = {icon" in other.to_html(assets=folder)
    assert other.save(tmp_path / "pin.html", assets=folder).read_text("utf-8").count("L.AwesomeMarkers = {") == 1


@pytest.mark.browser
def test_an_icon_with_its_files_draws_on_a_ready_story(tmp_path: Path, make_page):
    story = storymap.load(GEODATA).add_layer(red_pin(), "Red pin", assets=awesome_assets(tmp_path / "awesome"))
    run = make_page().open(story.save(tmp_path / "pin.html"))
    run.page.wait_for_function("() => document.querySelector('[data-storymap]').storymap.ready", timeout=10_000)
    assert run.js("() => document.querySelectorAll('.storymap .leaflet-marker-pane .awesome-marker-icon-red .glyphicon-info-sign').length") == 1
    assert run.js("() => document.querySelectorAll('.storymap-legend [data-layer], .storymap-legend li').length") > 0
    # The story drew (its legend, the pin), and the icon font's glyph (a data: font the inlined
    # stylesheet declares) is allowed by the page's policy: no complaint.
    assert "font-src data:" in (tmp_path / "pin.html").read_text("utf-8")
    assert not run.outside and run.errors == [], (run.outside, run.errors)


# folium.Choropleth -----------------------------------------------------------------------------

def test_a_choropleth_is_refused_with_what_to_use_instead():
    frame = squares([1.0, 5.0, 20.0])
    story = storymap.load(GEODATA)
    choropleth = folium.Choropleth(frame, data=frame, columns=["name", "value"], key_on="feature.properties.name")
    with pytest.raises(StoryError, match=r"layer 'Chor' data: folium.Choropleth is not supported.*d3.*"
                                         r"add_layer\(gdf, name, column=.*scheme="):
        story.add_layer(choropleth, "Chor")
    with pytest.raises(StoryError, match="folium.Choropleth is not supported"):
        story.add_layer(folium.FeatureGroup().add_child(choropleth), "Chor")
    assert story.layers == []
    choropleth.add_to(story.map)
    with pytest.raises(StoryError, match=r"story.map folium.Choropleth: folium.Choropleth is not supported.*column="):
        story.to_html()


# Controls on story.map -------------------------------------------------------------------------

def test_controls_on_the_map_take_their_files_from_save(tmp_path: Path):
    story = storymap.load(GEODATA)
    Fullscreen().add_to(story.map)
    with pytest.raises(StoryError) as info:
        story.to_html()
    assert f"cannot find {FULLSCREEN_JS}" in str(info.value)
    assert "pass assets=FOLDER to save() or to_html()" in str(info.value.problems[-1])
    assert "does not exist" not in str(info.value)
    folder = tmp_path / "fullscreen"
    # A folder that is not there is named (the files were looked for in nothing).
    with pytest.raises(StoryError) as info:
        story.to_html(assets=folder)
    assert f"the page assets: the assets folder {folder} does not exist" in [str(p) for p in info.value.problems]
    folder.mkdir()
    (folder / "Control.FullScreen.min.js").write_text("L.Control.FullScreen = L.Control.extend({});")
    (folder / "Control.FullScreen.css").write_text(".leaflet-control-fullscreen a{display:block}")
    assert "L.Control.FullScreen = L.Control.extend" in story.to_html(assets=folder)
    assert "L.Control.FullScreen = L.Control.extend" in story.save(tmp_path / "f.html", assets=folder).read_text()
    with pytest.raises(StoryError):  # for that page only: the story does not keep the folder
        story.to_html()


# explore's classes with rows without geometry ----------------------------------------------------

@pytest.mark.parametrize("keywords", [{"scheme": "quantiles"}, {}, {"scheme": "equal_interval", "k": 4},
                                      {"column": "kind"}])
def test_rows_without_geometry_are_classified_as_explore_does(keywords):
    values = np.round(np.random.default_rng(5).lognormal(8, 1.5, 30), 1)
    kinds = np.array(["a", "b", "c"])[np.arange(30) % 3]
    kinds[values.argmax()] = "only-without-geometry"
    frame = squares(values, kind=kinds)
    geometry = frame.geometry.copy()
    geometry.iloc[values.argmax()] = None  # the greatest value and the least: no geometry
    geometry.iloc[values.argmin()] = shapely.Polygon()
    frame = frame.set_geometry(geometry)
    keywords = {"column": "value", **keywords}
    result = overlay(frame, **keywords)
    assert len(colours(result)) == 28
    assert colours(result) == explore_colours(frame, **keywords)


def test_an_inlined_icon_font_keeps_one_source():
    """A plugin's @font-face inlined in all its formats (Font Awesome: WOFF2 and TTF of four
    families; Glyphicons: EOT, WOFF, TTF, SVG) would add up to a megabyte: each keeps its WOFF2,
    else its WOFF, and its last src only."""
    from storymap.assets import _woff2_only

    awesome = ('@font-face{font-family:"FA";font-weight:900;src:url(../webfonts/fa-solid-900.woff2) format("woff2"),'
               'url(../webfonts/fa-solid-900.ttf) format("truetype")}.fa{content:"x"}')
    assert _woff2_only(awesome) == ('@font-face{font-family:"FA";font-weight:900;src:url(../webfonts/fa-solid-900.woff2) '
                                    'format("woff2")}.fa{content:"x"}')
    glyphs = ("@font-face{font-family:'G';src:url('../fonts/g.eot');src:url('../fonts/g.eot?#iefix') "
              "format('embedded-opentype'),url('../fonts/g.woff') format('woff'),url('../fonts/g.ttf') format('truetype'),"
              "url('../fonts/g.svg#g') format('svg')}")
    assert _woff2_only(glyphs) == "@font-face{font-family:'G';src:url('../fonts/g.woff') format('woff')}"
    assert _woff2_only("@font-face{font-family:X;src:url(x.ttf)}") == "@font-face{font-family:X;src:url(x.ttf)}"


def test_fonts_only_where_an_inline_stylesheet_declares_its_own():
    from storymap.security import page_policy

    assert "font-src" not in page_policy("<style>.a{color:red}</style><script>1</script>")
    assert "font-src data:" in page_policy("<style>@font-face{font-family:X;src:url(data:font/woff2;base64,AA)}</style>")
    assert "font-src data:" in page_policy("<style>@FONT-FACE{font-family:X;src:url(data:font/woff2;base64,AA)}</style>")


# What elements name in the page's policy -------------------------------------------------------

def policy_of(html: str) -> dict[str, list[str]]:
    import re

    content = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html).group(1)
    return {d.split()[0]: d.split()[1:] for d in content.split("; ")}


def minimap_assets(folder: Path) -> Path:
    """A stand-in for Leaflet-MiniMap: a control drawing its own tile layer in a small map."""
    folder.mkdir(parents=True)
    (folder / "Control.MiniMap.js").write_text(
        "L.Control.MiniMap = L.Control.extend({initialize: function (layer, options) { this._layer = layer; },"
        " onAdd: function (map) { var div = L.DomUtil.create('div', 'leaflet-control-minimap');"
        " this._mini = L.map(div, {attributionControl: false, zoomControl: false}).setView(map.getCenter(), 3);"
        " this._layer.addTo(this._mini); return div; }});")
    (folder / "Control.MiniMap.css").write_text(".leaflet-control-minimap{width:150px;height:150px}")
    return folder


def test_a_minimaps_tile_host_is_allowed(tmp_path: Path):
    """A MiniMap keeps its TileLayer in an attribute, not among its children: its host is allowed too."""
    from folium.plugins import MiniMap

    story = storymap.load(GEODATA)
    MiniMap().add_to(story.map)
    html = story.to_html(assets=minimap_assets(tmp_path / "minimap"))
    assert "https://tile.openstreetmap.org" in policy_of(html)["img-src"]


DIV_STYLE = "background:red;width:20px;height:20px"


def div_pin(style: str = DIV_STYLE) -> folium.Marker:
    return folium.Marker([8.98, -79.52], icon=folium.DivIcon(
        html=f'<div class="div-pin" style="{style}">X</div><span style="color:rgb(0, 0, 255)">y</span>',
        class_name="div-pin-icon"), tooltip=folium.Tooltip('<b style="color:red">tip</b>'))


def test_a_div_icons_style_attributes_are_allowed_by_their_hash():
    import hashlib

    from storymap.security import style_attributes

    story = storymap.load(GEODATA).add_layer(div_pin(), "Div pin")
    policy = policy_of(story.to_html())
    digest = "'sha256-" + base64.b64encode(hashlib.sha256(DIV_STYLE.encode()).digest()).decode() + "'"
    blue = "'sha256-" + base64.b64encode(hashlib.sha256(b"color:rgb(0, 0, 255)").digest()).decode() + "'"
    # Exactly the DivIcon's attributes: not the tooltip's (text, sanitized: its style is dropped).
    assert policy["style-src-attr"] == ["'unsafe-hashes'", digest, blue]
    assert "'unsafe-hashes'" not in policy["style-src"] and "'unsafe-inline'" not in " ".join(sum(policy.values(), []))
    # Read as the browser reads them.
    assert style_attributes('<a style="color:&#114;ed">x</a><br style=\'x:1\'/><i STYLE=y>') == ["color:red", "x:1", "y"]
    # A page without such attributes has no such directive.
    assert "style-src-attr" not in policy_of(storymap.load(GEODATA).to_html())


@pytest.mark.browser
def test_a_div_icons_inline_style_applies_under_the_policy(tmp_path: Path, make_page):
    story = storymap.load(GEODATA).add_layer(div_pin(), "Div pin")
    run = make_page().open(story.save(tmp_path / "div.html"))
    run.page.wait_for_function("() => document.querySelector('[data-storymap]').storymap.ready", timeout=10_000)
    style = run.js("""() => { const d = getComputedStyle(document.querySelector('.storymap .div-pin'));
                               const s = getComputedStyle(document.querySelector('.storymap .div-pin + span'));
                               return [d.backgroundColor, d.width, s.color]; }""")
    assert style == ["rgb(255, 0, 0)", "20px", "rgb(0, 0, 255)"]
    assert not run.outside and run.errors == [], (run.outside, run.errors)


@pytest.mark.browser
def test_a_popup_shown_opens_when_its_layer_comes_on(tmp_path: Path, make_page):
    # folium.Popup(show=True) on a layer of one step opened nowhere: its marker was off the map
    # when the popup was bound. It opens when the step brings the layer on.
    marker = folium.Marker([9.08, -79.68], popup=folium.Popup("<b>Gatún</b>", show=True))
    story = storymap.load(GEODATA).add_layer(marker, "Shown", steps=["the-canal"])
    run = make_page().open(story.save(tmp_path / "shown.html"))
    assert run.js("() => document.querySelectorAll('.leaflet-popup').length") == 0
    run.js("() => document.querySelector('[data-storymap]').storymap.goTo('the-canal')")
    run.settle()
    assert run.js("() => [...document.querySelectorAll('.leaflet-popup-content')].map((p) => p.textContent)") == ["Gatún"]
    assert run.errors == []


def test_serve_keeps_what_elements_add_to_the_policy():
    from storymap.serve import dev_page

    story = storymap.load(GEODATA).add_layer(div_pin(), "Div pin")
    built = policy_of(story.to_html())
    served = policy_of(dev_page(story.to_html(), {}))
    assert served["style-src-attr"] == built["style-src-attr"] and served["connect-src"] == ["'self'"]


FEATURES = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "id": 1, "properties": {}, "geometry": {"type": "Point", "coordinates": [-79.52, 8.98]}}]}


def realtime_assets(folder: Path) -> Path:
    """A stand-in for leaflet-realtime: fetches its source and draws it."""
    folder.mkdir(parents=True)
    (folder / "leaflet-realtime.js").write_text(
        "L.realtime = function (src, options) { var layer = L.geoJSON(null, {pointToLayer: function (f, ll) {"
        " return L.circleMarker(ll, {className: 'realtime-feature'}); }});"
        " fetch(typeof src === 'string' ? src : src.url).then(function (r) { return r.json(); })"
        ".then(function (data) { layer.addData(data); }); var realtime = L.layerGroup(); realtime._container = layer;"
        " return realtime; };")
    return folder


def test_hosts_that_elements_load_from_are_allowed_each_in_its_directive():
    from folium.plugins import Realtime, VectorGridProtobuf
    from folium.raster_layers import ImageOverlay, VideoOverlay

    from storymap.security import element_policy

    group = folium.FeatureGroup()
    Realtime("https://live.example.org/now.geojson").add_to(group)
    Realtime({"url": "https://other.example.org/now", "type": "json"}).add_to(group)
    Realtime(folium.JsCode("function (ok, err) { ok({}); }")).add_to(group)  # (loads nothing)
    # (Vector tiles' {s}: Leaflet.VectorGrid's subdomains, "abc" unless its options say others.)
    VectorGridProtobuf("https://{s}.tiles.example.org/{z}/{x}/{y}.pbf", "vg").add_to(group)
    VideoOverlay("https://video.example.org/a.webm", bounds=[[8.9, -79.6], [9.1, -79.4]]).add_to(group)
    ImageOverlay("https://images.example.org/a.png", bounds=[[8.9, -79.6], [9.1, -79.4]]).add_to(group)
    vector_tiles = [f"https://{s}.tiles.example.org" for s in "abc"]
    assert element_policy(group) == {
        "connect-src": vector_tiles + ["https://live.example.org", "https://other.example.org"],
        "media-src": ["https://video.example.org"], "img-src": ["https://images.example.org"]}
    story = storymap.load(GEODATA)
    story.map.add_child(group)  # (its plugins' files are not needed for the policy: ask for it alone)
    from storymap.security import page_policy
    policy = {d.split()[0]: d.split()[1:] for d in page_policy("<p></p>", [], element_policy(story.map)).split("; ")}
    assert policy["connect-src"] == vector_tiles + ["https://live.example.org", "https://other.example.org"]
    assert policy["media-src"] == ["https://video.example.org"]
    assert policy["img-src"] == ["data:", "https://images.example.org"]
    # Without such elements, neither directive (default-src 'none' refuses them all).
    panama = policy_of(storymap.load(GEODATA).to_html())
    assert "connect-src" not in panama and "media-src" not in panama


@pytest.mark.browser
@pytest.mark.parametrize("options, sources", [
    ({"subdomains": ["t1", "t2"], "maxNativeZoom": 14}, ["https://t1.tiles.example.org", "https://t2.tiles.example.org"]),
    ({"subdomains": "xy"}, ["https://x.tiles.example.org", "https://y.tiles.example.org"]),
    ({"maxNativeZoom": 14}, [f"https://{s}.tiles.example.org" for s in "abc"]),  # (the plugin's default)
    # Not knowable here: the wildcard over the named domain.
    ("{subdomains: window.hosts}", ["https://*.tiles.example.org"]),  # (JavaScript text)
    ({"subdomains": folium.JsCode("window.hosts")}, ["https://*.tiles.example.org"]),
    ({"subdomains": ["a", "evil.org;"]}, ["https://*.tiles.example.org"]),
])
def test_vector_tiles_hosts_are_named_by_their_subdomains(options, sources):
    from folium.plugins import VectorGridProtobuf

    from storymap.security import element_policy

    group = folium.FeatureGroup()
    VectorGridProtobuf("https://{s}.tiles.example.org/{z}/{x}/{y}.pbf", "vg", options).add_to(group)
    assert element_policy(group) == {"connect-src": sources}


def test_a_realtime_layer_fetches_its_named_source_under_the_policy(tmp_path: Path, make_page):
    import json

    from folium.plugins import Realtime

    story = storymap.load(GEODATA).add_layer(Realtime("https://live.example.org/now.geojson"), "Live",
                                             assets=realtime_assets(tmp_path / "realtime"))
    html = story.save(tmp_path / "live.html").read_text("utf-8")
    assert policy_of(html)["connect-src"] == ["https://live.example.org"]
    run = make_page(online=True)
    run.page.route("https://live.example.org/**", lambda route: route.fulfill(
        status=200, content_type="application/json", headers={"Access-Control-Allow-Origin": "*"},
        body=json.dumps(FEATURES)))
    run.open(tmp_path / "live.html")
    run.page.wait_for_function("() => document.querySelectorAll('.storymap .realtime-feature').length === 1",
                               timeout=10_000)
    assert not run.outside and run.errors == [], (run.outside, run.errors)


# folium.CustomIcon -------------------------------------------------------------------------------

def test_a_custom_icon_needs_no_awesome_markers(tmp_path: Path):
    """CustomIcon subclasses folium.Icon but draws its image with Leaflet's own L.icon: a data URI
    or a local file (which folium reads into one) needs nothing more; an https image's host is
    allowed in img-src, as the hosts other elements name are."""
    pixel = "data:image/png;base64," + base64.b64encode(BLANK_PNG).decode()
    (tmp_path / "pin.png").write_bytes(BLANK_PNG)
    story = storymap.load(GEODATA)
    story.add_layer(folium.Marker([8.98, -79.52], icon=folium.CustomIcon(pixel, icon_size=(20, 20))), "Data pin")
    story.add_layer(folium.Marker([8.99, -79.52], icon=folium.CustomIcon(str(tmp_path / "pin.png"))), "File pin")
    folium.Marker([9.0, -79.5], icon=folium.CustomIcon(pixel)).add_to(story.map)
    html = story.to_html()
    assert "AwesomeMarkers" not in html and html.count(pixel) >= 3
    assert policy_of(html)["img-src"] == ["data:"] + CARTO_HOSTS
    story.add_layer(folium.Marker([9.01, -79.52], icon=folium.CustomIcon(
        "https://images.example.org/pin.png", shadow_image="https://shadows.example.org/s.png")), "Remote pin")
    assert policy_of(story.to_html())["img-src"] == [
        "data:", *CARTO_HOSTS, "https://images.example.org", "https://shadows.example.org"]


# Elements that cannot run under the page's policy ------------------------------------------------

def test_a_measure_control_is_refused_early_with_what_to_do_instead():
    """leaflet-measure compiles its templates with new Function: under the page's policy (no
    'unsafe-eval') its script would throw and stop the page's."""
    from folium.plugins import MeasureControl

    story = storymap.load(GEODATA)
    with pytest.raises(StoryError, match=r"layer 'Measure' data: folium.plugins.MeasureControl cannot run under "
                                         r"the story page's Content-Security-Policy.*new Function.*folium.PolyLine"):
        story.add_layer(folium.FeatureGroup().add_child(MeasureControl()), "Measure")
    with pytest.raises(StoryError, match=r"layer 'Measure' data: folium.plugins.MeasureControl cannot run"):
        story.add_layer(MeasureControl(), "Measure")
    assert story.layers == []
    MeasureControl().add_to(story.map)
    with pytest.raises(StoryError, match=r"story.map MeasureControl: folium.plugins.MeasureControl cannot run"):
        story.to_html(assets=GEODATA)  # (before any file is looked for)


def test_a_float_image_and_a_scroll_zoom_toggler_are_refused_early():
    """Both saved fine and showed nothing: FloatImage's image lay under the map (outside the story,
    its z-index refused by the policy); ScrollZoomToggler's icon was refused and the story decides
    what the wheel does."""
    from folium.plugins import FloatImage, ScrollZoomToggler

    story = storymap.load(GEODATA)
    FloatImage("data:image/png;base64,iVBORw0KGgo=", bottom=5, left=60).add_to(story.map)
    with pytest.raises(StoryError, match=r"story.map FloatImage: folium.plugins.FloatImage would not show.*media"):
        story.to_html()
    story = storymap.load(GEODATA)
    ScrollZoomToggler().add_to(story.map)
    with pytest.raises(StoryError, match=r"story.map ScrollZoomToggler: .* the story decides what the wheel does"):
        story.to_html()


# Elements that need a file a folium.Map would load ------------------------------------------------

MARKERCLUSTER_JS = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js"
JQUERY = "https://code.jquery.com/jquery-3.7.1.min.js"


def markercluster_assets(folder: Path) -> Path:
    """A stand-in for Leaflet.markercluster: a plain layer group."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "leaflet.markercluster.js").write_text(
        "L.MarkerClusterGroup = L.FeatureGroup.extend({}); L.markerClusterGroup = function (o) {"
        " return new L.MarkerClusterGroup(); };")
    (folder / "MarkerCluster.css").write_text(".marker-cluster{color:#000}")
    (folder / "MarkerCluster.Default.css").write_text(".marker-cluster-small{color:#000}")
    return folder


def test_a_fast_marker_cluster_asks_for_awesome_markers_for_its_default_markers(tmp_path: Path):
    """Without a callback, a FastMarkerCluster draws each point with L.AwesomeMarkers.icon()."""
    from folium.plugins import FastMarkerCluster

    points = [[9.0 + i / 100, -79.6] for i in range(5)]
    folder = markercluster_assets(tmp_path / "assets")
    story = storymap.load(GEODATA)
    with pytest.raises(StoryError) as info:
        story.add_layer(FastMarkerCluster(points), "Fast", assets=folder)
    lines = [str(p) for p in info.value.problems]
    assert lines[0] == f"layer 'Fast' assets: cannot find {AWESOME_JS}" and any(GLYPHICONS in line for line in lines)
    assert any("FastMarkerCluster without a callback" in line for line in lines)
    FastMarkerCluster(points).add_to(story.map)
    with pytest.raises(StoryError, match="cannot find " + AWESOME_JS):
        story.to_html(assets=folder)
    # With the files, it builds; with a callback of its own, it needs none of them.
    awesome_assets(folder / "awesome")
    assert "L.AwesomeMarkers = {icon" in story.add_layer(FastMarkerCluster(points), "Fast", assets=folder).to_html()
    own = storymap.load(GEODATA).add_layer(FastMarkerCluster(
        points, callback="function (row) { return L.circleMarker(new L.LatLng(row[0], row[1])); }"), "Own",
        assets=markercluster_assets(tmp_path / "clusters"))
    assert "AwesomeMarkers" not in own.to_html()


def test_a_time_slider_choropleth_asks_for_jquery(tmp_path: Path):
    import json

    from folium.plugins import TimeSliderChoropleth

    folder = tmp_path / "assets"
    folder.mkdir()
    (folder / "d3.v4.min.js").write_text("var d3 = {};")
    (folder / "moment.min.js").write_text("var moment = function () {};")

    def slider() -> TimeSliderChoropleth:
        square = {"type": "Feature", "id": "0", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [
            [[-79.9, 9.0], [-79.6, 9.0], [-79.6, 9.3], [-79.9, 9.3], [-79.9, 9.0]]]}}
        return TimeSliderChoropleth(json.dumps({"type": "FeatureCollection", "features": [square]}),
                                    styledict={"0": {"1577836800": {"color": "red", "opacity": 0.7}}})

    story = storymap.load(GEODATA)
    with pytest.raises(StoryError) as info:
        story.add_layer(slider(), "Slider", assets=folder)
    lines = [str(p) for p in info.value.problems]
    assert lines[0] == f"layer 'Slider' assets: cannot find {JQUERY}"
    assert any("TimeSliderChoropleth's and HeatMapWithTime's scripts use jQuery" in line and "time='date'" in line
               for line in lines)
    (folder / "jquery-3.7.1.min.js").write_text("window.jQuery = window.$ = function () {};")
    html = story.add_layer(slider(), "Slider", assets=folder).to_html()
    assert "window.jQuery = window.$" in html
    # HeatMapWithTime's header script calls $.extend: it asks for jQuery too.
    from folium.plugins import HeatMapWithTime

    (folder / "jquery-3.7.1.min.js").unlink()
    story = storymap.load(GEODATA)
    HeatMapWithTime([[[9.0, -79.5]]]).add_to(story.map)
    with pytest.raises(StoryError, match=re.escape(f"cannot find {JQUERY}")):
        story.to_html(assets=folder)
    # In a layer's group it has no map to add its time control to: refused, saying where it goes.
    with pytest.raises(StoryError, match="HeatMapWithTime adds its time control to the map it sits on"):
        storymap.load(GEODATA).add_layer(HeatMapWithTime([[[9.0, -79.5]]]), "Heat", assets=folder)


def test_a_popup_of_a_frame_warns_that_it_would_open_empty(recwarn):
    framed = folium.Marker([8.98, -79.52], popup=folium.Popup(folium.IFrame("<h1>Hi</h1>", width=200, height=100)))
    story = storymap.load(GEODATA)
    with pytest.warns(UserWarning, match=r"layer 'Framed': a folium.Popup holding a folium.IFrame .* would open "
                                         r"empty.*Give folium.Popup the HTML itself"):
        story.add_layer(framed, "Framed")
    with pytest.warns(UserWarning, match="would open empty"):
        story.add_layer(folium.Marker([9, -79.5], popup="<p>see</p><iframe src='https://example.org'></iframe>"),
                        "Raw frame")
    recwarn.clear()
    story.add_layer(folium.Marker([9, -79.5], popup=folium.Popup("<h1>Hi</h1>")), "Plain")
    story.to_html()  # (the layers' popups were warned of when they were added)
    assert not [w for w in recwarn if "open empty" in str(w.message)]
    folium.Marker([9.1, -79.5], popup=folium.Popup(folium.IFrame("<p>x</p>"))).add_to(story.map)
    with pytest.warns(UserWarning, match="story.map: a folium.Popup holding a folium.IFrame"):
        story.to_html()


def test_an_element_looked_at_on_a_folium_map_first_joins_a_story():
    # A GeoJson rendered on a plain folium.Map (a notebook cell) keeps that map as parent_map: the
    # checks for a second map, MeasureControl and bare elements walked up into it and refused it.
    from folium.plugins import MeasureControl

    m = folium.Map()
    shape = folium.GeoJson({"type": "Feature", "properties": {},
                            "geometry": {"type": "Point", "coordinates": [-79.5, 9.0]}}).add_to(m)
    MeasureControl().add_to(m)
    m._repr_html_()
    assert shape.parent_map is m
    story = storymap.load(GEODATA).add_layer(shape, "Looked at")
    assert "Looked at" in story.to_html()
    shape.add_to(story.map)
    story.to_html()


def test_element_hosts_are_named_exactly(tmp_path: Path):
    from folium.plugins import Realtime

    from storymap.security import named_source, named_sources

    assert named_source("http://localhost:8000/points.geojson") == "http://localhost:8000"
    assert named_source("https://[::1]:9000/x") == "https://[::1]:9000"
    assert named_source("https://{s}.tiles.example.com/{z}/{x}/{y}.pbf") == "https://*.tiles.example.com"
    assert named_source("data/live.geojson") is None
    assert named_sources("https://{s}.tiles.example.com/{z}/{x}/{y}.pbf", "ab") == [
        "https://a.tiles.example.com", "https://b.tiles.example.com"]
    assert named_sources("https://{s}.tiles.example.com/{z}/{x}/{y}.pbf") == ["https://*.tiles.example.com"]
    assert named_sources("data/live.geojson", "ab") == []
    # Never a whole scheme (image_source's fallback for tile templates): every host would be allowed.
    for wide in ("https://{s}/v.mp4", "https://{s}.com/x", "https://my_bucket.s3.amazonaws.com/a.png", "ftp://x.org/a"):
        with pytest.raises(ValueError, match="cannot be named"):
            named_source(wide)
    # (On story.map: in folium 0.17 a Realtime is no Layer, so add_layer refuses it there.)
    story = storymap.load(GEODATA)
    Realtime("https://{s}/live.geojson").add_to(story.map)
    with pytest.raises(StoryError, match=r"folium Realtime connect-src: 'https://\{s\}/live.geojson': its host cannot"):
        story.to_html(assets=realtime_assets(tmp_path / "rt"))
    relative = storymap.load(GEODATA)
    Realtime("data/live.geojson").add_to(relative.map)
    with pytest.warns(UserWarning, match="'data/live.geojson' is relative"):
        html = relative.to_html(assets=realtime_assets(tmp_path / "rt2"))
    assert "connect-src" not in html


def _legend_layers() -> storymap.Story:
    """The Panama story with four folium layers: a MarkerCluster of pins (Leaflet.markercluster's
    files from the xstatic package), a group with one pin, a group of a styled CircleMarker, and a
    GeoJson point (which Leaflet draws as a pin)."""
    import xstatic.pkg.leaflet_markercluster as markercluster
    from folium.plugins import MarkerCluster

    story = storymap.load(GEODATA)
    cluster = MarkerCluster()
    for lat, lon in [(9.0, -79.5), (9.05, -79.55), (8.95, -79.45)]:
        folium.Marker([lat, lon]).add_to(cluster)
    story.add_layer(cluster, "Cluster", assets=markercluster.BASE_DIR)
    pins = folium.FeatureGroup()
    folium.Marker([8.5, -80.0]).add_to(pins)
    story.add_layer(pins, "Pins")
    circles = folium.FeatureGroup()
    folium.CircleMarker([8.7, -80.3], radius=6, color="#7b3294", fill=True, fill_color="#c2a5cf").add_to(circles)
    story.add_layer(circles, "Circles")
    story.add_layer(folium.GeoJson({"type": "Feature", "geometry": {"type": "Point", "coordinates": [-80.5, 8.4]},
                                    "properties": {}}), "Geo pins")
    from folium.plugins import HeatMap
    story.add_layer(HeatMap([[9.0, -79.5, 1.0], [9.1, -79.6, 0.5]], gradient={0.3: "#2c7bb6", 1: "#d7191c"}), "Heat")
    return story


def test_a_layer_of_markers_is_keyed_by_its_markers_and_a_group_of_shapes_by_their_style():
    """The legend's row of a folium layer said "an orange dot" for a MarkerCluster or a group of
    pins, and for a group of purple CircleMarkers: markers are now keyed as markers (the page gets
    markers.js, which draws their icon), a group of shapes in its first shape's style."""
    story = _legend_layers()
    overlays = {name: story._overlays[name].config for name in story.layers}
    assert {name: o["shape"] for name, o in overlays.items()} == {
        "Cluster": "marker", "Pins": "marker", "Circles": "point", "Geo pins": "marker", "Heat": "area"}
    assert overlays["Circles"]["style"] == {"color": "#7b3294", "fillColor": "#c2a5cf", "weight": 3, "opacity": 1.0,
                                            "fillOpacity": 0.2}
    # Only a page with such a layer carries the script.
    marker_js = assets.own_script("markers.js")
    assert marker_js in story.to_html() and marker_js not in storymap.load(GEODATA).to_html()


def test_a_geojson_layer_is_keyed_in_the_colours_its_style_function_draws():
    """A folium.GeoJson drawn green by its style_function had a teal swatch (the layer's default),
    and one of circles filled red by its style_function an orange one (its CircleMarker's): the
    legend now shows the first feature as drawn."""
    lines = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"route": r}, "geometry": {"type": "LineString", "coordinates": c}}
        for r, c in (("A", [[-80, 8], [-79, 9]]), ("B", [[-82, 8.5], [-78, 8.8]]))]}
    points = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"v": 1}, "geometry": {"type": "Point", "coordinates": [-80, 8]}}]}
    story = storymap.load(GEODATA)
    story.add_layer(folium.GeoJson(lines, style_function=lambda f: {"color": "green", "weight": 6}), "Routes")
    story.add_layer(folium.GeoJson(points, marker=folium.CircleMarker(fill_color="orange", color="black"),
                                   style_function=lambda f: {"fillColor": "red"}), "Circles")
    config = {name: story._overlays[name].config for name in story.layers}
    assert config["Routes"]["style"] == {"color": "green", "weight": 6}
    assert config["Circles"]["style"]["fillColor"] == "red" and config["Circles"]["style"]["color"] == "black"


@pytest.mark.browser
def test_a_heatmap_with_a_colour_that_is_no_colour_is_refused():
    """Leaflet.heat stopped the page on it ("could not be parsed as a color"): add_layer says so."""
    from folium.plugins import HeatMap

    with pytest.raises(storymap.StoryError, match=r"layer 'Heat' data: the HeatMap's gradient gives 'url\(x\)' at 0.5, "
                                                  r"which is no CSS colour"):
        storymap.load(GEODATA).add_layer(HeatMap([[9.0, -79.5]], gradient={0.2: "blue", 0.5: "url(x)"}), "Heat")


def test_the_legend_shows_a_marker_layers_icon(tmp_path: Path, make_page):
    """In the legend, the cluster layer's row shows a cluster as the plugin draws it (its classes,
    its green), the pins' rows Leaflet's pin (the image the map's markers use), the circles' row
    their purple; each in a box no larger than a row's."""
    page = _legend_layers().save(tmp_path / "index.html", languages=["en"])
    run = make_page((1280, 800), tiles=False).open(page)
    run.page.wait_for_function("() => document.querySelector('[data-storymap]').storymap.ready")
    rows = run.js("""() => Object.fromEntries(Array.from(document.querySelectorAll('.storymap-legend-item[data-layer]'))
      .map((row) => { const swatch = row.firstElementChild, r = swatch.getBoundingClientRect(),
        inner = swatch.firstElementChild, img = swatch.querySelector('img'), ir = inner && inner.getBoundingClientRect();
        return [row.dataset.layer, {cls: swatch.className, inner: inner ? inner.className : '', img: img ? img.src : '',
          box: [Math.round(r.width), Math.round(r.height)], fits: !ir || (ir.left >= r.left - 0.5 && ir.right <= r.right + 0.5
            && ir.top >= r.top - 0.5 && ir.bottom <= r.bottom + 0.5), fill: getComputedStyle(swatch).backgroundColor,
          image: getComputedStyle(swatch).backgroundImage,
          hidden: swatch.getAttribute('aria-hidden')}]; }))""")
    pin = run.js(  # (the image of the layer's marker on the map)
        "() => { const m = document.querySelector('[data-storymap]').storymap; let src = '';"
        " m.layers.Pins.eachLayer(function f(l) { if (l.eachLayer) l.eachLayer(f); else if (!src) src = l.options.icon.createIcon().src; });"
        " return src; }")
    assert set(rows) == {"Cluster", "Pins", "Circles", "Geo pins", "Heat"}
    # A HeatMap's row shows its gradient (it showed a blue dot whatever its colours).
    assert rows["Heat"]["image"] == "linear-gradient(90deg, rgb(44, 123, 182) 30%, rgb(215, 25, 28) 100%)", rows["Heat"]
    assert "storymap-swatch--area" in rows["Heat"]["cls"]
    assert "marker-cluster" in rows["Cluster"]["inner"] and "marker-cluster-small" in rows["Cluster"]["inner"]
    # (Without its count: the row reads as its name.)
    assert run.js("() => document.querySelector('.storymap-legend-item[data-layer=Cluster]').textContent") == "Cluster"
    assert pin.startswith("data:image/png;base64,") and rows["Pins"]["img"] == pin and rows["Geo pins"]["img"] == pin
    for name in ("Cluster", "Pins", "Geo pins"):
        assert "storymap-swatch--marker" in rows[name]["cls"] and rows[name]["box"] == [18, 20], rows[name]
        assert rows[name]["fits"] and rows[name]["hidden"] == "true", name
    assert rows["Circles"]["fill"] == "rgb(194, 165, 207)" and "storymap-swatch--point" in rows["Circles"]["cls"]
    assert run.errors == []


# A label's box and a marker icon's, in page px; whether two boxes overlap.
_BOXES = """() => { const r = (e) => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  return {labels: [...document.querySelectorAll('.storymap-label')].filter((e) => getComputedStyle(e).display !== 'none'
            && getComputedStyle(e).visibility !== 'hidden').map((e) => [e.textContent, r(e)]),
          pins: [...document.querySelectorAll('.leaflet-marker-pane .leaflet-marker-icon:not(.storymap-arrow)')].map(r)}; }"""


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.browser
def test_the_storys_labels_keep_clear_of_a_layers_markers(tmp_path: Path, make_page):
    """A folium Marker added as a layer sat under a story label that covered its pin: the labels
    kept clear of the map's controls and of the places' points, not of the layers' markers."""
    story = storymap.load(GEODATA)
    story.add_layer(folium.Marker([20.0, -60.0]), "Pin")  # (out of the canal step's view at first)
    run = make_page((1280, 800), tiles=False).open(story.save(tmp_path / "index.html", languages=["en"]), "the-canal")
    run.page.wait_for_function("() => document.querySelector('[data-storymap]').storymap.ready")
    labels = run.js(_BOXES)["labels"]
    name, box = next((n, b) for n, b in labels if n == "Panama Canal")
    # The pin moved to the middle of the "Panama Canal" label, and the map moved a pixel: the
    # labels are placed again, around it.
    run.js("""(at) => { const s = document.querySelector('[data-storymap]').storymap, map = s.map;
      const c = map.getContainer().getBoundingClientRect();
      s.layers.Pin.eachLayer(function f(l) { if (l.eachLayer) l.eachLayer(f);
        else l.setLatLng(map.containerPointToLatLng([at[0] - c.left, at[1] - c.top])); });
      map.panBy([1, 0], {animate: false}); }""", [(box[0] + box[2]) / 2, box[3] - 4])
    run.page.wait_for_timeout(100)
    after = run.js(_BOXES)
    assert len(after["pins"]) == 1 and [n for n, _ in after["labels"]] == [n for n, _ in labels], after
    assert not [n for n, b in after["labels"] if _overlap(b, after["pins"][0])], after
    assert run.errors == []
