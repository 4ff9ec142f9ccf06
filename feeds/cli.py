"""The `feeds` command: a thin layer from arguments to the library.

Exit statuses: 0 success, 1 failure of the environment (output, state, input
directory), 2 usage or configuration error, 3 some dumps were rejected, 141 the
reader of standard output left (a closed pipe), as for a tool SIGPIPE ends.

Each command imports what it uses when it runs: `feeds --help` loads
argparse and this module, nothing of the parser, the state or the renderers.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from feeds.config import Settings
    from feeds.inputs import SeenFile
    from feeds.publish import Report

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3
# 128 + SIGPIPE (13): what a shell reports for a tool SIGPIPE ended.
EXIT_READER_GONE = 141


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    from feeds.errors import ConfigError, FeedsError

    try:
        status = int(args.run(args))
        sys.stdout.flush()  # a reader that left is found here, not at the interpreter's exit
        return status
    except BrokenPipeError:
        return _reader_gone()
    except ConfigError as error:
        print(f"feeds: configuration error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (FeedsError, OSError) as error:
        print(f"feeds: {error}", file=sys.stderr)
        return EXIT_FAILED


def _reader_gone() -> int:
    """The reader of the output left (`feeds check --json DIR | head -1`): stop
    quietly, with the status of a tool SIGPIPE ended. Standard output is pointed at
    /dev/null, as the Python documentation advises, so that the flush at exit does
    not meet the closed pipe again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_READER_GONE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="feeds", description="RSS, Atom and JSON feeds from dumps of news pages.")
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="print the installed feeds's version and exit")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    _add_check(commands)

    build = commands.add_parser(
        "build", help="publish the input directory's dumps as feeds, once",
        description="Read every new or changed dump, publish, exit. Exit status: 0 all dumps "
                    "parsed, 3 some rejected (feeds are still written), 2 usage or "
                    "configuration error, 1 anything else.")
    _paths(build, "input", "output", "state")
    build.add_argument("--rebuild", action="store_true",
                       help="forget the state and publish from the input again")
    build.add_argument("-v", "--verbose", action="store_true",
                       help="log every published entry, not only rejections")
    build.set_defaults(run=_build)

    run = commands.add_parser(
        "run", help="publish continuously: watch the input directory until stopped",
        description="The daemon: publishes a file as soon as inotify reports it complete, "
                    "with a full pass over the input directory at start and every "
                    "daemon.safety_interval seconds (without inotify: a poll every --interval "
                    "seconds); SIGTERM or SIGINT stop it after the file in hand (exit 0).")
    _paths(run, "input", "output", "state")
    run.add_argument("--interval", type=_positive,
                     help="seconds between polls where inotify is unavailable (default 2)")
    run.add_argument("--serve", action="store_true",
                     help="also serve the output over HTTP (see feeds serve)")
    run.add_argument("--deploy", action="store_true",
                     help="also deploy to deploy.target after every pass that changed "
                          "something (see feeds deploy); a failed deploy is retried")
    _server_options(run)
    run.set_defaults(run=_run)

    serve = commands.add_parser(
        "serve", help="serve the output directory over HTTP, read-only",
        description="Serve output/ with the right content types, ETag and Last-Modified "
                    "(304 answers), gzip and Cache-Control; nothing outside it is reachable.")
    _paths(serve, "output")
    _server_options(serve)
    serve.set_defaults(run=_serve)

    _add_state_commands(commands)
    _add_deploy(commands)
    _add_stats(commands)
    return parser


def _add_stats(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    stats = commands.add_parser(
        "stats", help="who reads the feeds: subscribers, polls and readers, from access logs",
        description="Read what is new in access logs (the built-in server's or nginx's "
                    "combined format; plain, rotated, gzip, bzip2 or xz; - for standard "
                    "input) into the stats history, then report per feed and for the site: "
                    "subscribers (what hosted readers report plus distinct clients a day), "
                    "polls, the share answered 304, bytes, readers and bots, over the last "
                    "day, week and month, and write the chart page. Without LOG, reads "
                    "stats.logs, else server.access_log and its rotations. A line is never "
                    "counted twice; no IP address is stored. Exit status 1 when a log cannot "
                    "be read (the others still are).")
    stats.add_argument("logs", nargs="*", metavar="LOG")
    stats.add_argument("--json", action="store_true", help="the report as JSON")
    stats.add_argument("--history", type=Path,
                       help="the stats history file (overrides stats.history)")
    _paths(stats, "output", "state")
    stats.set_defaults(run=_stats)


def _add_deploy(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    deploy = commands.add_parser(
        "deploy", help="put the output in an object store (S3 or compatible), only what changed",
        description="Put the files of the output that changed since the last deploy in "
                    "deploy.target (article pages and images, then feeds, then index pages "
                    "and sitemaps), then delete the keys whose files are gone. Prints the "
                    "URL paths it changed, for a CDN to purge. Credentials come from the "
                    "environment, a shared credentials file or an instance role. Exit "
                    "status 1 when the store refuses or cannot be reached: run it again to "
                    "finish.")
    _paths(deploy, "output", "state")
    deploy.add_argument("--dry-run", action="store_true",
                        help="print what would be put and deleted; change nothing")
    deploy.add_argument("--verify", action="store_true",
                        help="list the bucket and repair every difference (a store changed "
                             "by hand, a state lost), rather than trust what was recorded")
    deploy.add_argument("--max-deletes", type=int, metavar="N",
                        help="delete at most N keys, else stop before changing anything "
                             "(overrides deploy.max_deletes)")
    deploy.add_argument("--changed-list", type=Path, metavar="FILE",
                        help="also write the changed URL paths to FILE, one a line")
    deploy.add_argument("-q", "--quiet", action="store_true",
                        help="print only the summary line, not the changed paths")
    deploy.set_defaults(run=_deploy)


def _add_check(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`feeds check`: it reads the dumps it is given, and nothing else but the configuration."""
    from feeds.dates import ZONES  # the zones the parser knows, named once

    check = commands.add_parser(
        "check", help="parse dumps and report what they hold, publishing nothing",
        description="Parse dumps (files, or directories of dumps) without publishing, as the "
                    "configuration file says (feeds.default_category, feeds.default_zone, "
                    "feeds.max_dump_bytes). Exit status: 0 all parsed, 3 some rejected, 2 "
                    "usage or configuration error.")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    check.add_argument("--json", action="store_true",
                       help="one JSON object per line instead of a summary")
    check.add_argument("--default-category",
                       help="category of a page that names none (overrides the file's "
                            "feeds.default_category)")
    check.add_argument("--default-zone", choices=list(ZONES),
                       help="zone of a stamp that names none (overrides the file's "
                            "feeds.default_zone)")
    _config_option(check)
    check.set_defaults(run=_check)


def _add_state_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The commands that read or change what the state holds."""
    status = commands.add_parser(
        "status", help="what the state holds: entries per category, last run, rejected files",
        description="Print the configuration file in use, what the state holds (entries per "
                    "category, the last run, work still pending) and every rejected file "
                    "with its reason. Reads the state without locking it.")
    _paths(status, "input", "output", "state")
    status.set_defaults(run=_status)

    retract = commands.add_parser(
        "forget", help="remove entries on purpose (a retraction) and regenerate their feeds",
        description="Remove entries by id (with or without the urn:uuid: prefix). Exit "
                    "status 1 when an id is unknown (the others are still removed).")
    retract.add_argument("ids", nargs="+", metavar="ID")
    _paths(retract, "output", "state")
    retract.set_defaults(run=_forget)


class _Version(argparse.Action):
    """`--version`: the installed package's version, looked up only when asked
    (importlib.metadata would load with every command otherwise)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from importlib.metadata import version

        print(f"feeds {version('feeds')}")
        parser.exit()


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _config_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("-c", "--config", type=Path,
                         help="configuration file (default: $FEEDS_CONFIG, else "
                              "./config/feeds.toml when there is one, else built-in defaults)")


def _paths(command: argparse.ArgumentParser, *which: str) -> None:
    _config_option(command)
    helps = {"input": "input directory", "output": "output directory",
             "state": "state database"}
    for name in which:
        command.add_argument(f"--{name}", type=Path, help=f"{helps[name]} (overrides the file)")


def _server_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    command.add_argument("--port", type=int, help="port to listen on (default 8080)")


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings of the configuration file found (see `feeds.config.find_config`),
    with the command line's values over them; `args.config_used` names the file.
    Paths that can never work are refused here, before any work."""
    from feeds.config import check_paths

    settings = configured(args, input_dir=getattr(args, "input", None),
                          output_dir=getattr(args, "output", None),
                          state_path=getattr(args, "state", None),
                          host=getattr(args, "host", None), port=getattr(args, "port", None))
    check_paths(settings, args.config_used or "built-in defaults")
    return settings


def configured(args: argparse.Namespace, **overrides: object) -> Settings:
    """The settings of the configuration file found, with `overrides` (the
    command line's values; None: not given) over them; `args.config_used` names
    the file."""
    from feeds.config import find_config, load_config, validate

    args.config_used = find_config(args.config)
    settings = load_config(args.config_used)
    return validate(settings.with_overrides(**overrides), "command line")


def _require_input(settings: Settings) -> None:
    """Refuse a missing input directory before anything is created."""
    from feeds.errors import InputError

    if not settings.input_dir.is_dir():
        raise InputError(settings.input_dir, "input directory not found")


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def _logging(level: str, with_time: bool) -> None:
    import logging

    logging.basicConfig(
        level=level, stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(message)s" if with_time else "feeds: %(message)s",
        datefmt="%Y-%m-%dT%H:%M:%S%z")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # quiet when idle


def _check(args: argparse.Namespace) -> int:
    from feeds.errors import DumpError
    from feeds.inputs import find_dumps
    from feeds.parse import parse_file
    from feeds.parse.sidebars import read_sidebars
    from feeds.records import entry_record

    missing = [path for path in args.paths if not path.exists()]
    if missing:
        print(f"feeds check: no such file or directory: {missing[0]}", file=sys.stderr)
        return EXIT_USAGE
    # Paths are not checked: check reads only the dumps it is given, and writes nothing.
    options = configured(args, default_category=args.default_category,
                         default_zone=args.default_zone).parse_options
    _logging("WARNING", with_time=False)  # what a directory's listing passed over
    rejected = 0
    for path in find_dumps(args.paths):
        try:
            entry = parse_file(path, options)
        except DumpError as error:
            rejected += 1
            _report(args.json, {"file": str(path), "ok": False, "error": error.reason},
                    f"REJECTED {path}: {error.reason}")
            continue
        headlines = read_sidebars(entry.sidebars)
        summary = (f"ok {path}: {entry.published:%Y-%m-%d %H:%MZ} [{entry.category}] "
                   f"{entry.title} ({_plural(len(entry.blocks), 'paragraph')}, "
                   f"{len(headlines.populer)} populer, {len(headlines.update)} update)")
        summary += "".join(f"\n   warning: {warning}" for warning in entry.warnings)
        _report(args.json, {"file": str(path), "ok": True,
                            "entry": entry_record(entry, headlines)}, summary)
    return EXIT_REJECTED if rejected else EXIT_OK


def _report(as_json: bool, record: dict[str, object], line: str) -> None:
    import json

    print(json.dumps(record, ensure_ascii=False, default=_utc_text) if as_json else line)


def _utc_text(value: object) -> str:
    """The times in an `entry_record`, written as the state writes them."""
    from feeds.dates import format_utc

    if isinstance(value, datetime):
        return format_utc(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _build(args: argparse.Namespace) -> int:
    from feeds.errors import Rejection
    from feeds.publish import publish
    from feeds.state import State

    settings = settings_from(args)
    _require_input(settings)
    _logging("INFO" if args.verbose else "WARNING", with_time=False)
    with State(settings.state_path) as state:
        report = publish(settings, state, rebuild=args.rebuild, progress=_progress_bar())
        # The state records every rejected file but those it cannot name.
        rejected = len(state.files.rejected()) + sum(
            rejected.kind is Rejection.UNNAMABLE for rejected in report.rejected)
    if settings.websub_hub:
        from feeds.websub import HubNotifier, changed_feed_urls

        notifier = HubNotifier(settings.websub_hub, attempts=3)
        notifier.notify(changed_feed_urls(report.written, settings.base_url))
        notifier.close(wait=10)  # the feeds are written; only the hub waits
    for rejected_file in report.rejected:
        print(f"feeds: rejected {settings.input_dir / rejected_file.path}: "
              f"{rejected_file.reason}", file=sys.stderr)
    print(summary(report, rejected, settings, rebuilt=args.rebuild), file=sys.stderr)
    return EXIT_REJECTED if rejected else EXIT_OK


def summary(report: Report, rejected_now: int, settings: Settings, *, rebuilt: bool) -> str:
    """The last line of a build: what was read, what it changed, what was written,
    and where the state is (without a configuration file, nothing else says)."""
    output_dir = settings.output_dir
    earlier = rejected_now - len(report.rejected)
    entries = report.changed
    changed = (f"rebuilt {_plural(entries, 'entry', 'entries')} from the input" if rebuilt
               else f"{_plural(entries, 'entry', 'entries')} changed")
    written = report.files_written
    return (f"feeds: {report.parsed} parsed, {len(report.rejected)} rejected"
            + (f" ({earlier} more rejected earlier and unchanged)" if earlier else "")
            + f", {report.unchanged} unchanged; {changed}, "
            + (f"{_plural(report.sized, 'lead image size')} read, " if report.sized else "")
            + (f"{_plural(written, 'file')} written in {output_dir}" if written
               else f"no file written: {output_dir} was up to date")
            + f"; state in {settings.state_path}")


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


def _run(args: argparse.Namespace) -> int:
    from feeds.daemon import run_daemon  # the scheduler and inotify only load for the daemon

    settings = settings_from(args)
    _require_input(settings)
    _logging(settings.log_level, with_time=True)
    if args.interval:
        settings = settings.with_overrides(interval=args.interval)
    run_daemon(settings, serve=args.serve, deploy=args.deploy)
    return EXIT_OK


def _deploy(args: argparse.Namespace) -> int:
    from feeds.deploy import deploy
    from feeds.deploy.plan import url_paths
    from feeds.state import State

    settings = settings_from(args)
    with State(settings.state_path) as state:
        report = deploy(settings, state, dry_run=args.dry_run, verify=args.verify,
                        max_deletes=args.max_deletes)
    changed = url_paths(report.changed, settings.base_url)
    if not args.quiet:
        for path in changed:
            print(path)
    if args.changed_list is not None:
        args.changed_list.write_text("".join(f"{path}\n" for path in changed), encoding="utf-8")
    verb = ("would put", "would delete") if report.dry_run else ("put", "deleted")
    print(f"feeds: {report.target}: {verb[0]} {_plural(len(report.uploaded), 'file')} "
          f"({report.bytes_uploaded:,} bytes), {verb[1]} {len(report.deleted)}, "
          f"{report.unchanged} unchanged; {_plural(report.requests, 'request')}",
          file=sys.stderr)
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    import signal
    import threading

    from feeds.errors import OutputError
    from feeds.server import Server

    settings = settings_from(args)
    _logging(settings.log_level, with_time=True)
    if not settings.output_dir.is_dir():
        raise OutputError(settings.output_dir, "output directory not found "
                                               "(run feeds build first, or give --output)")
    server = Server(settings)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    server.start()
    stop.wait()
    server.close()
    return EXIT_OK


def _status(args: argparse.Namespace) -> int:
    from feeds.publish import READ_FROM
    from feeds.state import State

    settings = settings_from(args)
    print(f"configuration: {args.config_used or 'built-in defaults (no configuration file)'}")
    if not settings.state_path.exists():
        print(f"no state yet at {settings.state_path}: run feeds build or feeds run")
        return EXIT_OK
    with State(settings.state_path, lock=False) as state:
        categories = state.names.categories()
        last = state.runs.last()
        rejected = state.files.rejected()
        pending = state.work.pending()
        total = state.entries.count()
        read_from = state.meta(READ_FROM)
        images = state.images.counts()
    print(f"state file: {settings.state_path}")
    print(f"state: {_plural(total, 'entry', 'entries')} in "
          f"{_plural(len(categories), 'category', 'categories')}")
    for category in sorted(categories, key=lambda c: (-c.count, c.slug)):
        print(f"  {category.count:6d}  {category.name} (category/{category.slug}/), newest "
              f"{category.newest:%Y-%m-%dT%H:%M:%SZ}")
    # A state from before feeds recorded where it read: the input named here.
    _print_rejected(rejected, Path(read_from) if read_from else settings.input_dir,
                    settings.input_dir)
    if pending:
        print(f"state: pending {len(pending.feeds)} feeds, {pending.pages} pages, "
              f"{len(pending.removals)} removals, {len(pending.months)} sitemap months, "
              f"{len(pending.archives)} archive documents (written by the next run)")
    if settings.images_probe or images.sized or images.failed:
        print(f"images: {_plural(images.sized, 'lead image size')} read, "
              f"{images.failed} failed ({images.retrying} to be tried again), "
              f"{_plural(images.waiting, 'entry', 'entries')} waiting for one")
    if last:
        print(f"last run ({last.finished}): {last.parsed} parsed, {last.rejected} rejected, "
              f"{_plural(last.written, 'file')} written")
    return EXIT_OK


def _stats(args: argparse.Namespace) -> int:
    import json

    from feeds.stats import default_logs, report, update, write_page
    from feeds.stats.text import report_text

    settings = settings_from(args)
    if args.history is not None:
        settings = settings.with_overrides(stats_history=str(args.history.absolute()))
    names = list(args.logs) or default_logs(settings)
    run = update(settings, names)
    for name, reason in run.failed:
        print(f"feeds stats: {name}: {reason}", file=sys.stderr)
    summary = report(settings)
    page = write_page(settings, summary)
    if args.json:
        print(json.dumps({**summary.as_json(), "this_run": {
            "logs": [reading.name for reading in run.readings], "lines_read": run.lines,
            "malformed_lines": run.malformed, "page": str(page)}}, indent=1))
    else:
        sys.stdout.write(report_text(summary))
        print(f"this run: {_plural(len(run.readings), 'log')}, "
              f"{_plural(run.lines, 'new line')} ({run.malformed} malformed, skipped); "
              f"page: {page}")
    return EXIT_FAILED if run.failed else EXIT_OK


def _print_rejected(rejected: Sequence[SeenFile], read_from: Path, input_dir: Path) -> None:
    """The rejected files the state holds, by the path they were read from."""
    elsewhere = read_from != input_dir.absolute()
    print(f"state: {_plural(len(rejected), 'rejected file')}, read from {read_from}"
          + (f" (this command's input is {input_dir})" if elsewhere else ""))
    for seen in rejected:
        print(f"  {read_from / seen.path}: {seen.error}")


def _forget(args: argparse.Namespace) -> int:
    from feeds.publish import forget
    from feeds.state import State

    settings = settings_from(args)
    ids = [i if i.startswith("urn:uuid:") else f"urn:uuid:{i}" for i in args.ids]
    with State(settings.state_path) as state:
        report = forget(settings, state, ids)
    unknown = [entry_id for entry_id in ids if entry_id not in report.removed_entries]
    for entry_id in sorted(report.removed_entries):
        print(f"forgot {entry_id}")
    for entry_id in unknown:
        print(f"feeds forget: no entry {entry_id}", file=sys.stderr)
    return EXIT_FAILED if unknown else EXIT_OK
