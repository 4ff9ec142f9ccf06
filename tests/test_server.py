"""The real server: content types, conditional GET, gzip, HEAD, errors, traversal."""

from __future__ import annotations

import gzip
import http.client
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import SEED_DUNIA_2024, SEED_DUNIA_2025, build, make_settings
from tests.serving import serving


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("served")
    settings = make_settings(root)
    shutil.copy(SEED_DUNIA_2024, settings.input_dir / "a.txt")
    shutil.copy(SEED_DUNIA_2025, settings.input_dir / "b.txt")
    build(settings)
    secret = root / "secret.txt"
    secret.write_text("outside the output", encoding="utf-8")
    (settings.output_dir / "escape").symlink_to(secret)
    (settings.output_dir / "escape-dir").symlink_to(root)
    (settings.output_dir / ".state").write_text("hidden", encoding="utf-8")
    with serving(settings.output_dir) as base:
        yield base, settings.output_dir


def get(base: str, path: str, method: str = "GET",
        headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    """A raw request: the path goes out exactly as written, unnormalised."""
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
    connection.request(method, path, headers=headers or {})
    response = connection.getresponse()
    response.read()  # keeps .status and headers; body via a second request where needed
    connection.close()
    return response


def body(base: str, path: str,
         headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data, {k.lower(): v for k, v in response.getheaders()}


@pytest.mark.parametrize(("path", "content_type"), [
    ("/rss.xml", "application/rss+xml; charset=utf-8"),
    ("/atom.xml", "application/atom+xml; charset=utf-8"),
    ("/feed.json", "application/feed+json; charset=utf-8"),
    ("/feeds.opml", "text/x-opml; charset=utf-8"),
    ("/", "text/html; charset=utf-8"),
    ("/index.html", "text/html; charset=utf-8"),
    ("/category/dunia/atom.xml", "application/atom+xml; charset=utf-8"),
    ("/category/dunia/", "text/html; charset=utf-8"),
])
def test_content_types_and_caching_headers(site: tuple[str, Path], path: str,
                                           content_type: str) -> None:
    base, output = site
    status, data, headers = body(base, path)
    assert status == 200
    assert headers["content-type"] == content_type
    assert headers["etag"].startswith('"') and headers["last-modified"].endswith("GMT")
    assert headers["cache-control"] == "public, max-age=300"
    file = output / (path.lstrip("/") or "index.html")
    file = file / "index.html" if file.is_dir() else file
    assert data == file.read_bytes()


def test_conditional_get_answers_304_without_body(site: tuple[str, Path]) -> None:
    base, _ = site
    _, _, headers = body(base, "/atom.xml")
    for condition in ({"If-None-Match": headers["etag"]},
                      {"If-Modified-Since": headers["last-modified"]}):
        status, data, again = body(base, "/atom.xml", condition)
        assert status == 304 and data == b""
        assert again["etag"] == headers["etag"]
    status, data, _ = body(base, "/atom.xml", {"If-None-Match": '"something-else"'})
    assert status == 200 and data


def test_gzip_when_accepted(site: tuple[str, Path]) -> None:
    base, output = site
    status, data, headers = body(base, "/rss.xml", {"Accept-Encoding": "gzip, deflate"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(data) == (output / "rss.xml").read_bytes()
    assert "Accept-Encoding" in headers["vary"]
    plain_etag = body(base, "/rss.xml")[2]["etag"]
    assert headers["etag"] != plain_etag  # one ETag per representation
    status, _, refused = body(base, "/rss.xml", {"Accept-Encoding": "gzip;q=0"})
    assert status == 200 and "content-encoding" not in refused
    assert body(base, "/rss.xml", {"Accept-Encoding": "gzip",
                                   "If-None-Match": headers["etag"]})[0] == 304


def test_head_sends_headers_only(site: tuple[str, Path]) -> None:
    base, output = site
    response = get(base, "/rss.xml", "HEAD")
    assert response.status == 200
    assert int(response.getheader("Content-Length") or 0) == (output / "rss.xml").stat().st_size


def test_missing_and_wrong_methods(site: tuple[str, Path]) -> None:
    base, _ = site
    assert get(base, "/nope.xml").status == 404
    assert get(base, "/category/nope/").status == 404
    assert get(base, "/artikel/").status == 404  # a directory without index: no listing
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = get(base, "/rss.xml", method)
        assert response.status == 405
        assert set((response.getheader("Allow") or "").replace(" ", "").split(",")) == {
            "GET", "HEAD"}
    redirect = get(base, "/category/dunia")
    assert redirect.status == 301 and redirect.getheader("Location") == "/category/dunia/"


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/..%2fsecret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt",
    "/category/../../secret.txt", "/category/%2e%2e/%2e%2e/secret.txt", "//etc/passwd",
    "/etc/passwd", "/escape", "/escape-dir/secret.txt", "/.state", "/%2estate",
    "/category/..%5c..%5csecret.txt", "/rss.xml%00.html", f"/{os.sep}etc{os.sep}hostname",
])
def test_traversal_is_refused(site: tuple[str, Path], path: str) -> None:
    base, _ = site
    status, data, _ = body(base, path)
    assert status in (400, 404), path
    assert b"outside the output" not in data and b"hidden" not in data and b"root:" not in data


def test_conditions_as_rfc_9110_orders_them(site: tuple[str, Path]) -> None:
    base, _ = site
    _, _, headers = body(base, "/atom.xml")
    etag, modified = headers["etag"], headers["last-modified"]
    for matching in (f"W/{etag}", f'"other", {etag}', "*"):  # If-None-Match compares weakly
        assert body(base, "/atom.xml", {"If-None-Match": matching})[0] == 304, matching
    # If-None-Match, when sent, decides alone: If-Modified-Since is then ignored.
    assert body(base, "/atom.xml", {"If-None-Match": '"other"',
                                    "If-Modified-Since": modified})[0] == 200
    assert body(base, "/atom.xml", {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200
    assert body(base, "/atom.xml", {"If-Match": '"other"'})[0] == 412
    assert body(base, "/atom.xml", {"If-Match": etag})[0] == 200


def test_a_changed_file_gets_a_new_etag_and_its_new_bytes(site: tuple[str, Path]) -> None:
    base, output = site
    (output / "changing.xml").write_text("<a/>", encoding="utf-8")
    _, _, headers = body(base, "/changing.xml")
    (output / "changing.xml.new").write_text("<a>changed</a>", encoding="utf-8")
    (output / "changing.xml.new").replace(output / "changing.xml")
    status, data, again = body(base, "/changing.xml", {"If-None-Match": headers["etag"]})
    assert (status, data) == (200, b"<a>changed</a>")
    assert again["etag"] != headers["etag"]


def test_ranges_are_not_offered_and_the_whole_file_is_sent(site: tuple[str, Path]) -> None:
    base, output = site
    status, data, headers = body(base, "/rss.xml", {"Range": "bytes=0-9"})
    assert (status, data) == (200, (output / "rss.xml").read_bytes())
    assert "accept-ranges" not in headers and "content-range" not in headers


def test_a_link_inside_is_followed_and_a_fifo_refused_at_once(site: tuple[str, Path]) -> None:
    base, output = site
    (output / "inside.xml").symlink_to(output / "rss.xml")
    os.mkfifo(output / "pipe.xml")
    assert body(base, "/inside.xml")[1] == (output / "rss.xml").read_bytes()
    assert body(base, "/pipe.xml")[0] == 404  # not left waiting for a writer


def test_a_symlink_swapped_in_after_resolving_is_refused(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from werkzeug.test import Client

    from feeds.server import OutputApp

    output = tmp_path / "output"
    output.mkdir()
    (tmp_path / "secret.txt").write_text("outside the output", encoding="utf-8")
    (output / "feed.xml").write_text("<a/>", encoding="utf-8")
    app = OutputApp(output, 300)
    resolved = app.resolve("/feed.xml")
    (output / "feed.xml").unlink()
    (output / "feed.xml").symlink_to(tmp_path / "secret.txt")
    monkeypatch.setattr(app, "resolve", lambda url_path: resolved)  # resolved before the swap
    response = Client(app).get("/feed.xml")
    assert response.status_code == 404 and b"outside" not in response.data
