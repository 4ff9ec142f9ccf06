"""The `feeds` command: a thin layer from arguments to the library."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from feeds.config import DEFAULT_CONFIG, Settings, load_settings
from feeds.inputs import find_dumps
from feeds.model import ConfigError, DumpError, FeedsError, entry_record
from feeds.parse import ParseOptions, parse_file
from feeds.publish import Report, publish
from feeds.state import State

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except ConfigError as error:
        print(f"feeds: configuration error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except FeedsError as error:
        print(f"feeds: {error}", file=sys.stderr)
        return EXIT_FAILED
    except FileNotFoundError as error:
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

    build = commands.add_parser(
        "build", help="publish the input directory's dumps as feeds, once",
        description="Read every new or changed dump, publish, exit. Exit status: 0 all dumps "
                    "parsed, 3 some rejected (feeds are still written), 2 usage or "
                    "configuration error, 1 anything else.")
    _common(build)
    build.add_argument("--rebuild", action="store_true",
                       help="forget the state and publish from the input again")
    build.set_defaults(run=_build)
    return parser


def _common(command: argparse.ArgumentParser) -> None:
    command.add_argument("-c", "--config", type=Path, default=DEFAULT_CONFIG,
                         help=f"configuration file (default: {DEFAULT_CONFIG})")
    command.add_argument("--input", type=Path, help="input directory (overrides the file)")
    command.add_argument("--output", type=Path, help="output directory (overrides the file)")
    command.add_argument("--state", type=Path, help="state database (overrides the file)")


def settings_from(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    return settings.with_overrides(input_dir=getattr(args, "input", None),
                                   output_dir=getattr(args, "output", None),
                                   state_path=getattr(args, "state", None))


def _build(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    with State(settings.state_path) as state:
        report = publish(settings, state, rebuild=args.rebuild, progress=_progress_bar())
        rejected = state.rejected_files()
    for path, reason in report.rejected:
        print(f"REJECTED {settings.input_dir / path}: {reason}", file=sys.stderr)
    print(_summary(report, len(rejected), settings), file=sys.stderr)
    return EXIT_REJECTED if rejected else EXIT_OK


def _summary(report: Report, rejected_now: int, settings: Settings) -> str:
    earlier = rejected_now - len(report.rejected)
    return (f"feeds: {report.parsed} parsed, {len(report.rejected)} rejected"
            + (f" ({earlier} more rejected earlier and unchanged)" if earlier else "")
            + f", {report.unchanged} unchanged; {len(report.changed_entries)} entries changed, "
            f"{len(report.written)} files written in {settings.output_dir}")


def _progress_bar() -> Callable[[int, int], None] | None:
    """A one-line bar on a terminal, for builds that take a moment; nothing otherwise."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        if total < 200 or (done % 100 and done != total):
            return
        width = 30
        filled = width * done // total
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} dumps{end}")
        sys.stderr.flush()

    return show


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
