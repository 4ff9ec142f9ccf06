"""Which files of the input directory are dumps."""

from __future__ import annotations

import os
import socket
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds.errors import InputError
from feeds.inputs import (
    DUMP_SUFFIXES,
    PARTIAL_SUFFIXES,
    Kind,
    is_dump_name,
    judge_path,
    list_input,
)


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
    assert sorted(found.dumps) == ["a.html", "b.txt", "sub/c.txt"]
    assert found.dumps["b.txt"].st_size == 1
    assert found.passed_over == {}


def make_tree(root: Path) -> None:
    """Directories named like dumps or partial files, hidden ones, and entries
    named like dumps that are no files."""
    for relative in ["more.txt/a.txt", "more.txt/deeper.html/b.html", "x.part/c.txt",
                     "backup~/d.txt", ".staging/e.txt", "more.txt/.hidden/f.txt", "top.txt"]:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text("x")
    os.mkfifo(root / "x.txt")
    os.mkfifo(root / "pipe")  # not named as a dump: nothing to say
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(root / "more.txt" / "s.html"))
    (root / "gone.txt").symlink_to(root / "nowhere.txt")
    (root / "linked.txt").symlink_to(root / "top.txt")


def test_a_directory_is_read_whatever_its_name_and_never_a_dump(tmp_path: Path) -> None:
    make_tree(tmp_path)
    found = list_input(tmp_path)
    assert sorted(found.dumps) == ["backup~/d.txt", "linked.txt", "more.txt/a.txt",
                                   "more.txt/deeper.html/b.html", "top.txt", "x.part/c.txt"]
    assert found.passed_over == {
        "x.txt": "a FIFO (named pipe), not a regular file",
        "more.txt/s.html": "a socket, not a regular file",
        "gone.txt": "a symlink that leads to no file (No such file or directory)"}


def test_a_path_named_by_an_event_follows_the_listings_rule(tmp_path: Path) -> None:
    make_tree(tmp_path)
    listing = list_input(tmp_path)
    everything = [path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*")]
    assert len(everything) > len(listing.dumps) + len(listing.passed_over)
    for relative in everything:
        verdict = judge_path(tmp_path, relative)
        assert (verdict.kind is Kind.DUMP) == (relative in listing.dumps), relative
        assert verdict.why == listing.passed_over.get(relative, ""), relative


def test_a_missing_input_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="input directory not found"):
        list_input(tmp_path / "absent")


def test_a_symlink_loop_is_read_once_and_said(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("x", encoding="utf-8")
    (tmp_path / "a" / "back").symlink_to(tmp_path, target_is_directory=True)
    listing = list_input(tmp_path)
    assert set(listing.dumps) == {"a/x.txt"}
    assert listing.passed_over == {"a/back": "a link to a directory already read"}
