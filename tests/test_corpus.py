"""The generated corpus against its truth file: every dump, no exceptions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_check_matches_truth_for_every_dump(corpus_2000: Path) -> None:
    truth = [json.loads(line) for line in
             (corpus_2000 / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    result = subprocess.run([sys.executable, "-m", "feeds", "check", "--json", str(corpus_2000)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 3  # the corpus holds invalid dumps
    got = {Path(r["file"]).name: r for r in map(json.loads, result.stdout.splitlines())}
    assert set(got) == {t["file"] for t in truth}
    ids: dict[str, str] = {}
    for expected in truth:
        record = got[expected["file"]]
        if expected["kind"] == "invalid":
            assert record["ok"] is False and record["error"], expected["file"]
            continue
        assert record["ok"], (expected["file"], record.get("error"))
        entry = record["entry"]
        assert (entry["title"], entry["category"], entry["published"]) == (
            expected["title"], expected["category"], expected["published"]), expected["file"]
        assert (entry["author"] or "").casefold() == (expected["author"] or "").casefold()
        assert entry["caption"] == expected["caption"]
        assert entry["image"] == expected["image"], expected["file"]
        assert (len(entry["paragraphs"]), len(entry["populer"]), len(entry["update"])) == (
            expected["paragraphs"], expected["populer"], expected["update"]), expected["file"]
        ids[expected["file"]] = entry["id"]
    same = [(t["file"], t["same_as"]) for t in truth if t.get("same_as")]
    assert same, "the corpus should hold duplicates and updates"
    for name, original in same:
        assert ids[name] == ids[original], name
    originals = [ids[t["file"]] for t in truth if t["kind"] == "ok"]
    assert len(set(originals)) == len(originals), "two different articles share an id"
