#!/usr/bin/env python3
"""Issue 32's reading speed: `feeds stats` over a generated access log, beside `wc -l`
and GoAccess, in one run.

    python bench/stats.py [--size-mb 1024] [--rounds 3]

The log (combined format, kept in bench/work/stats-<size>mb.log and reused) is a month
of a news site: 20,000 people's readers and 400 hosted-reader subscriptions polling
60 feeds, browsers reading article pages, crawlers and uptime checks, a few
malformed lines. Each round runs, in turn, each as a process of its own on the same
warm file:
  - `wc -l`: the floor, counting lines;
  - `feeds stats LOG --json` into a fresh history;
  - `goaccess LOG --log-format=COMBINED -o report.json` when goaccess is installed
    (Debian: `apt-get install goaccess`), a log analyser many operators use.
Each is measured for wall time, CPU and peak memory (the largest sum of the resident
sets of the process and its descendants, sampled: bench/run.py's TreePeak). Printed:
medians, lines a second, and the ratios.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.run import Run, measured  # noqa: E402

WORK = REPO / "bench" / "work"
MB = 1024 * 1024
FEEDS = (["rss.xml", "atom.xml", "feed.json", "populer/rss.xml"]
         + [f"category/kategori-{n}/{name}" for n in range(20) for name in ("rss.xml", "atom.xml")]
         + [f"author/wartawan-{n}/rss.xml" for n in range(16)])
PEOPLE = ["Newsboat/2.29.0 (Linux x86_64)", "NetNewsWire (RSS Reader; https://netnewswire.com/)",
          "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.3.0",
          "feedparser/6.0.14 +https://github.com/kurtmckee/feedparser/",
          "Reeder/5040002 CFNetwork/1408.0.4 Darwin/22.5.0",
          "Mozilla/5.0 (compatible; Miniflux/2.2.1; +https://miniflux.app)"]
HOSTED = ["Feedly/1.0 (+http://www.feedly.com/fetcher.html; {n} subscribers; )",
          "Mozilla/5.0 (compatible; inoreader.com; {n} subscribers)",
          "Feedbin feed-id:{i} - {n} subscribers",
          "NewsBlur Feed Fetcher - {n} subscribers - https://www.newsblur.com/site/{i}/warta "
          '("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15")']
BROWSER = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/131.0.0.0 Safari/537.36")
BOTS = ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"]


def generate(path: Path, size: int) -> int:
    """Write a log of about `size` bytes; its lines."""
    rng = random.Random(32)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    lines = 0
    with path.open("w", encoding="utf-8") as log:
        while log.tell() < size:
            batch = []
            for _ in range(10_000):
                batch.append(_line(rng, start + timedelta(seconds=rng.randrange(30 * 86400))))
            if rng.random() < 0.01:
                batch.append("- - - malformed\n")
            log.write("".join(batch))
            lines += len(batch)
    return lines


def _line(rng: random.Random, when: datetime) -> str:
    kind = rng.random()
    status, size = (304, 0) if rng.random() < 0.6 else (200, rng.randrange(20_000, 90_000))
    if kind < 0.55:
        person = rng.randrange(20_000)
        address, agent = f"10.{person >> 8 & 255}.{person & 255}.{person % 7}", PEOPLE[person % 6]
        path = "/" + FEEDS[person % len(FEEDS)]
    elif kind < 0.65:
        subscription = rng.randrange(400)
        agent = HOSTED[subscription % 4].format(n=subscription % 97 + 1, i=subscription)
        address, path = f"34.1.{subscription % 50}.9", "/" + FEEDS[subscription % len(FEEDS)]
    elif kind < 0.9:
        address = f"172.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"
        agent, status = BROWSER, 200
        path = f"/artikel/2026/11/{rng.randrange(30) + 1:02}/{rng.randrange(10**9):x}.html"
    else:
        agent = rng.choice(BOTS)
        address, path = "66.249.66.1", "/" + rng.choice(FEEDS)
    stamp = when.strftime("%d/%b/%Y:%H:%M:%S +0000")
    return f'{address} - - [{stamp}] "GET {path} HTTP/1.1" {status} {size} "-" "{agent}"\n'


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--size-mb", type=int, default=1024)
    options.add_argument("--rounds", type=int, default=3)
    args = options.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    log = WORK / f"stats-{args.size_mb}mb.log"
    if not log.exists():
        print(f"writing {log} ...", flush=True)
        partial = log.with_suffix(".partial")
        generate(partial, args.size_mb * MB)
        partial.rename(log)
    lines = _count_lines(log)  # and the file is in the page cache for every contender
    print(f"{log.name}: {log.stat().st_size / MB:,.0f} MB, {lines:,} lines")
    goaccess = shutil.which("goaccess")
    results: dict[str, list[Run]] = {"wc -l": [], "feeds stats": []}
    if goaccess:
        results["goaccess"] = []
    with tempfile.TemporaryDirectory(prefix="feeds-stats-") as scratch:
        for number in range(args.rounds):
            history = Path(scratch) / f"stats-{number}.sqlite3"
            results["wc -l"].append(measured(["wc", "-l", str(log)]))
            results["feeds stats"].append(measured(
                [sys.executable, "-m", "feeds", "stats", "--json", "--history", str(history),
                 "--state", str(Path(scratch) / "state" / "feeds.sqlite3"), str(log)]))
            if goaccess:
                results["goaccess"].append(measured(
                    [goaccess, str(log), "--log-format=COMBINED", "--no-global-config",
                     "-o", str(Path(scratch) / "report.json")]))
    _print(results, lines)


def _count_lines(path: Path) -> int:
    lines = 0
    with path.open("rb") as handle:
        while block := handle.read(64 * MB):
            lines += block.count(b"\n")
    return lines


def _print(results: dict[str, list[Run]], lines: int) -> None:
    print(f"{'contender':<12} {'wall s':>8} {'CPU s':>8} {'peak MB':>8} {'lines/s':>12}")
    medians = {}
    for name, runs in results.items():
        wall = statistics.median(run.wall for run in runs)
        cpu = statistics.median(run.cpu for run in runs)
        peak = max(run.tree_mb for run in runs)
        medians[name] = wall
        print(f"{name:<12} {wall:8.2f} {cpu:8.2f} {peak:8.0f} {lines / wall:12,.0f}")
    feeds = medians["feeds stats"]
    print(f"feeds stats takes {feeds / medians['wc -l']:.1f}x the time of wc -l", end="")
    if "goaccess" in medians:
        print(f", and reads {medians['goaccess'] / feeds:.1f}x faster than GoAccess", end="")
    print()


if __name__ == "__main__":
    main()
