"""The site's icon and logo: shipped or configured, in every feed format, on every
page, and as /favicon.ico."""

from __future__ import annotations

import json
import shutil
import struct
import urllib.request
from pathlib import Path

import feedparser
import lxml.html
import pytest
from lxml import etree

from feeds.config import Settings, load_settings
from feeds.errors import ConfigError
from feeds.render.icons import ASSETS
from tests.conftest import SEED_DUNIA_2025, build, make_settings
from tests.serving import serving

ATOM = "{http://www.w3.org/2005/Atom}"
FEED_DIRECTORIES = ("", "category/dunia/", "populer/", "author/hani-fatunnisa/")


def built_with(root: Path, **overrides: object) -> Settings:
    settings = make_settings(root, **overrides)
    shutil.copy(SEED_DUNIA_2025, settings.input_dir / "a.txt")
    build(settings)
    return settings


def pages(settings: Settings) -> list[Path]:
    return [settings.output_dir / "index.html", *settings.output_dir.rglob("artikel/**/*.html"),
            settings.output_dir / "category/dunia/index.html",
            settings.output_dir / "author/hani-fatunnisa/index.html"]


def assert_icons(settings: Settings, icon: str, logo: str) -> None:
    """The icon and logo named in all three formats of every feed and on every page."""
    for directory in FEED_DIRECTORIES:
        out = settings.output_dir / directory
        channel = etree.fromstring((out / "rss.xml").read_bytes()).find("channel")
        assert channel is not None
        # RSS <image>: its title and link are the channel's own (the validator checks).
        assert (channel.findtext("image/url"), channel.findtext("image/title"),
                channel.findtext("image/link")) == (logo, channel.findtext("title"),
                                                    channel.findtext("link"))
        atom = etree.fromstring((out / "atom.xml").read_bytes())
        assert (atom.findtext(f"{ATOM}icon"), atom.findtext(f"{ATOM}logo")) == (icon, logo)
        assert feedparser.parse((out / "atom.xml").read_bytes()).feed.icon == icon
        data = json.loads((out / "feed.json").read_bytes())
        assert (data["icon"], data["favicon"]) == (icon, icon)
    for page in pages(settings):
        document = lxml.html.fromstring(page.read_bytes())
        assert document.xpath("//head/link[@rel='icon']/@href") == [icon], page
        assert document.xpath("//head/link[@rel='apple-touch-icon']/@href") == [icon], page
        assert document.xpath("//header//img[@class='icon']/@src") == [icon], page


def test_without_settings_the_shipped_icon_is_everywhere(tmp_path: Path) -> None:
    settings = built_with(tmp_path)
    icon = settings.base_url + "icon.png"
    assert_icons(settings, icon, icon)
    for name in ("icon.png", "icon.svg", "favicon.ico"):
        assert (settings.output_dir / name).read_bytes() == (ASSETS / name).read_bytes()
    assert (ASSETS / "icon.png").read_bytes()[12:24] == b"IHDR" + struct.pack(">II", 512, 512)


def test_a_configured_icon_url_and_logo_file(tmp_path: Path) -> None:
    logo = tmp_path / "wide.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 200"/>',
                    encoding="utf-8")
    settings = built_with(tmp_path / "site", site_icon="https://cdn.example.org/i.png",
                          site_logo=str(logo))
    assert_icons(settings, "https://cdn.example.org/i.png", settings.base_url + "logo.svg")
    assert (settings.output_dir / "logo.svg").read_bytes() == logo.read_bytes()
    assert not (settings.output_dir / "icon.png").exists()  # nothing points at the shipped one
    # The icon is elsewhere: /favicon.ico is still there for whoever asks.
    assert (settings.output_dir / "favicon.ico").read_bytes() == (
        ASSETS / "favicon.ico").read_bytes()


def test_a_configured_png_icon_becomes_the_favicon(tmp_path: Path) -> None:
    icon = tmp_path / "mine.PNG"
    shutil.copy(ASSETS / "icon.png", icon)
    settings = built_with(tmp_path / "site", site_icon=str(icon))
    assert_icons(settings, settings.base_url + "icon.png", settings.base_url + "icon.png")
    favicon = (settings.output_dir / "favicon.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", favicon[:6])
    width, height, _, _, _, _, size, offset = struct.unpack("<BBBBHHII", favicon[6:22])
    assert (reserved, kind, count, width, height) == (0, 1, 1, 0, 0)  # 0 means 256 or more
    assert favicon[offset : offset + size] == icon.read_bytes()


def test_icon_settings_are_checked(tmp_path: Path) -> None:
    (tmp_path / "icon.png").write_bytes((ASSETS / "icon.png").read_bytes())
    good = tmp_path / "good.toml"
    good.write_text('[site]\nicon = "icon.png"\nlogo = "https://x.example/logo.png"\n',
                    encoding="utf-8")
    settings = load_settings(good)
    assert (settings.site_icon, settings.site_logo) == (str(tmp_path / "icon.png"),
                                                        "https://x.example/logo.png")
    for value, reason in (("missing.png", "no such file"), ("javascript:alert(1)", "http(s)"),
                          ("icon.exe", "image file"), ("ftp://x.example/a.png", "http(s)")):
        bad = tmp_path / "bad.toml"
        bad.write_text(f'[site]\nlogo = "{value}"\n', encoding="utf-8")
        with pytest.raises(ConfigError, match=r"site\.logo") as error:
            load_settings(bad)
        assert reason in str(error.value), value


def test_the_server_serves_the_icons_with_their_types(tmp_path: Path) -> None:
    settings = built_with(tmp_path)
    with serving(settings.output_dir) as base:
        for name, kind in (("favicon.ico", "image/x-icon"), ("icon.png", "image/png"),
                           ("icon.svg", "image/svg+xml")):
            with urllib.request.urlopen(base + name, timeout=5) as response:
                assert response.headers["Content-Type"] == kind
                assert response.read() == (ASSETS / name).read_bytes()
