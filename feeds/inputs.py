"""Which files in an input directory are dumps to read."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import NamedTuple, Protocol

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
DUMP_SUFFIXES = frozenset({".txt", *HTML_SUFFIXES})
# Names producers use while a file is still being written.
PARTIAL_SUFFIXES = frozenset({".part", ".tmp", ".crdownload", ".partial", ".swp"})


def is_dump_name(name: str) -> bool:
    """A dump's name: a known suffix, not hidden, not a file still being written."""
    if name.startswith(".") or name.endswith("~"):
        return False
    # Not Path(name).suffix: asked of every file in the input, and pathlib builds
    # an object for each.
    _, dot, extension = name.rpartition(".")
    suffix = dot + extension.lower() if dot else ""
    return suffix in DUMP_SUFFIXES and suffix not in PARTIAL_SUFFIXES


def find_dumps(paths: Iterable[Path]) -> list[Path]:
    """Files given by name, and the dumps inside directories (as `list_input`
    finds them, sorted). A file named explicitly is read whatever its name."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(path / relative for relative in sorted(list_input(path)))
        else:
            found.append(path)
    return found


class Stat(Protocol):
    """What feeds asks of a file's stat: whether the file changed since."""

    @property
    def st_size(self) -> int: ...

    @property
    def st_mtime_ns(self) -> int: ...


class FileStat(NamedTuple):
    """A `Stat` kept for later: a listing holds one per file, much smaller than an
    os.stat_result."""

    st_size: int
    st_mtime_ns: int

    @classmethod
    def of(cls, stat: Stat) -> FileStat:
        return cls(stat.st_size, stat.st_mtime_ns)


def list_input(input_dir: Path) -> dict[str, FileStat]:
    """Every dump below the input directory, by path relative to it (with "/"),
    in no particular order. Hidden directories are skipped. Raises
    FileNotFoundError when it is missing.

    One pass of scandir, one stat a dump: a full pass of the daemon over a large
    archive costs about what listing it does."""
    if not input_dir.is_dir():
        raise FileNotFoundError(f"{input_dir}: input directory not found")
    found: dict[str, FileStat] = {}
    pending = [("", os.fspath(input_dir))]
    while pending:
        prefix, directory = pending.pop()
        try:
            with os.scandir(directory) as entries:
                for item in entries:
                    # Each entry is let go once stat'ed: a DirEntry keeps its whole
                    # stat_result, and a list of all of them would cost megabytes.
                    name = item.name
                    try:
                        if is_dump_name(name):
                            if item.is_file():
                                stat = item.stat()
                                found[prefix + name] = FileStat(stat.st_size, stat.st_mtime_ns)
                        elif item.is_dir() and not name.startswith("."):
                            pending.append((f"{prefix}{name}/", f"{directory}/{name}"))
                    except OSError:
                        continue  # vanished between listing and stat
        except OSError:
            continue  # vanished or unreadable: the next scan sees it again
    return found


def stat_inputs(input_dir: Path, paths: Collection[str]) -> dict[str, FileStat]:
    """The named dumps that exist, by relative path."""
    found = {}
    for path in sorted(paths):
        if is_dump_name(Path(path).name):
            try:
                found[path] = FileStat.of((input_dir / path).stat())
            except OSError:
                continue
    return found


def has_writer(path: str) -> bool | None:
    """Whether some process holds the file open for writing: True or False as the
    kernel tells (a read lease is refused while a writer has the file open), None
    where it cannot tell (leases disabled, a file system or owner that allows
    none)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.fcntl(descriptor, fcntl.F_SETLEASE, fcntl.F_RDLCK)
    except BlockingIOError:
        return True
    except OSError:
        return None
    else:
        fcntl.fcntl(descriptor, fcntl.F_SETLEASE, fcntl.F_UNLCK)
        return False
    finally:
        os.close(descriptor)
