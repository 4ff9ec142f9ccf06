"""The run's worker pool: results in order; the run's own process takes jobs while
it waits; and when a worker dies, what the pool finished stands and only the rest is
done in the run's own process."""

from __future__ import annotations

import os
import time
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import pytest

import feeds.workers
from feeds.config import Settings
from feeds.workers import Context, Workers


def done_here(context: Context, job: int) -> str:
    return f"{job} here"


class DiesAfter:
    """A pool whose first `finished` jobs come back done by a worker, and whose
    worker then dies, taking every job after with it."""

    def __init__(self, finished: int) -> None:
        self.finished = finished
        self.sent = 0

    def submit(self, _call: object, job: int) -> Future[str]:
        future: Future[str] = Future()
        self.sent += 1
        if self.sent <= self.finished:
            future.set_result(f"{job} by a worker")
        else:
            future.set_exception(BrokenProcessPool("a worker was killed"))
        return future

    def shutdown(self, **_: object) -> None:
        pass


@pytest.mark.parametrize("finished", [0, 3, 10])
def test_what_the_pool_finished_stands_when_a_worker_dies(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, finished: int) -> None:
    monkeypatch.setattr(feeds.workers, "PARALLEL_FROM", 1)
    workers = Workers(Context(Settings()))
    pool = DiesAfter(finished)
    monkeypatch.setattr(workers, "_executor", lambda: pool)
    results = list(workers.map(done_here, range(10), work=10))
    assert results == [f"{job} by a worker" if job < finished else f"{job} here"
                       for job in range(10)]
    assert ("worker processes failed" in caplog.text) == (finished < 10)


def where_done(context: Context, job: int) -> tuple[int, int]:
    time.sleep(0.05)
    return job, os.getpid()


def test_the_runs_own_process_takes_jobs_while_it_waits(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    """On two cores: one worker process, and the run's own process, which does the
    newest job no worker has started while the oldest is still out; results in order."""
    monkeypatch.setattr(feeds.workers, "PARALLEL_FROM", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    with Workers(Context(Settings())) as workers:
        results = list(workers.map(where_done, range(24), work=24))
    assert [job for job, _ in results] == list(range(24))
    by = {pid for _, pid in results}
    assert os.getpid() in by and len(by) == 2


MAIN_PID = os.getpid()


def dies_in_a_worker(context: Context, job: int) -> tuple[int, int]:
    """Job 1 kills the worker that runs it (not the run's own process), once the
    run's own process has started taking jobs."""
    time.sleep(0.4 if job == 1 else 0.05)
    if job == 1 and os.getpid() != MAIN_PID:
        os._exit(1)
    return job, os.getpid()


def test_a_dead_worker_leaves_no_process_behind_while_the_run_takes_jobs(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A dead worker's jobs are done here, in order, and no process is left behind. The
    run takes only jobs it has not sent to the pool, never cancels one there: a
    cancelled job upsets the pool's clean-up when a worker dies (CPython gh-107219),
    which can leave the other workers running."""
    import multiprocessing
    import threading

    monkeypatch.setattr(feeds.workers, "PARALLEL_FROM", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    errors: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    with Workers(Context(Settings())) as workers:
        results = list(workers.map(dies_in_a_worker, range(16), work=16))
    assert [job for job, _ in results] == list(range(16))
    assert errors == []
    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert multiprocessing.active_children() == []
