"""WebSub: hub links in every feed, and publish notifications to a hub on loopback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from lxml import etree

from feeds.websub import HubNotifier, changed_feed_urls
from tests.conftest import SEED_DUNIA_2024, SEED_DUNIA_2025, build, make_settings


class Hub:
    """A hub endpoint that records publish pings; it can be told to fail first."""

    def __init__(self, failures: int = 0) -> None:
        self.pings: list[dict[str, list[str]]] = []
        self.failures = failures
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # the name the stdlib calls
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                if hub.failures > 0:
                    hub.failures -= 1
                    self.send_response(503)
                else:
                    hub.pings.append(form)
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def urls(self) -> list[str]:
        return sorted(ping["hub.url"][0] for ping in self.pings
                      if ping.get("hub.mode") == ["publish"])


@pytest.fixture
def hub() -> Iterator[Hub]:
    endpoint = Hub()
    yield endpoint
    endpoint.close()


def wait_until(condition: object, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.02)
    return False


def test_every_feed_names_the_hub(tmp_path: Path, hub: Hub) -> None:
    settings = make_settings(tmp_path, websub_hub=hub.url)
    shutil.copy(SEED_DUNIA_2024, settings.input_dir / "a.txt")
    build(settings)
    atom_ns = "{http://www.w3.org/2005/Atom}"
    for directory in ("", "category/dunia/", "populer/"):
        rss = etree.fromstring((settings.output_dir / directory / "rss.xml").read_bytes())
        atom = etree.fromstring((settings.output_dir / directory / "atom.xml").read_bytes())
        for root in (rss.find("channel"), atom):
            assert root is not None
            hubs = [link.get("href") for link in root.iter(f"{atom_ns}link")
                    if link.get("rel") == "hub"]
            assert hubs == [hub.url]
        feed = json.loads((settings.output_dir / directory / "feed.json").read_bytes())
        assert feed["hubs"] == [{"type": "WebSub", "url": hub.url}]


def test_notifier_retries_with_back_off_until_the_hub_answers() -> None:
    failing = Hub(failures=2)
    try:
        notifier = HubNotifier(failing.url, first_delay=0.05)
        started = time.monotonic()
        notifier.notify(["http://127.0.0.1:8080/rss.xml"])
        assert time.monotonic() - started < 0.05  # notify never waits for the hub
        assert wait_until(lambda: failing.urls() == ["http://127.0.0.1:8080/rss.xml"])
        assert failing.failures == 0  # two refusals, then the third attempt went through
        notifier.close()
    finally:
        failing.close()


def test_an_unreachable_hub_never_blocks() -> None:
    notifier = HubNotifier("http://127.0.0.1:9/hub", attempts=2, first_delay=0.01, timeout=0.5)
    started = time.monotonic()
    notifier.notify([f"http://127.0.0.1:8080/{n}.xml" for n in range(50)])
    assert time.monotonic() - started < 0.1
    notifier.close(wait=0.5)
    assert notifier.sent == []


def test_build_notifies_the_hub_of_each_changed_feed(tmp_path: Path, hub: Hub) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text(f'[paths]\ninput = "in"\noutput = "out"\nstate = "s.db"\n'
                      f'[websub]\nhub = "{hub.url}"\n', encoding="utf-8")
    (tmp_path / "in").mkdir()
    shutil.copy(SEED_DUNIA_2024, tmp_path / "in" / "a.txt")
    run = [sys.executable, "-m", "feeds", "build", "-c", str(config)]
    assert subprocess.run(run, check=False, capture_output=True).returncode == 0
    base = "http://127.0.0.1:8080/"

    def feeds(*directories: str) -> list[str]:
        return sorted(base + d + f for d in ("", "category/dunia/", "populer/", *directories)
                      for f in ("atom.xml", "feed.json", "rss.xml"))

    assert wait_until(lambda: hub.urls() == feeds("author/alifia-dwi-ramandhita/"))
    hub.pings.clear()
    shutil.copy(SEED_DUNIA_2025, tmp_path / "in" / "b.txt")
    assert subprocess.run(run, check=False, capture_output=True).returncode == 0
    # The new article changes the all-articles and Dunia feeds, its reporter's, and
    # the Populer feed (it is the newest dump now); nothing else.
    assert wait_until(lambda: hub.urls() == feeds("author/hani-fatunnisa/"))
    hub.pings.clear()
    assert subprocess.run(run, check=False, capture_output=True).returncode == 0
    time.sleep(0.3)
    assert hub.urls() == []  # nothing changed, nothing to tell


def test_changed_feed_urls_picks_feed_files_only() -> None:
    written = ["rss.xml", "index.html", "category/dunia/atom.xml", "artikel/2025/05/x.html",
               "populer/feed.json", "feeds.opml"]
    assert changed_feed_urls(written, "http://h/") == [
        "http://h/category/dunia/atom.xml", "http://h/populer/feed.json", "http://h/rss.xml"]
