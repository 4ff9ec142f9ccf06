"""The one code path from the input directory to the output: `feeds build` and
the daemon's scan both call `publish`.

    input files -> changed since last seen? -> parse (feeds.reading, in workers
                for many files) -> state (+ what to render) -> render what is
                pending -> output

The state records what must be rendered in the same transaction as the change
that needs it, and forgets it only once the files are in place: a run that is
killed at any point leaves the rest of the work to the next run.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
from collections import deque
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from feeds.config import Settings
from feeds.inputs import Stat, list_input, stat_inputs, warn_passed_over
from feeds.output import Output
from feeds.plan import Plan, plan_entry
from feeds.records import RECORD_FORMAT, RECORD_FORMAT_KEY, Encoded
from feeds.site import page_path
from feeds.state import SeenFile, State
from feeds.workers import Workers

if TYPE_CHECKING:
    from feeds.reading import Dump, Job

log = logging.getLogger("feeds.publish")
Clock = Callable[[], datetime]
# Decides whether a changed file is complete enough to read (the daemon's settle rule).
Settled = Callable[[str, Stat], bool]
Progress = Callable[[int, int], None]
StopRequested = Callable[[], bool]
BATCH = 500  # dumps parsed and recorded at a time
BULK_FROM = 1000  # this many dumps into an empty state are recorded with indexes deferred
RENDERED_WITH = "rendered with"
READ_FROM = "input directory"  # the directory the files the state holds were read from
# Set while a run writes the output: found set, the last writer was stopped
# half-way and may have left temporary files behind.
WRITING = "writing"
UNNAMABLE = "file name is not valid UTF-8; rename the file to publish it"


def system_clock() -> datetime:
    return datetime.now(UTC)


def never() -> bool:
    return False


@dataclass
class Report:
    """What one run did."""

    parsed: int = 0
    unchanged: int = 0
    waiting: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    changed_entries: set[str] = field(default_factory=set)
    removed_entries: set[str] = field(default_factory=set)
    written: list[str] = field(default_factory=list)


def publish(settings: Settings, state: State, *, rebuild: bool = False,
            clock: Clock = system_clock, settled: Settled | None = None,
            progress: Progress | None = None, stop: StopRequested = never,
            only: Collection[str] | None = None) -> Report:
    """Bring the state and the output up to date with the input directory.

    Only files whose size or mtime changed are read, only those whose bytes
    changed are parsed, and only feeds whose entries changed are rendered.
    `rebuild` forgets the state first and renders everything from the input.
    `stop` is asked between files: when it says yes, what was read is still
    recorded and its feeds rendered, and the rest waits for the next run.
    `only` limits the run to these input paths (relative, "/"-separated).
    Raises OutputError, StateError or OSError when the environment fails; a bad
    dump is only reported.
    """
    report = Report()
    output = Output(settings.output_dir)
    output.prepare()
    interrupted = bool(state.meta(WRITING))
    if interrupted:
        output.sweep_temporaries()
    if state.meta(RECORD_FORMAT_KEY) != RECORD_FORMAT:
        if state.entry_count():
            log.warning("%s holds records of an older feeds: rebuilding it from %s",
                        settings.state_path, settings.input_dir)
            rebuild = True
        with state.transaction():
            state.set_meta(RECORD_FORMAT_KEY, RECORD_FORMAT)
    if rebuild:
        with state.transaction():
            state.clear()
    if only is None:
        listing = list_input(settings.input_dir)
        warn_passed_over(settings.input_dir, listing.passed_over)
        files = listing.dumps
        known = state.seen_stats()
    else:  # a targeted scan: what events named, at a cost that does not grow with the input
        files = stat_inputs(settings.input_dir, only)
        known = {path: (seen.size, seen.mtime_ns) for path, seen in
                 state.seen_files([path for path in only if _nameable(path)]).items()}
    for path in [path for path in files if not _nameable(path)]:
        del files[path]
        report.rejected.append((path, UNNAMABLE))
    # Unchanged size and mtime: the file is not read. Only the others' records are
    # loaded. In path order, whatever the listing's: runs read and report alike.
    todo = sorted((path, stat) for path, stat in files.items()
                  if known.get(path) != (stat.st_size, stat.st_mtime_ns))
    seen = state.seen_files([path for path, _ in todo])
    report.unchanged = len(files) - len(todo)
    if settled is not None:
        ready = [(path, stat) for path, stat in todo if settled(path, stat)]
        report.waiting = len(todo) - len(ready)
        todo = ready
    # A rebuild, an output that was lost, or new site settings: render everything.
    whole = (rebuild or not output.path("index.html").exists()
             or state.meta(RENDERED_WITH) != settings.render_fingerprint)
    writing = interrupted or bool(todo) or whole or any(state.pending())
    if writing and not interrupted:  # a run with nothing to write leaves the state as it is
        with state.transaction():
            state.set_meta(WRITING, "yes")
    if whole:  # before the batches, which write the pages of the articles they bring
        with state.transaction():
            state.mark_everything_pending()
            state.set_meta(RENDERED_WITH, settings.render_fingerprint)
    # Batches bound the memory a large input needs: each is parsed (the pages of
    # new articles written as it is), recorded, and let go.
    bulk = len(todo) >= BULK_FROM and state.entry_count() == 0
    with Workers(settings) as workers:
        with state.indexes_deferred() if bulk else contextlib.nullcontext():
            for batch in read_dumps(settings, todo, seen, workers, progress, stop) if todo else ():
                with state.transaction():
                    _apply(settings, state, batch, seen, clock(), report)
        with state.transaction():
            state.drop_files(set(known) - set(files))  # their entries stay: inputs may rotate
            # The files' paths are relative to it: `feeds status` names them from here,
            # whatever input it is given.
            state.set_meta(READ_FROM, str(settings.input_dir.absolute()))
        _render(settings, state, output, stop, force=whole, workers=workers)
    if rebuild:
        from feeds.render.pending import remove_strays

        remove_strays(state, output)
    report.written = output.written
    with state.transaction():
        state.note_run(clock(), report.parsed, len(report.rejected), len(report.written))
        if writing:
            state.set_meta(WRITING, "")
    return report


def _nameable(path: str) -> bool:
    """Whether a path is text. A name that is not UTF-8 reaches Python with
    surrogates standing for its bytes, which neither the state, nor a record,
    nor a feed can hold."""
    try:
        path.encode()
    except UnicodeEncodeError:
        return False
    return True


def read_dumps(settings: Settings, todo: Sequence[tuple[str, Stat]],
               seen: dict[str, SeenFile], workers: Workers, progress: Progress | None = None,
               stop: StopRequested = never) -> Iterator[list[Dump]]:
    """Read and parse the files, in batches, until `stop` says so. A file that
    changed while being read is left for the next scan.

    Many files are parsed by the run's workers, one per core: parsing is CPU
    work, while the state stays with this process."""
    from feeds.reading import read_dump, read_job

    def jobs(start: int) -> list[Job]:
        # Made a slice at a time: 100,000 jobs held at once would cost megabytes.
        return [(path, stat, seen.get(path)) for path, stat in todo[start : start + BATCH]]

    starts = iter(range(0, len(todo), BATCH))
    done = 0

    def reported(read: list[Dump | None]) -> list[Dump]:
        nonlocal done
        done += len(read)
        if progress:
            progress(done, len(todo))
        return [dump for dump in read if dump is not None]

    # The slices handed to the workers and not yet recorded, and their results: a
    # slice leaves `in_flight` only once read, so a failure leaves it to redo.
    in_flight: deque[list[Job]] = deque()
    if workers.wanted(len(todo)):
        from concurrent.futures.process import BrokenProcessPool

        results: deque[Iterator[Dump | None]] = deque()

        def submit_next() -> None:
            start = next(starts, None)
            if start is not None:
                in_flight.append(jobs(start))
                results.append(workers.map(read_job, in_flight[-1], chunksize=32))

        try:
            # Two slices in flight at most: the workers parse the next one while this
            # process records the last, and no more than that waits in memory.
            submit_next()
            submit_next()
            while in_flight:
                read = list(results[0])
                submit_next()
                in_flight.popleft()
                results.popleft()
                yield reported(read)
                if stop():
                    workers.cancel()
                    return
        except BrokenProcessPool as error:
            log.warning("parsing workers failed (%s); parsing in this process", error)
    for sliced in itertools.chain(list(in_flight), (jobs(start) for start in starts)):
        if stop():
            return
        yield reported([read_dump(settings, *job) for job in sliced])


def _apply(settings: Settings, state: State, dumps: list[Dump], seen: dict[str, SeenFile],
           now: datetime, report: Report) -> None:
    """Record a batch of dumps and what they make pending (call inside a
    transaction): each entry planned (`feeds.plan`) against what the state
    holds for its id, or what an earlier dump of the batch made of it."""
    known = state.known_entries({d.entry.id for d in dumps if d.entry is not None})
    decided: list[tuple[Encoded, Plan]] = []
    files: list[SeenFile] = []
    for dump in dumps:
        before = seen.get(dump.path)
        if dump.error is not None:
            report.rejected.append((dump.path, dump.error))
            files.append(SeenFile(dump.path, dump.size, dump.mtime_ns, dump.sha256,
                                  before.entry_id if before else None, dump.error))
        elif dump.entry is None:  # the same bytes under a new mtime
            assert before is not None
            report.unchanged += 1
            files.append(replace(before, size=dump.size, mtime_ns=dump.mtime_ns))
        else:
            entry = dump.entry
            plan = plan_entry(entry, dump.mtime_ns, dump.sha256, known.get(entry.id))
            known[entry.id] = plan.known
            decided.append((entry, plan))
            files.append(SeenFile(dump.path, dump.size, dump.mtime_ns, dump.sha256, entry.id,
                                  None))
            report.parsed += 1
            if plan.feeds:
                report.changed_entries.add(entry.id)
                _announce(settings, dump.path, entry)
    state.save_entries(decided)
    state.note_files(files, now)
    state.add_pending(feeds=set().union(*(plan.feeds for _, plan in decided)),
                      pages=[entry.id for entry, plan in decided if plan.feeds])
    for dump in dumps:  # a file that now holds another article (a corrected title)
        before = seen.get(dump.path)
        replaced = before.entry_id if before else None
        if (dump.entry is not None and replaced and replaced != dump.entry.id
                and state.files_of(replaced) == 0):
            # The old one was never a separate article and leaves the feeds.
            _forget(state, [replaced], report)


def _announce(settings: Settings, path: str, entry: Encoded) -> None:
    """Say that a dump changed what the feeds show. Said as it happens, not kept
    in the report: a build of 100,000 dumps would hold 100,000 lines."""
    # The path is joined only if the line is logged (it is not, unless -v).
    log.info("published %s/%s: %s [%s] %s", settings.input_dir, path, entry.title,
             entry.category, entry.id)


def forget(settings: Settings, state: State, ids: list[str]) -> Report:
    """Retract entries on purpose and regenerate what they appeared in.
    Returns a report whose `removed_entries` holds the ids that existed."""
    report = Report()
    output = Output(settings.output_dir)
    with state.transaction():
        _forget(state, ids, report)
    _render(settings, state, output)
    report.written = output.written
    return report


def _forget(state: State, ids: list[str], report: Report) -> None:
    keys = state.page_keys(ids)
    pages = {page_path(key.entry_id, key.published) for key in keys}
    report.removed_entries |= {key.entry_id for key in keys}
    state.add_pending(feeds=state.forget_entries(ids), removals=pages)
    state.done_pending(pages=ids)  # a page about to be removed is not written again


def _render(settings: Settings, state: State, output: Output, stop: StopRequested = never, *,
            force: bool = False, workers: Workers | None = None) -> None:
    """The render stage, loaded only when it has something to write."""
    if force or any(state.pending()):
        from feeds.render.pending import render_pending

        render_pending(settings, state, output, stop, force=force, workers=workers)
