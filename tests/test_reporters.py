"""A feed per reporter: author/<slug>/ in every format with its page, linked from
article pages, the index and the OPML; kept as incremental as a category's."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import feedparser
import lxml.html
import pytest
from lxml import etree

from feeds.config import Settings
from tests.conftest import SEED_DUNIA_2024, SEED_DUNIA_2025, build, make_settings

HANI = "author/hani-fatunnisa/"
ALIFIA = "author/alifia-dwi-ramandhita/"
SEED_REPORTER = "LAPORAN: ALIFIA DWI RAMANDHITA"


def no_reporter_page() -> str:
    """The 2024 seed as another article whose date line names a print edition."""
    return (SEED_DUNIA_2024.read_text(encoding="utf-8")
            .replace("Maroko dan Prancis", "Aljazair dan Prancis")
            .replace(SEED_REPORTER, "HARIAN RAKYAT MERDEKA"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = make_settings(tmp_path_factory.mktemp("reporters"))
    shutil.copy(SEED_DUNIA_2025, settings.input_dir / "hani.txt")
    shutil.copy(SEED_DUNIA_2024, settings.input_dir / "alifia.txt")
    (settings.input_dir / "nobody.txt").write_text(no_reporter_page(), encoding="utf-8")
    build(settings)
    return settings


def test_each_reporter_has_every_format_and_only_their_articles(built: Settings) -> None:
    out = built.output_dir
    assert sorted(p.name for p in (out / "author").iterdir()) == [
        "alifia-dwi-ramandhita", "hani-fatunnisa"]  # the print edition is nobody's
    for directory, name, count in ((HANI, "Hani Fatunnisa", 1), (ALIFIA, "Alifia Dwi Ramandhita",
                                                                1)):
        for fmt in ("rss.xml", "atom.xml"):
            feed = feedparser.parse((out / directory / fmt).read_bytes())
            assert not feed.bozo
            assert feed.feed.title == f"Warta Uji: {name}"
            assert [e.author for e in feed.entries] == [name] * count
            assert feed.feed.link == built.base_url + directory
        data = json.loads((out / directory / "feed.json").read_bytes())
        assert data["feed_url"] == built.base_url + directory + "feed.json"
        assert [item["authors"] for item in data["items"]] == [[{"name": name}]] * count
        page = lxml.html.fromstring((out / directory / "index.html").read_bytes())
        assert page.xpath("string(//main/h2)") == f"Warta Uji: {name}"
        assert len(page.xpath("//ul[@class='entries']/li")) == count


def test_article_pages_link_to_their_reporter(built: Settings) -> None:
    pages = {page: lxml.html.fromstring(page.read_bytes())
             for page in (built.output_dir / "artikel").rglob("*.html")}
    links = sorted(tuple(document.xpath("//a[@class='reporter']/@href"))
                   for document in pages.values())
    assert links == [(), (built.base_url + ALIFIA,), (built.base_url + HANI,)]


def test_index_and_opml_list_the_reporters(built: Settings) -> None:
    index = lxml.html.fromstring((built.output_dir / "index.html").read_bytes())
    section = index.xpath("//h2[.='Reporter']/following-sibling::ul[@class='reporters'][1]/li")
    assert [li.xpath("string(a[1])") for li in section] == ["Alifia Dwi Ramandhita",
                                                            "Hani Fatunnisa"]
    assert section[0].xpath("a[1]/@href") == [built.base_url + ALIFIA]
    assert built.base_url + ALIFIA + "atom.xml" in section[0].xpath(".//a/@href")
    opml = etree.fromstring((built.output_dir / "feeds.opml").read_bytes())
    folder = opml.find("body/outline[@text='Reporter']")
    assert folder is not None
    assert [o.get("htmlUrl") for o in folder] == [built.base_url + ALIFIA,
                                                  built.base_url + HANI]


def test_a_correction_naming_another_reporter_moves_the_article(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    shutil.copy(SEED_DUNIA_2025, settings.input_dir / "a.txt")
    shutil.copy(SEED_DUNIA_2024, settings.input_dir / "b.txt")
    build(settings)
    assert (settings.output_dir / HANI / "rss.xml").exists()
    # a.txt corrected: Alifia reported it, not Hani.
    corrected = settings.input_dir / "a.txt"
    text = corrected.read_text(encoding="utf-8")
    corrected.write_text(text.replace("LAPORAN: HANI FATUNNISA", SEED_REPORTER),
                         encoding="utf-8")
    later = corrected.stat().st_mtime_ns + 3600 * 10**9
    os.utime(corrected, ns=(later, later))
    build(settings)
    assert not (settings.output_dir / "author" / "hani-fatunnisa").exists()
    feed = feedparser.parse((settings.output_dir / ALIFIA / "atom.xml").read_bytes())
    assert len(feed.entries) == 2


def test_a_rebuild_removes_a_reporter_nothing_names_any_more(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    shutil.copy(SEED_DUNIA_2025, settings.input_dir / "a.txt")
    build(settings)
    (settings.input_dir / "a.txt").unlink()
    shutil.copy(SEED_DUNIA_2024, settings.input_dir / "b.txt")
    build(settings, rebuild=True)
    assert sorted(p.name for p in (settings.output_dir / "author").iterdir()) == [
        "alifia-dwi-ramandhita"]
