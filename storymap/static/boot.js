// boot.js: what the page's script does before Leaflet exists, and how it runs the rest.
// Plain DOM, no Leaflet: it runs while the page is parsed, shows the text of the step the page
// opens on, and hands everything else (Leaflet, storymap's components, the map and the story) to
// tasks that start after the first paint, so that the text paints first and no task runs long.
// The page's script (storymap/private.py) holds it as `storymapBoot`; storymap.js and story.js use
// its helpers, so each exists once.
var storymapBoot = (function () {
  'use strict';

  // Whether the page runs in a frame (a cross-origin parent counts as one).
  function framed() {
    try {
      return window.self !== window.top;
    } catch (e) {
      return true;
    }
  }

  // The language the page's URL asks for (?lang=es), '' for none.
  function askedLang() {
    var found = /[?&]lang=([A-Za-z0-9-]{1,35})(&|$)/.exec(window.location.search);
    return found ? found[1] : '';
  }

  function hashId() {
    try {
      return decodeURIComponent(window.location.hash.slice(1));
    } catch (e) {
      return '';
    }
  }

  // The story's own nodes in the page (rendered at build time).
  function findNodes(root) {
    var one = function (selector) { return root.querySelector(selector); };
    return {
      panel: one('.storymap-panel'), scroller: one('.storymap-steps'),
      sections: Array.prototype.slice.call(root.querySelectorAll('.storymap-step')),
      prev: one('.storymap-prev'), next: one('.storymap-next'), counter: one('.storymap-counter'),
      bar: one('.storymap-bar'), barFill: one('.storymap-bar-fill'), live: one('.storymap-live'),
      skip: one('.storymap-skip'), sheetToggle: one('.storymap-sheet-toggle'),
      mapDescription: root.querySelector('#' + root.id + '-mapdesc')
    };
  }

  // Step i's text: its section (the only one shown in slides), the title card's size, the buttons,
  // the counter and the progress bar. Writes only, so that nothing is laid out before it paints.
  function showText(root, nodes, i, scroll) {
    var n = nodes.sections.length;
    nodes.sections.forEach(function (section, j) {
      section.hidden = !scroll && j !== i;
      section.classList.toggle('storymap-step--current', j === i);
      if (j === i) {
        section.setAttribute('aria-current', 'step');
      } else {
        section.removeAttribute('aria-current');
      }
    });
    // (Where the step's text scrolls and holds nothing focusable, a browser makes the box a Tab
    // stop: the step's title names it. In slides the title names the box alone: a screen reader
    // heard it three times, the box's name, the section's and the heading.)
    var title = nodes.sections[i] && nodes.sections[i].querySelector('.storymap-step-title');
    if (nodes.scroller && title && title.id) {
      nodes.scroller.setAttribute('aria-labelledby', title.id);
    }
    root.setAttribute('data-storymap-index', String(i));
    root.classList.toggle('storymap--first', i === 0);
    nodes.prev.disabled = i === 0;
    nodes.next.disabled = i === n - 1;
    nodes.counter.textContent = (i + 1) + ' / ' + n;
    nodes.bar.setAttribute('aria-valuenow', String(i + 1));
    nodes.barFill.style.width = ((i + 1) / n * 100) + '%';
  }

  // The story's <noscript> article: the element after the root (where the page puts it), else the
  // one with the root's article id.
  function article(root) {
    var next = root.nextElementSibling;
    if (next && next.tagName === 'NOSCRIPT' && next.classList.contains('storymap-noscript')) {
      return next;
    }
    return document.getElementById(root.id + '-article');
  }

  // The article parsed into a document that runs and loads nothing (a noscript's content is inert
  // text while scripts run): parsed once for the text shown before the story starts, and handed to
  // the story, which takes its nodes (a story made again on the root parses it again).
  var ARTICLE = '__storymapArticle';
  function articleDoc(root, keep) {
    var doc = root[ARTICLE];
    if (doc === undefined) {
      var node = article(root);
      doc = node ? new DOMParser().parseFromString(node.textContent, 'text/html') : null;
    }
    if (keep) {
      root[ARTICLE] = doc;
    } else {
      delete root[ARTICLE];
    }
    return doc;
  }

  // A step section's narrative in the parsed article `doc` (whose sections are the steps', in the
  // same order).
  function narrativeOf(root, doc, section) {
    var from = doc && doc.querySelectorAll('.storymap-article-step')[
      Array.prototype.indexOf.call(root.querySelectorAll('.storymap-step'), section)];
    return from && from.querySelector('.storymap-narrative');
  }

  // A step's narrative shown in its `section` before Leaflet runs. The page carries a step's
  // narrative in the story's article (the first step's in its section too, for the first paint):
  // a copy, unmarked (languages.js numbers the page's marked elements when the story starts), in
  // the section's slot. The story puts the article's own node in its place: the same text, so
  // nothing moves.
  function showNarrative(root, section) {
    var slot = section.querySelector('.storymap-narrative[data-slot]');
    var narrative = slot && !slot.firstChild && narrativeOf(root, articleDoc(root, true), section);
    if (!narrative) {
      return;
    }
    var copy = document.importNode(narrative, true);
    Array.prototype.forEach.call(copy.querySelectorAll('[data-i18n]'), function (node) {
      node.removeAttribute('data-i18n');
    });
    while (copy.firstChild) {
      slot.appendChild(copy.firstChild);
    }
  }

  // Shows the step a page opens on (its URL's #step, else the first), in the language it opens in,
  // before the map exists: the first paint shows the story's text as it stays. (The page is built
  // showing the first step.)
  function prepare(root) {
    var nodes = findNodes(root), id = hashId(), at = 0;
    if (!nodes.sections.length || !nodes.prev || !nodes.next || !nodes.counter || !nodes.bar || !nodes.barFill) {
      return;
    }
    nodes.sections.forEach(function (section, j) {
      if (id && section.getAttribute('data-step') === id) {
        at = j;
      }
    });
    if (!root.classList.contains('storymap--fragment') && framed()) {
      root.classList.add('storymap--framed');
    }
    // (In a page of several languages, the one its URL asks for: static/boot-languages.js.)
    if (storymapBoot.languages) {
      storymapBoot.languages.open(root);
    }
    var scroll = root.getAttribute('data-layout') === 'scroll';
    showText(root, nodes, at, scroll);
    // (The scroll layout shows every step.)
    nodes.sections.forEach(function (section, j) {
      if (scroll || j === at) {
        showNarrative(root, section);
      }
    });
  }

  // The story's root for the page's script: the element before the script (a fragment's: before
  // its <noscript> article) if it is the root of that id, else the first unclaimed one with that
  // id. (Two fragments of one story share an id, and the later one's script may run first.)
  function findRoot(script, id) {
    var own = script && script.previousElementSibling;
    if (own && own.tagName === 'NOSCRIPT') {
      own = own.previousElementSibling;
    }
    var all = [own].concat([].slice.call(document.querySelectorAll('[data-storymap]')));
    for (var i = 0; i < all.length; i++) {
      if (all[i] && all[i].id === id && !all[i].hasAttribute('data-storymap-claimed')) {
        return all[i];
      }
    }
    return null;
  }

  // Runs fn once, after the next frame has painted (a frame callback, then the next task), or after
  // `wait` ms if no frame comes first (a page in a background tab gets none). Returns a function
  // that cancels it.
  function afterPaint(fn, wait) {
    var frame, timer, done = false;
    var stop = function () {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
    var run = function () {
      if (!done) {
        done = true;
        stop();
        fn();
      }
    };
    frame = requestAnimationFrame(function () {
      nextTask(run);  // (the task after the frame's)
    });
    timer = setTimeout(run, document.hidden ? 0 : wait || 500);
    return function () {
      done = true;
      stop();
    };
  }

  // Runs fn in a task of its own, soon. Where the browser has a task scheduler (Chromium, Firefox)
  // and the page is parsed, a task of the priority 'user-blocking': the reader is waiting for the
  // map these tasks build, and Chromium runs them before it renders a frame of the unfinished map
  // (an input still comes first), until they have held its rendering back for about 100 ms (a slow
  // phone: a frame then comes between them). Otherwise (WebKit, a host page still parsed), a
  // message the page sends itself, which the browser does not hold back as it holds a timer nested
  // five deep (4 ms each: the story's tasks after the first paint are chained deeper than that).
  // Returns a function that cancels it. (An error in fn is reported as an uncaught one, to the window's
  // `error` listeners, a newsroom's error monitoring among them: not as a rejected promise.)
  var queue = [], channel = null;
  function nextTask(fn) {
    var run = function () {
      if (fn) {
        fn();
      }
    };
    var scheduler = window.scheduler;
    // (Not while the page is still parsed: a host page's own text would wait for them.)
    if (scheduler && scheduler.postTask && document.readyState !== 'loading') {
      scheduler.postTask(run, {priority: 'user-blocking'}).catch(window.reportError);
    } else {
      if (!channel) {
        channel = new MessageChannel();
        channel.port1.onmessage = function () {
          queue.shift()();
        };
      }
      queue.push(run);
      channel.port2.postMessage(0);
    }
    return function () {
      fn = null;
    };
  }

  // Runs each part of the page's script in a task of its own, from the next one (`now`), else the
  // first after the next paint, each through `wrap` (which lends storymap's Leaflet to the page as
  // window.L while it runs). Stops when the story's root has left the page meanwhile (a host that
  // took the story away).
  function tasks(root, parts, wrap, now) {
    var i = 0;
    var next = function () {
      if (root && !root.isConnected) {
        return;
      }
      wrap(parts[i++]);
      if (i < parts.length) {
        nextTask(next);
      }
    };
    if (now) {
      nextTask(next);
      return;
    }
    afterPaint(function () {
      painted(root);
      next();
    });
  }

  function painted(root) {
    if (root) {
      root.storymapPainted = true;  // (story.js: the text has painted, the map need not wait again)
    }
  }

  // A fragment's script: shows the text of the step the page opens on, at once; the rest of the
  // script (its `parts`) runs after the first paint. (A standalone page's code, `now`: its parts
  // from the next task, the text shown already, see later.)
  function start(script, id, parts, wrap, now) {
    tasks(now ? findRoot(script, id) : open(script, id), parts, wrap, now);
  }

  // The story's root for the page's script, its text shown.
  function open(script, id) {
    var root = findRoot(script, id);
    if (root) {
      prepare(root);
    }
    return root;
  }

  // A standalone page's first script: shows the text at once; after the first paint, runs the
  // page's code, kept as a data block right after the script (the browser compiles it then, not
  // before the text paints), as a script of its own, lent the first script's element and these
  // helpers (its `storymap`). (The page's policy allows the code by its hash.)
  function later(script, id) {
    var root = open(script, id);
    var runBlock = function () {
      var block = script && script.nextElementSibling;
      if ((root && !root.isConnected) || !block || !block.hasAttribute('data-storymap-code')) {
        return;
      }
      painted(root);
      var code = document.createElement('script');
      code.storymap = [script, storymapBoot];
      code.text = block.textContent;
      code.nonce = script.nonce;  // (a server's policy that allows scripts by nonce)
      block.parentNode.replaceChild(code, block);
    };
    // (A long page may paint before the parser has read the whole block: its code runs once the
    // page is parsed.)
    afterPaint(function () {
      if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', runBlock);  // (it fires once)
      } else {
        runBlock();
      }
    });
  }

  return {framed: framed, hashId: hashId, askedLang: askedLang, findNodes: findNodes, showText: showText,
    prepare: prepare, articleDoc: articleDoc, narrativeOf: narrativeOf, findRoot: findRoot, afterPaint: afterPaint,
    nextTask: nextTask, start: start, later: later};
}());
