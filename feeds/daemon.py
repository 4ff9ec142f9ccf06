"""`feeds run`: the publisher as a service.

With inotify (through watchdog) events are the trigger: a file renamed into
the input directory, or closed by its writer, is published by a pass that
reads only the files events named, on a thread of its own, at once. A folder
made or moved in is listed by that pass (by the input rule), since the files it
brought came with no event of their own that says they are whole. A full
pass over the directory is the safety net, not a heartbeat: at start, when the
watch overflowed or was lost, and on a slow schedule (`daemon.safety_interval`).
It lists the directory and compares it with the state without holding up
events (on its own connection), and publishes only what changed. Without
inotify the full pass is the poll, every `daemon.interval`, and a file is
complete once its size and mtime held still for the settle time.

Both kinds of pass run `publish`, the function `feeds build` runs.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from apscheduler.schedulers.background import BackgroundScheduler
from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers.inotify import InotifyFullEmitter, InotifyObserver

from feeds.config import Settings
from feeds.errors import InputError, Rejection
from feeds.inputs import (
    Kind,
    Stat,
    has_writer,
    judge_path,
    list_input,
    scan_input,
    warn_passed_over,
)
from feeds.publish import Clock, Report, publish, system_clock
from feeds.publish.changes import find_changes, render_due
from feeds.server import Server
from feeds.state import State
from feeds.websub import HubNotifier, changed_feed_urls

if TYPE_CHECKING:
    from feeds.deploy import Store

log = logging.getLogger("feeds.daemon")
JOB_ID = "full pass"


@dataclass(frozen=True, slots=True)
class Observed:
    """A file's size and mtime, and since when (monotonic) they have held still."""

    size_and_mtime: tuple[int, int]
    since: float


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
        self._observed: dict[str, Observed] = {}
        self._hinted: set[str] = set()
        self._lock = threading.Lock()

    def completed(self, relative: str, stat: Stat) -> None:
        """An event said the file is whole as it is now."""
        with self._lock:
            self._complete[relative] = (stat.st_size, stat.st_mtime_ns)
            self._hinted.add(relative)

    def reported(self, relative: str) -> bool:
        """Whether an event ever said this file was complete."""
        with self._lock:
            return relative in self._complete

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
            if observed is None or observed.size_and_mtime != key:
                self._observed[relative] = Observed(key, now)
                return self.settle_seconds <= 0
            return now - observed.since >= self.settle_seconds

    def forget(self, relative: str) -> None:
        with self._lock:
            self._complete.pop(relative, None)
            self._observed.pop(relative, None)


class _WatchOverflowed(FileSystemEvent):
    """The kernel dropped events (IN_Q_OVERFLOW): only a full pass can tell what."""

    event_type = "overflowed"


class _Emitter(InotifyFullEmitter):
    """watchdog's inotify emitter, also telling its handler when the kernel's
    queue overflowed: watchdog rebuilds its watches then, but says so only in
    its log. (Where a watchdog release keeps its watch group elsewhere, only the
    safety schedule finds what an overflow lost.)"""

    def on_thread_start(self) -> None:
        super().on_thread_start()
        group = getattr(self, "_inotify", None)
        rebuild = getattr(group, "on_queue_overflow", None)
        if group is None or rebuild is None:
            return

        def overflowed() -> None:
            rebuild()
            self.queue_event(_WatchOverflowed(self.watch.path))

        group.on_queue_overflow = overflowed


class _Observer(InotifyObserver):
    def __init__(self) -> None:
        super().__init__(generate_full_events=True)
        self._emitter_class = _Emitter


class _CompletionHandler(FileSystemEventHandler):
    """Turns close-after-write and moved-in events into "complete" marks and an
    event pass, a folder made or moved in into a listing by that pass; an overflow
    into a full pass."""

    def __init__(self, input_dir: Path, daemon: Daemon) -> None:
        self.input_dir = input_dir
        self.daemon = daemon

    def dispatch(self, event: FileSystemEvent) -> None:
        if isinstance(event, _WatchOverflowed):
            log.info("the watch overflowed: a full pass follows")
            self.daemon.want_full_pass()
            return
        if isinstance(event, DirDeletedEvent) and Path(os.fsdecode(event.src_path)) == \
                self.input_dir:
            log.info("the input directory was removed: watching for it again")
            self.daemon.want_full_pass()
            return
        if isinstance(event, (DirCreatedEvent, DirMovedEvent)):
            # A folder moved in from outside the watch comes as a move with no source
            # and its files as mere creations: no close or rename says they are
            # whole. The events watchdog makes up for what is inside a new folder
            # (synthetic) are left out: the folder's listing covers them.
            appeared = event.dest_path if isinstance(event, DirMovedEvent) else event.src_path
            if appeared and not event.is_synthetic:
                self._appeared(Path(os.fsdecode(appeared)),
                               moved=isinstance(event, DirMovedEvent))
            return
        if event.is_directory:
            return
        if isinstance(event, FileMovedEvent):
            path = Path(os.fsdecode(event.dest_path))
        elif isinstance(event, FileClosedEvent):
            path = Path(os.fsdecode(event.src_path))
        else:
            return
        try:
            relative = path.relative_to(self.input_dir).as_posix()
            if judge_path(self.input_dir, relative).kind is not Kind.DUMP:
                return
            stat = path.stat()
        except (OSError, ValueError):
            return
        self.daemon.tracker.completed(relative, stat)
        self.daemon.wake()

    def _appeared(self, path: Path, *, moved: bool) -> None:
        try:
            relative = path.relative_to(self.input_dir).as_posix()
        except ValueError:
            return
        if relative != ".":
            self.daemon.folder_appeared(relative, moved=moved)


class Daemon:
    """The passes and what drives them: `run` starts a thread for each kind of
    pass, which runs `event_pass` or `full_pass` whenever one is due; the tests
    call those two with pinned clocks."""

    def __init__(self, settings: Settings, state: State, *, clock: Clock = system_clock,
                 tracker: SettleTracker | None = None,
                 notifier: HubNotifier | None = None, deploy: bool = False) -> None:
        self.settings = settings
        self.state = state
        self.clock = clock
        self.tracker = tracker or SettleTracker(settings.settle_seconds, inotify=False)
        self.stopping = threading.Event()
        self.notifier = notifier
        # With `deploy`, a deploy is owed from the start (the last one may have
        # been stopped) and after every pass that changed the output, until one
        # succeeds.
        self._deploy_owed = deploy
        self._deploying = deploy
        self._deploy_error: str | None = None
        self._store: Store | None = None  # opened by the first deploy, kept for the next
        self._publishing = threading.Lock()  # one writer of the state and the output
        self._events = threading.Event()  # files completed: an event pass is due
        self._full = threading.Event()  # a full pass is due
        self._full.set()  # the first pass is a full one
        # Folders made (False) or moved in (True) since the last event pass.
        self._appeared: dict[str, bool] = {}
        self._appeared_lock = threading.Lock()
        self._listed = False  # whether a full pass listed the input yet
        self._last_error: str | None = None
        # The full pass compares the listing with the state on a connection of its
        # own, so that events are never held up by it.
        self._reader: State | None = None
        self._observer: InotifyObserver | None = None  # while `run` watches
        self._watched: int | None = None  # the inode of the directory watched
        # Files rejected for their names: the state cannot record them, so every
        # pass meets them again, and the log says so once.
        self._unnamable_logged: set[str] = set()
        # What the last full pass passed over: each is said when first met, and
        # again only once it was gone or became something else.
        self._passed_over: dict[str, str] = {}

    @property
    def full_interval(self) -> float:
        """Seconds between full passes: the safety schedule under inotify, the poll without."""
        return self.settings.safety_interval if self.tracker.inotify else self.settings.interval

    def wake(self) -> None:
        """Files completed: an event pass, now (or right after the one under way)."""
        self._events.set()

    def want_full_pass(self) -> None:
        self._full.set()

    def folder_appeared(self, relative: str, *, moved: bool) -> None:
        """A folder was made or moved in: the next event pass lists it."""
        with self._appeared_lock:
            self._appeared[relative] = self._appeared.get(relative, False) or moved
        self.wake()

    def _list_appeared(self) -> None:
        """Mark complete the dumps in the folders that appeared, as `list_input`
        finds them. A file a writer still holds is left to its close, which the
        watch on the folder now sees; one the kernel cannot tell about is whole
        when its folder was moved in (the move is the producer's word, as for a
        file), else left to the safety pass."""
        with self._appeared_lock:
            appeared, self._appeared = self._appeared, {}
        input_dir = self.settings.input_dir
        for folder, moved in sorted(appeared.items()):
            if any(folder.startswith(f"{other}/") for other in appeared):
                continue  # listed with the folder it is in
            try:
                if judge_path(input_dir, folder).kind is not Kind.DIRECTORY:
                    continue  # hidden, or in a hidden folder, or gone
                listing = list_input(input_dir / folder)
            except (OSError, InputError):
                continue  # gone again: nothing to publish from it
            for name, stat in listing.dumps.items():
                writer = has_writer(f"{input_dir}/{folder}/{name}")
                if writer or (writer is None and not moved):
                    continue
                self.tracker.completed(f"{folder}/{name}", stat)

    def event_pass(self) -> Report | None:
        """Publish the files events named since the last pass, and the dumps in the
        folders they said appeared."""
        self._events.clear()
        self._list_appeared()
        hinted = self.tracker.take_hints()
        if not hinted:
            return None
        return self._publish(hinted)

    def full_pass(self) -> Report | None:
        """List the directory, compare it with the state, publish what changed."""
        self._full.clear()
        passed_over: dict[str, str] = {}
        try:
            reader = self._state_reader()
            changes = find_changes(scan_input(self.settings.input_dir, passed_over),
                                   reader.files.stat_keys())
            owed = render_due(self.settings, reader, self.clock())
        except Exception as error:  # the daemon must outlive any fault; it retries
            self._report_error(error)
            return None
        self._say_passed_over(passed_over)
        self._watch_again_if_lost()
        first, self._listed = not self._listed, True  # the first finds what came while down
        if not changes.changed and not changes.gone and not owed:
            self._recovered()
            if self._deploy_owed:
                with self._publishing:
                    self._deploy()
            return Report(unchanged=changes.unchanged)
        missed = [path for path in changes.changed if not self.tracker.reported(path)]
        if self.tracker.inotify and missed and not first:
            log.info("a full pass found %d %s that events had not reported", len(missed),
                     "file" if len(missed) == 1 else "files")
        report = self._publish(changes.changed + changes.gone)
        if report is not None:
            report.unchanged += changes.unchanged
        return report

    def _say_passed_over(self, passed_over: dict[str, str]) -> None:
        new = {path: why for path, why in passed_over.items()
               if self._passed_over.get(path) != why}
        warn_passed_over(self.settings.input_dir, new)
        self._passed_over = passed_over

    def _state_reader(self) -> State:
        if self._reader is None:
            self._reader = State(self.settings.state_path, lock=False)
        return self._reader

    def _publish(self, paths: list[str] | set[str]) -> Report | None:
        with self._publishing:
            try:
                # A few images a pass: a slow image host delays new dumps by
                # one probe's timeout at most.
                report = publish(self.settings, self.state, clock=self.clock,
                                 settled=self.tracker, stop=self.stopping.is_set,
                                 only=paths, probes=self.settings.images_concurrency)
            except Exception as error:  # the daemon must outlive any fault; it retries
                self._report_error(error)
                return None
            self._recovered()
            self._log_report(report)
            if report.images_due:
                self._full.set()  # the next few, in a pass of their own
            if self.notifier is not None:
                self.notifier.notify(changed_feed_urls(report.written, self.settings.base_url))
            if self._deploying:
                self._deploy_owed |= bool(report.files_written or report.removed_entries)
                self._deploy()
        return report

    def _deploy(self) -> None:
        """Deploy what the pass changed (the caller holds the publishing lock); a
        failure is said once and retried after the next pass, while the output
        goes on being published locally."""
        if not self._deploy_owed:
            return
        from feeds.deploy import deploy, open_store

        try:
            self._store = self._store or open_store(self.settings)
            report = deploy(self.settings, self.state, store=self._store)
        except Exception as error:  # the daemon outlives any store fault; it retries
            message = f"{type(error).__name__}: {error}"
            if message != self._deploy_error:
                log.error("deploy failed, retried after the next pass: %s", message)
                self._deploy_error = message
            return
        self._deploy_owed = False
        if self._deploy_error is not None:
            log.info("recovered: deploying again")
            self._deploy_error = None
        if report.changed:
            log.info("deployed to %s: %d put, %d deleted, %d requests", report.target,
                     len(report.uploaded), len(report.deleted), report.requests)

    def _recovered(self) -> None:
        if self._last_error is not None:
            log.info("recovered: publishing again")
            self._last_error = None

    def _log_report(self, report: Report) -> None:
        for rejected in report.rejected:
            if rejected.kind is Rejection.UNNAMABLE:
                if rejected.path in self._unnamable_logged:
                    continue
                self._unnamable_logged.add(rejected.path)
            log.warning("rejected %s: %s", self.settings.input_dir / rejected.path,
                        rejected.reason)
        for entry_id in sorted(report.removed_entries):
            log.info("removed %s", entry_id)

    def _report_error(self, error: Exception) -> None:
        message = f"{type(error).__name__}: {error}"
        if message != self._last_error:  # once per distinct fault, not every pass
            log.error("scan failed, keeping the last good output: %s", message)
            self._last_error = message
        self._full.set()  # whatever the fault hid, the next full pass finds

    def run(self) -> None:
        """Serve until SIGTERM or SIGINT; the pass in hand finishes first."""
        self._observer = self._watch()
        scheduler = BackgroundScheduler(timezone=UTC)
        # The job only asks for a pass: the pass runs on its own thread, so a pass
        # longer than the interval never makes the scheduler skip or warn.
        scheduler.add_job(self.want_full_pass, "interval", seconds=self.full_interval,
                          id=JOB_ID, coalesce=True, max_instances=1, misfire_grace_time=None)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        threads = [threading.Thread(target=self._loop, args=(self._events, self.event_pass),
                                    name="event passes"),
                   threading.Thread(target=self._loop, args=(self._full, self.full_pass),
                                    name="full passes")]
        for thread in threads:
            thread.start()
        scheduler.start()
        log.info("watching %s (%s); publishing to %s", self.settings.input_dir,
                 f"inotify, a full pass every {self.full_interval:g}s" if self.tracker.inotify
                 else f"polling every {self.full_interval:g}s, files settle after "
                      f"{self.settings.settle_seconds:g}s", self.settings.output_dir)
        self.stopping.wait()
        log.info("stopping")
        scheduler.shutdown(wait=True)
        self._events.set()
        self._full.set()
        for thread in threads:
            thread.join()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
        if self._reader is not None:
            self._reader.close()
        log.info("stopped")

    def _loop(self, wanted: threading.Event, run_pass: Callable[[], Report | None]) -> None:
        while not self.stopping.is_set():
            wanted.wait()
            if self._last_error is not None:  # while a fault lasts, retry at the poll's pace
                self.stopping.wait(self.settings.interval)
            if not self.stopping.is_set():
                run_pass()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stopping.set()

    def _watch_again_if_lost(self) -> None:
        """Watch the input directory afresh when the one watched is gone (removed,
        then made again) or its watch died; the full pass under way covers what
        came meanwhile."""
        if self._observer is None:
            return
        try:
            inode = self.settings.input_dir.stat().st_ino
        except OSError:
            return
        if inode == self._watched and self._observer.is_alive():
            return
        self._observer.stop()
        self._observer.join(timeout=5)
        self._observer = self._watch()
        log.info("watching %s again", self.settings.input_dir)

    def _watch(self) -> InotifyObserver | None:
        try:
            self._watched = self.settings.input_dir.stat().st_ino
            observer = _Observer()
            observer.schedule(_CompletionHandler(self.settings.input_dir.resolve(), self),
                              str(self.settings.input_dir.resolve()), recursive=True)
            self.tracker.watch_started_ns = time.time_ns()  # events cover what changes from now
            self.tracker.inotify = True
            observer.start()
        except OSError as error:
            log.warning("inotify unavailable (%s): polling only", error)
            self.tracker.inotify = False
            return None
        return observer


def run_daemon(settings: Settings, *, serve: bool = False, deploy: bool = False) -> None:
    """Open the state (refusing a second instance) and publish until stopped;
    with `serve`, the HTTP server runs beside it."""
    with State(settings.state_path) as state:
        notifier = HubNotifier(settings.websub_hub) if settings.websub_hub else None
        daemon = Daemon(settings, state, notifier=notifier, deploy=deploy,
                        tracker=SettleTracker(settings.settle_seconds, inotify=True,
                                              input_dir=settings.input_dir))
        server = Server(settings) if serve else None
        if server is not None:
            server.start()
        try:
            daemon.run()
        finally:
            if server is not None:
                server.close()
            if notifier is not None:
                notifier.close(wait=5)
