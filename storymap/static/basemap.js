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

  // Runs of `counts[i]` items of `items`, as arrays.
  function split(items, counts) {
    var out = [], at = 0;
    for (var i = 0; i < counts.length; i++) {
      out.push(items.slice(at, at + counts[i]));
      at += counts[i];
    }
    return out;
  }

  // {xy, parts} → [[latlng, ...], ...]; {xy, rings, polys} → [[[latlng, ...], ...], ...].
  function latLngs(family, scale) {
    var xy = u.coordinates(family.xy, scale), points = [];
    for (var i = 0; i + 1 < xy.length; i += 2) {
      points.push([xy[i + 1], xy[i]]);
    }
    if (family.rings !== undefined) {
      return split(split(points, unpack(family.rings)), unpack(family.polys));
    }
    return split(points, unpack(family.parts));
  }

  u.unpackLatLngs = latLngs;

  // A country label's icon: carries its Natural Earth label rank (1 the most prominent) as
  // data-rank, so that story labels can win over basemap labels.
  var LabelIcon = L.DivIcon.extend({
    createIcon: function (old) {
      var node = L.DivIcon.prototype.createIcon.call(this, old);
      node.setAttribute('data-rank', String(this.options.rank));
      return node;
    }
  });

  // @class Basemap
  // The embedded low-detail land, lakes, rivers, borders and country labels, drawn under the
  // tile layer so the story reads with no network.
  ns.Basemap = L.FeatureGroup.extend({
    options: {
      // @option pane: String = 'storymapBasemap'
      // The pane the basemap draws in, below Leaflet's tile pane.
      pane: 'storymapBasemap',
      // @option land: Object
      // Path options of the land.
      land: {stroke: false, fillColor: '#f3efe6', fillOpacity: 1},
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
      // Build the shapes after the page's first paint, in short tasks (the page's text shows
      // first), instead of while being added.
      defer: true
    },

    initialize: function (data, options) {
      L.setOptions(this, options);
      L.FeatureGroup.prototype.initialize.call(this, []);
      this._data = data || {};
      this._part = 0;
    },

    onAdd: function (map) {
      var name = this.options.pane;
      if (!map.getPane(name)) {
        var pane = map.createPane(name);
        pane.style.zIndex = 150;
        pane.style.pointerEvents = 'none';
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

    // @method isLoaded(): Boolean
    // Whether every part of the basemap has been built (a `load` event fires when it is).
    isLoaded: function () {
      return this._part >= 2;
    },

    // The shapes, then the labels, each in a task of its own, the first after the next paint
    // (`defer`), or in the next task ('task'); all at once without `defer`.
    _schedule: function (defer) {
      var self = this;
      var next = function () {
        self._cancel = null;
        if (!self._map) {
          return;
        }
        self._buildPart();
        if (self.isLoaded()) {
          // @event load: Event
          // Fired when the basemap has been built.
          self.fire('load');
        } else {
          var id = setTimeout(next, 0);
          self._cancel = function () {
            clearTimeout(id);
          };
        }
      };
      if (defer === 'task') {
        var id = setTimeout(next, 0);
        this._cancel = function () {
          clearTimeout(id);
        };
        return;
      }
      if (defer) {
        this._cancel = u.afterPaint(next);
        return;
      }
      while (!this.isLoaded()) {
        this._buildPart();
      }
      this.fire('load');
    },

    _buildPart: function () {
      if (this._part === 0) {
        this._shapes(this._map);
      } else if (this.options.labels) {
        this._labels(this._data, this.options.pane);
      }
      this._part++;
    },

    _sea: function (map) {
      var sea = window.getComputedStyle ? getComputedStyle(map.getContainer()).getPropertyValue('--storymap-sea') : '';
      return (sea || '').trim() || '#c9dde8';
    },

    _shapes: function (map) {
      var data = this._data, o = this.options, pane = o.pane, scale = data.scale || 1000;
      var renderer = L.canvas({pane: pane});
      var sea = this._sea(map);
      var base = {pane: pane, interactive: false, renderer: renderer, smoothFactor: 0.5};
      var layers = [
        ['land', L.polygon, o.land],
        ['water', L.polygon, L.extend({fillColor: sea}, o.water)],
        ['rivers', L.polyline, L.extend({color: sea}, o.rivers)],
        ['borders', L.polyline, o.borders]
      ];
      for (var i = 0; i < layers.length; i++) {
        var family = data[layers[i][0]];
        if (family && family.xy) {
          this.addLayer(layers[i][1](latLngs(family, scale), L.extend({}, base, layers[i][2])));
        }
      }
    },

    // @method setLang(lang: String): this
    // Names the countries in another of the data's `langs`.
    setLang: function (lang) {
      this.options.lang = lang;
      (this._names || []).forEach(function (pair) {
        this._name(pair[0], pair[1]);
      }, this);
      return this;
    },

    _name: function (text, row) {
      var langs = this._data.langs || [], at = Math.max(0, langs.indexOf(this.options.lang));
      text.textContent = row[3 + at] === undefined ? row[3] : row[3 + at];
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
          icon: new LabelIcon({className: 'storymap-country-label', html: text, iconSize: null, rank: row[2]})
        }));
      }
    }
  });

  // @factory L.storymap.basemap(data: Object, options?: Basemap options)
  ns.basemap = function (data, options) {
    return new ns.Basemap(data, options);
  };

}(L));
