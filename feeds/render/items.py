"""What every feed format shows of one item, computed once for all formats."""

from __future__ import annotations

import html
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from feeds.model import ID_NAMESPACE, Headline, Published
from feeds.render.body import body_html, summary_text
from feeds.site import entry_page


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One item of a feed; times are UTC. `url` is None for a populer headline
    whose article is not in the input. `image` is the lead image's absolute URL,
    with the caption and credit that go with it."""

    id: str
    title: str
    url: str | None
    published: datetime
    updated: datetime
    author: str
    category: str | None
    content_html: str
    summary: str
    image: str | None = None
    image_caption: str | None = None
    image_credit: str | None = None
    image_width: int | None = None  # when the page stated the image's size
    image_height: int | None = None


# A daemon renders the same newest entries (three feeds of 50) pass after pass.
@lru_cache(maxsize=256)
def article_item(published: Published, base_url: str, site_title: str,
                 category_name: str) -> FeedItem:
    entry = published.entry
    return FeedItem(
        id=entry.id,
        title=entry.title,
        url=base_url + entry_page(entry),
        published=entry.published,
        updated=published.updated,
        author=entry.author or site_title,  # readers do not inherit a feed's author
        category=category_name,
        content_html=body_html(entry),
        summary=summary_text(entry),
        image=entry.image,
        image_caption=entry.caption_text if entry.image else None,
        image_credit=entry.caption_credit if entry.image else None,
        image_width=entry.image_width if entry.image else None,
        image_height=entry.image_height if entry.image else None,
    )


def headline_item(headline: Headline, url: str | None, site_title: str) -> FeedItem:
    """A populer headline; its id is fixed by its title and time."""
    key = f"populer:{headline.title}:{headline.published:%Y-%m-%dT%H:%MZ}"
    text = html.escape(headline.title, quote=False)
    link = f'<p><a href="{html.escape(url)}">{text}</a></p>' if url else f"<p>{text}</p>"
    return FeedItem(
        id=f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, key)}",
        title=headline.title,
        url=url,
        published=headline.published,
        updated=headline.published,
        author=site_title,
        category="Populer",
        content_html=link,
        summary=headline.title,
    )
