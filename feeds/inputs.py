"""Which files in an input directory are dumps to read."""

from __future__ import annotations

from collections.abc import Iterable
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
    """Files given by name, and the dumps inside directories (recursively, sorted).

    A file named explicitly is read whatever its name; a directory contributes
    only what `is_dump_name` accepts, never anything below a hidden directory.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(
                child for child in path.rglob("*")
                if is_dump_name(child.name) and child.is_file()
                and not any(part.startswith(".") for part in child.relative_to(path).parts)
            ))
        else:
            found.append(path)
    return found
