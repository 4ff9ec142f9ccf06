"""The records that flow through feeds.

Every datetime held by these records is timezone-aware UTC; only `feeds.dates`
ever sees Indonesian wall-clock time.
"""

from __future__ import annotations

import uuid
from dataclasses import InitVar, dataclass, field
from datetime import UTC, datetime

from feeds.text import identity_key, slugify

# Namespace of every entry id (uuid5 over the article's identity). Never change
# it: every id ever published derives from it, and readers key on ids.
ID_NAMESPACE = uuid.UUID("6f0d5c2e-8b0f-5a51-9d57-4a1a7f3e2b10")


@dataclass(frozen=True, slots=True)
class Block:
    """One body block: a paragraph, or a subheading standing alone."""

    text: str
    subheading: bool = False


@dataclass(frozen=True, slots=True)
class Headline:
    """One sidebar headline ("Populer" or "UPDATE") with its UTC time."""

    title: str
    published: datetime


@dataclass(frozen=True, slots=True)
class Sidebars:
    """A page's sidebars ("Populer", "UPDATE") as the page prints them: its
    blocks from the first sidebar heading on, apart by blank lines, and the zone
    their stamps are read in. What the state stores of them; their headlines
    are read by `feeds.parse.sidebars.read_sidebars` when wanted, since only the
    newest entry's Populer list is ever published."""

    text: str
    zone: str


# A page without sidebars. Its zone reads no stamp: it is the one the state's
# records of such pages have always named.
NO_SIDEBARS = Sidebars(text="", zone="WIB")


@dataclass(frozen=True, slots=True)
class SidebarHeadlines:
    """The headlines a page's sidebars list, in page order: the Populer ones and
    the UPDATE ones."""

    populer: tuple[Headline, ...]
    update: tuple[Headline, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    """One article parsed from one dump.

    `published` is timezone-aware UTC. `caption` is the photo caption as the page
    prints it, credit included; `caption_credit` splits the credit off. `image`
    is the lead image's absolute http(s) URL (HTML dumps only), and the caption
    goes with it. `updated` is when the page says it was last changed (UTC; None
    when it says nothing): what the page states, not what the feeds show
    (`Published.updated` moves when feeds sees a correction).
    `author_slug` names the reporter's feed, as `category_slug` names the category's.
    `sidebars` are the page's sidebars as it prints them (their headlines:
    `feeds.parse.sidebars.read_sidebars`). `source` is the dump's path as it
    was given to the parser.
    """

    title: str
    category: str
    published: datetime
    author: str | None
    caption: str | None
    blocks: tuple[Block, ...]
    sidebars: Sidebars
    source: str
    warnings: tuple[str, ...] = ()
    image: str | None = None
    updated: datetime | None = None
    image_width: int | None = None  # the lead image's size, when known
    image_height: int | None = None
    # The size was read from the image itself (`images.probe`), not stated by the
    # page: it is no part of the article's content, so learning it is no correction.
    image_probed: bool = False
    # A record read back from the state gives the id it was stored with: the id
    # rule (`entry_id`) is applied once, when the article is parsed.
    stored_id: InitVar[str | None] = None
    id: str = field(init=False)
    # The category as feeds names its feed and compares categories (`DUNIA` is `Dunia`).
    category_slug: str = field(init=False)
    author_slug: str | None = field(init=False)
    # The caption split once (`split_caption`): every page and feed item asks.
    caption_text: str | None = field(init=False)
    caption_credit: str | None = field(init=False)

    def __post_init__(self, stored_id: str | None) -> None:
        if self.published.utcoffset() is None:
            raise ValueError("Entry.published must be timezone-aware")
        object.__setattr__(self, "published", self.published.astimezone(UTC))
        if self.updated is not None:
            object.__setattr__(self, "updated", self.updated.astimezone(UTC))
        object.__setattr__(self, "category_slug", slugify(self.category))
        object.__setattr__(self, "author_slug", slugify(self.author) if self.author else None)
        object.__setattr__(self, "id", stored_id or entry_id(self.category_slug, self.title,
                                                             self.published))
        text, credit = split_caption(self.caption) if self.caption else (None, None)
        object.__setattr__(self, "caption_text", text)
        object.__setattr__(self, "caption_credit", credit)


MOST_PIXELS = 100_000  # a width or height beyond this is no image's, stated or read


@dataclass(frozen=True, slots=True)
class ImageSize:
    """An image's size in pixels, as feeds read it from the image itself."""

    width: int
    height: int


def entry_id(category_slug: str, title: str, published: datetime) -> str:
    """The article's permanent id: the same for every dump of the same article.

    It hangs on what identifies an article (category, title, publication minute),
    each normalised as feeds compares them: the category by its slug, the title
    with letter case, quote style and spacing folded.
    """
    stamp = published.astimezone(UTC).isoformat()[:16] + "Z"  # to the minute
    key = "\x1f".join((category_slug, identity_key(title), stamp))
    return f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, key)}"


def category_key(slug: str) -> str:
    """The key of a category's feed: what names it in the state and fixes its id."""
    return f"category:{slug}"


def reporter_key(slug: str) -> str:
    """The key of a reporter's feed."""
    return f"author:{slug}"


def feed_keys(category_slug: str, author_slug: str | None) -> frozenset[str]:
    """The feeds an entry appears in, besides the all-articles feed: its
    category's and, when it names one, its reporter's."""
    if author_slug is None:
        return frozenset({category_key(category_slug)})
    return frozenset({category_key(category_slug), reporter_key(author_slug)})


def split_caption(caption: str) -> tuple[str, str | None]:
    """Split a photo caption into its text and its credit.

    The credit follows the last "/" (`Abdellatif Hammouchi/Net`), or is the
    closing parenthesis holding a slash (`... Ossy Dermawan (RMOL/Faisal Aristama)`).
    A slash inside the text (`ATR/BPN`) is not a credit.
    """
    stripped = caption.rstrip()
    if stripped.endswith(")"):
        opening = stripped.rfind("(")
        inner = stripped[opening + 1 : -1]
        if opening > 0 and "/" in inner:
            return stripped[:opening].rstrip(), inner.strip()
    head, slash, credit = stripped.rpartition("/")
    credit = credit.strip()
    looks_like_credit = not set(credit) & {")", ","} and len(credit.split()) <= 3
    if slash and head.strip() and credit and looks_like_credit:
        return head.rstrip(), credit
    return stripped, None


@dataclass(frozen=True, slots=True)
class Published:
    """An entry as the feeds show it: `updated` (UTC) moves on a correction only."""

    entry: Entry
    updated: datetime
