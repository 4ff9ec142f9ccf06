"""Sitemaps for search engines, and the robots.txt that names them.

`sitemap.xml` is a sitemap index over one part a month of publication
(`sitemap/2025-05.xml`), each listing that month's article pages with their
`lastmod` (the entry's `updated`); a month past `SITEMAP_URLS` pages is split in
parts. A new article rewrites its month's part and the index, never the whole
archive's list.
`news-sitemap.xml` follows Google's news sitemap: the articles of the two days
before the newest article (the window is anchored to the newest article, not
the clock, so an unchanged input writes unchanged bytes), at most
`NEWS_URLS` of them.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lxml import etree

from feeds.dates import format_utc
from feeds.model import Published
from feeds.site import OutputFile, PageStamp, Site, entry_page, page_path

SITEMAP_URLS = 50_000  # the protocol's limit for one file
NEWS_URLS = 1_000  # Google's limit for a news sitemap
NEWS_WINDOW = timedelta(days=2)
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
# The sitemap namespace as the default one (lxml's stubs know no None prefix).
_NSMAP: Any = {None: SITEMAP_NS}
_NEWS_NSMAP: Any = {None: SITEMAP_NS, "news": NEWS_NS}


def _xml(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8"))


@dataclass(frozen=True, slots=True)
class SitemapPart:
    """A part of the sitemap: its path in the output, and the newest lastmod in it."""

    path: str
    lastmod: datetime


def urlset(pages: Sequence[PageStamp], site: Site) -> bytes:
    """A sitemap of these pages, with when each last changed.

    Written as text, not built as a tree: it may list 50,000 pages; only the
    base URL can hold a character to escape."""
    base = html.escape(site.base_url, quote=False)
    lines = [f"  <url>\n    <loc>{base}{page_path(page.entry_id, page.published)}</loc>\n"
             f"    <lastmod>{format_utc(page.updated)}</lastmod>\n  </url>\n"
             for page in pages]
    return (f"<?xml version='1.0' encoding='UTF-8'?>\n<urlset xmlns=\"{SITEMAP_NS}\">\n"
            + "".join(lines) + "</urlset>\n").encode()


def sitemap_index(parts: Sequence[SitemapPart], site: Site) -> bytes:
    """An index over sitemap parts."""
    root = etree.Element(f"{{{SITEMAP_NS}}}sitemapindex", nsmap=_NSMAP)
    for part in parts:
        sitemap = etree.SubElement(root, f"{{{SITEMAP_NS}}}sitemap")
        etree.SubElement(sitemap, f"{{{SITEMAP_NS}}}loc").text = site.base_url + part.path
        etree.SubElement(sitemap, f"{{{SITEMAP_NS}}}lastmod").text = format_utc(part.lastmod)
    return _xml(root)


def part_path(month: str, number: int) -> str:
    """`sitemap/2025-05.xml`, then `sitemap/2025-05-2.xml` for a month past the limit."""
    return f"sitemap/{month}.xml" if number == 1 else f"sitemap/{month}-{number}.xml"


def news_window(newest: datetime) -> datetime:
    """The earliest publication time a news sitemap anchored at `newest` lists."""
    return newest - NEWS_WINDOW


def news_sitemap(entries: Sequence[Published], site: Site) -> bytes:
    """Google's news sitemap of these entries (newest first)."""
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap=_NEWS_NSMAP)
    for published in entries[:NEWS_URLS]:
        entry = published.entry
        url = etree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = site.base_url + entry_page(entry)
        news = etree.SubElement(url, f"{{{NEWS_NS}}}news")
        publication = etree.SubElement(news, f"{{{NEWS_NS}}}publication")
        etree.SubElement(publication, f"{{{NEWS_NS}}}name").text = site.title
        etree.SubElement(publication, f"{{{NEWS_NS}}}language").text = site.language
        etree.SubElement(news, f"{{{NEWS_NS}}}publication_date").text = format_utc(
            entry.published)
        etree.SubElement(news, f"{{{NEWS_NS}}}title").text = entry.title
    return _xml(root)


def robots_txt(site: Site) -> bytes:
    """Everything may be crawled; both sitemaps are named."""
    return (f"User-agent: *\nAllow: /\n\nSitemap: {site.base_url}sitemap.xml\n"
            f"Sitemap: {site.base_url}news-sitemap.xml\n").encode()


def month_paths(month: str, pages: int) -> list[str]:
    """The parts a month of this many pages is listed in (`part_path`)."""
    return [part_path(month, number) for number in range(1, -(-pages // SITEMAP_URLS) + 1)]


def month_files(month: str, pages: Sequence[PageStamp], site: Site) -> list[OutputFile]:
    """A month's parts of the sitemap, listing these pages."""
    return [OutputFile(path, urlset(pages[number * SITEMAP_URLS : (number + 1) * SITEMAP_URLS],
                                    site))
            for number, path in enumerate(month_paths(month, len(pages)))]
