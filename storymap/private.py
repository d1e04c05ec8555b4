"""storymap's Leaflet is its own: the page's script and a host page's globals stay out of each other's way.

A fragment is pasted into a page storymap knows nothing of. That page may load its own Leaflet
(another version, with its own plugins), may have ``window.L = {}`` or an element ``id="L"``
(which the browser also names ``window.L``), or may have added enumerable properties to
``Object.prototype``. None of it may change the story, and the story may change none of it. So the
page's script (a fragment's one script; a standalone page's code) is a function that

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
  holds the page for long. A standalone page keeps all but boot.js in a data block after its
  first script (:func:`boot_script`, :func:`code_start`), which boot.js makes a script of after
  the first paint: the browser compiles that code then, not before the text paints;
- routes every ``for … in`` loop of Leaflet through ``__keys`` (see
  :func:`storymap.assets.guard_for_in`), so a polluted prototype adds no key to any loop.
"""

from __future__ import annotations

import json
from functools import lru_cache

from . import assets

__all__ = ["script_start", "script_end", "boot_script", "code_start", "COMPILE_HINT", "CODE_URL", "LEAFLET_KEY", "leaflet_key"]

#: Where the page keeps storymap's (full) Leaflet: ``window[Symbol.for(LEAFLET_KEY)]``.
LEAFLET_KEY = f"storymap.leaflet@{assets.LEAFLET_VERSION}"


def leaflet_key(trimmed: bool = False) -> str:
    """Where a page keeps its Leaflet: :data:`LEAFLET_KEY` for the full one; for a trimmed one
    ``storymap.leaflet@1.9.4-trim.<id>``, the id that of the trimmed script's text (pages with the
    same trimmed Leaflet share it, and no other)."""
    return f"{LEAFLET_KEY}-trim.{assets.leaflet_id(True)}" if trimmed else LEAFLET_KEY

# The part of the script that runs Leaflet, then storymap's components (``inner`` follows it).
_PARTS = """[function(){
L=window[key];
if(!(L&&typeof L.map==='function'&&L.version===%(version)s)){L={};(function(exports,module){try{
%(leaflet)s
}catch(e){if(typeof L.map!=='function'){throw e}}})(L,{exports:L});try{Object.defineProperty(window,key,{value:L})}catch(e){}}
},function(){
"""

# A fragment's one script: boot.js runs at once, the parts after the first paint.
_START = """(function(key,storymapScript){
var exports,module,define,require;
%(own_keys)s
%(boot)s%(boot_languages)s
var L,hadL,hostL;
storymapBoot.start(storymapScript,%(root_id)s,""" + _PARTS

# A standalone page's first script: boot.js, which runs at once and, after the first paint, runs
# the page's code (the data block after it, :data:`_CODE_START`).
_BOOT = """(function(storymapScript){
%(boot)s%(boot_languages)s
storymapBoot.later(storymapScript,%(root_id)s);
})(document.currentScript);"""

# The start of a standalone page's code. Its first line (on a page whose map holds only storymap's
# own code, which nearly all runs while the story opens) asks V8 (Chrome 136 and later; a comment
# elsewhere) to compile each of its functions as it compiles the script, not on each one's first
# call: compiled lazily, each was read twice, once to find its end and once to compile it
# (benchmarks/first_view.py: about 9 ms less CPU before the first step is ready). The script is
# compiled after the first paint, so that compiling it all at once does not hold the text back.
_CODE_START = """%(hint)s(function(key,own){
var storymapScript=own[0],storymapBoot=own[1],exports,module,define,require;
%(own_keys)s
var L,hadL,hostL;
storymapBoot.start(storymapScript,%(root_id)s,""" + _PARTS

#: The name a standalone page's code goes by in error stacks and developer tools (it has no file).
CODE_URL = "storymap-code.js"

#: The first line of a standalone page's code: compile every function at once (see :func:`code_start`).
COMPILE_HINT = "//# allFunctionsCalledOnLoad\n"

_END = """
}],function(part){
hadL=Object.prototype.hasOwnProperty.call(window,'L');hostL=hadL?window.L:undefined;
try{if(L){try{window.L=L}catch(e){}}part()}finally{%(give_back)s}
}%(now)s);
})(typeof Symbol==='function'?Symbol.for('%(key)s'):'%(key)s',%(script)s);"""


@lru_cache(maxsize=2)
def _leaflet_part(trimmed: bool) -> dict[str, str]:
    return {"own_keys": assets.minify_js(assets.OWN_KEYS_JS), "boot": assets.own_script("boot.js"),
            "version": f"'{assets.LEAFLET_VERSION}'", "leaflet": assets.leaflet_js(trimmed)}


def _boot_languages(languages: bool) -> str:
    return "\n" + assets.own_script("boot-languages.js") if languages else ""


def script_start(inner: str, root_id: str, *, languages: bool = False, trimmed: bool = False) -> str:
    """The start of a fragment's one script, up to and including ``inner`` (storymap's components
    and the elements' scripts, code that uses ``L``); the map's code follows, then
    :func:`script_end`.

    What runs at once, while the page is parsed, is boot.js: it shows the text of the step the page
    opens on (the story's root is ``root_id``). Leaflet, ``inner`` and the map's code each run in a
    task of their own after the first paint (the text does not wait for them, and no task is long);
    the map's code finds the script element as ``storymapScript``. In a page of several
    ``languages``, boot-languages.js runs with boot.js: a page opened in another language
    (``?lang=es``) shows that language's text in its first paint. With ``trimmed``, the Leaflet
    is the trimmed one (:func:`storymap.assets.leaflet_js`); :func:`script_end` must say so too.

    (A fragment keeps its code in the script the host page runs: a host's policy that allows that
    script by its hash, its nonce or as inline code, or that enforces Trusted Types, lets it run.)
    """
    start = _START % dict(_leaflet_part(trimmed), root_id=json.dumps(root_id),
                          boot_languages=_boot_languages(languages))
    return start + inner + "\n}, function () {\n"


def boot_script(root_id: str, *, languages: bool = False) -> str:
    """A standalone page's first script: boot.js (and boot-languages.js in a page of several
    ``languages``), which shows the opening step's text while the page is parsed and, after the
    first paint, runs the page's code (:func:`code_start` … :func:`script_end`), kept in a data
    block (``<script type="text/plain" data-storymap-code>``) right after this script: the browser
    then compiles the code after the text has painted, not before. The page's policy allows the code
    by its hash, as it allows this script."""
    return _BOOT % {"boot": assets.own_script("boot.js"), "boot_languages": _boot_languages(languages),
                    "root_id": json.dumps(root_id)}


def code_start(inner: str, root_id: str, *, trimmed: bool = False) -> str:
    """The start of a standalone page's code (:func:`boot_script` runs it), as
    :func:`script_start` for a fragment: Leaflet, then ``inner``, the map's code and
    :func:`script_end` (with ``page=True``), each part in a task of its own. With ``trimmed`` (the
    map holds only storymap's own code) its first line is :data:`COMPILE_HINT`."""
    return _CODE_START % dict(_leaflet_part(trimmed), root_id=json.dumps(root_id),
                              hint=COMPILE_HINT if trimmed else "") + inner + "\n}, function () {\n"


def script_end(*, page: bool, trimmed: bool = False) -> str:
    """The end of the page's code. With ``page``, a standalone page's (:func:`code_start`): boot.js
    lent it the script element and itself. Else a fragment's script (:func:`script_start`): the
    host's ``window.L`` is given back after each part. ``trimmed`` as given to the start: where
    Leaflet is kept."""
    give_back = "" if page else "if(hadL){try{window.L=hostL}catch(e){}}else{try{delete window.L}catch(e){}}"
    script = "document.currentScript.storymap" if page else "document.currentScript"
    # (A script a page's script made has no address of its own: its errors' stacks and the
    # browser's developer tools name it by this one.)
    return _END % {"give_back": give_back, "key": leaflet_key(trimmed), "script": script, "now": ",1" if page else ""} + (
        "\n//# sourceURL=" + CODE_URL if page else "")
