"""Lead image sizes read from the images themselves (`images.probe`), against a
real HTTP server the tests start on loopback, serving real JPEG, PNG, WebP and
GIF files made by Pillow, and the misbehaving kinds: slow, huge, missing, not
an image, a redirect loop and a redirect to a private address."""

from __future__ import annotations

import io
import ipaddress
import json
import logging
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
import lxml.html
import pytest
import trustme
from lxml import etree
from PIL import Image

from feeds.cli import main
from feeds.config import ConfigError, Settings, load_settings
from feeds.daemon import Daemon, SettleTracker
from feeds.model import ImageSize
from feeds.partners import PartnerProfile
from feeds.probe import ProbeRules, probe, reachable
from feeds.publish.changes import render_due
from feeds.state import State
from tests.conftest import build, make_settings
from tests.test_parse_html import BODY, html

MEDIA = "{http://search.yahoo.com/mrss/}"
LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)
HUGE_BYTES = 100 * 1024 * 1024
FLAKY_FAILURES = 1


def image(kind: str, size: tuple[int, int], **options: object) -> bytes:
    """A real image file, encoded by Pillow; noise, so that it is not tiny."""
    picture = Image.effect_noise(size, 64).convert("RGB")
    out = io.BytesIO()
    if kind == "GIF":
        frames = [picture.convert("P"), picture.rotate(90).convert("P")]
        frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100)
    else:
        picture.save(out, kind, **options)
    return out.getvalue()


def rotated_jpeg() -> bytes:
    """1600 x 900 pixels that a viewer shows as 900 x 1600 (EXIF orientation 6)."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Kamera Uji"
    return image("JPEG", (1600, 900), exif=exif)


FILES = {
    "/photo.jpg": (image("JPEG", (1600, 900)), "image/jpeg"),
    "/rotated.jpg": (rotated_jpeg(), "image/jpeg"),
    "/wide.png": (image("PNG", (1200, 630)), "image/png"),
    "/pic.webp": (image("WEBP", (800, 450)), "image/webp"),
    "/anim.gif": (image("GIF", (400, 300)), "image/gif"),
    "/page.html": (b"<!DOCTYPE html><title>bukan gambar</title>" * 50, "text/html"),
}


class ImageServer:
    """The test's HTTP server: what it was asked for, and how much it sent."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.sent: Counter[str] = Counter()
        self.failures_left = FLAKY_FAILURES
        self.down = False
        handler = type("Handler", (_Handler,), {"images": self})
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.http.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.http.server_address[1]}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return self.base + path


class _Handler(BaseHTTPRequestHandler):
    images: ImageServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        images = self.images
        images.requests.append(self.path)
        redirects = {"/to-photo.jpg": "/photo.jpg", "/loop.jpg": "/loop.jpg",
                     "/to-foto.jpg": "/fötö.jpg", "/to-bad-port.jpg": "http://127.0.0.1:99999/",
                     "/to-private.jpg": "http://10.255.255.1/a.jpg",
                     "/to-metadata.jpg": "http://169.254.169.254/latest/meta-data/"}
        if self.path in redirects:
            self._answer(302, b"", "text/plain", Location=redirects[self.path])
        elif self.path == "/f%C3%B6t%C3%B6.jpg":
            self._answer(200, FILES["/photo.jpg"][0], "image/jpeg")
        elif self.path in FILES:
            body, kind = FILES[self.path]
            self._answer(503 if images.down else 200, body, kind)
        elif self.path == "/flaky.jpg" and images.failures_left > 0:
            images.failures_left -= 1
            self._answer(503, b"sibuk", "text/plain")
        elif self.path == "/flaky.jpg":
            self._answer(200, FILES["/photo.jpg"][0], "image/jpeg")
        elif self.path == "/huge.jpg":
            self._stream(FILES["/photo.jpg"][0], HUGE_BYTES, pause=0)
        elif self.path == "/slow-headers.jpg":
            self._trickle(b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n" + b"X" * 100)
        elif self.path == "/slow.jpg":
            self._stream(FILES["/photo.jpg"][0][:2], 10_000, pause=0.2, chunk=1)
        else:
            self._answer(404, b"tidak ada", "text/plain")

    def _answer(self, status: int, body: bytes, kind: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:  # the probe hung up once it had the header
            return
        self.images.sent[self.path] += len(body)

    def _trickle(self, answer: bytes) -> None:
        """The answer's head a byte every 0.1 s: each read is quick, the whole is not."""
        try:
            for byte in answer:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass

    def _stream(self, head: bytes, length: int, *, pause: float, chunk: int = 65536) -> None:
        """`head`, then zeros up to `length` bytes, `chunk` at a time."""
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(length))
        self.end_headers()
        try:
            self.wfile.write(head)
            sent = len(head)
            while sent < length:
                self.wfile.write(b"\0" * chunk)
                sent += chunk
                self.images.sent[self.path] = sent
                time.sleep(pause)
        except OSError:  # the probe hung up: it had what it needed
            pass


@pytest.fixture(scope="module")
def server() -> Iterator[ImageServer]:
    images = ImageServer()
    yield images
    images.http.shutdown()
    images.http.server_close()


def rules(**overrides: object) -> ProbeRules:
    values: dict[str, object] = {"timeout": 2.0, "max_bytes": 65536, "user_agent": "feeds-uji",
                                 "allow": LOOPBACK}
    values.update(overrides)
    return ProbeRules(**values)  # type: ignore[arg-type]


# --- one probe ----------------------------------------------------------------


@pytest.mark.parametrize(("path", "size"), [
    ("/photo.jpg", (1600, 900)), ("/rotated.jpg", (900, 1600)), ("/wide.png", (1200, 630)),
    ("/pic.webp", (800, 450)), ("/anim.gif", (400, 300)), ("/to-photo.jpg", (1600, 900)),
])
def test_real_images_give_their_size_from_their_first_bytes(server: ImageServer, path: str,
                                                            size: tuple[int, int]) -> None:
    found = probe(server.url(path), rules())
    assert found.size == ImageSize(*size), found.failure
    body = FILES.get(path, FILES["/photo.jpg"])[0]
    assert len(body) > 8192  # more than a probe needs: the test shows it stops early


def test_a_huge_image_is_read_only_as_far_as_its_header(server: ImageServer) -> None:
    found = probe(server.url("/huge.jpg"), rules(timeout=30.0))
    assert found.size == ImageSize(1600, 900)
    time.sleep(0.5)  # the server notices the hang-up
    assert server.sent["/huge.jpg"] < HUGE_BYTES / 10  # kernel buffers took the rest


@pytest.mark.parametrize("path", ["/slow.jpg", "/slow-headers.jpg"])
def test_a_slow_image_is_given_up_at_the_deadline(server: ImageServer, path: str) -> None:
    started = time.monotonic()
    found = probe(server.url(path), rules(timeout=1.0))
    elapsed = time.monotonic() - started
    assert found.size is None
    assert found.failure == "no answer within 1 s"
    assert not found.lasting  # a slow server may be quicker tomorrow
    assert 0.9 < elapsed < 5  # the trickle would last 10 s and more


@pytest.mark.parametrize(("path", "failure", "lasting"), [
    ("/missing.jpg", "HTTP 404", True),
    ("/page.html", "not an image feeds can read the size of", True),
    ("/loop.jpg", "more than 3 redirects", True),
    ("/to-private.jpg", "refused: 10.255.255.1 is 10.255.255.1, not a public address", True),
    ("/to-metadata.jpg",
     "refused: 169.254.169.254 is 169.254.169.254, not a public address", True),
])
def test_what_is_not_an_image_fails_with_a_reason(server: ImageServer, path: str, failure: str,
                                                 lasting: bool) -> None:
    started = time.monotonic()
    found = probe(server.url(path), rules(timeout=10.0))
    assert (found.size, found.failure, found.lasting) == (None, failure, lasting)
    # A refused address is never connected to: 10.255.255.1 would not answer for 10 s.
    assert time.monotonic() - started < 5


def test_loopback_and_private_addresses_are_refused_unless_allowed(server: ImageServer) -> None:
    before = len(server.requests)
    found = probe(server.url("/photo.jpg"), rules(allow=()))
    assert found.failure == "refused: 127.0.0.1 is 127.0.0.1, not a public address"
    assert len(server.requests) == before  # nothing was sent
    found = probe(f"http://localhost:{server.http.server_address[1]}/photo.jpg", rules(allow=()))
    assert found.failure.startswith("refused: localhost is ")


@pytest.mark.parametrize(("address", "ok"), [
    ("93.184.215.14", True), ("2606:4700::6810:84e5", True), ("127.0.0.1", False),
    ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False), ("169.254.169.254", False),
    ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False), ("::1", False),
    ("fe80::1", False), ("fc00::1", False), ("::ffff:127.0.0.1", False),
    ("::ffff:10.0.0.1", False), ("::", False), ("64:ff9b::a00:1", False),
    ("2002:7f00:1::", False), ("::7f00:1", False), ("::ffff:0:a00:1", False),
])
def test_only_public_addresses_are_reachable(address: str, ok: bool) -> None:
    assert reachable(ipaddress.ip_address(address), ()) is ok


def test_an_allowed_network_is_reachable_and_only_it() -> None:
    allow = (ipaddress.ip_network("10.0.0.0/8"),)
    assert reachable(ipaddress.ip_address("10.9.8.7"), allow)
    assert reachable(ipaddress.ip_address("::ffff:10.9.8.7"), allow)
    assert not reachable(ipaddress.ip_address("192.168.0.1"), allow)


def test_a_redirect_to_a_raw_utf8_path_is_followed_encoded(server: ImageServer) -> None:
    assert probe(server.url("/to-foto.jpg"), rules()).size == ImageSize(1600, 900)


@pytest.mark.parametrize("url", ["http://example.com:99999/a.jpg", "http://[::1/a.jpg",
                                 "http://" + "a" * 70 + ".example/a.jpg"])
def test_a_url_no_request_can_be_made_of_fails_and_never_raises(url: str) -> None:
    found = probe(url, rules())
    assert found.size is None and found.lasting and found.failure


def test_a_redirect_to_a_port_out_of_range_fails_and_never_raises(server: ImageServer) -> None:
    found = probe(server.url("/to-bad-port.jpg"), rules())
    assert found.size is None and found.failure.startswith("not a URL feeds can request")


def test_a_slow_name_lookup_is_given_up_at_the_deadline(
        server: ImageServer, monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def slow(*args: object, **kwargs: object) -> object:
        time.sleep(3)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    started = time.monotonic()
    found = probe(server.url("/photo.jpg"), rules(timeout=0.5))
    assert found.failure == "no answer within 0.5 s"
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize("url", ["ftp://example.com/a.jpg", "file:///etc/passwd",
                                 "data:image/png;base64,AAAA", "http:///a.jpg"])
def test_only_http_and_https_urls_are_probed(url: str) -> None:
    found = probe(url, rules())
    assert found.size is None and found.lasting
    assert found.failure == f"not an http(s) URL: {url}"


@pytest.fixture(scope="module")
def tls_server(server: ImageServer, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[tuple[str, Path]]:
    """The same images over HTTPS, with a certificate for localhost from a test CA
    (trustme); yields the base URL and the CA's certificate file."""
    authority = trustme.CA()
    certificate = authority.issue_cert("localhost")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    certificate.configure_cert(context)
    handler = type("Handler", (_Handler,), {"images": server})
    https = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    https.daemon_threads = True
    https.socket = context.wrap_socket(https.socket, server_side=True)
    threading.Thread(target=https.serve_forever, daemon=True).start()
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    yield f"https://localhost:{https.server_address[1]}", ca_file
    https.shutdown()
    https.server_close()


def test_https_images_are_probed_with_their_certificate_checked(
        tls_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    base, ca_file = tls_server
    found = probe(base + "/photo.jpg", rules())
    assert found.size is None and found.failure.startswith("TLS: ")  # not trusted: refused
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # the test CA, as a system CA
    found = probe(base + "/photo.jpg", rules())
    assert found.size == ImageSize(1600, 900), found.failure
    assert probe(base.replace("localhost", "127.0.0.1") + "/photo.jpg", rules()).failure \
        .startswith("TLS: ")  # the certificate names localhost, not the address


# --- probing in a build ---------------------------------------------------------


def dump(title: str, image_url: str, *, stated: str = "") -> bytes:
    body = BODY.replace("Maroko Dorong", title)
    return html(f'<meta property="og:image" content="{image_url}">{stated}', body)


def probing(root: Path, **overrides: object) -> Settings:
    return make_settings(root, images_probe=True, images_allow_networks=("127.0.0.1/32",),
                         images_timeout=2.0, **overrides)


def items(settings: Settings) -> dict[str, etree._Element]:
    rss = etree.fromstring((settings.output_dir / "rss.xml").read_bytes())
    return {item.findtext("title", "").split()[0]: item for item in rss.iter("item")}


def media_size(item: etree._Element) -> tuple[str | None, str | None]:
    content = item.find(f"{MEDIA}content")
    assert content is not None
    return content.get("width"), content.get("height")


def test_a_build_gives_each_unsized_lead_image_its_size_once(
        tmp_path: Path, server: ImageServer, caplog: pytest.LogCaptureFixture) -> None:
    settings = probing(tmp_path)
    stated = ('<meta property="og:image:width" content="640">'
              '<meta property="og:image:height" content="480">')
    (settings.input_dir / "a.html").write_bytes(dump("Alpha", server.url("/wide.png")))
    (settings.input_dir / "b.html").write_bytes(dump("Beta", server.url("/missing.jpg")))
    (settings.input_dir / "c.html").write_bytes(dump("Gamma", server.url("/anim.gif"),
                                                     stated=stated))
    (settings.input_dir / "d.html").write_bytes(dump("Delta", server.url("/wide.png")))
    before = len(server.requests)
    with caplog.at_level(logging.WARNING, logger="feeds"):
        report = build(settings)
    assert sorted(server.requests[before:]) == ["/missing.jpg", "/wide.png"]  # each once
    failures = [r.getMessage() for r in caplog.records if r.name == "feeds.images"]
    assert failures == [f"image {server.url('/missing.jpg')}: size not read: HTTP 404"]
    assert report.sized == 2
    shown = {title: media_size(item) for title, item in items(settings).items()}
    assert shown == {"Alpha": ("1200", "630"), "Delta": ("1200", "630"),
                     "Beta": (None, None), "Gamma": ("640", "480")}  # stated: not probed
    feed = json.loads((settings.output_dir / "feed.json").read_bytes())
    alpha = next(item for item in feed["items"] if item["title"].startswith("Alpha"))
    assert alpha["_feeds"] == {"image_width": 1200, "image_height": 630}
    page = lxml.html.fromstring(
        (settings.output_dir / alpha["url"].removeprefix(settings.base_url)).read_bytes())
    (img,) = page.xpath("//article/figure/img")
    assert (img.get("width"), img.get("height")) == ("1200", "630")
    assert page.xpath("string(//meta[@property='og:image:width']/@content)") == "1200"
    # Nothing new: no request, no file written.
    before = len(server.requests)
    again = build(settings)
    assert server.requests[before:] == [] and again.files_written == 0


def dates(entry: feedparser.FeedParserDict) -> tuple[object, ...]:
    """An item's id and dates, without feedparser's stand-in for a missing `updated`."""
    return entry.id, entry.get("published"), dict.get(entry, "updated")


def test_status_counts_the_probes(tmp_path: Path, server: ImageServer,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    settings = probing(tmp_path)
    for name, path in (("a", "/photo.jpg"), ("b", "/missing.jpg"), ("c", "/flaky.jpg")):
        (settings.input_dir / f"{name}.html").write_bytes(dump(name.upper() + "lpha",
                                                               server.url(path)))
    server.failures_left = 1
    build(settings)
    config = tmp_path / "feeds.toml"
    config.write_text(f'[paths]\ninput = "{settings.input_dir}"\nstate = "{settings.state_path}"'
                      f'\n[images]\nprobe = true\n')
    assert main(["status", "-c", str(config)]) == 0
    assert ("images: 1 lead image size read, 2 failed (1 to be tried again), "
            "1 entry waiting for one\n") in capsys.readouterr().out


def test_a_size_read_changes_no_id_and_no_date(tmp_path: Path, server: ImageServer) -> None:
    plain = make_settings(tmp_path / "plain")
    sized = probing(tmp_path / "sized")
    for settings in (plain, sized):
        (settings.input_dir / "a.html").write_bytes(dump("Alpha", server.url("/photo.jpg")))
        (settings.input_dir / "b.html").write_bytes(dump("Beta", server.url("/pic.webp")))
        build(settings)
    for name in ("rss.xml", "atom.xml"):
        without, with_ = (feedparser.parse((s.output_dir / name).read_bytes())
                          for s in (plain, sized))
        assert [dates(e) for e in without.entries] == [dates(e) for e in with_.entries]
        assert all(e.media_content[0].get("width") for e in with_.entries)
        assert not any(e.media_content[0].get("width") for e in without.entries)


def test_a_failure_that_may_pass_is_tried_again_later_and_the_feeds_follow(
        tmp_path: Path, server: ImageServer) -> None:
    settings = probing(tmp_path)
    server.failures_left = 1
    (settings.input_dir / "a.html").write_bytes(dump("Alpha", server.url("/flaky.jpg")))
    now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    build(settings, clock=lambda: now)
    assert media_size(items(settings)["Alpha"]) == (None, None)
    atom_before = feedparser.parse((settings.output_dir / "atom.xml").read_bytes())
    before = len(server.requests)
    build(settings, clock=lambda: now + timedelta(minutes=30))  # too soon: not tried
    assert server.requests[before:] == []
    report = build(settings, clock=lambda: now + timedelta(hours=2))
    assert server.requests[before:] == ["/flaky.jpg"] and report.sized == 1
    assert media_size(items(settings)["Alpha"]) == (
        "1600", "900")
    atom = feedparser.parse((settings.output_dir / "atom.xml").read_bytes())
    assert [dates(e) for e in atom.entries] == [dates(e) for e in atom_before.entries]


def test_a_lasting_failure_is_never_tried_again(tmp_path: Path, server: ImageServer) -> None:
    settings = probing(tmp_path)
    (settings.input_dir / "a.html").write_bytes(dump("Alpha", server.url("/missing.jpg")))
    now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    build(settings, clock=lambda: now)
    before = len(server.requests)
    (settings.input_dir / "b.html").write_bytes(dump("Beta", server.url("/missing.jpg")))
    build(settings, clock=lambda: now + timedelta(days=30))
    assert server.requests[before:] == []


def test_a_new_dump_of_an_image_already_read_needs_no_request(
        tmp_path: Path, server: ImageServer) -> None:
    settings = probing(tmp_path)
    (settings.input_dir / "a.html").write_bytes(dump("Alpha", server.url("/rotated.jpg")))
    build(settings)
    before = len(server.requests)
    (settings.input_dir / "b.html").write_bytes(dump("Beta", server.url("/rotated.jpg")))
    report = build(settings)
    assert server.requests[before:] == [] and report.sized == 0
    assert media_size(items(settings)["Beta"]) == (
        "900", "1600")


def test_turning_probing_on_sizes_the_entries_already_published(
        tmp_path: Path, server: ImageServer) -> None:
    settings = make_settings(tmp_path)
    (settings.input_dir / "a.html").write_bytes(dump("Alpha", server.url("/pic.webp")))
    build(settings)
    assert media_size(items(settings)["Alpha"]) == (None, None)
    report = build(probing(tmp_path))
    assert report.sized == 1
    assert media_size(items(settings)["Alpha"]) == (
        "800", "450")
    build(settings)  # off again: what was read stays, and nothing waits
    with State(settings.state_path) as state:
        assert state.db.execute("SELECT count(*) FROM unsized_images").fetchone() == (0,)
    assert media_size(items(settings)["Alpha"]) == (
        "800", "450")


def test_a_rebuild_keeps_what_the_images_said(tmp_path: Path, server: ImageServer) -> None:
    settings = probing(tmp_path)
    (settings.input_dir / "a.html").write_bytes(dump("Alpha", server.url("/anim.gif")))
    build(settings)
    before = len(server.requests)
    build(settings, rebuild=True)
    assert server.requests[before:] == []
    assert media_size(items(settings)["Alpha"]) == (
        "400", "300")


def test_a_partner_requiring_an_image_gets_the_entries_a_probe_sized(
        tmp_path: Path, server: ImageServer) -> None:
    flipboard = PartnerProfile("flipboard", require_image=True, min_image_size=400)
    settings = probing(tmp_path, partners=(flipboard,))
    (settings.input_dir / "a.html").write_bytes(dump("Alpha", server.url("/photo.jpg")))
    (settings.input_dir / "b.html").write_bytes(dump("Beta", server.url("/anim.gif")))
    (settings.input_dir / "c.html").write_bytes(dump("Gamma", server.url("/missing.jpg")))
    build(settings)
    feed = feedparser.parse((settings.output_dir / "partner/flipboard/rss.xml").read_bytes())
    assert [entry.title.split()[0] for entry in feed.entries] == ["Alpha"]  # 300 px: too small


def test_the_daemon_pass_stops_probing_when_asked(tmp_path: Path, server: ImageServer) -> None:
    settings = probing(tmp_path)
    (settings.input_dir / "a.html").write_bytes(dump("Alpha", server.url("/wide.png")))
    before = len(server.requests)
    build(settings, stop=lambda: True)
    assert server.requests[before:] == []  # left for the next pass
    build(settings)
    assert server.requests[before:] == ["/wide.png"]


def test_a_daemon_probes_a_few_images_a_pass_and_passes_again_for_the_rest(
        tmp_path: Path, server: ImageServer) -> None:
    settings = probing(tmp_path, images_concurrency=2)
    for number, path in enumerate(["/photo.jpg", "/wide.png", "/pic.webp", "/anim.gif",
                                   "/rotated.jpg"]):
        name = f"{chr(ord('a') + number)}.html"
        (settings.input_dir / name).write_bytes(dump(f"Judul{number}", server.url(path)))
    now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    with State(settings.state_path) as state:
        daemon = Daemon(settings, state, clock=lambda: now,
                        tracker=SettleTracker(0, inotify=False))
        passes = [daemon.full_pass()]
        while daemon._full.is_set():  # the daemon's loop runs the next pass at once
            passes.append(daemon.full_pass())
    assert [report.sized for report in passes if report] == [2, 2, 1]
    assert [report.images_due for report in passes if report] == [True, True, False]
    assert all(media_size(item)[0] for item in items(settings).values())
    # Idle, with nothing due: a pass publishes nothing and probes nothing.
    with State(settings.state_path) as state:
        assert not render_due(settings, state, now)


# --- settings ---------------------------------------------------------------------


@pytest.mark.parametrize(("text", "key"), [
    ('allow_networks = ["10.0.0.0/8", "sepuluh"]', "images.allow_networks"),
    ("allow_networks = [10]", "images.allow_networks"),
    ("timeout = 0", "images.timeout"),
    ("max_bytes = 100", "images.max_bytes"),
    ("concurrency = 0", "images.concurrency"),
    ("probe = 1", "images.probe"),
    ("proble = true", "images.proble"),
])
def test_bad_image_settings_are_named(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(f"[images]\n{text}\n")
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert key in str(raised.value)


def test_image_settings_are_read(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text('[images]\nprobe = true\ntimeout = 1.5\nallow_networks = ["10.0.0.0/8"]\n')
    settings = load_settings(path)
    assert (settings.images_probe, settings.images_timeout, settings.images_allow_networks) == (
        True, 1.5, ("10.0.0.0/8",))
