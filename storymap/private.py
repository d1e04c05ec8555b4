"""storymap's Leaflet is its own: the page's script and a host page's globals stay out of each other's way.

A fragment is pasted into a page storymap knows nothing of. That page may load its own Leaflet
(another version, with its own plugins), may have ``window.L = {}`` or an element ``id="L"``
(which the browser also names ``window.L``), or may have added enumerable properties to
``Object.prototype``. None of it may change the story, and the story may change none of it. So the
page's one script is a function that

- runs Leaflet as a CommonJS module into an object of its own (``exports``/``module`` given to it;
  ``define`` and ``require`` shadowed, so a host's globals of those names mislead no UMD wrapper),
  and keeps that object in a non-enumerable, read-only ``window[Symbol.for("storymap.leaflet@…")]``,
  so that several fragments on one page run Leaflet once and share it; a page with a trimmed
  Leaflet (:mod:`storymap.leaflet_trim`) keeps it under a key of its own (:func:`leaflet_key`), so
  that a story with the full Leaflet and one with a trimmed Leaflet on the same page each get theirs;
- names that object ``L`` for everything inside (plugins, storymap, the map's code), and sets
  ``window.L`` to it only while a part of the script runs, for plugins that look for ``window.L``;
  a fragment then gives the host's ``window.L`` back as it was (or removes it), a standalone page
  keeps it;
- runs in parts: while the page is parsed only boot.js (``static/boot.js``: no Leaflet) runs, to
  show the text of the step the page opens on (in the language it opens in:
  ``static/boot-languages.js``, in a page of several); Leaflet, storymap's components and the
  map's code then run in tasks of their own after the first paint, so that the text paints first and no task
  holds the page for long;
- routes every ``for … in`` loop of Leaflet through ``__storymapKeys`` (see
  :func:`storymap.assets.guard_for_in`), so a polluted prototype adds no key to any loop.
"""

from __future__ import annotations

import json
from functools import lru_cache

from . import assets

__all__ = ["script_start", "script_end", "LEAFLET_KEY", "leaflet_key"]

#: Where the page keeps storymap's (full) Leaflet: ``window[Symbol.for(LEAFLET_KEY)]``.
LEAFLET_KEY = f"storymap.leaflet@{assets.LEAFLET_VERSION}"


def leaflet_key(trimmed: bool = False) -> str:
    """Where a page keeps its Leaflet: :data:`LEAFLET_KEY` for the full one; for a trimmed one
    ``storymap.leaflet@1.9.4-trim.<id>``, the id that of the trimmed script's text (pages with the
    same trimmed Leaflet share it, and no other)."""
    return f"{LEAFLET_KEY}-trim.{assets.leaflet_id(True)}" if trimmed else LEAFLET_KEY

_START = """(function (key, storymapScript) {
var exports, module, define, require;
%(own_keys)s
%(boot)s%(boot_languages)s
var L, hadL, hostL;
storymapBoot.start(storymapScript, %(root_id)s, [function () {
L = window[key];
if (!(L && typeof L.map === 'function' && L.version === %(version)s)) {
  L = {};
  (function (exports, module) {
    try {
%(leaflet)s
    } catch (e) {
      if (typeof L.map !== 'function') { throw e; }
    }
  })(L, {exports: L});
  try { Object.defineProperty(window, key, {value: L}); } catch (e) {}
}
}, function () {
"""

_END = """
}], function (part) {
hadL = Object.prototype.hasOwnProperty.call(window, 'L');
hostL = hadL ? window.L : undefined;
try {
if (L) { try { window.L = L; } catch (e) {} }
part();
} finally {%(give_back)s
}
});
})(typeof Symbol === 'function' ? Symbol.for('%(key)s') : '%(key)s', document.currentScript);"""


@lru_cache(maxsize=2)
def _leaflet_part(trimmed: bool) -> dict[str, str]:
    return {"own_keys": assets.minify_js(assets.OWN_KEYS_JS), "boot": assets.own_script("boot.js"),
            "version": f"'{assets.LEAFLET_VERSION}'", "leaflet": assets.leaflet_js(trimmed)}


def script_start(inner: str, root_id: str, *, languages: bool = False, trimmed: bool = False) -> str:
    """The start of the page's script, up to and including ``inner`` (storymap's components and the
    elements' scripts, code that uses ``L``); the map's code follows, then :func:`script_end`.

    What runs at once, while the page is parsed, is boot.js: it shows the text of the step the page
    opens on (the story's root is ``root_id``). Leaflet, ``inner`` and the map's code each run in a
    task of their own after the first paint (the text does not wait for them, and no task is long);
    the map's code finds the script element as ``storymapScript``. In a page of several
    ``languages``, boot-languages.js runs with boot.js: a page opened in another language
    (``?lang=es``) shows that language's text in its first paint. With ``trimmed``, the Leaflet
    is the trimmed one (:func:`storymap.assets.leaflet_js`); :func:`script_end` must say so too.
    """
    boot_languages = "\n" + assets.own_script("boot-languages.js") if languages else ""
    start = _START % dict(_leaflet_part(trimmed), root_id=json.dumps(root_id), boot_languages=boot_languages)
    return start + inner + "\n}, function () {\n"


def script_end(*, restore: bool, trimmed: bool = False) -> str:
    """The end of the page's script; with ``restore`` (a fragment), the host's ``window.L`` is given
    back after each part. ``trimmed`` as given to :func:`script_start`: where Leaflet is kept."""
    give_back = ("\nif (hadL) { try { window.L = hostL; } catch (e) {} } else { try { delete window.L; } catch (e) {} }"
                 if restore else "")
    return _END % {"give_back": give_back, "key": leaflet_key(trimmed)}
