"""The naive baseline: the obvious script. Every dump through BeautifulSoup and
dateutil, every feed (one per category, one per reporter, one of all) rebuilt
with feedgen.

    python bench/naive.py INPUT_DIR OUTPUT_DIR
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from bs4 import BeautifulSoup
from dateutil import parser as dateutil_parser
from dateutil import tz
from feedgen.feed import FeedGenerator

ZONES = {name: tz.tzoffset(name, hours * 3600)
         for name, hours in (("WIB", 7), ("WITA", 8), ("WIT", 9))}


class Indonesian(dateutil_parser.parserinfo):
    JUMP = [*dateutil_parser.parserinfo.JUMP, "|"]  # noqa: RUF012
    WEEKDAYS = [("Sen", "Senin"), ("Sel", "Selasa"), ("Rab", "Rabu"),  # noqa: RUF012
                ("Kam", "Kamis"), ("Jum", "Jumat"), ("Sab", "Sabtu"), ("Min", "Minggu")]
    MONTHS = [("Jan", "Januari"), ("Feb", "Februari"), ("Mar", "Maret"),  # noqa: RUF012
              ("Apr", "April"), ("Mei",), ("Jun", "Juni"), ("Jul", "Juli"),
              ("Agt", "Agustus"), ("Sep", "September"), ("Okt", "Oktober"),
              ("Nov", "November"), ("Des", "Desember")]


def main() -> None:
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    info = Indonesian(dayfirst=True)
    feeds: dict[str, list[tuple[datetime, str, str]]] = defaultdict(list)
    reporters: dict[str, list[tuple[datetime, str, str]]] = defaultdict(list)
    for path in sorted(source.glob("dump_*")):
        soup = BeautifulSoup(path.read_bytes(), "lxml")
        lines = [line.strip() for line in soup.get_text("\n").splitlines() if line.strip()]
        for index, line in enumerate(lines):
            if index < 2 or "|" not in line or not re.search(r"\d{4}", line):
                continue
            try:
                when = dateutil_parser.parse(line.split("| LAPORAN")[0].replace("'", ""),
                                             parserinfo=info, tzinfos=ZONES, fuzzy=True)
            except (ValueError, OverflowError):
                continue
            if when.tzinfo is None:
                when = when.replace(tzinfo=ZONES["WIB"])
            feeds[lines[index - 2]].append((when, lines[index - 1], path.name))
            if "LAPORAN:" in line:
                reporter = line.rsplit("LAPORAN:", 1)[1].strip().title()
                reporters[reporter].append((when, lines[index - 1], path.name))
            break
    out.mkdir(parents=True, exist_ok=True)
    everything = [entry for entries in feeds.values() for entry in entries]
    for name, entries in [*feeds.items(), *reporters.items(), ("all", everything)]:
        generator = FeedGenerator()
        generator.id(name)
        generator.title(name)
        generator.link(href="http://127.0.0.1/")
        generator.description(name)
        for when, title, file in sorted(entries, reverse=True)[:50]:
            entry = generator.add_entry(order="append")
            entry.id(file)
            entry.title(title)
            entry.published(when)
            entry.link(href=f"http://127.0.0.1/{file}")
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "x"
        generator.rss_file(str(out / f"{slug}.rss.xml"))
        generator.atom_file(str(out / f"{slug}.atom.xml"))


if __name__ == "__main__":
    main()
