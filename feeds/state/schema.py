"""The state's schema: each migration step, and the indexes a large build into
an empty state may defer. `PRAGMA user_version` says which steps a database
has had; `migrate` brings it forward on open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from feeds.errors import StateError

# Entries an archive document holds (RFC 5005): fixed for ever, since it says
# which document holds each entry.
ARCHIVE_PAGE = 100

# Each feed's history in the order its entries arrived. Triggers keep it as the
# spellings are kept: an entry is numbered at the end of each feed it joins
# ('all', its category's, its reporter's), and its archive document (its number
# divided by ARCHIVE_PAGE) is owed to the output whenever the entry changes; the
# document before it, too, when the entry opens a new one (that one gains a
# link to it). Entries already there are numbered by publication. Each `max(seq)`
# is a subquery of its own: SQLite reads it off the end of the key alone then.
_ARCHIVE_APPEND = """
    INSERT INTO archived SELECT {key},
        coalesce((SELECT max(seq) FROM archived WHERE feed = {key}), -1) + 1, new.id
        WHERE {condition};
    INSERT INTO pending_archives SELECT {key},
        (SELECT max(seq) FROM archived WHERE feed = {key}) / {page}
        WHERE {condition} ON CONFLICT DO NOTHING;
    INSERT INTO pending_archives SELECT {key},
        (SELECT max(seq) FROM archived WHERE feed = {key}) / {page} - 1
        WHERE {condition} AND (SELECT max(seq) FROM archived WHERE feed = {key}) % {page} = 0
        AND (SELECT max(seq) FROM archived WHERE feed = {key}) > 0 ON CONFLICT DO NOTHING;
"""
_ARCHIVES = f"""
    CREATE TABLE archived (
        feed TEXT NOT NULL,      -- 'all', 'category:<slug>' or 'author:<slug>'
        seq INTEGER NOT NULL,    -- from 0, in the order entries joined the feed
        entry_id TEXT NOT NULL,
        PRIMARY KEY (feed, seq)
    ) WITHOUT ROWID;
    CREATE INDEX archived_by_entry ON archived (entry_id);
    CREATE TABLE pending_archives (
        feed TEXT NOT NULL,
        page INTEGER NOT NULL,   -- from 0; seq / ARCHIVE_PAGE
        PRIMARY KEY (feed, page)
    ) WITHOUT ROWID;
    INSERT INTO archived SELECT 'all', row_number() OVER (ORDER BY published, id) - 1, id
        FROM entries;
    INSERT INTO archived SELECT 'category:' || category_slug,
        row_number() OVER (PARTITION BY category_slug ORDER BY published, id) - 1, id
        FROM entries;
    INSERT INTO archived SELECT 'author:' || author_slug,
        row_number() OVER (PARTITION BY author_slug ORDER BY published, id) - 1, id
        FROM entries WHERE author_slug IS NOT NULL;
    INSERT INTO pending_archives SELECT DISTINCT feed, seq / {ARCHIVE_PAGE} FROM archived;
    INSERT OR IGNORE INTO pending_feeds SELECT DISTINCT feed FROM archived WHERE feed != 'all';
    CREATE TRIGGER archived_insert AFTER INSERT ON entries BEGIN
        {_ARCHIVE_APPEND.format(key="'all'", condition="1", page=ARCHIVE_PAGE)}
        {_ARCHIVE_APPEND.format(key="'category:' || new.category_slug", condition="1",
                                page=ARCHIVE_PAGE)}
        {_ARCHIVE_APPEND.format(key="'author:' || new.author_slug",
                                condition="new.author_slug IS NOT NULL", page=ARCHIVE_PAGE)}
    END;
    CREATE TRIGGER archived_update AFTER UPDATE ON entries BEGIN
        INSERT INTO pending_archives SELECT feed, seq / {ARCHIVE_PAGE} FROM archived
            WHERE entry_id = new.id
        ON CONFLICT DO NOTHING;
        DELETE FROM archived WHERE entry_id = new.id AND feed = 'author:' || old.author_slug
            AND old.author_slug IS NOT new.author_slug;
        {_ARCHIVE_APPEND.format(
            key="'author:' || new.author_slug",
            condition="new.author_slug IS NOT NULL AND old.author_slug IS NOT new.author_slug",
            page=ARCHIVE_PAGE)}
    END;
    CREATE TRIGGER archived_delete AFTER DELETE ON entries BEGIN
        INSERT INTO pending_archives SELECT feed, seq / {ARCHIVE_PAGE} FROM archived
            WHERE entry_id = old.id
        ON CONFLICT DO NOTHING;
        DELETE FROM archived WHERE entry_id = old.id;
    END;
"""

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

    -- Every entry published. `record` is the entry as compressed JSON in a BLOB
    -- (`feeds.records`), taken from the newest dump of it (greatest mtime, then
    -- file hash): the order files are read in never changes the outcome.
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
    """
    -- The sitemap's months that hold a changed page (YYYY-MM), owed from when the
    -- page is, until the sitemap is written: a page may be written, and marked
    -- done, long before the sitemap that lists it.
    CREATE TABLE pending_months (month TEXT PRIMARY KEY) WITHOUT ROWID;
    INSERT INTO pending_months SELECT DISTINCT substr(published, 1, 7)
        FROM pending_pages JOIN entries ON entries.id = pending_pages.entry_id;
    """,
    """
    -- What the object store holds (`feeds deploy`), a row per file of the
    -- output put there: the local file's size and mtime when it was put (a file
    -- whose stat is unchanged is not read again) and the MD5 of the bytes the
    -- store holds, which is also their ETag.
    CREATE TABLE deployed (
        path TEXT PRIMARY KEY,  -- relative to the output directory
        dir TEXT NOT NULL,      -- its directory ('' for the output's own)
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        md5 TEXT NOT NULL       -- '' when it must be put again (its headers changed)
    ) WITHOUT ROWID;
    CREATE INDEX deployed_by_dir ON deployed (dir);
    -- Each directory of the output as the last whole deploy saw it: a directory
    -- whose mtime is the same has had no file put in, renamed or removed since
    -- (feeds writes every file by renaming it into place), so its files are
    -- not looked at. -1 when it changed too recently to be sure of (see
    -- feeds.deploy.RACY_NS).
    CREATE TABLE deployed_dirs (path TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL) WITHOUT ROWID;
    """,
    _ARCHIVES,
    """
    -- Lead image sizes read from the images themselves (`images.probe`), a row
    -- per image probed: its size, or how many probes failed, the last one's
    -- reason and when to try again (NULL: never). Kept through a rebuild: it is
    -- what the images said, not what the input did.
    CREATE TABLE image_sizes (
        url TEXT PRIMARY KEY,
        width INTEGER,
        height INTEGER,
        failures INTEGER NOT NULL DEFAULT 0,
        retry_at TEXT,          -- YYYY-MM-DDTHH:MM:SSZ
        reason TEXT
    ) WITHOUT ROWID;
    -- The entries whose lead image's size neither their page stated nor a probe
    -- has read yet, while probing is on (meta 'images waiting' says they are all listed).
    CREATE TABLE unsized_images (entry_id TEXT PRIMARY KEY, url TEXT NOT NULL) WITHOUT ROWID;
    CREATE INDEX unsized_images_by_url ON unsized_images (url);
    CREATE TRIGGER unsized_images_delete AFTER DELETE ON entries BEGIN
        DELETE FROM unsized_images WHERE entry_id = old.id;
    END;
    """,
)


# The indexes that recording new entries never reads, as MIGRATIONS creates them.
# A large build into an empty state drops them and creates them once at the end,
# from all the rows at once, rather than keeping four random-order indexes in
# order entry by entry, which is most of SQLite's work in such a build
# (docs/performance.md). A writer that finds them missing (a build was killed)
# restores them.
DEFERRABLE_INDEXES = {
    "entries_by_category": "ON entries (category_slug, published DESC, id DESC)",
    "entries_by_published": "ON entries (published DESC, id DESC, updated)",
    "entries_by_title": "ON entries (title_key)",
    "entries_by_author": "ON entries (author_slug, published DESC, id DESC) "
                         "WHERE author_slug IS NOT NULL",
    "files_by_entry": "ON files (entry_id)",
}


def migrate(db: sqlite3.Connection, path: Path) -> None:
    """Run the steps this database has not had. Raises StateError for a schema
    newer than this feeds knows."""
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version > len(MIGRATIONS):
        raise StateError(path, f"schema version {version} is newer than this feeds")
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")


def missing_indexes(db: sqlite3.Connection) -> list[str]:
    """The deferrable indexes the database lacks (a large build dropped them)."""
    present = {name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index'")}
    return [name for name in DEFERRABLE_INDEXES if name not in present]
