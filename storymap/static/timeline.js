// timeline.js: L.storymap.Timeline, the story's dated steps as a row of marks in time order.
// Built by the Story in the page's `[data-storymap-timeline]` element (over the map's top edge);
// text reaches the page through textContent and attributes only. Kept small: the page's budget
// is tight (see storymap.css for the look).
(function (L) {
  'use strict';
  var ns = L.storymap;
  if (!ns || ns.Timeline) {
    return;
  }
  var create = ns.util.create;

  // @class Timeline
  // One mark per dated step, in time order (by start, then end, then story order); a mark is a
  // button that goes to its step, named by the step's date and title (in the language shown);
  // the current step's mark has aria-current="step" and its date shows under the row. Undated
  // steps have no mark. The page holds an empty, hidden `[data-storymap-timeline]` element after
  // the map's when some step has a date; the Timeline fills it, moves it into the map's element
  // (first: the Tab key reaches it right after the map) and shows it; the story's destroy() puts
  // it back as it was.
  ns.Timeline = L.Class.extend({
    initialize: function (story) {
      var box = story.root.querySelector('[data-storymap-timeline]'), year, shown = [];
      var steps = story._config.steps.filter(function (s) { return s.time; });
      if (!box || !steps.length) {
        return;
      }
      steps.sort(function (a, b) {
        return a.time.days[0] - b.time.days[0] || a.time.days[1] - b.time.days[1] ||
          story._indexOf(a.id) - story._indexOf(b.id);
      });
      // Everything goes in one wrapper, taken out by destroy() with its listeners.
      var wrap = create('div', null, null, box), list = create('ol', null, null, wrap);
      // (The list scrolls sideways on a phone, and Firefox makes a box that scrolls a Tab stop, with
      // no name: its buttons are the stops, and the list follows the focus.)
      list.tabIndex = -1;
      var marks = steps.map(function (step) {
        var first = step.time.ends[0].slice(0, 4), button = create('button', null, null, create('li', null, null, list));
        button.type = 'button';
        button.setAttribute('data-step', step.id);
        if (step.time.ends[1]) {
          button.setAttribute('data-period', '');
        }
        create('i', null, null, button);  // the dot
        // The year, where it changes (written on each language). The mark's name is its title, which
        // says the date (a name from aria-label left the title to describe it: heard twice).
        create('span', null, null, button).setAttribute('aria-hidden', 'true');
        shown.push(first !== year);
        year = first;
        return button;
      });
      var now = create('p', null, null, wrap);
      now.setAttribute('aria-hidden', 'true');  // (the current mark says it)
      var home = box.parentNode, next = box.nextSibling, map = story.map.getContainer();
      map.insertBefore(box, map.firstChild);
      box.hidden = false;
      this._box = box;
      // The timeline lies over the map: the map must not take its clicks, drags and wheel.
      L.DomEvent.disableClickPropagation(wrap);
      L.DomEvent.disableScrollPropagation(wrap);
      story._listen(wrap, 'click', function (e) {
        var mark = e.target.closest('[data-step]');
        if (mark) {
          story.goTo(mark.getAttribute('data-step'));
        }
      });
      // On each step and in each language: names every mark by its step's date (as the language
      // shown writes it) and title, writes the years under the marks (as it writes a year), marks
      // the current one and writes its date under the row.
      // One Tab stop for the row (the current mark, else the first); ←/→/Home/End move between marks.
      story._listen(list, 'keydown', function (e) {
        var at = marks.indexOf(e.target), on = window.getComputedStyle(list).direction === 'rtl' ? -1 : 1;
        var to = {ArrowLeft: at - on, ArrowRight: at + on, Home: 0, End: marks.length - 1}[e.key];
        if (at < 0 || to === undefined) {
          return;
        }
        e.preventDefault();
        var mark = marks[Math.max(0, Math.min(marks.length - 1, to))];
        marks.forEach(function (m) { m.tabIndex = m === mark ? 0 : -1; });
        mark.focus();
      });
      // The row scrolls (not the page) to show the current mark, in the next frame: measuring
      // here would lay the page out in the middle of the step's changes.
      var frame = null;
      var reveal = function (button) {
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(function () {
          var at = button.getBoundingClientRect(), row = list.getBoundingClientRect();
          if (at.left < row.left || at.right > row.right) {
            list.scrollLeft += at.left - row.left - (row.width - at.width) / 2;
          }
        });
      };
      story._disposers.push(function () { cancelAnimationFrame(frame); });
      // A plugin's controls in the map's top-left corner (fullscreen, draw, search) start below the
      // timeline, not over it (on a phone the timeline spans the map's top).
      var clearCorner = L.bind(function () {
        var corner = story.map && story.map._controlCorners && story.map._controlCorners.topleft;
        if (corner && corner.firstChild) {
          corner.style.top = this.cover() + 'px';
        }
      }, this);
      story.on('ready', clearCorner);
      story.on('step language', function () {
        var current = story.steps[story.index], dated = current && steps.some(function (s) { return s.id === current.id; });
        clearCorner();
        now.textContent = '';
        steps.forEach(function (step, i) {
          var button = marks[i], time = step.time, text = time.labels[story.language] || time.ends.join('–');
          // (the year as the language writes it: 2024年, 44 for 0044; a mark of the same year as the
          // one before holds a space, for its line: its dot stays on the axis)
          button.lastChild.textContent = shown[i] ? (time.years || {})[story.language] || +time.ends[0].slice(0, 4) : '\u00a0';
          button.title = text + ': ' + step.title;
          button.tabIndex = (dated ? step.id === current.id : i === 0) ? 0 : -1;
          if (!current || step.id !== current.id) {
            button.removeAttribute('aria-current');
            return;
          }
          button.setAttribute('aria-current', 'step');
          now.textContent = text;
          reveal(button);
        });
      });
      story._disposers.push(L.bind(function () {
        L.DomUtil.remove(wrap);
        box.hidden = true;
        home.insertBefore(box, next);
        this._box = null;
      }, this));
    },

    // @method cover(): Number
    // How far (pixels) the timeline reaches down over the map's top edge (0 when there is none).
    cover: function () {
      var box = this._box;  // (placed in the map's element)
      return box && box.offsetHeight ? box.offsetTop + box.offsetHeight : 0;
    }
  });
}(L));
