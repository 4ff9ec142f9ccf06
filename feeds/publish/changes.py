"""Which input files changed since the state last saw them, which are gone, and
whether the output owes a render: one rule, for `feeds build` and for the
daemon's passes alike."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from feeds.config import Settings
from feeds.inputs import Stat, stat_key
from feeds.state import IMAGES_WAITING, State

RENDERED_WITH = "rendered with"  # meta: the settings the output was last rendered with


@dataclass(frozen=True, slots=True)
class Changes:
    """Input files against what the state saw of them: those whose size or mtime
    differ (sorted: runs read and report alike, whatever the listing's order),
    those it saw that are gone (sorted), and how many are as they were."""

    changed: list[str]
    gone: list[str]
    unchanged: int


def find_changes(listed: Iterable[tuple[str, Stat]], seen: dict[str, int]) -> Changes:
    """Files as listed against `seen` (`stat_key` by path, for the same paths or
    more), which this takes over and empties as it goes: a file whose size and
    mtime held is not read again, nothing is kept of it, and what is left of
    `seen` is gone. The listing is never held whole."""
    changed: list[str] = []
    unchanged = 0
    for path, stat in listed:
        if seen.pop(path, None) == stat_key(stat.st_size, stat.st_mtime_ns):
            unchanged += 1
        else:
            changed.append(path)
    changed.sort()
    return Changes(changed, sorted(seen), unchanged)


def whole_render_due(settings: Settings, state: State) -> bool:
    """Whether everything must be rendered again: the output was lost, or the
    settings it was rendered with changed."""
    return (state.meta(RENDERED_WITH) != settings.render_fingerprint
            or not (settings.output_dir / "index.html").exists())


def render_due(settings: Settings, state: State, now: datetime) -> bool:
    """Whether the output owes anything, whatever the input says: a render, or
    images to probe for it."""
    return (bool(state.work.pending()) or whole_render_due(settings, state)
            or probe_due(settings, state, now))


def probe_due(settings: Settings, state: State, now: datetime) -> bool:
    """Whether the probe stage has work: images due for a probe, entries to list
    as waiting (probing was just turned on), or to stop listing (turned off)."""
    listed = bool(state.meta(IMAGES_WAITING))
    if not settings.images_probe:
        return listed
    return not listed or bool(state.images.due(now, 1))
