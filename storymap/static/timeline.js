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

  // An ISO date of 4, 7 or 10 characters: [the day it starts (UTC), the Intl options that write it].
  function parse(iso) {
    var p = iso.split('-'), day = new Date(0);
    day.setUTCFullYear(+p[0], p[1] ? p[1] - 1 : 0, p[2] ? +p[2] : 1);
    return [day, {timeZone: 'UTC', year: 'numeric', month: p[1] && 'short', day: p[2] && 'numeric'}];
  }

  // A step's date or period as the language writes it: "18 Feb 2025", "12–24 May 2024", "2008–2025".
  function label(ends, lang) {
    var a = parse(ends[0]), b = ends[1] && parse(ends[1]);
    try {
      var format = new Intl.DateTimeFormat(lang, a[1]);
      return !b ? format.format(a[0]) : ends[0].length === ends[1].length && format.formatRange ?
        format.formatRange(a[0], b[0]) : format.format(a[0]) + '–' + new Intl.DateTimeFormat(lang, b[1]).format(b[0]);
    } catch (e) {  // (a language tag Intl does not know)
      return ends.join('–');
    }
  }

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
      var box = story.root.querySelector('[data-storymap-timeline]'), year;
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
      var marks = steps.map(function (step) {
        var first = step.time.ends[0].slice(0, 4), button = create('button', null, null, create('li', null, null, list));
        button.type = 'button';
        button.setAttribute('data-step', step.id);
        if (step.time.ends[1]) {
          button.setAttribute('data-period', '');
        }
        create('i', null, null, button);  // the dot
        create('span', null, first === year ? '' : first, button);  // the year, where it changes
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
      // shown writes it) and title, marks the current one and writes its date under the row.
      // One Tab stop for the row (the current mark, else the first); ←/→/Home/End move between marks.
      story._listen(list, 'keydown', function (e) {
        var at = marks.indexOf(e.target);
        var to = {ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: marks.length - 1}[e.key];
        if (at < 0 || to === undefined) {
          return;
        }
        e.preventDefault();
        var mark = marks[Math.max(0, Math.min(marks.length - 1, to))];
        marks.forEach(function (m) { m.tabIndex = m === mark ? 0 : -1; });
        mark.focus();
      });
      story.on('step language', function () {
        var current = story.steps[story.index], dated = current && steps.some(function (s) { return s.id === current.id; });
        now.textContent = '';
        steps.forEach(function (step, i) {
          var button = marks[i], text = label(step.time.ends, story.language);
          button.title = text + ': ' + step.title;
          button.setAttribute('aria-label', button.title);
          button.tabIndex = (dated ? step.id === current.id : i === 0) ? 0 : -1;
          if (!current || step.id !== current.id) {
            button.removeAttribute('aria-current');
            return;
          }
          button.setAttribute('aria-current', 'step');
          now.textContent = text;
          // Scroll the row (not the page) to show the current mark.
          var at = button.getBoundingClientRect(), row = list.getBoundingClientRect();
          if (at.left < row.left || at.right > row.right) {
            list.scrollLeft += at.left - row.left - (row.width - at.width) / 2;
          }
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
