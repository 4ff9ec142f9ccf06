"""The pages a build's recorded batches hand to the workers reading the next files
(`feeds.publish.ingest.PageHandoff`): each page goes out once, the newest record
waiting is the one sent, and a page overtaken while out is never marked done."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feeds.publish import ingest, publish
from feeds.publish.ingest import BATCH_CHUNKS, CHUNK, PageHandoff, PageToWrite
from feeds.render.articles import article_file
from feeds.site import page_path
from feeds.state import State
from tests.conftest import SEED_DUNIA_2024, SEED_DUNIA_2025, make_settings

WHEN = datetime(2025, 5, 30, 9, 1, tzinfo=UTC)


def page(entry_id: str, record: bytes = b"v1") -> PageToWrite:
    return PageToWrite(entry_id, record, WHEN)


def test_pages_go_out_once_in_the_order_recorded() -> None:
    handoff = PageHandoff()
    handoff.offer([page("a"), page("b"), page("c")])
    assert [p.entry_id for p in handoff.take(2)] == ["a", "b"]
    assert [p.entry_id for p in handoff.take(2)] == ["c"]
    assert handoff.take(2) == []
    assert handoff.returned(["a", "b"]) == ["a", "b"]


def test_a_newer_record_replaces_the_one_waiting() -> None:
    handoff = PageHandoff()
    handoff.offer([page("a", b"v1")])
    handoff.offer([page("a", b"v2")])
    assert handoff.take(5) == [page("a", b"v2")]


def test_a_page_recorded_again_while_out_stays_pending() -> None:
    handoff = PageHandoff()
    handoff.offer([page("a", b"v1")])
    assert handoff.take(1) == [page("a", b"v1")]
    handoff.offer([page("a", b"v2")])  # not sent beside the first: either could finish last
    assert handoff.take(1) == []
    assert handoff.returned(["a"]) == []  # the newer record is left to the output stage
    handoff.offer([page("a", b"v3")])  # out of the workers now: it may go again
    assert handoff.take(1) == [page("a", b"v3")]
    assert handoff.returned(["a"]) == ["a"]


def test_a_forgotten_page_is_not_written_nor_marked_done() -> None:
    handoff = PageHandoff()
    handoff.offer([page("a"), page("b")])
    handoff.take(1)
    handoff.withdraw(["a", "b"])
    assert handoff.take(5) == []
    assert handoff.returned(["a"]) == []


def test_every_page_a_large_build_writes_is_the_one_its_state_shows(
        corpus_2000: Path, tmp_path: Path) -> None:
    """2,000 dumps: the handoff runs (pages ride along from the second batch on), in
    the worker pool, and the corpus corrects articles of earlier batches."""
    settings = make_settings(tmp_path, input_dir=corpus_2000)
    with State(settings.state_path) as state:
        report = publish(settings, state)
        assert report.parsed > BATCH_CHUNKS * CHUNK
        assert state.work.pending().pages == 0
        shown = state.entries.by_ids(key.entry_id for key in state.entries.page_keys())
    output = settings.output_dir
    expected = {file.path: file.data
                for file in (article_file(published, settings.site) for published in shown)}
    on_disk = {path.relative_to(output).as_posix(): path.read_bytes()
               for path in (output / "artikel").rglob("*.html")}
    assert on_disk.keys() == expected.keys()
    assert [path for path, data in expected.items() if on_disk[path] != data] == []
    assert report.pages_written >= len(expected)


@pytest.mark.parametrize("chunk", [1, CHUNK])
def test_a_large_batch_into_a_built_state_publishes_what_a_build_from_nothing_does(
        chunk: int, corpus_2000: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
        ) -> None:
    """The second half of the corpus into the state of the first: its pages are handed
    to the workers and marked done long before the sitemap is written, which must
    still list them (the months they touch are owed apart from the pages). With a
    chunk of one file, every page but the last batch's goes by the handoff."""
    monkeypatch.setattr(ingest, "CHUNK", chunk)
    monkeypatch.setattr(ingest, "BATCH_CHUNKS", 1 if chunk == 1 else BATCH_CHUNKS)
    names = sorted(path.name for path in corpus_2000.iterdir() if path.name.startswith("dump_"))
    names = names[:200] if chunk == 1 else names
    halves, together = tmp_path / "halves", tmp_path / "together"
    halves.mkdir()
    together.mkdir()
    settings = make_settings(tmp_path / "by-halves", input_dir=halves)
    with State(settings.state_path) as state:
        for half in (names[: len(names) // 2], names[len(names) // 2 :]):
            for name in half:
                (halves / name).hardlink_to(corpus_2000 / name)
                (together / name).hardlink_to(corpus_2000 / name)
            publish(settings, state)
    at_once = make_settings(tmp_path / "at-once", input_dir=together)
    with State(at_once.state_path) as state:
        publish(at_once, state)
    assert files_of(settings.output_dir) == files_of(at_once.output_dir)


def files_of(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in root.rglob("*") if path.is_file()}


def test_an_entry_forgotten_then_recorded_again_in_one_run_keeps_its_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose title is corrected forgets the entry it held; a later batch of the
    same run finds that entry again in another file. Its page, written by the handoff,
    must not be removed by the removal the first batch made pending."""
    monkeypatch.setattr(ingest, "CHUNK", 1)
    monkeypatch.setattr(ingest, "BATCH_CHUNKS", 1)
    settings = make_settings(tmp_path)
    original = SEED_DUNIA_2025.read_text(encoding="utf-8")
    (settings.input_dir / "a.txt").write_text(original, encoding="utf-8")
    with State(settings.state_path) as state:
        publish(settings, state)
        (page,) = list(state.entries.page_keys())
        retitled = original.replace("Maroko Dorong", "Maroko Mendorong", 1)
        assert retitled != original
        (settings.input_dir / "a.txt").write_text(retitled, encoding="utf-8")
        (settings.input_dir / "m.txt").write_text(original, encoding="utf-8")
        shutil.copy(SEED_DUNIA_2024, settings.input_dir / "z.txt")
        publish(settings, state)
        assert page.entry_id in {key.entry_id for key in state.entries.page_keys()}
        assert state.work.pending().removals == set()
    assert (settings.output_dir / page_path(page.entry_id, page.published)).exists()
