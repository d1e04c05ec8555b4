// scroll.js: the scroll layout, where the steps' sections scroll past a sticky map (only in pages
// built with it: storymap/assets.py, SCRIPT_FEATURES). The story calls these where its layout is
// 'scroll'.
(function (L) {
  'use strict';
  var ns = L.storymap;
  if (!ns || !ns.Story || ns.Story.prototype._watchScroll) {
    return;
  }

  var onKey = ns.Story.prototype._onKey;

  ns.Story.include({
    // Scroll layout: a key that shows another step (←/→, Home, End) takes the focus there too
    // when it was in a step's text, where the page scrolled away from it (in slides the step
    // left is hidden, and its focus moves to the new one: story.js, _showText).
    _onKey: function (e) {
      var before = this.index, at = document.activeElement;
      onKey.call(this, e);
      var section = at && at.closest && at.closest('.storymap-step');
      if (this._scrolls && this.index !== before && section && this.root.contains(section) &&
          section !== this._sections[this.index]) {
        this._focusStep(true);
      }
    },

    // Scroll layout: a step becomes current when its section crosses a line across the window the
    // story is in: the middle, or on a narrow screen a little below where the map above the text
    // ends (55%, below a host's sticky header: --storymap-top), so that the section's heading shows
    // below the map. (At 55% a step shown by Next sat 24 px up, its heading half under the map; with
    // a header of 64 px the map's bottom passed 60% and a step linked to showed its end.)
    _line: function () {
      if (this.root.clientWidth > 640) {
        return 0.5;
      }
      var map = this.map.getContainer();
      return Math.min(0.9, Math.max(0.6, (this._top() + map.offsetHeight + 42) / (window.innerHeight || 1)));
    },

    // How far down the window the map sticks: a host's sticky header's height (--storymap-top).
    _top: function () {
      return parseFloat(getComputedStyle(this.map.getContainer()).top) || 0;
    },

    _watchScroll: function () {
      var self = this, line = Math.round(this._line() * 100);
      if (!window.IntersectionObserver) {
        return;
      }
      this._observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          var i = self._sections.indexOf(entry.target);
          if (entry.isIntersecting && i >= 0 && i !== self.index) {
            // (Reading on replaces the address's #step: an entry for each section scrolled past
            // made Back a walk through them, the map moving back while the browser put the text
            // back where that entry had left it, on the later section.)
            self.goTo(i, {scroll: false, history: 'replace'});
          }
        });
      }, {rootMargin: '-' + line + '% 0px -' + (100 - line) + '% 0px', threshold: 0});
      this._sections.forEach(function (section) { self._observer.observe(section); });
      this._disposers.push(function () { self._observer.disconnect(); });
    },

    _scrollTo: function (i) {
      var section = this._sections[i];
      if (!section) {
        return;
      }
      var rect = section.getBoundingClientRect(), middle = window.innerHeight * this._line();
      if (rect.top <= middle && rect.bottom >= middle && rect.top >= 0) {
        return;
      }
      // Where the section's top should land: a short section is centred on the line, a long one
      // starts near the top of the text area (just above the line when the map sits above the
      // text, as on phones; below a host's sticky header). (Told by the layout, not by where the
      // map is: a story far down the page, its map not stuck yet, is scrolled to as well.)
      var textTop = this.root.clientWidth <= 640 ? middle - 24 : this._top() + 16;
      var top = Math.min(Math.max(textTop, middle - rect.height / 2), middle - 1);
      window.scrollBy(0, rect.top - top);
    },

    // The part of the map (viewport px) that the steps' text covers: beside the map, the text's
    // column over the map's height; none (null) on a narrow screen, where the map sits above the text.
    _scrollPanel: function (m) {
      var p = this._scroller.getBoundingClientRect();
      return p.width >= m.width * 0.6 ? null : {left: p.left, right: p.right, top: m.top, bottom: m.bottom, width: p.width};
    }
  });
}(L));
