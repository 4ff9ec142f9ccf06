"""SIGKILL at random moments: builds and the daemon, killed over and over while
parsing, writing the state and writing feeds. After every kill the output is
whole and valid and the state opens; the next run converges to exactly the
output of a clean build."""

from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lxml import etree

from feeds.errors import DumpError
from feeds.parse import parse_file
from feeds.state import State
from tests.conftest import OPTIONS, generate_corpus, make_settings, snapshot

BUILD_KILLS = 40
DAEMON_KILLS = 15


CONFIG = """
[site]
title = "Warta Uji"
[daemon]
interval = 0.3
settle_seconds = 0
"""


def feeds_command(root: Path, *args: str) -> list[str]:
    config = root.parent / "feeds.toml"  # one configuration for every run, killed or clean
    if not config.exists():
        config.write_text(CONFIG, encoding="utf-8")
    return [sys.executable, "-m", "feeds", *args, "-c", str(config),
            "--input", str(root / "input"), "--output", str(root / "output"),
            "--state", str(root / "state" / "feeds.sqlite3")]


def assert_whole(root: Path, reference_ids: set[str]) -> None:
    """Every visible output file is complete; the state opens and holds no stranger."""
    output = root / "output"
    for path in output.rglob("*"):
        if not path.is_file() or path.name.startswith("."):
            continue  # a killed writer's temporary: never served, swept by the next run
        data = path.read_bytes()
        if path.suffix == ".xml" or path.suffix == ".opml":
            etree.fromstring(data)
        elif path.suffix == ".json":
            json.loads(data)
        elif path.suffix == ".html":
            assert data.rstrip().endswith(b"</html>"), path
    with State(root / "state" / "feeds.sqlite3") as state:
        ids = {key.entry_id for key in state.entries.page_keys()}
        rows = state.db.execute("SELECT count(*) FROM entries").fetchone()[0]
    assert len(ids) == rows and ids <= reference_ids


def possible_ids(dumps: list[Path]) -> set[str]:
    ids = set()
    for dump in dumps:
        try:
            ids.add(parse_file(dump, OPTIONS).id)
        except DumpError:
            continue
    return ids


def kill_build_later(root: Path, rng: random.Random, longest: float, *args: str) -> bool:
    """Start a build and SIGKILL it at a random moment; True when the kill landed."""
    process = subprocess.Popen(feeds_command(root, "build", *args), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0.05, longest))
    landed = process.poll() is None
    if landed:
        process.send_signal(signal.SIGKILL)
    process.wait()
    return landed


@pytest.mark.slow
def test_killed_builds_and_daemons_converge(tmp_path: Path) -> None:
    rng = random.Random(2026)
    corpus = generate_corpus(tmp_path / "corpus", 200, 0.3, seed=13)
    (corpus / "truth.jsonl").unlink()
    dumps = sorted(corpus.iterdir())
    allowed = possible_ids(dumps)
    root = tmp_path / "killed"
    make_settings(root)
    inputs = root / "input"
    first, second = len(dumps) // 2, len(dumps) * 7 // 10
    for dump in dumps[:first]:
        shutil.copy2(dump, inputs / dump.name)
    durations = []
    for _ in range(2):  # the second on warm caches: a cold first run would overstate it
        started = time.monotonic()
        subprocess.run(feeds_command(root, "build", "--rebuild"), check=False,
                       capture_output=True)
        durations.append(time.monotonic() - started)
    longest = min(durations)

    kills = rounds = 0
    while kills < BUILD_KILLS and rounds < 3 * BUILD_KILLS:
        rounds += 1
        if rounds == 10:  # more input arrives while builds keep dying
            for dump in dumps[first:second]:
                shutil.copy2(dump, inputs / dump.name)
        kills += kill_build_later(root, rng, longest, *(["--rebuild"] if rounds % 3 else []))
        assert_whole(root, allowed)

    arriving = dumps[second:]
    for number in range(DAEMON_KILLS):
        for dump in arriving[number::DAEMON_KILLS]:  # new dumps for each daemon to publish
            shutil.copy2(dump, inputs / dump.name)
        process = subprocess.Popen(feeds_command(root, "run"),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.4, 2.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
        assert_whole(root, allowed)
    assert kills >= BUILD_KILLS + DAEMON_KILLS >= 50

    # The next run converges to what a clean build of the same input writes.
    final = subprocess.run(feeds_command(root, "build"), capture_output=True, text=True,
                           check=False)
    assert final.returncode == 3, final.stderr  # the corpus holds invalid dumps
    reference = make_settings(tmp_path / "reference")
    for dump in sorted(inputs.iterdir()):
        shutil.copy2(dump, reference.input_dir / dump.name)
    subprocess.run(feeds_command(tmp_path / "reference", "build"), check=False,
                   capture_output=True)
    assert snapshot(root / "output").keys() == snapshot(reference.output_dir).keys()
    assert {k: v[0] for k, v in snapshot(root / "output").items()} == {
        k: v[0] for k, v in snapshot(reference.output_dir).items()}
    with State(root / "state" / "feeds.sqlite3") as state, \
            State(reference.state_path) as clean:
        assert ({key.entry_id for key in state.entries.page_keys()}
                == {key.entry_id for key in clean.entries.page_keys()})
        assert not state.work.pending()


def children(pid: int) -> set[int]:
    """The processes whose parent is `pid`, from /proc."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="ascii").rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def command_line(pid: int) -> bytes:
    """The process's command line, empty once it is gone."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_killed_build_leaves_no_worker_behind(tmp_path: Path) -> None:
    corpus = generate_corpus(tmp_path / "corpus", 600, 0.2, seed=21)  # enough for workers
    (corpus / "truth.jsonl").unlink()
    root = tmp_path / "killed"
    make_settings(root)
    for dump in corpus.iterdir():
        shutil.copy2(dump, root / "input" / dump.name)
    process = subprocess.Popen(feeds_command(root, "build"), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    deadline = time.monotonic() + 30
    while len(workers) < 2 and process.poll() is None and time.monotonic() < deadline:
        workers |= {pid for pid in children(process.pid) if b"spawn_main" in command_line(pid)}
        time.sleep(0.01)
    assert workers, "the build finished before it started its workers"
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while any(map(alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(alive, workers)), "workers outlived the build that started them"
