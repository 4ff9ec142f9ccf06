"""Configuration: every error names the file, the key and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.config import load_settings
from feeds.errors import ConfigError

REPO_CONFIG = Path(__file__).resolve().parents[1] / "config" / "feeds.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_configuration_loads() -> None:
    settings = load_settings(REPO_CONFIG)
    assert settings.base_url == "http://127.0.0.1:8080/"
    assert settings.language == "id" and settings.entries_per_feed == 50
    assert settings.default_zone == "WIB"
    assert settings.input_dir == REPO_CONFIG.parents[1] / "samples" / "input"
    assert settings.output_dir == REPO_CONFIG.parents[1] / "output"
    assert not settings.state_path.is_relative_to(settings.output_dir)


def test_relative_paths_follow_the_file(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[paths]\ninput = "dumps"\n'))
    assert settings.input_dir == tmp_path / "dumps"


@pytest.mark.parametrize(("text", "key", "reason"), [
    ('[site]\ntitel = "x"\n', "site.titel", "unknown key"),
    ('[sites]\ntitle = "x"\n', "sites", "unknown table"),
    ('[feeds]\nentries_per_feed = "50"\n', "feeds.entries_per_feed", "expected int, got str"),
    ("[feeds]\nentries_per_feed = true\n", "feeds.entries_per_feed", "expected int, got bool"),
    ("[feeds]\nentries_per_feed = 0\n", "feeds.entries_per_feed", "expected at least 1"),
    ('[feeds]\ndefault_zone = "UTC"\n', "feeds.default_zone", "expected one of"),
    ('[site]\nbase_url = "/feeds/"\n', "site.base_url", "expected an absolute http(s) URL"),
    ('[site]\nbase_url = "ftp://x/"\n', "site.base_url", "expected an absolute http(s) URL"),
    ('[daemon]\ninterval = -1\n', "daemon.interval", "expected a positive number"),
    ('[daemon]\nlog_level = "LOUD"\n', "daemon.log_level", "expected one of"),
    ('[deploy]\ntarget = "news-bucket"\n', "deploy.target",
     "expected s3://bucket or s3://bucket/prefix"),
    ('[deploy]\nendpoint_url = "127.0.0.1:8333"\n', "deploy.endpoint_url",
     "expected an absolute http(s) URL"),
    ("[deploy]\nmax_deletes = -1\n", "deploy.max_deletes", "expected 0 or more"),
    ('[deploy]\ngzip = "yes"\n', "deploy.gzip", "expected bool"),
    ('[deploy]\nbucket = "news"\n', "deploy.bucket", "unknown key"),
    ('[site]\naccent_color = "#b3261e"\n', "site.accent_color", "expected six hex digits"),
    ('[site]\ncover = "sampul.jpg"\n', "site.cover", "expected an absolute http(s) URL"),
    ("[server]\narchive_max_age = -1\n", "server.archive_max_age", "expected 0 or more"),
])
def test_errors_name_file_key_and_expectation(tmp_path: Path, text: str, key: str,
                                               reason: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert caught.value.key == key
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"{path}: {key}: ")


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_settings(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[site\n"))


def test_overrides_replace_only_what_is_given(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[site]\ntitle = "A"\n'))
    changed = settings.with_overrides(output_dir=tmp_path / "out", input_dir=None)
    assert changed.output_dir == tmp_path / "out"
    assert changed.input_dir == settings.input_dir and changed.site_title == "A"
