"""The worker processes of a large run: one per core but one (the run's own
process takes jobs too, while it waits), started on first use and shared by its
stages (parsing, then feeds and article pages), so that a run pays
for starting them once; and the one fall-back when they fail: the rest of the
jobs are done in the run's own process.

A job is a module-level function of the stage it belongs to, given a `Context`
(the settings, and the state and output as that process sees them) and its
argument. The same function runs in a worker or, for a small run or after the
pool broke, here.

spawn, never fork: the daemon has threads, and a forked lock may never open.
Workers import only what their jobs need.
"""

from __future__ import annotations

import functools
import logging
import os
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeGuard, TypeVar

from feeds.config import Settings

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from feeds.output import Output
    from feeds.state import State

log = logging.getLogger("feeds.workers")
PARALLEL_FROM = 400  # less work than this (in files) is done in the run's own process
AHEAD_PER_WORKER = 4  # jobs sent ahead of the one awaited: each worker has its next at hand
MOST_AHEAD = 32  # whatever the cores: results waiting to be taken are held in memory
Job = TypeVar("Job")
Result = TypeVar("Result")


class Context:
    """What a job may use in the process it runs in: the run's settings, and the
    state and the output, opened when first asked for (a parsing worker needs
    neither). A worker reads the state on a connection of its own."""

    def __init__(self, settings: Settings, state: State | None = None,
                 output: Output | None = None) -> None:
        self.settings = settings
        self._state = state
        self._output = output

    @property
    def state(self) -> State:
        if self._state is None:
            from feeds.state import State

            # A worker renders each feed once: nothing to remember.
            self._state = State(self.settings.state_path, lock=False, remember=False)
        return self._state

    @property
    def output(self) -> Output:
        if self._output is None:
            from feeds.output import Output

            self._output = Output(self.settings.output_dir)
        return self._output


Task = Callable[[Context, Job], Result]

# In a worker: its context, made once from the settings the run gave it when it
# started rather than pickled with each of its thousands of jobs.
_context: list[Context] = []


def _start(settings: Settings) -> None:
    _context.append(Context(settings))
    _exit_with_parent()


def _run(task: Task[Job, Result], job: Job) -> Result:
    return task(_context[0], job)


def _exit_with_parent() -> None:
    """End this worker when the run that started it is gone, killed included:
    a worker waits on its job queue for ever otherwise, holding the state open
    and possibly halfway through writing pages beside the next run."""
    import multiprocessing
    import threading
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return

    def watch() -> None:
        wait([parent.sentinel])  # readable only once the parent's end is closed
        os._exit(1)

    threading.Thread(target=watch, name="feeds-parent-watch", daemon=True).start()


@dataclass(slots=True)
class _Slot(Generic[Job, Result]):
    """A job of a map, and its future once sent to the pool or done here."""

    job: Job
    future: Future[Result] | None = None


def _send(pool: ProcessPoolExecutor, call: Callable[[Job], Result],
          window: deque[_Slot[Job, Result]], most: int) -> None:
    """Send the oldest jobs not sent yet, while fewer than `most` are at the pool."""
    out = sum(1 for slot in window if slot.future is not None and not slot.future.done())
    for slot in window:
        if out >= most:
            return
        if slot.future is None:
            slot.future = pool.submit(call, slot.job)
            out += 1


def _done(result: Result) -> Future[Result]:
    """A result got here, as a future already done."""
    from concurrent.futures import Future

    future: Future[Result] = Future()
    future.set_result(result)
    return future


def _succeeded(future: Future[Result] | None) -> TypeGuard[Future[Result]]:
    return (future is not None and future.done() and not future.cancelled()
            and future.exception() is None)


class Workers:
    """A run's pool of worker processes, started when first asked for, and the
    run's own context for the jobs done here."""

    def __init__(self, local: Context) -> None:
        self.local = local
        self._pool: ProcessPoolExecutor | None = None
        # One process a core, the run's own included (see `_oldest`).
        self._size = max(1, (os.cpu_count() or 1) - 1)

    def wanted(self, work: int) -> bool:
        """Whether this much work (in files) is worth sending to other processes."""
        return work >= PARALLEL_FROM and (os.cpu_count() or 1) >= 2

    def map(self, task: Task[Job, Result], jobs: Iterable[Job], *, work: int
            ) -> Generator[Result, None, None]:
        """`task` over `jobs`, results in order: in the workers when `work` is
        `wanted`, with a few jobs sent ahead; else here. Stopping early (closing
        the iterator) drops the jobs not started. When a worker dies (killed,
        out of memory), what it had not returned is done here, with a warning."""
        jobs = iter(jobs)
        if self.wanted(work):
            yield from self._in_pool(task, jobs)
        for job in jobs:
            yield task(self.local, job)

    def _in_pool(self, task: Task[Job, Result], jobs: Iterator[Job]) -> Iterator[Result]:
        """Results from the pool until the jobs end; after a failure, the jobs it
        had not returned are done here."""
        from concurrent.futures.process import BrokenProcessPool

        pool = self._executor()
        window: deque[_Slot[Job, Result]] = deque()
        # Enough at the pool that a worker never waits while this process does a
        # job; the rest of the window is this process's to take.
        send = functools.partial(_send, pool, functools.partial(_run, task), window,
                                 AHEAD_PER_WORKER * self._size)
        ahead = min(AHEAD_PER_WORKER * (os.cpu_count() or 1), MOST_AHEAD)
        try:
            for job in jobs:
                window.append(_Slot(job))
                send()
                while len(window) > ahead:
                    yield self._oldest(task, window, send)
            while window:
                yield self._oldest(task, window, send)
        except BrokenProcessPool as error:
            log.warning("worker processes failed (%s); going on in this process", error)
            self.cancel()
            left, window = list(window), deque()
            for slot in left:  # what a worker finished stands; the rest is done here
                yield (slot.future.result() if _succeeded(slot.future)
                       else task(self.local, slot.job))
        finally:
            if window:  # stopped early: the jobs not started are dropped
                self.cancel()

    def _oldest(self, task: Task[Job, Result], window: deque[_Slot[Job, Result]],
                send: Callable[[], None]) -> Result:
        """The oldest job's result. While a worker is still at it, this process
        does the newest job not sent to the pool: the run's own process is one
        of its workers (and the pool one process smaller). No job sent to the
        pool is ever taken back (a cancelled job upsets its clean-up when a
        worker dies: CPython gh-107219)."""
        oldest = window[0]
        while oldest.future is None or not oldest.future.done():
            here = next((slot for slot in reversed(window) if slot.future is None), None)
            if here is None:
                break  # all sent: wait for the pool
            here.future = _done(task(self.local, here.job))
        assert oldest.future is not None
        send()
        result = oldest.future.result()  # a broken pool raises here, the job still in the window
        window.popleft()
        send()
        return result

    def cancel(self) -> None:
        """Drop the jobs not started yet, and the pool (the next map starts another)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(
                max_workers=self._size,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start, initargs=(self.local.settings,))
        return self._pool

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, error_type: type[BaseException] | None, *_: Any) -> None:
        if self._pool is not None:  # a run that failed drops the jobs not started
            self._pool.shutdown(wait=True, cancel_futures=error_type is not None)
            self._pool = None
