"""A page's sidebars ("Populer", "UPDATE"): where they start, where the page
ends, and their headlines with their stamps, kept as the page prints them and
read only when asked.

Every page lists a dozen or more sidebar headlines, each with a stamp of its
own, but only the newest page's Populer list is ever published. So a page's
sidebars are kept in its entry as text, unread, and `Sidebars.populer` reads
them when the Populer feed (or `feeds check`) asks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from feeds.dates import bare_stamp, parse_stamp, stamp_problem, trailing_stamp
from feeds.text import clean_pieces, fold_spaces

POPULER_MARKERS = frozenset({"populer", "terpopuler", "paling populer", "terpopuler hari ini"})
UPDATE_MARKERS = frozenset({"update", "terkini", "berita terkini", "terbaru", "berita terbaru"})
SIDEBAR_MARKERS = POPULER_MARKERS | UPDATE_MARKERS
END_MARKERS = frozenset({"selengkapnya", "lihat selengkapnya", "indeks berita"})
# Longer blocks are prose, never a marker (casefold never shortens a string):
# checked first, it spares casefolding every paragraph of every page.
_LONGEST_MARKER = max(map(len, SIDEBAR_MARKERS | END_MARKERS))
# How many blocks after a heading word are searched for a stamp: two headlines
# with their stamps, so one broken stamp does not hide a sidebar.
SIDEBAR_LOOKAHEAD = 4
# A blank line may hold spaces, tabs or no-break spaces (all matched by \s).
BLANK_LINES = re.compile(r"\n(?:[^\S\n]*\n)+")

class Headline(NamedTuple):
    """One sidebar headline ("Populer" or "UPDATE") with its UTC time."""

    title: str
    published: datetime


@dataclass(frozen=True, slots=True)
class Sidebars:
    """A page's sidebars, unread: its blocks from the first sidebar heading on,
    separated by blank lines as a text dump separates them, and the zone of
    their stamps."""

    text: str = ""
    zone: str = "WIB"
    # Read once: a daemon renders the newest entry's Populer feed on every change,
    # and keeps that entry decoded meanwhile.
    _read: tuple[tuple[Headline, ...], tuple[Headline, ...]] | None = field(
        default=None, init=False, compare=False, repr=False)

    @property
    def populer(self) -> tuple[Headline, ...]:
        return self.read()[0]

    @property
    def update(self) -> tuple[Headline, ...]:
        return self.read()[1]

    def read(self) -> tuple[tuple[Headline, ...], tuple[Headline, ...]]:
        """The Populer and the UPDATE headlines, in page order."""
        if self._read is None:
            object.__setattr__(self, "_read", read_sidebars(blocks_of(self.text), self.zone))
            assert self._read is not None
        return self._read

    def __bool__(self) -> bool:
        return bool(self.text)


NO_SIDEBARS = Sidebars()


def _marker_pattern(markers: frozenset[str]) -> str:
    return "|".join(r"\s+".join(map(re.escape, marker.split()))
                    for marker in sorted(markers, key=len, reverse=True))


# A line (or lines: `Paling\nPopuler`) holding nothing but a sidebar heading or an
# end marker: where an article may end, found in one search of the whole page
# (searched for after a line break, which the regex engine scans for in C).
# Lines are first found by the markers' first words, then matched whole.
_MARKER_LINE = re.compile(
    rf"\n[^\S\n]*(?:(?P<end>{_marker_pattern(END_MARKERS)})|{_marker_pattern(SIDEBAR_MARKERS)})"
    r"[^\S\n]*(?=\n|\Z)", re.IGNORECASE)
_MARKER_START = re.compile(
    r"\n[^\S\n]*(?:" + "|".join(sorted({marker.split()[0] for marker in
                                          SIDEBAR_MARKERS | END_MARKERS})) + ")",
    re.IGNORECASE)


def article_end(text: str, default_zone: str) -> tuple[int, bool]:
    """Where a page's article ends (cleaned text, "\n" line breaks): the offset
    of its first sidebar heading (True) or of its end marker (False), or the
    end of the text. A heading counts only as a block of its own that
    `is_sidebar_heading` accepts, so a body subheading `Update` is passed, and
    only after the page's date line: an article ends after it, so a category
    named like a sidebar (`Update`, `Terkini`) above the title, or a sidebar a
    saved page prints above its article, is not where it ends."""
    padded = "\n" + text
    date_line_end: int | None = None
    for candidate in _MARKER_START.finditer(padded):
        if date_line_end is None:
            date_line_end = _date_line_end(text, default_zone)
        if candidate.start() < date_line_end:
            continue
        found = _MARKER_LINE.match(padded, candidate.start())
        if found is None:
            continue
        start, end = found.start(), found.end() - 1  # offsets in `text`
        if not _own_block(text, start, end):
            continue
        if found["end"] is not None:
            return start, False
        following = until_end([block for block in map(
            fold_spaces, BLANK_LINES.split(text[end : end + 4096].lstrip(),
                                           maxsplit=SIDEBAR_LOOKAHEAD + 1)[:SIDEBAR_LOOKAHEAD + 1])
            if block])
        if is_sidebar_heading([fold_spaces(found[0]), *following[:SIDEBAR_LOOKAHEAD]], 0,
                              default_zone):
            return start, True
    return len(text), False


def _date_line_end(text: str, default_zone: str) -> int:
    """The offset where the page's date line ends: the first block that is a
    stamp, or shaped like one (`31 FEBRUARI 2025 | 25:70 WIB`), with prose in
    one of the two blocks after it (a sidebar's stamps are followed by the next
    headline). 0 when the page has none: then no heading is passed over for
    standing before it. A stamp holds a clock time: one search of the whole
    text finds the lines worth reading."""
    for clock in _CLOCK.finditer(text):
        start = text.rfind("\n", 0, clock.start()) + 1
        end = text.find("\n", clock.end())
        end = len(text) if end < 0 else end
        if not _own_block(text, start, end):
            continue
        line = fold_spaces(text[start:end])
        if parse_stamp(line, default_zone) is None and stamp_problem(line) is None:
            continue
        after = BLANK_LINES.split(text[end : end + 4096].lstrip(), maxsplit=2)[:2]
        if any(is_prose(fold_spaces(block)) for block in after):
            return end
    return 0


_CLOCK = re.compile(r"\d[:.]\d\d")
# Longer than any headline: a paragraph, whatever it ends with.
_PROSE_MIN_CHARS = 160


def is_prose(block: str) -> bool:
    """A paragraph of an article's body, not a headline: it ends a sentence."""
    return len(block) >= _PROSE_MIN_CHARS or block.rstrip("\"'\u201d\u2019)").endswith(".")


def _own_block(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] (whole lines) is a block of its own: a blank line,
    or the page's start or end, on either side."""
    previous_line = text.rfind("\n", 0, start - 1) + 1  # start follows a line break
    opens = start == 0 or not text[previous_line : start - 1].strip()
    return opens and (BLANK_LINES.match(text, end) is not None or not text[end:].strip())


def blocks_of(text: str) -> list[str]:
    """A text's blocks: what stands between blank lines, cleaned; none empty."""
    return [block for block in clean_pieces(text, BLANK_LINES.split(text)) if block]


def is_marker(block: str, markers: frozenset[str]) -> bool:
    return len(block) <= _LONGEST_MARKER and block.casefold() in markers


def until_end(blocks: list[str]) -> list[str]:
    """The blocks before the page's end marker ("Selengkapnya")."""
    for index, block in enumerate(blocks):
        if is_marker(block, END_MARKERS):
            return blocks[:index]
    return blocks


def is_sidebar_heading(blocks: list[str], index: int, default_zone: str) -> bool:
    """Whether block `index` of a page (cut at its end) opens a sidebar: a
    heading word followed at once by another heading or by the page's end, or
    by headlines with a stamp among the next SIDEBAR_LOOKAHEAD blocks before any
    prose or heading. So a body subheading spelled `Update` does not cut the
    article short, and a sidebar whose first stamp is broken is still one."""
    if not is_marker(blocks[index], SIDEBAR_MARKERS):
        return False
    following = blocks[index + 1 : index + 1 + SIDEBAR_LOOKAHEAD]
    if not following or is_marker(following[0], SIDEBAR_MARKERS):
        return True
    for block in following:
        if parse_stamp(block, default_zone) or trailing_stamp(block, default_zone):
            return True
        if is_prose(block) or is_marker(block, SIDEBAR_MARKERS):
            return False
    return False


def sidebar_starts(blocks: list[str], default_zone: str) -> list[int]:
    """Indexes of the sidebar headings among a page's blocks (cut at its end)."""
    return [index for index in range(len(blocks))
            if is_sidebar_heading(blocks, index, default_zone)]


def read_sidebars(blocks: list[str], default_zone: str
                  ) -> tuple[tuple[Headline, ...], tuple[Headline, ...]]:
    """The headlines of each sidebar among these blocks, Populer's and UPDATE's."""
    blocks = until_end(blocks)
    starts = sidebar_starts(blocks, default_zone)
    populer: list[Headline] = []
    update: list[Headline] = []
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(blocks)
        target = populer if is_marker(blocks[start], POPULER_MARKERS) else update
        target.extend(headlines(blocks[start + 1 : end], default_zone))
    return tuple(populer), tuple(update)


def headlines(blocks: list[str], default_zone: str) -> list[Headline]:
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
        closed = trailing_stamp(block, default_zone)
        if closed is not None:
            found.append(Headline(closed.before, closed.stamp.when))
            pending = None
        else:
            pending = block
    return found
