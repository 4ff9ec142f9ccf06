"""Lead image sizes read from the images themselves (`images.probe`): what each
probe found, so that an image is probed once, and the entries waiting for the
size of their lead image."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from feeds.dates import format_utc
from feeds.model import ImageSize

# Meta: set while `unsized_images` lists every entry waiting for its image's size
# (probing is on, and was when each entry was recorded).
IMAGES_WAITING = "images waiting"


@dataclass(frozen=True, slots=True)
class ProbeFailure:
    """A probe that found no size: why, and when to try again (None: never)."""

    url: str
    reason: str
    retry_at: datetime | None


@dataclass(frozen=True, slots=True)
class Waiting:
    """An entry waiting for its lead image's size, now that it is known."""

    entry_id: str
    url: str
    size: ImageSize


@dataclass(frozen=True, slots=True)
class ImageCounts:
    """What `feeds status` says of the probes: images sized, images whose probes
    failed (of which `retrying` will be tried again), and entries waiting for an
    image not probed yet or to be tried again."""

    sized: int
    failed: int
    retrying: int
    waiting: int


class Images:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def sizes(self, urls: Collection[str]) -> dict[str, ImageSize]:
        """The sizes known of these images (those known)."""
        rows = self.db.execute(
            "SELECT url, width, height FROM image_sizes WHERE width IS NOT NULL AND url IN "
            "(SELECT value FROM json_each(?))", (json.dumps(list(urls)),))
        return {url: ImageSize(width, height) for url, width, height in rows}

    def wait(self, images: Mapping[str, str | None]) -> None:
        """Entry id -> the URL of its lead image whose size is unknown (None: the
        entry waits for none)."""
        self.db.executemany("INSERT INTO unsized_images VALUES (?, ?) ON CONFLICT (entry_id) "
                            "DO UPDATE SET url = excluded.url",
                            ((entry_id, url) for entry_id, url in images.items() if url))
        self.db.executemany("DELETE FROM unsized_images WHERE entry_id = ?",
                            ((entry_id,) for entry_id, url in images.items() if not url))

    def stop_waiting(self, ids: Iterable[str] | None = None) -> None:
        """These entries wait no more, or none does."""
        if ids is None:
            self.db.execute("DELETE FROM unsized_images")
        else:
            self.db.executemany("DELETE FROM unsized_images WHERE entry_id = ?",
                                ((entry_id,) for entry_id in ids))

    def due(self, now: datetime, limit: int) -> list[str]:
        """Images to probe: waited for, never probed or due for another try; those
        of the newest entries first."""
        rows = self.db.execute(
            "SELECT unsized_images.url FROM unsized_images "
            "JOIN entries ON entries.id = unsized_images.entry_id "
            "LEFT JOIN image_sizes ON image_sizes.url = unsized_images.url "
            "WHERE image_sizes.url IS NULL OR (image_sizes.width IS NULL "
            "AND image_sizes.retry_at <= ?) "
            "GROUP BY unsized_images.url ORDER BY max(entries.published) DESC, "
            "unsized_images.url LIMIT ?", (format_utc(now), limit))
        return [url for (url,) in rows]

    def note(self, sizes: Mapping[str, ImageSize], failures: Iterable[ProbeFailure]) -> None:
        """What probes found: sizes, and failures (each counted)."""
        self.db.executemany(
            "INSERT INTO image_sizes (url, width, height) VALUES (?, ?, ?) ON CONFLICT (url) "
            "DO UPDATE SET width = excluded.width, height = excluded.height, retry_at = NULL, "
            "reason = NULL", ((url, size.width, size.height) for url, size in sizes.items()))
        self.db.executemany(
            "INSERT INTO image_sizes (url, failures, retry_at, reason) VALUES (?, 1, ?, ?) "
            "ON CONFLICT (url) DO UPDATE SET failures = failures + 1, "
            "retry_at = excluded.retry_at, reason = excluded.reason",
            ((failure.url, format_utc(failure.retry_at) if failure.retry_at else None,
              failure.reason) for failure in failures))

    def failures(self, urls: Collection[str]) -> dict[str, int]:
        """How many probes of these images failed (those that did)."""
        rows = self.db.execute(
            "SELECT url, failures FROM image_sizes WHERE failures > 0 AND url IN "
            "(SELECT value FROM json_each(?))", (json.dumps(list(urls)),))
        return {url: int(count) for url, count in rows}

    def counts(self) -> ImageCounts:
        (sized, failed, retrying), = self.db.execute(
            "SELECT count(width), count(*) - count(width), count(retry_at) FROM image_sizes")
        (waiting,) = self.db.execute(
            "SELECT count(*) FROM unsized_images LEFT JOIN image_sizes USING (url) "
            "WHERE image_sizes.url IS NULL OR retry_at IS NOT NULL").fetchone()
        return ImageCounts(sized, failed, retrying, waiting)

    def waiting_with_sizes(self, limit: int) -> list[Waiting]:
        """Entries waiting for an image whose size is now known."""
        rows = self.db.execute(
            "SELECT entry_id, unsized_images.url, width, height FROM unsized_images "
            "JOIN image_sizes ON image_sizes.url = unsized_images.url "
            "WHERE width IS NOT NULL LIMIT ?", (limit,))
        return [Waiting(entry_id, url, ImageSize(width, height))
                for entry_id, url, width, height in rows]
