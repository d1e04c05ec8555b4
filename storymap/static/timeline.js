// timeline.js: L.storymap.Timeline, the story's dated steps as a row of marks in time order.
// Built by the Story in the page's `[data-storymap-timeline]` element (over the map's top edge);
// text reaches the page through textContent and attributes only.
(function (L) {
  'use strict';
  var ns = L.storymap;
  if (!ns || ns.Timeline) {
    return;
  }
  var create = ns.util.create;

  // An ISO date of 4, 7 or 10 characters: the day it starts (UTC) and what to show of it.
  function parse(iso) {
    var p = iso.split('-'), day = new Date(0);
    day.setUTCFullYear(+p[0], p[1] ? p[1] - 1 : 0, p[2] ? +p[2] : 1);
    var show = {timeZone: 'UTC', year: 'numeric'};
    if (p[1]) {
      show.month = 'short';
    }
    if (p[2]) {
      show.day = 'numeric';
    }
    return {day: day, show: show};
  }

  // A step's date or period as the story's language writes it: "18 Feb 2025", "2008–2025".
  function label(ends, lang) {
    var a = parse(ends[0]), b = ends[1] && parse(ends[1]);
    try {
      var format = new Intl.DateTimeFormat(lang, a.show);
      if (!b) {
        return format.format(a.day);
      }
      if (ends[0].length === ends[1].length && format.formatRange) {
        return format.formatRange(a.day, b.day);
      }
      return format.format(a.day) + '–' + new Intl.DateTimeFormat(lang, b.show).format(b.day);
    } catch (e) {  // (a language tag Intl does not know)
      return ends.join('–');
    }
  }

  // @class Timeline
  // One mark per dated step, in time order (by start, then end, then story order); a mark is a
  // button that goes to its step, named by the step's date and title; the current step's mark
  // has aria-current="step" and its date shows under the row. Undated steps have no mark. The
  // page holds an empty, hidden `[data-storymap-timeline]` element after the map's when some
  // step has a date; the Timeline fills it, moves it into the map's element (first: the Tab key
  // reaches it right after the map) and shows it; the story's destroy() puts it back as it was.
  ns.Timeline = L.Class.extend({
    initialize: function (story) {
      var box = story.root.querySelector('[data-storymap-timeline]');
      var steps = story._config.steps.filter(function (s) { return s.time; });
      this._story = story;
      this._marks = {};
      if (!box || !steps.length) {
        return;
      }
      steps.sort(function (a, b) {
        return a.time.days[0] - b.time.days[0] || a.time.days[1] - b.time.days[1] ||
          story._indexOf(a.id) - story._indexOf(b.id);
      });
      var year = null;
      var list = this._list = create('ol', 'storymap-timeline-marks');
      this._steps = steps;
      steps.forEach(function (step) {
        var first = step.time.ends[0].slice(0, 4);
        var button = create('button', 'storymap-timeline-mark' + (step.time.ends[1] ? ' storymap-timeline-mark--period' : ''),
          null, create('li', null, null, list));
        button.type = 'button';
        button.setAttribute('data-step', step.id);
        create('span', 'storymap-timeline-dot', null, button).setAttribute('aria-hidden', 'true');
        // The year under a mark where it changes, as on an axis (it is in the mark's name too).
        create('span', 'storymap-timeline-year', first === year ? '' : first, button).setAttribute('aria-hidden', 'true');
        year = first;
        this._marks[step.id] = {button: button, text: ''};
      }, this);
      this._now = create('p', 'storymap-timeline-now');
      this._now.setAttribute('aria-hidden', 'true');  // (the current mark says it)
      box.appendChild(list);
      box.appendChild(this._now);
      var home = box.parentNode, next = box.nextSibling, map = story.map.getContainer();
      map.insertBefore(box, map.firstChild);
      box.hidden = false;
      this._box = box;
      story._listen(box, 'click', function (e) {
        var mark = e.target.closest && e.target.closest('[data-step]');
        if (mark) {
          story.goTo(mark.getAttribute('data-step'));
        }
      });
      // The timeline lies over the map: the map must not take its pointer and wheel events.
      ['click', 'dblclick', 'contextmenu', 'mousedown', 'pointerdown', 'touchstart', 'wheel'].forEach(function (type) {
        story._listen(box, type, function (e) { e.stopPropagation(); }, type === 'touchstart' || type === 'wheel' ?
          {passive: true} : false);
      });
      this._name();
      story.on('step', this._update, this);
      // In another of the story's languages the marks get its date format and its step titles.
      story.on('language', function () {
        this._name();
        this._update();
      }, this);
      story._disposers.push(L.bind(function () {
        L.DomUtil.remove(list);
        L.DomUtil.remove(this._now);
        box.hidden = true;
        home.insertBefore(box, next);
        this._box = null;
      }, this));
    },

    // @method cover(): Number
    // How far (pixels) the timeline reaches down over the map's top edge (0 when there is none).
    cover: function () {
      var box = this._box;
      if (!box || !box.offsetHeight) {
        return 0;
      }
      var m = this._story.map.getContainer().getBoundingClientRect(), r = box.getBoundingClientRect();
      return r.top < m.bottom && r.bottom > m.top ? Math.max(0, r.bottom - m.top) : 0;
    },

    // Names each mark by its step's date (in the language shown) and title.
    _name: function () {
      var lang = this._story.language || this._story.root.lang || 'en';
      this._steps.forEach(function (step) {
        var mark = this._marks[step.id], text = mark.text = label(step.time.ends, lang);
        mark.button.setAttribute('aria-label', text + ': ' + step.title);
        mark.button.title = text + ': ' + step.title;
      }, this);
    },

    _update: function () {
      if (!this._box) {
        return;
      }
      var story = this._story, id = story.steps[story.index].id, list = this._list;
      for (var key in this._marks) {
        if (Object.prototype.hasOwnProperty.call(this._marks, key)) {
          var button = this._marks[key].button;
          if (key === id) {
            button.setAttribute('aria-current', 'step');
            // Scroll the row (not the page) to show the current mark.
            var at = button.getBoundingClientRect(), row = list.getBoundingClientRect();
            if (at.left < row.left || at.right > row.right) {
              list.scrollLeft += at.left - row.left - (row.width - at.width) / 2;
            }
          } else {
            button.removeAttribute('aria-current');
          }
        }
      }
      this._now.textContent = this._marks[id] ? this._marks[id].text : '';
    }
  });
}(L));
