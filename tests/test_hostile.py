"""Hostile and broken dumps end as an entry or a DumpError, quickly; and whatever an
entry holds, the feeds built from it are valid XML and valid JSON."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import feedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from feeds.errors import DumpError
from feeds.model import Published
from feeds.parse import parse_dump
from feeds.parse.html import parse_html
from feeds.render.items import article_item
from feeds.render.jsonfeed import render_json
from feeds.render.syndication import render_atom, render_rss
from feeds.site import Site, all_feed
from tests.conftest import OPTIONS, SEED_DUNIA_2025

SEED = SEED_DUNIA_2025.read_bytes()
DATE_LINE = b"JUMAT, 30 MEI 2025 | 16:01 WIB"


@pytest.mark.parametrize(("data", "name", "outcome"), [
    (b"<html><body>" + b"<div>" * 30_000 + b"x</body></html>", "deep.html",
     "no date line found"),
    (b"<html><body>" + b"<div>" * 100_000 + b"x</body></html>", "deeper.html",
     "a page nested deeper than 250 levels is read only up to"),
    (b"<html><body><h1>Judul<div><p>" + DATE_LINE + b"<p>Isi", "unclosed.html", "Judul"),
    (b"Dunia\n\nJudul\n\n" + DATE_LINE + b"\n\n" + b"2025 12:00 " * 100_000, "line.txt",
     "Judul"),
    (b"2025 12:00 " * 100_000, "line.txt", "no date line found"),
    (b"Dunia\n\n" + b"a - " * 250_000 + b"\n\n" + DATE_LINE + b"\n\nIsi.", "title.txt",
     "no title found: the block before the date line is 999999 characters long"),
    (SEED.replace(b"Kehadiran", b"Keha\x00diran"), "nul.txt", "Maroko Dorong"),
    (SEED[:-3] + b"\xe2\x80", "truncated.txt", "Maroko Dorong"),
    (SEED.replace("Céline".encode(), "C\xe9line".encode("latin-1")), "mixed.txt",
     "Maroko Dorong"),
    (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;'
     b'&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><html><body><h1>&c;</h1><p>'
     + DATE_LINE + b"</p><p>Isi.</p></body></html>", "bomb.html", "&c;"),
    (b'<html><head><script type="application/ld+json">{"@type":"NewsArticle","headline":'
     b'"A\\ud800B","datePublished":"2025-05-30T16:01:00+07:00"}</script></head><body><p>x.'
     b"</p></body></html>", "surrogate.html", "AB"),
    (b"\xff\xfe" + "Judul".encode("utf-16-le"), "utf16.txt", "no date line found"),
])
def test_hostile_dumps(data: bytes, name: str, outcome: str) -> None:
    started = time.perf_counter()
    try:
        result = parse_dump(data, name, OPTIONS).title
    except DumpError as error:
        result = error.reason
    assert result.startswith(outcome)
    assert time.perf_counter() - started < 10  # generous: a guard against blow-ups, not a benchmark


def test_huge_dump_is_refused_before_reading() -> None:
    with pytest.raises(DumpError, match=r"too large: 6000001 bytes \(the limit is 5242880\)"):
        parse_dump(b"x" * 6_000_001, "huge.txt", OPTIONS)


PIECES = st.sampled_from(["<script>alert(1)</script>", "&amp;", "&", "<", "]]>", "\x00", "\x0b",
                          "\u0085", "\ufffe", "<![CDATA[", "\u2028", "\u202e", "--", '"', "'"])
NASTY = st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]),
                         max_size=20) | PIECES, max_size=6).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=NASTY, category=NASTY, author=NASTY, body=st.lists(NASTY, min_size=1, max_size=4))
def test_feeds_from_fuzzed_entries_are_valid(title: str, category: str, author: str,
                                             body: list[str]) -> None:
    page = SEED.decode().replace("Dunia", category or "x", 1).replace(
        "Maroko Dorong Pembentukan Infrastruktur Keamanan di Forum Internasional Moskow",
        title or "x").replace("HANI FATUNNISA", author or "x").replace(
        "Kehadiran Hammouchi", "\n\n".join(body))
    try:
        entry = parse_dump(page.encode("utf-8", "surrogatepass"), "fuzz.txt", OPTIONS)
    except DumpError:
        return
    item = article_item(Published(entry, entry.published), "http://h/", "Situs", entry.category)
    spec = all_feed("Situs & <Co>", "Deskripsi")
    for render in (render_rss, render_atom):
        xml = render(spec, [item], Site("Situs & <Co>", "", "http://h/", "id", "WIB", "http://h/icon.png",
                                       "http://h/icon.png"))
        etree.fromstring(xml)  # strict XML
        parsed = feedparser.parse(xml)
        assert not parsed.bozo, parsed.bozo_exception
        assert parsed.entries[0].id == entry.id
    feed = json.loads(render_json(spec, [item], Site("Situs", "", "http://h/", "id", "WIB", "http://h/icon.png",
                                              "http://h/icon.png")))
    assert feed["items"][0]["title"] == entry.title


@pytest.mark.parametrize("markup", [
    "<html><body>" + "<div>" * 3000 + "Dunia</div><h1>Judul</h1><p>Rabu, 11 Februari 2026 | 19:58"
    "</p></body></html>",
    "<html><body><h1>Judul<div><p>JUMAT, 30 MEI 2025 | 16:01 WIB<p>Isi<br>lagi<!-- x -->!",
    "<?xml version='1.0' encoding='utf-8'?><html><title>A - RMOL</title><body><p>x</p></body>",
    "<!-- only a comment -->", "<p>no html element</p>", "text before <html> and after",
    "<html><head><title>A <b>B</b></title></head><body><script>1</script>z</body></html>",
    "<html><body><ul><li><a>Satu</a><span>Rabu, 11 Februari 2026 | 19:58</span></li></ul>"
    "</body></html>",
])
def test_odd_pages_are_read_without_an_error(markup: str) -> None:
    facts = parse_html(markup, "WIB")
    assert all(block.text for block in facts.blocks)


def test_a_page_deeper_than_lxml_goes_is_read_whole() -> None:
    deep = ("<html><head><title>Judul - RMOL</title></head><body>" + "<div>" * 3000
            + "Ber\x07ita\x0bbaru/Ist</div><p class='x\x00'>Dunia</p><h1>Judul</h1>"
            "<p>Rabu, 11 Februari 2026 | 19:58</p><p>Isi berita.</p></body></html>")
    facts = parse_html(deep, "WIB")
    assert (facts.title, facts.category) == ("Judul", "Dunia")
    assert facts.published == datetime(2026, 2, 11, 12, 58, tzinfo=UTC)
    assert [block.text for block in facts.blocks] == ["Isi berita."]
    assert facts.caption == "Berita baru/Ist"


def test_a_page_too_deep_and_too_large_for_beautifulsoup_is_rejected_at_once() -> None:
    # BeautifulSoup reads such a page at seconds a megabyte: the daemon would stall.
    deep = ("<html><body>" + "<div>x" * 400_000 + "</body></html>").encode()
    with pytest.raises(DumpError, match="nested deeper than 250 levels"):
        parse_dump(deep, "deep.html", OPTIONS)


def test_an_address_urllib_refuses_is_no_address() -> None:
    page = (b'<html><head><link rel="canonical" href="http://[x"><meta property="og:image" '
            b'content="/a.jpg"></head><body><h1>Judul Berita</h1>'
            b"<p>Jumat, 30 Mei 2025 | 16:01 WIB</p><p>Isi.</p></body></html>")
    entry = parse_dump(page, "ipv6.html", OPTIONS)
    assert entry.title == "Judul Berita" and entry.image is None
