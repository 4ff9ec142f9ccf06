"""The `feeds` command: a thin layer from arguments to the library."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from feeds.inputs import find_dumps
from feeds.model import DumpError, FeedsError, entry_record
from feeds.parse import ParseOptions, parse_file

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except FeedsError as error:
        print(f"feeds: {error}", file=sys.stderr)
        return EXIT_FAILED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="feeds", description="RSS, Atom and JSON feeds from dumps of news pages.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    check = commands.add_parser(
        "check", help="parse dumps and report what they hold, publishing nothing",
        description="Parse dumps (files, or directories of dumps) without publishing. "
                    "Exit status: 0 all parsed, 3 some rejected, 2 usage error.")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    check.add_argument("--json", action="store_true",
                       help="one JSON object per line instead of a summary")
    check.add_argument("--default-category", default="Berita",
                       help="category of a page that names none (default: Berita)")
    check.add_argument("--default-zone", default="WIB", choices=["WIB", "WITA", "WIT"],
                       help="zone of a stamp that names none (default: WIB)")
    check.set_defaults(run=_check)
    return parser


def _check(args: argparse.Namespace) -> int:
    missing = [path for path in args.paths if not path.exists()]
    if missing:
        print(f"feeds check: no such file or directory: {missing[0]}", file=sys.stderr)
        return EXIT_USAGE
    options = ParseOptions(default_category=args.default_category, default_zone=args.default_zone)
    rejected = 0
    for path in find_dumps(args.paths):
        try:
            entry = parse_file(path, options)
        except DumpError as error:
            rejected += 1
            _report(args.json, {"file": str(path), "ok": False, "error": error.reason},
                    f"REJECTED {path}: {error.reason}")
            continue
        summary = (f"ok {path}: {entry.published:%Y-%m-%d %H:%MZ} [{entry.category}] "
                   f"{entry.title} ({len(entry.blocks)} paragraphs, {len(entry.populer)} "
                   f"populer, {len(entry.update)} update)")
        summary += "".join(f"\n   warning: {warning}" for warning in entry.warnings)
        _report(args.json, {"file": str(path), "ok": True, "entry": entry_record(entry)}, summary)
    return EXIT_REJECTED if rejected else EXIT_OK


def _report(as_json: bool, record: dict[str, object], line: str) -> None:
    print(json.dumps(record, ensure_ascii=False) if as_json else line, flush=False)
