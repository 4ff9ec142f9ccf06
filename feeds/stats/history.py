"""The stats history: daily figures per feed and reader, in an SQLite file of its
own beside the state (`stats.history`), so that `feeds stats` runs while the daemon
holds the state.

No IP address is stored. A client is an address and a User-Agent hashed with a
key of its day, drawn at random; once the day is closed (`OPEN_DAYS` after the
newest day seen) its distinct clients are counted, and the key and the hashes are
deleted: nothing left can be tied to an address. What each log gave is kept by
the log's fingerprint and the bytes read, in the same transaction as its figures.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from feeds.errors import StateError

OPEN_DAYS = 3  # days whose clients are kept hashed (a late line still finds its client)

SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    fingerprint TEXT PRIMARY KEY,  -- of the log's first line
    name TEXT NOT NULL,            -- where it was last read from
    consumed INTEGER NOT NULL      -- bytes of it read (whole lines)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS polls (
    day TEXT NOT NULL,             -- YYYY-MM-DD, UTC
    feed TEXT NOT NULL,            -- the feed's directory: '' for all articles
    reader TEXT NOT NULL,
    polls INTEGER NOT NULL,
    not_modified INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (day, feed, reader)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reported (  -- what hosted readers say of their subscribers
    day TEXT NOT NULL,
    feed TEXT NOT NULL,
    reader TEXT NOT NULL,
    subscription TEXT NOT NULL,    -- the reader's own feed id, '' when it gives none
    subscribers INTEGER NOT NULL,  -- the most it said that day
    PRIMARY KEY (day, feed, reader, subscription)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS keys (day TEXT PRIMARY KEY, key BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS clients (   -- open days only: hashed, and deleted at close
    day TEXT NOT NULL,
    feed TEXT NOT NULL,            -- '*' for the site
    reader TEXT NOT NULL,
    client TEXT NOT NULL,
    PRIMARY KEY (day, feed, reader, client)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counted (   -- closed days: how many distinct clients
    day TEXT NOT NULL,
    feed TEXT NOT NULL,
    reader TEXT NOT NULL,
    clients INTEGER NOT NULL,
    PRIMARY KEY (day, feed, reader)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bots (
    day TEXT NOT NULL,
    bot TEXT NOT NULL,
    requests INTEGER NOT NULL,
    PRIMARY KEY (day, bot)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS totals (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
"""


@dataclass(frozen=True, slots=True)
class Poll:
    """Requests of one feed by one reader on one day."""

    day: str
    feed: str
    reader: str
    polls: int
    not_modified: int
    bytes: int


@dataclass(frozen=True, slots=True)
class Reported:
    """A hosted reader's subscriber count for one of its subscriptions to a feed."""

    day: str
    feed: str
    reader: str
    subscription: str
    subscribers: int


# (day, feed ('*': the site), reader) -> its clients, hashed (`feeds.stats.count`).
HashedClients = Mapping[tuple[str, str, str], set[int]]


@dataclass(frozen=True, slots=True)
class Clients:
    """How many distinct clients a feed ('*': the site) had on a day, by reader."""

    day: str
    feed: str
    reader: str
    clients: int


class History:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(SCHEMA)
        except (sqlite3.DatabaseError, OSError) as error:
            raise StateError(path, f"cannot open the stats history: {error}") from error

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def begin(self) -> None:
        """Start the one write transaction of a run (others wait for it)."""
        self.db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def consumed(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT fingerprint, consumed FROM sources"))

    def note_source(self, fingerprint: str, name: str, consumed: int) -> None:
        self.db.execute("INSERT INTO sources VALUES (?, ?, ?) ON CONFLICT (fingerprint) DO "
                        "UPDATE SET name = excluded.name, consumed = excluded.consumed",
                        (fingerprint, name, consumed))

    def key(self, day: str) -> bytes:
        """The day's key, drawn now when it has none."""
        self.db.execute("INSERT OR IGNORE INTO keys VALUES (?, ?)",
                        (day, secrets.token_bytes(32)))
        (key,) = self.db.execute("SELECT key FROM keys WHERE day = ?", (day,)).fetchone()
        return bytes(key)

    def held_days(self) -> set[str]:
        """The days whose clients are kept hashed (the open days)."""
        return {day for (day,) in self.db.execute("SELECT DISTINCT day FROM clients")}

    def add(self, polls: Iterable[Poll], reported: Iterable[Reported],
            clients: HashedClients, counted: Mapping[tuple[str, str, str], int],
            bots: Mapping[tuple[str, str], int]) -> None:
        """Add a run's figures: `clients` hashed, `counted` those of days it closed
        as it read. The clients of a day that is closed by the end of this run, and
        held no client before, are counted at once and never written hashed."""
        self.db.executemany(
            "INSERT INTO polls VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
            "polls = polls + excluded.polls, not_modified = not_modified + excluded.not_modified,"
            " bytes = bytes + excluded.bytes",
            ((p.day, p.feed, p.reader, p.polls, p.not_modified, p.bytes) for p in polls))
        self.db.executemany(
            "INSERT INTO reported VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
            "subscribers = max(subscribers, excluded.subscribers)",
            ((r.day, r.feed, r.reader, r.subscription, r.subscribers) for r in reported))
        self._add_clients(clients)
        self.db.executemany(
            "INSERT INTO counted VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
            "clients = clients + excluded.clients",
            ((day, feed, reader, count) for (day, feed, reader), count in counted.items()))
        self.db.executemany(
            "INSERT INTO bots VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET "
            "requests = requests + excluded.requests",
            ((day, bot, count) for (day, bot), count in bots.items()))

    def _add_clients(self, clients: HashedClients) -> None:
        held = self.held_days()
        cutoff = self._cutoff(max((day for day, _, _ in clients), default=""))
        for (day, feed, reader), hashed in clients.items():
            if day >= cutoff or day in held:
                self.db.executemany("INSERT OR IGNORE INTO clients VALUES (?, ?, ?, ?)",
                                    ((day, feed, reader, f"{client:016x}") for client in hashed))
            else:
                self.db.execute("INSERT INTO counted VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE "
                                "SET clients = clients + excluded.clients",
                                (day, feed, reader, len(hashed)))

    def _cutoff(self, newest_now: str) -> str:
        """The first day still open: OPEN_DAYS back from the newest day keyed or given."""
        (newest,) = self.db.execute("SELECT max(day) FROM keys").fetchone()
        newest = max(newest or "", newest_now)
        if not newest:
            return ""
        return str(self.db.execute("SELECT date(?, ?)", (newest, f"-{OPEN_DAYS - 1} days")
                                   ).fetchone()[0])

    def add_total(self, name: str, value: int) -> None:
        self.db.execute("INSERT INTO totals VALUES (?, ?) ON CONFLICT DO UPDATE SET "
                        "value = value + excluded.value", (name, value))

    def close_days(self) -> None:
        """Count the clients of the days more than OPEN_DAYS before the newest, and
        delete their hashes and keys."""
        cutoff = self._cutoff("")
        if not cutoff:
            return
        self.db.execute(
            "INSERT INTO counted SELECT day, feed, reader, count(*) FROM clients "
            "WHERE day < ? GROUP BY day, feed, reader ON CONFLICT DO UPDATE SET "
            "clients = clients + excluded.clients", (cutoff,))
        self.db.execute("DELETE FROM clients WHERE day < ?", (cutoff,))
        self.db.execute("DELETE FROM keys WHERE day < ?", (cutoff,))

    # --- what the report reads ------------------------------------------------

    def days(self) -> list[str]:
        return [day for (day,) in self.db.execute(
            "SELECT day FROM polls UNION SELECT day FROM bots ORDER BY day")]

    def polls(self, since: str) -> list[Poll]:
        return [Poll(*row) for row in self.db.execute(
            "SELECT day, feed, reader, polls, not_modified, bytes FROM polls WHERE day >= ?",
            (since,))]

    def reported(self, since: str) -> list[Reported]:
        return [Reported(*row) for row in self.db.execute(
            "SELECT day, feed, reader, subscription, subscribers FROM reported WHERE day >= ?",
            (since,))]

    def clients(self, since: str) -> list[Clients]:
        return [Clients(*row) for row in self.db.execute(
            "SELECT day, feed, reader, count(*) FROM clients WHERE day >= ? "
            "GROUP BY day, feed, reader UNION ALL "
            "SELECT day, feed, reader, clients FROM counted WHERE day >= ?", (since, since))]

    def daily_subscribers(self) -> dict[str, dict[str, int]]:
        """Feed ('*': the site) -> day -> subscribers: hosted readers' reports (summed
        over the feeds for the site) and distinct clients, over the whole history."""
        daily: dict[str, dict[str, int]] = {}
        for feed, day, subscribers in self.db.execute(
                "SELECT feed, day, sum(subscribers) FROM ("
                " SELECT feed, day, subscribers FROM reported"
                " UNION ALL SELECT '*', day, subscribers FROM reported"
                " UNION ALL SELECT feed, day, count(*) FROM clients GROUP BY day, feed, reader"
                " UNION ALL SELECT feed, day, clients FROM counted"
                ") GROUP BY feed, day ORDER BY feed, day"):
            daily.setdefault(feed, {})[day] = int(subscribers)
        return daily

    def bots(self, since: str) -> dict[tuple[str, str], int]:
        return {(day, bot): requests for day, bot, requests in self.db.execute(
            "SELECT day, bot, requests FROM bots WHERE day >= ?", (since,))}

    def totals(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT name, value FROM totals"))
