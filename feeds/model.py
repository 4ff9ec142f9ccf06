"""The records that flow through feeds.

Every datetime held by these records is timezone-aware UTC; only `feeds.dates`
ever sees Indonesian wall-clock time.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

import orjson
import zstandard

# Re-exported: an entry's parts are all found here.
from feeds.sidebars import Headline as Headline
from feeds.sidebars import Sidebars as Sidebars
from feeds.text import identity_key, slugify

# Namespace of every entry id (uuid5 over the article's identity). Never change
# it: every id ever published derives from it, and readers key on ids.
ID_NAMESPACE = uuid.UUID("6f0d5c2e-8b0f-5a51-9d57-4a1a7f3e2b10")


# Blocks are named tuples, not dataclasses: an entry holds dozens of them, and
# tuples are built at a fraction of the cost.
class Block(NamedTuple):
    """One body block: a paragraph, or a subheading standing alone."""

    text: str
    subheading: bool = False


@dataclass(frozen=True, slots=True)
class Entry:
    """One article parsed from one dump.

    `published` is timezone-aware UTC. `caption` is the photo caption as the page
    prints it, credit included; `caption_credit` splits the credit off.
    `sidebars` are the page's sidebars, read into `populer` and `update` when
    asked. `source` is the dump's path as it was given to the parser.
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
    id: str = field(init=False)

    def __post_init__(self) -> None:
        if self.published.utcoffset() is None:
            raise ValueError("Entry.published must be timezone-aware")
        object.__setattr__(self, "published", self.published.astimezone(UTC))
        object.__setattr__(self, "id", entry_id(self.category, self.title, self.published))

    @property
    def populer(self) -> tuple[Headline, ...]:
        return self.sidebars.populer

    @property
    def update(self) -> tuple[Headline, ...]:
        return self.sidebars.update

    @property
    def caption_text(self) -> str | None:
        return split_caption(self.caption)[0] if self.caption else None

    @property
    def caption_credit(self) -> str | None:
        return split_caption(self.caption)[1] if self.caption else None


def entry_id(category: str, title: str, published: datetime) -> str:
    """The article's permanent id: the same for every dump of the same article.

    It hangs on what identifies an article (category, title, publication minute),
    each normalised as feeds compares them: the category by its slug, the title
    with letter case, quote style and spacing folded.
    """
    stamp = published.astimezone(UTC).isoformat()[:16] + "Z"  # to the minute
    key = "\x1f".join((slugify(category), identity_key(title), stamp))
    return f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, key)}"


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


def entry_record(entry: Entry) -> dict[str, object]:
    """The entry as plain data, sidebars read, as `feeds check --json` prints it;
    times are the UTC datetimes themselves (`record_json` writes them as
    `YYYY-MM-DDTHH:MM:SSZ`)."""
    return {**_article_record(entry), **_headlines_record(entry.populer, entry.update)}


def stored_record(entry: Entry) -> dict[str, object]:
    """The entry as the state stores it: its sidebars as the page printed them,
    unread (see `feeds.sidebars`), or as an earlier version read them."""
    sidebars = entry.sidebars
    if sidebars.earlier is not None:
        return {**_article_record(entry), **_headlines_record(*sidebars.earlier)}
    return {**_article_record(entry), "sidebars": {"text": sidebars.text, "zone": sidebars.zone}}


def _article_record(entry: Entry) -> dict[str, object]:
    return {
        "id": entry.id,
        "title": entry.title,
        "category": entry.category,
        "published": entry.published,
        "author": entry.author,
        "caption": entry.caption,
        "caption_credit": entry.caption_credit,
        "paragraphs": [block.text for block in entry.blocks],
        "subheadings": [index for index, block in enumerate(entry.blocks) if block.subheading],
        "warnings": list(entry.warnings),
        "source": entry.source,
    }


def _headlines_record(populer: tuple[Headline, ...],
                      update: tuple[Headline, ...]) -> dict[str, object]:
    return {"populer": [{"title": h.title, "published": h.published} for h in populer],
            "update": [{"title": h.title, "published": h.published} for h in update]}


# orjson, not the standard library: json.dumps took six times as long (a twentieth
# of all the work of reading a dump), and formatting the ~37 times of a page
# ourselves another twentieth. `Z`, never `+00:00`, as `format_utc` writes it.
_RECORD_JSON = orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS | orjson.OPT_SORT_KEYS


def record_json(record: dict[str, object]) -> bytes:
    """An `entry_record` as UTF-8 JSON, keys sorted: the same entry, the same bytes."""
    return orjson.dumps(record, option=_RECORD_JSON)


def entry_from_record(record: dict[str, object]) -> Entry:
    """The inverse of `stored_record`, and of `entry_record` (what earlier
    versions stored)."""

    def when(value: object) -> datetime:
        return datetime.fromisoformat(str(value))  # `...Z` reads as UTC

    def headlines(value: object) -> tuple[Headline, ...]:
        items = value if isinstance(value, list) else []
        return tuple(Headline(str(h["title"]), when(h["published"])) for h in items)

    paragraphs = record["paragraphs"]
    subheadings = record["subheadings"]
    assert isinstance(paragraphs, list) and isinstance(subheadings, list)
    marked = set(subheadings)
    warnings = record.get("warnings") or []
    assert isinstance(warnings, list)
    return Entry(
        title=str(record["title"]),
        category=str(record["category"]),
        published=when(record["published"]),
        author=str(record["author"]) if record.get("author") else None,
        caption=str(record["caption"]) if record.get("caption") else None,
        blocks=tuple(Block(str(text), index in marked) for index, text in enumerate(paragraphs)),
        sidebars=_sidebars_from(record) if "sidebars" in record else Sidebars.read_already(
            headlines(record.get("populer")), headlines(record.get("update"))),
        source=str(record.get("source", "")),
        warnings=tuple(str(w) for w in warnings),
    )


def _sidebars_from(record: dict[str, object]) -> Sidebars:
    stored = record["sidebars"]
    assert isinstance(stored, dict)
    return Sidebars(str(stored.get("text", "")), str(stored.get("zone", "WIB")))


class Encoded(NamedTuple):
    """An entry as the state stores it, made once by the process that parsed it (a
    parsing worker): its keys, its record (`stored_record`, compressed) and its
    content digest. It is all the main process needs of an entry, and it travels from a
    worker at a tenth of what the whole entry, headlines and paragraphs, costs."""

    id: str
    title: str
    category: str
    published: datetime  # UTC
    record: bytes
    content: str

    @property
    def category_slug(self) -> str:
        return slugify(self.category)

    @property
    def title_key(self) -> str:
        return identity_key(self.title)


def encode(entry: Entry) -> Encoded:
    return Encoded(entry.id, entry.title, entry.category, entry.published,
                   compress_record(record_json(stored_record(entry))), content_digest(entry))


# Records are compressed to a third: most of the state's size, and of what a
# build writes to disk, is records. Zstandard at level 1, not zlib: the same
# ratio on these records at 15 µs a record instead of 38 (and 9 µs instead of
# 23 to read one back). Its contexts are not thread-safe, and cost as much to
# make as to use once: one per thread, made once.
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class _Codecs(threading.local):
    """This thread's Zstandard contexts, made when the thread first asks."""

    def __init__(self) -> None:
        self.compressor = zstandard.ZstdCompressor(level=1)
        self.decompressor = zstandard.ZstdDecompressor()


_codecs = _Codecs()


def compress_record(record: bytes) -> bytes:
    return _codecs.compressor.compress(record)


def record_text(stored: bytes | str) -> bytes:
    """A stored record's JSON. States of earlier versions hold zlib-compressed
    records (whose first byte is never a Zstandard frame's) or plain JSON text."""
    if isinstance(stored, str):
        return stored.encode()
    if not stored.startswith(_ZSTD_MAGIC):
        return zlib.decompress(stored)
    return _codecs.decompressor.decompress(stored)


def same_record(stored: bytes | str, record: bytes) -> bool:
    """Whether a stored record holds what `record` holds, however each was stored."""
    if stored == record:
        return True
    stored_text, text = record_text(stored), record_text(record)
    if stored_text == text:
        return True
    # Records of earlier versions hold their sidebars read: compare what each
    # reads as. Records of this version are compared by their text alone.
    stored_data, data = orjson.loads(stored_text), orjson.loads(text)
    if "sidebars" in stored_data and "sidebars" in data:
        return False
    return entry_record(entry_from_record(stored_data)) == entry_record(entry_from_record(data))


def decode_record(stored: bytes | str) -> Entry:
    """The entry a stored record holds (see `record_text`)."""
    return entry_from_record(orjson.loads(record_text(stored)))


def content_digest(entry: Entry) -> str:
    """What a correction changes: everything a reader sees of the article itself.
    The sidebars and the file name are not the article, so they are left out."""
    parts = [entry.title, entry.category, entry.author or "", entry.caption or "",
             *(("#" if block.subheading else "") + block.text for block in entry.blocks)]
    return hashlib.sha256("\x1e".join(parts).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Published:
    """An entry as the feeds show it: `updated` (UTC) moves on a correction only."""

    entry: Entry
    updated: datetime
