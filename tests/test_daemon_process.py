"""The real daemon as a subprocess: atomic drops, slow writers, SIGTERM, restart, lock."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import feedparser
import pytest

from feeds.parse import parse_file
from tests.conftest import OPTIONS, SEED_DUNIA_2024, SEED_DUNIA_2025

SLOW_TITLE = "Judul Dari Penulis Yang Lambat"


def write_config(root: Path, safety_interval: float = 300.0) -> Path:
    config = root / "feeds.toml"
    config.write_text(f"""
[site]
title = "Warta Uji"
[paths]
input = "{root / 'input'}"
output = "{root / 'output'}"
state = "{root / 'state' / 'feeds.sqlite3'}"
[daemon]
interval = 1.0
safety_interval = {safety_interval}
settle_seconds = 10.0
log_level = "INFO"
""", encoding="utf-8")
    (root / "input").mkdir(exist_ok=True)
    return config


def start(config: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as handle:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, "-m", "feeds", "run", "-c", str(config)],
                                stdout=handle, stderr=subprocess.STDOUT)


def wait_for(condition: Callable[[], bool], timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def titles(root: Path) -> list[str]:
    path = root / "output" / "atom.xml"
    if not path.exists():
        return []
    return [entry.title for entry in feedparser.parse(path.read_bytes()).entries]


def atomic_drop(source: Path, target: Path) -> None:
    """The producer protocol: write `.name.part`, then rename into place."""
    partial = target.with_name(f".{target.name}.part")
    shutil.copy(source, partial)
    partial.rename(target)


@pytest.fixture
def daemon_root(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    subprocess.run(["pkill", "-KILL", "-f", str(tmp_path / "feeds.toml")], check=False)


@pytest.mark.slow
def test_daemon_end_to_end(daemon_root: Path) -> None:
    root = daemon_root
    config = write_config(root)
    log = root / "daemon.log"
    daemon = start(config, log)
    try:
        assert wait_for(lambda: (root / "output" / "index.html").exists()), log.read_text()
        # A second instance on the same state is refused, clearly.
        second = subprocess.run([sys.executable, "-m", "feeds", "run", "-c", str(config)],
                                capture_output=True, text=True, timeout=30, check=False)
        assert second.returncode == 1
        assert "in use by pid" in second.stderr

        atomic_drop(SEED_DUNIA_2025, root / "input" / "a.txt")
        assert wait_for(lambda: len(titles(root)) == 1), log.read_text()

        # A slow writer: half a page, a pause with the file open, then the rest.
        page = SEED_DUNIA_2024.read_text(encoding="utf-8").replace(
            "Maroko dan Prancis Perkuat Kerjasama Keamanan Bilateral", SLOW_TITLE)
        half = len(page) // 3
        with (root / "input" / "slow.txt").open("w", encoding="utf-8") as writer:
            writer.write(page[:half])
            writer.flush()
            time.sleep(3.5)  # longer than the poll; only its close says it is whole
            assert SLOW_TITLE not in titles(root)
            writer.write(page[half:])
        assert wait_for(lambda: SLOW_TITLE in titles(root)), log.read_text()
        assert len(titles(root)) == 2
        # Pages follow the feeds: a stop before them leaves them to the next start.
        assert wait_for(lambda: len(list((root / "output" / "artikel").rglob("*.html"))) == 2)
    finally:
        started = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=10) == 0
    assert time.monotonic() - started < 5
    text = log.read_text()
    assert "rejected" not in text  # the half-written page was never read as a page
    assert text.count("published") == 2

    # Every feed is whole after the stop.
    for feed in (root / "output").rglob("*.xml"):
        assert not feedparser.parse(feed.read_bytes()).bozo, feed
    for feed in (root / "output").rglob("feed.json"):
        json.loads(feed.read_bytes())

    # A restart reparses nothing and duplicates nothing.
    before = {p: p.stat().st_mtime_ns for p in (root / "output").rglob("*") if p.is_file()}
    daemon = start(config, log)
    try:
        assert wait_for(lambda: log.read_text().count("watching") == 2)
        time.sleep(2.5)
    finally:
        daemon.send_signal(signal.SIGINT)
        assert daemon.wait(timeout=10) == 0
    assert log.read_text().count("published") == 2
    assert sorted(titles(root)) == sorted(
        [SLOW_TITLE, "Maroko Dorong Pembentukan Infrastruktur Keamanan di Forum Internasional "
                     "Moskow"])
    after = {p: p.stat().st_mtime_ns for p in (root / "output").rglob("*") if p.is_file()}
    assert after == before
    status = subprocess.run([sys.executable, "-m", "feeds", "status", "-c", str(config)],
                            capture_output=True, text=True, check=True)
    assert "state: 2 entries in 1 category\n" in status.stdout
    assert "state: 0 rejected files" in status.stdout


@pytest.mark.slow
def test_every_pass_of_the_daemon_reads_a_directory_named_like_a_dump(
        daemon_root: Path) -> None:
    root = daemon_root
    config = write_config(root, safety_interval=1.0)  # full passes all along, beside events
    more, staging = root / "input" / "more.txt", root / "input" / ".staging"
    more.mkdir()
    staging.mkdir()
    shutil.copy(SEED_DUNIA_2024, more / "old.txt")
    os.utime(more / "old.txt", (time.time() - 60,) * 2)  # settled before the start
    os.mkfifo(root / "input" / "x.txt")
    old, new = (parse_file(seed, OPTIONS).title for seed in (SEED_DUNIA_2024, SEED_DUNIA_2025))
    log = root / "daemon.log"
    daemon = start(config, log)
    try:
        assert wait_for(lambda: titles(root) == [old]), log.read_text()  # the first full pass
        (staging / "c.txt").write_text(SEED_DUNIA_2024.read_text(encoding="utf-8").replace(
            old, SLOW_TITLE), encoding="utf-8")  # closed in a hidden folder: not to publish
        atomic_drop(SEED_DUNIA_2025, more / "new.txt")  # published by its event
        assert wait_for(lambda: len(titles(root)) == 2), log.read_text()
        time.sleep(2.5)  # full passes meanwhile
        assert sorted(titles(root)) == sorted([old, new])
        staging.rename(root / "input" / "batch")  # the folder's files come in together
        assert wait_for(lambda: SLOW_TITLE in titles(root)), log.read_text()
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=10) == 0
    text = log.read_text()
    assert text.count("passed over") == 1, text
    assert f"passed over {root / 'input' / 'x.txt'}: a FIFO (named pipe), not a regular " \
           "file" in text
    rebuild = subprocess.run([sys.executable, "-m", "feeds", "build", "--rebuild", "-c",
                              str(config)], capture_output=True, text=True, check=False)
    assert rebuild.returncode == 0, rebuild.stderr
    assert "3 parsed" in rebuild.stderr
    assert sorted(titles(root)) == sorted([old, new, SLOW_TITLE])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.slow
def test_a_removed_and_remade_input_directory_is_watched_again(daemon_root: Path) -> None:
    root = daemon_root
    config = write_config(root)
    log = root / "daemon.log"
    daemon = start(config, log)
    try:
        assert wait_for(lambda: "watching" in log.read_text()), log.read_text()
        assert wait_for(lambda: (root / "output" / "index.html").exists()), log.read_text()
        shutil.rmtree(root / "input")
        assert wait_for(lambda: "input directory not found" in log.read_text()), log.read_text()
        used = cpu_seconds(daemon.pid)
        time.sleep(3)  # the fault lasts: retried at the poll's pace, not in a busy loop
        assert cpu_seconds(daemon.pid) - used < 0.5
        (root / "input").mkdir()
        assert wait_for(lambda: "watching" in log.read_text().split("not found")[-1])
        atomic_drop(SEED_DUNIA_2025, root / "input" / "a.txt")  # an event on the new watch
        assert wait_for(lambda: len(titles(root)) == 1, timeout=5), log.read_text()
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=10) == 0
    text = log.read_text()
    assert "recovered: publishing again" in text
    assert "WARNING" not in text.replace("WARNING feeds.daemon", "")  # no scheduler warnings


@pytest.mark.slow
def test_a_directory_moved_in_from_outside_is_published_at_once_and_watched(
        daemon_root: Path) -> None:
    root = daemon_root
    config = write_config(root)  # the safety pass is far off: only events can publish
    outside = root / "outside" / "batch"
    (outside / "deeper").mkdir(parents=True)
    shutil.copy(SEED_DUNIA_2024, outside / "a.txt")
    later = SEED_DUNIA_2025.read_text(encoding="utf-8").replace(
        parse_file(SEED_DUNIA_2025, OPTIONS).title, SLOW_TITLE)
    old, new = (parse_file(seed, OPTIONS).title for seed in (SEED_DUNIA_2024, SEED_DUNIA_2025))
    log = root / "daemon.log"
    daemon = start(config, log)
    try:
        assert wait_for(lambda: (root / "output" / "index.html").exists()), log.read_text()
        shutil.copy(SEED_DUNIA_2025, outside / "deeper" / "b.txt")  # written after the start
        outside.rename(root / "input" / "batch")  # no IN_MOVED_FROM pairs this move
        assert wait_for(lambda: sorted(titles(root)) == sorted([old, new]), timeout=5), \
            log.read_text()
        # The moved-in folders are watched: a dump written there is an event of its own.
        (root / "input" / "batch" / "deeper" / "c.txt").write_text(later, encoding="utf-8")
        assert wait_for(lambda: SLOW_TITLE in titles(root), timeout=5), log.read_text()
        # So is a folder made in the input, and one made inside that.
        made = root / "input" / "made" / "inner"
        made.mkdir(parents=True)
        atomic_drop(SEED_DUNIA_2024, made / "d.txt")
        (made / "e.txt").write_text(later.replace(SLOW_TITLE, "Judul Yang Keempat"),
                                    encoding="utf-8")
        assert wait_for(lambda: "Judul Yang Keempat" in titles(root), timeout=5), \
            log.read_text()
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=10) == 0
    assert "events had not reported" not in log.read_text()
