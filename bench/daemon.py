#!/usr/bin/env python3
"""The daemon on a large archive: what idling costs, how fast a drop reaches
its feed at any moment of the daemon's cycle, and what a full pass costs
beside a bare listing of the same directory.

    python bench/daemon.py [--size 100000] [--idle 30] [--drops 6]

On a published archive of `--size` dumps (the corpus of bench/run.py, kept in
bench/work/), side by side in one run:
  - a full pass of the daemon (listing, comparison with the state, nothing to
    publish), in process, against `os.scandir` plus `stat` of every file;
  - the real `feeds run` with inotify, idle: CPU seconds over `--idle`
    seconds, and the warning lines it logged meanwhile;
  - the real `feeds run` with a full pass every 10 s: drop-to-feed for dumps
    renamed into the input at different moments of that cycle, some while a
    full pass runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.update_cost import (  # noqa: E402
    drop,
    empty_trash,
    machine,
    prepare,
    start_daemon,
)
from feeds.config import Settings  # noqa: E402
from feeds.daemon import Daemon, SettleTracker  # noqa: E402
from feeds.inputs import list_input  # noqa: E402
from feeds.parse import parse_file  # noqa: E402
from feeds.publish import forget, publish  # noqa: E402
from feeds.state import State  # noqa: E402

PASS_EVERY = 10.0  # seconds between full passes of the daemon the drops go to


def bare_listing(directory: Path) -> float:
    """Seconds to list a directory and stat every file in it, as plainly as Python can."""
    started = time.perf_counter()
    with os.scandir(directory) as entries:
        for entry in entries:
            entry.stat()
    return time.perf_counter() - started


def full_pass_seconds(settings: Settings) -> tuple[float, float]:
    """A full pass that finds nothing to do, and the listing alone (feeds's own)."""
    with State(settings.state_path) as state:
        publish(settings, state)  # the state as this version keeps it, output complete
        daemon = Daemon(settings, state, tracker=SettleTracker(10, inotify=True))
        daemon.full_pass()  # its reader connection opened, caches warm
        started = time.perf_counter()
        report = daemon.full_pass()
        full = time.perf_counter() - started
        assert report is not None and report.parsed == 0, report
    started = time.perf_counter()
    list_input(settings.input_dir)
    return full, time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process, all its threads, so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_cost(settings: Settings, seconds: float) -> tuple[float, int]:
    """CPU share of a core while nothing arrives (after the first full pass), and
    the warning lines logged meanwhile."""
    log = settings.state_path.parent / "daemon-idle.log"
    process = start_daemon(settings, log, safety_interval=300)
    try:
        time.sleep(5)  # the first full pass, at start
        warnings_before = log.read_text(encoding="utf-8").count("WARNING")
        cpu = cpu_seconds(process.pid)
        time.sleep(seconds)
        used = cpu_seconds(process.pid) - cpu
        warnings = log.read_text(encoding="utf-8").count("WARNING") - warnings_before
    finally:
        process.terminate()
        process.wait(timeout=30)
    return used / seconds, warnings


def drops_through_the_cycle(settings: Settings, spares: list[Path], pass_seconds: float
                            ) -> list[tuple[str, float]]:
    """Drops at moments spread over the daemon's cycle: during the full pass at
    start, during scheduled full passes, and between them."""
    log = settings.state_path.parent / "daemon-drops.log"
    process = start_daemon(settings, log, safety_interval=PASS_EVERY)
    started = time.monotonic()  # the scheduler's first tick is PASS_EVERY after this
    latencies = []
    try:
        moments = [0.0]  # at once: the first full pass is under way
        moments += [PASS_EVERY * n + pass_seconds * share for n, share in
                    ((1, 0.2), (2, 0.5), (3, 0.8))]  # inside scheduled passes
        moments += [PASS_EVERY * n + PASS_EVERY / 2 for n in (4, 5)]  # between passes
        for moment, spare in zip(moments, spares, strict=False):
            time.sleep(max(0.0, started + moment - time.monotonic()))
            where = ("during the first full pass" if moment == 0 else
                     "during a scheduled full pass" if moment % PASS_EVERY < pass_seconds
                     else "between full passes")
            latencies.append((where, drop(settings, spare)))
    finally:
        process.terminate()
        process.wait(timeout=30)
    return latencies


def unpublished_articles(settings: Settings, spares: list[Path]) -> list[Path]:
    """The spare dumps that are articles the archive does not hold: each one
    dropped shows in the index."""
    ids = {spare: parse_file(spare, settings.parse_options).id for spare in spares}
    with State(settings.state_path) as state:
        known = state.entries.known(list(ids.values()))
    return [spare for spare in spares if ids[spare] not in known]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--idle", type=float, default=30.0)
    parser.add_argument("--drops", type=int, default=6)
    args = parser.parse_args()
    print(machine())
    settings, spares, build_seconds = prepare(args.size)
    if build_seconds is not None:
        print(f"{args.size} dumps published in {build_seconds:.1f} s")
    bare = statistics.median(bare_listing(settings.input_dir) for _ in range(3))
    full, listing = full_pass_seconds(settings)
    print(f"{args.size} dumps: a full pass that finds nothing {full * 1000:.0f} ms; feeds's "
          f"listing {listing * 1000:.0f} ms; scandir + stat {bare * 1000:.0f} ms: the pass is "
          f"{full / bare:.2f}x the bare listing")
    share, warnings = idle_cost(settings, args.idle)
    print(f"idle for {args.idle:g} s: {share:.1%} of a core, {warnings} warning lines")
    new_articles = unpublished_articles(settings, spares)[: args.drops]
    try:
        latencies = drops_through_the_cycle(settings, new_articles, max(full, 0.2))
    finally:  # the archive as it was, for the next run
        with State(settings.state_path) as state:
            for spare in new_articles:
                (settings.input_dir / spare.name).unlink(missing_ok=True)
            forget(settings, state, [parse_file(spare, settings.parse_options).id
                                     for spare in new_articles])
    for where, latency in latencies:
        print(f"  drop {where}: {latency:.0f} ms")
    print(f"drop-to-feed: median {statistics.median(ms for _, ms in latencies):.0f} ms, "
          f"at most {max(ms for _, ms in latencies):.0f} ms")
    empty_trash()


if __name__ == "__main__":
    main()
