"""Output files: atomic, untouched when unchanged, never outside the root."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from feeds import output as output_module
from feeds.errors import OutputError
from feeds.output import Output
from feeds.site import OutputFile


def test_unchanged_content_is_not_rewritten(tmp_path: Path) -> None:
    output = Output(tmp_path)
    assert output.write("a/b.xml", b"one")
    target = tmp_path / "a" / "b.xml"
    os.utime(target, ns=(1, 1))
    assert not output.write("a/b.xml", b"one")
    assert target.stat().st_mtime_ns == 1
    assert output.write("a/b.xml", b"two")
    assert target.read_bytes() == b"two"
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


def test_a_new_file_appears_whole_or_not_at_all(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A file takes its name only once complete: while it is being written it is
    not visible, and a write that fails half-way (disk full) leaves nothing."""
    output = Output(tmp_path)
    target = tmp_path / "artikel" / "a.html"
    real_write = os.write
    visible_while_writing = []

    def write(descriptor: int, data: bytes | memoryview) -> int:
        visible_while_writing.append(target.exists())
        return real_write(descriptor, bytes(data)[:4])  # a slow writer, 4 bytes at a time

    monkeypatch.setattr(os, "write", write)
    assert output.write("artikel/a.html", b"<html>...</html>", durable=False)
    assert visible_while_writing == [False] * 4 and target.read_bytes() == b"<html>...</html>"

    def full_disk(descriptor: int, data: bytes | memoryview) -> int:
        if len(data) > 4:
            return real_write(descriptor, bytes(data)[:4])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(OutputError, match="No space left on device"):
        output.write("artikel/b.html", b"<html>...</html>", durable=False)
    monkeypatch.setattr(os, "write", real_write)
    assert [p.name for p in (tmp_path / "artikel").iterdir()] == ["a.html"]


def test_many_files_are_synced_once_before_any_takes_its_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = Output(tmp_path / "out")
    output.prepare()
    synced: list[list[str]] = []  # at each sync, the files already named

    def sync(directory: str, files: list[str]) -> None:
        synced.append(sorted(p.name for p in output.root.rglob("*.xml")))

    monkeypatch.setattr(output_module, "_sync", sync)
    files = [OutputFile(f"feed/{n}.xml", b"<x/>") for n in range(10)]
    assert output.write_all(files) == [file.path for file in files]
    assert synced == [[]]
    assert output.write_all(files) == []  # unchanged: nothing written, nothing synced
    assert output.write_all([OutputFile("page.xml", b"<p/>")], durable=False) == ["page.xml"]
    assert len(synced) == 1
    assert not list(output.root.rglob(".*.tmp"))


def test_the_real_sync_runs(tmp_path: Path) -> None:
    output = Output(tmp_path / "out")
    output.prepare()
    assert output.write_all([OutputFile("a.xml", b"<a/>"), OutputFile("b.xml", b"<b/>")])
    assert (output.root / "b.xml").read_bytes() == b"<b/>"


@pytest.mark.parametrize(("count", "fsyncs", "syncfs"), [(3, 3, 0), (40, 0, 1)])
def test_a_few_files_are_synced_one_by_one_and_many_with_their_file_system(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int, fsyncs: int, syncfs: int
        ) -> None:
    """One by one, a sync costs the files' own bytes; the file system's sync costs
    whatever it has to write, but one call for any number of files."""
    calls = {"fsync": 0, "syncfs": 0}
    real_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        calls["fsync"] += 1
        real_fsync(descriptor)

    def file_system(descriptor: int) -> int:
        calls["syncfs"] += 1
        return 0

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(output_module, "_syncfs", lambda: file_system)
    output = Output(tmp_path / "out")
    output.prepare()
    files = [OutputFile(f"feed/{n}.xml", b"<x/>") for n in range(count)]
    assert len(output.write_all(files)) == count
    assert calls == {"fsync": fsyncs, "syncfs": syncfs}


def test_a_failed_sync_puts_nothing_in_place(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk() -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(output_module, "_syncfs", lambda: None)  # sync(2), as without syncfs
    monkeypatch.setattr(os, "sync", full_disk)
    output = Output(tmp_path / "out")
    output.prepare()
    with pytest.raises(OutputError, match="No space left"):
        output.write_all([OutputFile(f"feed/{n}.xml", b"<x/>") for n in range(40)])
    assert list(output.root.rglob("*.xml")) == []
    assert list(output.root.rglob(".*.tmp")) == []
