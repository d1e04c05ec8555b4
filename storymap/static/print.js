// print.js: printing a story. The page's print stylesheet puts the map, at its printed size,
// above the story text; Leaflet does not notice a container that changes size without a window
// resize, so the story tells its map, which then refits the current step (story.js listens to the
// map's resize). The places' sources and a closed legend, folded away on screen, are unfolded for
// the paper and folded back after; the pictures of later steps, loaded when shown on screen, are
// loaded for the paper.
(function (L) {
  'use strict';
  var ns = L.storymap;
  if (!ns || !ns.Story || ns.Story.prototype._watchPrint) {
    return;
  }

  ns.Story.include({
    // Called by the story when it starts; every listener goes through _listen/_disposers, so
    // destroy() takes it back.
    _watchPrint: function () {
      // (by: what unfolded them, 'event' or 'query'; '' while they are folded.)
      var self = this, unfolded = [], by = '';
      var relayout = function (printing, source) {
        var was = by;
        by = printing ? source : '';
        if (self._destroyed || !printing === !was) {
          return;
        }
        if (printing) {
          self._listPlaces();  // (every step's places, on paper)
          // The later steps' pictures load when their step shows (loading=lazy): all of them now.
          Array.prototype.forEach.call(self.root.querySelectorAll('img[loading="lazy"]'), function (img) {
            img.loading = 'eager';
          });
          // (The legend too, where it starts closed, and the scroll layout's lists of places: the
          // paper has no button to open them.)
          Array.prototype.forEach.call(self.root.querySelectorAll('details.storymap-sources:not([open]),' +
            ' details.storymap-legend:not([open]), details.storymap-step-more:not([open])'),
            function (details) {
              details.open = true;
              unfolded.push(details);
            });
        } else {
          unfolded.splice(0).forEach(function (details) { details.open = false; });
        }
        self._setTitle(printing);  // (the paper's header: the story's title, not one step's)
        self.map.invalidateSize({pan: false});
      };
      this._listen(window, 'beforeprint', function () { relayout(true, 'event'); });
      this._listen(window, 'afterprint', function () { relayout(false); });
      // (The print media query, for a print without beforeprint: DevTools' print emulation, an
      // older Safari. Chrome also turns the query off and on again while it prints after
      // beforeprint: folding them then cut the paper short, so only afterprint folds that print's.)
      var query = window.matchMedia ? window.matchMedia('print') : null;
      if (query && query.addEventListener) {
        this._listen(query, 'change', function () {
          if (query.matches ? !by : by === 'query') {
            relayout(query.matches, 'query');
          }
        });
      }
    }
  });
}(L));
