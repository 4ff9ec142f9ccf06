"""The input side of a run: changed files read and parsed (in the run's workers
when there are many), each entry planned against what the state holds, and
what was decided stored, a batch at a time."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from feeds.inputs import SeenFile, ToRead
from feeds.intents import Forget
from feeds.plan import Plan, plan_entry
from feeds.publish.report import Progress, Report, StopRequested
from feeds.reading import Dump, read_files
from feeds.site import page_path
from feeds.state import State
from feeds.workers import Workers

log = logging.getLogger("feeds.publish")
CHUNK = 32  # files a worker reads at a time
BATCH_CHUNKS = 16  # chunks recorded in one transaction: a batch bounds a run's memory


def read_batches(workers: Workers, todo: list[ToRead], progress: Progress | None,
                 stop: StopRequested) -> Iterator[list[Dump]]:
    """The files read and parsed, a batch at a time, until `stop` says so (asked
    after each batch). A file that changed while being read is left out: the
    next scan reads it again."""
    chunks = (todo[start : start + CHUNK] for start in range(0, len(todo), CHUNK))
    batch: list[Dump] = []
    read = chunks_read = 0
    with contextlib.closing(workers.map(read_files, chunks, work=len(todo))) as results:
        for dumps in results:
            read += len(dumps)
            chunks_read += 1
            batch += [dump for dump in dumps if dump is not None]
            if chunks_read % BATCH_CHUNKS and read < len(todo):
                continue
            if progress:
                progress(read, len(todo))
            yield batch
            batch = []
            if stop():
                return


def record(state: State, dumps: list[Dump], seen: dict[str, SeenFile], now: datetime,
           report: Report, input_dir: Path) -> None:
    """Record a batch of dumps and what they make pending (call inside a
    transaction): each entry planned against what the state holds for its id,
    or what an earlier dump of the batch made of it."""
    known = state.entries.known({d.entry.id for d in dumps if d.entry is not None})
    plans: list[Plan] = []
    pages: list[str] = []  # the entries whose pages change
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
                pages.append(dump.entry.id)
                report.changed_entries.add(dump.entry.id)
                # Said as it happens, not kept in the report: a build of 100,000
                # dumps would hold 100,000 lines.
                log.info("published %s/%s: %s [%s] %s", input_dir, dump.path,
                         dump.entry.title, dump.entry.category, dump.entry.id)
    state.entries.apply(plan.intent for plan in plans)
    state.files.note(files, now)
    state.work.add(feeds=set().union(*(plan.feeds for plan in plans)),
                   pages=pages)
    _forget_replaced(state, dumps, seen, report)


def _forget_replaced(state: State, dumps: list[Dump], seen: dict[str, SeenFile],
                     report: Report) -> None:
    """A file that now holds another article (a corrected title): the one it held
    was never a separate article when no other file holds it, and leaves the feeds."""
    for dump in dumps:
        before = seen.get(dump.path)
        replaced = before.entry_id if before else None
        if (dump.entry is not None and replaced and replaced != dump.entry.id
                and state.files.giving(replaced) == 0):
            forget_entries(state, [replaced], report)


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
