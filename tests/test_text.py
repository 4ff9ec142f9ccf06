"""Decoding without mojibake and cleaning for XML."""

from __future__ import annotations

import re
import string
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.text import NotText, clean, clean_pieces, decode, identity_key, slugify

# Where cleaning could go wrong: spaces of every kind, combining marks that
# compose with a neighbour, and characters XML forbids.
TRICKY = st.sampled_from(["e", "\u0301", "\u0065\u0301", "\u00e9", " ", "\n", "\u00a0", "\x0b",
                          "\x01", "\x85", "\ufffe", "A", "\u1100", "\u1161"])


def test_utf8_bom_and_cp1252_and_latin1() -> None:
    word = "\u201cKerja sama\u201d \u2013 Céline"
    assert decode(b"\xef\xbb\xbf" + word.encode()) == word
    assert decode(word.encode("cp1252")) == word
    assert decode("Céline".encode("latin-1")) == "Céline"
    # 0x81 is undefined in cp1252: only latin-1 can hold it, and decoding must not fail.
    assert decode(b"caf\xe9 \x81") == "café \x81"
    assert decode("Kerja".encode("utf-16")) == "Kerja"


def test_declared_charset_is_used_when_the_bytes_are_not_utf8() -> None:
    assert decode("Ĺódź".encode("iso-8859-2"), "iso-8859-2") == "Ĺódź"


def test_binary_is_refused() -> None:
    with pytest.raises(NotText, match="not text: binary content"):
        decode(bytes(range(256)) * 4)


def test_clean_removes_what_xml_forbids_and_folds_spaces() -> None:
    dirty = "  Teks\u000bdengan\u000ckarakter\u0007kontrol\u0000 \u00a0 dan\u200bspasi\u00a0 "
    assert clean(dirty) == "Teks dengan karakter" + "kontrol dan\u200bspasi"
    assert clean("Cafe\u0301") == "Café"  # NFC
    assert clean("\ud800lone surrogate") == "lone surrogate"


def test_identity_key_folds_case_quotes_and_spaces() -> None:
    assert identity_key("\u201cKata\u201d  DIA") == identity_key('"kata" dia')


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), st.text(alphabet=string.printable, max_size=80),
                 st.lists(TRICKY, max_size=20).map("".join)))
def test_identity_key_of_ascii_takes_a_shortcut_to_the_same_key(text: str) -> None:
    # Ids hang on this key: the shortcut must never give another one.
    quotes = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                            "\u2013": "-", "\u2014": "-", "\u00a0": " "})
    full = unicodedata.normalize("NFKC", clean(text)).translate(quotes)
    assert identity_key(text) == re.sub(r"\s+", " ", full).strip().casefold()


@pytest.mark.parametrize(("name", "slug"), [
    ("Sains & Teknologi", "sains-teknologi"), ("DUNIA", "dunia"), ("Dunia", "dunia"),
    ("../../etc/passwd", "etc-passwd"), ("..", "lainnya"), ("Sosial Budaya", "sosial-budaya"),
    ("Olahraga ", "olahraga"), ("Ékonomi/Bisnis", "ekonomi-bisnis"),
])
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
                 st.lists(TRICKY, max_size=60).map("".join)))
def test_cleaning_a_page_at_once_equals_cleaning_each_block(text: str) -> None:
    pieces = re.split(r"\n\s*\n", text)
    assert clean_pieces(text, pieces) == [clean(piece) for piece in pieces]
