"""Reading a page's visible text, block by block, into the facts it states.

Text dumps and HTML pages without metadata print the same blocks in the same
order (section label, caption, category, title, date line, body, sidebars), so
both are read here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from feeds.dates import Stamp, parse_stamp, stamp_problem
from feeds.model import Block
from feeds.sidebars import NO_SIDEBARS, Sidebars

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
    image: str | None = None  # an absolute http(s) URL
    blocks: tuple[Block, ...] = ()
    sidebars: Sidebars = NO_SIDEBARS
    warnings: tuple[str, ...] = field(default=())
    # Why a block shaped like the date line names no real time, when none does.
    date_problem: str | None = None

    def filled_from(self, other: Facts) -> Facts:
        """These facts, with every missing one taken from `other`."""
        return replace(
            self,
            title=self.title or other.title,
            category=self.category or other.category,
            published=self.published or other.published,
            author=self.author or other.author,
            caption=self.caption or other.caption,
            image=self.image or other.image,
            blocks=self.blocks or other.blocks,
            sidebars=self.sidebars or other.sidebars,
            warnings=self.warnings + other.warnings,
            date_problem=self.date_problem or other.date_problem,
        )


def read_article(body: list[str], sidebars: Sidebars, default_zone: str) -> Facts:
    """The facts of the blocks before a page's sidebars, the date line first."""
    for index, block in enumerate(body):
        stamp = parse_stamp(block, default_zone)
        if stamp is not None:
            return _facts_around(body, index, stamp, sidebars)
    problem = next(filter(None, map(stamp_problem, body)), None)
    return Facts(blocks=_body(body), sidebars=sidebars, date_problem=problem)


def _facts_around(blocks: list[str], index: int, stamp: Stamp, sidebars: Sidebars) -> Facts:
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
        blocks=_body(blocks[index + 1 :]),
        sidebars=sidebars,
        warnings=stamp.warnings,
    )


def person_name(name: str | None) -> str | None:
    """A reporter's name as a reader should see it: a name printed in capitals
    (`HANI FATUNNISA`) becomes `Hani Fatunnisa`; any other spelling is kept."""
    if not name:
        return None
    return name.title() if name.isupper() else name


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
