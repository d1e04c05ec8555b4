// markers.js: in the legend, a layer of markers (a folium Marker's group, a GeoJson of points, a
// MarkerCluster) shows what its markers look like on the map: its first marker's own icon
// (Leaflet's pin, a CustomIcon's image, a DivIcon), or a cluster as Leaflet.markercluster draws
// one, not a generic dot; and the story's labels keep clear of such markers. Only in pages with
// such a layer (storymap/assets.py: SCRIPT_FEATURES).
(function (L) {
  'use strict';
  var ns = L.storymap;
  if (!ns || !ns.Legend || !ns.Story || ns.Legend.prototype._markerRow) {
    return;
  }
  var W = 18, H = 20;  // (px: the swatch's box, as wide as a line's or an area's, as high as a row's text)

  // The first of `test`'s layers in `layer` and its groups, depth first.
  function find(layer, test) {
    var found = test(layer) ? layer : null;
    if (!found && layer.eachLayer) {
      layer.eachLayer(function (child) {
        found = found || find(child, test);
      });
    }
    return found;
  }

  // [icon, whether it is a cluster's]: the icon a cluster layer draws for a cluster of two of its
  // markers (its own iconCreateFunction, else the plugin's), else the first marker's.
  function icon(layer) {
    var group = find(layer, function (l) { return !!l._defaultIconCreateFunction; });
    var marker = find(layer, function (l) { return l instanceof L.Marker; });
    if (group) {
      var make = group.options.iconCreateFunction || group._defaultIconCreateFunction;
      return [make.call(group, {getChildCount: function () { return 2; },
        getAllChildMarkers: function () { return marker ? [marker] : []; }}), true];
    }
    return [marker && marker.options.icon, false];
  }

  var addRow = ns.Legend.prototype._addRow;
  ns.Legend.include({
    _markerRow: true,
    _addRow: function (item) {
      var row = addRow.call(this, item), node = null, made, size;
      if (item.shape === 'marker' && item.layer) {
        try {
          made = icon(item.layer);
          node = made[0] && made[0].createIcon();
          size = L.point(made[0].options.iconSize || [12, 12]);
        } catch (e) {
          node = null;  // (a plugin's own icon function that needs more of a cluster: the dot stays)
        }
      }
      if (node) {
        var box = L.DomUtil.create('span', 'storymap-swatch storymap-swatch--marker');
        box.setAttribute('aria-hidden', 'true');
        L.extend(box.style, {position: 'relative', display: 'inline-block', width: W + 'px', height: H + 'px',
          border: '0', background: 'none', flex: 'none'});
        var scale = Math.min(1, W / Math.max(size.x, 1), H / Math.max(size.y, 1));
        L.extend(node.style, {position: 'absolute', left: (W - size.x * scale) / 2 + 'px',
          top: (H - size.y * scale) / 2 + 'px', margin: '0', width: size.x + 'px', height: size.y + 'px',
          transform: 'scale(' + scale + ')', transformOrigin: '0 0', pointerEvents: 'none'});
        node.removeAttribute('tabindex');
        if (made[1]) {  // (a cluster's count is no part of the row's text: "2Cluster")
          Array.prototype.forEach.call(node.querySelectorAll('*'), function (e) {
            if (!e.children.length) {
              e.textContent = '';
            }
          });
        }
        box.appendChild(node);
        row.replaceChild(box, row.firstChild);
      }
      return row;
    }
  });

  // The story's labels keep clear of these markers (a folium Marker's pin, a cluster), as of the
  // map's controls: where they are placed in the view shown, each marker's icon on the map (not
  // storymap's own: a place's symbol, a route's arrow) is one more obstacle. (Not where a step's
  // view is chosen: the markers are not yet where that view puts them.)
  var Story = ns.Story, place = Story.prototype._placeLabels, obstacles = Story.prototype._obstacles;
  var MARKERS = ',.leaflet-marker-pane .leaflet-marker-icon:not(.storymap-symbol):not(.storymap-arrow)';
  Story.include({
    _placeLabels: function () {
      this._aroundMarkers = true;
      try {
        return place.call(this);
      } finally {
        this._aroundMarkers = false;
      }
    },

    _obstacles: function () {
      return obstacles.call(this, this._aroundMarkers ? MARKERS : '');
    }
  });
}(L));
