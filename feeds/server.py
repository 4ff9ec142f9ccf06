"""The HTTP front of `output/`: read-only, conditional, compressed.

A WSGI application built on werkzeug's request/response handling (ETag and
Last-Modified, 304s for If-None-Match and If-Modified-Since, HEAD) and served
by waitress, a production WSGI server. Nothing outside the output directory is
reachable: no `..`, no dotfile, no symlink leading out, no directory listing.
"""

from __future__ import annotations

import gzip
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from waitress.server import create_server
from werkzeug.wrappers import Request, Response

from feeds.config import Settings
from feeds.errors import FeedsError

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("feeds.server")
access_log = logging.getLogger("feeds.access")

CONTENT_TYPES = {
    "rss.xml": "application/rss+xml",
    "atom.xml": "application/atom+xml",
    "feed.json": "application/feed+json",
    ".opml": "text/x-opml",
    ".html": "text/html",
    ".xml": "application/xml",
    ".json": "application/json",
    ".css": "text/css",
    ".txt": "text/plain",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
COMPRESSIBLE = ("text/", "application/rss+xml", "application/atom+xml", "application/feed+json",
                "application/xml", "application/json")
GZIP_MIN_BYTES = 256
GZIP_CACHE_ENTRIES = 256


class OutputApp:
    """Serves the files of one output directory."""

    def __init__(self, root: Path, cache_max_age: int) -> None:
        self.root = Path(os.path.realpath(root))
        self.cache_max_age = cache_max_age
        self._gzipped: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse
                 ) -> Iterable[bytes]:
        request = Request(environ)
        response = self.respond(request)
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            response = Response("405 Method Not Allowed\n", status=405, mimetype="text/plain")
            response.allow.update(("GET", "HEAD"))
            return response
        target = self.resolve(request.path)
        if target is None:
            return Response("404 Not Found\n", status=404, mimetype="text/plain")
        if target.is_dir():
            if not request.path.endswith("/"):
                return Response(status=301, headers={"Location": request.path + "/"})
            target = target / "index.html"
            if not target.is_file():
                return Response("404 Not Found\n", status=404, mimetype="text/plain")
        return self.file_response(request, target)

    def resolve(self, url_path: str) -> Path | None:
        """The file a URL path names, or None when it names nothing we serve.

        Every segment must be a plain name (no `.`/`..`, no dotfile, no
        backslash or NUL), and the real path, symlinks followed, must stay
        inside the output directory."""
        segments = [segment for segment in url_path.split("/") if segment]
        for segment in segments:
            if segment.startswith(".") or "\\" in segment or "\x00" in segment:
                return None
        candidate = Path(os.path.realpath(self.root.joinpath(*segments)))
        if not candidate.is_relative_to(self.root) or not candidate.exists():
            return None
        return candidate

    def file_response(self, request: Request, path: Path) -> Response:
        try:
            stat = path.stat()
            data = path.read_bytes()
        except OSError:
            return Response("404 Not Found\n", status=404, mimetype="text/plain")
        content_type = _content_type(path.name)
        etag = f"{stat.st_mtime_ns:x}-{stat.st_size:x}"
        compressible = content_type.startswith(COMPRESSIBLE) and len(data) >= GZIP_MIN_BYTES
        gzipped = compressible and request.accept_encodings.quality("gzip") > 0
        if gzipped:
            data = self._gzip(str(path), etag, data)
            etag += "-gz"  # a strong ETag names one representation
        response = Response(data, content_type=content_type)
        response.set_etag(etag)
        response.last_modified = datetime.fromtimestamp(stat.st_mtime, UTC).replace(microsecond=0)
        response.cache_control.public = True
        response.cache_control.max_age = self.cache_max_age
        response.headers["X-Content-Type-Options"] = "nosniff"
        if compressible:
            response.vary.add("Accept-Encoding")
        if gzipped:
            response.content_encoding = "gzip"
        return response.make_conditional(request)

    def _gzip(self, path: str, etag: str, data: bytes) -> bytes:
        """Compressed bytes, kept for the files readers poll most."""
        key = (path, etag)
        with self._lock:
            cached = self._gzipped.get(key)
            if cached is not None:
                self._gzipped.move_to_end(key)
                return cached
        compressed = gzip.compress(data, compresslevel=6, mtime=0)
        with self._lock:
            self._gzipped[key] = compressed
            while len(self._gzipped) > GZIP_CACHE_ENTRIES:
                self._gzipped.popitem(last=False)
        return compressed


def _content_type(name: str) -> str:
    kind = CONTENT_TYPES.get(name) or CONTENT_TYPES.get(Path(name).suffix.lower(),
                                                          "application/octet-stream")
    return f"{kind}; charset=utf-8" if kind.startswith(COMPRESSIBLE) else kind


class AccessLog:
    """Common Log Format lines through the `feeds.access` logger."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse
                 ) -> Iterable[bytes]:
        seen: dict[str, str] = {}

        def recording_start_response(status: str, headers: list[tuple[str, str]],
                                     exc_info: OptExcInfo | None = None, /
                                     ) -> Callable[[bytes], object]:
            seen["status"] = status.split(" ", 1)[0]
            seen["length"] = next((v for k, v in headers if k.lower() == "content-length"), "-")
            return start_response(status, headers, exc_info)

        body = self.app(environ, recording_start_response)
        request_line = (f"{environ.get('REQUEST_METHOD', '-')} "
                        f"{environ.get('RAW_URI') or environ.get('PATH_INFO', '')} "
                        f"{environ.get('SERVER_PROTOCOL', '-')}")
        if environ.get("REQUEST_METHOD") == "HEAD":
            seen["length"] = "0"
        access_log.info('%s - - [%s] "%s" %s %s "%s" "%s"', environ.get("REMOTE_ADDR", "-"),
                        datetime.now(UTC).strftime("%d/%b/%Y:%H:%M:%S %z"), request_line,
                        seen.get("status", "-"), seen.get("length", "-"),
                        environ.get("HTTP_REFERER", "-"), environ.get("HTTP_USER_AGENT", "-"))
        return body


def links_elsewhere(base_url: str, served_at: str) -> str | None:
    """What to tell an operator whose output links to a local address other than
    the one it is served at (every link would lead readers to the wrong port)."""
    links, here = urlsplit(base_url), urlsplit(served_at)
    local = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "::"}
    if links.hostname not in local or (links.port or 80) == here.port:
        return None
    return (f"every link in the output points at {base_url} (site.base_url), not at this "
            f"server ({served_at}): set site.base_url to the address readers use")


def make_app(settings: Settings) -> WSGIApplication:
    return AccessLog(OutputApp(settings.output_dir, settings.cache_max_age))


class Server:
    """waitress serving the output directory, in the foreground or on a thread."""

    def __init__(self, settings: Settings) -> None:
        """Raises FeedsError, naming the address, when it cannot listen there."""
        self.settings = settings
        try:
            self._server = create_server(make_app(settings), host=settings.host,
                                         port=settings.port, threads=4, ident="feeds")
        except OSError as error:
            raise FeedsError(f"cannot listen on {settings.host}:{settings.port}: "
                             f"{error.strerror or error}") from error
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.settings.host}:{self._server.effective_port}/"

    def serve_forever(self) -> None:
        log.info("serving %s at %s", self.settings.output_dir, self.url)
        mismatch = links_elsewhere(self.settings.base_url, self.url)
        if mismatch:
            log.warning("%s", mismatch)
        self._server.run()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, name="http", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
