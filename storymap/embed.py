"""Embedding a story in someone else's page: the iframe snippet and its resizing script."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from .i18n import with_language

__all__ = ["embed_snippet", "embed_policy", "SANDBOX", "REFERRER_POLICY", "MIN_HEIGHT", "MAX_HEIGHT"]

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


def embed_snippet(src: str, *, title: str = "Story map", height: int = 640, lang: str | None = None) -> str:
    """HTML to paste into a page: a responsive, sandboxed iframe whose height the story drives.

    Parameters
    ----------
    src : str
        URL of the standalone story page (``dist/index.html`` where it is hosted); a
        ``#step-id`` opens that step.
    title : str
        The iframe's accessible title.
    height : int
        Height in pixels until the story reports the height it needs
        (:data:`MIN_HEIGHT` to :data:`MAX_HEIGHT`).
    lang : str, optional
        Open the story in this of its languages: ``?lang=`` is set in ``src`` (before any ``#step-id``).

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
        For a ``src`` that is not an http(s) or relative URL, a blank ``title``, and a ``height``
        that is not a whole number of pixels in range (``True`` is not a height).
    """
    _scheme(src)
    if not isinstance(title, str) or not title.strip():  # (a screen reader names the frame by it: WCAG 4.1.2)
        raise ValueError(f"title must name the story for screen readers (the iframe's accessible name), got {title!r}")
    if isinstance(height, bool) or not isinstance(height, int) or not MIN_HEIGHT <= height <= MAX_HEIGHT:
        raise ValueError(f"height must be a whole number of pixels from {MIN_HEIGHT} to {MAX_HEIGHT}, got {height!r}")
    if lang is not None:
        src = with_language(src, lang)
    frame = (
        f'<iframe src="{html.escape(src, quote=True)}" title="{html.escape(title, quote=True)}" '
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
