// legend.js: L.storymap.Legend, the map's key.
(function (L) {
  'use strict';
  var ns = L.storymap;
  if (!ns || ns.Legend) {
    return;
  }
  var u = ns.util, create = u.create, swatch = u.swatch;
  // Colours reach CSS only when they look like colours (they come from Python, checked there too).
  var COLOR = /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,30}|(rgb|hsl)a?\([0-9\s.,%a-z]{1,60}\))$/;

  function color(value) {
    return typeof value === 'string' && COLOR.test(value) ? value : 'transparent';
  }

  function percent(value) {
    return Math.max(0, Math.min(100, 100 * (+value || 0))) + '%';
  }

  // A colour bar: key.colors at key.stops (fractions; for a stepped bar, the edges of its
  // segments), with key.ticks [[fraction, label], ...] under it.
  function ramp(key, parent) {
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
      label.style.position = 'absolute';
      label.style.whiteSpace = 'nowrap';
      label.style.fontSize = '0.75rem';
      label.style.left = percent(tick[0]);
      label.style.transform = 'translateX(' + (i === 0 && tick[0] <= 0.01 ? '0' :
        i === list.length - 1 && tick[0] >= 0.99 ? '-100%' : '-50%') + ')';
    });
  }

  // Rows of swatches and labels: classes with their ranges, or categories.
  function classes(items, shape, parent) {
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
      create('span', 'storymap-legend-label', item.label, row);
    });
    return list;
  }

  // The key to a layer coloured by a column: its caption, then a colour bar or rows.
  function key(item, parent) {
    var k = item.key, box = create('div', 'storymap-legend-key', null, parent);
    box.style.flexBasis = '100%';
    box.style.marginLeft = '26px';
    if (k.caption) {
      create('div', 'storymap-legend-caption', k.caption, box).style.fontWeight = '600';
    }
    if (k.type === 'ramp') {
      ramp(k, box);
      if (k.missing) {
        classes([k.missing], k.shape || item.shape, box);
      }
    } else {
      classes(k.items || [], k.shape || item.shape, box);
    }
    return box;
  }

  // @class Legend
  // A map control listing what each symbol means; items are {label, shape, style}.
  ns.Legend = L.Control.extend({
    options: {
      // @option position: String = 'bottomright'
      position: 'bottomright',
      // @option title: String = 'Legend'
      title: 'Legend',
      // @option collapsed: Boolean = false
      // Start closed (phones).
      collapsed: false
    },

    initialize: function (items, options) {
      L.setOptions(this, options);
      this._items = (items || []).slice();
      this._labels = [];
    },

    onAdd: function (map) {
      var box = create('details', 'storymap-legend leaflet-control');
      box.open = !this.options.collapsed;
      this._title = create('summary', 'storymap-legend-title', this.options.title, box);
      this._list = create('ul', 'storymap-legend-list', null, box);
      this._items.forEach(this._addRow, this);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      L.DomEvent.on(box, 'toggle', this._fit, this);  // (the controls around it may have changed)
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

    // @method addItem(item: Object): this
    // Adds a row {label, shape, style, name?, kind?, key?} to the legend (`name`: a layer's, see
    // setActive; `kind`: a kind of place's, see showKinds). A `key` explains the colours of
    // a layer coloured by a column: {type: 'ramp', caption, colors, stops, stepped, ticks, missing?}
    // (a colour bar) or {type: 'classes', caption, items: [{label, color}]} (classes or
    // categories).
    addItem: function (item) {
      this._items.push(item);
      if (this._list) {
        this._addRow(item);
      }
      return this;
    },

    // @method setActive(name: String, on: Boolean): this
    // Hides the row of the named layer while it is off the map.
    setActive: function (name, on) {
      var row = this._rows && this._rows[name];
      if (row) {
        row.hidden = !on;
        row[on ? 'removeAttribute' : 'setAttribute']('data-off', '');
        this._empty();
      }
      return this;
    },

    // @method showKinds(kinds: Array): this
    // Shows the rows of these kinds of place (those a step shows) and hides the other kinds'.
    showKinds: function (kinds) {
      var rows = this._kinds || {};
      for (var kind in rows) {
        if (Object.prototype.hasOwnProperty.call(rows, kind)) {
          rows[kind].hidden = kinds.indexOf(kind) < 0;
        }
      }
      this._empty();
      return this;
    },

    // A legend with nothing to show is not shown.
    _empty: function () {
      var box = this.getContainer();
      if (box) {
        box.hidden = !Array.prototype.some.call(this._list.children, function (row) { return !row.hidden; });
      }
    },

    // @method setTexts(title: String, labels: String[]): this
    // Renames the legend and its first rows (another language).
    setTexts: function (title, labels) {
      this.options.title = title;
      if (this._title) {
        this._title.textContent = title;
      }
      labels.forEach(function (label, i) {
        if (this._items[i]) {
          this._items[i].label = label;
        }
        if (this._labels[i]) {
          this._labels[i].textContent = label;
        }
      }, this);
      return this;
    },

    _addRow: function (item) {
      var row = create('li', 'storymap-legend-item', null, this._list);
      swatch(item.shape, item.style || {}, row, item.symbol);
      this._labels.push(create('span', 'storymap-legend-label', item.label, row));
      if (item.key) {
        row.style.flexWrap = 'wrap';
        key(item, row);
        this._keyed = true;
        this._fit();
      }
      if (item.name) {
        row.setAttribute('data-layer', item.name);
        (this._rows = this._rows || Object.create(null))[item.name] = row;
      }
      if (item.kind) {
        row.setAttribute('data-kind', item.kind);
        (this._kinds = this._kinds || Object.create(null))[item.kind] = row;
      }
    }
  });

}(L));
