"""The publisher: the one code path from the input directory to the output.
`feeds build` and the daemon's passes both call `publish`.

    input files -> what changed (`changes`) -> read and parse, in workers for
    many files (`feeds.reading`) -> plan each entry (`feeds.plan`) -> store what
    was decided and what it makes pending (`ingest`) -> render what is pending
    and write it (`refresh`)

The state records what must be rendered in the same transaction as the change
that needs it, and forgets it only once the files are in place: a run that is
killed at any point leaves the rest of the work to the next run.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from feeds.config import Settings
from feeds.dates import format_utc
from feeds.errors import Rejected, Rejection
from feeds.inputs import (
    FileStat,
    Stat,
    ToRead,
    scan_input,
    stat_inputs,
    stat_key,
    warn_passed_over,
)
from feeds.output import Output
from feeds.publish.changes import RENDERED_WITH, Changes, find_changes, whole_render_due
from feeds.publish.report import Progress, Report, StopRequested
from feeds.records import RECORD_FORMAT, RECORD_FORMAT_KEY
from feeds.state import IMAGES_WAITING, Run, State
from feeds.workers import Context, Workers

__all__ = ["RENDERED_WITH", "Report", "forget", "publish"]

log = logging.getLogger("feeds.publish")
Clock = Callable[[], datetime]
# Decides whether a changed file is complete enough to read (the daemon's settle rule).
Settled = Callable[[str, Stat], bool]
BULK_FROM = 1000  # this many dumps into an empty state are recorded with indexes deferred
READ_FROM = "input directory"  # meta: the directory the files the state holds were read from
# Set while a run writes the output: found set, the last writer was stopped
# half-way and may have left temporary files behind.
WRITING = "writing"
UNNAMABLE = "file name is not valid UTF-8; rename the file to publish it"


def system_clock() -> datetime:
    return datetime.now(UTC)


def never() -> bool:
    return False


def publish(settings: Settings, state: State, *, rebuild: bool = False,
            clock: Clock = system_clock, settled: Settled | None = None,
            progress: Progress | None = None, stop: StopRequested = never,
            only: Collection[str] | None = None, probes: int | None = None) -> Report:
    """Bring the state and the output up to date with the input directory.

    Only files whose size or mtime changed are read, only those whose bytes
    changed are parsed, and only feeds whose entries changed are rendered.
    `rebuild` forgets the state first and renders everything from the input.
    `settled` says whether a changed file is complete (the others wait).
    `stop` is asked between batches: when it says yes, what was read is still
    recorded and its feeds rendered, and the rest waits for the next run.
    `only` limits the run to these input paths (relative, "/"-separated).
    `probes` limits the images probed (`images.probe`), the newest first; the
    report says whether more are due.
    Raises OutputError, StateError or OSError when the environment fails; a bad
    dump is only reported.
    """
    report = Report()
    context = Context(settings, state, Output(settings.output_dir))
    interrupted = _prepare_output(context)
    rebuild = _forget_if_asked(settings, state, rebuild=rebuild)
    looked = _look(settings, state, only, report)
    changes = looked.changes
    report.unchanged = changes.unchanged
    todo = [path for path in changes.changed
            if settled is None or settled(path, looked.stats[path])]
    whole = rebuild or whole_render_due(settings, state)
    _begin(context, writing=interrupted or bool(todo) or whole or bool(state.work.pending()),
           whole=whole)
    with Workers(context) as workers:
        _ingest(context, workers, _Todo(todo, looked.stats, state.files.any()), report,
                clock=clock, progress=progress, stop=stop)
        with state.transaction():
            state.files.drop(changes.gone)  # their entries stay: inputs may rotate
            # The files' paths are relative to it: `feeds status` names them from here,
            # whatever input it is given.
            state.set_meta(READ_FROM, str(settings.input_dir.absolute()))
        _size_images(settings, state, report, stop, clock, probes)
        _refresh(context, workers, stop, report, whole=whole)
    if rebuild:
        from feeds.publish.refresh import remove_strays

        report.written += remove_strays(state, context.output)
    with state.transaction():
        state.runs.note(Run(finished=format_utc(clock()), parsed=report.parsed,
                            rejected=len(report.rejected), written=report.files_written))
        state.set_meta(WRITING, "")
    return report


def _begin(context: Context, *, writing: bool, whole: bool) -> None:
    """Say that the run writes the output (a run with nothing to write leaves the
    state as it is), and with `whole`, that everything is owed."""
    state = context.state
    if not (writing or whole):
        return
    with state.transaction():
        if writing:
            state.set_meta(WRITING, "yes")
        if whole:
            state.work.add_everything()
            state.set_meta(RENDERED_WITH, context.settings.render_fingerprint)


def _prepare_output(context: Context) -> bool:
    """Make the output directory usable, and sweep what a run stopped half-way
    left there; whether one was."""
    context.output.prepare()
    interrupted = bool(context.state.meta(WRITING))
    if interrupted:
        context.output.sweep_temporaries()
    return interrupted


def _forget_if_asked(settings: Settings, state: State, *, rebuild: bool) -> bool:
    """Forget the state for a rebuild, asked for or needed: a state holding
    records of an older feeds is rebuilt from the input. Whether it was."""
    if state.meta(RECORD_FORMAT_KEY) != RECORD_FORMAT:
        if state.entries.count():
            log.warning("%s holds records of an older feeds: rebuilding it from %s",
                        settings.state_path, settings.input_dir)
            rebuild = True
        with state.transaction():
            state.set_meta(RECORD_FORMAT_KEY, RECORD_FORMAT)
    if rebuild:
        with state.transaction():
            state.clear()
    return rebuild


@dataclass(frozen=True, slots=True)
class Looked:
    """The input files a run considers against what the state saw of them, and,
    for a run limited to paths named, their stats as listed (by path)."""

    changes: Changes
    stats: dict[str, FileStat]


def _look(settings: Settings, state: State, only: Collection[str] | None, report: Report
          ) -> Looked:
    """The input files that changed, are gone, or are as they were: those of the
    whole directory, or only the paths named (a targeted scan, at a cost that
    does not grow with the input). A changed file whose name is not text is
    rejected here."""
    stats: dict[str, FileStat] = {}
    if only is None:
        passed_over: dict[str, str] = {}
        changes = find_changes(scan_input(settings.input_dir, passed_over),
                               state.files.stat_keys())
        warn_passed_over(settings.input_dir, passed_over)
    else:
        stats = stat_inputs(settings.input_dir, only)
        seen = state.files.seen([path for path in only if _nameable(path)])
        changes = find_changes(stats.items(), {
            path: stat_key(file.size, file.mtime_ns) for path, file in seen.items()})
    unnamable = [path for path in changes.changed if not _nameable(path)]
    for path in unnamable:
        report.rejected.append(Rejected(path, Rejection.UNNAMABLE, UNNAMABLE))
    if unnamable:
        changes = replace(changes, changed=[p for p in changes.changed if _nameable(p)])
    return Looked(changes, stats)


def _nameable(path: str) -> bool:
    """Whether a path is text. A name that is not UTF-8 reaches Python with
    surrogates standing for its bytes, which neither the state, nor a record,
    nor a feed can hold."""
    try:
        path.encode()
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class _Todo:
    """The changed files a run reads (sorted), their stats as listed where the run
    has them (else each is taken as it is read), and whether the state saw any
    input file before (else none of them needs looking up)."""

    paths: list[str]
    stats: dict[str, FileStat]
    anything_seen: bool

    def to_read(self, state: State, paths: list[str]) -> list[ToRead]:
        seen = state.files.seen(paths) if self.anything_seen else {}
        return [ToRead(path, self.stats.get(path), seen.get(path)) for path in paths]


def _ingest(context: Context, workers: Workers, todo: _Todo, report: Report, *, clock: Clock,
            progress: Progress | None, stop: StopRequested) -> None:
    """Read the changed files and record them, a batch a transaction, with the
    pages the workers wrote since the batch before marked done. Into an empty
    state, many are recorded with the indexes deferred."""
    if not todo.paths:
        return
    # The parser loads only to parse.
    from feeds.publish.ingest import PageHandoff, read_batches, record

    state = context.state
    pages = PageHandoff()
    bulk = len(todo.paths) >= BULK_FROM and state.entries.count() == 0
    with state.indexes_deferred() if bulk else contextlib.nullcontext():
        for batch in read_batches(workers, todo.paths, functools.partial(todo.to_read, state),
                                  pages, progress, stop):
            with state.transaction():
                # Done first: an entry this batch records again is pending again.
                state.work.done(pages=batch.pages)
                recorded = record(state, batch.dumps, clock(), report,
                                  context.settings.input_dir,
                                  probing=context.settings.images_probe)
            pages.withdraw(recorded.forgotten)
            pages.offer(recorded.pages)
            report.pages_written += batch.written


def _size_images(settings: Settings, state: State, report: Report, stop: StopRequested,
                 clock: Clock, most: int | None) -> None:
    """The probe stage, loaded only when probing is or was on; what it makes
    pending is written by this run."""
    if not (settings.images_probe or state.meta(IMAGES_WAITING)):
        return
    from feeds.publish.images import size_images

    sized = size_images(settings, state, stop, clock, most)
    report.sized, report.images_due = sized.shown, sized.more
    if sized.shown:
        with state.transaction():
            state.set_meta(WRITING, "yes")


def forget(settings: Settings, state: State, ids: list[str]) -> Report:
    """Retract entries on purpose and regenerate what they appeared in.
    Returns a report whose `removed_entries` holds the ids that existed."""
    from feeds.publish.ingest import forget_entries

    report = Report()
    context = Context(settings, state, Output(settings.output_dir))
    _prepare_output(context)
    with state.transaction():
        forget_entries(state, ids, report)
        state.set_meta(WRITING, "yes")
    with Workers(context) as workers:
        _refresh(context, workers, never, report, whole=False)
    with state.transaction():
        state.set_meta(WRITING, "")
    return report


def _refresh(context: Context, workers: Workers, stop: StopRequested, report: Report, *,
             whole: bool) -> None:
    """The output side, loaded only when the output owes something: a run that
    finds nothing new never imports the renderers or the feed libraries."""
    pending = context.state.work.pending()
    if not (whole or pending):
        return
    from feeds.publish.refresh import write_pending

    written = write_pending(context, workers, stop, pending, whole=whole)
    report.written += written.paths
    report.pages_written += written.pages
