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
import resource
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import WSGITask
from werkzeug.wrappers import Request, Response

from feeds.config import Settings
from feeds.errors import FeedsError

if TYPE_CHECKING:
    from logging.handlers import QueueListener

    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("feeds.server")
access_log = logging.getLogger("feeds.access")
# waitress warns "Task queue depth is N" whenever a request waits for a thread:
# under load that is every request, and normal; the queue is bounded by the
# connection limit, so it is no news to an operator.
logging.getLogger("waitress.queue").setLevel(logging.ERROR)

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
RESOLVED_CACHE_ENTRIES = 8192
BACKLOG = 1024  # connections the kernel holds for us beyond the connection limit
OTHER_OPEN_FILES = 64  # the state, logs, the listening socket, files being served


class OutputApp:
    """Serves the files of one output directory."""

    def __init__(self, root: Path, cache_max_age: int) -> None:
        self.root = Path(os.path.realpath(root))
        self.cache_max_age = cache_max_age
        self._gzipped: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._resolved: dict[str, str] = {}  # URL path -> real path, oldest first
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
        found = self.find(request.path)
        if found is None:
            return _not_found()
        target, stat = found
        if S_ISDIR(stat.st_mode):
            if not request.path.endswith("/"):
                return Response(status=301, headers={"Location": request.path + "/"})
            index = self.find(request.path.rstrip("/") + "/index.html")
            if index is None:
                return _not_found()
            target, stat = index
        return self.file_response(request, target, stat)

    def find(self, url_path: str) -> tuple[str, os.stat_result] | None:
        """The file or directory a URL path names and its stat, or None when it
        names nothing we serve. Where a path led is remembered; its stat is taken
        afresh on every request, without following a link (a file replaced by a
        symlink since is looked up again, and refused)."""
        target = self._resolved.get(url_path)
        if target is not None:
            try:
                stat = os.stat(target, follow_symlinks=False)  # noqa: PTH116 - a str, per request
                if S_ISREG(stat.st_mode) or S_ISDIR(stat.st_mode):
                    return target, stat
            except OSError:
                pass
        resolved = self.resolve(url_path)
        if resolved is None:
            return None
        try:
            stat = resolved.stat()
        except OSError:
            return None
        with self._lock:
            self._resolved[url_path] = str(resolved)
            if len(self._resolved) > RESOLVED_CACHE_ENTRIES:
                self._resolved.pop(next(iter(self._resolved)))
        return str(resolved), stat

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

    def file_response(self, request: Request, path: str, stat: os.stat_result) -> Response:
        """The file, or a 304 decided from its stat alone: a poller's conditional
        GET reads nothing."""
        content_type = _content_type(path.rpartition("/")[2])
        compressible = content_type.startswith(COMPRESSIBLE) and stat.st_size >= GZIP_MIN_BYTES
        gzipped = compressible and request.accept_encodings.quality("gzip") > 0
        etag = f"{stat.st_mtime_ns:x}-{stat.st_size:x}" + ("-gz" if gzipped else "")
        modified = datetime.fromtimestamp(stat.st_mtime, UTC).replace(microsecond=0)
        if _not_modified(request, etag, modified):
            response = Response(status=304)
        else:
            try:
                with open(path, "rb") as handle:  # noqa: PTH123 - a str path, opened once
                    data = handle.read()
            except OSError:
                return _not_found()
            if gzipped:
                data = self._gzip(path, etag, data)
            response = Response(data, content_type=content_type)
            if gzipped:
                response.content_encoding = "gzip"
        response.set_etag(etag)  # a strong ETag names one representation
        response.last_modified = modified
        response.cache_control.public = True
        response.cache_control.max_age = self.cache_max_age
        response.headers["X-Content-Type-Options"] = "nosniff"
        if compressible:
            response.vary.add("Accept-Encoding")
        return response

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


def _not_found() -> Response:
    return Response("404 Not Found\n", status=404, mimetype="text/plain")


def _not_modified(request: Request, etag: str, modified: datetime) -> bool:
    """RFC 9110: If-None-Match (weak comparison) when given, else If-Modified-Since."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag)
    since = request.if_modified_since
    return since is not None and modified <= since


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


def configure_access_log(where: str) -> QueueListener | None:
    """Send the `feeds.access` logger's lines to `where`: "-" the process's log
    (stderr), "" nowhere, else a file, reopened when logrotate moves it.

    The request threads only queue their lines and one thread writes them: a
    handler's lock taken by every request thread in turn made them wait on each
    other under load (docs/performance.md). Returns the writing thread's
    listener (stop it to flush)."""
    for handler in list(access_log.handlers):
        access_log.removeHandler(handler)
        handler.close()
    access_log.disabled = where == ""
    access_log.propagate = False
    if where == "":
        return None
    from logging.handlers import QueueHandler, QueueListener, WatchedFileHandler
    from queue import SimpleQueue

    if where == "-":
        targets = logging.getLogger().handlers or [logging.StreamHandler()]
    else:
        file_handler = WatchedFileHandler(where, encoding="utf-8")
        file_handler.setFormatter(logging.Formatter("%(message)s"))
        targets = [file_handler]
    lines: SimpleQueue[logging.LogRecord] = SimpleQueue()
    access_log.addHandler(QueueHandler(lines))
    access_log.setLevel(logging.INFO)
    listener = QueueListener(lines, *targets, respect_handler_level=True)
    listener.start()
    return listener


def _allow_open_files(wanted: int) -> None:
    """Raise this process's limit on open files towards `wanted` (a connection is
    one), as far as the hard limit lets it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        ceiling = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (ceiling, hard))


def make_app(settings: Settings) -> WSGIApplication:
    return AccessLog(OutputApp(settings.output_dir, settings.cache_max_age))


class _KeepAliveTask(WSGITask):  # type: ignore[misc]
    """waitress keeps a connection only after an answer with a Content-Length,
    which a 304 must not carry: it closed the connection after every 304, and a
    poller paid a new connection for each conditional GET. An HTTP/1.1 answer
    without a body ends where its headers end, so its connection stays open."""

    def set_close_on_finish(self) -> None:
        if (not self.has_body and self.version == "1.1"
                and self.request.headers.get("CONNECTION", "").lower() != "close"):
            return
        super().set_close_on_finish()


class _Channel(HTTPChannel):  # type: ignore[misc]
    task_class = _KeepAliveTask


class Server:
    """waitress serving the output directory, in the foreground or on a thread.

    It holds up to `server.connection_limit` connections (readers poll over
    keep-alive connections and hold them), closes one idle for
    `server.idle_timeout` seconds, and leaves connections beyond the limit in
    the listen queue, answered as others close, never refused."""

    def __init__(self, settings: Settings) -> None:
        """Raises FeedsError, naming the address, when it cannot listen there."""
        self.settings = settings
        self._access_log = configure_access_log(settings.access_log)
        _allow_open_files(settings.connection_limit + OTHER_OPEN_FILES)
        try:
            self._server = create_server(
                make_app(settings), host=settings.host, port=settings.port,
                threads=settings.threads, connection_limit=settings.connection_limit,
                channel_timeout=int(settings.idle_timeout), backlog=BACKLOG, ident="feeds")
        except OSError as error:
            raise FeedsError(f"{settings.host}:{settings.port}",
                             f"cannot listen: {error.strerror or error}") from error
        self._server.channel_class = _Channel
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
        if self._access_log is not None:
            self._access_log.stop()  # writes what is queued
            self._access_log = None
