"""The render stage: the feeds, pages and indexes the state says are pending,
written from the entries it holds and the one `Site` of the settings.

Loaded only by a run that has something to render: a build that finds nothing
new never imports the feed libraries.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from feeds.config import Settings
from feeds.model import Published
from feeds.output import Output
from feeds.render.articles import worker_view, write_pages
from feeds.render.icons import write_icons
from feeds.render.items import FeedItem, article_item, headline_item
from feeds.render.jsonfeed import render_json
from feeds.render.pages import FeedSummary, category_page, index_page, opml
from feeds.render.sitemaps import (
    NEWS_URLS,
    SITEMAP_URLS,
    news_sitemap,
    news_window,
    part_path,
    robots_txt,
    sitemap_index,
    urlset,
)
from feeds.render.syndication import render_atom, render_rss
from feeds.site import (
    FEED_FILES,
    FeedSpec,
    all_feed,
    category_feed,
    entry_page,
    feed_directory,
    page_path,
    populer_feed,
    reporter_feed,
)
from feeds.state import State
from feeds.workers import Workers, worker_settings

log = logging.getLogger("feeds.render")


def render_pending(settings: Settings, state: State, output: Output,
                   stop: Callable[[], bool] | None = None, *, force: bool = False,
                   workers: Workers | None = None) -> None:
    """Write what the state holds and the output does not show yet: affected
    feeds and the index first (they are what subscribers poll), then pages.
    `force` writes the index and the site-wide feeds even with nothing pending."""
    keys, pages, removals = state.pending()
    if not (keys or pages or removals or force):
        return
    write_icons(settings, output)
    categories = {category.slug: category for category in state.categories()}
    names = {slug: category.name for slug, category in categories.items()}
    summaries = [_write_all_feed(settings, state, output, names, force=force)]
    jobs: list[FeedJob] = []
    for slug, category in sorted(categories.items(), key=lambda item: item[1].name.casefold()):
        spec = category_feed(slug, category.name, settings.site_title)
        if spec.key in keys:
            jobs.append(FeedJob(spec, names, force, category=slug))
        summaries.append(_summary(settings, spec, state.newest(slug, 1), category.count))
    reporters = []
    for reporter in sorted(state.reporters(), key=lambda r: (r.name.casefold(), r.slug)):
        spec = reporter_feed(reporter.slug, reporter.name, settings.site_title)
        if spec.key in keys:
            jobs.append(FeedJob(spec, names, force, reporter=reporter.slug))
        reporters.append(FeedSummary(spec, min(reporter.entries, settings.entries_per_feed),
                                     reporter.entries, None, None, None))
    _write_feeds(settings, state, output, jobs, workers)
    live = {summary.spec.key for summary in summaries + reporters}
    for key in keys - live:  # a category or reporter that lost its last entry
        for path in output.files_under(feed_directory(key).rstrip("/")):
            output.remove(path)
    summaries.append(_write_populer_feed(settings, state, output, force=force))
    output.write("index.html", index_page(summaries, reporters, settings.site))
    output.write("feeds.opml", opml([s.spec for s in summaries], [r.spec for r in reporters],
                                    settings.site))
    _write_sitemaps(settings, state, output, pages, removals, force=force)
    for path in removals:
        output.remove(path)
    with state.transaction():
        state.done_pending(feeds=keys, removals=removals)
    if stop is None or not stop():
        write_pages(settings, state, output, pages, stop, workers)


def _write_all_feed(settings: Settings, state: State, output: Output,
                    names: dict[str, str], *, force: bool) -> FeedSummary:
    spec = all_feed(settings.site_title, settings.site_description)
    newest = state.newest(None, settings.entries_per_feed)
    _write_feed(settings, state, output, spec, _items(settings, newest, names), force=force)
    return _summary(settings, spec, newest, state.entry_count())


class FeedJob(NamedTuple):
    """A category's or a reporter's feeds and page to write: the category's slug
    or the reporter's says which entries."""

    spec: FeedSpec
    names: dict[str, str]  # category slug -> the name its feed shows
    force: bool
    category: str | None = None
    reporter: str | None = None


class FeedDone(NamedTuple):
    """What writing a FeedJob did: the files that changed, and the source its
    feeds were rendered from (None: they were up to date)."""

    written: list[str]
    source: str | None


def _write_feeds(settings: Settings, state: State, output: Output, jobs: list[FeedJob],
                 workers: Workers | None) -> None:
    """Category and reporter feeds with their pages: in the run's workers when there
    are many (a first build renders one set per category and per reporter)."""
    if workers is not None and workers.wanted(len(jobs) * settings.entries_per_feed):
        from concurrent.futures.process import BrokenProcessPool

        try:
            for job, done in zip(jobs, workers.map(_worker_feed, jobs, chunksize=4),
                                 strict=True):
                output.written.extend(done.written)
                _remember_rendered(state, job.spec, done.source)
            return
        except BrokenProcessPool as error:  # all again here: what workers wrote stays as is
            log.warning("feed workers failed (%s); writing feeds in this process", error)
    for job in jobs:
        _remember_rendered(state, job.spec,
                           write_feed_and_page(settings, state, output, job).source)


def write_feed_and_page(settings: Settings, state: State, output: Output,
                        job: FeedJob) -> FeedDone:
    """A category's or a reporter's feeds and the page listing its entries."""
    entries = state.newest(job.category, settings.entries_per_feed, reporter=job.reporter)
    before = len(output.written)
    source = _write_feed_files(settings, state, output, job.spec,
                               _items(settings, entries, job.names), force=job.force)
    output.write(job.spec.directory + "index.html", category_page(job.spec, entries,
                                                                  settings.site))
    return FeedDone(output.written[before:], source)


def _worker_feed(job: FeedJob) -> FeedDone:
    settings = worker_settings()
    state, output = worker_view()
    done = write_feed_and_page(settings, state, output, job)
    output.written = []
    return done


def _write_populer_feed(settings: Settings, state: State, output: Output, *,
                        force: bool) -> FeedSummary:
    """The "Populer" sidebar of the newest dump (greatest published, then id),
    each headline linked to its article's page when that article is known. Its
    first `entries_per_feed` headlines, as every feed: a page can list any number."""
    spec = populer_feed(settings.site_title)
    newest = state.newest(None, 1)
    items = []
    headlines = newest[0].entry.populer[: settings.entries_per_feed] if newest else ()
    for headline in headlines:
        known = state.page_key_by_title(headline.title)
        url = settings.base_url + page_path(known.entry_id, known.published) if known else None
        items.append(headline_item(headline, url, settings.site_title))
    _write_feed(settings, state, output, spec, items, force=force)
    first = items[0] if items else None
    return FeedSummary(spec, len(items), len(items), first.title if first else None,
                       first.url if first else None, first.published if first else None)


def _items(settings: Settings, entries: list[Published], names: dict[str, str]) -> list[FeedItem]:
    return [article_item(p, settings.base_url, settings.site_title,
                         names.get(p.entry.category_slug, p.entry.category))
            for p in entries]


def _write_feed(settings: Settings, state: State, output: Output, spec: FeedSpec,
                items: list[FeedItem], *, force: bool) -> None:
    _remember_rendered(state, spec,
                       _write_feed_files(settings, state, output, spec, items, force=force))


def _write_feed_files(settings: Settings, state: State, output: Output, spec: FeedSpec,
                      items: list[FeedItem], *, force: bool) -> str | None:
    """A feed in every format, unless the state says it was last rendered from
    these very items with these settings and its files are there (and the whole
    output is not being written again): a daemon's pass often leaves the
    all-articles or the Populer feed as it was. Returns what the feed was
    rendered from, for the state to keep once all three are in place (None:
    nothing was written)."""
    # pickle, not repr: the same values give the same bytes, in C. (Objects shared
    # within the items pickle as references, so equal items built apart may hash
    # apart: that costs a render whose bytes match, never a feed left stale.)
    source = hashlib.sha256(pickle.dumps((settings.render_fingerprint, spec, items),
                                         protocol=5)).hexdigest()
    if not force and state.meta(_rendered_key(spec)) == source and all(
            output.path(spec.file(fmt)).exists() for fmt in FEED_FILES):
        return None
    for fmt, render in _RENDERERS.items():
        output.write(spec.file(fmt), render(spec, items, settings.site))
    return source


_RENDERERS = {"rss": render_rss, "atom": render_atom, "json": render_json}  # by FEED_FILES


def _remember_rendered(state: State, spec: FeedSpec, source: str | None) -> None:
    """Keep what a feed was rendered from, once its files are in place (None: it
    was not rendered)."""
    if source is not None:
        with state.transaction():
            state.set_meta(_rendered_key(spec), source)


def _rendered_key(spec: FeedSpec) -> str:
    return f"feed {spec.key} rendered from"


def _summary(settings: Settings, spec: FeedSpec, entries: list[Published], total: int
             ) -> FeedSummary:
    first = entries[0] if entries else None
    in_feed = min(total, settings.entries_per_feed)
    return FeedSummary(spec, in_feed, total, first.entry.title if first else None,
                       settings.base_url + entry_page(first) if first else None,
                       first.entry.published if first else None)


def remove_strays(state: State, output: Output) -> None:
    """After a rebuild: article pages, category and reporter files nothing in
    the state owns."""
    keep = {page_path(key.entry_id, key.published) for key in state.page_keys()}
    for path in output.files_under("artikel"):
        if path not in keep:
            output.remove(path)
    owners = {"category": {category.slug for category in state.categories()},
              "author": {reporter.slug for reporter in state.reporters()}}
    for kind, slugs in owners.items():
        for path in output.files_under(kind):
            if path.split("/")[1] not in slugs:
                output.remove(path)


def _write_sitemaps(settings: Settings, state: State, output: Output, pages: list[str],
                    removals: set[str], *, force: bool) -> None:
    """robots.txt, the news sitemap, and `sitemap.xml`: an index of one part a
    month, of which only the parts holding a changed page are written again (and
    any that is missing), so that a new article costs the same at any archive size."""
    site = settings.site
    output.write("robots.txt", robots_txt(site))
    newest = state.newest(None, 1)
    window = news_window(newest[0].entry.published) if newest else None
    output.write("news-sitemap.xml", news_sitemap(
        state.published_since(window, NEWS_URLS) if window else [], site))
    touched = {f"{key.published:%Y-%m}" for key in state.page_keys(pages)}
    touched |= {"-".join(path.split("/")[1:3]) for path in removals if path.startswith("artikel/")}
    counted = bool(state.months()) or not state.entry_count()  # else a state of an older feeds
    state.refresh_months(None if force or not counted else touched)
    existing = set(output.files_under("sitemap"))
    parts: list[tuple[str, datetime]] = []
    for month in state.months():
        paths = [part_path(month.month, number)
                 for number in range(1, -(-month.entries // SITEMAP_URLS) + 1)]
        if force or month.month in touched or not existing.issuperset(paths):
            stamps = state.page_stamps(month.month)
            for number, path in enumerate(paths):
                output.write(path, urlset(stamps[number * SITEMAP_URLS :
                                                 (number + 1) * SITEMAP_URLS], site))
        parts += [(path, month.newest) for path in paths]
    output.write("sitemap.xml", sitemap_index(parts, site))
    for path in existing - {path for path, _ in parts}:
        output.remove(path)  # a part no month needs any more
