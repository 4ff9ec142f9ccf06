"""The renderers with plain records: no state, no output directory. Each is a
function from a `Site`, feed specs and entries to the bytes of output files."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest

import feeds.render.sitemaps
from feeds.model import Headline, Published
from feeds.parse import parse_dump
from feeds.render.articles import article_file
from feeds.render.feeds import (
    feed_files,
    feed_summary,
    items_summary,
    listing_files,
    populer_items,
)
from feeds.render.icons import Image, icon_files
from feeds.render.sitemaps import month_files
from feeds.site import PageKey, PageStamp, Site, category_feed, entry_page, page_path
from tests.conftest import OPTIONS, SEED_DUNIA_2024, SEED_DUNIA_2025

SITE = Site(title="Situs", description="Berita", base_url="http://h.example/", language="id",
            zone="WIB", icon="http://h.example/icon.png", logo="http://h.example/icon.png")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (32).to_bytes(4, "big") * 2 + b"rest"


def published(path: Path) -> Published:
    entry = parse_dump(path.read_bytes(), str(path), OPTIONS)
    return Published(entry, entry.published)


NEWER, OLDER = published(SEED_DUNIA_2025), published(SEED_DUNIA_2024)
SPEC = category_feed("dunia", "Dunia", SITE.title)


def test_a_feed_is_three_files_holding_the_same_items_in_order() -> None:
    files = listing_files(SPEC, [NEWER, OLDER], {"dunia": "Dunia"}, SITE)
    assert [file.path for file in files] == [
        "category/dunia/rss.xml", "category/dunia/atom.xml", "category/dunia/feed.json",
        "category/dunia/index.html"]
    links = [SITE.base_url + entry_page(p) for p in (NEWER, OLDER)]
    for file in files[:2]:
        parsed = feedparser.parse(file.data)
        assert not parsed.bozo, file.path
        assert [entry.link for entry in parsed.entries] == links
    assert [item["url"] for item in json.loads(files[2].data)["items"]] == links
    page = files[3].data.decode()
    assert NEWER.entry.title in page and OLDER.entry.title in page


def test_a_feed_shows_the_name_its_category_is_listed_under() -> None:
    respelled = Published(replace(NEWER.entry, category="DUNIA"), NEWER.updated)
    (rss, *_) = feed_files(SPEC, [], SITE)
    assert feedparser.parse(rss.data).feed.title == "Situs: Dunia"
    (rss, *_) = listing_files(SPEC, [respelled], {"dunia": "Dunia"}, SITE)
    assert [tag.term for tag in feedparser.parse(rss.data).entries[0].tags] == ["Dunia"]


def test_an_article_page_is_named_by_its_id_and_time() -> None:
    page = article_file(NEWER, SITE)
    assert page.path == page_path(NEWER.entry.id, NEWER.entry.published)
    text = page.data.decode()
    assert NEWER.entry.title in text and f'href="{SITE.base_url}category/dunia/"' in text


def test_populer_headlines_link_to_the_pages_that_are_known() -> None:
    when = datetime(2025, 5, 30, 9, tzinfo=UTC)
    headlines = [Headline("Dikenal", when), Headline("Tak dikenal", when)]
    known = PageKey("urn:uuid:00000000-0000-0000-0000-000000000001", when)
    items = populer_items(headlines, [known, None], SITE)
    assert [item.url for item in items] == [SITE.base_url + page_path(known.entry_id, when), None]
    summary = items_summary(SPEC, items)
    assert (summary.entries_total, summary.newest_title) == (2, "Dikenal")


def test_a_summary_counts_what_the_feed_holds() -> None:
    summary = feed_summary(SPEC, [NEWER], total=70, per_feed=50, site=SITE)
    assert (summary.entries_in_feed, summary.entries_total) == (50, 70)
    assert summary.newest_url == SITE.base_url + entry_page(NEWER)
    empty = feed_summary(SPEC, [], total=0, per_feed=50, site=SITE)
    assert (empty.entries_in_feed, empty.newest_title) == (0, None)


SHIPPED = {"icon.png": b"png", "icon.svg": b"svg", "favicon.ico": b"ico"}


@pytest.mark.parametrize(("configured", "expected"), [
    ([], {"icon.png": b"png", "icon.svg": b"svg", "favicon.ico": b"ico"}),
    ([Image("icon", "https://cdn.example.org/i.png", b"")], {"favicon.ico": b"ico"}),
    ([Image("icon", "/etc/site/mark.png", PNG)], {"icon.png": PNG, "favicon.ico": None}),
    ([Image("icon", "/etc/site/mark.ico", b"ico!")], {"icon.ico": b"ico!", "favicon.ico": b"ico!"}),
    ([Image("logo", "/etc/site/wide.svg", b"<svg/>")],
     {"icon.png": b"png", "icon.svg": b"svg", "favicon.ico": b"ico", "logo.svg": b"<svg/>"}),
], ids=["shipped", "icon URL", "png icon", "ico icon", "logo alone"])
def test_the_icon_files(configured: list[Image], expected: dict[str, bytes | None]) -> None:
    icon = [image for image in configured if image.kind == "icon"]
    files = {file.path: file.data for file in icon_files(
        [image for image in configured if not image.configured.startswith("https:")], SHIPPED,
        icon_configured=bool(icon))}
    assert set(files) == set(expected)
    for path, data in expected.items():
        if data is not None:
            assert files[path] == data
    if expected.get("favicon.ico", b"") is None:  # an ICO made of the configured PNG
        assert files["favicon.ico"][:6] == b"\x00\x00\x01\x00\x01\x00"
        assert files["favicon.ico"].endswith(PNG)


def test_a_month_past_the_limit_is_split_in_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feeds.render.sitemaps, "SITEMAP_URLS", 2)
    start = datetime(2025, 5, 1, tzinfo=UTC)
    pages = [PageStamp(f"urn:uuid:00000000-0000-0000-0000-00000000000{n}",
                       start + timedelta(days=n), start + timedelta(days=n, hours=1))
             for n in range(5)]
    files = month_files("2025-05", pages, SITE)
    assert [file.path for file in files] == [
        "sitemap/2025-05.xml", "sitemap/2025-05-2.xml", "sitemap/2025-05-3.xml"]
    assert [file.data.count(b"<url>") for file in files] == [2, 2, 1]
    assert b"<lastmod>2025-05-01T01:00:00Z</lastmod>" in files[0].data
