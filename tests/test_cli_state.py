"""`feeds forget` and `feeds status` through the real command."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import feedparser

from feeds.cli import _parser
from feeds.parse import parse_file
from tests.conftest import OPTIONS, SEED_DUNIA_2024, SEED_DUNIA_2025


def feeds(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "feeds", *map(str, args)],
                          capture_output=True, text=True, check=False)


def test_forget_retracts_an_entry_everywhere(tmp_path: Path) -> None:
    inputs, out, state = tmp_path / "in", tmp_path / "out", tmp_path / "s.db"
    inputs.mkdir()
    shutil.copy(SEED_DUNIA_2024, inputs / "a.txt")
    shutil.copy(SEED_DUNIA_2025, inputs / "b.txt")
    (inputs / "bad.txt").write_bytes(b"")
    assert feeds("build", "--input", inputs, "--output", out, "--state", state).returncode == 3
    retracted = parse_file(SEED_DUNIA_2024, OPTIONS)
    pages = sorted((out / "artikel").rglob("*.html"))
    assert len(pages) == 2
    result = feeds("forget", retracted.id.removeprefix("urn:uuid:"), "--output", out,
                   "--state", state)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"forgot {retracted.id}\n"
    for name in ("rss.xml", "atom.xml", "category/dunia/atom.xml"):
        ids = [entry.id for entry in feedparser.parse((out / name).read_bytes()).entries]
        assert retracted.id not in ids and len(ids) == 1
    assert len(sorted((out / "artikel").rglob("*.html"))) == 1
    # The dump is still in the input, unchanged: a build does not bring it back.
    feeds("build", "--input", inputs, "--output", out, "--state", state)
    assert len(feedparser.parse((out / "rss.xml").read_bytes()).entries) == 1
    unknown = feeds("forget", "urn:uuid:00000000-0000-0000-0000-000000000000",
                    "--output", out, "--state", state)
    assert unknown.returncode == 1 and "no entry urn:uuid:00000000" in unknown.stderr

    status = feeds("status", "--input", inputs, "--state", state)
    assert status.returncode == 0
    assert "state: 1 entry in 1 category\n" in status.stdout
    assert "Dunia (category/dunia/)" in status.stdout
    assert f"state: 1 rejected file, read from {inputs}\n  {inputs / 'bad.txt'}: empty file" \
        in status.stdout


def test_status_names_rejected_files_where_they_were_read_and_labels_its_counts(
        tmp_path: Path) -> None:
    inputs, state = tmp_path / "in", tmp_path / "s.db"
    (inputs / "sub").mkdir(parents=True)
    shutil.copy(SEED_DUNIA_2025, inputs / "a.txt")
    (inputs / "sub" / "bad.txt").write_bytes(b"")
    feeds("build", "--input", inputs, "--output", tmp_path / "out", "--state", state)
    feeds("build", "--input", inputs, "--output", tmp_path / "out", "--state", state)
    lines = feeds("status", "--input", tmp_path / "elsewhere", "--state", state).stdout
    assert f"state: 1 rejected file, read from {inputs} (this command's input is " \
           f"{tmp_path / 'elsewhere'})\n  {inputs / 'sub' / 'bad.txt'}: empty file\n" in lines
    assert "state: 1 entry in 1 category\n" in lines
    # The second build found nothing new: the last run's counts are its own.
    assert re.search(r"^last run \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\): 0 parsed, 0 rejected, "
                     r"0 files written$", lines, re.MULTILINE), lines


def test_every_command_has_help() -> None:
    for command in ("check", "build", "run", "status", "forget"):
        result = feeds(command, "--help")
        assert result.returncode == 0 and "usage: feeds " + command in result.stdout


def test_version_is_the_installed_packages() -> None:
    command = Path(sys.executable).with_name("feeds")  # the installed entry point
    result = subprocess.run([command, "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout == f"feeds {version('feeds')}\n"
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text("utf-8"))
    assert version("feeds") == project["project"]["version"]


def test_the_readme_gives_every_option_of_every_command() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    commands = next(action for action in _parser()._actions
                    if isinstance(action, argparse._SubParsersAction)).choices
    for name, command in commands.items():
        synopsis = re.search(rf"`feeds {name} ([^`]*)`", readme)
        assert synopsis, name
        for action in command._actions:
            if action.option_strings and "--help" not in action.option_strings:
                assert any(re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", synopsis[1])
                           for option in action.option_strings), (name, action.option_strings)
