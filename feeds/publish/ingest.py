"""The input side of a run: changed files read and parsed (in the run's workers
when there are many), each entry planned against what the state holds, and
what was decided stored, a batch at a time.

The pages of a recorded batch ride along with the next files sent to the
workers (`PageHandoff`): each is written from the record the batch already
holds, while the files after it are parsed, so that a large build neither reads
its entries back from the state for their pages nor ends with a phase of pages
alone. A page is marked done only once written, in the next batch's transaction;
what has not gone out when the files end is left pending for the output stage."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from feeds.inputs import SeenFile, ToRead
from feeds.intents import Forget, Show
from feeds.model import Published
from feeds.plan import Plan, plan_entry, with_image_size
from feeds.publish.report import Progress, Report, StopRequested
from feeds.reading import Dump, read_files
from feeds.site import page_path
from feeds.state import State
from feeds.workers import Context, Workers

log = logging.getLogger("feeds.publish")
CHUNK = 32  # files a worker reads at a time, and pages it writes beside them at most
BATCH_CHUNKS = 16  # chunks recorded in one transaction: a batch bounds a run's memory


@dataclass(frozen=True, slots=True)
class PageToWrite:
    """An entry's page as a recorded batch shows it: the record and `updated`
    the state now holds for it."""

    entry_id: str
    record: bytes
    updated: datetime


@dataclass(frozen=True, slots=True)
class Recorded:
    """What recording a batch made pending: pages to write, entries forgotten."""

    pages: list[PageToWrite]
    forgotten: list[str]


@dataclass(frozen=True, slots=True)
class ReadJob:
    """A job of the run's workers: files to read, and pages to write first."""

    files: list[ToRead]
    pages: list[PageToWrite]


@dataclass(frozen=True, slots=True)
class ReadDone:
    """What a `ReadJob` gives back: the dumps read (None: changed while read),
    the entries whose pages it wrote, and how many of those changed."""

    dumps: list[Dump | None]
    pages: list[str]
    written: int


@dataclass(slots=True)
class Batch:
    """Dumps to record in one transaction, the pages written since the last, and
    how many of those changed."""

    dumps: list[Dump]
    pages: list[str]
    written: int


class PageHandoff:
    """The pages recorded batches owe, waiting for a `ReadJob` to take them.

    An entry recorded again while its page is out with a worker is not sent a
    second time (two workers could then finish in either order): its page stays
    pending in the state, for the output stage, and the first write is not
    marked done."""

    def __init__(self) -> None:
        self._ready: dict[str, PageToWrite] = {}
        self._out: set[str] = set()
        self._overtaken: set[str] = set()

    def offer(self, pages: Iterable[PageToWrite]) -> None:
        for page in pages:
            if page.entry_id in self._out:
                self._overtaken.add(page.entry_id)
            else:
                self._ready[page.entry_id] = page  # a newer record replaces one waiting

    def withdraw(self, ids: Iterable[str]) -> None:
        """Entries forgotten: their pages are not to be written."""
        for entry_id in ids:
            self._ready.pop(entry_id, None)
            if entry_id in self._out:
                self._overtaken.add(entry_id)

    def take(self, most: int) -> list[PageToWrite]:
        taken = [self._ready.pop(entry_id) for entry_id in list(self._ready)[:most]]
        self._out.update(page.entry_id for page in taken)
        return taken

    def returned(self, ids: list[str]) -> list[str]:
        """The entries of a finished job whose pages are now done."""
        self._out.difference_update(ids)
        done = [entry_id for entry_id in ids if entry_id not in self._overtaken]
        self._overtaken.difference_update(ids)
        return done


def read_and_write(context: Context, job: ReadJob) -> ReadDone:
    """A job of the run's workers: the pages first (they wait on nothing), then
    the files."""
    from feeds.publish.refresh import write_pages  # the renderers load only to render
    from feeds.records import decode_record

    written = write_pages(context, (Published(decode_record(page.record), page.updated)
                                    for page in job.pages)) if job.pages else 0
    return ReadDone(read_files(context, job.files), [page.entry_id for page in job.pages],
                    written)


def read_batches(workers: Workers, todo: list[str], to_read: Callable[[list[str]], list[ToRead]],
                 pages: PageHandoff, progress: Progress | None, stop: StopRequested
                 ) -> Iterator[Batch]:
    """The files at these paths read and parsed, a batch at a time, until `stop`
    says so (asked after each batch), with the pages `pages` hands each job.
    `to_read` says what is known of a chunk of paths, as its job is made: only
    the jobs under way are held. A file that changed while being read is left
    out: the next scan reads it again."""
    jobs = (ReadJob(to_read(todo[start : start + CHUNK]), pages.take(CHUNK))
            for start in range(0, len(todo), CHUNK))
    batch = Batch([], [], 0)
    read = chunks_read = 0
    with contextlib.closing(workers.map(read_and_write, jobs, work=len(todo))) as results:
        for done in results:
            read += len(done.dumps)
            chunks_read += 1
            batch.dumps.extend(dump for dump in done.dumps if dump is not None)
            batch.pages.extend(pages.returned(done.pages))
            batch.written += done.written
            if chunks_read % BATCH_CHUNKS and read < len(todo):
                continue
            if progress:
                progress(read, len(todo))
            yield batch
            batch = Batch([], [], 0)
            if stop():
                return


def record(state: State, dumps: list[Dump], now: datetime, report: Report, input_dir: Path,
           *, probing: bool = False) -> Recorded:
    """Record a batch of dumps and what they make pending (call inside a
    transaction): each entry, with its lead image's size if a probe read it,
    planned against what the state holds for its id, or what an earlier dump of
    the batch made of it. Returns the pages the batch made pending, as the state
    now shows them, and the entries it forgot."""
    dumps = _with_sizes_read(state, dumps)
    # What the state saw of these files before this run: no run reads a file twice.
    seen = state.files.seen([dump.path for dump in dumps])
    known = state.entries.known({d.entry.id for d in dumps if d.entry is not None})
    plans: list[Plan] = []
    pages: dict[str, PageToWrite] = {}  # the entries whose pages change
    kept: list[str] = []  # their pages' paths
    files: list[SeenFile] = []
    for dump in dumps:
        before = seen.get(dump.path)
        if dump.rejected is not None:
            report.rejected.append(dump.rejected)
            files.append(replace(dump.seen(), entry_id=before.entry_id if before else None))
        elif dump.entry is None:  # the same bytes under a new mtime
            assert before is not None
            report.unchanged += 1
            files.append(replace(before, size=dump.size, mtime_ns=dump.mtime_ns))
        else:
            plan = plan_entry(dump.entry, dump.mtime_ns, dump.sha256, known.get(dump.entry.id))
            known[dump.entry.id] = plan.known
            plans.append(plan)
            files.append(dump.seen())
            report.parsed += 1
            if plan.feeds:
                pages[dump.entry.id] = PageToWrite(dump.entry.id, plan.known.record,
                                                   plan.known.updated)
                kept.append(page_path(dump.entry.id, dump.entry.published))
                report.changed += 1
                # Said as it happens, not kept in the report: a build of 100,000
                # dumps would hold 100,000 lines.
                log.info("published %s/%s: %s [%s] %s", input_dir, dump.path,
                         dump.entry.title, dump.entry.category, dump.entry.id)
    _store(state, plans, probing=probing)
    state.files.note(files, now)
    state.work.add(feeds=set().union(*(plan.feeds for plan in plans)),
                   pages=pages)
    # An entry forgotten earlier in the run (or in a run killed before its output
    # stage) and recorded again keeps its page: its removal is no longer owed.
    state.work.done(removals=kept)
    forgotten = _forget_replaced(state, dumps, seen, report)
    for entry_id in forgotten:
        pages.pop(entry_id, None)
    return Recorded(list(pages.values()), forgotten)


def _store(state: State, plans: list[Plan], *, probing: bool) -> None:
    """Write what was planned; with `probing`, the entries shown whose lead
    image's size is unknown wait for a probe, and the others for nothing."""
    state.entries.apply(plan.intent for plan in plans)
    if probing:
        state.images.wait({plan.intent.entry.id: plan.intent.entry.unsized_image
                           for plan in plans if isinstance(plan.intent, Show)})


def _with_sizes_read(state: State, dumps: list[Dump]) -> list[Dump]:
    """The dumps, each entry whose page states no size for its lead image given
    the size a probe read from that image, when one did."""
    unsized = {dump.entry.unsized_image for dump in dumps
               if dump.entry is not None and dump.entry.unsized_image}
    sizes = state.images.sizes(unsized) if unsized else {}
    if not sizes:
        return dumps
    return [replace(dump, entry=with_image_size(dump.entry, sizes[dump.entry.unsized_image]))
            if dump.entry is not None and dump.entry.unsized_image in sizes else dump
            for dump in dumps]


def _forget_replaced(state: State, dumps: list[Dump], seen: dict[str, SeenFile],
                     report: Report) -> list[str]:
    """A file that now holds another article (a corrected title): the one it held
    was never a separate article when no other file holds it, and leaves the
    feeds. Returns the ids forgotten."""
    forgotten: list[str] = []
    for dump in dumps:
        before = seen.get(dump.path)
        replaced = before.entry_id if before else None
        if (dump.entry is not None and replaced and replaced != dump.entry.id
                and state.files.giving(replaced) == 0):
            forget_entries(state, [replaced], report)
            forgotten.append(replaced)
    return forgotten


def forget_entries(state: State, ids: list[str], report: Report) -> None:
    """Remove entries and make pending what they appeared in (call inside a
    transaction)."""
    keys = state.entries.page_keys(ids)
    pages = {page_path(key.entry_id, key.published) for key in keys}
    report.removed_entries |= {key.entry_id for key in keys}
    feeds = state.entries.feeds_of(ids)
    state.entries.apply(Forget(entry_id) for entry_id in ids)
    state.work.add(feeds=feeds, removals=pages)
    state.work.done(pages=ids)  # a page about to be removed is not written again
