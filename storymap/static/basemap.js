// basemap.js: L.storymap.Basemap, the embedded offline land, water, borders and labels.
// The data comes from storymap/basemap.py in the encoding of storymap/encoding.py: integer
// coordinates in 1/scale degree, delta-encoded, as JSON lists or packed strings.
(function (L) {
  'use strict';
  var ns = L.storymap;
  if (!ns || ns.Basemap) {
    return;
  }
  var u = ns.util, create = u.create, unpack = u.unpack;

  // Web Mercator as Leaflet's EPSG:3857 has it (SphericalMercator, then its transformation), at
  // zoom 0 and as a fraction of the world's width: a point at zoom z is 256 · 2^z times this.
  var MAX_LAT = 85.0511287798, DEG = Math.PI / 180;

  // {xy, parts} or {xy, rings}: the points, projected once, and their runs (a line, a ring), each
  // with its bounding box, for drawing at any zoom without a LatLng or Point per vertex. With
  // `past`, a point on the projection's northern or southern edge (the data cut there) goes a
  // world's height past it: an area that reaches the edge goes on beyond it, as the world does (a
  // map shorter than the screen, a world view on a phone, showed a band of grey, "not mapped",
  // over the Arctic Ocean; south of the edge Antarctica's land goes on).
  function shapes(family, scale, past) {
    var lonLat = u.coordinates(family.xy, scale), n = lonLat.length, xy = new Float64Array(n);
    var edge = MAX_LAT - 1 / scale;  // (the data's points are whole 1/scale degrees)
    for (var i = 0; i + 1 < n; i += 2) {
      var lat = lonLat[i + 1], sin = Math.sin(Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * DEG);
      xy[i] = 0.5 + lonLat[i] / 360;
      xy[i + 1] = past && Math.abs(lat) >= edge ? (lat > 0 ? -1 : 2) : 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI);
    }
    var counts = unpack(family.rings !== undefined ? family.rings : family.parts), runs = [], at = 0;
    for (var r = 0; r < counts.length; r++) {
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (var k = 2 * at; k < 2 * (at + counts[r]); k += 2) {
        x0 = Math.min(x0, xy[k]);
        x1 = Math.max(x1, xy[k]);
        y0 = Math.min(y0, xy[k + 1]);
        y1 = Math.max(y1, xy[k + 1]);
      }
      runs.push({start: at, end: at + counts[r], box: [x0, y0, x1, y1]});
      at += counts[r];
    }
    return {xy: xy, runs: runs};
  }

  // The basemap's land, lakes, rivers and borders on one canvas: Leaflet's canvas renderer (its
  // size, padding, retina scale and zoom animations), drawing these shapes itself, each family in
  // one path with one fill or stroke, skipping runs outside the canvas and points on the pixel before.
  var Shapes = L.Canvas.extend({
    initialize: function (families, options) {
      L.Canvas.prototype.initialize.call(this, options);
      this._families = families;  // [{shape, style, closed}]
    },

    _draw: function () {
      var ctx = this._ctx, map = this._map, b = this._bounds;
      if (!ctx || !map || !b) {
        return;
      }
      var k = map.options.crs.scale(map.getZoom()), o = map.getPixelOrigin();
      var lo = b.min.add(o).divideBy(k), hi = b.max.add(o).divideBy(k);
      ctx.save();
      this._families.forEach(function (f) {
        var xy = f.shape.xy, style = f.style, drawn = false;
        ctx.beginPath();
        // The shapes, and their copies a world to the west and to the east wherever a view wider
        // than the basemap's window shows them (a world-wide step on a narrow map, a reader who
        // zooms out): the land is there too. (The window is at most a world wide, so copies never
        // overlap.)
        [0, -1, 1].forEach(function (shift) {
          f.shape.runs.forEach(function (run) {
            var box = run.box;
            if (box[2] + shift < lo.x || box[0] + shift > hi.x || box[3] < lo.y || box[1] > hi.y) {
              return;
            }
            var px = 0, py = 0;
            for (var i = run.start; i < run.end; i++) {
              // (Rounded to whole pixels, as Leaflet rounds its layers' points.)
              var x = Math.round((xy[2 * i] + shift) * k) - o.x, y = Math.round(xy[2 * i + 1] * k) - o.y;
              if (i === run.start) {
                ctx.moveTo(x, y);
              } else if (i === run.end - 1 || x !== px || y !== py) {
                ctx.lineTo(x, y);
              } else {
                continue;
              }
              px = x;
              py = y;
            }
            if (f.closed) {
              ctx.closePath();
            }
            drawn = true;
          });
        });
        if (!drawn) {
          return;
        }
        if (style.fill) {
          ctx.globalAlpha = style.fillOpacity;
          ctx.fillStyle = style.fillColor || style.color;
          ctx.fill(style.fillRule || 'evenodd');
        }
        if (style.stroke && style.weight !== 0) {
          ctx.globalAlpha = style.opacity;
          ctx.lineWidth = style.weight;
          ctx.strokeStyle = style.color;
          ctx.lineCap = style.lineCap;
          ctx.lineJoin = style.lineJoin;
          ctx.stroke();
        }
      });
      ctx.restore();
    }
  });

  // A country label's icon: carries its Natural Earth label rank (1 the most prominent) as
  // data-rank, so that story labels can win over basemap labels, and the zoom from which Natural
  // Earth labels the country as data-min-zoom (labels.js: no "Heard Island" on a world map).
  var LabelIcon = L.DivIcon.extend({
    createIcon: function (old) {
      var node = L.DivIcon.prototype.createIcon.call(this, old);
      node.setAttribute('data-rank', String(this.options.rank));
      node.setAttribute('data-min-zoom', String(this.options.minZoom));
      return node;
    }
  });

  // @class Basemap
  // The embedded low-detail land, lakes, rivers, borders and country labels, drawn under the
  // tile layer so the story reads with no network.
  ns.Basemap = L.FeatureGroup.extend({
    options: {
      // @option pane: String = 'storymapBasemap'
      // The pane the basemap draws in, below Leaflet's tile pane (its country names in a pane
      // `<pane>Labels` inside it).
      pane: 'storymapBasemap',
      // @option land: Object
      // Path options of the land; the fill defaults to the story's CSS --storymap-land.
      land: {stroke: false, fillOpacity: 1},
      // @option water: Object
      // Path options of lakes; the fill defaults to the sea's colour (the map's background,
      // CSS --storymap-sea).
      water: {stroke: false, fillOpacity: 1},
      // @option rivers: Object
      // Path options of rivers and other waterways; the colour defaults to the sea's.
      rivers: {weight: 1.5, opacity: 1, lineCap: 'round', lineJoin: 'round'},
      // @option borders: Object
      // Path options of the borders between countries.
      borders: {color: '#9a8f80', weight: 0.8, opacity: 1},
      // @option labels: Boolean = true
      // Whether to label countries.
      labels: true,
      // @option lang: String = ''
      // The language of the labels, one of the data's `langs` (the first when absent).
      lang: '',
      // @option defer: Boolean = true
      // Build the shapes after the page's first paint, in a task of their own (the page's text
      // shows first), instead of while being added.
      defer: true
    },

    initialize: function (data, options) {
      L.setOptions(this, options);
      L.FeatureGroup.prototype.initialize.call(this, []);
      this._data = data || {};
      this._built = false;
    },

    onAdd: function (map) {
      var name = this.options.pane;
      if (!map.getPane(name)) {
        var pane = map.createPane(name);
        pane.style.zIndex = 150;
        pane.style.pointerEvents = 'none';
        // (Its country names are the map's background, not the story: a screen reader heard a list
        // of them in capitals, changing with the zoom. The step's description says what it shows.)
        pane.setAttribute('aria-hidden', 'true');
      }
      // The country names in a pane of their own inside it, over the shapes' canvas (which
      // Leaflet's CSS puts at z-index 100 in its pane, where a marker's z-index is its y: a name
      // near the map's top edge went under the land).
      if (!map.getPane(name + 'Labels')) {
        map.createPane(name + 'Labels', map.getPane(name)).style.zIndex = 200;
      }
      L.FeatureGroup.prototype.onAdd.call(this, map);
      if (map.attributionControl && this._data.attribution) {
        map.attributionControl.addAttribution(this._data.attribution);
      }
      if (!this.isLoaded() && !this._held) {
        this._schedule(this.options.defer);
      }
    },

    // @method hold(): this
    // Builds nothing until release(). A Story holds its basemap until it has set its first step's
    // view, so that the shapes are projected once, at that view, not also at the map's first one.
    hold: function () {
      if (this._cancel) {
        this._cancel();
        this._cancel = null;
      }
      this._held = true;
      return this;
    },

    // @method release(): this
    // Builds the basemap (in tasks of its own, from the next one) if hold() stopped it.
    release: function () {
      this._held = false;
      if (this._map && !this.isLoaded() && !this._cancel) {
        this._schedule('task');
      }
      return this;
    },

    onRemove: function (map) {
      if (this._cancel) {
        this._cancel();
        this._cancel = null;
      }
      if (map.attributionControl && this._data.attribution) {
        map.attributionControl.removeAttribution(this._data.attribution);
      }
      L.FeatureGroup.prototype.onRemove.call(this, map);
    },

    // @method getBounds(): LatLngBounds
    // The box the basemap's data covers (its region: beyond it the map shows as not mapped); an
    // empty one for data without a region. (A box: its first and third corners are opposite.)
    getBounds: function () {
      var d = this._data, xy = d.region ? u.coordinates(d.region.xy, d.scale || 1000) : [];
      return L.latLngBounds(xy.length ? [[xy[1], xy[0]], [xy[5], xy[4]]] : []);
    },

    // @method isLoaded(): Boolean
    // Whether the basemap has been built (a `load` event fires when it is).
    isLoaded: function () {
      return this._built;
    },

    // Builds the shapes and the labels (one task: drawn from points projected once, they take a
    // few tens of ms) after the next paint (`defer`), in the next task ('task'), or at once.
    _schedule: function (defer) {
      var self = this;
      var build = function () {
        self._cancel = null;
        if (!self._map || self._built) {
          return;
        }
        self._shapes(self._map);
        if (self.options.labels) {
          self._labels(self._data, self.options.pane + 'Labels');
        }
        self._built = true;
        // @event load: Event
        // Fired when the basemap has been built.
        self.fire('load');
      };
      if (defer === 'task') {
        this._cancel = u.nextTask(build);
      } else if (defer) {
        this._cancel = u.afterPaint(build);
      } else {
        build();
      }
    },

    _shapes: function (map) {
      var data = this._data, o = this.options, scale = data.scale || 1000;
      // The story's colours of the sea and the land (its CSS, which a host page may set).
      var css = getComputedStyle(map.getContainer()), colour = function (name, fallback) {
        return css.getPropertyValue('--storymap-' + name).trim() || fallback;
      };
      var sea = colour('sea', '#c9dde8');
      // (Leaflet's path options, as a Polygon (filled) or Polyline would take them.)
      var path = L.Path.prototype.options, water = L.extend({fillColor: sea}, o.water);
      // (The data's region first, in the sea's colour: see below.)
      var families = [
        ['region', true, water],
        ['land', true, L.extend({fillColor: colour('land', '#f3efe6')}, o.land)],
        ['water', true, water],
        ['rivers', false, L.extend({color: sea}, o.rivers)],
        ['borders', false, o.borders]
      ].filter(function (f) {
        return data[f[0]] && data[f[0]].xy;
      }).map(function (f) {
        return {shape: shapes(data[f[0]], scale, f[1]), closed: f[1],
          style: L.extend({}, path, {fill: f[1]}, f[2])};
      });
      var layer = new Shapes(families, {pane: o.pane});
      this.addLayer(layer);
      // The data's region is drawn first, in the sea's colour; outside it the map is not mapped,
      // and shows so (CSS --storymap-beyond: a grey as far in lightness from the sea as the land
      // is, not the sea to a reader who sees no colour): a reader who zooms out sees where the
      // basemap ends, not sea where land is.
      if (data.region) {
        L.DomUtil.addClass(layer._container, 'storymap-beyond');
      }
    },

    _name: function (text, row) {
      var langs = this._data.langs || [], at = Math.max(0, langs.indexOf(this.options.lang));
      text.textContent = row[4 + at] === undefined ? row[4] : row[4 + at];
      if (langs[at]) {
        text.lang = langs[at];
      }
    },

    _labels: function (data, pane) {
      var rows = data.labels || [];
      this._names = [];
      for (var i = 0; i < rows.length; i++) {
        var row = rows[i], text = create('span');
        this._name(text, row);
        this._names.push([text, row]);
        this.addLayer(L.marker([row[0], row[1]], {
          pane: pane, interactive: false, keyboard: false,
          icon: new LabelIcon({className: 'storymap-country-label', html: text, iconSize: null, rank: row[2],
            minZoom: row[3]})
        }));
      }
    }
  });

  // @factory L.storymap.basemap(data: Object, options?: Basemap options)
  ns.basemap = function (data, options) {
    return new ns.Basemap(data, options);
  };

}(L));
