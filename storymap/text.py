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

__all__ = ["markdown_html", "markdown_notes", "sanitize_html", "script_json", "ALLOWED_TAGS", "LINK_TARGET"]

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


#: Every link the story renders opens in a new tab (an iframe or a host page is never navigated away).
LINK_TARGET = {"a": {"target": "_blank"}}


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


# Text that Markdown renders as one plain paragraph, as it is: no character that Markdown or HTML
# gives a meaning (emphasis, code, links, entities, escapes, tags, headings, strikethrough), no
# line breaks or control characters, no surrogates; nor a start that makes a list or a heading.
_PLAIN = re.compile(r"[^\x00-\x1f\x7f-\x9f\\`*_\[\]<>&!#~|\ud800-\udfff]+")
_BLOCK_START = re.compile(r"[-+=]|[0-9]{1,9}[.)]")


def _plain_paragraph(text: str) -> str | None:
    """:func:`markdown_html` of a plain one-line text, without parsing it (None for any other text).

    Thousands of places' annotations are often such text; the result is what parsing and
    sanitizing give (``tests/test_hostile.py`` checks that on generated text).
    """
    if text and text == text.strip() and _PLAIN.fullmatch(text) and not _BLOCK_START.match(text):
        return "<p>" + text.replace("\xa0", "&nbsp;") + "</p>"
    return None


def markdown_html(text: str) -> str:
    """Render untrusted Markdown to sanitized HTML.

    Raw HTML in the source is shown as text, never interpreted; the rendered HTML then passes an
    allowlist sanitizer. Links keep only ``http(s):``/``mailto:`` targets, always get
    ``rel="noreferrer"`` (which implies ``noopener``) and open in a new tab (``target="_blank"``).

    Parameters
    ----------
    text : str
        Markdown source.

    Returns
    -------
    str
        HTML safe to place in the page body.
    """
    plain = _plain_paragraph(text or "")
    return plain if plain is not None else _markdown_html(text or "")


@lru_cache(maxsize=1)
def _reader() -> MarkdownIt:
    """A parser that reads what :func:`markdown_html` leaves out (raw HTML, every link) as such."""
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.validateLink = lambda url: True  # (markdown_html's parser leaves javascript: links as text)
    return md


def markdown_notes(text: str) -> list[str]:
    """What a writer should know about Markdown that :func:`markdown_html` does not show as written:
    images (left out: a step's images are its media), raw HTML (shown as text) and links whose
    target is dropped (not http(s) or mailto, or not absolute), once each, as messages."""
    if not text or _plain_paragraph(text) is not None:
        return []
    images, tags, links = [], [], []
    for token in _reader().parse(text):
        if token.type == "html_block":
            tags.append(token.content.strip())
        for child in token.children or ():
            if child.type == "image":
                images.append(child.attrGet("src") or "")
            elif child.type == "html_inline":
                tags.append(child.content)
            elif child.type == "link_open":
                href = str(child.attrGet("href") or "")
                if not _ABSOLUTE_LINK.match(href) or href.split(":", 1)[0].lower() not in _URL_SCHEMES:
                    links.append((href, _parser().validateLink(href)))
    out = []
    if images:
        out.append(f"an image in Markdown (![…]({_short(images[0])})) is left out: a step shows images as its "
                   "media ([[steps.media]], with alt text)")
    if tags:
        out.append(f"HTML ({_short(tags[0])}) is shown as text, not as markup: write Markdown (**bold**, *italic*, "
                   "[text](https://…))")
    for href, linked in links[:1]:
        shown = "keeps its text but not its target" if linked else "is shown as written, not as a link"
        out.append(f"the link to {_short(href)!r} {shown}: a link goes to an http(s) or mailto address, written "
                   "in full (https://…)")
    return out


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


@lru_cache(maxsize=4096)
def _markdown_html(text: str) -> str:
    html = _parser().render(text)
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in _ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(_URL_SCHEMES),
        link_rel="noreferrer",
        set_tag_attribute_values=LINK_TARGET,
        attribute_filter=_only_absolute_links,
        strip_comments=True,
    ).strip()


#: What HTML written for folium popups and tooltips may keep (:func:`sanitize_html`): Markdown's
#: tags, plus the usual markup of a popup (bold, tables, spans and divs), no attributes but links'
#: and table cells' spans: no styles, images, forms, frames or event handlers.
HTML_TAGS = ALLOWED_TAGS | {"b", "i", "u", "small", "mark", "span", "div", "h1", "h2", "h3", "table", "caption",
                            "thead", "tbody", "tfoot", "tr", "th", "td", "dl", "dt", "dd", "abbr"}
_HTML_ATTRIBUTES = {**_ALLOWED_ATTRIBUTES, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"},
                    "abbr": {"title"}}


def sanitize_html(html: str) -> str:
    """Untrusted HTML (a folium popup's or tooltip's) → HTML that runs nothing.

    Allowlisted tags only (:data:`HTML_TAGS`); links keep absolute ``http(s):``/``mailto:``
    targets, get ``rel="noreferrer"`` and open in a new tab.
    """
    return nh3.clean(
        html or "",
        tags=set(HTML_TAGS),
        clean_content_tags={"script", "style"},
        attributes={k: set(v) for k, v in _HTML_ATTRIBUTES.items()},
        url_schemes=set(_URL_SCHEMES),
        link_rel="noreferrer",
        set_tag_attribute_values=LINK_TARGET,
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
