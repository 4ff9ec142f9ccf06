"""The worker processes of a large run: one per core, started on first use and
shared by its stages (the parse stage, then the render stage's article pages),
so that a run pays for starting them once.

spawn, never fork: the daemon has threads, and a forked lock may never open.
Workers import only what their jobs need; each job names a function of the
stage it belongs to.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from feeds.config import Settings

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

PARALLEL_FROM = 400  # fewer jobs than this are done in the run's own process
Job = TypeVar("Job")
Result = TypeVar("Result")

# In a worker: the settings of the run it serves, given once when it starts
# rather than pickled with each of its thousands of jobs.
_settings: list[Settings] = []


def worker_settings() -> Settings:
    return _settings[0]


def _start(settings: Settings) -> None:
    _settings.append(settings)
    _exit_with_parent()


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


class Workers:
    """A run's pool of worker processes, started when first asked for."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool: ProcessPoolExecutor | None = None

    def wanted(self, jobs: int) -> bool:
        """Whether this many jobs are worth sending to other processes."""
        return jobs >= PARALLEL_FROM and (os.cpu_count() or 1) >= 2

    def map(self, function: Callable[[Job], Result], jobs: Iterable[Job], chunksize: int = 1
            ) -> Iterator[Result]:
        """`function` over `jobs` in the workers, in order. Raises BrokenProcessPool
        when a worker died (killed, out of memory, or a host program that cannot
        be imported again by spawn)."""
        return self._executor().map(function, jobs, chunksize=chunksize)

    def cancel(self) -> None:
        """Drop the jobs not started yet (a stop was asked for)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(
                max_workers=os.cpu_count(), mp_context=multiprocessing.get_context("spawn"),
                initializer=_start, initargs=(self.settings,))
        return self._pool

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_: Any) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
