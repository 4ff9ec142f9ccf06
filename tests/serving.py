"""Helpers for tests that start the real HTTP server."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(output: Path, log: Path | None = None) -> Iterator[str]:
    """`feeds serve` on a free loopback port; yields its base URL."""
    port = free_port()
    with (log or output.parent / "server.log").open("ab") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "feeds", "serve", "--output", str(output), "--port",
             str(port)], stdout=handle, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_until_serving(base, process)
        yield base
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def wait_until_serving(url: str, process: subprocess.Popen[bytes]) -> None:
    """Return once `url` answers; raise if it does not within 15 s or the server exits."""
    deadline = time.monotonic() + 15
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise
            time.sleep(0.05)


class Load(NamedTuple):
    """What a load run saw: answers by status, how many a second, how many
    connections the server closed, and the clients that never got an answer."""

    statuses: dict[int, int]
    per_second: float
    closed_by_server: int
    unanswered: int


def load(host: str, port: int, path: str, *, connections: int, seconds: float,
         headers: dict[str, str] | None = None) -> Load:
    """`connections` keep-alive clients at once, each asking for `path` again and
    again for `seconds` (every client's first request is sent before any waits)."""
    return asyncio.run(_load(host, port, path, connections, seconds, headers or {}))


async def _load(host: str, port: int, path: str, connections: int, seconds: float,
                headers: dict[str, str]) -> Load:
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{lines}\r\n".encode()
    statuses: Counter[int] = Counter()
    closed = 0
    deadline = time.monotonic() + seconds

    async def client() -> bool:
        nonlocal closed
        answered = False
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.monotonic() < deadline:
                writer.write(request)
                try:
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"),
                                                  deadline + 5 - time.monotonic())
                except (TimeoutError, asyncio.IncompleteReadError):
                    return answered
                status = int(head.split(b" ", 2)[1])
                fields = head.lower()
                length = re.search(rb"\r\ncontent-length: *(\d+)", fields)
                if length and status != 304:
                    await reader.readexactly(int(length[1]))
                statuses[status] += 1
                answered = True
                if b"\r\nconnection: close" in fields:
                    closed += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
        finally:
            writer.close()
        return answered

    started = time.monotonic()
    answered = await asyncio.gather(*(client() for _ in range(connections)))
    elapsed = time.monotonic() - started
    return Load(dict(statuses), sum(statuses.values()) / elapsed, closed,
                answered.count(False))


SHIPPED_NGINX_CONF = Path(__file__).parents[1] / "deploy" / "nginx.conf"


@contextmanager
def nginx_serving(output: Path, work: Path) -> Iterator[str]:
    """A real nginx with the shipped `deploy/nginx.conf` on a free loopback port,
    only its listen address and root changed; yields its base URL."""
    import getpass
    import shutil

    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port = free_port()
    server = SHIPPED_NGINX_CONF.read_text(encoding="utf-8")
    server = re.sub(r"listen 80;", f"listen 127.0.0.1:{port};", server)
    server = re.sub(r"root /srv/feeds/output;", f"root {output.resolve()};", server)
    work.mkdir(parents=True, exist_ok=True)
    mime = next((p for p in (Path("/etc/nginx/mime.types"),) if p.exists()), None)
    # A worker must read the output wherever the test put it; only root may name
    # the user (anyone else's nginx warns that it ignores the line).
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    (work / "nginx.conf").write_text(
        f"{user}"
        f"worker_processes 1;\npid {work}/nginx.pid;\nerror_log {work}/error.log;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n{f'include {mime};' if mime else ''}\n"
        f"access_log off;\nclient_body_temp_path {work}/body;\nproxy_temp_path {work}/proxy;\n"
        f"fastcgi_temp_path {work}/fastcgi;\nuwsgi_temp_path {work}/uwsgi;\n"
        f"scgi_temp_path {work}/scgi;\n{server}\n}}\n", encoding="utf-8")
    with (work / "stderr.log").open("ab") as stderr:
        process = subprocess.Popen([nginx, "-p", str(work), "-c", str(work / "nginx.conf"),
                                    "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                                   stderr=stderr)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_until_serving(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
