"""A smaller Leaflet for pages that do not need all of it: Leaflet 1.9.4's own minified script with
the parts that a story page without folium elements of the user's never uses cut out, exactly and
checked, at build time (:data:`CUT_PARTS` says what goes and why that is safe, :data:`CUTS` how).

Which pages get it is decided in one place, :func:`storymap.render.trimmed_leaflet`; the page keeps
it under a key of its own (:func:`storymap.private.leaflet_key`), so a full Leaflet and a trimmed
one on the same host page never take each other's place.

How a part is cut. Leaflet's build (rollup, then uglify-js) is one function whose top level is a
run of ``var`` statements, function declarations and comma sequences: a class is a declarator
(``Ei=o.extend({...})``), its exports and mixins items of a sequence (``t.ImageOverlay=Ei``,
``A.addInitHook("addHandler","boxZoom",_t)``). A cut names one such *item* by a pattern that must
be found exactly once and must start an item (after ``var``, ``,``, ``(``, ``{`` or at a
statement's start); the item is found to its end by its brackets (strings and regular expressions
skipped) and taken out with one comma (a statement left empty goes whole). The patterns name
Leaflet's minified identifiers through :data:`NAMES`, themselves found exactly once (mostly from
the exports: ``t.Circle=vi``).

Then the result is checked (:func:`check`): it parses (calmjs.parse, ES5), and no binding whose
value a cut took away is read any more. uglify-js reuses a top-level variable once its earlier
value is dead (the Browser test ``safari`` and the class ``EPSG3395`` are both ``Pt``), so the check
is by lifetime: after the place of the cut, up to the next assignment of the name at the top level,
nothing may read it, and no function may read it at all. A different Leaflet build, or a cut that
would leave a dangling reference, raises ValueError here, at build time, never in a reader's browser.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator, NamedTuple, Sequence

__all__ = ["trim", "check", "CUTS", "NAMES", "CUT_PARTS", "FOR_IN_LOOPS"]


class Token(NamedTuple):
    kind: str  # name, num, str, regex, punct
    text: str
    start: int
    end: int


_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<num>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_$][\w$]*)
  | (?P<punct>>>>=|===|!==|>>>|<<=|>>=|&&|\|\||==|!=|<=|>=|\+\+|--|<<|>>|[-+*/%&|^]=|[{}()\[\];,.<>+\-*/%&|^!~?:=])
""", re.S | re.X)
_REGEX = re.compile(r"/(?:[^/\\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/[a-z]*")
#: Keywords after which a ``/`` starts a regular expression, not a division.
_BEFORE_EXPRESSION = {"return", "typeof", "instanceof", "in", "new", "delete", "void", "throw", "case", "do", "else"}
_OPEN, _CLOSE = "([{", ")]}"


def tokens(source: str) -> list[Token]:
    """The tokens of ES5 ``source`` (whitespace and comments dropped)."""
    out: list[Token] = []
    i, prev = 0, None
    while i < len(source):
        if source[i] == "/" and not source.startswith(("/*", "//"), i) and (
                prev is None or (prev.kind == "punct" and prev.text not in _CLOSE)
                or (prev.kind == "name" and prev.text in _BEFORE_EXPRESSION)):
            found = _REGEX.match(source, i)
            if found is None:
                raise ValueError(f"cannot read the regular expression at {i}: {source[i:i + 40]!r}")
            prev = Token("regex", found.group(), i, found.end())
            out.append(prev)
            i = found.end()
            continue
        found = _TOKEN.match(source, i)
        if found is None:
            raise ValueError(f"cannot read the script at {i}: {source[i:i + 40]!r}")
        if found.lastgroup not in ("ws", "comment"):
            prev = Token(found.lastgroup or "", found.group(), i, found.end())
            out.append(prev)
        i = found.end()
    return out


def _brackets(toks: Sequence[Token]) -> dict[int, int]:
    """``{index of an opening bracket: index of its closing one}`` (and back)."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for i, tok in enumerate(toks):
        if tok.kind == "punct" and tok.text in _OPEN:
            stack.append(i)
        elif tok.kind == "punct" and tok.text in _CLOSE:
            if not stack or _OPEN.index(toks[stack[-1]].text) != _CLOSE.index(tok.text):
                raise ValueError(f"unbalanced {tok.text!r} at {tok.start}")
            j = stack.pop()
            pairs[j], pairs[i] = i, j
    if stack:
        raise ValueError(f"unclosed {toks[stack[-1]].text!r} at {toks[stack[-1]].start}")
    return pairs


class Cut(NamedTuple):
    """One item to take out: ``part`` it belongs to, ``pattern`` (with ``{Name}`` for
    :data:`NAMES`) found exactly once, at the item's start."""
    part: str
    pattern: str


#: Leaflet's minified identifiers the cuts name: ``(name, pattern)``, group 1 of each pattern
#: found exactly once (a pattern may use the names before it).
NAMES: tuple[tuple[str, str], ...] = (
    ("Control", r"t\.Control=([\w$]+),"),
    ("control", r"t\.control=([\w$]+),"),
    ("Layers", r"\{Control\}\.Layers=([\w$]+),"),
    ("ImageOverlay", r"t\.ImageOverlay=([\w$]+),"),
    ("VideoOverlay", r"t\.VideoOverlay=([\w$]+),"),
    ("SVGOverlay", r"t\.SVGOverlay=([\w$]+),"),
    ("Circle", r"t\.Circle=([\w$]+),"),
    ("Rectangle", r"t\.Rectangle=([\w$]+),"),
    ("TileLayer", r"t\.TileLayer=([\w$]+),"),
    ("tileLayer", r"t\.tileLayer=([\w$]+),"),
    ("WMS", r"\{TileLayer\}\.WMS=([\w$]+),"),
    ("CRS", r"t\.CRS=([\w$]+),"),
    ("EPSG3395", r"\{CRS\}\.EPSG3395=([\w$]+),"),
    ("EPSG4326", r"\{CRS\}\.EPSG4326=([\w$]+),"),
    ("Simple", r"\{CRS\}\.Simple=([\w$]+),"),
    ("Projection", r"t\.Projection=([\w$]+),"),
    ("LonLat", r"\{Projection\}=\{__proto__:null,LonLat:([\w$]+),"),
    ("Mercator", r",Mercator:([\w$]+),SphericalMercator:"),
    ("MarkerDrag", r"this\.dragging=new ([\w$]+)\(this\),t&&this\.dragging\.enable\(\)"),
    ("TapHold", r"\.TapHold=([\w$]+),"),
)

_CRS = "CRS.EPSG3395, CRS.EPSG4326, CRS.Simple"

#: What is cut, by part. None of it is used by a page whose map holds only storymap's own elements
#: (its story, basemap, tiles and layers of geodata: see storymap.render.trimmed_leaflet), and none
#: of it hangs on the objects such a page hands out but TapHold (``root.storymap.map`` keeps every other
#: method and handler of a Leaflet map: BoxZoom, geolocation and toGeoJSON stay).
CUT_PARTS: dict[str, str] = {
    "Control.Layers": "the layer switcher: only a folium.LayerControl of the user's makes one",
    "ImageOverlay": "an image over the map (and VideoOverlay, SVGOverlay built on it): only a folium "
                    "ImageOverlay, VideoOverlay or raster layer makes one",
    "VideoOverlay": "see ImageOverlay",
    "SVGOverlay": "see ImageOverlay",
    "Marker.Drag": "dragging a marker (``draggable: true``): storymap's markers are never draggable",
    "TileLayer.WMS": "tiles from a WMS server: storymap's tiles are an XYZ template (a folium.WmsTileLayer "
                     "is the user's)",
    "Circle": "a circle of a radius in metres (L.circle); storymap draws CircleMarkers (radius in pixels)",
    "Rectangle": "L.rectangle: storymap draws none",
    _CRS: "the map is always Web Mercator (EPSG3857, which stays with EPSG900913 and CRS.Earth); with "
          "them go Projection.Mercator and Projection.LonLat, used by them alone",
    "Map.TapHold": "a long press made a contextmenu event in iOS Safari (with its tapHold and tapTolerance "
                   "options): nothing of storymap's listens to contextmenu (a user's element that could "
                   "brings the full Leaflet)",
}

#: The items cut from Leaflet 1.9.4's minified script (after :func:`storymap.assets.drop_vml`).
CUTS: tuple[Cut, ...] = (
    # Control.Layers: its class (the last item of the sequence that also adds Map.addControl), its
    # export and its factory.
    Cut("Control.Layers", r"\{Control\}\.extend\(\{options:\{collapsed:!0,position:\"topright\",autoZIndex:"),
    Cut("Control.Layers", r"\{Control\}\.Layers=\{Layers\}"),
    Cut("Control.Layers", r"\{control\}\.layers=function\(t,e,i\)\{return new \{Layers\}\(t,e,i\)\}"),
    # ImageOverlay, VideoOverlay (extends it), SVGOverlay (extends it): classes, exports, factories.
    Cut("ImageOverlay", r"\{ImageOverlay\}=[\w$]+\.extend\(\{options:\{opacity:1,alt:\"\",interactive:!1,"),
    Cut("ImageOverlay", r"t\.ImageOverlay=\{ImageOverlay\}"),
    Cut("ImageOverlay", r"t\.imageOverlay=function\(t,e,i\)\{return new \{ImageOverlay\}\(t,e,i\)\}"),
    Cut("VideoOverlay", r"\{VideoOverlay\}=\{ImageOverlay\}\.extend\(\{options:\{autoplay:"),
    Cut("VideoOverlay", r"t\.VideoOverlay=\{VideoOverlay\}"),
    Cut("VideoOverlay", r"t\.videoOverlay=function\(t,e,i\)\{return new \{VideoOverlay\}\(t,e,i\)\}"),
    Cut("SVGOverlay", r"\{SVGOverlay\}=\{ImageOverlay\}\.extend\(\{_initImage:"),
    Cut("SVGOverlay", r"t\.SVGOverlay=\{SVGOverlay\}"),
    Cut("SVGOverlay", r"t\.svgOverlay=function\(t,e,i\)\{return new \{SVGOverlay\}\(t,e,i\)\}"),
    # Marker.Drag: the handler, and the marker's ``if (MarkerDrag) {...}`` that makes one.
    Cut("Marker.Drag", r"\{MarkerDrag\}=[\w$]+\.extend\(\{initialize:function\(t\)\{this\._marker=t\},addHooks:"),
    Cut("Marker.Drag", r"\{MarkerDrag\}&&\(t=this\.options\.draggable,"),
    # TileLayer.WMS: its class, L.TileLayer.WMS and L.tileLayer.wms.
    Cut("TileLayer.WMS", r"\{WMS\}=\{TileLayer\}\.extend\(\{defaultWmsParams:"),
    Cut("TileLayer.WMS", r"\{TileLayer\}\.WMS=\{WMS\}"),
    Cut("TileLayer.WMS", r"\{tileLayer\}\.wms=function\(t,e\)\{return new \{WMS\}\(t,e\)\}"),
    # Circle: its class, its toGeoJSON mixin, export and factory.
    Cut("Circle", r"\{Circle\}=[\w$]+\.extend\(\{initialize:function\(t,e,i\)\{if\([\w$]+\(this,"
                  r"e=\"number\"==typeof e"),
    Cut("Circle", r"\{Circle\}\.include\([\w$]+\)"),
    Cut("Circle", r"t\.Circle=\{Circle\}"),
    Cut("Circle", r"t\.circle=function\(t,e,i\)\{return new \{Circle\}\(t,e,i\)\}"),
    # Rectangle.
    Cut("Rectangle", r"\{Rectangle\}=[\w$]+\.extend\(\{initialize:function\(t,e\)\{[\w$]+\.prototype\.initialize"
                     r"\.call\(this,this\._boundsToLatLngs\(t\),e\)\}"),
    Cut("Rectangle", r"t\.Rectangle=\{Rectangle\}"),
    Cut("Rectangle", r"t\.rectangle=function\(t,e\)\{return new \{Rectangle\}\(t,e\)\}"),
    # The CRSs other than EPSG3857, and the projections only they use.
    Cut(_CRS, r"\{EPSG3395\}=[\w$]+\(\{\},[\w$]+,\{code:\"EPSG:3395\""),
    Cut(_CRS, r"\{EPSG4326\}=[\w$]+\(\{\},[\w$]+,\{code:\"EPSG:4326\""),
    Cut(_CRS, r"\{Simple\}=[\w$]+\(\{\},[\w$]+,\{projection:\{LonLat\},transformation:[\w$]+\(1,0,-1,0\)"),
    Cut(_CRS, r"\{CRS\}\.EPSG3395=\{EPSG3395\}"),
    Cut(_CRS, r"\{CRS\}\.EPSG4326=\{EPSG4326\}"),
    Cut(_CRS, r"\{CRS\}\.Simple=\{Simple\}"),
    Cut(_CRS, r"\{LonLat\}=\{project:function\(t\)\{return new [\w$]+\(t\.lng,t\.lat\)\}"),
    Cut(_CRS, r"\{Mercator\}=\{R:6378137,R_MINOR:"),
    Cut(_CRS, r"LonLat:\{LonLat\}"),
    Cut(_CRS, r"Mercator:\{Mercator\}"),
    # Map.TapHold: its options, its class (the last item of the sequence whose value it is), the hook
    # that makes a map's handler of it, its export.
    Cut("Map.TapHold", r"[\w$]+\.mergeOptions\(\{tapHold:"),
    Cut("Map.TapHold", r"[\w$]+\.extend\(\{addHooks:function\(\)\{[\w$]+\(this\._map\._container,\"touchstart\","
                       r"this\._onDown,this\)\},removeHooks:"),
    Cut("Map.TapHold", r"[\w$]+\.addInitHook\(\"addHandler\",\"tapHold\",\{TapHold\}\)"),
    Cut("Map.TapHold", r"[\w$]+\.TapHold=\{TapHold\}"),
)

#: ``for … in`` loops left in the trimmed script (Leaflet's 43, less those of the parts cut): see
#: :func:`storymap.assets.guard_for_in`.
FOR_IN_LOOPS = 40


def _names(source: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, pattern in NAMES:
        hits = list(re.finditer(_fill(pattern, found), source))
        if len(hits) != 1:
            raise ValueError(f"expected Leaflet's {name} once, found it {len(hits)} times: a different Leaflet build?")
        found[name] = hits[0].group(1)
    return found


def _fill(pattern: str, names: dict[str, str]) -> str:
    return re.sub(r"\\\{(\w+)\\\}", lambda m: re.escape(names[m.group(1)]), pattern)


class Removal(NamedTuple):
    part: str
    start: int  # where the cut is, in the text after it
    span: tuple[int, int]  # what was cut, in the text before (cuts made before it included)
    text: str  # what was cut (its tokens)
    defined: frozenset[str]  # names whose value went with it (of "X=(a,b)" when b goes; see check)


class _Script:
    """The tokens of a script, some of them cut (``alive[i]`` false)."""

    def __init__(self, source: str):
        self.source = source
        self.toks = tokens(source)
        self.pairs = _brackets(self.toks)
        self.alive = [True] * len(self.toks)
        self.at = {tok.start: i for i, tok in enumerate(self.toks)}

    def before(self, i: int) -> int:
        i -= 1
        while i >= 0 and not self.alive[i]:
            i -= 1
        return i

    def after(self, i: int) -> int:
        i += 1
        while i < len(self.toks) and not self.alive[i]:
            i += 1
        return i

    def text(self, i: int) -> str:
        return self.toks[i].text if 0 <= i < len(self.toks) else ";"

    def item(self, first: int) -> tuple[int, bool]:
        """``(end, last)``: the item starting at token ``first`` runs up to token ``end`` (not
        included: a ``,``, ``;`` or closing bracket), ``last`` unless a ``,`` follows it."""
        before = self.text(self.before(first))
        if before not in (",", "(", "[", "{", ";", "}", "var"):
            raise ValueError(f"not the start of an item: {self.text(first)!r} after {before!r}")
        if self.text(first) == "function" and before in (";", "}", "{"):
            raise ValueError("a function declaration is not an item to cut")
        i = first
        while i < len(self.toks):
            tok = self.toks[i]
            if tok.kind == "punct":
                if tok.text in _OPEN:
                    i = self.pairs[i]
                elif tok.text in _CLOSE or tok.text in (",", ";"):
                    return i, tok.text != ","
            i = self.after(i)
        return i, True

    def cut(self, first: int, end: int) -> list[int]:
        """Cut the tokens ``first:end`` still there; returns them."""
        gone = [i for i in range(first, end) if self.alive[i]]
        for i in gone:
            self.alive[i] = False
        return gone

    def result(self) -> tuple[str, dict[int, int]]:
        """The script without the cut tokens, and ``{token index: its place there}``."""
        out: list[str] = []
        places: dict[int, int] = {}
        size, last = 0, -1
        for i, tok in enumerate(self.toks):
            if not self.alive[i]:
                continue
            if last < 0:
                gap = self.source[:tok.start]
            elif last + 1 == i:
                gap = self.source[self.toks[last].end:tok.start]
            else:  # (a cut between them)
                gap = " " if _joins(self.toks[last], tok) else ""
            out.append(gap)
            places[i] = size + len(gap)
            out.append(tok.text)
            size += len(gap) + len(tok.text)
            last = i
        out.append(self.source[self.toks[last].end:] if last >= 0 else self.source)
        return "".join(out), places


def _joins(a: Token, b: Token) -> bool:
    """Whether ``a`` and ``b`` written without a space would read as one token."""
    return a.kind in ("name", "num") and b.kind in ("name", "num")


def _cut(script: _Script, cut: Cut, names: dict[str, str]) -> tuple[list[int], set[str]]:
    """Take ``cut`` out of ``script``: ``(the tokens cut, the names it defined)``."""
    hits = list(re.finditer(_fill(cut.pattern, names), script.source))
    if len(hits) != 1:
        raise ValueError(f"expected Leaflet's {cut.part} ({cut.pattern}) once, found it {len(hits)} times: "
                         "a different Leaflet build?")
    first = script.at.get(hits[0].start())
    if first is None or not script.alive[first]:
        raise ValueError(f"Leaflet's {cut.part} ({cut.pattern}) does not start a token")
    end, last = script.item(first)
    defined: set[str] = set()
    before = script.before(first)
    if not last:  # "item," : the item and its comma
        return script.cut(first, end + 1), defined
    if script.text(before) == ",":  # ",item" closing its list
        if script.text(end) == ")":  # the last item of "X=(a,b)": X's value goes with it
            equals = script.before(script.pairs[end])
            name = script.before(equals)
            if (script.text(equals) == "=" and script.toks[name].kind == "name"
                    and script.text(script.before(name)) != "."):
                defined.add(script.text(name))
        return script.cut(before, end), defined
    if script.text(before) in ("var", ";", "}") and script.text(end) == ";":  # a statement of one item
        return script.cut(before if script.text(before) == "var" else first, end + 1), defined
    raise ValueError(f"cannot take Leaflet's {cut.part} ({cut.pattern}) out of its place")


def trim(source: str) -> tuple[str, list[Removal]]:
    """``source`` (Leaflet 1.9.4's minified script, VML dropped) without :data:`CUTS`, and what was
    cut, each at its place in the result. Not checked: see :func:`check`."""
    names = _names(source)
    script = _Script(source)
    done = [(cut.part, *_cut(script, cut, names)) for cut in CUTS]
    text, places = script.result()
    removals = []
    for part, gone, defined in done:
        start = places.get(script.after(gone[-1]), len(text))
        span = (script.toks[gone[0]].start, script.toks[gone[-1]].end)
        removals.append(Removal(part, start, span, "".join(script.toks[i].text for i in gone), frozenset(defined)))
    return text, removals


# The check ------------------------------------------------------------------------------------

def _factory(program: object) -> object:
    """Leaflet's factory: the function of the script with the most statements."""
    from calmjs.parse import asttypes

    best = None
    stack = [program]
    while stack:
        node = stack.pop()
        if isinstance(node, asttypes.FuncExpr) and (best is None or len(node.elements) > len(best.elements)):
            best = node
        stack.extend(child for child in node.children() if child is not None)
    if best is None:
        raise ValueError("no function in Leaflet's script")
    return best


def _declared(function: object) -> set[str]:
    """The names a function declares: its parameters, ``var`` names and function declarations (not
    those of the functions inside it)."""
    from calmjs.parse import asttypes

    names = {p.value for p in function.parameters}
    if isinstance(function, asttypes.FuncExpr) and function.identifier is not None:
        names.add(function.identifier.value)
    stack = list(function.elements)
    while stack:
        node = stack.pop()
        if node is None:
            continue
        if isinstance(node, asttypes.FuncDecl):
            names.add(node.identifier.value)
            continue
        if isinstance(node, asttypes.FuncExpr):
            continue
        if isinstance(node, (asttypes.VarDecl, asttypes.VarDeclNoIn)):
            names.add(node.identifier.value)
        stack.extend(node.children())
    return names


class Use(NamedTuple):
    name: str
    at: int
    in_function: bool
    sets: bool  # ``name = value`` (or a ``var`` with a value), not a read


def _uses(factory: object, top: set[str]) -> Iterator[Use]:
    """Every use in the factory of the names ``top`` (those it declares, or declared before a cut),
    as that name (not shadowed by a function inside)."""
    from calmjs.parse import asttypes

    def plain(node: object) -> bool:
        return isinstance(node, asttypes.Identifier) and not isinstance(node, asttypes.PropIdentifier)

    # (node, names shadowed there, inside a function of the factory's)
    stack: list[tuple[object, frozenset[str], bool]] = [(el, frozenset(), False) for el in factory.elements]
    while stack:
        node, shadowed, inner = stack.pop()
        if node is None:
            continue
        if isinstance(node, asttypes.FuncBase):
            here = shadowed | _declared(node)
            stack.extend((child, here, True) for child in list(node.parameters) + list(node.elements))
            continue
        if isinstance(node, asttypes.Catch):
            stack.append((node.elements, shadowed | {node.identifier.value}, inner))
            continue
        if isinstance(node, (asttypes.Label, asttypes.Break, asttypes.Continue)):
            stack.extend((c, shadowed, inner) for c in node.children()[1:] if c is not None)
            continue
        if isinstance(node, (asttypes.VarDecl, asttypes.VarDeclNoIn)):
            name = node.identifier.value
            if name in top and name not in shadowed and node.initializer is not None:
                yield Use(name, node.identifier.lexpos, inner, True)
            stack.append((node.initializer, shadowed, inner))
            continue
        if isinstance(node, asttypes.Assign) and node.op == "=" and plain(node.left):
            name = node.left.value
            if name in top and name not in shadowed:
                yield Use(name, node.left.lexpos, inner, True)
            stack.append((node.right, shadowed, inner))
            continue
        if plain(node):
            if node.value in top and node.value not in shadowed:
                yield Use(node.value, node.lexpos, inner, False)
            continue
        stack.extend((child, shadowed, inner) for child in node.children())


def _parse(source: str, what: str) -> object:
    from calmjs.parse import es5

    try:
        return es5(source)
    except Exception as exc:  # noqa: BLE001 - any parse error
        raise ValueError(f"{what} does not parse: {exc}") from exc


@lru_cache(maxsize=1)
def _analysed(source: str) -> tuple[set[str], list[Use]]:
    """The names Leaflet's factory declares, and their uses."""
    factory = _factory(_parse(source, "Leaflet"))
    top = _declared(factory)
    return top, list(_uses(factory, top))


def check(source: str, text: str, removals: Sequence[Removal]) -> None:
    """Raise ValueError unless ``text``, ``source`` trimmed, parses and reads no value that a
    removal took away.

    A removal takes the value of each name it assigns at the factory's top level (of ``X`` too
    when it takes the last item of ``X=(a,b)``); it may assign none inside a function. After the
    place of the removal, up to the name's next top-level assignment, no top-level code may read
    the name, and no function may use it at all (uglify-js gives a variable a second life only
    where no function sees it).
    """
    top, before = _analysed(source)
    after = list(_uses(_factory(_parse(text, "the trimmed Leaflet")), top))
    for removal in removals:
        first, end = removal.span
        inside = [u for u in before if u.sets and first <= u.at < end]
        if any(u.in_function for u in inside):
            raise ValueError(f"cutting {removal.part} from Leaflet takes away an assignment to "
                             f"{inside[0].name} inside a function: cannot check it")
        for name in removal.defined | {u.name for u in inside}:
            mine = [u for u in after if u.name == name]
            later = [u.at for u in mine if u.sets and not u.in_function and u.at >= removal.start]
            until = min(later) if later else len(text)
            wrong = [u for u in mine if u.in_function or (not u.sets and removal.start <= u.at < until)]
            if wrong:
                at = wrong[0].at
                raise ValueError(f"cutting {removal.part} from Leaflet leaves {name} used at {at}: "
                                 f"{text[max(0, at - 60):at + 40]!r}")


def trimmed(source: str) -> str:
    """:func:`trim`, then :func:`check`: the trimmed script (raises ValueError)."""
    text, removals = trim(source)
    check(source, text, removals)
    return text


def removed_parts(removals: Sequence[Removal]) -> dict[str, int]:
    """Bytes cut per part."""
    out: dict[str, int] = {}
    for removal in removals:
        out[removal.part] = out.get(removal.part, 0) + len(removal.text)
    return out

