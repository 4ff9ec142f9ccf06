"""Writing into the output directory: atomically, only when the bytes change,
and never outside it."""

from __future__ import annotations

import contextlib
import functools
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from feeds.errors import OutputError
from feeds.site import OutputFile

_TEMPORARY = re.compile(r"^\..+\.\d+\.tmp$")
# A run that puts this many files in place or fewer (a daemon's pass, one new
# dump) syncs them one by one; more (a build) sync the file system once.
SYNC_ONE_BY_ONE_AT_MOST = 32


class Output:
    """The output directory. Every write goes to a temporary file in the target's
    own directory and is renamed over it, so a reader sees the old file or the
    new one, never half of one. Unchanged content is not rewritten (its mtime stays)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._made: set[str] = set()  # directories known to exist: no mkdir per page
        self._root_name = str(self.root)

    def prepare(self) -> None:
        """Create the root if needed; an unusable root fails here, with one message,
        before any file is attempted."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OutputError(self.root, f"cannot use as the output directory: "
                                         f"{error.strerror or error}") from error

    def path(self, relative: str) -> Path:
        """The absolute path of `relative`, refusing anything that leaves the root.

        The check is lexical (no absolute path, no `..` after normalising): every
        path feeds writes is built from slugs and ids, and the root itself is
        resolved once, so no per-file system call is needed."""
        return Path(self._absolute(relative))

    def _absolute(self, relative: str) -> str:
        # Plain strings: for a page per article, pathlib's objects cost more than
        # the checks themselves.
        normal = os.path.normpath(relative)
        if (normal.startswith("/") or normal == "." or normal == ".."
                or normal.startswith("../") or "\x00" in normal):
            raise OutputError(relative, f"outside the output directory {self.root}")
        return f"{self._root_name}/{normal}"

    def write(self, relative: str, data: bytes, *, durable: bool = True) -> bool:
        """Put `data` at `relative`; True when the file changed (see `write_all`)."""
        return bool(self.write_all([OutputFile(relative, data)], durable=durable))

    def write_all(self, files: Iterable[OutputFile], *, durable: bool = True) -> list[str]:
        """Put the files in place (`stage`, then `place`); the paths of those
        whose bytes changed."""
        return self.place(self.stage(files), durable=durable)

    def stage(self, files: Iterable[OutputFile]) -> list[Staged]:
        """Write each file whose bytes change under a temporary name beside it,
        to be put in place by `place` (in this process or another). On failure,
        what was staged is deleted."""
        staged: list[Staged] = []
        target = str(self.root)
        try:
            for file in files:
                target = self._absolute(file.path)
                if _holds(target, file.data):
                    continue
                self._make_directory_of(target)
                staged.append(Staged(file.path, _temporary_beside(target), target))
                _write_file(staged[-1].temporary, file.data)
        except OSError as error:
            self.discard(staged)
            raise OutputError(target, f"cannot write: {error.strerror or error}") from error
        except BaseException:
            self.discard(staged)
            raise
        return staged

    def place(self, staged: list[Staged], *, durable: bool = True) -> list[str]:
        """Give staged files their names, in the order given; their paths. With
        `durable`, their bytes are on disk before any takes its name (`_sync`),
        so that a crash of the machine cannot leave an empty file where a whole
        one was. A failure leaves every file named as it was, or whole and new,
        and deletes what was not placed."""
        placed: list[str] = []
        target = str(self.root)
        try:
            if durable and staged:
                _sync(self._root_name, [file.temporary for file in staged])
            for file in staged:
                target = file.target
                os.replace(file.temporary, target)  # noqa: PTH105 - see _absolute
                placed.append(file.path)
        except OSError as error:
            raise OutputError(target, f"cannot write: {error.strerror or error}") from error
        finally:
            self.discard(staged[len(placed):])
        return placed

    def discard(self, staged: Iterable[Staged]) -> None:
        """Delete staged files that will not be placed."""
        for file in staged:
            with contextlib.suppress(OSError):
                os.unlink(file.temporary)  # noqa: PTH108 - see _absolute

    def _make_directory_of(self, target: str) -> None:
        directory = target.rpartition("/")[0]
        if directory not in self._made:
            os.makedirs(directory, exist_ok=True)  # noqa: PTH103 - see _absolute
            self._made.add(directory)

    def remove(self, relative: str) -> bool:
        """Delete a file that no longer has a reason to exist; True when it did."""
        target = self.path(relative)
        try:
            target.unlink()
        except FileNotFoundError:
            return False
        except OSError as error:
            raise OutputError(target, f"cannot remove: {error.strerror or error}") from error
        with contextlib.suppress(OSError):
            target.parent.rmdir()  # only succeeds when it is now empty
            self._made.discard(str(target.parent))
        return True

    def sweep_temporaries(self) -> int:
        """Delete temporary files a killed writer left behind; returns how many.
        Only safe while holding the state's lock (no other writer is at work)."""
        swept = 0
        for directory, _, names in os.walk(self.root):
            for name in names:
                if _TEMPORARY.match(name):
                    with contextlib.suppress(OSError):
                        Path(directory, name).unlink()
                        swept += 1
        return swept

    def files_under(self, relative_dir: str) -> list[str]:
        """Relative paths of the files below a directory of the output, dotfiles
        (a writer's temporaries) left out."""
        base = self._absolute(relative_dir)
        prefix = len(self._root_name) + 1
        return sorted(f"{directory[prefix:]}/{name}"
                      for directory, _, names in os.walk(base) for name in names
                      if not name.startswith(".")
                      and os.path.isfile(f"{directory}/{name}"))  # noqa: PTH113 - see _absolute


def _temporary_beside(target: str) -> str:
    """The hidden name a file is written under before it takes its own (the
    shape `sweep_temporaries` looks for)."""
    directory, _, name = target.rpartition("/")
    return f"{directory}/.{name}.{os.getpid()}.tmp"


@dataclass(frozen=True, slots=True)
class Staged:
    """A file written under its temporary name, waiting to take its own."""

    path: str  # relative to the root
    temporary: str
    target: str


def _holds(target: str, data: bytes) -> bool:
    """Whether the file at `target` holds exactly `data` (compared only when the
    sizes agree)."""
    try:
        # Plain os calls on strings: a Path object per call costs more, for a
        # page per article, than the system call itself (see Output._absolute).
        return os.stat(target).st_size == len(data) and _read(target) == data  # noqa: PTH116
    except OSError:
        return False


def _read(path: str) -> bytes:
    with open(path, "rb") as file:  # noqa: PTH123 - see Output.write_all
        return file.read()


def _write_file(path: str, data: bytes) -> None:
    """Create `path` holding `data`. Plain os calls: open() would also ask whether
    the file is a terminal and where it starts, three system calls a page more."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        _write_all(descriptor, data)
    finally:
        os.close(descriptor)


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view):]


def _sync(directory: str, files: list[str]) -> None:
    """Put these files' bytes on disk. A few are synced one by one: each costs
    its own bytes. More are synced with one syncfs(2) of the file system holding
    `directory` (sync(2) where the C library has no syncfs), one call whatever
    their number, at the cost of whatever else the file system has to write
    (a build's article pages, written unsynced just before, or another
    program's files). Raises OSError as fsync would (a full disk)."""
    if len(files) <= SYNC_ONE_BY_ONE_AT_MOST:
        for path in files:
            descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        return
    syncfs = _syncfs()
    if syncfs is None:
        os.sync()
        return
    descriptor = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if syncfs(descriptor) != 0:
            import ctypes

            number = ctypes.get_errno()
            raise OSError(number, os.strerror(number))
    finally:
        os.close(descriptor)


@functools.cache
def _syncfs() -> Callable[[int], int] | None:
    """The C library's syncfs, when it has one. Python's os module has none."""
    import ctypes  # only a run that writes needs it

    library = ctypes.CDLL(None, use_errno=True)
    function = getattr(library, "syncfs", None)
    if function is None:
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return cast(Callable[[int], int], function)
