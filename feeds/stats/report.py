"""What `feeds stats` says, from the history: per feed and for the site, over the
last day, week (7 days) and month (30 days) of the history, the newest day the
logs hold ending each (not the clock's: the same history says the same).

A day's subscribers are what hosted readers reported that day (the most each
subscription said) plus the distinct clients of people's own readers. Clients are
hashed with a key of their day, so a client cannot be followed from one day to
the next: a week's or a month's subscribers are the mean of its days' (the days
the logs cover). Polls, the share answered 304 and bytes are sums.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from feeds.stats.count import SITE
from feeds.stats.history import History

WINDOWS = {"day": 1, "week": 7, "month": 30}
ALL_ARTICLES = "all articles"


@dataclass(frozen=True, slots=True)
class Figures:
    """One feed's (or the site's, or one reader's) figures over one window."""

    subscribers: float
    polls: int
    not_modified: int
    bytes: int

    @property
    def not_modified_share(self) -> float:
        return self.not_modified / self.polls if self.polls else 0.0


@dataclass(frozen=True, slots=True)
class FeedStats:
    """A feed ('' for all articles, '*' for the site): each window's figures, the
    month's by reader, and its subscribers each day of the history."""

    feed: str
    windows: dict[str, Figures]
    readers: dict[str, Figures]
    daily: dict[str, int]

    @property
    def label(self) -> str:
        return {"": ALL_ARTICLES, SITE: "site"}.get(self.feed, self.feed)


@dataclass(frozen=True, slots=True)
class StatsReport:
    first_day: str | None
    last_day: str | None
    feeds: list[FeedStats]  # the most subscribed (this month) first
    site: FeedStats
    bots: dict[str, int]  # polls of feeds by bots this month, by bot
    lines: int
    malformed: int

    def as_json(self) -> dict[str, object]:
        def feed(stats: FeedStats) -> dict[str, object]:
            return {"feed": stats.feed, "label": stats.label,
                    **{name: {**asdict(figures),
                              "not_modified_share": round(figures.not_modified_share, 4)}
                       for name, figures in stats.windows.items()},
                    "readers": {name: asdict(figures) for name, figures in stats.readers.items()},
                    "daily_subscribers": stats.daily}

        return {"first_day": self.first_day, "last_day": self.last_day,
                "lines_read": self.lines, "malformed_lines": self.malformed,
                "site": feed(self.site), "feeds": [feed(f) for f in self.feeds],
                "bots": self.bots}


@dataclass(frozen=True, slots=True)
class _Day:
    """Figures of one day of one feed by one reader."""

    subscribers: int = 0
    polls: int = 0
    not_modified: int = 0
    bytes: int = 0


def build_report(history: History, today: date | None = None) -> StatsReport:
    """The report; its windows end at the newest day of the history before `today`
    (a day still under way would count only the readers that polled so far), or at
    the newest day when the history holds no earlier one."""
    days = history.days()
    totals = history.totals()
    lines, malformed = totals.get("lines", 0), totals.get("malformed", 0)
    if not days:
        empty = FeedStats(SITE, {name: Figures(0, 0, 0, 0) for name in WINDOWS}, {}, {})
        return StatsReport(None, None, [], empty, {}, lines, malformed)
    complete = [day for day in days if today is None or day < today.isoformat()]
    last = date.fromisoformat(complete[-1] if complete else days[-1])
    month_start = (last - timedelta(days=WINDOWS["month"] - 1)).isoformat()
    rows = _rows(history, month_start)
    daily = history.daily_subscribers()
    stats = {feed: _feed_stats(feed, feed_rows, _every_day(daily.get(feed, {}), days), days,
                               last) for feed, feed_rows in rows.items()}
    stats.setdefault(SITE, _feed_stats(SITE, [], _every_day(daily.get(SITE, {}), days), days,
                                       last))
    feeds = sorted(set(stats) - {SITE},
                   key=lambda f: (-stats[f].windows["month"].subscribers, f))
    bots: dict[str, int] = defaultdict(int)
    for (_, bot), requests in history.bots(month_start).items():
        bots[bot] += requests
    return StatsReport(days[0], last.isoformat(), [stats[f] for f in feeds], stats[SITE],
                       dict(sorted(bots.items(), key=lambda b: (-b[1], b[0]))), lines, malformed)


def _every_day(daily: dict[str, int], days: list[str]) -> dict[str, int]:
    """A feed's subscribers on every day the logs cover: 0 on a day without any."""
    return {day: daily.get(day, 0) for day in days}


Row = tuple[str, str, "_Day"]  # day, reader, figures


def _rows(history: History, since: str) -> dict[str, list[Row]]:
    """Feed -> (day, reader, figures) since `since`; SITE sums the feeds' polls and
    reports, and has its own distinct clients."""
    rows: dict[str, list[Row]] = defaultdict(list)
    for poll in history.polls(since):
        figures = _Day(0, poll.polls, poll.not_modified, poll.bytes)
        rows[poll.feed].append((poll.day, poll.reader, figures))
        rows[SITE].append((poll.day, poll.reader, figures))
    for said in history.reported(since):
        for feed in (said.feed, SITE):
            rows[feed].append((said.day, said.reader, _Day(subscribers=said.subscribers)))
    for clients in history.clients(since):
        rows[clients.feed].append((clients.day, clients.reader,
                                   _Day(subscribers=clients.clients)))
    return rows


def _feed_stats(feed: str, rows: list[Row], daily: dict[str, int], days: list[str],
                last: date) -> FeedStats:
    windows = {name: _window(rows, days, last, length) for name, length in WINDOWS.items()}
    by_reader: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_reader[row[1]].append(row)
    readers = {reader: _window(reader_rows, days, last, WINDOWS["month"])
               for reader, reader_rows in by_reader.items()}
    ranked = dict(sorted(readers.items(), key=lambda r: (-r[1].subscribers, -r[1].polls, r[0])))
    return FeedStats(feed, windows, ranked, daily)


def _window(rows: list[Row], days: list[str], last: date, length: int) -> Figures:
    start, end = (last - timedelta(days=length - 1)).isoformat(), last.isoformat()
    covered = sum(1 for day in days if start <= day <= end)
    chosen = [figures for day, _, figures in rows if start <= day <= end]
    return Figures(round(sum(f.subscribers for f in chosen) / max(covered, 1), 1),
                   sum(f.polls for f in chosen), sum(f.not_modified for f in chosen),
                   sum(f.bytes for f in chosen))
