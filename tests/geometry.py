"""What a reader sees at a step, measured in the page (GEOMETRY_JS), and the rules every step's
labels keep on every screen and in every browser engine (label_problems): test_first_view.py walks
the stories in Chromium, test_engines.py in WebKit and Firefox. And what has the keyboard's focus,
and its name (FOCUS_JS)."""

from __future__ import annotations

# The boxes (page px) of what a reader sees at the current step: the map, what covers it (the text
# panel and the map's controls), the story's labels and the basemap's labels on view, the legend.
GEOMETRY_JS = """() => {
  const root = document.querySelector('[data-storymap]'), s = root.storymap;
  const box = (r) => ({l: r.left, t: r.top, r: r.right, b: r.bottom});
  const shown = (n) => getComputedStyle(n).visibility !== 'hidden' && n.offsetWidth > 0;
  const map = box(s.map.getContainer().getBoundingClientRect()), covers = [];
  const panel = root.querySelector('.storymap-panel');
  if (panel && panel.offsetParent) covers.push(['panel', box(panel.getBoundingClientRect())]);
  root.querySelectorAll('.leaflet-control').forEach((c) => {
    const r = c.getBoundingClientRect();
    if (r.width && r.height) covers.push([c.className.split(' ')[0], box(r)]);
  });
  const labels = Array.from(root.querySelectorAll('.storymap-label')).filter(shown)
    .map((n) => Object.assign({text: n.textContent, lines: n.querySelectorAll('.storymap-label-text').length,
      cut: !n.classList.contains('storymap-label--group') &&
        Array.from(n.children).some((t) => t.scrollHeight > t.clientHeight + 1),
      // (A line of a group's label cut short: "Darién overlan…".)
      ellipsis: Array.from(n.children).some((t) => t.scrollWidth > t.clientWidth + 1),
      // (How legible it is: its opacity with its ancestors', its text's colour and size.)
      opacity: (() => { let o = 1; for (let e = n; e; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity); return o; })(),
      ink: getComputedStyle(n.querySelector('.storymap-label-text') || n).color,
      px: parseFloat(getComputedStyle(n.querySelector('.storymap-label-text') || n).fontSize),
      // (How much wider a label is than its longest line, a group's lines included.)
      spare: (() => {
        const r = document.createRange(), lines = [];
        n.querySelectorAll('.storymap-label-text').forEach((t) => { r.selectNodeContents(t); lines.push(...r.getClientRects()); });
        return n.getBoundingClientRect().width - (Math.max(...lines.map((l) => l.right)) - Math.min(...lines.map((l) => l.left)));
      })()}, box(n.getBoundingClientRect())));
  const base = Array.from(root.querySelectorAll('.storymap-country-label')).filter(shown)
    .map((n) => Object.assign({text: n.textContent, shift: parseFloat(n.firstElementChild.style.marginTop) || 0},
      box((n.firstElementChild || n).getBoundingClientRect())))
    .filter((b) => b.r > map.l && b.l < map.r && b.b > map.t && b.t < map.b);
  // Every place's point on view (the step's and the dimmed others'), as drawn, and its place's id.
  const points = Object.entries(s._places).map(([id, e]) => [id, e.layer.getLayers()[0]])
    .filter(([, l]) => l && l.getLatLng && l.getElement && l.getElement())
    .map(([id, l]) => Object.assign({id}, box(l.getElement().getBoundingClientRect())))
    .filter((b) => b.r > map.l && b.l < map.r && b.b > map.t && b.t < map.b);
  const legend = root.querySelector('.storymap-legend'), view = s.map.getBounds();
  const nav = Array.from(root.querySelectorAll('.storymap-prev, .storymap-next, .storymap-counter'))
    .map((n) => { const r = document.createRange(); r.selectNodeContents(n);
      return [n.textContent.trim(), r.getBoundingClientRect().height / parseFloat(getComputedStyle(n).lineHeight), n.scrollWidth - n.clientWidth]; });
  const next = root.querySelector('.storymap-next');
  return {index: s.index, map, free: s._free(), covers, labels, base, points, api: s.labels(), nav,
          next: box(next.getBoundingClientRect()), screen: [innerWidth, innerHeight],
          scrolls: document.scrollingElement.scrollHeight > innerHeight,
          scale: Array.from(root.querySelectorAll('.leaflet-control-scale-line'))
            .map((n) => [n.textContent, n.scrollWidth - n.clientWidth, n.getBoundingClientRect().right]),
          view: [view.getWest(), view.getSouth(), view.getEast(), view.getNorth()],
          legend: Array.from(root.querySelectorAll('.storymap-legend-item')).filter((r) => getComputedStyle(r).display !== 'none')
            .map((r) => r.getAttribute('data-kind') || r.getAttribute('data-layer')),
          legendOpen: legend ? legend.open !== false && legend.hasAttribute('open') : null,
          legendBox: legend ? box(legend.getBoundingClientRect()) : null,
          kinds: [...new Set(s._config.steps[s.index].places.map((id) => s._config.places.find((p) => p.id === id).kind))]
            .filter((k) => s._config.legend.some((item) => item.kind === k))};
}"""


def hit(a: dict, b: dict, slack: float = 0.5) -> bool:
    """Whether boxes a and b overlap by more than ``slack`` px each way."""
    return a["l"] < b["r"] - slack and a["r"] > b["l"] + slack and a["t"] < b["b"] - slack and a["b"] > b["t"] + slack


def label_problems(steps: list[dict]) -> dict[str, list]:
    """What is wrong with the story's labels at each step (GEOMETRY_JS's boxes), by rule; ``{}``
    when nothing is. A step shows labels; each lies wholly in the map, off the panel and the
    controls, off the basemap's names (which give way) and off the other labels; every place is
    named (hiding a label is the placer's last resort); no name is cut short to "…"."""
    found: dict[str, list] = {}

    def add(rule: str, items: list) -> None:
        if items:
            found.setdefault(rule, []).extend(items)

    for g in steps:
        i, labels, m = g["index"], g["labels"], g["map"]
        add("no label", [i] if not labels else [])
        add("off the map", [(i, x["text"]) for x in labels
                            if x["l"] < m["l"] or x["r"] > m["r"] or x["t"] < m["t"] or x["b"] > m["b"]])
        add("covered", [(i, x["text"], name) for x in labels for name, c in g["covers"] if hit(x, c)])
        add("on a country's name", [(i, x["text"], b["text"]) for x in labels for b in g["base"] if hit(x, b)])
        add("overlap", [(i, a["text"], b["text"]) for k, a in enumerate(labels) for b in labels[k + 1:] if hit(a, b)])
        # (A name on a phone too: a world overview zooms out until the world fills the phone's map.)
        add("hidden", [(i, a["text"]) for a in g["api"] if not a["shown"]])
        # A whole name that three lines cannot hold gives way to its short form ("SOCSOUTH
        # headquarters, Homestead Air Reserve Base" → "SOCSOUTH headquarters"), not to "…"; a
        # name with no short form takes up to five ("Caribbean maritime trafficking corridor").
        add("cut", [(i, x["text"]) for x in labels if x["cut"]])
    return found


def country_name_problems(steps: list[dict]) -> dict[str, list]:
    """What is wrong with the basemap's country names at each step, by rule; ``{}`` when nothing
    is. A name gives way to every place's point (a dimmed one of another step too: the ports
    story's Europe on a phone read "FR" and "UNITED KINGDO" under them), lies off the panel and
    the controls, and off every other name (moved ones included)."""
    found: dict[str, list] = {}
    for g in steps:
        i, names = g["index"], g["base"]
        for rule, items in (
                ("under a point", [(i, b["text"]) for b in names for p in g["points"] if hit(b, p)]),
                ("covered", [(i, b["text"], name) for b in names for name, c in g["covers"] if hit(b, c)]),
                ("crowded", [(i, a["text"], b["text"]) for k, a in enumerate(names) for b in names[k + 1:] if hit(a, b)])):
            if items:
                found.setdefault(rule, []).extend(items)
    return found


# The element that has the focus: its tag, class, accessible name (as far as the page can tell) and
# whether it is the story's Next button.
FOCUS_JS = """() => { const e = document.activeElement;
  // (A generic element, a group or a region is not named by its content: a scrolling box the
  // browser puts in the Tab order needs a label of its own.)
  const generic = /^(DIV|SPAN|P|SECTION|UL|OL|LI|NAV|ASIDE|MAIN|ARTICLE|HEADER|FOOTER)$/.test(e.tagName) &&
    !/^(button|link|tab|menuitem|option|checkbox|radio|switch|heading)$/.test(e.getAttribute('role') || '');
  const label = (e.getAttribute('aria-label') || '').trim() ||
    (e.getAttribute('aria-labelledby') || '').split(' ').map((id) => (document.getElementById(id) || {}).textContent || '').join(' ').trim() ||
    (generic ? '' : (e.textContent || '').trim().slice(0, 80)) || (e.getAttribute('title') || '').trim();
  return {tag: e.tagName, cls: typeof e.className === 'string' ? e.className : '', label,
          next: e.classList.contains('storymap-next')}; }"""


#: The story's labels that something outside the map covers (the panel's text, a step's card in the
#: scroll layout), or that lie off the screen: [text, what covers it] each. Each label's corners and
#: centre are tested with elementsFromPoint (a label takes no pointer events: the topmost element
#: there must be the map or something in it; what covers it inside the map, the controls, is
#: GEOMETRY_JS's covers).
UNSEEN_JS = """() => {
  const root = document.querySelector('[data-storymap]'), map = root.storymap.map.getContainer(), unseen = [];
  root.querySelectorAll('.storymap-label').forEach((n) => {
    if (getComputedStyle(n).visibility === 'hidden' || !n.offsetWidth) return;
    const r = n.getBoundingClientRect();
    for (const [x, y] of [[r.left + 2, r.top + 2], [r.right - 2, r.top + 2], [r.left + 2, r.bottom - 2],
                          [r.right - 2, r.bottom - 2], [(r.left + r.right) / 2, (r.top + r.bottom) / 2]]) {
      const top = x >= 0 && y >= 0 && x <= innerWidth && y <= innerHeight ? document.elementsFromPoint(x, y)[0] : null;
      if (!top || !map.contains(top)) { unseen.push([n.textContent, top ? top.className : 'off the screen']); break; }
    }
  });
  return unseen;
}"""
