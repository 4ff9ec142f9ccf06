"""What the object store holds, as far as `feeds deploy` put it there: a row
per file of the output, and the target and header rules it was put with."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

TARGET_KEY = "deploy.target"
HEADERS_KEY = "deploy.headers"
UNPURGED_KEY = "deploy.unpurged"


@dataclass(frozen=True, slots=True)
class DeployedFile:
    """A file of the output as it was when put in the store: its local size and
    mtime, and the MD5 of the bytes the store holds ('' when it must be put again)."""

    size: int
    mtime_ns: int
    md5: str


class Deployed:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def all(self) -> dict[str, DeployedFile]:
        return self._files("SELECT path, size, mtime_ns, md5 FROM deployed")

    def in_dirs(self, dirs: Iterable[str]) -> dict[str, DeployedFile]:
        """The files put from these directories (not from those below them)."""
        found: dict[str, DeployedFile] = {}
        for directory in dirs:
            found.update(self._files("SELECT path, size, mtime_ns, md5 FROM deployed "
                                     "WHERE dir = ?", (directory,)))
        return found

    def _files(self, query: str, parameters: tuple[str, ...] = ()) -> dict[str, DeployedFile]:
        return {path: DeployedFile(size, mtime_ns, md5) for path, size, mtime_ns, md5
                in self.db.execute(query, parameters)}

    def put(self, path: str, file: DeployedFile) -> None:
        self.db.execute("INSERT OR REPLACE INTO deployed VALUES (?, ?, ?, ?, ?)",
                        (path, path.rpartition("/")[0], file.size, file.mtime_ns, file.md5))

    def remove(self, paths: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM deployed WHERE path = ?", ((path,) for path in paths))

    def clear(self) -> None:
        self.db.execute("DELETE FROM deployed")
        self.db.execute("DELETE FROM deployed_dirs")

    def owe_all(self) -> None:
        """Every file must be put again (the headers it is put with changed)."""
        self.db.execute("UPDATE deployed SET md5 = ''")
        self.db.execute("DELETE FROM deployed_dirs")

    def count(self) -> int:
        (count,) = self.db.execute("SELECT count(*) FROM deployed").fetchone()
        return int(count)

    def dirs(self) -> dict[str, int]:
        """Each directory's mtime as the last whole deploy saw it."""
        return dict(self.db.execute("SELECT path, mtime_ns FROM deployed_dirs"))

    def set_dirs(self, dirs: dict[str, int]) -> None:
        self.db.execute("DELETE FROM deployed_dirs")
        self.db.executemany("INSERT INTO deployed_dirs VALUES (?, ?)", dirs.items())
