#!/usr/bin/env python3
"""Issue 30's costs: archive documents (RFC 5005) against the same build without them.

    python bench/archives.py [--size 100000] [--rounds 1] [--before 084ea82] [--drops 3]

`--before` (default 084ea82, the last commit without archives) is checked out into a
temporary worktree. Each round: a full build from an empty state by each side in turn
(wall, CPU, peak memory of the process tree: bench/run.py's `measured`), then `--drops`
new dumps, each built by this tree alone: the archive documents each rewrote (files
under an `archive/` directory whose bytes changed) and all the files it wrote, printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.identical import CONFIG, build_command, checkout, git, place, tree_environment  # noqa: E402
from bench.run import Run, measured  # noqa: E402
from bench.update_cost import WORK, empty_trash, link_input, machine, spare_articles  # noqa: E402


def snapshot(root: Path) -> dict[str, int]:
    return {path.relative_to(root).as_posix(): path.stat().st_mtime_ns
            for path in root.rglob("*") if path.is_file()}


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--size", type=int, default=100_000)
    options.add_argument("--rounds", type=int, default=1)
    options.add_argument("--drops", type=int, default=3)
    options.add_argument("--before", default="084ea82")
    args = options.parse_args()
    print(machine())
    scratch = Path(tempfile.mkdtemp(prefix="feeds-archives-"))
    before = checkout(args.before, scratch / "before")
    config = scratch / "feeds.toml"
    config.write_text(CONFIG, encoding="utf-8")
    sides = {f"without archives ({args.before})": before, "with archives (this tree)": REPO}
    runs: dict[str, list[Run]] = {name: [] for name in sides}
    spares = iter(spare_articles(args.size))
    try:
        for number in range(args.rounds):
            order = list(sides) if number % 2 == 0 else list(reversed(sides))
            for name in order:
                root = link_input(args.size, WORK / f"archives-{args.size}")
                runs[name].append(measured(
                    build_command(config, root / "input", root / "output", root / "state"),
                    cwd=sides[name], env=tree_environment(sides[name])))
                print(f"round {number + 1}: {name}: {runs[name][-1].wall:.1f} s",
                      file=sys.stderr)
            # The input and output of the last side built: this tree's when it ran last.
            if order[-1] != "with archives (this tree)":
                root = link_input(args.size, WORK / f"archives-{args.size}")
                measured(build_command(config, root / "input", root / "output", root / "state"),
                         env=tree_environment(REPO))
        print(f"\n{args.size:,} dumps, full build from an empty state "
              f"(median of {args.rounds}):\n")
        print("| build | wall s | CPU s | tree MB (max) |")
        print("| --- | --- | --- | --- |")
        for name, measured_runs in runs.items():
            print(f"| {name} | {statistics.median(r.wall for r in measured_runs):.2f} | "
                  f"{statistics.median(r.cpu for r in measured_runs):.2f} | "
                  f"{max(r.tree_mb for r in measured_runs):.0f} |")
        base, ours = (statistics.median(r.wall for r in runs[n]) for n in sides)
        print(f"\nwall with / without: {ours / base:.2f}")
        print("\n| new dump | archive documents rewritten | files written |")
        print("| --- | --- | --- |")
        for number in range(args.drops):
            before_files = snapshot(root / "output")
            place(next(spares), root / "input")
            measured(build_command(config, root / "input", root / "output", root / "state"),
                     env=tree_environment(REPO))
            after_files = snapshot(root / "output")
            changed = [path for path, mtime in after_files.items()
                       if before_files.get(path) != mtime]
            archives = [path for path in changed if "archive/" in path]
            print(f"| {number + 1} | {len(archives)} ({', '.join(sorted(archives)[:6])}"
                  f"{'…' if len(archives) > 6 else ''}) | {len(changed)} |")
    finally:
        git("worktree", "remove", "--force", str(before))
        empty_trash()


if __name__ == "__main__":
    main()
