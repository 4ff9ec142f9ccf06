"""Text dumps: the visible text of a page, blocks separated by blank lines."""

from __future__ import annotations

import re

from feeds.parse.page import Facts, read_blocks
from feeds.text import clean_pieces

# A blank line may hold spaces, tabs or no-break spaces (all matched by \s).
_BLANK_LINES = re.compile(r"\n(?:[^\S\n]*\n)+")


def parse_text(text: str, default_zone: str) -> Facts:
    """The facts a text dump states. Lines of one block are joined by a space."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = clean_pieces(text, _BLANK_LINES.split(text))
    return read_blocks([block for block in blocks if block], default_zone)
