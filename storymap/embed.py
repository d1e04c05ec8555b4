"""Embedding a story in someone else's page: the iframe snippet and its resizing script."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any, Optional
from urllib.parse import unquote, urlsplit

from .i18n import check_language, marked_elements, match_language, page_languages, with_language

__all__ = ["embed_snippet", "embed_policy", "story_titles", "story_page", "local_page", "SANDBOX", "REFERRER_POLICY",
           "MIN_HEIGHT", "MAX_HEIGHT", "DEFAULT_TITLE"]

#: What the story may do in its frame: run its script in its own origin (so that the host can tell
#: its messages from a page the frame might be navigated to) and open links in new tabs that are
#: not sandboxed themselves. Nothing more: no navigating the host page, no forms, no dialogs,
#: no downloads, no pointer lock.
SANDBOX = "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"
#: The story's server learns the host's origin, never the article's address.
REFERRER_POLICY = "strict-origin"
#: The heights (px) the host accepts from the story; anything else is clamped into this range.
MIN_HEIGHT, MAX_HEIGHT = 320, 4000

# The parent page's side of the iframe protocol. It trusts only messages whose source is its own
# iframe AND whose origin is the story's (a page the frame were navigated to is another origin),
# and of those only {type: "storymap:height", height: <finite number>}, clamped to a sane range.
# The frame is sized by its width and height attributes and styled from the script, through the
# CSSOM: a host whose Content-Security-Policy forbids inline style attributes (no 'unsafe-inline')
# blocked the snippet's style attribute, and the frame fell back to 300 px wide with a border.
# The frame is the snippet's iframe before the script, also where a CMS put something between them
# (a <br>, the iframe or the script wrapped in a <p> of its own): the frame stayed 640 px tall.
_PARENT_SCRIPT = """<script>
(function (script) {
  var frame = null, node = script;
  for (var n = 0; node && !frame && n < 8; n++) {
    var before = node.previousElementSibling;
    if (!before) { node = node.parentElement; continue; }
    node = before;
    var found = node.matches("iframe[data-storymap-frame]") ? [node] : node.querySelectorAll("iframe[data-storymap-frame]");
    frame = found.length ? found[found.length - 1] : null;
  }
  if (!frame) return;
  frame.style.display = "block";
  frame.style.border = "0";
  var url = new URL(frame.getAttribute("src"), document.baseURI);
  var origins = url.protocol === "file:" ? ["null", "file://"] : [url.origin];
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source !== frame.contentWindow || origins.indexOf(event.origin) < 0 || !data || typeof data !== "object") return;
    if (data.type === "storymap:height" && typeof data.height === "number" && isFinite(data.height)) {
      frame.style.height = Math.round(Math.min(%(max)d, Math.max(%(min)d, data.height))) + "px";
    }
  });
})(document.currentScript);
</script>""" % {"min": MIN_HEIGHT, "max": MAX_HEIGHT}


_HOST = re.compile(r"(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?!html?$|php$|aspx?$|shtml$)[a-z]{2,}(?::\d+)?", re.I)


def bare_host(src: str) -> str | None:
    """The host name a URL without a scheme starts with (``example.org/story/`` → ``example.org``),
    which the browser would take as a path beside the embedding page; None for a real relative URL
    (``story/index.html``, ``../story/``, ``/story/``)."""
    if ":" in src.split("/", 1)[0] or src.startswith(("/", ".", "#", "?")):
        return None
    first = src.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return first if _HOST.fullmatch(first) else None


def _scheme(src: str) -> str:
    """``src``'s scheme, "" for a relative URL; ValueError for one that is not http(s)."""
    scheme = src.strip().split(":", 1)[0].lower() if ":" in src.split("/", 1)[0] else ""
    if scheme and scheme not in ("http", "https"):
        raise ValueError(f"src must be an http(s) or relative URL, got {src!r}")
    return scheme


#: The iframe's title when neither the caller nor the story gives one.
DEFAULT_TITLE = "Story map"
_HTML_LANG = re.compile(r"<html\b[^>]*?\slang=\"([^\"]+)\"", re.IGNORECASE)
_TITLE = re.compile(r"<title>([^<]*)</title>", re.IGNORECASE)
_TEMPLATE = re.compile(r'<template data-lang="([^"]+)"[^>]*>(.*?)</template>', re.DOTALL)


def _page_titles(page: str) -> Optional[tuple[str, dict[str, str]]]:
    """What a page storymap built says of its story: its language and its title in each of its
    languages (the one shown from ``<title>``, the others from its language templates, where the
    story's marked title has an entry); None for another page (a fragment too)."""
    lang, title = _HTML_LANG.search(page), _TITLE.search(page)
    if lang is None or title is None or 'name="generator" content="storymap"' not in page:
        return None
    titles = {html.unescape(lang.group(1)): html.unescape(title.group(1)).strip()}
    shown = next(iter(titles))
    templates = _TEMPLATE.findall(page)
    marked = [attrs.get("class", "").split() for _tag, attrs, _content in marked_elements(page)] if templates else []
    index = next((i for i, classes in enumerate(marked) if "storymap-title" in classes), None)
    for other, entries in templates:  # (an entry for the title: its text differs in that language)
        found = index is not None and re.search(rf'<div data-k="{index}"[^>]*\sdata-c>(.*?)</div>', entries, re.DOTALL)
        text = html.unescape(re.sub(r"<[^>]*>", "", found.group(1))).strip() if found else ""
        titles[html.unescape(other)] = text or titles[shown]
    return shown, titles


def story_titles(story: Any) -> tuple[str, dict[str, str]]:
    """A story's own language and its title in each of its languages, its own first, from a
    :class:`storymap.Story`, its folder (or story.toml), or a page ``storymap build`` wrote.

    Raises
    ------
    ValueError
        For a file that is no story page (a fragment has no title: give its folder).
    storymap.StoryError
        For a story folder that does not load.
    """
    if isinstance(story, (str, os.PathLike)):
        path = Path(story)
        if path.suffix.lower() in (".html", ".htm"):
            found = _page_titles(path.read_text("utf-8", errors="replace"))
            if found is None:
                raise ValueError(f"{str(path)!r} is not a page storymap built (a fragment has no title of its own): "
                                 "give the story's folder")
            return found
        from .story import load

        story = load(path)
    from .translations import _text

    data = story.data
    return data.lang, {lang: _text(getattr(data.translations.get(lang), "title", None), data.title)
                       for lang in page_languages(data)}


def story_page(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a page ``storymap build`` wrote (a fragment is not: it has no title)."""
    path = Path(path)
    try:
        return path.suffix.lower() in (".html", ".htm") and path.is_file() and _page_titles(
            path.read_text("utf-8", errors="replace")) is not None
    except OSError:
        return False


def local_page(src: str) -> Optional[Path]:
    """The page here that a relative ``src`` names (``dist/index.html``; ``dist/`` for its
    index.html) when it is a page storymap built, else None."""
    if ":" in src.split("/", 1)[0] or bare_host(src) is not None:  # (a URL with a scheme, or a site's)
        return None
    address = src.split("#", 1)[0].split("?", 1)[0]
    path = Path(unquote(address) or ".")
    path = path / "index.html" if address.endswith("/") or path.is_dir() else path
    return path if story_page(path) else None


def embed_snippet(src: str, *, title: str | None = None, height: int = 640, lang: str | None = None,
                  story: Any = None) -> str:
    """HTML to paste into a page: a responsive, sandboxed iframe whose height the story drives.

    Parameters
    ----------
    src : str
        URL of the standalone story page (``dist/index.html`` where it is hosted); a
        ``#step-id`` opens that step.
    title : str, optional
        The iframe's accessible title; default: the story's title in the language it opens in
        (``story`` given), else :data:`DEFAULT_TITLE`.
    height : int
        Height in pixels until the story reports the height it needs
        (:data:`MIN_HEIGHT` to :data:`MAX_HEIGHT`).
    lang : str, optional
        Open the story in this of its languages: ``?lang=`` is set in ``src`` (before any
        ``#step-id``), unless ``story`` says it is the story's own (the page opens in it anyway).
    story : Story or path, optional
        The story at ``src``: a :class:`storymap.Story`, its folder, or the page ``storymap build``
        wrote (see :func:`story_titles`). The title then comes from it, ``lang`` must be one of its
        languages, and the frame's ``lang`` attribute says the title's language.

    Returns
    -------
    str
        An ``<iframe>`` (``sandbox`` :data:`SANDBOX`, ``referrerpolicy`` :data:`REFERRER_POLICY`)
        followed by a small script that sizes the iframe from the story's
        ``{type: "storymap:height", height}`` messages, accepted only from that iframe's own
        document and clamped to :data:`MIN_HEIGHT`–:data:`MAX_HEIGHT`. What else the story says
        and obeys depends on its ``allowed_origins`` (see the README's Embedding section).

    Raises
    ------
    ValueError
        For a ``src`` that is not an http(s) or relative URL, a blank ``title``, a ``height``
        that is not a whole number of pixels in range (``True`` is not a height), and a ``lang``
        that is not one of ``story``'s languages (:class:`storymap.i18n.LanguageTagError` for one
        that is no language tag).
    """
    _scheme(src)
    said = ""  # (the frame's lang attribute: the language of a title taken from the story)
    if story is not None:
        own, titles = story_titles(story)
        shown = own if lang is None else match_language(list(titles), check_language(lang)[0])
        if shown is None:
            raise ValueError(f"the story is not in {lang!r}; its languages are {', '.join(titles)}")
        if title is None:
            title, said = titles[shown], f' lang="{html.escape(shown, quote=True)}"'
        query = src.split("#", 1)[0].partition("?")[2]
        if shown == own and not re.search(r"(^|&)lang=", query):
            lang = None  # (the page opens in its own language: ?lang= would say nothing)
        else:
            lang = shown
    if title is None:
        title = DEFAULT_TITLE
    if not isinstance(title, str) or not title.strip():  # (a screen reader names the frame by it: WCAG 4.1.2)
        raise ValueError(f"title must name the story for screen readers (the iframe's accessible name), got {title!r}")
    if isinstance(height, bool) or not isinstance(height, int) or not MIN_HEIGHT <= height <= MAX_HEIGHT:
        raise ValueError(f"height must be a whole number of pixels from {MIN_HEIGHT} to {MAX_HEIGHT}, got {height!r}")
    if lang is not None:
        src = with_language(src, lang)
    frame = (
        f'<iframe src="{html.escape(src, quote=True)}" title="{html.escape(title, quote=True)}"{said} '
        f'data-storymap-frame loading="lazy" allow="fullscreen" sandbox="{SANDBOX}" '
        f'referrerpolicy="{REFERRER_POLICY}" width="100%" height="{height}"></iframe>'
    )
    return frame + "\n" + _PARENT_SCRIPT + "\n"


def embed_policy(src: str) -> str:
    """What the Content-Security-Policy of a page holding :func:`embed_snippet`'s snippet for ``src``
    must allow: the snippet's script, by its hash, and the story's origin as a frame (``'self'``
    for a relative ``src``), as directives to merge into the page's own:
    ``script-src 'sha256-…'; frame-src https://maps.example``."""
    from .security import _hash  # (the hash a policy names an inline script by)

    origin = "'self'"
    if _scheme(src):
        parts = urlsplit(src.strip())
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
    body = _PARENT_SCRIPT[len("<script>"):-len("</script>")]
    return f"script-src {_hash(body)}; frame-src {origin}"
