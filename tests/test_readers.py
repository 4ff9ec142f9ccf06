"""A real feed reader (newsboat) and a real browser (headless Chromium) against the
real server. CI installs both; elsewhere the tests skip when they are missing."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import struct
import subprocess
import zlib
from collections import Counter
from dataclasses import replace
from pathlib import Path

import feedparser
import pytest
from lxml import html

from feeds.config import Settings
from tests.conftest import SEED_DUNIA_2024, build, generate_corpus, make_settings
from tests.serving import serving

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def need(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        pytest.fail(f"{program} is not installed (bash .ci/run installs it)")
    return found


def newsboat_reload(home: Path, urls: list[str]) -> sqlite3.Connection:
    (home / "urls").write_text("\n".join(urls) + "\n", encoding="utf-8")
    result = subprocess.run([need("newsboat"), "-u", str(home / "urls"), "-c",
                             str(home / "cache.db"), "-x", "reload"],
                            env={**os.environ, "HOME": str(home)}, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return sqlite3.connect(home / "cache.db")


def items_by_feed(cache: sqlite3.Connection) -> dict[str, list[tuple[str, str, str]]]:
    found: dict[str, list[tuple[str, str, str]]] = {}
    for feed, guid, title, author in cache.execute(
            "SELECT feedurl, guid, title, author FROM rss_item ORDER BY feedurl, guid"):
        found.setdefault(feed, []).append((guid, title, author))
    return found


def built_corpus(tmp_path: Path, count: int, edge: float, seed: int) -> tuple[Settings, Path]:
    """A site built from a generated corpus, and an empty home for a reader."""
    settings = make_settings(tmp_path / "site")
    generate_corpus(settings.input_dir, count, edge, seed=seed)
    (settings.input_dir / "truth.jsonl").unlink()
    build(settings)
    home = tmp_path / "reader"
    home.mkdir()
    return settings, home


@pytest.mark.slow
def test_newsboat_subscribes_and_sees_each_new_item_once(tmp_path: Path) -> None:
    need("newsboat")
    settings, home = built_corpus(tmp_path, 60, 0.3, seed=5)
    categories = sorted(p.name for p in (settings.output_dir / "category").iterdir())
    with serving(settings.output_dir) as base:
        # Category feeds never share an article: each must load whole, RSS or Atom alike.
        urls = [base + f"category/{slug}/" + ("rss.xml" if n % 2 else "atom.xml")
                for n, slug in enumerate(categories)] + [base + "populer/rss.xml"]
        cache = newsboat_reload(home, urls)
        loaded = {row[0] for row in cache.execute("SELECT rssurl FROM rss_feed")}
        assert loaded == set(urls)
        before = items_by_feed(cache)
        for url in urls:
            served = feedparser.parse((settings.output_dir / url.removeprefix(base)).read_bytes())
            assert sorted((e.id, e.title.replace("\u2060", "")) for e in served.entries) == sorted(
                (guid, title.replace("\u2060", "")) for guid, title, _ in before[url]), url
            assert all(author for _, _, author in before[url]), f"an item without author: {url}"
        cache.close()

        # One new article, published; a second reload shows it once, in its feed only.
        page = SEED_DUNIA_2024.read_text(encoding="utf-8").replace(
            "\n\nDunia\n\n", f"\n\n{categories[0]}\n\n", 1)
        (settings.input_dir / "new.txt").write_text(page, encoding="utf-8")
        build(settings)
        cache = newsboat_reload(home, urls)
        after = items_by_feed(cache)
        guids = [guid for guid, in cache.execute("SELECT guid FROM rss_item")]
        cache.close()
    assert not [guid for guid, count in Counter(guids).items() if count > 1]
    grew = {url: len(after[url]) - len(before.get(url, [])) for url in urls}
    assert grew[urls[0]] == 1
    assert all(count == 0 for url, count in grew.items() if url not in (urls[0], urls[-1]))


@pytest.mark.slow
def test_newsboat_keeps_one_item_per_id_across_overlapping_feeds(tmp_path: Path) -> None:
    need("newsboat")
    settings = make_settings(tmp_path / "site")
    shutil.copy(SEED_DUNIA_2024, settings.input_dir / "a.txt")
    build(settings)
    home = tmp_path / "reader"
    home.mkdir()
    with serving(settings.output_dir) as base:
        cache = newsboat_reload(home, [base + "rss.xml", base + "atom.xml",
                                       base + "category/dunia/rss.xml"])
        guids = [guid for guid, in cache.execute("SELECT guid FROM rss_item")]
        cache.close()
    assert len(guids) == 1  # the same id everywhere: one article, shown once


@pytest.mark.slow
def test_browser_renders_the_index_with_its_feed_links(tmp_path: Path) -> None:
    chromium = need("chromium")
    settings, _ = built_corpus(tmp_path, 40, 0.0, seed=9)
    screenshot = Path(os.environ.get("FEEDS_SCREENSHOT_DIR", tmp_path)) / "index.png"
    profile = tmp_path / "chromium-profile"
    with serving(settings.output_dir) as base:
        dom = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                              "--dump-dom", base], capture_output=True, text=True, timeout=120,
                             check=True).stdout
        subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                        f"--screenshot={screenshot}", "--window-size=1280,1400", base],
                       capture_output=True, timeout=120, check=True)
    page = html.fromstring(dom)
    hrefs = set(page.xpath("//a/@href"))
    for directory in ["", "populer/"] + [f"category/{p.name}/" for p in
                                         (settings.output_dir / "category").iterdir()]:
        for name in ("rss.xml", "atom.xml", "feed.json"):
            assert settings.base_url + directory + name in hrefs, directory + name
    subscribe = page.xpath("//a[@class='subscribe']/@href")
    assert subscribe and all(href.startswith(settings.base_url) for href in subscribe)
    alternates = page.xpath("//head/link[@rel='alternate']/@type")
    assert alternates.count("application/rss+xml") == len(
        list((settings.output_dir / "category").iterdir())) + 2
    assert screenshot.stat().st_size > 10_000
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_newsboat_reads_every_reporter_feed(tmp_path: Path) -> None:
    need("newsboat")
    settings, home = built_corpus(tmp_path, 60, 0.3, seed=5)
    reporters = sorted(p.name for p in (settings.output_dir / "author").iterdir())
    assert len(reporters) > 10
    with serving(settings.output_dir) as base:
        urls = [base + f"author/{slug}/" + ("rss.xml" if n % 2 else "atom.xml")
                for n, slug in enumerate(reporters)]
        cache = newsboat_reload(home, urls)
        loaded = {row[0] for row in cache.execute("SELECT rssurl FROM rss_feed")}
        shown = items_by_feed(cache)
        cache.close()
    assert loaded == set(urls)
    for url in urls:
        served = feedparser.parse((settings.output_dir / url.removeprefix(base)).read_bytes())
        name = served.feed.title.split(": ", 1)[1]
        assert sorted(guid for guid, _, _ in shown[url]) == sorted(e.id for e in served.entries)
        assert {author for _, _, author in shown[url]} == {name}, url


def png(width: int, height: int) -> bytes:
    """A PNG of a colour gradient, the test's own photo."""
    rows = b"".join(b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 160))
                                       for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


@pytest.mark.slow
def test_browser_shows_an_article_with_its_image_and_the_icon(tmp_path: Path) -> None:
    chromium = need("chromium")
    settings = make_settings(tmp_path / "site")
    shutil.copy(SEED_DUNIA_2024, settings.input_dir / "a.txt")
    build(settings)
    log = tmp_path / "server.log"
    with serving(settings.output_dir, log) as base:
        # The links must lead to this server: the site's address is the server's now.
        settings = replace(settings, base_url=base)
        photos = settings.output_dir / "foto"
        photos.mkdir()
        (photos / "lead.png").write_bytes(png(640, 360))
        page = (f'<!DOCTYPE html><html><head><meta charset="utf-8">'
                f'<link rel="canonical" href="{base}read/2025/maroko">'
                '<meta property="og:title" content="Maroko Resmikan Pelabuhan Baru">'
                '<meta property="article:section" content="Dunia">'
                '<meta property="article:published_time" content="2025-06-01T10:00:00+07:00">'
                '<meta name="author" content="Hani Fatunnisa"></head><body>'
                '<figure><img src="/foto/lead.png"><figcaption>Pelabuhan Tanger/Net'
                '</figcaption></figure><div class="category">Dunia</div>'
                "<h1>Maroko Resmikan Pelabuhan Baru</h1>"
                "<div>MINGGU, 1 JUNI 2025 | 10:00 WIB | LAPORAN: HANI FATUNNISA</div>"
                "<p>Pelabuhan baru itu dibuka untuk kapal kargo.</p></body></html>")
        (settings.input_dir / "b.html").write_text(page, encoding="utf-8")
        build(settings)
        feed = json.loads((settings.output_dir / "feed.json").read_bytes())
        article = next(i for i in feed["items"] if i["title"] == "Maroko Resmikan Pelabuhan Baru")
        assert article["image"] == base + "foto/lead.png"
        screenshot = Path(os.environ.get("FEEDS_SCREENSHOT_DIR", tmp_path)) / "article.png"
        profile = tmp_path / "chromium-profile"
        subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                        f"--screenshot={screenshot}", "--window-size=1000,900",
                        "--virtual-time-budget=5000", article["url"]],
                       capture_output=True, timeout=120, check=True)
    fetched = log.read_text(encoding="utf-8")
    assert '"GET /foto/lead.png HTTP/1.1" 200' in fetched  # the browser loaded the photo
    assert '"GET /icon.png HTTP/1.1" 200' in fetched  # and the icon
    assert screenshot.stat().st_size > 20_000
