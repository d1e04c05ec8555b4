// i18n.js: the interface in the page's language (every page), and the hooks of languages.js, the
// switch between a story's languages (in pages that hold more than one).
(function (L) {
  'use strict';
  var ns = L.storymap;
  if (!ns || !ns.Story || ns.Story.prototype._t) {
    return;
  }
  var each = function (list, fn) {
    Array.prototype.forEach.call(list, fn);
  };

  ns.Story.include({
    // Reads the interface strings; with languages.js, also the other languages.
    _initLanguages: function () {
      var i18n = this._config.i18n || {};
      // @property language: String
      // The language shown (a BCP 47 tag, one of the story's).
      this.language = this._rendered = i18n.lang || this.root.lang;
      this._ui = i18n.ui || {};
      this.map.on('popupopen', this._labelControls, this);
      if (this._initSwitch) {
        this._initSwitch(i18n);
      }
    },

    // Labels the map's own controls and opens the language the URL asks for (?lang=es).
    _startLanguage: function () {
      var wanted = storymapBoot.askedLang();
      this._labelControls();
      if (wanted) {
        this.setLanguage(wanted, {history: false});
      }
    },

    // @method setLanguage(lang: String, options?: Object): this
    // Shows the story in another of its languages, at the same step; other tags are ignored (so is
    // every tag in a page of one language). With options.history false the URL's ?lang= is left as it is.
    setLanguage: function () {
      return this;
    },

    // Leaflet's own controls and the attributions, in the language shown.
    _labelControls: function () {
      var self = this, map = this.map, box = map.getContainer(), control = map.attributionControl;
      [['control-zoom-in', 'zoom.in'], ['control-zoom-out', 'zoom.out'], ['popup-close-button', 'popup.close']]
        .forEach(function (c) {
          each(box.querySelectorAll('.leaflet-' + c[0]), function (button) {
            button.setAttribute('aria-label', self._t(c[1]));
            if (button.title) {
              button.title = self._t(c[1]);
            }
          });
        });
      // The scale in miles too for a reader in English only (its second line): kilometres alone
      // in every other language.
      var lines = box.querySelectorAll('.leaflet-control-scale-line'), scale = map.scaleControl;
      if (lines.length === 2) {
        lines[1].style.display = /^en(-|$)/i.test(this.language || '') ? '' : 'none';
      }
      if (scale) {  // (its lengths as the language writes them)
        scale.options.words = (this._ui[this.language] || this._ui[this._rendered] || {}).scale;
        if (map._loaded) {
          scale._update();
        }
      }
      if (!control) {
        return;
      }
      if (typeof control.options.prefix === 'string') {
        control.setPrefix(control.options.prefix.replace(/title="[^"]*"/, 'title="' + this._t('attribution.leaflet') + '"'));
      }
      // A layer's attribution follows the language: [layer, its holder of `attribution`, key].
      [[this.layers[this._config.tiles], 'options', 'attribution.tiles'],
        [this.layers.Basemap, '_data', 'attribution.basemap']].forEach(function (a) {
        var holder = a[0] && a[0][a[1]], now = holder && holder.attribution, next = self._t(a[2]);
        if (now && next && now !== next) {
          var on = map.hasLayer(a[0]);
          if (on) {
            control.removeAttribution(now);
          }
          holder.attribution = next;
          if (on) {
            control.addAttribution(next);
          }
        }
      });
    },

    // An interface string in the language shown, its {placeholders} filled in.
    _t: function (key, params) {
      var text = (this._ui[this.language] || this._ui[this._rendered] || {})[key] || '';
      return text.replace(/\{([a-z_]+)\}/g, function (whole, name) {
        return params && params[name] !== undefined ? String(params[name]) : whole;
      });
    }
  });
}(L));
