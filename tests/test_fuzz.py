"""Whatever bytes arrive, the parser returns an entry or raises DumpError: nothing else."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.dates import parse_stamp
from feeds.errors import DumpError
from feeds.model import Entry
from feeds.parse import parse_dump
from feeds.parse.sidebars import read_sidebars
from feeds.text import _ILLEGAL
from tests.conftest import OPTIONS, SEED_DUNIA_2025
from tests.mutations import ENTRY, FAILURE, REJECTED, check, make_case

SEED = SEED_DUNIA_2025.read_bytes()
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(data: bytes, name: str) -> Entry | DumpError:
    try:
        entry = parse_dump(data, name, OPTIONS)
    except DumpError as error:
        assert error.reason and name in str(error)
        return error
    for text in (entry.title, entry.category, entry.author or "", entry.caption or "",
                 *(b.text for b in entry.blocks),
                 *(h.title for h in read_sidebars(entry.sidebars).populer)):
        assert not _ILLEGAL.search(text), text
    assert entry.published.utcoffset() is not None
    return entry


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from(["x.txt", "x.html"]))
def test_arbitrary_bytes(data: bytes, name: str) -> None:
    outcome(data, name)


@st.composite
def mutated_seed(draw: st.DrawFn) -> bytes:
    data = bytearray(SEED)
    for _ in range(draw(st.integers(1, 12))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "truncate"]))
        chunk = draw(st.binary(min_size=1, max_size=32))
        if action == "insert":
            data[position:position] = chunk
        elif action == "delete":
            del data[position : position + len(chunk)]
        elif action == "replace":
            data[position : position + len(chunk)] = chunk
        else:
            del data[position:]
    return bytes(data)


@FUZZ
@given(mutated_seed(), st.sampled_from(["x.txt", "x.html"]))
def test_mutated_dumps(data: bytes, name: str) -> None:
    outcome(data, name)


@FUZZ
@given(st.text(max_size=2000))
def test_arbitrary_text_in_a_seed_shaped_page(noise: str) -> None:
    page = SEED.decode().replace("Kehadiran Hammouchi", noise, 1).replace("Dunia", noise[:30], 1)
    outcome(page.encode("utf-8", "surrogatepass"), "x.txt")
    outcome(f"<html><body><h1>{noise}</h1><p>{noise}</p></body></html>".encode(
        "utf-8", "surrogatepass"), "x.html")


# -- structure-aware mutations (the cases bench/fuzz.py runs a million of) --------------------

MUTATION_SEED = 1
MUTATION_CASES = 2500


def test_structure_aware_mutations_keep_the_contract() -> None:
    kinds: Counter[str] = Counter()
    rejections: set[str] = set()
    failures: dict[str, str] = {}
    for index in range(MUTATION_CASES):
        case = make_case(MUTATION_SEED, index)
        found = check(case.data, case.name, render=index % 10 == 0)
        kinds[found.kind] += 1
        if found.kind == REJECTED:
            rejections.add(found.label)
        if found.kind == FAILURE:
            failures.setdefault(found.label, f"python bench/fuzz.py --seed {MUTATION_SEED} "
                                             f"--replay {index}")
    assert not failures, failures
    # The mutations reach past the first checks: most cases are still articles,
    # and the date line's readers meet impossible dates and times.
    assert kinds[ENTRY] > MUTATION_CASES // 2
    assert "no date line found" in rejections
    assert any(label.startswith("impossible") for label in rejections)


def test_the_same_case_from_the_same_numbers() -> None:
    assert make_case(7, 123) == make_case(7, 123)
    assert make_case(7, 123).data != make_case(8, 123).data


# -- what fuzzing found -----------------------------------------------------------------------

# A minute of 50 digits, as in the stamp that once stopped a whole build.
LONG_MINUTE = "9" * 48 + "58"
SIDEBAR_STAMP = "Kamis, 12 Februari 2026 | 02:33"  # the second Populer headline's
SIDEBAR_HEADLINE = "Enak Jadi Mulyono Bisa Nyambi Komisaris di 12 Perusahaan"


def test_a_50_digit_minute_in_the_date_line_rejects_the_dump_naming_it() -> None:
    page = SEED.replace(b"16:01 WIB", f"16:{LONG_MINUTE} WIB".encode())
    with pytest.raises(DumpError) as raised:
        parse_dump(page, "menit.txt", OPTIONS)
    assert raised.value.path == "menit.txt"
    assert str(raised.value) == "menit.txt: no date line found"


@pytest.mark.parametrize("stamp", [
    f"Sabtu, 21 Februari 2026 | 12:{LONG_MINUTE}",  # read by dateutil, which raised
    "Kamis, 12 Februari 2026 | 02:33 +2400",  # an offset a datetime refuses
])
def test_an_impossible_sidebar_stamp_drops_its_headline_alone(stamp: str) -> None:
    assert parse_stamp(stamp, "WIB") is None
    entry = parse_dump(SEED.replace(SIDEBAR_STAMP.encode(), stamp.encode()), "sidebar.txt", OPTIONS)
    seed = parse_dump(SEED, "seed.txt", OPTIONS)
    expected = [h.title for h in read_sidebars(seed.sidebars).populer]
    expected.remove(SIDEBAR_HEADLINE)
    assert [headline.title for headline in read_sidebars(entry.sidebars).populer] == expected
    assert len(read_sidebars(entry.sidebars).update) == 10


def _page(head: str, title: str = "Judul") -> bytes:
    return (f"<html><head>{head}</head><body><h1>{title}</h1><p>JUMAT, 30 MEI 2025 | 16:01 WIB"
            "</p><p>Isi.</p></body></html>").encode("utf-8", "surrogateescape")


# Pages on which some code raised, and the parser's catch-all rejected the whole
# page (`unreadable page: ...`) for one bad value that says nothing of the article.
@pytest.mark.parametrize(("data", "title"), [
    (_page('<meta property="article:published_time" content="2025-05-30T16:01:00+24:00">'),
     "Judul"),  # timezone() refuses an offset of a day
    (_page('<meta charset="undefined">', "Judul \udce9"), "Judul é"),  # byte 0xE9; a codec raising
    (_page('<script type="application/ld+json">{"@type": "NewsArticle", '
           '"image": "http://x\\ud800/"}</script>'), "Judul"),  # quote() refusing a surrogate
])
def test_a_bad_value_on_a_page_does_not_reject_the_article(data: bytes, title: str) -> None:
    entry = parse_dump(data, "x.html", OPTIONS)
    assert (entry.title, entry.image) == (title, None)
    assert entry.published == datetime(2025, 5, 30, 9, 1, tzinfo=UTC)
