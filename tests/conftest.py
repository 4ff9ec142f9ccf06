"""Shared fixtures: the seed dumps and a generated corpus from ../shared when present."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
SEED_DUNIA_2025 = DATA / "000_8aebaab17c6fdbe0.txt"
SEED_DUNIA_2024 = DATA / "001_72ef279249af34b7.txt"
GENERATOR = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "gen_dumps.py"


def generate_corpus(out: Path, count: int, edge: float, seed: int = 7) -> Path:
    """Run the shared corpus generator (only slow tests and benchmarks use it)."""
    if not GENERATOR.exists():
        pytest.skip(f"corpus generator not found at {GENERATOR}")
    subprocess.run([sys.executable, str(GENERATOR), str(out), "-n", str(count),
                    "--edge", str(edge), "--seed", str(seed)], check=True, capture_output=True)
    return out


@pytest.fixture(scope="session")
def corpus_2000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_corpus(tmp_path_factory.mktemp("corpus") / "dumps", 2000, 0.5)
