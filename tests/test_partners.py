"""Partner profiles (`[partners.<name>]`): each partner's stated rules hold on
the feed built for it, and a profile never changes an id or a date."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from feeds.config import Settings, load_settings
from feeds.errors import ConfigError
from feeds.partners import PartnerProfile
from tests.conftest import GOLDEN, build, generate_corpus, make_settings

MEDIA = "{http://search.yahoo.com/mrss/}content"
SY = "{http://purl.org/rss/1.0/modules/syndication/}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("partners")
    corpus = generate_corpus(root / "corpus", 120, 0.0, seed=31)
    (corpus / "truth.jsonl").unlink()
    settings = make_settings(root / "site", corpus)
    for case in ("html-seed-jsonld-full", "html-image-size-og", "html-image-size-img"):
        text = (GOLDEN / f"{case}.html").read_text(encoding="utf-8")
        (settings.input_dir / f"{case}.html").write_text(text.replace(
            "Indonesia dan Malaysia Perkuat Patroli di Selat Malaka", f"Patroli {case}"),
            encoding="utf-8")  # three articles, not one corrected twice
    profiles = (
        PartnerProfile("flipboard", require_image=True, min_image_size=400, max_items=30),
        PartnerProfile("kurio", formats=("rss", "json"), min_items=15, max_items=50,
                       link_params="utm_source=kurio&utm_medium=rss", ttl=30,
                       update_period="hourly", update_frequency=2),
        PartnerProfile("google-news", window_hours=24 * 365 * 20, min_items=5, max_items=60,
                       max_feed_bytes=60_000, max_item_bytes=12_000),
        PartnerProfile("ringkas", formats=("json", "atom"), full_text=False, max_items=10,
                       categories=("ekonomi",), exclude_reporters=()),
        PartnerProfile("kosong", require_image=True, min_image_size=90_000),  # none qualifies
    )
    settings = replace(settings, partners=profiles)
    build(settings)
    return settings


def feed(settings: Settings, name: str, fmt: str = "rss.xml") -> feedparser.FeedParserDict:
    parsed = feedparser.parse((settings.output_dir / "partner" / name / fmt).read_bytes())
    assert not parsed.bozo, name
    return parsed


def main_ids(settings: Settings) -> dict[str, tuple[str, str]]:
    """Every entry's id in the site's own feeds, with its published and updated."""
    found = {}
    for path in settings.output_dir.glob("category/*/atom.xml"):
        for entry in feedparser.parse(path.read_bytes()).entries:
            found[entry.id] = (entry.published, entry.updated)
    return found


def test_an_image_of_a_stated_size_is_required_where_the_partner_asks(site: Settings) -> None:
    root = etree.fromstring((site.output_dir / "partner/flipboard/rss.xml").read_bytes())
    sizes = [(int(c.get("width")), int(c.get("height"))) for c in root.iter(MEDIA)]
    items = root.findall("channel/item")
    assert len(items) == len(sizes) == 2  # 800x450 and 1200x675; 640x360 is too small
    assert all(min(size) >= 400 for size in sizes)


def test_counts_links_and_polling_hints(site: Settings) -> None:
    kurio = feed(site, "kurio")
    assert 15 <= len(kurio.entries) <= 50
    for entry in kurio.entries:
        assert entry.link.endswith("?utm_source=kurio&utm_medium=rss")
        assert "utm_" not in entry.id
    channel = etree.fromstring((site.output_dir / "partner/kurio/rss.xml").read_bytes())[0]
    assert channel.findtext("ttl") == "30"
    assert channel.findtext(f"{SY}updatePeriod") == "hourly"
    assert channel.findtext(f"{SY}updateFrequency") == "2"
    items = json.loads((site.output_dir / "partner/kurio/feed.json").read_bytes())["items"]
    assert [item["id"] for item in items] == [entry.id for entry in kurio.entries]
    assert not (site.output_dir / "partner/kurio/atom.xml").exists()


def test_ids_and_dates_are_those_of_every_other_feed(site: Settings) -> None:
    known = main_ids(site)
    for name in ("flipboard", "kurio", "google-news"):
        for entry in feed(site, name).entries:
            assert entry.id in known
    atom = feed(site, "ringkas", "atom.xml")
    for entry in atom.entries:
        assert (entry.published, entry.updated) == known[entry.id]
    before = {name: [e.id for e in feed(site, name).entries] for name in ("kurio", "flipboard")}
    build(site)  # nothing changed: the same feeds
    assert before == {name: [e.id for e in feed(site, name).entries]
                      for name in ("kurio", "flipboard")}


def test_byte_budgets_drop_whole_items_oldest_first(site: Settings) -> None:
    path = site.output_dir / "partner/google-news/rss.xml"
    assert len(path.read_bytes()) <= 60_000
    budgeted = [entry.id for entry in feed(site, "google-news").entries]
    unlimited = replace(site.partners[2], max_feed_bytes=0, max_item_bytes=0)
    assert budgeted
    from feeds.render.partners import chosen
    from feeds.state import State

    with State(site.state_path) as state:
        candidates = state.entries.matching((), (), (), (), 200)
        newest = state.entries.newest(None, 1)[0].entry.published
    window = [p.entry.id for p in chosen(unlimited, candidates, newest)]
    assert len(window) > len(budgeted)
    assert all(entry_id in window for entry_id in budgeted)
    assert window.index(budgeted[-1]) < window.index(window[-1])  # the oldest went


def test_a_window_counts_back_from_the_newest_article_and_a_minimum_tops_it_up(
        site: Settings) -> None:
    from datetime import timedelta

    from feeds.render.partners import chosen
    from feeds.state import State

    with State(site.state_path) as state:
        candidates = state.entries.matching((), (), (), (), 200)
    newest = candidates[0].entry.published
    day = PartnerProfile("day", window_hours=24, max_items=60)
    assert all(newest - p.entry.published <= timedelta(hours=24)
               for p in chosen(day, candidates, newest))
    topped = chosen(replace(day, min_items=7), candidates, newest)
    assert [p.entry.id for p in topped] == [p.entry.id for p in candidates[:7]]
    assert len(chosen(replace(day, window_hours=0), candidates, newest)) == 60


def test_summaries_only_and_one_category(site: Settings) -> None:
    items = json.loads((site.output_dir / "partner/ringkas/feed.json").read_bytes())["items"]
    assert 0 < len(items) <= 10
    assert all("content_html" not in item and item["content_text"] for item in items)
    assert all(item["tags"] == ["Ekonomi"] for item in items)
    atom = etree.fromstring((site.output_dir / "partner/ringkas/atom.xml").read_bytes())
    assert not atom.findall("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}content")


@pytest.mark.parametrize(("body", "key", "reason"), [
    ("colour = 1", "partners.x.colour", "unknown key"),
    ("min_items = 60\nmax_items = 50", "partners.x.min_items", "expected 0 to max_items"),
    ('formats = ["rdf"]', "partners.x.formats", "expected some of"),
    ("min_image_size = 400", "partners.x.min_image_size", "require_image = true"),
    ('categories = ["Ekonomi"]\nexclude_categories = ["ekonomi"]',
     "partners.x.exclude_categories", "also includes"),
    ('update_period = "often"', "partners.x.update_period", "expected one of"),
    ("window_hours = -1", "partners.x.window_hours", "expected 0"),
])
def test_a_bad_profile_is_named_by_its_key(tmp_path: Path, body: str, key: str,
                                           reason: str) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text(f"[partners.x]\n{body}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    assert caught.value.key == key and reason in caught.value.reason


def test_a_profile_naming_an_unknown_category_stops_the_build(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    shutil.copy(GOLDEN / "seed-dunia-2024.txt", settings.input_dir / "a.txt")
    bad = replace(settings, partners=(PartnerProfile("x", categories=("olahraga",)),))
    with pytest.raises(ConfigError, match=r"partners\.x\.categories: unknown category "
                                          r"olahraga; the site has dunia"):
        build(bad)


def test_the_readme_s_ready_profiles_load(tmp_path: Path) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("Ready profiles", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    config = tmp_path / "feeds.toml"
    config.write_text(block, encoding="utf-8")
    profiles = {profile.name: profile for profile in load_settings(config).partners}
    assert set(profiles) == {"google-news", "flipboard", "msn", "kurio", "smartnews", "feedly"}
    assert profiles["flipboard"].min_image_size == 400


def test_a_feed_no_article_qualifies_for_is_empty_and_valid(site: Settings) -> None:
    """The validator finds a date before 1990 implausible: an empty feed's date is 2000."""
    channel = etree.fromstring((site.output_dir / "partner/kosong/rss.xml").read_bytes())[0]
    assert channel.findall("item") == []
    assert channel.findtext("lastBuildDate") == "Sat, 01 Jan 2000 00:00:00 +0000"
