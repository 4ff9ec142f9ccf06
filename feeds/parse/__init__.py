"""Dump bytes to an `Entry`, or to a `DumpError` naming the file and the reason."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from feeds.errors import DumpError, Rejection
from feeds.inputs import HTML_SUFFIXES
from feeds.model import Entry
from feeds.parse.page import Facts, PageTooDeep
from feeds.parse.text import parse_text
from feeds.text import NotText, decode

MAX_TITLE_CHARS = 500
_HTML_START = re.compile(rb"^\s*<(?:!doctype\s+html|html|head|body|meta|!--)", re.IGNORECASE)
_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_:.-]+)""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """How to read dumps: the category of a page that names none, the zone of a
    stamp that names none, the largest dump accepted, and the clock that decides
    what is "in the future" (None: the system clock). Made from the settings
    (`Settings.parse_options`), where the defaults are."""

    default_category: str
    default_zone: str
    max_bytes: int
    now: datetime | None = None


def check_size(size: int, source: str | Path, options: ParseOptions) -> None:
    """Refuse a dump of `size` bytes (the file's own size, not what was read of it)
    over the limit. Raises DumpError."""
    if size > options.max_bytes:
        raise DumpError(source, Rejection.TOO_LARGE,
                        f"too large: {size} bytes (the limit is {options.max_bytes})")


@dataclass(frozen=True, slots=True)
class DumpBytes:
    """A dump's bytes, and the file's stat once they were read (a writer still at
    work shows in a size or mtime other than the listing's)."""

    data: bytes
    after: os.stat_result


def read_dump_bytes(file: str, size: int, options: ParseOptions, source: str | None = None
                    ) -> DumpBytes:
    """Read a dump the one way feeds reads one, for `feeds build` and `feeds check`
    alike: refused unread when `size` (its size as listed) is over the limit, else
    at most one byte more than `size`, which shows that it grew. Raises DumpError
    naming `source` (default: `file`)."""
    source = source or file
    check_size(size, source, options)
    try:
        # Sized from the file, not the limit: read(limit) would allocate (and
        # zero) the whole limit for every dump.
        return _read(file, min(size, options.max_bytes) + 1)
    except OSError as error:
        raise DumpError(source, Rejection.UNREADABLE,
                        f"cannot read: {error.strerror or error}") from error


def _read(path: str, most: int) -> DumpBytes:
    """Up to `most` bytes of a file, and its stat once they are read. Plain os
    calls: no pathlib object and no buffered file object for a read of one go."""
    descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        parts = []
        while most > 0 and (part := os.read(descriptor, most)):
            parts.append(part)
            most -= len(part)
        return DumpBytes(b"".join(parts), os.fstat(descriptor))
    finally:
        os.close(descriptor)


def parse_file(path: Path, options: ParseOptions) -> Entry:
    """Read (`read_dump_bytes`) and parse one dump file named on its own. Raises
    DumpError only."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise DumpError(path, Rejection.UNREADABLE,
                        f"cannot read: {error.strerror or error}") from error
    return parse_dump(read_dump_bytes(str(path), size, options).data, str(path), options)


def parse_dump(data: bytes, source: str, options: ParseOptions) -> Entry:
    """Parse a dump's bytes; `source` names it in the entry and in errors.

    Raises DumpError, and nothing else, for anything that is not an article.
    """
    check_size(len(data), source, options)
    try:
        facts = _read_facts(data, source, options.default_zone)
    except NotText as error:
        raise DumpError(source, Rejection.NOT_TEXT, str(error)) from error
    except PageTooDeep as error:
        raise DumpError(source, Rejection.BROKEN, str(error)) from error
    except Exception as error:
        # Whatever a library raises on one dump rejects that dump alone, with the
        # reason; every other dump still publishes.
        raise DumpError(source, Rejection.BROKEN,
                        f"unreadable page: {type(error).__name__}: {error}") from error
    return _entry(facts, source, options)


def is_html(data: bytes, source: str) -> bool:
    """HTML by name, or by content whatever the name."""
    return Path(source).suffix.lower() in HTML_SUFFIXES or bool(_HTML_START.match(data[:512]))


def _read_facts(data: bytes, source: str, default_zone: str) -> Facts:
    html = is_html(data, source)
    declared = _CHARSET.search(data[:4096]) if html else None
    text = decode(data, declared[1].decode("ascii") if declared else None)
    # Not strip(), which copies the whole dump; white space of any kind, no-break
    # spaces too, is no page.
    if not text or text.isspace():
        raise NotText("empty file")
    if not html:
        return parse_text(text, default_zone)
    from feeds.parse.html import parse_html  # lxml and the HTML rules load for a page of HTML

    return parse_html(text, default_zone)


def _entry(facts: Facts, source: str, options: ParseOptions) -> Entry:
    if facts.published is None:
        raise DumpError(source, Rejection.NO_DATE, facts.date_problem or "no date line found")
    if not facts.title:
        raise DumpError(source, Rejection.NO_TITLE, "no title found before the date line")
    if len(facts.title) > MAX_TITLE_CHARS:
        raise DumpError(source, Rejection.NO_TITLE,
                        f"no title found: the block before the date line is "
                        f"{len(facts.title)} characters long (a title has at most "
                        f"{MAX_TITLE_CHARS})")
    warnings = list(facts.warnings)
    now = options.now or datetime.now(UTC)
    if facts.published > now:
        warnings.append(f"published {facts.published:%Y-%m-%dT%H:%M:%SZ} is in the future")
    if not facts.blocks:
        warnings.append("no body text")
    return Entry(
        title=facts.title,
        category=facts.category or options.default_category,
        published=facts.published,
        author=facts.author,
        caption=facts.caption,
        image=facts.image.url if facts.image else None,
        image_width=facts.image.width if facts.image else None,
        image_height=facts.image.height if facts.image else None,
        updated=facts.updated,
        blocks=facts.blocks,
        sidebars=facts.sidebars,
        source=source,
        warnings=tuple(warnings),
    )
