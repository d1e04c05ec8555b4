"""folium elements added straight to ``story.map``: how the page puts them together with the story's
own layers and script (a layer control, an element whose script throws, header scripts, elements
that are not on the map at all, markers made at run time)."""

from __future__ import annotations

from pathlib import Path

import folium
import pytest
from branca.element import Element, MacroElement
from folium.plugins import DualMap, TimestampedGeoJson
from folium.template import Template

import storymap

from .conftest import GEODATA

READY = "() => document.querySelector('[data-storymap]').storymap.ready"
ROOT = "document.querySelector('[data-storymap]').storymap"


pytestmark = pytest.mark.usefixtures("no_network")


def open_ready(make_page, path: Path):
    """The page opened offline, once the story is ready."""
    run = make_page().open(path)
    run.page.wait_for_function(READY, timeout=10_000)
    return run


def next_works(run) -> bool:
    """Next moves the story from its first step to the second."""
    before = run.js(f"() => {ROOT}.index")
    run.page.click(".storymap-next")
    run.settle()
    return before == 0 and run.js(f"() => {ROOT}.index") == 1


# A layer control -------------------------------------------------------------------------------

def with_layer_control() -> storymap.Story:
    story = storymap.load(GEODATA)
    group = folium.FeatureGroup("Overlay A").add_to(story.map)
    folium.CircleMarker([9.1, -79.6], radius=8, class_name="user-overlay").add_to(group)
    folium.LayerControl(collapsed=False).add_to(story.map)
    folium.FeatureGroup("Added after the control").add_to(story.map)
    return story.add_layer(folium.CircleMarker([9.0, -79.5], radius=5), "Story layer")


def test_a_layer_control_comes_after_every_layer_and_lists_the_users_alone():
    html = with_layer_control().to_html()
    control = html.index("L.control.layers(")
    for made in ("L.storymap.basemap(", "L.tileLayer(", "L.featureGroup("):
        assert html.rindex(made) < control, made
    listed = html[html.rindex("base_layers", 0, control):control]
    assert '"Overlay A"' in listed and '"Added after the control"' in listed
    assert '"Tiles"' not in listed and '"Basemap"' not in listed and '"Story layer"' not in listed


@pytest.mark.browser
def test_a_layer_control_on_the_map_works_with_the_story(tmp_path: Path, make_page):
    run = open_ready(make_page, with_layer_control().save(tmp_path / "control.html"))
    labels = run.js("() => [...document.querySelectorAll('.storymap .leaflet-control-layers label')]"
                    ".map((l) => l.querySelector('input').type + ' ' + l.textContent.trim())")
    assert labels == ["checkbox Overlay A", "checkbox Added after the control"]
    drawn = "() => document.querySelectorAll('.storymap path.user-overlay').length"
    assert run.js(drawn) == 1
    run.page.click(".storymap .leaflet-control-layers label:first-child input")
    assert run.js(drawn) == 0 and not run.js(f"() => {ROOT}.map.hasLayer({ROOT}.layers['Overlay A'])")
    run.page.click(".storymap .leaflet-control-layers label:first-child input")
    assert run.js(drawn) == 1
    assert next_works(run)
    assert run.errors == [] and not run.outside, (run.errors, run.outside)


# An element whose script throws ------------------------------------------------------------------

class Boom(MacroElement):
    """A user's element whose script throws."""

    _template = Template("""{% macro script(this, kwargs) %}
var {{ this.get_name() }} = null;
throw new Error("boom from the element");
{% endmacro %}""")

    def __init__(self) -> None:
        super().__init__()
        self._name = "Boom"


class Ring(MacroElement):
    """A user's element that draws a circle marker of ``class_name`` on its parent."""

    _template = Template("""{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.circleMarker([9.1, -79.6], {radius: 9, className: {{ this.class_name|tojson }}})
  .addTo({{ this._parent.get_name() }});
{% endmacro %}""")

    def __init__(self, class_name: str) -> None:
        super().__init__()
        self._name = "Ring"
        self.class_name = class_name


def test_each_user_element_is_guarded_and_the_story_alone_is_not():
    story = storymap.load(GEODATA)
    plain = story.to_html()
    scripts = plain[plain.index("L.storymap.claim("):plain.index("L.storymap.story(")]
    assert "storymapFailed" not in plain and "try {" not in scripts
    Boom().add_to(story.map)
    story.add_layer(folium.CircleMarker([9.0, -79.5], radius=5, popup="hi"), "Capital")
    html = story.to_html()
    script = html[html.index("L.storymap.claim("):html.index("L.storymap.story(") + 20]
    assert script.count("try {") == 2 and script.count("storymapFailed(") == 2
    assert "storymapFailed(\"story.map's folium Boom (boom_" in script
    assert "storymapFailed(\"layer 'Capital' (a folium CircleMarker)\", e)" in script
    # The map, the basemap, the tiles and the story run unguarded.
    for own in ("L.storymap.basemap(", "L.tileLayer(", "L.storymap.story("):
        start = script.index(own)
        assert script.rfind("try {", 0, start) < script.rfind("} catch (e)", 0, start), own


@pytest.mark.browser
def test_an_element_that_throws_leaves_the_story_working(tmp_path: Path, make_page):
    story = storymap.load(GEODATA)
    Boom().add_to(story.map)
    Ring("after-boom").add_to(story.map)  # an element after it still draws
    story.add_layer(folium.FeatureGroup().add_child(Boom()), "Broken layer")
    run = open_ready(make_page, story.save(tmp_path / "boom.html"))
    assert run.js("() => document.querySelectorAll('.storymap path.after-boom').length") == 1
    assert next_works(run)
    errors = [e for e in run.errors if "boom from the element" in e]
    assert len(errors) == 2 and len(run.errors) == 2, run.errors
    assert any("story.map's folium Boom (boom_" in e and "the story goes on without it" in e for e in errors)
    assert any("layer 'Broken layer' (a folium FeatureGroup)" in e for e in errors)


# Scripts elements put into the page's header ---------------------------------------------------

class Headed(MacroElement):
    """A user's element that defines a class in a header script (as HeatMapWithTime does) and uses
    it in its own script."""

    _template = Template("""{% macro header(this, kwargs) %}
<style>.headed-note{color:#123}</style>
<script>
var HeadedRing = L.CircleMarker.extend({options: {radius: 7, className: 'headed-ring'}});
var headedThis = this === window;
</script>
{% endmacro %}
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = new HeadedRing([9.1, -79.6], {className: headedThis ? 'headed-ring' : 'headed-wrong'})
  .addTo({{ this._parent.get_name() }});
{% endmacro %}""")

    def __init__(self) -> None:
        super().__init__()
        self._name = "Headed"


@pytest.mark.parametrize("fragment", [False, True])
def test_header_scripts_run_with_the_elements_after_leaflet(fragment):
    story = storymap.load(GEODATA)
    Headed().add_to(story.map)
    html = story.to_html(fragment=fragment)
    head = html[:html.index("<body")] if not fragment else html[:html.index("<script>")]
    assert "HeadedRing" not in head and ".headed-note{color:#123}" in head  # (its style stays)
    assert html.count("var HeadedRing") == 1
    assert html.index("L.storymap.claim(") > html.index("var HeadedRing") > html.index("}, function () {\n\n(function () {")


@pytest.mark.browser
def test_a_header_script_runs_after_leaflet_in_the_page(tmp_path: Path, make_page):
    story = storymap.load(GEODATA)
    Headed().add_to(story.map)
    run = open_ready(make_page, story.save(tmp_path / "headed.html"))
    assert run.js("() => document.querySelectorAll('.storymap path.headed-ring').length") == 1
    assert next_works(run)
    assert run.errors == [] and not run.outside, (run.errors, run.outside)


def timedimension_assets(folder: Path) -> Path:
    """Stand-ins for the files TimestampedGeoJson loads from CDNs: a Leaflet.TimeDimension that
    draws a control and shows the GeoJSON layer as it is."""
    folder.mkdir()
    for name in ("jquery.min.js", "jquery-ui.min.js", "iso8601.min.js", "moment.min.js"):
        (folder / name).write_text(f"/* {name} */\n")
    (folder / "leaflet.timedimension.min.js").write_text(
        "L.TimeDimension = L.Class.extend({initialize: function (o) { this.options = o; }});\n"
        "L.timeDimension = function (o) { return new L.TimeDimension(o); };\n"
        "L.Control.TimeDimension = L.Control.extend({onAdd: function () {"
        " return L.DomUtil.create('div', 'fake-timecontrol'); }});\n"
        "L.timeDimension.layer = {geoJson: function (layer) { return layer; }};\n")
    for name in ("default.min.css", "leaflet.timedimension.control.css"):
        (folder / name).write_text(".fake-timecontrol{width:10px;height:10px}")
    return folder


def timestamped() -> TimestampedGeoJson:
    return TimestampedGeoJson({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"times": ["2020-01-01", "2020-01-02"], "style": {"className": "ts-line"}},
         "geometry": {"type": "LineString", "coordinates": [[-79.9, 9.0], [-79.5, 9.3]]}}]}, period="P1D")


def test_timestamped_geojson_adds_its_own_control(tmp_path: Path):
    story = storymap.load(GEODATA)
    timestamped().add_to(story.map)
    html = story.to_html(assets=timedimension_assets(tmp_path / "td"))
    assert "var timeDimensionControl = new L.Control.TimeDimensionCustom(" in html
    assert ".addControl(timeDimensionControl)" in html and "this.timeDimensionControl" not in html


@pytest.mark.browser
def test_timestamped_geojson_works_in_a_story(tmp_path: Path, make_page):
    story = storymap.load(GEODATA)
    timestamped().add_to(story.map)
    page = story.save(tmp_path / "ts.html", assets=timedimension_assets(tmp_path / "td"))
    run = open_ready(make_page, page)
    assert run.js("() => document.querySelectorAll('.storymap .fake-timecontrol').length") == 1
    assert run.js("() => document.querySelectorAll('.storymap path.ts-line').length") == 1
    assert next_works(run)
    assert run.errors == [] and not run.outside, (run.errors, run.outside)


# Another map -------------------------------------------------------------------------------------

@pytest.mark.parametrize("other", [lambda: DualMap(location=[9.08, -79.68]), lambda: folium.Map()])
def test_a_map_of_its_own_is_refused_at_save(tmp_path: Path, other):
    story = storymap.load(GEODATA)
    element = other()
    story.map.add_child(element)
    with pytest.raises(storymap.StoryError, match=rf"story.map folium {type(element).__name__}: a folium "
                                                  rf"{type(element).__name__} brings a map of its own, and a story "
                                                  r"page has one map, story.map.*add the layers to story.map"):
        story.save(tmp_path / "two.html")
    assert not (tmp_path / "two.html").exists()


# An element that nothing would draw --------------------------------------------------------------

@pytest.mark.parametrize("where", ["map", "layer"])
def test_a_bare_element_is_refused_not_left_out(where):
    story = storymap.load(GEODATA)
    element = Element("<div id='note'>hello</div>")
    if where == "map":
        story.map.add_child(element)
    else:
        story.add_layer(folium.FeatureGroup().add_child(element).add_child(folium.CircleMarker([9, -79.5])), "Group")
    with pytest.raises(storymap.StoryError, match=r"story.map branca Element: a bare Element on the map or in a layer "
                                                  r"is not drawn .*folium.DivIcon.*fragment=True"):
        story.to_html()


# Markers made as the reader goes -----------------------------------------------------------------

def test_default_icons_come_with_any_user_element_and_not_without():
    story = storymap.load(GEODATA)
    assert "L.storymap.defaultIcons(" not in story.to_html()
    story.add_layer(GEODATA / "places.geojson", "Every place")  # a data layer draws no default marker
    assert "L.storymap.defaultIcons(" not in story.to_html()
    folium.ClickForMarker("Clicked").add_to(story.map)
    assert "L.storymap.defaultIcons({\"iconUrl\":\"data:image/png;base64," in story.to_html()


@pytest.mark.browser
def test_a_marker_made_on_a_click_has_its_image(tmp_path: Path, make_page):
    story = storymap.load(GEODATA)
    folium.ClickForMarker().add_to(story.map)
    run = open_ready(make_page, story.save(tmp_path / "click.html"))
    box = run.page.locator(".storymap .storymap-map").bounding_box()
    run.page.mouse.click(box["x"] + box["width"] - 60, box["y"] + box["height"] - 60)
    run.page.wait_for_selector(".storymap .leaflet-marker-pane img.leaflet-marker-icon")
    sources = run.js("() => [...document.querySelectorAll('.storymap .leaflet-marker-pane img')].map((i) => i.src)")
    assert sources and all(src.startswith("data:image/png;base64,") for src in sources), sources
    assert next_works(run)
    assert run.errors == [] and not run.outside, (run.errors, run.outside)


def test_what_is_added_to_the_maps_figure_is_named_as_left_out(recwarn):
    # story.map.get_root().html.add_child(Element(...)) is folium's idiom for HTML beside a map; the
    # story page is built by storymap, and the element was left out silently.
    from branca.element import Element

    story = storymap.load(GEODATA)
    folium.Marker([9.0, -79.5]).add_to(story.map)
    story.map._repr_html_()  # a preview in a notebook: what it puts into the figure is not code's
    story.to_html()
    assert [w for w in recwarn if issubclass(w.category, UserWarning)] == []
    story.map.get_root().html.add_child(Element("<div>Note</div>"))
    with pytest.warns(UserWarning, match=r"story.map.get_root\(\).html: what was added there \(Element element_\w+\) "
                                         r"is not in the story page"):
        story.to_html()



def test_prefer_canvas_reaches_leaflet_by_its_own_name():
    # folium keeps the option as Python names it; Leaflet reads preferCanvas (false by default:
    # the page does not write it).
    story = storymap.load(GEODATA)
    assert not [key for key in story.map.map_options if key.lower().replace("_", "") == "prefercanvas"]
    story.map.options["prefer_canvas"] = True
    options = story.map.map_options
    assert options["preferCanvas"] is True and "prefer_canvas" not in options
    assert '"preferCanvas":true' in story.to_html(languages=["en"]).replace(" ", "")
