"""One row a run of build or of a daemon's pass: what `feeds status` shows."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

KEPT_RUNS = 1000


@dataclass(frozen=True, slots=True)
class Run:
    """What one run did (`finished` in UTC, ISO 8601)."""

    finished: str
    parsed: int
    rejected: int
    written: int


class Runs:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def note(self, run: Run) -> None:
        self.db.execute("INSERT INTO runs (finished, parsed, rejected, written) VALUES (?,?,?,?)",
                        (run.finished, run.parsed, run.rejected, run.written))
        self.db.execute("DELETE FROM runs WHERE id < (SELECT max(id) - ? FROM runs)",
                        (KEPT_RUNS,))

    def last(self) -> Run | None:
        row = self.db.execute(
            "SELECT finished, parsed, rejected, written FROM runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        finished, parsed, rejected, written = row
        return Run(str(finished), int(parsed), int(rejected), int(written))
