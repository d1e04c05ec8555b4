// storymap.js: a story told place by place on a Leaflet 1.9 map.
// Adds one namespace, L.storymap, and no other global. Text reaches the page only through
// textContent or through nodes already in the page (rendered and sanitized at build time).
(function (L) {
  'use strict';
  if (!L || L.storymap) {
    return;
  }

  var ns = L.storymap = {version: '0.1.0'};

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

  function decodeRing(packed, scale) {
    var out = [], x = 0, y = 0;
    for (var i = 0; i + 1 < packed.length; i += 2) {
      x += packed[i];
      y += packed[i + 1];
      out.push([y / scale, x / scale]);
    }
    return out;
  }

  function geometryShape(geometry) {
    var type = geometry && geometry.type;
    if (type === 'Point' || type === 'MultiPoint') {
      return 'point';
    }
    if (type === 'Polygon' || type === 'MultiPolygon') {
      return 'area';
    }
    return 'line';
  }

  // A swatch for the legend: a dot, a line or a filled square in a layer's style.
  function swatch(shape, style, parent) {
    var node = create('span', 'storymap-swatch storymap-swatch--' + shape, null, parent);
    node.setAttribute('aria-hidden', 'true');
    var color = style.color || '#3388ff';
    if (shape === 'point') {
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

  // Finds the story root a script belongs to: the element just before the script, else the
  // first unclaimed root with that id. A root whose id is already on the page (the same fragment
  // pasted twice) gets a fresh id, and the ids it uses inside follow.
  ns.claim = function (script, id) {
    var root = script && script.previousElementSibling;
    if (!root || !root.hasAttribute('data-storymap') || root.hasAttribute('data-storymap-claimed')) {
      root = null;
      var all = document.querySelectorAll('[data-storymap]');
      for (var i = 0; i < all.length && !root; i++) {
        if (all[i].id === id && !all[i].hasAttribute('data-storymap-claimed')) {
          root = all[i];
        }
      }
    }
    if (!root) {
      throw new Error('storymap: no element with id ' + id);
    }
    root.setAttribute('data-storymap-claimed', '');
    var twins = document.querySelectorAll('[id="' + root.id + '"]');
    if (twins.length > 1 && twins[0] !== root) {
      var old = root.id, fresh = old + '-' + twins.length;
      var rename = function (value) { return value.split(old).join(fresh); };
      root.id = fresh;
      var inner = root.querySelectorAll('[id], [aria-labelledby], [aria-describedby], [aria-controls], [for]');
      Array.prototype.forEach.call(inner, function (node) {
        ['id', 'aria-labelledby', 'aria-describedby', 'aria-controls', 'for'].forEach(function (name) {
          if (node.hasAttribute(name)) {
            node.setAttribute(name, rename(node.getAttribute(name)));
          }
        });
      });
    }
    return root;
  };

  // Window events are bound with addEventListener, not L.DomEvent, which would leave an
  // expando property on window.
  function framed() {
    try {
      return window.self !== window.top;
    } catch (e) {
      return true;
    }
  }

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


  // Shared helpers for the other component files (internal, not part of the public API).
  ns.util = {create: create, reducedMotion: reducedMotion, decodeRing: decodeRing,
    geometryShape: geometryShape, swatch: swatch, framed: framed};
}(L));
