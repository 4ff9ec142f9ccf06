"""What crawlers and aggregators read of an article page, read back by a real
extractor (extruct): one schema.org NewsArticle with every property Google's
article documentation names, Open Graph, Twitter cards, the canonical URL and
max-image-preview:large."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import extruct
import pytest
from lxml import html

from feeds.config import Settings
from feeds.state import State
from tests.conftest import GOLDEN, build, make_settings

SAMPLES = Path(__file__).parents[1] / "samples" / "input"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("structured")
    settings = make_settings(root, base_url="https://warta.example/berita/", zone="WITA")
    for dump in [*SAMPLES.iterdir(), *sorted(GOLDEN.glob("*.html"))]:
        if dump.suffix in (".txt", ".html"):
            shutil.copy(dump, settings.input_dir / dump.name)
    build(settings)
    return settings


def pages(settings: Settings) -> list[Path]:
    return sorted(settings.output_dir.glob("artikel/*/*/*.html"))


def test_every_article_page_is_one_news_article_with_its_properties(site: Settings) -> None:
    found = pages(site)
    assert len(found) > 50
    with State(site.state_path) as state:
        entries = {p.entry.id.removeprefix("urn:uuid:"): p
                   for p in state.entries.by_ids(
                       [row[0] for row in state.db.execute("SELECT id FROM entries")])}
        names = {category.slug: category.name for category in state.names.categories()}
    with_image = 0
    for path in found:
        url = site.base_url + path.relative_to(site.output_dir).as_posix()
        data = extruct.extract(path.read_text(encoding="utf-8"), base_url=url,
                               syntaxes=["json-ld", "opengraph"], uniform=True)
        articles = [item for item in data["json-ld"] if item.get("@type") == "NewsArticle"]
        assert len(articles) == 1, path
        article = articles[0]
        published = entries[path.stem]
        entry = published.entry
        assert article["headline"] == entry.title
        assert datetime.fromisoformat(article["datePublished"]) == entry.published
        assert article["datePublished"].endswith("+08:00")  # the site's zone, WITA
        assert datetime.fromisoformat(article["dateModified"]) == published.updated
        assert article["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
        assert article["articleSection"] == names[entry.category_slug]
        publisher = article["publisher"]
        assert publisher["@type"] == "Organization" and publisher["logo"]["url"].startswith(
            "https://warta.example/berita/")
        for author in article["author"]:
            assert author["name"]
            if entry.author_slug:
                assert author["name"] == entry.author
                assert author["url"] == (f"{site.base_url}author/{entry.author_slug}/")
        if entry.image:
            with_image += 1
            assert article["image"] == [entry.image]
        graph = data["opengraph"][0]
        assert graph["og:url"] == url and graph["og:title"] == entry.title
        assert graph.get("@type", graph.get("og:type")) == "article"  # uniform: @type
        assert ("og:image" in graph) == bool(entry.image)
        tree = html.fromstring(path.read_bytes())
        assert tree.xpath("//link[@rel='canonical']/@href") == [url]
        assert tree.xpath("//meta[@name='robots']/@content") == ["max-image-preview:large"]
        card = tree.xpath("//meta[@name='twitter:card']/@content")
        assert card == ["summary_large_image" if entry.image else "summary"]
    assert with_image > 10


def test_markup_in_a_headline_cannot_leave_its_script(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    seed = (GOLDEN / "seed-dunia-2024.txt").read_text(encoding="utf-8")
    (settings.input_dir / "a.txt").write_text(seed.replace(
        "Maroko dan Prancis Perkuat Kerjasama Keamanan Bilateral",
        "Ada </script><script>alert(1)</script> & <!-- di Judul"), encoding="utf-8")
    build(settings)
    (page,) = pages(settings)
    text = page.read_text(encoding="utf-8")
    script = text.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script and "&" not in script
    data = extruct.extract(text, syntaxes=["json-ld"], uniform=True)["json-ld"]
    assert data[0]["headline"] == "Ada </script><script>alert(1)</script> & <!-- di Judul"
    assert len(html.fromstring(page.read_bytes()).xpath("//script")) == 1


WEBFEEDS = "http://webfeeds.org/rss/1.0"


def test_feedly_s_webfeeds_elements_when_asked_for(tmp_path: Path) -> None:
    from lxml import etree

    plain = make_settings(tmp_path / "plain")
    shutil.copy(GOLDEN / "seed-dunia-2024.txt", plain.input_dir / "a.txt")
    build(plain)
    assert b"webfeeds" not in (plain.output_dir / "rss.xml").read_bytes()  # off by default
    settings = make_settings(tmp_path / "feedly", webfeeds=True, accent_color="1A73E8",
                             cover="https://warta.example/sampul.jpg")
    shutil.copy(GOLDEN / "seed-dunia-2024.txt", settings.input_dir / "a.txt")
    build(settings)
    for path in [settings.output_dir / "rss.xml",
                 *settings.output_dir.glob("category/*/rss.xml")]:
        channel = etree.fromstring(path.read_bytes()).find("channel")
        assert channel is not None
        found = {etree.QName(child).localname: child
                 for child in channel.iterfind(f"{{{WEBFEEDS}}}*")}
        assert found["icon"].text == found["logo"].text == settings.site.icon
        assert found["cover"].get("image") == "https://warta.example/sampul.jpg"
        assert found["accentColor"].text == "1a73e8"
        assert dict(found["related"].attrib) == {"layout": "card", "target": "browser"}
        children = list(channel)
        first_item = next(i for i, c in enumerate(children) if c.tag == "item")
        assert all(children.index(element) < first_item for element in found.values())
    assert b"webfeeds" not in (settings.output_dir / "atom.xml").read_bytes()


def test_a_stated_image_size_reaches_every_format_and_the_page(tmp_path: Path) -> None:
    """The lead image's size as the page states it (here its JSON-LD ImageObject,
    800 by 450): on media:content in RSS and Atom, in JSON Feed's `_feeds`
    extension, on the page's <img>, in its Open Graph tags and its NewsArticle."""
    import json

    from lxml import etree

    settings = make_settings(tmp_path)
    shutil.copy(GOLDEN / "html-seed-jsonld-full.html", settings.input_dir / "a.html")
    other = (GOLDEN / "html-image-size-unreadable.html").read_text(encoding="utf-8")
    (settings.input_dir / "b.html").write_text(other.replace(
        "Indonesia dan Malaysia Perkuat Patroli di Selat Malaka", "Patroli Bersama Diperpanjang"),
        encoding="utf-8")  # another article: another title
    build(settings)
    media = "{http://search.yahoo.com/mrss/}content"
    for name in ("rss.xml", "atom.xml"):
        contents = etree.fromstring((settings.output_dir / name).read_bytes()).iter(media)
        sizes = {c.get("url"): (c.get("width"), c.get("height")) for c in contents}
        assert sizes == {"https://cdn.rmol.id/images/2025/05/30/patroli-selat.jpg": ("800", "450"),
                         "https://cdn.rmol.id/images/2025/05/30/patroli-og.jpg": (None, None)}
    items = json.loads((settings.output_dir / "feed.json").read_bytes())["items"]
    extensions = {item["image"]: item.get("_feeds") for item in items}
    assert extensions == {
        "https://cdn.rmol.id/images/2025/05/30/patroli-selat.jpg":
            {"image_width": 800, "image_height": 450},
        "https://cdn.rmol.id/images/2025/05/30/patroli-og.jpg": None}
    for page in pages(settings):
        text = page.read_text(encoding="utf-8")
        tree = html.fromstring(page.read_bytes())
        (img,) = tree.xpath("//article//img")
        data = extruct.extract(text, syntaxes=["json-ld"], uniform=True)["json-ld"][0]
        if "patroli-selat" in img.get("src"):
            assert (img.get("width"), img.get("height")) == ("800", "450")
            assert tree.xpath("//meta[@property='og:image:width']/@content") == ["800"]
            assert data["image"] == [{"@type": "ImageObject", "width": 800, "height": 450,
                                      "url": img.get("src")}]
        else:
            assert img.get("width") is None
            assert data["image"] == [img.get("src")]


def test_feedly_s_cover_is_the_newest_wide_lead_image(tmp_path: Path) -> None:
    from lxml import etree

    settings = make_settings(tmp_path, webfeeds=True)
    text = (GOLDEN / "html-image-size-og.html").read_text(encoding="utf-8")  # 1200 x 675
    (settings.input_dir / "a.html").write_text(text.replace(
        "Indonesia dan Malaysia Perkuat Patroli di Selat Malaka", "Patroli Bersama Diperpanjang"),
        encoding="utf-8")  # another article than b.html's
    shutil.copy(GOLDEN / "html-seed-jsonld-full.html", settings.input_dir / "b.html")
    build(settings)
    channel = etree.fromstring((settings.output_dir / "rss.xml").read_bytes()).find("channel")
    assert channel is not None
    cover = channel.find(f"{{{WEBFEEDS}}}cover")
    assert cover is not None  # the 800 px image is narrower than a cover
    assert cover.get("image") == "https://cdn.rmol.id/images/2025/05/30/patroli-og.jpg"
