"""`feeds stats`: subscribers, polls and readers from access logs written by the
tests (and, end to end, by the real server answering newsboat), the history that
never counts a line twice, privacy, and the newsroom's chart page."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from feeds.config import Settings
from feeds.stats import history_path, report, update, write_page
from feeds.stats.logs import Log, Tally, read_log
from feeds.stats.readers import Kind, classify
from tests.conftest import SEED_DUNIA_2024, SEED_DUNIA_2025, build, make_settings
from tests.serving import free_port, wait_until_serving
from tests.test_readers import CHROMIUM_FLAGS, need, newsboat_reload

# Real User-Agents, as the readers' documentation and public bug reports quote them.
HOSTED = [
    ("Feedly/1.0 (+http://www.feedly.com/fetcher.html; 462 subscribers; )", "Feedly", 462, ""),
    ("Feedly/1.0 (+http://www.feedly.com/fetcher.html; 1 subscribers; like FeedFetcher-Google)",
     "Feedly", 1, ""),
    ("Mozilla/5.0 (compatible; inoreader.com; 114 subscribers)", "Inoreader", 114, ""),
    ('NewsBlur Feed Fetcher - 27 subscribers - https://www.newsblur.com/site/7704055/rendezvous'
     '-with-cassidoo ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 '
     '(KHTML, like Gecko) Version/14.0.1 Safari/605.1.15")', "NewsBlur", 27, "7704055"),
    ("Feedbin feed-id:1697787 - 102 subscribers", "Feedbin", 102, "1697787"),
    ("Feedbin - 9 subscribers", "Feedbin", 9, ""),
    ("Mozilla/5.0 (compatible; theoldreader.com; 1 subscribers; feed-id=cead6c3a837650eeefd8fe4a)",
     "The Old Reader", 1, "cead6c3a837650eeefd8fe4a"),
    ("Mozilla/5.0 (compatible; BazQux/2.4; +https://bazqux.com/fetcher; 2 subscribers)",
     "BazQux", 2, ""),
    ("Netvibes (http://www.netvibes.com/; 8 subscribers; feedID: 2244192)", "Netvibes", 8,
     "2244192"),
    ("Feedfetcher-Google; (+http://www.google.com/feedfetcher.html; 19 subscribers; "
     "feed-id=13965549748850348809)", "Google Feedfetcher", 19, "13965549748850348809"),
    ("Feed Wrangler/1.0 (3 subscribers; feed-id=248559; http://feedwrangler.net; Allow like "
     "Gecko)", "Feed Wrangler", 3, "248559"),
    ("Bloglovin/1.0 (http://www.bloglovin.com; 1 subscribers)", "Bloglovin", 1, ""),
    ("Dreamwidth Studios (webmaster@dreamwidth.org; for https://www.dreamwidth.org/users/"
     "vikingschoice_feed/; 2 readers)", "Dreamwidth", 2, ""),
    ("YahooFeedSeeker/1.0 (compatible; Mozilla 4.0; MSIE 5.5; http://my.yahoo.com/s/"
     "publishers.html; users 2; views 169)", "Yahoo", 2, ""),
    ("PlainFeeder v0.0.1 (+http://plainfeeder.com/about ; Subscriber Count: 12)", "PlainFeeder",
     12, ""),
]
DIRECT = [
    ("Newsboat/2.29.0 (Linux x86_64)", "newsboat"),
    ("NetNewsWire (RSS Reader; https://netnewswire.com/)", "NetNewsWire"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:24.0) Gecko/20100101 Thunderbird/24.4.0 Lightning/2.6.4",
     "Thunderbird"),
    ("feedparser/6.0.14 +https://github.com/kurtmckee/feedparser/", "feedparser"),
    ("Liferea/1.10.6 (Linux; en_US.UTF8; http://liferea.sf.net/) AppleWebKit (KHTML, like Gecko)",
     "Liferea"),
    ("Reeder/5040002 CFNetwork/1408.0.4 Darwin/22.5.0", "Reeder"),
    ("SpaceCowboys Android RSS Reader / 2.13.0(3764)", "Feeder"),
    ("Mozilla/5.0 (compatible; Miniflux/2.0.49; +https://miniflux.app)", "Miniflux"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36", "web browser"),
]
BOTS = [
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Googlebot"),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; "
     "+http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36", "bingbot"),
    ("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", "YandexBot"),
    ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "AhrefsBot"),
    ("Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", "SemrushBot"),
    ("Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", "UptimeRobot"),
    ("Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)", "Pingdom"),
    ("StatusCake_Uptime_Checker/1.0", "StatusCake"),
    ("curl/7.64.0", "curl"),
    ("python-requests/2.21.0", "python-requests"),
    ("Go-http-client/1.1", "Go-http-client"),
]


@pytest.mark.parametrize(("agent", "name", "subscribers", "subscription"), HOSTED)
def test_hosted_readers_are_read_with_their_subscribers(agent: str, name: str,
                                                         subscribers: int,
                                                         subscription: str) -> None:
    client = classify(agent)
    assert (client.name, client.kind, client.subscribers, client.subscription) == (
        name, Kind.READER, subscribers, subscription)


@pytest.mark.parametrize(("agent", "name"), DIRECT)
def test_people_s_readers_are_one_client_each(agent: str, name: str) -> None:
    client = classify(agent)
    assert (client.name, client.kind, client.subscribers) == (name, Kind.READER, None)


@pytest.mark.parametrize(("agent", "name"), BOTS)
def test_bots_that_read_for_nobody_are_told_apart(agent: str, name: str) -> None:
    assert (classify(agent).name, classify(agent).kind) == (name, Kind.BOT)


# --- logs -----------------------------------------------------------------------

DAY = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


def line(agent: str, path: str = "/rss.xml", *, address: str = "203.0.113.5",
         when: datetime = DAY, status: int = 200, size: int = 5120, method: str = "GET") -> str:
    stamp = when.astimezone(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")
    return (f'{address} - - [{stamp}] "{method} {path} HTTP/1.1" {status} {size} "-" '
            f'"{agent}"\n')


BROWSER_QUOTED = r'Mozilla/5.0 \"odd\"'
FEEDLY = HOSTED[0][0]
NEWSBOAT = DIRECT[0][0]
GOOGLEBOT = BOTS[0][0]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


def stats_of(settings: Settings, *texts: str, names: list[str] | None = None) -> dict:
    """Write each text as a log, run `update` over them, and give the report's JSON."""
    paths = []
    for number, text in enumerate(texts):
        path = settings.state_path.parent.parent / f"log-{number}.log"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    update(settings, names or paths)
    return report(settings).as_json()


def test_one_day_of_polls_by_hosted_readers_people_and_bots(settings: Settings) -> None:
    log = "".join([
        line(FEEDLY) * 48,  # polled every half hour: one Feedly, 462 subscribers
        line(HOSTED[2][0], "/category/dunia/rss.xml", address="34.1.1.1", status=304, size=0),
        line(NEWSBOAT, "/category/dunia/atom.xml?cache=1", address="198.51.100.7"),
        line(NEWSBOAT, "/category/dunia/atom.xml", address="198.51.100.7", status=304, size=0),
        line(NEWSBOAT, "/rss.xml", address="198.51.100.8"),  # another person
        line(GOOGLEBOT, "/rss.xml", address="66.249.66.1") * 3,
        line(NEWSBOAT, "/artikel/2026/12/x.html"),  # no feed: not counted as a poll
        line(NEWSBOAT, "/category/dunia/archive/1/rss.xml"),  # an archive document
        line(NEWSBOAT, "/rss.xml", method="POST"),
        line(NEWSBOAT, "/category/tidak-ada/rss.xml", status=404),
    ])
    stats = stats_of(settings, log)
    site, feeds = stats["site"], {feed["feed"]: feed for feed in stats["feeds"]}
    assert (stats["first_day"], stats["last_day"]) == ("2026-10-01", "2026-10-01")
    assert site["day"]["subscribers"] == 462 + 114 + 2
    assert feeds[""]["day"]["subscribers"] == 462 + 1
    assert feeds["category/dunia/"]["day"]["subscribers"] == 114 + 1
    assert feeds[""]["day"]["polls"] == 49 and feeds["category/dunia/"]["day"]["polls"] == 3
    assert feeds["category/dunia/"]["day"]["not_modified"] == 2
    assert feeds[""]["day"]["bytes"] == 49 * 5120
    assert site["readers"]["Feedly"] == {"subscribers": 462, "polls": 48, "not_modified": 0,
                                         "bytes": 48 * 5120}
    assert site["readers"]["newsboat"]["subscribers"] == 2
    assert stats["bots"] == {"Googlebot": 3}
    assert "Googlebot" not in site["readers"]
    assert [feed["feed"] for feed in stats["feeds"]] == ["", "category/dunia/"]  # most first


def test_a_hosted_reader_s_subscriptions_are_added_its_repeated_polls_are_not(
        settings: Settings) -> None:
    google = "Feedfetcher-Google; (+http://www.google.com/feedfetcher.html; {} subscribers; " \
             "feed-id={})"
    log = "".join([line(google.format(10, 1)), line(google.format(12, 1)),  # the most: 12
                   line(google.format(5, 2)),  # another subscription to the same URL
                   line(google.format(7, 1), when=DAY + timedelta(days=1))])
    stats = stats_of(settings, log)
    assert stats["site"]["daily_subscribers"] == {"2026-10-01": 17, "2026-10-02": 7}
    assert stats["site"]["day"]["subscribers"] == 7
    assert stats["site"]["week"]["subscribers"] == 12  # the mean of 17 and 7


def test_windows_are_counted_back_from_the_newest_day_of_the_logs(settings: Settings) -> None:
    log = "".join(line(NEWSBOAT, address=f"198.51.100.{day}", when=DAY + timedelta(days=day))
                  * (day + 1) for day in range(40))
    stats = stats_of(settings, log)
    assert stats["last_day"] == (DAY + timedelta(days=39)).date().isoformat()
    windows = {name: stats["site"][name] for name in ("day", "week", "month")}
    assert windows["day"] == {"subscribers": 1, "polls": 40, "not_modified": 0,
                              "bytes": 40 * 5120, "not_modified_share": 0}
    assert windows["week"]["polls"] == sum(range(34, 41))
    assert windows["month"]["polls"] == sum(range(11, 41))
    assert windows["week"]["subscribers"] == windows["month"]["subscribers"] == 1


def test_a_local_time_is_counted_on_its_utc_day(settings: Settings) -> None:
    log = ('203.0.113.5 - - [02/Dec/2026:06:30:00 +0700] "GET /rss.xml HTTP/1.1" 200 10 "-" '
           f'"{NEWSBOAT}"\n')
    assert stats_of(settings, log)["last_day"] == "2026-12-01"


def test_malformed_lines_are_counted_and_skipped(settings: Settings) -> None:
    log = "".join([line(NEWSBOAT), "not a log line\n", "\n",
                   line(NEWSBOAT).replace("[", ""),  # no time
                   '1.2.3.4 - - [01/Dec/2026:08:00:00 +0000] "GET /rss.xml HTTP/1.1" 200\n',
                   "\x00\xff binary\n", line(NEWSBOAT, address="198.51.100.9")])
    stats = stats_of(settings, log)
    assert (stats["lines_read"], stats["malformed_lines"]) == (7, 5)
    assert stats["site"]["day"]["subscribers"] == 2


def test_nginx_and_apache_escapes_in_a_user_agent_and_a_request(settings: Settings) -> None:
    agent = r"Mozilla/5.0 (compatible; inoreader.com; 3 subscribers) \x22quoted\x22"
    apache = r'Feedbin feed-id:5 - 4 subscribers \"quoted\" \\'
    log = (line(agent, "/rss.xml?q=%22a%22") + line(NEWSBOAT, "/rss.xml")
           + line(apache, "/atom.xml") + line(BROWSER_QUOTED, "/index.html"))
    stats = stats_of(settings, log)
    assert stats["malformed_lines"] == 0
    readers = stats["site"]["readers"]
    assert (readers["Inoreader"]["subscribers"], readers["Feedbin"]["subscribers"]) == (3, 4)


def test_a_site_below_a_path_counts_its_own_feeds_only(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, base_url="https://example.id/berita/")
    log = line(NEWSBOAT, "/berita/rss.xml") + line(NEWSBOAT, "/rss.xml", address="1.1.1.1")
    stats = stats_of(settings, log)
    assert [feed["feed"] for feed in stats["feeds"]] == [""]
    assert stats["site"]["day"]["polls"] == 1


# --- the history --------------------------------------------------------------------


def test_the_same_log_read_twice_is_counted_once(settings: Settings) -> None:
    log = line(FEEDLY) + line(NEWSBOAT)
    first = stats_of(settings, log)
    again = stats_of(settings, log)
    assert first == again
    assert again["site"]["day"]["polls"] == 2 and again["lines_read"] == 2


def test_a_grown_log_is_read_from_where_the_last_run_stopped(settings: Settings) -> None:
    path = settings.state_path.parent.parent / "access.log"
    path.write_text(line(NEWSBOAT) + line(FEEDLY)[:40])  # a writer in the middle of a line
    update(settings, [str(path)])
    assert report(settings).as_json()["site"]["day"]["polls"] == 1
    with path.open("a") as log:
        log.write(line(FEEDLY)[40:] + line(NEWSBOAT, address="1.2.3.4"))
    update(settings, [str(path)])
    stats = report(settings).as_json()
    assert stats["site"]["day"]["polls"] == 3 and stats["lines_read"] == 3


def rotate(directory: Path, fresh: str) -> None:
    """logrotate with `compress` and `delaycompress`: .2.gz -> .3.gz, .1 -> .2.gz,
    the log -> .1, and a new log."""
    for number in range(8, 1, -1):
        older = directory / f"access.log.{number}.gz"
        if older.exists():
            older.rename(directory / f"access.log.{number + 1}.gz")
    if (directory / "access.log.1").exists():
        data = (directory / "access.log.1").read_bytes()
        (directory / "access.log.2.gz").write_bytes(gzip.compress(data))
        (directory / "access.log.1").unlink()
    (directory / "access.log").rename(directory / "access.log.1")
    (directory / "access.log").write_text(fresh)


def test_a_rotated_and_compressed_series_is_counted_once_whatever_is_read_when(
        tmp_path: Path) -> None:
    settings = make_settings(tmp_path, access_log=str(tmp_path / "logs" / "access.log"))
    logs = tmp_path / "logs"
    logs.mkdir()
    days = [line(NEWSBOAT, address=f"198.51.100.{n}", when=DAY + timedelta(days=n)) * 3
            for n in range(5)]
    (logs / "access.log").write_text(days[0])
    from feeds.stats import default_logs

    for day in days[1:]:
        update(settings, default_logs(settings))  # a run a day, before the rotation
        rotate(logs, day)
    update(settings, default_logs(settings))
    assert sorted(path.name for path in logs.iterdir()) == [
        "access.log", "access.log.1", "access.log.2.gz", "access.log.3.gz", "access.log.4.gz"]
    stats = report(settings).as_json()
    assert stats["lines_read"] == 15
    assert stats["site"]["daily_subscribers"] == {
        (DAY + timedelta(days=n)).date().isoformat(): 1 for n in range(5)}
    # All of it again, and from standard input: nothing new.
    update(settings, default_logs(settings))
    assert report(settings).as_json() == stats
    # A second history reading the whole series at once counts the same.
    other = make_settings(tmp_path / "other", access_log=settings.access_log)
    update(other, default_logs(other))
    assert report(other).as_json()["site"] == stats["site"]


def test_gzip_bzip2_and_standard_input(settings: Settings, monkeypatch: pytest.MonkeyPatch
                                       ) -> None:
    root = settings.state_path.parent.parent
    (root / "a.log.gz").write_bytes(gzip.compress(line(NEWSBOAT, address="1.1.1.1").encode()))
    (root / "b.log.bz2").write_bytes(bz2.compress(line(NEWSBOAT, address="2.2.2.2").encode()))
    fake = io.TextIOWrapper(io.BufferedReader(io.BytesIO(
        line(NEWSBOAT, address="3.3.3.3").encode())))
    monkeypatch.setattr(sys, "stdin", fake)
    run = update(settings, [str(root / "a.log.gz"), str(root / "b.log.bz2"), "-",
                            str(root / "missing.log")])
    assert run.failed == [(str(root / "missing.log"), "No such file or directory")]
    assert report(settings).as_json()["site"]["day"]["subscribers"] == 3


def test_no_address_is_stored_and_a_closed_day_keeps_only_its_counts(
        settings: Settings) -> None:
    log = "".join(line(NEWSBOAT, address=f"203.0.113.{day}", when=DAY + timedelta(days=day))
                  for day in range(6))
    stats = stats_of(settings, log)
    path = history_path(settings)
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert b"203.0.113" not in raw and b"Newsboat/2.29" not in raw
    with sqlite3.connect(path) as history:
        kept = {day for (day,) in history.execute("SELECT day FROM keys")}
        hashed = {day for (day,) in history.execute("SELECT DISTINCT day FROM clients")}
    assert kept == hashed == {"2026-10-04", "2026-10-05", "2026-10-06"}  # open days only
    assert set(stats["site"]["daily_subscribers"].values()) == {1}


def test_a_client_is_not_followed_from_one_day_to_the_next(settings: Settings) -> None:
    stats_of(settings, line(NEWSBOAT) + line(NEWSBOAT, when=DAY + timedelta(days=1)))
    with sqlite3.connect(history_path(settings)) as history:
        clients = [client for (client,) in history.execute(
            "SELECT client FROM clients WHERE feed = '*'")]
    assert len(clients) == 2 and clients[0] != clients[1]  # the same reader, two keys


def test_a_log_is_read_a_block_at_a_time(settings: Settings) -> None:
    """A log is read a block at a time, each block's distinct requests handed on
    and let go (`bench/stats.py` reads a 1 GB log in bounded memory)."""
    blocks: list[int] = []
    tally = Tally(lambda requests: blocks.append(len(requests)))
    lines = (line(FEEDLY) + line(NEWSBOAT)).encode()
    path = settings.state_path.parent.parent / "big.log"
    with path.open("wb") as log:
        for _ in range(200):
            log.write(lines * 1000)
    reading = read_log(Log(str(path)), {}, tally)
    assert reading.end == path.stat().st_size
    assert (tally.lines, tally.malformed) == (400_000, 0)
    assert len(blocks) > 1 and max(blocks) == 2  # each block's distinct requests, let go


# --- the page ----------------------------------------------------------------------


def test_the_page_is_private_unless_configured_public(tmp_path: Path) -> None:
    private = make_settings(tmp_path / "a")
    stats_of(private, line(FEEDLY))
    page = write_page(private, report(private))
    assert page == private.state_path.parent / "stats" / "index.html"
    assert not (private.output_dir / "stats").exists()
    public = make_settings(tmp_path / "b", stats_public=True)
    stats_of(public, line(FEEDLY))
    assert write_page(public, report(public)) == public.output_dir / "stats" / "index.html"


def test_the_page_is_the_same_when_nothing_changed(settings: Settings) -> None:
    stats_of(settings, line(FEEDLY) + line(NEWSBOAT, when=DAY + timedelta(days=1)))
    page = write_page(settings, report(settings))
    before = {p.name: p.read_bytes() for p in page.parent.iterdir()}
    stats_of(settings, line(FEEDLY) + line(NEWSBOAT, when=DAY + timedelta(days=1)))
    write_page(settings, report(settings))
    assert {p.name: p.read_bytes() for p in page.parent.iterdir()} == before


@pytest.mark.slow
def test_the_page_is_tidy_and_chromium_draws_its_chart(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    log = "".join(line(agent, path, address=f"198.51.100.{n % 50}",
                       when=DAY + timedelta(days=n % 20, hours=n % 24))
                  for n, (agent, path) in enumerate(
                      [(FEEDLY, "/rss.xml"), (NEWSBOAT, "/category/dunia/rss.xml"),
                       (HOSTED[2][0], "/category/olahraga/atom.xml"),
                       (DIRECT[3][0], "/author/hani/feed.json")] * 60))
    stats_of(settings, log)
    page = write_page(settings, report(settings))
    tidy = subprocess.run([need("tidy"), "-e", "-q", str(page)], capture_output=True, text=True,
                          check=False)
    assert (tidy.returncode, tidy.stderr) == (0, "")
    svg = (page.parent / "subscribers.svg").read_bytes()
    assert svg.startswith(b"<?xml") and b"<svg" in svg
    screenshot = Path(os.environ.get("FEEDS_SCREENSHOT_DIR", tmp_path)) / "stats.png"
    profile = tmp_path / "chromium-profile"
    chromium = need("chromium")
    dom = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                          "--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                    f"--screenshot={screenshot}", "--window-size=1100,1400", page.as_uri()],
                   capture_output=True, timeout=120, check=True)
    print(f"screenshot: {screenshot}")
    assert 'src="subscribers.svg"' in dom and "category/dunia/" in dom
    assert screenshot.stat().st_size > 20_000  # a chart, not a blank page


# --- end to end ------------------------------------------------------------------


@pytest.mark.slow
def test_the_real_server_s_log_while_the_daemon_runs(tmp_path: Path) -> None:
    """`feeds run --serve` answers newsboat and a hosted reader; `feeds stats`,
    run beside the daemon, reads its access log and reports both."""
    port = free_port()
    root = tmp_path
    (root / "input").mkdir()
    shutil.copy(SEED_DUNIA_2025, root / "input" / "a.txt")
    shutil.copy(SEED_DUNIA_2024, root / "input" / "b.txt")
    config = root / "feeds.toml"
    config.write_text(f"""
[site]
base_url = "http://127.0.0.1:{port}/"
[paths]
input = "input"
output = "output"
state = "state/feeds.sqlite3"
[server]
port = {port}
access_log = "logs/access.log"
""", encoding="utf-8")
    build(make_settings(root, base_url=f"http://127.0.0.1:{port}/"))
    with (root / "daemon.log").open("ab") as handle:
        daemon = subprocess.Popen([sys.executable, "-m", "feeds", "run", "--serve", "-c",
                                   str(config)], stdout=handle, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_until_serving(base + "rss.xml", daemon)
        home = tmp_path / "reader"
        home.mkdir()
        newsboat_reload(home, [base + "rss.xml", base + "category/dunia/atom.xml"]).close()
        for _ in range(2):
            request = urllib.request.Request(base + "rss.xml", headers={"User-Agent": FEEDLY})
            urllib.request.urlopen(request, timeout=10).read()
        written = root / "logs" / "access.log"
        deadline = time.monotonic() + 15  # the log's writer thread writes what is queued
        while time.monotonic() < deadline and not (
                written.exists() and written.read_text().count("Feedly") == 2
                and written.read_text().count("Newsboat") >= 2):
            time.sleep(0.1)
        result = subprocess.run([sys.executable, "-m", "feeds", "stats", "--json", "-c",
                                 str(config)], capture_output=True, text=True, timeout=60,
                                check=False)
    finally:
        daemon.terminate()
        assert daemon.wait(timeout=20) == 0
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    readers = stats["site"]["readers"]
    assert readers["Feedly"]["subscribers"] == 462 and readers["Feedly"]["polls"] == 2
    assert readers["newsboat"] == {**readers["newsboat"], "subscribers": 1, "polls": 2}
    feeds = {feed["feed"]: feed["day"]["subscribers"] for feed in stats["feeds"]}
    assert feeds == {"": 463, "category/dunia/": 1}
    assert stats["this_run"]["logs"] == [str(root / "logs" / "access.log")]


def test_the_clients_of_days_read_past_are_counted_and_let_go() -> None:
    """Reading a month, the hashes held are those of the last few days only."""
    from collections import Counter

    from feeds.stats.count import Counting
    from feeds.stats.history import OPEN_DAYS
    from feeds.stats.logs import LINE

    counting = Counting("/", lambda day: day.encode().ljust(32, b"k"), held=set())
    for day in range(30):
        block = "".join(line(NEWSBOAT, address=f"10.0.{day}.{n}", when=DAY + timedelta(days=day))
                        for n in range(50)).encode()
        counting.add(Counter(LINE.findall(block)))
        assert len({key[0] for key in counting.clients}) <= OPEN_DAYS + 1
    figures = counting.figures()
    counted = {(day, feed): count for (day, feed, _), count in figures.counted.items()}
    assert counted[("2026-10-01", "*")] == counted[("2026-10-01", "")] == 50
    assert len(counted) == 2 * (30 - OPEN_DAYS - 1)


# --- what a review found ---------------------------------------------------------


def test_dateext_rotations_given_newest_first_are_read_oldest_first(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    names = []
    for day in range(8):
        when = DAY + timedelta(days=day)
        path = tmp_path / f"access.log-{when:%Y%m%d}"
        path.write_text("".join(line(NEWSBOAT, address=f"10.0.0.{n}", when=when)
                                for n in range(5)))
        names.append(str(path))
    update(settings, sorted(names, reverse=True))
    daily = report(settings).as_json()["site"]["daily_subscribers"]
    assert set(daily.values()) == {5}, daily


def test_a_first_line_longer_than_the_fingerprint_still_reads(settings: Settings) -> None:
    long = line(NEWSBOAT, "/" + "x" * 9000 + ".html")
    stats = stats_of(settings, long + line(NEWSBOAT) * 3)
    assert stats["site"]["day"]["polls"] == 3 and stats["lines_read"] == 4


def test_a_log_broken_half_way_is_read_up_to_the_break_once(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("feeds.stats.logs.BLOCK", 16384)  # many blocks before the break
    root = settings.state_path.parent.parent
    data = gzip.compress("".join(line(NEWSBOAT, address=f"10.1.{n // 250}.{n % 250}")
                                 for n in range(20_000)).encode(), compresslevel=1)
    (root / "cut.log.gz").write_bytes(data[: len(data) // 2])
    (root / "bad.log.gz").write_bytes(b"\x1f\x8b\x08\x00garbage that is no deflate stream")
    for _ in range(3):
        run = update(settings, [str(root / "cut.log.gz"), str(root / "bad.log.gz")])
        assert {name for name, _ in run.failed} == {str(root / "cut.log.gz"),
                                                    str(root / "bad.log.gz")}
    polls = report(settings).as_json()["site"]["day"]["polls"]
    assert 0 < polls < 20_000  # what came before the break, counted once over three runs
    assert polls == report(settings).as_json()["lines_read"]


def test_a_time_that_is_no_time_is_a_malformed_line(settings: Settings) -> None:
    bad = [line(NEWSBOAT).replace("/Oct/", "/Xyz/"), line(NEWSBOAT).replace("01/Oct", "31/Feb"),
           line(NEWSBOAT).replace("+0000", "+9999")]
    stats = stats_of(settings, "".join(bad) + line(NEWSBOAT))
    assert stats["malformed_lines"] == 3 and stats["site"]["day"]["polls"] == 1


def test_a_half_hour_zone_moves_the_day_by_its_minutes(settings: Settings) -> None:
    log = ('203.0.113.5 - - [05/Oct/2026:05:40:00 +0530] "GET /rss.xml HTTP/1.1" 200 10 "-" '
           f'"{NEWSBOAT}"\n')
    assert stats_of(settings, log)["last_day"] == "2026-10-05"  # 00:10 UTC


def test_lines_dated_after_tomorrow_are_skipped_not_counted(settings: Settings) -> None:
    path = settings.state_path.parent.parent / "clock.log"
    path.write_text(line(NEWSBOAT) + line(NEWSBOAT, when=DAY + timedelta(days=400)))
    run = update(settings, [str(path)], today=DAY.date())
    assert run.future == 1
    stats = report(settings, today=DAY.date() + timedelta(days=1)).as_json()
    assert stats["last_day"] == "2026-10-01" and stats["site"]["day"]["polls"] == 1


def test_a_shorter_copy_of_a_log_read_first_does_not_count_the_rest_twice(
        settings: Settings) -> None:
    root = settings.state_path.parent.parent
    whole = "".join(line(NEWSBOAT, address=f"10.2.0.{n}") for n in range(10))
    (root / "access.log").write_text(whole)
    update(settings, [str(root / "access.log")])
    (root / "copy.log").write_text(whole[: len(whole) // 2 + 1])
    update(settings, [str(root / "copy.log"), str(root / "access.log")])
    assert report(settings).as_json()["site"]["day"]["polls"] == 10


class _Trickle(io.RawIOBase):
    """A pipe that gives one byte a read."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: object) -> int:
        if not self.data:
            return 0
        buffer[0] = self.data[0]  # type: ignore[index]
        self.data = self.data[1:]
        return 1


def test_gzip_on_a_trickling_pipe_and_no_standard_input(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    data = gzip.compress(line(NEWSBOAT).encode())
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(_Trickle(data), 1)))
    update(settings, ["-"])
    assert report(settings).as_json()["site"]["day"]["polls"] == 1
    monkeypatch.setattr(sys, "stdin", None)
    assert update(settings, ["-"]).failed == [("-", "no standard input")]


def test_the_report_ends_at_the_last_complete_day(settings: Settings) -> None:
    log = line(NEWSBOAT) + line(NEWSBOAT, address="1.1.1.1", when=DAY + timedelta(days=1))
    path = settings.state_path.parent.parent / "two.log"
    path.write_text(log)
    update(settings, [str(path)], today=DAY.date() + timedelta(days=1))
    stats = report(settings, today=DAY.date() + timedelta(days=1)).as_json()
    assert stats["last_day"] == "2026-10-01"  # the 2nd is under way
    assert stats["site"]["day"]["polls"] == 1
