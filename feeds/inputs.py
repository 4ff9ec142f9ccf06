"""Which files in an input directory are dumps to read."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from pathlib import Path

from feeds.parse import DUMP_SUFFIXES

# Names producers use while a file is still being written.
PARTIAL_SUFFIXES = frozenset({".part", ".tmp", ".crdownload", ".partial", ".swp"})


def is_dump_name(name: str) -> bool:
    """A dump's name: a known suffix, not hidden, not a file still being written."""
    if name.startswith(".") or name.endswith("~"):
        return False
    suffix = Path(name).suffix.lower()
    return suffix in DUMP_SUFFIXES and suffix not in PARTIAL_SUFFIXES


def find_dumps(paths: Iterable[Path]) -> list[Path]:
    """Files given by name, and the dumps inside directories (as `list_input`
    finds them, sorted). A file named explicitly is read whatever its name."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(path / relative for relative in sorted(list_input(path)))
        else:
            found.append(path)
    return found


def list_input(input_dir: Path) -> dict[str, os.stat_result]:
    """Every dump below the input directory, by path relative to it (with "/").
    Hidden directories are skipped. Raises FileNotFoundError when it is missing."""
    if not input_dir.is_dir():
        raise FileNotFoundError(f"{input_dir}: input directory not found")
    found: dict[str, os.stat_result] = {}
    pending = [("", os.fspath(input_dir))]
    while pending:
        prefix, directory = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue  # vanished or unreadable: the next scan sees it again
        for item in sorted(entries, key=lambda e: e.name):
            try:
                if item.is_dir() and not item.name.startswith("."):
                    pending.append((f"{prefix}{item.name}/", item.path))
                elif is_dump_name(item.name) and item.is_file():
                    found[prefix + item.name] = item.stat()
            except OSError:
                continue  # vanished between listing and stat
    return found


def stat_inputs(input_dir: Path, paths: Collection[str]) -> dict[str, os.stat_result]:
    """The named dumps that exist, by relative path."""
    found = {}
    for path in sorted(paths):
        if is_dump_name(Path(path).name):
            try:
                found[path] = (input_dir / path).stat()
            except OSError:
                continue
    return found
