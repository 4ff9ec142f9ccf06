"""Indonesian stamps to UTC: the known shapes, dateutil for the rest, and what is no stamp."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.dates import (
    _STAMP,
    _TRAILING_STAMP,
    MONTH_NAMES,
    WEEKDAY_NAMES,
    _dateutil_stamp,
    _known_shape,
    bare_stamp,
    parse_iso,
    parse_stamp,
    trailing_stamp,
)

OFFSETS = {"WIB": 7, "WITA": 8, "WIT": 9}


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(("text", "expected"), [
    ("JUMAT, 30 MEI 2025 | 16:01 WIB | LAPORAN: HANI FATUNNISA", utc(2025, 5, 30, 9, 1)),
    ("Kamis, 01 Januari 2026 | 03:15 WIB", utc(2025, 12, 31, 20, 15)),
    ("Jum'at, 17 Februari 2017 - 13:30 wib", utc(2017, 2, 17, 6, 30)),
    ("Kamis, 19 Jun 2025 16:50 WIB", utc(2025, 6, 19, 9, 50)),
    ("18 Juni 2025 | 20.04 WIB", utc(2025, 6, 18, 13, 4)),
    ("Kamis, 05/11/2015 09:25 WIB", utc(2015, 11, 5, 2, 25)),
    ("Selasa, 12 Agt 2025 | 10:00 WITA", utc(2025, 8, 12, 2, 0)),
    ("selasa, 12 agustus 2025 | 10:00 wit", utc(2025, 8, 12, 1, 0)),
    ("RABU, 01 OKT 2025 | 00:30 WIT", utc(2025, 9, 30, 15, 30)),
    ("Minggu, 28 Des 2025 | 23:59", utc(2025, 12, 28, 16, 59)),
    ("Ahad, 28 Des 2025 | 23:59", utc(2025, 12, 28, 16, 59)),
    ("Senin, 03 Nop 2025 | 07.00 WIB", utc(2025, 11, 3, 0, 0)),
])
def test_known_shapes_to_utc(text: str, expected: datetime) -> None:
    stamp = _known_shape(text, "WIB")  # read by the table of shapes, not by dateutil
    assert stamp is not None and stamp == parse_stamp(text, "WIB")
    assert stamp.when == expected
    assert stamp.warnings == ()


@pytest.mark.parametrize("stamp", [
    "Rabu, 11 Februari 2026 | 19:58", "Rabu, 11 Februari 2026 | pukul 19:58",
    "Jum`at, 13 Februari 2026 | 19:58", "Rabu,11 Februari 2026 | 19:58",
    "Rabu , 11 Februari 2026 | 19:58", "Kamis, 05/11/2015 09:25 WIB", "18 Juni 2025 | 20.04 WIB",
])
def test_a_stamp_closing_a_headline_reads_as_the_stamp_alone(stamp: str) -> None:
    # One grammar: what reads as a stamp reads so after a headline too, weekday and all.
    closed = trailing_stamp(f"Judul Berita {stamp}", "WIB")
    assert closed is not None and closed == ("Judul Berita", bare_stamp(stamp, "WIB"))


def test_reporter_and_print_edition() -> None:
    stamp = parse_stamp("JUMAT, 30 MEI 2025 | 16:01 WIB | LAPORAN: HANI FATUNNISA", "WIB")
    assert stamp is not None and stamp.reporter == "HANI FATUNNISA"
    edition = parse_stamp("JUMAT, 12 OKTOBER 2018 | 08:39 WIB | HARIAN RAKYAT MERDEKA", "WIB")
    assert edition is not None
    assert edition.reporter is None
    assert edition.tail == ("HARIAN RAKYAT MERDEKA",)


def test_stamp_without_zone_takes_the_configured_zone() -> None:
    text = "Rabu, 11 Februari 2026 | 19:58"
    assert parse_stamp(text, "WIB").when == datetime(2026, 2, 11, 12, 58, tzinfo=UTC)  # type: ignore[union-attr]
    assert parse_stamp(text, "WIT").when == datetime(2026, 2, 11, 10, 58, tzinfo=UTC)  # type: ignore[union-attr]


def test_contradicting_weekday_is_a_warning() -> None:
    stamp = parse_stamp("Senin, 30 Mei 2025 | 16:01 WIB", "WIB")
    assert stamp is not None
    assert stamp.when == datetime(2025, 5, 30, 9, 1, tzinfo=UTC)
    assert stamp.warnings == ("weekday Senin does not match 2025-05-30, a Jumat",)


@pytest.mark.parametrize("text", [
    "", "Isi berita.", "Rabu, 31 Februari 2026 | 19:58", "Rabu, 11 Brumaire 2026 | 19:58",
    "Rabu, 11 Februari 2026 | 25:58", "Dunia", "Berita, 12 Mei 2025 | 10:00 WIB",
    "Jakarta, 12 Mei 2025 10:00 WIB rapat dimulai", "99 Mei 2025 | 10:00",
    "Rabu, 11 Februari 0001 | 00:00", "JUMAT, 30 MEI 2025 | 16:01 IB | LAPORAN: X",
    "JUMAT, 30 MEI 2025 | 16:01 CET",
])
def test_not_a_stamp(text: str) -> None:
    assert parse_stamp(text, "WIB") is None


def test_dateutil_reads_what_the_known_shapes_do_not() -> None:
    assert _known_shape("2025-05-30 16:01 WIB", "WIB") is None
    stamp = parse_stamp("2025-05-30 16:01 WIB", "WIB")
    assert stamp is not None and stamp.when == datetime(2025, 5, 30, 9, 1, tzinfo=UTC)


def test_iso_metadata_times() -> None:
    def instant(text: str) -> datetime | None:
        stated = parse_iso(text, "WIB")
        return stated.when if stated else None

    assert instant("2025-05-30T16:01:00+07:00") == datetime(2025, 5, 30, 9, 1, tzinfo=UTC)
    assert instant("2025-05-30T09:01:00Z") == datetime(2025, 5, 30, 9, 1, tzinfo=UTC)
    assert instant("2025-05-30T16:01:00") == datetime(2025, 5, 30, 9, 1, tzinfo=UTC)
    assert instant("kemarin") is None
    assert parse_iso("2016-02-23 T16:00:20Z", "WIB") == (
        datetime(2016, 2, 23, 16, 0, 20, tzinfo=UTC), True)
    assert not any(parse_iso(text, "WIB").loose_utc for text in (  # type: ignore[union-attr]
        "2016-02-23T16:00:20Z", "2016-02-23 16:00:20Z", "2016-02-23 T16:00:20+07:00"))


@st.composite
def rendered_stamps(draw: st.DrawFn) -> tuple[str, datetime]:
    """A random instant printed the way some Indonesian site prints it."""
    utc = draw(st.datetimes(datetime(1990, 1, 1), datetime(2040, 1, 1))).replace(  # noqa: DTZ001
        second=0, microsecond=0, tzinfo=UTC)
    zone = draw(st.sampled_from(["WIB", "WITA", "WIT", ""]))
    local = utc + timedelta(hours=OFFSETS.get(zone, 7))
    weekday = draw(st.sampled_from((*WEEKDAY_NAMES[local.weekday()][:2], "")))
    month = draw(st.sampled_from(MONTH_NAMES[local.month - 1]))
    clock = f"{local:%H}{draw(st.sampled_from([':', '.']))}{local:%M}"
    shape = draw(st.sampled_from([
        "{w}, {d} {m} {y} | {c} {z}", "{w}, {d} {m} {y} - {c} {z}", "{w}, {d} {m} {y} {c} {z}",
        "{d} {m} {y} | {c} {z}", "{w}, {dd}/{mm}/{y} {c} {z}",
    ]))
    if not weekday:
        shape = shape.replace("{w}, ", "")
    text = shape.format(w=weekday, d=f"{local.day:02d}", m=month, y=local.year, c=clock, z=zone,
                        dd=f"{local.day:02d}", mm=f"{local.month:02d}")
    case = draw(st.sampled_from([str, str.upper, str.lower]))
    return case(text).strip(), utc


@settings(max_examples=400, deadline=None)
@given(rendered_stamps())
def test_every_printed_instant_reads_back_to_itself(sample: tuple[str, datetime]) -> None:
    text, expected = sample
    stamp = parse_stamp(text, "WIB")
    assert stamp is not None, text
    assert stamp.when == expected


@pytest.mark.parametrize(("text", "read"), [
    ("| 30 Mei 2025 16:01", True),  # a stamp behind a separator: still split off and read
    (" Senin| 30 Mei 2025 16:01", True),
    ("Rakyat Menjerit 30 Mei 2025 | 16:01", False),  # a headline holding a date is none
])
def test_dateutil_is_asked_only_about_text_that_starts_like_a_stamp(text: str, read: bool
                                                                    ) -> None:
    stamp = _dateutil_stamp(text, "WIB")
    assert (stamp is not None) == read
    if stamp is not None:
        assert stamp.when == datetime(2025, 5, 30, 9, 1, tzinfo=UTC)


# What a stamp pattern meets: headlines, stamps and the debris between them.
PIECES = st.sampled_from(["Rabu", "Jum'at", "Kamis,", "30", "7", "Mei", "Februari", "2025",
                          "16:01", "9.05", "WIB", "wita", "|", "-", ",", "/", "12/05/2025",
                          "Harga", "Naik", "2-1", "60", "Persen", "\u2019", " ", "  "])


@settings(max_examples=500, deadline=None)
@given(st.lists(PIECES, max_size=14).map(" ".join))
def test_possessive_words_match_exactly_what_plain_ones_do(text: str) -> None:
    # The possessive quantifiers (`++`, `*+`, `?+`) in the stamp patterns are only
    # a speed-up; the patterns without them are the reference.
    for pattern in (_STAMP, _TRAILING_STAMP):
        plain = re.compile(pattern.pattern.replace("++", "+").replace("*+", "*")
                           .replace("?+", "?"), pattern.flags)
        assert "++" in pattern.pattern and "*+" in pattern.pattern
        for found, expected in ((pattern.match(text), plain.match(text)),
                                (pattern.search(text), plain.search(text))):
            assert (found and (found.span(), found.groupdict())) == (
                expected and (expected.span(), expected.groupdict())), text
