"""The real-world variants of text dumps that DOMAIN.md lists, and the errors."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from feeds.errors import DumpError
from feeds.model import SidebarHeadlines
from feeds.parse import parse_dump
from feeds.parse.sidebars import read_sidebars
from tests.conftest import OPTIONS, SEED_DUNIA_2024, SEED_DUNIA_2025

SEED = SEED_DUNIA_2025.read_text(encoding="utf-8")
PAGE = """Berita

{caption}

{category}

{title}

{date}

Paragraf pertama berita ini cukup panjang untuk menjadi paragraf.

{middle}

Paragraf terakhir berita ini.

Populer

Judul Populer Pertama

Rabu, 11 Februari 2026 | 19:58

UPDATE

Judul Terbaru

Sabtu, 21 Februari 2026 | 14:13

Selengkapnya
"""


def page(**fields: str) -> bytes:
    values = {"caption": "Foto/Net", "category": "Politik", "title": "Judul Berita",
              "date": "JUMAT, 30 MEI 2025 | 16:01 WIB | LAPORAN: HANI FATUNNISA",
              "middle": "Paragraf kedua."}
    values.update(fields)
    return PAGE.format(**values).encode()


def test_crlf_bom_and_blank_runs_give_the_same_entry() -> None:
    plain = parse_dump(SEED.encode(), "a.txt", OPTIONS)
    variant = ("\ufeff" + SEED.replace("\n\n", "\n \n\u00a0\n\t\n")).replace("\n", "\r\n")
    other = parse_dump(variant.encode(), "b.txt", OPTIONS)
    assert (other.id, other.title, other.blocks, read_sidebars(other.sidebars)) == (
        plain.id, plain.title, plain.blocks, read_sidebars(plain.sidebars))


def test_cp1252_dump_has_no_mojibake() -> None:
    text = SEED_DUNIA_2024.read_text(encoding="utf-8").replace('"Mereka', "\u201cMereka")
    entry = parse_dump(text.encode("cp1252"), "win.txt", OPTIONS)
    assert "Céline Berthon" in entry.blocks[2].text
    assert entry.blocks[3].text.startswith("\u201cMereka")


def test_print_edition_is_not_an_author() -> None:
    entry = parse_dump(page(date="JUMAT, 12 OKTOBER 2018 | 08:39 WIB | HARIAN RAKYAT MERDEKA"),
                       "x.txt", OPTIONS)
    assert entry.author is None
    assert entry.published == datetime(2018, 10, 12, 1, 39, tzinfo=UTC)


def test_long_caption_with_slashes_and_parentheses() -> None:
    caption = ("Wakil Menteri Agraria dan Tata Ruang/Wakil Kepala Badan Pertanahan Nasional "
               "(ATR/BPN), Ossy Dermawan (RMOL/Faisal Aristama)")
    entry = parse_dump(page(caption=caption), "x.txt", OPTIONS)
    assert entry.caption == caption
    assert entry.caption_text == ("Wakil Menteri Agraria dan Tata Ruang/Wakil Kepala Badan "
                                  "Pertanahan Nasional (ATR/BPN), Ossy Dermawan")
    assert entry.caption_credit == "RMOL/Faisal Aristama"
    plain = parse_dump(page(caption="Menteri ATR/BPN, Ossy Dermawan"), "y.txt", OPTIONS)
    assert plain.caption_credit is None


def test_subheadings_are_kept_as_such() -> None:
    entry = parse_dump(page(middle="Langkah Berikutnya\n\nParagraf sesudah subjudul."), "x.txt",
                       OPTIONS)
    assert [(b.text, b.subheading) for b in entry.blocks] == [
        ("Paragraf pertama berita ini cukup panjang untuk menjadi paragraf.", False),
        ("Langkah Berikutnya", True),
        ("Paragraf sesudah subjudul.", False),
        ("Paragraf terakhir berita ini.", False),
    ]


def test_a_subheading_named_update_does_not_end_the_body() -> None:
    entry = parse_dump(page(middle="Update\n\nKorban bertambah menjadi lima orang."), "x.txt",
                       OPTIONS)
    assert [b.text for b in entry.blocks][1:3] == ["Update", "Korban bertambah menjadi lima orang."]
    assert len(read_sidebars(entry.sidebars).update) == 1


def test_cut_short_page_without_sidebar() -> None:
    text = SEED.split("Populer")[0]
    entry = parse_dump(text.encode(), "cut.txt", OPTIONS)
    assert len(entry.blocks) == 14
    assert read_sidebars(entry.sidebars) == SidebarHeadlines((), ())


def test_sidebar_cut_mid_item_drops_the_headline_without_stamp() -> None:
    text = SEED.split("Kasihan Jokowi")[0]
    entry = parse_dump(text.encode(), "cut.txt", OPTIONS)
    headlines = read_sidebars(entry.sidebars)
    assert [h.title for h in headlines.populer] == [
        "Keppres Pengangkatan Adies Kadir Digugat ke PTUN",
        "Enak Jadi Mulyono Bisa Nyambi Komisaris di 12 Perusahaan"]


@pytest.mark.parametrize(("date", "expected"), [
    ("Jum'at, 17 Februari 2017 - 13:30 wib", datetime(2017, 2, 17, 6, 30, tzinfo=UTC)),
    ("Kamis, 19 Jun 2025 16:50 WIB", datetime(2025, 6, 19, 9, 50, tzinfo=UTC)),
    ("18 Juni 2025 | 20.04 WIB", datetime(2025, 6, 18, 13, 4, tzinfo=UTC)),
    ("Kamis, 05/11/2015 09:25 WIB", datetime(2015, 11, 5, 2, 25, tzinfo=UTC)),
])
def test_dates_from_other_sites(date: str, expected: datetime) -> None:
    entry = parse_dump(page(date=date), "x.txt", OPTIONS)
    assert entry.published == expected
    assert entry.author is None


def test_weekday_mismatch_and_future_date_are_warnings() -> None:
    options = replace(OPTIONS, now=datetime(2025, 1, 1, tzinfo=UTC))
    entry = parse_dump(page(date="SENIN, 30 MEI 2025 | 16:01 WIB"), "x.txt", options)
    assert entry.warnings == ("weekday SENIN does not match 2025-05-30, a Jumat",
                              "published 2025-05-30T09:01:00Z is in the future")


def test_control_characters_never_reach_the_entry() -> None:
    entry = parse_dump(page(title="Judul\u0007 Berita\u0000", middle="A\u000bB\u001fC\u0084."),
                       "x.txt", OPTIONS)
    assert entry.title == "Judul Berita"
    # A vertical tab is a space; an information separator is debris, removed.
    assert entry.blocks[1].text == "A BC."


def test_same_article_twice_shares_an_id_and_a_new_title_does_not() -> None:
    first = parse_dump(page(), "a.txt", OPTIONS)
    redump = parse_dump(page(middle="Paragraf kedua, diperbaiki.", category="POLITIK",
                             title="Judul  berita"), "b.txt", OPTIONS)
    assert redump.id == first.id
    assert parse_dump(page(title="Judul Berita Baru"), "c.txt", OPTIONS).id != first.id
    assert parse_dump(page(category="Hukum"), "d.txt", OPTIONS).id != first.id
    assert parse_dump(page(date="JUMAT, 30 MEI 2025 | 16:02 WIB"), "e.txt", OPTIONS).id != first.id


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty file"),
    (b" \n\n \r\n", "empty file"),
    (bytes(range(256)) * 8, "not text: binary content"),
    (b"Berita\n\nDunia\n\nJudul tanpa tanggal\n\nIsi berita.\n", "no date line found"),
    (b"JUMAT, 30 MEI 2025 | 16:01 WIB\n\nIsi.", "no title found before the date line"),
])
def test_rejections_name_file_and_reason(data: bytes, reason: str) -> None:
    with pytest.raises(DumpError) as caught:
        parse_dump(data, "input/bad.txt", OPTIONS)
    assert caught.value.reason == reason
    assert str(caught.value) == f"input/bad.txt: {reason}"


def test_too_large_is_rejected() -> None:
    with pytest.raises(DumpError, match="too large: 2000 bytes"):
        parse_dump(b"x" * 2000, "big.txt", replace(OPTIONS, max_bytes=1000))
