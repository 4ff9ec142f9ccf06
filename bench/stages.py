#!/usr/bin/env python3
"""Where a dump's time goes: the CPU each stage of a build spends on one dump.

    python bench/stages.py [--dumps 2000]

Runs each stage of `feeds build` over the first articles (not the junk) of the 10,000-dump corpus
(generated as bench/run.py does, 20 % HTML), in this one process, through
feeds's own functions: reading and hashing the file, parsing it (text and HTML
apart), encoding the entry for the state, rendering and creating its article
page, the round trip between a worker and the main process, and the main
process's recording (`feeds.publish.ingest.record`, a batch a transaction, as a
build does). Each
stage runs over all the dumps in turn, so the timer is read twice a stage, not
twice a dump. The sum, spread over the machine's cores, is the throughput a
build could reach if nothing else ran: no start-up, no final rendering of the
feeds, no waiting between processes.

The pages and state it writes are set aside in bench/work/.trash, not deleted:
on this VM's disk, creating files for minutes after many were deleted costs
ten times as much (see bench/update_cost.py's `set_aside`), and a run right
after another would show that instead of feeds. bench/run.py deletes them at
its end.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import pickle
import re
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lxml import etree  # noqa: E402

from bench.update_cost import WORK, corpus, link_input, machine, set_aside  # noqa: E402
from feeds.config import Settings, validate  # noqa: E402
from feeds.model import Published  # noqa: E402
from feeds.output import Output  # noqa: E402
from feeds.parse import is_html, parse_dump, read_dump_bytes  # noqa: E402
from feeds.publish.ingest import BATCH_CHUNKS, CHUNK, record  # noqa: E402
from feeds.publish.report import Report  # noqa: E402
from feeds.reading import Dump  # noqa: E402
from feeds.records import encode  # noqa: E402
from feeds.render.articles import article_file  # noqa: E402
from feeds.site import entry_page  # noqa: E402
from feeds.state import State  # noqa: E402

CORPUS_SIZE = 10_000
# The lean references parsing is measured against: what reading a page takes
# when done in as few C-level calls as the shapes allow.
_LEAN_DATE_LINE = re.compile(
    r"^(?:[A-Za-z']+,? )?\d{1,2}[ /][A-Za-z0-9]+[ /]\d{4}.{0,12}?\d{1,2}[:.]\d\d.*$",
    re.MULTILINE)
_LEAN_PARSER = etree.HTMLParser()
_LEAN_BLANKS = re.compile(r"\n\s*\n")


def lean_text(data: bytes) -> tuple[str, str, str, list[str]]:
    """A text dump cut around its date line with one regex and three cuts:
    title, category, date line, paragraphs (no cleaning, no checks)."""
    text = data.decode("utf-8", "replace")
    date = _LEAN_DATE_LINE.search(text)
    if date is None:
        return "", "", "", []
    header = _LEAN_BLANKS.split(text[: date.start()].strip())
    body = text[date.end() :].split("Populer", 1)[0]
    return header[-1], header[-2] if len(header) > 1 else "", date[0], _LEAN_BLANKS.split(body)


def lean_html(data: bytes) -> tuple[dict[str, str], list[object], list[str]]:
    """An HTML page read by lxml: its meta tags, JSON-LD and paragraphs."""
    root = etree.fromstring(data, _LEAN_PARSER)
    meta = {str(key): str(value) for key, value in
            zip(root.xpath("//meta/@property|//meta/@name"), root.xpath(
                "//meta[@property or @name]/@content"), strict=False)}
    ld = [json.loads(text) for text in root.xpath(
        "//script[@type='application/ld+json']/text()")]
    return meta, ld, [p.xpath("string()") for p in root.iter("p")]
T = TypeVar("T")
U = TypeVar("U")


def timed(items: Iterable[T], stage: Callable[[T], U]) -> tuple[float, list[U]]:
    """CPU seconds `stage` took over all items, and what it returned for each.

    What earlier stages left in memory (every parsed entry) is frozen out of the
    garbage collector's sight first: a build holds one batch at a time, and this
    process holds all of them, which would bill each stage for scanning the others'."""
    items = list(items)
    gc.collect()
    gc.freeze()
    try:
        started = time.process_time()
        results = [stage(item) for item in items]
        return time.process_time() - started, results
    finally:
        gc.unfreeze()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dumps", type=int, default=2000)
    args = parser.parse_args()
    print(machine())
    print()
    print(report(args.dumps))


def report(dumps: int) -> str:
    """The stages' costs over the first `dumps` dumps of the corpus, as printed."""
    root = WORK / str(CORPUS_SIZE)
    if not (root / "input").is_dir():
        root = link_input(CORPUS_SIZE)
    articles = {record["file"] for record in map(json.loads, (corpus(CORPUS_SIZE) / "truth.jsonl")
                .read_text(encoding="utf-8").splitlines()) if record["kind"] != "invalid"}
    names = sorted(path.name for path in (root / "input").iterdir()
                   if path.name in articles)[:dumps]
    scratch = WORK / "stages"
    set_aside(scratch)
    costs, parse_costs = stage_costs(root / "input", names, scratch)
    set_aside(scratch)
    lines = [f"{len(names)} dumps of {root / 'input'}, CPU µs a dump (averaged over all dumps):"]
    lines += [f"  {stage:<40} {cost / len(names) * 1e6:>7.0f}" for stage, cost in costs.items()]
    total = sum(costs.values()) / len(names)
    lines.append(f"  {'total':<40} {total * 1e6:>7.0f}")
    lines += [f"  (parsing one {kind} dump: {cost / count * 1e6:.0f} µs; the lean reference "
              f"{lean / count * 1e6:.0f} µs; ratio {cost / lean:.2f})"
              for kind, (cost, count, lean) in parse_costs.items() if count]
    cores = os.cpu_count() or 1
    lines.append(f"at best, with no other work and all {cores} cores busy: "
                 f"{cores / total:,.0f} dumps/s")
    return "\n".join(lines)


def stage_costs(input_dir: Path, names: list[str], scratch: Path
                ) -> tuple[dict[str, float], dict[str, tuple[float, int, float]]]:
    """CPU seconds of each stage over all the dumps named, and of parsing each
    kind of dump with how many there were. Output and state go to `scratch`."""
    settings = validate(Settings(site_title="Bench"))
    paths = [f"{input_dir}/{name}" for name in names]
    # Read once, into the page cache; a build reads each as large as the listing saw it.
    sizes = [len(Path(path).read_bytes()) for path in paths]
    options = settings.parse_options
    costs: dict[str, float] = {}
    costs["read the file"], read = timed(
        zip(paths, sizes, strict=True),
        lambda job: read_dump_bytes(job[0], job[1], options).data)
    costs["hash it (sha256)"], hashes = timed(read, lambda data: hashlib.sha256(data).hexdigest())
    html = {name for name, data in zip(names, read, strict=True) if is_html(data, name)}
    parse_costs = {}
    entries = {}
    for kind, chosen in (("text", False), ("HTML", True)):
        picked = [(name, data) for name, data in zip(names, read, strict=True)
                  if (name in html) == chosen]
        cost, parsed = timed(picked, lambda item: parse_dump(item[1], item[0],
                                                             settings.parse_options))
        lean, _ = timed(picked, lambda item, lean=lean_html if chosen else lean_text:
                        lean(item[1]))
        parse_costs[kind] = (cost, len(picked), lean)
        entries.update(zip((name for name, _ in picked), parsed, strict=True))
        costs[f"parse ({kind}, {len(picked) / len(names):.0%} of dumps)"] = cost
    ordered = [entries[name] for name in names]
    costs["encode for the state (JSON, zstd)"], encoded = timed(ordered, encode)
    costs["render its article page"], pages = timed(
        ordered, lambda entry: article_file(Published(entry, entry.published), settings.site).data)
    output = Output(scratch / "output")
    output.prepare()
    costs["write the page's file"], _ = timed(
        zip(ordered, pages, strict=True),
        lambda pair: output.write(entry_page(pair[0]), pair[1], durable=False))
    dumps = [Dump(name, 1, 1, digest, entry=entry)
             for name, digest, entry in zip(names, hashes, encoded, strict=True)]
    costs["to the main process and back (pickle)"], _ = timed(
        dumps, lambda dump: pickle.loads(pickle.dumps(dump)))
    now = datetime.now(UTC)
    with State(scratch / "state.sqlite3") as state:
        batch_size = CHUNK * BATCH_CHUNKS
        batches = [dumps[start : start + batch_size] for start in range(0, len(dumps), batch_size)]
        costs["record it (main process, SQLite)"], _ = timed(
            batches, lambda batch: record_batch(settings, state, batch, now))
    return costs, parse_costs


def record_batch(settings: Settings, state: State, batch: list[Dump], now: datetime) -> None:
    """What a build's main process does with one batch of new dumps."""
    with state.transaction():
        record(state, batch, now, Report(), settings.input_dir)


if __name__ == "__main__":
    main()
