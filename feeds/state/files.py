"""Every input file seen: its size, mtime and hash when last read, and the entry
it gave or why it was rejected."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable
from datetime import datetime

from feeds.dates import format_utc
from feeds.inputs import SeenFile, stat_key

_COLUMNS = "path, size, mtime_ns, sha256, entry_id, error"


class Files:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def stat_keys(self) -> dict[str, int]:
        """Every input file seen: its size and mtime when last read, as one number
        (`feeds.inputs.stat_key`), by path."""
        return {path: stat_key(size, mtime_ns) for path, size, mtime_ns in
                self.db.execute("SELECT path, size, mtime_ns FROM files")}

    def any(self) -> bool:
        """Whether any input file was ever seen."""
        return self.db.execute("SELECT 1 FROM files LIMIT 1").fetchone() is not None

    def seen(self, paths: Collection[str]) -> dict[str, SeenFile]:
        """What is known of these input files, for those seen before."""
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM files WHERE path IN "  # fixed names
                               "(SELECT value FROM json_each(?))", (json.dumps(list(paths)),))
        return {path: SeenFile(path, size, mtime_ns, sha256, entry_id, error)
                for path, size, mtime_ns, sha256, entry_id, error in rows}

    def note(self, seen: Iterable[SeenFile], now: datetime) -> None:
        stamp = format_utc(now)
        self.db.executemany(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
            ((s.path, s.size, s.mtime_ns, s.sha256, s.entry_id, s.error, stamp) for s in seen))

    def drop(self, paths: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM files WHERE path = ?", ((p,) for p in paths))

    def rejected(self) -> list[SeenFile]:
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM files "  # fixed names
                               "WHERE error IS NOT NULL ORDER BY path")
        return [SeenFile(path, size, mtime_ns, sha256, entry_id, error)
                for path, size, mtime_ns, sha256, entry_id, error in rows]

    def giving(self, entry_id: str) -> int:
        """How many input files hold this entry."""
        (count,) = self.db.execute("SELECT count(*) FROM files WHERE entry_id = ?",
                                   (entry_id,)).fetchone()
        return int(count)
