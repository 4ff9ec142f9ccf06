"""An entry's body as HTML and as a plain summary."""

from __future__ import annotations

import html

from feeds.model import Entry

SUMMARY_CHARS = 300


def body_html(entry: Entry) -> str:
    """The article as HTML: the lead image and its caption first, then
    paragraphs and subheadings.

    The only markup is these few tags, written here; the only attributes are
    the image's address (an http(s) URL, checked by the parser) and its alt
    text. All text from a dump is escaped, so nothing from a dump can become
    markup, let alone run script in a reader or a browser. (An HTML sanitiser
    passed over this changes nothing, byte for byte.)
    """
    parts = [_figure(entry)] if entry.image or entry.caption else []
    for block in entry.blocks:
        tag = "h3" if block.subheading else "p"
        parts.append(f"<{tag}>{html.escape(block.text, quote=False)}</{tag}>")
    return "\n".join(parts)


def _figure(entry: Entry) -> str:
    image = caption = ""
    if entry.image:
        alt = html.escape(entry.caption_text or "")
        size = (f' width="{entry.image_width}" height="{entry.image_height}"'
                if entry.image_width and entry.image_height else "")
        image = f'<img src="{html.escape(entry.image)}" alt="{alt}"{size}>'
    if entry.caption:
        credit = entry.caption_credit
        text = html.escape(entry.caption_text or entry.caption, quote=False)
        small = f" <small>(Foto: {html.escape(credit, quote=False)})</small>" if credit else ""
        caption = f"<figcaption>{text}{small}</figcaption>"
    return f"<figure>{image}{caption}</figure>"


def summary_text(entry: Entry) -> str:
    """The first paragraphs, cut at a word near SUMMARY_CHARS."""
    text = " ".join(block.text for block in entry.blocks if not block.subheading)
    if len(text) <= SUMMARY_CHARS:
        return text or entry.title
    cut = text[:SUMMARY_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "\u2026"
