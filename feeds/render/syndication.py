"""RSS 2.0 and Atom 1.0 with feedgen, corrected where feedgen falls short of
what the W3C validator and feed readers expect: through feedgen's extension
hooks, which receive each element before it is serialised."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from feeds import __version__
from feeds.render.items import FeedItem
from feeds.site import SUBSCRIPTION, UNSAID, Delivery, FeedSpec, Paging, Site, archive_file

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"
DC_NS = "http://purl.org/dc/elements/1.1/"
FH_NS = "http://purl.org/syndication/history/1.0"
WEBFEEDS_NS = "http://webfeeds.org/rss/1.0"
SY_NS = "http://purl.org/rss/1.0/modules/syndication/"
GENERATOR = "feeds"
# A feed with no entry still needs a date; this one never moves.
EMPTY_FEED_DATE = datetime(2000, 1, 1, tzinfo=UTC)  # the validator finds 1970 implausible
# RSS text elements where the validator wants `&` and `<` as numeric references.
_TAG_START = re.compile(r"<(?=[/!?A-Za-z])")
_RSS_TEXT = re.compile(
    rb"(<(title|dc:creator|category|media:description|media:credit)(?:\s[^>]*)?>)([^<]*)(</\2>)")


def feed_updated(items: list[FeedItem]) -> datetime:
    """The newest item's `updated`: a feed's date moves only when an item does."""
    return max((item.updated for item in items), default=EMPTY_FEED_DATE)


def render_rss(spec: FeedSpec, items: list[FeedItem], site: Site,
               paging: Paging = SUBSCRIPTION, delivery: Delivery = UNSAID) -> bytes:
    generator = _generator(spec, items, site.base_url + paging.file(spec, "rss"),
                           "application/rss+xml", site, rss=True)
    extras = getattr(generator, _EXTRAS)
    extras.site = site
    extras.history = _history(spec, paging, site, "rss")
    extras.paging = paging
    extras.delivery = delivery
    extras.cover = feed_cover(items, site)
    if delivery.ttl:
        generator.ttl(delivery.ttl)
    # Serialising differs here alone: lxml writes `&` and `<` as entities, and the
    # validator wants numeric references in these RSS elements.
    return _RSS_TEXT.sub(_numeric_references, generator.rss_str(pretty=True))


def render_atom(spec: FeedSpec, items: list[FeedItem], site: Site,
                paging: Paging = SUBSCRIPTION) -> bytes:
    generator = _generator(spec, items, site.base_url + paging.file(spec, "atom"),
                           "application/atom+xml", site, rss=False)
    if site.hub and paging.page is None:
        generator.link(href=site.hub, rel="hub")
    for rel, href in _history(spec, paging, site, "atom"):
        generator.link(href=href, rel=rel, type="application/atom+xml")
    getattr(generator, _EXTRAS).paging = paging
    return bytes(generator.atom_str(pretty=True))


def _history(spec: FeedSpec, paging: Paging, site: Site, fmt: str) -> list[tuple[str, str]]:
    """The document's links to the rest of its feed's history (RFC 5005 section
    4): its subscription document, and the archive documents before and after it."""
    links = []
    if paging.page is not None:
        links.append(("current", site.base_url + spec.file(fmt)))
    if paging.prev_page is not None:
        links.append(("prev-archive", site.base_url + archive_file(spec, paging.prev_page, fmt)))
    if paging.next_page is not None:
        links.append(("next-archive", site.base_url + archive_file(spec, paging.next_page, fmt)))
    return links


COVER_MIN_WIDTH = 1200  # Feedly's cover: a wide image


def feed_cover(items: list[FeedItem], site: Site) -> str | None:
    """Feedly's cover of a feed: the configured one, else its newest lead image
    stated to be at least COVER_MIN_WIDTH pixels wide."""
    if site.cover:
        return site.cover
    return next((item.image for item in items
                 if item.image and (item.image_width or 0) >= COVER_MIN_WIDTH), None)


def _webfeeds(channel: Any, site: Site, cover: str | None) -> None:
    """Feedly's `webfeeds` elements (its "10 ways for publishers" page): the icon
    and logo it shows, an optional cover, the accent colour, and cards
    that open the article in the browser; after the channel's own elements."""
    elements = [_element(WEBFEEDS_NS, "icon", site.icon),
                _element(WEBFEEDS_NS, "logo", site.logo)]
    if cover:
        elements.append(_element(WEBFEEDS_NS, "cover", image=cover))
    elements += [_element(WEBFEEDS_NS, "accentColor", site.accent_color),
                 _element(WEBFEEDS_NS, "related", layout="card", target="browser")]
    _before_entries(channel, elements)


def _history_marks(feed: Any, paging: Paging) -> None:
    """`fh:complete` on a subscription document that holds every entry, `fh:archive`
    on an archive document: before the entries, as RFC 5005's examples put them."""
    mark = "complete" if paging.complete else "archive" if paging.page is not None else None
    if mark is not None:
        _before_entries(feed, [_element(FH_NS, mark)])


def _element(namespace: str, name: str, text: str | None = None, **attributes: str) -> Any:
    element = etree.Element(f"{{{namespace}}}{name}", attributes)
    element.text = text
    return element


def _before_entries(feed: Any, elements: list[Any]) -> None:
    """Put feed-level elements after the feed's own, before its first item or entry."""
    first = next((child for child in feed
                  if etree.QName(child).localname in ("item", "entry")), None)
    for element in elements:
        if first is None:
            feed.append(element)
        else:
            first.addprevious(element)


def _generator(spec: FeedSpec, items: list[FeedItem], self_url: str, self_type: str,
               site: Site, *, rss: bool) -> FeedGenerator:
    """A feed of one format: feedgen with the one extension of ours that format
    needs (each entry made is given every extension the feed has)."""
    feed = FeedGenerator()
    if rss:
        feed.register_extension(_EXTRAS, _FeedRss, _EntryRss, atom=False, rss=True)
    else:
        feed.register_extension(_EXTRAS, _FeedAtom, _EntryAtom, atom=True, rss=False)
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
    feed.icon(site.icon)
    # The RSS <image> and the Atom <logo>; the image's title and link are the channel's.
    feed.image(url=site.logo, title=spec.title, link=site.base_url + spec.home)
    for item in items:
        _add_entry(feed, item, rss=rss)
    return feed


def _add_entry(feed: FeedGenerator, item: FeedItem, *, rss: bool) -> None:
    # An RSS title, reporter and category are text no reader may take for markup.
    shown = inert_markup if rss else str
    entry = feed.add_entry(order="append")  # feedgen prepends by default
    entry.id(item.id)
    entry.guid(item.id, permalink=False)
    entry.title(shown(item.title))
    if item.url:
        entry.link(href=item.url, rel="alternate", type="text/html")
    entry.published(item.published)
    entry.updated(item.updated)
    entry.author({"name": shown(item.author)})
    if item.category:
        entry.category(term=shown(item.category), label=shown(item.category))
    if item.content_html:  # a partner may be sent summaries alone
        entry.content(item.content_html, type="html")
    entry.summary(html.escape(item.summary, quote=False), type="html")
    getattr(entry, _EXTRAS).item = item


def inert_markup(text: str) -> str:
    """Text that no reader can take for a tag: a word joiner (U+2060, invisible)
    after each `<` that would open one.

    RSS has no way to say a title is plain text, and many readers render titles
    as HTML; `<script>` in a headline must show as text in every one of them
    (the validator flags any title in which it could be markup)."""
    return _TAG_START.sub("<\u2060", text)


_EXTRAS = "feeds_extras"  # our extension's name on a FeedGenerator, in either format


class _FeedRss(BaseExtension):  # type: ignore[misc]
    """The namespaces an RSS feed's items use (Dublin Core, Media RSS), and
    WebSub's `<atom:link rel="hub">` beside the self link: feedgen writes only
    the self link into an RSS channel, and a second link() call would become
    the channel's <link>."""

    # Set by render_rss for each feed.
    site: Site | None = None
    history: list[tuple[str, str]] = []  # noqa: RUF012 (set per feed, never mutated)
    paging: Paging = SUBSCRIPTION
    delivery: Delivery = UNSAID
    cover: str | None = None

    def extend_ns(self) -> dict[str, str]:
        spaces = {"dc": DC_NS, "media": MEDIA_NS, "fh": FH_NS}
        if self.site is not None and self.site.webfeeds:
            spaces["webfeeds"] = WEBFEEDS_NS
        if self.delivery.update_period:
            spaces["sy"] = SY_NS
        return spaces

    def extend_rss(self, rss: Any) -> Any:
        channel = rss.find("channel")
        hub = self.site.hub if self.site is not None else None
        links = [("hub", hub)] if hub and self.paging.page is None else []
        anchor = channel.find(f"{{{ATOM_NS}}}link")
        for rel, href in [*links, *self.history]:
            attributes = {"href": href, "rel": rel}
            if rel != "hub":
                attributes["type"] = "application/rss+xml"
            link = etree.Element(f"{{{ATOM_NS}}}link", attributes)
            if anchor is not None:
                anchor.addnext(link)
            else:
                channel.insert(0, link)
            anchor = link
        _history_marks(channel, self.paging)
        if self.site is not None and self.site.webfeeds:
            _webfeeds(channel, self.site, self.cover)
        if self.delivery.update_period:
            _before_entries(channel, [
                _element(SY_NS, "updatePeriod", self.delivery.update_period),
                _element(SY_NS, "updateFrequency", str(self.delivery.update_frequency))])
        return rss


class _EntryRss(BaseEntryExtension):  # type: ignore[misc]
    """An RSS item's reporter as `dc:creator` (RSS's own <author> must be an
    email address), then its lead image (`_media`)."""

    item: FeedItem | None = None

    def extend_rss(self, entry: Any) -> Any:
        if self.item is not None:
            etree.SubElement(entry, f"{{{DC_NS}}}creator").text = inert_markup(self.item.author)
            _media(entry, self.item)
        return entry


class _FeedAtom(BaseExtension):  # type: ignore[misc]
    paging: Paging = SUBSCRIPTION

    def extend_ns(self) -> dict[str, str]:
        return {"media": MEDIA_NS, "fh": FH_NS}

    def extend_atom(self, feed: Any) -> Any:
        _history_marks(feed, self.paging)
        return feed


class _EntryAtom(BaseEntryExtension):  # type: ignore[misc]
    """What feedgen drops or mislabels in an Atom entry, then its lead image
    (`_media`):
    - its link loses rel and type (feedgen bug #135);
    - a title holding markup-like text must be declared escaped HTML, so that
      readers show `<script>` as text and the validator sees no undeclared HTML."""

    item: FeedItem | None = None

    def extend_atom(self, entry: Any) -> Any:
        # feedgen builds an entry's elements without a namespace (the feed's
        # default namespace makes them Atom's when serialised).
        link = entry.find("link")
        if link is not None:
            link.set("rel", "alternate")
            link.set("type", "text/html")
        title = entry.find("title")
        if title is not None and title.text and ("<" in title.text or "&" in title.text):
            title.set("type", "html")
            title.text = html.escape(title.text, quote=False)
        if self.item is not None:
            _media(entry, self.item)
        return entry


def _media(entry: Any, item: FeedItem) -> None:
    """An item's lead image as Media RSS, in RSS and Atom alike:
    `media:content` (with the caption as `media:description` and its credit as
    `media:credit`) and `media:thumbnail`. feedgen's own media extension wraps
    them in a `media:group` and cannot write the caption or the credit. An RSS
    `<enclosure>` would need the image's length, which feeds cannot know."""
    if item.image is None:
        return
    content = etree.SubElement(entry, f"{{{MEDIA_NS}}}content", url=item.image, medium="image")
    if item.image_width and item.image_height:
        content.set("width", str(item.image_width))
        content.set("height", str(item.image_height))
    if item.image_caption:
        description = etree.SubElement(content, f"{{{MEDIA_NS}}}description", type="plain")
        description.text = item.image_caption
    if item.image_credit:
        etree.SubElement(content, f"{{{MEDIA_NS}}}credit").text = item.image_credit
    etree.SubElement(entry, f"{{{MEDIA_NS}}}thumbnail", url=item.image)


def _numeric_references(match: re.Match[bytes]) -> bytes:
    text = match[3].replace(b"&amp;", b"&#x26;").replace(b"&lt;", b"&#x3C;")
    return match[1] + text.replace(b"&gt;", b"&#x3E;") + match[4]
