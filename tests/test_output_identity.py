"""Every byte a build publishes, pinned: a change meant to change nothing must leave it so.

Two builds through the real command, `python -m feeds build -c config/feeds.toml` (the
shipped configuration, which the README's first command uses), each into a fresh output
and state:

- `samples`: the shipped samples, `samples/input/`;
- `golden`: the golden corpus, `tests/golden/`, as input (the dumps it says must be
  rejected included: the build exits 3 and publishes the rest).

Each output is compared with its manifest in `tests/output_identity/`: `{path below the
output: sha256 of its bytes}`, keys sorted, one a line, so that a diff of the manifest shows
which files moved. A failure lists the files added, removed and changed.

The inputs are copies whose mtimes are set, one minute apart in name order: a dump's mtime
is part of what feeds publishes (which of two dumps of an article is shown, and when a
corrected article was `updated`), and a checkout's mtimes are the moment of the checkout.

A change that is meant to change the output regenerates the manifests in the same commit,
where a reviewer sees what it moved:

    FEEDS_UPDATE_OUTPUT=1 .venv/bin/python -m pytest tests/test_output_identity.py
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MANIFESTS = Path(__file__).parent / "output_identity"
CONFIG = REPO / "config" / "feeds.toml"
# name: (the input directory, the exit status its build ends with)
BUILDS = {"samples": (REPO / "samples" / "input", 0),
          "golden": (REPO / "tests" / "golden", 3)}
UPDATE = os.environ.get("FEEDS_UPDATE_OUTPUT") == "1"
REGENERATE = "FEEDS_UPDATE_OUTPUT=1 .venv/bin/python -m pytest tests/test_output_identity.py"
# The copies' mtimes: fixed, so `updated` does not move with the checkout's time.
FIRST_MTIME_NS = int(datetime(2026, 7, 1, tzinfo=UTC).timestamp()) * 10**9
MTIME_STEP_NS = 60 * 10**9
SHOWN = 50  # paths listed of each kind (added, removed, changed)


@pytest.mark.parametrize("name", sorted(BUILDS))
def test_a_build_writes_the_bytes_of_its_manifest(name: str, tmp_path: Path) -> None:
    source, status = BUILDS[name]
    inputs = pinned_copy(source, tmp_path / "input")
    output = tmp_path / "output"
    run = subprocess.run(
        [sys.executable, "-m", "feeds", "build", "-c", str(CONFIG), "--input", str(inputs),
         "--output", str(output), "--state", str(tmp_path / "state" / "feeds.sqlite3")],
        cwd=REPO, capture_output=True, text=True, check=False, timeout=300)
    assert run.returncode == status, run.stderr
    found = hashes(output)
    path = MANIFESTS / f"{name}.json"
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"{path.relative_to(REPO)} is missing; write it with {REGENERATE}",
                    pytrace=False)
    expected = json.loads(path.read_text(encoding="utf-8"))
    if found != expected:
        pytest.fail(difference(expected, found, path), pytrace=False)


def pinned_copy(source: Path, target: Path) -> Path:
    """Every file below `source` (symlinks followed: the samples link into the golden
    corpus) copied into `target`, with mtimes fixed one minute apart in name order."""
    files = sorted(path for path in source.rglob("*") if path.is_file())
    for number, path in enumerate(files):
        copy = target / path.relative_to(source)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
        mtime = FIRST_MTIME_NS + number * MTIME_STEP_NS
        os.utime(copy, ns=(mtime, mtime))
    return target


def hashes(root: Path) -> dict[str, str]:
    """Every file below `root` (hidden ones included: a leftover temporary is a
    difference too) by its path, with the SHA-256 of its bytes."""
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def difference(expected: dict[str, str], found: dict[str, str], manifest: Path) -> str:
    added = sorted(found.keys() - expected.keys())
    removed = sorted(expected.keys() - found.keys())
    changed = sorted(path for path in found.keys() & expected.keys()
                     if found[path] != expected[path])
    lines = [f"the output differs from {manifest.relative_to(REPO)}: {len(added)} added, "
             f"{len(removed)} removed, {len(changed)} changed"]
    for kind, paths in (("added", added), ("removed", removed), ("changed", changed)):
        lines += [f"  {kind}: {path}" for path in paths[:SHOWN]]
        if len(paths) > SHOWN:
            lines.append(f"  … and {len(paths) - SHOWN} more {kind}")
    lines.append(f"a change meant to change the output regenerates the manifests in the same "
                 f"commit: {REGENERATE}")
    return "\n".join(lines)
