"""Rendering without global patches (issue 10): pure, thread-safe, byte-identical, plugins inlined."""

from __future__ import annotations

import threading
from pathlib import Path

import branca.element
import folium
import jinja2
import pytest
from folium.plugins import Fullscreen, HeatMap, MarkerCluster

import storymap
from storymap import StoryError
from storymap import context as context_module

from .conftest import GEODATA, ROOT

PORTS = ROOT / "examples" / "ports"
CLUSTER_JS = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js"


def cluster_assets() -> Path:
    xstatic = pytest.importorskip("xstatic.pkg.leaflet_markercluster")
    return Path(xstatic.BASE_DIR)


pytestmark = pytest.mark.usefixtures("no_network")


def story_with_elements() -> storymap.Story:
    story = storymap.load(GEODATA)
    folium.Marker([8.98, -79.52], tooltip="{{ 6*7 }} Panama City").add_to(story.map)
    story.add_layer(folium.CircleMarker([9.0, -79.6], radius=5), "Circle")
    story.add_layer({"type": "Point", "coordinates": [-79.7, 9.1]}, "A point", steps=["the-canal"])
    return story


def test_concurrent_renders_give_the_sequential_bytes():
    stories = [story_with_elements(), storymap.load(PORTS), storymap.load(GEODATA)]
    expected = [s.to_html() for s in stories] + [stories[0].to_html(fragment=True)]
    results: dict[int, str] = {}
    start = threading.Barrier(8)

    def work(k: int) -> None:
        start.wait()
        i = k % 4
        results[k] = stories[i].to_html() if i < 3 else stories[0].to_html(fragment=True)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k, html in results.items():
        assert html == expected[k % 4], k
    # A fresh story renders the same bytes again: nothing leaked from one render to the next.
    assert storymap.load(GEODATA).to_html() == expected[2]


def test_branca_and_folium_are_untouched(tmp_path: Path):
    story = story_with_elements()
    marker = folium.Marker([9.1, -79.7], popup="A popup")
    marker.add_to(story.map)
    name, parent, children = marker.get_name(), marker._parent, dict(marker._children)
    template_class, generate = branca.element.Template, getattr(branca.element.Element, "_generate_id", None)
    story.save(tmp_path / "page.html")
    story.to_html(fragment=True)
    assert branca.element.Element("<p>{{ 6*7 }}</p>").render() == "<p>42</p>"
    assert branca.element.Template is template_class is jinja2.Template
    assert getattr(branca.element.Element, "_generate_id", None) == generate
    assert marker.get_name() == name and marker._parent is parent and dict(marker._children) == children
    assert folium.Map(tiles=None).get_name() != folium.Map(tiles=None).get_name()  # ids random again
    # Template text in a story element is still never evaluated.
    assert "{{ 6*7 }} Panama City" in story.to_html()


def _state(story: storymap.Story) -> tuple:
    def tree(element):
        return (type(element).__name__, element._id, id(element._parent),
                [(key, tree(child)) for key, child in element._children.items()])

    return (story.data.model_dump_json(), tree(story.map), list(story.layers),
            {k: dict(vars(o.element)).keys() for k, o in story._overlays.items()})


def test_rendering_is_pure_in_any_order():
    story = story_with_elements()
    before = _state(story)
    outputs = [story.to_html(layout="scroll"), story.to_html(fragment=True), story.to_html(),
               story.to_html(fragment=True, layout="scroll"), story.to_html()]
    assert _state(story) == before
    fresh = [story_with_elements() for _ in range(2)]
    assert outputs[2] == outputs[4]
    # Fresh stories (other random folium ids) give the same bytes, in any order.
    assert fresh[0].to_html(fragment=True) == outputs[1]
    assert fresh[1].to_html(layout="scroll") == outputs[0]
    assert fresh[1].to_html() == outputs[2]


def test_markdown_is_rendered_once_per_render(monkeypatch: pytest.MonkeyPatch):
    story = storymap.load(GEODATA)
    calls = []
    real = context_module.markdown_html
    monkeypatch.setattr(context_module, "markdown_html", lambda text: calls.append(text) or real(text))
    story.to_html()
    # Once in each of the story's languages (the page holds them all).
    assert len(calls) == (len(story.data.steps) + len(story.data.places)) * len(story.languages) == 2 * 29


# folium plugins --------------------------------------------------------------------------------

def test_a_plugin_without_its_files_is_refused_at_add_layer():
    story = storymap.load(GEODATA)
    cluster = MarkerCluster(locations=[[9.0, -79.6], [9.1, -79.7]])
    with pytest.raises(StoryError) as info:
        story.add_layer(cluster, "Clusters")
    lines = [str(p) for p in info.value.problems]
    assert lines[0] == f"layer 'Clusters' assets: cannot find {CLUSTER_JS}"
    assert any(line.endswith("/MarkerCluster.Default.css") for line in lines)
    assert "assets=FOLDER" in lines[-1] and "STORYMAP_ASSETS" in lines[-1] and "network access" in lines[-1]
    assert story.layers == []
    # Nothing was added: the story still saves.
    assert "<!DOCTYPE html>" in story.to_html()


def test_a_plugin_with_its_files_is_inlined_in_page_and_fragment():
    story = storymap.load(GEODATA)
    story.add_layer(MarkerCluster(locations=[[9.0, -79.6], [9.1, -79.7]]), "Clusters", assets=cluster_assets())
    for html in (story.to_html(), story.to_html(fragment=True)):
        assert "<script src" not in html and "<link" not in html and "cdnjs" not in html
        assert "L.MarkerClusterGroup" in html and ".storymap .marker-cluster" in html
    assert story.to_html() == story.to_html()


def test_a_plugin_folium_ships_needs_nothing_more():
    story = storymap.load(GEODATA).add_layer(HeatMap([[9.0, -79.6, 1.0], [9.1, -79.7, 0.5]]), "Heat")
    assert "<script src" not in story.to_html(fragment=True) and "L.heatLayer" in story.to_html()


def test_assets_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("STORYMAP_ASSETS", str(cluster_assets()))
    story = storymap.load(GEODATA).add_layer(MarkerCluster(locations=[[9.0, -79.6]]), "Clusters")
    assert "L.MarkerClusterGroup" in story.to_html()


def test_a_failed_layer_can_be_removed_and_a_plugin_on_the_map_fails_clearly():
    story = storymap.load(GEODATA)
    story.add_layer(folium.Marker([9.0, -79.6]), "Marker")
    story.remove_layer("Marker")
    assert story.layers == []
    with pytest.raises(StoryError, match="no layer named 'Markr'; did you mean 'Marker'"):
        story.add_layer(folium.Marker([9.0, -79.6]), "Marker").remove_layer("Markr")
    Fullscreen().add_to(story.map)  # straight onto the map, bypassing add_layer: the save says what is missing
    with pytest.raises(StoryError) as info:
        story.to_html(fragment=True)
    assert "cannot find https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js" in str(info.value)


def test_fetched_files_are_cached_and_checked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    from storymap import assets

    fetched = []
    body = (cluster_assets() / "leaflet.markercluster.js").read_bytes()

    def fake(url, timeout):
        fetched.append(url)
        return b"<!DOCTYPE html><p>Not found</p>" if url.endswith(".css") else body

    monkeypatch.setattr(assets, "_download", fake)
    store = assets.AssetStore(fetch=True, cache=tmp_path / "cache")
    assert store.find(CLUSTER_JS) == body
    assert store.find(CLUSTER_JS) == body and fetched == [CLUSTER_JS]  # from the cache the second time
    assert store.find(CLUSTER_JS.replace(".js", ".css")) is None  # an HTML error page is not a stylesheet


@pytest.mark.browser
def test_marker_cluster_works_offline_from_a_local_folder(tmp_path: Path, make_page):
    story = storymap.load(GEODATA)
    points = [[9.0 + i * 0.01, -79.6 - i * 0.01] for i in range(30)]
    story.add_layer(MarkerCluster(locations=points), "Clusters", assets=cluster_assets())
    page = story.save(tmp_path / "clusters.html")
    run = make_page().open(page, "the-canal")
    # markercluster's clusters add up to the 30 points once its zoom animations are over (while one
    # runs, the clusters it replaces are still fading out and are counted too): wait for that state.
    total = """() => [...document.querySelectorAll('.leaflet-marker-pane .marker-cluster span')]
                     .reduce((n, el) => n + Number(el.textContent), 0)"""
    try:
        run.page.wait_for_function(f"""() => {{ const g = document.querySelector('[data-storymap]').storymap.layers.Clusters;
          return !g._inZoomAnimation && !g._queueTimeout && ({total})() === 30; }}""", timeout=15000)
    except Exception:
        pytest.fail(f"the clusters count {run.js(total)} points, not 30")
    assert run.js("() => getComputedStyle(document.querySelector('.marker-cluster')).borderRadius") != "0px"
    assert not run.outside and not run.errors, (run.outside, run.errors)
