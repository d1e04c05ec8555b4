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

    onAdd: function () {
      var box = create('details', 'storymap-legend leaflet-control');
      box.open = !this.options.collapsed;
      this._title = create('summary', 'storymap-legend-title', this.options.title, box);
      this._list = create('ul', 'storymap-legend-list', null, box);
      this._items.forEach(this._addRow, this);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
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
        if (u.has(rows, kind)) {
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

    _addRow: function (item) {
      var row = create('li', 'storymap-legend-item', null, this._list);
      swatch(item.shape, item.style || {}, row, item.symbol);
      this._labels.push(create('span', 'storymap-legend-label', item.label, row));
      if (item.name) {
        row.setAttribute('data-layer', item.name);
        (this._rows = this._rows || Object.create(null))[item.name] = row;
      }
      if (item.kind) {
        row.setAttribute('data-kind', item.kind);
        (this._kinds = this._kinds || Object.create(null))[item.kind] = row;
      }
      return row;
    }
  });

}(L));
