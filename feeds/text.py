"""Text hygiene: bytes to str without mojibake, and strings safe for XML and readers."""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from collections.abc import Callable

# Everything XML 1.0 forbids (C0 controls but tab/LF/CR, surrogates, U+FFFE/F),
# plus the C1 controls, which are legal but only ever appear as decoding debris.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Python's \s already covers NBSP, the vertical tab, form feed and the
# information separators, so one pass folds every kind of space into one.
_SPACES = re.compile(r"\s+")
# The controls that are spaces; the information separators (U+001C-U+001F),
# which Python counts as spaces too, are debris inside words.
_CONTROL_SPACES = frozenset("\x0b\x0c\x85")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                         "\u2013": "-", "\u2014": "-", "\u00a0": " "})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")

# A byte sample with more of these than a text could hold is binary.
_BINARY_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), 0x1C, 0x1D, 0x1E])
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
         (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


# Labels a page declares that browsers read as windows-1252 (the WHATWG Encoding
# Standard): pages labelled so hold its curly quotes and dashes in 0x80-0x9F.
_AS_BROWSERS_READ = dict.fromkeys(
    ("iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "iso_8859-1",
     "cp819", "ibm819", "iso-ir-100", "x-cp1252"), "cp1252")


class NotText(ValueError):
    """Raised by `decode` for content that is not text at all."""


def decode(data: bytes, declared: str | None = None) -> str:
    """Decode a dump's bytes: a BOM wins, then strict UTF-8, then a declared
    charset, then cp1252, then latin-1 (which cannot fail).

    cp1252 is tried before latin-1 because Windows editors write curly quotes
    and dashes in 0x80-0x9F, where latin-1 would make invisible C1 controls.
    Raises NotText for binary content.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if is_binary(data):
        raise NotText("not text: binary content")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for encoding in (_AS_BROWSERS_READ.get((declared or "").lower(), declared or ""), "cp1252"):
        if encoding:
            try:
                return data.decode(encoding)
            except (UnicodeError, LookupError):  # some codecs raise UnicodeError itself
                continue
    return data.decode("latin-1")


def is_binary(data: bytes, sample: int = 8192) -> bool:
    """True when the first bytes hold more control codes than any text does (over 1 %)."""
    head = data[:sample]
    if not head:
        return False
    controls = len(head) - len(head.translate(None, _BINARY_BYTES))
    return controls * 100 > len(head)


def clean(text: str) -> str:
    """One line of clean text: NFC, no XML-illegal characters, spaces folded, trimmed.

    A control that is a space (a vertical tab, a form feed) separates words; any
    other is removed, so `Ja\\x1fkarta` reads `Jakarta` (str.split() alone would
    split it: it takes the information separators for spaces). The common case,
    printable text, costs one scan and no split (`fold_spaces`)."""
    if not text.isprintable() and _ILLEGAL.search(text):  # nothing illegal is printable
        text = xml_legal(text)
    text = fold_spaces(text)
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def xml_legal(text: str) -> str:
    """Text an XML tree accepts, as `clean` would read it: a control that is a
    space (vertical tab, form feed, next line) becomes a space, any other
    XML-illegal character goes."""
    if _ILLEGAL.search(text) is None:
        return text
    return _ILLEGAL.sub(lambda found: " " if found[0] in _CONTROL_SPACES else "", text)


def clean_page(text: str) -> str:
    """A page's text cleaned as `clean` cleans each of its blocks, but for white
    space, which is left to fold block by block: XML-illegal characters out (a
    control that is white space becomes a space), NFC. One scan of the page for
    the common case, plain legal text."""
    # No character XML forbids is printable: a page printable but for its line
    # breaks (most are) is legal, found in one pass that is cheaper than a search.
    if not text.replace("\n", " ").isprintable():
        text = xml_legal(text)
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def fold_spaces(text: str) -> str:
    """Runs of white space (no-break spaces included) as one space, trimmed."""
    # The space is the one printable white space: a printable text with no two
    # spaces in a row, none at either end, is folded already (most blocks are),
    # and checking that costs less than splitting it into words.
    if text.isprintable() and "  " not in text and text.strip() == text:
        return text
    return " ".join(text.split())


def clean_pieces(source: str, pieces: list[str]) -> list[str]:
    """`clean` for every piece of `source` (pieces split at line breaks)."""
    return list(map(piece_cleaner(source), pieces))


def piece_cleaner(source: str) -> Callable[[str], str]:
    """What `clean` comes to for the pieces of `source` (split at line breaks).
    When the whole source is legal and NFC, so is every piece, and folding
    spaces is all that is left to do: one scan of the page instead of two per
    block."""
    if _ILLEGAL.search(source) is None and (
            source.isascii() or unicodedata.is_normalized("NFC", source)):
        return fold_spaces
    return clean


def identity_key(text: str) -> str:
    """A normalised form for comparing names: case, quote style and spacing folded."""
    text = clean(text)
    if text.isascii():  # NFKC and the quote table change nothing here; spaces are folded
        return text.casefold()
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _SPACES.sub(" ", text).strip().casefold()


@functools.lru_cache(maxsize=1024)  # a site has a few dozen categories, asked about often
def slugify(name: str) -> str:
    """Lowercase ASCII slug (`Sains & Teknologi` -> `sains-teknologi`); never empty,
    never a path: only [a-z0-9-] survive."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    return slug or "lainnya"
