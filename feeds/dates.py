"""Indonesian wall-clock stamps (WIB, WITA, WIT) to UTC.

The one place that sees local time. One pattern reads the shapes news sites
print; python-dateutil, taught the Indonesian names, reads whatever else looks
like a stamp.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from dateutil import tz

ZONES: dict[str, timezone] = {
    "WIB": timezone(timedelta(hours=7), "WIB"),
    "WITA": timezone(timedelta(hours=8), "WITA"),
    "WIT": timezone(timedelta(hours=9), "WIT"),
}

_OFFSETS = {name: zone.utcoffset(None) for name, zone in ZONES.items()}

# Index 0 is Monday, as in datetime.weekday().
WEEKDAY_NAMES: tuple[tuple[str, ...], ...] = (
    ("senin", "sen", "monday", "mon"),
    ("selasa", "sel", "tuesday", "tue"),
    ("rabu", "rab", "wednesday", "wed"),
    ("kamis", "kam", "thursday", "thu"),
    ("jumat", "jum", "friday", "fri"),
    ("sabtu", "sab", "saturday", "sat"),
    ("minggu", "min", "ahad", "sunday", "sun"),
)
# Index 0 is January.
MONTH_NAMES: tuple[tuple[str, ...], ...] = (
    ("januari", "jan", "january"),
    ("februari", "feb", "pebruari", "february"),
    ("maret", "mar", "march"),
    ("april", "apr"),
    ("mei", "may"),
    ("juni", "jun", "june"),
    ("juli", "jul", "july"),
    ("agustus", "agu", "agt", "ags", "agus", "aug", "august"),
    ("september", "sep", "sept"),
    ("oktober", "okt", "oct", "october"),
    ("november", "nov", "nop", "nopember"),
    ("desember", "des", "dec", "december"),
)
_WEEKDAYS = {name: day for day, names in enumerate(WEEKDAY_NAMES) for name in names}
_MONTHS = {name: month for month, names in enumerate(MONTH_NAMES, 1) for name in names}
DISPLAY_WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

_APOSTROPHES = re.compile("['\u2019`]")
# The grammar of a stamp, the one place it is written: a weekday, the date
# (`30 MEI 2025`, `05/11/2015`), a separator, the clock time, the zone. Words are
# possessive (`++`): no shorter word could be followed by what follows one here,
# so none is tried; nor is less of the spaces and comma after a weekday, since a
# date starts with a digit.
_STAMP_GRAMMAR = r"""
    (?:(?P<weekday>[^\W\d_]++(?:['\u2019`][^\W\d_]++)?)\s*+,?+\s*+)?
    (?P<date>
        (?P<day>\d{1,2})\s*(?P<month>[^\W\d_]++)\.?,?\s*(?P<year>\d{4})
      | (?P<nday>\d{1,2})[/-](?P<nmonth>\d{1,2})[/-](?P<nyear>\d{4})
    )
    \s*(?:[|,\-\u2013\u2014]\s*)?(?:pukul\s*)?
    (?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?
    (?:\s*(?P<zone>WITA|WIB|WIT)\b)?
"""
# A stamp, and what follows it (a reporter, an edition).
_STAMP = re.compile(rf"\s*{_STAMP_GRAMMAR}(?P<rest>.*)",
                    re.IGNORECASE | re.VERBOSE | re.DOTALL)
# A stamp closing a line (`Headline Rabu, 11 Februari 2026 | 19:58`).
_TRAILING_STAMP = re.compile(rf"\s(?P<stamp>{_STAMP_GRAMMAR})\s*$",
                             re.IGNORECASE | re.VERBOSE)
# What may follow a stamp: nothing, or a separator before the reporter or edition.
_REST = re.compile(r"\s*(?:$|[|,/\-\u2013\u2014])")
_REPORTER = re.compile(r"^(?:laporan|reporter|penulis|oleh|wartawan)\s*:?\s*(?P<name>.+)$",
                       re.IGNORECASE)
# What a stamp must contain before dateutil is even asked: a year and a clock time.
_CANDIDATE = re.compile(
    r"\b(?:19|20)\d{2}\b.*?\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}[:.]\d{2}\b.*\b(?:19|20)\d{2}\b",
    re.DOTALL,
)
# A stamp opens with its date (a number) or its weekday; a headline that merely
# holds a date somewhere is not one, and is not worth asking dateutil about.
_WEEKDAY_WORDS = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_STARTS_LIKE_A_STAMP = re.compile(rf"\s*(?:\d|(?:{_WEEKDAY_WORDS})\b|jum['\u2019`]at\b)",
                                  re.IGNORECASE)
_CLOCK_DOT = re.compile(r"\b(\d{1,2})\.(\d{2})\b(?!\.\d)")
_ZONE_WORD = re.compile(r"\b(wita|wib|wit)\b", re.IGNORECASE)
MIN_YEAR, MAX_YEAR = 1970, 2999
MAX_STAMP_CHARS = 200
STAMP_CACHE_SIZE = 8192  # answers remembered (a few MB at most)


class Stamp(NamedTuple):
    """A parsed stamp: `when` in UTC; `tail` is what followed the time (reporter,
    edition), split on "|"; `warnings` says what looked wrong but was not fatal;
    `offset` is the zone's the page printed (or the default zone's)."""

    when: datetime
    tail: tuple[str, ...]
    warnings: tuple[str, ...]
    offset: timedelta

    @property
    def reporter(self) -> str | None:
        """The reporter named after `LAPORAN:` (or the like); an edition such as
        `HARIAN RAKYAT MERDEKA` names no person and gives None."""
        for part in self.tail:
            match = _REPORTER.match(part)
            if match:
                return match["name"].strip() or None
        return None


# Sidebars repeat: every page captured on a day lists the same headlines and
# times, and each block is asked about more than once while a page is read.
@functools.lru_cache(maxsize=STAMP_CACHE_SIZE)
def parse_stamp(text: str, default_zone: str) -> Stamp | None:
    """Read a stamp such as `JUMAT, 30 MEI 2025 | 16:01 WIB | LAPORAN: X`.

    The shapes news sites print (DOMAIN.md's, in any letter case) are read by
    one pattern; python-dateutil, taught the Indonesian names, reads whatever
    else holds a date and a clock time. A stamp without a zone is in
    `default_zone`. Returns None for text that is not a stamp; never raises.
    """
    if len(text) > MAX_STAMP_CHARS:  # a date line is short; a long block is prose
        return None
    return _known_shape(text, default_zone) or _dateutil_stamp(text, default_zone)


def bare_stamp(text: str, default_zone: str) -> Stamp | None:
    """The stamp `text` is when it names nothing after its time (no reporter, no
    edition), as a sidebar's stamps name nothing."""
    stamp = parse_stamp(text, default_zone)
    return stamp if stamp is not None and not stamp.tail else None


class TrailingStamp(NamedTuple):
    """A line closed by a stamp: what stands before the stamp, and the stamp."""

    before: str
    stamp: Stamp


@functools.lru_cache(maxsize=STAMP_CACHE_SIZE)  # sidebars repeat from page to page
def trailing_stamp(text: str, default_zone: str) -> TrailingStamp | None:
    """`Headline Rabu, 11 Februari 2026 | 19:58` -> the headline and its bare
    stamp. The word before the date may be a weekday or the headline's last
    word, so both are tried. None when no stamp closes the text or nothing
    stands before it."""
    match = _TRAILING_STAMP.search(text)
    if match is None or match.start() == 0:
        return None
    for start in (match.start("stamp"), match.start("date")):
        stamp = bare_stamp(text[start:], default_zone)
        if stamp is not None and text[:start].strip():
            return TrailingStamp(text[:start].strip(), stamp)
    return None


class _Reading(NamedTuple):
    """What the known-shape pattern read of a stamp, before any check of its values."""

    weekday: str | None
    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    zone: str | None
    rest: str


def _read_shape(text: str) -> _Reading | None:
    """The fields of a stamp of a known shape, or None when the text has none
    (an unknown month or weekday word, or words after the time)."""
    match = _STAMP.match(text)
    if match is None:
        return None
    (weekday, _date, day, month_name, year, nday, nmonth, nyear, hour, minute, second, zone,
     rest) = match.groups()
    if (rest and not _REST.match(rest)) or (
            weekday is not None and _weekday_number(weekday) is None):
        return None
    if day:
        month = _MONTHS.get(month_name.casefold())
        if month is None:
            return None
    else:
        day, month, year = nday, int(nmonth), nyear
    return _Reading(weekday, int(year), month, int(day), int(hour), int(minute),
                    int(second) if second else 0, zone, rest)


def _known_shape(text: str, default_zone: str) -> Stamp | None:
    found = _read_shape(text)
    if found is None:
        return None
    try:
        # The wall-clock reading labelled UTC, moved by the zone's offset in
        # `_stamp`: what astimezone does, without a tzinfo per stamp.
        wall = datetime(found.year, found.month, found.day, found.hour, found.minute,
                        found.second, tzinfo=UTC)
    except ValueError:
        return None
    return _stamp(wall, _OFFSETS[(found.zone or default_zone).upper()], found.weekday,
                  found.rest)


@functools.cache
def _indonesian_info() -> Any:
    """dateutil's vocabulary, taught Indonesian (and `|` as a word to skip). Made
    on first use: most runs never meet a stamp of an unusual shape, and dateutil
    is the heaviest import of the parser."""
    from dateutil import parser as dateutil_parser

    class IndonesianInfo(dateutil_parser.parserinfo):
        JUMP = [*dateutil_parser.parserinfo.JUMP, "|", "pukul"]  # noqa: RUF012
        WEEKDAYS = list(WEEKDAY_NAMES)  # type: ignore[arg-type]  # noqa: RUF012
        MONTHS = list(MONTH_NAMES)  # type: ignore[arg-type]  # noqa: RUF012

    return IndonesianInfo(dayfirst=True)


def _dateutil_stamp(text: str, default_zone: str) -> Stamp | None:
    """dateutil's reading of a stamp; only text holding a year and a clock time is tried."""
    # Most text asked about (headlines, prose) fails this before being split.
    if not _STARTS_LIKE_A_STAMP.match(text) and not text.lstrip().startswith("|"):
        return None
    stamp_text, tail = _split_tail(text)
    if not _CANDIDATE.search(stamp_text):
        return None
    words = _APOSTROPHES.sub("", stamp_text).split()
    first = words[0].rstrip(",") if words else ""
    weekday = first if _weekday_number(first) is not None else None
    normalised = _CLOCK_DOT.sub(r"\1:\2", " ".join(words))
    normalised = _ZONE_WORD.sub(lambda m: m[1].upper(), normalised)
    normalised = re.sub(r"\s[-\u2013\u2014]\s", " ", normalised)
    from dateutil import parser as dateutil_parser

    try:
        parsed = dateutil_parser.parse(normalised, parserinfo=_indonesian_info(),
                                       tzinfos=_dateutil_zone, default=_NO_DATE)
        # dateutil accepts an offset of a day or more (`+2400`), and the datetime
        # it returns raises when asked for it.
        offset = parsed.utcoffset()
    except Exception:  # dateutil raises more than it documents (a 50-digit minute:
        return None    # decimal.InvalidOperation); text it cannot read is no stamp
    if parsed.date() == _NO_DATE.date():
        return None
    if offset is None:
        offset = _OFFSETS[default_zone.upper()]
    return _stamp(parsed.replace(tzinfo=UTC), offset, weekday, tail)


# dateutil fills what a text lacks from a default; this one marks "no date given".
_NO_DATE = datetime(1, 1, 1)  # noqa: DTZ001 - naive on purpose, never leaves this module


def stamp_problem(text: str) -> str | None:
    """Why text shaped like a date line (`31 FEBRUARI 2025 | 25:70 WIB`) names no
    real time, or None when it is no such text. Asked only of a page in which no
    stamp was found, so that its rejection says what is wrong."""
    found = _read_shape(text) if len(text) <= MAX_STAMP_CHARS else None
    if found is None:
        return None
    problems = []
    try:
        datetime(found.year, found.month, found.day, tzinfo=UTC)
    except ValueError:
        problems.append(f"{found.year:04d}-{found.month:02d}-{found.day:02d} is not a date")
    if found.hour > 23 or found.minute > 59:
        problems.append(f"{found.hour:02d}:{found.minute:02d} is not a time of day")
    if not problems:
        return None
    return f"impossible date in the date line {text!r}: {' and '.join(problems)}"


def _split_tail(text: str) -> tuple[str, str]:
    """Split `date | time zone | reporter` into the stamp and the tail (`| reporter`):
    the stamp is the leading `|`-parts that hold a digit."""
    parts = text.split("|")
    count = 1
    while count < len(parts) and re.search(r"\d", parts[count]) and not _REPORTER.match(
            parts[count].strip()):
        count += 1
    tail = "|".join(parts[count:])
    return " ".join(parts[:count]), "|" + tail if tail else ""


def _dateutil_zone(name: str | None, offset: int | None) -> tz.tzoffset | None:
    """dateutil's zone lookup: the three Indonesian zones or a numeric offset; any
    other zone word makes the text no stamp (never a guess at local time).
    None (no zone at all) leaves the time naive, for the default zone."""
    from dateutil import tz

    if name is None and offset is None:
        return None
    if name in ZONES:
        return tz.tzoffset(name, int(ZONES[name].utcoffset(None).total_seconds()))
    if offset is not None:
        return tz.tzoffset(name, offset)
    raise ValueError(f"unknown time zone {name!r}")


@functools.lru_cache(maxsize=256)  # a handful of words, asked about on every stamp
def _weekday_number(word: str) -> int | None:
    return _WEEKDAYS.get(_APOSTROPHES.sub("", word).casefold())


def _stamp(wall: datetime, offset: timedelta, weekday: str | None, rest: str) -> Stamp | None:
    """`wall` is the stamp's wall-clock reading labelled UTC; `offset` is its zone's."""
    if not MIN_YEAR <= wall.year <= MAX_YEAR:
        return None
    warnings: tuple[str, ...] = ()
    if weekday is not None:
        named = _weekday_number(weekday)
        if named is not None and named != wall.weekday():
            warnings = (f"weekday {weekday} does not match {wall:%Y-%m-%d}, "
                        f"a {DISPLAY_WEEKDAYS[wall.weekday()]}",)
    tail = tuple(part.strip() for part in rest.split("|")[1:] if part.strip()) if rest else ()
    when = wall - offset
    return Stamp(when.replace(microsecond=0) if when.microsecond else when, tail, warnings,
                 offset)


# ISO 8601 as metadata spells it in the wild: `2015-11-05 T10:08:58Z`,
# `2015/11/05 10:08`, `2015-11-05T10:08:58.000 +0700`, `... WIB`.
_ISO = re.compile(
    r"""\s*(?P<year>\d{4})[-/](?P<month>\d{1,2})[-/](?P<day>\d{1,2})
    (?P<joint>\s*[Tt\s]\s*)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d+)?)?
    \s*(?:(?P<utc>[Zz])|(?P<sign>[+-])(?P<oh>\d{2}):?(?P<om>\d{2})?|(?P<zone>WITA|WIB|WIT))?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)


class StatedTime(NamedTuple):
    """A time as a page's metadata states it: `when` is aware, in the offset the
    text states (`article_time` may need to know what the page said).
    `loose_utc` marks a `Z` written the loose way (`2016-02-23 T16:00:20Z`, a
    space before the `T`): the publishing systems that write it so label their
    newsroom's wall clock, not UTC."""

    when: datetime
    loose_utc: bool = False


def parse_iso(text: str, default_zone: str) -> StatedTime | None:
    """A time from metadata (`2025-05-30T16:01:00+07:00`, and the spellings pages
    use). A time without offset is in `default_zone`. None when it is not a date
    with a clock time (a date alone says too little)."""
    match = _ISO.match(text)
    if match is None:
        return None
    if match["utc"]:
        zone: timezone = UTC
    elif match["sign"]:
        minutes = int(match["oh"]) * 60 + int(match["om"] or 0)
        if minutes >= 24 * 60:  # timezone() raises for a day or more: no time stated
            return None
        zone = timezone(timedelta(minutes=-minutes if match["sign"] == "-" else minutes))
    else:
        zone = ZONES[(match["zone"] or default_zone).upper()]
    try:
        parsed = datetime(int(match["year"]), int(match["month"]), int(match["day"]),
                          int(match["hour"]), int(match["minute"]), int(match["second"] or 0),
                          tzinfo=zone)
    except ValueError:
        return None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        return None
    joint = match["joint"]
    return StatedTime(parsed, bool(match["utc"]) and joint[0].isspace() and joint.strip() != "")


def article_time(stated: StatedTime | None, printed: Stamp | None) -> datetime | None:
    """The article's time, in UTC, from what its metadata states and the stamp the
    page prints beside its headline.

    The rule: metadata wins, except where its offset contradicts the zone the page
    prints and the offset is a label the publishing system put on local time.
    It is one when
    - the metadata's wall-clock reading agrees with the printed one to the minute
      (`2015-11-05T10:08:58Z` on a page printing `10:08 WIB`), or
    - it is a `Z` written loosely (`2016-02-23 T16:00:20Z`, see `StatedTime`),
      whatever minute the page prints (the stamp may be the story's first filing).
    Then the printed zone is the truth. A time stated strictly in another
    wall-clock reading is a different instant, and the metadata's is taken.
    """
    if stated is None:
        return printed.when if printed else None
    when = stated.when
    if printed is not None and when.utcoffset() != printed.offset:
        printed_wall = (printed.when + printed.offset).replace(tzinfo=None)
        same_wall = when.replace(tzinfo=None, second=0) == printed_wall.replace(second=0)
        if stated.loose_utc or same_wall:
            when = when.replace(tzinfo=timezone(printed.offset))
    return when.astimezone(UTC).replace(microsecond=0)


def format_utc(when: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SSZ`, the one way feeds writes an instant."""
    # isoformat, not strftime: this runs for every headline and item. The times
    # feeds holds are already UTC to the second, so the rest is skipped.
    if when.tzinfo is not UTC:
        when = when.astimezone(UTC)
    if when.microsecond:
        when = when.replace(microsecond=0)
    return when.isoformat()[:-6] + "Z"  # "+00:00" -> "Z"
