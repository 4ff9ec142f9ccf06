#!/usr/bin/env python3
"""The long fuzzing run: structure-aware mutations of the seed dumps, on every core.

    python bench/fuzz.py [--count 1000000] [--seed 1] [--workers N] [--out DIR]
    python bench/fuzz.py --replay INDEX [--seed S] [--write FILE]

Case i of a run is `tests.mutations.make_case(seed, i)`: the suite's fuzzing
test makes its cases with the same code, and any case is made again from its
two numbers (`--replay`). Every case must end as an entry or as feeds's own
DumpError, its sidebars must read without raising and its texts must be legal
XML; every 20th case's entry must also render to well-formed feeds.

Worker w of W takes cases w, w + W, w + 2W, ... and reports what it found
every second. A case that runs past `--limit` seconds is stopped and counted
as a failure; a worker that stops reporting for longer (stuck in C code) or
dies (a crash in a C library) is replaced, the case it was on recorded as a
failure, and the cases it had not reported run again.

At the end: the counts of entries and of rejections by class, and for every
class of failure (and of exception the parser's catch-all turned into a
rejection) a reproducer, shrunk, in `--out` (default bench/work/fuzz-failures,
emptied at the start): `minimal.*`, `original.*` and `finding.txt`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue
import re
import shutil
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType
from typing import Any, NamedTuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.mutations import CAUGHT, ENTRY, FAILURE, REJECTED, Outcome, check, make_case  # noqa: E402

DEFAULT_SEED = 20260221
RENDER_EVERY = 20
REPORT_EVERY_S = 1.0
STUCK = "stuck"  # outcome kind of a case past the time limit
LOST = ("worker died", "hung over")  # how the failures of a lost worker's case begin
SLOWEST_KEPT = 5


class Stopped(BaseException):
    """Raised in a worker by its timer: a BaseException, so that the parser's own
    catch-all (`except Exception`) cannot turn it into a rejection."""


class Finding(NamedTuple):
    """The first case of one class of outcome worth a reproducer."""

    kind: str
    label: str
    index: int
    detail: str


class Report(NamedTuple):
    """What a worker did since its last report; `next_index` is where it goes on."""

    worker: int
    next_index: int
    counts: dict[tuple[str, str], int]
    findings: list[Finding]
    slowest: list[tuple[float, int]]
    finished: bool


@dataclass(frozen=True)
class Plan:
    seed: int
    count: int
    workers: int
    limit: float


# -- workers ----------------------------------------------------------------------------------

def _stop(signum: int, frame: FrameType | None) -> None:
    raise Stopped


def timed_check(plan: Plan, index: int, data: bytes, name: str) -> Outcome:
    """`check`, stopped after `plan.limit` seconds (when the parser is in Python code)."""
    signal.setitimer(signal.ITIMER_REAL, plan.limit)
    try:
        return check(data, name, render=index % RENDER_EVERY == 0)
    except Stopped:
        return Outcome(STUCK, f"over {plan.limit:g} s (stopped)")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def work(plan: Plan, worker: int, start: int, skip: frozenset[int], reports: Any,
         beats: Any) -> None:
    """Run cases start, start + W, ... below plan.count; `beats[worker]` holds
    the case under way and when it began, for the main process to watch."""
    signal.signal(signal.SIGALRM, _stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process ends the run
    counts: Counter[tuple[str, str]] = Counter()
    findings: dict[str, Finding] = {}
    seen: set[str] = set()
    slowest: list[tuple[float, int]] = []
    last_report = time.monotonic()
    for index in range(start, plan.count, plan.workers):
        if index in skip:
            continue
        beats[2 * worker], beats[2 * worker + 1] = index, time.monotonic()
        case = make_case(plan.seed, index)
        began = time.perf_counter()
        outcome = timed_check(plan, index, case.data, case.name)
        slowest = sorted([*slowest, (time.perf_counter() - began, index)], reverse=True)[
            :SLOWEST_KEPT]
        counts[outcome.kind, outcome.label] += 1
        if outcome.kind in (FAILURE, CAUGHT, STUCK) and outcome.label not in seen:
            seen.add(outcome.label)
            findings[outcome.label] = Finding(outcome.kind, outcome.label, index, outcome.detail)
        if time.monotonic() - last_report > REPORT_EVERY_S:
            reports.put(Report(worker, index + plan.workers, dict(counts),
                               list(findings.values()), slowest, False))
            counts, findings, last_report = Counter(), {}, time.monotonic()
    reports.put(Report(worker, plan.count, dict(counts), list(findings.values()), slowest, True))


# -- the main process -------------------------------------------------------------------------

@dataclass
class Run:
    """What the workers reported, and where each one has got to."""

    plan: Plan
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    findings: dict[str, Finding] = field(default_factory=dict)
    slowest: list[tuple[float, int]] = field(default_factory=list)
    resume: dict[int, int] = field(default_factory=dict)  # worker -> next case to report
    finished: set[int] = field(default_factory=set)

    def add(self, report: Report) -> None:
        self.counts.update(report.counts)
        for found in report.findings:
            known = self.findings.get(found.label)
            if known is None or found.index < known.index:
                self.findings[found.label] = found
        # A worker's slowest cases are its slowest so far: the same ones come again.
        self.slowest = sorted(set(self.slowest) | set(report.slowest), reverse=True)[
            :SLOWEST_KEPT]
        self.resume[report.worker] = report.next_index
        if report.finished:
            self.finished.add(report.worker)

    @property
    def done(self) -> int:
        return sum(self.counts.values())

    def of_kind(self, kind: str) -> int:
        return sum(n for (found_kind, _), n in self.counts.items() if found_kind == kind)


class Pool:
    """The worker processes, one per stride of cases, replaced when one is lost."""

    def __init__(self, plan: Plan) -> None:
        self.context = multiprocessing.get_context("fork")
        self.plan = plan
        self.reports: Any = self.context.Queue()
        self.beats: Any = self.context.Array("d", 2 * plan.workers, lock=False)
        self.processes: dict[int, BaseProcess] = {}
        self.skips: dict[int, set[int]] = {worker: set() for worker in range(plan.workers)}
        for worker in range(plan.workers):
            self.start(worker, worker)

    def start(self, worker: int, first: int) -> None:
        self.beats[2 * worker], self.beats[2 * worker + 1] = first, time.monotonic()
        process = self.context.Process(target=work, args=(
            self.plan, worker, first, frozenset(self.skips[worker]), self.reports, self.beats),
            daemon=True)
        process.start()
        self.processes[worker] = process

    def pending(self) -> Iterator[Report]:
        """The reports waiting, all of them: a lost worker's last one is counted
        before the worker is replaced, or its cases would be counted twice."""
        try:
            yield self.reports.get(timeout=1)
            while True:
                yield self.reports.get_nowait()
        except queue.Empty:
            return

    def lost(self, run: Run) -> Iterator[tuple[int, int, str]]:
        """Workers stuck past twice the limit or dead before finishing, each with
        the case it was on and why it is lost."""
        now = time.monotonic()
        for worker, process in self.processes.items():
            if worker in run.finished:
                continue
            index = int(self.beats[2 * worker])
            if process.exitcode is not None and process.exitcode != 0:
                yield worker, index, f"{LOST[0]} (exit code {process.exitcode})"
            elif now - self.beats[2 * worker + 1] > 2 * self.plan.limit + 5:
                yield worker, index, f"{LOST[1]} {2 * self.plan.limit + 5:g} s (killed)"

    def replace(self, run: Run, worker: int, index: int) -> None:
        """Kill the worker and start another at its first unreported case,
        without case `index`."""
        self.processes[worker].kill()
        self.processes[worker].join()
        self.skips[worker].add(index)
        self.start(worker, run.resume.get(worker, worker))

    def close(self) -> None:
        for process in self.processes.values():
            process.join(timeout=5)
            if process.exitcode is None:
                process.kill()


def run_all(plan: Plan, progress_every: float) -> tuple[Run, float]:
    run = Run(plan)
    pool = Pool(plan)
    started = last_line = time.monotonic()
    try:
        while len(run.finished) < plan.workers:
            for report in pool.pending():
                run.add(report)
            for worker, index, why in list(pool.lost(run)):
                run.counts[FAILURE, why] += 1
                run.findings.setdefault(why, Finding(FAILURE, why, index, why))
                pool.replace(run, worker, index)
            if time.monotonic() - last_line > progress_every:
                last_line = time.monotonic()
                print(progress(run, last_line - started), flush=True)
    finally:
        pool.close()
    return run, time.monotonic() - started


def progress(run: Run, elapsed: float) -> str:
    rate = run.done / elapsed if elapsed else 0.0
    left = (run.plan.count - run.done) / rate if rate else 0.0
    problems = run.of_kind(FAILURE) + run.of_kind(STUCK)
    return (f"{run.done:>10,} / {run.plan.count:,}  {rate:7,.0f}/s  entries {run.of_kind(ENTRY):,}"
            f"  rejected {run.of_kind(REJECTED):,}  caught {run.of_kind(CAUGHT):,}"
            f"  failures {problems:,}  {elapsed:6.0f} s, ~{left:.0f} s left")


# -- shrinking --------------------------------------------------------------------------------

def shrink(data: bytes, keeps: Callable[[bytes], bool], deadline: float) -> bytes:
    """The input cut down, block by block, line by line, word by word and byte by
    byte, for as long as `keeps` holds of it and the deadline allows."""
    for unit in (b"\n\n", b"\n", b" ", b""):
        pieces = data.split(unit) if unit else [bytes([b]) for b in data]
        if unit == b"" and len(pieces) > 4096:  # a byte at a time would not end in time
            break
        data = unit.join(_ddmin(pieces, lambda kept, u=unit: keeps(u.join(kept)), deadline))
    return data


def _ddmin(pieces: list[bytes], keeps: Callable[[list[bytes]], bool],
           deadline: float) -> list[bytes]:
    """Zeller's delta debugging, by complements: drop one of n chunks while the
    rest keeps the failure; refine n when none can go."""
    chunks = 2
    while len(pieces) >= 2 and time.monotonic() < deadline:
        size = -(-len(pieces) // chunks)
        for start in range(0, len(pieces), size):
            rest = pieces[:start] + pieces[start + size :]
            if keeps(rest):
                pieces, chunks = rest, max(chunks - 1, 2)
                break
        else:
            if chunks >= len(pieces):
                break
            chunks = min(2 * chunks, len(pieces))
    return pieces


def minimal(plan: Plan, found: Finding, seconds: float) -> tuple[bytes, bytes, str]:
    """The finding's case, its shrunk form (as the case itself for a lost worker,
    which cannot be run here) and what checking the shrunk form says."""
    case = make_case(plan.seed, found.index)
    if found.kind == STUCK or found.label.startswith(LOST):  # too slow to shrink
        return case.data, case.data, found.detail
    signal.signal(signal.SIGALRM, _stop)

    def keeps(data: bytes) -> bool:
        return timed_check(plan, found.index, data, case.name).label == found.label

    shrunk = shrink(case.data, keeps, time.monotonic() + seconds)
    return case.data, shrunk, timed_check(plan, found.index, shrunk, case.name).detail


def _minimal_job(job: tuple[Plan, Finding, float]) -> tuple[bytes, bytes, str]:
    return minimal(*job)


def write_findings(run: Run, out: Path, seconds: float) -> dict[str, Path]:
    """A folder per finding with its reproducer; the folders by label."""
    ordered = sorted(run.findings.values(), key=lambda f: (f.kind != FAILURE, f.label))
    jobs = [(run.plan, found, seconds) for found in ordered]
    with multiprocessing.get_context("fork").Pool(run.plan.workers) as pool:
        results = pool.map(_minimal_job, jobs, chunksize=1)
    folders = {}
    for number, (found, (original, shrunk, detail)) in enumerate(zip(ordered, results,
                                                                      strict=True), 1):
        case = make_case(run.plan.seed, found.index)
        suffix = Path(case.name).suffix
        folder = out / f"{number:02d}-{found.kind}-{slug(found.label)}"
        folder.mkdir(parents=True)
        (folder / f"original{suffix}").write_bytes(original)
        (folder / f"minimal{suffix}").write_bytes(shrunk)
        (folder / "finding.txt").write_text(
            f"{found.kind}: {found.label}\n"
            f"cases of this class: {run.counts[found.kind, found.label]:,}\n"
            f"first: case {found.index} of seed {run.plan.seed}, parsed as {case.name}\n"
            f"mutations: {', '.join(case.steps)}\n"
            f"replay: python bench/fuzz.py --seed {run.plan.seed} --replay {found.index}\n"
            f"minimal: {len(shrunk):,} bytes of {len(original):,}\n\n{detail}\n", "utf-8")
        folders[found.label] = folder
    return folders


def slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:70]


# -- the summary ------------------------------------------------------------------------------

def summary(run: Run, elapsed: float, folders: dict[str, Path]) -> str:
    plan, lines = run.plan, []
    lines.append(f"inputs {run.done:,} (seed {plan.seed}) in {elapsed:,.0f} s: "
                 f"{run.done / elapsed:,.0f} inputs/s on {plan.workers} workers")
    lines.append(f"entries {run.of_kind(ENTRY):,}")
    lines.append(f"rejections {run.of_kind(REJECTED):,}, by reason:")
    lines.extend(_by_label(run, REJECTED, {}))
    lines.append(f"caught by parse_dump's catch-all (a rejection, but the exception is a bug) "
                 f"{run.of_kind(CAUGHT):,}:")
    lines.extend(_by_label(run, CAUGHT, folders))
    failures = run.of_kind(FAILURE) + run.of_kind(STUCK)
    lines.append(f"FAILURES {failures:,}" + (":" if failures else ""))
    lines.extend(_by_label(run, FAILURE, folders))
    lines.extend(_by_label(run, STUCK, folders))
    lines.append("slowest: " + ", ".join(f"case {index} {seconds:.2f} s"
                                         for seconds, index in run.slowest))
    return "\n".join(lines)


def _by_label(run: Run, kind: str, folders: dict[str, Path]) -> list[str]:
    found = sorted(((n, label) for (k, label), n in run.counts.items() if k == kind),
                   reverse=True)
    return [f"  {n:>10,}  {label}" + (f"\n              -> {_shown(folders[label])}"
                                      if label in folders else "") for n, label in found]


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def replay(plan: Plan, index: int, write: Path | None) -> None:
    case = make_case(plan.seed, index)
    signal.signal(signal.SIGALRM, _stop)
    outcome = timed_check(plan, index, case.data, case.name)
    print(f"case {index} of seed {plan.seed}: {case.name}, {len(case.data):,} bytes")
    print(f"mutations: {', '.join(case.steps)}")
    print(f"{outcome.kind}: {outcome.label}\n{outcome.detail}")
    if write is not None:
        write.write_bytes(case.data)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--limit", type=float, default=10.0,
                        help="seconds a case may take before it is stopped as a failure")
    parser.add_argument("--progress", type=float, default=15.0, help="seconds between lines")
    parser.add_argument("--shrink-seconds", type=float, default=120.0,
                        help="time to shrink each finding's reproducer")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "work" / "fuzz-failures")
    parser.add_argument("--replay", type=int, default=None, metavar="INDEX",
                        help="make case INDEX of the seed, check it and say what it comes to")
    parser.add_argument("--write", type=Path, default=None, help="with --replay: save the case")
    args = parser.parse_args()
    plan = Plan(args.seed, args.count, args.workers, args.limit)
    if args.replay is not None:
        replay(plan, args.replay, args.write)
        return
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    print(f"fuzzing {plan.count:,} cases of seed {plan.seed} on {plan.workers} workers",
          flush=True)
    run, elapsed = run_all(plan, args.progress)
    print(progress(run, elapsed), flush=True)
    folders = write_findings(run, args.out, args.shrink_seconds)
    text = summary(run, elapsed, folders)
    (args.out / "summary.txt").write_text(text + "\n", "utf-8")
    (args.out / "counts.json").write_text(json.dumps(
        {f"{kind}: {label}": n for (kind, label), n in run.counts.most_common()}, indent=1))
    print(text)
    sys.exit(1 if run.of_kind(FAILURE) + run.of_kind(STUCK) else 0)


if __name__ == "__main__":
    main()
