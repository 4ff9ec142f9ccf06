#!/usr/bin/env python3
"""The long fuzzing run: the test suite's hypothesis properties with many more examples.

    python bench/fuzz.py [--examples 5000] [--seed N]

Every input must end as an entry or as feeds' own DumpError, and every feed
built from a fuzzed entry must be valid XML (lxml, feedparser) and valid JSON.
The suite runs the same properties with a few hundred examples each.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.test_fuzz import mutated_seed, outcome
from tests.test_hostile import NASTY, test_feeds_from_fuzzed_entries_are_valid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    budget = settings(max_examples=args.examples, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))

    @budget
    @given(st.binary(max_size=16384), st.sampled_from(["x.txt", "x.html"]))
    def arbitrary_bytes(data: bytes, name: str) -> None:
        outcome(data, name)

    @budget
    @given(mutated_seed(), st.sampled_from(["x.txt", "x.html"]))
    def mutated_dumps(data: bytes, name: str) -> None:
        outcome(data, name)

    feeds_from_entries = budget(given(title=NASTY, category=NASTY, author=NASTY,
                                      body=st.lists(NASTY, min_size=1, max_size=4))(
        test_feeds_from_fuzzed_entries_are_valid.hypothesis.inner_test))  # type: ignore[attr-defined]

    for name, prop in [("arbitrary bytes", arbitrary_bytes), ("mutated dumps", mutated_dumps),
                       ("feeds from fuzzed entries", feeds_from_entries)]:
        started = time.perf_counter()
        (seed(args.seed)(prop) if args.seed is not None else prop)()
        print(f"{name}: {args.examples} examples passed in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
