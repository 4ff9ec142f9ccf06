"""The HTML a person reads (the index of feeds, category pages, article pages)
and the OPML a reader imports."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime
from html import escape

from lxml import etree

from feeds.dates import DISPLAY_WEEKDAYS, MONTH_NAMES, ZONES, format_utc
from feeds.model import Published
from feeds.render.body import body_html, summary_text
from feeds.site import FEED_FILES, FeedSpec, Site, entry_page, reporter_directory

MIME = {"rss": "application/rss+xml", "atom": "application/atom+xml",
        "json": "application/feed+json"}
LABEL = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}

STYLE = """
:root { color-scheme: light dark; --accent: #b3261e; --muted: #6b6b6b; --line: #e4e4e4; }
* { box-sizing: border-box; }
body { margin: 0; font: 17px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #1d1d1f; background: #fafafa; }
header.site { background: var(--accent); color: #fff; padding: 1.5rem 1rem; }
header.site a { color: #fff; text-decoration: none; display: flex; align-items: center;
                gap: .8rem; }
header.site img.icon { border-radius: 22%; }
header.site h1 { margin: 0; font-size: 1.8rem; }
header.site p { margin: .3rem 0 0; opacity: .9; }
main { max-width: 52rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
.feeds { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr));
         padding: 0; list-style: none; }
.feeds li { background: #fff; border: 1px solid var(--line); border-radius: .6rem; padding: 1rem; }
.feeds h2 { margin: 0 0 .3rem; font-size: 1.15rem; }
.feeds h2 a { color: inherit; }
.meta, .count { color: var(--muted); font-size: .85rem; margin: .2rem 0; }
.newest { font-size: .95rem; margin: .5rem 0; }
.formats { display: flex; flex-wrap: wrap; gap: .4rem; margin-top: .6rem; }
.formats a { font-size: .8rem; padding: .15rem .55rem; border-radius: 1rem; text-decoration: none;
             border: 1px solid var(--accent); color: var(--accent); }
.formats a.subscribe { background: var(--accent); color: #fff; }
.entries { list-style: none; padding: 0; }
.entries li { padding: .7rem 0; border-bottom: 1px solid var(--line); }
.entries a { color: inherit; font-weight: 600; text-decoration: none; }
.reporters { list-style: none; padding: 0; }
.reporters li { padding: .5rem 0; border-bottom: 1px solid var(--line); }
article figure img { display: block; width: 100%; height: auto; border-radius: .4rem; }
a.reporter { color: inherit; }
article h1 { font-size: 1.9rem; line-height: 1.25; margin: .3rem 0; }
article figure { margin: 1rem 0; color: var(--muted); font-size: .9rem; font-style: italic; }
article h3 { margin-top: 1.6rem; }
.category { text-transform: uppercase; letter-spacing: .05em; font-size: .8rem; font-weight: 700;
            color: var(--accent); text-decoration: none; }
footer { color: var(--muted); font-size: .85rem; margin-top: 2rem; }
@media (prefers-color-scheme: dark) {
  body { background: #121212; color: #e8e8e8; }
  .feeds li { background: #1e1e1e; border-color: #333; }
  .entries li { border-color: #333; }
}
"""


@dataclass(frozen=True, slots=True)
class FeedSummary:
    """What the index says of one feed."""

    spec: FeedSpec
    entries_in_feed: int
    entries_total: int
    newest_title: str | None
    newest_url: str | None
    newest_time: datetime | None


def human_time(when: datetime, zone: str) -> str:
    """A UTC time as the site's readers tell it: `Jumat, 30 Mei 2025, 16:01 WIB`."""
    local = when.astimezone(ZONES[zone])
    month = MONTH_NAMES[local.month - 1][0].capitalize()
    return (f"{DISPLAY_WEEKDAYS[local.weekday()]}, {local.day} {month} {local.year}, "
            f"{local:%H:%M} {zone}")


def _time(when: datetime, zone: str) -> str:
    """The time for people, and in UTC for machines (`<time datetime>`)."""
    return f'<time datetime="{format_utc(when)}">{human_time(when, zone)}</time>'


def _page(title: str, site: Site, body: str, head: str = "") -> bytes:
    site_title, base_url, language = site.title, site.base_url, site.language
    return f"""<!DOCTYPE html>
<html lang="{escape(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
{_icons(site)}{head}<style>{STYLE}</style>
</head>
<body>
<header class="site"><a href="{escape(base_url)}">{_header_icon(site)}\
<h1>{escape(site_title)}</h1></a></header>
<main>
{body}
</main>
</body>
</html>
""".encode()


@functools.lru_cache(maxsize=16)
def _icons(site: Site) -> str:
    """The site's icon for browsers, home screens and readers given a page."""
    icon = escape(site.icon)
    return (f'<link rel="icon" href="{icon}">\n<link rel="apple-touch-icon" href="{icon}">\n')


def _header_icon(site: Site) -> str:
    return f'<img class="icon" src="{escape(site.icon)}" alt="" width="44" height="44">'


# The same few strings on every page of a category: made once per category.
@functools.lru_cache(maxsize=1024)
def _alternates(spec: FeedSpec, base_url: str) -> str:
    return "".join(
        f'<link rel="alternate" type="{MIME[fmt]}" title="{escape(spec.title)} ({LABEL[fmt]})" '
        f'href="{escape(base_url + spec.file(fmt))}">\n' for fmt in FEED_FILES)


@functools.lru_cache(maxsize=1024)
def _formats(spec: FeedSpec, base_url: str) -> str:
    rss = base_url + spec.file("rss")
    # The feed's own address: browsers open no `feed:` address, and a reader's
    # extension or the reader itself takes it from here.
    links = [f'<a class="subscribe" href="{escape(rss)}" type="{MIME["rss"]}">Langganan</a>']
    links += [f'<a href="{escape(base_url + spec.file(fmt))}" type="{MIME[fmt]}">{LABEL[fmt]}</a>'
              for fmt in FEED_FILES]
    return f'<div class="formats">{"".join(links)}</div>'


def index_page(summaries: list[FeedSummary], reporters: list[FeedSummary], site: Site) -> bytes:
    """Every feed with its entry count, newest entry and subscribe links, the
    reporters' feeds in a section of their own, and autodiscovery links for
    readers that are given the page's address."""
    base_url = site.base_url
    head = "".join(_alternates(summary.spec, base_url) for summary in summaries)
    head += (f'<link rel="alternate" type="text/x-opml" title="Semua feed (OPML)" '
             f'href="{escape(base_url)}feeds.opml">\n')
    cards = []
    for summary in summaries:
        newest = ""
        if summary.newest_title and summary.newest_time:
            title = escape(summary.newest_title)
            link = (f'<a href="{escape(summary.newest_url)}">{title}</a>'
                    if summary.newest_url else title)
            newest = (f'<p class="newest">Terbaru: {link}</p>'
                      f'<p class="meta">{_time(summary.newest_time, site.zone)}</p>')
        count = (f"{summary.entries_in_feed} entri di feed"
                 + (f" dari {summary.entries_total} artikel"
                    if summary.entries_total != summary.entries_in_feed else ""))
        home = base_url + summary.spec.home
        cards.append(f'<li><h2><a href="{escape(home)}">{escape(summary.spec.title)}</a></h2>'
                     f'<p class="count">{count}</p>{newest}{_formats(summary.spec, base_url)}</li>')
    body = (f"<p>{escape(site.description)}</p>\n"
            "<p>Ikuti berita lewat pembaca feed: klik <em>Langganan</em>, atau salin alamat "
            f'RSS, Atom atau JSON Feed. Semua feed sekaligus: <a href="{escape(base_url)}'
            'feeds.opml">feeds.opml</a>.</p>\n'
            f'<ul class="feeds">\n' + "\n".join(cards) + "\n</ul>"
            + _reporters_section(reporters, site))
    return _page(site.title, site, body, head)


def _reporters_section(reporters: list[FeedSummary], site: Site) -> str:
    if not reporters:
        return ""
    items = "\n".join(
        f'<li><a href="{escape(site.base_url + r.spec.home)}">'
        f'{escape(r.spec.name)}</a> <span class="count">'
        f"{r.entries_total} artikel</span>{_formats(r.spec, site.base_url)}</li>"
        for r in reporters)
    return f'\n<h2>Reporter</h2>\n<ul class="reporters">\n{items}\n</ul>'


def category_page(spec: FeedSpec, entries: list[Published], site: Site) -> bytes:
    base_url = site.base_url
    items = "\n".join(
        f'<li><a href="{escape(base_url + entry_page(p))}">{escape(p.entry.title)}</a>'
        f'<p class="meta">{_time(p.entry.published, site.zone)}'
        f'{" · " + escape(p.entry.author) if p.entry.author else ""}</p></li>'
        for p in entries)
    body = (f"<h2>{escape(spec.title)}</h2>{_formats(spec, base_url)}"
            f'<ul class="entries">\n{items}\n</ul>')
    return _page(spec.title, site, body, _alternates(spec, base_url))


def article_page(published: Published, category: FeedSpec, site: Site) -> bytes:
    entry, base_url = published.entry, site.base_url
    updated = (f'<p class="meta">Diperbarui {_time(published.updated, site.zone)}</p>'
               if published.updated != entry.published else "")
    byline = ""
    if entry.author and entry.author_slug:
        page = escape(base_url + reporter_directory(entry.author_slug))
        byline = f' · <a class="reporter" href="{page}">{escape(entry.author)}</a>'
    body = (f'<article><a class="category" href="{escape(base_url + category.home)}">'
            f"{escape(category.name)}</a>"
            f"<h1>{escape(entry.title)}</h1>"
            f'<p class="meta">{_time(entry.published, site.zone)}{byline}</p>{updated}'
            f"{body_html(entry)}</article>"
            f'<footer>Feed kategori ini: {_formats(category, base_url)}</footer>')
    head = article_head(published, category, site) + _alternates(category, base_url)
    return _page(f"{entry.title} - {site.title}", site, body, head)


def article_head(published: Published, category: FeedSpec, site: Site) -> str:
    """What crawlers and aggregators read of an article page: its canonical URL,
    `max-image-preview:large`, a description, Open Graph and Twitter card tags,
    and a schema.org `NewsArticle` as JSON-LD."""
    entry = published.entry
    url = site.base_url + entry_page(published)
    summary = summary_text(entry)
    zone = ZONES[site.zone]
    published_at = entry.published.astimezone(zone).isoformat()
    modified_at = published.updated.astimezone(zone).isoformat()
    meta = [("name", "robots", "max-image-preview:large"), ("name", "description", summary),
            ("property", "og:type", "article"), ("property", "og:site_name", site.title),
            ("property", "og:title", entry.title), ("property", "og:url", url),
            ("property", "og:description", summary),
            ("property", "article:published_time", published_at),
            ("property", "article:modified_time", modified_at),
            ("property", "article:section", category.name),
            ("name", "twitter:card", "summary_large_image" if entry.image else "summary"),
            ("name", "twitter:title", entry.title), ("name", "twitter:description", summary)]
    if entry.image:
        meta += [("property", "og:image", entry.image), ("name", "twitter:image", entry.image)]
    if entry.image and entry.image_width and entry.image_height:
        meta += [("property", "og:image:width", str(entry.image_width)),
                 ("property", "og:image:height", str(entry.image_height))]
    tags = "".join(f'<meta {kind}="{name}" content="{escape(value)}">\n'
                   for kind, name, value in meta)
    return (f'<link rel="canonical" href="{escape(url)}">\n{tags}'
            f'<script type="application/ld+json">{_json_ld(published, category, site)}'
            f"</script>\n")


def _json_ld(published: Published, category: FeedSpec, site: Site) -> str:
    entry = published.entry
    url = site.base_url + entry_page(published)
    zone = ZONES[site.zone]
    article: dict[str, object] = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": entry.title,
        "description": summary_text(entry), "inLanguage": site.language,
        "datePublished": entry.published.astimezone(zone).isoformat(),
        "dateModified": published.updated.astimezone(zone).isoformat(),
        "articleSection": category.name, "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "publisher": {"@type": "Organization", "name": site.title, "url": site.base_url,
                      "logo": {"@type": "ImageObject", "url": site.logo}},
    }
    if entry.author:
        author: dict[str, str] = {"@type": "Person", "name": entry.author}
        if entry.author_slug:
            author["url"] = site.base_url + reporter_directory(entry.author_slug)
        article["author"] = [author]
    else:
        article["author"] = [{"@type": "Organization", "name": site.title, "url": site.base_url}]
    if entry.image and entry.image_width and entry.image_height:
        article["image"] = [{"@type": "ImageObject", "url": entry.image,
                             "width": entry.image_width, "height": entry.image_height}]
    elif entry.image:
        article["image"] = [entry.image]
    # Inside <script>, `</script>` or `<!--` in a headline would end or hide the
    # element: every `<`, `>` and `&` is written as a JSON escape.
    return (json.dumps(article, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def opml(specs: list[FeedSpec], reporters: list[FeedSpec], site: Site) -> bytes:
    """OPML 2.0 listing every feed (as RSS), for importing all at once; the
    reporters' feeds in a folder of their own."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = f"{site.title}: semua feed"
    body = etree.SubElement(root, "body")
    for spec in specs:
        _outline(body, spec, site)
    if reporters:
        folder = etree.SubElement(body, "outline", text="Reporter", title="Reporter")
        for spec in reporters:
            _outline(folder, spec, site)
    return bytes(etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8"))


def _outline(parent: etree._Element, spec: FeedSpec, site: Site) -> None:
    etree.SubElement(parent, "outline", type="rss", text=spec.title, title=spec.title,
                     xmlUrl=site.base_url + spec.file("rss"), htmlUrl=site.base_url + spec.home)
