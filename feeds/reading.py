"""One input file as a parsing worker takes it: read, hashed, parsed, its entry
encoded for the state. Workers only parse here: pages are the output stage's.

Parsing workers import this module and what it needs, not the whole of feeds
(the state, the renderers, the daemon): every parallel build waits for its
workers to start.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Protocol

from feeds.config import Settings
from feeds.errors import DumpError, Rejected
from feeds.inputs import SeenFile, ToRead
from feeds.parse import parse_dump, read_dump_bytes
from feeds.records import Encoded, encode


class Context(Protocol):
    """What reading needs of the process it runs in (`feeds.workers.Context`)."""

    @property
    def settings(self) -> Settings: ...


@dataclass(frozen=True, slots=True)
class Dump:
    """An input file read once: its bytes' hash and the entry they parsed to, as
    the state stores it, or why it is no article (neither entry nor rejection:
    the bytes are the ones already known)."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    entry: Encoded | None = None
    rejected: Rejected | None = None

    def seen(self) -> SeenFile:
        """The file as the state is to remember it (`entry_id` None: the entry is
        the one it gave before, or it was rejected)."""
        return SeenFile(path=self.path, size=self.size, mtime_ns=self.mtime_ns,
                        sha256=self.sha256, entry_id=self.entry.id if self.entry else None,
                        error=self.rejected.reason if self.rejected else None)


def read_files(context: Context, files: list[ToRead]) -> list[Dump | None]:
    """`read_dump` over a few files, as a job of the run's workers."""
    return [read_dump(context.settings, file) for file in files]


def read_dump(settings: Settings, file: ToRead) -> Dump | None:
    """One file; None when it changed while being read (the next scan reads it again)."""
    path, options = file.path, settings.parse_options
    where = f"{settings.input_dir}/{path}"
    try:
        stat = file.stat or os.stat(where)  # noqa: PTH116 - a plain stat, as listing takes
    except OSError:
        return None  # gone since it was listed: the next scan says so
    size, mtime_ns = stat.st_size, stat.st_mtime_ns
    try:
        read = read_dump_bytes(where, size, options, source=path)
    except DumpError as error:
        if isinstance(error.__cause__, FileNotFoundError):
            return None  # gone since it was listed or named: the next scan says so
        return Dump(path=path, size=size, mtime_ns=mtime_ns, sha256="",
                    rejected=_rejected(error))
    if (read.after.st_size, read.after.st_mtime_ns) != (size, mtime_ns):
        return None
    data = read.data
    sha256 = hashlib.sha256(data).hexdigest()
    if file.seen is not None and file.seen.sha256 == sha256 and file.seen.error is None:
        return Dump(path=path, size=size, mtime_ns=mtime_ns, sha256=sha256)
    try:
        entry = parse_dump(data, path, options)
    except DumpError as error:
        return Dump(path=path, size=size, mtime_ns=mtime_ns, sha256=sha256,
                    rejected=_rejected(error))
    return Dump(path=path, size=size, mtime_ns=mtime_ns, sha256=sha256, entry=encode(entry))


def _rejected(error: DumpError) -> Rejected:
    return Rejected(error.path, error.kind, error.reason)
