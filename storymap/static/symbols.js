// symbols.js: points drawn as symbols other than circles (squares, diamonds, triangles, stars),
// on the map (L.storymap.SymbolMarker) and in swatches. Only in pages where some kind of place
// draws one (storymap/assets.py: SCRIPT_FEATURES); static/symbols.css holds their rules.
(function (L) {
  'use strict';
  var ns = L.storymap;
  if (!ns || ns.SymbolMarker) {
    return;
  }

  var SVG = 'http://www.w3.org/2000/svg';

  // The outline of a point symbol of radius r centred on (0, 0), as SVG path data.
  function symbolPath(symbol, r) {
    var pts;
    if (symbol === 'square') {
      r *= 0.9;
      pts = [[-r, -r], [r, -r], [r, r], [-r, r]];
    } else if (symbol === 'diamond') {
      r *= 1.2;
      pts = [[0, -r], [r, 0], [0, r], [-r, 0]];
    } else if (symbol === 'triangle') {
      r *= 1.25;
      pts = [[0, -r], [r * 0.866, r * 0.5], [-r * 0.866, r * 0.5]];
    } else if (symbol === 'star') {
      r *= 1.3;
      pts = [];
      for (var i = 0; i < 10; i++) {
        var a = Math.PI / 5 * i - Math.PI / 2, d = i % 2 ? r * 0.45 : r;
        pts.push([Math.cos(a) * d, Math.sin(a) * d]);
      }
    } else {
      return 'M' + (-r) + ',0a' + r + ',' + r + ' 0 1,0 ' + (2 * r) + ',0a' + r + ',' + r + ' 0 1,0 ' + (-2 * r) + ',0Z';
    }
    return 'M' + pts.map(function (p) { return p[0].toFixed(2) + ',' + p[1].toFixed(2); }).join('L') + 'Z';
  }

  // The larger side of a symbol of radius 1 (symbolPath) and how far above its centre the middle
  // of its box lies (its point is its centre; a swatch centres its box). A square counts as wide
  // as a circle: one as wide as the box would weigh more.
  var SPAN = {diamond: 2.4, triangle: 2.165, star: 2.472}, RISE = {triangle: 0.3125, star: 0.124};

  // An <svg> drawing one point symbol in a path style (Leaflet's option names); with `size` (a
  // swatch's, in pixels), the symbol as large as the box holds with its stroke.
  function symbolSvg(symbol, style, size) {
    var r = style.radius || 7, w = style.weight === undefined ? 2 : style.weight;
    var half = size ? size / 2 : Math.ceil(r * 1.35 + w);
    r = size ? Math.max(4, 2 * half - w - 2) / (SPAN[symbol] || 2) : r;
    var svg = document.createElementNS(SVG, 'svg'), top = -half - (size ? (RISE[symbol] || 0) * r : 0);
    svg.setAttribute('width', String(2 * half));
    svg.setAttribute('height', String(2 * half));
    svg.setAttribute('viewBox', (-half) + ' ' + top.toFixed(2) + ' ' + (2 * half) + ' ' + (2 * half));
    svg.setAttribute('aria-hidden', 'true');
    var path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', symbolPath(symbol, r));
    svg.appendChild(path);
    paintSymbol(svg, style);
    return svg;
  }

  function paintSymbol(svg, style) {
    var path = svg.firstChild;
    path.setAttribute('fill', style.fillColor || style.color || '#3388ff');
    path.setAttribute('fill-opacity', String(style.fillOpacity === undefined ? 1 : style.fillOpacity));
    path.setAttribute('stroke', style.color || '#ffffff');
    path.setAttribute('stroke-opacity', String(style.opacity === undefined ? 1 : style.opacity));
    path.setAttribute('stroke-width', String(style.weight === undefined ? 2 : style.weight));
    if (style.dashArray) {
      path.setAttribute('stroke-dasharray', style.dashArray);
    } else {
      path.removeAttribute('stroke-dasharray');
    }
  }

  // @class SymbolMarker
  // A point drawn as a symbol (square, diamond, triangle, star) that takes path options like a
  // CircleMarker does: setStyle and bringToFront work alike, so places of any kind are styled
  // the same way.
  ns.SymbolMarker = L.Marker.extend({
    initialize: function (latlng, style, symbol) {
      this._style = L.extend({}, style);
      this._svg = symbolSvg(symbol, this._style);
      var size = Number(this._svg.getAttribute('width'));
      L.Marker.prototype.initialize.call(this, latlng, {
        icon: L.divIcon({className: 'storymap-symbol', html: this._svg, iconSize: [size, size]}),
        keyboard: false, pane: 'markerPane'
      });
    },

    // @method setStyle(style: Path options): this
    setStyle: function (style) {
      L.extend(this._style, style);
      paintSymbol(this._svg, this._style);
      return this;
    },

    // @method bringToFront(): this
    bringToFront: function () {
      return this.setZIndexOffset(1000);
    }
  });

  // A swatch's symbol (storymap.js: swatch), as large as its box holds, its stroke at most 2 px.
  ns.util.symbol = function (node, symbol, style) {
    node.className += ' storymap-swatch--symbol';
    node.appendChild(symbolSvg(symbol, L.extend({}, style, {weight: Math.min(style.weight || 0, 2)}), 18));
  };
}(L));
