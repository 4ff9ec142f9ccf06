"""Reading a page's visible text, block by block, into the facts it states.

Text dumps and HTML pages without metadata print the same blocks in the same
order (section label, caption, category, title, date line, body, sidebars), so
both are read here.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from feeds.dates import Stamp, parse_stamp, stamp_problem
from feeds.model import NO_SIDEBARS, Block, Sidebars
from feeds.text import identity_key


class PageTooDeep(ValueError):
    """A page nested deeper than lxml goes and too large to hand to BeautifulSoup
    (raised by `feeds.parse.tree`; here so that reading a text dump needs no HTML
    machinery)."""


SECTION_LABELS = frozenset({"berita", "news", "beranda", "home", "artikel"})

# A subheading: a short line that does not end a sentence and is not a link.
_SENTENCE_END = ("." , "!", "?", ",", ";", ":", '"', "\u201d", "\u2019", "'", ")", "\u2026")
SUBHEADING_MAX_CHARS = 80
SUBHEADING_MAX_WORDS = 10
LABEL_MAX_CHARS = 40
# A section label printed as a page's first heading, above its headline, has a word or three.
HEADING_LABEL_MAX_WORDS = 3
# A URL or an e-mail address: never anybody's name.
_URL_OR_EMAIL = re.compile(r"://|^www\.|@", re.IGNORECASE)
# A bare domain (`liputan6.com`): an outlet, which a byline may name but metadata's
# author field names only when it has no person to name.
_DOMAIN_NAME = re.compile(r"^\S+\.(?:com|id|net|org|co)\b", re.IGNORECASE)
# A domain's ending, kept lowercase when a byline printed in capitals is recased.
_DOMAIN_ENDING = re.compile(r"(?<=\w)\.(com|co|id|net|org|tv|news|info)\b", re.IGNORECASE)
# A byline that is an agency's or outlet's initials (`AFP`, `CNN`) stays in capitals.
_ACRONYM = re.compile(r"[A-Z]{2,4}")
_WORD = re.compile(r"\w+(?:['\u2019]\w+)*")


@dataclass(frozen=True, slots=True)
class LeadImage:
    """A page's lead image: its absolute http(s) address, and its size in pixels
    when the source that names it also states it (a size is never guessed)."""

    url: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    """What one page states; any field may be missing until the sources are merged."""

    title: str | None = None
    category: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    author: str | None = None
    caption: str | None = None
    image: LeadImage | None = None
    blocks: tuple[Block, ...] = ()
    sidebars: Sidebars = NO_SIDEBARS
    warnings: tuple[str, ...] = field(default=())
    # Why a block shaped like the date line names no real time, when none does.
    date_problem: str | None = None
    # The stamp the page prints as its date line (its zone settles `article_time`).
    printed: Stamp | None = None


def read_article(body: list[str], sidebars: Sidebars, default_zone: str,
                 headlines: Sequence[str] = ()) -> Facts:
    """The facts of the blocks before a page's sidebars, around the date line.

    Without `headlines`, the date line is the first stamp (a text dump prints
    nothing above its article but the caption and the category). With them (an
    HTML page's headline as its `<h1>`, metadata or `<title>` state it, the most
    reliable first), the first of them printed as a block anchors the date line:
    it is the stamp nearest a block printing it (a breadcrumb may print it too),
    after it on a tie, since sidebars and "related" lists above an article print
    stamps too.
    """
    places = _blocks_of(body, headlines)
    order = ((None, index) for index in range(len(body))) if not places else \
        _nearest_first(len(body), places)
    for at, index in order:
        stamp = parse_stamp(body[index], default_zone)
        if stamp is not None:
            title_at = index - 1 if at is None else _headline_below_label(body, at, index)
            return _facts_around(body, index, stamp, sidebars, title_at)
    problem = next(filter(None, map(stamp_problem, body)), None)
    return Facts(blocks=_body(body), sidebars=sidebars, date_problem=problem)


def _blocks_of(blocks: list[str], headlines: Sequence[str]) -> list[int]:
    """Where the first of `headlines` that the page prints stands as a block: every
    place, since a page may print its headline twice (a breadcrumb's last crumb,
    then the `<h1>`)."""
    for headline in headlines:
        key = identity_key(headline)
        # Only a block of about the headline's length can be it: most are keyed never.
        near = len(key) // 4 + 4
        places = [index for index, block in enumerate(blocks)
                  if abs(len(block) - len(key)) <= near and identity_key(block) == key]
        if places:
            return places
    return []


def _headline_below_label(blocks: list[str], at: int, stamp_at: int) -> int:
    """The headline's block, where the page's headline is at `at` and its date
    line at `stamp_at`: `at` itself, unless the block there is a section label
    printed as the page's first heading (`Regional`) and the headline is the
    block between it and the date line."""
    if stamp_at != at + 2 or len(blocks[at].split()) > HEADING_LABEL_MAX_WORDS:
        return at
    between = blocks[at + 1]
    if _is_label(blocks[at]) and len(between) > len(blocks[at]) and _is_headline_shaped(between):
        return at + 1
    return at


def _is_headline_shaped(block: str) -> bool:
    """A line that can be a headline: not a sentence, not a stamp's length of prose."""
    return len(block) <= SUBHEADING_MAX_CHARS * 3 and not block.endswith(".")


def _nearest_first(count: int, places: list[int]) -> Iterator[tuple[int, int]]:
    """(place, index) for the block indexes where a headline's date line may be:
    the two blocks below a place (the date line, or a subtitle and the date
    line), then by distance from the nearest place (not the places themselves),
    the later first on a tie."""
    for distance in (1, 2):
        for at in places:
            if at + distance < count:
                yield at, at + distance
    for distance in range(1, count):
        for at in places:
            for index in (at + distance, at - distance):
                if 0 <= index < count and not (distance <= 2 and index > at):
                    yield at, index


def _facts_around(blocks: list[str], index: int, stamp: Stamp, sidebars: Sidebars,
                  title_at: int) -> Facts:
    """The title at `title_at`; above the title and the stamp, the category when
    the block there is a label, and above that the caption; below both, the body.
    A page naming no category may print its caption right above the title: a
    block there that credits a photo (`Foto/Ist`) is the caption."""
    header = blocks[: min(title_at, index)] if title_at >= 0 else []
    category = header[-1] if header and _is_label(header[-1]) else None
    above = header[-1:] if header and category is None and credits_photo(header[-1]) else \
        header[:-1]
    rest = [block for block in above if block.casefold() not in SECTION_LABELS]
    return Facts(
        title=blocks[title_at] if title_at >= 0 else None,
        category=category,
        published=stamp.when,
        author=stated_byline(stamp.reporter),
        caption=rest[-1] if rest else None,
        blocks=_body(blocks[max(title_at, index) + 1 :]),
        sidebars=sidebars,
        warnings=stamp.warnings,
        printed=stamp,
    )


def _is_label(block: str) -> bool:
    """Whether a block can name a section: a few words, not a sentence, not a
    caption (which credits its photo after a "/"), and no word of it a figure
    (`5 Fakta Menarik`, a year). A digit inside a brand-like word is part of
    the name: `Citizen6`, `Covid-19`, `F1`."""
    return (len(block) <= LABEL_MAX_CHARS and not credits_photo(block)
            and not block.endswith(_SENTENCE_END[:3])
            and not any(word[0].isdigit() for word in block.split()))


def credits_photo(caption: str) -> bool:
    """Whether a block credits a photo, as captions do after a "/"."""
    return "/" in caption


def could_be_label(text: str) -> bool:
    """Whether `text` is short enough to be a section's name (`Regional`)."""
    return len(text) <= LABEL_MAX_CHARS and len(text.split()) <= HEADING_LABEL_MAX_WORDS


def stated_byline(name: str | None) -> str | None:
    """The byline a date line states (`LAPORAN: HANI FATUNNISA`), as a reader
    should see it: a person, an outlet (`LIPUTAN6.COM`) or an agency (`ANTARA`)
    alike, since the page says so. Printed in capitals, it is recased word by
    word (`Hani Fatunnisa`, `Liputan6.com`); any other spelling is kept. None
    for a URL or an e-mail address."""
    if not name or _URL_OR_EMAIL.search(name):
        return None
    return recased(name)


def person_name(name: str | None, sites: Collection[str] = ()) -> str | None:
    """A reporter's name from an HTML page's metadata, where a field meant for a
    person often holds something else: None for a URL (Open Graph's
    `article:author` often holds a Facebook page), an e-mail address, a domain,
    or the site itself (`sites`, casefolded), so the next source is asked.
    Recased as `stated_byline` recases."""
    if not name or _URL_OR_EMAIL.search(name) or _DOMAIN_NAME.search(name) or (
            name.casefold() in sites):
        return None
    return recased(name)


def recased(name: str) -> str:
    """A name printed in capitals as a reader should see it (`MA'RUF AMIN` ->
    `Ma'ruf Amin`, `TEMPO.CO` -> `Tempo.co`), but initials (`AFP`); any other
    spelling as it is."""
    if not name.isupper() or _ACRONYM.fullmatch(name):
        return name
    words = _WORD.sub(lambda word: word[0].capitalize(), name.lower())
    return _DOMAIN_ENDING.sub(lambda ending: "." + ending[1].lower(), words)


def _body(blocks: list[str]) -> tuple[Block, ...]:
    """The blocks of a body; the last is never a subheading. Most are paragraphs,
    told apart from a subheading by their length alone."""
    subheadings = [len(text) <= SUBHEADING_MAX_CHARS and is_subheading(text)
                   for text in blocks[:-1]]
    subheadings.append(False)
    return tuple(map(Block, blocks, subheadings))


def is_subheading(text: str) -> bool:
    """A short line standing alone that does not end like a sentence."""
    return (len(text) <= SUBHEADING_MAX_CHARS
            and len(text.split()) <= SUBHEADING_MAX_WORDS
            and not text.endswith(_SENTENCE_END)
            and "://" not in text)
