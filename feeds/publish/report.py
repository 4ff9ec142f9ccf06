"""What a run did, and the callbacks a run is given: light, so that a run that
finds nothing to do loads neither the parser nor the renderers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from feeds.errors import Rejected

Progress = Callable[[int, int], None]  # (files read, files to read)
StopRequested = Callable[[], bool]


@dataclass
class Report:
    """What one run did: files parsed, as they were, rejected; how many entries'
    feeds changed (each change counted) and the entries removed (by id); the
    output files written or removed, by path, but article pages, only counted
    (a build writes one per entry: a list of them would grow with the archive)."""

    parsed: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    changed: int = 0
    removed_entries: set[str] = field(default_factory=set)
    written: list[str] = field(default_factory=list)
    pages_written: int = 0
    sized: int = 0  # entries shown again with the size a probe read from their lead image
    images_due: bool = False  # images left to probe (the run was limited or stopped)

    @property
    def files_written(self) -> int:
        return len(self.written) + self.pages_written
