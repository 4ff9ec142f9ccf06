#!/usr/bin/env python3
"""Whether two revisions of feeds publish the same bytes from a large corpus.

    python bench/identical.py [--size 10000] [--before REV] [--after TREE_OR_REV]

`--before` is a git revision (default: the merge-base of HEAD and main, which is HEAD
itself on main: the last commit against the uncommitted work); `--after` is a work tree
(default: the one holding this script, uncommitted changes included) or a revision. A
revision is checked out into a temporary `git worktree`, removed at the end.

The corpus is the first `--size` dumps of the one bench/run.py measures (tests/corpus.py,
made once and kept in bench/corpora/). Each side runs `python -m feeds build` as its own
process, from its own tree (PYTHONPATH and working directory), with the same minimal
configuration and a fresh input (hard links: the same bytes and mtimes), output and
state. Then, file by file, the two outputs are compared. Phase two drops the corpus's first
spare article into both inputs and builds again on the same states, so the incremental
path is compared too.

Prints, per phase: files compared, identical, differing (the first 20 paths), only in
before, only in after. Exits 1 on any difference, keeping both trees for a look (their
directory is printed); 0 otherwise, removing them.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.update_cost import WORK, corpus, dump_files, spare_articles  # noqa: E402

SHOWN = 20  # differing paths printed per phase
# The settings both sides build with; paths come as flags. A file of its own, not the
# shipped one, so neither side reads the other's config/feeds.toml or $FEEDS_CONFIG.
CONFIG = '[site]\ntitle = "Bench"\n'


class Side(NamedTuple):
    name: str  # "before" or "after"
    tree: Path  # the checkout whose feeds/ runs
    input_dir: Path
    output_dir: Path
    state_path: Path


class Comparison(NamedTuple):
    identical: list[str]
    differing: list[str]
    only_before: list[str]
    only_after: list[str]

    @property
    def same(self) -> bool:
        return not (self.differing or self.only_before or self.only_after)


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def default_before() -> str:
    return git("merge-base", "main", "HEAD")


def checkout(rev: str, into: Path) -> Path:
    """A temporary worktree of `rev` at `into` (detached: no branch is made)."""
    git("worktree", "add", "--detach", "--quiet", str(into), rev)
    return into


def corpus_dumps(size: int) -> tuple[list[Path], Path]:
    """The corpus's first `size` dumps, and its first spare dump that is a new article
    (not a duplicate, a correction or junk), so that it changes the feeds."""
    return dump_files(corpus(size))[:size], spare_articles(size)[0]


def place(dump: Path, directory: Path) -> None:
    """`dump` in `directory` with its bytes and mtime (the mtime is part of what is
    published)."""
    target = directory / dump.name
    try:
        os.link(dump, target)
    except OSError:  # another file system: a copy keeps the mtime too
        shutil.copy2(dump, target)


def tree_environment(tree: Path) -> dict[str, str]:
    """The environment a process of `tree`'s feeds runs in: its own package first, no
    configuration from outside, byte code cached (as it is where feeds is installed)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env.pop("FEEDS_CONFIG", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def build_command(config: Path, input_dir: Path, output_dir: Path, state_path: Path
                  ) -> list[str]:
    """`feeds build` as a process, run with a tree's environment from the tree."""
    return [sys.executable, "-m", "feeds", "build", "-c", str(config), "--input",
            str(input_dir), "--output", str(output_dir), "--state", str(state_path)]


def build(side: Side, config: Path) -> float:
    """One `feeds build` from the side's own tree; seconds it took."""
    command = build_command(config, side.input_dir, side.output_dir, side.state_path)
    started = time.perf_counter()
    run = subprocess.run(command, cwd=side.tree, env=tree_environment(side.tree),
                         capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if run.returncode not in (0, 3):  # 3: some dumps were rejected, the rest published
        raise SystemExit(f"{side.name}: feeds build exited {run.returncode}:\n{run.stderr}")
    # The summary's counts, without the paths it names.
    summary = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else ""
    summary = summary.partition(" files written")[0] + " files written"
    print(f"  {side.name}: {seconds:.1f} s; {summary}", flush=True)
    return seconds


def imported_from(tree: Path) -> Path:
    """Where `import feeds` resolves with the environment `build` gives: the side's
    tree, not the package the virtual environment installed."""
    run = subprocess.run([sys.executable, "-c", "import feeds; print(feeds.__file__)"],
                         cwd=tree, env=tree_environment(tree),
                         capture_output=True, text=True, check=True)
    return Path(run.stdout.strip())


def files(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def compare(before: Path, after: Path) -> Comparison:
    found_before, found_after = files(before), files(after)
    identical: list[str] = []
    differing: list[str] = []
    for path in sorted(found_before & found_after):
        same = filecmp.cmp(before / path, after / path, shallow=False)
        (identical if same else differing).append(path)
    return Comparison(identical, differing, sorted(found_before - found_after),
                      sorted(found_after - found_before))


def show(phase: str, result: Comparison) -> None:
    compared = len(result.identical) + len(result.differing)
    print(f"{phase}: {compared} files compared, {len(result.identical)} identical, "
          f"{len(result.differing)} differing, {len(result.only_before)} only before, "
          f"{len(result.only_after)} only after")
    for label, paths in (("differs", result.differing), ("only before", result.only_before),
                         ("only after", result.only_after)):
        for path in paths[:SHOWN]:
            print(f"  {label}: {path}")
        if len(paths) > SHOWN:
            print(f"  … and {len(paths) - SHOWN} more")


def sides(root: Path, before: Path, after: Path) -> tuple[Side, Side]:
    made = []
    for name, tree in (("before", before), ("after", after)):
        side = Side(name, tree, root / name / "input", root / name / "output",
                    root / name / "state" / "feeds.sqlite3")
        side.input_dir.mkdir(parents=True)
        made.append(side)
    return made[0], made[1]


def run_phases(size: int, root: Path, before: Path, after: Path) -> bool:
    """Both phases; whether every file matched in both."""
    for tree in (before, after):
        module = imported_from(tree)
        if not module.is_relative_to(tree):
            raise SystemExit(f"{tree}: import feeds finds {module}, not the tree's own")
    dumps, spare = corpus_dumps(size)
    config = root / "feeds.toml"
    config.write_text(CONFIG, encoding="utf-8")
    pair = sides(root, before, after)
    all_same = True
    for phase, new in ((f"phase 1, {size} dumps from nothing", dumps),
                       (f"phase 2, one new dump ({spare.name}) on the same state", [spare])):
        print(phase, flush=True)
        for side in pair:
            for dump in new:
                place(dump, side.input_dir)
            build(side, config)
        result = compare(pair[0].output_dir, pair[1].output_dir)
        show(phase, result)
        all_same = all_same and result.same
    return all_same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--before", help="a git revision (default: the merge-base of HEAD "
                                         "and main)")
    parser.add_argument("--after", help="a work tree or a git revision (default: the work "
                                        "tree holding this script)")
    args = parser.parse_args()
    before_rev = args.before or default_before()
    WORK.mkdir(parents=True, exist_ok=True)
    # Below bench/work, on the corpus's file system: the inputs are hard links to it.
    root = Path(tempfile.mkdtemp(prefix="identical-", dir=WORK))
    worktrees: list[Path] = []
    started = time.perf_counter()
    try:
        before = checkout(git("rev-parse", "--verify", before_rev), root / "tree-before")
        worktrees.append(before)
        after_dir = Path(args.after) if args.after else REPO
        if args.after and not after_dir.is_dir():
            after_dir = checkout(git("rev-parse", "--verify", args.after), root / "tree-after")
            worktrees.append(after_dir)
        after = after_dir.resolve()
        print(f"before: {before_rev} ({git('rev-parse', '--short', before_rev)}); "
              f"after: {args.after or after}", flush=True)
        same = run_phases(args.size, root, before, after)
    except BaseException:
        print(f"stopped; what was made is in {root}", file=sys.stderr)
        raise
    finally:
        for tree in worktrees:
            git("worktree", "remove", "--force", str(tree))
    print(f"{time.perf_counter() - started:.0f} s in all")
    if not same:
        print(f"the outputs differ; both sides are kept in {root}")
        raise SystemExit(1)
    shutil.rmtree(root)
    print("identical")


if __name__ == "__main__":
    main()
