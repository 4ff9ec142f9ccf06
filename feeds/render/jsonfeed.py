"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), written to the spec."""

from __future__ import annotations

import json
from typing import Any

from feeds.dates import format_utc
from feeds.render.items import FeedItem
from feeds.site import SUBSCRIPTION, FeedSpec, Paging, Site, archive_file

VERSION = "https://jsonfeed.org/version/1.1"


def render_json(spec: FeedSpec, items: list[FeedItem], site: Site,
                paging: Paging = SUBSCRIPTION) -> bytes:
    """A feed document; `feed_url` is the subscription document's in every page of
    its history (it names the feed), `next_url` the page of older items."""
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": spec.title,
        "home_page_url": site.base_url + spec.home,
        "feed_url": site.base_url + spec.file("json"),
        "description": spec.description,
        "language": site.language,
        "icon": site.icon,
        "favicon": site.icon,
        "authors": [{"name": site.title}],
        "items": [_item(item, site.language) for item in items],
    }
    if paging.prev_page is not None:
        feed["next_url"] = site.base_url + archive_file(spec, paging.prev_page, "json")
    if site.hub and paging.page is None:
        feed["hubs"] = [{"type": "WebSub", "url": site.hub}]
    # Compact: the C encoder writes it; an indented one is written in Python.
    return (json.dumps(feed, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def _item(item: FeedItem, language: str) -> dict[str, Any]:
    data: dict[str, Any] = {"id": item.id}
    if item.url:
        data["url"] = item.url
    data.update({
        "title": item.title,
        **({"content_html": item.content_html} if item.content_html
           else {"content_text": item.summary}),
        "summary": item.summary,
        "date_published": format_utc(item.published),
        "date_modified": format_utc(item.updated),
        "authors": [{"name": item.author}],
        "language": language,
    })
    if item.image:
        data["image"] = item.image
        if item.image_width and item.image_height:
            # JSON Feed names no image size: an extension object, as its spec
            # allows (a name starting with "_").
            data["_feeds"] = {"image_width": item.image_width,
                              "image_height": item.image_height}
    if item.category:
        data["tags"] = [item.category]
    return data
