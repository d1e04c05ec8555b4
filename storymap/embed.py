"""Embedding a story in someone else's page: the iframe snippet and its resizing script."""

from __future__ import annotations

import html

from .i18n import with_language

__all__ = ["embed_snippet"]

# The parent page's side of the iframe protocol. It trusts only messages whose source is its
# own iframe, and of those only {type: "storymap:height", height: <number>}.
_PARENT_SCRIPT = """<script>
(function (frame) {
  if (!frame) return;
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source !== frame.contentWindow || !data || typeof data !== "object") return;
    if (data.type === "storymap:height" && typeof data.height === "number" && data.height > 0 && data.height < 20000) {
      frame.style.height = Math.ceil(data.height) + "px";
    }
  });
})(document.currentScript && document.currentScript.previousElementSibling);
</script>"""


def embed_snippet(src: str, *, title: str = "Story map", height: int = 640, lang: str | None = None) -> str:
    """HTML to paste into a page: a responsive iframe whose height the story drives.

    Parameters
    ----------
    src : str
        URL of the standalone story page (``dist/index.html`` where it is hosted); a
        ``#step-id`` opens that step.
    title : str
        The iframe's accessible title.
    height : int
        Height in pixels until the story reports the height it needs.
    lang : str, optional
        Open the story in this of its languages: ``?lang=`` is set in ``src`` (before any ``#step-id``).

    Returns
    -------
    str
        An ``<iframe>`` followed by a small script. Inside the frame the story posts
        ``{type: "storymap:step", id, index, title}`` and ``{type: "storymap:height", height}``
        to the parent and obeys ``{type: "storymap:goto", step}``; the script sizes the iframe
        from height messages sent by that iframe only.
    """
    scheme = src.strip().split(":", 1)[0].lower() if ":" in src.split("/", 1)[0] else ""
    if scheme and scheme not in ("http", "https"):
        raise ValueError(f"src must be an http(s) or relative URL, got {src!r}")
    if not isinstance(height, int) or height <= 0:
        raise ValueError(f"height must be a positive number of pixels, got {height!r}")
    if lang is not None:
        src = with_language(src, lang)
    frame = (
        f'<iframe src="{html.escape(src, quote=True)}" title="{html.escape(title, quote=True)}" '
        f'data-storymap-frame loading="lazy" allow="fullscreen" '
        f'style="display:block;width:100%;height:{height}px;border:0"></iframe>'
    )
    return frame + "\n" + _PARENT_SCRIPT + "\n"
