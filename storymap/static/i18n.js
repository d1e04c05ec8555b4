// i18n.js: the story in each of its languages (Story#setLanguage).
// The page is rendered in one language; each other one is a <template data-lang> in the story's root
// holding an entry <div data-k="N" [attributes] [data-c]>content</div> for each element marked
// data-i18n (the N-th, in document order) whose attributes or content differ (storymap/i18n.py).
// Showing a language swaps its entries with the page's elements: a swap is its own inverse, so the
// entries then hold the texts they replaced. Nothing here writes HTML: nodes move between the
// page and the templates' (inert, build-time sanitized) content, and texts go in as textContent.
(function (L) {
  'use strict';
  var ns = L.storymap;
  if (!ns || !ns.Story || ns.Story.prototype.setLanguage) {
    return;
  }

  function lower(tag) {
    return String(tag || '').toLowerCase();
  }

  ns.Story.include({
    // Numbers the marked elements, reads the other languages' templates and shows the switch.
    // Runs before any place card is copied, so that copies carry their element's number.
    _initLanguages: function () {
      var self = this, root = this.root, i18n = this._config.i18n || {};
      // @property language: String
      // The language shown (a BCP 47 tag, one of the story's).
      this.language = this._rendered = i18n.lang || root.lang || 'en';
      this._ui = i18n.ui || {};
      this._langs = (i18n.langs || [[this.language, this.language]]).map(function (l) { return l[0]; });
      this._legendTexts = i18n.legend || {};
      this._legendTexts[this.language] = (this._config.legend || []).map(function (item) { return item.label; });
      this._swapped = null;
      var marks = root.querySelectorAll('[data-i18n]'), given = [];
      Array.prototype.forEach.call(marks, function (node, i) {
        given.push(node.getAttribute('data-i18n'));
        node.setAttribute('data-i18n', String(i));
      });
      this._stores = {};
      Array.prototype.forEach.call(root.querySelectorAll('template[data-lang]'), function (template) {
        self._stores[template.getAttribute('data-lang')] = document.importNode(template.content, true);
      });
      var doc = document.documentElement, docLang = doc.lang, docTitle = document.title;
      var page = this._config.mode !== 'fragment' && !!root.closest('body.storymap-page');
      this._ownsDocument = page;
      this._disposers.push(function () {
        if (self._swapped) {
          self._swap(self._swapped);
        }
        root.lang = self._rendered;
        Array.prototype.forEach.call(marks, function (node, i) {
          node.setAttribute('data-i18n', given[i]);
        });
        if (page) {
          doc.lang = docLang;
          document.title = docTitle;
        }
      });
      var group = root.querySelector('.storymap-langs');
      if (group && this._langs.length > 1) {
        this._langButtons = Array.prototype.slice.call(group.querySelectorAll('[data-lang]'));
        this._langButtons.forEach(function (button) {
          self._listen(button, 'click', function () {
            self.setLanguage(button.getAttribute('data-lang'));
          });
        });
        group.hidden = false;
        this._disposers.push(function () { group.hidden = true; });
      }
      this.map.on('popupopen', function (e) {
        var close = e.popup.getElement() && e.popup.getElement().querySelector('.leaflet-popup-close-button');
        if (close) {
          close.setAttribute('aria-label', self._t('popup.close'));
        }
      });
    },

    // Opens the language the URL asks for (?lang=es), and labels the map's own controls.
    _startLanguage: function () {
      var wanted = null;
      try {
        wanted = new URLSearchParams(window.location.search).get('lang');
      } catch (e) { /* no URLSearchParams */ }
      this._labelControls();
      var lang = this._matchLanguage(wanted);
      if (lang && lang !== this.language) {
        this.setLanguage(lang, {history: false});
      }
    },

    // The story's language that a tag names: the same tag (any case), else the same primary language.
    _matchLanguage: function (tag) {
      var langs = this._langs || [], want = lower(tag), i;
      if (!want) {
        return null;
      }
      for (i = 0; i < langs.length; i++) {
        if (lower(langs[i]) === want) {
          return langs[i];
        }
      }
      for (i = 0; i < langs.length; i++) {
        if (lower(langs[i]).split('-')[0] === want.split('-')[0]) {
          return langs[i];
        }
      }
      return null;
    },

    // @method setLanguage(lang: String, options?: Object): this
    // Shows the story in another of its languages, at the same step. Unknown languages are ignored.
    // options.history: false leaves the URL's ?lang= as it is.
    setLanguage: function (lang, options) {
      options = options || {};
      lang = this._matchLanguage(lang);
      if (!lang || lang === this.language || this._destroyed) {
        return this;
      }
      if (this._swapped) {
        this._swap(this._swapped);
        this._swapped = null;
      }
      if (lang !== this._rendered) {
        this._swap(lang);
        this._swapped = lang;
      }
      this.language = lang;
      this.root.lang = lang;
      this._readTexts();
      if (this._ownsDocument) {
        document.documentElement.lang = lang;
        var title = this.root.querySelector('.storymap-title');
        if (title) {
          document.title = title.textContent;
        }
      }
      (this._langButtons || []).forEach(function (button) {
        button.setAttribute('aria-pressed', button.getAttribute('data-lang') === lang ? 'true' : 'false');
      });
      this._labelControls();
      if (this._sheetToggle) {
        this.setCollapsed(this._sheetToggle.getAttribute('aria-expanded') === 'false');
      }
      if (this.index >= 0) {
        var data = this._config.steps[this.index];
        this._showText(this.index, data);
        this._highlight(data);
        this._declutter();
      }
      if (options.history !== false) {
        this._writeLanguage(lang);
      }
      // @event language: Event
      // Fired on the Story (and as a bubbling `storymap:language` DOM CustomEvent on the root
      // element) when the language changes; detail {lang}.
      this.fire('language', {lang: lang});
      this.root.dispatchEvent(new CustomEvent('storymap:language', {bubbles: true, detail: {lang: lang}}));
      return this;
    },

    // Exchanges the page's marked elements with the entries of a language's store.
    _swap: function (lang) {
      var store = this._stores[lang], root = this.root;
      if (!store) {
        return;
      }
      Array.prototype.forEach.call(store.children, function (entry) {
        var targets = root.querySelectorAll('[data-i18n="' + entry.getAttribute('data-k') + '"]');
        var first = targets[0], i;
        if (!first) {
          return;
        }
        var names = Array.prototype.map.call(entry.attributes, function (a) { return a.name; });
        names.forEach(function (name) {
          if (name === 'data-k' || name === 'data-c') {
            return;
          }
          var value = entry.getAttribute(name), old = first.getAttribute(name);
          for (i = 0; i < targets.length; i++) {
            targets[i].setAttribute(name, value);
          }
          if (old === null) {
            entry.removeAttribute(name);
          } else {
            entry.setAttribute(name, old);
          }
        });
        if (entry.hasAttribute('data-c')) {
          var incoming = document.createDocumentFragment();
          while (entry.firstChild) {
            incoming.appendChild(entry.firstChild);
          }
          while (first.firstChild) {
            entry.appendChild(first.firstChild);
          }
          for (i = 1; i < targets.length; i++) {
            targets[i].textContent = '';
            targets[i].appendChild(incoming.cloneNode(true));
          }
          first.appendChild(incoming);
        }
      });
    },

    // The texts the story writes itself, read from the page in the language now shown.
    _readTexts: function () {
      var config = this._config, steps = this.steps, cards = this._cards || {};
      this._sections.forEach(function (section, i) {
        var title = section.querySelector('.storymap-step-title');
        var description = section.querySelector('.storymap-onmap-text');
        if (title && config.steps[i]) {
          config.steps[i].title = steps[i].title = title.textContent;
        }
        if (description && config.steps[i]) {
          config.steps[i].description = description.textContent;
        }
      });
      config.places.forEach(function (place) {
        var name = cards[place.id] && cards[place.id].querySelector('.storymap-place-name [data-i18n]');
        if (name) {
          place.name = name.textContent;
        }
      });
      if (this._legend && this._legend.setTexts) {
        this._legend.setTexts(this._t('legend.title'), this._legendTexts[this.language] || []);
      }
      var basemap = this.layers.Basemap;
      if (basemap && basemap.setLang) {
        basemap.setLang(this.language);
      }
    },

    // Leaflet's own controls and the attributions, in the language shown.
    _labelControls: function () {
      var map = this.map, self = this, container = map.getContainer();
      [['.leaflet-control-zoom-in', 'zoom.in'], ['.leaflet-control-zoom-out', 'zoom.out']].forEach(function (c) {
        var button = container.querySelector(c[0]);
        if (button) {
          button.setAttribute('title', self._t(c[1]));
          button.setAttribute('aria-label', self._t(c[1]));
        }
      });
      var close = container.querySelector('.leaflet-popup-close-button');
      if (close) {
        close.setAttribute('aria-label', this._t('popup.close'));
      }
      var control = map.attributionControl;
      if (!control) {
        return;
      }
      if (typeof control.options.prefix === 'string' && this._t('attribution.leaflet')) {
        control.setPrefix(control.options.prefix.replace(/title="[^"]*"/, 'title="' + this._t('attribution.leaflet') + '"'));
      }
      var retext = function (layer, get, set, key) {
        var now = layer && get(layer), next = self._t(key);
        if (!layer || !now || !next || now === next) {
          return;
        }
        var on = map.hasLayer(layer);
        if (on) {
          control.removeAttribution(now);
        }
        set(layer, next);
        if (on) {
          control.addAttribution(next);
        }
      };
      retext(this.layers[this._config.tiles], function (l) { return l.options.attribution; },
        function (l, text) { l.options.attribution = text; }, 'attribution.tiles');
      retext(this.layers.Basemap, function (l) { return l._data && l._data.attribution; },
        function (l, text) { l._data.attribution = text; }, 'attribution.basemap');
    },

    // The URL keeps the language (a page or its iframe; a fragment never changes its host's URL).
    _writeLanguage: function (lang) {
      var hash = this.options.hash;
      if (hash !== 'push' && hash !== 'replace') {
        return;
      }
      try {
        var url = new URL(window.location.href);
        if (lang === this._rendered) {
          url.searchParams.delete('lang');
        } else {
          url.searchParams.set('lang', lang);
        }
        window.history.replaceState(window.history.state, '', url.href);
      } catch (e) { /* an opaque or unusual URL: the language just is not kept */ }
    },

    // An interface string in the language shown, its {placeholders} filled in.
    _t: function (key, params) {
      var ui = this._ui || {}, text = (ui[this.language] || ui[this._rendered] || {})[key];
      if (typeof text !== 'string') {
        return '';
      }
      return text.replace(/\{([a-z_]+)\}/g, function (whole, name) {
        return params && params[name] !== undefined ? String(params[name]) : whole;
      });
    }
  });
}(L));
