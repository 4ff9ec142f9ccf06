"""The rules the W3C Feed Validation Service checks, one test each, on a build
that holds the awkward cases: markup-like titles, `&` in names, no reporter."""

from __future__ import annotations

import html
import json
import re
import shutil
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from feeds.config import Settings
from tests.conftest import SEED_DUNIA_2024, SEED_DUNIA_2025, build, make_settings

ATOM = "http://www.w3.org/2005/Atom"
NS = {"atom": ATOM, "dc": "http://purl.org/dc/elements/1.1/",
      "content": "http://purl.org/rss/1.0/modules/content/"}
HOSTILE_TITLE = "Awas <script>alert('x')</script> & \"Kutipan\""
RFC822 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep"
                    r"|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} (\+0000|GMT)$")


def write_inputs(input_dir: Path) -> None:
    shutil.copy(SEED_DUNIA_2025, input_dir / "a.txt")
    seed = SEED_DUNIA_2024.read_text(encoding="utf-8")
    title = "Maroko dan Prancis Perkuat Kerjasama Keamanan Bilateral"
    hostile = (seed.replace(title, HOSTILE_TITLE)
               .replace("\n\nDunia\n\n", "\n\nSains & Teknologi\n\n", 1)
               .replace("LAPORAN: ALIFIA DWI RAMANDHITA", "HARIAN RAKYAT MERDEKA")
               .replace("Komitmen tersebut", "<b onclick='x()'>Tebal</b> & <script>x()</script>"))
    (input_dir / "b.txt").write_text(hostile, encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("rules")
    settings = make_settings(root)
    write_inputs(settings.input_dir)
    build(settings)
    return settings


def xml(settings: Settings, relative: str) -> etree._Element:
    return etree.fromstring((settings.output_dir / relative).read_bytes())


FEEDS = ["", "category/dunia/", "category/sains-teknologi/", "populer/", "author/hani-fatunnisa/"]


@pytest.mark.parametrize("directory", FEEDS)
def test_rss_channel_and_items(built: Settings, directory: str) -> None:
    base = built.base_url
    channel = xml(built, directory + "rss.xml").find("channel")
    assert channel is not None
    for name in ("title", "link", "description", "lastBuildDate", "generator", "language"):
        assert (channel.findtext(name) or "").strip(), name
    assert channel.findtext("link") == base + ("" if directory == "populer/" else directory)
    self_links = channel.findall("atom:link[@rel='self']", NS)
    assert [link.get("href") for link in self_links] == [base + directory + "rss.xml"]
    assert self_links[0].get("type") == "application/rss+xml"
    items = channel.findall("item")
    assert items
    guids = [item.find("guid") for item in items]
    assert all(g is not None and g.get("isPermaLink") == "false" for g in guids)
    assert len({g.text for g in guids if g is not None}) == len(items)
    for item in items:
        assert RFC822.match(item.findtext("pubDate") or ""), item.findtext("pubDate")
        assert item.find("author") is None  # RSS author must be an e-mail: names go in dc:creator
        assert (item.findtext("dc:creator", namespaces=NS) or "").strip()
        link = item.findtext("link")
        assert link is None or link.startswith("http://")
    newest = max(parsedate_to_datetime(item.findtext("pubDate") or "") for item in items)
    assert parsedate_to_datetime(channel.findtext("lastBuildDate") or "") >= newest
    assert parsedate_to_datetime(channel.findtext("lastBuildDate") or "") <= datetime.now(UTC)


@pytest.mark.parametrize("directory", FEEDS)
def test_atom_feed_and_entries(built: Settings, directory: str) -> None:
    feed = xml(built, directory + "atom.xml")
    for element in (feed, *feed.findall("atom:entry", NS)):
        for name in ("id", "title", "updated"):
            assert len(element.findall(f"atom:{name}", NS)) == 1, name
        assert element.findtext("atom:id", namespaces=NS).startswith("urn:uuid:")  # type: ignore[union-attr]
    assert [link.get("href") for link in feed.findall("atom:link[@rel='self']", NS)] == [
        built.base_url + directory + "atom.xml"]
    entries = feed.findall("atom:entry", NS)
    updated = [datetime.fromisoformat(e.findtext("atom:updated", namespaces=NS) or "")
               for e in entries]
    feed_updated = datetime.fromisoformat(feed.findtext("atom:updated", namespaces=NS) or "")
    assert feed_updated == max(updated)
    for entry in entries:
        assert (entry.findtext("atom:author/atom:name", namespaces=NS) or "").strip()
        assert entry.findtext("atom:published", namespaces=NS)
        for link in entry.findall("atom:link", NS):
            assert (link.get("rel"), link.get("type")) == ("alternate", "text/html")


def test_markup_in_titles_is_escaped_and_typed(built: Settings) -> None:
    raw = (built.output_dir / "rss.xml").read_bytes()
    # RSS titles cannot be typed: a word joiner after each `<` keeps any reader from
    # seeing a tag; `<` and `&` are numeric references, as the validator wants.
    assert ("<title>Awas &#x3C;\u2060script&#x3E;alert('x')&#x3C;\u2060/script&#x3E; &#x26; "
            '"Kutipan"</title>').encode() in raw
    channel = xml(built, "rss.xml").find("channel")
    assert channel is not None
    titles = [(item.findtext("title") or "").replace("\u2060", "") for item in channel.iter("item")]
    assert HOSTILE_TITLE in titles
    atom = xml(built, "atom.xml")
    title = next(t for t in atom.iterfind("atom:entry/atom:title", NS) if "Awas" in (t.text or ""))
    assert title.get("type") == "html"
    assert title.text == html.escape(HOSTILE_TITLE, quote=False)
    assert b"Sains &#x26; Teknologi" in raw  # the category element too


def test_entry_html_is_sanitised(built: Settings) -> None:
    atom = xml(built, "atom.xml")
    contents = [c.text or "" for c in atom.iterfind("atom:entry/atom:content", NS)]
    hostile = next(c for c in contents if "Tebal" in c)
    pages = list((built.output_dir / "artikel").rglob("*.html"))
    assert len(pages) == 2
    for markup in [hostile, *(page.read_text(encoding="utf-8") for page in pages)]:
        tree = lxml.html.fromstring(markup)
        # The one script a page has is its JSON-LD, data no browser runs
        # (tests/test_structured_data.py shows no headline can leave it).
        assert not tree.xpath("//script[not(@type='application/ld+json')] | //b"
                              " | //*[@*[starts-with(name(), 'on')]]")
    # Shown as text, never run.
    assert "&lt;script&gt;x()&lt;/script&gt;" in hostile
    assert "<b onclick='x()'>Tebal</b>" in lxml.html.fromstring(hostile).text_content()


def test_an_entry_without_reporter_carries_the_site_name(built: Settings) -> None:
    atom = xml(built, "category/sains-teknologi/atom.xml")
    assert atom.findtext("atom:entry/atom:author/atom:name", namespaces=NS) == "Warta Uji"
    rss = xml(built, "category/sains-teknologi/rss.xml")
    assert rss.findtext("channel/item/dc:creator", namespaces=NS) == "Warta Uji"
    dunia = xml(built, "category/dunia/atom.xml")
    assert dunia.findtext("atom:entry/atom:author/atom:name", namespaces=NS) == "Hani Fatunnisa"


@pytest.mark.parametrize("directory", FEEDS)
def test_json_feed(built: Settings, directory: str) -> None:
    feed = json.loads((built.output_dir / directory / "feed.json").read_bytes())
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] and feed["feed_url"] == built.base_url + directory + "feed.json"
    assert feed["items"]
    for item in feed["items"]:
        assert item["id"].startswith("urn:uuid:") and item["content_html"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", item["date_published"])
        assert item["authors"][0]["name"]


def test_ids_do_not_change_when_the_feeds_move(built: Settings, tmp_path: Path) -> None:
    moved = make_settings(tmp_path, base_url="https://example.org/berita/")
    write_inputs(moved.input_dir)
    build(moved)
    for directory in FEEDS:
        here, there = xml(built, directory + "atom.xml"), xml(moved, directory + "atom.xml")
        assert ([e.text for e in here.iter(f"{{{ATOM}}}id")]
                == [e.text for e in there.iter(f"{{{ATOM}}}id")])
        assert xml(moved, directory + "rss.xml").findtext("channel/link", "").startswith(
            "https://example.org/berita/")


def test_subscribe_links_are_web_addresses_a_browser_opens(built: Settings) -> None:
    """Not `feed:` addresses: browsers no longer hand them to a reader, and show
    nothing or an error."""
    index = lxml.html.fromstring((built.output_dir / "index.html").read_bytes())
    assert sorted(index.xpath("//a[@class='subscribe']/@href")) == sorted(
        built.base_url + directory + "rss.xml" for directory in FEEDS)
    for page in built.output_dir.rglob("*.html"):
        hrefs = lxml.html.fromstring(page.read_bytes()).xpath("//@href")
        assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs), page


def test_index_and_opml_list_every_feed(built: Settings) -> None:
    index = (built.output_dir / "index.html").read_text(encoding="utf-8")
    opml = xml(built, "feeds.opml")
    urls = [outline.get("xmlUrl") for outline in opml.iterfind("body/outline[@xmlUrl]")]
    assert urls == [built.base_url + d + "rss.xml" for d in
                    ("", "category/dunia/", "category/sains-teknologi/", "populer/")]
    reporters = opml.iterfind("body/outline[@text='Reporter']/outline")
    assert [(o.get("text"), o.get("xmlUrl")) for o in reporters] == [
        ("Warta Uji: Hani Fatunnisa", built.base_url + "author/hani-fatunnisa/rss.xml")]
    for directory in FEEDS:
        for name, mime in (("rss.xml", "application/rss+xml"), ("atom.xml", "application/atom+xml"),
                           ("feed.json", "application/feed+json")):
            assert (f'<link rel="alternate" type="{mime}"' in index
                    and f'href="{built.base_url}{directory}{name}"' in index)
    assert "2 entri di feed" in index  # the all-articles feed


@pytest.mark.parametrize("directory", FEEDS)
def test_rss_image_and_atom_icon(built: Settings, directory: str) -> None:
    channel = xml(built, directory + "rss.xml").find("channel")
    assert channel is not None
    # The validator wants an RSS <image>'s title and link to be its channel's.
    image = channel.find("image")
    assert image is not None
    assert (image.findtext("title"), image.findtext("link")) == (channel.findtext("title"),
                                                                 channel.findtext("link"))
    assert image.find("width") is None  # a width over 144 is an error; none is 88
    feed = xml(built, directory + "atom.xml")
    for name in ("icon", "logo"):
        assert (feed.findtext(f"atom:{name}", namespaces=NS) or "").startswith("http://")
    assert (image.findtext("url") or "").startswith("http://")


MEDIA = "{http://search.yahoo.com/mrss/}"
IMAGE_URL = "https://cdn.example.org/foto.jpg?w=800&h=450"


@pytest.fixture(scope="module")
def illustrated(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = make_settings(tmp_path_factory.mktemp("illustrated"))
    write_inputs(settings.input_dir)
    page = (f'<!DOCTYPE html><html><head><meta property="og:image" content="'
            f'{html.escape(IMAGE_URL)}"></head><body><figure><img src="x.jpg"><figcaption>'
            "Menteri &lt;b&gt; &amp; Staf/Antara &amp; Net</figcaption></figure>"
            "<div>Dunia</div><h1>Menteri Tinjau Pelabuhan</h1>"
            "<div>JUMAT, 30 MEI 2025 | 18:01 WIB | LAPORAN: HANI FATUNNISA</div>"
            "<p>Isi berita.</p></body></html>")
    (settings.input_dir / "c.html").write_text(page, encoding="utf-8")
    build(settings)
    return settings


@pytest.mark.parametrize("directory", ["", "category/dunia/", "author/hani-fatunnisa/"])
@pytest.mark.parametrize("fmt", ["rss.xml", "atom.xml"])
def test_media_rss_as_the_validator_reads_it(illustrated: Settings, directory: str,
                                            fmt: str) -> None:
    feed = xml(illustrated, directory + fmt)
    items = list(feed.iter("item", f"{{{ATOM}}}entry"))
    illustrated_items = [item for item in items if item.find(f"{MEDIA}content") is not None]
    assert len(illustrated_items) == 1  # the text dumps name no image
    item = illustrated_items[0]
    (content,) = item.findall(f"{MEDIA}content")
    # Only what feeds knows: no fileSize or type to get wrong, no media:group.
    assert dict(content.attrib) == {"url": IMAGE_URL, "medium": "image"}
    assert [child.tag for child in content] == [f"{MEDIA}description", f"{MEDIA}credit"]
    description = content.find(f"{MEDIA}description")
    assert description is not None and description.get("type") == "plain"
    assert description.text == "Menteri <b> & Staf"  # plain text, escaped by XML
    assert content.findtext(f"{MEDIA}credit") == "Antara & Net"
    assert [t.get("url") for t in item.findall(f"{MEDIA}thumbnail")] == [IMAGE_URL]
    assert item.find(f"{MEDIA}group") is None and item.find("enclosure") is None
    raw = (illustrated.output_dir / directory / fmt).read_bytes()
    assert IMAGE_URL.replace("&", "&amp;").encode() in raw
    if fmt == "rss.xml":  # the validator wants numeric references in RSS plain text
        assert b">Menteri &#x3C;b&#x3E; &#x26; Staf</media:description>" in raw
        assert b">Antara &#x26; Net</media:credit>" in raw
