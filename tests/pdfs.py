"""Reading a printed page back from its PDF: the last line of each page, and which of those are
headings left at a page's foot (the text they head on the next page)."""

from __future__ import annotations

import io
import unicodedata

#: The texts of the story's headings (a step's title, a list's summary, a place's name and the line
#: under it), as an expression to evaluate in the page.
HEADINGS_JS = """Array.from(document.querySelectorAll(
    '.storymap-step-title, .storymap-panel summary, .storymap-place-name, .storymap-place-meta'))
    .map((el) => el.textContent.replace(/\\s+/g, ' ').trim())"""


def pdf_page_feet(pdf: bytes, skip_footer: bool = False) -> list[str]:
    """The last line of text of each page of ``pdf`` (above the page number with ``skip_footer``),
    its ligatures (ﬁ) undone."""
    from pypdf import PdfReader

    feet = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        lines = [line.strip() for line in unicodedata.normalize("NFKC", page.extract_text()).splitlines() if line.strip()]
        feet.append(lines[-2 if skip_footer else -1])
    return feet


def stranded(feet: list[str], headings: list[str]) -> list[str]:
    """The feet that are a heading, or the end of one that wrapped (ten characters or more)."""
    headings = [unicodedata.normalize("NFKC", h) for h in headings]
    return [foot for foot in feet if any(h == foot or (len(foot) >= 10 and h.endswith(foot)) for h in headings)]
