"""Helpers for tests that start the real HTTP server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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
        deadline = time.monotonic() + 15
        while True:
            try:
                urllib.request.urlopen(base, timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
