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
    """What one run did: files parsed, as they were, rejected; entries whose
    feeds changed and entries removed (by id); output files written or removed."""

    parsed: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    changed_entries: set[str] = field(default_factory=set)
    removed_entries: set[str] = field(default_factory=set)
    written: list[str] = field(default_factory=list)
