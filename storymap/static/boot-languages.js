// boot-languages.js: in a page of several languages (only there), the plain-DOM half of the
// language switch, run with boot.js while the page is parsed. A page opened in another of its
// languages (?lang=es) shows that language's text in its first paint: the story's texts are swapped
// in before Leaflet runs, and the story (languages.js) takes the swap over as it starts.
// The page is rendered in one language; each other one is a <template data-lang> in the story's root
// holding an entry <div data-k="N" [attributes] [data-c]>content</div> for each element marked
// data-i18n (the N-th, in document order) whose attributes or content differ (storymap/i18n.py).
// Showing a language swaps its entries with the page's elements: a swap is its own inverse, so the
// entries then hold what they replaced. Nothing here writes HTML: nodes move between the page and
// the templates' (inert, build-time sanitized) content (a node appended in another document is
// adopted by it).
(function (boot) {
  'use strict';
  var MARK = 'data-i18n', OPENED = '__storymapOpened';
  var each = function (list, fn) {
    Array.prototype.forEach.call(list, fn);
  };

  // The elements whose text or attributes depend on the language, in the order storymap/i18n.py
  // numbers them: the root's, then those of the story's parsed article (`doc`, may be null).
  function marks(root, doc) {
    var list = Array.prototype.slice.call(root.querySelectorAll('[' + MARK + ']'));
    return doc ? list.concat(Array.prototype.slice.call(doc.querySelectorAll('[' + MARK + ']'))) : list;
  }

  // Gives each element of `list` its number; returns the values the marks had.
  function number(list) {
    return list.map(function (node, i) {
      var had = node.getAttribute(MARK);
      node.setAttribute(MARK, i);
      return had;
    });
  }

  // The story's other languages: {tag: its <template data-lang>}.
  function templates(root) {
    var out = {};
    each(root.querySelectorAll('template[data-lang]'), function (template) {
      out[template.getAttribute('data-lang')] = template;
    });
    return out;
  }

  // One of `langs` for a tag: the same tag (in any case), else the first of its primary language.
  function match(langs, tag) {
    var want = String(tag || '').toLowerCase(), exact = null, primary = null;
    langs.forEach(function (lang) {
      var have = lang.toLowerCase();
      if (have === want) {
        exact = lang;
      } else if (!primary && have.split('-')[0] === want.split('-')[0]) {
        primary = lang;
      }
    });
    return want ? exact || primary : null;
  }

  // Exchanges marked elements with the entries of a language's `store`: `find(k)` gives the
  // elements marked k (the element itself, and the copies the story made of it).
  function swap(store, find) {
    each(store ? store.children : [], function (entry) {
      var targets = find(entry.getAttribute('data-k'));
      var first = targets[0];
      if (!first) {
        return;
      }
      each(Array.prototype.slice.call(entry.attributes), function (a) {
        if (a.name !== 'data-k' && a.name !== 'data-c') {
          var old = first.getAttribute(a.name), value = a.value;
          each(targets, function (t) { t.setAttribute(a.name, value); });
          entry.setAttribute(a.name, old === null ? '' : old);
        }
      });
      if (entry.hasAttribute('data-c')) {
        var incoming = document.createDocumentFragment();
        while (entry.firstChild) {
          incoming.appendChild(entry.firstChild);
        }
        while (first.firstChild) {
          entry.appendChild(first.firstChild);
        }
        each(targets, function (t) {
          if (t !== first) {
            t.textContent = '';
            t.appendChild(incoming.cloneNode(true));
          }
        });
        first.appendChild(incoming);
      }
    });
  }

  // Before the map exists, the language the page's URL asks for (?lang=es), when it is another of
  // the story's: its texts swapped into the root and into the story's parsed article (where the
  // step texts the story shows later are), the root's lang and dir set, and a page of its own's
  // too. The story takes over what was done (taken once, by languages.js): the language, the
  // marks' own values, its store, what the page's <html> and title said. (The map's code shows the
  // step again when it claims the root: the language is in already; a root with a story is left.)
  function open(root) {
    var wanted = !root[OPENED] && !root.storymap && boot.askedLang();
    var all = templates(root), lang = wanted && match([root.lang].concat(Object.keys(all)), wanted);
    if (!lang || !Object.prototype.hasOwnProperty.call(all, lang)) {
      return;
    }
    var doc = boot.articleDoc(root, true), list = marks(root, doc), html = document.documentElement;
    var dir = all[lang].getAttribute('data-dir'), title = root.querySelector('.storymap-title');
    var state = {lang: lang, dir: root.getAttribute('dir'), given: number(list),
      store: document.importNode(all[lang].content, true),
      page: {lang: html.lang, dir: html.getAttribute('dir'), title: document.title}};
    // (Before the story starts, each mark is one element, found by its number: while it is still
    // in the page or the article, not gone with an element whose content was swapped.)
    swap(state.store, function (k) {
      var node = list[k];
      return node && (root.contains(node) || (doc && doc.contains(node))) ? [node] : [];
    });
    // (A step's narrative that the page or boot.js showed is an unmarked copy in the page's own
    // language: boot.js copies the step's again, from the article, now in this one.)
    each(root.querySelectorAll('.storymap-narrative[data-slot]'), function (slot) {
      slot.textContent = '';
    });
    root.lang = lang;
    root.setAttribute('dir', dir || 'ltr');
    if (!root.classList.contains('storymap--fragment') && root.closest('body.storymap-page')) {
      html.lang = lang;
      if (dir) {
        html.setAttribute('dir', dir);
      } else {
        html.removeAttribute('dir');
      }
      if (title) {
        document.title = title.textContent;
      }
    }
    root[OPENED] = state;
  }

  // What open() did on `root` (once; null when it did nothing).
  function opened(root) {
    var state = root[OPENED] || null;
    delete root[OPENED];
    return state;
  }

  boot.languages = {marks: marks, number: number, templates: templates, match: match, swap: swap, open: open,
    opened: opened};
}(storymapBoot));
