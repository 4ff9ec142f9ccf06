"""Where everything lives in the output, and the URL it is served at: one place,
so feeds, pages and the OPML always agree."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from feeds.model import ID_NAMESPACE, Entry, Published, category_key, reporter_key
from feeds.records import Encoded

FEED_FILES = {"rss": "rss.xml", "atom": "atom.xml", "json": "feed.json"}
ARCHIVE_DIRECTORY = "archive"  # a feed's archive documents, below its own directory
PAGES_DIRECTORY = "artikel"  # the article pages
ALL_FEED = "all"
POPULER_FEED = "populer"


@dataclass(frozen=True, slots=True)
class Site:
    """What every feed and page says of the site: its title and description, the
    absolute URL the output is served at (ending in "/"), its language, the zone
    its readers live in (pages show times there; feeds stay UTC), the absolute
    URLs of its square icon and its wide logo, the WebSub hub its feeds name,
    if any, and what Feedly shows of it (an accent colour and a cover image)."""

    title: str
    description: str
    base_url: str
    language: str
    zone: str
    icon: str
    logo: str
    hub: str | None = None
    accent_color: str = "b3261e"  # six hex digits, as Feedly's webfeeds:accentColor takes it
    cover: str | None = None  # a wide image for Feedly's webfeeds:cover
    webfeeds: bool = False  # whether RSS feeds carry Feedly's webfeeds elements


@dataclass(frozen=True, slots=True)
class OutputFile:
    """A file of the output as a renderer made it: its path below the root, and its bytes."""

    path: str
    data: bytes


@dataclass(frozen=True, slots=True)
class PageKey:
    """What names an article's page (`page_path`)."""

    entry_id: str
    published: datetime


@dataclass(frozen=True, slots=True)
class PageStamp:
    """An article's page (`page_path`) and when it last changed (UTC)."""

    entry_id: str
    published: datetime
    updated: datetime


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed, in every format: `directory` is relative to the output root
    ("" for the all-articles feed, "category/<slug>/" for a category)."""

    key: str
    title: str
    description: str
    directory: str
    home: str  # the HTML page a person reads the feed's entries on
    name: str  # what pages call it: the category's or the reporter's own name

    @property
    def feed_id(self) -> str:
        """The feed's own Atom id: fixed for ever, whatever its URL or title."""
        return f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, 'feed:' + self.key)}"

    def file(self, fmt: str) -> str:
        return self.directory + FEED_FILES[fmt]


def archive_file(spec: FeedSpec, page: int, fmt: str) -> str:
    """An archive document of the feed (RFC 5005): `page` from 0, numbered from 1
    in its path, `<feed's directory>archive/<n>/rss.xml`."""
    return f"{spec.directory}{ARCHIVE_DIRECTORY}/{page + 1}/{FEED_FILES[fmt]}"


_ARCHIVE_DOCUMENT = re.compile(rf"(?:^|/){ARCHIVE_DIRECTORY}/[0-9]+/"
                               rf"(?:{'|'.join(map(re.escape, FEED_FILES.values()))})$")


def is_archive_document(path: str) -> bool:
    """Whether a published path is an archive document, which changes only when
    one of its entries is corrected or forgotten (and the newest, as entries arrive)."""
    return _ARCHIVE_DOCUMENT.search(path) is not None


_FEED_REQUEST = re.compile(r"((?:(?:category|author|partner)/[^/]+/|populer/)?)"
                           rf"(?:{'|'.join(map(re.escape, FEED_FILES.values()))})")


def feed_of_request(path: str) -> str | None:
    """The directory of the feed a request names (`path` relative to the site's base,
    without its query): "" for all articles, `category/<slug>/` for a category's, and
    so on, whatever the format; None for anything else, archive documents included."""
    found = _FEED_REQUEST.fullmatch(path)
    return found[1] if found else None


@dataclass(frozen=True, slots=True)
class Paging:
    """Where one document of a feed stands in the feed's history (RFC 5005, and
    JSON Feed's `next_url`): a subscription document that holds every entry
    (`complete`), or one whose older entries are in archive documents up to
    `prev_page`; or archive document `page`, between `prev_page` (older) and
    `next_page` (newer). Pages count from 0."""

    complete: bool = False
    page: int | None = None  # this document's, when it is an archive document
    prev_page: int | None = None
    next_page: int | None = None

    def file(self, spec: FeedSpec, fmt: str) -> str:
        """This document's path."""
        return spec.file(fmt) if self.page is None else archive_file(spec, self.page, fmt)


SUBSCRIPTION = Paging()  # a subscription document that says nothing of its history


@dataclass(frozen=True, slots=True)
class Delivery:
    """How often an RSS feed says to poll it: `<ttl>` minutes and the syndication
    module's updatePeriod and updateFrequency (0 and "": not said)."""

    ttl: int = 0
    update_period: str = ""
    update_frequency: int = 1


UNSAID = Delivery()


def category_feed(slug: str, name: str, site_title: str) -> FeedSpec:
    directory = feed_directory(category_key(slug))
    return FeedSpec(key=category_key(slug), title=f"{site_title}: {name}",
                    description=f"Berita terbaru kategori {name} dari {site_title}",
                    directory=directory, home=directory, name=name)


def reporter_feed(slug: str, name: str, site_title: str) -> FeedSpec:
    return FeedSpec(key=reporter_key(slug), title=f"{site_title}: {name}",
                    description=f"Berita terbaru oleh {name} di {site_title}",
                    directory=reporter_directory(slug), home=reporter_directory(slug),
                    name=name)


def reporter_directory(slug: str) -> str:
    """`author/<slug>/`: a reporter's feeds and page."""
    return feed_directory(reporter_key(slug))


def feed_directory(key: str) -> str:
    """Where the feed with this key (`feeds.model.feed_keys`) lives: its kind
    names the directory (`category:<slug>` -> `category/<slug>/`)."""
    kind, _, slug = key.partition(":")
    return f"{kind}/{slug}/"


def all_feed(site_title: str, description: str) -> FeedSpec:
    return FeedSpec(key=ALL_FEED, title=site_title, description=description, directory="",
                    home="", name=site_title)


def populer_feed(site_title: str) -> FeedSpec:
    return FeedSpec(key=POPULER_FEED, title=f"{site_title}: Populer",
                    description=f"Berita terpopuler di {site_title}, seperti tampil di halaman "
                                "berita terbaru", directory="populer/", home="", name="Populer")


def image_url(configured: str, kind: str, base_url: str) -> str:
    """Where the site's icon or logo (`kind`) is served: a configured URL as it
    is, a configured file under its published name, else the shipped icon."""
    if configured.startswith(("http://", "https://")):
        return configured
    return base_url + (image_file(configured, kind) or "icon.png")


def image_file(configured: str, kind: str) -> str | None:
    """The output file a configured icon or logo file is published as
    (`icon.png`, `logo.svg`, ...); None for a URL or nothing configured."""
    if not configured or configured.startswith(("http://", "https://")):
        return None
    return kind + PurePath(configured).suffix.lower()


def entry_page(entry: Entry | Encoded | Published) -> str:
    """`artikel/<year>/<month>/<uuid>.html`: fixed by the id and publication time."""
    if isinstance(entry, Published):
        entry = entry.entry
    return page_path(entry.id, entry.published)


def page_path(entry_id: str, published: datetime) -> str:
    # Not strftime: this runs for every page, and formatting two ints is simpler.
    return (f"{PAGES_DIRECTORY}/{published.year:04d}/{published.month:02d}/"
            f"{entry_id.removeprefix('urn:uuid:')}.html")
