"""The golden corpus: every page feeds reads, each with its expected entry beside it.

`tests/golden/NAME.txt` (or `.html`) is a dump; `NAME.expected.json` is what a careful
reader of that page says it holds (see tests/golden/README.md). One run of the real
`feeds check --json` over the folder is compared with every case, field by field, and a
case fails with all its differences listed, not only the first.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

GOLDEN = Path(__file__).parent / "golden"
DUMP_SUFFIXES = (".txt", ".html")
CASES = sorted(path for path in GOLDEN.iterdir() if path.suffix in DUMP_SUFFIXES)
# The fields of an article's expected file, in the order they are written.
ARTICLE_FIELDS = ("title", "category", "author", "published", "updated", "caption", "image",
                  "image_size", "paragraph_count", "first_paragraph", "last_paragraph",
                  "populer", "update")


def expected_path(case: Path) -> Path:
    return case.with_name(case.stem + ".expected.json")


@pytest.fixture(scope="module")
def checked() -> dict[str, dict[str, Any]]:
    """What `feeds check --json` printed for each case, by file name."""
    run = subprocess.run([sys.executable, "-m", "feeds", "check", "--json", str(GOLDEN)],
                         capture_output=True, text=True, check=False, timeout=300)
    assert run.returncode in (0, 3), run.stderr
    records = (json.loads(line) for line in run.stdout.splitlines() if line)
    return {Path(record["file"]).name: record for record in records}


def observed(record: dict[str, Any]) -> dict[str, Any]:
    """A `feeds check --json` record in the expected file's terms."""
    if not record["ok"]:
        return {"ok": False, "error": record["error"]}
    entry = record["entry"]
    paragraphs = entry["paragraphs"]
    return {
        "ok": True,
        **{field: entry[field] for field in ("title", "category", "author", "published",
                                             "updated", "caption", "image",
                                             "image_size")},
        "paragraph_count": len(paragraphs),
        "first_paragraph": paragraphs[0] if paragraphs else None,
        "last_paragraph": paragraphs[-1] if paragraphs else None,
        "populer": [[headline["title"], headline["published"]] for headline in entry["populer"]],
        "update": [[headline["title"], headline["published"]] for headline in entry["update"]],
    }


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    if expected["ok"] != actual["ok"]:
        return [f"expected {'an entry' if expected['ok'] else 'a rejection'}, got {actual}"]
    if not expected["ok"]:
        return ([] if expected["error"] in actual["error"]
                else [f"error: expected one saying {expected['error']!r}, "
                      f"got {actual['error']!r}"])
    return [f"{field}:\n      expected {expected[field]!r}\n      got      {actual[field]!r}"
            for field in ARTICLE_FIELDS if expected[field] != actual[field]]


def test_the_corpus_is_whole() -> None:
    """Every dump has its expected file, every expected file its dump, and an
    article's expected file names every field."""
    expectations = sorted(GOLDEN.glob("*.expected.json"))
    assert {expected_path(case) for case in CASES} == set(expectations)
    for path in expectations:
        expected = json.loads(path.read_text(encoding="utf-8"))
        assert expected.get("note"), f"{path.name}: no note saying what the case is about"
        needed = ARTICLE_FIELDS if expected["ok"] else ("error",)
        missing = [field for field in needed if field not in expected]
        assert not missing, f"{path.name}: missing {missing}"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_golden_case(case: Path, checked: dict[str, dict[str, Any]]) -> None:
    expected = json.loads(expected_path(case).read_text(encoding="utf-8"))
    assert case.name in checked, f"feeds check printed nothing for {case.name}"
    found = differences(expected, observed(checked[case.name]))
    assert not found, (f"{case.name} ({expected['note']}):\n  "
                       + "\n  ".join(found))
