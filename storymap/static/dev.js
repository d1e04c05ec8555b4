// dev.js: storymap serve's client, in the served page only (never in a built one).
// - Live reload: an event stream tells the page when the story was rebuilt; the page reloads,
//   keeping its step (the URL's #step-id).
// - Problems: while the files do not build, the page keeps the last version that did and shows
//   the problems over it, the lines `storymap validate` prints (as text, never as HTML).
// - View picker: the current map view as the TOML to paste into a step, with a copy button, and
//   whether the step's labels fit at phone size (measured in a hidden phone-size copy of the page).
// Its own words are in the story's language (config.text: the `dev.` texts of storymap's interface
// catalogues, by storymap serve), where storymap has them; else in English.
(function () {
  'use strict';
  var frame = null;
  try {
    frame = window.frameElement;
  } catch (e) {
    frame = null;
  }
  if (frame && frame.hasAttribute('data-storymap-probe')) {
    return; // the phone-size copy measures, nothing else
  }
  var configNode = document.getElementById('storymap-dev-config');
  var config = JSON.parse(configNode.textContent);
  var PHONE = config.phone || [390, 844];
  var SIZE = PHONE[0] + '×' + PHONE[1];
  var storeKey = 'storymap-dev:' + location.pathname;

  // One of storymap serve's texts (config.text[key]) with its {placeholders} filled in from `values`.
  function t(key, values) {
    return String(config.text[key]).replace(/\{([a-z_]+)\}/g, function (whole, name) {
      return values && name in values ? String(values[name]) : whole;
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  // storymap serve's own controls speak the language of their texts, in its direction, whatever
  // the page's (an English overlay in a right-to-left story took its direction: lines aligned
  // right, punctuation moved). What is English whatever the story's language (the problems, the
  // lines validate prints) and the TOML lines say so on their own elements: `english`.
  function speak(node) {
    node.lang = config.lang || 'en';
    node.dir = config.dir || 'ltr';
    return node;
  }

  function english(node) {
    node.lang = 'en';
    node.dir = 'ltr';
    return node;
  }

  function remember(key, value) {
    try {
      sessionStorage.setItem(storeKey + key, value);
    } catch (e) { /* storage off: forget */ }
  }

  function recall(key) {
    try {
      return sessionStorage.getItem(storeKey + key);
    } catch (e) {
      return null;
    }
  }

  // Problems --------------------------------------------------------------------------------
  var problems = speak(el('section', 'storymap-dev-problems'));
  problems.setAttribute('role', 'alert');
  problems.setAttribute('aria-labelledby', 'storymap-dev-problems-title');
  problems.hidden = true;
  var problemsTitle = el('h2');
  problemsTitle.id = 'storymap-dev-problems-title';
  var problemsNote = el('p');
  var problemsList = english(el('ul', 'storymap-dev-lines'));
  var problemsHide = el('button', 'storymap-dev-hide', t('hide'));
  problemsHide.type = 'button';
  problemsHide.title = t('hide_title');
  problemsHide.addEventListener('click', function () { problems.hidden = true; });
  problems.appendChild(problemsHide);
  problems.appendChild(problemsTitle);
  problems.appendChild(problemsNote);
  problems.appendChild(problemsList);
  document.body.appendChild(problems);

  function showProblems(state, warned) {
    var lines = (warned ? state.warnings : state.problems) || [];
    problems.setAttribute('role', warned ? 'status' : 'alert');
    problems.setAttribute('data-kind', warned ? 'warnings' : 'problems');
    problemsTitle.textContent = warned ? (lines.length === 1 ? t('warning') : t('warnings', {n: lines.length})) :
      state.failed ? t('failed') : t('problems', {n: lines.length});
    problemsNote.textContent = t(warned ? 'note_warnings' : config.version ? 'note_stale' : 'note_unbuilt');
    while (problemsList.firstChild) {
      problemsList.removeChild(problemsList.firstChild);
    }
    lines.forEach(function (line) {
      problemsList.appendChild(el('li', 'storymap-dev-problem', line));
    });
    problems.hidden = false;
    document.documentElement.setAttribute('data-storymap-dev-problems', String(lines.length));
  }

  function hideProblems() {
    problems.hidden = true;
    document.documentElement.removeAttribute('data-storymap-dev-problems');
  }

  // Live reload ----------------------------------------------------------------------------
  var panel = null;

  function apply(state) {
    if (state.ok && state.version !== config.version) {
      document.documentElement.setAttribute('data-storymap-dev-reloading', '');
      location.reload(); // the hash, and with it the step, stays
      return;
    }
    if (state.ok && state.warnings && state.warnings.length) {
      showProblems(state, true);
    } else if (state.ok) {
      hideProblems();
    } else {
      showProblems(state);
    }
  }

  // Whether the event stream is open: said in words in the picker's button (the dot's colour
  // alone is easily missed, and a page that has lost its server no longer updates).
  var online = true;
  function connected(yes) {
    online = yes;
    if (panel) {
      panel.root.setAttribute('data-connected', yes ? 'yes' : 'no');
      panel.live.title = t(yes ? 'live' : 'offline_title');
      panel.offline.textContent = yes ? '' : ' · ' + t('offline');
    }
  }

  if (window.EventSource) {
    var source = new EventSource(config.events);
    source.addEventListener('state', function (e) {
      connected(true);
      apply(JSON.parse(e.data));
    });
    source.addEventListener('open', function () { connected(true); });
    source.addEventListener('error', function () { connected(false); });
    window.addEventListener('pagehide', function () { source.close(); });
  }

  // View picker ----------------------------------------------------------------------------
  var root = document.querySelector('[data-storymap]');
  if (!root) {
    return; // the problems page: no story yet
  }
  var tries = 0;
  (function waitForStory() {
    if (root.storymap && root.storymap.ready) {
      picker(root.storymap);
    } else if (tries++ < 200) {
      setTimeout(waitForStory, 50);
    }
  }());

  // A longitude in -180..180 (the story's frame may pass ±180; the file's values may not).
  function wrap(lon) {
    var x = ((lon + 180) % 360 + 360) % 360 - 180;
    return x === -180 && lon > 0 ? 180 : x;
  }

  // Decimals that resolve about a pixel at zoom z.
  function decimals(z) {
    return Math.max(1, Math.min(6, Math.ceil(Math.log(256 * Math.pow(2, z) / 360) / Math.LN10)));
  }

  // x with d decimals at most; rounded down (way < 0), up (way > 0) or to the nearest.
  function num(x, d, way) {
    var scale = Math.pow(10, d);
    var rounded = way < 0 ? Math.floor(x * scale + 1e-9) / scale : way > 0 ? Math.ceil(x * scale - 1e-9) / scale : x;
    var text = String(Number(rounded.toFixed(d)));
    return text === '-0' ? '0' : text;
  }

  function clampLat(lat) {
    return Math.max(-90, Math.min(90, lat));
  }

  function picker(story) {
    var map = story.map;
    var L = window.L;
    panel = buildPanel();
    connected(online);
    var probe = buildProbe();
    var candidates = {};

    function stepData() {
      return story.steps[story.index];
    }

    // The room fitting a step keeps clear for the text panel and the legend.
    function padding() {
      return typeof story.padding === 'function' ? story.padding() : {tl: L.point(0, 0), br: L.point(0, 0)};
    }

    // The current view as a step's `view`: the centre of the part of the map the panel leaves
    // free (a step's centre is placed there), and that part's bounds, in GeoJSON order.
    function current() {
      var z = map.getZoom(), size = map.getSize(), pad = padding();
      var d = decimals(z);
      var inner = L.bounds(pad.tl, size.subtract(pad.br));
      if (inner.max.x - inner.min.x < 20 || inner.max.y - inner.min.y < 20) {
        inner = L.bounds(L.point(0, 0), size);
      }
      var middle = inner.getCenter();
      var center = map.containerPointToLatLng(middle);
      // That part's bounds, rounded outwards: fitting them shows at least what shows now.
      var sw = map.containerPointToLatLng(L.point(inner.min.x, inner.max.y));
      var ne = map.containerPointToLatLng(L.point(inner.max.x, inner.min.y));
      var west = sw.lng, east = ne.lng;
      if (east - west >= 360) {
        west = -180;
        east = 180;
      }
      var zoom = Math.round(z * 100) / 100;
      var centerToml = 'view = { center = [' + num(wrap(center.lng), d) + ', ' + num(clampLat(center.lat), d) +
        '], zoom = ' + num(zoom, 2) + ' }';
      var boundsToml = 'view = { bounds = [[' + num(wrap(west), d, -1) + ', ' + num(clampLat(sw.lat), d, -1) +
        '], [' + num(wrap(east), d, 1) + ', ' + num(clampLat(ne.lat), d, 1) + ']] }';
      return {
        center: {toml: centerToml, view: {centerLatLng: [center.lat, center.lng], zoom: z}},
        bounds: {toml: boundsToml, view: {boundsLatLng: [[sw.lat, west], [ne.lat, east]]}}
      };
    }

    function update() {
      candidates = current();
      ['center', 'bounds'].forEach(function (form) {
        panel.toml[form].textContent = candidates[form].toml;
      });
      var step = stepData();
      panel.step.textContent = t('step', {n: story.index + 1, total: story.steps.length, id: step ? step.id : '',
        zoom: num(map.getZoom(), 2)});
      phoneChecks();
    }

    var pending = null;
    function later() {
      clearTimeout(pending);
      pending = setTimeout(update, 150);
    }
    map.on('moveend zoomend resize', later);
    story.on('step viewend language', later);
    update();

    // Phone-size checks -----------------------------------------------------------------------
    function probeStory() {
      try {
        var doc = probe.contentDocument, node = doc && doc.querySelector('[data-storymap]');
        return node && node.storymap && node.storymap.ready ? node.storymap : null;
      } catch (e) {
        return null;
      }
    }

    // Show step `index` in the phone-size copy (with `view` instead of its own, if given) and
    // list the places whose label cannot show: no room for it in the part of the map the text
    // and the controls leave free, or the place is not in that part; and the names a shortened
    // list leaves out ("+9 more": the map does not name them).
    function measure(index, view) {
      var s = probeStory();
      if (!s || typeof s.showView !== 'function' || typeof s.labels !== 'function') {
        return null;
      }
      if (s.language !== story.language && typeof s.setLanguage === 'function') {
        s.setLanguage(story.language, {history: false}); // the labels' words are the reader's
      }
      s.goTo(index, {animate: false, history: 'none', scroll: false});
      if (view) {
        s.showView(view);
      }
      var total = 0, cut = [];
      s.labels().forEach(function (label) {
        total += label.names.length;
        var lost = label.shown ? label.unnamed || [] : label.names;
        lost.forEach(function (name) {
          cut.push({name: name, why: label.shown ? t('cut_list', {n: lost.length}) : t('cut_room')});
        });
      });
      return {total: total, cut: cut};
    }

    function describe(result) {
      if (!result) {
        return {fit: '', text: t('phone_unavailable'), title: ''};
      }
      if (!result.cut.length) {
        return {fit: 'yes', text: t(result.total === 1 ? 'phone_one' : 'phone_all', {size: SIZE, n: result.total}),
          title: ''};
      }
      var names = result.cut.map(function (c) { return c.name; });
      return {
        fit: 'no',
        text: t(result.total === 1 ? 'phone_cut_one' : 'phone_cut', {size: SIZE, cut: result.cut.length,
          total: result.total, names: names.join(', ')}),
        title: result.cut.map(function (c) { return c.name + ': ' + c.why; }).join('\n')
      };
    }

    function mark(node, result) {
      var d = describe(result);
      node.textContent = d.text;
      node.title = d.title;
      node.setAttribute('data-fit', d.fit);
    }

    function phoneChecks() {
      if (!probeStory()) {
        return; // runs once the copy has loaded
      }
      var index = story.index;
      mark(panel.phone.step, measure(index, null));
      var ownFit = panel.phone.step.getAttribute('data-fit');
      panel.toggle.setAttribute('data-fit', ownFit);
      panel.phone.step.textContent = t('as_saved', {check: panel.phone.step.textContent});
      mark(panel.phone.center, measure(index, candidates.center.view));
      mark(panel.phone.bounds, measure(index, candidates.bounds.view));
      root.setAttribute('data-storymap-dev-checked', String(index));
    }

    function buildProbe() {
      var node = document.createElement('iframe');
      node.setAttribute('data-storymap-probe', '');
      node.setAttribute('aria-hidden', 'true');
      node.setAttribute('tabindex', '-1');
      node.setAttribute('width', String(PHONE[0]));
      node.setAttribute('height', String(PHONE[1]));
      node.title = t('probe');
      node.addEventListener('load', function () {
        var waited = 0;
        (function ready() {
          var s = probeStory();
          if (s) {
            // Labels need no tiles: the copy never shows them, whether its story added them already
            // or adds them later (once its first view has painted).
            var tiles = s.layers && s.layers.Tiles, map = s.map, add = map.addLayer;
            if (tiles) {
              map.removeLayer(tiles);
              map.addLayer = function (layer) {
                return layer === tiles ? this : add.apply(this, arguments);
              };
            }
            phoneChecks();
          } else if (waited++ < 200) {
            setTimeout(ready, 50);
          }
        }());
      });
      node.src = location.pathname;
      document.body.appendChild(node);
      return node;
    }
  }

  function buildPanel() {
    var root = speak(el('aside', 'storymap-dev'));
    root.setAttribute('data-storymap-dev', '');
    root.setAttribute('aria-label', t('picker_label'));
    var toggle = el('button', 'storymap-dev-toggle');
    toggle.type = 'button';
    var live = el('span', 'storymap-dev-live');
    toggle.appendChild(live);
    toggle.appendChild(document.createTextNode(t('picker')));
    var offline = el('span', 'storymap-dev-offline');
    toggle.appendChild(offline);
    var body = el('div', 'storymap-dev-body');
    body.id = 'storymap-dev-body';
    toggle.setAttribute('aria-controls', body.id);
    var open = recall('open') === 'yes';
    body.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    toggle.addEventListener('click', function () {
      body.hidden = !body.hidden;
      toggle.setAttribute('aria-expanded', String(!body.hidden));
      remember('open', body.hidden ? 'no' : 'yes');
    });
    var step = el('p', 'storymap-dev-note');
    var stepPhone = el('p', 'storymap-dev-phone', t('phone_loading'));
    stepPhone.setAttribute('data-phone', 'step');
    body.appendChild(step);
    body.appendChild(stepPhone);
    body.appendChild(el('p', 'storymap-dev-note', t('paste')));
    var toml = {}, phone = {step: stepPhone};
    var copied = el('p', 'storymap-dev-note storymap-dev-copied'); // (placed last, below)
    copied.setAttribute('role', 'status');
    ['center', 'bounds'].forEach(function (form) {
      var row = el('div', 'storymap-dev-row');
      var code = english(el('code', 'storymap-dev-toml')); // (TOML: left to right in any story)
      code.setAttribute('data-form', form);
      var copy = el('button', 'storymap-dev-copy', t('copy'));
      copy.type = 'button';
      copy.setAttribute('aria-label', t(form === 'center' ? 'copy_center' : 'copy_bounds'));
      copy.addEventListener('click', function () { copyText(code, copy, copied); });
      var mark = el('span', 'storymap-dev-mark', '');
      mark.setAttribute('data-phone', form);
      row.appendChild(code);
      row.appendChild(copy);
      row.appendChild(mark);
      body.appendChild(row);
      toml[form] = code;
      phone[form] = mark;
    });
    body.appendChild(el('p', 'storymap-dev-note', t('bounds_note')));
    body.appendChild(copied);
    root.appendChild(toggle);
    root.appendChild(body);
    document.body.appendChild(root);
    return {root: root, toggle: toggle, live: live, offline: offline, body: body, step: step, toml: toml, phone: phone};
  }

  // Copy `code`'s line; `status` says what happened (the button's own label, read by screen
  // readers, stays "Copy the … view"). Where the page may not copy, the line is selected for
  // Ctrl+C. Keyboard focus stays on the button.
  function copyText(code, button, status) {
    var text = code.textContent;
    function done() {
      button.textContent = t('copied');
      status.textContent = t('copied_line', {line: text});
      setTimeout(function () { button.textContent = t('copy'); }, 1500);
    }
    function byHand() {
      var range = document.createRange();
      range.selectNodeContents(code);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      status.textContent = t('copy_by_hand');
    }
    function fallback() {
      var area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.setAttribute('aria-hidden', 'true');
      area.style.position = 'fixed';
      area.style.opacity = '0';
      document.body.appendChild(area);
      area.select();
      var copied = false;
      try {
        copied = document.execCommand('copy');
      } catch (e) { /* selected for Ctrl+C below */ }
      document.body.removeChild(area);
      button.focus({preventScroll: true});
      if (copied) {
        done();
      } else {
        byHand();
      }
    }
    status.textContent = '';
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }
}());
