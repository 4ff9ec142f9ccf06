"""The decision new / same / correction / older, as a table of cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from feeds.intents import Known, Show
from feeds.model import Entry, ImageSize, Sidebars
from feeds.parse import parse_file
from feeds.plan import Verdict, plan_entry, plan_image_size, with_image_size
from feeds.records import Encoded, decode_record, encode
from tests.conftest import OPTIONS, SEED_DUNIA_2025

SEED = parse_file(SEED_DUNIA_2025, OPTIONS)
ORIGINAL = encode(SEED)
CORRECTED = encode(replace(SEED, blocks=SEED.blocks[:-1]))
RESIDEBARED = encode(replace(SEED, sidebars=Sidebars("Populer\n\nLain\n\nRabu, 11 Februari 2026 "
                                                     "| 19:58", "WIB")))
PUBLISHED = SEED.published  # 2025-05-30T09:01Z
T1, T2, T3 = (int(datetime(2025, 6, day, tzinfo=UTC).timestamp()) * 10**9 for day in (1, 2, 3))
EARLY = int(datetime(2025, 5, 1, tzinfo=UTC).timestamp()) * 10**9  # before it was published


def shown(entry: Encoded, mtime_ns: int, sha256: str, updated: datetime,
          versions: dict[str, int]) -> Known:
    return Known(mtime_ns, sha256, entry.record, updated, entry.category_slug, entry.author_slug,
                 versions)


FEEDS = {"category:dunia", "author:hani-fatunnisa"}  # the seed's category and reporter
REPORTED_BY_ANOTHER = encode(replace(SEED, author="Yudi Siregar"))
ONCE = shown(ORIGINAL, T2, "b", PUBLISHED, {ORIGINAL.content: T2})


@pytest.mark.parametrize(("case", "entry", "mtime_ns", "sha256", "known", "verdict", "record",
                          "updated", "feeds"), [
    ("first dump of an article", ORIGINAL, T1, "a", None,
     Verdict.NEW, ORIGINAL, PUBLISHED, FEEDS),
    ("the same bytes, newer", ORIGINAL, T3, "c", ONCE,
     Verdict.SAME, ORIGINAL, PUBLISHED, set()),
    ("a newer dump with another body", CORRECTED, T3, "c", ONCE,
     Verdict.CORRECTION, CORRECTED, datetime(2025, 6, 3, tzinfo=UTC), FEEDS),
    ("a newer dump, the same article in other sidebars", RESIDEBARED, T3, "c", ONCE,
     Verdict.CORRECTION, RESIDEBARED, PUBLISHED, FEEDS),
    ("an older dump of what is shown", ORIGINAL, T1, "a", ONCE,
     Verdict.OLDER, ORIGINAL, PUBLISHED, set()),
    ("an older dump that shows the shown one was a correction", CORRECTED, T1, "a", ONCE,
     Verdict.OLDER, ORIGINAL, datetime(2025, 6, 2, tzinfo=UTC), FEEDS),
    ("the same mtime, a greater file hash: newer", CORRECTED, T2, "c", ONCE,
     Verdict.CORRECTION, CORRECTED, datetime(2025, 6, 2, tzinfo=UTC), FEEDS),
    ("the same mtime, a lesser file hash: older", CORRECTED, T2, "a", ONCE,
     Verdict.OLDER, ORIGINAL, datetime(2025, 6, 2, tzinfo=UTC), FEEDS),
    ("a correction dumped before the article's time never dates before it", CORRECTED,
     T3, "c", shown(ORIGINAL, EARLY, "b", PUBLISHED, {ORIGINAL.content: EARLY}),
     Verdict.CORRECTION, CORRECTED, datetime(2025, 6, 3, tzinfo=UTC), FEEDS),
    ("the first content reappears, newer: updated goes back to when it appeared",
     ORIGINAL, T3, "d", shown(CORRECTED, T2, "c", datetime(2025, 6, 2, tzinfo=UTC),
                              {ORIGINAL.content: T1, CORRECTED.content: T2}),
     Verdict.CORRECTION, ORIGINAL, datetime(2025, 6, 1, tzinfo=UTC), FEEDS),
    ("a correction naming another reporter: both reporters' feeds change",
     REPORTED_BY_ANOTHER, T3, "c", ONCE, Verdict.CORRECTION, REPORTED_BY_ANOTHER,
     datetime(2025, 6, 3, tzinfo=UTC), FEEDS | {"author:yudi-siregar"}),
    ("a dump naming no reporter is in its category's feed alone",
     encode(replace(SEED, author=None)), T1, "a", None, Verdict.NEW,
     encode(replace(SEED, author=None)), PUBLISHED, {"category:dunia"}),
])
def test_the_rulebook(case: str, entry: Encoded, mtime_ns: int, sha256: str, known: Known | None,
                      verdict: Verdict, record: Encoded, updated: datetime,
                      feeds: set[str]) -> None:
    plan = plan_entry(entry, mtime_ns, sha256, known)
    assert (plan.verdict, plan.known.record, plan.known.updated, set(plan.feeds)) == (
        verdict, record.record, updated, feeds), case
    assert plan.shows_record == (verdict in (Verdict.NEW, Verdict.CORRECTION))
    assert plan.known.versions[entry.content] == min(
        mtime_ns, (known.versions if known else {}).get(entry.content, mtime_ns))


def test_the_order_dumps_arrive_in_never_changes_the_outcome() -> None:
    dumps = [(ORIGINAL, T1, "a"), (CORRECTED, T2, "b"), (RESIDEBARED, T3, "c")]
    outcomes = set()
    for order in ([0, 1, 2], [2, 1, 0], [1, 0, 2], [2, 0, 1]):
        known = None
        for index in order:
            known = plan_entry(*dumps[index], known).known
        assert known is not None
        outcomes.add((known.record, known.updated, known.record_mtime_ns))
    assert outcomes == {(RESIDEBARED.record, datetime(2025, 6, 1, tzinfo=UTC), T3)}


# --- a size read from the lead image (`images.probe`) ------------------------------

PICTURED = replace(SEED, image="https://cdn.example.id/a.jpg")
SIZE = ImageSize(1600, 900)


def test_a_size_read_shows_the_entry_again_with_nothing_else_changed() -> None:
    known = shown(encode(PICTURED), T2, "b", PUBLISHED, {encode(PICTURED).content: T2})
    plan = plan_image_size(known, "https://cdn.example.id/a.jpg", SIZE)
    assert plan is not None and isinstance(plan.intent, Show)
    assert plan.verdict is Verdict.SIZED and plan.feeds == FEEDS
    sized = decode_record(plan.intent.entry.record)
    assert (sized.image_width, sized.image_height, sized.image_probed) == (1600, 900, True)
    assert (plan.intent.updated, plan.intent.mtime_ns, plan.intent.sha256) == (PUBLISHED, T2, "b")
    assert plan.intent.entry.content == known_content(known)  # no new version: no correction
    assert plan.intent.entry.id == SEED.id and plan.intent.entry.unsized_image is None


def known_content(known: Known) -> str:
    (content,) = known.versions
    return content


@pytest.mark.parametrize(("case", "entry"), [
    ("the lead image changed since", replace(PICTURED, image="https://cdn.example.id/b.jpg")),
    ("the page now states a size", replace(PICTURED, image_width=640, image_height=480)),
    ("no lead image any more", SEED),
])
def test_a_size_read_of_an_image_no_longer_unsized_is_not_applied(case: str,
                                                                   entry: Entry) -> None:
    known = shown(encode(entry), T2, "b", PUBLISHED, {encode(entry).content: T2})
    assert plan_image_size(known, "https://cdn.example.id/a.jpg", SIZE) is None, case


def test_a_dump_planned_with_the_size_read_is_the_same_as_the_entry_shown_with_it() -> None:
    """A dump read again after a probe sized its entry is no correction."""
    first = encode(PICTURED)
    known = shown(first, T2, "b", PUBLISHED, {first.content: T2})
    plan = plan_image_size(known, "https://cdn.example.id/a.jpg", SIZE)
    assert plan is not None
    again = plan_entry(with_image_size(first, SIZE), T3, "c", plan.known)
    assert again.verdict is Verdict.SAME
