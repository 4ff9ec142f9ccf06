"""The output side of a run: what the state says the output owes, read from
the state, turned into bytes by the renderers (`feeds.render`), written through
`Output`, and marked done in the state once the files are in place.

Feeds and the index come first (they are what subscribers poll), then the
article pages. Many category and reporter feeds, or many pages, are rendered
and written by the run's workers, each reading the state on its own connection.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from feeds.config import Settings
from feeds.errors import ConfigError
from feeds.model import Published
from feeds.output import Output, Staged
from feeds.parse.sidebars import read_sidebars
from feeds.render.articles import article_file
from feeds.render.feeds import (
    archive_paging,
    article_items,
    feed_files,
    feed_summary,
    items_summary,
    listing_files,
    populer_items,
    reporter_summary,
    subscription_paging,
)
from feeds.render.icons import ASSETS, SHIPPED_FILES, Image, icon_files
from feeds.render.items import FeedItem
from feeds.render.pages import FeedSummary, index_page, opml
from feeds.render.partners import chosen, partner_files
from feeds.render.sitemaps import (
    NEWS_URLS,
    SitemapPart,
    month_files,
    month_paths,
    news_sitemap,
    news_window,
    robots_txt,
    sitemap_index,
)
from feeds.site import (
    ARCHIVE_DIRECTORY,
    FEED_FILES,
    PAGES_DIRECTORY,
    FeedSpec,
    OutputFile,
    all_feed,
    archive_file,
    category_feed,
    feed_directory,
    page_path,
    populer_feed,
    reporter_feed,
)
from feeds.state import State
from feeds.state.schema import ARCHIVE_PAGE
from feeds.state.work import Pending
from feeds.workers import Context, Workers

PAGES_PER_JOB = 500  # pages a worker writes, and the main process marks done, at a time
LISTINGS_PER_JOB = 16  # category or reporter feeds a worker writes at a time
ARCHIVES_PER_JOB = 8  # archive documents of a feed a worker writes at a time
StopRequested = Callable[[], bool]


@dataclass(frozen=True, slots=True)
class ListingJob:
    """A category's or a reporter's feeds and page to write: the category's slug
    or the reporter's says which entries; `names` is the name each category's
    feed shows, by slug."""

    spec: FeedSpec
    names: Mapping[str, str]
    entries: int
    category: str | None = None
    reporter: str | None = None


@dataclass(frozen=True, slots=True)
class ArchiveJob:
    """Archive documents of one feed to write (pages from 0), of `pages` in all."""

    spec: FeedSpec
    names: Mapping[str, str]
    due: list[int]
    pages: int


def write(output: Output, files: Iterable[OutputFile], *, durable: bool = True) -> list[str]:
    """Put the files in place; the paths of those whose bytes changed."""
    return output.write_all(files, durable=durable)


def remove(output: Output, paths: Iterable[str]) -> list[str]:
    """Delete files that have no reason to exist any more; the paths of those there were."""
    return [path for path in paths if output.remove(path)]


@dataclass(frozen=True, slots=True)
class Written:
    """What a refresh changed: the paths written or removed, article pages
    apart, which are only counted."""

    paths: list[str]
    pages: int


def write_pending(context: Context, workers: Workers, stop: StopRequested, pending: Pending,
                  *, whole: bool) -> Written:
    """Write what the state says the output owes, `pending` (with `whole`, the
    index, the site-wide feeds and the sitemaps whatever is pending). All but
    the article pages are staged first, by whichever process renders them, and
    put in place together after one sync: then the state forgets what it owed."""
    state, output = context.state, context.output
    # The newest entries, read once: the all-articles feed lists them, the newest
    # of them holds the Populer sidebar and anchors the news sitemap.
    newest = state.entries.newest(None, context.settings.entries_per_feed)
    staged: list[Staged] = []
    try:
        staged += output.stage(icon_files(_configured_images(context.settings), _shipped(),
                                          icon_configured=bool(context.settings.site_icon)))
        gone = _stage_feeds(context, workers, pending, newest, staged)
        gone += _stage_sitemaps(context, pending, newest[:1], staged, whole=whole)
    except BaseException:
        output.discard(staged)
        raise
    written = output.place(staged)
    written += remove(output, [*gone, *pending.removals])
    with state.transaction():
        state.work.done(feeds=pending.feeds, removals=pending.removals, months=pending.months,
                        archives=pending.archives)
    pages = _write_pages(workers, state, pending.pages, stop) if not stop() else 0
    return Written(written, pages)


@dataclass(frozen=True, slots=True)
class SiteListing:
    """Every feed the index lists, with what it says of each, and the jobs that
    write the category and reporter feeds."""

    summaries: list[FeedSummary]  # the all-articles feed, then each category's
    reporters: list[FeedSummary]
    jobs: list[ListingJob]
    names: dict[str, str]  # the name each category's feed shows, by slug


def _site_listing(context: Context, newest: list[Published]) -> SiteListing:
    settings, state, site = context.settings, context.state, context.settings.site
    per_feed = settings.entries_per_feed
    categories = sorted(state.names.categories(), key=lambda c: c.name.casefold())
    reporters = sorted(state.names.reporters(), key=lambda r: (r.name.casefold(), r.slug))
    names = {category.slug: category.name for category in categories}
    spec = all_feed(settings.site_title, settings.site_description)
    summaries = [feed_summary(spec, newest, state.entries.count(), per_feed, site)]
    listing = SiteListing(summaries, [], [], names)
    for category in categories:
        spec = category_feed(category.slug, category.name, settings.site_title)
        listing.jobs.append(ListingJob(spec, names, category.count, category=category.slug))
        summaries.append(feed_summary(spec, state.entries.newest(category.slug, 1),
                                      category.count, per_feed, site))
    for reporter in reporters:
        spec = reporter_feed(reporter.slug, reporter.name, settings.site_title)
        listing.jobs.append(ListingJob(spec, names, reporter.entries, reporter=reporter.slug))
        listing.reporters.append(reporter_summary(spec, reporter.entries, per_feed))
    return listing


def _stage_feeds(context: Context, workers: Workers, pending: Pending,
                 newest: list[Published], staged: list[Staged]) -> list[str]:
    """Every feed the state says changed, those of the site, and the index over
    all, staged into `staged`; returns the files of feeds that are no more."""
    settings, output, site = context.settings, context.output, context.settings.site
    listing = _site_listing(context, newest)
    due = [job for job in listing.jobs if job.spec.key in pending.feeds]
    groups = [due[start : start + LISTINGS_PER_JOB]
              for start in range(0, len(due), LISTINGS_PER_JOB)]
    for files in workers.map(_stage_listings, groups,
                             work=len(due) * settings.entries_per_feed):
        staged += files
    live = {summary.spec.key for summary in listing.summaries + listing.reporters}
    gone = [path for key in pending.feeds - live  # a category or reporter that lost its last entry
            for path in output.files_under(feed_directory(key).rstrip("/"))]
    gone += _stage_archives(context, workers, pending, listing, staged)
    populer = _populer(context, newest[:1])
    staged += output.stage(_partner_files(context, listing, newest[:1]))
    summaries = [*listing.summaries, items_summary(populer.spec, populer.items)]
    specs = [summary.spec for summary in summaries]
    everything = listing.summaries[0].spec
    paging = subscription_paging(listing.summaries[0].entries_total, settings.entries_per_feed,
                                 context.state.entries.archive_pages(everything.key))
    staged += output.stage([
        *feed_files(everything, article_items(newest, listing.names, site), site, paging),
        *feed_files(populer.spec, populer.items, site),
        OutputFile("index.html", index_page(summaries, listing.reporters, site)),
        OutputFile("feeds.opml", opml(specs, [r.spec for r in listing.reporters], site))])
    return gone


def _partner_files(context: Context, listing: SiteListing, newest: list[Published]
                   ) -> list[OutputFile]:
    """Every partner profile's feed (`feeds.partners`), written with the site's own
    feeds. A profile naming a category or reporter the site has never had is a
    configuration error, once the site has entries."""
    settings, entries = context.settings, context.state.entries
    reporters = {job.reporter for job in listing.jobs if job.reporter is not None}
    files: list[OutputFile] = []
    for profile in settings.partners:
        if listing.names:
            _known(profile.name, "categories", profile.categories, set(listing.names))
            _known(profile.name, "reporters", profile.reporters, reporters)
        candidates = entries.matching(profile.categories, profile.exclude_categories,
                                      profile.reporters, profile.exclude_reporters,
                                      max(4 * profile.max_items, 200))
        files += partner_files(profile, chosen(profile, candidates,
                                               newest[0].entry.published if newest else None),
                               listing.names, settings.site)
    return files


def _known(profile: str, key: str, named: Iterable[str], known: set[str]) -> None:
    unknown = sorted(set(named) - known)
    if unknown:
        kind = {"categories": "category", "reporters": "reporter"}[key]
        shown = ", ".join(sorted(known)[:20]) + (", …" if len(known) > 20 else "")
        raise ConfigError("configuration", f"partners.{profile}.{key}",
                          f"unknown {kind} {', '.join(unknown)}; the site has {shown}")


def _stage_listings(context: Context, jobs: list[ListingJob]) -> list[Staged]:
    """Categories' or reporters' feeds and pages, staged (a job of the run's
    workers: the run's own process puts them in place)."""
    settings, entries = context.settings, context.state.entries
    return context.output.stage(
        file for job in jobs
        for file in listing_files(job.spec, entries.newest(
            job.category, settings.entries_per_feed, reporter=job.reporter),
            job.names, settings.site, subscription_paging(
                job.entries, settings.entries_per_feed, entries.archive_pages(job.spec.key))))


def _stage_archives(context: Context, workers: Workers, pending: Pending, listing: SiteListing,
                    staged: list[Staged]) -> list[str]:
    """The archive documents owed (`Pending.archives`), staged into `staged`; a
    feed that gains archives is given all of them. Returns the archive files of
    feeds that hold every entry in their subscription document again, and of
    pages past the last."""
    output, per_feed = context.output, context.settings.entries_per_feed
    specs = {summary.spec.key: (summary.spec, summary.entries_total)
             for summary in listing.summaries + listing.reporters}
    owed: dict[str, set[int]] = {}
    for key, page in pending.archives:
        owed.setdefault(key, set()).add(page)
    jobs: list[ArchiveJob] = []
    gone: list[str] = []
    for key, pages_owed in sorted(owed.items()):
        if key not in specs:  # a feed that lost its last entry: its directory is gone
            continue
        spec, entries = specs[key]
        pages = context.state.entries.archive_pages(key)
        if subscription_paging(entries, per_feed, pages).complete:
            gone += output.files_under(spec.directory + ARCHIVE_DIRECTORY)
            continue
        if not output.path(archive_file(spec, 0, "rss")).exists():  # it gains its archives
            pages_owed = set(range(pages))
        gone += [archive_file(spec, page, fmt) for page in sorted(pages_owed) if page >= pages
                 for fmt in FEED_FILES]  # removed where they are (`remove`)
        due = sorted(page for page in pages_owed if page < pages)
        jobs += [ArchiveJob(spec, listing.names, due[start:start + ARCHIVES_PER_JOB], pages)
                 for start in range(0, len(due), ARCHIVES_PER_JOB)]
    for files in workers.map(_stage_archive_pages, jobs,
                             work=sum(len(job.due) for job in jobs) * ARCHIVE_PAGE):
        staged += files
    return gone


def _stage_archive_pages(context: Context, job: ArchiveJob) -> list[Staged]:
    """Archive documents of one feed, staged (a job of the run's workers)."""
    site, entries = context.settings.site, context.state.entries
    return context.output.stage(
        file for page in job.due
        for file in feed_files(job.spec, article_items(entries.archive_page(job.spec.key, page),
                                                       job.names, site),
                               site, archive_paging(page, job.pages)))


@dataclass(frozen=True, slots=True)
class PopulerFeed:
    spec: FeedSpec
    items: list[FeedItem]


def _populer(context: Context, newest: list[Published]) -> PopulerFeed:
    """The "Populer" sidebar of the newest dump (greatest published, then id), each
    headline linked to its article's page when that article is known: its first
    `entries_per_feed` headlines, as every feed (a page can list any number)."""
    settings, state = context.settings, context.state
    populer = read_sidebars(newest[0].entry.sidebars).populer if newest else ()
    headlines = populer[: settings.entries_per_feed]
    pages = [state.entries.page_key_by_title(headline.title) for headline in headlines]
    return PopulerFeed(populer_feed(settings.site_title),
                       populer_items(headlines, pages, settings.site))


def _stage_sitemaps(context: Context, pending: Pending, newest: list[Published],
                    staged: list[Staged], *, whole: bool) -> list[str]:
    """robots.txt, the news sitemap, and `sitemap.xml`: an index of one part a
    month, of which only the parts holding a changed page are written again (and
    any that is missing), so that a new article costs the same at any archive
    size; staged into `staged`. Returns the parts that are no more."""
    state, output, site = context.state, context.output, context.settings.site
    window = news_window(newest[0].entry.published) if newest else None
    news = state.entries.published_since(window, NEWS_URLS) if window else []
    touched = pending.months | {"-".join(path.split("/")[1:3]) for path in pending.removals
                                if path.startswith(PAGES_DIRECTORY + "/")}
    counted = bool(state.work.months()) or not state.entries.count()  # else an older feeds'
    with state.transaction():
        state.work.count_months(None if whole or not counted else touched)
    existing = set(output.files_under("sitemap"))
    parts: list[SitemapPart] = []
    due: list[str] = []
    for month in state.work.months():
        paths = month_paths(month.month, month.entries)
        if whole or month.month in touched or not existing.issuperset(paths):
            due.append(month.month)
        parts += [SitemapPart(path, month.newest) for path in paths]
    # One month's parts at a time: a whole render of a large archive's sitemap
    # holds more bytes than anything else a run makes.
    staged += output.stage(itertools.chain(
        [OutputFile("robots.txt", robots_txt(site)),
         OutputFile("news-sitemap.xml", news_sitemap(news, site))],
        (file for month in due
         for file in month_files(month, state.entries.page_stamps(month), site)),
        [OutputFile("sitemap.xml", sitemap_index(parts, site))]))
    return sorted(existing - {part.path for part in parts})


def _write_pages(workers: Workers, state: State, count: int, stop: StopRequested) -> int:
    """The pending pages (`count` of them), a batch at a time, each batch marked
    done in the state once it is in place; `stop` is asked between batches.
    Returns how many changed."""
    written = 0
    results = workers.map(_write_page_batch, _pending_batches(state), work=count)
    for batch, changed in results:
        written += changed
        with state.transaction():
            state.work.done(pages=batch)
        if stop():
            results.close()
            break
    return written


def _pending_batches(state: State) -> Iterator[list[str]]:
    """The pending pages, a job's worth at a time, read as the jobs are made."""
    batch = state.work.pending_pages("", PAGES_PER_JOB)
    while batch:
        yield batch
        batch = state.work.pending_pages(batch[-1], PAGES_PER_JOB)


def _write_page_batch(context: Context, ids: list[str]) -> tuple[list[str], int]:
    """Article pages, read from the state (a job of the run's workers): the ids,
    and how many changed."""
    return ids, write_pages(context, context.state.entries.by_ids(ids))


def write_pages(context: Context, entries: Iterable[Published]) -> int:
    """The pages of these entries; how many changed. Not synced one by one: a page
    lost to a crash is still pending, and written again by the next run."""
    site = context.settings.site
    return len(write(context.output, (article_file(published, site) for published in entries),
                     durable=False))


def remove_strays(state: State, output: Output) -> list[str]:
    """After a rebuild: article pages, category and reporter files nothing in
    the state owns."""
    keep = {page_path(key.entry_id, key.published) for key in state.entries.page_keys()}
    strays = [path for path in output.files_under("artikel") if path not in keep]
    owners = {"category": {category.slug for category in state.names.categories()},
              "author": {reporter.slug for reporter in state.names.reporters()}}
    for kind, slugs in owners.items():
        strays += [path for path in output.files_under(kind) if path.split("/")[1] not in slugs]
    return remove(output, strays)


def _configured_images(settings: Settings) -> list[Image]:
    """The configured icon and logo files, read (an http(s) URL is no file)."""
    return [Image(kind, configured, Path(configured).read_bytes())
            for kind, configured in (("icon", settings.site_icon), ("logo", settings.site_logo))
            if configured and not configured.startswith(("http://", "https://"))]


def _shipped() -> dict[str, bytes]:
    return {name: (ASSETS / name).read_bytes() for name in SHIPPED_FILES}
