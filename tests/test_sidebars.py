"""Sidebars kept unread, and where an article ends: what a page says never
depends on how it separates its blocks, and the sidebars, read when asked, give
their headlines."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.model import NO_SIDEBARS, Sidebars
from feeds.parse.page import Facts
from feeds.parse.sidebars import blocks_of, read_sidebars
from feeds.parse.text import parse_text
from feeds.text import NotText, decode
from tests.conftest import SEED_DUNIA_2024, SEED_DUNIA_2025


def every_block_read(text: str, default_zone: str = "WIB") -> Facts:
    """The same page, every block cleaned and parted by one plain blank line."""
    canonical = "\n\n".join(blocks_of(text.replace("\r\n", "\n").replace("\r", "\n")))
    return parse_text(canonical, default_zone)


def assert_same_facts(lazy: Facts, plain: Facts) -> None:
    assert replace(lazy, sidebars=NO_SIDEBARS) == replace(plain, sidebars=NO_SIDEBARS)
    assert read_sidebars(lazy.sidebars) == read_sidebars(plain.sidebars)
    assert bool(lazy.sidebars.text) == bool(plain.sidebars.text)


@pytest.mark.parametrize("seed", [SEED_DUNIA_2025, SEED_DUNIA_2024])
def test_seeds_give_every_fact_and_headline(seed: Path) -> None:
    text = decode(seed.read_bytes())
    lazy = parse_text(text, "WIB")
    assert_same_facts(lazy, every_block_read(text))
    headlines = read_sidebars(lazy.sidebars)
    assert len(headlines.populer) == 7 and headlines.update
    assert lazy.sidebars.text.startswith("Populer\n")  # the page's own text, from the heading
    assert lazy.blocks[-1].text != "Populer"


def test_a_wita_page_reads_its_sidebar_stamps_in_its_zone() -> None:
    text = ("Dunia\n\nJudul\n\nRabu, 11 Februari 2026 | 19:58 WIB\n\nIsi.\n\nPopuler\n\n"
            "Satu\n\nRabu, 11 Februari 2026 | 08:00\n\nSelengkapnya\n\nSisa")
    (headline,) = read_sidebars(parse_text(text, "WITA").sidebars).populer
    assert headline.published.hour == 0  # 08:00 WITA
    wib = Sidebars("Populer\n\nSatu\n\nRabu, 11 Februari 2026 | 08:00", "WIB")
    assert read_sidebars(wib).populer[0].published.hour == 1


# Blocks that decide where a page's parts begin and end, and text that tests the
# cleaning: spaces of every kind, a control character, a letter not in NFC.
_BLOCKS = ["Berita", "Foto/Net", "Dunia", "Judul Berita", "Populer", "UPDATE", "update",
           "Terkini", "Selengkapnya", "JUMAT, 30 MEI 2025 | 16:01 WIB | LAPORAN: HANI FATUNNISA",
           "Rabu, 11 Februari 2026 | 19:58", "Judul Lain Rabu, 11 Februari 2026 | 19:58",
           "Paragraf isi berita.", "Sub judul", "Paling\nPopuler", "  Populer  ", "e\u0301",
           "kata\x00lain", "a\u00a0b", "\ufeffx"]
_SEPARATORS = ["\n\n", "\n \n", "\n\u00a0\n", "\n", "\r\n\r\n", "\n\n\n", " ", "\n\t\n"]


@pytest.mark.xfail(strict=True, reason="a date line that does not end its block (the category "
                   "on the next line) is no date line to the sidebar reader, so a sidebar "
                   "heading above it ends the article at once; found 2026-12-04, to fix")
def test_a_date_line_that_does_not_end_its_block_still_passes_a_heading_above_it() -> None:
    text = ("Populer\n\nJUMAT, 30 MEI 2025 | 16:01 WIB | LAPORAN: HANI FATUNNISA\nBerita\n\n"
            "Paragraf isi berita.\n\n")
    assert_same_facts(parse_text(text, "WIB"), every_block_read(text, "WIB"))


# Derandomized: the random search found the case above, now held by its own test,
# and CI must not fail at random on a case already known.
@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(_BLOCKS), st.sampled_from(_SEPARATORS)),
                max_size=30),
       st.sampled_from(["WIB", "WITA"]))
def test_how_blocks_are_separated_never_changes_what_a_page_says(
        parts: list[tuple[str, str]], zone: str) -> None:
    text = "".join(block + separator for block, separator in parts)
    assert_same_facts(parse_text(text, zone), every_block_read(text, zone))


@pytest.mark.slow
def test_every_text_dump_of_the_corpus_reads_as_its_canonical_form(corpus_2000: Path) -> None:
    dumps = sorted(corpus_2000.glob("*.txt"))
    assert len(dumps) > 1000
    for dump in dumps:
        try:
            text = decode(dump.read_bytes())
        except NotText:  # the corpus's binary files, refused before any reading
            continue
        assert_same_facts(parse_text(text, "WIB"), every_block_read(text))


def test_sidebars_are_read_once_however_often_asked() -> None:
    sidebars = parse_text(decode(SEED_DUNIA_2025.read_bytes()), "WIB").sidebars
    first = read_sidebars(sidebars)
    assert read_sidebars(sidebars) is first
    assert read_sidebars(Sidebars(sidebars.text, "WIB")) is first  # as the state gives it back
    with pytest.raises(FrozenInstanceError):  # a plain record: nothing is kept in it
        sidebars.text = ""  # type: ignore[misc]
