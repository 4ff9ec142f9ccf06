"""The probe stage (`images.probe`): the lead images whose size their page did
not state, read over HTTP between recording the dumps and rendering, and the
entries that use them shown again with the size.

An image is probed once: what a probe found is kept in the state (`images`), and
an entry recorded later with the same image is given the size as it is recorded
(`ingest`). A failed probe is one line in the log; a failure that may pass
(a timeout, a 5xx) is tried again later, a few times, and one that will not
(a 404, a refused address, no image) never. Showing an entry with its size
changes neither its id nor its `updated` (`feeds.plan.plan_image_size`).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from feeds import __version__
from feeds.config import Settings
from feeds.plan import plan_image_size
from feeds.probe import Probed, ProbeRules, probe
from feeds.publish.report import StopRequested
from feeds.state import IMAGES_WAITING, ProbeFailure, State

log = logging.getLogger("feeds.images")
BATCH = 64  # images probed between two looks at `stop`, their findings one transaction
RETRIES = (timedelta(hours=1), timedelta(hours=6), timedelta(days=1))  # after failure 1, 2, 3


def probe_rules(settings: Settings) -> ProbeRules:
    return ProbeRules(
        timeout=settings.images_timeout, max_bytes=settings.images_max_bytes,
        user_agent=f"feeds/{__version__} (image size; +{settings.base_url})",
        allow=tuple(ipaddress.ip_network(network, strict=False)
                    for network in settings.images_allow_networks))


def retry_at(failed: Probed, failures_before: int, now: datetime) -> datetime | None:
    """When to probe an image again after this failure; None: never."""
    if failed.lasting or failures_before >= len(RETRIES):
        return None
    return now + RETRIES[failures_before]


@dataclass(frozen=True, slots=True)
class Sized:
    """What the probe stage did: entries shown again with their image's size, and
    whether images are left to probe."""

    shown: int
    more: bool


def size_images(settings: Settings, state: State, stop: StopRequested,
                clock: Callable[[], datetime], most: int | None = None) -> Sized:
    """Probe the images entries wait for (at most `most`, the newest entries'
    first), and show those entries with their sizes. With probing off,
    nothing waits."""
    if not settings.images_probe:
        with state.transaction():
            state.images.stop_waiting()
            state.set_meta(IMAGES_WAITING, "")
        return Sized(0, more=False)
    if not state.meta(IMAGES_WAITING):
        _list_waiting(state)
    rules = probe_rules(settings)
    shown = _show_sized(state)
    left = most
    with ThreadPoolExecutor(settings.images_concurrency,
                            thread_name_prefix="feeds-probe") as pool:
        while not stop() and left != 0:
            urls = state.images.due(clock(), BATCH if left is None else min(BATCH, left))
            if not urls:
                return Sized(shown, more=False)
            found = list(pool.map(lambda url: probe(url, rules), urls))
            _note(state, found, clock())
            shown += _show_sized(state)
            left = None if left is None else left - len(urls)
    return Sized(shown, more=bool(state.images.due(clock(), 1)))


def _note(state: State, found: list[Probed], now: datetime) -> None:
    failed = [probed for probed in found if probed.size is None]
    before = state.images.failures([probed.url for probed in failed])
    for probed in failed:
        log.warning("image %s: size not read: %s", probed.url, probed.failure)
    with state.transaction():
        state.images.note(
            {probed.url: probed.size for probed in found if probed.size is not None},
            [ProbeFailure(probed.url, probed.failure,
                          retry_at(probed, before.get(probed.url, 0), now))
             for probed in failed])


def _show_sized(state: State) -> int:
    """Show again, with the size, the entries waiting for an image whose size
    is now known; how many."""
    shown = 0
    while waiting := state.images.waiting_with_sizes(BATCH * 8):
        with state.transaction():
            known = state.entries.known({item.entry_id for item in waiting})
            plans = {item.entry_id: plan for item in waiting if item.entry_id in known
                     if (plan := plan_image_size(known[item.entry_id], item.url, item.size))}
            state.entries.apply(plan.intent for plan in plans.values())
            state.work.add(feeds=set().union(*(plan.feeds for plan in plans.values())),
                           pages=plans)
            state.images.stop_waiting(item.entry_id for item in waiting)
        shown += len(plans)
    return shown


def _list_waiting(state: State) -> None:
    """Probing was off: list every entry whose lead image's size is unknown."""
    from feeds.records import decode_record

    with state.transaction():
        state.images.stop_waiting()
        state.images.wait({entry_id: entry.image for entry_id, record in state.entries.records()
                           if (entry := decode_record(record)).image and not entry.image_width})
        state.set_meta(IMAGES_WAITING, "yes")
