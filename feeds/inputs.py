"""Which files in an input directory are dumps to read."""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from stat import S_IFBLK, S_IFCHR, S_IFIFO, S_IFMT, S_IFSOCK, S_ISDIR, S_ISREG
from typing import NamedTuple, Protocol

from feeds.errors import InputError

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
DUMP_SUFFIXES = frozenset({".txt", *HTML_SUFFIXES})
# Names producers use while a file is still being written.
PARTIAL_SUFFIXES = frozenset({".part", ".tmp", ".crdownload", ".partial", ".swp"})
log = logging.getLogger("feeds.inputs")


def is_dump_name(name: str) -> bool:
    """A dump's name: a known suffix, not hidden, not a file still being written."""
    if name.startswith(".") or name.endswith("~"):
        return False
    # Not Path(name).suffix: asked of every file in the input, and pathlib builds
    # an object for each.
    _, dot, extension = name.rpartition(".")
    suffix = dot + extension.lower() if dot else ""
    return suffix in DUMP_SUFFIXES and suffix not in PARTIAL_SUFFIXES


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


@dataclass(frozen=True, slots=True)
class SeenFile:
    """An input file as the state last saw it: its size, mtime and hash, and the
    entry it gave or why it was rejected."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    entry_id: str | None
    error: str | None


@dataclass(frozen=True, slots=True)
class ToRead:
    """An input file to read, its stat as listed (None: as it is when read), and
    what the state knows of it."""

    path: str
    stat: Stat | None
    seen: SeenFile | None


class Kind(Enum):
    """What the input rule makes of an entry below the input directory."""

    DUMP = "dump"
    DIRECTORY = "directory"  # read: its entries are judged in turn
    IGNORED = "ignored"  # not meant as a dump: nothing is said of it
    PASSED_OVER = "passed over"  # named as a dump but no file to read: said, with why


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: Kind
    why: str = ""  # what a passed-over entry is instead of a file


DUMP, DIRECTORY, IGNORED = Verdict(Kind.DUMP), Verdict(Kind.DIRECTORY), Verdict(Kind.IGNORED)
# What an entry named as a dump is when it is not a regular file.
_NOT_FILES = {S_IFIFO: "a FIFO (named pipe), not a regular file",
              S_IFSOCK: "a socket, not a regular file",
              S_IFCHR: "a character device, not a regular file",
              S_IFBLK: "a block device, not a regular file"}


class Entry(Protocol):
    """What the rule asks of an entry: an os.DirEntry answers from the listing,
    a `PathEntry` from one stat."""

    def is_dir(self) -> bool: ...

    def is_file(self) -> bool: ...

    def is_symlink(self) -> bool: ...

    def stat(self) -> os.stat_result: ...


def judge(name: str, entry: Entry) -> Verdict:
    """The one rule for what an entry below the input directory is, whoever
    reads the input (build, rebuild, check, the daemon's full passes and its
    events). Hidden entries are skipped, directories too: producers write there
    before renaming. Any other directory is read, whatever its name, and is never
    a dump. A regular file (or a link to one) with a dump's name is a dump; an
    entry with a dump's name that is not one is passed over, and `why` says
    what it is, since it was most likely meant as a dump."""
    if name.startswith("."):
        return IGNORED
    if entry.is_dir():
        return DIRECTORY
    if not is_dump_name(name):
        return IGNORED
    if entry.is_file():
        return DUMP
    return _not_a_file(entry)


def _not_a_file(entry: Entry) -> Verdict:
    try:
        mode = entry.stat().st_mode
    except OSError as error:
        if entry.is_symlink():
            return Verdict(Kind.PASSED_OVER, f"a symlink that leads to no file ({error.strerror})")
        return IGNORED  # vanished since it was listed
    return Verdict(Kind.PASSED_OVER, _NOT_FILES.get(S_IFMT(mode), "not a regular file"))


class PathEntry:
    """A path asked what `judge` asks of a directory entry, with one stat for all
    of it (a link is followed, as a DirEntry follows it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stat: os.stat_result | None = None

    def stat(self) -> os.stat_result:
        if self._stat is None:
            self._stat = self.path.stat()  # a failure is not kept: only `why` asks again
        return self._stat

    def _mode(self) -> int:
        try:
            return self.stat().st_mode
        except OSError:
            return 0

    def is_dir(self) -> bool:
        return S_ISDIR(self._mode())

    def is_file(self) -> bool:
        return S_ISREG(self._mode())

    def is_symlink(self) -> bool:
        return self.path.is_symlink()


def judge_path(input_dir: Path, relative: str) -> Verdict:
    """`judge` for a path below the input directory, as events name one: each
    folder on the way must be one the rule reads, and the file a dump."""
    *folders, name = relative.split("/")
    for depth, folder in enumerate(folders, 1):
        folder_entry = PathEntry(input_dir.joinpath(*folders[:depth]))
        if judge(folder, folder_entry).kind is not Kind.DIRECTORY:
            return IGNORED
    return judge(name, PathEntry(input_dir / relative))


@dataclass(slots=True)
class Listing:
    """The dumps below an input directory and the entries passed over, by path
    relative to it (with "/")."""

    dumps: dict[str, FileStat] = field(default_factory=dict)
    passed_over: dict[str, str] = field(default_factory=dict)  # path -> why


def list_input(input_dir: Path) -> Listing:
    """Every dump below the input directory (by `judge`), in no particular order,
    and what was passed over. Raises InputError when it is missing."""
    found = Listing()
    for path, stat in scan_input(input_dir, found.passed_over):
        found.dumps[path] = FileStat(stat.st_size, stat.st_mtime_ns)
    return found


def scan_input(input_dir: Path, passed_over: dict[str, str]) -> Iterator[tuple[str, Stat]]:
    """Every dump below the input directory (by `judge`) with its stat, as the
    directory is read, in no particular order; what is passed over goes into
    `passed_over`. Raises InputError, at once, when the directory is missing.

    One pass of scandir, one stat a dump, and nothing kept: a full pass of the
    daemon over a large archive costs about what listing it does, in memory that
    does not grow with it."""
    if not input_dir.is_dir():
        raise InputError(input_dir, "input directory not found")
    return _scan(os.fspath(input_dir), passed_over)


def _scan(root: str, passed_over: dict[str, str]) -> Iterator[tuple[str, Stat]]:
    pending = [("", root)]
    read: set[tuple[int, int]] = set()  # (device, inode) of every directory read
    while pending:
        prefix, directory = pending.pop()
        try:
            folder = os.stat(directory)  # noqa: PTH116 - no Path object per directory
            if (folder.st_dev, folder.st_ino) in read:  # a link back up: a loop
                passed_over[prefix.rstrip("/")] = "a link to a directory already read"
                continue
            read.add((folder.st_dev, folder.st_ino))
            with os.scandir(directory) as entries:
                for item in entries:
                    # Each entry is let go once stat'ed: a DirEntry keeps its whole
                    # stat_result.
                    name = item.name
                    try:
                        verdict = judge(name, item)
                        if verdict.kind is Kind.DUMP:
                            yield prefix + name, item.stat()
                        elif verdict.kind is Kind.DIRECTORY:
                            pending.append((f"{prefix}{name}/", f"{directory}/{name}"))
                        elif verdict.kind is Kind.PASSED_OVER:
                            passed_over[prefix + name] = verdict.why
                    except OSError:
                        continue  # vanished between listing and stat
        except OSError:
            continue  # vanished or unreadable: the next scan sees it again


def stat_key(size: int, mtime_ns: int) -> int:
    """A file's size and mtime as one number, equal only for an equal pair (an
    mtime before 2262): what the state keeps to tell an unchanged file, one
    small object a file where a pair takes three."""
    return (size << 64) + mtime_ns


def warn_passed_over(input_dir: Path, passed_over: Mapping[str, str]) -> None:
    """One line for each entry passed over, with why."""
    for path, why in sorted(passed_over.items()):
        log.warning("passed over %s: %s", input_dir / path, why)


def find_dumps(paths: Iterable[Path]) -> list[Path]:
    """Files given by name, and the dumps inside directories (as `list_input`
    finds them, sorted; what it passes over is logged). A file named explicitly
    is read whatever its name."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            listing = list_input(path)
            warn_passed_over(path, listing.passed_over)
            found.extend(path / relative for relative in sorted(listing.dumps))
        else:
            found.append(path)
    return found


def stat_inputs(input_dir: Path, paths: Collection[str]) -> dict[str, FileStat]:
    """The named dumps that exist (by `judge_path`), by relative path. What it
    passes over is not said: the listing of a full pass says it."""
    found = {}
    for path in sorted(paths):
        if judge_path(input_dir, path).kind is Kind.DUMP:
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
