"""The one code path from the input directory to the output: `feeds build` and
the daemon's scan both call `publish`.

input files -> (changed since last seen?) -> parse -> state -> affected feeds -> output
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from feeds.config import Settings
from feeds.inputs import is_dump_name
from feeds.model import DumpError, Entry, Published
from feeds.output import Output
from feeds.parse import parse_dump
from feeds.render.items import FeedItem, article_item, headline_item
from feeds.render.jsonfeed import render_json
from feeds.render.pages import FeedSummary, article_page, category_page, index_page, opml
from feeds.render.site import FeedSpec, all_feed, category_feed, entry_page, populer_feed
from feeds.render.syndication import render_atom, render_rss
from feeds.state import SeenFile, State
from feeds.text import slugify

log = logging.getLogger("feeds")

Clock = Callable[[], datetime]
# Decides whether a changed file is complete enough to read (the daemon's settle rule).
Settled = Callable[[str, os.stat_result], bool]
Progress = Callable[[int, int], None]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Report:
    """What one run did."""

    parsed: int = 0
    unchanged: int = 0
    waiting: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    changed_entries: set[str] = field(default_factory=set)
    removed_entries: set[str] = field(default_factory=set)
    removed_pages: set[str] = field(default_factory=set)
    removed_slugs: set[str] = field(default_factory=set)
    written: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Dump:
    """An input file read once: its bytes' hash and what they parsed to."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    entry: Entry | None
    error: str | None


def publish(settings: Settings, state: State, *, rebuild: bool = False,
            clock: Clock = system_clock, settled: Settled | None = None,
            progress: Progress | None = None) -> Report:
    """Bring the state and the output up to date with the input directory.

    Only files whose size or mtime changed are read, only those whose bytes
    changed are parsed, and only feeds whose entries changed are rendered.
    `rebuild` forgets the state first and renders everything from the input.
    Raises OutputError or StateError when the environment fails; a bad dump is
    only reported.
    """
    report = Report()
    output = Output(settings.output_dir)
    if rebuild:
        with state.transaction():
            state.clear()
    files = list_input(settings.input_dir)
    seen = state.seen_files()
    todo = [(path, stat) for path, stat in files.items() if _changed(seen.get(path), stat)]
    report.unchanged = len(files) - len(todo)
    if settled is not None:
        ready = [(path, stat) for path, stat in todo if settled(path, stat)]
        report.waiting = len(todo) - len(ready)
        todo = ready
    dumps = read_dumps(settings, todo, seen, progress)
    affected = _apply(state, dumps, set(seen) - set(files), seen, clock(), report)
    # A rebuild, or an output directory that was lost, is rendered whole.
    full = rebuild or not output.path("index.html").exists()
    if full:
        affected |= {category.slug for category in state.categories()}
    if affected or report.removed_entries or full:
        _render(settings, state, output, affected, report, full=full)
    if rebuild:
        _remove_strays(state, output)
    report.written = output.written
    with state.transaction():
        state.note_run(clock(), report.parsed, len(report.rejected), len(report.written))
    return report


def list_input(input_dir: Path) -> dict[str, os.stat_result]:
    """Every dump below the input directory, by path relative to it (with "/")."""
    found: dict[str, os.stat_result] = {}
    if not input_dir.is_dir():
        raise FileNotFoundError(f"{input_dir}: input directory not found")
    for directory, subdirectories, names in os.walk(input_dir):
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
        for name in sorted(names):
            if not is_dump_name(name):
                continue
            path = Path(directory, name)
            try:
                stat = path.stat()
            except OSError:
                continue  # vanished between listing and stat: the next scan sees it
            found[path.relative_to(input_dir).as_posix()] = stat
    return found


def _changed(seen: SeenFile | None, stat: os.stat_result) -> bool:
    return seen is None or (seen.size, seen.mtime_ns) != (stat.st_size, stat.st_mtime_ns)


def read_dumps(settings: Settings, todo: list[tuple[str, os.stat_result]],
               seen: dict[str, SeenFile], progress: Progress | None = None) -> list[Dump]:
    """Read and parse each file; a file whose bytes did not change is not parsed."""
    dumps = []
    for done, (path, stat) in enumerate(todo, 1):
        dump = read_dump(settings, path, stat, seen.get(path))
        if dump is not None:
            dumps.append(dump)
        if progress:
            progress(done, len(todo))
    return dumps


def read_dump(settings: Settings, path: str, stat: os.stat_result,
              known: SeenFile | None) -> Dump | None:
    """One file: None when it changed while being read (it is read again later)."""
    full = settings.input_dir / path
    try:
        with full.open("rb") as handle:
            data = handle.read(settings.max_dump_bytes + 1)
            after = os.fstat(handle.fileno())
    except OSError as error:
        return Dump(path, stat.st_size, stat.st_mtime_ns, "", None,
                    f"cannot read: {error.strerror or error}")
    if (after.st_size, after.st_mtime_ns) != (stat.st_size, stat.st_mtime_ns):
        return None
    sha256 = hashlib.sha256(data).hexdigest()
    if known is not None and known.sha256 == sha256:
        return Dump(path, stat.st_size, stat.st_mtime_ns, sha256, None, None)  # only touched
    try:
        entry = parse_dump(data, path, settings.parse_options)
    except DumpError as error:
        return Dump(path, stat.st_size, stat.st_mtime_ns, sha256, None, error.reason)
    return Dump(path, stat.st_size, stat.st_mtime_ns, sha256, entry, None)


def _apply(state: State, dumps: list[Dump], deleted: set[str], seen: dict[str, SeenFile],
           now: datetime, report: Report) -> set[str]:
    """Record every dump in one transaction; returns the affected category slugs."""
    affected: set[str] = set()
    with state.transaction():
        for dump in dumps:
            known = seen.get(dump.path)
            if dump.error is not None:
                report.rejected.append((dump.path, dump.error))
                entry_id = known.entry_id if known else None
                state.note_file(SeenFile(dump.path, dump.size, dump.mtime_ns, dump.sha256,
                                         entry_id, dump.error), now)
                continue
            if dump.entry is None:  # same bytes, new mtime
                assert known is not None
                state.note_file(replace(known, size=dump.size, mtime_ns=dump.mtime_ns), now)
                continue
            report.parsed += 1
            entry = dump.entry
            changed = state.store_entry(entry, dump.mtime_ns, dump.sha256)
            if changed:
                report.changed_entries.add(entry.id)
                affected |= changed
            state.note_file(SeenFile(dump.path, dump.size, dump.mtime_ns, dump.sha256,
                                     entry.id, None), now)
            replaced = known.entry_id if known else None
            if replaced and replaced != entry.id and state.files_of(replaced) == 0:
                # The same file now holds another article (a corrected title): the old
                # one was never a separate article and leaves the feeds.
                _forget(state, [replaced], report)
                affected |= report.removed_slugs
        state.drop_files(deleted)  # their entries stay: the input may rotate files away
    return affected


def forget(settings: Settings, state: State, ids: list[str]) -> Report:
    """Retract entries on purpose and regenerate what they appeared in."""
    report = Report()
    output = Output(settings.output_dir)
    with state.transaction():
        _forget(state, ids, report)
    _render(settings, state, output, report.removed_slugs, report, full=False)
    report.written = output.written
    return report


def _forget(state: State, ids: list[str], report: Report) -> None:
    """Remove entries from the state, noting the pages and feeds that change."""
    for published in state.entries(ids):
        report.removed_pages.add(entry_page(published))
        report.removed_entries.add(published.entry.id)
    report.removed_slugs |= state.forget_entries(ids)


def _render(settings: Settings, state: State, output: Output, affected: set[str],
            report: Report, *, full: bool) -> None:
    categories = {category.slug: category for category in state.categories()}
    names = {slug: category.name for slug, category in categories.items()}
    site = settings.site_title
    summaries = []
    everything = all_feed(site, settings.site_description)
    newest = state.newest(None, settings.entries_per_feed)
    _write_feed(settings, output, everything, _items(settings, newest, names))
    summaries.append(_summary(settings, everything, newest, state.entry_count()))
    for slug, category in sorted(categories.items(), key=lambda item: item[1].name.casefold()):
        spec = category_feed(slug, category.name, site)
        entries = state.newest(slug, settings.entries_per_feed)
        if slug in affected:
            _write_feed(settings, output, spec, _items(settings, entries, names))
            output.write("category/" + slug + "/index.html", category_page(
                spec, entries, site, settings.base_url, settings.language))
        summaries.append(_summary(settings, spec, entries, category.count))
    for slug in affected - set(categories):
        for path in output.files_under(f"category/{slug}"):
            output.remove(path)
    populer = populer_feed(site)
    populer_items = _populer_items(settings, state, newest)
    _write_feed(settings, output, populer, populer_items)
    summaries.append(FeedSummary(populer, len(populer_items), len(populer_items),
                                 populer_items[0].title if populer_items else None,
                                 populer_items[0].url if populer_items else None,
                                 populer_items[0].published if populer_items else None))
    changed = state.all_ids() if full else report.changed_entries
    for published in state.entries(sorted(changed)):
        spec = category_feed(slugify(published.entry.category), names.get(
            slugify(published.entry.category), published.entry.category), site)
        output.write(entry_page(published), article_page(
            published, spec, site, settings.base_url, settings.language), durable=False)
    for page in report.removed_pages:
        output.remove(page)
    output.write("index.html", index_page(summaries, site, settings.site_description,
                                          settings.base_url, settings.language))
    output.write("feeds.opml", opml([s.spec for s in summaries], site, settings.base_url))


def _items(settings: Settings, entries: list[Published], names: dict[str, str]) -> list[FeedItem]:
    return [article_item(p, settings.base_url, settings.site_title,
                         names.get(slugify(p.entry.category), p.entry.category)) for p in entries]


def _populer_items(settings: Settings, state: State, newest: list[Published]) -> list[FeedItem]:
    """The "Populer" sidebar of the newest dump (greatest published, then id)."""
    if not newest:
        return []
    items = []
    for headline in newest[0].entry.populer:
        entry_id = state.entry_id_by_title(headline.title)
        found = state.entries([entry_id]) if entry_id else []
        url = settings.base_url + entry_page(found[0]) if found else None
        items.append(headline_item(headline, url, settings.site_title))
    return items


def _write_feed(settings: Settings, output: Output, spec: FeedSpec, items: list[FeedItem]) -> None:
    arguments = (spec, items, settings.base_url, settings.site_title, settings.language)
    output.write(spec.file("rss"), render_rss(*arguments))
    output.write(spec.file("atom"), render_atom(*arguments))
    output.write(spec.file("json"), render_json(*arguments))


def _summary(settings: Settings, spec: FeedSpec, entries: list[Published], total: int
             ) -> FeedSummary:
    first = entries[0] if entries else None
    return FeedSummary(spec, len(entries), total, first.entry.title if first else None,
                       settings.base_url + entry_page(first) if first else None,
                       first.entry.published if first else None)


def _remove_strays(state: State, output: Output) -> None:
    """After a rebuild: article pages and category feeds nothing in the state owns."""
    keep = {entry_page(p) for p in state.entries(sorted(state.all_ids()))}
    slugs = {category.slug for category in state.categories()}
    for path in output.files_under("artikel"):
        if path not in keep:
            output.remove(path)
    for path in output.files_under("category"):
        if path.split("/")[1] not in slugs:
            output.remove(path)
