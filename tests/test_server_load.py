"""The built-in server under a feed reader's load: many keep-alive connections
at once, conditional GETs that keep the connection, and logs an operator can
live with. Against the real `feeds serve` process."""

from __future__ import annotations

import http.client
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import SEED_DUNIA_2024, SEED_DUNIA_2025, build, make_settings
from tests.serving import free_port, load, serving, wait_until_serving


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    settings = make_settings(tmp_path_factory.mktemp("load"))
    shutil.copy(SEED_DUNIA_2025, settings.input_dir / "a.txt")
    shutil.copy(SEED_DUNIA_2024, settings.input_dir / "b.txt")
    build(settings)
    return settings.output_dir


def test_a_304_keeps_the_connection_and_reads_nothing(output: Path) -> None:
    with serving(output) as base:
        port = int(base.rsplit(":", 1)[1].strip("/"))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/rss.xml")
        first = connection.getresponse()
        first.read()
        etag = first.headers["ETag"]
        sock = connection.sock
        for _ in range(3):
            connection.request("GET", "/rss.xml", headers={"If-None-Match": etag})
            again = connection.getresponse()
            assert (again.status, again.read()) == (304, b"")
            assert again.headers.get("Connection") is None  # not "close"
            assert again.headers["ETag"] == etag
            assert connection.sock is sock  # the same connection throughout
        connection.request("GET", "/rss.xml", headers={"If-None-Match": etag,
                                                       "Connection": "close"})
        closing = connection.getresponse()
        assert closing.status == 304 and closing.headers["Connection"] == "close"
        connection.close()


def test_200_simultaneous_keep_alive_clients_are_all_answered(output: Path,
                                                              tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with serving(output, log) as base:
        port = int(base.rsplit(":", 1)[1].strip("/"))
        with urllib.request.urlopen(base + "atom.xml") as response:
            etag = response.headers["ETag"]
        full = load("127.0.0.1", port, "/atom.xml", connections=200, seconds=3)
        conditional = load("127.0.0.1", port, "/atom.xml", connections=200, seconds=3,
                           headers={"If-None-Match": etag})
    assert full.unanswered == conditional.unanswered == 0
    assert set(full.statuses) == {200} and set(conditional.statuses) == {304}
    assert full.closed_by_server == conditional.closed_by_server == 0
    warnings = [line for line in log.read_text(encoding="utf-8").splitlines()
                if "WARNING" in line and "links in the output" not in line
                and "every link in the output" not in line]
    assert len(warnings) < 10, warnings[:10]


def test_the_access_log_goes_where_the_setting_says(output: Path, tmp_path: Path) -> None:
    for where, expected_in_file in (("access.log", True), ("", False)):
        config = tmp_path / f"feeds-{expected_in_file}.toml"
        config.write_text(f'[paths]\noutput = "{output}"\n[server]\nport = {free_port()}\n'
                          f'access_log = "{where}"\n', encoding="utf-8")
        port = int(config.read_text(encoding="utf-8").split("port = ")[1].split()[0])
        stderr = tmp_path / f"stderr-{expected_in_file}.log"
        with stderr.open("wb") as handle:
            process = subprocess.Popen([sys.executable, "-m", "feeds", "serve", "-c",
                                        str(config)], stderr=handle)
        try:
            wait_until_serving(f"http://127.0.0.1:{port}/rss.xml", process)
        finally:
            process.terminate()
            assert process.wait(timeout=10) == 0
        logged = stderr.read_text(encoding="utf-8")
        assert '"GET /rss.xml HTTP/1.1" 200' not in logged  # never beside the other logs
        access = tmp_path / "access.log"
        if expected_in_file:
            assert '"GET /rss.xml HTTP/1.1" 200' in access.read_text(encoding="utf-8")
        else:
            assert access.read_text(encoding="utf-8").count("GET /rss.xml") == 1  # the first
