"""The requests a run read, as the history's daily figures: pure, given each
day's key.

Only answered polls of feeds count (GET or HEAD, 200, 206 or 304, a feed's own
document); everything else is counted as other requests. A bot's polls are
counted apart. A hosted reader's polls carry its subscribers; a person's reader
is one client, the hash of its address and User-Agent under its day's key.
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from feeds.site import feed_of_request
from feeds.stats.history import Poll, Reported, Seen
from feeds.stats.readers import Client, Kind, classify

ANSWERED = {b"200", b"206", b"304"}
SITE = "*"  # the feed name of a client counted for the whole site


@dataclass(slots=True)
class Figures:
    """What the requests of a run come to, as the history adds them."""

    polls: list[Poll] = field(default_factory=list)
    reported: list[Reported] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    bots: Counter[tuple[str, str]] = field(default_factory=Counter)
    other: int = 0  # requests that are no answered poll of a feed


@dataclass(frozen=True, slots=True)
class FeedRequest:
    """One distinct request that polled a feed, with what the rest needs of it."""

    day: str
    feed: str
    client: Client
    count: int
    not_modified: bool
    size: int
    address: bytes
    user_agent: bytes


def days_of(requests: Mapping[tuple[bytes, ...], int]) -> set[str]:
    """The UTC days these requests were made on."""
    return {utc_day(date, hour, zone) for (_, date, hour, zone, *_) in requests}


def count(requests: Mapping[tuple[bytes, ...], int], base_path: str,
          keys: Mapping[str, bytes]) -> Figures:
    """The figures of these requests (`feeds.stats.logs.LINE`'s tuples, counted);
    `base_path` is the site's path below its host ("/" or "/news/")."""
    figures = Figures()
    polls: Counter[tuple[str, str, str]] = Counter()
    not_modified: Counter[tuple[str, str, str]] = Counter()
    sizes: Counter[tuple[str, str, str]] = Counter()
    reported: dict[tuple[str, str, str, str], int] = {}
    seen: set[Seen] = set()
    for fields, times in requests.items():
        poll = _poll(fields, times, base_path)
        if poll is None:
            figures.other += times
            continue
        if poll.client.kind is Kind.BOT:
            figures.bots[poll.day, poll.client.name] += times
            continue
        key = (poll.day, poll.feed, poll.client.name)
        polls[key] += times
        not_modified[key] += times if poll.not_modified else 0
        sizes[key] += poll.size * times
        if poll.client.subscribers is not None:
            where = (*key, poll.client.subscription)
            reported[where] = max(reported.get(where, 0), poll.client.subscribers)
        else:
            client = _client(keys[poll.day], poll.address, poll.user_agent)
            seen.add(Seen(poll.day, poll.feed, poll.client.name, client))
            seen.add(Seen(poll.day, SITE, poll.client.name, client))
    figures.polls = [Poll(*key, polls[key], not_modified[key], sizes[key]) for key in polls]
    figures.reported = [Reported(*where, subscribers) for where, subscribers in reported.items()]
    figures.seen = sorted(seen, key=lambda s: (s.day, s.feed, s.reader, s.client))
    return figures


def _poll(fields: tuple[bytes, ...], times: int, base_path: str) -> FeedRequest | None:
    address, date, hour, zone, method, path, status, size, user_agent = fields
    if method not in (b"GET", b"HEAD") or status not in ANSWERED:
        return None
    feed = _feed(path, base_path)
    if feed is None:
        return None
    return FeedRequest(utc_day(date, hour, zone), feed, _classify(user_agent), times,
                 status == b"304", int(size) if size.isdigit() else 0, address, user_agent)


@functools.lru_cache(maxsize=4096)
def _feed(path: bytes, base_path: str) -> str | None:
    text = path.decode("utf-8", "replace")
    if not text.startswith(base_path):
        return None
    return feed_of_request(text[len(base_path):])


@functools.lru_cache(maxsize=65536)
def _classify(user_agent: bytes) -> Client:
    return classify(user_agent.decode("utf-8", "replace"))


@functools.lru_cache(maxsize=4096)
def utc_day(date: bytes, hour: bytes, zone: bytes) -> str:
    """The UTC day of a log's local date, hour and zone (`04/Dec/2026`, `23`, `+0700`)."""
    local = datetime.strptime(b" ".join((date, hour, zone)).decode(), "%d/%b/%Y %H %z")
    return local.astimezone(UTC).date().isoformat()


def _client(key: bytes, address: bytes, user_agent: bytes) -> str:
    """A client as the history keeps it: its address and User-Agent, hashed."""
    return hashlib.blake2b(address + b"\0" + user_agent, key=key, digest_size=8).hexdigest()
