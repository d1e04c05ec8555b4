// basemap.js: L.storymap.Basemap, the embedded offline land, water and labels.
(function (L) {
  'use strict';
  var ns = L.storymap;
  if (!ns || ns.Basemap) {
    return;
  }
  var u = ns.util, create = u.create, decodeRing = u.decodeRing;

  // @class Basemap
  // The embedded low-detail land and country labels, drawn under the tile layer so the story
  // reads with no network.
  ns.Basemap = L.FeatureGroup.extend({
    options: {
      // @option pane: String = 'storymapBasemap'
      // The pane the basemap draws in, below Leaflet's tile pane.
      pane: 'storymapBasemap',
      // @option land: Object
      // Path options of the land polygons.
      land: {color: '#9a8f80', weight: 0.8, fillColor: '#f3efe6', fillOpacity: 1, opacity: 1},
      // @option labels: Boolean = true
      // Whether to label countries.
      labels: true
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
      }
      if (!this._built) {
        this._build();
      }
      L.FeatureGroup.prototype.onAdd.call(this, map);
      if (map.attributionControl && this._data.attribution) {
        map.attributionControl.addAttribution(this._data.attribution);
      }
    },

    onRemove: function (map) {
      if (map.attributionControl && this._data.attribution) {
        map.attributionControl.removeAttribution(this._data.attribution);
      }
      L.FeatureGroup.prototype.onRemove.call(this, map);
    },

    _build: function () {
      var data = this._data, pane = this.options.pane, scale = data.scale || 1000;
      var land = (data.land || []).map(function (rings) {
        return rings.map(function (ring) { return decodeRing(ring, scale); });
      });
      if (land.length) {
        this.addLayer(L.polygon(land, L.extend({
          pane: pane, interactive: false, renderer: L.canvas({pane: pane}), smoothFactor: 0.5
        }, this.options.land)));
      }
      if (this.options.labels) {
        for (var i = 0; i < (data.labels || []).length; i++) {
          var label = data.labels[i];
          var text = create('span', null, label[0]);
          this.addLayer(L.marker([label[1], label[2]], {
            pane: pane, interactive: false, keyboard: false,
            icon: L.divIcon({className: 'storymap-country-label', html: text, iconSize: null})
          }));
        }
      }
      this._built = true;
    }
  });

  // @factory L.storymap.basemap(data: Object, options?: Basemap options)
  ns.basemap = function (data, options) {
    return new ns.Basemap(data, options);
  };

}(L));
