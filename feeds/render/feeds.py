"""A feed in every format, a feed's page, and what the index says of a feed:
records to bytes, nothing read or written."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

from feeds.model import Headline, Published
from feeds.render.items import FeedItem, article_item, headline_item
from feeds.render.jsonfeed import render_json
from feeds.render.pages import FeedSummary, category_page
from feeds.render.syndication import render_atom, render_rss
from feeds.site import (
    SUBSCRIPTION,
    FeedSpec,
    OutputFile,
    PageKey,
    Paging,
    Site,
    entry_page,
    page_path,
)

FEEDS_REMEMBERED = 4  # the feeds every pass renders (all, Populer) and a little more
_RENDERERS = {"rss": render_rss, "atom": render_atom, "json": render_json}  # by FEED_FILES


def feed_files(spec: FeedSpec, items: Sequence[FeedItem], site: Site,
               paging: Paging = SUBSCRIPTION) -> list[OutputFile]:
    """The feed's RSS, Atom and JSON Feed files: its subscription documents, or one
    of its archive documents (`paging`)."""
    return list(_feed_files(spec, tuple(items), site, paging))


# A daemon renders the all-articles and Populer feeds after every change, most
# often from the very items it rendered them from the last time: the same items
# give the same bytes, so they are rendered once.
@functools.lru_cache(maxsize=FEEDS_REMEMBERED)
def _feed_files(spec: FeedSpec, items: tuple[FeedItem, ...], site: Site, paging: Paging
                ) -> tuple[OutputFile, ...]:
    return tuple(OutputFile(paging.file(spec, fmt), render(spec, list(items), site, paging))
                 for fmt, render in _RENDERERS.items())


def article_items(entries: Sequence[Published], names: Mapping[str, str], site: Site
                  ) -> list[FeedItem]:
    """The items of these entries; `names` gives the name each category's feed
    shows (by slug), else an entry's own spelling is shown."""
    return [article_item(p, site.base_url, site.title,
                         names.get(p.entry.category_slug, p.entry.category))
            for p in entries]


def listing_files(spec: FeedSpec, entries: Sequence[Published], names: Mapping[str, str],
                  site: Site, paging: Paging = SUBSCRIPTION) -> list[OutputFile]:
    """A category's or a reporter's feeds, and the page listing its entries."""
    page = OutputFile(spec.directory + "index.html", category_page(spec, list(entries), site))
    return [*feed_files(spec, article_items(entries, names, site), site, paging), page]


def subscription_paging(entries: int, per_feed: int, archive_pages: int) -> Paging:
    """A subscription document's place in its feed's history: it holds every
    entry, or the archive documents hold them all, the newest being the last page."""
    if entries <= per_feed or archive_pages == 0:
        return Paging(complete=True)
    return Paging(prev_page=archive_pages - 1)


def archive_paging(page: int, archive_pages: int) -> Paging:
    """Archive document `page` of `archive_pages` (from 0, the oldest)."""
    return Paging(page=page, prev_page=page - 1 if page > 0 else None,
                  next_page=page + 1 if page + 1 < archive_pages else None)


def populer_items(headlines: Sequence[Headline], pages: Sequence[PageKey | None], site: Site
                  ) -> list[FeedItem]:
    """The Populer headlines, each linked to its article's page where it is known."""
    return [headline_item(headline,
                          site.base_url + page_path(page.entry_id, page.published)
                          if page else None, site.title)
            for headline, page in zip(headlines, pages, strict=True)]


def feed_summary(spec: FeedSpec, entries: Sequence[Published], total: int, per_feed: int,
                 site: Site) -> FeedSummary:
    """What the index says of a feed of `total` entries, the newest first in `entries`."""
    first = entries[0] if entries else None
    return FeedSummary(spec, entries_in_feed=min(total, per_feed), entries_total=total,
                       newest_title=first.entry.title if first else None,
                       newest_url=site.base_url + entry_page(first) if first else None,
                       newest_time=first.entry.published if first else None)


def items_summary(spec: FeedSpec, items: Sequence[FeedItem]) -> FeedSummary:
    """What the index says of a feed of these items (the Populer feed)."""
    first = items[0] if items else None
    return FeedSummary(spec, entries_in_feed=len(items), entries_total=len(items),
                       newest_title=first.title if first else None,
                       newest_url=first.url if first else None,
                       newest_time=first.published if first else None)


def reporter_summary(spec: FeedSpec, entries: int, per_feed: int) -> FeedSummary:
    """What the index says of a reporter's feed: how many entries, no newest."""
    return FeedSummary(spec, entries_in_feed=min(entries, per_feed), entries_total=entries,
                       newest_title=None, newest_url=None, newest_time=None)
