"""`feeds stats`: who reads the feeds, from the access logs.

    logs (`logs`) -> distinct requests, counted -> daily figures (`count`) ->
    the history (`history`, its own SQLite file) -> the report (`report`) ->
    the text, the JSON, and the newsroom's page (`page`)

A run reads what is new in each log, adds it to the history in one transaction
with what it read of each log, and reports from the whole history. Runs take
turns (a lock beside the history); the daemon never touches the history, so
`feeds stats` runs while it serves and publishes.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from feeds.config import Settings
from feeds.stats.count import Counting, RunFigures
from feeds.stats.history import History
from feeds.stats.logs import UNREADABLE, Log, Reading, Tally, read_log
from feeds.stats.report import StatsReport, build_report

__all__ = ["Run", "StatsReport", "default_logs", "history_path", "page_directory", "report",
           "update", "write_page"]

log = logging.getLogger("feeds.stats")


@dataclass(slots=True)
class Run:
    """What one run read: each log, its lines and the malformed ones, and the logs
    it could not read (name, reason)."""

    readings: list[Reading] = field(default_factory=list)
    lines: int = 0
    malformed: int = 0
    future: int = 0  # lines dated after tomorrow, skipped
    failed: list[tuple[str, str]] = field(default_factory=list)


def history_path(settings: Settings) -> Path:
    if settings.stats_history:
        return Path(settings.stats_history)
    return settings.state_path.parent / "stats.sqlite3"


def page_directory(settings: Settings) -> Path:
    """Where the page goes: the public output only when configured so."""
    if settings.stats_public:
        return settings.output_dir / "stats"
    return history_path(settings).parent / "stats"


def default_logs(settings: Settings) -> list[str]:
    """The configured logs, else the built-in server's log file and its rotations
    (`access.log.1`, `access.log.2.gz`, `access.log-20261204.gz`), oldest first."""
    if settings.stats_logs:
        found: list[str] = []
        for pattern in settings.stats_logs:  # absolute: the configuration resolved them
            path = Path(pattern)
            matches = sorted(path.parent.glob(path.name))
            found += [str(match) for match in matches] or [pattern]
        return found
    if settings.access_log in ("", "-"):
        return []
    current = Path(settings.access_log)
    rotated = sorted(current.parent.glob(current.name + "[.-]*"), reverse=True)
    return [str(path) for path in [*rotated, current] if path.is_file()]


def update(settings: Settings, names: Sequence[str], today: date | None = None) -> Run:
    """Read what is new in these logs ("-": standard input) into the history, the
    oldest log first (by its first line's time; standard input last). Lines dated
    after `today` (the clock's, UTC) and a day are skipped, and counted."""
    path = history_path(settings)
    run = Run()
    latest = ((today or datetime.now(UTC).date()) + timedelta(days=1)).isoformat()
    with _taking_turns(path), History(path) as history:
        already = history.consumed()
        counting = Counting(urlsplit(settings.base_url).path or "/",
                            history.key, history.held_days(),
                            latest)
        tally = Tally(counting.add)
        for log in _oldest_first([Log(name) for name in names]):
            try:
                reading = read_log(log, already, tally)
            except UNREADABLE as error:  # a bad log costs nothing else
                run.failed.append((log.name, getattr(error, "strerror", None) or str(error)))
                continue
            if reading.failure:
                run.failed.append((log.name, f"{reading.failure} (read up to byte "
                                             f"{reading.end}; the next run goes on from there)"))
            run.readings.append(reading)
            if reading.fingerprint is not None:
                already[reading.fingerprint] = reading.end
        figures = counting.figures()
        run.lines, run.malformed = tally.lines, tally.malformed + figures.malformed
        run.future = figures.future
        _store(history, figures, run)
    return run


def _oldest_first(logs: list[Log]) -> list[Log]:
    """Rotated logs are named every which way (`.1`, `.2.gz`, `-20261204.gz`): they
    are ordered by the time of their first line, so that days close in order."""
    times = {log.name: log.first_time() for log in logs}
    never = datetime.max.replace(tzinfo=UTC)
    return sorted(logs, key=lambda log: times[log.name] or never)


def _store(history: History, figures: RunFigures, run: Run) -> None:
    """Add a run's figures, and what it read of each log, in one transaction."""
    history.begin()
    try:
        history.add(figures.polls, figures.reported, figures.clients, figures.counted,
                    figures.bots)
        history.add_total("lines", run.lines)
        history.add_total("malformed", run.malformed)
        for reading in run.readings:
            if reading.fingerprint is not None:
                history.note_source(reading.fingerprint, reading.name, reading.end)
        history.close_days()
        history.commit()
    except BaseException:
        history.db.execute("ROLLBACK")
        raise


def report(settings: Settings, today: date | None = None) -> StatsReport:
    """The report from the history; windows end before `today` (the clock's, UTC)
    when the history holds a day before it."""
    with History(history_path(settings)) as history:
        return build_report(history, today or datetime.now(UTC).date())


def write_page(settings: Settings, summary: StatsReport) -> Path:
    """Write the page and its chart (only what changed); the page's path."""
    from feeds.output import Output
    from feeds.stats.page import PAGE, stats_files

    directory = page_directory(settings)
    Output(directory).write_all(stats_files(summary, settings.site_title))
    return directory / PAGE


@contextmanager
def _taking_turns(path: Path) -> Iterator[None]:
    """One run at a time adds to a history: the next waits for it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(path.name + ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield

