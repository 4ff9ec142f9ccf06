"""A page's sidebars ("Populer", "UPDATE"): where its article ends, and the
headlines its sidebars list, each with its stamp.

Every page lists a dozen or more sidebar headlines, each with a stamp of its
own, but only the newest page's Populer list is ever published. So parsing a
page keeps its sidebars as it prints them (`Sidebars`, which the state stores),
and `read_sidebars` reads their headlines for whoever wants them: the Populer
feed, and `feeds check`.
"""

from __future__ import annotations

import functools
import re

from feeds.dates import bare_stamp, parse_stamp, stamp_problem, trailing_stamp
from feeds.model import Headline, SidebarHeadlines, Sidebars
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
_FIRST_WORDS = sorted({marker.split()[0] for marker in SIDEBAR_MARKERS | END_MARKERS})
# The set of first letters rules out most lines at their first letter, where
# the words would be tried one by one (case-insensitive: `ı` is an `i` too).
_MARKER_START = re.compile(
    r"\n[^\S\n]*(?i:(?=[" + "".join(sorted({word[0] for word in _FIRST_WORDS})) + "])(?:"
    + "|".join(_FIRST_WORDS) + "))")


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


# The publisher asks for the newest entry's headlines after every change, and
# the state hands back the same entry meanwhile: its sidebars are read once.
@functools.lru_cache(maxsize=8)
def read_sidebars(sidebars: Sidebars) -> SidebarHeadlines:
    """The headlines of a page's sidebars (see `article_end` for where they
    start): the Populer and the UPDATE ones, in page order, each headline paired
    with the stamp after it (or closing it); a headline whose stamp was cut off
    is dropped. A stamp that names no zone is in the sidebars' zone. One walk
    over the blocks, each read once."""
    zone = sidebars.zone
    blocks = until_end(blocks_of(sidebars.text))
    populer: list[Headline] = []
    update: list[Headline] = []
    found: list[Headline] | None = None  # the list of the sidebar being read
    pending: str | None = None  # a headline waiting for its stamp
    for index, block in enumerate(blocks):
        if is_sidebar_heading(blocks, index, zone):
            found = populer if is_marker(block, POPULER_MARKERS) else update
            pending = None
        elif found is None:  # before the first heading: no sidebar's
            continue
        elif (stamp := bare_stamp(block, zone)) is not None:
            if pending:
                found.append(Headline(pending, stamp.when))
            pending = None
        elif (closed := trailing_stamp(block, zone)) is not None:
            found.append(Headline(closed.before, closed.stamp.when))
            pending = None
        else:
            pending = block
    return SidebarHeadlines(tuple(populer), tuple(update))
