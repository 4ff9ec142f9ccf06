"""Shared fixtures: the seed dumps and corpora made by `tests.corpus`."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.config import Settings, validate
from feeds.publish import Report, publish
from feeds.state import State
from tests.corpus import generate

GOLDEN = Path(__file__).parent / "golden"
# The two original dumps (000_8aebaab17c6fdbe0.txt and 001_72ef279249af34b7.txt).
SEED_DUNIA_2025 = GOLDEN / "seed-dunia-2025.txt"
SEED_DUNIA_2024 = GOLDEN / "seed-dunia-2024.txt"
# How the parser reads a dump when nothing is configured: the built-in settings'.
OPTIONS = Settings().parse_options


def generate_corpus(out: Path, count: int, edge: float, seed: int = 7) -> Path:
    """A corpus of `count` dumps with its `truth.jsonl` in `out` (see tests/corpus.py)."""
    return generate(out, count, edge, seed)


@pytest.fixture(scope="session")
def corpus_2000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_corpus(tmp_path_factory.mktemp("corpus") / "dumps", 2000, 0.5)


def make_settings(root: Path, input_dir: Path | None = None, **overrides: object) -> Settings:
    """Settings for a build below `root` (input, output and state in their own dirs)."""
    input_dir = input_dir or root / "input"
    input_dir.mkdir(parents=True, exist_ok=True)
    values: dict[str, object] = {"site_title": "Warta Uji", "input_dir": input_dir,
                                 "output_dir": root / "output",
                                 "state_path": root / "state" / "feeds.sqlite3"}
    values.update(overrides)
    return validate(Settings(**values))  # type: ignore[arg-type]


def build(settings: Settings, **kwargs: object) -> Report:
    """One run of the publishing path, as `feeds build` runs it."""
    with State(settings.state_path) as state:
        return publish(settings, state, **kwargs)  # type: ignore[arg-type]


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below root with its bytes and mtime."""
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def pytest_report_header(config: pytest.Config) -> str:
    cases = [path for path in GOLDEN.iterdir() if path.suffix in (".txt", ".html")]
    return f"golden corpus: {len(cases)} cases in tests/golden"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test fails the run: the suite is whole on any machine `.ci/run` set up."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and reporter.stats.get("skipped") and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
