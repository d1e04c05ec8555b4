// twins.js: the same fragment pasted twice into a host page (only in fragments: a page of its own
// holds one story). Both copies carry the same ids; the second one claimed gets fresh ones. (And
// every fragment's root says its story started, for fragment.css.)
(function (L) {
  'use strict';
  var ns = L.storymap, claim = ns && ns.claim;
  if (!claim || claim.twins) {
    return;
  }

  // A root whose id is already on the page (the same fragment pasted twice) gets a fresh id, and
  // the ids it uses inside follow.
  ns.claim = function (script, id) {
    var root = claim(script, id);
    // (The story started: fragment.css's note that it could not stays away, after destroy() too.)
    root.setAttribute('data-storymap-started', '');
    var twins = document.querySelectorAll('[id="' + root.id + '"]');
    if (twins.length > 1 && twins[0] !== root) {
      var old = root.id, fresh = old + '-' + twins.length;
      // A deep link to a step (#step-id) brings the first copy into view, not the last one to
      // follow it: a copy does not scroll the host page to itself.
      root.scrollIntoView = function () {};
      var rename = function (value) { return value.split(old).join(fresh); };
      root.id = fresh;
      // (Its map's id and its article's too; the story finds a step's text in the article by the
      // order of its sections, not by their ids.)
      var map = root.querySelector('.storymap-map'), article = root.nextElementSibling;
      if (map && map.id) {
        map.id += '-' + twins.length;
      }
      if (article && article.classList.contains('storymap-noscript') && article.id.indexOf(old) === 0) {
        article.id = rename(article.id);
      }
      var inner = root.querySelectorAll('[id], [aria-labelledby], [aria-describedby], [aria-controls], [for]');
      Array.prototype.forEach.call(inner, function (node) {
        ['id', 'aria-labelledby', 'aria-describedby', 'aria-controls', 'for'].forEach(function (name) {
          if (node.hasAttribute(name)) {
            node.setAttribute(name, rename(node.getAttribute(name)));
          }
        });
      });
    }
    return root;
  };
  ns.claim.twins = true;
}(L));
