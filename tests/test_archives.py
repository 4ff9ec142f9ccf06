"""A feed's whole history (RFC 5005 archived feeds, JSON Feed's next_url), read
back by a client built on feedparser from the real `feeds serve`, after every
kind of change: each entry of the state exactly once, and only the documents
whose ETag changed fetched again."""

from __future__ import annotations

import json
import os
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from feeds.config import Settings
from feeds.publish import forget
from feeds.state import State
from tests.conftest import SEED_DUNIA_2024, build, generate_corpus, make_settings
from tests.serving import serving

pytestmark = pytest.mark.slow

FH = "http://purl.org/syndication/history/1.0"
ATOM = "http://www.w3.org/2005/Atom"
PER_FEED = 20


@dataclass
class Client:
    """A reader that keeps each document's ETag and body, and asks again with
    If-None-Match: what it fetched whole (200) is in `fetched`."""

    base: str  # where the server answers
    site: str  # the site's base URL, as links name it
    cache: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    fetched: set[str] = field(default_factory=set)

    def get(self, url: str) -> bytes:
        path = url.removeprefix(self.site)
        request = urllib.request.Request(self.base + path)
        if path in self.cache:
            request.add_header("If-None-Match", self.cache[path][0])
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                body = bytes(answer.read())
                self.cache[path] = (answer.headers["ETag"], body)
                self.fetched.add(path)
                return body
        except urllib.error.HTTPError as error:
            if error.code == 304:
                return self.cache[path][1]
            raise

    def history(self, subscription: str) -> History:
        """Every entry of the feed, following prev-archive from its subscription document."""
        document = self.get(self.site + subscription)
        parsed = feedparser.parse(document)
        assert not parsed.bozo, subscription
        pages: list[list[str]] = []
        url = _link(parsed, "prev-archive")
        complete = _marked(document, "complete")
        assert complete != bool(url), f"{subscription}: fh:complete, or prev-archive"
        seen_urls = set()
        while url:
            assert url not in seen_urls, f"a loop in {subscription}'s archives"
            seen_urls.add(url)
            body = self.get(url)
            page = feedparser.parse(body)
            assert not page.bozo and _marked(body, "archive"), url
            assert _link(page, "current") == self.site + subscription, url
            assert _link(page, "self") == url, url
            pages.append([entry.id for entry in page.entries])
            older = _link(page, "prev-archive")
            if older:
                assert _link(feedparser.parse(self.get(older)), "next-archive") == url
            url = older
        return History([entry.id for entry in parsed.entries], pages, complete)


@dataclass
class History:
    current: list[str]  # the subscription document's entries
    pages: list[list[str]]  # the archive documents', newest page first
    complete: bool

    @property
    def every(self) -> list[str]:
        archived = [entry for page in self.pages for entry in page]
        return self.current if self.complete else archived


def _link(parsed: feedparser.FeedParserDict, rel: str) -> str | None:
    return next((link["href"] for link in parsed.feed.get("links", [])
                 if link.get("rel") == rel), None)


def _marked(document: bytes, mark: str) -> bool:
    return etree.fromstring(document).find(f".//{{{FH}}}{mark}") is not None


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Settings, Client]]:
    corpus = generate_corpus(tmp_path / "corpus", 330, 0.0, seed=11)
    (corpus / "truth.jsonl").unlink()
    settings = make_settings(tmp_path / "site", corpus, entries_per_feed=PER_FEED)
    shutil.copy(SEED_DUNIA_2024, settings.input_dir / "seed.txt")
    os.utime(settings.input_dir / "seed.txt", (1_700_000_000, 1_700_000_000))
    build(settings)
    with serving(settings.output_dir) as base:
        yield settings, Client(base, settings.base_url)


def feeds_of(settings: Settings) -> dict[str, str]:
    """Each feed's key and its RSS and Atom subscription documents."""
    with State(settings.state_path) as state:
        keys = {"all"} | {feed for (feed,) in state.db.execute(
            "SELECT DISTINCT feed FROM archived")}
    found = {}
    for key in keys:
        directory = "" if key == "all" else key.replace(":", "/") + "/"
        found[key] = directory
    return found


def state_history(settings: Settings, key: str) -> set[str]:
    with State(settings.state_path) as state:
        return {entry_id for (entry_id,) in state.db.execute(
            "SELECT entry_id FROM archived WHERE feed = ?", (key,))}


def check_every_feed(settings: Settings, client: Client) -> dict[str, History]:
    """Every feed's history in RSS and Atom equals the state's, each entry once,
    each document newest first; JSON Feed pages through the same."""
    histories = {}
    for key, directory in feeds_of(settings).items():
        expected = state_history(settings, key)
        for name in ("rss.xml", "atom.xml"):
            history = client.history(directory + name)
            assert len(history.every) == len(set(history.every)), f"{key} {name}: twice"
            assert set(history.every) == expected, f"{key} {name}"
            assert set(history.current) <= expected
            histories[f"{key} {name}"] = history
        assert json_history(client, directory) == expected, key
    return histories


def json_history(client: Client, directory: str) -> set[str]:
    document = json.loads(client.get(client.site + directory + "feed.json"))
    ids = [item["id"] for item in document["items"]]
    url = document.get("next_url")
    if url:
        ids = []
    while url:
        page = json.loads(client.get(url))
        assert page["feed_url"] == document["feed_url"]
        ids += [item["id"] for item in page["items"]]
        url = page.get("next_url")
    assert len(ids) == len(set(ids))
    return set(ids)


def archive_fetches(client: Client) -> set[str]:
    return {path for path in client.fetched if "/archive/" in "/" + path}


def test_a_client_rebuilds_every_feed_s_history_and_refetches_only_what_changed(
        site: tuple[Settings, Client]) -> None:
    settings, client = site
    histories = check_every_feed(settings, client)
    assert len(histories["all rss.xml"].pages) == 4  # 331 entries, 100 a page
    assert any(h.complete for h in histories.values())  # reporters with few entries
    assert any(not h.complete for k, h in histories.items() if k.startswith("category:"))
    # Nothing changed: every document answers 304.
    client.fetched.clear()
    check_every_feed(settings, client)
    assert client.fetched == set()

    # New dumps: a few archive documents a feed, the newest (and, once, the one before).
    more = generate_corpus(settings.input_dir.parent / "more", 6, 0.0, seed=12)
    for dump in more.glob("*.txt"):
        shutil.copy2(dump, settings.input_dir / f"late_{dump.name}")
    build(settings)
    client.fetched.clear()
    check_every_feed(settings, client)
    changed = archive_fetches(client)
    assert changed
    by_feed: dict[str, set[str]] = {}
    for path in changed:
        by_feed.setdefault(path.split("archive/")[0], set()).add(path.split("archive/")[1])
    for directory, pages in by_feed.items():
        assert len({page.split("/")[0] for page in pages}) <= 2, directory

    # A correction of an old entry: only the archive documents that hold it.
    corrected = settings.input_dir / "seed_corrected.txt"
    corrected.write_text(SEED_DUNIA_2024.read_text(encoding="utf-8").replace(
        "tuturnya.", "tuturnya. Ralat: diperbarui."), encoding="utf-8")
    os.utime(corrected, (1_750_000_200, 1_750_000_200))
    build(settings)
    client.fetched.clear()
    check_every_feed(settings, client)
    seed_id = seed_entry(settings)
    holding = pages_holding(settings, seed_id)
    assert archive_fetches(client) == holding
    assert all("Ralat" in (settings.output_dir / path).read_text(encoding="utf-8")
               for path in holding)

    # A late article published long ago joins the newest page of each of its feeds.
    late = settings.input_dir / "late_old.txt"
    late.write_text(SEED_DUNIA_2024.read_text(encoding="utf-8").replace(
        "Maroko dan Prancis Perkuat Kerjasama Keamanan Bilateral",
        "Arsip Lama yang Baru Tiba"), encoding="utf-8")
    build(settings)
    client.fetched.clear()
    histories = check_every_feed(settings, client)
    late_id = newest_arrival(settings)
    assert late_id not in histories["all atom.xml"].current  # too old for the newest 20
    assert late_id in histories["all atom.xml"].pages[0]  # but in the newest page

    # Forgotten: gone from the history, its documents fetched again.
    with State(settings.state_path) as state:
        forget(settings, state, [seed_id])
    client.fetched.clear()
    check_every_feed(settings, client)
    assert archive_fetches(client) == holding


def seed_entry(settings: Settings) -> str:
    with State(settings.state_path) as state:
        (entry_id,) = state.db.execute(
            "SELECT entry_id FROM files WHERE path = 'seed.txt'").fetchone()
    return str(entry_id)


def newest_arrival(settings: Settings) -> str:
    with State(settings.state_path) as state:
        (entry_id,) = state.db.execute(
            "SELECT entry_id FROM archived WHERE feed = 'all' ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    return str(entry_id)


def pages_holding(settings: Settings, entry_id: str) -> set[str]:
    """The archive documents (RSS, Atom, JSON) that hold the entry."""
    with State(settings.state_path) as state:
        rows = state.db.execute("SELECT feed, seq FROM archived WHERE entry_id = ?",
                                (entry_id,)).fetchall()
        held = set()
        for feed, seq in rows:
            (entries,) = state.db.execute("SELECT count(*) FROM archived WHERE feed = ?",
                                          (feed,)).fetchone()
            if entries <= PER_FEED:
                continue  # a complete feed has no archives
            directory = "" if feed == "all" else feed.replace(":", "/") + "/"
            held |= {f"{directory}archive/{seq // 100 + 1}/{name}"
                     for name in ("rss.xml", "atom.xml", "feed.json")}
    return held


def test_archive_documents_are_cached_long_and_listed_in_no_sitemap(
        site: tuple[Settings, Client]) -> None:
    settings, client = site
    with urllib.request.urlopen(client.base + "archive/1/rss.xml", timeout=10) as answer:
        assert answer.headers["Cache-Control"] == "public, max-age=86400"
        assert answer.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    with urllib.request.urlopen(client.base + "rss.xml", timeout=10) as answer:
        assert answer.headers["Cache-Control"] == "public, max-age=300"
    sitemaps = [settings.output_dir / "sitemap.xml", settings.output_dir / "news-sitemap.xml",
                *(settings.output_dir / "sitemap").iterdir()]
    assert not any(b"/archive/" in path.read_bytes() for path in sitemaps)


def test_what_the_validator_checks_of_history_documents(site: tuple[Settings, Client]) -> None:
    """The W3C Feed Validation Service passes these documents with no error and no
    warning (checked by hand, served over HTTP); here, what it checks of them: the
    history namespace, links with a registered relation and the format's type in
    both formats, and one fh mark before the first entry."""
    settings, _ = site
    documents = [path for path in settings.output_dir.rglob("*.xml")
                 if path.name in ("rss.xml", "atom.xml") and "populer" not in path.parts]
    for path in documents:
        root = etree.fromstring(path.read_bytes())
        feed = root.find("channel") if root.tag == "rss" else root
        assert feed is not None
        marks = feed.findall(f"{{{FH}}}*")
        assert len(marks) <= 1, path
        links = [link for link in feed.findall(f"{{{ATOM}}}link")
                 if link.get("rel") in ("current", "prev-archive", "next-archive")]
        kind = "application/rss+xml" if root.tag == "rss" else "application/atom+xml"
        assert all(link.get("type") == kind and link.get("href", "").startswith(
            settings.base_url) for link in links), path
        children = list(feed)
        first_item = next((i for i, c in enumerate(children)
                           if etree.QName(c).localname in ("item", "entry")), len(children))
        assert all(children.index(mark) < first_item for mark in marks), path
        if "archive" in path.parts:
            assert [etree.QName(mark).localname for mark in marks] == ["archive"], path
