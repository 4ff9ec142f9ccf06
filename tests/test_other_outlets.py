"""Saved pages of other Indonesian outlets: the article's own time, its title
without the site's name, a reporter who is a person, and the section as category.

Each rule has a small page of its own, written after the markup conventions
public outlets use (sidebars and "related" lists above the article, microdata,
`<time datetime>`, English stamps, Open Graph habits)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from feeds.dates import article_time, parse_iso, parse_stamp
from feeds.model import Entry
from feeds.parse import parse_dump
from tests.conftest import OPTIONS

RELATED = """<aside class="related"><h4>Berita Terkait</h4><ul>
<li><a href="/a">Harga Cabai Naik Lagi</a> <span>Selasa, 03 November 2015 | 21:14 WIB</span></li>
<li><a href="/b">Banjir di Kampung Pulo</a> <span>Senin, 02 November 2015 | 08:40 WIB</span></li>
</ul></aside>"""


def page(head: str = "", body: str = "", title: str = "Gubernur Resmikan Jembatan Baru") -> bytes:
    markup = (f'<!DOCTYPE html><html><head><meta charset="utf-8">{head}</head><body>'
              f"<header><a href='/'>Beranda</a></header>{RELATED}{body or article(title)}"
              "</body></html>")
    return markup.encode()


def article(title: str = "Gubernur Resmikan Jembatan Baru",
            stamp: str = "Kamis, 05 November 2015 | 10:08 WIB", extra: str = "") -> str:
    return (f"<article><h1>{title}</h1><div class='date'>{stamp}</div>{extra}"
            "<p>Jembatan itu menghubungkan dua kecamatan.</p>"
            "<p>Peresmian dihadiri warga.</p></article>")


def parsed(markup: bytes) -> Entry:
    return parse_dump(markup, "page.html", OPTIONS)


WALL_TIME_AS_UTC = datetime(2015, 11, 5, 3, 8, 58, tzinfo=UTC)  # 10:08:58 WIB


def test_microdata_time_whose_z_is_the_wall_time_the_page_prints() -> None:
    head = '<meta itemprop="datePublished" content="2015-11-05 T10:08:58Z">'
    entry = parsed(page(head))
    assert entry.published == WALL_TIME_AS_UTC
    assert entry.title == "Gubernur Resmikan Jembatan Baru"


def test_time_element_inside_the_article() -> None:
    body = article(stamp="", extra='<time datetime="2015-11-05T10:08:58+07:00">'
                                   "Kamis, 5 Nov 2015</time>")
    assert parsed(page(body=body)).published == WALL_TIME_AS_UTC


def test_an_english_stamp_nearest_the_headline_not_the_first_on_the_page() -> None:
    entry = parsed(page(body=article(stamp="Wednesday, 04 November, 2015 | 07:28 WIB")))
    assert entry.published == datetime(2015, 11, 4, 0, 28, tzinfo=UTC)
    assert [block.text for block in entry.blocks] == [
        "Jembatan itu menghubungkan dua kecamatan.", "Peresmian dihadiri warga."]


def test_a_stamp_printed_above_the_headline() -> None:
    body = ("<article><div class='date'>Kamis, 05 November 2015 | 10:08 WIB</div>"
            "<h1>Gubernur Resmikan Jembatan Baru</h1><p>Jembatan itu dibuka.</p></article>")
    entry = parsed(page(body=body))
    assert entry.published == datetime(2015, 11, 5, 3, 8, tzinfo=UTC)
    assert entry.title == "Gubernur Resmikan Jembatan Baru"
    assert [block.text for block in entry.blocks] == ["Jembatan itu dibuka."]


def test_the_most_specific_source_wins() -> None:
    ld = {"@context": "https://schema.org", "@type": "NewsArticle",
          "datePublished": "2015-11-05T09:30:00+07:00"}
    head = (f'<script type="application/ld+json">{json.dumps(ld)}</script>'
            '<meta itemprop="datePublished" content="2015-11-05T09:40:00+07:00">'
            '<meta property="article:published_time" content="2015-11-05T09:50:00+07:00">')
    assert parsed(page(head)).published == datetime(2015, 11, 5, 2, 30, tzinfo=UTC)
    head = '<meta property="article:published_time" content="2015-11-05T09:50:00+07:00">'
    assert parsed(page(head + '<meta itemprop="datePublished" content="2015-11-05T09:40:00'
                              '+07:00">')).published == datetime(2015, 11, 5, 2, 40, tzinfo=UTC)
    assert parsed(page(head)).published == datetime(2015, 11, 5, 2, 50, tzinfo=UTC)


@pytest.mark.parametrize(("stated", "printed", "expected"), [
    # A Z on the wall time the page prints in WIB: the Z is a label, the time is WIB.
    ("2015-11-05 T10:08:58Z", "Kamis, 05 November 2015 | 10:08 WIB",
     datetime(2015, 11, 5, 3, 8, 58, tzinfo=UTC)),
    # A Z on another wall time: a real UTC instant (10:08 WIB is 03:08Z).
    ("2015-11-05T03:08:58Z", "Kamis, 05 November 2015 | 10:08 WIB",
     datetime(2015, 11, 5, 3, 8, 58, tzinfo=UTC)),
    # An offset of WIB on a page printing the same wall time in WITA: WITA.
    ("2015-11-05T10:08:00+07:00", "Kamis, 05 November 2015 | 10:08 WITA",
     datetime(2015, 11, 5, 2, 8, tzinfo=UTC)),
    # Nothing printed to contradict it: the offset stands.
    ("2015-11-05T10:08:58Z", None, datetime(2015, 11, 5, 10, 8, 58, tzinfo=UTC)),
    # No offset: the default zone.
    ("2015-11-05 10:08:58", None, datetime(2015, 11, 5, 3, 8, 58, tzinfo=UTC)),
    # A Z written loosely (a space before the T) on a page printing WIB labels the
    # newsroom's wall clock, even where the printed stamp is the first filing's minute.
    ("2016-02-23 T16:00:20Z", "Selasa, 23/02/2016 15:32 WIB",
     datetime(2016, 2, 23, 9, 0, 20, tzinfo=UTC)),
    # Its counter-example: a strict Z on another wall clock is a real instant.
    ("2016-02-23T16:00:20Z", "Selasa, 23/02/2016 15:32 WIB",
     datetime(2016, 2, 23, 16, 0, 20, tzinfo=UTC)),
    # A loose Z on a page that prints no stamp: nothing contradicts it.
    ("2016-02-23 T16:00:20Z", None, datetime(2016, 2, 23, 16, 0, 20, tzinfo=UTC)),
])
def test_the_rule_for_an_offset_that_contradicts_the_printed_zone(
        stated: str, printed: str | None, expected: datetime) -> None:
    stamp = parse_stamp(printed, "WIB") if printed else None
    assert article_time(parse_iso(stated, "WIB"), stamp) == expected


@pytest.mark.parametrize(("spelling", "expected"), [
    ("2015-11-05 T10:08:58Z", datetime(2015, 11, 5, 10, 8, 58, tzinfo=UTC)),
    ("2015-11-05T10:08:58+0700", datetime(2015, 11, 5, 3, 8, 58, tzinfo=UTC)),
    ("2015-11-05T10:08:58.000 +07:00", datetime(2015, 11, 5, 3, 8, 58, tzinfo=UTC)),
    ("2015/11/05 10:08", datetime(2015, 11, 5, 3, 8, tzinfo=UTC)),
    ("2015-11-05 10:08:58 WITA", datetime(2015, 11, 5, 2, 8, 58, tzinfo=UTC)),
    ("2015-11-05t10:08:58z", datetime(2015, 11, 5, 10, 8, 58, tzinfo=UTC)),
    ("2015-11-05", None),  # a date alone: a less specific source is asked
    ("2015-02-30T10:00:00Z", None),
    ("kemarin", None),
])
def test_iso_times_in_their_real_world_spellings(spelling: str, expected: datetime | None
                                                 ) -> None:
    stated = parse_iso(spelling, "WIB")
    assert (stated.when.astimezone(UTC) if stated else None) == expected


@pytest.mark.parametrize(("head", "headline", "expected"), [
    ('<title>KapanLagi.com: Gubernur Resmikan Jembatan Baru</title>'
     '<meta property="og:site_name" content="KapanLagi.com">',
     "Gubernur Resmikan Jembatan Baru", "Gubernur Resmikan Jembatan Baru"),
    ('<meta property="og:title" content="Kapanlagi.com: Musik - Gubernur Resmikan Jembatan">',
     "Gubernur Resmikan Jembatan", "Gubernur Resmikan Jembatan"),
    ('<title>In Picture: Gubernur Resmikan Jembatan</title>', "In Picture: Gubernur Resmikan "
     "Jembatan", "In Picture: Gubernur Resmikan Jembatan"),
    ('<title>In Picture: Jembatan Baru</title>', None, "In Picture: Jembatan Baru"),
    ('<title>Gubernur Resmikan Jembatan | Tempo.co</title>', None, "Gubernur Resmikan Jembatan"),
    ('<link rel="canonical" href="https://news.okezone.com/read/2015/11/05/1/x">'
     '<title>Gubernur Resmikan Jembatan : Okezone</title>', None, "Gubernur Resmikan Jembatan"),
    ('<link rel="canonical" href="https://news.okezone.com/read/2015/11/05/1/x">'
     '<title>Okezone - Gubernur Resmikan Jembatan</title>', None, "Gubernur Resmikan Jembatan"),
    ('<title>Jokowi - Prabowo Bertemu di Istana</title>', None,
     "Jokowi - Prabowo Bertemu di Istana"),
])
def test_the_site_name_leaves_either_end_of_a_title_and_nothing_else(
        head: str, headline: str | None, expected: str) -> None:
    body = article(headline) if headline else article("x").replace("<h1>x</h1>", "")
    assert parsed(page(head, body)).title == expected


@pytest.mark.parametrize(("head", "stamp", "expected"), [
    ('<meta property="article:author" content="https://www.facebook.com/kompascom">', "", None),
    ('<meta property="article:author" content="https://www.facebook.com/kompascom">',
     " | LAPORAN: SITI LESTARI", "Siti Lestari"),
    ('<meta name="author" content="redaksi@tempo.co">'
     '<meta property="article:author" content="Yudi Siregar">', "", "Yudi Siregar"),
    ('<meta property="og:site_name" content="Kompas.com"><meta name="author" '
     'content="Kompas.com">', "", None),
    ('<link rel="canonical" href="https://www.antaranews.com/berita/1"><meta name="author" '
     'content="antaranews">', "", None),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "author": ['
     '{"@type": "Organization", "name": "Tempo"}, {"@type": "Person", "name": '
     '"https://tempo.co/penulis/1"}, {"@type": "Person", "name": "Dewi Lestari"}]}</script>',
     "", "Dewi Lestari"),
])
def test_a_reporter_is_a_person(head: str, stamp: str, expected: str | None) -> None:
    body = article(stamp="Kamis, 05 November 2015 | 10:08 WIB" + stamp)
    assert parsed(page(head, body)).author == expected


@pytest.mark.parametrize(("head", "body", "expected"), [
    ('<script type="application/ld+json">{"@type": "NewsArticle", "articleSection": "Metro",'
     ' "keywords": ["banjir", "jakarta"]}</script><meta name="keywords" content="banjir">'
     '<meta property="article:tag" content="Banjir">', "", "Metro"),
    ('<meta property="article:section" content="Nasional">'
     '<meta property="article:tag" content="Jembatan">', "", "Nasional"),
    ("", '<nav class="breadcrumbs"><a href="/">Home</a> &gt; <a href="/ekonomi">Ekonomi</a> '
         '&gt; <a href="/x">Gubernur Resmikan Jembatan Baru</a></nav>', "Ekonomi"),
    ('<script type="application/ld+json">{"@type": "BreadcrumbList", "itemListElement": ['
     '{"@type": "ListItem", "position": 2, "name": "Olahraga"}, {"@type": "ListItem", '
     '"position": 1, "name": "Beranda"}]}</script>', "", "Olahraga"),
    ('<link rel="canonical" href="https://www.viva.co.id/politik/2015/11/05/x">', "",
     "Politik"),
    ('<link rel="canonical" href="https://www.viva.co.id/read/2015/11/05/x">', "", "Berita"),
])
def test_the_category_is_the_section_not_a_tag(head: str, body: str, expected: str) -> None:
    assert parsed(page(head, body + article())).category == expected
