"""The state's record of an entry: the one format it is stored in, and the
plain data `feeds check --json` prints.

A record is an entry's JSON (orjson, keys sorted: the same entry, the same
bytes), compressed with Zstandard. `RECORD_FORMAT` names this format; a state
that holds records of another (written by an older feeds) is rebuilt from its
input once (`feeds.publish`), never read in a second way.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime
from typing import Any, NamedTuple

from feeds.model import Block, Entry, SidebarHeadlines, Sidebars
from feeds.text import identity_key

RECORD_FORMAT = "zstd-json, sidebars unread, lead image and its size, stated update"
RECORD_FORMAT_KEY = "record format"


def entry_record(entry: Entry, headlines: SidebarHeadlines) -> dict[str, object]:
    """The entry as plain data with its sidebars' headlines, as `feeds check
    --json` prints it; times are the UTC datetimes themselves (`record_json`
    writes them as `YYYY-MM-DDTHH:MM:SSZ`)."""
    return {**_article_record(entry), **_headlines_record(headlines)}


def stored_record(entry: Entry) -> dict[str, object]:
    """The entry as the state stores it: its sidebars as the page printed them,
    unread."""
    sidebars = entry.sidebars
    return {**_article_record(entry), "sidebars": {"text": sidebars.text, "zone": sidebars.zone}}


def _article_record(entry: Entry) -> dict[str, object]:
    return {
        "id": entry.id,
        "title": entry.title,
        "category": entry.category,
        "published": entry.published,
        "updated": entry.updated,
        "author": entry.author,
        "caption": entry.caption,
        "caption_credit": entry.caption_credit,
        "image": entry.image,
        "image_size": ([entry.image_width, entry.image_height]
                       if entry.image_width and entry.image_height else None),
        # Only when set: the records of every other entry stay as they were.
        **({"image_size_probed": True} if entry.image_probed else {}),
        "paragraphs": [block.text for block in entry.blocks],
        "subheadings": [index for index, block in enumerate(entry.blocks) if block.subheading],
        "warnings": list(entry.warnings),
        "source": entry.source,
    }


def _headlines_record(headlines: SidebarHeadlines) -> dict[str, object]:
    return {"populer": [{"title": h.title, "published": h.published} for h in headlines.populer],
            "update": [{"title": h.title, "published": h.published} for h in headlines.update]}


def record_json(record: dict[str, object]) -> bytes:
    """An `entry_record` as UTF-8 JSON, keys sorted: the same entry, the same bytes."""
    # orjson, not the standard library: it encodes in C, times included, `Z` and
    # never `+00:00`, as `format_utc` writes them. Both codecs load when first
    # used: a run that finds nothing new needs neither.
    import orjson

    return orjson.dumps(record, option=orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS
                        | orjson.OPT_SORT_KEYS)


def entry_from_record(record: dict[str, object]) -> Entry:
    """The inverse of `stored_record`."""

    def when(value: object) -> datetime:
        return datetime.fromisoformat(str(value))  # `...Z` reads as UTC

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
        image=str(record["image"]) if record.get("image") else None,
        image_width=_size(record, 0),
        image_height=_size(record, 1),
        image_probed=bool(record.get("image_size_probed")),
        updated=when(record["updated"]) if record.get("updated") else None,
        blocks=tuple(Block(str(text), index in marked) for index, text in enumerate(paragraphs)),
        sidebars=_sidebars_from(record),
        source=str(record.get("source", "")),
        warnings=tuple(str(w) for w in warnings),
        stored_id=str(record["id"]),
    )


def _size(record: dict[str, object], index: int) -> int | None:
    size = record.get("image_size")
    return int(size[index]) if isinstance(size, list) else None


def _sidebars_from(record: dict[str, object]) -> Sidebars:
    stored = record["sidebars"]
    assert isinstance(stored, dict)
    return Sidebars(str(stored["text"]), str(stored["zone"]))


class Encoded(NamedTuple):
    """An entry as the state stores it, made once by the process that parsed it (a
    parsing worker): its keys, its record (`stored_record`, compressed) and its
    content digest. It is all the main process needs of an entry, and far less to
    send from a worker than the whole entry with its paragraphs."""

    id: str
    title: str
    category: str
    category_slug: str
    author: str | None
    author_slug: str | None
    published: datetime  # UTC
    record: bytes
    content: str
    unsized_image: str | None = None  # the lead image's URL while its size is unknown

    @property
    def title_key(self) -> str:
        return identity_key(self.title)


def encode(entry: Entry) -> Encoded:
    return Encoded(entry.id, entry.title, entry.category, entry.category_slug, entry.author,
                   entry.author_slug, entry.published,
                   compress_record(record_json(stored_record(entry))), content_digest(entry),
                   entry.image if entry.image and not entry.image_width else None)


# Records are compressed: most of the state's size, and of what a build writes
# to disk, is records. Zstandard at level 1, not zlib: the same ratio on these
# records, in a fraction of the time either way (docs/performance.md). Its
# contexts are not thread-safe, and cost as much to make as to use once: one
# per thread, made once.


class _Codecs(threading.local):
    """This thread's Zstandard contexts, made when the thread first asks."""

    compressor: Any = None
    decompressor: Any = None


_codecs = _Codecs()


def _zstandard() -> _Codecs:
    if _codecs.compressor is None:
        import zstandard

        _codecs.compressor = zstandard.ZstdCompressor(level=1)
        _codecs.decompressor = zstandard.ZstdDecompressor()
    return _codecs


def compress_record(record: bytes) -> bytes:
    return bytes(_zstandard().compressor.compress(record))


def record_text(stored: bytes) -> bytes:
    """A stored record's JSON."""
    return bytes(_zstandard().decompressor.decompress(stored))


def same_record(stored: bytes, record: bytes) -> bool:
    """Whether a stored record holds what `record` holds (compared as JSON: the
    compressed bytes may differ from one Zstandard release to the next)."""
    return stored == record or record_text(stored) == record_text(record)


def decode_record(stored: bytes) -> Entry:
    """The entry a stored record holds (see `record_text`)."""
    import orjson

    return entry_from_record(orjson.loads(record_text(stored)))


def content_digest(entry: Entry) -> str:
    """What a correction changes: everything a reader sees of the article itself,
    its lead image included. The sidebars and the file name are not the article,
    so they are left out, and neither is an image size feeds read from the image."""
    stated_size = entry.image_width and not entry.image_probed
    parts = [entry.title, entry.category, entry.author or "", entry.caption or "",
             entry.image or "",
             *([f"{entry.image_width}x{entry.image_height}"] if stated_size else []),
             *(("#" if block.subheading else "") + block.text for block in entry.blocks)]
    return hashlib.sha256("\x1e".join(parts).encode()).hexdigest()
