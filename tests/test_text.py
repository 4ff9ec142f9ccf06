"""Decoding without mojibake and cleaning for XML."""

from __future__ import annotations

import pytest

from feeds.text import NotText, clean, decode, identity_key, slugify


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


@pytest.mark.parametrize(("name", "slug"), [
    ("Sains & Teknologi", "sains-teknologi"), ("DUNIA", "dunia"), ("Dunia", "dunia"),
    ("../../etc/passwd", "etc-passwd"), ("..", "lainnya"), ("Sosial Budaya", "sosial-budaya"),
    ("Olahraga ", "olahraga"), ("Ékonomi/Bisnis", "ekonomi-bisnis"),
])
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug
