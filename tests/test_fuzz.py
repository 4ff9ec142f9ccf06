"""Whatever bytes arrive, the parser returns an entry or raises DumpError: nothing else."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.errors import DumpError
from feeds.model import Entry
from feeds.parse import parse_dump
from feeds.text import _ILLEGAL
from tests.conftest import SEED_DUNIA_2025

SEED = SEED_DUNIA_2025.read_bytes()
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(data: bytes, name: str) -> Entry | DumpError:
    try:
        entry = parse_dump(data, name)
    except DumpError as error:
        assert error.reason and name in str(error)
        return error
    for text in (entry.title, entry.category, entry.author or "", entry.caption or "",
                 *(b.text for b in entry.blocks), *(h.title for h in entry.populer)):
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
