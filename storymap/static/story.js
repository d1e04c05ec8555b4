// story.js: L.storymap.Story, the reader's way through the steps.
(function (L) {
  'use strict';
  var ns = L.storymap;
  if (!ns || ns.Story) {
    return;
  }
  var u = ns.util, create = u.create, swatch = u.swatch, reducedMotion = u.reducedMotion, framed = u.framed;
  var max = Math.max, min = Math.min;  // (each a letter in the page: 55 calls, 0.4 KB)
  function rect(node) {  // (one letter too: 12 calls)
    return node.getBoundingClientRect();
  }
  function part(node, name) {  // (the element of class storymap-NAME in node: 11 calls)
    return node.querySelector('.storymap-' + name);
  }
  // The heights (px) a story in an iframe reports to its parent (storymap/embed.py clamps alike).
  var MIN_HEIGHT = 320, MAX_HEIGHT = 4000;
  var MOVING = 'data-storymap-moving';  // (on the root while the map moves to a step's view)

  var findNodes = storymapBoot.findNodes, showText = storymapBoot.showText, hashId = storymapBoot.hashId;

  // @class Story
  // Steps a reader through the story: shows one step's text, fits the map to its places,
  // highlights them and keeps the step in the URL hash.
  // A slot already showing a step's narrative (the page's copy, or boot.js's) keeps its nodes: the
  // article's marks (data-i18n, for a change of language) are copied onto them, so that the text
  // already laid out is not laid out again. False (nothing changed) where the two differ.
  function marked(slot, narrative, marks) {
    var shown = slot.getElementsByTagName('*'), given = narrative.getElementsByTagName('*');
    if (!slot.firstChild || shown.length !== given.length || slot.textContent !== narrative.textContent) {
      return false;
    }
    for (var i = 0; i < shown.length; i++) {
      if (shown[i].tagName !== given[i].tagName) {
        return false;
      }
    }
    [[slot, narrative]].concat(Array.prototype.map.call(shown, function (node, j) { return [node, given[j]]; }))
      .forEach(function (pair) {
        var mark = pair[1].getAttribute('data-i18n');
        if (mark !== null && pair[0].getAttribute('data-i18n') !== mark) {
          pair[0].setAttribute('data-i18n', mark);
          marks.push(pair[0]);
        }
      });
    return true;
  }

  ns.Story = L.Evented.extend({
    options: {
      // @option hash: String = 'push'
      // How the URL hash (#step-id) follows the story: 'push' (a page: Back and Forward move
      // between steps), 'replace' (in an iframe: no history entries), 'read' (a fragment: a
      // deep link is followed, the host's URL is never changed) or 'off'.
      hash: 'push',
      // @option keyboard: String = 'document'
      // Where ←/→/Home/End are heard: 'document' (a page) or 'root' (a fragment in a host page).
      keyboard: 'document',
      // @option layout: String = 'slides'
      // 'slides' (one step at a time, Previous/Next) or 'scroll' (sections scroll past a sticky map).
      layout: 'slides',
      // @option messages: Boolean = false
      // Talk to the parent window (set automatically inside an iframe): post storymap:step and
      // storymap:height, accept storymap:goto.
      messages: false,
      // @option padding: Number = 24
      // Pixels kept clear around a step's places, in addition to the panel.
      padding: 24,
      // @option maxZoom: Number = 11
      // Never zoom in further than this when fitting a step's places.
      maxZoom: 11,
      // @option duration: Number = 0.9
      // Seconds a step change flies for (views jump with prefers-reduced-motion).
      duration: 0.9,
      // @option dim: Number = 0.3
      // Opacity factor of the places not shown by the current step.
      dim: 0.3
    },

    initialize: function (root, map, config, layers) {
      var inFrame = framed();
      L.setOptions(this, config.mode === 'fragment' ? {hash: 'read', keyboard: 'root'} :
        inFrame ? {hash: 'replace', messages: true} : {});
      L.setOptions(this, L.extend({layout: config.layout || 'slides'}, config.options || {}));
      this._scrolls = this.options.layout === 'scroll';
      L.DomUtil.addClass(root, config.mode === 'fragment' ? 'storymap--fragment' :
        inFrame ? 'storymap--framed' : 'storymap--page');
      // @property ready: Boolean
      // Whether the story has drawn its first step's map (a `ready` event fires when it has). The
      // text shows and the API works from the start; the map is built after the text has painted.
      this.ready = false;
      this.root = root;
      this.map = map;
      this._config = config;
      // Each place's geometry as GeoJSON; a point's label goes on the point.
      config.places.forEach(function (place) {
        var g = place.geometry = ns.util.geometry(place.geometry, config.scale);
        if (!place.labels) {
          place.labels = g && g.type === 'Point' ? [[g.coordinates[1], g.coordinates[0]]] : [];
        }
      });
      // Everything the story adds outside its own DOM nodes (listeners on window, document and
      // the page's elements, observers, timers) is registered here and taken back by destroy().
      this._disposers = [];
      this._classes = [config.mode === 'fragment' ? 'storymap--fragment' : inFrame ? 'storymap--framed' :
        'storymap--page'];
      this._findNodes();
      // Each step's id, title and places are in its section (its data-step, its heading, its list's
      // data-places): read from there (the page does not carry them twice).
      this._sections.forEach(function (section, i) {
        var step = config.steps[i], list = section.querySelector('[data-places]');
        step.id = section.getAttribute('data-step');
        step.title = part(section, 'step-title').textContent;
        step.places = list ? list.getAttribute('data-places').split(' ').filter(Boolean) : [];
      });
      // @property steps: Array
      // [{id, title, latLngBounds}] of every step, latLngBounds [[south, west], [north, east]] of its
      // places (Leaflet's order; longitudes in the story's frame, which may pass ±180).
      this.steps = config.steps.map(function (s) {
        return {id: s.id, title: s.title, latLngBounds: s.latLngBounds};
      });
      // @property index: Number
      // The current step.
      this.index = -1;
      // @property layers: Object
      // {name: Leaflet layer} of every named layer on the map (each an own property, whatever its
      // name: a layer named '__proto__' is a layer, not the object's prototype).
      this.layers = {};
      Object.keys(layers || {}).forEach(function (name) { this._setLayer(name, layers[name]); }, this);

      this._overlays = config.overlays || [];
      // @property timeline: Timeline
      // The marks of the dated steps (see timeline.js); null when the page has no timeline.
      this.timeline = ns.Timeline ? new ns.Timeline(this) : null;
      this._bind();
      // Whether the story is the page (not a fragment in a host's page, whose title and language
      // are the host's): its title then names the step shown.
      this._ownsDocument = config.mode !== 'fragment' && !!root.closest('body.storymap-page');
      this._initLanguages();
      // The text's own parts (each step's narrative and place cards, from the page's article) are
      // in before the first paint; the map's wait for it.
      this._placeCards();
      this._startLanguage();
      if (this._watchPrint) {
        this._watchPrint();  // print.js
      }
      // @property root: HTMLElement
      // The story's root element; `root.storymap` is this story until destroy().
      root.storymap = this;
      // Until the first step's map is drawn, the story counts as moving (see `ready`).
      root.setAttribute(MOVING, '');
      // A page opened without a #step shows the first step, and its URL stays as it is: it means
      // that step already (and a document's first history write costs several ms of its load).
      var start = this._indexFromHash();
      this.goTo(start >= 0 ? start : 0, {history: window.location.hash ? 'replace' : 'none', animate: false,
        scroll: start >= 0});
      if (this._scrolls) {
        // The page scrolls the story: the wheel and a finger on the map must scroll it too.
        map.scrollWheelZoom.disable();
        if (L.Browser.touch) {
          map.dragging.disable();
        }
      } else if (config.mode === 'fragment' || inFrame) {
        this._cooperate(map);
      }
      // The basemap is built once the first step's view is set (its shapes are projected once).
      this._basemaps().forEach(function (layer) { layer.hold(); });
      // The rest (the map's build, in a task of its own) waits for the text's first paint.
      var build = L.bind(this._buildMap, this);
      this._disposers.push(root.storymapPainted ? u.nextTask(build) : u.afterPaint(build));
    },

    // Embedded in an article (a fragment, an iframe), the map lets the article scroll as any of its
    // parts does: the wheel scrolls the article, and zooms the map only with Ctrl (⌘ on a Mac; a
    // trackpad's pinch sends it too), a hint over the map says so; on a phone or a tablet one finger
    // scrolls the article, two pan and zoom the map. (The buttons and the keyboard zoom as ever.)
    _cooperate: function (map) {
      var self = this, wheel = map.scrollWheelZoom, container = map.getContainer(), hint = null, hide = null;
      var mac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent || '');
      if (L.Browser.mobile) {
        map.dragging.disable();
      }
      wheel.disable();
      var onWheel = function (e) {
        // (Before Leaflet's own listener, on the way down: with the handler off, Leaflet never hears
        // the wheel and the browser scrolls the article. Not passive: the browser waits for it, so
        // that a wheel with Ctrl is the map's alone.)
        if (e.ctrlKey || e.metaKey) {
          e.preventDefault();  // (neither the article nor the browser's own zoom: the map's)
          wheel.enable();
          return;
        }
        wheel.disable();
        if (!hint) {
          hint = L.DomUtil.create('div', 'storymap-wheel-hint', container);
          hint.setAttribute('aria-hidden', 'true');
        }
        hint.textContent = self._t('map.wheel', {key: mac ? '\u2318' : 'Ctrl'});
        // (The words in the part of the map the panel and the controls leave free.)
        var free = self._free(), size = map.getSize();
        hint.style.padding = max(0, free.t) + 'px ' + max(0, size.x - free.r) + 'px ' +
          max(0, size.y - free.b) + 'px ' + max(0, free.l) + 'px';
        L.DomUtil.addClass(hint, 'storymap-wheel-hint--shown');
        clearTimeout(hide);
        hide = setTimeout(function () {
          L.DomUtil.removeClass(hint, 'storymap-wheel-hint--shown');
        }, 1200);
      };
      container.addEventListener('wheel', onWheel, {capture: true, passive: false});
      this._disposers.push(function () {
        container.removeEventListener('wheel', onWheel, {capture: true});
        clearTimeout(hide);
        if (hint) {
          L.DomUtil.remove(hint);
        }
      });
    },

    // The map's part of the story: places, labels, legend, tiles, the first step's view.
    _buildMap: function () {
      var map = this.map, config = this._config;
      if (this.options.messages) {
        this._talkToParent();
      }
      this._buildPlaces();
      // On a phone (upright or on its side), or beside the panel on a narrow map (a tablet held
      // upright, an embed in an article's column), the legend starts closed, a small button.
      var free = this._free();
      var legend = {collapsed: this.root.clientWidth <= 640 || map.getContainer().clientHeight <= 500 ||
        free.r - free.l < 480, lang: this.language};
      var title = this._t('legend.title');  // (in the page's language)
      if (title) {
        legend.title = title;
      }
      var kinds = config.kinds || {};
      var rows = (config.legend || []).map(function (row) {  // (a kind's row: the kind's shape and style)
        var kind = kinds[row.kind] || {};
        return L.extend({shape: kind.geometry, style: kind.style, symbol: kind.symbol}, row);
      });
      this._legend = new ns.Legend(rows, legend).addTo(map);
      this._overlays.forEach(function (o) {
        this._legend.addItem({label: o.names ? o.names[this.language] : o.name, shape: o.shape, style: o.style,
          name: o.name, key: o.key, layer: this.layers[o.name]});
      }, this);
      this._bindMap();
      if (this._scrolls) {
        this._watchScroll();  // (scroll.js)
      }
      this._built = true;
      this._creditTiles();
      // The first step's view is set before the places are added: they are projected once, in
      // that view, not first in the map's initial one. (The tiles come once the story is ready.)
      this._show(config.steps[this.index], false);
      this._placesGroup.addTo(map);
      this._basemaps().forEach(function (layer) { layer.release(); });
      this._whenDrawn();
    },

    // The embedded basemaps on the map.
    _basemaps: function () {
      var map = this.map, found = [];
      for (var name in this.layers) {
        var layer = this.layers[name];
        if (ns.Basemap && layer instanceof ns.Basemap && map.hasLayer(layer)) {
          found.push(layer);
        }
      }
      return found;
    },

    // Ready once the basemap (drawn in a task of its own) is built too: in that task.
    _whenDrawn: function () {
      var self = this, waiting = null;
      this._basemaps().forEach(function (layer) {
        if (!layer.isLoaded()) {
          waiting = layer;
        }
      });
      if (!waiting) {
        this._ready();
        return;
      }
      var loaded = function () { self._ready(); };
      waiting.once('load', loaded);
      this._disposers.push(function () { waiting.off('load', loaded); });
    },

    _ready: function () {
      if (this.ready || this._destroyed) {
        return;
      }
      this.ready = true;
      // (A reader who went to another step meanwhile: its view's end places them.)
      if (!this._moving) {
        this._labelsInView();
      }
      // The opening step's cards, and online the tiles, asked for in the view the story opens on:
      // once its drawn map has painted (the embedded basemap shows until they come).
      this._disposers.push(u.afterPaint(L.bind(function () {
        this._listPlaces(this.index);
        this._tiles(this._tileLayer());
      }, this)));
      this._settle();
      this.fire('ready');
      // @event ready: Event
      // Fired on the Story (and as a bubbling `storymap:ready` DOM event on the root element) once
      // the first step's map is drawn.
      this.root.dispatchEvent(new CustomEvent('storymap:ready', {bubbles: true}));
    },

    // The root stops counting as moving once the story is ready and no view change is pending.
    _settle: function () {
      if (this.ready && !this._moving) {
        this.root.removeAttribute(MOVING);
      }
    },

    // @method goTo(step: Number|String, options?: Object): this
    // Shows a step by index or id. Unknown steps are ignored.
    goTo: function (step, options) {
      if (this._destroyed) {
        return this;
      }
      options = options || {};
      var i = typeof step === 'number' ? step : this._indexOf(step);
      if (typeof i !== 'number' || isNaN(i) || i < 0 || i >= this.steps.length || i !== Math.floor(i)) {
        return this;
      }
      var changed = i !== this.index, first = this.index < 0;
      this.index = i;
      var data = this._config.steps[i];
      this._showText(i, data, first);
      if (this._built) {
        this._show(data, options.animate !== false && !reducedMotion());
      }
      if (this._scrolls && options.scroll !== false) {
        this._scrollTo(i);  // (scroll.js)
      } else if (options.scroll && this.options.hash === 'read') {
        // A fragment sent to a step by the host's URL (a shared link, a link in the article)
        // comes into view: the article above it may be long.
        this.root.scrollIntoView();
      }
      var hash = this.options.hash;
      if ((hash === 'push' || hash === 'replace') && options.history !== 'none') {
        this._writeHash(data.id, hash === 'replace' || options.history === 'replace' || !changed);
      }
      this._setTitle();  // (after the address: the history's new entry takes the step's title)
      if (changed) {
        var detail = {index: i, id: data.id, title: data.title};
        // @event step: Event
        // Fired on the Story (and as a bubbling `storymap:step` DOM CustomEvent on the root
        // element) whenever the current step changes; detail {index, id, title}.
        this.fire('step', detail);
        this.root.dispatchEvent(new CustomEvent('storymap:step', {bubbles: true, detail: detail}));
      }
      return this;
    },

    // @method next(): this
    next: function () {
      return this.goTo(min(this.index + 1, this.steps.length - 1));
    },

    // @method prev(): this
    prev: function () {
      return this.goTo(max(this.index - 1, 0));
    },

    // @method destroy(): this
    // Takes back everything the story added: its listeners on window, document and the page's
    // elements, its observers and timers, the Leaflet map and the nodes it made; the server-rendered
    // markup is left as it was before the story started (a host may then remove it, or start the
    // story again from a fresh copy). Safe to call twice.
    destroy: function () {
      if (this._destroyed) {
        return this;
      }
      // @event destroy: Event
      // Fired on the Story (and as `storymap:destroy` on the root element) before it is taken down.
      this.fire('destroy');
      this.root.dispatchEvent(new CustomEvent('storymap:destroy', {bubbles: true}));
      this._destroyed = true;
      // (The page's title is the story's, as served; in a page of several languages, languages.js's
      // disposer then gives back the one the page had before the story started.)
      this._setTitle(true);
      var undo = this._disposers.splice(0);
      for (var i = undo.length - 1; i >= 0; i--) {
        try {
          undo[i]();
        } catch (e) { /* a node already gone from the page */ }
      }
      var map = this.map, box = map.getContainer(), on = [];
      // (The layers go first, each once: a host's keys on Object.prototype make Leaflet's own loop
      // in remove() walk a copy of its list, which keeps a group's members after the group went.)
      map.eachLayer(function (layer) {
        on.push(layer);
      });
      on.forEach(function (layer) {
        if (map.hasLayer(layer)) {
          map.removeLayer(layer);
        }
      });
      map.remove();
      // (Leaflet leaves its classes and its Tab stop on the emptied element: the markup as served.)
      box.className = box.className.replace(/(^|\s)leaflet-\S+/g, '').trim();
      box.removeAttribute('tabindex');
      this.off();
      var root = this.root;
      this._sections.forEach(function (section) {
        section.hidden = false;
        section.removeAttribute('aria-current');
        L.DomUtil.removeClass(section, 'storymap-step--current');
      });
      this._classes.concat(['storymap--first', 'storymap--collapsed']).forEach(function (c) {
        L.DomUtil.removeClass(root, c);
      });
      ['data-storymap-index', MOVING, 'data-storymap-claimed'].forEach(function (name) {
        root.removeAttribute(name);
      });
      if (root.storymap === this) {
        delete root.storymap;
      }
      return this;
    },

    // Adds a DOM listener that destroy() removes.
    _listen: function (target, type, fn, options) {
      target.addEventListener(type, fn, options || false);
      this._disposers.push(function () {
        target.removeEventListener(type, fn, options || false);
      });
      return fn;
    },

    _setLayer: function (name, layer) {
      Object.defineProperty(this.layers, String(name), {value: layer, enumerable: true, writable: true,
        configurable: true});
    },

    // A setTimeout that destroy() clears; at 0 ms, the next task (not a timer, which the browser
    // holds back 4 ms when timers are nested deep).
    _later: function (fn, ms) {
      var id = ms ? setTimeout(fn, ms) : null;
      this._disposers.push(id === null ? u.nextTask(fn) : function () {
        clearTimeout(id);
      });
    },

    // @method addLegendItem(item: Object): this
    // Adds {label, shape, style} to the legend.
    addLegendItem: function (item) {
      if (this._legend) {
        this._legend.addItem(item);
      } else {
        this._config.legend = (this._config.legend || []).concat([item]);
      }
      return this;
    },

    // @method padding(): Object
    // The room that fitting the current step keeps clear at the map's edges, for the text panel,
    // the legend and the zoom buttons: {tl, br} (Points, px), before its labels are counted.
    padding: function () {
      return this._stepPadding(this._config.steps[this.index] || {});
    },

    // The padding of a step's view (`future`: as it will be in a view given by its centre).
    _stepPadding: function (data, future) {
      var view = data.view || {}, box = view.boundsLatLng || data.latLngBounds;
      var at = future && view.centerLatLng && view.zoom !== undefined ? {center: view.centerLatLng, zoom: view.zoom} : null;
      return box ? this._paddingFor(L.latLngBounds(box), at) : this._padding();
    },

    // @method showView(view: Object, options?: Object): this
    // Shows the current step in another view, {centerLatLng, zoom} or {boundsLatLng} (Leaflet's
    // order), fitted as a step's `view` is, then places the labels. Options: maxZoom (caps a
    // bounds view), animate (default false).
    showView: function (view, options) {
      options = options || {};
      var data = L.extend({}, this._config.steps[this.index], {view: view || null});
      if (options.maxZoom) {
        data.maxZoom = options.maxZoom;
      }
      if (this._built) {
        this._fit(data, !!options.animate && !reducedMotion());
      }
      return this;
    },

    // @method labels(): Array
    // The current step's labels as placed: [{ids, names, text, shown, leader, left, top, right,
    // bottom}], boxes in page pixels (null where a label cannot show). Places close together may
    // share a label; a label put off its place has a leader line.
    labels: function () {
      return this._labels ? this._labels.labels() : [];
    },

    // A step's map: its places lit and labelled, its layers and legend rows, its view.
    _show: function (data, animate) {
      var kinds = [];
      data.places.forEach(function (id) {
        var entry = this._places[id];
        if (entry && kinds.indexOf(entry.data.kind) < 0) {
          kinds.push(entry.data.kind);
        }
      }, this);
      // (The layers and the legend's rows first: the labels' measuring then lays the page out
      // once, and the fit finds it laid out.)
      this._showOverlays(data.id, data.time);
      this._legend.showKinds(kinds);
      this._highlight(data);
      this._fit(data, animate);
    },

    // Layers added from Python show on their steps only (on every step when `steps` is null); a
    // layer with times shows the features of the step's time (all of them at an undated step).
    _showOverlays: function (id, time) {
      var map = this.map;
      this._overlays.forEach(function (o) {
        var own = u.has(this.layers, o.name);
        var layer = own ? this.layers[o.name] : null, on = !o.steps || o.steps.indexOf(id) >= 0;
        if (layer && o.time && layer.setTime) {
          layer.setTime(time ? time.days : null);
        }
        if (layer && on !== map.hasLayer(layer)) {
          map[on ? 'addLayer' : 'removeLayer'](layer);
        }
        this._legend.setActive(o.name, on);
      }, this);
    },

    // A page of its own is titled by the step shown, then the story (the browser's tab, its history's
    // entries, a link shared from it): 'The old harbour – Two harbours'; the first step and
    // the page as a whole (`whole`: printed, every step on paper) by the story's title alone.
    _setTitle: function (whole) {
      if (this._ownsDocument) {
        var story = part(this.root, 'title').textContent, i = this.index;
        document.title = i > 0 && !whole ? this.steps[i].title + ' – ' + story : story;
      }
    },

    _indexOf: function (id) {
      for (var i = 0; i < this.steps.length; i++) {
        if (this.steps[i].id === id) {
          return i;
        }
      }
      return -1;
    },

    _indexFromHash: function () {
      if (this.options.hash === 'off' || !window.location.hash) {
        return -1;
      }
      return this._indexOf(hashId());  // ('' for a hash that does not decode: no step)
    },

    _writeHash: function (id, replace) {
      var hash = '#' + encodeURIComponent(id);
      if (window.location.hash === hash) {
        return;
      }
      try {
        window.history[replace ? 'replaceState' : 'pushState'](null, '', hash);
      } catch (e) {
        window.location.hash = hash;
      }
    },

    _findNodes: function () {
      var n = this._nodes = findNodes(this.root);
      this._panel = n.panel;
      this._scroller = n.scroller;
      this._sections = n.sections;
      this._prevButton = n.prev;
      this._nextButton = n.next;
      this._bar = n.bar;
      this._live = n.live;
      this._mapDescription = n.mapDescription;
      this._skip = n.skip;
      this._sheetToggle = n.sheetToggle;
    },

    _bind: function () {
      var self = this;
      this._listen(this._prevButton, 'click', function () { self.prev(); });
      this._listen(this._nextButton, 'click', function () { self.next(); });
      var scope = this.options.keyboard === 'root' ? this.root : document;
      this._listen(scope, 'keydown', L.bind(this._onKey, this));
      // Space activates Leaflet's link-buttons (zoom) as it does real buttons.
      this._listen(this.root, 'keydown', function (e) {
        var t = e.target;
        if ((e.key === ' ' || e.key === 'Spacebar') && t && t.tagName === 'A' && t.getAttribute('role') === 'button') {
          e.preventDefault();
          t.click();
        }
      });
      if (this._skip) {
        this._listen(this._skip, 'click', function (e) {
          e.preventDefault();
          self.setCollapsed(false);  // (on a phone with the story text hidden, shows it first)
          self._focusStep();
        });
      }
      if (this._sheetToggle) {
        this._listen(this._sheetToggle, 'click', function () {
          self.setCollapsed(self._sheetToggle.getAttribute('aria-expanded') === 'true');
        });
      }
      this._bindSwipe();
      this._newTabLinks();
      if (this.options.hash !== 'off') {
        var onHash = L.bind(this._onHash, this);
        this._listen(window, 'hashchange', onHash);
        this._listen(window, 'popstate', onHash);
      }
    },

    _bindMap: function () {
      var self = this;
      // (Before ready, the opening view's labels wait for _ready: placed there once, with the
      // basemap's labels to give way.)
      this.on('viewend', function () {
        if (this.ready) {
          this._labelsInView();
        }
      }, this);
      this.map.on('moveend', function () {
        if (!self._moving) {
          self._placeLabels();
        }
      });
      // Every popup (a place's, a layer's, a folium element's) opens in the free part of the map:
      // its padding is set as it is added, before Leaflet pans the map for it.
      var map = this.map, add = map.addLayer;
      map.addLayer = function (layer) {
        if (layer instanceof L.Popup) {
          self._popupRoom(layer);
        }
        return add.apply(this, arguments);
      };
      this._disposers.push(function () { delete map.addLayer; });
      // Focus in a popup (Tab from the map after a click): Escape closes the popup (_onKey), and
      // closing it (Escape, its ×) gives the focus back to the map, not to the page's body.
      var pane = map.getPane('popupPane'), had;
      this._listen(pane, 'focusin', function () { had = 1; });
      map.on('popupclose', function () {
        var a = document.activeElement;
        if (had && (a === document.body || pane.contains(a))) {
          map.getContainer().focus();
        }
        had = 0;
      });
      var refit = L.Util.throttle(function () {
        if (self.index >= 0 && !self._destroyed) {
          self._labels.measure();
          self._fit(self._config.steps[self.index], false);
        }
      }, 250);
      this.map.on('resize', refit);
      // (A font that comes later, a host's web font: the labels measured again, the view kept.)
      if (document.fonts) {
        this._listen(document.fonts, 'loadingdone', function () {
          self._labels.measure();
          self._placeLabels();
        });
      }
    },

    _tileLayer: function () {
      var tiles = this._config.tiles;
      return u.has(this.layers, tiles) ? this.layers[tiles] : null;
    },

    // Online, the tiles' credit joins the attribution before the first view is fitted (the tiles
    // come once that view is drawn): on a phone it makes the attribution two lines, and the
    // second would cover places fitted above the first.
    _creditTiles: function () {
      var layer = this._tileLayer(), control = this.map.attributionControl;
      var credit = layer && control && navigator.onLine !== false && layer.getAttribution();
      if (credit) {
        control.addAttribution(credit);
        var taken = false;
        this._tileCredit = function () {  // (once: the layer's own credit takes over, see _tiles)
          if (!taken) {
            taken = true;
            control.removeAttribution(credit);
          }
        };
        this._disposers.push(this._tileCredit);
      }
    },

    // The tile layer is added only while the browser is online: offline, the embedded basemap
    // shows and no tile request fails.
    _tiles: function (layer) {
      if (!layer) {
        return;
      }
      var map = this.map;
      var sync = function () {
        if (navigator.onLine === false) {
          map.removeLayer(layer);
        } else if (!map.hasLayer(layer)) {
          map.addLayer(layer);
        }
      };
      sync();
      if (this._tileCredit) {  // (the layer's own credit now, or none offline)
        this._tileCredit();
      }
      this._listen(window, 'online', sync);
      this._listen(window, 'offline', sync);
    },

    // Inside an iframe: tell the parent the current step and the height the story needs.
    // Only the origins the story was given (config.origins: its allowed_origins) hear its steps'
    // titles and may send {type: 'storymap:goto', step}; without one, any parent learns the step's
    // id and the height (no text) and nobody drives the story. A parent the browser names
    // (location.ancestorOrigins) that is not among them is treated as any other parent.
    _talkToParent: function () {
      var self = this, parent = window.parent, root = this.root;
      var origins = (this._config.origins || []).filter(function (o) { return typeof o === 'string'; });
      var known = window.location.ancestorOrigins;
      if (known && known.length && origins.indexOf(known[0]) < 0) {
        origins = [];
      }
      var post = function (message) {
        if (origins.length) {
          origins.forEach(function (origin) { parent.postMessage(message, origin); });
        } else {
          parent.postMessage(message, '*');
        }
      };
      var step = function (i) {
        var message = {type: 'storymap:step', id: self.steps[i].id, index: i};
        if (origins.length) {
          message.title = self.steps[i].title;
        }
        post(message);
      };
      this.on('step', function (e) { step(e.index); });
      step(this.index);
      var last = 0;
      var height = function () {
        var h = self._scrolls ?
          Math.round(max(480, min(960, (window.screen.availHeight || 800) * 0.85))) :
          Math.ceil(rect(root).height);
        h = min(MAX_HEIGHT, max(MIN_HEIGHT, h));
        if (h !== last) {
          last = h;
          post({type: 'storymap:height', height: h});
        }
      };
      if (window.ResizeObserver) {
        var resized = new ResizeObserver(height);
        resized.observe(root);
        this._disposers.push(function () { resized.disconnect(); });
      }
      this._listen(window, 'resize', height);
      height();
      this._listen(window, 'message', function (event) {
        var data = event.data;
        if (event.source !== parent || origins.indexOf(event.origin) < 0 || !data || typeof data !== 'object' ||
            data.type !== 'storymap:goto') {
          return;
        }
        if (typeof data.step === 'string' || (typeof data.step === 'number' && isFinite(data.step))) {
          self.goTo(data.step);
        }
      });
    },

    // Links open in a new tab, never in the story's frame or over a host page: those the page was
    // built with say so already; this catches the ones Leaflet and folium elements write (the
    // attribution, popups) at the moment they are followed.
    _newTabLinks: function () {
      this._listen(this.root, 'click', function (e) {
        var link = e.target && e.target.closest ? e.target.closest('a[href]') : null;
        if (link && /^(https?:|mailto:)/i.test(link.getAttribute('href'))) {
          link.setAttribute('target', '_blank');
          link.setAttribute('rel', 'noreferrer');
        }
      }, true);
    },

    // @method setCollapsed(collapsed: Boolean): this
    // On narrow screens, shrinks the story text to its navigation bar (or restores it) and
    // gives the map the room.
    setCollapsed: function (collapsed) {
      var toggle = this._sheetToggle;
      L.DomUtil[collapsed ? 'addClass' : 'removeClass'](this.root, 'storymap--collapsed');
      if (toggle) {
        toggle.setAttribute('aria-expanded', collapsed ? 'false' : 'true');
        part(toggle, 'sheet-label').textContent = this._t(collapsed ? 'sheet.show' : 'sheet.hide');
      }
      this.map.invalidateSize({pan: false});
      return this;
    },

    // Moves focus to the current step's heading (the skip link's target); with `stay`, without
    // scrolling it into view (the story has scrolled to the step).
    _focusStep: function (stay) {
      var section = this._sections[this.index];
      var heading = section && part(section, 'step-title');
      if (heading) {
        heading.focus({preventScroll: !!stay});
      }
    },

    // Slides: a horizontal swipe on the story text steps (left: next, right: previous).
    _bindSwipe: function () {
      var self = this, panel = this._panel, start = null;
      if (!panel || this.options.layout !== 'slides') {
        return;
      }
      this._listen(panel, 'touchstart', function (e) {
        var t = e.changedTouches[0];
        start = e.touches.length === 1 ? {x: t.clientX, y: t.clientY, time: Date.now()} : null;
      }, {passive: true});
      this._listen(panel, 'touchend', function (e) {
        if (!start) {
          return;
        }
        var t = e.changedTouches[0], dx = t.clientX - start.x, dy = t.clientY - start.y;
        var quick = Date.now() - start.time < 800;
        start = null;
        if (quick && Math.abs(dx) > 50 && Math.abs(dx) > 2 * Math.abs(dy)) {
          if (dx < 0) {
            self.next();
          } else {
            self.prev();
          }
        }
      }, {passive: true});
    },

    _onHash: function () {
      // (Back to the page's first entry, opened without a #step, is back to the first step.)
      var i = !window.location.hash && this.options.hash === 'push' ? 0 : this._indexFromHash();
      if (i >= 0 && i !== this.index) {
        this.goTo(i, {history: 'none', scroll: true});
      }
    },

    _onKey: function (e) {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) {
        return;
      }
      var target = e.target;
      if (target && target.nodeType === 1) {
        var tag = target.tagName;
        if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable) {
          return;
        }
        if (this.map.getContainer().contains(target)) {
          if (e.key === 'Escape') {
            this.map.closePopup();
          }
          return;
        }
        // On the text itself (a reader who clicked it, or came by the skip link to the step's
        // heading), not on one of its controls, Home and End go to its top and its end, as in any
        // text, rather than to the first and the last step. (The panel does not scroll itself: the
        // step's box, or the phone's sheet, does. In the scroll layout, where the page is the text,
        // they go to the first and the last step, which are its top and its end.)
        if ((e.key === 'Home' || e.key === 'End') && !this._scrolls &&
            (target === this._panel || target === this._scroller || /^H\d$/.test(tag))) {
          e.preventDefault();
          [this._scroller, this._panel].forEach(function (box) {
            if (box) {
              box.scrollTop = e.key === 'Home' ? 0 : box.scrollHeight;
            }
          });
          return;
        }
      }
      var last = this.steps.length - 1, on = 1;
      if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
        // (A story written right to left goes on to the left.)
        on = window.getComputedStyle(this._panel || this.root).direction === 'rtl' ? -1 : 1;
      }
      var to = {ArrowRight: this.index + on, ArrowLeft: this.index - on, Home: 0, End: last}[e.key];
      if (to === undefined) {
        return;
      }
      e.preventDefault();
      this.goTo(max(0, min(last, to)));
    },

    _showText: function (i, data, first) {
      var scroll = this._scrolls, focused = document.activeElement;
      // The new step's text starts at its top. (Reset before the text changes: the layout is then
      // still the last frame's, not laid out again just for this.)
      if (!scroll && this._scroller && !first) {
        this._scroller.scrollTop = 0;
        this._panel.scrollTop = 0;
      }
      // (The opening step's cards, below its narrative, come in the task after the map is ready.)
      if (!first || this.ready) {
        this._listPlaces(i);
      }
      showText(this.root, this._nodes, i, scroll);
      // Focus on what the step change hid (Next at the end, a link or a summary in the step left)
      // moves to what took its place, not to the page's body: the other button, the step's heading.
      if (focused && focused.disabled) {
        (i === 0 ? this._nextButton : this._prevButton).focus();
      } else if (focused && this.root.contains(focused) && !focused.getClientRects().length) {
        this._focusStep();
      }
      var n = this.steps.length;
      this._bar.setAttribute('aria-valuetext', this._t('progress.value', {n: i + 1, total: n}));
      this._live.textContent = this._t('announce', {n: i + 1, total: n, title: data.title});
      if (this._mapDescription) {
        var given = this._sections[i] && part(this._sections[i], 'onmap-text');
        this._mapDescription.textContent = data.description || (given ? given.textContent : '');
      }
    },

    // Each place's card is in the page once, in the story's <noscript> article (rendered and
    // sanitized at build time; a noscript's content is inert text while scripts run). It is read
    // from there into a document that runs and loads nothing, and every step that shows the place
    // gets a copy.
    _placeCards: function () {
      var kinds = this._config.kinds, byId = this._cards = {}, root = this.root;
      var parsed = this._articleDoc();
      if (!parsed) {
        return;
      }
      // The master copies live in a hidden holder in the root, so that a change of language
      // (languages.js) reaches them as it reaches the copies.
      var holder = this._cardHolder = create('div', 'storymap-cards', null, this.root);
      holder.hidden = true;
      this._config.places.forEach(function (place) {
        var card = part(parsed, 'place[data-place="' + place.id + '"]');
        if (!card) {
          return;
        }
        // (Moved, not copied: the parsed article is read once. Copying cost tens of ms.)
        card = holder.appendChild(document.adoptNode(card));
        var sources = part(card, 'sources');
        if (sources) {
          sources.open = false;
        }
        // A place a step shows has its name in its card only (the page does not carry it twice).
        // Then the kind's swatch, at the front of the card's name: the article has none, as it
        // shows no colours.
        var name = part(card, 'place-name'), kind = kinds[place.kind];
        if (name && place.name === undefined) {
          place.name = name.textContent;
        }
        if (name && kind) {
          name.insertBefore(swatch(kind.geometry, kind.style, null, kind.symbol), name.firstChild);
        }
        byId[place.id] = card;
      });
      var scroll = this._scrolls, added = [holder], filled = [], marks = [];
      // Each step's narrative, the article's own node (marked for a change of language), takes the
      // place of its section's slot (which holds an unmarked copy where boot.js or the page showed one).
      this._sections.forEach(function (section) {
        var slot = part(section, 'narrative[data-slot]');
        var narrative = slot && storymapBoot.narrativeOf(root, parsed, section);
        if (narrative && !marked(slot, narrative, marks)) {
          var copy = document.adoptNode(narrative);
          slot.parentNode.replaceChild(copy, slot);
          filled.push([copy, slot]);
        }
      });
      this._sections.forEach(function (section) {
        var more = part(section, 'step-more');
        if (more && scroll) {
          more.open = false;
        }
      });
      // A step's list gets its copies when the step first shows (all of them in the scroll
      // layout, and for print): copying every step's cards at the start cost about 10 ms.
      this._cardCopies = added;
      this._listed = [];
      if (scroll) {
        this._listPlaces();
      }
      this._disposers.push(function () {
        added.forEach(function (node) { L.DomUtil.remove(node); });
        filled.forEach(function (pair) { pair[0].parentNode.replaceChild(pair[1], pair[0]); });
      });
      // (The marks go last: languages.js first brings the page's own language back through them.)
      this._disposers.unshift(function () {
        marks.forEach(function (node) { node.removeAttribute('data-i18n'); });
      });
    },

    // Fills step i's list of places with copies of their cards (every step's without i), once.
    _listPlaces: function (i) {
      var byId = this._cards, added = this._cardCopies, listed = this._listed;
      if (!listed) {
        return;
      }
      this._sections.forEach(function (section, j) {
        var list = (i === undefined || i === j) && !listed[j] && part(section, 'step-places');
        if (!list) {
          return;
        }
        listed[j] = true;
        list.getAttribute('data-places').split(' ').forEach(function (id) {
          if (byId[id]) {
            added.push(list.appendChild(byId[id].cloneNode(true)));
          }
        });
      });
    },

    // The story's <noscript> article parsed into a document that runs and loads nothing (once;
    // boot.js may have parsed it already).
    _articleDoc: function () {
      if (this._parsedArticle === undefined) {
        this._parsedArticle = storymapBoot.articleDoc(this.root);
      }
      return this._parsedArticle;
    },

    _buildPlaces: function () {
      var self = this, kinds = this._config.kinds;
      var group = this._placesGroup = L.featureGroup(), map = this.map;
      var hover = L.tooltip({className: 'storymap-hover', direction: 'top', offset: [0, -6]}), hovered = null;
      this._hover = hover;
      this._places = {};
      this._config.places.forEach(function (place) {
        var kind = kinds[place.kind] || {}, base = L.extend({opacity: 1, fillOpacity: 0.2}, kind.style || {});
        var layer = L.geoJSON(place.geometry, {
          pointToLayer: function (feature, latlng) {
            return kind.symbol && kind.symbol !== 'circle' ? new ns.SymbolMarker(latlng, base, kind.symbol) :
              L.circleMarker(latlng, L.extend({}, base));
          },
          style: function () {
            return L.extend({}, base);
          }
        });
        var arrows = kind.arrows ? self._arrows(place.geometry, base.color) : [];
        arrows.forEach(function (arrow) { group.addLayer(arrow); });
        layer.bindPopup(function () { return self._card(place); }, {maxWidth: 320, className: 'storymap-popup'});
        group.addLayer(layer);
        var entry = self._places[place.id] = {data: place, layer: layer, arrows: arrows, style: base, lit: false};
        // A place the step does not show is named on hover. (Not with a bound tooltip, whose focus
        // listeners would make each shape a Tab stop without a name: the panel lists the places.)
        layer.on('mouseover mousemove', function (e) {
          if (entry.lit) {
            return;
          }
          if (hovered !== entry) {
            hovered = entry;
            hover.setContent(create('span', null, place.name));
          }
          hover.setLatLng(e.latlng);
          if (!map.hasLayer(hover)) {
            map.openTooltip(hover);
          }
        });
        layer.on('mouseout', function () {
          hovered = null;
          map.closeTooltip(hover);
        });
      });
      this._labels = new ns.Labels().setPlaces(this._config.places.map(function (place) {
        var kind = kinds[place.kind] || {}, style = kind.style || {};
        var radius = kind.geometry === 'point' ? (style.radius || 7) * (kind.symbol && kind.symbol !== 'circle' ? 1.3 : 1) +
          (style.weight || 0) / 2 : 0;
        return {id: place.id, name: place.name, latLngs: place.labels, radius: Math.ceil(radius),
          bounds: radius ? null : self._places[place.id].layer.getBounds()};
      })).addTo(map);
      this._labelTexts();
      this._setLayer('Story places', group);
    },

    // Arrowheads along a line, pointing the way its coordinates run (the direction of travel).
    _arrows: function (geometry, color) {
      var lines = geometry.type === 'LineString' ? [geometry.coordinates] :
        geometry.type === 'MultiLineString' ? geometry.coordinates : [];
      var crs = L.CRS.EPSG3857, out = [];
      lines.forEach(function (coords) {
        var points = coords.map(function (c) { return crs.latLngToPoint(L.latLng(c[1], c[0]), 8); });
        var lengths = [0];
        for (var i = 1; i < points.length; i++) {
          lengths.push(lengths[i - 1] + points[i].distanceTo(points[i - 1]));
        }
        var total = lengths[lengths.length - 1];
        [0.2, 0.5, 0.8, 0.97].forEach(function (fraction) {
          var at = total * fraction, k = 1;
          while (k < lengths.length - 1 && lengths[k] < at) {
            k++;
          }
          var a = points[k - 1], b = points[k], span = (lengths[k] - lengths[k - 1]) || 1;
          var t = (at - lengths[k - 1]) / span;
          var p = L.point(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t);
          var angle = Math.atan2(b.y - a.y, b.x - a.x) * 180 / Math.PI;
          var head = create('span', 'storymap-arrow-head');
          head.style.transform = 'rotate(' + angle.toFixed(1) + 'deg)';
          head.style.borderLeftColor = color || '#b3001b';
          out.push(L.marker(crs.pointToLatLng(p, 8), {
            interactive: false, keyboard: false,
            icon: L.divIcon({className: 'storymap-arrow', html: head, iconSize: [14, 14]})
          }));
        });
      });
      return out;
    },

    // A popup: the place's card as rendered (and sanitized) in the page, cloned.
    _card: function (place) {
      var card = this._cards[place.id];
      return card ? card.cloneNode(true) : create('strong', null, place.name);
    },

    _highlight: function (step) {
      var on = {}, dim = this.options.dim;
      step.places.forEach(function (id) { on[id] = true; });
      this.map.closeTooltip(this._hover);
      for (var id in this._places) {
        if (!u.has(this._places, id)) {
          continue;
        }
        var entry = this._places[id], base = entry.style, lit = entry.lit = !!on[id];
        entry.layer.setStyle(lit ? base : {opacity: base.opacity * dim, fillOpacity: base.fillOpacity * dim});
        entry.arrows.forEach(function (arrow) { arrow.setOpacity(lit ? 1 : dim); });
        if (lit) {
          entry.layer.bringToFront();
        }
      }
      this._labels.show(step.places);
    },

    // The labels' own words in the language shown ("+13 more"; Labels' English where none).
    _labelTexts: function () {
      this._labels.options.more = this._t('labels.more') || this._labels.options.more;
    },

    // The labels of the step's places, in the part of the map the panel leaves free, clear of the
    // map's controls; the basemap's labels give way.
    _placeLabels: function () {
      if (!this._built || this._destroyed) {
        return [];
      }
      var container = this.map.getContainer();
      return this._labels.place(this._free(), this._obstacles(), container.querySelectorAll('.storymap-country-label'));
    },

    // The labels placed in the view a step was fitted to. What covers the map may have changed
    // since (the timeline's date line comes and goes with the step, the controls take their size):
    // where a label then finds no room, or a view's given centre is no longer the free part's,
    // the view is fitted again, once.
    _labelsInView: function () {
      var fitted = this._fitFree, again = this._fitCenter, pad = again && this._stepPadding(again.step);
      this._fitFree = this._fitCenter = null;
      if (pad && this._offset(pad).distanceTo(again.at) >= 1) {
        this._fit(again.step, false);
      } else if (this._placeLabels().some(function (l) { return !l.shown; }) && fitted && fitted !== JSON.stringify(this._free())) {
        this._fit(this._config.steps[this.index], false);
      }
      this._fitFree = this._fitCenter = null;
    },

    // Where a view's centre goes: from the map's middle to the middle of the part `pad` leaves.
    _offset: function (pad) {
      return pad.br.subtract(pad.tl).divideBy(2);
    },

    // The map's controls (zoom, legend, scale, attribution), and the elements `more` selects
    // (markers.js: a layer's markers), in container px.
    _obstacles: function (more) {
      var container = this.map.getContainer(), box = rect(container), out = [];
      var controls = container.querySelectorAll('.leaflet-control' + (more || ''));
      for (var i = 0; i < controls.length; i++) {
        var r = rect(controls[i]);
        if (r.width && r.height) {
          out.push({l: r.left - box.left, t: r.top - box.top, r: r.right - box.left, b: r.bottom - box.top});
        }
      }
      return out;
    },

    // A popup about to open pans the map so as to show whole in the part the panel and the
    // timeline leave free (Leaflet's autoPan keeps it inside the map, which runs under the panel);
    // not one given padding of its own.
    // A popup no higher than that part either (its content scrolls; on a phone held sideways a
    // place's card ran off the map's foot, its tip with it), unless it has a maxHeight of its own.
    _popupRoom: function (popup) {
      var o = popup.options, own = function (key) { return u.has(o, key); };
      if (!this._built) {
        return;
      }
      var pad = this._padding(10), mine = popup._storymapRoom || {};
      // The card keeps below the controls of the top right-hand corner (the zoom buttons would
      // cover its close button wherever the card is centred: a place near the map's right edge,
      // or any on a phone held sideways), and on a narrow map above those of the bottom one (the
      // legend over its text).
      var corners = this.map._controlCorners || {}, size = this.map.getSize();
      var box = rect(this.map.getContainer());
      [['topright', 'tl'], ['bottomright', 'br']].forEach(function (c) {
        var corner = corners[c[0]];
        if (!corner || !corner.offsetHeight ||
            c[1] === 'br' && size.x - pad.tl.x - pad.br.x - corner.offsetWidth >= (o.maxWidth || 300) + 50) {
          return;
        }
        var at = rect(corner);
        pad[c[1]].y = max(pad[c[1]].y, c[1] === 'tl' ? at.bottom - box.top + 10 : box.bottom - at.top + 10);
      });
      if (o.autoPan && (mine.pan || !(own('autoPanPadding') || own('autoPanPaddingTopLeft') || own('autoPanPaddingBottomRight')))) {
        o.autoPanPaddingTopLeft = pad.tl;
        o.autoPanPaddingBottomRight = pad.br;
        mine.pan = true;
      }
      if (mine.height || !own('maxHeight')) {
        // (The card's margins and the tip below it take about 60 px.)
        o.maxHeight = max(120, size.y - pad.tl.y - pad.br.y - 60);
        mine.height = true;
      }
      popup._storymapRoom = mine;
    },

    // The part of the map (container px) that the text panel leaves free.
    _free: function () {
      var size = this.map.getSize(), p = this._padding(0);
      return {l: p.tl.x, t: p.tl.y, r: size.x - p.br.x, b: size.y - p.br.y};
    },

    // The panel covers part of the map: keep a step's places in the part that shows.
    _padding: function (margin) {
      var pad = margin === undefined ? this.options.padding : margin;
      var tl = L.point(pad, pad + (this.timeline ? this.timeline.cover() : 0)), br = L.point(pad, pad);
      var panel = this._panel;
      if (!panel || !panel.offsetParent) {
        return {tl: tl, br: br};
      }
      var m = rect(this.map.getContainer());
      var p = this._scrolls ? this._scrollPanel(m) : rect(panel);
      if (!p) {  // (scroll.js: narrow, the map sits above the text and nothing covers it)
        return {tl: tl, br: br};
      }
      var overlapX = min(m.right, p.right) - max(m.left, p.left);
      var overlapY = min(m.bottom, p.bottom) - max(m.top, p.top);
      if (overlapX <= 0 || overlapY <= 0) {
        return {tl: tl, br: br};
      }
      if (p.width < m.width * 0.6) {
        if (p.left - m.left < m.right - p.right) {
          tl.x = max(tl.x, p.right - m.left + pad);
        } else {
          br.x = max(br.x, m.right - p.left + pad);
        }
      } else if (p.top - m.top > m.bottom - p.bottom) {
        br.y = max(br.y, m.bottom - p.top + pad);
      } else {
        tl.y = max(tl.y, p.bottom - m.top + pad);
      }
      return {tl: tl, br: br};
    },

    // Padding that also keeps the legend and the scale (bottom right) clear: to their left or
    // above them, whichever lets the view zoom in further. The scale's bar is as long as it is in
    // the view `at` ({center, zoom}) where one is given: its length changes as the map moves.
    _paddingFor: function (bounds, at) {
      var pad = this._clearOfBar(this._padding()), map = this.map, scale = map.scaleControl, r = null;
      [this._legend, scale].forEach(function (control) {
        var box = control && control.getContainer(), b = box && box.offsetWidth && rect(box);
        var left = b && (control === scale && at ? b.right - scale.widthAt(at.center, at.zoom) : b.left);
        r = !b ? r : {left: r ? min(r.left, left) : left, top: r ? min(r.top, b.top) : b.top};
      });
      if (!bounds) {
        return pad;
      }
      var self = this, m = rect(map.getContainer());
      var better = function (a, b) { return self._scale(bounds, a) >= self._scale(bounds, b) ? a : b; };
      if (r) {
        pad = better({tl: pad.tl, br: L.point(max(pad.br.x, m.right - r.left + 8), pad.br.y)},
          {tl: pad.tl, br: L.point(pad.br.x, max(pad.br.y, m.bottom - r.top + 8))});
      }
      // And the zoom buttons (top right), where no timeline's band keeps the top clear: to their
      // left or below them (a place at the top right of a narrow map went under them).
      var zoom = map.getContainer().querySelector('.leaflet-control-zoom');
      var z = zoom && zoom.offsetWidth && rect(zoom);
      if (z && z.bottom - m.top + 8 > pad.tl.y) {
        pad = better({tl: pad.tl, br: L.point(max(pad.br.x, m.right - z.left + 8), pad.br.y)},
          {tl: L.point(pad.tl.x, z.bottom - m.top + 8), br: pad.br});
      }
      return pad;
    },

    // The attribution across the foot of the map (two lines on a phone, above the sheet) covers
    // what is under it: `pad` grown to keep the places above it where it reaches into the padding.
    _clearOfBar: function (pad) {
      var bar = this.map.getContainer().querySelector('.leaflet-control-attribution');
      if (!bar || !bar.offsetWidth) {
        return pad;
      }
      var m = rect(this.map.getContainer()), r = rect(bar);
      var wide = r.width >= (m.width - pad.tl.x - pad.br.x) / 2, line = m.bottom - pad.br.y;
      if (!wide || r.top >= line || r.bottom < line) {
        return pad;
      }
      return {tl: pad.tl, br: L.point(pad.br.x, m.bottom - r.top + 8)};
    },

    // How large `bounds` can show in the map less `pad` (px a degree of Mercator, at no least zoom).
    _scale: function (bounds, pad) {
      var map = this.map, size = map.getSize().subtract(pad.tl).subtract(pad.br);
      var a = map.project(bounds.getNorthWest(), 0), b = map.project(bounds.getSouthEast(), 0);
      return min(size.x / max(b.x - a.x, 1e-9), size.y / max(b.y - a.y, 1e-9));
    },

    // The zoom that fits `bounds` in the map less `pad`, within the map's least zoom and `maxZoom`
    // (the least zoom where the padding leaves no room at all: Leaflet would answer its greatest).
    _boundsZoom: function (bounds, pad, maxZoom) {
      var map = this.map, left = map.getSize().subtract(pad.tl).subtract(pad.br);
      if (left.x < 1 || left.y < 1) {
        return map.getMinZoom();
      }
      return max(map.getMinZoom(), min(map.getBoundsZoom(bounds, false, pad.tl.add(pad.br)), maxZoom));
    },

    // Room for the labels too: beside the places, they may reach beyond the places' bounds. (Not
    // for a step's own `view`: the journalist chose what it shows.)
    _labelRoom: function (bounds, pad, maxZoom) {
      var map = this.map, out = pad;
      // What the padding leaves of the map (the panel's side, the legend's, the timeline's).
      var left = map.getSize().subtract(pad.tl).subtract(pad.br);
      for (var k = 0; k < 3; k++) {
        var z = this._boundsZoom(bounds, out, maxZoom), r = this._labels.reach(bounds, z);
        // The labels may take half of that width and height, or what the places leave of it where
        // they take less (a lone place at the closest zoom): the rest is the places'.
        var fx = min(1, max(0, left.x * 0.5, left.x - r.w) / max(1, max(0, r.l) + max(0, r.r)));
        var fy = min(1, max(0, left.y * 0.5, left.y - r.h) / max(1, max(0, r.t) + max(0, r.b)));
        out = {tl: pad.tl.add([max(0, r.l) * fx, max(0, r.t) * fy]),
          br: pad.br.add([max(0, r.r) * fx, max(0, r.b) * fy])};
      }
      return out;
    },

    // The view that fits a step's places with their labels: from the closest that fits the places
    // (`base` padding) to a little further out than leaves their labels room beside them (`pad`),
    // the one where every label shows, on its own and beside its place, at the largest scale wins
    // (a label missing weighs 100, a name left out of a long group's label 50, one shared 4, one
    // off its place 3, a quarter zoom out 1).
    _labelView: function (bounds, pad, maxZoom, base) {
      var map = this.map, half = map.getSize().divideBy(2), free = this._free(), obstacles = this._obstacles();
      var z0 = this._boundsZoom(bounds, pad, maxZoom), top = max(z0, this._boundsZoom(bounds, base, maxZoom));
      var best = null, least = map.getMinZoom(), region = this._region();
      // (Not so far out that the map reaches past the embedded basemap's region, where it shows as
      // not mapped, unless the places need it to fit in the free map: the labels merge rather.)
      if (region) {
        least = max(least, min(top, map.getBoundsZoom(region, true)));
      }
      // Further out while a label finds no room (a small map), down to the least zoom.
      [top, Math.round((top + z0) * 2) / 4, z0, z0 - 0.25, z0 - 0.5, z0 - 1, z0 - 1.5, z0 - 2].forEach(function (z, i) {
        z = max(least, z);
        if (best && (z >= best.zoom || !best.cost || (i > 4 && best.score.missing + best.score.unnamed === 0))) {
          return;
        }
        // (Rounded as Leaflet rounds the view's pixel origin and its layers' points.)
        var center = this._centerFor(bounds, pad, z, base), origin = map.project(center, z).subtract(half).round();
        var score = this._labels.score(function (ll) { return map.project(ll, z).round().subtract(origin); }, free, obstacles);
        var cost = score.missing * 100 + score.unnamed * 50 + score.merged * 4 + score.leaders * 3 + (top - z) * 4;
        if (!best || cost < best.cost) {
          best = {center: center, zoom: z, score: score, cost: cost};
        }
      }, this);
      return best;
    },

    // The centre that puts `bounds` in the middle of the map less `pad` at zoom z; where they do
    // not fit there (the least zoom), as near it as keeps them inside the map less `base`. Moved
    // as far as that allows to keep the view inside the embedded basemap's region (past it the
    // map shows as not mapped: a grey band across the top of a phone's last step); not across a
    // region around the world (drawn again to either side).
    _centerFor: function (bounds, pad, z, base) {
      var map = this.map, size = map.getSize(), a = map.project(bounds.getNorthWest(), z);
      var b = map.project(bounds.getSouthEast(), z), region = this._region();
      var far = 1e9, r0 = L.point(-far, -far), r1 = L.point(far, far);
      if (region) {
        r0 = map.project(region.getNorthWest(), z);
        r1 = map.project(region.getSouthEast(), z);
        if (region.getEast() - region.getWest() > 359) {
          r0.x = -far;
          r1.x = far;
        }
      }
      base = base || pad;
      // (The view runs from lo - at to lo - at + n.)
      var axis = function (lo, hi, tl, br, least, most, n, rlo, rhi) {
        var at = tl + (n - tl - br - (hi - lo)) / 2;
        most = n - most - (hi - lo);
        var from = max(least, lo + n - rhi), to = min(most, lo - rlo);
        if (from <= to) {
          least = from;
          most = to;
        }
        at = least <= most ? min(max(at, least), most) : (least + most) / 2;
        return lo - at + n / 2;
      };
      return map.unproject(L.point(axis(a.x, b.x, pad.tl.x, pad.br.x, base.tl.x, base.br.x, size.x, r0.x, r1.x),
        axis(a.y, b.y, pad.tl.y, pad.br.y, base.tl.y, base.br.y, size.y, r0.y, r1.y)), z);
    },

    // The embedded basemap's region (see Basemap.getBounds), or null.
    _region: function () {
      var layer = this._basemaps()[0], region = layer && layer.getBounds();
      return region && region.isValid() ? region : null;
    },

    _fit: function (step, animate) {
      var map = this.map, root = this.root, view = step.view || {};
      // The least zoom: the map's own, or on a narrower map half a level past the zoom where the
      // world fills the width the panel leaves (a world-wide step then shows whole, with its labels:
      // rounded up to that zoom, the world was wider than the map, New York under the panel).
      var least = this._minZoom = this._minZoom === undefined ? map.getMinZoom() : this._minZoom;
      var free = this._free(), width = max(64, free.r - free.l);
      map.setMinZoom(max(0, min(least, Math.floor(Math.log(width / 256) / Math.LN2 * 4) / 4 - 0.5)));
      var box = view.boundsLatLng || step.latLngBounds;
      // (A step's own bounds are shown as asked, down to a street; its places fit no closer than
      // `maxZoom`, a lone point included.)
      var maxZoom = step.maxZoom || (view.boundsLatLng ? map.getMaxZoom() : this.options.maxZoom);
      var pad = this._stepPadding(step, true), target = this._fitFree = this._fitCenter = null;
      if (box && !view.boundsLatLng && !view.centerLatLng && this._labels) {
        var base = pad;
        this._fitFree = JSON.stringify(this._free());
        pad = this._labelRoom(L.latLngBounds(box), pad, maxZoom);
        target = this._labelView(L.latLngBounds(box), pad, maxZoom, base);
      }
      var token = this._moveToken = (this._moveToken || 0) + 1;
      var options = {paddingTopLeft: pad.tl, paddingBottomRight: pad.br, maxZoom: maxZoom, animate: animate,
        duration: this.options.duration};
      var done = L.bind(function () {
        if (token === this._moveToken && this._moving) {
          this._moving = false;
          this._settle();
          // @event viewend: Event
          // Fired when the map has reached a step's view.
          this.fire('viewend', {index: this.index});
        }
      }, this);
      this._moving = true;
      root.setAttribute(MOVING, '');
      map.once('moveend', done);
      this._later(done, animate ? this.options.duration * 1000 + 600 : 400);
      if (target) {
        map[animate ? 'flyTo' : 'setView'](target.center, target.zoom, options);
        return;
      }
      if (view.centerLatLng && view.zoom !== undefined) {
        var offset = this._offset(pad);
        this._fitCenter = {step: step, at: offset};
        var center = map.unproject(map.project(view.centerLatLng, view.zoom).add(offset), view.zoom);
        map[animate ? 'flyTo' : 'setView'](center, view.zoom, options);
        return;
      }
      if (!box) {
        done();
        return;
      }
      map[animate ? 'flyToBounds' : 'fitBounds'](L.latLngBounds(box), options);
    }
  });

  // @function prepare(root: HTMLElement)
  // Shows the step a page opens on (its URL's #step, else the first) as soon as the story's root
  // is found, before the map is made (which lays the page out): the first paint then shows the
  // story's text as it stays. The page's script calls it as the page is parsed (boot.js); the
  // Story does the rest.
  ns.Story.prepare = storymapBoot.prepare;

  // @factory L.storymap.story(root: HTMLElement, map: Map, config: Object, layers?: Object)
  // Starts the story in `root` (the element with `data-storymap`); `root.storymap` is the Story.
  ns.story = function (root, map, config, layers) {
    return new ns.Story(root, map, config, layers);
  };
}(L));
