"""Visible text: a text dump, or an HTML page's blocks joined as one, read as
blocks separated by blank lines.

The page is cleaned once, and one search of the whole text finds where the
article ends (its first sidebar heading, or the end marker). Only the article
is split into blocks; what follows is kept as the page printed it, unread
(`feeds.parse.sidebars`). `read_article` then reads the blocks around the date line.
"""

from __future__ import annotations

from collections.abc import Sequence

from feeds.model import NO_SIDEBARS, Sidebars
from feeds.parse.page import Facts, read_article
from feeds.parse.sidebars import BLANK_LINES, article_end
from feeds.text import clean_page, fold_spaces


def parse_text(text: str, default_zone: str, headlines: Sequence[str] = ()) -> Facts:
    """The facts a page's visible text states, its date line the stamp nearest
    the first of `headlines` it prints, when it prints one (`read_article`).
    Lines of one block are joined by a space."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = clean_page(text)
    end, sidebar = article_end(text, default_zone)
    blocks = [block for block in map(fold_spaces, BLANK_LINES.split(text[:end])) if block]
    sidebars = Sidebars(text[end:], default_zone) if sidebar else NO_SIDEBARS
    return read_article(blocks, sidebars, default_zone, headlines)
