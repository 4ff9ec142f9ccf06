"""Text dumps: the visible text of a page, blocks separated by blank lines.

A page is split and cleaned block by block only up to its first sidebar
heading: what follows is kept as the page's text, unread (`feeds.sidebars`).
Those ~35 of a page's ~50 blocks took a quarter of reading a text dump. The
facts are those `read_blocks(blocks_of(text))` gives (tested).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from feeds.parse.page import Facts, read_article
from feeds.sidebars import (
    BLANK_LINES,
    END_MARKERS,
    NO_SIDEBARS,
    Sidebars,
    is_marker,
    is_sidebar_heading,
)
from feeds.text import piece_cleaner


def parse_text(text: str, default_zone: str) -> Facts:
    """The facts a text dump states. Lines of one block are joined by a space."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = _LazyBlocks(text)
    index = 0
    while blocks.get(index) is not None:
        blocks.get(index + 2)  # the two blocks that decide whether a sidebar opens here
        if is_sidebar_heading(blocks.read, index, default_zone):
            sidebars = Sidebars(text[blocks.offsets[index] :], default_zone)
            return read_article(blocks.read[:index], sidebars, default_zone)
        index += 1
    return read_article(blocks.read, NO_SIDEBARS, default_zone)


class _LazyBlocks:
    """A text's blocks as `blocks_of` and `until_end` give them, each split off
    and cleaned when first asked for, with where each starts in the text."""

    def __init__(self, text: str) -> None:
        self.read: list[str] = []
        self.offsets: list[int] = []
        self._pieces = self._pieces_of(text)

    def get(self, index: int) -> str | None:
        """Block `index`, or None past the page's last (or its end marker)."""
        while len(self.read) <= index:
            found = next(self._pieces, None)
            if found is None:
                return None
            self.offsets.append(found[0])
            self.read.append(found[1])
        return self.read[index]

    @staticmethod
    def _pieces_of(text: str) -> Iterator[tuple[int, str]]:
        clean_piece = piece_cleaner(text)
        start = 0
        for separator in itertools.chain(BLANK_LINES.finditer(text), (None,)):
            end = separator.start() if separator is not None else len(text)
            block = clean_piece(text[start:end])
            if block:
                if is_marker(block, END_MARKERS):
                    return
                yield start, block
            if separator is None:
                return
            start = separator.end()
