"""RSS 2.0 and Atom 1.0 with feedgen, corrected where feedgen falls short of
what the W3C validator and feed readers expect."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from lxml import etree

from feeds import __version__
from feeds.render.items import FeedItem
from feeds.render.site import FeedSpec, Site

ATOM_NS = "http://www.w3.org/2005/Atom"
GENERATOR = "feeds"
# A feed with no entry still needs a date; this one never moves.
EMPTY_FEED_DATE = datetime(1970, 1, 1, tzinfo=UTC)
# RSS text elements where the validator wants `&` and `<` as numeric references.
_TAG_START = re.compile(r"<(?=[/!?A-Za-z])")
_RSS_TEXT = re.compile(rb"(<(title|dc:creator|category)(?:\s[^>]*)?>)([^<]*)(</\2>)")


def feed_updated(items: list[FeedItem]) -> datetime:
    """The newest item's `updated`: a feed's date moves only when an item does."""
    return max((item.updated for item in items), default=EMPTY_FEED_DATE)


def render_rss(spec: FeedSpec, items: list[FeedItem], site: Site) -> bytes:
    items = [replace(item, title=inert_markup(item.title), author=inert_markup(item.author),
                     category=inert_markup(item.category) if item.category else None)
             for item in items]
    generator = _generator(spec, items, site.base_url + spec.file("rss"), "application/rss+xml",
                           site)
    xml = generator.rss_str(pretty=True)
    if site.hub:
        xml = _add_rss_hub(xml, site.hub)
    return _RSS_TEXT.sub(_numeric_references, xml)


def render_atom(spec: FeedSpec, items: list[FeedItem], site: Site) -> bytes:
    generator = _generator(spec, items, site.base_url + spec.file("atom"),
                           "application/atom+xml", site)
    if site.hub:
        generator.link(href=site.hub, rel="hub")
    return _fix_atom(generator.atom_str(pretty=True), items)


def _generator(spec: FeedSpec, items: list[FeedItem], self_url: str, self_type: str,
               site: Site) -> FeedGenerator:
    feed = FeedGenerator()
    feed.load_extension("dc", atom=False, rss=True)
    feed.id(spec.feed_id)
    feed.title(spec.title)
    feed.description(spec.description)
    feed.language(site.language)
    feed.author({"name": site.title})
    feed.generator(GENERATOR, version=__version__)
    # feedgen takes the RSS channel <link> from the last link() call: self first.
    feed.link(href=self_url, rel="self", type=self_type)
    feed.link(href=site.base_url + spec.home, rel="alternate", type="text/html")
    feed.updated(feed_updated(items))
    for item in items:
        entry = feed.add_entry(order="append")  # feedgen prepends by default
        entry.id(item.id)
        entry.guid(item.id, permalink=False)
        entry.title(item.title)
        if item.url:
            entry.link(href=item.url, rel="alternate", type="text/html")
        entry.published(item.published)
        entry.updated(item.updated)
        entry.author({"name": item.author})
        entry.dc.dc_creator(item.author)
        if item.category:
            entry.category(term=item.category, label=item.category)
        entry.content(item.content_html, type="html")
        entry.summary(html.escape(item.summary, quote=False), type="html")
    return feed


def inert_markup(text: str) -> str:
    """Text that no reader can take for a tag: a word joiner (U+2060, invisible)
    after each `<` that would open one.

    RSS has no way to say a title is plain text, and many readers render titles
    as HTML; `<script>` in a headline must show as text in every one of them
    (the validator flags any title in which it could be markup)."""
    return _TAG_START.sub("<\u2060", text)


def _add_rss_hub(xml: bytes, hub: str) -> bytes:
    """WebSub's `<atom:link rel="hub">` beside the self link (feedgen writes only
    the self link into an RSS channel)."""
    root = etree.fromstring(xml)
    channel = root.find("channel")
    assert channel is not None
    self_link = channel.find(f"{{{ATOM_NS}}}link")
    link = etree.Element(f"{{{ATOM_NS}}}link", href=hub, rel="hub")
    if self_link is not None:
        self_link.addnext(link)
    else:
        channel.insert(0, link)
    return bytes(etree.tostring(root, pretty_print=True, xml_declaration=True,
                                encoding="UTF-8"))


def _numeric_references(match: re.Match[bytes]) -> bytes:
    text = match[3].replace(b"&amp;", b"&#x26;").replace(b"&lt;", b"&#x3C;")
    return match[1] + text.replace(b"&gt;", b"&#x3E;") + match[4]


def _fix_atom(xml: bytes, items: list[FeedItem]) -> bytes:
    """Put back what feedgen drops or mislabels in Atom:
    - entry links lose rel and type (feedgen bug #135);
    - a title holding markup-like text is declared as escaped HTML, so readers
      show `<script>` as text and the validator sees no undeclared HTML."""
    root = etree.fromstring(xml)
    for entry, item in zip(root.iterfind(f"{{{ATOM_NS}}}entry"), items, strict=True):
        link = entry.find(f"{{{ATOM_NS}}}link")
        if link is not None:
            link.set("rel", "alternate")
            link.set("type", "text/html")
        title = entry.find(f"{{{ATOM_NS}}}title")
        if title is not None and ("<" in item.title or "&" in item.title):
            title.set("type", "html")
            title.text = html.escape(item.title, quote=False)
    return bytes(etree.tostring(root, pretty_print=True, xml_declaration=True,
                                encoding="UTF-8"))
