"""A partner's feed (`feeds.partners.PartnerProfile`): which entries it is sent,
trimmed to its rules, in the formats it takes. Records to bytes; a profile
chooses and trims items but never changes an id or a date."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from feeds.model import Published
from feeds.partners import PartnerProfile
from feeds.render.feeds import article_items
from feeds.render.items import FeedItem
from feeds.render.jsonfeed import render_json
from feeds.render.syndication import render_atom, render_rss
from feeds.site import Delivery, FeedSpec, OutputFile, Site


def partner_spec(profile: PartnerProfile, site: Site) -> FeedSpec:
    return FeedSpec(key=f"partner:{profile.name}", title=site.title,
                    description=site.description, directory=profile.directory, home="",
                    name=site.title)


def chosen(profile: PartnerProfile, newest_first: Sequence[Published],
           newest: datetime | None) -> list[Published]:
    """The entries in the window (the last `window_hours` before the site's newest
    article, so that the feed does not move while nothing arrives), topped up with
    older ones to `min_items`, at most `max_items`; with `require_image`, only those
    whose lead image's stated size is at least `min_image_size` on its smaller side."""
    usable = [p for p in newest_first if not profile.require_image or _pictured(profile, p)]
    if profile.window_hours and newest is not None:
        start = newest - timedelta(hours=profile.window_hours)
        recent = [p for p in usable if p.entry.published >= start]
        if len(recent) < profile.min_items:
            recent = usable[:profile.min_items]
        usable = recent
    return usable[:profile.max_items]


def _pictured(profile: PartnerProfile, published: Published) -> bool:
    entry = published.entry
    if not (entry.image and entry.image_width and entry.image_height):
        return False  # an image of unknown size may be too small
    return min(entry.image_width, entry.image_height) >= profile.min_image_size


def partner_files(profile: PartnerProfile, entries: Sequence[Published],
                  names: Mapping[str, str], site: Site) -> list[OutputFile]:
    """The profile's feed in each of its formats, each within its byte budgets:
    an item over `max_item_bytes` is left out, then the oldest items go, whole,
    until the feed fits `max_feed_bytes`."""
    spec = partner_spec(profile, site)
    items = [_as_sent(profile, item) for item in article_items(entries, names, site)]
    delivery = Delivery(profile.ttl, profile.update_period, profile.update_frequency)
    renderers: dict[str, Callable[[list[FeedItem]], bytes]] = {
        "rss": lambda sent: render_rss(spec, sent, site, delivery=delivery),
        "atom": lambda sent: render_atom(spec, sent, site),
        "json": lambda sent: render_json(spec, sent, site)}
    return [OutputFile(spec.file(fmt), render(_within_budgets(profile, items, render)))
            for fmt, render in ((fmt, renderers[fmt]) for fmt in profile.formats)]


def _as_sent(profile: PartnerProfile, item: FeedItem) -> FeedItem:
    """The item as the partner gets it: its link tagged for the partner's
    analytics, and its body left out when the partner takes summaries."""
    url = item.url
    if url and profile.link_params:
        url += ("&" if "?" in url else "?") + profile.link_params
    return dataclasses.replace(item, url=url,
                               content_html=item.content_html if profile.full_text else "")


def _within_budgets(profile: PartnerProfile, items: list[FeedItem],
                    render: Callable[[list[FeedItem]], bytes]) -> list[FeedItem]:
    kept = list(items)
    if profile.max_item_bytes:
        empty = len(render([]))
        kept = [item for item in kept if len(render([item])) - empty <= profile.max_item_bytes]
    if profile.max_feed_bytes and len(render(kept)) > profile.max_feed_bytes:
        # The most newest items that fit: a feed only grows with its items.
        fits, over = 0, len(kept)
        while over - fits > 1:
            middle = (fits + over) // 2
            if len(render(kept[:middle])) <= profile.max_feed_bytes:
                fits = middle
            else:
                over = middle
        kept = kept[:fits]
    return kept
