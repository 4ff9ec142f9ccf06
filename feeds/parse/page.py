"""Reading a page's visible text, block by block, into the facts it states.

Text dumps and HTML pages without metadata print the same blocks in the same
order (section label, caption, category, title, date line, body, sidebars), so
both are read here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from feeds.dates import Stamp, parse_stamp
from feeds.model import Block
from feeds.sidebars import (
    NO_SIDEBARS,
    SIDEBAR_MARKERS,
    Sidebars,
    is_populer_heading,
    split_trailing_stamp,
)

END_MARKERS = frozenset({"selengkapnya", "lihat selengkapnya", "indeks berita"})
# Longer blocks are prose, never a marker (casefold never shortens a string):
# checked first, it spares casefolding every paragraph of every page.
_LONGEST_MARKER = max(map(len, SIDEBAR_MARKERS | END_MARKERS))
SECTION_LABELS = frozenset({"berita", "news", "beranda", "home", "artikel"})

# A subheading: a short line that does not end a sentence and is not a link.
_SENTENCE_END = ("." , "!", "?", ",", ";", ":", '"', "\u201d", "\u2019", "'", ")", "\u2026")
SUBHEADING_MAX_CHARS = 80
SUBHEADING_MAX_WORDS = 10


@dataclass(frozen=True, slots=True)
class Facts:
    """What one page states; any field may be missing until the sources are merged."""

    title: str | None = None
    category: str | None = None
    published: datetime | None = None
    author: str | None = None
    caption: str | None = None
    blocks: tuple[Block, ...] = ()
    sidebars: Sidebars = NO_SIDEBARS
    warnings: tuple[str, ...] = field(default=())

    def filled_from(self, other: Facts) -> Facts:
        """These facts, with every missing one taken from `other`."""
        return replace(
            self,
            title=self.title or other.title,
            category=self.category or other.category,
            published=self.published or other.published,
            author=self.author or other.author,
            caption=self.caption or other.caption,
            blocks=self.blocks or other.blocks,
            sidebars=self.sidebars or other.sidebars,
            warnings=self.warnings + other.warnings,
        )


def read_blocks(blocks: list[str], default_zone: str) -> Facts:
    """Read clean, non-empty blocks in page order into facts.

    The date line anchors everything: the title stands before it, the category
    before the title, the caption before that; the body follows it up to the
    first sidebar. A page with no date line yields only its body and sidebars.
    """
    blocks = _until_end(blocks)
    sidebar_at = _sidebar_starts(blocks, default_zone)
    body_end = sidebar_at[0] if sidebar_at else len(blocks)
    sidebars = _sidebars(blocks, sidebar_at, default_zone)
    for index in range(body_end):
        stamp = parse_stamp(blocks[index], default_zone)
        if stamp is not None:
            return _facts_around(blocks, index, stamp, body_end, sidebars)
    return Facts(blocks=_body(blocks[:body_end]), sidebars=sidebars)


def _facts_around(blocks: list[str], index: int, stamp: Stamp, body_end: int,
                  sidebars: Sidebars) -> Facts:
    header = blocks[:index]
    title = header[-1] if header else None
    category = header[-2] if len(header) >= 2 else None
    rest = [block for block in header[:-2] if block.casefold() not in SECTION_LABELS]
    caption = rest[-1] if rest else None
    return Facts(
        title=title,
        category=category,
        published=stamp.when,
        author=person_name(stamp.reporter),
        caption=caption,
        blocks=_body(blocks[index + 1 : body_end]),
        sidebars=sidebars,
        warnings=stamp.warnings,
    )


def person_name(name: str | None) -> str | None:
    """A reporter's name as a reader should see it: a name printed in capitals
    (`HANI FATUNNISA`) becomes `Hani Fatunnisa`; any other spelling is kept."""
    if not name:
        return None
    return name.title() if name.isupper() else name


def _until_end(blocks: list[str]) -> list[str]:
    for index, block in enumerate(blocks):
        if len(block) <= _LONGEST_MARKER and block.casefold() in END_MARKERS:
            return blocks[:index]
    return blocks


def _sidebar_starts(blocks: list[str], default_zone: str) -> list[int]:
    """Indexes of sidebar headings. A heading word counts only where a sidebar
    follows it (a stamp within two blocks) or the page ends, so a body
    subheading spelled `Update` does not cut the article short."""
    starts = []
    for index, block in enumerate(blocks):
        if len(block) > _LONGEST_MARKER or block.casefold() not in SIDEBAR_MARKERS:
            continue
        following = blocks[index + 1 : index + 3]
        if not following or any(parse_stamp(b, default_zone) or split_trailing_stamp(
                b, default_zone) for b in following) or (
                following[0].casefold() in SIDEBAR_MARKERS):
            starts.append(index)
    return starts


def _sidebars(blocks: list[str], starts: list[int], default_zone: str) -> Sidebars:
    """The sidebar sections, each the blocks between its heading and the next,
    unread (see `feeds.sidebars`)."""
    populer: list[tuple[str, ...]] = []
    update: list[tuple[str, ...]] = []
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(blocks)
        target = populer if is_populer_heading(blocks[start]) else update
        target.append(tuple(blocks[start + 1 : end]))
    return Sidebars(tuple(populer), tuple(update), default_zone)


def _body(blocks: list[str]) -> tuple[Block, ...]:
    last = len(blocks) - 1
    return tuple(Block(text, index != last and is_subheading(text))
                 for index, text in enumerate(blocks))


def is_subheading(text: str) -> bool:
    """A short line standing alone that does not end like a sentence."""
    return (len(text) <= SUBHEADING_MAX_CHARS
            and len(text.split()) <= SUBHEADING_MAX_WORDS
            and not text.endswith(_SENTENCE_END)
            and "://" not in text)
