"""The decision: what one dump's entry means, given what the state holds for its id.

Pure: no I/O, no clock. `plan_entry` reads as the rulebook, and the tests hold
it to a table of cases:

- no entry with this id yet: **new**;
- a dump newer than the one shown (greater mtime, then greater file hash:
  the order files are read in never changes the outcome) that holds the same
  record: **same**, nothing to show;
- a newer dump that holds anything else: **correction**, its record is shown;
- a dump older than the one shown: **older**, the shown record stays.

Every content an entry has had is kept with the mtime of the earliest dump
that held it (`versions`). While there is one, `updated` is `published`; once
there is a second, `updated` is when the shown content first appeared (never
before `published`). So an older dump that turns up late can still move
`updated`: it may reveal that the shown content was a correction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from feeds.intents import Known, Show, Touch, Version
from feeds.model import Entry, ImageSize
from feeds.records import Encoded, content_digest, decode_record, encode, same_record


class Verdict(StrEnum):
    NEW = "new"
    SAME = "same"
    CORRECTION = "correction"
    OLDER = "older"
    SIZED = "sized"  # the lead image's size, read from the image


@dataclass(frozen=True, slots=True)
class Plan:
    """What to do with one dump's entry. `intent` is what the state is to write;
    `known` is what it holds once that is done (the next dump of the same id in a
    batch is planned against it); `feeds` names the category and reporter feeds
    that change (`feeds.model.feed_keys`; empty: nothing to show)."""

    verdict: Verdict
    known: Known
    feeds: frozenset[str]
    intent: Show | Touch

    @property
    def shows_record(self) -> bool:
        """Whether this dump's record becomes the one shown."""
        return isinstance(self.intent, Show)


def plan_entry(entry: Encoded, mtime_ns: int, sha256: str, known: Known | None) -> Plan:
    """The rulebook (see the module's docstring)."""
    versions = {**(known.versions if known else {})}
    versions[entry.content] = min(versions.get(entry.content, mtime_ns), mtime_ns)
    version = Version(entry.id, entry.content, versions[entry.content])
    if known is None or (mtime_ns, sha256) > (known.record_mtime_ns, known.record_sha256):
        updated = _updated(versions, entry.content, entry.published)
        shown = Known(mtime_ns, sha256, entry.record, updated, entry.category_slug,
                      entry.author_slug, versions)
        show = Show(entry, updated, mtime_ns, sha256, version)
        if known is None:
            return Plan(Verdict.NEW, shown, shown.feeds, show)
        if known.updated == updated and same_record(known.record, entry.record):
            return Plan(Verdict.SAME, replace(known, versions=versions), frozenset(),
                        Touch(version, None))
        # A correction may name another reporter: the old one's feed loses the entry.
        return Plan(Verdict.CORRECTION, shown, shown.feeds | known.feeds, show)
    current = decode_record(known.record)
    updated = _updated(versions, content_digest(current), current.published)
    if updated == known.updated:
        return Plan(Verdict.OLDER, replace(known, versions=versions), frozenset(),
                    Touch(version, None))
    return Plan(Verdict.OLDER, replace(known, updated=updated, versions=versions), known.feeds,
                Touch(version, updated))


def _updated(versions: Mapping[str, int], content: str, published: datetime) -> datetime:
    """`published` while there is one content; then when `content` first appeared."""
    if len(versions) < 2:
        return published
    appeared = datetime.fromtimestamp(versions[content] // 1_000_000_000, UTC)
    return max(appeared, published)


# --- sizes read from the images themselves (`images.probe`) ------------------


def with_image_size(entry: Encoded, size: ImageSize) -> Encoded:
    """The entry with the size read from its lead image, which its page did not
    state. Its content, and so its versions and `updated`, are unchanged: a size
    learned is no correction."""
    return _sized(decode_record(entry.record), size)


def plan_image_size(known: Known, image: str, size: ImageSize) -> Plan | None:
    """Show the entry again with the size read from `image`, while that is still
    its lead image and its page states no size (None: nothing to do). Its
    `updated`, its dump and its versions stay; its page and feeds are rendered
    again."""
    entry = decode_record(known.record)
    if entry.image != image or entry.image_width:
        return None
    sized = _sized(entry, size)
    shown = replace(known, record=sized.record)
    version = Version(sized.id, sized.content,
                      known.versions.get(sized.content, known.record_mtime_ns))
    return Plan(Verdict.SIZED, shown, known.feeds,
                Show(sized, known.updated, known.record_mtime_ns, known.record_sha256, version))


def _sized(entry: Entry, size: ImageSize) -> Encoded:
    return encode(replace(entry, stored_id=entry.id, image_width=size.width,
                          image_height=size.height, image_probed=True))
