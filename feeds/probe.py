"""A lead image's size read from the image itself, over HTTP (`images.probe`),
for pages that do not state it.

Only the first bytes are read (an image states its size in its header), with
one deadline for the whole probe, redirects included, and a cap on what is read.
Lead image addresses come from the dumps, which anyone may write: a probe goes
only to http(s) addresses whose every hop resolves to a public address, and
connects to the very address it checked, so that a dump cannot make feeds
reach a private network or the machine itself (unless the configuration allows
those networks). The header is read by `imagesize`, which knows JPEG, PNG, GIF,
WebP, AVIF, HEIC, TIFF and more from their first bytes, the rotation a JPEG's
EXIF states included.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, quote, urljoin, urlsplit

import imagesize

from feeds.model import MOST_PIXELS, ImageSize

MAX_REDIRECTS = 3
READ_SIZE = 4096  # an image header rarely needs more; read on, a chunk at a time, when it does
# What a URL may hold as it is (RFC 3986's reserved and unreserved characters, and %):
# anything else (a raw UTF-8 path in a redirect) is percent-encoded before a request.
_URL_CHARACTERS = "!#$%&'()*+,/:;=?@[]~"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class ProbeRules:
    """How far a probe may go: `timeout` seconds in all, `max_bytes` read at most,
    and the private networks it may reach all the same (`allow`)."""

    timeout: float
    max_bytes: int
    user_agent: str
    allow: tuple[Network, ...] = ()


@dataclass(frozen=True, slots=True)
class Probed:
    """What a probe found: the size, or why not, and whether trying again later
    may find it (a timeout may pass; a refused address or a 404 will not)."""

    url: str
    size: ImageSize | None
    failure: str = ""
    lasting: bool = False


class ProbeFailed(Exception):
    def __init__(self, reason: str, *, lasting: bool) -> None:
        super().__init__(reason)
        self.lasting = lasting


def probe(url: str, rules: ProbeRules) -> Probed:
    """The size of the image at `url`, following up to MAX_REDIRECTS redirects."""
    deadline = time.monotonic() + rules.timeout
    target = url
    try:
        for _ in range(MAX_REDIRECTS + 1):
            answer = _get(target, rules, deadline)
            if isinstance(answer, ImageSize):
                return Probed(url, answer)
            target = urljoin(target, quote(answer, safe=_URL_CHARACTERS))
        raise ProbeFailed(f"more than {MAX_REDIRECTS} redirects", lasting=True)
    except (ProbeFailed, OSError, http.client.HTTPException) as error:  # TLS errors included
        if time.monotonic() >= deadline:  # whatever the hang-up looked like
            return Probed(url, None, f"no answer within {rules.timeout:g} s")
        return Probed(url, None, _reason(error), isinstance(error, ProbeFailed) and error.lasting)
    except ValueError as error:  # a URL no request can be made of (a port out of range...)
        return Probed(url, None, f"not a URL feeds can request: {error}", lasting=True)


def _reason(error: Exception) -> str:
    if isinstance(error, ssl.SSLError):
        return f"TLS: {error.reason or error}"
    return str(error) or type(error).__name__


def _get(url: str, rules: ProbeRules, deadline: float) -> ImageSize | str:
    """One request: the image's size, or where a redirect points."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProbeFailed(f"not an http(s) URL: {url}", lasting=True)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _public_address(parts.hostname, port, rules, deadline)
    sock = socket.create_connection((str(address), port), timeout=_left(deadline))

    def hang_up() -> None:  # the socket as it is then, TLS included
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    # Each read has the time left, but a server could answer a byte at a time:
    # at the deadline the connection is shut, whatever it is doing.
    watchdog = threading.Timer(max(deadline - time.monotonic(), 0), hang_up)
    watchdog.start()
    try:
        if parts.scheme == "https":
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=parts.hostname)
        return _exchange(parts, port, sock, rules, deadline)
    finally:
        watchdog.cancel()
        sock.close()


def _exchange(parts: SplitResult, port: int, sock: socket.socket, rules: ProbeRules,
              deadline: float) -> ImageSize | str:
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname or "", port)
    connection.sock = sock  # connected to the address checked: no second lookup
    try:
        path = quote((parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                     safe=_URL_CHARACTERS)
        connection.request("GET", path, headers={
            "User-Agent": rules.user_agent, "Accept": "image/*",
            "Accept-Encoding": "identity", "Range": f"bytes=0-{rules.max_bytes - 1}"})
        sock.settimeout(_left(deadline))
        response = connection.getresponse()
        location = response.getheader("Location")
        if 300 <= response.status < 400 and location:
            return location
        if response.status not in (200, 206):
            lasting = 400 <= response.status < 500 and response.status not in (408, 429)
            raise ProbeFailed(f"HTTP {response.status}", lasting=lasting)
        return _read_size(response, sock, rules.max_bytes, deadline)
    finally:
        connection.close()


def _read_size(response: http.client.HTTPResponse, sock: socket.socket, most: int,
               deadline: float) -> ImageSize:
    """Read the body a chunk at a time until its header gives the size."""
    data = b""
    while len(data) < most:
        sock.settimeout(_left(deadline))
        chunk = response.read1(min(READ_SIZE, most - len(data)))
        if not chunk:
            break
        data += chunk
        size = _size(data)
        if size is not None:
            return size
    if len(data) >= most:
        raise ProbeFailed(f"no image size in its first {most} bytes", lasting=True)
    raise ProbeFailed("not an image feeds can read the size of", lasting=True)


def _size(data: bytes) -> ImageSize | None:
    try:
        width, height = imagesize.get(io.BytesIO(data))
    except (ValueError, OSError, IndexError, KeyError):  # a header cut short or malformed
        return None
    if 0 < width <= MOST_PIXELS and 0 < height <= MOST_PIXELS:
        return ImageSize(int(width), int(height))
    return None


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _public_address(host: str, port: int, rules: ProbeRules, deadline: float) -> Address:
    """The first address of `host` a probe may reach; ProbeFailed when it has none."""
    found = _resolve(host, port, deadline)
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    for address in addresses:
        if reachable(address, rules.allow):
            return address
    raise ProbeFailed(f"refused: {host} is {addresses[0]}, not a public address", lasting=True)


def _resolve(host: str, port: int, deadline: float) -> list[Any]:
    """getaddrinfo within the deadline: the system's resolver has timeouts of its own,
    longer than a probe's, so it answers on a thread of its own, which is left to
    finish when it is late."""
    answer: list[Any] = []
    done = threading.Event()

    def lookup() -> None:
        try:
            answer.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as error:
            answer.append(error)
        done.set()

    threading.Thread(target=lookup, name="feeds-resolve", daemon=True).start()
    if not done.wait(_left(deadline)):
        raise TimeoutError
    if isinstance(answer[0], socket.gaierror):
        raise ProbeFailed(f"cannot resolve {host}: {answer[0].strerror}", lasting=False)
    if isinstance(answer[0], Exception):
        raise ProbeFailed(f"cannot resolve {host}: {answer[0]}", lasting=True)
    return list(answer[0])


def reachable(address: Address, allow: tuple[Network, ...]) -> bool:
    """Whether a probe may connect to `address`: a public one, or one in `allow`. An
    IPv6 address that carries an IPv4 one (mapped, compatible, translated, NAT64, 6to4)
    is judged by that one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return reachable(embedded, allow)
    if any(address in network for network in allow):
        return True
    return address.is_global and not address.is_multicast


_CARRIERS = [(ipaddress.ip_network(network), shift) for network, shift in (
    ("::ffff:0:0/96", 0), ("::ffff:0:0:0/96", 0), ("::/96", 0), ("64:ff9b::/96", 0),
    ("2002::/16", 80))]


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped ::ffff:0:0/96, translated
    ::ffff:0:0:0/96, compatible ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16), if any."""
    for network, shift in _CARRIERS:
        if address in network:
            return ipaddress.IPv4Address((int(address) >> shift) & 0xFFFFFFFF)
    return None
