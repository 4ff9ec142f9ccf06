"""The daemon's scan, driven directly with pinned clocks."""

from __future__ import annotations

import logging
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from feeds.config import Settings
from feeds.daemon import Daemon, SettleTracker
from feeds.errors import Rejected, Rejection
from feeds.parse import parse_file
from feeds.publish import UNNAMABLE
from feeds.state import State
from tests.conftest import OPTIONS, SEED_DUNIA_2024, SEED_DUNIA_2025, build, make_settings, snapshot

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


class PinnedClocks:
    """A monotonic clock and a wall clock that only move when told."""

    def __init__(self) -> None:
        self.monotonic = 1000.0
        self.wall_ns = int(NOW.timestamp() * 1e9)

    def advance(self, seconds: float) -> None:
        self.monotonic += seconds
        self.wall_ns += int(seconds * 1e9)


def stat_at(path: Path, clocks: PinnedClocks) -> os.stat_result:
    os.utime(path, ns=(clocks.wall_ns, clocks.wall_ns))
    return path.stat()


def test_settle_without_inotify_waits_for_stillness(tmp_path: Path) -> None:
    clocks = PinnedClocks()
    tracker = SettleTracker(10, inotify=False, monotonic=lambda: clocks.monotonic,
                            wall_ns=lambda: clocks.wall_ns)
    dump = tmp_path / "a.txt"
    dump.write_bytes(b"half")
    assert not tracker("a.txt", stat_at(dump, clocks))
    clocks.advance(6)
    assert not tracker("a.txt", dump.stat())
    dump.write_bytes(b"half and more")  # it grew: the wait starts again
    grown = stat_at(dump, clocks)
    assert not tracker("a.txt", grown)
    clocks.advance(9.9)
    assert not tracker("a.txt", grown)
    clocks.advance(0.2)
    assert tracker("a.txt", grown)


def test_settle_with_inotify_waits_for_close_or_rename(tmp_path: Path) -> None:
    clocks = PinnedClocks()
    tracker = SettleTracker(10, inotify=True, monotonic=lambda: clocks.monotonic,
                            wall_ns=lambda: clocks.wall_ns)
    old = tmp_path / "old.txt"
    old.write_bytes(b"written before the daemon watched")
    os.utime(old, ns=(clocks.wall_ns - 60 * 10**9,) * 2)
    assert tracker("old.txt", old.stat())  # quiet for a minute: complete
    clocks.advance(1)
    paused = tmp_path / "paused.txt"
    paused.write_bytes(b"a writer that paused with the file open")
    stat = stat_at(paused, clocks)
    clocks.advance(3600)  # however long the pause, no close event: not complete
    assert not tracker("paused.txt", stat)
    tracker.completed("paused.txt", stat)  # its writer closed it
    assert tracker("paused.txt", stat)
    paused.write_bytes(b"reopened and appended")
    assert not tracker("paused.txt", stat_at(paused, clocks))


@pytest.fixture
def daemon_parts(tmp_path: Path) -> tuple[Settings, State, PinnedClocks]:
    settings = make_settings(tmp_path, settle_seconds=10)
    state = State(settings.state_path)
    yield settings, state, PinnedClocks()  # type: ignore[misc]
    state.close()


def make_daemon(settings: Settings, state: State, clocks: PinnedClocks) -> Daemon:
    tracker = SettleTracker(settings.settle_seconds, inotify=False,
                            monotonic=lambda: clocks.monotonic, wall_ns=lambda: clocks.wall_ns)
    return Daemon(settings, state, clock=lambda: NOW, tracker=tracker)


def entry_titles(settings: Settings) -> list[str]:
    feed = feedparser.parse((settings.output_dir / "atom.xml").read_bytes())
    return [entry.title for entry in feed.entries]


def test_scan_publishes_settled_files_once(daemon_parts: tuple[Settings, State, PinnedClocks],
                                           caplog: pytest.LogCaptureFixture) -> None:
    settings, state, clocks = daemon_parts
    daemon = make_daemon(settings, state, clocks)
    dump = settings.input_dir / "a.txt"
    shutil.copy(SEED_DUNIA_2025, dump)
    os.utime(dump, ns=(clocks.wall_ns, clocks.wall_ns))
    report = daemon.full_pass()
    assert report is not None and report.parsed == 0 and not state.files.seen(["a.txt"])
    clocks.advance(11)
    caplog.set_level(logging.INFO, logger="feeds")
    report = daemon.full_pass()
    assert report is not None and report.parsed == 1
    assert entry_titles(settings) == [
        "Maroko Dorong Pembentukan Infrastruktur Keamanan di Forum Internasional Moskow"]
    assert [r.message for r in caplog.records if r.message.startswith("published")] == [
        f"published {dump}: Maroko Dorong Pembentukan Infrastruktur Keamanan di Forum "
        f"Internasional Moskow [Dunia] {state.entries.page_keys()[0].entry_id}"]
    caplog.clear()
    again = daemon.full_pass()
    assert again is not None and again.parsed == 0 and again.files_written == 0
    assert not caplog.records  # quiet when idle


def test_rejected_dump_is_reported_once_and_retried_when_it_changes(
        daemon_parts: tuple[Settings, State, PinnedClocks],
        caplog: pytest.LogCaptureFixture) -> None:
    settings, state, clocks = daemon_parts
    daemon = make_daemon(settings, state, clocks)
    dump = settings.input_dir / "bad.txt"
    dump.write_bytes(b"Berita\n\nJudul tanpa tanggal\n")
    os.utime(dump, ns=(clocks.wall_ns - 60 * 10**9,) * 2)
    caplog.set_level(logging.INFO, logger="feeds")
    for _ in range(3):
        daemon.full_pass()
    assert [r.message for r in caplog.records] == [f"rejected {dump}: no date line found"]
    assert [s.error for s in state.files.rejected()] == ["no date line found"]
    shutil.copy(SEED_DUNIA_2024, dump)
    os.utime(dump, ns=(clocks.wall_ns - 30 * 10**9,) * 2)
    report = daemon.full_pass()
    assert report is not None and report.parsed == 1 and report.rejected == []
    assert state.files.rejected() == []


def test_a_file_name_that_is_not_utf8_is_warned_about_once(
        daemon_parts: tuple[Settings, State, PinnedClocks],
        caplog: pytest.LogCaptureFixture) -> None:
    settings, state, clocks = daemon_parts
    daemon = make_daemon(settings, state, clocks)
    shutil.copy(SEED_DUNIA_2024, os.fsencode(settings.input_dir) + b"/\xffberita.txt")
    shutil.copy(SEED_DUNIA_2025, settings.input_dir / "good.txt")
    for dump in settings.input_dir.iterdir():
        os.utime(dump, ns=(clocks.wall_ns - 60 * 10**9,) * 2)
    caplog.set_level(logging.WARNING, logger="feeds")
    reports = [daemon.full_pass() for _ in range(3)]
    assert [r.message for r in caplog.records] == [
        f"rejected {settings.input_dir}/\udcffberita.txt: file name is not valid UTF-8; "
        "rename the file to publish it"]
    assert [len(r.rejected) for r in reports if r is not None] == [1, 1, 1]
    assert entry_titles(settings) == [parse_file(SEED_DUNIA_2025, OPTIONS).title]


def test_a_changed_dump_updates_its_entry_in_place(
        daemon_parts: tuple[Settings, State, PinnedClocks]) -> None:
    settings, state, clocks = daemon_parts
    daemon = make_daemon(settings, state, clocks)
    dump = settings.input_dir / "a.txt"
    seed = SEED_DUNIA_2024.read_text(encoding="utf-8")
    dump.write_text(seed, encoding="utf-8")
    os.utime(dump, ns=(clocks.wall_ns - 60 * 10**9,) * 2)
    daemon.full_pass()
    dump.write_text(seed.replace("tuturnya.", "tuturnya. Ralat."), encoding="utf-8")
    os.utime(dump, ns=(clocks.wall_ns - 30 * 10**9,) * 2)
    report = daemon.full_pass()
    assert report is not None and report.parsed == 1
    feed = feedparser.parse((settings.output_dir / "atom.xml").read_bytes())
    assert len(feed.entries) == 1 and "Ralat." in feed.entries[0].content[0].value
    assert feed.entries[0].updated != feed.entries[0].published


def test_the_daemon_survives_an_unwritable_output_and_recovers(
        daemon_parts: tuple[Settings, State, PinnedClocks],
        caplog: pytest.LogCaptureFixture) -> None:
    settings, state, clocks = daemon_parts
    daemon = make_daemon(settings, state, clocks)
    settings.output_dir.parent.mkdir(parents=True, exist_ok=True)
    settings.output_dir.write_bytes(b"a file where the output directory should be")
    dump = settings.input_dir / "a.txt"
    shutil.copy(SEED_DUNIA_2024, dump)
    os.utime(dump, ns=(clocks.wall_ns - 60 * 10**9,) * 2)
    caplog.set_level(logging.INFO, logger="feeds")
    assert daemon.full_pass() is None
    assert daemon.full_pass() is None
    errors = [r.message for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "scan failed, keeping the last good output" in errors[0]
    settings.output_dir.unlink()
    report = daemon.full_pass()
    assert report is not None
    assert entry_titles(settings) == ["Maroko dan Prancis Perkuat Kerjasama Keamanan Bilateral"]
    assert "recovered: publishing again" in caplog.messages


def test_daemon_scan_and_build_write_identical_bytes(tmp_path: Path) -> None:
    outputs = []
    for name in ("built", "scanned"):
        settings = make_settings(tmp_path / name, settle_seconds=0)
        for seed in (SEED_DUNIA_2024, SEED_DUNIA_2025):
            shutil.copy(seed, settings.input_dir / seed.name)
            os.utime(settings.input_dir / seed.name, (1_750_000_000, 1_750_000_000))
        if name == "built":
            build(settings)
        else:
            with State(settings.state_path) as state:
                Daemon(settings, state, tracker=SettleTracker(0, inotify=False)).full_pass()
        outputs.append({k: v[0] for k, v in snapshot(settings.output_dir).items()})
    assert outputs[0] == outputs[1]


def event_driven_daemon(settings: Settings, state: State, clocks: PinnedClocks
                        ) -> tuple[Daemon, SettleTracker]:
    """A daemon woken by (simulated) inotify events, after its first full pass."""
    tracker = SettleTracker(10, inotify=True, monotonic=lambda: clocks.monotonic,
                            wall_ns=lambda: clocks.wall_ns)
    daemon = Daemon(settings, state, clock=lambda: NOW, tracker=tracker)
    assert daemon.full_pass() is not None  # the first pass is a full one
    clocks.advance(0.5)
    return daemon, tracker


def test_event_wakes_read_only_the_files_named(
        daemon_parts: tuple[Settings, State, PinnedClocks]) -> None:
    settings, state, clocks = daemon_parts
    daemon, tracker = event_driven_daemon(settings, state, clocks)
    named, unnamed = settings.input_dir / "named.txt", settings.input_dir / "unnamed.txt"
    shutil.copy(SEED_DUNIA_2025, named)
    shutil.copy(SEED_DUNIA_2024, unnamed)
    os.utime(unnamed, ns=(clocks.wall_ns - 60 * 10**9,) * 2)  # quiet: a full pass takes it
    tracker.completed("named.txt", named.stat())
    report = daemon.event_pass()
    assert report is not None and report.parsed == 1
    assert state.files.seen(["named.txt"]) and not state.files.seen(["unnamed.txt"])
    clocks.advance(settings.safety_interval)
    report = daemon.full_pass()  # the safety schedule's full pass
    assert report is not None and report.parsed == 1 and state.files.seen(["unnamed.txt"])


def test_an_event_naming_a_file_that_is_not_utf8_costs_nothing_else(
        daemon_parts: tuple[Settings, State, PinnedClocks]) -> None:
    settings, state, clocks = daemon_parts
    daemon, tracker = event_driven_daemon(settings, state, clocks)
    bad = settings.input_dir / os.fsdecode(b"\xffberita.txt")
    shutil.copy(SEED_DUNIA_2024, bad)
    shutil.copy(SEED_DUNIA_2025, settings.input_dir / "good.txt")
    tracker.completed(bad.name, bad.stat())
    tracker.completed("good.txt", (settings.input_dir / "good.txt").stat())
    report = daemon.event_pass()  # woken by the events: reads only what they name
    assert report is not None and report.parsed == 1
    assert report.rejected == [Rejected("\udcffberita.txt", Rejection.UNNAMABLE, UNNAMABLE)]
    assert entry_titles(settings) == [parse_file(SEED_DUNIA_2025, OPTIONS).title]


def test_a_file_events_missed_is_published_by_the_safety_pass(
        daemon_parts: tuple[Settings, State, PinnedClocks],
        caplog: pytest.LogCaptureFixture) -> None:
    settings, state, clocks = daemon_parts
    daemon, _ = event_driven_daemon(settings, state, clocks)
    missed = settings.input_dir / "missed.txt"  # written while the watch was down
    shutil.copy(SEED_DUNIA_2025, missed)
    os.utime(missed, ns=(clocks.wall_ns - 60 * 10**9,) * 2)
    assert daemon.event_pass() is None  # no event named it: the event pass has nothing to do
    assert not state.files.seen(["missed.txt"])
    caplog.set_level(logging.INFO, logger="feeds.daemon")
    clocks.advance(settings.safety_interval)
    report = daemon.full_pass()
    assert report is not None and report.parsed == 1 and state.files.seen(["missed.txt"])
    assert "a full pass found 1 file that events had not reported" in caplog.messages
    clocks.advance(settings.safety_interval)
    caplog.clear()
    quiet = daemon.full_pass()  # nothing new: nothing read, nothing said
    assert quiet is not None and quiet.parsed == 0 and not caplog.messages


def test_an_overflowed_watch_asks_for_a_full_pass(
        daemon_parts: tuple[Settings, State, PinnedClocks]) -> None:
    settings, state, _ = daemon_parts
    tracker = SettleTracker(10, inotify=True, input_dir=settings.input_dir)
    daemon = Daemon(settings, state, tracker=tracker)
    daemon.full_pass()
    observer = daemon._watch()
    assert observer is not None
    try:
        assert not daemon._full.is_set()
        (emitter,) = observer.emitters
        emitter._inotify.on_queue_overflow()  # what the kernel's IN_Q_OVERFLOW calls
        deadline = time.monotonic() + 5
        while not daemon._full.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert daemon._full.is_set()
        shutil.copy(SEED_DUNIA_2025, settings.input_dir / "after.txt")  # the watch still works
        deadline = time.monotonic() + 5
        while not tracker.reported("after.txt") and time.monotonic() < deadline:
            time.sleep(0.01)
        assert tracker.reported("after.txt")
    finally:
        observer.stop()
        observer.join(timeout=5)


def test_a_folder_made_in_the_input_is_listed_and_a_held_file_waits_for_its_close(
        daemon_parts: tuple[Settings, State, PinnedClocks]) -> None:
    settings, state, _ = daemon_parts
    tracker = SettleTracker(10, inotify=True, input_dir=settings.input_dir)
    daemon = Daemon(settings, state, tracker=tracker)
    daemon.full_pass()
    observer = daemon._watch()
    assert observer is not None
    outside = settings.input_dir.parent / "elsewhere"
    (outside / "inner").mkdir(parents=True)
    shutil.copy(SEED_DUNIA_2025, outside / "inner" / "whole.txt")
    (outside / ".hidden").mkdir()
    shutil.copy(SEED_DUNIA_2024, outside / ".hidden" / "staged.txt")

    def event_pass() -> None:
        deadline = time.monotonic() + 5
        while not daemon._events.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # the rest of the burst
        daemon.event_pass()

    try:
        with (outside / "inner" / "held.txt").open("w", encoding="utf-8") as writer:
            writer.write(SEED_DUNIA_2024.read_text(encoding="utf-8")[:100])
            writer.flush()
            outside.rename(settings.input_dir / "batch")
            event_pass()
            assert state.files.seen(["batch/inner/whole.txt"])
            assert not state.files.seen(["batch/inner/held.txt"])  # its writer still has it
            writer.write(SEED_DUNIA_2024.read_text(encoding="utf-8")[100:])
        event_pass()  # its close, seen by the watch on the moved-in folder
        assert state.files.seen(["batch/inner/held.txt"])
        assert not state.files.seen(["batch/.hidden/staged.txt"])
    finally:
        observer.stop()
        observer.join(timeout=5)
