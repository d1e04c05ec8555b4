// storymap-layers.js: L.storymap.DataLayer, thousands of features drawn on one canvas, and the
// legend's keys to the colours of such layers (a legend holding them keeps within the map).
// Inlined after storymap.js only in pages with a data layer added from Python (Story.add_layer).
// The data comes in the compact encoding of storymap/layers.py: integer coordinates in
// 1/scale degree, delta-encoded, one flat array per geometry family. Text from the data reaches
// the page only through textContent.
(function (L) {
  'use strict';
  var ns = L.storymap;
  if (!ns || ns.DataLayer) {
    return;
  }

  // A view is drawn over as many tasks as it needs, so that no task keeps the page busy for long:
  // CHUNK vertices of lines and areas (a canvas strokes a few thousand per millisecond) or
  // POINTS points per task.
  var MAX_LAT = 85.0511287798, CELL = 16, TAU = Math.PI * 2, CHUNK = 10000, POINTS = 25000, NONE = -2147483648;

  // A text of a layer (its tooltip's aliases, its popup's title, its key's caption and numbers) as
  // given, or, given in each of the story's languages ({en: ..., es: ...}, the story's own first),
  // in `lang` (else the story's own).
  function inLanguage(value, lang) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      return value;
    }
    return ns.util.has(value, lang) ? value[lang] : value[Object.keys(value)[0]];
  }

  // Delta-encoded integers (storymap.encoding, decoded by ns.util.coordinates) → Web Mercator
  // pixel coordinates at zoom 0 (x, y, ...), in place.
  function decode(deltas, scale) {
    var out = ns.util.coordinates(deltas, scale), n = out.length, rad = Math.PI / 180;
    for (var i = 0; i + 1 < n; i += 2) {
      var lat = Math.max(-MAX_LAT, Math.min(MAX_LAT, out[i + 1])) * rad;
      out[i] = 256 * (out[i] / 360 + 0.5);
      out[i + 1] = 256 * (0.5 - Math.log(Math.tan(Math.PI / 4 + lat / 2)) / TAU);
    }
    return out;
  }

  // Feature index of each part (delta-encoded), or null when part i is feature i.
  function indices(deltas) {
    if (!deltas) {
      return null;
    }
    var out = new Int32Array(deltas.length), v = 0;
    for (var i = 0; i < deltas.length; i++) {
      out[i] = v += deltas[i];
    }
    return out;
  }

  // Start offsets (in vertices) from counts, with the total at the end.
  function starts(counts) {
    var out = new Int32Array(counts.length + 1);
    for (var i = 0; i < counts.length; i++) {
      out[i + 1] = out[i] + counts[i];
    }
    return out;
  }

  // [minX, minY, maxX, maxY] of each run of vertices [from[j], from[j + 1]).
  function boxes(xy, from) {
    var n = from.length - 1, out = new Float64Array(n * 4);
    for (var j = 0; j < n; j++) {
      var a = Infinity, b = Infinity, c = -Infinity, d = -Infinity;
      for (var v = from[j]; v < from[j + 1]; v++) {
        var x = xy[2 * v], y = xy[2 * v + 1];
        a = x < a ? x : a;
        b = y < b ? y : b;
        c = x > c ? x : c;
        d = y > d ? y : d;
      }
      out.set([a, b, c, d], j * 4);
    }
    return out;
  }

  // Indices 0..count-1 sorted (stably) by key(j), a whole number below `size`: a counting sort.
  function sortBy(count, size, key) {
    var keys = new Int32Array(count), start = new Int32Array(size + 1), out = new Int32Array(count), j;
    for (j = 0; j < count; j++) {
      keys[j] = key(j);
      start[keys[j] + 1]++;
    }
    for (j = 0; j < size; j++) {
      start[j + 1] += start[j];
    }
    for (j = 0; j < count; j++) {
      out[start[keys[j]]++] = j;
    }
    return out;
  }

  function dashes(style) {
    return style.dashArray ? String(style.dashArray).split(/[ ,]+/).map(Number).filter(isFinite) : [];
  }

  // One pointer event over several data layers: only the topmost layer with a feature under the
  // pointer answers it (its tooltip, its highlight, its popup), as the topmost of shapes drawn one
  // over another would; the others let go. Each layer's answer waits for the others' (a microtask,
  // once every layer has heard the event). Layers added later sit above (their canvas comes later).
  var stacked = 0;

  function answer(layer, kind, e, hit) {
    var map = layer._map, rounds = map._storymapRounds = map._storymapRounds || {}, round = rounds[kind];
    if (!round || round.e !== e.originalEvent) {
      round = rounds[kind] = {e: e.originalEvent, entries: []};
      Promise.resolve().then(function () {
        if (rounds[kind] === round) {
          rounds[kind] = null;
        }
        var top = null;
        round.entries.forEach(function (en) {
          if (en.hit && en.layer._map && (!top || en.layer._stacked > top.layer._stacked)) {
            top = en;
          }
        });
        round.entries.forEach(function (en) {
          if (en !== top && en.layer._map && kind === 'hover') {
            en.layer._leave();
          }
        });
        if (top) {
          top.layer[kind === 'hover' ? '_show' : '_open'](top.hit);
        }
      });
    }
    round.entries.push({layer: layer, hit: hit});
  }

  function near(x, y, ax, ay, bx, by) {
    var dx = bx - ax, dy = by - ay, len = dx * dx + dy * dy;
    var t = len ? Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len)) : 0;
    dx = ax + t * dx - x;
    dy = ay + t * dy - y;
    return dx * dx + dy * dy;
  }

  // @class DataLayer
  // @inherits Renderer
  // Points, lines and areas from Python (storymap's compact encoding) drawn on one canvas in
  // the `storymapData` pane, under the story's places. Tooltips and popups show the properties
  // named in the options, found by hit-testing (a grid of cells for points).
  //
  // Leaflet's private members used here, and why. A renderer is the one kind of layer Leaflet moves
  // and scales with the map (pans, zoom animations, the padded bounds it draws for), so this
  // extends L.Renderer as L.Canvas and L.SVG do, through the members they override: _initContainer
  // and _destroyContainer (two canvases: one shown, one drawn on, then swapped, so no half-drawn
  // view shows), _update (the draw waits for a task of its own, so a 100,000-feature layer never adds
  // to the task that ended a move) and _updateTransform (skipped until the first draw). The
  // renderer's own state, _bounds, _center and _zoom, is kept for the canvas shown while the spare
  // one is drawn, and _onZoom re-applies the transform when the map moved during a draw; the map's
  // _animatingZoom skips redraws in the middle of a zoom animation. Everything else is public API.
  ns.DataLayer = L.Renderer.extend({
    options: {
      // @option pane: String = 'storymapData'
      // The pane the canvas goes in (created below the overlay pane, without pointer events).
      pane: 'storymapData',
      // @option style: Object = {}
      // Path options: color, weight, opacity, fillColor, fillOpacity, radius, dashArray.
      style: {},
      // @option tooltip: Object = null
      // {fields: [property], labels: Boolean}: shown on hover.
      tooltip: null,
      // @option popup: Object = null
      // {fields: [property], title: String, labels: Boolean, aliases: [String]}: shown on click.
      popup: null,
      // @option palette: Array = null
      // CSS colours; the data's `codes` give each feature's colour (its fill, and its outline
      // when `strokeFollows`).
      palette: null,
      // @option strokeFollows: Boolean = false
      // Outlines take each feature's colour rather than `style.color`.
      strokeFollows: false,
      // @option highlight: Object = null
      // Path options for the feature under the pointer (null: no highlight).
      highlight: null,
      // @option padding: Number = 0.1
      // How far beyond the view features are drawn, relative to its size.
      padding: 0.1,
      // @option timeMode: String = 'cumulative'
      // With times (the data's `time`), what setTime shows: the features dated up to the end of
      // the time given ('cumulative') or only those inside it ('window').
      timeMode: 'cumulative'
    },

    initialize: function (data, options) {
      L.Renderer.prototype.initialize.call(this, options);
      this._data = data;
      this._lit = -1;  // the highlighted feature
      this._count = data.n;
      // Each feature's day (days since 1970-01-01; NONE: no time), from {t0, d: [day - t0 or -1]}.
      var time = data.time;
      if (time) {
        var days = this._days = new Int32Array(time.d.length);
        for (var f = 0; f < days.length; f++) {
          days[f] = time.d[f] < 0 ? NONE : time.t0 + time.d[f];
        }
        data.time = null;
      }
    },

    // @method featureCount(): Number
    // How many features the layer shows at its current time (all of them without one): the same
    // whether or not the layer is on the map at the current step.
    featureCount: function () {
      return this._count;
    },

    // @method setTime(days: Array|null): this
    // Shows the features of a time, [first, last] days since 1970-01-01 (both included): those
    // dated up to `last`, or with the `window` time mode those from `first` to `last`. Features
    // without a time show only when the time is null (then every feature shows). The story
    // calls it on each step change with the step's date or period.
    setTime: function (days) {
      var times = this._days, n = this._data.n, count = n, from, to;
      this._shown = null;
      if (times && days) {
        var shown = this._shown = new Uint8Array(n);
        from = this.options.timeMode === 'window' ? days[0] : NONE + 1;
        to = days[1];
        count = 0;
        for (var f = 0; f < n; f++) {
          if (times[f] >= from && times[f] <= to) {
            shown[f] = 1;
            count++;
          }
        }
      }
      this._grid = null;
      this._leave();
      if (this._map) {
        this._update();
      }
      if (count !== this._count) {
        this._count = count;
        // @event featurecount: Event
        // Fired when the number of features the layer shows changes (after setTime); `count`
        // is the new number, as featureCount() returns it.
        this.fire('featurecount', {count: count});
      }
      return this;
    },

    // @method getBounds(): LatLngBounds
    getBounds: function () {
      return L.latLngBounds(this._data.bounds);
    },

    // @method redraw(): this
    // Draws the layer now, in one go (it otherwise draws in tasks of its own after each move).
    redraw: function () {
      if (this._map) {
        this._draw(true);
      }
      return this;
    },

    onAdd: function (map) {
      this._stacked = ++stacked;
      if (!map.getPane(this.options.pane)) {
        var pane = map.createPane(this.options.pane);
        pane.style.zIndex = 350;
        pane.style.pointerEvents = 'none';
      }
      this._decode();
      L.Renderer.prototype.onAdd.call(this, map);
    },

    onRemove: function (map) {
      clearTimeout(this._timer);
      clearTimeout(this._next);
      this._timer = this._next = null;
      this._leave();
      L.Renderer.prototype.onRemove.call(this, map);
    },

    getEvents: function () {
      var events = L.Renderer.prototype.getEvents.call(this);
      // (A layer that answers the pointer at all takes part in every round: over one of its
      // features, a layer below it shows neither its tooltip nor its popup.)
      if (this.options.tooltip || this.options.highlight || this.options.popup) {
        events.mousemove = this._hover;
        events.mouseout = this._leave;
        events.click = this._click;
      }
      return events;
    },

    // Two canvases: one shows, the other is drawn on and then swapped in (no half-drawn view).
    _initContainer: function () {
      this._container = L.DomUtil.create('canvas', 'storymap-data');
      this._spare = L.DomUtil.create('canvas', 'storymap-data leaflet-zoom-animated');
    },

    _destroyContainer: function () {
      L.DomUtil.remove(this._container);
      delete this._container;
      delete this._spare;
      delete this._job;
    },

    _decode: function () {
      var d = this._data, s = d.scale;
      if (this._points || this._lines || this._areas) {
        return;
      }
      if (d.points) {
        this._points = {xy: decode(d.points.xy, s), fid: indices(d.points.fid)};
      }
      if (d.lines) {
        var lines = this._lines = {xy: decode(d.lines.xy, s), from: starts(d.lines.parts), fid: indices(d.lines.fid)};
        lines.box = boxes(lines.xy, lines.from);
      }
      if (d.areas) {
        var areas = this._areas = {xy: decode(d.areas.xy, s), from: starts(d.areas.rings),
          rings: starts(d.areas.polys), fid: indices(d.areas.fid)};
        var first = new Int32Array(areas.rings.length);
        for (var p = 0; p < first.length; p++) {
          first[p] = areas.from[areas.rings[p]];
        }
        areas.box = boxes(areas.xy, first);
      }
      // Colours (palette indices) and radii (half pixels) per feature. Lines and areas are drawn
      // colour by colour (one path each), points from the largest to the smallest.
      var size = (this.options.palette || []).length;
      var codes = this._codes = d.codes ? (size > 65535 ? Uint32Array : Uint16Array).from(d.codes) : null;
      var radii = this._radii = d.radii ? Uint8Array.from(d.radii) : null;
      [this._lines, this._areas].forEach(function (g) {
        if (g && codes) {
          var fid = g.fid, count = g.box.length / 4;
          g.order = sortBy(count, size, function (j) { return codes[fid ? fid[j] : j]; });
        }
      });
      var points = this._points;
      this._maxRadius = this.options.style.radius || 3;
      if (points && radii) {
        var pfid = points.fid, most = 0;
        for (var f = 0; f < radii.length; f++) {
          most = Math.max(most, radii[f]);
        }
        this._maxRadius = most / 2;
        var count = points.xy.length / 2, sorted = true;
        for (var j = 1; j < count && sorted; j++) {
          sorted = radii[pfid ? pfid[j] : j] <= radii[pfid ? pfid[j - 1] : j - 1];
        }
        if (!sorted) {  // (storymap stores points largest first; other orders are sorted here)
          points.order = sortBy(count, 256, function (k) { return 255 - radii[pfid ? pfid[k] : k]; });
        }
      }
      // The decoded typed arrays are all that is needed from now on: free the plain arrays.
      d.points = d.lines = d.areas = d.codes = d.radii = null;
    },

    // Leaflet asks for a redraw after every move; drawing waits for a task of its own, so it
    // neither adds to the task that ended the move nor runs twice for two quick moves.
    _update: function () {
      if (!this._timer && !(this._map._animatingZoom && this._bounds)) {
        this._timer = setTimeout(L.bind(this._draw, this), 0);
      }
    },

    _updateTransform: function (center, zoom) {
      if (this._center) {
        L.Renderer.prototype._updateTransform.call(this, center, zoom);
      }
    },

    // Starts drawing the current view on the spare canvas; the shown one stays, with the
    // renderer's bounds, center and zoom, until the new one is swapped in.
    _draw: function (sync) {
      clearTimeout(this._timer);
      clearTimeout(this._next);
      this._timer = this._next = null;
      if (!this._map || (this._map._animatingZoom && this._bounds)) {
        return;
      }
      var shown = [this._bounds, this._center, this._zoom];
      L.Renderer.prototype._update.call(this);
      var map = this._map, b = this._bounds, size = b.getSize(), origin = map.getPixelOrigin();
      var job = this._job = {bounds: b, center: this._center, zoom: this._zoom, canvas: this._spare, area: 0,
        line: 0, point: 0, ratio: Math.min(2, Math.max(1, window.devicePixelRatio || 1))};
      if (shown[0]) {
        this._bounds = shown[0];
        this._center = shown[1];
        this._zoom = shown[2];
      }
      job.view = {k: map.getZoomScale(job.zoom, 0), x: origin.x + b.min.x, y: origin.y + b.min.y, w: size.x,
        h: size.y, zoom: job.zoom};
      var c = job.canvas, ctx = job.ctx = c.getContext('2d');
      var width = Math.round(job.ratio * size.x), height = Math.round(job.ratio * size.y);
      if (c.width !== width || c.height !== height) {  // (a new size reallocates the canvas)
        c.width = width;
        c.height = height;
        c.style.width = size.x + 'px';
        c.style.height = size.y + 'px';
      } else {
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.clearRect(0, 0, width, height);
      }
      ctx.setTransform(job.ratio, 0, 0, job.ratio, 0, 0);
      // Bevel joins and butt caps stroke far faster than round ones and look alike at a few pixels.
      ctx.lineCap = 'butt';
      ctx.lineJoin = 'bevel';
      while (!this._chunk(sync) && sync) { /* all at once */ }
    },

    // Draws the next share of the job: areas, then lines, then points. Returns whether the job
    // is done; if not, it continues in another task (unless `sync`). A new view (a call to
    // _draw) replaces the job.
    _chunk: function (sync) {
      clearTimeout(this._next);
      this._next = null;
      var job = this._job, ctx = job.ctx, v = job.view, budget = CHUNK, done = true;
      if (this._areas && job.area < this._areas.rings.length - 1) {
        budget = this._drawAreas(ctx, v, job, budget);
      }
      if (budget > 0 && this._lines && job.line < this._lines.from.length - 1) {
        budget = this._drawLines(ctx, v, job, budget);
      }
      if (budget <= 0) {
        done = false;
      } else if (this._points) {
        done = this._drawPoints(job, !!(this._areas || this._lines));
      }
      if (!done) {
        if (sync !== true) {
          this._next = setTimeout(L.bind(this._chunk, this), 0);
        }
        return false;
      }
      this._swap(job);
      return true;
    },

    _swap: function (job) {
      var old = this._container, next = job.canvas, map = this._map;
      L.DomUtil.setPosition(next, job.bounds.min);
      next.style.opacity = job.opacity || '';
      if (old.parentNode) {
        old.parentNode.replaceChild(next, old);
      }
      this._container = next;
      this._spare = old;
      this._bounds = job.bounds;
      this._center = job.center;
      this._zoom = job.zoom;
      this._view = job.view;
      this._grid = null;
      this._job = null;
      if (map.getZoom() !== job.zoom || !map.getCenter().equals(job.center)) {
        this._onZoom();  // the map moved on while drawing: follow it until the next draw
      }
      this._drawnAt = performance.now();
      // @event draw: Event
      // Fired when the layer has drawn itself for the current view.
      this.fire('draw');
    },

    // The colour of feature colour code `code` (-1: the style's own colours).
    _color: function (code) {
      return code >= 0 ? this.options.palette[code] : null;
    },

    _stroke: function (ctx, st, fallback, color) {
      ctx.globalAlpha = st.opacity === undefined ? 1 : st.opacity;
      ctx.strokeStyle = (color && this.options.strokeFollows ? color : st.color) || color || '#3388ff';
      ctx.lineWidth = st.weight === undefined ? fallback : st.weight;
      ctx.setLineDash(dashes(st));
      if (st.stroke !== false && ctx.lineWidth > 0) {
        ctx.stroke();
      }
    },

    // Trace runs of vertices [from[j], from[j + 1]), skipping vertices within a pixel of the
    // last one drawn (there is no more detail to show at this zoom); returns how many it drew.
    _trace: function (ctx, g, j, v, close) {
      var xy = g.xy, k = v.k, ox = v.x, oy = v.y, end = g.from[j + 1], i = g.from[j], drawn = 1;
      var lx = xy[2 * i] * k - ox, ly = xy[2 * i + 1] * k - oy;
      ctx.moveTo(lx, ly);
      for (i++; i < end; i++) {
        var x = xy[2 * i] * k - ox, y = xy[2 * i + 1] * k - oy;
        if (i < end - 1 && x - lx < 1 && lx - x < 1 && y - ly < 1 && ly - y < 1) {
          continue;
        }
        ctx.lineTo(x, y);
        lx = x;
        ly = y;
        drawn++;
      }
      if (close) {
        ctx.closePath();
      }
      return drawn;
    },

    _visible: function (box, j, v, pad) {
      var k = v.k;
      return box[4 * j] * k - v.x < v.w + pad && box[4 * j + 2] * k - v.x > -pad &&
        box[4 * j + 1] * k - v.y < v.h + pad && box[4 * j + 3] * k - v.y > -pad;
    },

    // Lines and areas are traced colour by colour (`order` sorts them by colour), one path per
    // colour: with a palette of a few colours that is a few fills and strokes per view.
    _drawLines: function (ctx, v, at, budget) {  // (at: the job; at.line is the next line)
      var g = this._lines, st = this.options.style, n = g.from.length - 1, order = g.order, codes = this._codes;
      var code = -1, shown = this._shown, j, c;
      ctx.beginPath();
      for (; at.line < n && budget > 0; at.line++) {
        j = order ? order[at.line] : at.line;
        if ((!shown || shown[g.fid ? g.fid[j] : j]) && this._visible(g.box, j, v, 20)) {
          if (codes && (c = codes[g.fid ? g.fid[j] : j]) !== code) {
            if (code >= 0) {
              this._stroke(ctx, st, 2, this._color(code));
              ctx.beginPath();
            }
            code = c;
          }
          budget -= this._trace(ctx, g, j, v, false);
        }
      }
      this._stroke(ctx, st, 2, this._color(code));
      return budget;
    },

    _drawAreas: function (ctx, v, at, budget) {
      var g = this._areas, n = g.rings.length - 1, order = g.order, codes = this._codes, code = -1, p, c;
      var shown = this._shown;
      ctx.beginPath();
      for (; at.area < n && budget > 0; at.area++) {
        p = order ? order[at.area] : at.area;
        if ((!shown || shown[g.fid ? g.fid[p] : p]) && this._visible(g.box, p, v, 20)) {
          if (codes && (c = codes[g.fid ? g.fid[p] : p]) !== code) {
            if (code >= 0) {
              this._paint(ctx, code);
              ctx.beginPath();
            }
            code = c;
          }
          for (var r = g.rings[p]; r < g.rings[p + 1]; r++) {
            budget -= this._trace(ctx, g, r, v, true);
          }
        }
      }
      this._paint(ctx, code);
      return budget;
    },

    // Fills and strokes the current path of areas in colour `code`.
    _paint: function (ctx, code) {
      var st = this.options.style, color = this._color(code);
      if (st.fill !== false) {
        ctx.globalAlpha = st.fillOpacity === undefined ? 0.2 : st.fillOpacity;
        ctx.fillStyle = color || st.fillColor || st.color || '#3388ff';
        ctx.fill('nonzero');
      }
      this._stroke(ctx, st, 1, color);
    },

    // A CSS colour as [r, g, b] (read back from a one-pixel canvas; cached).
    _rgb: function (css) {
      var cache = this._rgbs = this._rgbs || Object.create(null);
      if (!cache[css]) {
        var c = this._pixel = this._pixel || document.createElement('canvas'), ctx;
        c.width = c.height = 1;
        ctx = c.getContext('2d', {willReadFrequently: true});
        ctx.fillStyle = '#3388ff';
        ctx.fillStyle = css;  // (a string the canvas does not understand leaves the blue)
        ctx.fillRect(0, 0, 1, 1);
        cache[css] = Array.prototype.slice.call(ctx.getImageData(0, 0, 1, 1).data, 0, 3);
      }
      return cache[css];
    },

    // The coverage of a circle of radius r (CSS pixels) and of its outline of width w: drawn once
    // each with the canvas API and read back pixel by pixel (device pixels, empty ones left out).
    _mask: function (ratio, r, w) {
      var half = Math.ceil((r + w / 2 + 1) * ratio), size = 2 * half + 1, canvas = document.createElement('canvas');
      canvas.width = canvas.height = size;
      var ctx = canvas.getContext('2d', {willReadFrequently: true}), layers = [];
      ctx.translate(half + 0.5, half + 0.5);
      ctx.scale(ratio, ratio);
      for (var pass = 0; pass < 2; pass++) {
        ctx.clearRect(-half, -half, size, size);
        ctx.beginPath();
        ctx.arc(0, 0, r, 0, TAU);
        if (pass === 0) {
          ctx.fill();
        } else if (w > 0) {
          ctx.lineWidth = w;
          ctx.stroke();
        }
        layers.push(ctx.getImageData(0, 0, size, size).data);
      }
      var fill = layers[0], ring = layers[1], n = 0, i, j;
      for (i = 3; i < fill.length; i += 4) {
        n += fill[i] || ring[i] ? 1 : 0;
      }
      var mask = {dx: new Int32Array(n), dy: new Int32Array(n), fill: new Float32Array(n), ring: new Float32Array(n),
        half: half};
      for (i = 3, j = 0; i < fill.length; i += 4) {
        if (fill[i] || ring[i]) {
          mask.dx[j] = ((i - 3) / 4) % size - half;
          mask.dy[j] = Math.floor((i - 3) / 4 / size) - half;
          mask.fill[j] = fill[i] / 255;
          mask.ring[j++] = ring[i] / 255;
        }
      }
      return mask;
    },

    // The stamp of a point of colour `code` (-1: the style's) and radius `r2` half pixels (0:
    // the style's): its pixels' offsets and colours ("source over" of outline on fill, as the
    // canvas draws them). A layer of points only is stamped opaque and made translucent as a
    // whole (CSS opacity): most pixels are then plain writes, not blends.
    _stamp: function (code, r2, ratio, solid, width) {
      var st = this.options.style, r = r2 ? r2 / 2 : st.radius || 3, w = st.stroke === false ? 0 : (st.weight || 0);
      var masks = this._masks, mask = masks[r2] = masks[r2] || this._mask(ratio, r, w);
      var fill = st.fillOpacity === undefined ? 0.8 : st.fillOpacity, line = st.opacity === undefined ? 1 : st.opacity;
      var fa = st.fill === false ? 0 : (solid ? 1 : fill), sa = w > 0 ? (solid ? Math.min(1, line / (fill || 1)) : line) : 0;
      var color = this._color(code);
      var F = this._rgb(color || st.fillColor || st.color || '#3388ff');
      var S = this._rgb((color && this.options.strokeFollows ? color : st.color) || color || '#3388ff');
      var n = mask.dx.length, i;
      // dx, dy: offsets from the center; rgba: the pixel packed as the canvas stores it; rgb, a:
      // its channels; off: offsets in a canvas `width` pixels wide.
      var stamp = {dx: mask.dx, dy: mask.dy, rgba: new Uint32Array(n), rgb: new Uint8Array(3 * n), a: new Uint8Array(n),
        off: new Int32Array(n), half: mask.half};
      var bytes = new Uint8Array(stamp.rgba.buffer);
      for (i = 0; i < n; i++) {
        var af = mask.fill[i] * fa, as = mask.ring[i] * sa, a = as + af * (1 - as);
        for (var ch = 0; ch < 3; ch++) {
          var value = a ? Math.round((S[ch] * as + F[ch] * af * (1 - as)) / a) : 0;
          stamp.rgb[3 * i + ch] = bytes[4 * i + ch] = value;
        }
        stamp.a[i] = bytes[4 * i + 3] = Math.round(a * 255);
        stamp.off[i] = mask.dy[i] * width + mask.dx[i];
      }
      return stamp;
    },

    // Points are stamped straight into the canvas's pixels (far faster than one canvas call
    // per point), POINTS per call, largest first; a point on a device pixel where one as large
    // was stamped is skipped. Returns whether every point is drawn.
    _drawPoints: function (job, over) {
      var c = job.canvas, W = c.width, H = c.height, ctx = job.ctx, r = job.ratio, solid = !over, s;
      var image = job.image, st = this.options.style;
      if (!image) {
        image = this._image;
        if (over) {
          image = ctx.getImageData(0, 0, W, H);
        } else if (!image || image.width !== W || image.height !== H) {
          image = this._image = ctx.createImageData(W, H);
        } else {
          new Uint32Array(image.data.buffer).fill(0);
        }
        if (!this._seen || this._seen.length !== W * H) {
          this._seen = new Uint8Array(W * H);
        } else {
          this._seen.fill(0);
        }
        job.image = image;
        job.opacity = solid ? (st.fillOpacity === undefined ? 0.8 : st.fillOpacity) : 1;
      }
      var px = image.data, px32 = new Uint32Array(px.buffer), seen = this._seen, v = job.view;
      var pts = this._points, xy = pts.xy, fid = pts.fid, order = pts.order, codes = this._codes, radii = this._radii;
      var shown = this._shown;
      var k = v.k * r, ox = v.x * r, oy = v.y * r, count = xy.length / 2, key = -1, stamp = null, m = 0, half = 0;
      var t = job.point, end = Math.min(count, t + POINTS), off, alpha, rgba, rgb, id = r + (solid ? 's' : 't') + W;
      if (this._stampsFor !== id) {  // stamps by colour and radius, made as they are needed
        this._stamps = [];
        this._stampsFor = id;
      }
      if (this._masksFor !== r) {
        this._masks = [];
        this._masksFor = r;
      }
      var stamps = this._stamps;
      for (; t < end; t++) {
        var q = order ? order[t] : t, f = fid ? fid[q] : q;
        if (shown && !shown[f]) {
          continue;
        }
        var code = codes ? codes[f] : -1, r2 = radii ? radii[f] : 0, next = (code + 1) * 256 + r2;
        if (next !== key) {
          key = next;
          stamp = stamps[next] || (stamps[next] = this._stamp(code, r2, r, solid, W));
          m = stamp.a.length;
          half = stamp.half;
          off = stamp.off;
          alpha = stamp.a;
          rgba = stamp.rgba;
          rgb = stamp.rgb;
        }
        var x = Math.round(xy[2 * q] * k - ox), y = Math.round(xy[2 * q + 1] * k - oy), at = y * W + x;
        if (x < -half || y < -half || x >= W + half || y >= H + half) {
          continue;
        }
        var clip = x < half || y < half || x >= W - half || y >= H - half, size = r2 + 1;
        if (!clip) {
          if (seen[at] === size) {  // (a point as large was stamped here: it would look the same)
            continue;
          }
          seen[at] = size;
        }
        for (s = 0; s < m; s++) {
          if (clip) {
            var sx = x + stamp.dx[s], sy = y + stamp.dy[s];
            if (sx < 0 || sy < 0 || sx >= W || sy >= H) {
              continue;
            }
          }
          var p = at + off[s], a = alpha[s];
          if (a === 255 || !px32[p]) {
            px32[p] = rgba[s];
          } else {
            // "Source over" on straight (not premultiplied) alpha.
            var b = 4 * p, i3 = 3 * s, keep = px[b + 3] * (255 - a) / 255, sum = a + keep;
            px[b] = (rgb[i3] * a + px[b] * keep) / sum;
            px[b + 1] = (rgb[i3 + 1] * a + px[b + 1] * keep) / sum;
            px[b + 2] = (rgb[i3 + 2] * a + px[b + 2] * keep) / sum;
            px[b + 3] = sum;
          }
        }
      }
      job.point = t;
      if (t < count) {
        return false;
      }
      ctx.putImageData(image, 0, 0);
      return true;
    },

    // Points in cells of CELL pixels (counting sort into flat typed arrays), built on first hover.
    _buildGrid: function () {
      var v = this._view, xy = this._points.xy, n = xy.length / 2, fid = this._points.fid, shown = this._shown;
      var cols = Math.ceil(v.w / CELL) + 1, rows = Math.ceil(v.h / CELL) + 1;
      var cell = new Int32Array(n), count = new Int32Array(cols * rows + 1), i, c;
      for (i = 0; i < n; i++) {
        var x = Math.floor((xy[2 * i] * v.k - v.x) / CELL), y = Math.floor((xy[2 * i + 1] * v.k - v.y) / CELL);
        c = cell[i] = x >= 0 && y >= 0 && x < cols && y < rows && (!shown || shown[fid ? fid[i] : i]) ?
          y * cols + x : -1;
        if (c >= 0) {
          count[c + 1]++;
        }
      }
      for (c = 0; c < cols * rows; c++) {
        count[c + 1] += count[c];
      }
      var fill = count.slice(0, cols * rows), items = new Int32Array(count[cols * rows]);
      for (i = 0; i < n; i++) {
        if (cell[i] >= 0) {
          items[fill[cell[i]]++] = i;
        }
      }
      return {cols: cols, rows: rows, start: count, items: items};
    },

    // The feature under canvas point (x, y) and where to anchor its tooltip, or null.
    _find: function (x, y) {
      var v = this._view, k = v.k, st = this.options.style, g, j;
      if (this._points) {
        var grid = this._grid = this._grid || this._buildGrid(), xy = this._points.xy, fid = this._points.fid;
        var radii = this._radii, base = (st.radius || 3) + 4, reach = this._maxRadius + 4, best = Infinity, hit = -1;
        var cx = Math.floor(x / CELL), cy = Math.floor(y / CELL), span = Math.ceil(reach / CELL);
        for (var gy = Math.max(0, cy - span); gy <= Math.min(grid.rows - 1, cy + span); gy++) {
          for (var gx = Math.max(0, cx - span); gx <= Math.min(grid.cols - 1, cx + span); gx++) {
            var c = gy * grid.cols + gx;
            for (var s = grid.start[c]; s < grid.start[c + 1]; s++) {
              var i = grid.items[s], dx = xy[2 * i] * k - v.x - x, dy = xy[2 * i + 1] * k - v.y - y;
              var d = Math.sqrt(dx * dx + dy * dy), own = radii ? radii[fid ? fid[i] : i] / 2 + 4 : base;
              if (d <= own && d - own <= best) {  // (the point whose edge is nearest)
                best = d - own;
                hit = i;
              }
            }
          }
        }
        if (hit >= 0) {
          return {feature: this._points.fid ? this._points.fid[hit] : hit,
            at: [xy[2 * hit] * k - v.x, xy[2 * hit + 1] * k - v.y]};
        }
      }
      if ((g = this._lines)) {
        var tol = (st.weight || 2) / 2 + 4;
        for (j = g.box.length / 4 - 1; j >= 0; j--) {
          if (this._showsPart(g, j) && this._visible(g.box, j, {k: k, x: v.x + x, y: v.y + y, w: 0, h: 0}, tol) &&
              this._nearLine(g, j, x, y, tol)) {
            return {feature: g.fid ? g.fid[j] : j, at: [x, y]};
          }
        }
      }
      if ((g = this._areas)) {
        for (j = g.box.length / 4 - 1; j >= 0; j--) {
          if (this._showsPart(g, j) && this._visible(g.box, j, {k: k, x: v.x + x, y: v.y + y, w: 0, h: 0}, 0) &&
              this._inside(g, j, x, y)) {
            return {feature: g.fid ? g.fid[j] : j, at: [x, y]};
          }
        }
      }
      return null;
    },

    // Whether part j of lines or areas g belongs to a feature shown at the current time.
    _showsPart: function (g, j) {
      return !this._shown || !!this._shown[g.fid ? g.fid[j] : j];
    },

    _nearLine: function (g, j, x, y, tol) {
      var v = this._view, xy = g.xy, k = v.k;
      for (var i = g.from[j] + 1; i < g.from[j + 1]; i++) {
        if (near(x, y, xy[2 * i - 2] * k - v.x, xy[2 * i - 1] * k - v.y, xy[2 * i] * k - v.x,
          xy[2 * i + 1] * k - v.y) <= tol * tol) {
          return true;
        }
      }
      return false;
    },

    // Even-odd test over every ring of polygon p.
    _inside: function (g, p, x, y) {
      var v = this._view, xy = g.xy, k = v.k, inside = false;
      for (var r = g.rings[p]; r < g.rings[p + 1]; r++) {
        var a = g.from[r], b = g.from[r + 1];
        for (var i = a, prev = b - 1; i < b; prev = i++) {
          var xi = xy[2 * i] * k - v.x, yi = xy[2 * i + 1] * k - v.y;
          var xj = xy[2 * prev] * k - v.x, yj = xy[2 * prev + 1] * k - v.y;
          if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) {
            inside = !inside;
          }
        }
      }
      return inside;
    },

    _event: function (e) {
      var v = this._view;
      if (!v || !this._map || this._map.getZoom() !== v.zoom) {
        return null;
      }
      var p = this._map.project(e.latlng, v.zoom);
      var hit = this._find(p.x - v.x, p.y - v.y);
      if (hit) {
        hit.latlng = this._map.unproject(L.point(hit.at[0] + v.x, hit.at[1] + v.y), v.zoom);
      }
      return hit;
    },

    // The language the story around the map is shown in (its root's `lang`).
    _lang: function () {
      var root = this._map && this._map.getContainer().closest('[lang]');
      return root ? root.getAttribute('lang') : '';
    },

    // Feature i's value of `field` as text; with `localize`, a number as the story's language
    // writes it (the browser's, on the first hover: not while the page loads).
    _value: function (field, i, localize) {
      var column = this._data.props[field], value;
      if (!column) {
        return '';
      }
      value = L.Util.isArray(column) ? column[i] : column.values[column.codes[i]];
      if (value === null || value === undefined) {
        return '–';
      }
      if (localize && typeof value === 'number' && isFinite(value)) {
        try {
          return value.toLocaleString(this._lang() || undefined);
        } catch (e) { /* a language tag the browser does not take */ }
      }
      return String(value);
    },

    _hover: function (e) {
      answer(this, 'hover', e, this._event(e));
    },

    // The pointer is over feature hit.feature of this layer, the topmost there.
    _show: function (hit) {
      var map = this._map, tip = this.options.tooltip;
      map.getContainer().style.cursor = this.options.popup ? 'pointer' : '';
      this._light(hit.feature);
      if (!tip) {
        return;
      }
      if (!this._tip) {
        this._tip = L.tooltip({direction: 'top', offset: [0, -4], className: 'storymap-hover', interactive: false});
      }
      var lang = this._lang(), aliases = inLanguage(tip.aliases, lang);
      if (this._tipFor !== hit.feature || this._tipLang !== lang) {
        var box = document.createElement('div');
        tip.fields.forEach(function (field, k) {
          var line = document.createElement('div');
          line.textContent = (tip.labels ? (aliases ? aliases[k] : field) + ': ' : '') +
            this._value(field, hit.feature, tip.localize);
          box.appendChild(line);
        }, this);
        this._tip.setContent(box);
        this._tipFor = hit.feature;
        this._tipLang = lang;
      }
      // (sticky: false puts it at the feature, a point's position or the middle of its box: found
      // once a feature, not on every move.)
      if (tip.sticky === false && this._tipAt !== hit.feature) {
        this._tipAt = hit.feature;
        this._tipLatLng = this._anchor(hit.feature);
      }
      this._tip.setLatLng(tip.sticky === false ? this._tipLatLng : hit.latlng);
      if (!map.hasLayer(this._tip)) {
        map.openTooltip(this._tip);
      }
    },

    _leave: function () {
      if (this._tip && this._map && this._map.hasLayer(this._tip)) {
        this._map.closeTooltip(this._tip);
      }
      if (this._map && (this._tip || this._lit >= 0)) {
        this._map.getContainer().style.cursor = '';
      }
      this._tipFor = -1;
      this._light(-1);
    },

    // Highlights feature f (-1: none): its parts drawn again above the canvas as Leaflet
    // vectors, in its colour with the `highlight` options.
    _light: function (f) {
      var hl = this.options.highlight, map = this._map;
      if (f === this._lit || (!hl && f >= 0)) {
        return;
      }
      if (this._lit >= 0 && this._litLayer) {
        this._litLayer.remove();
      }
      this._lit = f;
      this._litLayer = null;
      if (f < 0 || !map) {
        return;
      }
      if (!map.getPane('storymapHighlight')) {
        var pane = map.createPane('storymapHighlight');
        pane.style.zIndex = 360;
        pane.style.pointerEvents = 'none';
      }
      var color = this._color(this._codes ? this._codes[f] : -1), st = this.options.style;
      var style = L.extend({}, st, color ? {fillColor: color} : {}, color && this.options.strokeFollows ? {color: color} : {},
        hl, {interactive: false, pane: 'storymapHighlight'});
      style.color = style.color || color || '#3388ff';
      var parts = this._parts(f), group = L.featureGroup();
      parts.points.forEach(function (latlng) {
        var r = this._radii ? this._radii[f] / 2 : st.radius || 3;
        L.circleMarker(latlng, L.extend({}, style, {radius: r})).addTo(group);
      }, this);
      if (parts.lines.length) {
        L.polyline(parts.lines, style).addTo(group);
      }
      if (parts.areas.length) {
        L.polygon(parts.areas, style).addTo(group);
      }
      this._litLayer = group.addTo(map);
    },

    // Where feature f's tooltip stands when it does not follow the pointer: its first point, or
    // the middle of its box.
    _anchor: function (f) {
      var parts = this._parts(f);
      if (parts.points.length) {
        return parts.points[0];
      }
      return L.latLngBounds([].concat.apply([], parts.lines.concat([].concat.apply([], parts.areas)))).getCenter();
    },

    // Feature f's points, lines and polygons as latitudes and longitudes.
    _parts: function (f) {
      var map = this._map, out = {points: [], lines: [], areas: []};
      function latlngs(xy, from, to) {
        var list = [];
        for (var i = from; i < to; i++) {
          list.push(map.unproject(L.point(xy[2 * i], xy[2 * i + 1]), 0));
        }
        return list;
      }
      var g = this._points, j, n;
      if (g) {
        for (j = 0, n = g.xy.length / 2; j < n; j++) {
          if ((g.fid ? g.fid[j] : j) === f) {
            out.points.push(latlngs(g.xy, j, j + 1)[0]);
          }
        }
      }
      if ((g = this._lines)) {
        for (j = 0, n = g.from.length - 1; j < n; j++) {
          if ((g.fid ? g.fid[j] : j) === f) {
            out.lines.push(latlngs(g.xy, g.from[j], g.from[j + 1]));
          }
        }
      }
      if ((g = this._areas)) {
        for (j = 0, n = g.rings.length - 1; j < n; j++) {
          if ((g.fid ? g.fid[j] : j) === f) {
            var rings = [];
            for (var r = g.rings[j]; r < g.rings[j + 1]; r++) {
              rings.push(latlngs(g.xy, g.from[r], g.from[r + 1]));
            }
            out.areas.push(rings);
          }
        }
      }
      return out;
    },

    _click: function (e) {
      answer(this, 'click', e, this._event(e));
    },

    // A click on feature hit.feature of this layer, the topmost there: its popup.
    _open: function (hit) {
      var popup = this.options.popup;
      if (!popup) {
        return;
      }
      var box = document.createElement('div'), table = document.createElement('table');
      var title = document.createElement('strong'), lang = this._lang(), aliases = inLanguage(popup.aliases, lang);
      title.textContent = inLanguage(popup.title, lang) || '';
      box.appendChild(title);
      popup.fields.forEach(function (field, k) {
        var row = table.insertRow();
        if (popup.labels !== false) {
          var th = document.createElement('th');
          th.textContent = aliases ? aliases[k] : field;
          row.appendChild(th);
        }
        row.insertCell().textContent = this._value(field, hit.feature, popup.localize);
      }, this);
      box.appendChild(table);
      L.popup({maxWidth: popup.maxWidth || 320, className: 'storymap-popup storymap-data-popup'})
        .setLatLng(hit.latlng).setContent(box).openOn(this._map);
    }
  });

  // The legend's keys (legend.js: rows with a `key`).
  var create = ns.util.create, swatch = ns.util.swatch;
  // Colours reach CSS only when they look like colours (they come from Python, checked there too).
  var COLOR = /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,30}|(rgb|hsl)a?\([0-9\s.,%a-z]{1,60}\))$/;

  function color(value) {
    return typeof value === 'string' && COLOR.test(value) ? value : 'transparent';
  }

  function percent(value) {
    return Math.max(0, Math.min(100, 100 * (+value || 0))) + '%';
  }

  // A colour bar: key.colors at key.stops (fractions; for a stepped bar, the edges of its
  // segments), with key.ticks [[fraction, label, labels?], ...] under it (`labels`: the label in
  // each of the page's languages, where they differ).
  function ramp(key, parent, legend) {
    var bar = create('div', 'storymap-legend-ramp', null, parent), stops = key.stops || [], parts = [];
    bar.setAttribute('aria-hidden', 'true');
    bar.style.width = '180px';
    bar.style.maxWidth = '100%';
    bar.style.height = '10px';
    bar.style.borderRadius = '2px';
    bar.style.boxShadow = 'inset 0 0 0 1px rgba(0, 0, 0, 0.15)';
    (key.colors || []).forEach(function (c, i) {
      if (key.stepped) {
        parts.push(color(c) + ' ' + percent(stops[i]), color(c) + ' ' + percent(stops[i + 1]));
      } else {
        parts.push(color(c) + ' ' + percent(stops[i]));
      }
    });
    bar.style.backgroundImage = parts.length > 1 ? 'linear-gradient(to right, ' + parts.join(', ') + ')' : '';
    bar.style.backgroundColor = parts.length === 1 ? color(key.colors[0]) : '';
    var ticks = create('div', 'storymap-legend-ticks', null, parent);
    ticks.style.position = 'relative';
    ticks.style.width = '180px';
    ticks.style.maxWidth = '100%';
    ticks.style.height = '1.35em';
    var list = key.ticks || [];
    list.forEach(function (tick, i) {
      var label = create('span', 'storymap-legend-tick', tick[1], ticks);
      if (tick[2]) {
        legend._localize(label, tick[2]);
      }
      label.style.position = 'absolute';
      label.style.whiteSpace = 'nowrap';
      label.style.fontSize = 'calc(.75 * var(--storymap-rem, 1rem))';  // (a fragment's rem: fragment.css)
      label.style.left = percent(tick[0]);
      // (The first and the last anchored as far along themselves as their tick is along the bar:
      // they never run past its ends, wherever their ticks; "112" at 95% of the bar, centred on its
      // tick, ran out of a phone's legend and off the screen. The others centred on theirs.)
      label.style.transform = 'translateX(-' + (i === 0 || i === list.length - 1 ? percent(tick[0]) : '50%') + ')';
    });
  }

  // Rows of swatches and labels: classes with their ranges, or categories.
  function classes(items, shape, parent, legend) {
    var list = create('ul', 'storymap-legend-classes', null, parent);
    list.style.margin = '2px 0 0';
    list.style.padding = '0';
    list.style.listStyle = 'none';
    items.forEach(function (item) {
      var row = create('li', 'storymap-legend-class', null, list);
      row.style.display = 'flex';
      row.style.alignItems = 'center';
      row.style.gap = '6px';
      row.style.margin = '2px 0';
      var c = color(item.color);
      swatch(shape === 'line' ? 'line' : shape === 'point' ? 'point' : 'area', {color: c, fillColor: c}, row);
      var label = create('span', 'storymap-legend-label', item.label, row);
      if (item.labels) {
        legend._localize(label, item.labels);
      }
    });
    return list;
  }

  // The key to a layer coloured by a column: its caption, then a colour bar or rows.
  function key(item, parent, legend) {
    var k = item.key, box = create('div', 'storymap-legend-key', null, parent);
    // (The row's width, indented inside it: a margin beside a basis of 100% ran 26 px past the
    // legend, on a phone past the screen, and the colour bar's last value with it.)
    box.style.flexBasis = '100%';
    box.style.minWidth = '0';
    box.style.boxSizing = 'border-box';
    box.style.paddingInlineStart = '26px';
    if (k.caption) {  // (a text, or a text in each of the page's languages)
      var caption = create('div', 'storymap-legend-caption', null, box);
      caption.style.fontWeight = '600';
      legend._localize(caption, k.caption);
    }
    if (k.type === 'ramp') {
      ramp(k, box, legend);
      if (k.missing) {
        classes([k.missing], k.shape || item.shape, box, legend);
      }
    } else {
      classes(k.items || [], k.shape || item.shape, box, legend);
    }
    return box;
  }

  if (ns.Legend) {
    var legend = ns.Legend.prototype, onAdd = legend.onAdd, addRow = legend._addRow;
    ns.Legend.include({
      // A legend that holds keys keeps within the map as the map's size changes, and as it opens
      // and closes (the controls around it may have changed).
      onAdd: function (map) {
        var box = onAdd.call(this, map);
        L.DomEvent.on(box, 'toggle', this._fit, this);
        map.on('resize', this._fit, this);
        return box;
      },

      onRemove: function (map) {
        map.off('resize', this._fit, this);
      },

      // A legend with colour keys can outgrow the map: its list then scrolls (and takes the focus,
      // so that the keyboard scrolls it too). Opened, it stays within the room its side of the map
      // leaves: the map's height less the controls in the corner across from it (the zoom buttons
      // above a legend at the bottom) and its neighbours in its own corner, so that it never covers
      // a button (on a phone's short map too).
      _fit: function () {
        if (!this._keyed || !this._list || !this._map) {
          return;
        }
        var pos = this.getPosition(), box = this._container, map = this._map.getContainer();
        var side = pos.indexOf('right') > 0 ? '.leaflet-right' : '.leaflet-left';
        var mine = map.querySelector((pos.indexOf('top') === 0 ? '.leaflet-top' : '.leaflet-bottom') + side);
        var across = map.querySelector((pos.indexOf('top') === 0 ? '.leaflet-bottom' : '.leaflet-top') + side);
        var taken = (across ? across.offsetHeight : 0) + (mine && box ? mine.offsetHeight - box.offsetHeight : 0);
        var room = this._map.getSize().y - taken - this._title.offsetHeight - 40;
        this._list.style.maxHeight = Math.max(80, room) + 'px';
        this._list.style.overflowY = 'auto';
        this._list.tabIndex = 0;
      },

      // A row, and the key to the colours of a layer coloured by a column (item.key) under it.
      _addRow: function (item) {
        var row = addRow.call(this, item);
        if (item.key) {
          row.style.flexWrap = 'wrap';
          key(item, row, this);
          this._keyed = true;
          this._fit();
        }
        return row;
      },

      // A text of a key (its caption, a class's range, a colour bar's value: for numbers, as each
      // language writes them, "2 348 402" in French, written at build time by storymap/context.py)
      // in the legend's language: written now, and again in another language (_relabel).
      _localize: function (node, texts) {
        (this._localized = this._localized || []).push([node, texts]);
        node.textContent = inLanguage(texts, this.options.lang);
      },

      // The keys' texts in `lang` (setTexts: another language).
      _relabel: function (lang) {
        if (lang !== this.options.lang) {
          this.options.lang = lang;
          (this._localized || []).forEach(function (n) {
            n[0].textContent = inLanguage(n[1], lang);
          });
        }
      }
    });
  }

  // @factory L.storymap.dataLayer(data: Object, options?: DataLayer options)
  ns.dataLayer = function (data, options) {
    return new ns.DataLayer(data, options);
  };
}(L));
