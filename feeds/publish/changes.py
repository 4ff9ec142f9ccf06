"""Which input files changed since the state last saw them, which are gone, and
whether the output owes a render: one rule, for `feeds build` and for the
daemon's passes alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from feeds.config import Settings
from feeds.inputs import Stat
from feeds.state import State

RENDERED_WITH = "rendered with"  # meta: the settings the output was last rendered with


@dataclass(frozen=True, slots=True)
class Changes:
    """Input files against what the state saw of them: those whose size or mtime
    differ (sorted: runs read and report alike, whatever the listing's order),
    those it saw that are gone, and how many are as they were."""

    changed: list[str]
    gone: list[str]
    unchanged: int


def find_changes(files: Mapping[str, Stat], seen: Mapping[str, tuple[int, int]]) -> Changes:
    """`files` as listed against `seen` (size and mtime by path, for the same
    paths or more): a file whose size and mtime held is not read again."""
    changed = sorted(path for path, stat in files.items()
                     if seen.get(path) != (stat.st_size, stat.st_mtime_ns))
    gone = sorted(path for path in seen if path not in files)
    return Changes(changed, gone, len(files) - len(changed))


def whole_render_due(settings: Settings, state: State) -> bool:
    """Whether everything must be rendered again: the output was lost, or the
    settings it was rendered with changed."""
    return (state.meta(RENDERED_WITH) != settings.render_fingerprint
            or not (settings.output_dir / "index.html").exists())


def render_due(settings: Settings, state: State) -> bool:
    """Whether the output owes anything, whatever the input says."""
    return bool(state.work.pending()) or whole_render_due(settings, state)
