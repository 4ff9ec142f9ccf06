"""Reading a page's visible text, block by block, into the facts it states.

Text dumps and HTML pages without metadata print the same blocks in the same
order (section label, caption, category, title, date line, body, sidebars), so
both are read here.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime

from feeds.dates import Stamp, parse_stamp, stamp_problem
from feeds.model import Block
from feeds.sidebars import NO_SIDEBARS, Sidebars
from feeds.text import identity_key

SECTION_LABELS = frozenset({"berita", "news", "beranda", "home", "artikel"})

# A subheading: a short line that does not end a sentence and is not a link.
_SENTENCE_END = ("." , "!", "?", ",", ";", ":", '"', "\u201d", "\u2019", "'", ")", "\u2026")
SUBHEADING_MAX_CHARS = 80
SUBHEADING_MAX_WORDS = 10
LABEL_MAX_CHARS = 40
# A URL, a bare domain or an e-mail address.
_NOT_A_PERSON = re.compile(r"://|^www\.|@|^\S+\.(?:com|id|net|org|co)\b", re.IGNORECASE)


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
    # The stamp the page prints as its date line (its zone settles `article_time`).
    printed: Stamp | None = None

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
            printed=self.printed or other.printed,
        )


def read_article(body: list[str], sidebars: Sidebars, default_zone: str,
                 headline: str | None = None) -> Facts:
    """The facts of the blocks before a page's sidebars, around the date line.

    Without a `headline`, the date line is the first stamp (a text dump prints
    nothing above its article but the caption and the category). With one (an
    HTML page's `<h1>`), it is the stamp nearest the headline's block, after it
    on a tie: sidebars and "related" lists above an article print stamps too.
    """
    at = _block_of(body, headline) if headline else None
    for index in range(len(body)) if at is None else _nearest_first(len(body), at):
        stamp = parse_stamp(body[index], default_zone)
        if stamp is not None:
            return _facts_around(body, index, stamp, sidebars, index - 1 if at is None else at)
    problem = next(filter(None, map(stamp_problem, body)), None)
    return Facts(blocks=_body(body), sidebars=sidebars, date_problem=problem)


def _block_of(blocks: list[str], headline: str) -> int | None:
    key = identity_key(headline)
    return next((index for index, block in enumerate(blocks) if identity_key(block) == key),
                None)


def _nearest_first(count: int, around: int) -> Iterator[int]:
    """Block indexes by distance from `around` (not itself), the later first on a tie."""
    for distance in range(1, count):
        for index in (around + distance, around - distance):
            if 0 <= index < count:
                yield index


def _facts_around(blocks: list[str], index: int, stamp: Stamp, sidebars: Sidebars,
                  title_at: int) -> Facts:
    """The title at `title_at`; above the title and the stamp, the category, then
    the caption; below both, the body."""
    header = blocks[: min(title_at, index)] if title_at >= 0 else []
    category = header[-1] if header and _is_label(header[-1]) else None
    rest = [block for block in header[:-1] if block.casefold() not in SECTION_LABELS]
    return Facts(
        title=blocks[title_at] if title_at >= 0 else None,
        category=category,
        published=stamp.when,
        author=person_name(stamp.reporter),
        caption=rest[-1] if rest else None,
        blocks=_body(blocks[max(title_at, index) + 1 :]),
        sidebars=sidebars,
        warnings=stamp.warnings,
        printed=stamp,
    )


def _is_label(block: str) -> bool:
    """Whether a block can name a section: a few words, no figures (a headline
    of a list with its stamp is none)."""
    return len(block) <= LABEL_MAX_CHARS and not any(char.isdigit() for char in block)


def person_name(name: str | None, sites: Collection[str] = ()) -> str | None:
    """A reporter's name as a reader should see it: a name printed in capitals
    (`HANI FATUNNISA`) becomes `Hani Fatunnisa`; any other spelling is kept.
    None for what names no person: a URL (Open Graph's `article:author` often
    holds a Facebook page), an e-mail address, or the site itself (`sites`,
    casefolded)."""
    if not name or _NOT_A_PERSON.search(name) or name.casefold() in sites:
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
