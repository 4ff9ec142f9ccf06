"""Every entry published: the record shown for it, when it was last updated,
and every content it has had; and the queries the feeds, pages and sitemaps
are rendered from."""

from __future__ import annotations

import functools
import itertools
import json
import sqlite3
from collections.abc import Collection, Iterable, Iterator
from datetime import datetime
from typing import cast

from feeds.dates import format_utc
from feeds.intents import Forget, Intent, Known, Show, Touch
from feeds.model import Published, feed_keys
from feeds.records import decode_record
from feeds.site import PageKey, PageStamp
from feeds.state.schema import ARCHIVE_PAGE
from feeds.text import identity_key

DECODED_CACHE_ENTRIES = 1024  # more than the entries a daemon's feeds hold between them


class Entries:
    def __init__(self, db: sqlite3.Connection, *, remember: bool = True) -> None:
        self.db = db
        self._decode = _remembered if remember else _published

    # --- what the decider asks, and what it decides -------------------------

    def known(self, ids: Collection[str]) -> dict[str, Known]:
        """What the state holds for those of these ids it holds (two queries)."""
        wanted = json.dumps(list(ids))
        versions: dict[str, dict[str, int]] = {}
        for entry_id, content, first_mtime_ns in self.db.execute(
                "SELECT entry_id, content_sha256, first_mtime_ns FROM versions "
                "WHERE entry_id IN (SELECT value FROM json_each(?))", (wanted,)):
            versions.setdefault(entry_id, {})[content] = first_mtime_ns
        rows = self.db.execute(
            "SELECT id, record_mtime_ns, record_sha256, record, updated, category_slug, "
            "author_slug FROM entries WHERE id IN (SELECT value FROM json_each(?))", (wanted,))
        return {entry_id: Known(mtime_ns, sha256, record, datetime.fromisoformat(updated),
                                slug, author_slug, versions.get(entry_id, {}))
                for entry_id, mtime_ns, sha256, record, updated, slug, author_slug in rows}

    def apply(self, intents: Iterable[Intent]) -> None:
        """Write what was decided, in order (a run of intents of one kind at a time)."""
        for kind, run in itertools.groupby(intents, type):
            if kind is Show:
                _show(self.db, cast(list[Show], list(run)))
            elif kind is Touch:
                _touch(self.db, cast(list[Touch], list(run)))
            else:
                _forget(self.db, cast(list[Forget], list(run)))

    def feeds_of(self, ids: Iterable[str]) -> set[str]:
        """The keys of the feeds these entries are in."""
        rows = self.db.execute("SELECT category_slug, author_slug FROM entries WHERE id IN "
                               "(SELECT value FROM json_each(?))", (json.dumps(list(ids)),))
        return set().union(*(feed_keys(category, author) for category, author in rows))

    def records(self) -> Iterator[tuple[str, bytes]]:
        """Every entry's id and stored record, read as they are taken."""
        return iter(self.db.execute("SELECT id, record FROM entries"))

    # --- what the renderers are given ----------------------------------------

    def count(self) -> int:
        (count,) = self.db.execute("SELECT coalesce(sum(entries), 0) FROM spellings").fetchone()
        return int(count)

    def newest(self, category_slug: str | None, limit: int, *,
               reporter: str | None = None) -> list[Published]:
        """The newest entries (by published, then id): of one category, of one
        reporter (by slug), or of all."""
        if reporter is not None:
            rows = self.db.execute("SELECT record, updated FROM entries WHERE author_slug = ? "
                                   "ORDER BY published DESC, id DESC LIMIT ?", (reporter, limit))
        elif category_slug is None:
            rows = self.db.execute("SELECT record, updated FROM entries "
                                   "ORDER BY published DESC, id DESC LIMIT ?", (limit,))
        else:
            rows = self.db.execute("SELECT record, updated FROM entries WHERE category_slug = ? "
                                   "ORDER BY published DESC, id DESC LIMIT ?",
                                   (category_slug, limit))
        # The feeds a daemon rewrites again and again hold mostly the same entries.
        return [self._decode(record, updated) for record, updated in rows]

    def by_ids(self, ids: Iterable[str]) -> list[Published]:
        """These entries (those the state holds), in the order given, in one query;
        decoded afresh, for a one-off pass (pages) that should not push the feeds'
        entries out of memory."""
        rows = self.db.execute(
            "SELECT record, updated FROM json_each(?) JOIN entries ON entries.id = value "
            "ORDER BY key", (json.dumps(list(ids)),))
        return [_published(record, updated) for record, updated in rows]

    def published_since(self, since: datetime, limit: int) -> list[Published]:
        """The newest entries published at `since` or later, newest first."""
        rows = self.db.execute("SELECT record, updated FROM entries WHERE published >= ? "
                               "ORDER BY published DESC, id DESC LIMIT ?",
                               (format_utc(since), limit))
        # The newest entries: those the feeds hold too, decoded once for both.
        return [self._decode(record, updated) for record, updated in rows]

    def matching(self, categories: Collection[str], exclude_categories: Collection[str],
                 reporters: Collection[str], exclude_reporters: Collection[str],
                 limit: int) -> list[Published]:
        """The newest entries (by published, then id) of these category and reporter
        slugs (empty: any) and of none of the excluded ones."""
        rows = self.db.execute(
            "SELECT record, updated FROM entries WHERE "
            "(:categories = '[]' OR category_slug IN (SELECT value FROM json_each(:categories)))"
            " AND category_slug NOT IN (SELECT value FROM json_each(:not_categories)) AND "
            "(:reporters = '[]' OR author_slug IN (SELECT value FROM json_each(:reporters)))"
            " AND coalesce(author_slug, '') NOT IN (SELECT value FROM json_each(:not_reporters))"
            " ORDER BY published DESC, id DESC LIMIT :limit",
            {"categories": json.dumps(sorted(categories)),
             "not_categories": json.dumps(sorted(exclude_categories)),
             "reporters": json.dumps(sorted(reporters)),
             "not_reporters": json.dumps(sorted(exclude_reporters)), "limit": limit})
        return [self._decode(record, updated) for record, updated in rows]

    def archive_pages(self, feed: str) -> int:
        """How many archive documents the feed's history fills (`schema.ARCHIVE_PAGE`
        entries each, the newest perhaps fewer)."""
        (last,) = self.db.execute("SELECT max(seq) FROM archived WHERE feed = ?",
                                  (feed,)).fetchone()
        return 0 if last is None else int(last) // ARCHIVE_PAGE + 1

    def archive_page(self, feed: str, page: int) -> list[Published]:
        """The entries of one archive document of a feed (`page` from 0), newest first."""
        rows = self.db.execute(
            "SELECT record, updated FROM archived JOIN entries ON entries.id = entry_id "
            "WHERE feed = ? AND seq >= ? AND seq < ? ORDER BY published DESC, id DESC",
            (feed, page * ARCHIVE_PAGE, (page + 1) * ARCHIVE_PAGE))
        return [_published(record, updated) for record, updated in rows]

    def page_keys(self, ids: Iterable[str] | None = None) -> list[PageKey]:
        """What names the pages of these entries, or of all, without decoding
        their records."""
        if ids is None:
            rows = self.db.execute("SELECT id, published FROM entries")
        else:
            rows = self.db.execute("SELECT id, published FROM entries WHERE id IN "
                                   "(SELECT value FROM json_each(?))", (json.dumps(list(ids)),))
        return [PageKey(entry_id, datetime.fromisoformat(published))
                for entry_id, published in rows]

    def page_stamps(self, month: str) -> list[PageStamp]:
        """The page and `updated` of every entry published in one month (`YYYY-MM`),
        by publication time."""
        rows = self.db.execute("SELECT id, published, updated FROM entries WHERE "
                               "published >= ? AND published < ? ORDER BY published, id",
                               (month, month + "~"))
        return [PageStamp(entry_id, datetime.fromisoformat(published),
                          datetime.fromisoformat(updated)) for entry_id, published, updated in rows]

    def page_key_by_title(self, title: str) -> PageKey | None:
        """The page of the newest entry with this title (compared as ids compare
        titles)."""
        row = self.db.execute(
            "SELECT id, published FROM entries WHERE title_key = ? "
            "ORDER BY published DESC, id DESC LIMIT 1", (identity_key(title),)).fetchone()
        if row is None:
            return None
        entry_id, published = row
        return PageKey(entry_id, datetime.fromisoformat(published))


def _show(db: sqlite3.Connection, shows: list[Show]) -> None:
    _keep_versions(db, shows)
    db.executemany(
        # An upsert, not INSERT OR REPLACE: a replace would skip the delete
        # trigger and miscount the spellings.
        "INSERT INTO entries (id, category_slug, category, title_key, published, updated, "
        "record_mtime_ns, record_sha256, record, author_slug, author) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO "
        "UPDATE SET category = excluded.category, title_key = excluded.title_key, "
        "updated = excluded.updated, record_mtime_ns = excluded.record_mtime_ns, "
        "record_sha256 = excluded.record_sha256, record = excluded.record, "
        "author_slug = excluded.author_slug, author = excluded.author",
        ((show.entry.id, show.entry.category_slug, show.entry.category, show.entry.title_key,
          format_utc(show.entry.published), format_utc(show.updated), show.mtime_ns,
          show.sha256, show.entry.record, show.entry.author_slug, show.entry.author)
         for show in shows))


def _touch(db: sqlite3.Connection, touches: list[Touch]) -> None:
    _keep_versions(db, touches)
    db.executemany("UPDATE entries SET updated = ? WHERE id = ?",
                   ((format_utc(touch.updated), touch.version.entry_id) for touch in touches
                    if touch.updated is not None))


def _keep_versions(db: sqlite3.Connection, intents: list[Show] | list[Touch]) -> None:
    db.executemany(
        "INSERT INTO versions VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET "
        "first_mtime_ns = min(first_mtime_ns, excluded.first_mtime_ns)",
        ((i.version.entry_id, i.version.content, i.version.first_mtime_ns) for i in intents))


def _forget(db: sqlite3.Connection, forgets: list[Forget]) -> None:
    ids = [(forget.entry_id,) for forget in forgets]
    db.executemany("DELETE FROM entries WHERE id = ?", ids)
    db.executemany("DELETE FROM versions WHERE entry_id = ?", ids)



def _published(record: bytes, updated: str) -> Published:
    return Published(decode_record(record), datetime.fromisoformat(updated))


# A record names its entry's whole content: decoding it again gives the same entry.
_remembered = functools.lru_cache(maxsize=DECODED_CACHE_ENTRIES)(_published)
