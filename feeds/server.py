"""The HTTP front of `output/`: read-only, conditional, compressed.

A WSGI application on werkzeug, served by waitress, a production WSGI server.
werkzeug decides 304 and 412 (`is_resource_modified`), joins URL paths
(`safe_join`) and writes the error answers and redirects; feeds adds only what neither
library does, each saying why. Nothing outside the output directory is
reachable: no `..`, no dotfile, no symlink leading out, no directory listing.
"""

from __future__ import annotations

import gzip
import logging
import os
import re
import resource
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BufferedReader
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import WSGITask
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.http import (
    http_date,
    is_resource_modified,
    parse_accept_header,
    parse_etags,
    quote_etag,
)
from werkzeug.routing import RequestRedirect
from werkzeug.security import safe_join
from werkzeug.wsgi import wrap_file

from feeds.config import Settings
from feeds.content_types import content_type as media_type
from feeds.content_types import is_text
from feeds.errors import FeedsError
from feeds.site import is_archive_document

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

GZIP_MIN_BYTES = 256
GZIP_CACHE_ENTRIES = 256
BACKLOG = 1024  # connections the kernel holds for us beyond the connection limit
OTHER_OPEN_FILES = 64  # the state, logs, the listening socket, files being served
METHODS = ("GET", "HEAD")


@dataclass(frozen=True, slots=True)
class Answer:
    """A response as WSGI takes it: status line, headers, body."""

    status: str
    headers: list[tuple[str, str]]
    body: Iterable[bytes]


class _MovedPermanently(RequestRedirect):
    """werkzeug's redirect, as a 301: a directory's address is its name with a slash."""

    code = 301


@dataclass(frozen=True, slots=True)
class _Headers:
    """A file's headers, written as a list rather than through werkzeug's Response:
    a poller's 304 is most of the traffic, and the Response object cost more than
    the rest of the answer. `full` goes with the file; `not_modified` is what a
    304 repeats (RFC 9110 15.4.5), as werkzeug's Response sends it."""

    full: list[tuple[str, str]]
    not_modified: list[tuple[str, str]]

    @classmethod
    def of(cls, content_type: str, etag: str, modified: datetime, max_age: int, *,
           vary: bool) -> _Headers:
        caching = [("Cache-Control", f"public, max-age={max_age}"),
                   ("X-Content-Type-Options", "nosniff"),
                   *([("Vary", "Accept-Encoding")] if vary else [])]
        tag, date = ("ETag", quote_etag(etag)), ("Date", http_date())
        return cls([("Content-Type", content_type), tag, ("Last-Modified", http_date(modified)),
                    *caching, date], [tag, *caching, date])


@dataclass(frozen=True, slots=True)
class _Served:
    """What a request gets of a file: its ETag (of the representation sent),
    modification time, size, whether it goes compressed, and its headers."""

    etag: str
    modified: datetime
    size: int
    gzipped: bool
    headers: _Headers


def _accepts_gzip(environ: WSGIEnvironment) -> bool:
    accepted = environ.get("HTTP_ACCEPT_ENCODING")
    return bool(accepted) and parse_accept_header(accepted).quality("gzip") > 0


@dataclass(frozen=True, slots=True)
class _Compressed:
    """A file's gzip bytes and the ETag of the version they were made from."""

    etag: str
    data: bytes


class OutputApp:
    """Serves the files of one output directory."""

    def __init__(self, root: Path, cache_max_age: int, archive_max_age: int | None = None
                 ) -> None:
        self.root = os.path.realpath(root)
        self.cache_max_age = cache_max_age
        self.archive_max_age = cache_max_age if archive_max_age is None else archive_max_age
        self._gzipped: OrderedDict[str, _Compressed] = OrderedDict()  # by real path
        self._lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse
                 ) -> Iterable[bytes]:
        try:
            answer = self.respond(environ)
        except HTTPException as refusal:  # werkzeug's 404, 405 and 301 are WSGI answers
            return refusal(environ, start_response)
        start_response(answer.status, answer.headers)
        return answer.body

    def respond(self, environ: WSGIEnvironment) -> Answer:
        """The answer to one request; raises werkzeug's HTTPException for a refusal
        or a redirect."""
        if environ["REQUEST_METHOD"] not in METHODS:
            raise MethodNotAllowed(valid_methods=METHODS)
        url_path = environ.get("PATH_INFO", "")
        path = self.resolve(url_path)
        if os.path.isdir(path):  # noqa: PTH112 - a str path, per request
            if not url_path.endswith("/"):
                raise _MovedPermanently(url_path + "/")
            path = self.resolve(url_path + "index.html")
        return self.file_answer(environ, path)

    def resolve(self, url_path: str) -> str:
        """The real path, symlinks followed, of what a URL path names inside the
        output directory; NotFound for a dotfile, a NUL, or a path leading out.
        Resolved on every request: a folder of the output replaced by a link since
        must not lead out."""
        relative = url_path.lstrip("/")
        # safe_join refuses `..` and absolute paths but would serve dotfiles (the
        # state, a writer's temporaries), and os.stat raises on a NUL.
        if "\x00" in relative or any(part.startswith(".") for part in relative.split("/")):
            raise NotFound
        joined = safe_join(self.root, relative)
        if joined is None:
            raise NotFound
        real = os.path.realpath(joined)
        # safe_join judges the name only: a symlink inside may still lead out.
        if real != self.root and not real.startswith(self.root + os.sep):
            raise NotFound
        return real

    def file_answer(self, environ: WSGIEnvironment, path: str) -> Answer:
        """The file, or its 304 or 412 as werkzeug's conditional rules decide
        (`is_resource_modified`, as its `make_conditional` asks them). The decision
        takes one stat, not an open file: a poller's conditional GET is most of the
        traffic, and every system call lets another request thread take the
        interpreter. A file sent is opened once and described from the open file, so
        one renamed over meanwhile is never sent under the other's ETag or length
        (werkzeug's send_file stats the path, then opens it)."""
        try:
            stat = os.stat(path, follow_symlinks=False)  # noqa: PTH116 - a str, per request
        except OSError:
            raise NotFound from None
        if not S_ISREG(stat.st_mode):
            raise NotFound
        file = self._describe(environ, path, stat)
        # No ranges: nothing served is large, and werkzeug answers a multi-range
        # request 416, which RFC 9110 keeps for ranges that cannot be satisfied.
        if not is_resource_modified(environ, etag=file.etag, last_modified=file.modified):
            if parse_etags(environ.get("HTTP_IF_MATCH")):
                return Answer("412 PRECONDITION FAILED",
                              [*file.headers.full, ("Content-Length", "0")], [])
            return Answer("304 NOT MODIFIED", file.headers.not_modified, [])
        handle = _open_regular(path)
        file = self._describe(environ, path, os.fstat(handle.fileno()))
        head = environ["REQUEST_METHOD"] == "HEAD"
        if file.gzipped:
            with handle:
                data = self._gzip(path, file.etag, handle)
            return Answer("200 OK", [*file.headers.full, ("Content-Length", str(len(data))),
                                     ("Content-Encoding", "gzip")], [] if head else [data])
        length = [("Content-Length", str(file.size))]
        if head:
            handle.close()
            return Answer("200 OK", file.headers.full + length, [])
        return Answer("200 OK", file.headers.full + length, wrap_file(environ, handle))

    def _describe(self, environ: WSGIEnvironment, path: str, stat: os.stat_result) -> _Served:
        content_type = media_type(path)
        compressible = is_text(content_type) and stat.st_size >= GZIP_MIN_BYTES
        gzipped = compressible and _accepts_gzip(environ)
        etag = f"{stat.st_mtime_ns:x}-{stat.st_size:x}" + ("-gz" if gzipped else "")
        modified = datetime.fromtimestamp(stat.st_mtime, UTC)
        return _Served(etag, modified, stat.st_size, gzipped,
                       _Headers.of(content_type, etag, modified,
                                   self.archive_max_age if is_archive_document(path)
                                   else self.cache_max_age, vary=compressible))

    def _gzip(self, path: str, etag: str, handle: BufferedReader) -> bytes:
        """The file's compressed bytes, kept for the files readers poll most."""
        with self._lock:
            cached = self._gzipped.get(path)
            if cached is not None and cached.etag == etag:
                self._gzipped.move_to_end(path)
                return cached.data
        data = gzip.compress(handle.read(), compresslevel=6, mtime=0)
        with self._lock:
            self._gzipped[path] = _Compressed(etag, data)
            self._gzipped.move_to_end(path)
            while len(self._gzipped) > GZIP_CACHE_ENTRIES:
                self._gzipped.popitem(last=False)
        return data


def _open_regular(path: str) -> BufferedReader:
    """The regular file at a real path, open for reading; NotFound for anything
    else. Without blocking, as a FIFO left in the output must not hold a thread;
    without following a symlink, as one swapped in since the path was resolved
    could lead out."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        raise NotFound from None
    handle = os.fdopen(fd, "rb")
    if not S_ISREG(os.fstat(fd).st_mode):
        handle.close()
        raise NotFound
    return handle


class AccessLog:
    """Common Log Format lines through the `feeds.access` logger: waitress logs no
    traffic (its documentation points to Paste's TransLogger, not a dependency), and
    werkzeug only in its development server."""

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
                        datetime.now(UTC).strftime("%d/%b/%Y:%H:%M:%S %z"),
                        _logged(request_line), seen.get("status", "-"),
                        seen.get("length", "-"), _logged(environ.get("HTTP_REFERER", "-")),
                        _logged(environ.get("HTTP_USER_AGENT", "-")))
        return body


_UNSAFE_IN_LOG = re.compile(r'["\\\x00-\x1f\x7f-\uffff]')


def _logged(value: str) -> str:
    """A field as nginx logs it: a quote, a backslash, a control character and
    anything not ASCII as \\xHH, byte by byte (a WSGI header holds its bytes as
    Latin-1), so that a field never ends early and a line is always one line."""
    return _UNSAFE_IN_LOG.sub(lambda found: "".join(
        f"\\x{byte:02X}" for byte in _bytes_of(found[0])), value)


def _bytes_of(character: str) -> bytes:
    return character.encode("latin-1" if ord(character) < 256 else "utf-8")


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
        Path(where).parent.mkdir(parents=True, exist_ok=True)  # as the state's directory is
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
    return AccessLog(OutputApp(settings.output_dir, settings.cache_max_age,
                               settings.archive_max_age))


class _KeepAliveTask(WSGITask):  # type: ignore[misc]
    """Keeps the connection after a 304, which waitress 3.0 closes (the open
    Pylons/waitress#502 would change that): it keeps one only after a Content-Length,
    which it drops from a bodiless answer, so a poller paid a new connection for each
    conditional GET. An HTTP/1.1 answer without a body ends where its headers end."""

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
