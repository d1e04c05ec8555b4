"""A layer's colours, classes, radii and legend key from its data: ``GeoDataFrame.explore``'s words.

:func:`data_style` reads ``column``, ``cmap``, ``categorical``, ``categories``, ``scheme``, ``k``,
``vmin``, ``vmax``, ``classification_kwds``, ``color``, ``legend``, ``legend_kwds`` and
``missing_kwds`` with the meaning they have in :meth:`geopandas.GeoDataFrame.explore` (whose
classes and colours it reproduces: mapclassify for ``scheme``, matplotlib's colormaps resampled to
the number of classes) and returns a :class:`Styling`: a small palette and one palette index per
feature, which the canvas data layer draws as fast as a single colour. :func:`point_radii` reads
``marker_kwds={"radius": ...}``, a number or a column of pixel radii.

Optional libraries: ``scheme`` needs mapclassify and colormap names need matplotlib; both come
with ``pip install 'storymap[explore]'``, which the errors name.
"""

from __future__ import annotations

import importlib.util
import inspect
import math
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from .errors import Problem, StoryError, did_you_mean, short_repr
from .geodata import public_columns
from .types import COLOR_RE, CSS_NAMES, color_error, is_css_color

__all__ = ["Styling", "data_style", "point_radii", "check_keywords", "check_options", "css_color", "is_css_color",
           "color_error", "problem", "short_number", "place_ticks", "EXTRA", "SCHEMES", "COLOR_RE", "CSS_NAMES",
           "MAX_RADIUS"]

#: How to install the optional libraries (named in errors).
EXTRA = "pip install 'storymap[explore]'"
#: Largest point radius in pixels (as ``style={"radius": ...}``).
MAX_RADIUS = 50.0
#: mapclassify's schemes, as explore users write them (any case; underscores are ignored).
SCHEMES = ("quantiles", "equal_interval", "natural_breaks", "fisher_jenks", "fisher_jenks_sampled",
           "headtail_breaks", "jenks_caspall", "jenks_caspall_forced", "jenks_caspall_sampled", "max_p",
           "maximum_breaks", "box_plot", "percentiles", "pretty_breaks", "std_mean", "user_defined")
#: A few colormaps to suggest (any of matplotlib's works, ``_r`` reverses).
SOME_CMAPS = ("viridis", "plasma", "cividis", "Blues", "Greens", "Reds", "YlOrRd", "RdBu", "tab10", "tab20",
              "Set2")
#: Categories listed in a legend at most (the rest are summed up in one line).
MAX_LEGEND_ROWS = 24
#: Width (CSS pixels) of a legend's colour bar, for placing tick labels without overlaps.
RAMP_WIDTH = 180

_LEGEND_KWDS = ("caption", "labels", "fmt", "colorbar", "scale", "interval", "max_labels")
_MISSING_KWDS = ("color", "label")


def problem(layer: str, field_name: str, message: str) -> StoryError:
    """One problem with an argument of ``add_layer`` for layer ``layer``."""
    return StoryError([Problem(file="", where=f"layer {layer!r}", field=field_name, message=message)])


@dataclass
class Styling:
    """Per-feature colours (an index into a palette), radii and the legend key of a data layer.

    Arrays follow the rows of the frame :func:`data_style` was given; ``keep`` marks the rows
    drawn (a missing value without ``missing_kwds={"color": ...}`` leaves its feature out).
    """

    palette: list[str] = field(default_factory=list)
    codes: Optional[np.ndarray] = None
    keep: Optional[np.ndarray] = None
    key: Optional[dict[str, Any]] = None
    #: One colour for every feature (``color="teal"``), or None.
    uniform: Optional[str] = None

    @property
    def swatch(self) -> Optional[str]:
        """A colour for the layer's own legend swatch: the middle of its palette."""
        if self.uniform:
            return self.uniform
        return self.palette[(len(self.palette) - 1) // 2] if self.palette else None


# Keywords --------------------------------------------------------------------------------------

#: Keywords of ``GeoDataFrame.explore`` (and of the folium objects it makes) that ``add_layer``
#: does not take, with the reason and what to do instead.
_MAP_WORDS = ("location", "prefer_canvas", "no_touch", "disable_3d", "png_enabled", "zoom_control", "crs",
              "zoom_start", "left", "top", "position", "min_zoom", "max_zoom", "min_lat", "max_lat", "min_lon",
              "max_lon", "max_bounds", "control_scale", "map_kwds", "width", "height")
_GEOJSON_WORDS = ("show", "overlay", "control", "smooth_factor", "zoom_on_click", "embed", "marker",
                  "popup_keep_highlighted", "style_function", "highlight_function", "on_each_feature")
#: Keywords of ``geopandas.read_file``: a file's layer, rows or columns are chosen by reading it.
_READ_WORDS = ("layer", "bbox", "mask", "rows", "where", "columns", "include_fields", "engine", "encoding")
UNSUPPORTED = {
    "m": "the layer goes on the story's own map (story.map); add_layer takes no other map",
    "tiles": "the basemap belongs to the story, not to a layer",
    "attr": "the basemap (and its attribution) belongs to the story, not to a layer",
    **{w: "map options belong to the story's map, not to a layer" for w in _MAP_WORDS},
    **{w: "add_layer draws geodata on a canvas, not with folium.GeoJson; to use folium.GeoJson's options, "
          "pass a folium.GeoJson as the data" for w in _GEOJSON_WORDS},
}


def check_keywords(layer: str, others: dict[str, Any], accepted: Sequence[str]) -> None:
    """Refuse keywords ``add_layer`` does not take: explore's map options say why; a misspelling
    gets "did you mean"."""
    problems = []
    for word in others:
        if word in _READ_WORDS:
            message = (f"{word!r} is a keyword of geopandas.read_file, not of add_layer: read the file with "
                       f"geopandas.read_file(path, {word}=...) and pass the GeoDataFrame")
        elif word in UNSUPPORTED:
            message = f"explore's keyword {word!r} is not supported by add_layer: {UNSUPPORTED[word]}"
        else:
            close = _closest_word(word, accepted)
            hint = f"did you mean {close!r}? " if close else ""
            message = (f"unknown keyword {word!r}; {hint}add_layer takes: {', '.join(accepted)}")
        problems.append(Problem(file="", where=f"layer {layer!r}", field=word, message=message))
    if problems:
        raise StoryError(problems)


def _closest_word(word: str, words: Sequence[str]) -> Optional[str]:
    """The keyword closest to a misspelt one (``legend_kwrds`` → ``legend_kwds``)."""
    return did_you_mean(word, list(words))


def flag(layer: str, field_name: str, value: Any) -> bool:
    """A True/False option of ``add_layer`` (a numpy bool too, as explore takes it). Anything else
    is refused, naming it: text such as ``"no"`` would otherwise count as True."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise problem(layer, field_name, f"expected True or False, got {short_repr(value)}")


def check_options(layer: str, which: str, value: Any, allowed: Sequence[str]) -> dict[str, Any]:
    """A dict of options (``legend_kwds``, ...) with keys among ``allowed``; others are refused
    with "did you mean"."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise problem(layer, which, f"expected a dict with keys among {', '.join(allowed)}, got {short_repr(value)}")
    problems = []
    for key in value:
        if key not in allowed:
            close = _closest_word(str(key), allowed)
            hint = f"did you mean {close!r}? " if close else ""
            problems.append(Problem(file="", where=f"layer {layer!r}", field=f"{which}.{key}",
                                    message=f"not supported; {hint}{which} takes: {', '.join(allowed)}"))
    if problems:
        raise StoryError(problems)
    return dict(value)


def css_color(layer: str, which: str, value: Any) -> str:
    """``value`` if it is a CSS color, else a :class:`StoryError` naming ``which``."""
    if is_css_color(value):
        return value.strip()
    raise problem(layer, which, color_error(value))


# Colormaps -------------------------------------------------------------------------------------

def _matplotlib(layer: str, which: str, why: str) -> Any:
    try:
        import matplotlib
        import matplotlib.colors  # noqa: F401 - to_hex, LinearSegmentedColormap
    except ImportError:
        raise problem(layer, which, f"{why} needs matplotlib, which is not installed: {EXTRA}") from None
    return matplotlib


def _branca_names() -> list[str]:
    try:
        import branca.colormap as bcm
    except ImportError:  # pragma: no cover - folium depends on branca
        return []
    return sorted(bcm.linear._colormaps)


class _Ramp:
    """A colormap: ``colors(k)`` are k colours evenly spread over it (explore's
    ``cmap.resampled(k)(range(k))``); ``n`` is how many colours it has (over 20: continuous)."""

    n = 256

    def colors(self, k: int) -> list[str]:
        raise NotImplementedError

    def first(self, k: int) -> list[str]:
        """The first ``k`` colours (explore's categorical colours from a Colormap object)."""
        return self.colors(k)


class _MplRamp(_Ramp):
    def __init__(self, cmap: Any, named: bool):
        self.cmap, self.named = cmap, named
        self.n = int(cmap.N)

    def colors(self, k: int) -> list[str]:
        from matplotlib.colors import to_hex

        return [to_hex(c) for c in self.cmap.resampled(k)(np.arange(k))]

    def first(self, k: int) -> list[str]:
        from matplotlib.colors import to_hex

        if self.named:
            return self.colors(k)
        return [to_hex(c) for c in self.cmap(np.arange(k))]


class _BrancaRamp(_Ramp):
    def __init__(self, cmap: Any):
        self.cmap = cmap
        self.n = 256 if type(cmap).__name__ == "LinearColormap" else len(cmap.colors)

    def colors(self, k: int) -> list[str]:
        lo, hi = float(self.cmap.vmin), float(self.cmap.vmax)
        spots = np.linspace(lo, hi, k) if k > 1 else [lo]
        return [self.cmap.rgb_hex_str(float(v)) for v in spots]


class _ListRamp(_Ramp):
    """A list of colours: cycled for categories; for numbers, a ramp through them (matplotlib)."""

    def __init__(self, colors: list[str], layer: str):
        self.list, self.layer = colors, layer
        self.n = len(colors)

    def first(self, k: int) -> list[str]:
        return [self.list[i % len(self.list)] for i in range(k)]

    def colors(self, k: int) -> list[str]:
        if k == len(self.list):
            return list(self.list)
        mpl = _matplotlib(self.layer, "cmap", "a ramp through a list of colours")
        try:
            cmap = mpl.colors.LinearSegmentedColormap.from_list("cmap", self.list)
        except ValueError as exc:
            raise problem(self.layer, "cmap", f"matplotlib cannot read these colours: {exc}") from None
        return _MplRamp(cmap, named=True).colors(k)


def _ramp(layer: str, cmap: Any, default: str) -> _Ramp | Callable[[Any], Any]:
    """The colormap ``cmap`` names or is; a callable (function or branca colormap) stays one."""
    if cmap is None:
        cmap = default
    if isinstance(cmap, str):
        name = cmap
        branca = _branca_names()
        try:
            import matplotlib
        except ImportError:
            matplotlib = None
        if matplotlib is not None and name in matplotlib.colormaps:
            return _MplRamp(matplotlib.colormaps[name], named=True)
        # (branca's viridis, plasma, inferno and magma stand for matplotlib's, which explore uses)
        if name in branca and re.search(r"_\d\d$", name):
            import branca.colormap as bcm

            return _BrancaRamp(getattr(bcm.linear, name))
        if matplotlib is None:
            _matplotlib(layer, "cmap", f"cmap={name!r} (a matplotlib colormap)")
        names = list(dict.fromkeys(list(matplotlib.colormaps) + branca))
        close = did_you_mean(name, names)
        hint = f"did you mean {close!r}? " if close else ""
        raise problem(layer, "cmap", f"unknown colormap {name!r}; {hint}try one of matplotlib's "
                                     f"({', '.join(SOME_CMAPS)}, ...; '_r' reverses one), a branca name "
                                     "such as 'YlOrRd_09', or a list of colours")
    module = type(cmap).__module__ or ""
    if module.startswith("matplotlib") and hasattr(cmap, "resampled"):
        return _MplRamp(cmap, named=False)
    if callable(cmap):
        return cmap
    if pd.api.types.is_list_like(cmap) and not isinstance(cmap, (dict, set)):
        colors = list(cmap)
        if not colors:
            raise problem(layer, "cmap", "expected at least one colour in the list")
        return _ListRamp([css_color(layer, f"cmap[{i}]", c) for i, c in enumerate(colors)], layer)
    raise problem(layer, "cmap", f"expected a colormap name (e.g. 'viridis'), a list of colours, a matplotlib or "
                                 f"branca colormap, or a function of a value; got {short_repr(cmap)}")


# Numbers in legends ----------------------------------------------------------------------------

def short_number(value: float) -> str:
    """A compact label: ``1.4B``, ``32.5M``, ``12.3k``, ``0.25``."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= max(size, 1e4):
            return f"{value / size:.3g}{suffix}"
    return f"{value:.4g}"


def _nice_ticks(lo: float, hi: float, most: int = 5) -> list[float]:
    """Round values from ``lo`` to ``hi`` (both included) for a colour bar."""
    if not hi > lo:
        return [lo]
    raw = (hi - lo) / max(1, most - 1)
    step = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= mult * step:
            step *= mult
            break
    inner = [v for v in np.arange(math.ceil(lo / step) * step, hi, step) if lo < v < hi]
    return [lo] + [float(v) for v in inner] + [hi]


def _text_width(label: str) -> float:
    """About how wide ``label`` draws in a legend (CSS pixels): 7 a character, 12 a wide one (CJK)."""
    return sum(12.0 if unicodedata.east_asian_width(c) in "WF" else 7.0 for c in label)


def place_ticks(ticks: Sequence[Sequence[float]], languages: Sequence[str]) -> list[list[Any]]:
    """A colour bar's ticks as the page draws them: ``[[fraction, label, labels?], ...]`` from the
    key's ``[[fraction, value], ...]``, each value written short as each of ``languages`` writes
    it (:func:`storymap.i18n.compact_number`; ``label`` in the first language, ``labels`` by
    language where the languages write it differently). Both ends are kept, and the inner ticks
    whose label overlaps no label already kept, in any of the languages (labels 6 pixels apart,
    on a bar of RAMP_WIDTH). As the page draws them (storymap-layers.js), a label at the bar's
    start begins there, one at its end ends there, and the others are centred on their value."""
    from .i18n import compact_number

    written = [(float(at), [compact_number(value, lang) for lang in languages]) for at, value in ticks]
    placed: list[tuple[float, float]] = []
    out: list[list[Any]] = []
    last = len(written) - 1
    for i in ([0, last] + list(range(1, last)) if last > 0 else [0] if written else []):
        at, labels = written[i]
        width, x = max(map(_text_width, labels)) + 6, at * RAMP_WIDTH
        # (The first and the last label anchored as far along themselves as their tick is along the
        # bar, as the page draws them: they never run past the bar's ends, wherever their ticks; the
        # others centred on theirs.)
        box = (x - at * width, x + (1 - at) * width) if i in (0, last) else (x - width / 2, x + width / 2)
        if i in (0, last) or all(box[1] <= a or box[0] >= b for a, b in placed):
            placed.append(box)
            tick: list[Any] = [round(at, 4), labels[0]]
            if len(set(labels)) > 1:
                tick.append(dict(zip(languages, labels)))
            out.append(tick)
    return sorted(out, key=lambda t: t[0])


def _ticks(values: Sequence[float], lo: float, hi: float) -> list[list[float]]:
    """A colour bar's candidate ticks, ``[[fraction, value], ...]``, for ``values`` on a bar from
    ``lo`` to ``hi``: the page writes them in its languages and keeps those that fit (place_ticks)."""
    span = hi - lo
    return [[0.0 if not span else min(1.0, max(0.0, (v - lo) / span)), float(v)] for v in values]


# The column ------------------------------------------------------------------------------------

def _values(layer: str, which: str, value: Any, frame: pd.DataFrame, geometry: str,
            field_name: Optional[str] = None) -> tuple[pd.Series, str]:
    """The column ``value`` names, or the values given for ``which`` (attached to the frame by
    :func:`storymap.layers.make_overlay` as ``__storymap_<which>``), and its legend caption."""
    field_name = field_name or which
    columns = public_columns(frame, geometry)
    listed = ", ".join(columns) or "(no columns)"
    if isinstance(value, str):
        if value == geometry:
            raise problem(layer, field_name, f"{value!r} is the geometry column; name a column of values: {listed}")
        if value not in columns:
            close = did_you_mean(value, columns)
            hint = f"did you mean {close!r}? " if close else ""
            raise problem(layer, field_name, f"unknown column {value!r}; {hint}the data has: {listed}")
        return frame[value], value
    attached = f"__storymap_{which}"
    if attached in frame.columns:
        return frame[attached], ""
    raise problem(layer, field_name, f"expected a column name (the data has: {listed}) or one value per feature, "
                                     f"got {short_repr(value)}")


def _format(layer: str, fmt: Any) -> str:
    if not isinstance(fmt, str):
        raise problem(layer, "legend_kwds.fmt", f"expected a format string such as '{{:.0f}}', got {short_repr(fmt)}")
    try:
        fmt.format(1.5)
    except (ValueError, IndexError, KeyError) as exc:
        raise problem(layer, "legend_kwds.fmt", f"{fmt!r} cannot format a number ({exc}); "
                                                "expected e.g. '{:.2f}' or '{:,.0f}'") from None
    return fmt


def _labels(layer: str, labels: Any, count: int, what: str, one: str) -> list[str]:
    if not pd.api.types.is_list_like(labels) or isinstance(labels, (dict, set)):
        raise problem(layer, "legend_kwds.labels", f"expected a list of {count} labels, got {short_repr(labels)}")
    labels = [str(v) for v in labels]
    if len(labels) != count:
        raise problem(layer, "legend_kwds.labels", f"{len(labels)} labels for {count} {what}; "
                                                   f"give one label per {one}")
    return labels


#: Values over which scheme="fisher_jenks" without numba is worth a warning (about 4 s).
SLOW_FISHER_JENKS = 2_000


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _duration(seconds: float) -> str:
    return f"{seconds:,.0f} s" if seconds < 120 else f"{seconds / 60:,.0f} minutes" if seconds < 7200 else \
        f"{seconds / 3600:,.0f} hours"


def _classify(layer: str, values: np.ndarray, scheme: str, k: Any, classification_kwds: Any) -> Any:
    try:
        import mapclassify
    except ImportError:
        raise problem(layer, "scheme", f"scheme={scheme!r} classifies with mapclassify, which is not installed: "
                                       f"{EXTRA}") from None
    allowed = [p for p in inspect.signature(mapclassify.classify).parameters if p not in ("y", "scheme")]
    kwds = check_options(layer, "classification_kwds", classification_kwds, allowed)
    kwds.setdefault("k", k)
    if not isinstance(kwds["k"], (int, np.integer)) or isinstance(kwds["k"], bool) or kwds["k"] < 1:
        raise problem(layer, "k", f"expected a whole number of classes (1 or more), got {short_repr(kwds['k'])}")
    if scheme.replace("_", "").lower() == "fisherjenks" and len(values) > SLOW_FISHER_JENKS and not _has("numba"):
        # (Without numba, mapclassify's Fisher-Jenks takes time in the square of the values: 4 s
        # for 2,000, over half an hour for 50,000.)
        warnings.warn(f"layer {layer!r}: scheme='fisher_jenks' on {len(values):,} values takes about "
                      f"{_duration(len(values) ** 2 / 1e6)} without numba (pip install numba); "
                      "scheme='fisher_jenks_sampled' finds nearly the same classes in a second", UserWarning, stacklevel=6)
    # Some schemes start from random choices: the same data gives the same page every time.
    state = np.random.get_state()
    np.random.seed(0)
    try:
        return mapclassify.classify(values, scheme, **kwds)
    except Exception as exc:  # mapclassify's own ValueError/TypeError about its arguments
        raise problem(layer, "scheme", f"mapclassify could not classify the values with scheme={scheme!r}: "
                                       f"{exc}") from None
    finally:
        np.random.set_state(state)


def _scheme_name(layer: str, scheme: Any) -> str:
    if not isinstance(scheme, str):
        raise problem(layer, "scheme", f"expected a scheme name ({', '.join(SCHEMES[:4])}, ...), "
                                       f"got {short_repr(scheme)}")
    plain = scheme.lower().replace("_", "")
    known = {s.replace("_", ""): s for s in SCHEMES}
    if plain not in known:
        close = did_you_mean(plain, known)
        hint = f"did you mean {known[close]!r}? " if close else ""
        raise problem(layer, "scheme", f"unknown scheme {scheme!r}; {hint}mapclassify's schemes are: "
                                       f"{', '.join(SCHEMES)}")
    return scheme


def data_style(frame: pd.DataFrame, layer: str, *, geometry: str, shape: str, column: Any = None,
               cmap: Any = None, color: Any = None, categorical: bool = False, categories: Any = None,
               scheme: Any = None, k: Any = 5, vmin: Any = None, vmax: Any = None,
               classification_kwds: Any = None, legend: bool = True, legend_kwds: Any = None,
               missing_kwds: Any = None) -> Styling:
    """Colours per feature from explore's keywords (see :meth:`storymap.Story.add_layer`).

    Raises
    ------
    storymap.StoryError
        Naming the keyword: an unknown column (listing the real ones), colormap or scheme
        (listing valid ones), options that do not fit the column, or a missing optional library.
    """
    legend_kwds = check_options(layer, "legend_kwds", legend_kwds, _LEGEND_KWDS)
    for word in ("colorbar", "scale", "interval"):
        if word in legend_kwds:
            legend_kwds[word] = flag(layer, f"legend_kwds.{word}", legend_kwds[word])
    most = legend_kwds.get("max_labels", 5)
    if isinstance(most, bool) or not isinstance(most, (int, np.integer)) or most < 2:
        raise problem(layer, "legend_kwds.max_labels", f"expected a whole number of labels on the colour bar "
                                                       f"(2 or more), got {short_repr(most)}")
    missing_kwds = check_options(layer, "missing_kwds", missing_kwds, _MISSING_KWDS)
    missing_color = (css_color(layer, "missing_kwds.color", missing_kwds["color"])
                     if missing_kwds.get("color") is not None else None)
    missing_label = str(missing_kwds.get("label", "NaN"))
    if column is None:
        given = [w for w, v in (("cmap", cmap), ("scheme", scheme), ("categories", categories), ("vmin", vmin),
                                ("vmax", vmax), ("classification_kwds", classification_kwds)) if v is not None]
        given += ["categorical"] if categorical else []
        if given:
            raise problem(layer, given[0], f"{given[0]} colours features by a column: give column= too "
                                           "(e.g. column='population')")
        return _color_only(frame, layer, color, geometry)
    values, caption = _values(layer, "column", column, frame, geometry)
    given = legend_kwds.get("caption", caption)
    # (A caption in several languages, {"en": ..., "es": ...}: Story.add_layer checks its languages.)
    captions = {str(k): str(v) for k, v in given.items()} if isinstance(given, Mapping) else None
    caption = str(given) if captions is None else next(iter(captions.values()), caption)
    if isinstance(values.dtype, pd.CategoricalDtype):
        if categories is not None:
            raise problem(layer, "categories", "the column is already categorical (its dtype has its categories); "
                                               "leave out categories=, or set them with .cat.set_categories()")
        categorical = True
    elif (pd.api.types.is_object_dtype(values) or pd.api.types.is_bool_dtype(values)
          or pd.api.types.is_string_dtype(values) or pd.api.types.is_datetime64_any_dtype(values)
          or categories is not None):
        categorical = True
    if pd.api.types.is_datetime64_any_dtype(values):
        values = values.astype("string")  # as explore does
    elif pd.api.types.is_object_dtype(values):  # lists or dicts: categories by their text, as explore's
        values = values.map(lambda v: v if pd.api.types.is_hashable(v) else str(v))
    missing = np.asarray(pd.isna(values), dtype=bool)
    if categorical and scheme is not None:
        raise problem(layer, "scheme", f"scheme={scheme!r} classifies numbers, but the values of "
                                       f"{caption or 'the column'} ({values.dtype}) are coloured as categories, one "
                                       "colour each; leave out scheme (or categorical/categories), or give a column "
                                       "of numbers")
    if categorical:  # (values outside `categories` count as missing, as do infinite numbers)
        style, missing = _categorical(layer, values, missing, cmap, categories, shape)
        if "labels" in legend_kwds:
            items = style.key["items"]
            for item, label in zip(items, _labels(layer, legend_kwds["labels"], len(items), "categories", "category")):
                item["label"] = label
    else:
        style, missing = _numeric(layer, values, missing, cmap, scheme, k, vmin, vmax, classification_kwds,
                                  legend_kwds)
    n_missing = int(missing.sum())
    if n_missing == len(frame) and missing_color is None:
        raise problem(layer, "column", f"every value of {caption or 'the column'} is missing: nothing to colour "
                                       "(missing_kwds={'color': ...} would draw them in one colour)")
    codes = style.codes
    if missing_color is not None:
        if n_missing:
            codes = codes.copy()
            codes[missing] = len(style.palette)
            style.palette = style.palette + [missing_color]
        style.keep = None
    else:
        style.keep = ~missing if n_missing else None
    style.codes = codes
    if not legend:
        style.key = None
    elif style.key is not None:
        style.key["caption"] = captions or caption
        if style.key["type"] == "classes":
            style.key["items"] = _shorten(style.key["items"])
        if missing_color is not None and n_missing:
            if style.key["type"] == "classes":
                style.key["items"].append({"label": missing_label, "color": missing_color})
            else:
                style.key["missing"] = {"label": missing_label, "color": missing_color}
    return style


def _color_only(frame: pd.DataFrame, layer: str, color: Any, geometry: str) -> Styling:
    """explore's ``color=``: one CSS colour, a column of colours, or one colour per feature."""
    if color is None:
        return Styling()
    columns = public_columns(frame, geometry)
    if isinstance(color, str) and color not in columns:
        if is_css_color(color):
            return Styling(uniform=color.strip())
        close = did_you_mean(color, columns)
        hint = f"did you mean the column {close!r}? " if close else ""
        raise problem(layer, "color", f"{color!r} is neither a CSS color (e.g. '#0072b2', 'teal') nor a column; "
                                      f"{hint}the data has: {', '.join(columns) or '(no columns)'}")
    values, _ = _values(layer, "color", color, frame, geometry)
    texts = values.astype("string")
    missing = np.asarray(texts.isna(), dtype=bool)
    unique, codes = np.unique(texts.fillna("").to_numpy(dtype=object).astype(str), return_inverse=True)
    palette = [str(c) if not c else css_color(layer, "color", str(c)) for c in unique]
    return Styling(palette=palette, codes=codes.astype(np.int64), keep=~missing if missing.any() else None)


def _categorical(layer: str, values: pd.Series, missing: np.ndarray, cmap: Any, categories: Any,
                 shape: str) -> tuple[Styling, np.ndarray]:
    if categories is not None and (not pd.api.types.is_list_like(categories) or isinstance(categories, (dict, str))):
        raise problem(layer, "categories", f"expected a list of categories, got {short_repr(categories)}")
    if categories is not None:  # values outside the categories count as missing
        values = values.where(values.isin(list(categories)))
    try:
        cat = pd.Categorical(values, categories=None if categories is None else list(categories))
    except (ValueError, TypeError) as exc:
        raise problem(layer, "categories", f"cannot use these categories: {exc}") from None
    codes = np.asarray(cat.codes, dtype=np.int64)
    n = len(cat.categories)
    if n == 0:
        raise problem(layer, "categories" if categories is not None else "column",
                      "no category to colour: every value is missing")
    outside = (codes < 0) & ~missing
    if categories is not None and outside.all():
        found = sorted(set(map(str, values[~missing].unique())))[:8]
        raise problem(layer, "categories", f"no value of the column is among the categories given; it has "
                                           f"{', '.join(found)}{', ...' if len(found) == 8 else ''}")
    ramp = _ramp(layer, cmap, "tab20")
    if isinstance(ramp, _MplRamp) or isinstance(ramp, _ListRamp):
        palette = ramp.first(n)
    elif isinstance(ramp, _BrancaRamp):
        palette = ramp.colors(n)
    else:
        raise problem(layer, "cmap", "for a categorical column, give a colormap name (e.g. 'tab10') or a list of "
                                     "colours, one per category; a function colours numbers")
    labels = [str(c) for c in cat.categories]
    style = Styling(palette=palette, codes=np.where(codes < 0, 0, codes))
    style.key = {"type": "classes", "shape": shape, "items": [{"label": lab, "color": col}
                                                              for lab, col in zip(labels, palette)]}
    return style, codes < 0


def _shorten(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """At most :data:`MAX_LEGEND_ROWS` rows: the rest summed up in one line without a colour."""
    if len(items) <= MAX_LEGEND_ROWS:
        return items
    rest = len(items) - (MAX_LEGEND_ROWS - 1)
    return items[:MAX_LEGEND_ROWS - 1] + [{"label": f"… and {rest} more", "color": None}]


def _numeric(layer: str, values: pd.Series, missing: np.ndarray, cmap: Any, scheme: Any, k: Any, vmin: Any,
             vmax: Any, classification_kwds: Any, legend_kwds: dict[str, Any]) -> tuple[Styling, np.ndarray]:
    if not pd.api.types.is_numeric_dtype(values):
        raise problem(layer, "column", f"a column of {values.dtype} values is neither numbers nor categories; "
                                       "convert it, or pass categorical=True")
    if scheme is not None:
        scheme = _scheme_name(layer, scheme)
    numbers = values.to_numpy(dtype=float, na_value=np.nan)
    missing = missing | ~np.isfinite(numbers)
    present = numbers[~missing]
    for word, bound in (("vmin", vmin), ("vmax", vmax)):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, (int, float, np.number))
                                  or not math.isfinite(bound)):
            raise problem(layer, word, f"expected a number, got {short_repr(bound)}")
    if not len(present):
        return Styling(palette=["#000000"], codes=np.zeros(len(numbers), dtype=np.int64)), missing
    lo = float(present.min()) if vmin is None else float(vmin)
    hi = float(present.max()) if vmax is None else float(vmax)
    if lo > hi:
        raise problem(layer, "vmin", f"vmin ({short_number(lo)}) is above vmax ({short_number(hi)})")
    ramp = _ramp(layer, cmap, "viridis")
    codes = np.zeros(len(numbers), dtype=np.int64)
    if not isinstance(ramp, _Ramp):  # a function of the value (e.g. a branca colormap), as explore calls it
        if scheme is not None:
            raise problem(layer, "scheme", "scheme= picks colours from a colormap for its classes, but cmap is a "
                                           "function that colours values itself; give a colormap name instead")
        return _from_function(layer, ramp, numbers, missing, legend_kwds)
    key: dict[str, Any]
    if scheme is not None:
        binning = _classify(layer, present, scheme, k, classification_kwds)
        palette = ramp.colors(int(binning.k))
        codes[~missing] = np.asarray(binning.yb, dtype=np.int64)
        key = _scheme_key(layer, binning, palette, lo, hi, legend_kwds)
    else:
        if "labels" in legend_kwds:
            raise problem(layer, "legend_kwds.labels", "labels name classes or categories; a continuous colour "
                                                       "bar has none (use scheme= for classes)")
        bins = np.linspace(lo, hi, 257)[1:]
        palette = ramp.colors(256)
        codes[~missing] = np.minimum(np.searchsorted(bins, present, side="left"), 255)
        if ramp.n > 20:
            stops = np.linspace(0, 1, 11)
            colors = [palette[min(255, int(round(s * 255)))] for s in stops]
            key = {"type": "ramp", "stepped": False, "colors": colors, "stops": [round(float(s), 4) for s in stops]}
        else:
            colors = ramp.colors(ramp.n)
            key = {"type": "ramp", "stepped": True, "colors": colors,
                   "stops": [round(float(s), 4) for s in np.linspace(0, 1, ramp.n + 1)]}
        key["ticks"] = _ticks(_nice_ticks(lo, hi, int(legend_kwds.get("max_labels", 5))), lo, hi)
    used = np.unique(codes[~missing])  # only the colours features have: a small palette
    remap = np.zeros(len(palette), dtype=np.int64)
    remap[used] = np.arange(len(used))
    return Styling(palette=[palette[i] for i in used], codes=remap[codes], key=key), missing


def _scheme_key(layer: str, binning: Any, palette: list[str], lo: float, hi: float,
                legend_kwds: dict[str, Any]) -> dict[str, Any]:
    labels = legend_kwds.get("labels")
    # A story's legend lists the classes with their ranges unless asked for explore's stepped bar
    # (colorbar=True): a bar scaled to skewed classes squeezes most of them into a sliver.
    colorbar = legend_kwds.get("colorbar", False)
    if colorbar:
        if labels is not None:
            raise problem(layer, "legend_kwds.labels", "labels name the classes of a class list; with "
                                                       "colorbar=True the bar shows its edges (leave out "
                                                       "colorbar, or set it to False)")
        edges = [lo] + [float(b) for b in binning.bins]
        if legend_kwds.get("scale", True) and hi > lo:  # segments as long as their ranges
            stops = np.maximum.accumulate(np.clip((np.asarray(edges) - lo) / (hi - lo), 0, 1))
            stops[-1] = 1.0
        else:  # segments of one length
            stops = np.linspace(0, 1, len(edges))
        key = {"type": "ramp", "stepped": True, "colors": palette, "stops": [round(float(s), 4) for s in stops],
               "ticks": [[float(s), float(e)] for s, e in zip(stops, edges)]}
        return key
    fmt = _format(layer, legend_kwds["fmt"]) if "fmt" in legend_kwds else None
    if labels is not None:
        texts = _labels(layer, labels, int(binning.k), "classes", "class")
    elif legend_kwds.get("interval", False):  # mapclassify's "(lower, upper]"
        texts = [" ".join(t.split()) for t in binning.get_legend_classes(fmt or "{:.2f}")]
    else:  # "lower – upper": the class edges of explore's legend, with a dash
        lowest = float(binning.y.min()) if getattr(binning, "lowest", None) is None else float(binning.lowest)
        edges = [-math.inf if lowest > binning.bins[0] else lowest] + [float(b) for b in binning.bins]
        finite = edges[1:] if edges[0] == -math.inf else edges
        if fmt is None and all(math.isfinite(e) for e in finite):
            # As few decimals as tell the classes apart (numbers under a thousandth, in scientific
            # notation, as few digits as tell them apart: 5.0E-9, not 0.000000); the page's languages
            # each write the range as they write numbers ("2 348 402" in French: storymap.context, at
            # build time). A lowest class from -inf (box_plot's) reads "≤ its upper edge".
            scientific = tiny(finite)
            digits = class_digits(finite, scientific=scientific)
            key = {"type": "classes", "digits": digits, "items": [
                {"label": range_text(a, b, digits, scientific), "color": c,
                 "range": [None if a == -math.inf else _kept(a, digits, scientific), _kept(b, digits, scientific)]}
                for a, b, c in zip(edges[:-1], edges[1:], palette)]}
            if scientific:
                key["scientific"] = True
            return key
        fmt = fmt or "{:,.2f}"
        texts = [f"{fmt.format(a)} – {fmt.format(b)}" for a, b in zip(edges[:-1], edges[1:])]
    return {"type": "classes", "items": [{"label": t, "color": c} for t, c in zip(texts, palette)]}


def tiny(values: Sequence[float]) -> bool:
    """Whether numbers are all under a thousandth (and not all 0): a legend writes them in
    scientific notation, which shows what 0.000000 hides."""
    return any(values) and max(abs(v) for v in values) < 1e-3


def _kept(value: float, digits: int, scientific: bool) -> float:
    """``value`` rounded as its legend writes it: to ``digits`` decimals, or in scientific notation
    to ``digits`` decimals of its mantissa."""
    return float(f"{value:.{digits}e}") if scientific else round(value, digits)


def range_text(low: float, high: float, digits: int, scientific: bool = False) -> str:
    """A class's range in English (the page writes it in each of its languages: storymap.i18n.number_range)."""
    if scientific or low == -math.inf:
        from .i18n import number_range

        return number_range(None if low == -math.inf else low, high, digits, "en", scientific=scientific)
    return f"{low:,.{digits}f} – {high:,.{digits}f}"


def class_digits(edges: Sequence[float], most: int = 6, scientific: bool = False) -> int:
    """The fewest decimals (up to ``most``) that write class ``edges`` each within 1% of the
    narrowest class's width of its value: ``2348401.6`` → 0; ``0.5, 1.5`` → 1; ``0.3333, 0.6667``
    → 2. (Rounding only so that edges stay apart would write 0.5 and 1.5 as 0 and 2.) With
    ``scientific``, the decimals of each edge's mantissa: ``5e-9, 1.25e-8`` → 2."""
    values = sorted(set(float(e) for e in edges))
    gaps = [b - a for a, b in zip(values, values[1:])]
    slack = 0.01 * (min(gaps) if gaps else abs(values[0]) if scientific else max(abs(values[0]), 1.0))
    for digits in range(most + 1):
        if all(abs(_kept(v, digits, scientific) - v) <= slack + 1e-12 * abs(v) for v in values):
            return digits
    return most


def _from_function(layer: str, function: Callable[[Any], Any], numbers: np.ndarray, missing: np.ndarray,
                   legend_kwds: dict[str, Any]) -> tuple[Styling, np.ndarray]:
    colors = []
    for value in numbers[~missing]:
        try:
            colors.append(function(float(value)))
        except Exception as exc:  # the user's function
            raise problem(layer, "cmap", f"the colormap function raised {type(exc).__name__}: {exc} "
                                         f"for the value {short_number(value)}") from None
    unique, inverse = np.unique(np.asarray([str(c) for c in colors], dtype=object), return_inverse=True)
    palette = [css_color(layer, "cmap", c) for c in unique]
    codes = np.zeros(len(numbers), dtype=np.int64)
    codes[~missing] = inverse
    key = None
    module = type(function).__module__ or ""
    if module.startswith("branca"):  # explore shows a branca colormap as its own colour bar
        lo, hi = float(function.vmin), float(function.vmax)
        index = np.asarray(function.index, dtype=float)
        stops = np.clip((index - lo) / (hi - lo), 0, 1) if hi > lo else np.linspace(0, 1, len(index))
        hexes = [function.rgb_hex_str(float(v)) for v in index]
        stepped = type(function).__name__ == "StepColormap"
        key = {"type": "ramp", "stepped": stepped, "colors": hexes[:-1] if stepped else hexes,
               "stops": [round(float(s), 4) for s in stops],
               "ticks": _ticks(_nice_ticks(lo, hi, int(legend_kwds.get("max_labels", 5))), lo, hi)}
    return Styling(palette=palette, codes=codes, key=key), missing


# Radii -----------------------------------------------------------------------------------------

def point_radii(frame: pd.DataFrame, layer: str, radius: Any, geometry: str) -> Optional[np.ndarray]:
    """Per-feature radii from ``marker_kwds={"radius": "column"}`` (pixels; NaN where missing),
    or None when ``radius`` is a number (or not given)."""
    if radius is None or (isinstance(radius, (int, float)) and not isinstance(radius, bool)):
        return None
    values, _ = _values(layer, "radius", radius, frame, geometry, "marker_kwds.radius")
    what = f"the column {radius!r}" if isinstance(radius, str) else "the radii given"
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise problem(layer, "marker_kwds.radius", f"{what} holds {values.dtype} values; expected numbers "
                                                   "(radii in pixels)")
    radii = np.array(values.to_numpy(dtype=float, na_value=np.nan), dtype=float)
    finite = radii[np.isfinite(radii)]
    if len(finite) and (finite.min() < 0 or finite.max() > MAX_RADIUS):
        name = radius if isinstance(radius, str) else "v"
        raise problem(layer, "marker_kwds.radius", f"radii are pixels from 0 to {MAX_RADIUS:g}, but {what} runs "
                                                   f"from {short_number(finite.min())} to {short_number(finite.max())}"
                                                   f"; scale it first, e.g. gdf['r'] = 2 + 18 * np.sqrt(gdf[{name!r}] "
                                                   f"/ gdf[{name!r}].max())")
    radii[~np.isfinite(radii)] = np.nan
    return radii
