"""Output files: atomic, untouched when unchanged, never outside the root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from feeds import output as output_module
from feeds.output import Output, OutputError


@pytest.fixture(params=["anonymous", "named"])
def creation(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """`create` both ways: a file with no name linked into place (Linux), and the
    named temporary used where the file system cannot make those."""
    if request.param == "named":
        monkeypatch.setattr(output_module, "_anonymous_files", False)
    elif not output_module._anonymous_files:
        pytest.skip("this system makes no files without a name")
    return str(request.param)


def test_unchanged_content_is_not_rewritten(tmp_path: Path) -> None:
    output = Output(tmp_path)
    assert output.write("a/b.xml", b"one")
    target = tmp_path / "a" / "b.xml"
    os.utime(target, ns=(1, 1))
    assert not output.write("a/b.xml", b"one")
    assert target.stat().st_mtime_ns == 1
    assert output.write("a/b.xml", b"two")
    assert target.read_bytes() == b"two"
    assert output.written == ["a/b.xml", "a/b.xml"]
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["b.xml"]  # no temporary left


@pytest.mark.parametrize("bad", ["../x.xml", "/etc/x.xml", "a/../../x.xml", "", "."])
def test_paths_outside_the_root_are_refused(tmp_path: Path, bad: str) -> None:
    output = Output(tmp_path / "out")
    with pytest.raises(OutputError, match="outside the output directory"):
        output.write(bad, b"x")


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    output = Output(tmp_path)
    output.write("feed.xml", b"old")
    (tmp_path / "blocker").write_bytes(b"a file where a directory should be")
    with pytest.raises(OutputError, match="cannot write"):
        output.write("blocker/feed.xml", b"new")
    target = tmp_path / "feed.xml"
    (tmp_path / "feed.xml.d").mkdir()
    with pytest.raises(OutputError, match="cannot write"):
        output.write("feed.xml.d", b"a directory cannot be replaced by a file")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker", "feed.xml", "feed.xml.d"]


@pytest.mark.usefixtures("creation")
def test_create_makes_a_new_file_and_never_replaces_one(tmp_path: Path) -> None:
    def unexpected() -> bytes:
        raise AssertionError("rendered although the file is there")

    output = Output(tmp_path)
    assert output.create("artikel/2025/05/a.html", lambda: b"first")
    assert not output.create("artikel/2025/05/a.html", unexpected)
    assert (tmp_path / "artikel/2025/05/a.html").read_bytes() == b"first"
    (tmp_path / "blocker").write_bytes(b"a file where a directory should be")
    assert not output.create("blocker/a.html", lambda: b"x")  # no exception: `write` reports it
    assert output.written == []  # the caller counts what it created
    assert not list(tmp_path.rglob(".*"))  # no temporary left


@pytest.mark.usefixtures("creation")
def test_a_new_file_appears_whole_or_not_at_all(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A page is linked into place only once complete: while it is being written
    it is not visible, and a write that fails half-way (disk full) leaves nothing."""
    output = Output(tmp_path)
    target = tmp_path / "artikel" / "a.html"
    real_write = os.write
    visible_while_writing = []

    def write(descriptor: int, data: bytes | memoryview) -> int:
        visible_while_writing.append(target.exists())
        return real_write(descriptor, bytes(data)[:4])  # a slow writer, 4 bytes at a time

    monkeypatch.setattr(os, "write", write)
    assert output.create("artikel/a.html", lambda: b"<html>...</html>")
    assert visible_while_writing == [False] * 4 and target.read_bytes() == b"<html>...</html>"

    def full_disk(descriptor: int, data: bytes | memoryview) -> int:
        if len(data) > 4:
            return real_write(descriptor, bytes(data)[:4])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    assert not output.create("artikel/b.html", lambda: b"<html>...</html>")
    monkeypatch.setattr(os, "write", real_write)
    assert [p.name for p in (tmp_path / "artikel").iterdir()] == ["a.html"]


def test_a_page_is_created_without_a_temporary_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, creation: str) -> None:
    """No name is created (and later deleted) beside the page where the system
    can do without: deleting files slows down creating the next ones."""
    named = []
    real_open = os.open

    def open_(path: str, flags: int, *args: int) -> int:
        if flags & os.O_CREAT:
            named.append(Path(path).name)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", open_)
    output = Output(tmp_path)
    assert output.create("artikel/a.html", lambda: b"page")
    assert (tmp_path / "artikel/a.html").read_bytes() == b"page"
    assert named == ([] if creation == "anonymous" else [f".a.html.{os.getpid()}.tmp"])


def test_a_file_that_appears_while_rendering_is_kept(tmp_path: Path, creation: str) -> None:
    output = Output(tmp_path)
    target = tmp_path / "artikel" / "a.html"

    def render_while_another_process_creates_it() -> bytes:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"the other process's page")
        return b"ours"

    assert not output.create("artikel/a.html", render_while_another_process_creates_it)
    assert target.read_bytes() == b"the other process's page"
    assert [p.name for p in target.parent.iterdir()] == ["a.html"], creation
