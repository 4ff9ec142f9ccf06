"""sitemap.xml, news-sitemap.xml and robots.txt, read back with lxml."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from feeds.config import Settings
from feeds.state import State
from tests.conftest import build, generate_corpus, make_settings, snapshot

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
      "news": "http://www.google.com/schemas/sitemap-news/0.9"}


def urls(path: Path) -> dict[str, str]:
    """loc -> lastmod of a sitemap (a urlset)."""
    root = etree.parse(str(path)).getroot()
    assert root.tag == f"{{{NS['s']}}}urlset"
    return {str(url.findtext("s:loc", namespaces=NS)): str(url.findtext("s:lastmod", namespaces=NS))
            for url in root.iterfind("s:url", NS)}


def listed(settings: Settings) -> dict[str, str]:
    """loc -> lastmod of every page the sitemap index's parts list; each page once."""
    index = etree.parse(str(settings.output_dir / "sitemap.xml")).getroot()
    assert index.tag == f"{{{NS['s']}}}sitemapindex"
    pages: dict[str, str] = {}
    for part in index.xpath("s:sitemap/s:loc/text()", namespaces=NS):
        found = urls(settings.output_dir / str(part).removeprefix(settings.base_url))
        assert found and not set(found) & set(pages)
        pages.update(found)
    return pages


def expected_pages(settings: Settings, state: State) -> dict[str, str]:
    """loc -> lastmod of every entry the state holds, read from its rows."""
    base = settings.base_url
    return {f"{base}artikel/{published[:4]}/{published[5:7]}/{entry_id.removeprefix('urn:uuid:')}"
            f".html": updated
            for entry_id, published, updated in state.db.execute(
                "SELECT id, published, updated FROM entries")}


def test_every_article_page_is_listed_with_its_lastmod(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    generate_corpus(settings.input_dir, 120, 0.3, seed=4)
    (settings.input_dir / "truth.jsonl").unlink()
    build(settings)
    with State(settings.state_path) as state:
        assert listed(settings) == expected_pages(settings, state)
        newest = state.entries.newest(None, 1)[0].entry.published
        in_window = state.entries.published_since(newest - timedelta(days=2), 1000)
    for loc in listed(settings):
        assert (settings.output_dir / loc.removeprefix(settings.base_url)).is_file()
    news = etree.parse(str(settings.output_dir / "news-sitemap.xml")).getroot()
    items = news.findall("s:url", NS)
    assert [item.findtext("news:news/news:title", namespaces=NS) for item in items] == [
        p.entry.title for p in in_window]
    for item in items:
        assert item.findtext("news:news/news:publication/news:name", namespaces=NS) == "Warta Uji"
        assert item.findtext("news:news/news:publication/news:language", namespaces=NS) == "id"
        stamp = str(item.findtext("news:news/news:publication_date", namespaces=NS))
        assert newest - timedelta(days=2) <= datetime.fromisoformat(stamp) <= newest
    robots = (settings.output_dir / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {settings.base_url}sitemap.xml\n" in robots
    assert f"Sitemap: {settings.base_url}news-sitemap.xml\n" in robots
    before = snapshot(settings.output_dir)
    assert build(settings).files_written == 0 and snapshot(settings.output_dir) == before


def indexed_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int, seed: int
                    ) -> tuple[Settings, list[Path]]:
    """An archive built from all but the last of `count` dumps, with a sitemap
    limit of three pages, and the dumps."""
    import feeds.render.sitemaps

    monkeypatch.setattr(feeds.render.sitemaps, "SITEMAP_URLS", 3)
    settings = make_settings(tmp_path)
    generate_corpus(tmp_path / "corpus", count, 0.0, seed=seed)
    dumps = sorted(p for p in (tmp_path / "corpus").iterdir() if p.suffix in (".txt", ".html"))
    for dump in dumps[:-1]:
        shutil.copy2(dump, settings.input_dir / dump.name)
    build(settings)
    return settings, dumps


def test_a_new_article_rewrites_its_months_part_and_a_month_past_the_limit_is_split(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, dumps = indexed_archive(tmp_path, monkeypatch, 60, 8)
    index = etree.parse(str(settings.output_dir / "sitemap.xml")).getroot()
    parts = [str(loc) for loc in index.xpath("s:sitemap/s:loc/text()", namespaces=NS)]
    assert any(part.endswith("-2.xml") for part in parts)  # a month of more than three pages
    for part in parts:
        assert 1 <= len(urls(settings.output_dir / part.removeprefix(settings.base_url))) <= 3
    with State(settings.state_path) as state:
        assert listed(settings) == expected_pages(settings, state)
    before = snapshot(settings.output_dir)
    shutil.copy2(dumps[-1], settings.input_dir / dumps[-1].name)  # one more article
    report = build(settings)
    changed = {path for path, value in snapshot(settings.output_dir).items()
               if before.get(path) != value}
    rewritten_parts = {path for path in changed if path.startswith("sitemap/")}
    page = next(path for path in changed if path.startswith("artikel/"))
    assert report.pages_written == 1
    month = "-".join(page.split("/")[1:3])
    assert rewritten_parts and all(path.startswith(f"sitemap/{month}") for path in rewritten_parts)
    assert any(loc.endswith(page) for part in rewritten_parts
               for loc in urls(settings.output_dir / part))


def test_a_state_that_never_counted_its_months_counts_them_all(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, dumps = indexed_archive(tmp_path, monkeypatch, 40, 12)
    with State(settings.state_path) as state, state.transaction():
        state.db.execute("DELETE FROM sitemap_months")  # as a state of schema version 1 holds
    shutil.copy2(dumps[-1], settings.input_dir / dumps[-1].name)
    build(settings)
    with State(settings.state_path) as state:
        assert listed(settings) == expected_pages(settings, state)


def test_a_missing_part_is_written_again_by_the_next_run_that_publishes(
        tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    generate_corpus(tmp_path / "corpus", 30, 0.0, seed=5)
    dumps = sorted(p for p in (tmp_path / "corpus").iterdir() if p.suffix in (".txt", ".html"))
    for dump in dumps[:-1]:
        shutil.copy2(dump, settings.input_dir / dump.name)
    build(settings)
    parts = sorted((settings.output_dir / "sitemap").iterdir())
    parts[0].unlink()  # an operator's cleanup, or the output of a feeds that wrote one file
    shutil.copy2(dumps[-1], settings.input_dir / dumps[-1].name)
    build(settings)
    assert parts[0].is_file()
    with State(settings.state_path) as state:
        assert listed(settings) == expected_pages(settings, state)
