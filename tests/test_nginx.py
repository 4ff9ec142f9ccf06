"""A real nginx with the shipped deploy/nginx.conf (only its listen address and
root changed) in front of a real build: compression, types, 304s, refusals."""

from __future__ import annotations

import gzip
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from feeds.config import Settings
from tests.conftest import SEED_DUNIA_2025, build, make_settings
from tests.serving import nginx_serving

FEED_TYPES = {"rss.xml": "application/rss+xml", "atom.xml": "application/atom+xml",
              "feed.json": "application/feed+json", "feeds.opml": "text/x-opml",
              "index.html": "text/html", "news-sitemap.xml": "text/xml"}
ARCHIVED = ("rss.xml", "atom.xml", "feed.json")  # the formats of an archive document


def fetch(url: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method, headers=headers,
                                     data=b"x" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        pytest.fail("nginx is not installed (bash .ci/run installs it)")
    settings = make_settings(tmp_path_factory.mktemp("nginx"))
    shutil.copy(SEED_DUNIA_2025, settings.input_dir / "a.txt")
    build(settings)
    out = settings.output_dir
    (out / ".page.html.123.tmp").write_text("half a page", encoding="utf-8")
    (out / "passwd.txt").symlink_to("/etc/passwd")
    (out / "category" / "empty").mkdir()
    (out / "archive" / "1").mkdir(parents=True)  # an archive document of each format
    for name in ARCHIVED:
        shutil.copy(out / name, out / "archive" / "1" / name)
    return settings


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """nginx's configuration and logs."""
    return tmp_path_factory.mktemp("nginx-work")


@pytest.fixture(scope="module")
def base(site: Settings, work: Path) -> object:
    with nginx_serving(site.output_dir, work) as url:
        yield url


def test_nginx_starts_without_a_warning(base: str, work: Path) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    test = subprocess.run([nginx, "-t", "-p", work, "-c", work / "nginx.conf"],
                          capture_output=True, text=True, check=False)
    assert test.returncode == 0, test.stderr
    assert "test is successful" in test.stderr
    started = (work / "stderr.log").read_text() + (work / "error.log").read_text()
    for said in (test.stderr, started):
        assert "[warn]" not in said and "[emerg]" not in said, said


def test_every_feed_format_is_compressed_with_its_type_and_charset(site: Settings,
                                                                   base: str) -> None:
    for name, kind in FEED_TYPES.items():
        status, headers, body = fetch(base + name, **{"Accept-Encoding": "gzip"})
        assert status == 200, name
        assert headers["Content-Type"] == f"{kind}; charset=utf-8", name
        assert headers.get("Content-Encoding") == "gzip", name
        assert gzip.decompress(body) == (site.output_dir / name).read_bytes(), name
        assert headers["Vary"] == "Accept-Encoding"
    status, headers, body = fetch(base + "rss.xml")
    assert "Content-Encoding" not in headers
    assert body == (site.output_dir / "rss.xml").read_bytes()
    assert fetch(base + "icon.png")[1]["Content-Type"] == "image/png"


def test_archive_documents_keep_their_types_and_are_cached_a_day(site: Settings,
                                                                   base: str) -> None:
    for name in ARCHIVED:
        kind = FEED_TYPES[name]
        status, headers, body = fetch(f"{base}archive/1/{name}", **{"Accept-Encoding": "gzip"})
        assert status == 200, name
        assert headers["Content-Type"] == f"{kind}; charset=utf-8", name
        assert headers["Cache-Control"] == "public, max-age=86400", name
        assert headers["X-Content-Type-Options"] == "nosniff", name
        assert gzip.decompress(body) == (site.output_dir / "archive" / "1" / name).read_bytes()
    assert fetch(base + "rss.xml")[1]["Cache-Control"] == "public, max-age=300"


def test_conditional_gets_are_answered_304(base: str) -> None:
    _, headers, _ = fetch(base + "atom.xml", **{"Accept-Encoding": "gzip"})
    status, again, body = fetch(base + "atom.xml", **{"Accept-Encoding": "gzip",
                                                      "If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")
    assert again["Cache-Control"] == "public, max-age=300"
    status, _, _ = fetch(base + "atom.xml", **{"If-Modified-Since": headers["Last-Modified"]})
    assert status == 304


def test_what_nginx_refuses(base: str) -> None:
    assert fetch(base + ".page.html.123.tmp")[0] == 404  # a temporary file, never served
    assert fetch(base + "passwd.txt")[0] == 404  # a symlink leads nowhere
    assert fetch(base + "category/empty/")[0] == 403  # no directory listing
    assert fetch(base + "rss.xml", method="POST")[0] == 403
    assert fetch(base + "rss.xml", method="HEAD")[0] == 200
