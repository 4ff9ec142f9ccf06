"""One input file as a parsing worker takes it: read, hashed, parsed, its entry
encoded for the state. Workers only parse: pages are the render stage's.

Parsing workers import this module and what it needs, not the whole of feeds
(the state, the renderers, the daemon): every parallel build waits for its
workers to start.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from feeds.config import Settings
from feeds.errors import DumpError
from feeds.inputs import Stat
from feeds.parse import check_size, parse_dump
from feeds.records import Encoded, encode
from feeds.workers import worker_settings

if TYPE_CHECKING:
    from feeds.state import SeenFile

Job = tuple[str, Stat, "SeenFile | None"]  # a file to read, and what is known of it


@dataclass(frozen=True, slots=True)
class Dump:
    """An input file read once: its bytes' hash and the entry they parsed to, as
    the state stores it, or the reason it is no article (neither entry nor
    error: the bytes are the ones already known)."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    entry: Encoded | None
    error: str | None


def read_job(job: Job) -> Dump | None:
    """`read_dump` in one of the run's workers."""
    return read_dump(worker_settings(), *job)


def read_dump(settings: Settings, path: str, stat: Stat, known: SeenFile | None) -> Dump | None:
    """One file; None when it changed while being read (the next scan reads it again)."""
    options = settings.parse_options
    try:
        check_size(stat.st_size, path, options)
    except DumpError as error:  # never read: its size says enough
        return Dump(path, stat.st_size, stat.st_mtime_ns, "", None, error.reason)
    try:
        # Sized from the file, not the limit: read(limit) would allocate (and
        # zero) the whole limit for every dump. One byte more shows growth.
        data, after = read_file(f"{settings.input_dir}/{path}",
                                 min(stat.st_size, settings.max_dump_bytes) + 1)
    except OSError as error:
        return Dump(path, stat.st_size, stat.st_mtime_ns, "", None,
                    f"cannot read: {error.strerror or error}")
    if (after.st_size, after.st_mtime_ns) != (stat.st_size, stat.st_mtime_ns):
        return None
    sha256 = hashlib.sha256(data).hexdigest()
    if known is not None and known.sha256 == sha256 and known.error is None:
        return Dump(path, stat.st_size, stat.st_mtime_ns, sha256, None, None)
    try:
        entry = parse_dump(data, path, options)
    except DumpError as error:
        return Dump(path, stat.st_size, stat.st_mtime_ns, sha256, None, error.reason)
    return Dump(path, stat.st_size, stat.st_mtime_ns, sha256, encode(entry), None)


def read_file(path: str, most: int) -> tuple[bytes, os.stat_result]:
    """Up to `most` bytes of a file, and its stat once they are read. Plain os
    calls: no pathlib object and no buffered file object for a read of one go."""
    descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        parts = []
        while most > 0 and (part := os.read(descriptor, most)):
            parts.append(part)
            most -= len(part)
        return b"".join(parts), os.fstat(descriptor)
    finally:
        os.close(descriptor)
