"""What the output still owes (feeds, archive documents, pages, sitemap months,
removals), written in the same
transaction as the change that needs it and cleared once the files are in
place; and the months of the sitemap, as it last counted them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from feeds.state.schema import ARCHIVE_PAGE


@dataclass(frozen=True, slots=True)
class Pending:
    """What the output still owes: category and reporter feeds (by key,
    `feeds.model.feed_keys`), how many article pages (`Work.pending_pages` names
    them, a few at a time: a whole render owes one per entry), the sitemap's
    parts of the months holding a changed page (`YYYY-MM`), output paths to
    remove, and archive documents (a feed's key and a page from 0)."""

    feeds: set[str]
    pages: int
    removals: set[str]
    months: set[str]
    archives: set[tuple[str, int]]

    def __bool__(self) -> bool:
        return bool(self.feeds or self.pages or self.removals or self.months or self.archives)


@dataclass(frozen=True, slots=True)
class Month:
    """A month of publication (`YYYY-MM`): how many entries, their newest `updated`."""

    month: str
    entries: int
    newest: datetime


class Work:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def add(self, *, feeds: Iterable[str] = (), pages: Iterable[str] = (),
            removals: Iterable[str] = ()) -> None:
        self.db.executemany("INSERT OR IGNORE INTO pending_feeds VALUES (?)",
                            ((key,) for key in feeds))
        rows = [(entry_id,) for entry_id in pages]
        self.db.executemany("INSERT OR IGNORE INTO pending_pages VALUES (?)", rows)
        # The page's month is owed to the sitemap until the sitemap is written,
        # even once the page is (a build writes pages long before the sitemap).
        self.db.executemany("INSERT OR IGNORE INTO pending_months "
                            "SELECT substr(published, 1, 7) FROM entries WHERE id = ?", rows)
        self.db.executemany("INSERT OR IGNORE INTO pending_removals VALUES (?)",
                            ((path,) for path in removals))

    def add_everything(self) -> None:
        """Every feed and page, for output that must be rendered whole."""
        self.db.execute("INSERT OR IGNORE INTO pending_feeds SELECT 'category:' || "
                        "category_slug FROM spellings")
        self.db.execute("INSERT OR IGNORE INTO pending_feeds SELECT 'author:' || author_slug "
                        "FROM reporters")
        self.db.execute("INSERT OR IGNORE INTO pending_pages SELECT id FROM entries")
        self.db.execute("INSERT OR IGNORE INTO pending_months "
                        "SELECT DISTINCT substr(published, 1, 7) FROM entries")
        self.db.execute(f"INSERT OR IGNORE INTO pending_archives "
                        f"SELECT DISTINCT feed, seq / {ARCHIVE_PAGE} FROM archived")

    def pending(self) -> Pending:
        feeds = {key for (key,) in self.db.execute("SELECT feed FROM pending_feeds")}
        (pages,) = self.db.execute("SELECT count(*) FROM pending_pages").fetchone()
        removals = {path for (path,) in self.db.execute("SELECT path FROM pending_removals")}
        months = {month for (month,) in self.db.execute("SELECT month FROM pending_months")}
        archives = {(feed, page) for feed, page in self.db.execute(
            "SELECT feed, page FROM pending_archives")}
        return Pending(feeds, pages, removals, months, archives)

    def _every_month(self) -> Iterator[str]:
        """Each month entries were published in, newest first, found a step at a
        time down the index of `published` (a GROUP BY over every entry would sort
        them all in memory)."""
        below = "~"  # after every stamp
        while True:
            (newest,) = self.db.execute("SELECT max(published) FROM entries WHERE published < ?",
                                        (below,)).fetchone()
            if newest is None:
                return
            below = newest[:7]
            yield below

    def pending_pages(self, after: str, limit: int) -> list[str]:
        """The first `limit` pending pages (by entry id) after `after` ("": from
        the first)."""
        return [entry_id for (entry_id,) in self.db.execute(
            "SELECT entry_id FROM pending_pages WHERE entry_id > ? ORDER BY entry_id LIMIT ?",
            (after, limit))]

    def done(self, *, feeds: Iterable[str] = (), pages: Iterable[str] = (),
             removals: Iterable[str] = (), months: Iterable[str] = (),
             archives: Iterable[tuple[str, int]] = ()) -> None:
        self.db.executemany("DELETE FROM pending_feeds WHERE feed = ?",
                            ((key,) for key in feeds))
        self.db.executemany("DELETE FROM pending_pages WHERE entry_id = ?",
                            ((entry_id,) for entry_id in pages))
        self.db.executemany("DELETE FROM pending_removals WHERE path = ?",
                            ((path,) for path in removals))
        self.db.executemany("DELETE FROM pending_months WHERE month = ?",
                            ((month,) for month in months))
        self.db.executemany("DELETE FROM pending_archives WHERE feed = ? AND page = ?", archives)

    def months(self) -> list[Month]:
        """Each month entries were published in, with how many and the newest
        `updated`, as `count_months` last counted them."""
        rows = self.db.execute("SELECT month, entries, newest FROM sitemap_months ORDER BY 1")
        return [Month(month, count, datetime.fromisoformat(newest))
                for month, count, newest in rows]

    def count_months(self, months: Iterable[str] | None = None) -> None:
        """Count these months again (`YYYY-MM`), or every month (None)."""
        if months is None:
            self.db.execute("DELETE FROM sitemap_months")
            months = self._every_month()
        for month in months:
            count, newest = self.db.execute(
                "SELECT count(*), max(updated) FROM entries WHERE published >= ? AND "
                "published < ?", (month, month + "~")).fetchone()
            if count:
                self.db.execute("INSERT OR REPLACE INTO sitemap_months VALUES (?, ?, ?)",
                                (month, count, newest))
            else:
                self.db.execute("DELETE FROM sitemap_months WHERE month = ?", (month,))
