"""Both seed dumps, every field."""

from __future__ import annotations

from datetime import UTC, datetime

from feeds.model import entry_id
from feeds.parse import parse_file
from feeds.parse.sidebars import read_sidebars
from tests.conftest import OPTIONS, SEED_DUNIA_2024, SEED_DUNIA_2025


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_seed_2025_every_field() -> None:
    entry = parse_file(SEED_DUNIA_2025, OPTIONS)
    assert entry.title == ("Maroko Dorong Pembentukan Infrastruktur Keamanan di Forum "
                           "Internasional Moskow")
    assert entry.category == "Dunia"
    assert entry.published == utc(2025, 5, 30, 9, 1)
    assert entry.published.tzinfo is UTC
    assert entry.author == "Hani Fatunnisa"
    assert entry.caption == "Abdellatif Hammouchi/Net"
    assert (entry.caption_text, entry.caption_credit) == ("Abdellatif Hammouchi", "Net")
    assert len(entry.blocks) == 14
    assert not any(block.subheading for block in entry.blocks)
    assert entry.blocks[0].text.startswith("Direktur Jenderal Keamanan Nasional")
    assert entry.blocks[0].text.endswith("pada 2-\"29 Mei.")  # the NBSP at the end is gone
    assert entry.blocks[-1].text.startswith("Kunjungan Hammouchi ini menegaskan")
    assert entry.blocks[10].text.startswith("\u201cTugas kewaspadaan")  # curly quotes kept
    headlines = read_sidebars(entry.sidebars)
    assert len(headlines.populer) == 7
    assert headlines.populer[0].title == "Keppres Pengangkatan Adies Kadir Digugat ke PTUN"
    assert headlines.populer[0].published == utc(2026, 2, 11, 12, 58)
    assert headlines.populer[2].published == utc(2026, 2, 11, 17, 45)  # 00:45 WIB: the day before
    assert len(headlines.update) == 10
    assert headlines.update[0].title == (
        "Mudik Gratis 2026 Pemprov Jabar, Berikut Rute dan Cara Daftarnya")
    assert headlines.update[0].published == utc(2026, 2, 21, 7, 13)
    assert headlines.update[-1].published == utc(2026, 2, 21, 4, 13)
    assert entry.warnings == ()
    assert entry.id.startswith("urn:uuid:")


def test_seed_2024_every_field() -> None:
    entry = parse_file(SEED_DUNIA_2024, OPTIONS)
    assert entry.title == "Maroko dan Prancis Perkuat Kerjasama Keamanan Bilateral"
    assert entry.category == "Dunia"
    assert entry.published == utc(2024, 6, 30, 12, 20)
    assert entry.author == "Alifia Dwi Ramandhita"
    assert entry.caption == "Bendera Prancis dan Maroko/Ist"
    assert entry.caption_credit == "Ist"
    assert len(entry.blocks) == 9
    assert "Céline Berthon" in entry.blocks[2].text
    headlines = read_sidebars(entry.sidebars)
    assert [h.published for h in headlines.populer][:2] == [utc(2025, 2, 28, 7, 59),
                                                        utc(2025, 3, 2, 10, 41)]
    assert len(headlines.populer) == 7
    assert len(headlines.update) == 10
    assert headlines.update[0].title == "Tekuk Fiorentina 2-1, Napoli Tak Biarkan Inter Tenang"
    assert headlines.update[0].published == utc(2025, 3, 9, 18, 21)
    assert headlines.update[-1].title == ("PTPN IV PalmCo Siapkan 23 Bus untuk Mudik di Sumatera "
                                      "dan Kalimantan")
    assert headlines.update[-1].published == utc(2025, 3, 9, 15, 18)


def test_the_two_seeds_have_different_ids() -> None:
    assert parse_file(SEED_DUNIA_2024, OPTIONS).id != parse_file(SEED_DUNIA_2025, OPTIONS).id


def test_ids_never_change() -> None:
    # Subscribers' readers key on these: any change to how an id is derived
    # (normalising, hashing, formatting) fails here before it reaches a feed.
    assert parse_file(SEED_DUNIA_2025, OPTIONS).id == (
        "urn:uuid:46f52583-e0c6-522b-a5c0-4cfc5bb7fe2f")
    assert parse_file(SEED_DUNIA_2024, OPTIONS).id == (
        "urn:uuid:23460363-9442-5c0e-94c1-5ad69f9a702e")
    assert entry_id("sains-teknologi", "\u201cKata\u201d  DIA\u00a0\u0178 \ufb01",
                    utc(2026, 2, 11, 5, 58, 59)) == (
        "urn:uuid:aa69516a-49e5-597d-b295-4183b22f0171")
