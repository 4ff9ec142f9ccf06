#!/usr/bin/env python3
"""Issue 31's image probes (`images.probe`): what sizing N unsized lead images costs.

    python bench/probe.py [--images 2000] [--latency 20] [--bandwidth 50] [--rounds 3]

A local HTTP server (loopback; its own process, a thread a request; a Range request answered
with the range, as nginx, S3 and CDNs answer it) serves one real 1600 x 900 JPEG (24 KB of
metadata before its frame header, as a camera's EXIF thumbnail puts it) under N names, each
answer delayed by `--latency` ms and each connection paced to `--bandwidth` Mbit/s, to stand
for the network. N HTML dumps each name one of
those images without stating its size, and are built once with probing off. Then, each
round, side by side with the same concurrency (8):
  - feeds: `feeds build` with `images.probe` on, in process, from a copy of that state:
    it lists the waiting entries, probes every image, shows the entries again and
    renders their pages and feeds;
  - probes alone: `feeds.probe.probe` over the same URLs on 8 threads, nothing else
    (the floor of the stage: what is left is the state and the rendering);
  - whole downloads: each image fetched whole with urllib and measured by Pillow, the
    way a script without a header reader would.
Printed: medians of wall time, bytes the server sent, and the ratios.
"""

from __future__ import annotations

import argparse
import functools
import io
import ipaddress
import multiprocessing
import re
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402

from feeds.probe import ProbeRules, probe  # noqa: E402
from feeds.publish import publish  # noqa: E402
from feeds.state import State  # noqa: E402
from tests.conftest import make_settings  # noqa: E402
from tests.test_parse_html import BODY, html  # noqa: E402

CONCURRENCY = 8
CHUNK = 16384  # what the server writes at a time, pacing each connection to the bandwidth


def camera_jpeg() -> bytes:
    """A 1600 x 900 JPEG with 24 KB of metadata before its frame header, as a camera's
    EXIF thumbnail puts it: a probe reads several chunks before it has the size."""
    picture = Image.effect_noise((1600, 900), 48).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "Kamera"
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=70, exif=exif.tobytes(), icc_profile=bytes(24 * 1024))
    return out.getvalue()


class Server:
    """The image server, in a process of its own (its threads do not take the
    measured process's GIL), answering a Range request with that range, as nginx,
    S3 and CDNs do; `sent` counts the body bytes it wrote."""

    def __init__(self, body: bytes, latency: float, bandwidth: float) -> None:
        context = multiprocessing.get_context("fork")
        self.sent = context.Value("q", 0)
        ready = context.Queue()
        self.process = context.Process(target=_serve, daemon=True,
                                       args=(body, latency, bandwidth, self.sent, ready))
        self.process.start()
        self.base = f"http://127.0.0.1:{ready.get(timeout=10)}"

    def take_sent(self) -> int:
        with self.sent.get_lock():
            sent, self.sent.value = self.sent.value, 0
        return int(sent)


def _serve(body: bytes, latency: float, bandwidth: float, sent: Any, ready: Any) -> None:
    """Serve until killed; each connection paced to `bandwidth` bytes a second."""
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            time.sleep(latency)
            wanted = re.fullmatch(r"bytes=0-(\d+)", self.headers.get("Range", ""))
            part = body[:int(wanted[1]) + 1] if wanted else body
            self.send_response(206 if wanted else 200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(part)))
            if wanted:
                self.send_header("Content-Range", f"bytes 0-{len(part) - 1}/{len(body)}")
            self.end_headers()
            for start in range(0, len(part), CHUNK):
                try:
                    self.wfile.write(part[start:start + CHUNK])
                except OSError:
                    return  # the client had what it needed
                with sent.get_lock():
                    sent.value += len(part[start:start + CHUNK])
                time.sleep(CHUNK / bandwidth)

    class Listener(ThreadingHTTPServer):
        request_queue_size = 256  # eight clients at once never wait for a SYN retry
        daemon_threads = True

    listener = Listener(("127.0.0.1", 0), Handler)
    ready.put(listener.server_address[1])
    listener.serve_forever()


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def whole_download(url: str) -> tuple[int, int]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        data = answer.read()
    with Image.open(io.BytesIO(data)) as picture:
        return picture.size


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--images", type=int, default=2000)
    options.add_argument("--latency", type=float, default=20.0, help="ms before each answer")
    options.add_argument("--bandwidth", type=float, default=50.0,
                         help="Mbit/s of each connection")
    options.add_argument("--rounds", type=int, default=3)
    args = options.parse_args()
    body = camera_jpeg()
    server = Server(body, args.latency / 1000, args.bandwidth * 1e6 / 8)
    urls = [f"{server.base}/img/{number}.jpg" for number in range(args.images)]
    rules = ProbeRules(timeout=10, max_bytes=65536, user_agent="bench",
                       allow=(ipaddress.ip_network("127.0.0.1/32"),))
    with tempfile.TemporaryDirectory(prefix="feeds-probe-") as scratch:
        root = Path(scratch)
        base = make_settings(root / "base", images_concurrency=CONCURRENCY,
                             images_allow_networks=("127.0.0.1/32",), images_timeout=10.0)
        for number, url in enumerate(urls):
            title = f"Berita Nomor {number} Hari Ini"
            page = html(f'<meta property="og:image" content="{url}">',
                        BODY.replace("Maroko Dorong", title))
            (base.input_dir / f"{number:05}.html").write_bytes(page)
        with State(base.state_path) as state:
            publish(base, state)
        print(f"{args.images} images of {len(body):,} bytes, {args.latency:g} ms latency, "
              f"{args.bandwidth:g} Mbit/s a connection, {CONCURRENCY} at once")
        results: dict[str, list[float]] = {"feeds": [], "probes alone": [], "whole": []}
        sent: dict[str, int] = {}

        def feeds_round(number: int) -> None:
            work = root / f"round-{number}"
            shutil.copytree(root / "base", work, symlinks=True)
            settings = replace(base, images_probe=True, output_dir=work / "output",
                               state_path=work / "state" / "feeds.sqlite3")
            with State(settings.state_path) as state:
                report = publish(settings, state)
            assert report.sized == args.images, report.sized

        def probes_alone() -> None:
            with ThreadPoolExecutor(CONCURRENCY) as pool:
                found = list(pool.map(lambda url: probe(url, rules), urls))
            assert all(item.size is not None for item in found)

        def whole() -> None:
            with ThreadPoolExecutor(CONCURRENCY) as pool:
                found = list(pool.map(whole_download, urls))
            assert all(size == (1600, 900) for size in found)

        for number in range(args.rounds):
            for name, run in (("feeds", functools.partial(feeds_round, number)),
                              ("probes alone", probes_alone), ("whole", whole)):
                server.take_sent()
                results[name].append(timed(run))
                sent[name] = server.take_sent()
        medians = {name: statistics.median(times) for name, times in results.items()}
        for name, median in medians.items():
            print(f"  {name:13} {median:7.2f} s  {median / args.images * 1000:6.2f} ms/image  "
                  f"{sent[name] / args.images / 1024:7.1f} KiB/image sent")
        print(f"feeds against whole downloads: {medians['whole'] / medians['feeds']:.2f}x "
              f"faster, {sent['whole'] / max(sent['feeds'], 1):.1f}x fewer bytes")
        floor = medians["feeds"] / medians["probes alone"]
        print(f"feeds against probes alone (the floor): {floor:.2f}x the time")


if __name__ == "__main__":
    main()
