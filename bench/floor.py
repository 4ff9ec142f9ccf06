"""The floor: a minimal regex extractor writing feeds from string templates,
about as fast as Python can read and write these files.

    python bench/floor.py INPUT_DIR OUTPUT_DIR
"""

from __future__ import annotations

import html
import re
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

MONTHS = {name: number for number, name in enumerate(
    ["jan", "feb", "mar", "apr", "mei", "jun", "jul", "agu", "sep", "okt", "nov", "des"], 1)}
MONTHS["agt"] = 8
STAMP = rb"(\d{1,2}) (\w+) (\d{4}) \| (\d\d):(\d\d) (WIB|WITA|WIT)"
TEXT = re.compile(rb"\n([^\n]+)\n\s*\n([^\n]+)\n\s*\n[^\n|]*?" + STAMP, re.IGNORECASE)
HTML = re.compile(rb'<a href="/[^"]*">([^<]+)</a></div>\s*<h1 class="title">([^<]+)</h1>\s*'
                  rb'<div class="date">[^<]*?' + STAMP, re.IGNORECASE)
OFFSET = {b"WIB": 7, b"WITA": 8, b"WIT": 9}
ITEM = ("<item><title>{}</title><guid>{}</guid>"
        "<pubDate>{:%a, %d %b %Y %H:%M:%S} +0000</pubDate></item>")


def main() -> None:
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    feeds: dict[str, list[tuple[datetime, str, str]]] = defaultdict(list)
    for path in sorted(source.glob("dump_*")):
        match = (HTML if path.suffix == ".html" else TEXT).search(path.read_bytes())
        if not match:
            continue
        category, title, day, month_name, year, hour, minute, zone = match.groups()
        month = MONTHS.get(month_name[:3].decode("latin-1").lower())
        if not month:
            continue
        try:
            when = datetime(int(year), month, int(day), int(hour), int(minute), tzinfo=UTC)
        except ValueError:  # an impossible date line: not an article
            continue
        when -= timedelta(hours=OFFSET[zone.upper()])
        feeds[category.decode("utf-8", "replace")].append(
            (when, title.decode("utf-8", "replace"), path.name))
    out.mkdir(parents=True, exist_ok=True)
    everything = [entry for entries in feeds.values() for entry in entries]
    for name, entries in [*feeds.items(), ("all", everything)]:
        items = "".join(ITEM.format(html.escape(title), file, when)
                        for when, title, file in sorted(entries, reverse=True)[:50])
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "x"
        (out / f"{slug}.rss.xml").write_text(
            f'<rss version="2.0"><channel><title>{html.escape(name)}</title>{items}'
            "</channel></rss>", encoding="utf-8")


if __name__ == "__main__":
    main()
