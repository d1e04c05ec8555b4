"""Text in folium popups and tooltips stays text: storymap renders them through templates of its own.

folium writes a ``Tooltip``'s text and a ``Popup``'s HTML into JavaScript template strings
(```…```), where ``${…}`` runs, inside a script a page's Content-Security-Policy trusts by hash;
Leaflet then sets the result as ``innerHTML``, where ``<img onerror>`` runs; and a ``Popup`` needs
jQuery (``$``), which a story page does not load. ``GeoJsonTooltip``/``GeoJsonPopup`` put a
feature's property values into ``innerHTML`` as they are.

:func:`make_inert` gives those elements of a render's *copy* of the folium tree (see
:func:`storymap.render.clone_tree`; the user's elements are never touched) templates of its own:

- ``Popup`` and ``Tooltip``: their HTML is sanitized at build time (:func:`storymap.text.sanitize_html`:
  formatting, tables and ``http(s)`` links kept; scripts, handlers, styles, images and frames
  dropped) and reaches the page as a JSON string, never as code;
- ``GeoJsonTooltip`` and ``GeoJsonPopup``: the table is built in the browser with ``textContent``,
  so a value shows as the text it is.

Options (``max_width``, ``sticky``, a tooltip's ``style``, …) keep their meaning; no jQuery is needed.
"""

from __future__ import annotations

from typing import Any, Iterator

import folium
import jinja2
from branca.element import CssLink, Element, JavascriptLink
from folium.features import GeoJsonPopup, GeoJsonTooltip
from folium.map import Popup, Tooltip
from folium.plugins import HeatMapWithTime, TimeSliderChoropleth
from folium.template import tojavascript
from markupsafe import Markup

from .text import sanitize_html, script_json

__all__ = ["make_inert", "INERT_TYPES", "icon_links", "needed_links", "reachable", "framed_popups",
           "FRAMED_POPUP"]

_ENV = jinja2.Environment(autoescape=False, trim_blocks=True, lstrip_blocks=True)
_ENV.filters["tojs"] = lambda value: Markup(script_json(value))
_ENV.filters["tojavascript"] = lambda value: Markup(tojavascript(value))

_POPUP = _ENV.from_string("""
{% set parent = this._parent.get_name() %}
var {{ this.get_name() }} = L.popup({{ this.options|tojavascript }}).setContent({{ this.storymap_html|tojs }});
{{ parent }}.bindPopup({{ this.get_name() }});
{% if this.show %}
if ({{ parent }}._map) { {{ parent }}.openPopup(); } else { {{ parent }}.once('add', function () { {{ parent }}.openPopup(); }); }
{% endif %}
""")

_TOOLTIP = _ENV.from_string("""
{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.bindTooltip((function (div) {
  div.innerHTML = {{ this.storymap_html|tojs }};
{% if this.style %}
  div.style.cssText = {{ this.style|tojs }};
{% endif %}
  return div;
})(document.createElement('div')), {{ this.options|tojavascript }});
{% endmacro %}
""")

# folium's rules for a value (GeoJsonDetail): null shows as nothing, an object as its JSON, and
# with `localize` numbers and dates in the reader's locale; here always as text.
_DETAIL = _ENV.from_string("""
{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.{{ this.storymap_bind }}(function (layer) {
  var div = document.createElement('div'), table = document.createElement('table');
  var fields = {{ this.fields|list|tojs }}, aliases = {{ this.aliases|list|tojs }};
  var props = (layer.feature && layer.feature.properties) || {};
  fields.forEach(function (field, i) {
    var value = Object.prototype.hasOwnProperty.call(props, field) ? props[field] : undefined;
    value = value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : value;
    var row = document.createElement('tr'), cell;
{% if this.labels %}
    cell = document.createElement('th');
    cell.textContent = String(aliases[i]);
    row.appendChild(cell);
{% endif %}
    cell = document.createElement('td');
    cell.textContent = {% if this.localize %}value !== undefined && value.toLocaleString ? value.toLocaleString() : {% endif %}String(value);
    row.appendChild(cell);
    table.appendChild(row);
  });
  if (fields.length) {
    div.appendChild(table);
  }
  return div;
}, {{ this.storymap_options|tojavascript }});
{% endmacro %}
""")

#: The folium elements given storymap's templates (subclasses too, unless they bring a template of their own).
INERT_TYPES = (Popup, Tooltip, GeoJsonTooltip, GeoJsonPopup)


def _content(popup: Popup) -> str:
    """A popup's HTML as folium would show it, then sanitized."""
    parts = []
    for child in popup.html._children.values():
        text = child.render()
        parts.append(text.replace("\\`", "`"))  # folium escaped the backticks of a string given
    return sanitize_html("".join(parts))


def framed_popups(root: Element) -> int:
    """How many popups among ``root``'s hold a frame (a ``folium.IFrame``, an ``<iframe>`` in their
    HTML): sanitizing drops it, and a popup of a frame alone opens empty."""
    count = 0
    for element in reachable(root):
        if _own(element, Popup):
            children = list(element.html._children.values())
            if any(isinstance(child, folium.IFrame) for child in children) or any(
                    "<iframe" in child.render().lower() for child in children):
                count += 1
    return count


FRAMED_POPUP = ("a folium.Popup holding a folium.IFrame (or an <iframe>) would open empty: a popup's HTML is "
                "sanitized as text and frames are dropped (README: Security). Give folium.Popup the HTML itself, "
                "e.g. folium.Popup('<h1>Hi</h1><p>…</p>', max_width=300): formatting, lists, tables and links are kept")


def _own(element: Element, base: type) -> bool:
    return isinstance(element, base) and type(element)._template is base._template


def reachable(root: Element, *, parents: bool = False) -> Iterator[Element]:
    """``root`` and every element below it: its children and the elements its attributes hold
    (a ``GeoJson``'s ``marker``, a ``Marker``'s ``icon``), each once; with ``parents``, every
    element reachable through parents too (the whole tree ``root`` belongs to)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        element = stack.pop()
        if id(element) in seen:
            continue
        seen.add(id(element))
        yield element
        for name, value in vars(element).items():
            if parents or name not in _UPWARD:
                stack += elements_in(value)


#: Attributes that point up the tree, not down: ``_parent``, and the map a GeoJson was last
#: rendered on (``parent_map``: a map it was looked at on before joining a story).
_UPWARD = frozenset({"_parent", "parent_map"})


def elements_in(value: Any) -> list[Element]:
    """The elements ``value`` holds: itself, or those of a dict's values or a list's items."""
    if isinstance(value, Element):
        return [value]
    if isinstance(value, dict):
        return [v for item in value.values() for v in elements_in(item)]
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in elements_in(item)]
    return []


# folium.Icon draws with Leaflet.awesome-markers (``L.AwesomeMarkers``), whose files a folium.Map
# loads from CDNs as its defaults (with jQuery and Bootstrap); a story's map loads none of them. So
# an Icon asks for them itself: the script, its stylesheet (marker images), folium's rotation
# classes, and the stylesheet of the icon font its prefix names. A FastMarkerCluster's default
# callback draws each point with ``L.AwesomeMarkers.icon()`` (prefix glyphicon); a
# TimeSliderChoropleth's and HeatMapWithTime's scripts use jQuery (``$``), another of a folium.Map's defaults.
_DEFAULT_JS = dict(folium.Map.default_js)
_DEFAULT_CSS = dict(folium.Map.default_css)
_ICON_FONTS = {"glyphicon": _DEFAULT_CSS["glyphicons_css"], "fa": _DEFAULT_CSS["awesome_markers_font_css"]}


def _awesome(element: Element) -> bool:
    """Whether an element draws with Leaflet.awesome-markers: a ``folium.Icon``, not a
    ``folium.CustomIcon`` (a subclass drawing an image with Leaflet's own ``L.icon``)."""
    return isinstance(element, folium.Icon) and not isinstance(element, folium.CustomIcon)


def _icon_prefixes(element: Element) -> list[str]:
    """The icon fonts an element draws awesome-markers with (none if it draws none)."""
    if _awesome(element):
        return [str(element.options.get("prefix", "glyphicon"))]
    callback = getattr(element, "callback", None)  # (FastMarkerCluster: folium's default, or the user's)
    if isinstance(callback, str) and "L.AwesomeMarkers" in callback:
        return ["glyphicon"]  # (awesome-markers' own default prefix)
    return []


def icon_links(root: Element) -> list[tuple[str, str]]:
    """The files the ``folium.Icon`` elements among ``root``'s (and a ``FastMarkerCluster``'s default
    markers) need: ``("script" | "style", url)``, none when it holds no such element."""
    prefixes = [prefix for el in reachable(root) for prefix in _icon_prefixes(el)]
    if not prefixes:
        return []
    links = [("script", _DEFAULT_JS["awesome_markers"]), ("style", _DEFAULT_CSS["awesome_markers_css"]),
             ("style", _DEFAULT_CSS["awesome_rotate_css"])]
    fonts = [_ICON_FONTS[p] for p in dict.fromkeys(prefixes) if p in _ICON_FONTS]
    return links + [("style", url) for url in fonts]


def _needs_jquery(element: Element) -> bool:
    # (Both use jQuery, which a folium.Map loads and a story page does not: HeatMapWithTime's
    # header script calls $.extend.)
    return isinstance(element, (TimeSliderChoropleth, HeatMapWithTime))


def needed_links(root: Element) -> list[tuple[str, str]]:
    """The files elements among ``root``'s need beyond those they ask for themselves: those of
    :func:`icon_links`, and jQuery for a ``TimeSliderChoropleth`` or a ``HeatMapWithTime``; once each."""
    jquery = [("script", _DEFAULT_JS["jquery"])] if any(_needs_jquery(el) for el in reachable(root)) else []
    return list(dict.fromkeys(jquery + icon_links(root)))


def _with_links(element: Element, links: list[tuple[str, str]]) -> None:
    """Make a (copied) element add ``links`` to its page's header when it renders, as folium's
    plugins add theirs; the page then inlines them (or names those it cannot find)."""
    own = type(element).render

    def render(**kwargs: Any) -> Any:
        header = element.get_root().header
        for kind, url in links:
            header.add_child(JavascriptLink(url) if kind == "script" else CssLink(url), name=f"storymap-{url}")
        return own(element, **kwargs)

    element.render = render  # type: ignore[method-assign]


def make_inert(elements: list[Element]) -> None:
    """Give the popups and tooltips among ``elements`` (a render's copies) storymap's templates;
    the map (a ``folium.Map`` among them) asks for the files any of them needs (:func:`needed_links`)."""
    maps = [el for el in elements if isinstance(el, folium.Map)]
    needing = [el for el in elements if _icon_prefixes(el) or _needs_jquery(el)]
    if maps and needing:
        links = [link for element in needing for link in needed_links(element)]
        _with_links(maps[0], list(dict.fromkeys(links)))
    for element in elements:
        if _own(element, Popup):
            element.storymap_html = _content(element)  # type: ignore[attr-defined]
            element._template = _POPUP
        elif _own(element, Tooltip):
            element.storymap_html = sanitize_html(str(element.text))  # type: ignore[attr-defined]
            if not hasattr(element, "style"):
                element.style = None  # type: ignore[attr-defined]
            element._template = _TOOLTIP
        elif _own(element, GeoJsonTooltip) or _own(element, GeoJsonPopup):
            tooltip = isinstance(element, GeoJsonTooltip)
            element.storymap_bind = "bindTooltip" if tooltip else "bindPopup"  # type: ignore[attr-defined]
            options: Any = getattr(element, "tooltip_options" if tooltip else "popup_options", {})
            element.storymap_options = options  # type: ignore[attr-defined]
            element._template = _DETAIL
