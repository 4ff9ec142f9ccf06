"""What feeds has learned, in SQLite: every input file seen, every entry
published, and the work the output still owes.

One writer at a time (`lock`); WAL so that readers such as `feeds status`
never wait. The schema is versioned and migrated forward on open (`schema`).
A `State` is the connection and its transactions; what it holds is read and
written through its sections: `files`, `entries`, `names`, `work`, `runs`,
`deployed` (what the object store holds) and `images` (lead image sizes read
from the images). The state stores what it is told
(`feeds.intents`); it decides nothing.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from feeds.errors import StateError
from feeds.state.deployed import Deployed, DeployedFile
from feeds.state.images import IMAGES_WAITING, Images, ProbeFailure, Waiting
from feeds.state.lock import acquire_lock
from feeds.state.names import Category, Names, Reporter
from feeds.state.runs import Run, Runs
from feeds.state.schema import DEFERRABLE_INDEXES, MIGRATIONS, migrate, missing_indexes
from feeds.state.work import Month, Pending, Work

if TYPE_CHECKING:
    from feeds.state.entries import Entries
    from feeds.state.files import Files

__all__ = ["DEFERRABLE_INDEXES", "IMAGES_WAITING", "MIGRATIONS", "Category", "DeployedFile",
           "Month", "Pending", "ProbeFailure", "Reporter", "Run", "State", "Waiting"]

CACHE_KIB = 8 * 1024  # SQLite's page cache of the writer's connection, at most


class State:
    """The state database, opened for writing by one process at a time (`lock`),
    or for reading beside that writer. `remember` keeps the entries last read for
    the feeds decoded (`Entries`): a process that renders the same feeds again and
    again wants it; a run's worker, which renders each feed once, does not."""

    def __init__(self, path: Path, *, lock: bool = True, busy_timeout: float = 10.0,
                 remember: bool = True) -> None:
        self.path = path
        self._lock_file: IO[str] | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if lock:
                self._lock_file = acquire_lock(path)
            self.db = _connect(path, busy_timeout, writer=lock)
            migrate(self.db, path)
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
        self._remember = remember
        self.names = Names(self.db)
        self.work = Work(self.db)
        self.runs = Runs(self.db)
        self.deployed = Deployed(self.db)
        self.images = Images(self.db)

    # The entries and the input files are loaded when first used: `feeds deploy` and
    # `feeds status` need neither the records' modules nor the input scanner.
    @functools.cached_property
    def files(self) -> Files:
        from feeds.state.files import Files

        return Files(self.db)

    @functools.cached_property
    def entries(self) -> Entries:
        from feeds.state.entries import Entries

        return Entries(self.db, remember=self._remember)

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

    @contextmanager
    def indexes_deferred(self) -> Iterator[None]:
        """Record many new entries without the indexes nothing reads meanwhile
        (`DEFERRABLE_INDEXES`); they are back when this ends, however it ends."""
        with self.transaction():
            for name in DEFERRABLE_INDEXES:
                self.db.execute(f"DROP INDEX IF EXISTS {name}")  # fixed names, no input
        try:
            yield
        finally:
            self.restore_indexes()

    def restore_indexes(self) -> None:
        """Create whichever deferrable index is missing."""
        missing = missing_indexes(self.db)
        if not missing:
            return
        # Sorted in files beyond the page cache: kept in memory (see temp_store
        # in _connect), the sort would grow with the number of entries.
        self.db.execute("PRAGMA temp_store = FILE")
        try:
            with self.transaction():
                for name in missing:
                    self.db.execute(f"CREATE INDEX IF NOT EXISTS {name} "
                                    f"{DEFERRABLE_INDEXES[name]}")
        finally:
            self.db.execute("PRAGMA temp_store = MEMORY")

    def clear(self) -> None:
        """Forget everything the input gave (for a rebuild from it); the sizes read
        from images stay."""
        for table in ("files", "entries", "spellings", "reporters", "versions", "pending_feeds",
                      "pending_pages", "pending_removals", "pending_months", "sitemap_months",
                      "archived", "pending_archives", "unsized_images"):
            self.db.execute(f"DELETE FROM {table}")  # fixed names, no input

    def meta(self, key: str) -> str | None:
        """A small fact about the state itself, such as the settings the output
        was rendered with."""
        for (value,) in self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)):
            return str(value)
        return None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


def _connect(path: Path, busy_timeout: float, *, writer: bool) -> sqlite3.Connection:
    # The daemon's passes run on threads of their own, one at a time (a pass holds
    # the publishing lock), so sharing the connection between them is safe.
    db = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout,
                         check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    # A batch of a full build touches index pages all over; with the default
    # cache they are spilled and written more than once per commit. A reader
    # keeps the default: the run's workers read each row once.
    if writer:
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    # The spellings trigger makes each insert keep a statement journal, which
    # otherwise spills to a temporary file.
    db.execute("PRAGMA temp_store = MEMORY")
    return db
