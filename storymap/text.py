"""Untrusted text → safe HTML and safe inline JSON.

Every string in a story (narratives, annotations, names, layer properties) is untrusted: story
files are edited by hand and pages are embedded in news sites. Two funnels handle all of it:

- :func:`markdown_html` renders Markdown with raw HTML switched off, then sanitizes the result
  against an allowlist (nh3), keeping only ``http(s):`` and ``mailto:`` links.
- :func:`script_json` serialises data for a ``<script>`` element so that no string can close the
  element, open an HTML comment or break a JavaScript string.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt

__all__ = ["markdown_html", "script_json", "ALLOWED_TAGS"]

#: Tags that narrative Markdown may produce. Headings are demoted by the renderer (see below)
#: so a narrative cannot break the page's heading order.
ALLOWED_TAGS = frozenset(
    {
        "p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre",
        "h4", "h5", "h6", "hr", "s", "del", "sup", "sub",
    }
)
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_URL_SCHEMES = {"http", "https", "mailto"}
# nh3 checks the scheme of absolute URLs only; relative ones ("/x", "//other.host/x", "#x")
# would resolve against whatever page embeds the story, so links must be absolute too.
_ABSOLUTE_LINK = re.compile(r"^(?:https?://[^/\s]|mailto:[^\s])", re.IGNORECASE)


def _only_absolute_links(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href" and not _ABSOLUTE_LINK.match(value):
        return None
    return value


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("strikethrough")

    # Narrative headings sit below the step's own heading: "#" becomes <h4>, and so on.
    def demote_heading(renderer, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        token = tokens[idx]
        if not token.meta.get("demoted"):
            token.tag = f"h{min(6, int(token.tag[1]) + 3)}"
            token.meta["demoted"] = True
        return renderer.renderToken(tokens, idx, options, env)

    md.add_render_rule("heading_open", demote_heading)
    md.add_render_rule("heading_close", demote_heading)
    return md


def markdown_html(text: str) -> str:
    """Render untrusted Markdown to sanitized HTML.

    Raw HTML in the source is shown as text, never interpreted; the rendered HTML then passes an
    allowlist sanitizer. Links keep only ``http(s):``/``mailto:`` targets and always get
    ``rel="noopener noreferrer"``.

    Parameters
    ----------
    text : str
        Markdown source.

    Returns
    -------
    str
        HTML safe to place in the page body.
    """
    html = _parser().render(text or "")
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in _ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(_URL_SCHEMES),
        link_rel="noopener noreferrer",
        attribute_filter=_only_absolute_links,
        strip_comments=True,
    ).strip()


_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def script_json(value: Any, *, indent: int | None = None) -> str:
    """Serialise ``value`` as JSON safe inside an inline ``<script>``.

    ``<``, ``>`` and ``&`` become ``\\u003c`` etc., so neither ``</script>`` nor ``<!--`` can
    appear; U+2028/U+2029 are escaped for older JavaScript parsers. The output is still valid
    JSON and a valid JavaScript expression.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False, indent=indent)
    for char, escape in _SCRIPT_ESCAPES.items():
        text = text.replace(char, escape)
    return text
