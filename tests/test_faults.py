"""Environment faults: each gives a clear log line, no partial file, the last good
feeds left in place, and recovery once the fault clears."""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest

from feeds.config import Settings
from feeds.daemon import Daemon, SettleTracker
from feeds.output import Output
from feeds.state import State
from tests.conftest import SEED_DUNIA_2024, SEED_DUNIA_2025, build, make_settings, snapshot
from tests.test_daemon import NOW

QUIET_NS = 60 * 10**9


def published_once(tmp_path: Path) -> Settings:
    settings = make_settings(tmp_path, settle_seconds=0)
    shutil.copy(SEED_DUNIA_2024, settings.input_dir / "a.txt")
    build(settings)
    return settings


def drop_second_dump(settings: Settings) -> None:
    target = settings.input_dir / "b.txt"
    shutil.copy(SEED_DUNIA_2025, target)
    os.utime(target, ns=(target.stat().st_mtime_ns - QUIET_NS,) * 2)


def titles(settings: Settings) -> list[str]:
    feed = feedparser.parse((settings.output_dir / "atom.xml").read_bytes())
    return [entry.title for entry in feed.entries]


def visible_files(root: Path) -> dict[str, bytes]:
    return {k: v[0] for k, v in snapshot(root).items() if not Path(k).name.startswith(".")}


def full_disk(*_: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


# Where a full disk shows: writing a file, or syncing what was written (a daemon's
# pass writes a few files, each synced on its own).
FULL_DISK_AT = {"write": (os, "write"), "sync": (os, "fsync")}


@pytest.mark.parametrize("where", sorted(FULL_DISK_AT))
def test_disk_full_keeps_the_last_good_feeds_and_recovers(
        where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    settings = published_once(tmp_path)
    before = visible_files(settings.output_dir)
    drop_second_dump(settings)
    module, name = FULL_DISK_AT[where]
    real_call = getattr(module, name)
    monkeypatch.setattr(module, name, full_disk)
    caplog.set_level(logging.INFO, logger="feeds")
    with State(settings.state_path) as state:
        daemon = Daemon(settings, state, tracker=SettleTracker(0, inotify=False))
        assert daemon.full_pass() is None
        assert daemon.full_pass() is None
        errors = [r.message for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1 and "No space left on device" in errors[0]
        after = visible_files(settings.output_dir)
        assert {path: after.get(path) for path in before} == before  # nothing half, nothing lost
        # The new article's page may already be there (pages are written before the
        # feeds that link to them), but only whole.
        assert all(data.rstrip().endswith(b"</html>") for path, data in after.items()
                   if path not in before)
        assert not list(settings.output_dir.rglob(".*.tmp"))  # no temporary left
        monkeypatch.setattr(module, name, real_call)
        assert daemon.full_pass() is not None
    assert len(titles(settings)) == 2
    assert "recovered: publishing again" in caplog.messages


def test_input_directory_deleted_while_running(tmp_path: Path,
                                               caplog: pytest.LogCaptureFixture) -> None:
    settings = published_once(tmp_path)
    shutil.rmtree(settings.input_dir)
    caplog.set_level(logging.INFO, logger="feeds")
    with State(settings.state_path) as state:
        daemon = Daemon(settings, state, tracker=SettleTracker(0, inotify=False))
        assert daemon.full_pass() is None
        assert any("input directory not found" in m for m in caplog.messages)
        assert titles(settings) == ["Maroko dan Prancis Perkuat Kerjasama Keamanan Bilateral"]
        settings.input_dir.mkdir()
        drop_second_dump(settings)
        assert daemon.full_pass() is not None
    assert len(titles(settings)) == 2  # the first entry outlived its deleted dump


def test_locked_state_database(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = published_once(tmp_path)
    drop_second_dump(settings)
    blocker = sqlite3.connect(settings.state_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    caplog.set_level(logging.INFO, logger="feeds")
    with State(settings.state_path, busy_timeout=0.2) as state:
        daemon = Daemon(settings, state, tracker=SettleTracker(0, inotify=False))
        assert daemon.full_pass() is None
        assert any("cannot write the state: database is locked" in m for m in caplog.messages)
        assert len(titles(settings)) == 1
        blocker.execute("ROLLBACK")
        blocker.close()
        assert daemon.full_pass() is not None
    assert len(titles(settings)) == 2


def test_locked_state_makes_build_exit_1_with_a_message(tmp_path: Path) -> None:
    settings = published_once(tmp_path)
    drop_second_dump(settings)
    blocker = sqlite3.connect(settings.state_path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        result = subprocess.run(
            [sys.executable, "-m", "feeds", "build", "--input", str(settings.input_dir),
             "--output", str(settings.output_dir), "--state", str(settings.state_path)],
            capture_output=True, text=True, timeout=60, check=False)
    finally:
        blocker.close()
    assert result.returncode == 1
    assert "database is locked" in result.stderr and "Traceback" not in result.stderr


def test_clock_jumping_backwards_changes_nothing_published(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, settle_seconds=0)
    clock = [NOW]
    shutil.copy(SEED_DUNIA_2024, settings.input_dir / "a.txt")
    with State(settings.state_path) as state:
        daemon = Daemon(settings, state, clock=lambda: clock[0],
                        tracker=SettleTracker(0, inotify=False))
        daemon.full_pass()
        clock[0] = NOW - timedelta(days=400)  # the machine's clock jumps back a year
        drop_second_dump(settings)
        report = daemon.full_pass()
        assert report is not None and report.parsed == 1
    reference = make_settings(tmp_path / "reference")
    for name in ("a.txt", "b.txt"):
        shutil.copy2(settings.input_dir / name, reference.input_dir / name)
    build(reference)
    assert visible_files(settings.output_dir) == visible_files(reference.output_dir)


def test_a_stale_temporary_from_a_killed_writer_is_swept(tmp_path: Path) -> None:
    output = Output(tmp_path)
    output.write("feed.xml", b"<x/>")
    (tmp_path / ".feed.xml.4242.tmp").write_bytes(b"<x")
    (tmp_path / ".keep").write_bytes(b"not ours")
    assert output.sweep_temporaries() == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [".keep", "feed.xml"]


def test_the_run_after_an_interrupted_writer_sweeps_its_temporaries(tmp_path: Path) -> None:
    from feeds.publish import WRITING
    from feeds.state import State

    settings = make_settings(tmp_path)
    shutil.copy(SEED_DUNIA_2024, settings.input_dir / "a.txt")
    build(settings)
    stale = settings.output_dir / "category" / ".rss.xml.4242.tmp"
    stale.write_bytes(b"<x")
    build(settings)  # the last writer finished: nothing to sweep, nothing walked
    assert stale.exists()
    with State(settings.state_path) as state, state.transaction():
        state.set_meta(WRITING, "yes")  # as a writer killed half-way leaves it
    report = build(settings)
    assert not stale.exists() and report.files_written == 0
    with State(settings.state_path) as state:
        assert state.meta(WRITING) == ""


def test_paths_that_cannot_work_are_refused_at_start(tmp_path: Path) -> None:
    (tmp_path / "in").write_text("a file, not a directory", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "feeds", "build", "--input",
                             str(tmp_path / "in"), "--output", str(tmp_path / "out"),
                             "--state", str(tmp_path / "s.db")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "paths.input: expected a directory" in result.stderr
