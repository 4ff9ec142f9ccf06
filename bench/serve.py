#!/usr/bin/env python3
"""The built-in server and nginx under a feed reader's load, side by side.

    python bench/serve.py [--seconds 3] [--connections 20]

Builds the all-articles feed of a 2,000-dump corpus (from tests/corpus.py),
then, for `feeds serve` (its shipped settings, the access log in a file) and,
when installed, a real nginx with deploy/nginx.conf (listen address and root
changed): full answers of rss.xml and conditional GETs answered 304, each from
`--connections` keep-alive clients for `--seconds`, then 200 simultaneous
keep-alive clients. Loopback only; the client shares the machine's cores with
the server, so the figures are a floor.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.serving import load, nginx_serving, serving

WORK = Path(__file__).resolve().parent / "work" / "serve"


def prepare() -> Path:
    out = WORK / "output"
    if (out / "rss.xml").exists():
        return out
    shutil.rmtree(WORK, ignore_errors=True)
    dumps = WORK / "input"
    subprocess.run([sys.executable, "-m", "tests.corpus", str(dumps), "-n", "2000"], check=True,
                   stdout=subprocess.DEVNULL)
    (dumps / "truth.jsonl").unlink()
    config = WORK / "feeds.toml"
    config.write_text(f'[paths]\ninput = "{dumps}"\noutput = "{out}"\n'
                      f'state = "{WORK / "state.sqlite3"}"\n', encoding="utf-8")
    built = subprocess.run([sys.executable, "-m", "feeds", "build", "-c", str(config)],
                           check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert built.returncode in (0, 3), built  # 3: the corpus's junk files were rejected
    return out


def measure(name: str, server: AbstractContextManager[str], seconds: float,
            connections: int) -> None:
    with server as base:
        port = int(base.rsplit(":", 1)[1].strip("/"))
        with urllib.request.urlopen(base + "rss.xml") as response:
            etag, size = response.headers["ETag"], len(response.read())
        full = load("127.0.0.1", port, "/rss.xml", connections=connections, seconds=seconds)
        cached = load("127.0.0.1", port, "/rss.xml", connections=connections, seconds=seconds,
                      headers={"If-None-Match": etag})
        crowd = load("127.0.0.1", port, "/rss.xml", connections=200, seconds=seconds,
                     headers={"If-None-Match": etag})
    print(f"{name:<13} | {size / 1024:6.0f} KB | {full.per_second:8.0f} | "
          f"{cached.per_second:8.0f} | {cached.per_second / full.per_second:5.2f} | "
          f"{crowd.per_second:8.0f} | {200 - crowd.unanswered:3d}/200 | "
          f"{full.closed_by_server + cached.closed_by_server + crowd.closed_by_server}")


def servers(out: Path) -> Iterator[tuple[str, Callable[[], AbstractContextManager[str]]]]:
    yield "feeds serve", lambda: serving(out, WORK / "feeds-serve.log")
    if shutil.which("nginx") or Path("/usr/sbin/nginx").exists():
        yield "nginx", lambda: nginx_serving(out, WORK / "nginx")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=20)
    args = parser.parse_args()
    out = prepare()
    print(f"machine: {os.cpu_count()} cores; {args.connections} keep-alive clients, "
          f"{args.seconds:g} s a phase\n")
    print("server        | rss.xml   | full/s   | 304/s    | ratio | 200 conn | answered | "
          "closed by server")
    for name, server in servers(out):
        measure(name, server(), args.seconds, args.connections)


if __name__ == "__main__":
    main()
