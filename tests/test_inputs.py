"""Which files of the input directory are dumps."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds.inputs import DUMP_SUFFIXES, PARTIAL_SUFFIXES, is_dump_name, list_input


@pytest.mark.parametrize(("name", "dump"), [
    ("dump_000001.txt", True), ("PAGE.HTML", True), ("page.htm", True), ("a.b.html", True),
    ("a..txt", True), (".hidden.txt", False), ("backup.txt~", False), ("page.txt.part", False),
    ("page.crdownload", False), ("notes.md", False), ("archive.tar.gz", False), ("txt", False),
    ("trailing.", False), ("", False),
])
def test_dump_names(name: str, dump: bool) -> None:
    assert is_dump_name(name) is dump


def _by_pathlib(name: str) -> bool:
    """The rule as first written, with pathlib's idea of a suffix."""
    if name.startswith(".") or name.endswith("~"):
        return False
    suffix = PurePosixPath(name).suffix.lower()
    return suffix in DUMP_SUFFIXES and suffix not in PARTIAL_SUFFIXES


_PIECES = st.sampled_from(["dump", "a", ".", "..", "~", " ", "é", *DUMP_SUFFIXES,
                           *PARTIAL_SUFFIXES, ".TXT", ".Html", ".gz"])


@given(st.lists(_PIECES, min_size=1, max_size=6).map("".join))
def test_the_fast_suffix_rule_is_pathlibs(name: str) -> None:
    assert is_dump_name(name) == _by_pathlib(name)


def test_listing_skips_hidden_directories_and_partial_files(tmp_path: Path) -> None:
    for relative in ["b.txt", "a.html", "sub/c.txt", "sub/.d.txt", ".cache/e.txt",
                     "f.txt.part", "g.md"]:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x")
    found = list_input(tmp_path)
    assert sorted(found) == ["a.html", "b.txt", "sub/c.txt"]
    assert found["b.txt"].st_size == 1


def test_a_missing_input_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="input directory not found"):
        list_input(tmp_path / "absent")
