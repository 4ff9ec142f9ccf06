"""What a first-time user meets: the configuration found from any directory,
clear refusals, honest counts, and times shown in the site's zone."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from feeds.cli import _parser
from feeds.config import LOCAL_CONFIG, SCHEMA, find_config, load_config, load_settings
from feeds.inputs import has_writer
from tests.conftest import SEED_DUNIA_2024, SEED_DUNIA_2025, build, make_settings

REPO = Path(__file__).resolve().parents[1]


def feeds(*args: str | Path, cwd: Path, env: dict[str, str] | None = None,
          ) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "FEEDS_CONFIG"} | (env or {})
    return subprocess.run([sys.executable, "-m", "feeds", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, check=False, env=environment,
                          timeout=60)


def seeded(root: Path) -> Path:
    inputs = root / "in"
    inputs.mkdir(parents=True)
    shutil.copy(SEED_DUNIA_2025, inputs / "a.txt")
    shutil.copy(SEED_DUNIA_2024, inputs / "b.txt")
    return inputs


def test_build_works_from_any_directory_with_no_configuration(tmp_path: Path) -> None:
    elsewhere = tmp_path / "somewhere"
    elsewhere.mkdir()
    inputs = seeded(tmp_path)
    result = feeds("build", "--input", inputs, "--output", tmp_path / "out", "--state",
                   tmp_path / "s.db", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "category" / "dunia" / "atom.xml").exists()
    status = feeds("status", "--state", tmp_path / "s.db", cwd=elsewhere)
    assert "configuration: built-in defaults (no configuration file)" in status.stdout
    assert "state: 2 entries in 1 category\n" in status.stdout


def test_built_in_defaults_use_paths_below_the_working_directory(tmp_path: Path) -> None:
    seeded(tmp_path)
    (tmp_path / "in").rename(tmp_path / "input")
    result = feeds("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "output" / "index.html").exists()
    assert (tmp_path / "state" / "feeds.sqlite3").exists()


def test_the_configuration_is_found_as_users_expect(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    local = tmp_path / "config" / "feeds.toml"
    local.write_text('[site]\ntitle = "Lokal"\n', encoding="utf-8")
    named = tmp_path / "named.toml"
    named.write_text('[site]\ntitle = "Lingkungan"\n', encoding="utf-8")
    given = tmp_path / "given.toml"
    given.write_text('[site]\ntitle = "Diberikan"\n', encoding="utf-8")
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        assert find_config(None, {}) == LOCAL_CONFIG
        assert find_config(None, {"FEEDS_CONFIG": str(named)}) == named
        assert find_config(given, {"FEEDS_CONFIG": str(named)}) == given
        local.unlink()
        assert find_config(None, {}) is None
    finally:
        os.chdir(here)
    status = feeds("status", cwd=tmp_path, env={"FEEDS_CONFIG": str(named)})
    assert f"configuration: {named}" in status.stdout


def test_built_in_defaults_agree_with_the_shipped_configuration() -> None:
    shipped = load_settings(REPO / "config" / "feeds.toml")
    here = Path.cwd()
    os.chdir(REPO)
    try:
        defaults = load_config(None)
    finally:
        os.chdir(here)
    # The one difference on purpose: the shipped file publishes the sample input.
    assert shipped.input_dir == REPO / "samples" / "input"
    assert defaults.input_dir == REPO / "input"
    assert replace(shipped, input_dir=defaults.input_dir) == defaults
    with (REPO / "config" / "feeds.toml").open("rb") as handle:
        document = tomllib.load(handle)
    for table, keys in SCHEMA.items():  # every setting is spelled out in the shipped file
        assert set(document[table]) == set(keys), table


@pytest.mark.parametrize("command", ["build", "run"])
def test_a_missing_input_directory_is_refused_before_anything_is_made(
        tmp_path: Path, command: str) -> None:
    result = feeds(command, "--input", tmp_path / "typo", "--output", tmp_path / "out",
                   "--state", tmp_path / "state" / "s.db", cwd=tmp_path)
    assert result.returncode == 1
    assert f"{tmp_path / 'typo'}: input directory not found" in result.stderr
    assert not (tmp_path / "typo").exists()
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "state").exists()


def test_a_touched_dump_counts_as_unchanged_and_counts_are_in_words(tmp_path: Path) -> None:
    inputs = seeded(tmp_path)
    args = ("build", "--input", inputs, "--output", tmp_path / "out", "--state",
            tmp_path / "s.db")
    first = feeds(*args, cwd=tmp_path)
    assert "2 parsed, 0 rejected, 0 unchanged; 2 entries changed" in first.stderr
    os.utime(inputs / "a.txt")
    touched = feeds(*args, cwd=tmp_path)
    assert touched.returncode == 0, touched.stderr
    assert ("0 parsed, 0 rejected, 2 unchanged; 0 entries changed, no file written: "
            f"{tmp_path / 'out'} was up to date") in touched.stderr
    shutil.copy(SEED_DUNIA_2024, inputs / "b.txt")
    (inputs / "b.txt").write_text(SEED_DUNIA_2024.read_text(encoding="utf-8") + "\nTambahan.\n",
                                  encoding="utf-8")
    one = feeds(*args, cwd=tmp_path)
    assert "1 parsed, 0 rejected, 1 unchanged; 1 entry changed" in one.stderr
    rebuilt = feeds(*args, "--rebuild", cwd=tmp_path)
    assert "rebuilt 2 entries from the input, no file written" in rebuilt.stderr


@pytest.mark.parametrize(("date_line", "status", "said"), [
    ("JUMAT, 30 MEI 2025 | 16:01 WIB", 0, "(1 paragraph, 0 populer, 0 update)"),
    ("31 FEBRUARI 2025 | 25:70 WIB", 3, "impossible date in the date line '31 FEBRUARI 2025 | "
     "25:70 WIB': 2025-02-31 is not a date and 25:70 is not a time of day"),
])
def test_check_says_what_a_dump_holds_or_what_is_wrong(
        tmp_path: Path, date_line: str, status: int, said: str) -> None:
    dump = tmp_path / "one.txt"
    dump.write_text(f"Berita\n\nPolitik\n\nJudul\n\n{date_line}\n\nIsi.\n", encoding="utf-8")
    result = feeds("check", dump, cwd=tmp_path)
    assert result.returncode == status
    assert said in result.stdout


def test_every_command_has_a_description() -> None:
    commands = _parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name, command in commands.items():
        assert command.description, name


def test_serve_refuses_a_missing_output_and_names_a_busy_address(tmp_path: Path) -> None:
    missing = feeds("serve", "--output", tmp_path / "nothing", cwd=tmp_path)
    assert missing.returncode == 1
    assert f"{tmp_path / 'nothing'}: output directory not found" in missing.stderr
    (tmp_path / "out").mkdir()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        taken = feeds("serve", "--output", tmp_path / "out", "--port", str(port), cwd=tmp_path)
    assert taken.returncode == 1
    assert f"127.0.0.1:{port}: cannot listen: Address already in use" in taken.stderr


def test_serve_on_another_port_says_where_the_links_point(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "feeds", "serve", "--output",
                                str(tmp_path / "out"), "--port", str(port)], cwd=tmp_path,
                               stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        deadline = time.monotonic() + 20
        while "base_url" not in line and time.monotonic() < deadline:
            line = process.stderr.readline() if process.stderr else ""
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()
    assert (f"every link in the output points at http://127.0.0.1:8080/ (site.base_url), not "
            f"at this server (http://127.0.0.1:{port}/)") in line


def test_pages_show_the_sites_zone_and_feeds_stay_utc(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "wib")
    shutil.copy(SEED_DUNIA_2025, settings.input_dir / "a.txt")
    build(settings)
    article = next((settings.output_dir / "artikel").rglob("*.html")).read_text(encoding="utf-8")
    assert '<time datetime="2025-05-30T09:01:00Z">Jumat, 30 Mei 2025, 16:01 WIB</time>' in article
    category = (settings.output_dir / "category" / "dunia" / "index.html").read_text("utf-8")
    assert "Jumat, 30 Mei 2025, 16:01 WIB" in category
    index = (settings.output_dir / "index.html").read_text(encoding="utf-8")
    assert "Jumat, 30 Mei 2025, 16:01 WIB" in index
    atom = (settings.output_dir / "atom.xml").read_text(encoding="utf-8")
    assert "<published>2025-05-30T09:01:00+00:00</published>" in atom
    east = make_settings(tmp_path / "wit", zone="WIT")
    shutil.copy(SEED_DUNIA_2025, east.input_dir / "a.txt")
    build(east)
    page = next((east.output_dir / "artikel").rglob("*.html")).read_text(encoding="utf-8")
    assert "Jumat, 30 Mei 2025, 18:01 WIT" in page
    assert (east.output_dir / "atom.xml").read_bytes() == (
        settings.output_dir / "atom.xml").read_bytes()


def test_a_file_that_was_there_before_the_watch_waits_only_for_its_writer(
        tmp_path: Path) -> None:
    from feeds.daemon import SettleTracker

    dump = tmp_path / "a.txt"
    dump.write_bytes(SEED_DUNIA_2025.read_bytes())
    tracker = SettleTracker(600, inotify=True, input_dir=tmp_path)
    tracker.watch_started_ns = time.time_ns() + 10**9  # the watch began after the write
    with dump.open("ab") as writer:
        assert has_writer(str(dump)) is True
        assert not tracker("a.txt", dump.stat())
        writer.write(b"\n")
    assert has_writer(str(dump)) is False
    assert tracker("a.txt", dump.stat())
    polling = SettleTracker(600, inotify=False, input_dir=tmp_path)
    assert not polling("a.txt", dump.stat())  # without inotify, the settle time decides


def test_the_daemon_publishes_files_that_were_waiting_when_it_started(tmp_path: Path) -> None:
    inputs = seeded(tmp_path)
    config = tmp_path / "feeds.toml"
    config.write_text("[daemon]\nsettle_seconds = 30\ninterval = 60\n", encoding="utf-8")
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "feeds", "run", "-c", str(config), "--input", str(inputs),
         "--output", str(tmp_path / "out"), "--state", str(tmp_path / "s.db")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    feed = tmp_path / "out" / "category" / "dunia" / "atom.xml"
    try:
        while time.monotonic() - started < 20 and not (
                feed.exists() and feed.read_text(encoding="utf-8").count("<entry>") == 2):
            time.sleep(0.05)
        took = time.monotonic() - started
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert feed.read_text(encoding="utf-8").count("<entry>") == 2
    assert took < 10, f"published after {took:.1f} s: the settle time was waited for"
