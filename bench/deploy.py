#!/usr/bin/env python3
"""Issue 29's deploy speed: `feeds deploy` beside `aws s3 sync`, alternated in one run,
against the same real S3-compatible store (SeaweedFS, as the tests start it).

    python bench/deploy.py [--size 10000] [--rounds 3]

The output of a build of the corpus's first `--size` dumps (bench/run.py's corpus) is
deployed by each contender into a bucket of its own, as a process (`python -m feeds deploy`;
`aws s3 sync OUTPUT s3://BUCKET --delete`, awscli from PyPI in a venv of its own under
bench/work, made the first time). A round is: a first deploy into empty buckets; a deploy
with nothing changed; one new dump built (not timed), then deployed. The order of the two
contenders alternates from round to round. Printed: medians of wall time and CPU, the ratio
aws/feeds (the issue's targets: first ≥ 1, no change ≥ 20, one new dump ≥ 20) and the
requests feeds sent (its own count, retries included).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.identical import CONFIG, place  # noqa: E402
from bench.run import Run, measured  # noqa: E402
from bench.update_cost import WORK, link_input, machine, spare_articles  # noqa: E402
from tests.s3store import ACCESS_KEY, SECRET_KEY, SeaweedFS  # noqa: E402

FIRST, NOOP, NEW = "first deploy", "no change", "one new dump"
TARGETS = {FIRST: 1.0, NOOP: 20.0, NEW: 20.0}  # aws s3 sync's time over feeds's, at least


def aws_cli() -> Path:
    """awscli in a venv of its own (its botocore pin must not move feeds's boto3)."""
    venv = WORK / "awscli-venv"
    aws = venv / "bin" / "aws"
    if not aws.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "awscli"], check=True)
    return aws


def environment(home: Path) -> dict[str, str]:
    return {**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": str(home / "none"), "AWS_SHARED_CREDENTIALS_FILE":
            str(home / "none"), "PYTHONPATH": str(REPO)}


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--size", type=int, default=10_000)
    options.add_argument("--rounds", type=int, default=3)
    args = options.parse_args()
    root = link_input(args.size, WORK / f"deploy-{args.size}")
    spares = spare_articles(args.size)[:args.rounds + 3]
    aws = aws_cli()
    scratch = Path(tempfile.mkdtemp(prefix="feeds-deploy-bench-"))
    store = SeaweedFS(scratch / "store")
    store.start()
    env = environment(scratch)
    config = root / "feeds.toml"
    feeds_base = [sys.executable, "-m", "feeds"]
    paths = ["--output", str(root / "output"), "--state", str(root / "state.sqlite3")]
    print(machine())
    measured([*feeds_base, "build", "-c", str(config_for(config, "build")), "--input",
              str(root / "input"), *paths], env=env)
    files = sum(1 for path in (root / "output").rglob("*") if path.is_file())
    print(f"output of {args.size:,} dumps: {files:,} files")
    times: dict[tuple[str, str], list[Run]] = {}
    requests: dict[str, list[int]] = {}
    try:
        for number in range(args.rounds):
            ours, theirs = store.fresh_bucket(f"feeds{number}"), store.fresh_bucket(f"aws{number}")
            feeds_config = config_for(config, f"deploy{number}", f"""[deploy]
target = "s3://{ours}"
endpoint_url = "{store.endpoint}"
region = "us-east-1"
""")
            log = scratch / "feeds.log"
            contenders = {
                "feeds": [*feeds_base, "deploy", "-q", "-c", str(feeds_config), *paths],
                "aws s3 sync": [str(aws), "s3", "sync", str(root / "output"), f"s3://{theirs}",
                                "--delete", "--only-show-errors", "--endpoint-url",
                                store.endpoint],
            }
            order = list(contenders) if number % 2 == 0 else list(reversed(contenders))
            for phase in (FIRST, NOOP, NEW):
                if phase == NEW:
                    place(spares[number], root / "input")
                    measured([*feeds_base, "build", "-c", str(feeds_config), "--input",
                              str(root / "input"), *paths], env=env)
                for name in order:
                    run = measured(contenders[name], env=env,
                                   log=log if name == "feeds" else None)
                    times.setdefault((phase, name), []).append(run)
                    if name == "feeds":
                        found = re.search(r"(\d+) requests?", log.read_text(encoding="utf-8"))
                        requests.setdefault(phase, []).append(int(found[1]) if found else -1)
            print(f"round {number + 1} of {args.rounds} done", file=sys.stderr)
        kept = kept_client_deploys(root, feeds_config, spares[args.rounds:args.rounds + 3], env)
    finally:
        store.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    report(times, requests)
    their_new = statistics.median(run.wall for run in times[(NEW, "aws s3 sync")])
    ours = statistics.median(kept)
    print(f"\none new dump with the client kept (feeds run --deploy), in process: "
          f"{ours * 1000:.0f} ms median of {len(kept)}; aws s3 sync / this: "
          f"{their_new / ours:.0f}×")


def kept_client_deploys(root: Path, config: Path, dumps: list[Path],
                        env: dict[str, str]) -> list[float]:
    """Deploys of one new dump each by one S3 client kept open, as the daemon does:
    seconds of each `deploy` call (the build before it not timed)."""
    import time

    from feeds.config import load_settings
    from feeds.deploy import deploy, open_store
    from feeds.state import State

    os.environ.update({key: env[key] for key in env if key.startswith("AWS_")})
    settings = load_settings(config).with_overrides(output_dir=root / "output",
                                                    state_path=root / "state.sqlite3")
    store = open_store(settings)
    seconds = []
    for dump in dumps:
        place(dump, root / "input")
        measured([sys.executable, "-m", "feeds", "build", "-c", str(config), "--input",
                  str(root / "input"), "--output", str(settings.output_dir), "--state",
                  str(settings.state_path)], env=env)
        with State(settings.state_path) as state:
            started = time.perf_counter()
            deploy(settings, state, store=store)
            seconds.append(time.perf_counter() - started)
    return seconds


def config_for(base: Path, name: str, extra: str = "") -> Path:
    path = base.with_name(f"{name}.toml")
    path.write_text(CONFIG + extra, encoding="utf-8")
    return path


def report(times: dict[tuple[str, str], list[Run]], requests: dict[str, list[int]]) -> None:
    print("\n| phase | feeds wall s | feeds CPU s | aws s3 sync wall s | aws CPU s | "
          "aws/feeds wall | target | feeds requests |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for phase in (FIRST, NOOP, NEW):
        ours = times[(phase, "feeds")]
        theirs = times[(phase, "aws s3 sync")]
        wall = statistics.median(run.wall for run in ours)
        their_wall = statistics.median(run.wall for run in theirs)
        ratio = their_wall / wall
        verdict = "PASS" if ratio >= TARGETS[phase] else "FAIL"
        print(f"| {phase} | {wall:.3f} | {statistics.median(run.cpu for run in ours):.3f} | "
              f"{their_wall:.3f} | {statistics.median(run.cpu for run in theirs):.3f} | "
              f"{ratio:.1f}× | ≥ {TARGETS[phase]:g}× {verdict} | "
              f"{'/'.join(map(str, requests[phase]))} |")


if __name__ == "__main__":
    main()
