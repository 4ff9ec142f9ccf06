"""The state database: schema, lock, counts kept by triggers, corrections."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feeds.dates import format_utc
from feeds.errors import StateError
from feeds.intents import Forget
from feeds.model import Entry
from feeds.parse import parse_file
from feeds.parse.sidebars import read_sidebars
from feeds.plan import plan_entry
from feeds.records import decode_record, encode, entry_record, record_json, record_text
from feeds.state import DEFERRABLE_INDEXES, MIGRATIONS, Reporter, State
from tests.conftest import OPTIONS, SEED_DUNIA_2024, SEED_DUNIA_2025


def entry(title: str, category: str, minute: int = 0) -> Entry:
    base = parse_file(SEED_DUNIA_2024, OPTIONS)
    return replace(base, title=title, category=category,
                   published=datetime(2025, 1, 1, 10, minute, tzinfo=UTC))


def store(state: State, dumped: Entry, mtime_ns: int, sha256: str) -> frozenset[str]:
    """One dump's entry planned against the state and stored, as a build records
    it; the categories whose feeds change."""
    encoded = encode(dumped)
    plan = plan_entry(encoded, mtime_ns, sha256, state.entries.known([encoded.id]).get(encoded.id))
    state.entries.apply([plan.intent])
    return plan.feeds


def counted_directly(state: State) -> dict[tuple[str, str], int]:
    rows = state.db.execute("SELECT category_slug, category, count(*) FROM entries "
                            "GROUP BY category_slug, category")
    return {(slug, name): count for slug, name, count in rows}


def test_schema_is_versioned_and_in_wal_mode(tmp_path: Path) -> None:
    with State(tmp_path / "s.db") as state:
        assert state.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert state.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db = sqlite3.connect(tmp_path / "s.db")
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(StateError, match="newer than this feeds"):
        State(tmp_path / "s.db")


def test_a_second_writer_is_refused(tmp_path: Path) -> None:
    with State(tmp_path / "s.db"):
        with pytest.raises(StateError, match="in use by pid"):
            State(tmp_path / "s.db")
        with State(tmp_path / "s.db", lock=False) as reader:  # status may read alongside
            assert reader.entries.count() == 0
    with State(tmp_path / "s.db"):
        pass  # the lock went with the first writer


def test_a_corrupt_database_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "s.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError, match="cannot open the state database"):
        State(tmp_path / "s.db")


def test_category_counts_follow_every_change(tmp_path: Path) -> None:
    with State(tmp_path / "s.db") as state, state.transaction():
        first, second = entry("Satu", "Dunia"), entry("Dua", "DUNIA", 1)
        store(state, first, 1, "a")
        store(state, second, 1, "b")
        store(state, entry("Tiga", "Hukum", 2), 1, "c")
        # a newer dump respells it
        store(state, replace(second, category="Dunia"), 2, "d")
        assert {(c.slug, c.name, c.count) for c in state.names.categories()} == {
            ("dunia", "Dunia", 2), ("hukum", "Hukum", 1)}
        state.entries.apply([Forget(first.id)])
        assert {(c.slug, c.count) for c in state.names.categories()} == {("dunia", 1), ("hukum", 1)}
        expected = counted_directly(state)
        kept = {(slug, name): n for slug, name, n in state.db.execute("SELECT * FROM spellings")}
        assert kept == expected
        assert state.entries.count() == 2


def test_an_older_dump_never_replaces_a_newer_one(tmp_path: Path) -> None:
    seed = parse_file(SEED_DUNIA_2025, OPTIONS)
    corrected = replace(seed, blocks=seed.blocks[:-1])
    newer_ns, older_ns = 1_760_000_000 * 10**9, 1_750_000_000 * 10**9
    with State(tmp_path / "s.db") as state, state.transaction():
        assert store(state, corrected, newer_ns, "new") == {"category:dunia",
                                                            "author:hani-fatunnisa"}
        (alone,) = state.entries.newest("dunia", 5)
        assert alone.updated == seed.published  # one content so far: not a correction
        assert store(state, seed, older_ns, "old") == {"category:dunia", "author:hani-fatunnisa"}
        (stored,) = state.entries.newest("dunia", 5)
        assert stored.entry.blocks == corrected.blocks  # the newer dump's content stays
        assert stored.entry.published == seed.published
        assert stored.updated == datetime.fromtimestamp(1_760_000_000, UTC)
        assert store(state, seed, older_ns, "old") == set()  # nothing new


def test_a_record_writes_every_time_as_format_utc_and_reads_back_the_same_entry() -> None:
    seed = parse_file(SEED_DUNIA_2025, OPTIONS)
    record = json.loads(record_text(encode(seed).record))
    assert record["published"] == format_utc(seed.published) == "2025-05-30T09:01:00Z"
    assert decode_record(encode(seed).record) == seed
    assert list(record) == sorted(record)  # the same entry always gives the same bytes
    plain = entry_record(seed, read_sidebars(seed.sidebars))  # as `feeds check --json` prints it
    plain["populer"] = [{"title": "Detik", "published": datetime(
        2026, 2, 11, 5, 58, 59, 123456, tzinfo=UTC)}]
    assert json.loads(record_json(plain))["populer"][0]["published"] == "2026-02-11T05:58:59Z"


def test_a_record_keeps_the_sidebars_unread_and_they_read_back_the_same() -> None:
    seed = parse_file(SEED_DUNIA_2025, OPTIONS)
    record = json.loads(record_text(encode(seed).record))
    assert "populer" not in record
    assert record["sidebars"]["text"].startswith(
        "Populer\n\nKeppres Pengangkatan Adies Kadir Digugat ke PTUN\n\n"
        "Rabu, 11 Februari 2026 | 19:58\n")
    assert record["sidebars"]["zone"] == "WIB"
    stored = decode_record(encode(seed).record)
    assert stored.sidebars == seed.sidebars
    headlines = read_sidebars(stored.sidebars)
    assert len(headlines.populer) == 7 and headlines.update


def index_sql(state: State) -> dict[str, str]:
    rows = state.db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                            "AND sql IS NOT NULL")
    return {name: " ".join(sql.split()) for name, sql in rows}


def test_deferrable_indexes_are_the_ones_the_schema_creates(tmp_path: Path) -> None:
    with State(tmp_path / "state.sqlite3") as state:
        created = index_sql(state)
    for name, definition in DEFERRABLE_INDEXES.items():
        assert created[name] == f"CREATE INDEX {name} {definition}"


def test_deferred_indexes_come_back_however_the_recording_ends(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    with State(path) as state:
        schema = index_sql(state)
        with state.indexes_deferred():
            assert not set(index_sql(state)) & set(DEFERRABLE_INDEXES)
            with state.transaction():
                store(state, entry("Satu", "Dunia"), 1, "a" * 64)
        assert index_sql(state) == schema
        # Sorted through files (a sort held in memory grows with the archive); the
        # statement journals stay in memory.
        assert state.db.execute("PRAGMA temp_store").fetchone()[0] == 2
        with pytest.raises(RuntimeError), state.indexes_deferred():
            raise RuntimeError("a failed build")
        assert index_sql(state) == schema
        # A killed build never gets to restore them: the next writer does.
        with state.transaction():
            state.db.execute("DROP INDEX entries_by_title")
    with State(path, lock=False) as reader:  # a reader changes nothing
        assert "entries_by_title" not in index_sql(reader)
    with State(path) as writer:
        assert index_sql(writer) == schema
        plan = " ".join(str(row) for row in writer.db.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM entries WHERE title_key = ?", ("satu",)))
        assert "entries_by_title" in plan


def test_a_version_2_state_migrates_its_pending_feeds_and_counts_reporters(
        tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "s.db", isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:2], start=1):
        db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")
    db.execute("INSERT INTO pending_feeds VALUES ('dunia')")  # an older feeds left work
    db.close()
    with State(tmp_path / "s.db") as state, state.transaction():
        assert state.work.pending().feeds == {"category:dunia"}
        hani = parse_file(SEED_DUNIA_2025, OPTIONS)
        store(state, hani, 1, "a")
        store(state, replace(hani, title="Judul Lain", author="HANI FATUNNISA".title()), 2, "b")
        store(state, replace(hani, title="Tanpa Reporter", author=None), 3, "c")
        assert state.names.reporters() == [Reporter("hani-fatunnisa", "Hani Fatunnisa", 2)]
        (only,) = state.entries.newest(None, 5, reporter="hani-fatunnisa")[:1]
        assert only.entry.author == "Hani Fatunnisa"
        state.entries.apply([Forget(hani.id)])
        assert state.names.reporters() == [Reporter("hani-fatunnisa", "Hani Fatunnisa", 1)]
        # A correction naming another reporter moves the count.
        store(state, replace(hani, title="Judul Lain", author="Yudi Siregar"), 4, "d")
        assert state.names.reporters() == [Reporter("yudi-siregar", "Yudi Siregar", 1)]
