"""feeds build over the seeds and a generated corpus, read back by real feed parsers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from feeds.config import Settings
from feeds.dates import format_utc
from feeds.inputs import ToRead
from feeds.parse import parse_file
from feeds.parse.sidebars import read_sidebars
from feeds.reading import read_dump
from feeds.state import State
from tests.conftest import (
    OPTIONS,
    SEED_DUNIA_2024,
    SEED_DUNIA_2025,
    build,
    generate_corpus,
    make_settings,
    snapshot,
)

ATOM = "{http://www.w3.org/2005/Atom}"
Built = tuple[Settings, list[dict[str, object]]]


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("published")
    dumps = generate_corpus(root / "input", 1500, 0.4)
    truth = [json.loads(line) for line in
             (dumps / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    (dumps / "truth.jsonl").unlink()
    shutil.copy(SEED_DUNIA_2025, dumps / "seed_a.txt")
    shutil.copy(SEED_DUNIA_2024, dumps / "seed_b.txt")
    settings = make_settings(root, dumps, entries_per_feed=60)
    build(settings)
    return settings, truth


def feed_files(output: Path) -> list[Path]:
    return sorted(p for p in output.rglob("*") if p.name in {"rss.xml", "atom.xml", "feed.json"})


def parsed(path: Path) -> feedparser.FeedParserDict:
    result = feedparser.parse(path.read_bytes())
    assert not result.bozo, (path, result.get("bozo_exception"))
    return result


def test_every_feed_parses_strictly_and_ids_agree(corpus_build: Built) -> None:
    settings, _ = corpus_build
    output = settings.output_dir
    files = feed_files(output)  # archive documents too
    subscriptions = [path for path in files if "archive" not in path.parts]
    reporters = {path.parent.name for path in subscriptions
                 if path.parent.parent.name == "author"}
    with State(settings.state_path) as state:
        assert reporters == {reporter.slug for reporter in state.names.reporters()} != set()
    # all, categories, populer, reporters
    assert len(subscriptions) == 3 * (1 + 12 + 1 + len(reporters))
    assert len(files) > len(subscriptions)
    ids_by_dir: dict[Path, list[list[str]]] = {}
    for path in files:
        if path.suffix == ".json":
            ids = [item["id"] for item in json.loads(path.read_bytes())["items"]]
        else:
            etree.fromstring(path.read_bytes())  # well-formed for a strict XML parser
            ids = [entry.id for entry in parsed(path).entries]
        assert len(ids) == len(set(ids)), f"duplicate id in {path}"
        ids_by_dir.setdefault(path.parent, []).append(ids)
    for directory, id_lists in ids_by_dir.items():
        assert id_lists[0] == id_lists[1] == id_lists[2], f"formats disagree in {directory}"
    # The newest entries of each category in the all-articles feed head its own feed,
    # with the same ids in the same order.
    everything = parsed(output / "atom.xml").entries
    assert len(everything) == 60
    for directory, id_lists in ids_by_dir.items():
        if directory.parent.name != "category":
            continue
        name = parsed(directory / "atom.xml").feed.title.split(": ", 1)[1]
        expected = [entry.id for entry in everything if entry.tags[0].term == name]
        assert id_lists[0][: len(expected)] == expected, directory


def test_counts_order_and_dates_match_the_truth(corpus_build: Built) -> None:
    settings, truth = corpus_build
    articles: dict[tuple[str, str], dict[str, object]] = {}  # (title, published) -> truth
    for record in truth:
        if record["kind"] == "ok":
            articles[(str(record["title"]), str(record["published"]))] = record
    for seed in (SEED_DUNIA_2025, SEED_DUNIA_2024):
        entry = parse_file(seed, OPTIONS)
        articles[(entry.title, format_utc(entry.published))] = {"category": "Dunia"}
    by_category: dict[str, int] = {}
    for title, published in articles:
        category = str(articles[(title, published)]["category"])
        by_category[category] = by_category.get(category, 0) + 1
    for category, count in by_category.items():
        slug = category.lower().replace(" & ", "-").replace(" ", "-")
        feed = parsed(settings.output_dir / "category" / slug / "atom.xml")
        assert len(feed.entries) == min(count, 60), category
        stamps = [entry.published for entry in feed.entries]
        assert stamps == sorted(stamps, reverse=True), "newest first"
        for entry in feed.entries:
            record = articles[(entry.title, entry.published.replace("+00:00", "Z"))]
            assert record["category"] == category
            assert entry.tags[0].term == category
            assert entry.author  # every entry names an author


def test_second_build_changes_no_byte_and_no_mtime(tmp_path: Path) -> None:
    generate_corpus(tmp_path / "input", 120, 0.4, seed=3)
    settings = make_settings(tmp_path)
    build(settings)
    before = snapshot(settings.output_dir)
    report = build(settings)
    assert report.files_written == 0 and report.parsed == 0
    assert snapshot(settings.output_dir) == before
    # Even from scratch (a fresh state, same input), every byte is the same.
    shutil.rmtree(settings.state_path.parent)
    build(settings)
    after = snapshot(settings.output_dir)
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}


def test_one_new_dump_changes_exactly_its_files(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    shutil.copy(SEED_DUNIA_2024, settings.input_dir / "a.txt")
    other = SEED_DUNIA_2025.read_text(encoding="utf-8").replace("\n\nDunia\n\n", "\n\nHukum\n\n", 1)
    (settings.input_dir / "b.txt").write_text(other, encoding="utf-8")
    build(settings)
    before = snapshot(settings.output_dir)
    new = SEED_DUNIA_2025.read_text(encoding="utf-8")  # the same page, filed under Dunia
    (settings.input_dir / "c.txt").write_text(new, encoding="utf-8")
    report = build(settings)
    after = snapshot(settings.output_dir)
    changed = {path for path in after if before.get(path) != after[path]}
    page = next(p for p in changed if p.startswith("artikel/"))
    assert report.pages_written == 1
    assert changed == {
        "rss.xml", "atom.xml", "feed.json", "index.html",
        "category/dunia/rss.xml", "category/dunia/atom.xml", "category/dunia/feed.json",
        "category/dunia/index.html", page, "news-sitemap.xml",
        f"sitemap/{'-'.join(page.split('/')[1:3])}.xml",
        "author/hani-fatunnisa/rss.xml", "author/hani-fatunnisa/atom.xml",
        "author/hani-fatunnisa/feed.json", "author/hani-fatunnisa/index.html",
    } | (changed & {"feeds.opml", "sitemap.xml"})  # the index moves with its months' lastmod
    assert not any(path.startswith("category/hukum/") for path in changed)
    assert any(path.startswith("author/alifia-dwi-ramandhita/") for path in after)


def test_a_category_name_cannot_write_outside_the_output(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    # Metadata names the category: a printed block holding "/" is a caption, not a label.
    hostile = ('<html><head><meta property="article:section" content="../../../../etc/evil">'
               "</head><body><h1>Gubernur Resmikan Jembatan</h1>"
               "<p>Selasa, 23 Februari 2016 | 15:32 WIB</p><p>Jembatan dibuka.</p></body></html>")
    (settings.input_dir / "a.html").write_text(hostile, encoding="utf-8")
    build(settings)
    assert (settings.output_dir / "category" / "etc-evil" / "rss.xml").exists()
    inside = settings.output_dir.resolve()
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix in {".xml", ".json", ".html"} and (
                not path.is_relative_to(settings.input_dir)):
            assert path.resolve().is_relative_to(inside)


def test_category_spellings_share_one_feed_named_by_the_most_common(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    seed = SEED_DUNIA_2024.read_text(encoding="utf-8")
    for number, (spelling, title) in enumerate([("DUNIA", "Satu"), ("Dunia", "Dua"),
                                                 ("Dunia", "Tiga")]):
        page = seed.replace("\n\nDunia\n\n", f"\n\n{spelling}\n\n", 1).replace(
            "Maroko dan Prancis Perkuat Kerjasama Keamanan Bilateral", f"Judul {title}")
        (settings.input_dir / f"{number}.txt").write_text(page, encoding="utf-8")
    build(settings)
    assert [p.name for p in (settings.output_dir / "category").iterdir()] == ["dunia"]
    feed = parsed(settings.output_dir / "category" / "dunia" / "rss.xml")
    assert feed.feed.title == "Warta Uji: Dunia"
    assert len(feed.entries) == 3
    assert {entry.tags[0].term for entry in feed.entries} == {"Dunia"}


def test_duplicates_and_corrections(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    seed = SEED_DUNIA_2024.read_text(encoding="utf-8")
    original, copy, corrected = (settings.input_dir / name for name in ("a.txt", "b.txt", "c.txt"))
    original.write_text(seed, encoding="utf-8")
    copy.write_text(seed, encoding="utf-8")
    os.utime(original, (1_750_000_000, 1_750_000_000))
    os.utime(copy, (1_750_000_100, 1_750_000_100))
    build(settings)
    feed = parsed(settings.output_dir / "atom.xml")
    assert len(feed.entries) == 1
    assert feed.entries[0].updated == feed.entries[0].published == "2024-06-30T12:20:00+00:00"
    corrected.write_text(seed.replace("tuturnya.", "tuturnya. Ralat: diperbarui."),
                         encoding="utf-8")
    os.utime(corrected, (1_750_000_200, 1_750_000_200))
    build(settings)
    feed = parsed(settings.output_dir / "atom.xml")
    assert len(feed.entries) == 1
    entry = feed.entries[0]
    assert entry.published == "2024-06-30T12:20:00+00:00"
    assert entry.updated == "2025-06-15T15:10:00+00:00"  # the corrected dump's mtime
    assert "Ralat: diperbarui." in entry.content[0].value
    rss = parsed(settings.output_dir / "rss.xml")
    assert rss.feed.updated == "Sun, 15 Jun 2025 15:10:00 +0000"


def test_reading_order_does_not_change_the_outcome(tmp_path: Path) -> None:
    seed = SEED_DUNIA_2024.read_text(encoding="utf-8")
    outputs = []
    for order in (("a.txt", "z.txt"), ("z.txt", "a.txt")):
        root = tmp_path / order[0]
        settings = make_settings(root)
        old, new = (settings.input_dir / name for name in order)
        old.write_text(seed, encoding="utf-8")
        new.write_text(seed.replace("tuturnya.", "tuturnya. Ralat."), encoding="utf-8")
        os.utime(old, (1_750_000_000, 1_750_000_000))
        os.utime(new, (1_750_000_300, 1_750_000_300))
        build(settings)
        outputs.append((settings.output_dir / "atom.xml").read_bytes())
    assert outputs[0] == outputs[1]
    assert b"Ralat." in outputs[0]


def test_populer_feed_follows_the_newest_dump_and_links_known_articles(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    shutil.copy(SEED_DUNIA_2025, settings.input_dir / "new.txt")
    known = SEED_DUNIA_2024.read_text(encoding="utf-8").replace(
        "Maroko dan Prancis Perkuat Kerjasama Keamanan Bilateral",
        "Keppres Pengangkatan Adies Kadir Digugat ke PTUN")
    (settings.input_dir / "old.txt").write_text(known, encoding="utf-8")
    build(settings)
    feed = parsed(settings.output_dir / "populer" / "rss.xml")
    assert [entry.title for entry in feed.entries][:2] == [
        "Keppres Pengangkatan Adies Kadir Digugat ke PTUN",
        "Enak Jadi Mulyono Bisa Nyambi Komisaris di 12 Perusahaan"]
    assert len(feed.entries) == 7
    assert feed.entries[0].link.startswith("http://127.0.0.1:8080/artikel/2024/06/")
    assert "link" not in feed.entries[1]
    assert feed.entries[0].published == "Wed, 11 Feb 2026 12:58:00 +0000"


def test_populer_feed_holds_at_most_entries_per_feed_headlines(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, entries_per_feed=3)
    listed = "".join(f"Judul Populer {n}\n\nRabu, 11 Februari 2026 | 19:{n:02d}\n\n"
                     for n in range(40))
    page = ("Dunia\n\nJudul\n\nJUMAT, 30 MEI 2025 | 16:01 WIB\n\nIsi.\n\nPopuler\n\n"
            + listed + "Selengkapnya\n")
    (settings.input_dir / "a.txt").write_text(page, encoding="utf-8")
    build(settings)
    feed = parsed(settings.output_dir / "populer" / "rss.xml")
    assert [entry.title for entry in feed.entries] == [f"Judul Populer {n}" for n in range(3)]


def test_deleted_dump_stays_until_a_rebuild(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    shutil.copy(SEED_DUNIA_2024, settings.input_dir / "a.txt")
    shutil.copy(SEED_DUNIA_2025, settings.input_dir / "b.txt")
    build(settings)
    (settings.input_dir / "a.txt").unlink()
    build(settings)
    assert len(parsed(settings.output_dir / "rss.xml").entries) == 2  # entries outlive dumps
    pages = sorted((settings.output_dir / "artikel").rglob("*.html"))
    assert len(pages) == 2
    build(settings, rebuild=True)
    assert len(parsed(settings.output_dir / "rss.xml").entries) == 1
    assert len(sorted((settings.output_dir / "artikel").rglob("*.html"))) == 1


def test_new_site_settings_render_everything_again(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    shutil.copy(SEED_DUNIA_2024, settings.input_dir / "a.txt")
    build(settings)
    renamed = replace(settings, site_title="Warta Baru", base_url="https://example.org/")
    report = build(renamed)
    assert report.parsed == 0
    for path in (settings.output_dir / "category" / "dunia" / "rss.xml",
                 next((settings.output_dir / "artikel").rglob("*.html")),
                 settings.output_dir / "index.html"):
        text = path.read_text(encoding="utf-8")
        assert "Warta Baru" in text and "https://example.org/" in text, path
    assert build(renamed).files_written == 0


def test_parallel_and_serial_parsing_publish_the_same_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import feeds.workers

    generate_corpus(tmp_path / "dumps", 450, 0.4, seed=21)
    (tmp_path / "dumps" / "truth.jsonl").unlink()
    outputs = []
    for name, threshold in (("parallel", 1), ("serial", 10**9)):
        monkeypatch.setattr(feeds.workers, "PARALLEL_FROM", threshold)
        settings = make_settings(tmp_path / name)
        for dump in (tmp_path / "dumps").iterdir():
            shutil.copy2(dump, settings.input_dir / dump.name)
        build(settings)
        outputs.append({k: v[0] for k, v in snapshot(settings.output_dir).items()})
    assert outputs[0] == outputs[1]


def _indexes(path: Path) -> set[str]:
    from feeds.state import State

    with State(path, lock=False) as reader:  # as another reader sees the state
        return {row[0] for row in reader.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_a_large_build_into_an_empty_state_defers_indexes_and_ends_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import feeds.publish
    from feeds.state import DEFERRABLE_INDEXES, State

    generate_corpus(tmp_path / "dumps", 300, 0.4, seed=22)
    (tmp_path / "dumps" / "truth.jsonl").unlink()
    deferred_while_recording, ended_with, rows, files = [], [], [], []
    for name, threshold in (("deferred", 1), ("kept", 10**9)):
        monkeypatch.setattr(feeds.publish, "BULK_FROM", threshold)
        settings = make_settings(tmp_path / name)
        for dump in (tmp_path / "dumps").iterdir():
            shutil.copy2(dump, settings.input_dir / dump.name)
        during: list[set[str]] = []
        build(settings, progress=lambda *_, path=settings.state_path, during=during:
              during.append(_indexes(path)))
        deferred_while_recording.append(not any(set(DEFERRABLE_INDEXES) & i for i in during))
        ended_with.append(_indexes(settings.state_path) >= set(DEFERRABLE_INDEXES))
        with State(settings.state_path, lock=False) as state:
            rows.append(state.db.execute("SELECT * FROM entries ORDER BY id").fetchall())
        files.append({k: v[0] for k, v in snapshot(settings.output_dir).items()})
    assert deferred_while_recording == [True, False]
    assert ended_with == [True, True]
    assert rows[0] == rows[1] and len(rows[0]) > 250
    assert files[0] == files[1]


def test_a_broken_worker_pool_falls_back_to_parsing_here(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    import feeds.workers

    class DyingPool:
        def __init__(self, **_: object) -> None:
            pass

        def __enter__(self) -> DyingPool:
            return self

        def __exit__(self, *_: object) -> None:
            pass

        def submit(self, *_: object) -> Future[object]:
            died: Future[object] = Future()
            died.set_exception(BrokenProcessPool("a worker was killed"))
            return died

        def shutdown(self, **_: object) -> None:
            pass

    monkeypatch.setattr(feeds.workers, "PARALLEL_FROM", 1)
    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", DyingPool)
    settings = make_settings(tmp_path)
    shutil.copy(SEED_DUNIA_2024, settings.input_dir / "a.txt")
    shutil.copy(SEED_DUNIA_2025, settings.input_dir / "b.txt")
    report = build(settings)
    assert report.parsed == 2
    assert ("worker processes failed (a worker was killed); going on in this process"
            in caplog.text)
    assert report.pages_written == 2


@pytest.mark.parametrize("threshold", [1, 10**9], ids=["parallel", "serial"])
def test_a_page_already_there_for_a_new_article_is_rendered_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threshold: int) -> None:
    """A run stopped after its workers created pages but before it recorded
    them leaves pages the state knows nothing of, and a stale output may hold
    anything: the next run must not take such a file as done."""
    import feeds.workers

    monkeypatch.setattr(feeds.workers, "PARALLEL_FROM", threshold)
    clean = make_settings(tmp_path / "clean")
    crashed = make_settings(tmp_path / "crashed")
    for settings in (clean, crashed):
        shutil.copy(SEED_DUNIA_2025, settings.input_dir / "a.txt")
        shutil.copy(SEED_DUNIA_2024, settings.input_dir / "b.txt")
    build(clean)
    page = next(clean.output_dir.glob("artikel/*/*/*.html")).relative_to(clean.output_dir)
    (crashed.output_dir / page).parent.mkdir(parents=True)
    (crashed.output_dir / page).write_bytes(b"<!DOCTYPE html>\n<html><head><title>old")
    assert build(crashed).pages_written == 2
    assert ({k: v[0] for k, v in snapshot(crashed.output_dir).items()}
            == {k: v[0] for k, v in snapshot(clean.output_dir).items()})


def test_an_oversize_dump_is_rejected_with_its_own_size(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, max_dump_bytes=2000)
    shutil.copy(SEED_DUNIA_2024, settings.input_dir / "big.txt")
    (settings.input_dir / "small.txt").write_bytes(SEED_DUNIA_2025.read_bytes()[:1500])
    report = build(settings)
    size = SEED_DUNIA_2024.stat().st_size
    assert {r.path: r.reason for r in report.rejected} == {
        "big.txt": f"too large: {size} bytes (the limit is 2000)"}
    with State(settings.state_path) as state:  # what `feeds status` lists
        assert [seen.error for seen in state.files.rejected()] == [
            f"too large: {size} bytes (the limit is 2000)"]


def test_a_dump_that_changes_while_read_is_left_for_the_next_scan(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    dump = settings.input_dir / "a.txt"
    shutil.copy(SEED_DUNIA_2024, dump)
    listed = dump.stat()
    with dump.open("ab") as handle:  # written to after it was listed
        handle.write(b"\nLagi.\n")
    assert read_dump(settings, ToRead("a.txt", listed, None)) is None
    read = read_dump(settings, ToRead("a.txt", dump.stat(), None))
    assert read is not None and read.entry is not None and read.size == dump.stat().st_size


def test_parsing_workers_import_only_what_reading_a_dump_needs() -> None:
    # A spawned worker imports the module of what it runs (feeds.reading) and the
    # parent's main module again (feeds.__main__, for the `feeds` command): neither
    # may pull in the state, the feeds' renderers or the command line.
    code = ("import sys, feeds.__main__, feeds.reading; "
            "print(' '.join(sorted(sys.modules)))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.split())
    assert "feeds.reading" in loaded
    assert not loaded & {"feeds.cli", "feeds.state", "feeds.publish", "feeds.daemon",
                         "feedgen", "sqlite3", "apscheduler"}


def test_a_build_that_finds_nothing_new_loads_neither_parser_nor_renderers(
        tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    shutil.copy(SEED_DUNIA_2025, settings.input_dir / "a.txt")
    args = ["build", "--input", str(settings.input_dir), "--output", str(settings.output_dir),
            "--state", str(settings.state_path)]
    code = ("import sys; from feeds.cli import main; "
            f"status = main({args!r}); print(status, ' '.join(sorted(sys.modules)))")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, cwd=tmp_path).stdout.split() for _ in range(2)]
    assert "feedgen" in runs[0]  # the first build rendered
    status, *loaded = runs[1]
    assert status == "0"
    assert not {name for name in loaded if name.startswith(
        ("feeds.parse", "feeds.reading", "feeds.render", "feedgen", "lxml", "bs4"))}


def test_a_state_of_an_older_record_format_is_rebuilt_from_the_input_once(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import zlib

    from feeds.records import RECORD_FORMAT, RECORD_FORMAT_KEY, entry_record, record_json

    settings = make_settings(tmp_path)
    shutil.copy(SEED_DUNIA_2025, settings.input_dir / "a.txt")
    shutil.copy(SEED_DUNIA_2024, settings.input_dir / "b.txt")
    build(settings)
    before = {k: v[0] for k, v in snapshot(settings.output_dir).items()}
    seed = parse_file(SEED_DUNIA_2025, OPTIONS)
    with State(settings.state_path) as state, state.transaction():  # as 0.1.0 left it
        old_record = record_json(entry_record(seed, read_sidebars(seed.sidebars)))
        state.db.execute("UPDATE entries SET record = ? WHERE id = ?",
                         (zlib.compress(old_record), seed.id))
        state.db.execute("DELETE FROM meta WHERE key = ?", (RECORD_FORMAT_KEY,))
    report = build(settings)
    assert f"{settings.state_path} holds records of an older feeds: rebuilding it" in caplog.text
    assert report.parsed == 2
    assert {k: v[0] for k, v in snapshot(settings.output_dir).items()} == before
    with State(settings.state_path) as state:
        assert state.meta(RECORD_FORMAT_KEY) == RECORD_FORMAT
        assert [p.entry for p in state.entries.by_ids([seed.id])] == [replace(seed, source="a.txt")]
    caplog.clear()
    assert build(settings).parsed == 0 and "older feeds" not in caplog.text


@pytest.mark.parametrize("threshold", [1, 10**9], ids=["parallel", "serial"])
def test_a_run_syncs_the_output_once_before_its_feeds_take_their_names(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threshold: int) -> None:
    """Feeds, pages of feeds, index and sitemaps, whichever process rendered them, are
    staged, synced together, then renamed; article pages are not synced (a page lost
    to a power cut is rendered again from the state)."""
    import feeds.output
    import feeds.workers

    monkeypatch.setattr(feeds.workers, "PARALLEL_FROM", threshold)
    syncs: list[list[str]] = []  # at each sync, the feeds already in place

    def sync(directory: str, files: list[str]) -> None:
        syncs.append(sorted(path.name for path in Path(directory).rglob("*.xml")))

    monkeypatch.setattr(feeds.output, "_sync", sync)
    settings = make_settings(tmp_path)
    shutil.copy(SEED_DUNIA_2024, settings.input_dir / "a.txt")
    shutil.copy(SEED_DUNIA_2025, settings.input_dir / "b.txt")
    assert build(settings).files_written > 10
    assert syncs == [[]]
    assert build(settings).files_written == 0
    assert syncs == [[]]  # nothing changed: nothing to sync
