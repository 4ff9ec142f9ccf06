"""Structure-aware mutations of news dumps, and the parser's contract checked on each.

One implementation for the suite (tests/test_fuzz.py runs a few thousand cases)
and for the long run (bench/fuzz.py runs a million over every core).

The seeds are the two original text dumps (tests/golden/seed-*), a few saved
pages of samples/input
and a page built from each text seed with every kind of metadata the HTML
reader looks at. A case is a seed after a few mutations, chosen by a
`random.Random` seeded with (run seed, case index): any case can be made again
from its two numbers alone, in any process. Mutations work on the page's text
where they need its structure (digit runs, month and weekday names,
separators, blocks and lines, sidebar markers, date lines, tags, JSON-LD, meta
times, addresses, charsets), then on its bytes (encodings, invalid UTF-8,
byte-order marks, bit flips), so that most cases still reach the date, title
and sidebar readers instead of stopping at the first check.
"""

from __future__ import annotations

import functools
import html
import json
import random
import re
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

from lxml import etree

import feeds
from feeds.config import Settings
from feeds.dates import MONTH_NAMES, WEEKDAY_NAMES, parse_stamp
from feeds.errors import DumpError
from feeds.model import Entry, Published
from feeds.parse import parse_dump
from feeds.parse.sidebars import read_sidebars
from feeds.render.items import article_item, headline_item
from feeds.render.jsonfeed import render_json
from feeds.render.syndication import render_atom, render_rss
from feeds.site import Site, all_feed
from feeds.text import _ILLEGAL

ROOT = Path(__file__).resolve().parents[1]
TEXT_SEEDS = tuple(ROOT / "tests" / "golden" / name
                   for name in ("seed-dunia-2025.txt", "seed-dunia-2024.txt"))
# One page with JSON-LD, one with meta tags only, one with no metadata at all.
HTML_SAMPLES = tuple(ROOT / "samples" / "input" / name for name in
                     ("sample_000001.html", "sample_000035.html", "sample_000013.html"))
MAX_STEPS = 8
OPTIONS = Settings().parse_options  # the built-in settings' way of reading a dump
FEEDS_DIR = str(Path(feeds.__file__).resolve().parent)

# Outcome kinds. A "caught" rejection is the parser's catch-all at work: some
# code raised on the page and `parse_dump` turned it into a DumpError. The
# contract holds, but the exception is a bug to look at.
ENTRY, REJECTED, CAUGHT, FAILURE = "entry", "rejected", "caught", "failure"


class Seed(NamedTuple):
    """A page mutations start from; `html` says which reader it was written for."""

    label: str
    text: str
    html: bool


class Case(NamedTuple):
    """One input: its bytes, the name it is parsed under and the mutations made."""

    seed: int
    index: int
    name: str
    data: bytes
    steps: tuple[str, ...]


class Outcome(NamedTuple):
    """What parsing one input came to: its kind, its class (a rejection's reason
    without the particulars, a failure's exception and place) and the detail."""

    kind: str
    label: str
    detail: str = ""


Mutate = Callable[[random.Random, str], str]


class Mutation(NamedTuple):
    name: str
    weight: int
    apply: Mutate
    html_only: bool
    # Made last: it grows the page to megabytes, and every later step would
    # scan all of it.
    last: bool


MUTATIONS: list[Mutation] = []


def mutation(weight: int, html_only: bool = False, last: bool = False
             ) -> Callable[[Mutate], Mutate]:
    def register(function: Mutate) -> Mutate:
        MUTATIONS.append(Mutation(function.__name__, weight, function, html_only, last))
        return function
    return register


# -- seeds ------------------------------------------------------------------------------------

@functools.cache
def seeds() -> tuple[Seed, ...]:
    texts = [Seed(path.name, path.read_text("utf-8"), False) for path in TEXT_SEEDS]
    pages = [Seed(path.name, path.read_text("utf-8"), True) for path in HTML_SAMPLES]
    built = [Seed(f"built from {seed.label}", built_page(seed.text), True) for seed in texts]
    return (*texts, *pages, *built)


def built_page(dump: str) -> str:
    """An HTML page saying what a text dump says, in every place the HTML reader
    looks: JSON-LD (`@graph`, breadcrumb, publisher, image), Open Graph and
    article meta tags, microdata, `<time>` in `<article>`, canonical and base
    links, a figure, and the sidebars as lists."""
    blocks = [block.strip() for block in dump.split("\n\n") if block.strip()]
    at = next(index for index, block in enumerate(blocks) if parse_stamp(block, "WIB"))
    stamp = parse_stamp(blocks[at], "WIB")
    assert stamp is not None
    when = (stamp.when + stamp.offset).replace(tzinfo=None).isoformat() + "+07:00"
    caption, category, title = blocks[at - 3 : at]
    populer = blocks.index("Populer")
    update = blocks.index("UPDATE")
    body = "".join(f"<p>{html.escape(block)}</p>\n" for block in blocks[at + 1 : populer])
    ld = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "RMOL", "url": "https://rmol.id/"},
        {"@type": "NewsArticle", "headline": title, "articleSection": category,
         "datePublished": when, "author": [{"@type": "Person", "name": "Hani Fatunnisa"}],
         "image": {"@type": "ImageObject", "url": "/images/lead.jpg"},
         "mainEntityOfPage": {"@id": "https://rmol.id/read/2025/05/30/judul"},
         "publisher": {"@type": "Organization", "name": "RMOL"}},
        {"@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Beranda"},
            {"@type": "ListItem", "position": 2, "item": {"name": category}},
            {"@type": "ListItem", "position": 3, "name": title}]}]}
    return (
        '<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} - RMOL</title>"
        '<link rel="canonical" href="https://rmol.id/read/2025/05/30/judul">'
        '<base href="https://cdn.rmol.id/">'
        f'<meta property="og:title" content="{html.escape(title)}">'
        '<meta property="og:site_name" content="RMOL">'
        f'<meta property="article:published_time" content="{when}">'
        f'<meta property="article:section" content="{html.escape(category)}">'
        '<meta property="og:image" content="https://rmol.id/og.jpg">'
        f'<script type="application/ld+json">{json.dumps(ld)}</script></head><body>\n'
        f'<nav class="breadcrumb"><a href="/">Berita</a> <a href="/dunia">{category}</a></nav>\n'
        f'<figure><img src="lead.jpg"><figcaption>{html.escape(caption)}</figcaption></figure>\n'
        f'<div class="category">{html.escape(category)}</div>\n'
        f"<h1>{html.escape(title)}</h1>\n<div class=\"date\">{html.escape(blocks[at])}</div>\n"
        f'<article itemprop="articleBody"><time datetime="{when}"></time>\n{body}</article>\n'
        f"{_sidebar_list(blocks[populer : update])}{_sidebar_list(blocks[update:])}"
        "</body></html>\n")


def _sidebar_list(blocks: list[str]) -> str:
    pairs = zip(blocks[1::2], blocks[2::2], strict=False)
    items = "".join(f'<li><a href="#">{html.escape(headline)}</a><span>{html.escape(stamp)}'
                    "</span></li>\n" for headline, stamp in pairs)
    return f"<aside><h3>{html.escape(blocks[0])}</h3><ul>\n{items}</ul></aside>\n"


# -- making a case ----------------------------------------------------------------------------

def make_case(seed: int, index: int) -> Case:
    """Case `index` of the run seeded `seed`: the same bytes in any process."""
    rng = random.Random(seed * 1_000_000_007 + index)
    base = rng.choice(seeds())
    text, steps = base.text, [base.label]
    for chosen in _plan(rng, base.html):
        text = chosen.apply(rng, text)
        steps.append(chosen.name)
    data, encoding = _encode(rng, text)
    steps.append(encoding)
    if rng.random() < 0.2:
        for _ in range(rng.randint(1, 3)):
            damage = rng.choice(BYTE_MUTATIONS)
            data = damage(rng, data)
            steps.append(damage.__name__)
    html_name = base.html != (rng.random() < 0.05)  # now and then, read by the other reader
    return Case(seed, index, f"case-{index}.{'html' if html_name else 'txt'}", data,
                tuple(steps))


def _plan(rng: random.Random, page_is_html: bool) -> list[Mutation]:
    usable = [m for m in MUTATIONS if page_is_html or not m.html_only]
    chosen = rng.choices(usable, [m.weight for m in usable], k=rng.randint(1, MAX_STEPS))
    return sorted(chosen, key=lambda m: m.last)  # stable: the others keep their order


def _encode(rng: random.Random, text: str) -> tuple[bytes, str]:
    roll = rng.random()
    if roll < 0.88:
        return text.encode("utf-8", "surrogatepass"), "utf-8"
    encoding, errors = rng.choice([("cp1252", "replace"), ("latin-1", "replace"),
                                   ("utf-16", "surrogatepass"), ("utf-16-le", "surrogatepass"),
                                   ("utf-32", "surrogatepass"), ("utf-8-sig", "surrogatepass")])
    return text.encode(encoding, errors), encoding


# -- pieces -----------------------------------------------------------------------------------

_DIGIT_RUN = re.compile(r"\d+")
# A clock time: in a date line, a sidebar stamp or an ISO time.
_CLOCK = re.compile(r"\d{1,2}[:.]\d{2}")
_LINE_ENDS = re.compile(r'[\n<>"]')
_MONTH_WORD = re.compile(r"\b(?:" + "|".join(sorted(
    {name for names in MONTH_NAMES for name in names}, key=len, reverse=True)) + r")\b",
    re.IGNORECASE)
_WEEKDAY_WORD = re.compile(r"\b(?:jum'at|" + "|".join(sorted(
    {name for names in WEEKDAY_NAMES for name in names}, key=len, reverse=True)) + r")\b",
    re.IGNORECASE)
# Decimal digits of other scripts: `\d` matches them and int() reads them.
_OTHER_DIGITS = ("０１２３４５６７８９", "٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗")
_ODD_NUMBERS = ("0", "00", "000", "1", "12", "13", "23", "24", "25", "29", "30", "31", "32",
                "59", "60", "61", "99", "100", "1969", "1970", "2999", "3000", "0000", "9999",
                "-1", "+7", "1e9", "1.5")
SEPARATORS = ("|", "-", "/", ":", ".", ",", " | ", " - ", "\u2013", "\u2014", "||", "::", "./")
MARKERS = ("Populer", "POPULER", "Terpopuler", "Paling Populer", "Paling\nPopuler", "UPDATE",
           "Update", "Terkini", "Berita Terbaru", "Selengkapnya", "Lihat Selengkapnya",
           "Indeks Berita", "  populer  ", "UPDATE\u00a0", "Popu\u0301ler")
_UNICODE = ("\u0301" * 3, "\u0301" * 400, "\u0308\u0323", "\u202e", "\u202b", "\u200f",
            "\u061c", "\u200b", "\u200d", "\ufeff", "\ud800", "\udfff", "\ud83d\ude00",
            "\x00", "\ufffe", "\uffff", "\ufffd", "\u2028", "\u2029", "\u0085", "\u3000",
            "\U0001f600", "\U000e0001", "ﬁ", "Ⅻ", "²", "\u0130", "ß", "ǅ", "\u1e9e", "İ̇",
            "\U0010ffff", "\u180e")
_CONTROLS = tuple(chr(code) for code in (*range(0x00, 0x20), *range(0x7F, 0xA0)))
_SPACES = (" ", "\t", "\u00a0", "\x0b", "\x0c", "\u3000", "\u2007", "\u202f", "\x1c", "\r",
           "\n", "\n \n", "\n\t\n", "\n\u00a0\n")
ZONES = ("WIB", "WITA", "WIT", "wib", "UTC", "CET", "+0700", "-2400", "Z", "")


def _digits(rng: random.Random) -> str:
    length = rng.choice((rng.randint(1, 2), rng.randint(3, 6), rng.randint(1, 80)))
    alphabet = rng.choice(_OTHER_DIGITS) if rng.random() < 0.08 else "0123456789"
    return "".join(rng.choices(alphabet, k=length))


def _number(rng: random.Random) -> str:
    return rng.choice(_ODD_NUMBERS) if rng.random() < 0.4 else _digits(rng)


def _month(rng: random.Random) -> str:
    word = rng.choice(rng.choice(MONTH_NAMES)) if rng.random() < 0.85 else rng.choice(
        ("Brumaire", "Febuari", "Mei.", "Agustusan", "Jan.uari", "M", "", "Maret2025"))
    return _recase(rng, word)


def _weekday(rng: random.Random) -> str:
    word = rng.choice(rng.choice(WEEKDAY_NAMES)) if rng.random() < 0.85 else rng.choice(
        ("Jum'at", "Jum\u2019at", "Berita", "Hari", "Sabtu-Minggu", "", "Kamis,Jumat"))
    return _recase(rng, word)


def _recase(rng: random.Random, word: str) -> str:
    return rng.choice((word, word.upper(), word.lower(), word.title(), word.swapcase()))


def stamp_text(rng: random.Random) -> str:
    """A stamp as pages print them, any field of which may be absurd."""
    date = rng.choice((f"{_number(rng)} {_month(rng)} {_number(rng)}",
                       f"{_number(rng)}/{_number(rng)}/{_number(rng)}",
                       f"{_number(rng)}-{_number(rng)}-{_number(rng)}"))
    clock = f"{_number(rng)}{rng.choice(':.')}{_number(rng)}"
    if rng.random() < 0.2:
        clock += f":{_number(rng)}"
    separator = rng.choice((" | ", " ", ", ", " - ", " pukul ", "|", " \u2013 "))
    tail = rng.choice(("", "", " | LAPORAN: HANI FATUNNISA", " | HARIAN RAKYAT MERDEKA",
                       " | Reporter:", " |", " | 12:00"))
    weekday = f"{_weekday(rng)}, " if rng.random() < 0.8 else ""
    return f"{weekday}{date}{separator}{clock} {rng.choice(ZONES)}".rstrip() + tail


def _spot(rng: random.Random, text: str) -> int:
    """A position in the text; inside a stamp line half the time."""
    line = _stamp_line(rng, text) if rng.random() < 0.5 else None
    if line is not None:
        return rng.randint(line[0], line[1])
    return rng.randint(0, len(text))


def _stamp_line(rng: random.Random, text: str) -> tuple[int, int] | None:
    """The span of a line (of text, or of an attribute or element) holding a
    clock time, or None when the text holds none."""
    clock = _random_match(rng, _CLOCK, text, 0, len(text))
    if clock is None:
        return None
    at = clock.start()
    start = max(text.rfind(end, 0, at) for end in "\n<>\"") + 1
    after = _LINE_ENDS.search(text, at)
    return start, after.start() if after else len(text)


def _random_match(rng: random.Random, pattern: re.Pattern[str], text: str, start: int,
                  end: int) -> re.Match[str] | None:
    """The first match after a random point of text[start:end], or the first
    one of all: listing every match of a long page costs more than a case."""
    at = rng.randint(start, end)
    return pattern.search(text, at, end) or pattern.search(text, start, end)


def _insert(rng: random.Random, text: str, piece: str) -> str:
    at = _spot(rng, text)
    return text[:at] + piece + text[at:]


def _replace_match(rng: random.Random, text: str, pattern: re.Pattern[str],
                   make: Callable[[random.Random], str]) -> str:
    """One match of `pattern` replaced by `make`, within a stamp line most of the time."""
    line = _stamp_line(rng, text) if rng.random() < 0.7 else None
    start, end = line if line is not None else (0, len(text))
    chosen = _random_match(rng, pattern, text, start, end) or _random_match(
        rng, pattern, text, 0, len(text))
    if chosen is None:
        return text
    return text[: chosen.start()] + make(rng) + text[chosen.end() :]


def _blocks(text: str) -> list[str]:
    return text.split("\n\n")


def _lines(text: str) -> list[str]:
    return text.split("\n")


# -- text mutations ---------------------------------------------------------------------------

@mutation(6)
def long_digits(rng: random.Random, text: str) -> str:
    return _replace_match(rng, text, _DIGIT_RUN, _digits)


@mutation(3)
def odd_number(rng: random.Random, text: str) -> str:
    return _replace_match(rng, text, _DIGIT_RUN, lambda r: r.choice(_ODD_NUMBERS))


@mutation(3)
def month_name(rng: random.Random, text: str) -> str:
    return _replace_match(rng, text, _MONTH_WORD, _month)


@mutation(2)
def weekday_name(rng: random.Random, text: str) -> str:
    return _replace_match(rng, text, _WEEKDAY_WORD, _weekday)


@mutation(4)
def separator(rng: random.Random, text: str) -> str:
    return _insert(rng, text, rng.choice(SEPARATORS) * rng.choice((1, 1, 2, 5)))


@mutation(4)
def stamp(rng: random.Random, text: str) -> str:
    """A stamp of its own between blocks, or closing a block (a sidebar's shape)."""
    blocks = _blocks(text)
    at = rng.randrange(len(blocks))
    if rng.random() < 0.5:
        blocks.insert(at, stamp_text(rng))
    else:
        blocks[at] = f"{blocks[at]} {stamp_text(rng)}"
    return "\n\n".join(blocks)


@mutation(4)
def marker(rng: random.Random, text: str) -> str:
    blocks = _blocks(text)
    blocks.insert(rng.randint(0, len(blocks)), rng.choice(MARKERS))
    return "\n\n".join(blocks)


@mutation(2)
def drop_block(rng: random.Random, text: str) -> str:
    blocks = _blocks(text)
    del blocks[rng.randrange(len(blocks))]
    return "\n\n".join(blocks)


@mutation(2)
def duplicate_block(rng: random.Random, text: str) -> str:
    blocks = _blocks(text)
    blocks.insert(rng.randint(0, len(blocks)), rng.choice(blocks))
    return "\n\n".join(blocks)


@mutation(1)
def swap_blocks(rng: random.Random, text: str) -> str:
    blocks = _blocks(text)
    first, second = rng.randrange(len(blocks)), rng.randrange(len(blocks))
    blocks[first], blocks[second] = blocks[second], blocks[first]
    return "\n\n".join(blocks)


@mutation(2)
def drop_line(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    start = rng.randrange(len(lines))
    del lines[start : start + rng.choice((1, 1, 2, 10))]
    return "\n".join(lines)


@mutation(2)
def duplicate_line(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    lines.insert(rng.randint(0, len(lines)), rng.choice(lines))
    return "\n".join(lines)


@mutation(2)
def control(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 5)):
        text = _insert(rng, text, rng.choice(_CONTROLS))
    return text


@mutation(3)
def odd_unicode(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 4)):
        text = _insert(rng, text, rng.choice(_UNICODE))
    return text


@mutation(2)
def odd_space(rng: random.Random, text: str) -> str:
    at = _spot(rng, text)
    found = re.compile(r"\s+").search(text, at)
    if found is None:
        return text
    return text[: found.start()] + rng.choice(_SPACES) * rng.choice((1, 3)) + text[found.end() :]


@mutation(1)
def letter_case(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    at = rng.randrange(len(lines))
    lines[at] = _recase(rng, lines[at])
    return "\n".join(lines)


@mutation(1)
def line_endings(rng: random.Random, text: str) -> str:
    return text.replace("\n", rng.choice(("\r\n", "\r", "\n\r", "\u2028")))


@mutation(1)
def splice(rng: random.Random, text: str) -> str:
    """A piece of another seed (a text dump's blocks inside a page, or the reverse)."""
    other = rng.choice(seeds()).text
    start = rng.randrange(len(other))
    at = rng.randint(0, len(text))
    return text[:at] + other[start : start + rng.randint(1, 2000)] + text[at:]


@mutation(1)
def truncate(rng: random.Random, text: str) -> str:
    return text[: rng.randint(0, len(text))]


@mutation(1, last=True)
def huge_repeat(rng: random.Random, text: str) -> str:
    """A piece repeated to add from a hundred bytes to 100 kB, log-uniformly;
    one time in fifty from 100 kB to past the 5 MiB limit, as one such case
    costs as much as hundreds of others."""
    start = rng.randrange(max(len(text), 1))
    piece = text[start : start + rng.choice((1, 2, 10, 80, 1000))] or "x"
    size = int(10 ** (rng.uniform(5, 6.75) if rng.random() < 0.02 else rng.uniform(2, 5)))
    at = rng.randint(0, len(text))
    return text[:at] + piece * max(1, size // len(piece)) + text[at:]


# -- HTML mutations ---------------------------------------------------------------------------

_TAGS = ("div", "p", "span", "b", "i", "a", "h1", "h2", "li", "ul", "table", "td", "article",
         "aside", "figure", "time", "section", "font", "svg", "script", "title", "template",
         "noscript", "select", "br", "x:y", "1", "h1 class='title'")
_TAG_START = re.compile(r"<[a-zA-Z/!?]")


def _tag_spot(rng: random.Random, text: str) -> int:
    """Just before a tag, where markup is most often changed."""
    starts = [found.start() for found in _TAG_START.finditer(text)]
    return rng.choice(starts) if starts else rng.randint(0, len(text))


def _insert_markup(rng: random.Random, text: str, markup: str) -> str:
    at = _tag_spot(rng, text)
    return text[:at] + markup + text[at:]


@mutation(2, html_only=True)
def nested_tags(rng: random.Random, text: str) -> str:
    """Tags nested from a few to past the 250 levels lxml holds, closed or not."""
    tag = rng.choice(_TAGS)
    depth = int(10 ** rng.uniform(0, 3.6))
    closing = f"</{tag.split()[0]}>" * depth if rng.random() < 0.5 else ""
    inner = rng.choice(("", "x", stamp_text(rng), "Populer", "<h1>Judul</h1>"))
    return _insert_markup(rng, text, f"<{tag}>" * depth + inner + closing)


@mutation(3, html_only=True)
def json_ld(rng: random.Random, text: str) -> str:
    script = f'<script type="application/ld+json">{broken_json_ld(rng)}</script>'
    if rng.random() < 0.5:
        return re.sub(r'<script type="application/ld\+json">.*?</script>', lambda _: script,
                      text, count=1, flags=re.DOTALL)
    return _insert_markup(rng, text, script)


def broken_json_ld(rng: random.Random) -> str:
    """An article object with absurd values: huge numbers, deep nesting, the
    wrong types, absurd times and addresses; now and then cut short."""
    odd_values: list[object] = [None, True, 1e308, -0.0, [], {}, "", [[["x"]]],
                                {"@type": "Person"}, {"name": 7}, ["Judul", 3]]
    article: dict[str, object] = {"@type": rng.choice(("NewsArticle", ["Article", 5], 7, None))}
    for key, good in (("headline", "Judul Berita"), ("articleSection", "Dunia"),
                      ("datePublished", iso_time(rng)), ("author", {"name": "Hani"}),
                      ("image", odd_url(rng)), ("url", odd_url(rng)),
                      ("mainEntityOfPage", {"@id": odd_url(rng)}),
                      ("publisher", {"name": rng.choice(("RMOL", 7, None))})):
        article[key] = good if rng.random() < 0.6 else rng.choice(odd_values)
    crumbs = [{"position": rng.choice((1, 2, 1.5, "2", None, True, 10**40)),
               "name": rng.choice(("Dunia", "Judul Berita", None, 4, ""))}
              for _ in range(rng.randint(0, 4))]
    encoded = json.dumps({"@graph": [article, {"@type": "BreadcrumbList",
                                               "itemListElement": crumbs}]})
    for _ in range(rng.choice((0, 0, 1, 10, 1000))):  # wrapped as text: json.dumps recurses
        encoded = rng.choice(("[{}]", '{{"@graph": [{}]}}')).format(encoded)
    roll = rng.random()
    if roll < 0.15:
        encoded = encoded.replace("1e+308", "1" + "0" * rng.choice((400, 5000)), 1)
        encoded = encoded.replace('"position": 1', '"position": ' + "9" * 5000, 1)
    elif roll < 0.25:
        depth = int(10 ** rng.uniform(1, 5.3))
        encoded = "[" * depth + encoded + "]" * depth * rng.choice((0, 1))
    elif roll < 0.4:
        encoded = encoded[: rng.randint(0, len(encoded))]
    return encoded.replace("</", "<\\/") if rng.random() < 0.9 else encoded


def iso_time(rng: random.Random) -> str:
    """An ISO 8601 time such as metadata states, sometimes with absurd fields."""
    if rng.random() < 0.3:
        return rng.choice(("9999999999-01-01T00:00:00Z", "2025-13-45T25:61:61+99:99",
                           "2025-05-30T16:01:00+24:00", "2025-05-30T16:01:00-23:59",
                           "0000-00-00T00:00:00", "2025-05-30 T16:01:00.0000000000000001Z",
                           "1970-01-01T00:00:00+23:59", "2999-12-31T23:59:59-23:59",
                           "2025-05-30T16:01WIT", "2025/05/30 16:01", "2025-05-30", "now",
                           "２０２５-０５-３０T16:01:00Z", "2025-05-30T16:01:00+07:00\x00"))
    fields = [_number(rng) if rng.random() < 0.25 else default
              for default in ("2025", "05", "30", "16", "01", "00")]
    zone = rng.choice(("Z", "+07:00", "+0700", "-99:99", f"+{_number(rng)}:{_number(rng)}",
                       " WIB", "", "+07"))
    return f"{fields[0]}-{fields[1]}-{fields[2]}T{fields[3]}:{fields[4]}:{fields[5]}{zone}"


def odd_url(rng: random.Random) -> str:
    return rng.choice(("https://rmol.id/read/judul", "/images/x.jpg", "x.jpg", "//cdn.x/y.jpg",
                       "http://[::1", "http://[bad]/x", "https://a:99999999999/x",
                       "http://%zz/", "javascript:alert(1)", "data:image/png;base64,xx",
                       "http://a b/c", "http:///x", "https://ж.рф/ф", "http://\ud800/",
                       "https://x.id/" + "a" * 5000, "\x00http://x/", "http://x/\u202e",
                       "https://user:pa@ss@h/", "HTTP://X.ID/Politik/2025/x", ""))


@mutation(3, html_only=True)
def meta_time(rng: random.Random, text: str) -> str:
    """A time where metadata states one, possibly absurd."""
    when = html.escape(iso_time(rng))
    markup = rng.choice((
        f'<meta property="{rng.choice(("article:published_time", "pubdate", "date", "dc.date.issued", "og:article:published_time"))}" content="{when}">',  # noqa: E501
        f'<span itemprop="datePublished" content="{when}">{html.escape(stamp_text(rng))}</span>',
        f'<div itemprop="datePublished">{when}</div>',
        f'<article><time datetime="{when}">x</time></article>',
    ))
    return _insert_markup(rng, text, markup)


@mutation(2, html_only=True)
def address(rng: random.Random, text: str) -> str:
    url = html.escape(odd_url(rng))
    markup = rng.choice((f'<link rel="canonical" href="{url}">', f'<base href="{url}">',
                         f'<meta property="og:url" content="{url}">',
                         f'<meta property="og:image" content="{url}">',
                         f'<figure><img src="{url}" data-src="{url}"></figure>'))
    return _insert_markup(rng, text, markup)


@mutation(1, html_only=True)
def charset(rng: random.Random, text: str) -> str:
    """A declared charset, which decoding tries when the bytes are not UTF-8:
    real ones and codecs that are no text encoding at all."""
    name = rng.choice(("utf-7", "idna", "undefined", "unicode_escape", "raw_unicode_escape",
                       "punycode", "utf-16", "utf-32", "rot13", "hex", "base64", "zlib",
                       "uu", "cp037", "shift_jis", "big5", "gb18030", "koi8-r", "x-unknown",
                       "utf_8_sig", "ascii", "mbcs", "cp65001", "uu_codec", "bz2"))
    declared = re.sub(r'<meta charset="[^"]*">', f'<meta charset="{name}">', text, count=1)
    if declared == text:
        declared = f'<meta charset="{name}">' + text
    return declared + rng.choice(("\udcff", "\udc80\udc80", "\udce9"))  # bytes not UTF-8


@mutation(1, html_only=True)
def entity(rng: random.Random, text: str) -> str:
    piece = rng.choice(("&#0;", "&#xD800;", "&#x110000;", "&#99999999999;", "&nbsp;", "&amp;",
                        "&#x1F;", "&#13;", "&lt;h1&gt;", "&#xFFFE;", "&bogus;", "&", "&#",
                        "&#x202E;", "&#133;"))
    return _insert(rng, text, piece * rng.choice((1, 1, 20)))


@mutation(2, html_only=True)
def markup_junk(rng: random.Random, text: str) -> str:
    piece = rng.choice(("<!--", "-->", "<![CDATA[", "]]>", "<?xml version='1.0' encoding='x'?>",
                        "<!DOCTYPE x [<!ENTITY a 'b'>]>", "</html>", "<html>", "<body>",
                        "</body>", "<head>", "<title>", "</div></div></div>", "<h1>", "</h1>",
                        "<h1>Judul Lain</h1>", f"<h1>{stamp_text(rng)}</h1>", "<br>" * 50,
                        "<p>", "<", ">", "</", "<a href='", '"', "<script>", "</script>",
                        "<style>", "<title>Judul - RMOL</title>", "<title><b>x</b></title>",
                        f"<div>{rng.choice(MARKERS)}</div>", "<li><a>x</a><span>",
                        "<meta>", "<meta property='og:title'>", "<meta content='x'>"))
    return _insert_markup(rng, text, piece)


# -- byte mutations ---------------------------------------------------------------------------

def flip_bits(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        buffer[rng.randrange(len(buffer))] ^= 1 << rng.randrange(8)
    return bytes(buffer)


def insert_bytes(rng: random.Random, data: bytes) -> bytes:
    piece = rng.choice((b"\xff", b"\xc3", b"\xe2\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                        b"\xc0\xaf", b"\x00", b"\x00" * 200, b"\x1b[0m", b"\x85", b"\x9d",
                        bytes(rng.randrange(256) for _ in range(rng.randint(1, 32)))))
    at = rng.randint(0, len(data))
    return data[:at] + piece + data[at:]


def byte_order_mark(rng: random.Random, data: bytes) -> bytes:
    return rng.choice((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00",
                       b"\x00\x00\xfe\xff")) + data


def delete_bytes(rng: random.Random, data: bytes) -> bytes:
    at = rng.randint(0, len(data))
    return data[:at] + data[at + rng.randint(1, 64) :]


def cut_bytes(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randint(0, len(data))]


BYTE_MUTATIONS = (flip_bits, insert_bytes, byte_order_mark, delete_bytes, cut_bytes)


# -- the contract -----------------------------------------------------------------------------

def check(data: bytes, name: str, render: bool = False) -> Outcome:
    """Parse one input and hold the result to the contract: an entry or a
    DumpError naming the file, nothing else; the sidebars read without raising;
    no XML-illegal character in any text; an aware time. With `render`, the
    entry's feeds must also be well-formed XML and valid JSON."""
    try:
        entry = parse_dump(data, name, OPTIONS)
    except DumpError as error:
        return rejection(error, name)
    except Exception as error:  # the contract's breach this run looks for
        return Outcome(FAILURE, f"{_named(error)} escaped parse_dump{_where(error)}",
                       _trace(error))
    try:
        headlines = read_sidebars(entry.sidebars)
        sidebars = headlines.populer + headlines.update
    except Exception as error:
        return Outcome(FAILURE, f"{_named(error)} reading the sidebars{_where(error)}",
                       _trace(error))
    for field, text in _texts(entry, [headline.title for headline in sidebars]):
        if _ILLEGAL.search(text):
            return Outcome(FAILURE, f"XML-illegal character in {field}", ascii(text)[:500])
    if entry.published.utcoffset() is None:
        return Outcome(FAILURE, "published is naive", repr(entry.published))
    return (render and feed_problem(entry)) or Outcome(ENTRY, ENTRY)


SITE = Site("Situs & <Co>", "", "http://h/", "id", "WIB", "http://h/icon.png",
            "http://h/icon.png")
RENDERERS = (("RSS", render_rss), ("Atom", render_atom), ("JSON Feed", render_json))


def feed_problem(entry: Entry) -> Outcome | None:
    """Why the feeds of this entry (its article, its first Populer headlines)
    are not well-formed XML or valid JSON, or None."""
    spec = all_feed(SITE.title, "Deskripsi")
    try:
        items = [article_item(Published(entry, entry.published), SITE.base_url, SITE.title,
                              entry.category),
                 *(headline_item(headline, None, SITE.title)
                   for headline in read_sidebars(entry.sidebars).populer[:3])]
        for format_name, render in RENDERERS:
            document = render(spec, items, SITE)
            if format_name == "JSON Feed":
                json.loads(document)
            else:
                etree.fromstring(document)
    except Exception as error:
        return Outcome(FAILURE, f"{_named(error)} rendering the feeds{_where(error)}",
                       _trace(error))
    return None


def _texts(entry: Entry, headlines: list[str]) -> Iterator[tuple[str, str]]:
    yield from (("title", entry.title), ("category", entry.category),
                ("author", entry.author or ""), ("caption", entry.caption or ""),
                ("image", entry.image or ""))
    yield from (("body", block.text) for block in entry.blocks)
    yield from (("sidebar headline", title) for title in headlines)


# A rejection's reason without its particulars (sizes, quoted text).
_REASON_CLASSES = (
    (re.compile(r"too large"), "too large"),
    (re.compile(r"impossible date.*is not a date and .*is not a time"),
     "impossible date and time in the date line"),
    (re.compile(r"impossible date.*is not a date"), "impossible date in the date line"),
    (re.compile(r"impossible date.*is not a time"), "impossible time in the date line"),
    (re.compile(r"no title found: the block"), "title block too long"),
)


def rejection(error: DumpError, name: str) -> Outcome:
    if not error.reason or name not in str(error):
        return Outcome(FAILURE, "DumpError without its reason or the file's name", str(error))
    if error.reason.startswith("unreadable page") and error.__cause__ is not None:
        cause = error.__cause__
        return Outcome(CAUGHT, f"{_named(cause)} caught{_where(cause)}", _trace(cause))
    for pattern, label in _REASON_CLASSES:
        if pattern.match(error.reason):
            return Outcome(REJECTED, label, error.reason)
    return Outcome(REJECTED, error.reason[:60], error.reason)


def _named(error: BaseException) -> str:
    kind = type(error)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


def _where(error: BaseException) -> str:
    """` at feeds/x.py:N (function)`: the innermost frame in feeds's own code,
    which names a class of failure better than the message (it holds the input)."""
    frames = traceback.extract_tb(error.__traceback__)
    own = [frame for frame in frames if frame.filename.startswith(FEEDS_DIR)]
    if not own:
        return ""
    frame = own[-1]
    return f" at feeds{frame.filename.removeprefix(FEEDS_DIR)}:{frame.lineno} ({frame.name})"


def _trace(error: BaseException) -> str:
    return "".join(traceback.format_exception(error))[-4000:]
