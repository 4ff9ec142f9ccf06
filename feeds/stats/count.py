"""The requests a run read, as the history's daily figures: pure, given each
day's key.

Only answered polls of feeds count (GET or HEAD, 200, 206 or 304, a feed's own
document); everything else is counted as other requests. A bot's polls are
counted apart. A hosted reader's polls carry its subscribers; a person's reader
is one client, the hash of its address and User-Agent under its day's key.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from feeds.site import feed_of_request
from feeds.stats.history import OPEN_DAYS, HashedClients, Poll, Reported
from feeds.stats.readers import Client, Kind, classify

ANSWERED = frozenset({b"200", b"206", b"304"})
METHODS = frozenset({b"GET", b"HEAD"})
MOST_REMEMBERED = 100_000  # paths and User-Agents remembered at once (a log may hold any)
SITE = "*"  # the feed name of a client counted for the whole site


@dataclass(frozen=True, slots=True)
class RunFigures:
    """What the requests of a run come to, as the history adds them."""

    polls: list[Poll]
    reported: list[Reported]
    clients: HashedClients
    counted: Counter[tuple[str, str, str]]  # clients of days closed as the logs were read
    bots: Counter[tuple[str, str]]
    other: int  # requests that are no answered poll of a feed
    malformed: int  # lines whose time is no time (31 Feb)
    future: int  # lines dated after `latest`, skipped


class Counting:
    """The figures, block by block: `add` the distinct requests of each, then ask
    for `figures`. `key` gives a day's key (the history draws one for a new day);
    `base_path` is the site's path below its host ("/" or "/news/").

    `add` runs once for each distinct request of a block, most of a log's lines:
    it is one loop over plain tuples, with what it looks up (a path's feed, a User-
    Agent's client, a time's UTC day) kept in dicts as it goes. After each block the
    days the history would close already (`OPEN_DAYS` behind the newest day read) and
    whose hashed clients it does not hold (`held`) are counted and their hashes let go:
    memory follows the open days' clients, not the log (read oldest first)."""

    def __init__(self, base_path: str, key: Callable[[str], bytes], held: set[str],
                 latest: str = "9999-12-31") -> None:
        self.base_path = base_path
        self.key = key
        self.held = held
        self.latest = latest  # a day after it is a clock gone wrong, not a poll
        self.malformed = 0
        self.future = 0
        self.counted: Counter[tuple[str, str, str]] = Counter()
        # (day, feed, reader) -> [polls, answered 304, bytes]
        self.tally: dict[tuple[str, str, str], list[int]] = {}
        self.reported: dict[tuple[str, str, str, str], int] = {}
        self.clients: defaultdict[tuple[str, str, str], set[int]] = defaultdict(set)
        self.bots: Counter[tuple[str, str]] = Counter()
        self.other = 0
        self._feeds: dict[bytes, str | None] = {}
        self._clients: dict[bytes, Client] = {}
        self._days: dict[tuple[bytes, bytes, bytes, bytes], str] = {}
        self._hashers: dict[str, Any] = {}

    def add(self, requests: Mapping[tuple[bytes, ...], int]) -> None:
        hashed: dict[tuple[str, bytes, bytes], int] = {}  # a client polls several times
        for (address, on, hour, minute, zone, method, path, status, size, agent), times in (
                requests.items()):
            # `LINE` gives a path only for a feed's document; others are one empty tuple.
            feed = self._feed(path) if status in ANSWERED and method in METHODS else None
            if feed is None:
                self.other += times
                continue
            client = self._clients.get(agent) or self._classify(agent)
            day = self._days.get((on, hour, minute, zone)) or self._day(on, hour, minute, zone)
            if day > self.latest or day == _NO_DAY:
                if day == _NO_DAY:
                    self.malformed += times
                else:
                    self.future += times
                continue
            if client.kind is Kind.BOT:
                self.bots[day, client.name] += times
                continue
            key = (day, feed, client.name)
            figures = self.tally.get(key)
            if figures is None:
                figures = self.tally[key] = [0, 0, 0]
            figures[0] += times
            if status == b"304":
                figures[1] += times
            elif size != b"-":
                figures[2] += int(size) * times
            if client.subscribers is None:
                one = hashed.get((day, address, agent)) or self._hash(hashed, day, address, agent)
                self.clients[key].add(one)
                self.clients[day, SITE, client.name].add(one)
            elif self.reported.get(where := (*key, client.subscription), -1) < client.subscribers:
                self.reported[where] = client.subscribers
        self._close_days()

    def _hash(self, hashed: dict[tuple[str, bytes, bytes], int], day: str, address: bytes,
              agent: bytes) -> int:
        """A client as the history keeps it: its address and User-Agent, hashed with
        its day's key (an int: a run may hold millions)."""
        hasher = self._hashers.get(day)
        if hasher is None:
            hasher = self._hashers[day] = hashlib.blake2b(key=self.key(day), digest_size=8)
        one = hasher.copy()
        one.update(address + b"\0" + agent)
        client = hashed[day, address, agent] = int.from_bytes(one.digest(), "big")
        return client

    def _close_days(self) -> None:
        if not self.clients:
            return
        newest = date.fromisoformat(max(day for day, _, _ in self.clients))
        cutoff = (newest - timedelta(days=OPEN_DAYS)).isoformat()  # a day to spare
        for key in [key for key in self.clients if key[0] < cutoff and key[0] not in self.held]:
            self.counted[key] += len(self.clients.pop(key))

    def figures(self) -> RunFigures:
        return RunFigures(
            [Poll(*key, *figures) for key, figures in self.tally.items()],
            [Reported(*where, subscribers) for where, subscribers in self.reported.items()],
            dict(self.clients), self.counted, self.bots, self.other, self.malformed, self.future)

    def _feed(self, path: bytes) -> str | None:
        if path not in self._feeds:
            if len(self._feeds) > MOST_REMEMBERED:
                self._feeds.clear()
            text = path.decode("utf-8", "replace")
            self._feeds[path] = (feed_of_request(text[len(self.base_path):])
                                 if text.startswith(self.base_path) else None)
        return self._feeds[path]

    def _classify(self, agent: bytes) -> Client:
        if len(self._clients) > MOST_REMEMBERED:
            self._clients.clear()
        client = self._clients[agent] = classify(agent.decode("utf-8", "replace"))
        return client

    def _day(self, on: bytes, hour: bytes, minute: bytes, zone: bytes) -> str:
        try:
            day = utc_day(on, hour, minute, zone)
        except (ValueError, OverflowError):  # 31 Feb, hour 99, zone +9999
            day = _NO_DAY
        self._days[on, hour, minute, zone] = day
        return day


_NO_DAY = "-"  # the day of a time that is no time


def utc_day(on: bytes, hour: bytes, minute: bytes, zone: bytes) -> str:
    """The UTC day of a log's local date, hour and minute (b"" when the zone cannot
    move the day across them) and zone (`04/Dec/2026`, `23`, `30`, `+0530`)."""
    local = datetime.strptime(f"{on.decode()} {hour.decode() or '00'}:{minute.decode() or '00'}"
                              f" {zone.decode()}", "%d/%b/%Y %H:%M %z")
    return local.astimezone(UTC).date().isoformat()
