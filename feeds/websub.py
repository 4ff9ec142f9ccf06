"""WebSub (W3C Recommendation): telling a hub which feeds changed.

Publishing never waits for the hub: notifications queue up and a thread of
their own sends them (`hub.mode=publish`, `hub.url=<feed>`), retrying with
exponential back-off when the hub fails or cannot be reached.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from typing import NamedTuple

from feeds.site import FEED_FILES

log = logging.getLogger("feeds.websub")


def changed_feed_urls(written: Iterable[str], base_url: str) -> list[str]:
    """The URLs of the feed files among the output paths a run wrote."""
    names = set(FEED_FILES.values())
    return sorted(base_url + path for path in written if path.rsplit("/", 1)[-1] in names)


class Due(NamedTuple):
    """A notification to send: when, which attempt, for which feed. A named tuple,
    so that the heap orders by time."""

    when: float
    attempt: int
    url: str


class HubNotifier:
    """Sends publish notifications to one hub from a background thread."""

    def __init__(self, hub_url: str, *, attempts: int = 6, first_delay: float = 1.0,
                 max_delay: float = 300.0, timeout: float = 10.0) -> None:
        self.hub_url = hub_url
        self.attempts = attempts
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.timeout = timeout
        self.sent: list[str] = []
        self._due: list[Due] = []  # a heap: the soonest first
        self._waiting: set[str] = set()
        self._condition = threading.Condition()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="websub", daemon=True)
        self._thread.start()

    def notify(self, feed_urls: Iterable[str]) -> None:
        """Queue these feeds; returns at once. A feed already waiting is not queued twice."""
        with self._condition:
            for url in feed_urls:
                if url not in self._waiting:
                    self._waiting.add(url)
                    heapq.heappush(self._due, Due(time.monotonic(), 1, url))
            self._condition.notify()

    def close(self, wait: float = 5.0) -> None:
        """Send what is due within `wait` seconds, then stop (retries are dropped)."""
        deadline = time.monotonic() + wait
        with self._condition:
            while self._due and self._due[0].when <= time.monotonic() and \
                    time.monotonic() < deadline:
                self._condition.wait(timeout=0.05)
            self._closing = True
            self._condition.notify()
        self._thread.join(timeout=max(0.0, deadline - time.monotonic()) + 1)

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._closing and (not self._due or self._due[0].when > time.monotonic()):
                    timeout = self._due[0].when - time.monotonic() if self._due else None
                    self._condition.wait(timeout=timeout)
                if self._closing:
                    return
                due = heapq.heappop(self._due)
                attempt, url = due.attempt, due.url
            ok = self._send(url, attempt)
            with self._condition:
                if ok:
                    self._waiting.discard(url)
                    self.sent.append(url)
                elif attempt < self.attempts:
                    delay = min(self.first_delay * 2 ** (attempt - 1), self.max_delay)
                    heapq.heappush(self._due, Due(time.monotonic() + delay, attempt + 1, url))
                else:
                    self._waiting.discard(url)
                    log.error("hub %s: gave up notifying %s after %d attempts", self.hub_url,
                              url, attempt)
                self._condition.notify_all()

    def _send(self, url: str, attempt: int) -> bool:
        body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": url}).encode()
        request = urllib.request.Request(
            self.hub_url, data=body, method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                ok = 200 <= int(response.status) < 300
        except (urllib.error.URLError, OSError, ValueError) as error:
            log.warning("hub %s: notifying %s failed (attempt %d): %s", self.hub_url, url,
                        attempt, error)
            return False
        if not ok:
            log.warning("hub %s: notifying %s got status %d (attempt %d)", self.hub_url, url,
                        response.status, attempt)
        return ok
