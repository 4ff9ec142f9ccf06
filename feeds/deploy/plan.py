"""What a deploy moves and in what order: pure decisions, no I/O.

A file of the output is put in the store when it is new or its bytes changed
since it was put; a key whose file is gone is deleted. The order keeps every
link readers follow whole at every moment of a deploy: article pages and
images first, then the feeds' archive documents, then the feeds that link to
them, then the pages and lists that link to feeds and pages (index pages,
sitemaps and their parts, OPML), the sitemap index after its parts, and
deletions last, once nothing published links to what they remove."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from feeds.content_types import content_type, is_text
from feeds.site import FEED_FILES, PAGES_DIRECTORY, is_archive_document
from feeds.state import DeployedFile

SITEMAP_INDEXES = ("sitemap.xml",)


class Kind(enum.Enum):
    """What a published file is to a cache: how long it may be kept."""

    PAGE = "pages"  # an article's page: changes only when the article is corrected
    ASSET = "assets"  # an icon or an image
    FEED = "feeds"  # changes with every new article in it
    ARCHIVE = "archives"  # a feed's history page: changes with a correction, or its newest
    LISTING = "listings"  # index pages, sitemaps, OPML, robots.txt


class Stage(enum.IntEnum):
    """The order files are put in (see the module's docstring); deletions follow."""

    PAGES = 0
    ARCHIVES = 1  # before the feeds, whose prev-archive links lead to them
    FEEDS = 2
    LISTINGS = 3
    SITEMAP_INDEX = 4


def kind_of(path: str) -> Kind:
    if is_archive_document(path):
        return Kind.ARCHIVE
    if path.rpartition("/")[2] in FEED_FILES.values():
        return Kind.FEED
    if content_type(path).startswith("image/"):
        return Kind.ASSET
    if path.startswith(PAGES_DIRECTORY + "/"):
        return Kind.PAGE
    return Kind.LISTING


def stage_of(path: str) -> Stage:
    kind = kind_of(path)
    if kind in (Kind.PAGE, Kind.ASSET):
        return Stage.PAGES
    if kind is Kind.ARCHIVE:
        return Stage.ARCHIVES
    if kind is Kind.FEED:
        return Stage.FEEDS
    return Stage.SITEMAP_INDEX if path in SITEMAP_INDEXES else Stage.LISTINGS


@dataclass(frozen=True, slots=True)
class HeaderRules:
    """The Cache-Control of each kind of file, and whether text is stored gzipped."""

    cache_control: Mapping[Kind, str]
    gzip: bool = False

    def fingerprint(self) -> str:
        """Changes whenever any file would be put with other headers."""
        return repr((sorted((kind.value, value) for kind, value in self.cache_control.items()),
                     self.gzip))


@dataclass(frozen=True, slots=True)
class Headers:
    content_type: str
    cache_control: str
    content_encoding: str | None = None


def headers_for(path: str, rules: HeaderRules) -> Headers:
    kind = content_type(path)
    gzipped = rules.gzip and is_text(kind)
    return Headers(kind, rules.cache_control[kind_of(path)], "gzip" if gzipped else None)


@dataclass(frozen=True, slots=True)
class LocalFile:
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Plan:
    """The files to look at (their stat changed since they were put, or they were
    never put), in the order they are put, and the keys to delete."""

    candidates: list[str]
    deletions: list[str]
    unchanged: int = 0


def plan(local: Mapping[str, LocalFile], deployed: Mapping[str, DeployedFile]) -> Plan:
    """What a deploy looks at: every file of the output whose size or mtime differs
    from when it was put (or that was never put, or whose headers changed), in
    stage order; and the paths put once whose file is gone."""
    candidates = []
    for path, file in local.items():
        known = deployed.get(path)
        if (known is None or not known.md5 or known.size != file.size
                or known.mtime_ns != file.mtime_ns):
            candidates.append(path)
    candidates.sort(key=lambda path: (stage_of(path), path))
    deletions = sorted(path for path in deployed if path not in local)
    return Plan(candidates, deletions, unchanged=len(local) - len(candidates))


@dataclass(frozen=True, slots=True)
class Target:
    """Where a deploy puts the output: a bucket, and a prefix its keys start with."""

    bucket: str
    prefix: str  # "" or ending in "/"

    @classmethod
    def parse(cls, url: str) -> Target:
        parts = urlsplit(url)
        prefix = parts.path.strip("/")
        return cls(parts.netloc, prefix + "/" if prefix else "")

    def key(self, path: str) -> str:
        return self.prefix + path

    def path(self, key: str) -> str:
        return key[len(self.prefix):]

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def url_paths(paths: list[str], base_url: str) -> list[str]:
    """The URL paths a CDN must purge for these changed files: each file's, and
    its directory's too for an index page (served at both)."""
    base = urlsplit(base_url).path.rstrip("/") + "/"
    purged = []
    for path in paths:
        url = base + quote(path)
        purged.append(url)
        if path == "index.html" or path.endswith("/index.html"):
            purged.append(url[: -len("index.html")])
    return purged
