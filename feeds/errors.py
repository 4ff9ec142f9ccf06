"""The package's one exception root and the errors it raises on purpose.

Each names what it is about (a file, a key) so that one line tells the user
what is wrong and where.
"""

from __future__ import annotations

from pathlib import Path


class FeedsError(Exception):
    """Root of every error feeds raises on purpose."""


class DumpError(FeedsError):
    """A dump that cannot become an entry; names the file and the reason."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class ConfigError(FeedsError):
    """A configuration that cannot be used; names the file, the key and what was expected."""

    def __init__(self, path: str | Path, key: str | None, reason: str) -> None:
        self.path = str(path)
        self.key = key
        self.reason = reason
        where = f"{self.path}: {key}" if key else self.path
        super().__init__(f"{where}: {reason}")


class StateError(FeedsError):
    """The state database cannot be opened, locked or written."""
