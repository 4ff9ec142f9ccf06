"""What feeds has learned, in SQLite: every input file seen and every entry published.

One writer at a time (a lock file beside the database); WAL so readers such as
`feeds status` never wait. The schema is versioned with `PRAGMA user_version`
and migrated forward on open.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import sqlite3
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, NamedTuple

from feeds.dates import format_utc
from feeds.errors import StateError
from feeds.model import Published, feed_keys
from feeds.plan import Known, Plan, Verdict
from feeds.records import Encoded, decode_record
from feeds.text import identity_key

CACHE_KIB = 8 * 1024  # SQLite's page cache, at most
DECODED_CACHE_ENTRIES = 1024  # a daemon's feeds hold ~50 entries each
# Each step brings the schema from version N to N + 1; never edit a released step.
MIGRATIONS = (
    """
    -- Every input file seen, keyed by its path relative to the input directory.
    CREATE TABLE files (
        path TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        entry_id TEXT,          -- the entry it gave; NULL when rejected
        error TEXT,             -- why it was rejected; NULL when it gave an entry
        seen TEXT NOT NULL      -- when it was last read (UTC)
    );
    CREATE INDEX files_by_entry ON files (entry_id);

    -- Every entry published. `record` is the entry as JSON, zlib-compressed in a
    -- BLOB (rows written before records were compressed hold the text), taken from the newest
    -- dump of it (greatest mtime, then file hash): the order files are read in
    -- never changes the outcome.
    CREATE TABLE entries (
        id TEXT PRIMARY KEY,
        category_slug TEXT NOT NULL,
        category TEXT NOT NULL,
        title_key TEXT NOT NULL,
        published TEXT NOT NULL,      -- YYYY-MM-DDTHH:MM:SSZ, sorts as time
        updated TEXT NOT NULL,
        record_mtime_ns INTEGER NOT NULL,
        record_sha256 TEXT NOT NULL,
        record TEXT NOT NULL
    );
    CREATE INDEX entries_by_category ON entries (category_slug, published DESC, id DESC);
    CREATE INDEX entries_by_published ON entries (published DESC, id DESC);
    CREATE INDEX entries_by_title ON entries (title_key);

    -- How many entries use each spelling of each category, kept by triggers so
    -- that naming and counting the feeds never scans the entries.
    CREATE TABLE spellings (
        category_slug TEXT NOT NULL,
        category TEXT NOT NULL,
        entries INTEGER NOT NULL,
        PRIMARY KEY (category_slug, category)
    ) WITHOUT ROWID;
    CREATE TRIGGER spellings_insert AFTER INSERT ON entries BEGIN
        INSERT INTO spellings VALUES (new.category_slug, new.category, 1)
            ON CONFLICT DO UPDATE SET entries = entries + 1;
    END;
    CREATE TRIGGER spellings_delete AFTER DELETE ON entries BEGIN
        UPDATE spellings SET entries = entries - 1
            WHERE category_slug = old.category_slug AND category = old.category;
        DELETE FROM spellings WHERE entries <= 0;
    END;
    CREATE TRIGGER spellings_update AFTER UPDATE OF category ON entries
        WHEN old.category != new.category BEGIN
        UPDATE spellings SET entries = entries - 1
            WHERE category_slug = old.category_slug AND category = old.category;
        DELETE FROM spellings WHERE entries <= 0;
        INSERT INTO spellings VALUES (new.category_slug, new.category, 1)
            ON CONFLICT DO UPDATE SET entries = entries + 1;
    END;

    -- Each distinct content an entry has had, with the earliest dump that held it:
    -- a second content is a correction, and `updated` is when it first appeared.
    CREATE TABLE versions (
        entry_id TEXT NOT NULL,
        content_sha256 TEXT NOT NULL,
        first_mtime_ns INTEGER NOT NULL,
        PRIMARY KEY (entry_id, content_sha256)
    ) WITHOUT ROWID;

    -- What the state holds that the output does not show yet. Written in the same
    -- transaction as the change itself, cleared once the files are in place: a
    -- run that dies in between leaves the work to the next run.
    CREATE TABLE pending_feeds (category_slug TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TABLE pending_pages (entry_id TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TABLE pending_removals (path TEXT PRIMARY KEY) WITHOUT ROWID;

    -- Small facts about the state itself, such as the settings the output was
    -- rendered with (a change of site title or base URL re-renders everything).
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

    -- One row a run of build or of the daemon's scan.
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        finished TEXT NOT NULL,
        parsed INTEGER NOT NULL,
        rejected INTEGER NOT NULL,
        written INTEGER NOT NULL
    );
    """,
    """
    -- Each month of publication (YYYY-MM) with how many entries and their newest
    -- `updated`, as the sitemap last listed it: the render stage refreshes the
    -- months it touches, so the sitemap index never scans every entry.
    CREATE TABLE sitemap_months (
        month TEXT PRIMARY KEY,
        entries INTEGER NOT NULL,
        newest TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    """
    -- Each entry's reporter (NULL: its dump named none), and how many entries use
    -- each spelling of each reporter, kept by triggers as the spellings are.
    ALTER TABLE entries ADD COLUMN author_slug TEXT;
    ALTER TABLE entries ADD COLUMN author TEXT;
    CREATE INDEX entries_by_author ON entries (author_slug, published DESC, id DESC)
        WHERE author_slug IS NOT NULL;
    CREATE TABLE reporters (
        author_slug TEXT NOT NULL,
        author TEXT NOT NULL,
        entries INTEGER NOT NULL,
        PRIMARY KEY (author_slug, author)
    ) WITHOUT ROWID;
    CREATE TRIGGER reporters_insert AFTER INSERT ON entries WHEN new.author IS NOT NULL BEGIN
        INSERT INTO reporters VALUES (new.author_slug, new.author, 1)
            ON CONFLICT DO UPDATE SET entries = entries + 1;
    END;
    CREATE TRIGGER reporters_delete AFTER DELETE ON entries WHEN old.author IS NOT NULL BEGIN
        UPDATE reporters SET entries = entries - 1
            WHERE author_slug = old.author_slug AND author = old.author;
        DELETE FROM reporters WHERE entries <= 0;
    END;
    CREATE TRIGGER reporters_update AFTER UPDATE OF author ON entries
        WHEN old.author IS NOT new.author BEGIN
        UPDATE reporters SET entries = entries - 1
            WHERE author_slug = old.author_slug AND author = old.author;
        DELETE FROM reporters WHERE entries <= 0;
        INSERT INTO reporters SELECT new.author_slug, new.author, 1 WHERE new.author IS NOT NULL
            ON CONFLICT DO UPDATE SET entries = entries + 1;
    END;

    -- Pending feeds are named by their key (`feeds.model.feed_keys`): a
    -- category's or a reporter's.
    ALTER TABLE pending_feeds RENAME COLUMN category_slug TO feed;
    UPDATE pending_feeds SET feed = 'category:' || feed;
    """,
    """
    -- The sitemap's month queries (how many pages, the newest `updated`, every
    -- page's stamps) read the index alone rather than one entry row per page.
    DROP INDEX IF EXISTS entries_by_published;
    CREATE INDEX entries_by_published ON entries (published DESC, id DESC, updated);
    """,
)


# The indexes that recording new entries never reads, as MIGRATIONS creates them.
# A large build into an empty state drops them and creates them once at the end,
# from all the rows at once, rather than keeping four random-order indexes in
# order entry by entry: at 100,000 entries that halves SQLite's work (15 s of
# CPU to 8). A writer that finds them missing (a build was killed) restores them.
DEFERRABLE_INDEXES = {
    "entries_by_category": "ON entries (category_slug, published DESC, id DESC)",
    "entries_by_published": "ON entries (published DESC, id DESC, updated)",
    "entries_by_title": "ON entries (title_key)",
    "entries_by_author": "ON entries (author_slug, published DESC, id DESC) "
                         "WHERE author_slug IS NOT NULL",
    "files_by_entry": "ON files (entry_id)",
}


@dataclass(frozen=True, slots=True)
class SeenFile:
    """An input file as it was when last read."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    entry_id: str | None
    error: str | None


@dataclass(frozen=True, slots=True)
class Category:
    slug: str
    name: str
    count: int
    newest: datetime


class Reporter(NamedTuple):
    """A reporter (or, inside `State`, any name spelled several ways) with
    entries: the spelling most of them use, and how many."""

    slug: str
    name: str
    entries: int


class State:
    """The state database, opened for writing by one process at a time."""

    def __init__(self, path: Path, *, lock: bool = True, busy_timeout: float = 10.0) -> None:
        self.path = path
        self._lock_file: IO[str] | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if lock:
                self._lock_file = _acquire_lock(path)
            # The daemon's scan runs on a scheduler thread; only one thread at a time
            # uses the connection (the scan is serialised), so sharing it is safe.
            self.db = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout,
                                      check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            # A batch of a full build touches index pages all over; with the default
            # 2 MB cache they are spilled and written more than once per commit.
            self.db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            # The spellings trigger makes each insert keep a statement journal,
            # which otherwise spills to a temporary file: four writes a row.
            self.db.execute("PRAGMA temp_store = MEMORY")
            self._migrate()
            if lock:
                self.restore_indexes()
        except sqlite3.DatabaseError as error:
            self.close()
            raise StateError(path, f"cannot open the state database: {error}") from error
        except OSError as error:
            self.close()
            raise StateError(path, f"cannot open the state: {error.strerror or error}") from error
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if getattr(self, "db", None) is not None:
            self.db.close()
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    def __enter__(self) -> State:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StateError(self.path, f"schema version {version} is newer than this feeds")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            self.db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")

    @contextmanager
    def indexes_deferred(self) -> Iterator[None]:
        """Record many new entries without the indexes nothing reads meanwhile
        (see DEFERRABLE_INDEXES); they are back when this ends, however it ends."""
        with self.transaction():
            for name in DEFERRABLE_INDEXES:
                self.db.execute(f"DROP INDEX IF EXISTS {name}")  # fixed names, no input
        try:
            yield
        finally:
            self.restore_indexes()

    def restore_indexes(self) -> None:
        """Create whichever deferrable index is missing."""
        present = {row[0] for row in self.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'")}
        missing = [name for name in DEFERRABLE_INDEXES if name not in present]
        if not missing:
            return
        # Sorted in files beyond the page cache: kept in memory (see temp_store
        # above), the sort of a million entries would take a hundred megabytes.
        self.db.execute("PRAGMA temp_store = FILE")
        try:
            with self.transaction():
                for name in missing:
                    self.db.execute(f"CREATE INDEX IF NOT EXISTS {name} "
                                    f"{DEFERRABLE_INDEXES[name]}")
        finally:
            self.db.execute("PRAGMA temp_store = MEMORY")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: a crash inside leaves the state as it was before.
        Raises StateError when the database is locked, full or damaged."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise StateError(self.path, f"cannot write the state: {error}") from error
        try:
            yield
        except sqlite3.Error as error:
            self.db.execute("ROLLBACK")
            raise StateError(self.path, f"cannot write the state: {error}") from error
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        try:
            self.db.execute("COMMIT")
        except sqlite3.Error as error:
            self.db.execute("ROLLBACK")
            raise StateError(self.path, f"cannot write the state: {error}") from error

    # --- input files -------------------------------------------------------

    def seen_stats(self) -> dict[str, tuple[int, int]]:
        """Every input file seen: its size and mtime (ns) when last read, by path."""
        return {path: (size, mtime_ns) for path, size, mtime_ns in
                self.db.execute("SELECT path, size, mtime_ns FROM files")}

    def seen_files(self, paths: Collection[str]) -> dict[str, SeenFile]:
        """What is known of these input files, for those seen before."""
        rows = self.db.execute(
            "SELECT path, size, mtime_ns, sha256, entry_id, error FROM files WHERE path IN "
            "(SELECT value FROM json_each(?))", (json.dumps(list(paths)),))
        return {row[0]: SeenFile(*row) for row in rows}

    def seen_file(self, path: str) -> SeenFile | None:
        row = self.db.execute("SELECT path, size, mtime_ns, sha256, entry_id, error FROM files "
                              "WHERE path = ?", (path,)).fetchone()
        return SeenFile(*row) if row else None

    def note_file(self, seen: SeenFile, now: datetime) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
            (seen.path, seen.size, seen.mtime_ns, seen.sha256, seen.entry_id, seen.error,
             format_utc(now)))

    def note_files(self, seen: Iterable[SeenFile], now: datetime) -> None:
        stamp = format_utc(now)
        self.db.executemany(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
            ((s.path, s.size, s.mtime_ns, s.sha256, s.entry_id, s.error, stamp) for s in seen))

    def drop_files(self, paths: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM files WHERE path = ?", ((p,) for p in paths))

    def rejected_files(self) -> list[SeenFile]:
        rows = self.db.execute("SELECT path, size, mtime_ns, sha256, entry_id, error FROM files "
                               "WHERE error IS NOT NULL ORDER BY path")
        return [SeenFile(*row) for row in rows]

    # --- entries -----------------------------------------------------------

    def known_entries(self, ids: Collection[str]) -> dict[str, Known]:
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

    def save_entries(self, decided: Iterable[tuple[Encoded, Plan]]) -> None:
        """Store what the plans decided, in order: every content seen, the records
        now shown, and the `updated` that older dumps moved."""
        decided = list(decided)
        self.db.executemany(
            "INSERT INTO versions VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET "
            "first_mtime_ns = min(first_mtime_ns, excluded.first_mtime_ns)",
            ((entry.id, entry.content, plan.known.versions[entry.content])
             for entry, plan in decided))
        self.db.executemany(
            # An upsert, not INSERT OR REPLACE: a replace would skip the delete
            # trigger and miscount the spellings.
            "INSERT INTO entries (id, category_slug, category, title_key, published, updated, "
            "record_mtime_ns, record_sha256, record, author_slug, author) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO "
            "UPDATE SET category = excluded.category, title_key = excluded.title_key, "
            "updated = excluded.updated, record_mtime_ns = excluded.record_mtime_ns, "
            "record_sha256 = excluded.record_sha256, record = excluded.record, "
            "author_slug = excluded.author_slug, author = excluded.author",
            ((entry.id, entry.category_slug, entry.category, entry.title_key,
              format_utc(entry.published), format_utc(plan.known.updated),
              plan.known.record_mtime_ns, plan.known.record_sha256, entry.record,
              entry.author_slug, entry.author)
             for entry, plan in decided if plan.shows_record))
        self.db.executemany(
            "UPDATE entries SET updated = ? WHERE id = ?",
            ((format_utc(plan.known.updated), entry.id) for entry, plan in decided
             if plan.verdict is Verdict.OLDER and plan.feeds))

    def forget_entries(self, ids: Iterable[str]) -> set[str]:
        """Remove entries on purpose; returns the keys of the feeds they were in."""
        feeds: set[str] = set()
        for entry_id in ids:
            row = self.db.execute("SELECT category_slug, author_slug FROM entries WHERE id = ?",
                                  (entry_id,)).fetchone()
            if row:
                feeds |= feed_keys(row[0], row[1])
            self.db.execute("DELETE FROM entries WHERE id = ?", (entry_id,))
            self.db.execute("DELETE FROM versions WHERE entry_id = ?", (entry_id,))
        return feeds

    def files_of(self, entry_id: str) -> int:
        return int(self.db.execute("SELECT count(*) FROM files WHERE entry_id = ?",
                                   (entry_id,)).fetchone()[0])

    def clear(self) -> None:
        """Forget everything (for a rebuild from the input)."""
        for table in ("files", "entries", "spellings", "reporters", "versions", "pending_feeds",
                      "pending_pages", "pending_removals", "sitemap_months"):
            self.db.execute(f"DELETE FROM {table}")  # fixed names, no input

    # --- work the output still owes ----------------------------------------

    def add_pending(self, *, feeds: Iterable[str] = (), pages: Iterable[str] = (),
                    removals: Iterable[str] = ()) -> None:
        self.db.executemany("INSERT OR IGNORE INTO pending_feeds VALUES (?)",
                            ((key,) for key in feeds))
        self.db.executemany("INSERT OR IGNORE INTO pending_pages VALUES (?)",
                            ((entry_id,) for entry_id in pages))
        self.db.executemany("INSERT OR IGNORE INTO pending_removals VALUES (?)",
                            ((path,) for path in removals))

    def mark_everything_pending(self) -> None:
        self.db.execute("INSERT OR IGNORE INTO pending_feeds SELECT 'category:' || "
                        "category_slug FROM spellings")
        self.db.execute("INSERT OR IGNORE INTO pending_feeds SELECT 'author:' || author_slug "
                        "FROM reporters")
        self.db.execute("INSERT OR IGNORE INTO pending_pages SELECT id FROM entries")

    def pending(self) -> Pending:
        """What the output still owes."""
        feeds = {row[0] for row in self.db.execute("SELECT feed FROM pending_feeds")}
        pages = [row[0] for row in self.db.execute(
            "SELECT entry_id FROM pending_pages ORDER BY entry_id")]
        removals = {row[0] for row in self.db.execute("SELECT path FROM pending_removals")}
        return Pending(feeds, pages, removals)

    def done_pending(self, *, feeds: Iterable[str] = (), pages: Iterable[str] = (),
                     removals: Iterable[str] = ()) -> None:
        self.db.executemany("DELETE FROM pending_feeds WHERE feed = ?",
                            ((key,) for key in feeds))
        self.db.executemany("DELETE FROM pending_pages WHERE entry_id = ?",
                            ((entry_id,) for entry_id in pages))
        self.db.executemany("DELETE FROM pending_removals WHERE path = ?",
                            ((path,) for path in removals))

    # --- reading for the feeds --------------------------------------------

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
        return [_remembered(record, updated) for record, updated in rows]

    def entries(self, ids: Iterable[str]) -> list[Published]:
        """These entries (those the state holds), in the order given, in one query;
        decoded afresh, for a one-off pass (pages) that should not push the feeds'
        entries out of memory."""
        rows = self.db.execute(
            "SELECT record, updated FROM json_each(?) JOIN entries ON entries.id = value "
            "ORDER BY key", (json.dumps(list(ids)),))
        return [_published(record, updated) for record, updated in rows]

    def all_ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT id FROM entries")}

    def categories(self) -> list[Category]:
        """Every category with entries: its display name is the spelling most
        entries use (ties: the alphabetically first)."""
        return [Category(named.slug, named.name, named.entries, self._newest_in(named.slug))
                for named in self._named("spellings", "category_slug", "category")]

    def reporters(self) -> list[Reporter]:
        """Every reporter with entries, named as `categories` names categories."""
        return self._named("reporters", "author_slug", "author")

    def _named(self, table: str, slug: str, spelling: str) -> list[Reporter]:
        """Each slug of a table of spellings kept by triggers, with the spelling
        most entries use (ties: the alphabetically first) and all their entries."""
        rows = self.db.execute(f"SELECT {slug}, {spelling}, entries FROM {table} "
                               f"ORDER BY {slug}, entries DESC, {spelling}")  # fixed names
        named: dict[str, Reporter] = {}
        for key, name, count in rows:
            first = named.get(key)
            named[key] = (Reporter(key, name, count) if first is None
                          else first._replace(entries=first.entries + count))
        return list(named.values())

    def _newest_in(self, slug: str) -> datetime:
        newest = self.db.execute("SELECT max(published) FROM entries WHERE category_slug = ?",
                                 (slug,)).fetchone()[0]
        return datetime.fromisoformat(newest)

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

    def months(self) -> list[Month]:
        """Each month entries were published in, with how many and the newest
        `updated`, as `refresh_months` last counted them."""
        rows = self.db.execute("SELECT month, entries, newest FROM sitemap_months ORDER BY 1")
        return [Month(month, count, datetime.fromisoformat(newest))
                for month, count, newest in rows]

    def refresh_months(self, months: Iterable[str] | None = None) -> None:
        """Count these months again (`YYYY-MM`), or every month (None)."""
        with self.transaction():
            if months is None:
                self.db.execute("DELETE FROM sitemap_months")
                self.db.execute("INSERT INTO sitemap_months SELECT substr(published, 1, 7), "
                                "count(*), max(updated) FROM entries GROUP BY 1")
                return
            for month in months:
                count, newest = self.db.execute(
                    "SELECT count(*), max(updated) FROM entries WHERE published >= ? AND "
                    "published < ?", (month, month + "~")).fetchone()
                if count:
                    self.db.execute("INSERT OR REPLACE INTO sitemap_months VALUES (?, ?, ?)",
                                    (month, count, newest))
                else:
                    self.db.execute("DELETE FROM sitemap_months WHERE month = ?", (month,))

    def published_since(self, since: datetime, limit: int) -> list[Published]:
        """The newest entries published at `since` or later, newest first."""
        rows = self.db.execute("SELECT record, updated FROM entries WHERE published >= ? "
                               "ORDER BY published DESC, id DESC LIMIT ?",
                               (format_utc(since), limit))
        # The newest entries: those the feeds hold too, decoded once for both.
        return [_remembered(record, updated) for record, updated in rows]

    def page_key_by_title(self, title: str) -> PageKey | None:
        """The page of the newest entry with this title (compared as ids compare
        titles)."""
        row = self.db.execute(
            "SELECT id, published FROM entries WHERE title_key = ? "
            "ORDER BY published DESC, id DESC LIMIT 1", (identity_key(title),)).fetchone()
        return PageKey(row[0], datetime.fromisoformat(row[1])) if row else None

    def entry_count(self) -> int:
        return int(self.db.execute("SELECT coalesce(sum(entries), 0) FROM spellings").fetchone()[0])

    # --- facts about the state ----------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # --- runs --------------------------------------------------------------

    def note_run(self, finished: datetime, parsed: int, rejected: int, written: int) -> None:
        self.db.execute("INSERT INTO runs (finished, parsed, rejected, written) VALUES (?,?,?,?)",
                        (format_utc(finished), parsed, rejected, written))
        self.db.execute("DELETE FROM runs WHERE id < (SELECT max(id) - 1000 FROM runs)")

    def last_run(self) -> Run | None:
        row = self.db.execute(
            "SELECT finished, parsed, rejected, written FROM runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return Run(str(row[0]), int(row[1]), int(row[2]), int(row[3])) if row else None


class Pending(NamedTuple):
    """What the output still owes: category and reporter feeds (by key,
    `feeds.model.feed_keys`), article pages (by entry id), and output paths to
    remove."""

    feeds: set[str]
    pages: list[str]
    removals: set[str]


class PageKey(NamedTuple):
    """What names an article's page (`feeds.site.page_path`)."""

    entry_id: str
    published: datetime


class PageStamp(NamedTuple):
    """An article's page (`feeds.site.page_path`) and when it last changed (UTC)."""

    entry_id: str
    published: datetime
    updated: datetime


class Month(NamedTuple):
    """A month of publication (`YYYY-MM`): how many entries, their newest `updated`."""

    month: str
    entries: int
    newest: datetime


class Run(NamedTuple):
    """What one run did, as `note_run` recorded it (`finished` in UTC, ISO 8601)."""

    finished: str
    parsed: int
    rejected: int
    written: int


def _published(record: bytes, updated: str) -> Published:
    return Published(decode_record(record), datetime.fromisoformat(updated))


# A record names its entry's whole content: decoding it again gives the same entry.
_remembered = functools.lru_cache(maxsize=DECODED_CACHE_ENTRIES)(_published)


def _acquire_lock(path: Path) -> IO[str]:
    """Hold an exclusive lock for the life of the process; a second writer is refused."""
    lock_path = path.with_name(path.name + ".lock")
    handle = lock_path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise StateError(path, f"in use by {holder}; only one feeds build or daemon "
                         f"may work on a state at a time") from error
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}")
    handle.flush()
    return handle
