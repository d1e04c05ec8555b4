// Print: the page's print stylesheet puts the map, at its printed size, above the story text.
// Leaflet does not notice a container that changes size without a window resize: tell each
// story's map, which then refits the current step (story.js listens to the map's resize). The
// places' sources, folded away on screen, are unfolded for the paper and folded back after.
(function (L) {
  'use strict';

  var unfolded = [];

  function relayout(printing) {
    var roots = document.querySelectorAll('[data-storymap]');
    for (var i = 0; i < roots.length; i++) {
      var story = roots[i].storymap;
      if (printing) {
        var folded = roots[i].querySelectorAll('details.storymap-sources:not([open])');
        for (var j = 0; j < folded.length; j++) {
          folded[j].open = true;
          unfolded.push(folded[j]);
        }
      }
      if (story && story.map) {
        story.map.invalidateSize({pan: false});
      }
    }
    if (!printing) {
      unfolded.splice(0).forEach(function (details) { details.open = false; });
    }
  }

  var query = window.matchMedia ? window.matchMedia('print') : null;
  window.addEventListener('beforeprint', function () { relayout(true); });
  window.addEventListener('afterprint', function () { relayout(false); });
  if (query) {
    var changed = function () { relayout(query.matches); };
    if (query.addEventListener) {
      query.addEventListener('change', changed);
    } else if (query.addListener) {
      query.addListener(changed);
    }
  }
}(L));
