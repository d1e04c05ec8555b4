// storymap.js: a story told place by place on a Leaflet 1.9 map.
// Adds one namespace, L.storymap, and no other global. Text reaches the page only through
// textContent or through nodes already in the page (rendered and sanitized at build time).
(function (L) {
  'use strict';
  if (!L || L.storymap) {
    return;
  }

  var ns = L.storymap = {version: '0.2.0'};

  function create(tag, className, text, parent) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    if (parent) {
      parent.appendChild(node);
    }
    return node;
  }

  function reducedMotion() {
    return !!(window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches);
  }

  // The one decoder of storymap/encoding.py. Integers come as a list or packed as text: each
  // zigzag-encoded, lowest digit first, a digit a character of "#" … "~" but "&<>\\" (88 of
  // them: the first 62 end a number, the 26 after them are digits in base 26 that go on).
  function unpack(value) {
    if (typeof value !== 'string') {
      return value || [];
    }
    var out = [], number = 0, factor = 1;
    for (var i = 0; i < value.length; i++) {
      var c = value.charCodeAt(i), digit = c - 35 - (c > 38) - (c > 60) - (c > 62) - (c > 92);
      if (digit > 61) {
        number += (digit - 62) * factor;
        factor *= 26;
        continue;
      }
      number += digit * factor;
      out.push(number % 2 ? -(number + 1) / 2 : number / 2);
      number = 0;
      factor = 1;
    }
    return out;
  }

  // Delta-encoded [x0, y0, dx1, dy1, ...] (a list or packed text) → absolute coordinates in
  // degrees, [x0, y0, x1, y1, ...], as a Float64Array.
  function coordinates(value, scale) {
    var deltas = unpack(value), n = deltas.length, out = new Float64Array(n), x = 0, y = 0;
    for (var i = 0; i + 1 < n; i += 2) {
      x += deltas[i];
      y += deltas[i + 1];
      out[i] = x / scale;
      out[i + 1] = y / scale;
    }
    return out;
  }

  // A place's geometry as the page carries it, {type, xy, n} (storymap/context.py: its positions
  // packed, n the positions of each part), as GeoJSON. GeoJSON comes back as it is.
  function geometry(packed, scale) {
    if (!packed || packed.xy === undefined) {
      return packed;
    }
    var xy = coordinates(packed.xy, scale), at = 0;
    function take(count) {
      var out = [];
      for (var i = 0; i < count; i++, at += 2) {
        out.push([xy[at], xy[at + 1]]);
      }
      return out;
    }
    function nest(n) {
      return typeof n === 'number' ? take(n) : n.map(nest);
    }
    return {type: packed.type, coordinates: packed.type === 'Point' ? take(1)[0] :
      packed.n ? packed.n.map(nest) : take(xy.length / 2)};
  }

  // A swatch for the legend: a dot (or a symbol, in pages with symbols.js), a line or a filled
  // square in a layer's style.
  function swatch(shape, style, parent, symbol) {
    var node = create('span', 'storymap-swatch storymap-swatch--' + shape, null, parent);
    node.setAttribute('aria-hidden', 'true');
    var color = style.color || '#3388ff';
    if (shape === 'point' && symbol && symbol !== 'circle' && ns.util.symbol) {
      ns.util.symbol(node, symbol, style);
    } else if (shape === 'point') {
      node.style.background = style.fillColor || color;
      node.style.borderColor = style.color || '#ffffff';
    } else if (shape === 'area') {
      node.style.background = style.fillColor || color;
      node.style.borderColor = color;
      node.style.borderStyle = style.dashArray ? 'dashed' : 'solid';
    } else {
      node.style.borderTopColor = color;
      node.style.borderTopStyle = style.dashArray ? 'dashed' : 'solid';
      node.style.borderTopWidth = Math.max(2, Math.min(6, style.weight || 3)) + 'px';
    }
    return node;
  }

  // Finds the story root a script belongs to: the element just before the script (before its
  // <noscript> article), else the first unclaimed root with that id. (In a fragment, twins.js
  // gives a root whose id is already on the page, the same fragment pasted twice, a fresh id.)
  ns.claim = function (script, id) {
    var root = storymapBoot.findRoot(script, id);
    if (!root) {
      throw new Error('storymap: no element with id ' + id);
    }
    root.setAttribute('data-storymap-claimed', '');
    // The step's text is set up before the map exists (the map's creation lays the page out), so
    // that the first paint shows the text as it will stay (the page's script did it already, as the
    // page was parsed: again here for a root that came later).
    storymapBoot.prepare(root);
    return root;
  };

  // Leaflet's default marker images, inlined as data URIs (no request, no missing image).
  ns.defaultIcons = function (urls) {
    L.Icon.Default.imagePath = '';
    L.Icon.Default.mergeOptions(urls);
  };

  // Map options adjusted to the reader: with prefers-reduced-motion, zooms and pans jump.
  ns.mapOptions = function (options) {
    var still = reducedMotion();
    return L.extend({}, options, still ? {zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false,
      inertia: false} : {});
  };

  // The map's scale (map.scaleControl), its lengths written as the story's language writes them
  // (options.words, from i18n.js): "1,000 km", in French "1 000 km", in Arabic "300 متر".
  var Scale = L.Control.Scale.extend({
    _updateScale: function (line, text, ratio) {
      var w = this.options.words, m = /^(\d+) (\w+)$/.exec(text), i = m && w ? ['m', 'km', 'ft', 'mi'].indexOf(m[2]) : -1;
      if (i >= 0) {
        var n = m[1], form = typeof w[i] === 'string' ? w[i] : w[i][n] || w[i][''];
        text = form.replace('{0}', n.length >= w[5] ? n.replace(/\B(?=(\d{3})+$)/g, w[4]) : n);
      }
      line.style.width = Math.round(this.options.maxWidth * ratio) + 'px';
      line.textContent = text;
    },

    // The scale's width (px) in the view of `center` and `zoom`: its bars set as they would be
    // there, measured, and set back.
    widthAt: function (center, zoom) {
      var map = this._map, p = map.project(center, zoom), box = this.getContainer(), width;
      this._updateScales(map.distance(map.unproject(p, zoom), map.unproject(p.add([this.options.maxWidth, 0]), zoom)));
      width = box.offsetWidth;
      if (map._loaded) {
        this._update();
      }
      return width;
    }
  });
  ns.scale = function (map) {
    // (Bars of 60 to 120 px, not Leaflet's 50 to 100: room for "1,000 km" on the shortest.)
    map.scaleControl = new Scale({position: 'bottomright', maxWidth: 120}).addTo(map);
  };

  // A renderer's surface (the SVG or the canvas its shapes are drawn on) is a picture with no name
  // to a screen reader: the map's region names and describes the map, and the step's list of
  // places names its shapes. (No shape on it is a Tab stop.)
  var addRenderer = L.Renderer.prototype.onAdd;
  L.Renderer.prototype.onAdd = function () {
    addRenderer.apply(this, arguments);
    this._container.setAttribute('aria-hidden', 'true');
  };

  // Whether `key` is an own property of `object` (a map of ids: never one its prototype has).
  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  // Shared helpers for the other component files (internal, not part of the public API).
  ns.util = {create: create, has: has, reducedMotion: reducedMotion, unpack: unpack, coordinates: coordinates,
    geometry: geometry, swatch: swatch,
    framed: storymapBoot.framed,
    afterPaint: storymapBoot.afterPaint,
    nextTask: storymapBoot.nextTask};
}(L));
