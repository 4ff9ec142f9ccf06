"""Access logs read as streams: the built-in server's and nginx's `combined` format,
plain, rotated or compressed, from files or standard input.

A log is read a block at a time, and each block is matched whole by one regular
expression (`findall`), which yields each line's fields as a tuple; the block's
tuples are counted (`Counter`, in C), so that the Python that follows sees each
distinct request of the block once however many times it was made (a reader
polling a feed writes the same line but for the minute), and then let go: memory
follows the block and what the figures keep, not the log. A line the expression
does not take is malformed: counted, and skipped.

What was read is remembered by the log's first line (`fingerprint`) and the bytes
read of it, so a log read again, rotated (renamed, then compressed) or grown is
read from where the last run stopped: no line is counted twice.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import hashlib
import io
import lzma
import re
import sys
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, cast

from feeds.site import FEED_FILES

BLOCK = 8 * 1024 * 1024  # bytes matched at a time
FIRST_LINE_MOST = 8192  # a first line longer than this is fingerprinted by this much
STDIN = "-"

# A feed's poll: address, date (`04/Dec/2026`), hour (only when the zone is not UTC:
# it can move the day), minute (only when the zone's are not 00: +0530), zone, method,
# the path of a feed's document (no query), status, bytes, user agent. Any other
# request matches the second branch and gives empty fields, so that all of them are
# one tuple to count, not one each: most of a site's log is pages and images. A quoted
# field ends at the first quote not escaped (nginx writes a quote as \x22, Apache as
# \"), matched as runs of plain characters between escapes (the engine's fast path);
# no field runs past its line.
_FEED_NAMES = "|".join(map(re.escape, FEED_FILES.values())).encode()  # rss.xml|atom.xml|...
_QUOTED = rb'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
LINE = re.compile(
    rb'^(?:(\S+) \S+ \S+ \[(\d\d/[A-Za-z]{3}/\d{4}):(?:(\d\d)(?=:\d\d:\d\d (?!\+0000))|\d\d)'
    rb':(?:(\d\d)(?=:\d\d [+-]\d\d(?!00))|\d\d):\d\d ([+-]\d{4})\] '
    rb'"([A-Z]+) ([^ "?\n]*/(?:' + _FEED_NAMES + rb'))(?:\?[^ "\n]*)?(?: [^"\n]*)?" '
    rb'(\d{3}) (\d+|-) ' + _QUOTED + rb' "([^"\\\n]*(?:\\.[^"\\\n]*)*)"'
    rb'|\S+ \S+ \S+ \[\d\d/[A-Za-z]{3}/\d{4}(?::\d\d){3} [+-]\d{4}\] "[^"\n]*" \d{3} (?:\d+|-) '
    + _QUOTED + b" " + _QUOTED + rb')[^\n]*$', re.MULTILINE)


Requests = Counter[tuple[bytes, ...]]  # `LINE`'s fields -> how many lines had them


@dataclass(slots=True)
class Tally:
    """What reading logs found: the lines read and the malformed ones; each
    block's distinct requests, counted, go to `consume` (and are not kept)."""

    consume: Callable[[Requests], None]
    lines: int = 0
    malformed: int = 0

    def add_block(self, block: bytes) -> None:
        found = LINE.findall(block)
        lines = block.count(b"\n")
        self.lines += lines
        self.malformed += lines - len(found)
        self.consume(Counter(found))


# What a log that cannot be read (or stops being readable half-way) raises.
UNREADABLE = (OSError, EOFError, zlib.error, lzma.LZMAError)
_TIME = re.compile(rb"\[(\d\d/[A-Za-z]{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\]")


@dataclass(frozen=True, slots=True)
class Log:
    """A log to read: a path, or standard input."""

    name: str

    @contextmanager
    def open(self) -> Iterator[BinaryIO]:
        """The log's bytes, decompressed when it is gzip, bzip2 or xz (told by its
        first bytes, whatever its name); closed, file and all, on leaving."""
        with contextlib.ExitStack() as stack:
            if self.name != STDIN:
                raw: BinaryIO = stack.enter_context(Path(self.name).open("rb"))
            elif sys.stdin is None:
                raise OSError("no standard input")
            else:
                raw = sys.stdin.buffer
            head = _read_fully(raw, 6)  # a pipe may give fewer bytes a read
            stream = cast(BinaryIO, io.BufferedReader(_Prefixed(head, raw)))
            if head.startswith(b"\x1f\x8b"):
                yield stack.enter_context(gzip.GzipFile(fileobj=stream))  # type: ignore[misc]
            elif head.startswith(b"BZh"):
                yield stack.enter_context(bz2.BZ2File(stream))  # type: ignore[misc]
            elif head.startswith(b"\xfd7zXZ\x00"):
                yield stack.enter_context(lzma.LZMAFile(stream))  # type: ignore[misc]
            else:
                yield stream

    def first_time(self) -> datetime | None:
        """When the log's first line was written (None: standard input, no line, or
        unreadable): logs are read oldest first."""
        if self.name == STDIN:
            return None
        try:
            with self.open() as stream:
                found = _TIME.search(stream.readline(FIRST_LINE_MOST))
            return datetime.strptime(found[1].decode(), "%d/%b/%Y:%H:%M:%S %z") if found \
                else None
        except (*UNREADABLE, ValueError):
            return None


class _Prefixed(io.RawIOBase):
    """A stream's first bytes, read already, put back before the rest."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            count = min(len(buffer), len(self._head))
            buffer[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        data = self._rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def _read_fully(stream: BinaryIO, size: int) -> bytes:
    data = b""
    while len(data) < size and (chunk := stream.read(size - len(data))):
        data += chunk
    return data


@dataclass(frozen=True, slots=True)
class Reading:
    """A log as this run reads it: its fingerprint (None: no complete line yet),
    the bytes a past run read of it, the bytes read now (complete lines), and why
    it stopped before its end ("": it did not)."""

    name: str
    fingerprint: str | None
    start: int
    end: int
    failure: str = ""


def fingerprint(first_line: bytes) -> str:
    return hashlib.sha256(first_line).hexdigest()[:32]


def read_log(log: Log, already: dict[str, int], tally: Tally) -> Reading:
    """Add the complete lines of `log` past what was read before (`already`, by
    fingerprint) to `tally`. A last line without its newline is left for the next
    run: a writer may be in the middle of it. A log that stops being readable
    half-way gives what was read until then, and why (the next run goes on from
    there); one that cannot be opened raises one of UNREADABLE."""
    with log.open() as stream:
        head = stream.read(FIRST_LINE_MOST)
        end_of_first = head.find(b"\n")
        if end_of_first < 0 and len(head) < FIRST_LINE_MOST:
            return Reading(log.name, None, 0, 0)
        mark = fingerprint(head[:end_of_first + 1] if end_of_first >= 0 else head)
        start = already.get(mark, 0)
        position = start
        try:
            position, pending = _skip(stream, head, start)
            for block in _blocks(stream, pending):
                tally.add_block(block)
                position += len(block)
        except UNREADABLE as error:
            reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
            return Reading(log.name, mark, start, max(start, position), reason)
    return Reading(log.name, mark, start, max(start, position))


def _skip(stream: BinaryIO, head: bytes, start: int) -> tuple[int, bytes]:
    """Read past the first `start` bytes; where that is, and the bytes read past it."""
    if start <= len(head):
        return start, head[start:]
    left = start - len(head)
    while left > 0:
        chunk = stream.read(min(BLOCK, left))
        if not chunk:
            break  # the log is shorter than what was read of it: nothing new
        left -= len(chunk)
    return start - left, b""


def _blocks(stream: BinaryIO, pending: bytes) -> Iterator[bytes]:
    """Blocks of whole lines; what follows the last newline is never given."""
    while True:
        chunk = stream.read(BLOCK)
        if not chunk:
            break
        pending += chunk
        cut = pending.rfind(b"\n") + 1
        if cut:
            yield pending[:cut]
            pending = pending[cut:]
        elif len(pending) > BLOCK:  # no line is this long: garbage, given as it is
            yield pending
            pending = b""
    cut = pending.rfind(b"\n") + 1
    if cut:
        yield pending[:cut]
