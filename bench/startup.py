#!/usr/bin/env python3
"""What starting feeds costs: `feeds --help` against a bare interpreter, and a
no-op build of an unchanged input against a full build of it.

    python bench/startup.py [--dumps 10000] [--runs 15]

Each command runs as a subprocess, in turn with its baseline, `--runs` times;
the medians are printed with their ratio. The corpus comes from tests/corpus.py
and is kept in bench/corpora/.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.update_cost import empty_trash, link_input, machine, set_aside  # noqa: E402

FEEDS = [sys.executable, "-m", "feeds"]


def seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False)
    return time.perf_counter() - started


def medians(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Each command `runs` times, in turn; the median wall seconds of each."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(seconds(command))
    return {name: statistics.median(found) for name, found in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dumps", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(machine())
    help_times = medians({"python -c pass": [sys.executable, "-c", "pass"],
                          "feeds --help": [*FEEDS, "--help"]}, args.runs)
    bare, helped = help_times.values()
    print(f"python -c pass {bare * 1000:.0f} ms, feeds --help {helped * 1000:.0f} ms: "
          f"{helped / bare:.2f}x (median of {args.runs})")

    root = link_input(args.dumps)
    build = [*FEEDS, "build", "--input", str(root / "input"), "--output", str(root / "output"),
             "--state", str(root / "state.sqlite3")]
    full = []
    for _ in range(3):
        for leftover in ("output", "state.sqlite3", "state.sqlite3-wal", "state.sqlite3-shm"):
            set_aside(root / leftover)  # deleting would slow what is measured next
        full.append(seconds(build))
    noop = medians({"no-op build": build}, args.runs)["no-op build"]
    full_median = statistics.median(full)
    print(f"{args.dumps} dumps: full build {full_median:.2f} s (median of 3), no-op build "
          f"{noop * 1000:.0f} ms (median of {args.runs}): {noop / full_median:.1%} of a full build")
    empty_trash()


if __name__ == "__main__":
    main()
