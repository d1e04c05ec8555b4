// legend.js: L.storymap.Legend, the map's key.
(function (L) {
  'use strict';
  var ns = L.storymap;
  if (!ns || ns.Legend) {
    return;
  }
  var u = ns.util, create = u.create, swatch = u.swatch;

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
      collapsed: false,
      // @option lang: String = ''
      // The language the texts of layers' keys are shown in (storymap-layers.js).
      lang: ''
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
    // (a colour bar) or {type: 'classes', caption, items: [{label, color, labels?}]} (classes or
    // categories; `labels`: a class range's label in each of the page's languages, shown in the
    // legend's `lang`). Keys are drawn in pages with layers added from Python (storymap-layers.js).
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

    // @method setTexts(title: String, labels: String[], lang?: String): this
    // Renames the legend and its first rows, and shows the layers' keys in `lang` (another
    // language).
    setTexts: function (title, labels, lang) {
      this.options.title = title;
      if (lang && this._relabel) {
        this._relabel(lang);
      }
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
      if (item.key && this._key) {  // (storymap-layers.js: pages with layers added from Python)
        row.style.flexWrap = 'wrap';
        this._key(item, row);
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
