"""Lead images: which image a page names is the article's, its absolute address,
and where it shows (Media RSS in RSS and Atom, JSON Feed, the article page)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import feedparser
import lxml.html
import pytest

from feeds.config import Settings
from feeds.parse import parse_dump
from feeds.state import State
from tests.conftest import OPTIONS, build, make_settings
from tests.test_parse_html import BODY, html

CANONICAL = '<link rel="canonical" href="https://rmol.id/read/2025/05/30/maroko">'
OG_IMAGE = '<meta property="og:image" content="https://cdn.rmol.id/og.jpg">'


def ld(image: object, **more: object) -> str:
    article = {"@context": "https://schema.org", "@type": "NewsArticle", "image": image, **more}
    return f'<script type="application/ld+json">{json.dumps(article)}</script>'


def image_of(head: str, body: str = BODY) -> str | None:
    return parse_dump(html(head, body), "a.html", OPTIONS).image


@pytest.mark.parametrize(("case", "head", "expected"), [
    ("og:image", OG_IMAGE, "https://cdn.rmol.id/og.jpg"),
    ("JSON-LD image as a string, before og:image", ld("https://cdn.rmol.id/ld.jpg") + OG_IMAGE,
     "https://cdn.rmol.id/ld.jpg"),
    ("JSON-LD image as a list: the first", ld(["https://cdn.rmol.id/1.jpg",
                                              "https://cdn.rmol.id/2.jpg"]),
     "https://cdn.rmol.id/1.jpg"),
    ("JSON-LD ImageObject", ld({"@type": "ImageObject", "url": "https://cdn.rmol.id/obj.jpg",
                                "width": 800}), "https://cdn.rmol.id/obj.jpg"),
    ("JSON-LD ImageObjects in a list, contentUrl", ld([{"@type": "ImageObject",
                                                        "contentUrl": "https://c.id/c.jpg"}]),
     "https://c.id/c.jpg"),
    ("twitter:image when there is no og:image",
     '<meta name="twitter:image" content="https://cdn.rmol.id/tw.jpg">',
     "https://cdn.rmol.id/tw.jpg"),
    ("only a relative body image, made absolute against the canonical link", CANONICAL,
     "https://rmol.id/read/2025/05/30/a.jpg"),
    ("og:url as the page's address", '<meta property="og:url" content="https://rmol.id/x/y">',
     "https://rmol.id/x/a.jpg"),
    ("JSON-LD mainEntityOfPage as the page's address",
     ld(None, mainEntityOfPage={"@type": "WebPage", "@id": "https://rmol.id/m/page"}),
     "https://rmol.id/m/a.jpg"),
    ("<base href> resolved against the page's address",
     CANONICAL + '<base href="/static/img/">', "https://rmol.id/static/img/a.jpg"),
    ("a relative og:image against the canonical link",
     CANONICAL + '<meta property="og:image" content="/og/rel.jpg">', "https://rmol.id/og/rel.jpg"),
    ("a relative image and no address for the page: dropped", "", None),
    ("a relative og:image and no address: the next source, the body's, is relative too",
     '<meta property="og:image" content="/og/rel.jpg">', None),
    ("javascript: never", '<meta property="og:image" content="javascript:alert(1)">', None),
    ("data: never, the next source is taken",
     '<meta property="og:image" content="data:image/png;base64,AAAA">' + CANONICAL,
     "https://rmol.id/read/2025/05/30/a.jpg"),
    ("another scheme never", '<meta property="og:image" content="ftp://rmol.id/a.jpg">', None),
    ("a protocol-relative image and no address: dropped",
     '<meta property="og:image" content="//cdn.rmol.id/a.jpg">', None),
    ("a protocol-relative image takes the page's scheme",
     CANONICAL + '<meta property="og:image" content="//cdn.rmol.id/a.jpg">',
     "https://cdn.rmol.id/a.jpg"),
    ("spaces and non-ASCII are percent-encoded",
     '<meta property="og:image" content="https://cdn.rmol.id/foto baru/é.jpg">',
     "https://cdn.rmol.id/foto%20baru/%C3%A9.jpg"),
    ("a hostile quote cannot leave the attribute",
     '<meta property="og:image" content=\'https://cdn.rmol.id/a.jpg"onerror="x\'>',
     "https://cdn.rmol.id/a.jpg%22onerror=%22x"),
])
def test_the_lead_image_and_its_absolute_address(case: str, head: str,
                                                  expected: str | None) -> None:
    assert image_of(head) == expected, case


def test_a_header_logo_is_not_the_article_body_image() -> None:
    body = BODY.replace('<nav><a href="/">Beranda</a></nav>',
                        '<nav><img src="/logo.png"><a href="/">Beranda</a></nav>')
    body = body.replace('<figure><img src="a.jpg">', "<figure>")
    assert image_of(CANONICAL, body) is None
    lazy = BODY.replace('<img src="a.jpg">', '<img src="data:image/gif;base64,R0" '
                                             'data-src="/lazy/a.jpg">')
    assert image_of(CANONICAL, lazy) == "https://rmol.id/lazy/a.jpg"


def test_a_text_dump_has_no_image(tmp_path: Path) -> None:
    from tests.conftest import SEED_DUNIA_2025

    assert parse_dump(SEED_DUNIA_2025.read_bytes(), "a.txt", OPTIONS).image is None


@pytest.fixture(scope="module")
def with_images(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = make_settings(tmp_path_factory.mktemp("images"))
    (settings.input_dir / "og.html").write_bytes(html(OG_IMAGE))
    other = BODY.replace("Maroko Dorong", "Aljazair Dorong").replace("a.jpg", "b.jpg")
    (settings.input_dir / "relative.html").write_bytes(html(CANONICAL, other))
    none = BODY.replace("Maroko Dorong", "Tunisia Dorong")
    (settings.input_dir / "none.html").write_bytes(html("", none))
    build(settings)
    return settings


def test_media_rss_in_rss_and_atom(with_images: Settings) -> None:
    for name in ("rss.xml", "atom.xml"):
        feed = feedparser.parse((with_images.output_dir / name).read_bytes())
        assert not feed.bozo
        images = {entry.title: entry.get("media_content") for entry in feed.entries}
        assert images["Maroko Dorong Pembentukan Infrastruktur"] == [
            {"url": "https://cdn.rmol.id/og.jpg", "medium": "image"}]
        assert images["Aljazair Dorong Pembentukan Infrastruktur"] == [
            {"url": "https://rmol.id/read/2025/05/30/b.jpg", "medium": "image"}]
        assert images["Tunisia Dorong Pembentukan Infrastruktur"] is None
        first = next(e for e in feed.entries if e.title.startswith("Maroko"))
        assert first.media_thumbnail == [{"url": "https://cdn.rmol.id/og.jpg"}]
        assert first.media_credit == [{"content": "Net"}]
        assert first.get("enclosures") in (None, [])  # no length to give: no enclosure


def test_media_description_and_credit_are_the_split_caption(with_images: Settings) -> None:
    from lxml import etree

    media = "{http://search.yahoo.com/mrss/}"
    rss = etree.fromstring((with_images.output_dir / "rss.xml").read_bytes())
    item = next(i for i in rss.iter("item") if i.findtext("title", "").startswith("Maroko"))
    content = item.find(f"{media}content")
    assert content is not None
    assert content.findtext(f"{media}description") == "Abdellatif Hammouchi"
    assert content.find(f"{media}description").get("type") == "plain"  # type: ignore[union-attr]
    assert content.findtext(f"{media}credit") == "Net"


def test_json_feed_image_and_the_article_page_figure(with_images: Settings) -> None:
    feed = json.loads((with_images.output_dir / "feed.json").read_bytes())
    images = {item["title"]: item.get("image") for item in feed["items"]}
    assert images["Maroko Dorong Pembentukan Infrastruktur"] == "https://cdn.rmol.id/og.jpg"
    assert images["Tunisia Dorong Pembentukan Infrastruktur"] is None
    item = next(i for i in feed["items"] if i["title"].startswith("Maroko"))
    page = item["url"].removeprefix(with_images.base_url)
    document = lxml.html.fromstring((with_images.output_dir / page).read_bytes())
    (image,) = document.xpath("//article/figure/img")
    assert (image.get("src"), image.get("alt")) == ("https://cdn.rmol.id/og.jpg",
                                                   "Abdellatif Hammouchi")
    assert document.xpath("string(//article/figure/figcaption)") == (
        "Abdellatif Hammouchi (Foto: Net)")
    assert '<img src="https://cdn.rmol.id/og.jpg"' in item["content_html"]


def test_another_image_in_a_newer_dump_is_a_correction(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    dump = settings.input_dir / "a.html"
    dump.write_bytes(html(OG_IMAGE))
    build(settings)
    dump.write_bytes(html(OG_IMAGE.replace("og.jpg", "baru.jpg")))
    stat = dump.stat()
    os.utime(dump, ns=(stat.st_atime_ns, stat.st_mtime_ns + 3600 * 10**9))
    report = build(settings)
    assert report.changed == 1
    with State(settings.state_path) as state:
        (shown,) = state.entries.newest(None, 5)
    assert shown.entry.image == "https://cdn.rmol.id/baru.jpg"
    assert shown.updated > shown.entry.published  # a correction moves `updated`
