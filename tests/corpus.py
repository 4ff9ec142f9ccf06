"""Realistic corpora of dumps, with the expected value of every field beside them.

    python -m tests.corpus OUT [-n COUNT] [--edge FRACTION] [--seed N] [--prefix dump_]

Writes COUNT dumps into OUT (80 % text, 20 % saved HTML, shaped like the seed
outlet's pages) and `truth.jsonl`, one object a file: `file`, `kind` (`ok`,
`duplicate`, `update` or `invalid`), then for articles `title`, `category`,
`published` (UTC, `Z`), `author`, `caption`, `image` (the lead image's
absolute URL) and the counts `paragraphs`,
`populer`, `update`; `same_as` names the original of a duplicate or an update,
`error` the start of an invalid dump's reason.

`--edge` is the share of hard cases: real-world variants that DOMAIN.md lists
(other sites' date lines, WITA and WIT, print editions instead of reporters,
long captions, subheadings, pages cut short, CRLF, BOM, cp1252, blank lines of
spaces), HTML without JSON-LD or without any metadata, byte-identical
duplicates, corrected re-dumps and files that are not articles. The truth is
written from what the generator meant, never by reading its own output, so the
tests that compare feeds against it can fail. The same arguments give the same
bytes and mtimes.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

CATEGORIES = ("Politik", "Hukum", "Dunia", "Nusantara", "Ekonomi", "Olahraga", "Pertahanan",
              "Sains & Teknologi", "Kesehatan", "Pendidikan", "Hiburan", "Publika")
ZONES = {"WIB": 7, "WITA": 8, "WIT": 9}
WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov",
                "Des")
SUBJECTS = ("KPK", "DPR", "OJK", "Kejagung", "Bawaslu", "Menkeu", "Gubernur Jabar", "Polri",
            "Presiden", "Kemenag", "BPK", "MK", "Wali Kota Solo", "Kemenlu", "TNI", "BMKG",
            "Menteri ATR", "Bupati Bogor", "KPU", "Mendikbud", "PBNU", "Kapolda Jateng")
VERBS = ("Kritik", "Desak", "Bantah", "Tinjau", "Dukung", "Tolak", "Usut", "Soroti", "Kawal",
         "Sahkan", "Evaluasi", "Periksa", "Umumkan", "Tunda", "Percepat")
OBJECTS = ("Tata Ruang", "Kasus Korupsi Migas", "Pemilu Ulang", "Harga Minyak Dunia",
           "Anggaran Pendidikan", "Revisi UU Pemilu", "Program Makan Gratis", "Tarif Listrik",
           "Impor Beras", "Proyek Tol", "Dana Desa", "Pajak Kendaraan", "Vaksinasi Anak",
           "Relokasi Warga", "Perizinan Tambang", "Kuota Haji", "Subsidi BBM", "Banjir Rob",
           "Reformasi Birokrasi", "Kerja Sama Maritim")
PLACES = ("Jatim", "Empat Lawang", "Sukabumi", "Jakarta", "Makassar", "Papua", "Bali", "Medan",
          "Ambon", "Kupang", "Balikpapan", "Semarang", "Aceh", "Lombok", "Pontianak", "Manado",
          "Jayapura", "Palu", "Bandung", "Ternate")
WORDS = ("anggaran", "akuntabilitas", "banjir", "bantuan", "batas", "bencana", "daerah",
         "dukungan", "ekonomi", "evaluasi", "fraksi", "hukum", "informasi", "internasional",
         "investasi", "kebijakan", "kejahatan", "keamanan", "kerja", "komisi", "koordinasi",
         "korupsi", "lintas", "masyarakat", "mekanisme", "menteri", "nasional", "negara",
         "paripurna", "partai", "pelaksanaan", "pembangunan", "pemerintah", "penilaian",
         "pengadilan", "peraturan", "pertemuan", "pertukaran", "presiden", "proaktif", "program",
         "rakyat", "rapat", "revisi", "risiko", "strategis", "terorisme", "transparansi",
         "undang-undang", "usulan", "wilayah")
SPEAKERS = ("OJK", "Kemenag", "Presiden", "KPK", "Gubernur Jabar", "DPR", "Wali Kota Solo")
FIRST_NAMES = ("Hani", "Yudi", "Fajar", "Nur", "Bambang", "Sri", "Agus", "Dewi", "Rizki",
               "Putri", "Ahmad", "Wahyu", "Ratna", "Dimas")
LAST_NAMES = ("Fatunnisa", "Simanjuntak", "Ramandhita", "Siregar", "Nugroho", "Lestari",
              "Saputra", "Wibowo", "Hasibuan", "Pratama", "Kurniawan", "Harahap")
CAPTIONS = ("Menteri Keuangan/Antara", "Kejagung/Ist", "Bawaslu/Ist", "Presiden/RMOL",
            "Gedung DPR/Net", "Ilustrasi/Net", "Kapolri/Humas Polri")
LONG_CAPTIONS = ("Wakil Menteri Agraria dan Tata Ruang/Wakil Kepala Badan Pertanahan Nasional "
                 "(ATR/BPN), Ossy Dermawan (RMOL/Faisal Aristama)",
                 "Suasana rapat paripurna DPR/MPR di Senayan, Jakarta (RMOL/Ahmad Kiflan)")
SIDEBAR_TITLES = ("Keppres Pengangkatan Adies Kadir Digugat ke PTUN",
                  "Tekuk Fiorentina 2-1, Napoli Tak Biarkan Inter Tenang",
                  "DPR Komitmen Kawal Pelaksanaan MBG Selama Ramadan",
                  "Dua Menteri Prabowo Saling Serang di Ruang Publik",
                  "Update Banjir dan Longsor Sukabumi: 5 Orang Wafat, 4 Orang Hilang",
                  "Kemenag: Tidak Ada Kebijakan Zakat untuk MBG",
                  "Rakyat Menjerit, Pajak Kendaraan di Jateng Naik hingga 60 Persen",
                  "Polda Jateng Tegas Larang Petasan Sepanjang Ramadan")
SUBHEADINGS = ("Langkah Berikutnya", "Tanggapan Pemerintah", "Update", "Latar Belakang")
PRINT_EDITIONS = ("HARIAN RAKYAT MERDEKA", "RAKYAT MERDEKA")
SITE = "https://rmol.id"
CDN = "https://cdn.rmol.id"
EARLIEST = datetime(2015, 1, 1, tzinfo=UTC)
LATEST = datetime(2026, 6, 30, tzinfo=UTC)
MTIME_BASE = datetime(2026, 7, 1, tzinfo=UTC).timestamp()


@dataclass(frozen=True)
class Article:
    """One article as the generator means it: UTC time, the zone its page prints."""

    title: str
    category: str
    published: datetime
    zone: str
    author: str | None
    caption: str | None
    paragraphs: tuple[str, ...]
    populer: tuple[datetime, ...]  # the wall times of the Populer headlines
    update: tuple[datetime, ...]


@dataclass(frozen=True)
class Shape:
    """How a dump prints its article: which date line, which damage, which form."""

    form: str = "text"  # text, html, html-meta, html-visible
    date_line: str = "standard"
    sidebar: str = "whole"  # whole, cut, none
    encoding: str = "utf-8"  # utf-8, utf-8-sig, cp1252
    crlf: bool = False
    blank_runs: bool = False


def generate(out: Path, count: int, edge: float = 0.3, seed: int = 7,
             prefix: str = "dump_") -> Path:
    """Write `count` dumps and `truth.jsonl` into `out`; return `out`."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    written: list[tuple[str, Article, Shape]] = []
    keys: set[tuple[str, str, datetime]] = set()
    truth: list[dict[str, object]] = []
    for number in range(count):
        name = f"{prefix}{number:06d}"
        roll = rng.random()
        if written and roll < edge * 0.06:
            record, data, suffix = _duplicate(rng, written, out)
        elif written and roll < edge * 0.12:
            record, data, suffix, article, shape = _update(rng, written)
            written.append((name + suffix, article, shape))
        elif roll < edge * 0.18:
            record, data, suffix = _invalid(rng)
        else:
            article = _article(rng, keys, edge)
            shape = _shape(rng, edge, article)
            data, suffix = render(article, shape)
            record = _truth(article, "ok", shape)
            written.append((name + suffix, article, shape))
        path = out / (name + suffix)
        path.write_bytes(data)
        mtime = MTIME_BASE + number * 60
        os.utime(path, (mtime, mtime))
        truth.append({"file": path.name, **record})
    with (out / "truth.jsonl").open("w", encoding="utf-8") as handle:
        for record in truth:
            handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    return out


def _article(rng: random.Random, keys: set[tuple[str, str, datetime]], edge: float) -> Article:
    while True:
        title = (f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
                 f"di {rng.choice(PLACES)}")
        category = rng.choice(CATEGORIES)
        seconds = rng.randrange(int((LATEST - EARLIEST).total_seconds()) // 60) * 60
        published = EARLIEST + timedelta(seconds=seconds)
        key = (category.casefold(), title.casefold(), published)
        if key not in keys:
            keys.add(key)
            break
    hard = rng.random() < edge
    zone = rng.choice(("WITA", "WIT")) if hard and rng.random() < 0.3 else "WIB"
    caption: str | None = rng.choice(CAPTIONS)
    if hard and rng.random() < 0.2:
        caption = rng.choice(LONG_CAPTIONS)
    elif hard and rng.random() < 0.1:
        caption = None
    paragraphs = [_paragraph(rng) for _ in range(rng.randint(3, 14))]
    if hard and rng.random() < 0.3:
        paragraphs.insert(rng.randint(1, len(paragraphs) - 1), rng.choice(SUBHEADINGS))
    if hard and rng.random() < 0.2:
        paragraphs = [p + "\u00a0" for p in paragraphs]  # cleaned away by the reader
    wall = published + timedelta(hours=ZONES["WIB"])
    populer = tuple(wall + timedelta(days=rng.randint(-3, 3), hours=rng.randint(-12, 12))
                    for _ in range(7))
    newest = wall + timedelta(days=rng.randint(0, 30))
    update = tuple(newest - timedelta(minutes=11 * n + rng.randint(0, 9)) for n in range(10))
    author = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    return Article(title, category, published, zone, author, caption, tuple(paragraphs),
                   populer, update)


def _paragraph(rng: random.Random) -> str:
    if rng.random() < 0.25:
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20)))
        return f"\u201c{words.capitalize()},\u201d kata {rng.choice(SPEAKERS)}."
    sentences = (" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 24))).capitalize()
                 + "." for _ in range(rng.randint(1, 3)))
    return " ".join(sentences)


def _shape(rng: random.Random, edge: float, article: Article) -> Shape:
    form = "text"
    if rng.random() < 0.2:
        form = "html"
        if rng.random() < edge:
            form = rng.choice(("html-meta", "html-visible"))
    if rng.random() >= edge:
        return Shape(form=form)
    date_lines = ["standard", "no-reporter", "print-edition", "dash", "short-month",
                  "day-first", "numeric"]
    encodings = ["utf-8", "utf-8-sig"] + (["cp1252"] if _cp1252_safe(article) else [])
    return Shape(
        form=form,
        date_line=rng.choice(date_lines) if form != "html" else "standard",
        sidebar=rng.choice(("whole", "whole", "cut", "none")) if form == "text" else "whole",
        encoding=rng.choice(encodings) if form == "text" else "utf-8",
        crlf=form == "text" and rng.random() < 0.3,
        blank_runs=form == "text" and rng.random() < 0.3,
    )


def _cp1252_safe(article: Article) -> bool:
    try:
        "".join((article.title, article.caption or "", *article.paragraphs)).encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def render(article: Article, shape: Shape) -> tuple[bytes, str]:
    """The dump's bytes and its file suffix."""
    if shape.form == "text":
        text = _text_page(article, shape)
        if shape.crlf:
            text = text.replace("\n", "\r\n")
        return text.encode(shape.encoding), ".txt"
    return _html_page(article, shape).encode("utf-8"), ".html"


def _wall(article: Article) -> datetime:
    return article.published + timedelta(hours=ZONES[article.zone])


def date_line(article: Article, shape: str) -> str:
    """The date line of one of the shapes real pages print."""
    wall, zone = _wall(article), article.zone
    weekday, month = WEEKDAYS[wall.weekday()], MONTHS[wall.month - 1]
    clock = f"{wall:%H:%M}"
    if shape == "standard":
        return (f"{weekday}, {wall.day:02d} {month} {wall.year} | {clock} {zone} | "
                f"LAPORAN: {article.author}").upper()
    if shape == "no-reporter":
        return f"{weekday}, {wall.day:02d} {month} {wall.year} | {clock} {zone}".upper()
    if shape == "print-edition":
        edition = PRINT_EDITIONS[wall.minute % len(PRINT_EDITIONS)]
        return f"{weekday}, {wall.day:02d} {month} {wall.year} | {clock} {zone} | {edition}".upper()
    if shape == "dash":
        weekday = "Jum'at" if weekday == "Jumat" else weekday
        return f"{weekday}, {wall.day} {month} {wall.year} - {clock} {zone.lower()}"
    if shape == "short-month":
        return f"{weekday}, {wall.day} {SHORT_MONTHS[wall.month - 1]} {wall.year} {clock} {zone}"
    if shape == "day-first":
        return f"{wall.day} {month} {wall.year} | {wall:%H.%M} {zone}"
    if shape == "numeric":
        return f"{weekday}, {wall:%d/%m/%Y} {clock} {zone}"
    raise ValueError(shape)


def _sidebar_stamp(wall: datetime) -> str:
    return f"{WEEKDAYS[wall.weekday()]}, {wall.day:02d} {MONTHS[wall.month - 1]} {wall.year} | " \
           f"{wall:%H:%M}"


def _sidebar_items(stamps: tuple[datetime, ...], offset: int) -> list[tuple[str, str]]:
    return [(SIDEBAR_TITLES[(offset + n) % len(SIDEBAR_TITLES)], _sidebar_stamp(when))
            for n, when in enumerate(stamps)]


def _text_page(article: Article, shape: Shape) -> str:
    blocks = ["Berita"]
    if article.caption:
        blocks.append(article.caption)
    blocks += [article.category, article.title, date_line(article, shape.date_line),
               *article.paragraphs]
    populer = _sidebar_items(article.populer, article.published.minute)
    update = _sidebar_items(article.update, article.published.hour)
    if shape.sidebar == "whole":
        blocks += ["", "Populer", *(p for item in populer for p in item),
                   "UPDATE", *(p for item in update for p in item), "Selengkapnya"]
    elif shape.sidebar == "cut":
        kept = populer[: _cut_point(article)]
        blocks += ["", "Populer", *(p for item in kept for p in item), populer[len(kept)][0]]
    separator = "\n \n\u00a0\n\t\n" if shape.blank_runs else "\n\n"
    return separator.join(blocks) + "\n"


def _cut_point(article: Article) -> int:
    """How many whole Populer items a page cut short keeps: one to six."""
    return 1 + article.published.minute % 6


def _html_page(article: Article, shape: Shape) -> str:
    wall = _wall(article)
    offset = f"+{ZONES[article.zone]:02d}:00"
    iso = f"{wall:%Y-%m-%dT%H:%M:%S}{offset}"
    esc = html.escape
    head = ['<meta charset="utf-8">']
    if shape.form != "html-visible":
        head.append(f'<link rel="canonical" href="{page_url(article)}">')
        head.append(f"<title>{esc(article.title)} - RMOL</title>")
        head.append(f'<meta property="og:title" content="{esc(article.title)}">')
        head.append(f'<meta property="article:section" content="{esc(article.category)}">')
        head.append(f'<meta property="article:published_time" content="{iso}">')
        head.append(f'<meta name="author" content="{esc(article.author or "")}">')
    if shape.form == "html":
        ld = {"@context": "https://schema.org", "@type": "NewsArticle",
              "headline": article.title, "articleSection": article.category,
              "datePublished": iso, "author": [{"@type": "Person", "name": article.author}]}
        if article.caption:
            ld["image"] = {"@type": "ImageObject", "url": CDN + image_path(article)}
            head.append(f'<meta property="og:image" content="{CDN}{image_path(article)}">')
        head.append(f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}'
                    "</script>")
    body = ['<div class="breadcrumb">Berita</div>']
    if article.caption:
        body.append(f'<figure><img src="{image_path(article)}" alt="">'
                    f"<figcaption>{esc(article.caption)}</figcaption></figure>")
    body.append(f'<div class="category"><a href="/{esc(article.category.lower())}">'
                f"{esc(article.category)}</a></div>")
    body.append(f'<h1 class="title">{esc(article.title)}</h1>')
    body.append(f'<div class="date">{esc(date_line(article, shape.date_line))}</div>')
    body.append('<div class="content">')
    body += [f"<p>{esc(p)}</p>" for p in article.paragraphs]
    body.append("</div>")
    for css, heading, items, more in (
            ("populer", "Populer", _sidebar_items(article.populer, article.published.minute), ""),
            ("update", "UPDATE", _sidebar_items(article.update, article.published.hour),
             '<a href="/indeks">Selengkapnya</a>')):
        lis = "".join(f'<li><a href="#">{esc(t)}</a><span>{s}</span></li>\n' for t, s in items)
        body.append(f'<aside class="{css}"><h3>{heading}</h3><ul>\n{lis}</ul>{more}</aside>')
    return ('<!DOCTYPE html>\n<html lang="id"><head>' + "".join(head) + "</head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def page_url(article: Article) -> str:
    """The article's own address, as its canonical link names it."""
    words = "-".join(article.title.lower().split())
    return f"{SITE}/read/{_wall(article):%Y/%m/%d}/{words}"


def image_path(article: Article) -> str:
    """The photo's address relative to the site, as the page's body names it."""
    return f"/images/{_wall(article):%y%m%d%H%M}.jpg"


def _image(article: Article, shape: Shape) -> str | None:
    """The lead image feeds should find: JSON-LD's and og:image's, else the body's
    made absolute against the canonical link; none on a page with no address."""
    if article.caption is None or shape.form in ("text", "html-visible"):
        return None
    return (CDN if shape.form == "html" else SITE) + image_path(article)


def _truth(article: Article, kind: str, shape: Shape | None = None) -> dict[str, object]:
    shape = shape or Shape()
    author = article.author if shape.date_line == "standard" or shape.form in (
        "html", "html-meta") else None
    populer, update = len(article.populer), len(article.update)
    if shape.sidebar == "cut":
        populer, update = _cut_point(article), 0
    elif shape.sidebar == "none":
        populer = update = 0
    return {"kind": kind, "title": article.title, "category": article.category,
            "published": f"{article.published:%Y-%m-%dT%H:%M:%SZ}", "author": author,
            "caption": article.caption, "image": _image(article, shape),
            "paragraphs": len(article.paragraphs),
            "populer": populer, "update": update}


def _duplicate(rng: random.Random, written: list[tuple[str, Article, Shape]], out: Path
               ) -> tuple[dict[str, object], bytes, str]:
    """A byte-identical copy of an earlier dump under another name."""
    name, article, shape = rng.choice(written)
    record = _truth(article, "duplicate", shape) | {"same_as": name}
    return record, (out / name).read_bytes(), Path(name).suffix


def _update(rng: random.Random, written: list[tuple[str, Article, Shape]]
            ) -> tuple[dict[str, object], bytes, str, Article, Shape]:
    """A corrected re-dump: the same article with a paragraph added at its end."""
    name, article, shape = rng.choice(written)
    corrected = replace(article, paragraphs=(*article.paragraphs,
                                             "Berita ini telah diperbarui dengan keterangan "
                                             f"{rng.choice(SPEAKERS)}."))
    data, suffix = render(corrected, shape)
    record = _truth(corrected, "update", shape) | {"same_as": name}
    return record, data, suffix, corrected, shape


def _invalid(rng: random.Random) -> tuple[dict[str, object], bytes, str]:
    kind = rng.choice(("empty", "blank", "binary", "no-date", "impossible-date"))
    if kind == "empty":
        return {"kind": "invalid", "error": "empty file"}, b"", ".txt"
    if kind == "blank":
        return {"kind": "invalid", "error": "empty file"}, b" \n\n\t\n", ".txt"
    if kind == "binary":
        data = bytes(rng.randrange(256) for _ in range(2048)) + b"\x00" * 16
        return {"kind": "invalid", "error": "not text"}, data, ".txt"
    title = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
    body = "\n\n".join(_paragraph(rng) for _ in range(3))
    if kind == "no-date":
        page = f"Berita\n\nPolitik\n\n{title}\n\n{body}\n"
        return {"kind": "invalid", "error": "no date line found"}, page.encode(), ".txt"
    page = f"Berita\n\nPolitik\n\n{title}\n\n31 FEBRUARI 2025 | 25:70 WIB\n\n{body}\n"
    return {"kind": "invalid", "error": "impossible date"}, page.encode(), ".txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("-n", "--count", type=int, default=2000)
    parser.add_argument("--edge", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--prefix", default="dump_")
    args = parser.parse_args()
    generate(args.out, args.count, args.edge, args.seed, args.prefix)


if __name__ == "__main__":
    main()
