"""Article pages: one per entry, written by the render stage from the state.

Many pages (a first build, a rebuild) are rendered and written by the run's
workers (`feeds.workers`), each reading the entries from the state on its own
connection: decoding, rendering and creating a page is CPU and kernel work
that one process would do alone while the other cores wait. The main process
records which pages are done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from feeds.config import Settings
from feeds.model import Published
from feeds.output import Output
from feeds.render.pages import article_page
from feeds.site import category_feed, entry_page
from feeds.state import State
from feeds.workers import Workers, worker_settings

log = logging.getLogger("feeds.render")

PAGES_PER_TRANSACTION = 500


def render_article(settings: Settings, published: Published) -> bytes:
    """An article's page. It names the category as the article itself spells it,
    so that the page depends on nothing but the article and the site settings."""
    entry = published.entry
    spec = category_feed(entry.category_slug, entry.category, settings.site_title)
    return article_page(published, spec, settings.site)


def write_pages(settings: Settings, state: State, output: Output, ids: Sequence[str],
                stop: Callable[[], bool] | None = None, workers: Workers | None = None) -> None:
    """Write the pages of these entries, marking each batch done in the state once
    it is in place; `stop` is asked between batches."""
    batches = [list(ids[start : start + PAGES_PER_TRANSACTION])
               for start in range(0, len(ids), PAGES_PER_TRANSACTION)]
    if workers is not None and workers.wanted(len(ids)):
        from concurrent.futures.process import BrokenProcessPool

        try:
            for batch, written in zip(batches, workers.map(_worker_batch, batches),
                                      strict=True):
                output.written.extend(written)
                if _done(state, batch, stop):
                    workers.cancel()
                    return
                batches = batches[1:]
        except BrokenProcessPool as error:
            log.warning("page workers failed (%s); writing pages in this process", error)
    for batch in batches:
        _write_batch(settings, state, output, batch)
        if _done(state, batch, stop):
            return


def _done(state: State, batch: list[str], stop: Callable[[], bool] | None) -> bool:
    """Mark a batch's pages written; True when the run is asked to stop."""
    with state.transaction():
        state.done_pending(pages=batch)
    return stop is not None and stop()


def _write_batch(settings: Settings, state: State, output: Output, ids: list[str]) -> None:
    for published in state.entries(ids):
        output.write(entry_page(published), render_article(settings, published), durable=False)


# In a worker: its own read-only connection to the state, and its view of the output.
_worker_view: list[tuple[State, Output]] = []


def worker_view() -> tuple[State, Output]:
    """This worker's connection to the state and view of the output, made once."""
    if not _worker_view:
        settings = worker_settings()
        _worker_view.append((State(settings.state_path, lock=False),
                             Output(settings.output_dir)))
    return _worker_view[0]


def _worker_batch(ids: list[str]) -> list[str]:
    """The paths of the pages that changed, for the main process to report."""
    settings = worker_settings()
    state, output = worker_view()
    _write_batch(settings, state, output, ids)
    written, output.written = output.written, []
    return written
