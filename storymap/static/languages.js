// languages.js: a story in several languages (only in pages that hold more than one). The page's
// texts are swapped by storymapBoot.languages (static/boot-languages.js: the templates, the
// numbering and the swap, plain DOM); this is the story's side: the buttons, the language in the
// URL, the texts the story writes itself, and the document's language; and what only a change of
// language needs of the labels (rename), the legend (setTexts) and the basemap (setLang).
(function (L) {
  'use strict';
  var ns = L.storymap;
  if (!ns || !ns.Story || ns.Story.prototype._initSwitch) {
    return;
  }
  var each = function (list, fn) {
    Array.prototype.forEach.call(list, fn);
  };
  var api = storymapBoot.languages;
  // An element's `dir`: set, or (for none) removed.
  var setDir = function (el, dir) {
    if (dir) {
      el.setAttribute('dir', dir);
    } else {
      el.removeAttribute('dir');
    }
  };

  ns.Story.include({
    // Numbers the marked elements and reads the other languages' templates; runs before any place
    // card is copied, so that copies carry their element's number.
    _initSwitch: function (i18n) {
      var self = this, root = this.root, opened = api.opened(root);
      this._langs = (i18n.langs || []).map(function (l) { return l[0]; });
      this._dirs = i18n.dirs || {};
      this._legendTexts = i18n.legend || {};
      this._legendTexts[this.language] = (this._config.legend || []).map(function (item) { return item.label; });
      // The page's marked elements, then those of the place cards in the story's <noscript>
      // article (story.js reads the cards from there): numbered by boot-languages.js when the page
      // opened in another language (whose texts are in), else here.
      var marks = api.marks(root, this._articleDoc());
      var given = opened ? opened.given : api.number(marks);
      // Each other language's texts, taken into the document when first shown.
      this._templates = api.templates(root);
      this._stores = {};
      if (opened) {
        this._stores[opened.lang] = opened.store;
        this._swapped = opened.lang;
      }
      var doc = document.documentElement, page = opened ? opened.page :
        {lang: doc.lang, dir: doc.getAttribute('dir'), title: document.title};
      var rootDir = opened ? opened.dir : root.getAttribute('dir');
      var group = root.querySelector('.storymap-langs');
      this._langButtons = group ? Array.prototype.slice.call(group.querySelectorAll('[data-lang]')) : [];
      this._langButtons.forEach(function (button) {
        self._listen(button, 'click', function () {
          self.setLanguage(button.getAttribute('data-lang'));
        });
      });
      if (group) {
        group.hidden = false;
      }
      // Back to a step the reader saw before changing the language: the language stays theirs,
      // and the address says it again (it lost ?lang=, and a reload opened the page's own).
      this._listen(window, 'popstate', function () {
        self._langInURL(self.language);
      });
      this._disposers.push(function () {
        self._swap(self._swapped);
        root.lang = self._rendered;
        setDir(root, rootDir);
        each(marks, function (node, i) {
          node.setAttribute('data-i18n', given[i]);
        });
        if (self._ownsDocument) {
          doc.lang = page.lang;
          setDir(doc, page.dir);
          document.title = page.title;
        }
        if (group) {
          group.hidden = true;
        }
      });
    },

    // The address says the language shown (?lang=, none for the page's own), in a page that keeps
    // its step there.
    _langInURL: function (lang) {
      if (!/^(push|replace)$/.test(this.options.hash)) {
        return;
      }
      try {
        var url = new URL(window.location.href), was = url.href;
        if (lang === this._rendered) {
          url.searchParams.delete('lang');  // (a second argument would delete only that value)
        } else {
          url.searchParams.set('lang', lang);
        }
        if (url.href !== was) {
          window.history.replaceState(window.history.state, '', url.href);
        }
      } catch (e) { /* an opaque URL: the language is not kept in it */ }
    },

    // One of the story's languages: the tag given (in any case), else one of its primary language.
    _matchLanguage: function (tag) {
      // (None for a story in one language that started before another story's script brought
      // this file to the page they share.)
      return this._langs ? api.match(this._langs, tag) : null;
    },

    // Story#setLanguage (see i18n.js) in a page of several languages.
    setLanguage: function (lang, options) {
      lang = this._matchLanguage(lang);
      if (!lang || lang === this.language || this._destroyed) {
        return this;
      }
      var swapped = lang === this._rendered ? null : lang;
      if (swapped !== (this._swapped || null)) {  // (a page opened in `lang` has its texts in)
        this._swap(this._swapped);
        this._swapped = swapped;
        this._swap(swapped);
      }
      this.language = this.root.lang = lang;
      // A right-to-left language turns the story's text (and a page of its own) right to left;
      // the root always says which (a fragment's host page may be written the other way).
      var dir = this._dirs[lang] || 'ltr', turned = dir !== this.root.getAttribute('dir');
      this.root.setAttribute('dir', dir);
      this._readTexts();
      this._setTitle();
      if (this._ownsDocument) {
        document.documentElement.lang = lang;
        setDir(document.documentElement, this._dirs[lang]);
      }
      this._langButtons.forEach(function (button) {
        button.setAttribute('aria-pressed', String(button.getAttribute('data-lang') === lang));
      });
      this._labelControls();
      if (this._sheetToggle) {
        this.setCollapsed(this._sheetToggle.getAttribute('aria-expanded') === 'false');
      }
      var data = this._config.steps[this.index];
      if (data) {
        this._showText(this.index, data);
        this._relabel();
        if (turned && this._built) {  // (the panel changed sides: the step's places fit the other side)
          this._fit(data, false);
        }
      }
      if ((options || {}).history !== false) {
        this._langInURL(lang);
      }
      // @event language: Event
      // Fired on the Story (and as a bubbling `storymap:language` DOM CustomEvent on the root
      // element) when the language changes; detail {lang}.
      this.fire('language', {lang: lang});
      this.root.dispatchEvent(new CustomEvent('storymap:language', {bubbles: true, detail: {lang: lang}}));
      return this;
    },

    // A language's store: its template's entries, imported once (they then hold, swapped out, the
    // texts the page showed before).
    _store: function (lang) {
      var own = function (o) { return ns.util.has(o, lang); };
      if (!own(this._stores) && own(this._templates)) {
        this._stores[lang] = document.importNode(this._templates[lang].content, true);
      }
      return own(this._stores) ? this._stores[lang] : null;
    },

    // Exchanges the page's marked elements with the entries of a language's store.
    _swap: function (lang) {
      var root = this.root, store = lang && this._store(lang), byMark = {};
      if (!store) {
        return;
      }
      // The marked elements by number (an element and the copies made of it), found in one pass;
      // one gone with an element whose content was swapped is left.
      each(root.querySelectorAll('[data-i18n]'), function (node) {
        var k = node.getAttribute('data-i18n');
        (byMark[k] = byMark[k] || []).push(node);
      });
      api.swap(store, function (k) {
        return (byMark[k] || []).filter(function (node) { return root.contains(node); });
      });
    },

    // The texts the story writes itself, read from the page in the language now shown.
    _readTexts: function () {
      var config = this._config, steps = this.steps, cards = this._cards || {}, basemap = this.layers.Basemap;
      this._sections.forEach(function (section, i) {
        var title = section.querySelector('.storymap-step-title'), about = section.querySelector('.storymap-onmap-text');
        config.steps[i].title = steps[i].title = title.textContent;
        if (about) {
          config.steps[i].description = about.textContent;
        }
      });
      config.places.forEach(function (place) {
        var name = cards[place.id] && cards[place.id].querySelector('.storymap-place-name [data-i18n]');
        place.name = name ? name.textContent : place.name;
      });
      var labels = this._legendTexts[this.language] || [];
      if (!this._legend) {  // (made later, in this language: story.js takes its kinds' rows from the config)
        (config.legend || []).forEach(function (row, i) {
          row.label = labels[i] || row.label;
        });
      } else {
        this._legend.setTexts(this._t('legend.title'), labels, this.language);
        var rows = this._legend._rows || {};
        this._overlays.forEach(function (o) {  // (a layer added from Python with its name in each language)
          if (o.names && rows[o.name]) {
            rows[o.name].querySelector('.storymap-legend-label').textContent = o.names[this.language];
          }
        }, this);
      }
      if (basemap && basemap.setLang) {
        basemap.setLang(this.language);
      }
    },

    // The places' names changed (another language): new labels, placed again.
    _relabel: function () {
      if (!this._built) {
        return;
      }
      var names = {};
      this._config.places.forEach(function (place) { names[place.id] = place.name; });
      this._labelTexts();
      this._labels.rename(names).show(this._config.steps[this.index].places);
      this._placeLabels();
    }
  });

  ns.Labels.include({
    // @method rename(names: Object): this
    // New names for places ({id: name}, in another language); call show() after.
    rename: function (names) {
      for (var id in names) {
        var p = this._places[id];
        if (p && ns.util.has(names, id) && p.name !== names[id]) {
          p.name = names[id];
          this._drop(p);
        }
      }
      return this;
    }
  });

  ns.Legend.include({
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
    }
  });

  ns.Basemap.include({
    // @method setLang(lang: String): this
    // Names the countries in another of the data's `langs`.
    setLang: function (lang) {
      this.options.lang = lang;
      (this._names || []).forEach(function (pair) {
        this._name(pair[0], pair[1]);
      }, this);
      return this;
    }
  });
}(L));
