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
      collapsed: false
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
    // Adds a row {label, shape, style} to the legend.
    addItem: function (item) {
      this._items.push(item);
      if (this._list) {
        this._addRow(item);
      }
      return this;
    },

    // @method setActive(name: String, on: Boolean): this
    // Dims the row of the named layer while it is off the map.
    setActive: function (name, on) {
      var row = this._rows && this._rows[name];
      if (row) {
        row.style.opacity = on ? '' : '0.45';
        row[on ? 'removeAttribute' : 'setAttribute']('data-off', '');
      }
      return this;
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
      if (item.name) {
        row.setAttribute('data-layer', item.name);
        (this._rows = this._rows || Object.create(null))[item.name] = row;
      }
    }
  });

}(L));
