"""`python bench/lean.py INPUT_DIR OUTPUT_DIR STATE_PATH`: the leanest honest `feeds build`, a floor
to measure feeds against (issue 28). Regexes read tests/corpus.py's shapes on a fork pool of two; a
row an entry in SQLite; lxml and templates write feeds's files for the site "Bench", each renamed
from a temporary name (all but article pages after one sync(2), as in feeds). Prints the times."""
import html
import json
import multiprocessing
import os
import re
import sqlite3
import sys
import unicodedata
import uuid
from collections import namedtuple
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin

from lxml import etree
from lxml.builder import ElementMaker

NS = uuid.UUID("6f0d5c2e-8b0f-5a51-9d57-4a1a7f3e2b10")  # feeds's namespace: the same ids
BASE, TITLE, PER, ICON = "http://127.0.0.1:8080/", "Bench", 50, "http://127.0.0.1:8080/icon.png"
DESC, FEEDS = "Berita terbaru dari halaman berita yang diarsipkan, per kategori.", Path(
    __file__).resolve().parents[1] / "feeds"  # the stylesheet and the icons are feeds's
STYLE = re.search(r'STYLE = """(.*?)"""', (FEEDS / "render/pages.py").read_text(), re.S)[1]
DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember"]
MONTH = {m[:3].lower(): n for n, m in enumerate(MONTHS, 1)} | {"agt": 8, "nop": 11}
FORMATS, H = (("rss.xml", "application/rss+xml", "RSS"), ("atom.xml", "application/atom+xml",
    "Atom"), ("feed.json", "application/feed+json", "JSON Feed")), r"[ \t\u00a0]"
STAMP = re.compile(rf"^{H}*(?:[a-z']+,{H}*)?(\d{{1,2}})(?:{H}+([a-z]+){H}+|/(\d\d)/)(\d{{4}}){H}*"
    rf"[|-]?{H}*(\d{{1,2}})[:.](\d\d)(?:{H}+(WIB|WITA|WIT))?{H}*(?:\|{H}*([^\n]*?))?{H}*$", re.M |
    re.I)  # a date line (or a sidebar's stamp, with no zone: WIB) and what follows it
SIDE = re.compile(rf"^{H}*(?:(?:selengkapnya|indeks berita){H}*$|(?:populer|terpopuler|update|"
    rf"terkini|terbaru){H}*\n\s*\n[^\n]+\n\s*\n{H}*[a-z']+,{H}*\d)", re.M | re.I)  # article's end
BLANK, CTRL = re.compile(r"\n(?:[^\S\n]*\n)+"), re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
BLOCK = re.compile(r"</?(?:div|p|h\d|figure|figcaption|li|ul|span|aside|br)\b[^>]*>", re.I)
META = re.compile(r'<(?:meta (?:name|property)|link rel)="([^"]+)" (?:content|href)="([^"]*)"')
CREDIT = re.compile(r"(.*?\S)\s*(?:\(([^()]*/[^()]*)\)|/\s*((?:[^\s/),]+\s*){1,3}))")
BYLINE, ENDS = re.compile(r"(?:laporan|reporter|penulis|oleh|wartawan)\s*:?\s*(.+)", re.I), tuple(
    '.!?,;:"\u201d\u2019\')\u2026')  # how a sentence ends: a subheading does not
URI = {"dc": "http://purl.org/dc/elements/1.1/", "media": "http://search.yahoo.com/mrss/", "atom":
       "http://www.w3.org/2005/Atom", "content": "http://purl.org/rss/1.0/modules/content/", None:
       "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap"
       "-news/0.9"}
E, DC, M, AL, C, S, N = ElementMaker(), *(ElementMaker(namespace=u, nsmap={k: u}) for k, u in URI
                                          .items())
A = ElementMaker(namespace=URI["atom"], nsmap={"media": URI["media"], None: URI["atom"]})
Spec, G = namedtuple("Spec", "key title desc dir home name"), {}  # G: what the workers inherit
def x(s): return html.escape(s or "", False)  # XML text
def q(s): return html.escape(s or "")  # attributes, pages
def z(d): return f"{d:%Y-%m-%dT%H:%M:%SZ}"
def xml(root): return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8"
                                     )
def slugify(name): return re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", name).encode(
    "ascii", "ignore").decode().lower()).strip("-") or "lainnya"
def blocks(text): return [b for b in (" ".join(p.split()) for p in BLANK.split(text)) if b]
def utc(m): return datetime(int(m[4]), int(m[3] or 0) or MONTH[m[2][:3].lower()], int(m[1]), int(
    m[5]), int(m[6]), tzinfo=UTC) - timedelta(hours=7 + ["WIB", "WITA", "WIT"].index((m[7] or "WIB"
    ).upper()))  # WIB is UTC+7, WITA +8, WIT +9; a stamp with no zone is WIB
def parse(path, name, mtime):  # a dump's entry, or None: not an article
    try:  # UTF-8, else cp1252; NUL is no text
        text, image, author = (data := Path(path).read_bytes()).decode("utf-8-sig"), None, None
    except UnicodeDecodeError:
        text, image, author = data.decode("cp1252", "replace"), None, None
    if name.endswith((".html", ".htm")):  # metadata from the head, then the visible text
        meta = {k: html.unescape(v) for k, v in META.findall(text.partition("<body")[0])}
        img = re.search(r'<body.*?<img[^>]*\ssrc="([^"]+)"', text, re.S)  # else the body's image
        image = meta.get("og:image") or (urljoin(meta["canonical"], img[1]) if img and "canonical"
                                         in meta else None)
        author, text = meta.get("author") or None, html.unescape(re.sub(r"<[^>]*>", "", BLOCK.sub(
            "\n\n", text[text.find(">", text.find("<body")) + 1 :])))
    text = CTRL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if b"\0" in data or not (m := STAMP.search(text)) or not (header := blocks(text[: m.start()])):
        return None
    try:
        pub, title, last = utc(m), header.pop(), header[-1] if len(header) > 1 else ""
    except (ValueError, KeyError):  # an impossible date, an unknown month
        return None
    cat = last if last and len(last) <= 40 and "/" not in last and not last.endswith(ENDS[:3]) and (
        not any(w[0].isdigit() for w in last.split())) else None  # a label above the title
    caption = ([b for b in (header[-1:] if not cat and "/" in last else header[:-1]) if b.casefold()
                not in {"berita", "news", "beranda", "home", "artikel"}] or [""])[-1]
    if not author and m[8] and (byline := BYLINE.fullmatch(m[8].strip())):
        author = byline[1].strip().title()  # printed in capitals
    end = SIDE.search(text, m.end())  # the first sidebar heading, or the end marker
    body = blocks(text[m.end() : end.start() if end else len(text)])
    subs = [i < len(body) - 1 and len(b) <= 80 and len(b.split()) <= 10 and not b.endswith(ENDS)
            and "://" not in b for i, b in enumerate(body)]  # subheadings
    slug, key = slugify(cat or "Berita"), tkey(title)
    eid = "urn:uuid:" + str(uuid.uuid5(NS, f"{slug}\x1f{key}\x1f{z(pub)[:16]}Z"))
    credit = CREDIT.fullmatch(caption.rstrip())  # after the last "/", or in a closing "(a/b)"
    ctext, credit = (credit[1], (credit[2] or credit[3]).strip()) if credit else (caption, None)
    parts = [f"<{'h3' if s else 'p'}>{x(b)}</{'h3' if s else 'p'}>" for b, s in zip(body, subs,
                                                                               strict=True)]
    parts[:0] = ["<figure>" + (f'<img src="{q(image)}" alt="{q(ctext)}">' if image else "") + (
        f"<figcaption>{x(ctext)}" + (f" <small>(Foto: {x(credit)})</small>" if credit else "") +
        "</figcaption>" if caption else "") + "</figure>"] if image or caption else []
    summary = " ".join(b for b, s in zip(body, subs, strict=True) if not s)
    summary = summary[:300].rsplit(" ", 1)[0].rstrip(",;:") + "…" if len(summary) > 300 else summary
    return {"id": eid, "title": title, "tkey": key, "cat": cat or "Berita", "slug": slug,
            "au": author, "aslug": author and slugify(author), "image": image, "pub": pub, "ctext":
            ctext, "credit": credit, "html": "\n".join(parts), "summary": summary or title, "mtime":
            mtime, "name": name, "side": text[end.start() :] if end else "", "content": (title, cat,
            author, caption, image, *parts), "url": f"{BASE}artikel/{pub:%Y/%m}/{eid[9:]}.html"}
def write(files, sync):  # each under a temporary name, synced (one sync), then renamed
    for path, data in (renames := [(G["out"] / path, data) for path, data in files]):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.with_name(f".{path.name}.tmp").write_bytes(data)
    if sync:
        os.sync()
    for path, _ in renames:
        path.with_name(f".{path.name}.tmp").replace(path)
def media(i): return [M.content(*([M.description(i["ctext"], type="plain")] if i["ctext"] else []),
    *([M.credit(i["credit"])] if i["credit"] else []), url=i["image"], medium="image"), M.thumbnail(
    url=i["image"])] if i.get("image") else []
def rss_item(i): return E.item(E.title(i["title"]), *([E.link(i["url"])] if i["url"] else []),
    E.description(x(i["summary"])), C.encoded(i["html"]), E.guid(i["id"], isPermaLink="false"),
    E.category(i["tag"]), E.pubDate(f"{i['pub']:%a, %d %b %Y %H:%M:%S} +0000"), DC.creator(i["by"]),
    *media(i))
def atom_entry(i): return A.entry(A.id(i["id"]), A.title(i["title"]), A.updated(i["upd"].isoformat(
    )), A.author(A.name(i["by"])), A.content(i["html"], type="html"), *([A.link(href=i["url"], rel=
    "alternate", type="text/html")] if i["url"] else []), A.summary(x(i["summary"]), type="html"),
    A.category(term=i["tag"], label=i["tag"]), A.published(i["pub"].isoformat()), *media(i))
def json_item(i): return {"id": i["id"], **({"url": i["url"]} if i["url"] else {}), "title": i[
    "title"], "content_html": i["html"], "summary": i["summary"], "date_published": z(i["pub"]),
    "date_modified": z(i["upd"]), "authors": [{"name": i["by"]}], "language": "id", **({"image": i[
    "image"]} if i.get("image") else {}), "tags": [i["tag"]]}
def feed_files(s, items):  # RSS 2.0, Atom 1.0 and JSON Feed 1.1, the newest item first
    path, link, updated = BASE + s.dir, BASE + s.home, max((i["upd"] for i in items), default=
        datetime(1970, 1, 1, tzinfo=UTC))
    rss = ElementMaker(nsmap={k: URI[k] for k in ("dc", "media", "atom", "content")}).rss(E.channel(
        E.title(s.title), E.link(link), E.description(s.desc), AL.link(href=path + "rss.xml", rel=
        "self", type="application/rss+xml"), E.docs("http://www.rssboard.org/rss-specification"),
        E.generator("feeds"), E.image(E.url(ICON), E.title(s.title), E.link(link)), E.language(
        "id"),
        E.lastBuildDate(f"{updated:%a, %d %b %Y %H:%M:%S} +0000"), *map(rss_item, items)), version=
        "2.0")
    atom = A.feed(A.id(f"urn:uuid:{uuid.uuid5(NS, 'feed:' + s.key)}"), A.title(s.title), A.updated(
        updated.isoformat()), A.author(A.name(TITLE)), A.link(href=path + "atom.xml", rel="self",
        type="application/atom+xml"), A.link(href=link, rel="alternate", type="text/html"),
        A.generator("feeds", version="0.1.0"), A.icon(ICON), A.logo(ICON), A.subtitle(s.desc), *map(
        atom_entry, items), {"{http://www.w3.org/XML/1998/namespace}lang": "id"})
    feed = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": s.title,
        "home_page_url": link, "feed_url": path + "feed.json", "description": s.desc, "language":
        "id", "icon": ICON, "favicon": ICON, "authors": [{"name": TITLE}], "items": list(map(
        json_item, items))}, ensure_ascii=False, separators=(",", ":")) + "\n"
    return [(s.dir + "rss.xml", xml(rss)), (s.dir + "atom.xml", xml(atom)), (s.dir + "feed.json",
                                                                            feed.encode())]
def when(d): return (f'<time datetime="{z(d)}">{DAYS[(w := d + timedelta(hours=7)).weekday()]}, '
                     f"{w.day} {MONTHS[w.month - 1]} {w.year}, {w:%H:%M} WIB</time>")
def alternates(s): return "".join(f'<link rel="alternate" type="{mime}" title="{q(s.title)} ('
                                  f'{label})" href="{BASE}{s.dir}{name}">\n' for name, mime, label
                                  in FORMATS)
def formats(s): return (f'<div class="formats"><a class="subscribe" href="{BASE}{s.dir}rss.xml" '
    'type="application/rss+xml">Langganan</a>' + "".join(f'<a href="{BASE}{s.dir}{name}" type="'
    f'{mime}">{label}</a>' for name, mime, label in FORMATS) + "</div>")
def page(title, body, head=""): return (
    f'<!DOCTYPE html>\n<html lang="id">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" con'
    f'tent="width=device-width, initial-scale=1">\n<title>{q(title)}</title>\n<link rel="icon" href'
    f'="{ICON}">\n<link rel="apple-touch-icon" href="{ICON}">\n{head}<style>{STYLE}</style>\n</head'
    f'>\n<body>\n<header class="site"><a href="{BASE}"><img class="icon" src="{ICON}" alt="" width='
    f'"44" height="44"><h1>{TITLE}</h1></a></header>\n<main>\n{body}\n</main>\n</body>\n</html>\n'
    ).encode()
def spec(key, name): return Spec(key, f"{TITLE}: {name}", f"Berita terbaru kategori {name} dari "
    f"{TITLE}" if key[0] == "c" else f"Berita terbaru oleh {name} di {TITLE}", d := key.replace(
    ":", "/") + "/", d, name)  # a category's or a reporter's feed
def tkey(title): return " ".join(unicodedata.normalize("NFKC", title).split()).casefold()
def article(e): return e["url"][len(BASE) :], page(f"{e['title']} - {TITLE}", (  # its own spelling
    f'<article><a class="category" href="{BASE}{(s := spec("category:" + e["slug"], e["cat"])).dir}'
    '">'
    f'{q(s.name)}</a><h1>{q(e["title"])}</h1><p class="meta">{when(e["pub"])}' + (f' · <a class="'
    f'reporter" href="{BASE}author/{e["aslug"]}/">{q(e["au"])}</a>' if e["au"] else "") + "</p>" + (
    f'<p class="meta">Diperbarui {when(e["upd"])}</p>' if e["upd"] != e["pub"] else "") + e["html"]
    + f"</article><footer>Feed kategori ini: {formats(s)}</footer>"), alternates(s))
def items(entries): return [e | {"by": e["au"] or TITLE, "tag": G["names"]["category:" + e["slug"]]}
                            for e in entries]
def listing(s, entries): return [*feed_files(s, items(entries)), (s.dir + "index.html", page(
    s.title, f'<h2>{q(s.title)}</h2>{formats(s)}<ul class="entries">\n' + "\n".join(f'<li><a href="'
    f'{e["url"]}">{q(e["title"])}</a><p class="meta">{when(e["pub"])}' + (" · " + q(e["au"]) if e[
    "au"] else "") + "</p></li>" for e in entries) + "\n</ul>", alternates(s)))]
def work(task):  # a job of the render workers: 16 listings, or 500 pages
    write([f for s in task for f in listing(s, G[s.key][:PER])] if isinstance(task, list) else [
        article(e) for e in G["entries"][task : task + 500]], sync=isinstance(task, list))
def main():
    start, fork, G["out"], dumps, G["names"] = os.times()[4], multiprocessing.get_context(
        "fork"), Path(sys.argv[2]), {}, {}
    jobs = sorted((f.path, f.name, f.stat().st_mtime_ns) for f in os.scandir(sys.argv[1]) if
                  f.name.endswith((".txt", ".html", ".htm")))
    with fork.Pool(2) as pool:
        parsed = [p for p in pool.starmap(parse, jobs, chunksize=64) if p]
    for p in sorted(parsed, key=lambda p: (p["mtime"], p["name"])):  # the newest dump is shown
        dumps.setdefault(p["id"], []).append(p)
    for v in dumps.values():  # with a second content, `updated` is when the shown one appeared
        first, e = {d["content"]: d["mtime"] for d in v[::-1]}, v[-1]
        e["upd"] = max(e["pub"], datetime.fromtimestamp(first[e["content"]] // 10**9, UTC)) if len(
            first) > 1 else e["pub"]
    G["entries"] = entries = sorted((v[-1] for v in dumps.values()), key=lambda e: (e["pub"], e[
        "id"]), reverse=True)
    for e in entries:  # the newest entry names its category's and its reporter's feed
        for key, name in [(f"category:{e['slug']}", e["cat"]), (f"author:{e['aslug']}", e["au"])][
                : 1 + bool(e["au"])]:
            G.setdefault(key, []).append(e) or G["names"].setdefault(key, name)
    specs = sorted((spec(k, n) for k, n in G["names"].items()), key=lambda s: (s.key[0] == "a",
                   s.name.casefold(), s.key))  # categories, then reporters
    cats, reporters, pool = [s for s in specs if s.key[0] == "c"], [s for s in specs if s.key[0] ==
                                                                    "a"], fork.Pool(2)
    done = pool.map_async(work, [specs[i : i + 16] for i in range(0, len(specs), 16)] + list(range(
        0, len(entries), 500)))
    side = re.search(r"(?ims)^\s*populer\s*$(.*?)(?:^\s*(?:update|selengkapnya)\s*$|\Z)",
                     entries[0]["side"] if entries else "")  # the newest page's Populer list
    heads, titled = blocks(side[1]) if side else [], {e["tkey"]: e for e in entries[::-1]}
    pops = [{"pub": (d := utc(m)), "upd": d, "id": "urn:uuid:" + str(uuid.uuid5(NS, f"populer:{t}:"
             f"{d:%Y-%m-%dT%H:%MZ}")), "title": t, "url": (e := titled.get(tkey(t))) and e["url"],
             "by": TITLE, "tag": "Populer", "summary": t, "html": f'<p><a href="{q(e["url"])}">'
             f"{x(t)}</a></p>" if e else f"<p>{x(t)}</p>"} for t, m in zip(heads, map(
             STAMP.fullmatch, heads[1:]), strict=False) if m and not STAMP.fullmatch(t)][:PER]
    feeds = [(Spec("all", TITLE, DESC, "", "", TITLE), items(entries[:PER]), len(entries)), *((s,
        items(G[s.key][:1]), len(G[s.key])) for s in cats), (Spec("populer", f"{TITLE}: Populer",
        f"Berita terpopuler di {TITLE}, seperti tampil di halaman berita terbaru", "populer/", "",
        "Populer"), pops, len(pops))]
    cards = "\n".join(f'<li><h2><a href="{BASE}{s.home}">{q(s.title)}</a></h2><p class="count">'
        f"{min(n, PER)} entri di feed" + (f" dari {n} artikel" if n > PER else "") + "</p>" + (
        '<p class="newest">Terbaru: ' + (f'<a href="{f["url"]}">{q(f["title"])}</a>' if f["url"]
        else q(f["title"])) + f'</p><p class="meta">{when(f["pub"])}</p>' if (f := (es or [None])[
            0]) else "") + formats(s) + "</li>" for s, es, n in feeds)
    rows = "\n".join(f'<li><a href="{BASE}{s.dir}">{q(s.name)}</a> <span class="count">'
        f"{len(G[s.key])} artikel</span>{formats(s)}</li>" for s in reporters)
    index = page(TITLE, f"<p>{DESC}</p>\n<p>Ikuti berita lewat pembaca feed: klik <em>Langganan"
        "</em>, atau salin alamat RSS, Atom atau JSON Feed. Semua feed sekaligus: <a href=\""
        f'{BASE}feeds.opml">feeds.opml</a>.</p>\n<ul class="feeds">\n{cards}\n</ul>' + (
        f'\n<h2>Reporter</h2>\n<ul class="reporters">\n{rows}\n</ul>' if rows else ""), "".join(
        alternates(s) for s, _, _ in feeds) + '<link rel="alternate" type="text/x-opml" title="Sem'
        f'ua feed (OPML)" href="{BASE}feeds.opml">\n')
    outlines, months = [E.outline(type="rss", text=s.title, title=s.title, xmlUrl=f"{BASE}{s.dir}rs"
        f"s.xml", htmlUrl=BASE + s.home) for s in [f[0] for f in feeds] + reporters], {}
    for e in entries[::-1]:
        months.setdefault(f"{e['pub']:%Y-%m}", []).append(e)
    write([*feed_files(*feeds[0][:2]), *feed_files(*feeds[-1][:2]), ("index.html", index), (
        "feeds.opml", xml(E.opml(E.head(E.title(f"{TITLE}: semua feed")), E.body(*outlines[:len(
        feeds)], *[E.outline(*outlines[len(feeds):], text="Reporter", title="Reporter")][:len(
        reporters)]), version="2.0"))), ("robots.txt", f"User-agent: *\nAllow: /\n\nSitemap: {BASE}"
        f"sitemap.xml\nSitemap: {BASE}news-sitemap.xml\n".encode()), ("sitemap.xml", xml(
        S.sitemapindex(*(S.sitemap(S.loc(f"{BASE}sitemap/{k}.xml"), S.lastmod(z(max(e["upd"] for e
        in es)))) for k, es in months.items())))), *((f"sitemap/{k}.xml", xml(S.urlset(*(S.url(
        S.loc(e["url"]), S.lastmod(z(e["upd"]))) for e in es)))) for k, es in months.items()), (
        "news-sitemap.xml", xml(ElementMaker(namespace=URI[None], nsmap={k: URI[k] for k in (None,
        "news")}).urlset(*(S.url(S.loc(e["url"]), N.news(N.publication(N.name(TITLE), N.language(
        "id")), N.publication_date(z(e["pub"])), N.title(e["title"]))) for e in entries[:1000] if e[
        "pub"] >= entries[0]["pub"] - timedelta(days=2))))), *((n, (FEEDS / "assets" / n
        ).read_bytes()) for n in ("icon.png", "icon.svg", "favicon.ico"))], True)
    (temp := Path(sys.argv[3] + ".tmp")).unlink(missing_ok=True)
    with sqlite3.connect(temp) as db:  # one row an entry, its record as JSON
        db.execute("CREATE TABLE entries (id PRIMARY KEY, published, updated, source, record)")
        db.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?)", ((e["id"], z(e["pub"]), z(e[
            "upd"]), e["name"], json.dumps({k: e[k] for k in ("title", "cat", "au", "image",
            "ctext", "credit", "html", "side")}, ensure_ascii=False)) for e in entries))
    db.close(), done.get(), pool.close(), pool.join(), temp.replace(sys.argv[3])  # the output first
    print(f"lean: {len(parsed)} parsed, {len(jobs) - len(parsed)} rejected, {len(entries)} entries;"
          f" wall {os.times()[4] - start:.2f} s, CPU {sum(os.times()[:4]):.2f} s")
if __name__ == "__main__":
    main()
