"""An entry's body as HTML and as a plain summary."""

from __future__ import annotations

import html

import nh3

from feeds.model import Entry

ALLOWED_TAGS = {"p", "h3", "figure", "figcaption", "em", "small", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
SUMMARY_CHARS = 300


def body_html(entry: Entry) -> str:
    """The article as HTML: caption first, then paragraphs and subheadings.

    Everything is escaped text; nh3 then drops whatever is not on the short
    allow-list, so nothing from a dump can run script in a reader or a browser.
    """
    parts = []
    if entry.caption:
        credit = entry.caption_credit
        text = html.escape(entry.caption_text or entry.caption)
        small = f" <small>(Foto: {html.escape(credit)})</small>" if credit else ""
        parts.append(f"<figure><figcaption>{text}{small}</figcaption></figure>")
    for block in entry.blocks:
        tag = "h3" if block.subheading else "p"
        parts.append(f"<{tag}>{html.escape(block.text, quote=False)}</{tag}>")
    return sanitize("\n".join(parts))


def sanitize(markup: str) -> str:
    return nh3.clean(markup, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     link_rel="noopener noreferrer")


def summary_text(entry: Entry) -> str:
    """The first paragraphs, cut at a word near SUMMARY_CHARS."""
    text = " ".join(block.text for block in entry.blocks if not block.subheading)
    if len(text) <= SUMMARY_CHARS:
        return text or entry.title
    cut = text[:SUMMARY_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "\u2026"
