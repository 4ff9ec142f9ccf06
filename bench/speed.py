#!/usr/bin/env python3
"""Issue 28's build speed: this tree against an older revision, alternated in one run.

    python bench/speed.py [--sizes 10000 [100000]] [--rounds N] [--drops 3]
                          [--before bb537bf] [--lean-command CMD | --no-lean] [--million]

Contenders, each `python -m feeds build` as a process of its own (this interpreter,
PYTHONPATH and working directory its tree, the minimal configuration of bench/identical.py):
  - before: `--before` (default bb537bf, the old main) checked out into a temporary
    detached `git worktree`, removed at the end;
  - after: the tree holding this script, uncommitted changes included;
  - lean: `bench/lean.py INPUT OUTPUT STATE` when that file exists (`--lean-command`
    changes the command, `--no-lean` leaves it out); full builds only.

At each size (the corpus of bench/run.py, hard links in bench/work/speed-N/input), a
round is: a full build from an empty state and output by each contender in turn, then
`--drops` times a no-op build (nothing changed) by each and one new dump (a spare
article of the corpus, a different one each time, hard-linked into the input) built by
each; the round's new dumps leave the input at its end. Each run is measured for wall
time, CPU (os.wait4: the process and the workers it reaped) and the peak of its process
tree's memory (resident sets of the process and all its descendants summed at one
instant, every 10 ms; bench/run.py's TreePeak; not ru_maxrss, which keeps the high-water
mark of the benchmark's own process forked before the exec). Tables show medians, the largest peak,
the ratios after/before and each of the issue's targets with PASS or FAIL.

`--million` (after alone, the corpus of 1,000,000 dumps made once and kept, ~6 GB): a
full build, then no-op builds alternated with a bare `os.scandir` + `stat` of the input,
and new dumps.

Time on 2 cores: 10,000 dumps with 3 rounds, 1 minute on a quiet machine (4 with other
work running); 100,000 with 1 round, about 6 minutes (the first time, a minute more to
generate its corpus). The million: hours. The machine's load is printed with each table:
figures taken beside other work move by tens of percent, ratios less.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.daemon import bare_listing  # noqa: E402
from bench.identical import (  # noqa: E402
    CONFIG,
    build_command,
    checkout,
    git,
    imported_from,
    place,
    tree_environment,
)
from bench.run import Run, measured, warm  # noqa: E402
from bench.update_cost import (  # noqa: E402
    WORK,
    empty_trash,
    link_input,
    machine,
    set_aside,
    spare_articles,
)

FULL, NOOP, NEW = "full build", "no-op", "new dump"
LISTING = "scandir+stat"
MILLION = 1_000_000
LEAN_COMMAND = "{python} bench/lean.py {input} {output} {state}"


class Contender(NamedTuple):
    name: str  # "before", "after" or "lean"
    command: Callable[[Path], list[str]]  # from its own directory (output, state)
    cwd: Path
    env: dict[str, str] | None


class Target(NamedTuple):
    label: str
    value: float
    limit: float
    unit: str  # "x" for a ratio, " MB", " s"

    def line(self) -> str:
        verdict = "PASS" if self.value <= self.limit else "FAIL"
        return f"  {verdict}  {self.label}: {self.value:.2f}{self.unit} (≤ {self.limit}{self.unit})"


Results = dict[tuple[str, str], list[Run]]  # (scenario, contender) -> its runs


def feeds_contender(name: str, tree: Path, config: Path) -> Contender:
    def command(home: Path) -> list[str]:
        return build_command(config, home.parent / "input", home / "output",
                             home / "state" / "feeds.sqlite3")

    module = imported_from(tree)
    if not module.is_relative_to(tree):
        raise SystemExit(f"{tree}: import feeds finds {module}, not the tree's own")
    # Byte code written now, not by the first measured run (tree_environment allows it).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "feeds")],
                   env=tree_environment(tree), check=True)
    return Contender(name, command, tree, tree_environment(tree))


def lean_contender(template: str) -> Contender:
    def command(home: Path) -> list[str]:
        return [part.format(python=sys.executable, input=home.parent / "input",
                            output=home / "output", state=home / "state" / "lean.state")
                for part in shlex.split(template)]

    return Contender("lean", command, REPO, None)


def fresh(root: Path, contender: Contender) -> Path:
    """The contender's directory under `root`, with an empty output and no state."""
    home = root / contender.name
    set_aside(home)  # not deleted now: that would slow down what is measured next
    (home / "state").mkdir(parents=True)
    return home


def run(contender: Contender, root: Path, scenario: str, results: Results) -> Run:
    home = root / contender.name
    result = measured(contender.command(home), cwd=contender.cwd, env=contender.env,
                      log=home / "last.log")
    results.setdefault((scenario, contender.name), []).append(result)
    print(f"    {scenario:<10} {contender.name:<6} {result.wall:7.2f} s wall "
          f"{result.cpu:7.2f} s CPU {result.tree_mb:5.0f} MB tree", flush=True)
    return result


def listing(directory: Path, results: Results) -> None:
    """A bare os.scandir + stat of the input, in this process, as a Run (wall only)."""
    seconds = bare_listing(directory)
    results.setdefault((LISTING, "bare"), []).append(Run(seconds, seconds, 0, 0))
    print(f"    {LISTING:<10} bare   {seconds:7.2f} s wall", flush=True)


def rounds(size: int, root: Path, contenders: list[Contender], lean: Contender | None,
           count: int, drops: int) -> Results:
    """`count` rounds at `size` (see the module's docstring)."""
    link_input(size, root)
    warm(root / "input")
    spares = spare_articles(size)
    results: Results = {}
    for number in range(count):
        print(f"  round {number + 1} of {count}", flush=True)
        for contender in [*contenders, *([lean] if lean else [])]:
            fresh(root, contender)
            run(contender, root, FULL, results)
        dropped = []
        for drop in range(drops):
            for contender in contenders:
                run(contender, root, NOOP, results)
            dropped.append(spares[(number * drops + drop) % len(spares)])
            place(dropped[-1], root / "input")
            for contender in contenders:
                run(contender, root, NEW, results)
        for dump in dropped:  # the input as the corpus has it for the next full builds
            (root / "input" / dump.name).unlink()
    return results


def median(results: Results, scenario: str, name: str, field: str = "wall") -> float:
    return statistics.median(getattr(found, field) for found in results[scenario, name])


def peak(results: Results, name: str, scenarios: Iterable[str] = (FULL, NOOP, NEW)) -> float:
    return max(found.tree_mb for scenario in scenarios for found in results.get(
        (scenario, name), []))


def table(results: Results) -> str:
    """One row a scenario and contender: medians, the largest tree peak, ratios."""
    lines = ["scenario     | contender | runs | wall s | CPU s  | tree MB (max) | "
             "wall/before | CPU/before | wall over no-op s"]
    for scenario, name in results:
        runs = results[scenario, name]
        wall, cpu = median(results, scenario, name), median(results, scenario, name, "cpu")
        ratios = ""
        if (scenario, "before") in results and name != "before":
            ratios = (f"{wall / median(results, scenario, 'before'):11.2f} | "
                      f"{cpu / median(results, scenario, 'before', 'cpu'):10.2f}")
        over = ""
        if scenario == NEW:
            over = f"{wall - median(results, NOOP, name):17.2f}"
        lines.append(f"{scenario:<12} | {name:<9} | {len(runs):>4} | {wall:6.2f} | {cpu:6.2f} | "
                     f"{max(r.tree_mb for r in runs):13.0f} | {ratios or ' ' * 24} | {over}")
    return "\n".join(line.rstrip(" |") for line in lines)


def compared_targets(size: int, results: Results) -> list[Target]:
    """Issue 28's targets at 10,000 and 100,000 dumps."""
    def ratio(scenario: str, field: str = "wall") -> float:
        return median(results, scenario, "after", field) / median(results, scenario,
                                                                  "before", field)

    def over_noop(name: str) -> float:
        return median(results, NEW, name) - median(results, NOOP, name)

    if size >= 100_000:
        return [Target("full build wall, after/before", ratio(FULL), 0.7, "x"),
                Target("peak tree memory of after, any run", peak(results, "after"), 250,
                       " MB")]
    targets = [Target("full build CPU, after/before", ratio(FULL, "cpu"), 0.6, "x"),
               Target("full build wall, after/before", ratio(FULL), 0.7, "x"),
               Target("peak tree memory of after, any run", peak(results, "after"), 150,
                      " MB"),
               Target("one new dump's wall over a no-op, after/before",
                      over_noop("after") / over_noop("before"), 0.6, "x"),
               Target("no-op build wall, after/before", ratio(NOOP), 0.8, "x")]
    if (FULL, "lean") in results:
        targets.append(Target("full build wall, after/lean", median(results, FULL, "after")
                              / median(results, FULL, "lean"), 1.3, "x"))
    return targets


def million(root: Path, after: Contender, drops: int) -> Results:
    """The million: a full build, then no-op builds beside a bare listing, and new dumps."""
    link_input(MILLION, root)
    spares = spare_articles(MILLION)
    results: Results = {}
    fresh(root, after)
    run(after, root, FULL, results)
    for drop in range(drops):
        listing(root / "input", results)
        run(after, root, NOOP, results)
        place(spares[drop % len(spares)], root / "input")
        run(after, root, NEW, results)
    return results


def million_targets(results: Results) -> list[Target]:
    noop = median(results, NOOP, "after")
    return [Target("peak tree memory of after, full build", peak(results, "after", [FULL]),
                   300, " MB"),
            Target("peak tree memory of after, no-op", peak(results, "after", [NOOP]), 300,
                   " MB"),
            Target("no-op wall / bare scandir+stat", noop / median(results, LISTING, "bare"),
                   1.5, "x"),
            Target("one new dump's wall minus a no-op's", median(results, NEW, "after") - noop,
                   0.2, " s")]


def report(title: str, results: Results, targets: list[Target], seconds: float) -> None:
    load = " ".join(f"{figure:.1f}" for figure in os.getloadavg())
    print(f"\n{title} ({seconds / 60:.1f} min; load average now {load})")
    print(table(results))
    print("targets (issue 28):")
    print("\n".join(target.line() for target in targets), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000],
                        help="corpus sizes (10000 and 100000 have targets)")
    parser.add_argument("--rounds", type=int,
                        help="rounds at each size (default: 3 under 100,000, else 1)")
    parser.add_argument("--drops", type=int, default=3,
                        help="no-op builds and new dumps a round (and at the million)")
    parser.add_argument("--before", default="bb537bf", help="a git revision")
    parser.add_argument("--lean-command", default=LEAN_COMMAND,
                        help="the lean contender, run from this tree; {python}, {input}, "
                             "{output} and {state} are filled in (default: %(default)s)")
    parser.add_argument("--no-lean", action="store_true")
    parser.add_argument("--million", action="store_true",
                        help="also the 1,000,000-dump scenario (after alone; hours)")
    args = parser.parse_args()
    print(machine())
    WORK.mkdir(parents=True, exist_ok=True)
    # Below bench/work, on the corpora's file system: the inputs are hard links to them.
    scratch = Path(tempfile.mkdtemp(prefix="speed-", dir=WORK))
    config = scratch / "feeds.toml"
    config.write_text(CONFIG, encoding="utf-8")
    before_tree = checkout(git("rev-parse", "--verify", args.before), scratch / "tree-before")
    try:
        contenders = [feeds_contender("before", before_tree, config),
                      feeds_contender("after", REPO, config)]
        lean = None
        lean_file = REPO / "bench" / "lean.py"
        if not args.no_lean and (args.lean_command != LEAN_COMMAND or lean_file.exists()):
            lean = lean_contender(args.lean_command)
        print(f"before: {args.before} ({git('rev-parse', '--short', args.before)}); after: "
              f"{REPO}; lean: {' '.join(lean.command(Path('HOME'))) if lean else 'none'}",
              flush=True)
        for size in args.sizes:
            started = time.perf_counter()
            count = args.rounds or (3 if size < 100_000 else 1)
            print(f"\n{size} dumps, {count} round(s)", flush=True)
            results = rounds(size, WORK / f"speed-{size}", contenders, lean, count, args.drops)
            report(f"{size} dumps, {count} round(s), {args.drops} no-ops and new dumps a round",
                   results, compared_targets(size, results), time.perf_counter() - started)
        if args.million:
            started = time.perf_counter()
            print(f"\n{MILLION} dumps, after alone", flush=True)
            results = million(WORK / f"speed-{MILLION}", contenders[1], args.drops)
            report(f"{MILLION} dumps", results, million_targets(results),
                   time.perf_counter() - started)
    finally:
        git("worktree", "remove", "--force", str(before_tree))
        set_aside(scratch)
        empty_trash()  # last: deleting sooner would slow down file creation (see set_aside)


if __name__ == "__main__":
    main()
