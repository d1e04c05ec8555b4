// Print: the page's print stylesheet puts the map, at its printed size, above the story text.
// Leaflet does not notice a container that changes size without a window resize: tell each
// story's map, which then refits the current step (story.js listens to the map's resize).
(function (L) {
  'use strict';

  function relayout() {
    var roots = document.querySelectorAll('[data-storymap]');
    for (var i = 0; i < roots.length; i++) {
      var story = roots[i].storymap;
      if (story && story.map) {
        story.map.invalidateSize({pan: false});
      }
    }
  }

  window.addEventListener('beforeprint', relayout);
  window.addEventListener('afterprint', relayout);
  if (window.matchMedia) {
    var print = window.matchMedia('print');
    if (print.addEventListener) {
      print.addEventListener('change', relayout);
    } else if (print.addListener) {
      print.addListener(relayout);
    }
  }
  L.storymap.relayout = relayout;
}(L));
