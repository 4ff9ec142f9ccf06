"""What the decider (`feeds.plan`) and the storage (`feeds.state`) say to each
other: what the state holds for an entry id (`Known`), and what to write
(`Intent`). The state applies intents as they come and never sees the rules
that chose them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from feeds.model import feed_keys
from feeds.records import Encoded


@dataclass(frozen=True, slots=True)
class Known:
    """What the state holds for an entry id: the dump whose record is shown, that
    record, the entry's `updated` (UTC), category and reporter slugs, and every
    content it has had (content digest -> mtime_ns of the earliest dump holding it)."""

    record_mtime_ns: int
    record_sha256: str
    record: bytes
    updated: datetime
    category_slug: str
    author_slug: str | None
    versions: Mapping[str, int]

    @property
    def feeds(self) -> frozenset[str]:
        return feed_keys(self.category_slug, self.author_slug)


@dataclass(frozen=True, slots=True)
class Version:
    """A content an entry had, and the mtime of the earliest dump seen holding it."""

    entry_id: str
    content: str
    first_mtime_ns: int


@dataclass(frozen=True, slots=True)
class Show:
    """Show this record for its entry, new or in place of the one shown (a
    correction): it came from the dump of `mtime_ns` and `sha256`, and the
    entry's `updated` is now `updated`."""

    entry: Encoded
    updated: datetime
    mtime_ns: int
    sha256: str
    version: Version


@dataclass(frozen=True, slots=True)
class Touch:
    """Keep the shown record; note a content seen, and move `updated` when it is
    not None."""

    version: Version
    updated: datetime | None


@dataclass(frozen=True, slots=True)
class Forget:
    """Remove the entry on purpose, with every content it had."""

    entry_id: str


Intent = Show | Touch | Forget
