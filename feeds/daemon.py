"""`feeds run`: the publisher as a service.

An APScheduler interval job runs `publish` (the same function `feeds build`
runs) over the input directory; inotify, through watchdog, wakes it as soon as
a file is complete, on top of the polling, never instead of it. A file is
complete when it was renamed into the directory or its writer closed it; where
inotify is unavailable, once its size and mtime held still for the settle time.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler
from watchdog.events import FileClosedEvent, FileMovedEvent, FileSystemEvent, FileSystemEventHandler
from watchdog.observers.inotify import InotifyObserver

from feeds.config import Settings
from feeds.inputs import Stat, has_writer, is_dump_name
from feeds.publish import UNNAMABLE, Clock, Report, publish, system_clock
from feeds.server import Server
from feeds.state import State
from feeds.websub import HubNotifier, changed_feed_urls

log = logging.getLogger("feeds.daemon")
JOB_ID = "scan"


class SettleTracker:
    """Decides whether a changed input file is complete enough to publish.

    With inotify, a file written while it is watched is complete only once its
    writer closed it or it was renamed into place (a writer that pauses with
    the file open is never read half-way). A file that was already there when
    the watch began is complete as soon as no process holds it open for
    writing, where the kernel can tell (`has_writer`, given `input_dir`); if a
    writer still has it, its close will tell. Any other file, and every file
    without inotify, is complete once its size and mtime held still for
    `settle_seconds`: its mtime is that old, or this tracker saw the same size
    and mtime that long ago (on the monotonic clock).
    """

    def __init__(self, settle_seconds: float, *, inotify: bool, input_dir: Path | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 wall_ns: Callable[[], int] = time.time_ns) -> None:
        self.settle_seconds = settle_seconds
        self.inotify = inotify
        self.input_dir = input_dir
        self.watch_started_ns = wall_ns()
        self._monotonic = monotonic
        self._wall_ns = wall_ns
        self._complete: dict[str, tuple[int, int]] = {}
        self._observed: dict[str, tuple[int, int, float]] = {}
        self._hinted: set[str] = set()
        self._lock = threading.Lock()

    def completed(self, relative: str, stat: Stat) -> None:
        """An event said the file is whole as it is now."""
        with self._lock:
            self._complete[relative] = (stat.st_size, stat.st_mtime_ns)
            self._hinted.add(relative)

    def take_hints(self) -> set[str]:
        """The files events completed since the last call."""
        with self._lock:
            hinted, self._hinted = self._hinted, set()
            return hinted

    def __call__(self, relative: str, stat: Stat) -> bool:
        key = (stat.st_size, stat.st_mtime_ns)
        with self._lock:
            if self._complete.get(relative) == key:
                return True
            if self.inotify and stat.st_mtime_ns >= self.watch_started_ns:
                return False  # written under watch: its close or rename will tell
            if self._wall_ns() - stat.st_mtime_ns >= self.settle_seconds * 1e9:
                return True
            if self.inotify and self.input_dir is not None:
                writer = has_writer(f"{self.input_dir}/{relative}")
                if writer is not None:
                    return not writer
            now = self._monotonic()
            observed = self._observed.get(relative)
            if observed is None or observed[:2] != key:
                self._observed[relative] = (*key, now)
                return self.settle_seconds <= 0
            return now - observed[2] >= self.settle_seconds

    def forget(self, relative: str) -> None:
        with self._lock:
            self._complete.pop(relative, None)
            self._observed.pop(relative, None)


class _CompletionHandler(FileSystemEventHandler):
    """Turns close-after-write and moved-in events into "complete" marks and a scan."""

    def __init__(self, input_dir: Path, tracker: SettleTracker, wake: Callable[[], None]) -> None:
        self.input_dir = input_dir
        self.tracker = tracker
        self.wake = wake

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory:
            return
        if isinstance(event, FileMovedEvent):
            path = Path(os.fsdecode(event.dest_path))
        elif isinstance(event, FileClosedEvent):
            path = Path(os.fsdecode(event.src_path))
        else:
            return
        if not is_dump_name(path.name):
            return
        try:
            stat = path.stat()
            relative = path.relative_to(self.input_dir).as_posix()
        except (OSError, ValueError):
            return
        self.tracker.completed(relative, stat)
        self.wake()


class Daemon:
    """The scan job and what drives it. `scan` is what the tests call with a pinned clock."""

    def __init__(self, settings: Settings, state: State, *, clock: Clock = system_clock,
                 tracker: SettleTracker | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 notifier: HubNotifier | None = None) -> None:
        self.settings = settings
        self.state = state
        self.clock = clock
        self.tracker = tracker or SettleTracker(settings.settle_seconds, inotify=False)
        self.stopping = threading.Event()
        self._scheduler: BackgroundScheduler | None = None
        self._scan_lock = threading.Lock()
        self._wanted = threading.Event()
        self._last_error: str | None = None
        self._monotonic = monotonic
        self._last_full_scan = -float("inf")
        self.notifier = notifier
        # Files rejected for their names: the state cannot record them, so every
        # pass meets them again, and the log says so once.
        self._unnamable_logged: set[str] = set()

    def _log_report(self, report: Report) -> None:
        for path, reason in report.rejected:
            if reason == UNNAMABLE:
                if path in self._unnamable_logged:
                    continue
                self._unnamable_logged.add(path)
            log.warning("rejected %s: %s", self.settings.input_dir / path, reason)
        for entry_id in sorted(report.removed_entries):
            log.info("removed %s", entry_id)

    def scan(self) -> Report | None:
        """One pass over the input directory; errors are logged, never raised.

        A pass woken by events reads only the files they named, unless a whole
        interval went by without a full pass: then the whole directory is listed
        (polling is the safety net under inotify, never replaced by it)."""
        with self._scan_lock:
            self._wanted.clear()
            hinted = self.tracker.take_hints()
            since_full = self._monotonic() - self._last_full_scan
            full = not hinted or since_full >= self.settings.interval
            try:
                report = publish(self.settings, self.state, clock=self.clock,
                                 settled=self.tracker, stop=self.stopping.is_set,
                                 only=None if full else hinted)
            except Exception as error:  # the daemon must outlive any fault; it retries
                self._report_error(error)
                return None
            if full:  # the interval counts from the end of a full pass
                self._last_full_scan = self._monotonic()
            if self._last_error is not None:
                log.info("recovered: publishing again")
                self._last_error = None
            self._log_report(report)
            if self.notifier is not None:
                self.notifier.notify(changed_feed_urls(report.written, self.settings.base_url))
        if self._wanted.is_set() and not self.stopping.is_set():
            self.wake()  # a file completed during the scan
        return report

    def wake(self) -> None:
        """Scan now (or right after the scan under way)."""
        self._wanted.set()
        scheduler = self._scheduler
        if scheduler is not None and not self._scan_lock.locked() and scheduler.running:
            job = scheduler.get_job(JOB_ID)
            if job is not None:
                job.modify(next_run_time=datetime.now(UTC))

    def _report_error(self, error: Exception) -> None:
        message = f"{type(error).__name__}: {error}"
        if message != self._last_error:  # once per distinct fault, not every interval
            log.error("scan failed, keeping the last good output: %s", message)
            self._last_error = message

    def run(self, interval: float) -> None:
        """Serve until SIGTERM or SIGINT; the scan in hand finishes first."""
        observer = self._watch()
        scheduler = BackgroundScheduler(timezone=UTC)
        scheduler.add_job(self.scan, "interval", seconds=interval, id=JOB_ID,
                          next_run_time=datetime.now(UTC),  # an immediate first run
                          coalesce=True, max_instances=1, misfire_grace_time=None)
        self._scheduler = scheduler
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        scheduler.start()
        log.info("watching %s every %gs (%s); publishing to %s", self.settings.input_dir,
                 interval, "inotify" if self.tracker.inotify else
                 f"polling, files settle after {self.settings.settle_seconds:g}s",
                 self.settings.output_dir)
        self.stopping.wait()
        log.info("stopping")
        scheduler.shutdown(wait=True)
        if observer is not None:
            observer.stop()
            observer.join(timeout=5)
        log.info("stopped")

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stopping.set()

    def _watch(self) -> InotifyObserver | None:
        try:
            observer = InotifyObserver(generate_full_events=True)
            observer.schedule(_CompletionHandler(self.settings.input_dir.resolve(), self.tracker,
                                                 self.wake),
                              str(self.settings.input_dir.resolve()), recursive=True)
            self.tracker.watch_started_ns = time.time_ns()  # events cover what changes from now
            self.tracker.inotify = True
            observer.start()
        except OSError as error:
            log.warning("inotify unavailable (%s): polling only", error)
            self.tracker.inotify = False
            return None
        return observer


def run_daemon(settings: Settings, interval: float, *, serve: bool = False) -> None:
    """Open the state (refusing a second instance) and publish until stopped;
    with `serve`, the HTTP server runs beside it."""
    with State(settings.state_path) as state:
        notifier = HubNotifier(settings.websub_hub) if settings.websub_hub else None
        daemon = Daemon(settings, state, notifier=notifier,
                        tracker=SettleTracker(settings.settle_seconds, inotify=True,
                                              input_dir=settings.input_dir))
        server = Server(settings) if serve else None
        if server is not None:
            server.start()
        try:
            daemon.run(interval)
        finally:
            if server is not None:
                server.close()
            if notifier is not None:
                notifier.close(wait=5)
