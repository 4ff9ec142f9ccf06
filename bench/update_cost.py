#!/usr/bin/env python3
"""What one new dump costs the daemon, at 2,000, 20,000 and 100,000 published entries.

    python bench/update_cost.py [--sizes 2000 20000 100000] [--drops 5]

For each size: publishes a generated corpus of that many dumps into a fresh
state (the time is printed too), then drops new dumps one at a time and
measures, side by side:
  - the work of one update, in process, through the daemon's event pass
    (the same `publish` path, woken by a completion event): wall and CPU
    milliseconds, SQL statements run, files written;
  - the real daemon's drop-to-feed latency: `feeds run` as a subprocess, a
    dump renamed into its input directory, the time until the category's
    Atom feed holds the new entry.
Corpora come from tests/corpus.py and are kept in bench/corpora/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from feeds.config import Settings, validate  # noqa: E402
from feeds.daemon import Daemon, SettleTracker  # noqa: E402
from feeds.publish import publish  # noqa: E402
from feeds.state import State  # noqa: E402

CORPORA = REPO / "bench" / "corpora"
CORPUS_EDGE = 0.1  # one dump in ten a hard case (variants, duplicates, corrections, junk)
WORK = REPO / "bench" / "work"
# Where a previous run's files wait until nothing is being measured.
TRASH = WORK / ".trash"
PROBE_FILES = 2000
SLOW_CREATION_US = 200


def corpus(count: int) -> Path:
    """A generated corpus of `count` dumps plus 50 spare ones, made once and kept."""
    target = CORPORA / f"dumps-{count + 50}"
    if not (target / "truth.jsonl").exists():  # in a process of its own, let go when done
        subprocess.run([sys.executable, "-m", "tests.corpus", str(target), "-n",
                        str(count + 50), "--edge", str(CORPUS_EDGE)], cwd=REPO, check=True)
    return target


def settings_for(root: Path) -> Settings:
    return validate(Settings(site_title="Bench", input_dir=root / "input",
                             output_dir=root / "output", state_path=root / "state.sqlite3",
                             settle_seconds=10))


def dump_files(source: Path) -> list[Path]:
    """A corpus's dumps in the order they were made (the first `count` are the corpus
    of that size, the rest are spares)."""
    # By number: a million dumps' names outgrow six digits, and `dump_1000000` sorts
    # as text before `dump_100001`.
    return sorted((path for path in source.iterdir() if path.name.startswith("dump_")),
                  key=lambda path: int(path.name[5:].partition(".")[0]))


def spare_articles(count: int) -> list[Path]:
    """The spare dumps of `corpus(count)` that are new articles (not duplicates,
    corrections or junk): each one dropped changes the feeds and the index."""
    source = corpus(count)
    articles = {record["file"] for record in map(json.loads, (source / "truth.jsonl").read_text(
        encoding="utf-8").splitlines()) if record["kind"] == "ok"}
    return [path for path in dump_files(source)[count:] if path.name in articles]


def link_input(count: int, root: Path | None = None) -> Path:
    """`root` (default WORK/<count>) with an input directory of the corpus's first
    `count` dumps (hard links) and neither output nor state."""
    source = corpus(count)
    root = root or WORK / str(count)
    set_aside(root)
    (root / "input").mkdir(parents=True)
    for dump in dump_files(source)[:count]:
        os.link(dump, root / "input" / dump.name)
    return root


def set_aside(path: Path) -> None:
    """Move a previous run's files out of the way; `empty_trash` deletes them once
    the measurements are over. Deleting them first would slow down what is
    measured next: ext4 without a journal (this VM's disk) checks every inode it
    allocates against those freed in the last minutes, and after 100,000 deletions
    creating a file costs about 1 ms instead of 40 µs."""
    if path.exists():
        TRASH.mkdir(parents=True, exist_ok=True)
        path.rename(TRASH / f"{path.name}-{time.time_ns()}")


def empty_trash() -> None:
    shutil.rmtree(TRASH, ignore_errors=True)


def file_creation_us() -> float:
    """Microseconds to create one small file in WORK, now (see `set_aside`)."""
    probe = WORK / f"probe-{time.time_ns()}"
    probe.mkdir(parents=True)
    started = time.perf_counter()
    for number in range(PROBE_FILES):
        descriptor = os.open(probe / f"{number:06d}.html", os.O_WRONLY | os.O_CREAT, 0o644)
        os.write(descriptor, b"<p>probe</p>")
        os.close(descriptor)
    elapsed = time.perf_counter() - started
    set_aside(probe)
    return elapsed / PROBE_FILES * 1e6


def machine() -> str:
    """The line that says what the figures were measured on."""
    creation = file_creation_us()
    line = (f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
            f"warm page cache, creating a file takes {creation:.0f} µs")
    if creation > SLOW_CREATION_US:
        line += ("\nwarning: file creation is slow now (many files were deleted in the last "
                 "minutes?); feeds, which writes a page per article, will look slower")
    return line


def prepare(count: int) -> tuple[Settings, list[Path], float | None]:
    """A published state of `count` entries, and the spare dumps that are new
    articles (each one dropped shows in the feeds and the index). A state that a
    full build of this run left (`bench/run.py`) is used as it is: at 100,000
    entries, building it again would double the benchmark's time."""
    spares = spare_articles(count)
    settings = settings_for(WORK / str(count))
    if settings.state_path.exists() and sum(1 for _ in settings.input_dir.iterdir()) == count:
        return settings, spares, None
    settings = settings_for(link_input(count))
    started = time.perf_counter()
    with State(settings.state_path) as state:
        publish(settings, state)
    return settings, spares, time.perf_counter() - started


def in_process_updates(settings: Settings, spares: list[Path]) -> dict[str, float]:
    """Median cost of one new dump through the daemon's event pass."""
    walls, cpus, statements, written = [], [], [], []
    with State(settings.state_path) as state:
        tracker = SettleTracker(settings.settle_seconds, inotify=True)
        daemon = Daemon(settings, state, tracker=tracker)
        daemon.full_pass()  # the full pass every start makes; not what one dump costs
        count = [0]
        state.db.set_trace_callback(lambda _sql: count.__setitem__(0, count[0] + 1))
        for spare in spares:
            target = settings.input_dir / spare.name
            partial = target.with_name(f".{target.name}.part")
            shutil.copy(spare, partial)
            partial.rename(target)
            tracker.completed(target.name, target.stat())  # what inotify reports
            count[0] = 0
            wall, cpu = time.perf_counter(), time.process_time()
            report = daemon.event_pass()
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            statements.append(count[0])
            written.append(report.files_written if report else 0)
        state.db.set_trace_callback(None)
    return {"wall_ms": statistics.median(walls), "cpu_ms": statistics.median(cpus),
            "sql": statistics.median(statements), "files": statistics.median(written)}


def start_daemon(settings: Settings, log: Path, safety_interval: float) -> subprocess.Popen[bytes]:
    config = settings.state_path.parent / "daemon-bench.toml"
    config.write_text(f'[site]\ntitle = "Bench"\n[paths]\ninput = "{settings.input_dir}"\n'
                      f'output = "{settings.output_dir}"\nstate = "{settings.state_path}"\n'
                      f"[daemon]\nsafety_interval = {safety_interval}\nlog_level = \"INFO\"\n",
                      encoding="utf-8")
    with log.open("wb") as handle:
        process = subprocess.Popen([sys.executable, "-m", "feeds", "run", "-c", str(config)],
                                   cwd=REPO, stderr=handle)
    deadline = time.monotonic() + 60
    while "watching" not in log.read_text(encoding="utf-8"):
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(f"the daemon did not start: {log.read_text(encoding='utf-8')}")
        time.sleep(0.02)
    return process


def index_version(settings: Settings) -> tuple[int, int]:
    stat = (settings.output_dir / "index.html").stat()
    return stat.st_ino, stat.st_mtime_ns


def drop(settings: Settings, spare: Path) -> float:
    """Milliseconds from renaming a dump into the input to its article in the index."""
    before = index_version(settings)
    target = settings.input_dir / spare.name
    partial = target.with_name(f".{target.name}.part")
    shutil.copy(spare, partial)
    started = time.perf_counter()
    partial.rename(target)
    while index_version(settings) == before:
        if time.perf_counter() - started > 30:
            raise RuntimeError(f"{spare.name} was not published")
        time.sleep(0.002)
    return (time.perf_counter() - started) * 1000


def daemon_latency(settings: Settings, spares: list[Path]) -> float:
    """Median milliseconds from rename into the input to the feeds rewritten. The
    signal is the index page: it counts every category's entries, so each new
    article changes it, and it is written after the feeds (an old article may
    not make its category's newest 50, so the feeds themselves may not change)."""
    daemon = start_daemon(settings, settings.state_path.parent / "daemon-latency.log", 300)
    latencies = []
    try:
        for spare in spares:
            latencies.append(drop(settings, spare))
            time.sleep(0.3)
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
    return statistics.median(latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000, 100000])
    parser.add_argument("--drops", type=int, default=5)
    args = parser.parse_args()
    print(machine())
    rows = []
    for size in args.sizes:
        settings, spares, build_seconds = prepare(size)
        cost = in_process_updates(settings, spares[: args.drops])
        latency = daemon_latency(settings, spares[args.drops : 2 * args.drops])
        rows.append((size, build_seconds, cost, latency))
        if build_seconds is not None:
            print(f"  {size} dumps published in {build_seconds:.1f} s "
                  f"({size / build_seconds:.0f} dumps/s)", flush=True)
    print()
    print("entries | one update: wall ms | cpu ms | SQL statements | files written | "
          "drop-to-feed ms (daemon, median)")
    for size, _, cost, latency in rows:
        print(f"{size:>7} | {cost['wall_ms']:>19.1f} | {cost['cpu_ms']:>6.1f} | "
              f"{cost['sql']:>14.0f} | {cost['files']:>13.0f} | {latency:>10.0f}")
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        print(f"ratio {last[0]}/{first[0]}: wall {last[2]['wall_ms'] / first[2]['wall_ms']:.2f}x, "
              f"SQL {last[2]['sql'] / first[2]['sql']:.2f}x, latency {last[3] / first[3]:.2f}x")
    empty_trash()


if __name__ == "__main__":
    main()
