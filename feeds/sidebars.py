"""A page's sidebars ("Populer", "UPDATE"): headlines with their stamps, kept as
the page prints them and read only when asked.

Every page lists ~17 sidebar headlines, each with a stamp of its own, but only
the newest page's Populer list is ever published. Reading them all took a sixth
of a build's work (three tenths of a text dump's parse, a quarter of an HTML
page's), so a page's sidebar blocks are kept in its entry, unread, and
`Sidebars.populer` reads them when the Populer feed (or `feeds check`) asks.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from feeds.dates import STAMP_CACHE_SIZE, Stamp, parse_stamp

POPULER_MARKERS = frozenset({"populer", "terpopuler", "paling populer", "terpopuler hari ini"})
UPDATE_MARKERS = frozenset({"update", "terkini", "berita terkini", "terbaru", "berita terbaru"})
SIDEBAR_MARKERS = POPULER_MARKERS | UPDATE_MARKERS

# A stamp closing a block (`Headline Rabu, 11 Februari 2026 | 19:58`); the word
# before the date may be a weekday or the headline's last word, so both are tried.
# Words are matched possessively (`++`): what follows a word here is never a
# letter, so giving letters back cannot help, and retrying every word of a
# headline letter by letter was half the time of the search.
_TRAILING_STAMP = re.compile(
    r"\s(?P<stamp>(?:[^\W\d_]++(?:['\u2019][^\W\d_]++)?,?\s+)?"
    r"(?P<date>\d{1,2}\s*[^\W\d_]++\.?,?\s*\d{4}|\d{1,2}[/-]\d{1,2}[/-]\d{4})"
    r"\s*(?:[|,\-\u2013\u2014]\s*)?\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*(?:WITA|WIB|WIT))?)\s*$",
    re.IGNORECASE)

Section = tuple[str, ...]  # the blocks after one sidebar heading, up to the next


class Headline(NamedTuple):
    """One sidebar headline ("Populer" or "UPDATE") with its UTC time."""

    title: str
    published: datetime


@dataclass(frozen=True, slots=True)
class Sidebars:
    """A page's sidebar sections, unread, and the zone of their stamps.

    `earlier` holds headlines read by a version of feeds that stored them read
    (and kept no blocks); they are given back as they are."""

    populer_sections: tuple[Section, ...] = ()
    update_sections: tuple[Section, ...] = ()
    zone: str = "WIB"
    earlier: tuple[tuple[Headline, ...], tuple[Headline, ...]] | None = None

    @classmethod
    def read_already(cls, populer: tuple[Headline, ...],
                     update: tuple[Headline, ...]) -> Sidebars:
        return cls(earlier=(populer, update))

    @property
    def populer(self) -> tuple[Headline, ...]:
        if self.earlier is not None:
            return self.earlier[0]
        return read_sections(self.populer_sections, self.zone)

    @property
    def update(self) -> tuple[Headline, ...]:
        if self.earlier is not None:
            return self.earlier[1]
        return read_sections(self.update_sections, self.zone)

    def __bool__(self) -> bool:
        return bool(self.populer_sections or self.update_sections or (
            self.earlier is not None and any(self.earlier)))


NO_SIDEBARS = Sidebars()


def is_populer_heading(block: str) -> bool:
    return block.casefold() in POPULER_MARKERS


def read_sections(sections: tuple[Section, ...], zone: str) -> tuple[Headline, ...]:
    return tuple(headline for section in sections for headline in headlines(section, zone))


def headlines(blocks: Section, default_zone: str) -> list[Headline]:
    """Pair each headline with the stamp after it (or closing it); a headline
    whose stamp was cut off is dropped."""
    found = []
    pending: str | None = None
    for block in blocks:
        stamp = bare_stamp(block, default_zone)
        if stamp is not None:
            if pending:
                found.append(Headline(pending, stamp.when))
            pending = None
            continue
        split = split_trailing_stamp(block, default_zone)
        if split is not None:
            found.append(Headline(split[0], split[1].when))
            pending = None
        else:
            pending = block
    return found


def bare_stamp(block: str, default_zone: str) -> Stamp | None:
    """The block's stamp when the block is a stamp and nothing else."""
    stamp = parse_stamp(block, default_zone)
    return stamp if stamp is not None and not stamp.tail else None


@functools.lru_cache(maxsize=STAMP_CACHE_SIZE)  # sidebars repeat from page to page
def split_trailing_stamp(block: str, default_zone: str) -> tuple[str, Stamp] | None:
    """`Headline Rabu, 11 Februari 2026 | 19:58` -> the headline and its stamp."""
    match = _TRAILING_STAMP.search(block)
    if match is None or match.start() == 0:
        return None
    for start in (match.start("stamp"), match.start("date")):
        stamp = bare_stamp(block[start:], default_zone)
        if stamp is not None and block[:start].strip():
            return block[:start].strip(), stamp
    return None
