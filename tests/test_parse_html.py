"""HTML dumps: JSON-LD, then meta tags, then visible text."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from feeds.parse import parse_dump
from feeds.parse.sidebars import read_sidebars
from tests.conftest import OPTIONS, SEED_DUNIA_2025

PUBLISHED = datetime(2025, 5, 30, 9, 1, tzinfo=UTC)
BODY = """<body><nav><a href="/">Beranda</a></nav>
<div class="breadcrumb">Berita</div>
<figure><img src="a.jpg"><figcaption>Abdellatif Hammouchi/Net</figcaption></figure>
<div class="category"><a href="/dunia">Dunia</a></div>
<h1>Maroko Dorong <em>Pembentukan</em> Infrastruktur</h1>
<div class="date">JUMAT, 30 MEI 2025 | 16:01 WIB | LAPORAN: HANI FATUNNISA</div>
<div class="content"><p>Paragraf <b>pertama</b> dengan &amp; tanda.</p>
<h2>Subjudul Penting</h2><p>Paragraf kedua.<br>Masih paragraf kedua.</p>
<script>var x = "<p>bukan teks</p>";</script><p>Paragraf ketiga.</p></div>
<aside><h3>Populer</h3><ul>
<li><a href="#">Keppres Digugat ke PTUN</a><span>Rabu, 11 Februari 2026 | 19:58</span></li>
<li><a href="#">Terpotong</a></li></ul></aside>
<aside><h3>UPDATE</h3><ul><li><a>Mudik Gratis</a> <span>Sabtu, 21 Februari 2026 | 14:13</span></li>
</ul><a href="/indeks">Selengkapnya</a></aside></body>"""


def html(head: str = "", body: str = BODY) -> bytes:
    page = f'<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">{head}</head>{body}</html>'
    return page.encode()


def test_visible_text_only_page_parses_like_a_text_dump() -> None:
    title = "<title>Maroko Dorong Pembentukan Infrastruktur - RMOL</title>"
    entry = parse_dump(html(title), "a.html", OPTIONS)
    assert entry.title == "Maroko Dorong Pembentukan Infrastruktur"
    assert entry.category == "Dunia"
    assert entry.published == PUBLISHED
    assert entry.author == "Hani Fatunnisa"
    assert entry.caption == "Abdellatif Hammouchi/Net"
    assert [(b.text, b.subheading) for b in entry.blocks] == [
        ("Paragraf pertama dengan & tanda.", False),
        ("Subjudul Penting", True),
        ("Paragraf kedua. Masih paragraf kedua.", False),
        ("Paragraf ketiga.", False),
    ]
    assert [(h.title, h.published) for h in read_sidebars(entry.sidebars).populer] == [
        ("Keppres Digugat ke PTUN", datetime(2026, 2, 11, 12, 58, tzinfo=UTC))]
    assert [h.title for h in read_sidebars(entry.sidebars).update] == ["Mudik Gratis"]


def test_json_ld_comes_first() -> None:
    ld = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebPage", "name": "x"},
        {"@type": "NewsArticle", "headline": "Judul dari JSON-LD", "articleSection": ["Politik"],
         "datePublished": "2025-05-30T17:01:00+08:00",
         "author": [{"@type": "Organization", "name": "RMOL"},
                    {"@type": "Person", "name": "Siti Lestari"}],
         "publisher": {"@type": "Organization", "name": "RMOL"}}]}
    head = ('<meta property="og:title" content="Judul dari OG">'
            '<meta property="article:section" content="Hukum">'
            f'<script type="application/ld+json">{json.dumps(ld)}</script>')
    entry = parse_dump(html(head), "a.html", OPTIONS)
    assert (entry.title, entry.category, entry.published, entry.author) == (
        "Judul dari JSON-LD", "Politik", PUBLISHED, "Siti Lestari")


def test_open_graph_when_there_is_no_json_ld() -> None:
    head = ('<meta property="og:title" content="Judul dari OG | Kompas.com">'
            '<meta property="og:site_name" content="Kompas.com">'
            '<meta property="article:section" content="Hukum">'
            '<meta property="article:published_time" content="2025-05-30T16:01:00+07:00">'
            '<meta name="author" content="Dwi Pratama">'
            '<script type="application/ld+json">{not json</script>')
    entry = parse_dump(html(head, "<body><p>Hanya satu paragraf.</p></body>"), "a.html", OPTIONS)
    assert (entry.title, entry.category, entry.published, entry.author) == (
        "Judul dari OG", "Hukum", PUBLISHED, "Dwi Pratama")
    assert [b.text for b in entry.blocks] == ["Hanya satu paragraf."]


def test_no_category_anywhere_takes_the_configured_default() -> None:
    head = ('<meta property="og:title" content="Judul">'
            '<meta property="article:published_time" content="2025-05-30T16:01:00+07:00">')
    body = "<body><p>Isi berita tanpa kategori.</p></body>"
    assert parse_dump(html(head, body), "a.html", OPTIONS).category == "Berita"
    options = replace(OPTIONS, default_category="Umum")
    assert parse_dump(html(head, body), "a.html", options).category == "Umum"


def test_site_decorations_go_but_dashes_in_headlines_stay() -> None:
    head = ('<meta property="og:title" content="Tekuk Fiorentina 2-1, Napoli - Inter Tenang">'
            '<meta property="article:published_time" content="2025-05-30T16:01:00+07:00">')
    entry = parse_dump(html(head, "<body><p>Isi.</p></body>"), "a.html", OPTIONS)
    assert entry.title == "Tekuk Fiorentina 2-1, Napoli - Inter Tenang"


def test_html_and_text_dump_of_one_article_share_the_id() -> None:
    text_entry = parse_dump(SEED_DUNIA_2025.read_bytes(), "a.txt", OPTIONS)
    head = (f'<meta property="og:title" content="{text_entry.title} - RMOL">'
            '<meta property="article:section" content="DUNIA">'
            '<meta property="article:published_time" content="2025-05-30T16:01:00+07:00">')
    assert parse_dump(html(head, "<body><p>Isi.</p></body>"), "b.html", OPTIONS).id == text_entry.id


def test_html_in_a_txt_file_is_read_as_html_and_cp1252_html_decodes() -> None:
    body = BODY.replace("Paragraf ketiga.", "\u201cKutipan\u201d Céline.")
    data = html(body=body).replace(b'charset="utf-8"', b'charset="windows-1252"')
    data = data.decode().encode("cp1252")
    entry = parse_dump(data, "saved.txt", OPTIONS)
    assert entry.blocks[-1].text == "\u201cKutipan\u201d Céline."


def test_markup_in_a_title_stays_text() -> None:
    head = ('<meta property="og:title" content="Awas &lt;script&gt;alert(1)&lt;/script&gt;">'
            '<meta property="article:published_time" content="2025-05-30T16:01:00+07:00">')
    entry = parse_dump(html(head, "<body><p>Isi.</p></body>"), "a.html", OPTIONS)
    assert entry.title == "Awas <script>alert(1)</script>"
