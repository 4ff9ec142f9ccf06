"""`feeds deploy`: the output directory into an object store, moving only what
changed since the last deploy.

The state remembers what the store holds (`State.deployed`): each file's local
size and mtime when it was put, and the MD5 of the bytes put. A deploy lists
the output directory (no request), reads only the files whose stat changed,
puts those whose bytes changed, in the order `plan` gives, recording each as
soon as the store has it, and deletes the keys whose files are gone, last. A
deploy stopped at any point is finished by the next, which puts nothing again
that the store already has. `verify` lists the bucket once instead of trusting
the record, for a store changed by hand or a state lost."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from feeds.deploy.plan import (
    HeaderRules,
    Headers,
    Kind,
    LocalFile,
    Target,
    headers_for,
    plan,
    stage_of,
    url_paths,
)
from feeds.errors import DeployError
from feeds.state import DeployedFile, State
from feeds.state.deployed import HEADERS_KEY, TARGET_KEY, UNPURGED_KEY

if TYPE_CHECKING:
    from concurrent.futures import Future

    from feeds.config import Settings
    from feeds.deploy.store import StoredObject

__all__ = ["DeployReport", "Listing", "Store", "deploy", "header_rules", "open_store",
           "scan_output"]

CONCURRENCY = 16  # requests in flight at once
# A directory whose mtime is this recent when listed is looked into again next
# time: a file renamed into it within the same tick of the file system's clock
# would leave its mtime as it was.
RACY_NS = 2_000_000_000
ON_CHANGE_TIMEOUT = 300.0  # seconds the on_change command may take


class Store(Protocol):
    requests: int

    def put(self, key: str, body: bytes, md5: str, headers: Headers) -> None: ...
    def delete(self, keys: list[str]) -> None: ...
    def objects(self) -> Iterator[StoredObject]: ...


@dataclass(slots=True)
class DeployReport:
    """What a deploy moved (or, dry, would move)."""

    target: str
    uploaded: list[str] = field(default_factory=list)  # in the order they were put
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    bytes_uploaded: int = 0
    requests: int = 0
    dry_run: bool = False

    @property
    def changed(self) -> list[str]:
        return self.uploaded + self.deleted


@dataclass(frozen=True, slots=True)
class _Body:
    path: str
    data: bytes
    md5: str
    local: LocalFile
    headers: Headers


def header_rules(settings: Settings) -> HeaderRules:
    return HeaderRules({Kind.FEED: settings.deploy_cache_feeds,
                        Kind.LISTING: settings.deploy_cache_listings,
                        Kind.PAGE: settings.deploy_cache_pages,
                        Kind.ASSET: settings.deploy_cache_assets,
                        Kind.ARCHIVE: settings.deploy_cache_archives}, gzip=settings.deploy_gzip)


@dataclass(frozen=True, slots=True)
class Listing:
    """The output directory as a deploy sees it: the files of the directories it
    looked into, and every directory with its mtime."""

    files: dict[str, LocalFile]
    dirs: dict[str, int]
    looked_into: set[str]
    started_ns: int  # wall clock when the listing began

    def dirs_to_trust(self) -> dict[str, int]:
        """The directories' mtimes to record, -1 for any that changed so recently that
        a file renamed into it in the same clock tick would not change it again."""
        recent = self.started_ns - RACY_NS
        return {path: mtime if mtime < recent else -1 for path, mtime in self.dirs.items()}


def scan_output(root: Path, trusted: Mapping[str, int] | None = None) -> Listing:
    """Every directory under `root` with its mtime, and the files (by path relative
    to `root`) of each directory whose mtime is not the one `trusted` gives. A
    dotfile is a writer's temporary: never published."""
    trusted = trusted or {}
    started = time.time_ns()
    files: dict[str, LocalFile] = {}
    dirs = {"": root.stat().st_mtime_ns}
    looked_into: set[str] = set()
    pending = [("", str(root))]
    while pending:
        relative, directory = pending.pop()
        look = trusted.get(relative) != dirs[relative]
        if look:
            looked_into.add(relative)
        prefix = f"{relative}/" if relative else ""
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    dirs[prefix + entry.name] = entry.stat(follow_symlinks=False).st_mtime_ns
                    pending.append((prefix + entry.name, entry.path))
                elif look and entry.is_file(follow_symlinks=False):
                    stat = entry.stat(follow_symlinks=False)
                    files[prefix + entry.name] = LocalFile(stat.st_size, stat.st_mtime_ns)
    return Listing(files, dirs, looked_into, started)


def deploy(settings: Settings, state: State, *, dry_run: bool = False, verify: bool = False,
           max_deletes: int | None = None, store: Store | None = None,
           on_put: Callable[[str], None] | None = None) -> DeployReport:
    """Bring the store to the output directory's content. Raises DeployError,
    having recorded whatever the store took before the fault."""
    if not settings.deploy_target:
        raise DeployError(settings.output_dir, "no deploy target: set deploy.target "
                                               "(s3://bucket/prefix) in the configuration")
    target = Target.parse(settings.deploy_target)
    rules = header_rules(settings)
    report = DeployReport(str(target), dry_run=dry_run)
    if not dry_run:
        _adopt_target(state, f"{settings.deploy_endpoint_url} {target}", rules)
    if not settings.output_dir.is_dir():
        raise DeployError(settings.output_dir, "no output directory to deploy: run feeds build")
    if verify:
        store = store or open_store(settings)
        listing, deployed = _listed_store(settings.output_dir, state, store, target,
                                          record=not dry_run)
    else:
        listing, deployed = _recorded_store(settings.output_dir, state)
        report.unchanged = state.deployed.count() - len(deployed)  # in directories left alone
    local = listing.files
    decided = plan(local, deployed)
    _limit_deletions(target, len(decided.deletions),
                     settings.deploy_max_deletes if max_deletes is None else max_deletes)
    report.unchanged += decided.unchanged
    bodies = (_body(settings.output_dir, path, local[path], rules) for path in decided.candidates)
    if dry_run:
        _tell(bodies, deployed, report)
        report.deleted = decided.deletions
        return report
    if decided.candidates or decided.deletions:
        store = store or open_store(settings)
        requests_before = store.requests
        try:
            _put_all(state, store, target, bodies, deployed, report, on_put)
            if decided.deletions:
                store.delete([target.key(path) for path in decided.deletions])
                with state.transaction():
                    state.deployed.remove(decided.deletions)
                report.deleted = decided.deletions
        finally:
            report.requests = store.requests - requests_before
    with state.transaction():
        state.deployed.set_dirs(listing.dirs_to_trust())
    _notify_cdn(settings, state, report)
    return report


def _limit_deletions(target: Target, deletions: int, limit: int) -> None:
    if deletions > limit:
        raise DeployError(str(target), f"would delete {deletions} files, more than "
                                       f"deploy.max_deletes ({limit}); nothing was changed. "
                                       f"If that is meant, run feeds deploy --max-deletes "
                                       f"{deletions}")


def _tell(bodies: Iterator[_Body], deployed: dict[str, DeployedFile],
          report: DeployReport) -> None:
    """A dry run: what would be put."""
    for body in bodies:
        if _stored(deployed.get(body.path), body):
            report.unchanged += 1
        else:
            report.uploaded.append(body.path)
            report.bytes_uploaded += len(body.data)


def open_store(settings: Settings) -> Store:
    """A client of the configured store, to give `deploy` again and again (a
    daemon's passes): its connections and loaded models are reused."""
    from feeds.deploy.store import S3Store

    return S3Store(settings, concurrency=CONCURRENCY)


def _adopt_target(state: State, target: str, rules: HeaderRules) -> None:
    """A record made for another store says nothing of this one: forget it (the
    other store is left as it is). Other headers mean every file is put again."""
    with state.transaction():
        if state.meta(TARGET_KEY) != target:
            state.deployed.clear()
            state.set_meta(TARGET_KEY, target)
            state.set_meta(HEADERS_KEY, rules.fingerprint())
        elif state.meta(HEADERS_KEY) != rules.fingerprint():
            state.deployed.owe_all()
            state.set_meta(HEADERS_KEY, rules.fingerprint())


def _recorded_store(output: Path, state: State) -> tuple[Listing, dict[str, DeployedFile]]:
    """The output's directories that changed since the last deploy, with their
    files, and what the record says the store holds of them."""
    recorded_dirs = state.deployed.dirs()
    listing = scan_output(output, recorded_dirs)
    vanished = set(recorded_dirs) - set(listing.dirs)
    return listing, state.deployed.in_dirs(listing.looked_into | vanished)


def _listed_store(output: Path, state: State, store: Store, target: Target, *,
                  record: bool) -> tuple[Listing, dict[str, DeployedFile]]:
    """Every file of the output, and what the store's listing says it holds; with
    `record`, the listing replaces the record (every file is then read and
    compared with it)."""
    stored = {target.path(item.key): item.etag for item in store.objects()}
    deployed = {path: DeployedFile(-1, -1, etag) for path, etag in stored.items()}
    if record:
        with state.transaction():
            state.deployed.clear()
            for path, file in deployed.items():
                state.deployed.put(path, file)
    return scan_output(output), deployed


def _body(root: Path, path: str, local: LocalFile, rules: HeaderRules) -> _Body:
    """The bytes to put for `path`, as the store will hold them."""
    import gzip  # this and the other imports in functions: a deploy that finds nothing
    import hashlib  # to move does not load them

    headers = headers_for(path, rules)
    try:
        data = (root / path).read_bytes()
    except OSError as error:
        raise DeployError(root / path, f"cannot read: {error.strerror or error}") from error
    if headers.content_encoding == "gzip":
        data = gzip.compress(data, compresslevel=9, mtime=0)  # the same bytes every time
    md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
    return _Body(path, data, md5, local, headers)


def _stored(known: DeployedFile | None, body: _Body) -> bool:
    return known is not None and known.md5 == body.md5


def _put_all(state: State, store: Store, target: Target, bodies: Iterator[_Body],
             deployed: dict[str, DeployedFile], report: DeployReport,
             on_put: Callable[[str], None] | None) -> None:
    """Put the bodies that the store lacks, stage after stage (a stage's files
    are all in the store before the next stage's first is put), recording each."""
    from concurrent.futures import FIRST_COMPLETED, FIRST_EXCEPTION, ThreadPoolExecutor, wait

    recording = threading.Lock()

    def record(body: _Body) -> None:
        with recording, state.transaction():
            state.deployed.put(body.path, DeployedFile(body.local.size, body.local.mtime_ns,
                                                       body.md5))

    def put(body: _Body) -> None:
        store.put(target.key(body.path), body.data, body.md5, body.headers)
        record(body)
        if on_put is not None:
            on_put(body.path)

    with ThreadPoolExecutor(CONCURRENCY, thread_name_prefix="deploy") as pool:
        for _, staged in groupby(bodies, key=lambda body: stage_of(body.path)):
            running: set[Future[None]] = set()
            for body in staged:
                if _stored(deployed.get(body.path), body):
                    record(body)  # the same bytes (a file rewritten, or a listing matched)
                    report.unchanged += 1
                    continue
                report.uploaded.append(body.path)
                report.bytes_uploaded += len(body.data)
                running.add(pool.submit(put, body))
                if len(running) >= 2 * CONCURRENCY:  # bounded: bodies are read as needed
                    done, running = wait(running, return_when=FIRST_COMPLETED)
                    _raise_first(done, running)
            done, _ = wait(running, return_when=FIRST_EXCEPTION)
            _raise_first(done, running - done)


def _raise_first(done: set[Future[None]], running: set[Future[None]]) -> None:
    """The first failure, once the requests still in flight have ended (what the
    store took meanwhile is recorded)."""
    from concurrent.futures import wait

    failed = next((future for future in done if future.exception() is not None), None)
    if failed is None:
        return
    wait(running)
    raise failed.exception()  # type: ignore[misc]


def _notify_cdn(settings: Settings, state: State, report: DeployReport) -> None:
    """Run deploy.on_change with the changed URL paths on its standard input; the
    paths of a command that failed are given again to the next."""
    if not settings.deploy_on_change:
        return
    import subprocess

    owed = (state.meta(UNPURGED_KEY) or "").split()
    paths = list(dict.fromkeys(owed + url_paths(report.changed, settings.base_url)))
    if not paths:
        return
    with state.transaction():
        state.set_meta(UNPURGED_KEY, "\n".join(paths))
    try:
        finished = subprocess.run(settings.deploy_on_change, shell=True, check=False,
                                  input="".join(f"{path}\n" for path in paths).encode(),
                                  timeout=ON_CHANGE_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise DeployError("deploy.on_change", f"the command failed: {error}; its "
                                              f"{len(paths)} paths are given again next "
                                              f"time") from error
    if finished.returncode != 0:
        raise DeployError("deploy.on_change", f"the command exited with status "
                                              f"{finished.returncode}; its {len(paths)} paths "
                                              f"are given again next time")
    with state.transaction():
        state.set_meta(UNPURGED_KEY, "")
