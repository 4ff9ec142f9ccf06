"""`feeds build` through the real command: exit statuses, reports, overrides."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest

from feeds.parse import parse_file
from tests.conftest import OPTIONS, SEED_DUNIA_2024, SEED_DUNIA_2025

REPO = Path(__file__).resolve().parents[1]


def feeds(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "feeds", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, check=False)


def test_build_reports_rejections_and_exits_3(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(SEED_DUNIA_2025, inputs / "good.txt")
    (inputs / "bad.txt").write_bytes(b"Berita\n\nJudul tanpa tanggal\n")
    args = ("build", "--input", inputs, "--output", tmp_path / "out", "--state", tmp_path / "s.db")
    first = feeds(*args)
    assert first.returncode == 3, first.stderr
    assert f"rejected {inputs / 'bad.txt'}: no date line found" in first.stderr
    assert "1 parsed, 1 rejected" in first.stderr
    assert (tmp_path / "out" / "category" / "dunia" / "atom.xml").exists()
    second = feeds(*args)  # a rejection is reported once; the status still says so
    assert second.returncode == 3
    assert "rejected " + str(inputs) not in second.stderr
    assert "1 more rejected earlier and unchanged" in second.stderr
    (inputs / "bad.txt").unlink()
    shutil.copy(SEED_DUNIA_2024, inputs / "other.txt")
    third = feeds(*args)
    assert third.returncode == 0, third.stderr
    assert "1 parsed, 0 rejected, 1 unchanged" in third.stderr


def test_a_file_name_that_is_not_utf8_is_rejected_and_the_rest_published(
        tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(SEED_DUNIA_2025, inputs / "good.txt")
    shutil.copy(SEED_DUNIA_2024, os.fsencode(inputs) + b"/\xff\xfeberita.txt")
    args = ("build", "--input", inputs, "--output", tmp_path / "out", "--state", tmp_path / "s.db")
    for _ in range(2):  # the state cannot record the name: each build says it again
        result = feeds(*args)
        assert result.returncode == 3, result.stderr
        assert ("rejected " + str(inputs) + "/\\udcff\\udcfeberita.txt: file name is not valid "
                "UTF-8; rename the file to publish it") in result.stderr
    assert "0 parsed, 1 rejected, 1 unchanged" in result.stderr
    atom = (tmp_path / "out" / "category" / "dunia" / "atom.xml").read_text(encoding="utf-8")
    assert atom.count("<entry>") == 1


def test_configuration_errors_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text('[site]\nbase_url = "relative/"\n', encoding="utf-8")
    result = feeds("build", "-c", config)
    assert result.returncode == 2
    assert f"{config}: site.base_url: expected an absolute http(s) URL" in result.stderr
    assert feeds("build", "-c", tmp_path / "missing.toml").returncode == 2
    assert feeds("build", "--bogus").returncode == 2


def test_a_missing_input_directory_exits_1(tmp_path: Path) -> None:
    result = feeds("build", "--input", tmp_path / "nope", "--output", tmp_path / "out",
                   "--state", tmp_path / "s.db")
    assert result.returncode == 1
    assert "input directory not found" in result.stderr


def test_default_build_uses_the_shipped_config_and_samples(tmp_path: Path) -> None:
    result = feeds("build", "--output", tmp_path / "out", "--state", tmp_path / "s.db")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "index.html").exists()
    assert len(list((tmp_path / "out" / "category").iterdir())) >= 10


def test_a_directory_named_like_a_dump_is_read_by_build_rebuild_and_check(
        tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    (inputs / "more.txt").mkdir(parents=True)
    shutil.copy(SEED_DUNIA_2025, inputs / "more.txt" / "a.txt")
    args = ("build", "--input", inputs, "--output", tmp_path / "out", "--state", tmp_path / "s.db")
    title = parse_file(SEED_DUNIA_2025, OPTIONS).title
    for run in (args, (*args, "--rebuild")):
        result = feeds(*run)
        assert result.returncode == 0, result.stderr
        assert "1 parsed" in result.stderr, run
        assert titles(tmp_path / "out" / "atom.xml") == [title], run
    check = feeds("check", inputs)
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith(f"ok {inputs / 'more.txt' / 'a.txt'}: ")


def test_a_fifo_named_like_a_dump_is_said_once_and_costs_nothing_else(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(SEED_DUNIA_2025, inputs / "good.txt")
    os.mkfifo(inputs / "x.txt")
    said = f"feeds: passed over {inputs / 'x.txt'}: a FIFO (named pipe), not a regular file\n"
    build = feeds("build", "--input", inputs, "--output", tmp_path / "out",
                  "--state", tmp_path / "s.db")
    assert build.returncode == 0
    assert build.stderr.startswith(said) and build.stderr.count("\n") == 2, build.stderr
    assert "1 parsed, 0 rejected" in build.stderr
    assert titles(tmp_path / "out" / "atom.xml") == [parse_file(SEED_DUNIA_2025, OPTIONS).title]
    check = feeds("check", inputs)
    assert check.returncode == 0
    assert check.stderr == said
    assert check.stdout.startswith(f"ok {inputs / 'good.txt'}: ") and check.stdout.count("\n") == 1


def titles(feed: Path) -> list[str]:
    return [entry.title for entry in feedparser.parse(feed.read_bytes()).entries]


def test_without_a_configuration_file_the_summary_says_where_the_state_is(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FEEDS_CONFIG", raising=False)
    inputs = tmp_path / "input"
    inputs.mkdir()
    shutil.copy(SEED_DUNIA_2025, inputs / "a.txt")
    result = feeds("build", cwd=tmp_path)  # no config/feeds.toml there: the built-in defaults
    assert result.returncode == 0, result.stderr
    state = tmp_path / "state" / "feeds.sqlite3"
    assert state.is_file()
    assert result.stderr.splitlines()[-1].endswith(f"; state in {state}")
