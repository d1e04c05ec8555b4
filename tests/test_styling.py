"""GeoDataFrame.explore's keywords in add_layer: classes and colours as explore makes them, the
legend's key, per-feature radii, and errors that name the keyword and the alternatives."""

from __future__ import annotations

import json
import re
import sys
import warnings

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import storymap
from storymap import StoryError
from storymap.context import PageContext
from storymap.i18n import compact_number, number_range
from storymap.layers import make_overlay
from storymap.styling import class_digits, place_ticks, short_number

from .conftest import GEODATA
from .layers_data import column, payloads, random_points

STEPS = [s.id for s in storymap.load(GEODATA).steps]


def squares(values, **columns) -> gpd.GeoDataFrame:
    """One small square per value, in a row across Panama (areas keep their order in the encoding)."""
    n = len(values)
    boxes = [shapely.box(-82.5 + 0.05 * i, 8.0, -82.5 + 0.05 * i + 0.04, 8.04) for i in range(n)]
    return gpd.GeoDataFrame({"value": values, "name": [f"Square {i}" for i in range(n)], **columns},
                            geometry=boxes, crs="EPSG:4326")


def colours(overlay) -> list[str]:
    """Each drawn feature's colour, in the order of the layer's frame."""
    element = overlay.element
    return [element.palette[c] for c in element.codes]


def explore_colours(frame: gpd.GeoDataFrame, **keywords) -> list:
    """The colour ``GeoDataFrame.explore`` gives each feature (``__folium_color`` in its GeoJson)."""
    m = frame.explore(tiles=None, **keywords)
    layer = next(c for c in m._children.values() if isinstance(c, folium.GeoJson))
    return [f["properties"]["__folium_color"] for f in layer.data["features"]]


def overlay(frame, **keywords):
    return make_overlay(frame, "Layer", step_ids=STEPS, **keywords)


@pytest.fixture(scope="module")
def skewed() -> np.ndarray:
    return np.round(np.random.default_rng(5).lognormal(8, 1.5, 60), 1)


# Classes and colours, as explore makes them ------------------------------------------------------

@pytest.mark.parametrize("keywords", [
    {"scheme": "quantiles"},
    {"scheme": "quantiles", "k": 7, "cmap": "YlOrRd"},
    {"scheme": "equal_interval", "k": 4, "cmap": "Blues_r"},
    {"scheme": "fisher_jenks", "k": 6, "cmap": "plasma"},
    {"scheme": "natural_breaks", "cmap": "RdBu"},
    {"scheme": "user_defined", "classification_kwds": {"bins": [1000, 5000, 20000]}},
    {},  # a continuous ramp: 256 steps from the least value to the greatest
    {"cmap": "magma", "vmin": 2000, "vmax": 20000},
    {"cmap": "Set1"},  # a colormap of a few colours
])
def test_colours_are_explores(skewed, keywords):
    frame = squares(skewed)
    if keywords.get("scheme") == "natural_breaks":
        np.random.seed(0)  # (natural breaks start from random choices: storymap seeds them with 0)
    expected = explore_colours(frame, column="value", **keywords)
    assert colours(overlay(frame, column="value", **keywords)) == expected


def test_quantile_classes_are_mapclassifys(skewed):
    import mapclassify  # (here, not at the top: scipy and scikit-learn take seconds to import)

    frame = squares(skewed)
    element = overlay(frame, column="value", scheme="quantiles", k=5).element
    binning = mapclassify.classify(skewed, "quantiles", k=5)
    assert element.codes.tolist() == binning.yb.tolist()
    # viridis goes from dark to light as values grow, as in explore.
    assert element.palette == ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]
    lightness = [sum(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in element.palette]
    assert lightness == sorted(lightness)


@pytest.mark.parametrize("keywords", [
    {"column": "kind"},
    {"column": "kind", "cmap": "tab10"},
    {"column": "kind", "cmap": ["#e41a1c", "#377eb8", "#4daf4a"]},  # cycled when shorter
    {"column": "kind", "categories": ["station", "school", "market", "clinic"]},
    {"column": "flag"},
    {"column": "value", "categorical": True, "cmap": "Set2"},
])
def test_categorical_colours_are_explores(keywords):
    rng = np.random.default_rng(2)
    frame = squares(rng.integers(0, 3, 40).astype(float), kind=np.array(["clinic", "school", "market", "station"])[
        rng.integers(0, 4, 40)], flag=rng.random(40) > 0.5)
    assert colours(overlay(frame, **keywords)) == explore_colours(frame, **keywords)



def test_a_column_of_lists_or_dicts_is_coloured_by_their_text():
    frame = squares([1.0, 2.0, 3.0, 4.0], tags=pd.Series([["a"], {"b": 1}, ["a"], ["c", "d"]], dtype=object))
    result = overlay(frame, column="tags", missing_kwds={"color": "grey"})
    assert colours(result) == explore_colours(frame, column="tags", missing_kwds={"color": "grey"})
    assert [item["label"] for item in result.key["items"]] == ["['a']", "['c', 'd']", "{'b': 1}"]


def test_categorical_dtype_keeps_its_order():
    frame = squares([1.0, 2.0, 3.0, 4.0])
    frame["size"] = pd.Categorical(["small", "large", "small", "medium"], categories=["small", "medium", "large"])
    result = overlay(frame, column="size")
    assert [item["label"] for item in result.key["items"]] == ["small", "medium", "large"]
    assert colours(result) == explore_colours(frame, column="size")


def test_missing_values_are_left_out_or_coloured(skewed):
    values = skewed.copy()
    values[[3, 10, 11]] = np.nan
    frame = squares(values)
    left_out = overlay(frame, column="value", scheme="quantiles")
    assert len(left_out.element.frame) == 57  # as explore draws no colour for them
    kept = list(left_out.element.frame["name"]) if "name" in left_out.element.frame else None
    assert kept is None or "Square 3" not in kept
    expected = explore_colours(frame, column="value", scheme="quantiles", missing_kwds={"color": "#cccccc"})
    grey = overlay(frame, column="value", scheme="quantiles", missing_kwds={"color": "#cccccc", "label": "No data"})
    assert colours(grey) == expected and expected[3] == "#cccccc"
    assert grey.key["items"][-1] == {"label": "No data", "color": "#cccccc"}
    # Values outside `categories` count as missing too.
    cats = squares([1.0, 2.0, 3.0], kind=["a", "b", "c"])
    result = overlay(cats, column="kind", categories=["a", "b"], missing_kwds={"color": "grey"})
    assert colours(result) == [result.element.palette[0], result.element.palette[1], "grey"]
    assert len(overlay(cats, column="kind", categories=["a", "b"]).element.frame) == 2


def test_page_carries_a_palette_and_a_colour_per_feature(skewed):
    import mapclassify  # (here, not at the top: scipy and scikit-learn take seconds to import)

    story = storymap.load(GEODATA)
    points = random_points(500)
    points["value"] = np.random.default_rng(1).lognormal(3, 1, 500)
    html = story.add_layer(points, "Points", column="value", scheme="quantiles", tooltip=["name", "value"]).to_html()
    payload = next(iter(payloads(html).values()))
    options = json.loads(re.search(r"L\.storymap\.dataLayer\(JSON\.parse\('(?:[^'\\]|\\.)*'\), (\{.*?\})\);",
                                   html).group(1))
    assert len(options["palette"]) == 5 and options["strokeFollows"] is True
    # Points are stored in Z-order: each keeps its own class.
    binning = mapclassify.classify(points["value"].to_numpy(), "quantiles", k=5)
    by_name = dict(zip(points["name"], binning.yb))
    assert [by_name[name] for name in column(payload, "name")] == payload["codes"]


def test_color_keyword_one_colour_or_a_column_of_colours():
    frame = squares([1.0, 2.0, 3.0], paint=["#ff0000", "teal", "#ff0000"])
    one = overlay(frame, color="teal")
    assert one.style["fillColor"] == "teal" and one.element.codes is None
    per_feature = overlay(frame, color="paint")
    assert colours(per_feature) == ["#ff0000", "teal", "#ff0000"]
    listed = overlay(frame, color=["red", "blue", "red"])
    assert colours(listed) == ["red", "blue", "red"]


def test_values_given_as_an_array_follow_the_rows(skewed):
    frame = squares(skewed[:6])
    frame.loc[2, "geometry"] = None  # dropped before drawing: the values must stay with their rows
    values = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    result = overlay(frame, column=values, scheme="equal_interval", k=5, tooltip="name")
    drawn = dict(zip(result.element.frame["name"], colours(result)))
    expected = overlay(frame.assign(v=values), column="v", scheme="equal_interval", k=5, tooltip="name")
    assert drawn == dict(zip(expected.element.frame["name"], colours(expected)))
    assert "Square 2" not in drawn and result.key["caption"] == ""


def test_branca_colormaps_and_functions():
    import branca.colormap as bcm

    frame = squares([0.0, 5.0, 10.0])
    ramp = bcm.LinearColormap(["#000000", "#ffffff"], vmin=0, vmax=10)
    result = overlay(frame, column="value", cmap=ramp)
    assert colours(result) == [ramp(v) for v in (0.0, 5.0, 10.0)]  # explore calls it on each value
    assert result.key["type"] == "ramp" and result.key["colors"][0].startswith("#000000")
    named = overlay(frame, column="value", cmap="YlOrRd_09", scheme="equal_interval", k=3)
    assert colours(named)[0] == bcm.linear.YlOrRd_09.rgb_hex_str(0.0)
    func = overlay(frame, column="value", cmap=lambda v: "red" if v > 4 else "blue")
    assert colours(func) == ["blue", "red", "red"]


def test_natural_breaks_pages_are_reproducible(skewed):
    def build() -> str:
        story = storymap.load(GEODATA)
        return story.add_layer(squares(skewed), "Areas", column="value", scheme="natural_breaks").to_html()

    np.random.seed(123)
    first = build()
    state = np.random.get_state()[1].copy()
    assert build() == first
    np.random.seed(123)
    assert np.array_equal(np.random.get_state()[1], state)  # the global generator is left as it was


# The legend's key ---------------------------------------------------------------------------------

def test_legend_classes_with_their_ranges(skewed):
    import mapclassify  # (here, not at the top: scipy and scikit-learn take seconds to import)

    frame = squares(skewed)
    key = overlay(frame, column="value", scheme="quantiles", k=4, legend_kwds={"fmt": "{:,.0f}"}).key
    binning = mapclassify.classify(skewed, "quantiles", k=4)
    edges = [skewed.min()] + list(binning.bins)
    assert key["caption"] == "value" and key["type"] == "classes"
    assert [i["label"] for i in key["items"]] == [f"{a:,.0f} – {b:,.0f}" for a, b in zip(edges[:-1], edges[1:])]
    # explore's own class strings with interval=True; custom labels; a caption.
    explore_like = overlay(frame, column="value", scheme="quantiles", k=4, legend_kwds={"interval": True}).key
    assert [i["label"] for i in explore_like["items"]] == [" ".join(t.split()) for t in
                                                            binning.get_legend_classes("{:.2f}")]
    named = overlay(frame, column="value", scheme="quantiles", k=4,
                    legend_kwds={"labels": ["low", "mid", "high", "top"], "caption": "People"}).key
    assert [i["label"] for i in named["items"]] == ["low", "mid", "high", "top"] and named["caption"] == "People"
    assert overlay(frame, column="value", scheme="quantiles", legend=False).key is None
    # Too few labels: the message counts them, in English ("per classe", "per categorie" before).
    with pytest.raises(StoryError, match=r"legend_kwds.labels: 2 labels for 4 classes; give one label per class$"):
        overlay(frame, column="value", scheme="quantiles", k=4, legend_kwds={"labels": ["a", "b"]})
    frame["kind"] = ["x", "y"] * (len(frame) // 2) + ["z"] * (len(frame) % 2)
    with pytest.raises(StoryError, match=r"labels for \d categories; give one label per category$"):
        overlay(frame, column="kind", categorical=True, legend_kwds={"labels": ["a"]})


def test_fisher_jenks_on_many_values_without_numba_says_how_long_it_takes(skewed, monkeypatch):
    """Without numba, mapclassify's Fisher-Jenks takes time in the square of the values: 50,000
    points ran for over ten minutes with nothing said but mapclassify's "Numba not installed"."""
    from storymap import styling

    monkeypatch.setattr(styling, "SLOW_FISHER_JENKS", 50)  # (60 values: as slow, in this test, as 2,000 are)
    monkeypatch.setattr(styling, "_has", lambda module: False)
    frame = squares(skewed)
    with pytest.warns(UserWarning, match=r"^layer 'Layer': scheme='fisher_jenks' on 60 values takes about 0 s without "
                                         r"numba \(pip install numba\); scheme='fisher_jenks_sampled' finds nearly"):
        overlay(frame, column="value", scheme="fisher_jenks", k=3)
    assert styling._duration(2500.0) == "42 minutes" and styling._duration(9000.0) == "2 hours"
    monkeypatch.setattr(styling, "_has", lambda module: True)  # numba: fast, nothing to say
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*fisher_jenks")
        overlay(frame, column="value", scheme="fisher_jenks", k=3)
        monkeypatch.setattr(styling, "_has", lambda module: False)
        overlay(frame, column="value", scheme="fisher_jenks_sampled", k=3)


def test_legend_classes_without_fmt_carry_their_ranges(skewed):
    """Without `fmt`, the key carries each class's range, the decimals that tell the classes
    apart and an English label; the page's config adds each of its languages' label."""
    import mapclassify

    frame = squares(skewed)
    key = overlay(frame, column="value", scheme="quantiles", k=4).key
    binning = mapclassify.classify(skewed, "quantiles", k=4)
    edges = [skewed.min()] + list(binning.bins)
    digits = class_digits(edges)
    assert key["digits"] == digits
    assert [i["range"] for i in key["items"]] == [[round(a, digits), round(b, digits)]
                                                   for a, b in zip(edges[:-1], edges[1:])]
    assert [i["label"] for i in key["items"]] == [f"{a:,.{digits}f} – {b:,.{digits}f}"
                                                   for a, b in zip(edges[:-1], edges[1:])]
    # With `fmt` (or `interval`, or labels), the labels are as given, and no range goes to the page.
    assert "digits" not in overlay(frame, column="value", scheme="quantiles", legend_kwds={"fmt": "{:.1f}"}).key
    # The page's config: each class's label in each of the page's languages (Panama: en, es).
    story = storymap.load(GEODATA).add_layer(frame, "Areas", column="value", scheme="quantiles", k=4)
    (config,) = PageContext(story.data, overlays=[o.config for o in story._overlays.values()]).config["overlays"]
    assert [i["labels"] for i in config["key"]["items"]] == [
        {"en": number_range(a, b, digits, "en"), "es": number_range(a, b, digits, "es")}
        for a, b in zip(edges[:-1], edges[1:])]


def test_colour_bar_values_in_each_language():
    ramp = overlay(squares([0.5, 1.25, 2.0, 3.75]), column="value", cmap="viridis").key
    assert [t[1] for t in place_ticks(ramp["ticks"], ["en"])] == ["0.5", "2", "3", "3.75"]
    # The Panama page (English and Spanish): a Spanish label for each value written with a point.
    story = storymap.load(GEODATA).add_layer(squares([0.5, 1.25, 2.0, 3.75]), "Areas", column="value", cmap="viridis")
    (config,) = PageContext(story.data, overlays=[o.config for o in story._overlays.values()]).config["overlays"]
    assert [t[1] for t in config["key"]["ticks"]] == ["0.5", "2", "3", "3.75"]
    assert [t[2] for t in config["key"]["ticks"] if len(t) == 3] == [{"en": "0.5", "es": "0,5"},
                                                                      {"en": "3.75", "es": "3,75"}]


def test_colour_bar_values_written_short_in_each_language():
    values = (0, 0.25, 569.94, 9999, 12345, 1.5e6, 1.4e9, -20000)
    assert [compact_number(v, "en") for v in values] == [
        "0", "0.25", "569.9", "9999", "12.3K", "1.5M", "1.4B", "-20K"]
    assert [compact_number(v, "fr") for v in values] == [
        "0", "0,25", "569,9", "9999", "12,3\xa0k", "1,5\xa0M", "1,4\xa0Md", "-20\xa0k"]
    assert compact_number(250000, "es") == "250\xa0mil" and compact_number(1.5e6, "ja") == "150万"
    assert compact_number(12345, "zz-unknown") == "12.3K"  # (English's, for a tag CLDR does not know)
    # Rounded before the choice of form; no "-0"; where a language has no short form at a size
    # (German's thousands), grouped rather than a rounded number that reads as exact.
    assert [compact_number(v, "en") for v in (9999.5, -0.0)] == ["10K", "0"]
    assert [compact_number(v, "de") for v in (12345, 1.5e6)] == ["12.300", "1,5\xa0Mio."]


def test_colour_bar_ticks_spaced_for_every_language():
    ticks = [[i / 10, v] for i, v in enumerate(range(0, 1_100_000, 100_000))]
    english = place_ticks(ticks, ["en"])
    both = place_ticks(ticks, ["en", "es"])
    assert [t[1] for t in english] == ["0", "200K", "400K", "600K", "1M"]
    # "200 mil" is wider than "200K": the Spanish bar keeps fewer values, the same in both languages.
    assert len(both) < len(english) and both[1][2] == {"en": "300K", "es": "300\xa0mil"}
    for lang in ("en", "es"):
        boxes = []
        for at, label, *labels in both:
            text = labels[0][lang] if labels else label
            width, x = 7 * len(text), at * 180
            boxes.append((x, x + width) if at <= 0.01 else (x - width, x) if at >= 0.99 else (x - width / 2, x + width / 2))
        assert all(a[1] <= b[0] for a, b in zip(boxes, boxes[1:])), (lang, both)
    assert [t[1] for t in place_ticks(ticks, ["ja"])] == ["0", "20万", "40万", "60万", "100万"]


def test_number_range_as_each_language_writes_numbers():
    assert number_range(140, 2348401.6, 0, "en") == "140 – 2,348,402"
    assert number_range(140, 2348401.6, 0, "fr") == "140 – 2\u202f348\u202f402"
    assert number_range(0.5, 1.25, 2, "de") == "0,50 – 1,25"
    assert number_range(0.5, 1.25, 2, "pt-BR") == "0,50 – 1,25"
    assert number_range(1000, 2000, 0, "zz-unknown") == "1,000 – 2,000"  # (English's, for a tag CLDR does not know)


def test_tiny_numbers_in_scientific_notation_and_a_class_from_minus_infinity():
    """Classes of numbers under a thousandth all read "0.000000 – 0.000000", a colour bar's ticks
    "0 0 0 0 0"; box_plot's lowest class (from -inf) was written in English with two decimals
    ("-inf – -13,279,413.75") on a French page. Tiny numbers are now in scientific notation, with
    as few digits as tell the classes apart, and the class from -inf reads "≤ its upper edge", in
    each of the page's languages."""
    rates = np.linspace(5e-9, 1e-7, 40)
    key = overlay(squares(rates), column="value", scheme="quantiles", k=4).key
    labels = [i["label"] for i in key["items"]]
    assert key["scientific"] and len(set(labels)) == 4 and all("E-" in label for label in labels), labels
    assert labels[0].startswith("5.00E-9 – ") and labels[-1].endswith(" – 1.00E-7"), labels
    assert number_range(5e-9, 1.25e-8, 2, "fr", scientific=True) == "5,00E-9 – 1,25E-8"
    ramp = overlay(squares(rates), column="value", cmap="viridis").key
    ticks = [t[1] for t in place_ticks(ramp["ticks"], ["en"])]
    assert len(set(ticks)) == len(ticks) > 1 and "0" not in ticks, ticks
    assert compact_number(2.5e-6, "fr") == "2,5E-6" and compact_number(0.0015, "en") == "0.0015"
    # box_plot: its lowest class from -inf, in the page's languages.
    values = np.concatenate([np.linspace(100, 200, 30), [5000.0]])
    story = storymap.load(GEODATA).add_layer(squares(values), "Boxes", column="value", scheme="box_plot")
    (config,) = PageContext(story.data, overlays=[o.config for o in story._overlays.values()]).config["overlays"]
    first = config["key"]["items"][0]
    assert first["range"][0] is None and first["label"].startswith("≤ ") and "inf" not in json.dumps(config)
    assert first["labels"]["es"].startswith("≤ ") and all(
        i["labels"]["en"] == i["label"] for i in config["key"]["items"])
    assert number_range(None, 1234.5, 1, "fr") == "≤ 1 234,5"


@pytest.mark.parametrize("edges, digits", [
    ([140, 2348401.6, 6195124.2, 1379302771], 0),   # people: whole numbers
    ([0.5, 1.5, 2.5], 1),                            # not 0: "0 – 2" for 0.5 – 1.5
    ([0, 1 / 3, 2 / 3, 1], 2),                       # thirds: 0.33, 0.67
    ([12.3456, 22.3456], 1),
    ([0.001234, 0.0045, 0.009], 5),
    ([5.0], 0),
    ([1e-9, 2e-9], 6),                               # no more than six
])
def test_class_digits(edges, digits):
    assert class_digits(edges) == digits


def test_legend_colour_bars(skewed):
    frame = squares(skewed)
    bar = overlay(frame, column="value", scheme="quantiles", legend_kwds={"colorbar": True}).key
    assert bar["type"] == "ramp" and bar["stepped"] and len(bar["colors"]) == 5 and len(bar["stops"]) == 6
    assert bar["ticks"][0] == [0.0, skewed.min()] and bar["ticks"][-1][0] == 1.0
    assert place_ticks(bar["ticks"], ["en"])[0] == [0.0, compact_number(skewed.min(), "en")]
    even = overlay(frame, column="value", scheme="quantiles", legend_kwds={"colorbar": True, "scale": False}).key
    assert even["stops"] == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    ramp = overlay(frame, column="value", vmin=0, vmax=20000, missing_kwds={"color": "#ddd"}).key
    assert ramp["type"] == "ramp" and not ramp["stepped"] and ramp["colors"][0] == "#440154"
    drawn = place_ticks(ramp["ticks"], ["en"])
    assert drawn[0] == [0.0, "0"] and drawn[-1] == [1.0, "20K"]
    ticks = [t[0] for t in drawn]
    assert ticks == sorted(ticks) and all(b - a >= 0.15 for a, b in zip(ticks, ticks[1:]))  # no overlaps
    assert "missing" not in ramp  # (no value is missing)


def test_legend_categories_and_labels():
    frame = squares([1.0, 2.0, 3.0], kind=["b", "a", "b"])
    key = overlay(frame, column="kind", legend_kwds={"labels": ["Alpha", "Beta"], "caption": "Kind"}).key
    assert key == {"type": "classes", "shape": "area", "caption": "Kind",
                   "items": [{"label": "Alpha", "color": "#1f77b4"}, {"label": "Beta", "color": "#9edae5"}]}


def test_short_numbers():
    assert [short_number(v) for v in (0, 0.25, 999, 9999, 12345, 1.5e6, 1.4e9, -20000)] == [
        "0", "0.25", "999", "9999", "12.3k", "1.5M", "1.4B", "-20k"]


# Radii, tooltips, highlight -------------------------------------------------------------------------

def test_radius_by_a_column():
    points = random_points(300)
    points["r"] = np.where(np.arange(300) % 10 == 0, np.nan, 1 + (np.arange(300) % 7))
    story = storymap.load(GEODATA).add_layer(points, "Sized", marker_kwds={"radius": "r"}, style={"radius": 4},
                                             tooltip="name")
    payload = next(iter(payloads(story.to_html()).values()))
    want = dict(zip(points["name"], np.where(np.isnan(points["r"]), 4, points["r"]) * 2))
    assert payload["radii"] == [int(want[n]) for n in column(payload, "name")]
    assert payload["radii"] == sorted(payload["radii"], reverse=True)  # the largest are drawn first
    fixed = overlay(points, marker_kwds={"radius": 6, "fill": True})
    assert fixed.style["radius"] == 6 and fixed.element.radii is None
    # Without a radius of its own, a point whose radius is missing takes the layer's typical one (a
    # 3-px speck among circles of up to 7 before), as the legend's "missing" row shows it.
    typical = float(np.median(points["r"].dropna()))
    sized = overlay(points, marker_kwds={"radius": "r"}).element.radii
    assert set(sized[np.isnan(points["r"].to_numpy())]) == {round(typical * 2)}


def test_tooltip_and_popup_like_explore():
    frame = squares([1.0, 2.0], kind=["a", "b"])
    assert overlay(frame, tooltip=True).element.tooltip == ["value", "name", "kind"]
    assert overlay(frame, tooltip=2, popup=False).element.tooltip == ["value", "name"]
    assert overlay(frame, tooltip=False).element.tooltip is None
    result = overlay(frame, tooltip=["name", "kind"], tooltip_kwds={"aliases": ["Name", "Kind"]},
                     popup=True, popup_kwds={"labels": False})
    options = json.loads(str(result.element.options_json))
    assert options["tooltip"] == {"fields": ["name", "kind"], "labels": True, "aliases": ["Name", "Kind"]}
    assert options["popup"]["labels"] is False



def explore_fields(frame: gpd.GeoDataFrame, **keywords) -> list:
    """The fields of the tooltip ``GeoDataFrame.explore`` makes."""
    m = frame.explore(tiles=None, **keywords)
    layer = next(c for c in m._children.values() if isinstance(c, folium.GeoJson))
    return next(c for c in layer._children.values() if isinstance(c, folium.GeoJsonTooltip)).fields


def test_a_named_index_is_shown_as_explore_shows_it():
    frame = squares([1.0, 2.0], kind=["a", "b"]).set_index("name")
    for tooltip in (True, 1, ["name", "kind"]):
        assert overlay(frame, tooltip=tooltip).element.tooltip == explore_fields(frame, tooltip=tooltip)
    payload = next(iter(payloads(storymap.load(GEODATA).add_layer(frame, "Named", tooltip="name").to_html()).values()))
    assert column(payload, "name") == ["Square 0", "Square 1"]
    # An unnamed index, a MultiIndex, or an index named as a column is no column (as in explore).
    assert overlay(frame.reset_index(drop=True), tooltip=True).element.tooltip == ["value", "kind"]
    twice = frame.copy()
    twice["name"] = ["x", "y"]
    assert overlay(twice, tooltip=True).element.tooltip == ["value", "kind", "name"]


def test_columns_named_by_numbers_are_named_by_their_text_as_in_explore():
    frame = squares([1.0, 2.0], **{"kind": ["a", "b"]})
    frame[2024] = [10, 20]
    assert overlay(frame, tooltip=[2024, "kind"]).element.tooltip == explore_fields(frame, tooltip=[2024, "kind"])
    assert overlay(frame, popup=[2024]).element.popup == ["2024"]



def test_dates_in_tooltips_are_written_as_explore_and_the_legend_write_them():
    import datetime as dt

    frame = squares([1.0, 2.0, 3.0], day=pd.to_datetime(["2024-05-13", "2024-06-01", None]),
                    moment=pd.to_datetime(["2024-05-13 10:30", "2024-06-01 00:00", None]).tz_localize("Europe/Paris"),
                    stamp=[pd.Timestamp("2024-05-13 10:30"), dt.date(2024, 6, 1), None])
    m = frame.explore(tiles=None)
    features = next(c for c in m._children.values() if isinstance(c, folium.GeoJson)).data["features"]
    story = storymap.load(GEODATA).add_layer(frame, "Dated", tooltip=["day", "moment", "stamp"], column="day",
                                            missing_kwds={"color": "grey"})
    payload = next(iter(payloads(story.to_html()).values()))
    for name in ("day", "moment", "stamp"):
        expected = [f["properties"][name] for f in features[:2]] + [None]
        assert column(payload, name) == expected, name
    assert column(payload, "day")[:2] == ["2024-05-13", "2024-06-01"]  # not 2024-05-13T00:00:00
    key = story._overlays["Dated"].key
    assert [item["label"] for item in key["items"]] == ["2024-05-13", "2024-06-01", "NaN"]  # as the legend says


def test_highlight_and_style_kwds():
    frame = squares([1.0, 2.0, 3.0])
    on = overlay(frame, column="value", style_kwds={"color": "#ffffff", "weight": 1})
    options = json.loads(str(on.element.options_json))
    assert options["highlight"] == {"fillOpacity": 0.75}  # explore's
    assert options["style"]["color"] == "#ffffff" and options["strokeFollows"] is False
    assert options["style"]["fillOpacity"] == 0.5  # explore's, for a choropleth
    off = overlay(frame, column="value", highlight=False, highlight_kwds={"fillOpacity": 1})
    assert json.loads(str(off.element.options_json))["highlight"] is None
    custom = overlay(frame, highlight_kwds={"fillOpacity": 0.9, "weight": 3})
    assert json.loads(str(custom.element.options_json))["highlight"] == {"fillOpacity": 0.9, "weight": 3}


# Errors -----------------------------------------------------------------------------------------

def message(**keywords) -> str:
    points = random_points(20)
    points["population"] = np.arange(20.0)
    with pytest.raises(StoryError) as info:
        storymap.load(GEODATA).add_layer(points, "Points", **keywords)
    assert "layer 'Points'" in str(info.value)
    return str(info.value)


def test_unknown_column_lists_the_real_ones():
    text = message(column="populaton")
    assert "column: unknown column 'populaton'; did you mean 'population'? the data has: name, kind, unused, " \
           "population" in text
    assert "the data has: name, kind, unused, population" in message(column="people")
    assert "is the geometry column" in message(column="geometry")
    assert "marker_kwds.radius: unknown column 'size'" in message(marker_kwds={"radius": "size"})


def test_unknown_colormap_and_scheme_list_valid_ones():
    text = message(column="population", cmap="virdis")
    assert "cmap: unknown colormap 'virdis'; did you mean 'viridis'" in text
    assert "viridis, plasma, cividis, Blues" in text and "a list of colours" in text
    text = message(column="population", scheme="quantile")
    assert "scheme: unknown scheme 'quantile'; did you mean 'quantiles'?" in text
    assert "quantiles, equal_interval, natural_breaks" in text
    assert "cmap[1]: 'not a colour!' is not a CSS color" in message(column="kind", cmap=["red", "not a colour!"])


@pytest.mark.parametrize("word, value, reason", [
    ("m", folium.Map(), "the layer goes on the story's own map"),
    ("tiles", "CartoDB positron", "the basemap belongs to the story"),
    ("attr", "me", "the basemap"),
    ("width", 500, "map options belong to the story's map"),
    ("height", "100%", "map options belong to the story's map"),
    ("control_scale", False, "map options belong to the story's map"),
    ("map_kwds", {"dragging": False}, "map options belong to the story's map"),
    ("zoom_start", 4, "map options belong to the story's map"),
    ("smooth_factor", 2, "add_layer draws geodata on a canvas, not with folium.GeoJson"),
])
def test_explores_map_keywords_are_refused_clearly(word, value, reason):
    text = message(**{word: value})
    assert f"{word}: explore's keyword {word!r} is not supported by add_layer: {reason}" in text


def test_misspelt_keywords_get_did_you_mean():
    assert "unknown keyword 'colum'; did you mean 'column'?" in message(colum="population")
    assert "did you mean 'legend_kwds'?" in message(legend_kwrds={"caption": "x"})
    assert "legend_kwds.captoin: not supported; did you mean 'caption'?" in message(
        column="population", legend_kwds={"captoin": "x"})
    assert "missing_kwds.colour: not supported; did you mean 'color'?" in message(
        column="population", missing_kwds={"colour": "grey"})


def test_options_that_do_not_fit_say_why():
    assert "cmap colours features by a column: give column= too" in message(cmap="viridis")
    assert "scheme='quantiles' classifies numbers, but the values of kind (" in message(
        column="kind", scheme="quantiles")
    assert "2 labels for 5 classes" in message(column="population", scheme="quantiles",
                                               legend_kwds={"labels": ["a", "b"]})
    assert "k: expected a whole number of classes" in message(column="population", scheme="quantiles", k=0)
    assert "vmin (10) is above vmax (2)" in message(column="population", vmin=10, vmax=2)
    assert "legend_kwds.max_labels: expected a whole number of labels on the colour bar (2 or more), got 'x'" in \
        message(column="population", legend_kwds={"max_labels": "x"})
    assert "style_kwds.style_function: a style function per feature is not supported" in message(
        style_kwds={"style_function": lambda f: {}})
    assert "marker_type: 'marker' is not supported" in message(marker_type="marker")
    assert "marker_kwds.icon: not supported" in message(marker_kwds={"icon": folium.Icon()})
    points = random_points(5)
    points["big"] = [10.0, 200.0, 3.0, 4.0, 5.0]
    with pytest.raises(StoryError, match=r"radii are pixels from 0 to 50, but the column 'big' runs from 3 to 200; "
                                         r"scale it first"):
        storymap.load(GEODATA).add_layer(points, "P", marker_kwds={"radius": "big"})
    assert "3 values for 20 features" in message(column=[1, 2, 3])
    assert "tooltip_kwds.aliases: 1 aliases for 2 fields" in message(tooltip=["name", "kind"],
                                                                     tooltip_kwds={"aliases": ["x"]})
    assert "tooltip_kwds.localize: expected True or False" in message(tooltip=["name"], tooltip_kwds={"localize": "yes"})
    assert "popup_kwds.max_width: expected a width in pixels from 50 to 2000" in message(popup=["name"],
                                                                                         popup_kwds={"max_width": 9})
    assert "popup_kwds.sticky: not supported" in message(popup=["name"], popup_kwds={"sticky": False})
    assert "column is already categorical" in message(column=pd.Categorical(["a"] * 20), categories=["a"])
    assert "a folium element keeps its own style" in message_for_element(column="x")


def message_for_element(**keywords) -> str:
    with pytest.raises(StoryError) as info:
        storymap.load(GEODATA).add_layer(folium.Marker([9, -79.5]), "Marker", **keywords)
    return str(info.value)


def test_colour_names_css_does_not_know_are_refused():
    """A word a browser does not know as a colour is ignored there: the canvas drew such features
    in the colour it had drawn before. A misspelt name gets the closest one."""
    assert "style.color: 'gren' is not a CSS color; did you mean 'green'?" in message(style={"color": "gren"})
    assert "marker_kwds.fillColor: 'blu' is not a CSS color; did you mean 'blue'?" in message(
        marker_kwds={"fillColor": "blu"})
    assert "color: 'nope' is not a CSS color" in message(color=["red", "nope"] * 10)
    assert "style.fillColor: '#12345' is not a CSS color" in message(style={"fillColor": "#12345"})
    assert "missing_kwds.color: 'lightgrey50' is not a CSS color" in message(
        column="population", missing_kwds={"color": "lightgrey50"})
    fine = overlay(squares([1.0, 2.0]), color=["Teal", "rebeccapurple"], style_kwds={"color": "#0072b2cc"})
    assert fine.element.palette == ["Teal", "rebeccapurple"] and fine.style["color"] == "#0072b2cc"


def test_every_value_missing():
    frame = squares([np.nan, np.nan])
    with pytest.raises(StoryError, match="every value of value is missing: nothing to colour"):
        overlay(frame, column="value")
    assert colours(overlay(frame, column="value", missing_kwds={"color": "grey"})) == ["grey", "grey"]


def test_missing_libraries_are_named(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "mapclassify", None)  # import fails
    assert ("scheme: scheme='quantiles' classifies with mapclassify, which is not installed: "
            "pip install 'storymap[explore]'") in message(column="population", scheme="quantiles")
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert "cmap: cmap='viridis' (a matplotlib colormap) needs matplotlib, which is not installed: " \
           "pip install 'storymap[explore]'" in message(column="population")
    # Without matplotlib, a list of colours still colours categories.
    frame = squares([1.0, 2.0], kind=["a", "b"])
    assert colours(overlay(frame, column="kind", cmap=["red", "blue"])) == ["red", "blue"]


def test_errors_are_never_type_errors():
    points = random_points(5)
    for keywords in ({"m": None}, {"foo": 1}, {"column": 3}, {"cmap": 3, "column": "unused"},
                     {"legend_kwds": "x", "column": "unused"}, {"tooltip": 3.5}, {"scheme": 5, "column": "unused"}):
        with pytest.raises(StoryError):
            storymap.load(GEODATA).add_layer(points, "P", **keywords)


def test_long_category_lists_are_summed_up():
    frame = squares([float(i) for i in range(40)], code=[f"c{i:02d}" for i in range(40)])
    items = overlay(frame, column="code", missing_kwds={"color": "grey"}).key["items"]
    assert len(items) == 24 and items[-1] == {"label": "… and 17 more", "color": None}
    assert items[0]["label"] == "c00" and len(set(colours(overlay(frame, column="code")))) == 20  # tab20


@pytest.mark.parametrize("word", ["legend", "highlight", "categorical"])
def test_a_flag_is_true_or_false_not_any_text(word):
    frame = squares([1.0, 2.0], kind=["a", "b"])
    # "no" is truthy: taken as it was, it turned the legend (or the highlight) on.
    for given in ("no", "yes", 0, 1, None, "False"):
        with pytest.raises(StoryError, match=rf"layer 'Layer' {word}: expected True or False, got {re.escape(repr(given))}"):
            overlay(frame, column="value", **{word: given})
    # numpy's booleans (a flag computed from data) are booleans, as explore takes them.
    assert overlay(frame, column="value", legend=np.False_).key is None
    assert overlay(frame, column="value", highlight=np.False_).element.highlight is None
    assert overlay(frame, column="value", categorical=np.True_).key["type"] != "ramp"


@pytest.mark.parametrize("which, word", [("legend_kwds", "colorbar"), ("legend_kwds", "scale"),
                                         ("legend_kwds", "interval"), ("tooltip_kwds", "labels"),
                                         ("popup_kwds", "localize"), ("tooltip_kwds", "sticky")])
def test_a_flag_among_the_kwds_is_true_or_false(which, word):
    frame = squares([1.0, 2.0, 3.0, 4.0], kind=["a", "b", "c", "d"])
    extra = {"scheme": "quantiles", "k": 2} if which == "legend_kwds" else {"tooltip": True, "popup": True}
    with pytest.raises(StoryError, match=rf"{which}\.{word}: expected True or False, got 'no'"):
        overlay(frame, column="value", **{which: {word: "no"}}, **extra)
    overlay(frame, column="value", **{which: {word: np.True_}}, **extra)
