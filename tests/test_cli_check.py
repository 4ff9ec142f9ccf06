"""`feeds check`: summaries, JSON lines and exit statuses, through the real command."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import SEED_DUNIA_2024, SEED_DUNIA_2025


def feeds(*args: str | Path, cwd: Path | None = None,
          config: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`feeds ARGS` in `cwd`, with $FEEDS_CONFIG set to `config` (else unset)."""
    env = {key: value for key, value in os.environ.items() if key != "FEEDS_CONFIG"}
    if config is not None:
        env["FEEDS_CONFIG"] = str(config)
    return subprocess.run([sys.executable, "-m", "feeds", *map(str, args)],
                          capture_output=True, text=True, check=False, cwd=cwd, env=env)


def test_json_lines_for_a_directory_and_exit_3_on_a_rejection(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(SEED_DUNIA_2025.read_bytes())
    (tmp_path / "b.txt").write_bytes(b"")
    (tmp_path / ".hidden.txt").write_bytes(b"")
    (tmp_path / "c.txt.part").write_bytes(b"")
    result = feeds("check", "--json", tmp_path)
    assert result.returncode == 3
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(Path(r["file"]).name, r["ok"]) for r in records] == [("a.txt", True), ("b.txt", False)]
    assert records[1]["error"] == "empty file"
    entry = records[0]["entry"]
    assert set(entry) >= {"id", "title", "category", "published", "author", "caption", "paragraphs",
                          "subheadings", "populer", "update", "warnings"}
    assert entry["published"] == "2025-05-30T09:01:00Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry["populer"][0]["published"])
    assert entry["author"] == "Hani Fatunnisa"
    assert len(entry["paragraphs"]) == 14
    assert entry["subheadings"] == []


def test_null_author_and_exit_0(tmp_path: Path) -> None:
    dump = tmp_path / "edition.txt"
    dump.write_text(SEED_DUNIA_2024.read_text(encoding="utf-8").replace(
        "LAPORAN: ALIFIA DWI RAMANDHITA", "HARIAN RAKYAT MERDEKA"), encoding="utf-8")
    result = feeds("check", "--json", dump)
    assert result.returncode == 0
    assert json.loads(result.stdout)["entry"]["author"] is None


def test_plain_summary_names_file_and_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Berita\n\nDunia\n\nJudul tanpa tanggal\n\nIsi berita.\n")
    result = feeds("check", SEED_DUNIA_2025, bad)
    assert result.returncode == 3
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"ok {SEED_DUNIA_2025}: 2025-05-30 09:01Z [Dunia] Maroko Dorong")
    assert lines[1] == f"REJECTED {bad}: no date line found"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert feeds("check").returncode == 2
    missing = feeds("check", tmp_path / "nope.txt")
    assert missing.returncode == 2
    assert "nope.txt" in missing.stderr
    assert feeds("frobnicate").returncode == 2


def test_a_reader_that_leaves_early_ends_it_quietly() -> None:
    """`feeds check --json samples/input | head -1`: the samples' JSON is several
    times what a pipe holds, so the writer meets the closed pipe."""
    samples = Path(__file__).parents[1] / "samples" / "input"
    check = subprocess.Popen([sys.executable, "-m", "feeds", "check", "--json", samples],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert check.stdout is not None and check.stderr is not None
    with check.stdout:
        assert json.loads(check.stdout.readline())["ok"]
    with check.stderr:
        stderr = check.stderr.read()
    assert check.wait(timeout=60) in (0, 141)
    assert stderr == b""


def test_the_configuration_gives_the_default_category_and_zone(tmp_path: Path) -> None:
    """A page naming no category, its date line no zone, read as the configuration
    file says, wherever feeds finds it (-c, $FEEDS_CONFIG, ./config/feeds.toml);
    the command line's flags over it."""
    dump = tmp_path / "plain.txt"
    dump.write_text("Judul Berita\n\nRabu, 11 Februari 2026 | 19:58\n\nIsi berita.\n",
                    encoding="utf-8")
    (tmp_path / "config").mkdir()
    config = tmp_path / "config" / "feeds.toml"
    config.write_text('[feeds]\ndefault_category = "Umum"\ndefault_zone = "WITA"\n',
                      encoding="utf-8")

    def read(*args: str | Path, cwd: Path | None = None,
             config: Path | None = None) -> tuple[str, str]:
        result = feeds("check", "--json", *args, dump, cwd=cwd, config=config)
        assert result.returncode == 0, result.stderr
        entry = json.loads(result.stdout)["entry"]
        return entry["category"], entry["published"]

    unconfigured = tmp_path / "elsewhere"
    unconfigured.mkdir()
    assert read(cwd=unconfigured) == ("Berita", "2026-02-11T12:58:00Z")  # 19:58 WIB
    assert read("-c", config, cwd=unconfigured) == ("Umum", "2026-02-11T11:58:00Z")  # WITA
    assert read(cwd=unconfigured, config=config) == ("Umum", "2026-02-11T11:58:00Z")
    assert read(cwd=tmp_path) == ("Umum", "2026-02-11T11:58:00Z")
    assert read("--default-zone", "WIT", "--default-category", "Lain", cwd=tmp_path) == (
        "Lain", "2026-02-11T10:58:00Z")


def test_a_broken_configuration_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text('[feeds]\ndefault_zone = "CET"\n', encoding="utf-8")
    result = feeds("check", "-c", config, SEED_DUNIA_2025)
    assert result.returncode == 2
    assert "feeds.default_zone" in result.stderr and result.stdout == ""
