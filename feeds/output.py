"""Writing into the output directory: atomically, only when the bytes change,
and never outside it."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from feeds.errors import OutputError

_TEMPORARY = re.compile(r"^\..+\.\d+\.tmp$")


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
        """Put `data` at `relative`; True when the file changed. `durable` syncs the
        data to disk before the rename, so a crash cannot leave an empty file."""
        target = self._absolute(relative)
        try:
            # Plain os calls on strings: a Path object per call costs more, for a
            # page per article, than the system call itself (see _absolute).
            if os.stat(target).st_size == len(data) and _read(target) == data:  # noqa: PTH116
                return False
        except OSError:
            pass
        temporary = _temporary_beside(target)
        try:
            self._make_directory_of(target)
            _write_file(temporary, data, durable=durable)
            os.replace(temporary, target)  # noqa: PTH105
        except OSError as error:
            with contextlib.suppress(OSError):
                os.unlink(temporary)  # noqa: PTH108
            raise OutputError(target, f"cannot write: {error.strerror or error}") from error
        return True

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


def _read(path: str) -> bytes:
    with open(path, "rb") as file:  # noqa: PTH123 - see Output.write
        return file.read()


def _write_file(path: str, data: bytes, *, durable: bool) -> None:
    """Create `path` holding `data`. Plain os calls: open() would also ask whether
    the file is a terminal and where it starts, three system calls a page more."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        _write_all(descriptor, data)
        if durable:
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view):]
