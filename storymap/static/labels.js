// labels.js: L.storymap.Labels, the names of a step's places on the map. Each label lies wholly
// inside the part of the map that the text panel and the map's controls leave free, clear of the
// other labels, leader lines and point symbols: beside its place if there is room, else further
// off with a leader line (passing no other place's symbol), else in one label with its nearest
// neighbours; off the points of the places the step does not show (drawn dimmed) where it can.
// Long names wrap, then shorten (to the name before a bracket, comma, colon or dash, then to what
// fits). Labels of the basemap (country names) give way to them.
(function (L) {
  'use strict';
  var ns = L.storymap;
  if (!ns || ns.Labels) {
    return;
  }
  var create = ns.util.create, has = ns.util.has, max = Math.max, min = Math.min, abs = Math.abs;

  // Rectangles are {l, t, r, b}, in pixels of the map's container.
  function rect(l, t, w, h) {
    return {l: l, t: t, r: l + w, b: t + h};
  }

  // A point's symbol: the square of its radius around it.
  function dot(at, radius) {
    return rect(at.x - radius, at.y - radius, 2 * radius, 2 * radius);
  }

  // The top-left corners of a w-by-h label beside box o, round anchor a: right and left of it at
  // the anchor's height, above and below it across from it, then at its corners (k of the way).
  function around(o, a, w, h, k) {
    var r = o.r - a.x, l = a.x - o.l, t = a.y - o.t, u = o.b - a.y;
    return [[o.r, a.y - h / 2], [o.l - w, a.y - h / 2], [a.x - w / 2, o.t - h], [a.x - w / 2, o.b],
      [a.x + r * k, a.y - t * k - h], [a.x + r * k, a.y + u * k], [a.x - l * k - w, a.y - t * k - h],
      [a.x - l * k - w, a.y + u * k]];
  }

  // More of them for a label that may run along box o (a group's, often taller or wider than its
  // members' box): on each side, flush with either end of it.
  function along(o, w, h) {
    return [[o.r, o.t], [o.r, o.b - h], [o.l - w, o.t], [o.l - w, o.b - h], [o.l, o.t - h], [o.r - w, o.t - h],
      [o.l, o.b], [o.r - w, o.b]];
  }

  // The four spots right, left, above and below, slid along their side into the free map `m`
  // (as far as the label still faces anchor a): a long name above a point near the panel's edge,
  // whose centred spot crossed it by 4 px, had no label.
  function slid(o, a, w, h, m) {
    var x = min(max(a.x - w / 2, m.l), m.r - w), y = min(max(a.y - h / 2, m.t), m.b - h);
    return [[o.r, y], [o.l - w, y], [x, o.t - h], [x, o.b]].filter(function (p, i) {
      return i < 2 ? p[1] <= a.y && a.y <= p[1] + h : p[0] <= a.x && a.x <= p[0] + w;
    });
  }

  function hits(a, b) {
    return a.l < b.r && a.r > b.l && a.t < b.b && a.b > b.t;
  }

  function grow(a, d) {
    return {l: a.l - d, t: a.t - d, r: a.r + d, b: a.b + d};
  }

  // Whether the segment p→q passes through the rectangle (Liang–Barsky).
  function crosses(p, q, a) {
    var t0 = 0, t1 = 1, dx = q.x - p.x, dy = q.y - p.y;
    var sides = [[-dx, p.x - a.l], [dx, a.r - p.x], [-dy, p.y - a.t], [dy, a.b - p.y]];
    for (var i = 0; i < 4; i++) {
      var s = sides[i][0], d = sides[i][1];
      if (s === 0) {
        if (d < 0) {
          return false;
        }
        continue;
      }
      var t = d / s;
      if (s < 0) {
        if (t > t1) {
          return false;
        }
        t0 = max(t0, t);
      } else {
        if (t < t0) {
          return false;
        }
        t1 = min(t1, t);
      }
    }
    return true;
  }

  // A name's short form, for a label with no room for the whole: without what is in brackets
  // or after a comma, colon or dash ("Port of Shanghai (Yangshan)" → "Port of Shanghai"), the
  // full-width ones of Chinese and Japanese too ("東京スカイツリー（押上）", "羽田空港、…"), and
  // Arabic's comma ("ميناء شنغهاي، …").
  function short(name) {
    return name.replace(/\s*[(（][^)）]*[)）]/g, '').split(/[,:،]\s|[，：、]|\s[–—-]\s/)[0].trim() || name;
  }

  // A label form's size as it is laid out and drawn: where its text wraps, as narrow as its
  // longest line (`spare`: how much narrower, whole px, than the box the text wraps in, which
  // keeps its greatest width however short its lines; laid out at that width, a wrapped label
  // took room beside its place that it left empty). `texts`: its lines' elements (a name's one,
  // a group's one a name).
  function sized(f, texts) {
    f.spare = wrapSpare(texts);
    f.size = {w: f.node.offsetWidth - f.spare, h: f.node.offsetHeight};
  }

  function wrapSpare(texts) {
    var range = document.createRange(), box = texts[0].getBoundingClientRect(), l = box.right, r = box.left, n = 0;
    texts.forEach(function (text) {
      range.selectNodeContents(text);
      var lines = range.getClientRects();
      n += lines.length;
      for (var i = 0; i < lines.length; i++) {
        l = min(l, lines[i].left);
        r = max(r, lines[i].right);
      }
    });
    return n > texts.length ? max(0, Math.floor(box.width - (r - l) - 1)) : 0;
  }

  // A long group's last-resort label names this many of its places, then how many more.
  var GROUP_HEAD = 2;

  // How many places a layout leaves without a label.
  function lost(result) {
    return result.missing.reduce(function (n, it) { return n + it.ids.length; }, 0);
  }

  // The names an item's label (form i) leaves out that count against a layout: none where the
  // group's whole list is too tall for the map (`tall`, see the `list` option), as its first
  // names and how many more are then the label meant.
  function left(it, i) {
    return !it.tall && it.forms[i].hidden || 0;
  }

  // The labels of a try (_tries) that leave names out: long groups cut short ("+9 more").
  function shortened(result) {
    return result.placed.filter(function (it, i) {
      return left(it, result.boxes[i][2]);
    });
  }

  // How far a try is from naming every place: places without a label weigh most, then names left
  // out of a long group's label. Of two that leave as many places without a label, the one that
  // leaves the step's first place without one is worse by half a name: the other goes on, its
  // places grouped next (on a small phone, a world map's busiest port went unnamed, its label's
  // room taken by a port's across the ocean, while grouping other ports named it).
  function worse(result) {
    return lost(result) * 1000 + result.placed.reduce(function (n, it, i) {
      return n + left(it, result.boxes[i][2]);
    }, 0) + result.missing.some(function (it) { return !it.rank; }) / 2;
  }

  // Directions (degrees, clockwise from east) tried for labels off their place: sideways first.
  var DIRECTIONS = [0, 180, 330, 30, 210, 150, 270, 90, 300, 60, 240, 120, 345, 15, 195, 165];

  // @class Labels
  // The labels of the places a step shows (a layer of its own, above the places).
  ns.Labels = L.Layer.extend({
    options: {
      // @option pane: String = 'storymapLabels'
      pane: 'storymapLabels',
      // @option gap: Number = 4
      // Pixels between a point's symbol and its label.
      gap: 4,
      // @option margin: Number = 3
      // Pixels kept between a label and the edges of the free map, other labels and controls.
      margin: 3,
      // @option leaders: Array = [18, 34, 56, 84, 120, 170]
      // Distances (px) tried for a label put off its place, with a leader line.
      leaders: [18, 34, 56, 84, 120, 170],
      // @option groups: Array = [24, 48, 96]
      // Where some places find no room: places closer than this (px) share one label, tried in turn.
      groups: [24, 48, 96],
      // @option more: String = '+{n} more'
      // The last line of a long group's label where its whole list finds no room (or would take
      // too much of it, see `list`): its first names and this ({n}: how many more).
      more: '+{n} more',
      // @option list: Number = 0.33
      // The largest share of the free map's height a group's label listing every name may take
      // where its shorter form (its first names and how many more) finds room: on a phone, a list
      // of fourteen names would cover half the map, away from its places.
      list: 0.33
    },

    initialize: function (options) {
      L.setOptions(this, options);
      this._places = {};
      this._ids = [];
      this._done = [];
      this._groups = {};
    },

    onAdd: function (map) {
      var name = this.options.pane;
      if (!map.getPane(name)) {
        // Above the places' symbols (600), below tooltips (650) and popups (700).
        var pane = map.createPane(name);
        pane.style.zIndex = 640;
        pane.style.pointerEvents = 'none';
      }
      // The map's description and the panel's list name the places: labels are for the eye.
      this._container = create('div', 'storymap-labels leaflet-zoom-hide', null, map.getPane(name));
      this._container.setAttribute('aria-hidden', 'true');
      this.show(this._ids);
    },

    onRemove: function () {
      L.DomUtil.remove(this._container);
      this._container = null;
      this._done = [];
    },

    // @method setPlaces(places: Array): this
    // The places that may be labelled: [{id, name, latLngs, radius}], `latLngs` where the label may
    // go (the best first: a point, points along a line, an area's inside), `radius` the pixels a
    // point's symbol reaches from its centre (0 for lines and areas), `bounds` a line's or an
    // area's LatLngBounds (optional: its label goes on it only where the shape shows round it).
    setPlaces: function (places) {
      this._places = {};
      places.forEach(function (p) {
        this._places[p.id] = {id: p.id, name: p.name, latLngs: (p.latLngs || []).map(L.latLng),
          radius: p.radius || 0, bounds: p.bounds ? L.latLngBounds(p.bounds) : null};
      }, this);
      return this;
    },

    // @method show(ids: Array): this
    // Labels these places (a step's, the most important first) from now on; call place() once the
    // map shows them.
    show: function (ids) {
      this._ids = (ids || []).filter(function (id) {
        return this._places[id] && this._places[id].latLngs.length;
      }, this);
      this._dropGroups();
      if (this._container) {
        this._clear();
        this.measure();
      }
      return this;
    },

    _dropGroups: function () {
      for (var key in this._groups) {
        if (has(this._groups, key)) {
          this._groups[key].forEach(function (f) { L.DomUtil.remove(f.node); });
        }
      }
      this._groups = {};
    },

    // @method measure(): this
    // Measures the labels again (after the page's size or fonts changed).
    measure: function () {
      this._dropGroups();
      var nodes = this._ids.map(function (id) {
        var p = this._places[id], s = short(p.name);
        p.forms = p.forms || (s === p.name ? [s] : [p.name, s]).map(function (t, i, all) {
          var node = this._node([t]);
          if (i === all.length - 1) {  // (no shorter form to come: more lines before "…")
            L.DomUtil.addClass(node, 'storymap-label--last');
          }
          return {text: t, node: node};
        }, this);
        p.forms.forEach(function (f) {
          L.extend(f.node.style, {visibility: 'hidden', width: ''});  // (see _draw)
          this._container.appendChild(f.node);
        }, this);
        return p;
      }, this);
      nodes.forEach(function (p) {
        p.forms.forEach(function (f, i) {
          // A whole name that its lines cannot hold ends in "…": the short form says more.
          var text = f.node.firstChild;
          f.cut = i === 0 && p.forms.length > 1 && text.scrollHeight > text.clientHeight + 1;
          sized(f, [text]);
        });
        p.size = p.forms[p.forms[0].cut ? 1 : 0].size;
      });
      return this;
    },

    // @method reach(bounds: LatLngBounds, zoom: Number): Object
    // How far (px) the labels, beside their places, reach beyond `bounds` at `zoom`: {l, t, r, b}
    // (a label goes right of its place, or left where that reaches less far), and how large the
    // bounds are there, {w, h}.
    reach: function (bounds, zoom) {
      var map = this._map, nw = map.project(bounds.getNorthWest(), zoom), se = map.project(bounds.getSouthEast(), zoom);
      var out = {l: 0, t: 0, r: 0, b: 0, w: se.x - nw.x, h: se.y - nw.y};
      var g = this.options.gap + this.options.margin;
      this._ids.forEach(function (id) {
        var p = this._places[id], s = p.size || {w: 0, h: 0}, at = map.project(p.latLngs[0], zoom), d = p.radius + g;
        var right = at.x + d + s.w - se.x, left = nw.x - (at.x - d - s.w);
        if (right <= 0 || right <= left) {
          out.r = max(out.r, right);
        } else {
          out.l = max(out.l, left);
        }
        out.t = max(out.t, nw.y - (at.y - s.h / 2));
        out.b = max(out.b, at.y + s.h / 2 - se.y);
      }, this);
      return out;
    },

    // @method place(free: Object, obstacles: Array, yielding?: Array): Array
    // Places the labels in the current view: inside `free` ({l, t, r, b}, the part of the map the
    // panel leaves), clear of `obstacles` (rectangles: the map's controls). Then moves one line up
    // or down, or else hides, each of `yielding` (elements: the basemap's labels, most prominent
    // first) that would cover a label, a leader line, a point (any place's), an obstacle or another
    // of them, or leave `free`. Returns labels().
    place: function (free, obstacles, yielding) {
      if (!this._map || !this._container) {
        return [];
      }
      this._clear();
      var map = this._map;
      var result = this._layout(function (ll) { return map.latLngToContainerPoint(ll); }, free, obstacles);
      result.placed.forEach(this._draw, this);
      this._done = result.placed.map(function (it) {
        var form = it.forms[it.form];
        return {ids: it.ids, names: it.names, text: form.text, box: it.box, leader: !!it.leader, shown: true,
          unnamed: form.hidden ? it.names.slice(it.names.length - form.hidden) : []};
      }).concat(result.missing.concat(result.out).map(function (it) {
        return {ids: it.ids, names: it.names, text: it.names.join('\n'), box: null, leader: false, shown: false,
          unnamed: []};
      }));
      this._giveWay(yielding || [], result.room, result.blocked.concat(this._dim), result.placed);
      return this.labels();
    },

    // @method score(project: Function, free: Object, obstacles: Array): Object
    // How the labels would fit in a view where `project` takes a LatLng to a container Point:
    // {missing, merged, leaders}, the places that would have no label (or be off the free map),
    // those that would share one, and the labels put off their place.
    score: function (project, free, obstacles) {
      var result = this._layout(project, free, obstacles), out = {missing: 0, merged: 0, leaders: 0, unnamed: 0};
      result.placed.forEach(function (it) {
        out.merged += it.ids.length - 1;
        out.leaders += it.leader ? 1 : 0;
        out.unnamed += left(it, it.form);
      });
      result.missing.concat(result.out).forEach(function (it) {
        out.missing += it.ids.length;
      });
      return out;
    },

    // Where each label goes, not yet drawn: first each place on its own; where some find no room,
    // they share a label with their neighbours within a growing distance.
    _layout: function (project, free, obstacles) {
      var o = this.options, room = grow(free, -o.margin), items = [], out = [], marks = [];
      var within = function (at) {
        return at.x >= free.l && at.x <= free.r && at.y >= free.t && at.y <= free.b;
      };
      this._ids.forEach(function (id, rank) {
        var p = this._places[id], ats = p.latLngs.map(project);
        var item = {ids: [id], names: [p.name], ats: ats.filter(within), radius: p.radius, forms: p.forms, rank: rank};
        if (p.bounds && p.bounds.isValid()) {  // (its box on the map, px)
          var nw = project(p.bounds.getNorthWest()), se = project(p.bounds.getSouthEast());
          item.span = rect(min(nw.x, se.x), min(nw.y, se.y), abs(se.x - nw.x), abs(se.y - nw.y));
        }
        item.members = [item];
        if (p.radius) {
          ats.forEach(function (at) {
            marks.push(dot(at, p.radius));
          });
        }
        // A place outside the free map is not labelled (it does not show there either).
        (item.ats.length ? items : out).push(item);
      }, this);
      var walls = (obstacles || []).map(function (r) { return grow(r, o.margin); });
      // The points of the places the step does not show, drawn dimmed: a label keeps off them
      // where it can, and a basemap label gives way to them.
      var dim = this._dim = [];
      for (var id in this._places) {
        var p = this._places[id];
        if (has(this._places, id) && p.radius && this._ids.indexOf(id) < 0) {
          p.latLngs.forEach(function (ll) {
            dim.push(dot(project(ll), p.radius));
          });
        }
      }
      // Points whose symbols overlap share a label from the start: leader lines from one spot
      // would not tell them apart.
      var set = this._group(items, items.filter(function (it) { return it.radius; }), 0);
      var result = this._tries(set, room, walls, marks);
      for (var g = 0; worse(result) && g < o.groups.length; g++) {
        // (A long group cut short joins its neighbours too: together they may find room.)
        set = this._group(set, result.missing.concat(shortened(result)), o.groups[g]);
        var next = this._tries(set, room, walls, marks);
        if (worse(next) < worse(result)) {
          result = next;
        }
      }
      this._restore(result);
      result.out = out;
      result.room = room;
      result.blocked = walls.concat(marks);
      return result;
    },

    // @method labels(): Array
    // The labels as placed: [{ids, names, text, shown, unnamed, leader, left, top, right, bottom}]:
    // the places' names, the text shown (a name or its short form, a line each), the names a long
    // list cut short leaves out ("+2 more"), the box in page pixels (null where a label is not shown).
    labels: function () {
      var c = this._map ? this._map.getContainer().getBoundingClientRect() : {left: 0, top: 0};
      return this._done.map(function (d) {
        var b = d.box;
        return {ids: d.ids.slice(), names: d.names.slice(), text: d.text, shown: d.shown, unnamed: d.unnamed.slice(),
          leader: d.leader,
          left: b ? c.left + b.l : null, top: b ? c.top + b.t : null, right: b ? c.left + b.r : null,
          bottom: b ? c.top + b.b : null};
      });
    },

    // The items with each of those that found no room (`missing`) joined to its nearest neighbour
    // within `distance` px; with no distance, points whose symbols overlap all joined together.
    _group: function (items, missing, distance) {
      var parent = items.map(function (it, i) { return i; }), touching = !distance;
      var find = function (i) {
        while (parent[i] !== i) {
          i = parent[i] = parent[parent[i]];
        }
        return i;
      };
      items.forEach(function (a, i) {
        if (missing.indexOf(a) < 0) {
          return;
        }
        var nearest = -1, least = Infinity;
        items.forEach(function (b, j) {
          var d = j === i ? Infinity : this._apart(a.members, b.members, touching);
          if (touching && d <= 0) {
            parent[find(j)] = find(i);
          } else if (!touching && d <= distance && d < least) {
            least = d;
            nearest = j;
          }
        }, this);
        if (nearest >= 0) {
          parent[find(nearest)] = find(i);
        }
      }, this);
      var clusters = {}, roots = [];
      items.forEach(function (it, i) {
        var r = find(i);
        if (!clusters[r]) {
          clusters[r] = [];
          roots.push(r);
        }
        clusters[r].push(it);
      });
      return roots.map(function (r) {
        var list = clusters[r];
        return list.length === 1 ? list[0] : this._groupItem(list.reduce(function (all, it) {
          return all.concat(it.members);
        }, []));
      }, this);
    },

    // How far apart two sets of places are (px between their anchors; `touching`: between the
    // edges of their point symbols, Infinity where one is not a point).
    _apart: function (a, b, touching) {
      var least = Infinity;
      a.forEach(function (p) {
        b.forEach(function (q) {
          if (!touching || (p.radius && q.radius)) {
            least = min(least, p.ats[0].distanceTo(q.ats[0]) - (touching ? p.radius + q.radius : 0));
          }
        });
      });
      return least;
    },

    // One label for several places: their names (short forms) a line each, around the middle of
    // their anchors.
    _groupItem: function (members) {
      members.sort(function (a, b) { return a.rank - b.rank; });
      var x = 0, y = 0, reach = 0, ids = [], names = [];
      members.forEach(function (m) {
        x += m.ats[0].x / members.length;
        y += m.ats[0].y / members.length;
        ids = ids.concat(m.ids);
        names = names.concat(m.names);
      });
      var at = L.point(x, y), box = dot(at, 0);
      members.forEach(function (m) {
        reach = max(reach, at.distanceTo(m.ats[0]) + m.radius);
        var b = dot(m.ats[0], m.radius);
        box = {l: min(box.l, b.l), t: min(box.t, b.t), r: max(box.r, b.r), b: max(box.b, b.b)};
      });
      var key = ids.join(' '), forms = this._groups[key], text = names.map(short);
      if (!forms) {
        // Two forms: long names wrapped, else cut short; for a long list, a last resort: its
        // first names (wrapped, else cut short) and how many more (the panel's list names them all).
        var lists = [[text, 2], [text, 1]];
        if (text.length > GROUP_HEAD + 1) {
          var head = text.slice(0, GROUP_HEAD).concat(this.options.more.replace('{n}', text.length - GROUP_HEAD));
          lists.push([head, 2, true], [head, 1, true]);
        }
        forms = this._groups[key] = lists.map(function (list) {
          var node = this._node(list[0], list[1], list[2]);
          node.style.visibility = 'hidden';
          this._container.appendChild(node);
          // (`hidden`: the names it leaves out; only a last resort leaves any out.)
          return {node: node, text: list[0].join('\n'), hidden: list[2] ? text.length - GROUP_HEAD : 0};
        }, this);
        forms.forEach(function (f) {
          sized(f, Array.prototype.slice.call(f.node.children));
        });
      }
      // (`span`: the box of the members' anchors and symbols, which the label goes beside.)
      return {ids: ids, names: names, ats: [at], radius: reach, span: box, forms: forms, rank: members[0].rank,
        members: members, group: true};
    },

    // The greedy placement, tried again with the labels that found no room, then those put off
    // their place, going first, a few times: the try where the fewest places lack a label wins,
    // then the one with the fewest leader lines.
    _tries: function (items, room, walls, marks) {
      // The most constrained first: points (one spot each), then lines and areas (which have
      // several, or may carry their label on them); each by the step's order.
      var sorted = items.slice().sort(function (a, b) {
        return (b.radius ? 1 : 0) - (a.radius ? 1 : 0) || a.rank - b.rank;
      });
      var best = null;
      // Each item takes its first spot that fits, as if nothing were dimmed; then, if labels
      // cover dimmed points (`c` of them: each weighs a 64th of a leader line), the tries again
      // where each takes the spot that covers the fewest, those labels going first too. (Clear of
      // the dimmed points only, a label may take the one spot another had.)
      for (var k = 0; k < 2 && (!k || best.dim); k++) {
        this._any = !k;
        for (var t = 0, order = sorted; t < 4; t++) {
          var result = this._greedy(order, room, walls, marks);
          // (Items are shared between tries: each try keeps its own boxes, see _restore.)
          result.boxes = result.placed.map(function (it) { return [it.box, it.leader, it.form]; });
          var off = result.placed.filter(function (it) { return it.leader; }), first = result.missing.concat(off);
          var spared = shortened(result), dim = result.placed.filter(function (it) { return it.c; });
          first = first.concat(spared, k ? dim : []).filter(function (it, i, all) { return all.indexOf(it) === i; });
          result.dim = dim.length;
          result.cost = lost(result) * 1000 + spared.length * 100 + off.length +
            dim.reduce(function (n, it) { return n + it.c; }, 0) / 64;
          if (!best || result.cost < best.cost) {
            best = result;
          }
          if (!first.length) {
            break;
          }
          order = first.concat(order.filter(function (it) { return first.indexOf(it) < 0; }));
        }
      }
      return best;
    },

    _restore: function (result) {
      result.placed.forEach(function (it, i) {
        it.box = result.boxes[i][0];
        it.leader = result.boxes[i][1];
        it.form = result.boxes[i][2];
      });
    },

    // Each item in turn takes the first spot that is free.
    _greedy: function (items, room, walls, marks) {
      var placed = [], lines = [], missing = [];
      items.forEach(function (it) {
        var spot = this._spot(it, room, walls, marks, placed, lines);
        if (spot) {
          it.c = spot.c;
          it.box = spot.box;
          it.leader = spot.leader;
          it.form = spot.form;
          placed.push(it);
          if (spot.leader) {
            lines.push(spot.leader);
          }
        } else {
          missing.push(it);
        }
      }, this);
      return {placed: placed, missing: missing};
    },

    // The first free spot for an item's label: beside one of its anchors (its name, else the short
    // form), else off it with a leader line (the short form first); a group's label taller than
    // the `list` option allows comes last. A label must stay in `room` and clear of
    // `walls` (controls), `marks` (point symbols), placed labels and leader lines; a leader line
    // must not cross walls or labels.
    _spot: function (it, room, walls, marks, placed, lines) {
      var d = it.radius + this.options.gap, m = this.options.margin;
      var clear = function (b, list, line) {
        for (var i = 0; i < list.length; i++) {
          var r = list[i].box || list[i];
          if (hits(line ? b : grow(b, m), r) || (line && crosses(line.from, line.to, r))) {
            return false;
          }
        }
        return true;
      };
      var fits = function (b, line) {
        if (b.l < room.l || b.r > room.r || b.t < room.t || b.b > room.b || !clear(b, walls) || !clear(b, marks)) {
          return false;
        }
        if (!clear(b, placed) || (line && (!clear(b, walls, line) || !clear(b, placed, line)))) {
          return false;
        }
        for (var i = 0; i < lines.length; i++) {
          if (crosses(lines[i].from, lines[i].to, b)) {
            return false;
          }
        }
        return true;
      };
      var regular = [], spare = [], tall = [], tests = {d: d, fits: fits, clear: clear, marks: marks, room: room};
      var most = (room.b - room.t) * this.options.list;
      it.forms.forEach(function (form, i) {
        if (!form.cut) {
          (it.group && form.size.h > most ? tall : form.hidden ? spare : regular).push(i);
        }
      });
      it.tall = !regular.length && tall.some(function (i) { return !it.forms[i].hidden; });
      return this._search(it, regular, tests) || (spare.length ? this._search(it, spare, tests) : null) ||
        (tall.length ? this._search(it, tall, tests) : null);
    },

    // _spot's search among some of an item's forms (`forms`, indices): beside an anchor, each form
    // in turn; else off it with a leader line, the last form first (a group's first). `tests`:
    // _spot's distance from an anchor (d) and its checks (fits, clear) and point symbols (marks).
    _search: function (it, forms, tests) {
      var d = tests.d, fits = tests.fits, clear = tests.clear, marks = tests.marks, dim = this._dim, any = this._any;
      var k = 0.7, far = this.options.leaders, e, f, j, n, a, w, h, x, best;
      // The first spot that fits and covers none of the dimmed points (`c`, how many it covers),
      // else the first that covers the fewest.
      var take = function (spot, line) {
        spot.c = dim.filter(function (r) { return hits(spot.box, r) || (line && crosses(line.from, line.to, r)); }).length;
        best = best && best.c <= spot.c ? best : spot;
        return any || !spot.c;
      };
      for (x = 0; x < forms.length; x++) {
        e = forms[x];
        w = it.forms[e].size.w;
        h = it.forms[e].size.h;
        // A line's or an area's label may sit on it where the shape shows round it; a point's, or
        // a shape the label would hide (a short line seen from afar), goes beside it: beside the
        // point's symbol, or the shape's box (at an anchor's height or across from it, the gap
        // from the box's edges: a label put as far from each anchor in every direction as the
        // box is long sat well off a low, wide line, nearer another place's line). A group's label
        // goes beside its members' box, else flush with either end of a side of it (round their
        // middle as far out as the farthest of them, it sat up to 73 px from the nearest).
        var s = it.span, small = it.group || (s && s.r - s.l <= w + 16 && s.b - s.t <= h + 16);
        for (best = null, j = 0; j < it.ats.length; j++) {
          a = it.ats[j];
          var near = it.radius || small ? [] : [[a.x - w / 2, a.y - h / 2]], o = small ? grow(s, d - it.radius) : dot(a, d);
          near = near.concat(around(o, a, w, h, k), it.group ? along(o, w, h) : [], slid(o, a, w, h, tests.room));
          for (n = 0; n < near.length; n++) {
            var b = rect(near[n][0], near[n][1], w, h);
            if (fits(b) && take({box: b, form: e})) {
              return best;
            }
          }
        }
        if (best) {
          return best;
        }
      }
      for (x = forms.length - 1; x >= 0; x--) {
        // (A name's short form first; a group's names whole, wrapped, before its rows cut short.)
        e = forms[it.group ? forms.length - 1 - x : x];
        w = it.forms[e].size.w;
        h = it.forms[e].size.h;
        for (best = null, f = 0; f < far.length; f++) {
          for (j = 0; j < it.ats.length; j++) {
            a = it.ats[j];
            // A leader line passes no other place's symbol.
            var own = grow(rect(a.x, a.y, 0, 0), it.radius + 1), others = marks.filter(function (r) { return !hits(r, own); });
            for (n = 0; n < DIRECTIONS.length; n++) {
              var angle = DIRECTIONS[n] * Math.PI / 180, ux = Math.cos(angle), uy = Math.sin(angle);
              var half = min(abs(ux) > 1e-6 ? w / 2 / abs(ux) : Infinity,
                abs(uy) > 1e-6 ? h / 2 / abs(uy) : Infinity);
              var reach = d + far[f], cx = a.x + ux * (reach + half), cy = a.y + uy * (reach + half);
              var box = rect(cx - w / 2, cy - h / 2, w, h);
              var leader = {from: L.point(a.x + ux * (it.radius + 1), a.y + uy * (it.radius + 1)),
                to: L.point(a.x + ux * reach, a.y + uy * reach)};
              if (fits(box, leader) && clear(box, others, leader) && take({box: box, leader: leader, form: e}, leader)) {
                return best;
              }
            }
          }
        }
        if (best) {
          return best;
        }
      }
      return null;
    },

    _draw: function (it) {
      var map = this._map, form = it.forms[it.form], node = form.node, b = it.box;
      // (A label whose text wraps: at the width it was laid out at, see sized.)
      L.extend(node.style, {width: form.spare ? b.r - b.l + 'px' : '', boxSizing: 'border-box'});
      L.DomUtil.setPosition(node, map.containerPointToLayerPoint([b.l, b.t]));
      node.style.visibility = '';
      if (it.leader) {
        var from = map.containerPointToLayerPoint(it.leader.from), to = map.containerPointToLayerPoint(it.leader.to);
        var line = create('span', 'storymap-leader', null, this._container);
        line.style.width = from.distanceTo(to).toFixed(1) + 'px';
        line.style.transform = 'translate3d(' + from.x + 'px,' + from.y + 'px,0) rotate(' +
          (Math.atan2(to.y - from.y, to.x - from.x) * 180 / Math.PI).toFixed(1) + 'deg)';
        this._extra.push(line);
      }
    },

    // Basemap labels give way: to story labels, leader lines, points, controls, and to each other.
    // A country too small for the map's scale is not named (more than a zoom level before the
    // one its data-min-zoom gives: Natural Earth's, for web maps, which name more than a story).
    _giveWay: function (nodes, room, blocked, placed) {
      if (!nodes.length) {
        return;
      }
      var zoom = this._map.getZoom();
      nodes = Array.prototype.filter.call(nodes, function (node) {
        var small = +node.getAttribute('data-min-zoom') > zoom + 1;
        if (small) {
          node.style.visibility = 'hidden';
        }
        return !small;
      });
      var c = this._map.getContainer().getBoundingClientRect(), kept = [], m = this.options.margin;
      var taken = blocked.concat(placed.map(function (it) { return it.box; }));
      var lines = placed.filter(function (it) { return it.leader; }).map(function (it) { return it.leader; });
      var texts = Array.prototype.map.call(nodes, function (node) {  // (writes, then reads: one layout)
        var text = node.firstElementChild || node;
        node.style.visibility = '';
        text.style.marginTop = '';
        return text;
      });
      var boxes = texts.map(function (text) {
        var r = text.getBoundingClientRect();
        return r.width ? {l: r.left - c.left, t: r.top - c.top, r: r.right - c.left, b: r.bottom - c.top} : null;
      });
      var clear = function (b) {
        return b.l >= room.l && b.r <= room.r && b.t >= room.t && b.b <= room.b &&
          !taken.some(function (t) { return hits(grow(b, m), t); }) &&
          !kept.some(function (t) { return hits(grow(b, m), t); }) &&
          !lines.some(function (line) { return crosses(line.from, line.to, b); });
      };
      Array.prototype.forEach.call(nodes, function (node, i) {
        // A name goes on its spot, else just above or below it (a point or a story label there).
        var b = boxes[i], h = b ? b.b - b.t : 0, at = null;
        for (var k = 0; b && !at && k < 3; k++) {
          var dy = [0, -h, h][k], moved = {l: b.l, t: b.t + dy, r: b.r, b: b.b + dy};
          at = clear(moved) ? moved : null;
          if (at && dy) {
            texts[i].style.marginTop = dy + 'px';
          }
        }
        if (at) {
          kept.push(at);
        } else {
          node.style.visibility = 'hidden';
        }
      });
    },

    // A label: one name (wrapped, then shortened), or the names of a group one a line (`group` 2:
    // a long one wraps, its further lines indented; 1: it is cut short; `more`: the last line says
    // how many more). Each name runs in its own script's direction (dir=auto, as the CSS's
    // plaintext lays it out): an Arabic name's lines start at the right, its indent there too (a
    // left padding shifted its first line right, past the label's edge, and cut its first letter).
    _node: function (names, group, more) {
      var node = create('span', 'storymap-label' + (group ? ' storymap-label--group' : ''));
      names.forEach(function (name, i) {
        var last = more && i === names.length - 1;
        var line = create('span', 'storymap-label-text' + (last ? ' storymap-label-more' : ''), name, node);
        line.dir = 'auto';
        if (group > 1) {
          L.extend(line.style, {whiteSpace: 'normal', paddingInlineStart: '.6em', textIndent: '-.6em'});
        }
      });
      return node;
    },

    _clear: function () {
      (this._extra || []).forEach(function (node) { L.DomUtil.remove(node); });
      this._extra = [];
      for (var key in this._groups) {
        if (has(this._groups, key)) {
          this._groups[key].forEach(function (f) { f.node.style.visibility = 'hidden'; });
        }
      }
      for (var id in this._places) {
        if (has(this._places, id)) {
          var p = this._places[id];
          if (this._ids.indexOf(id) < 0) {
            this._drop(p);
          } else {
            (p.forms || []).forEach(function (f) { f.node.style.visibility = 'hidden'; });
          }
        }
      }
      this._done = [];
    },

    // Forgets a place's label nodes (its name changed, or its step is left).
    _drop: function (p) {
      (p.forms || []).forEach(function (f) { L.DomUtil.remove(f.node); });
      p.forms = null;
    }
  });

  // @factory L.storymap.labels(options?: Labels options)
  ns.labels = function (options) {
    return new ns.Labels(options);
  };
}(L));
