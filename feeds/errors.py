"""The package's one exception root, the errors it raises on purpose, and the
kinds of dump it rejects.

Each error carries the path it is about (a file, a directory, the state
database), so that one line tells the user what is wrong and where.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class FeedsError(Exception):
    """Root of every error feeds raises on purpose: `path` is what it is about,
    `reason` what is wrong with it; the message is the two, joined."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class Rejection(StrEnum):
    """Why an input file gives no entry, by kind (the reason's words say more)."""

    UNNAMABLE = "unnamable"  # its name is not text: nothing can record it
    TOO_LARGE = "too large"
    UNREADABLE = "unreadable"  # the file system refused it
    NOT_TEXT = "not text"  # empty, binary, or in no encoding
    BROKEN = "broken"  # a page no parser could take apart
    NO_DATE = "no date"
    NO_TITLE = "no title"


class DumpError(FeedsError):
    """A dump that cannot become an entry: the file, the kind and the reason."""

    def __init__(self, path: str | Path, kind: Rejection, reason: str) -> None:
        self.kind = kind
        super().__init__(path, reason)


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input file a run did not publish, and why."""

    path: str
    kind: Rejection
    reason: str


class ConfigError(FeedsError):
    """A configuration that cannot be used: the file, the key and what was expected."""

    def __init__(self, path: str | Path, key: str | None, reason: str) -> None:
        self.key = key
        super().__init__(f"{path}: {key}" if key else path, reason)
        self.path = str(path)


class InputError(FeedsError):
    """The input directory cannot be listed."""


class StateError(FeedsError):
    """The state database cannot be opened, locked or written."""


class OutputError(FeedsError):
    """A file of the output could not be written; the old one is still in place."""


class DeployError(FeedsError):
    """The object store refused or could not be reached: the target and the reason.
    What was put before stays recorded; the next deploy goes on from there."""
