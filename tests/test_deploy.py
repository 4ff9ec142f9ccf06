"""`feeds deploy` against a real S3-compatible store (SeaweedFS on loopback,
started here): only what changed moves, in an order that never breaks a link,
with the headers each kind of file needs; faults give one clear line and the
next deploy finishes the job."""

from __future__ import annotations

import gzip
import itertools
import logging
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import feedparser
import pytest

from feeds.config import Settings
from feeds.daemon import Daemon
from feeds.deploy import DeployReport, deploy, scan_output
from feeds.deploy.plan import Stage, stage_of
from feeds.deploy.store import S3Store
from feeds.errors import DeployError
from feeds.output import Output
from feeds.publish import forget
from feeds.state import State
from tests.conftest import build, generate_corpus, make_settings
from tests.s3store import ACCESS_KEY, SECRET_KEY, SeaweedFS

SAMPLES = Path(__file__).parents[1] / "samples" / "input"
_buckets = itertools.count()

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    server = SeaweedFS(tmp_path_factory.mktemp("seaweedfs"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The standard chain's first link, and nothing of this machine's AWS setup."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def site(root: Path, store: SeaweedFS, dumps: Path = SAMPLES, **overrides: Any) -> Settings:
    """A site built from `dumps`, set to deploy to a bucket of its own."""
    bucket = store.fresh_bucket(f"site{next(_buckets)}")
    settings = make_settings(root, deploy_target=f"s3://{bucket}/news",
                             deploy_endpoint_url=store.endpoint, deploy_region="us-east-1",
                             deploy_attempts=2, **overrides)
    for dump in dumps.iterdir():
        if dump.suffix in (".txt", ".html"):
            shutil.copy2(dump, settings.input_dir / dump.name)
    build(settings)
    return settings


def run_deploy(settings: Settings, **kwargs: Any) -> DeployReport:
    with State(settings.state_path) as state:
        return deploy(settings, state, **kwargs)


def bucket_of(settings: Settings) -> str:
    return settings.deploy_target.removeprefix("s3://").split("/")[0]


def published(settings: Settings, store: SeaweedFS) -> dict[str, bytes]:
    """The store's objects under the prefix, by path relative to the output."""
    return {key.removeprefix("news/"): item["body"]
            for key, item in store.objects(bucket_of(settings)).items()}


def output_files(settings: Settings) -> dict[str, bytes]:
    return {path: (settings.output_dir / path).read_bytes()
            for path in scan_output(settings.output_dir).files}


def test_a_first_deploy_puts_every_file_with_the_headers_of_its_kind(
        tmp_path: Path, store: SeaweedFS) -> None:
    settings = site(tmp_path, store)
    report = run_deploy(settings)
    files = output_files(settings)
    assert sorted(report.uploaded) == sorted(files)
    assert published(settings, store) == files
    objects = store.objects(bucket_of(settings))
    page = next(path for path in files if path.startswith("artikel/"))
    expected = {
        "rss.xml": ("application/rss+xml; charset=utf-8", "public, max-age=300"),
        "atom.xml": ("application/atom+xml; charset=utf-8", "public, max-age=300"),
        "feed.json": ("application/feed+json; charset=utf-8", "public, max-age=300"),
        "index.html": ("text/html; charset=utf-8", "public, max-age=300"),
        "sitemap.xml": ("application/xml; charset=utf-8", "public, max-age=300"),
        "feeds.opml": ("text/x-opml; charset=utf-8", "public, max-age=300"),
        "icon.png": ("image/png", "public, max-age=86400"),
        page: ("text/html; charset=utf-8", "public, max-age=86400"),
    }
    for path, (kind, cache) in expected.items():
        item = objects[f"news/{path}"]
        assert (item["type"], item["cache"], item["encoding"]) == (kind, cache, None), path
    assert report.requests == len(files)  # one PUT a file, no listing, no retry


def test_a_deploy_with_nothing_changed_makes_no_request(tmp_path: Path, store: SeaweedFS) -> None:
    settings = site(tmp_path, store)
    run_deploy(settings)
    build(settings)  # a build that finds nothing new
    again = run_deploy(settings)
    assert (again.uploaded, again.deleted, again.requests) == ([], [], 0)
    assert again.unchanged == len(scan_output(settings.output_dir).files)


def test_one_new_dump_puts_exactly_the_files_it_changed(tmp_path: Path, store: SeaweedFS) -> None:
    dumps = sorted(SAMPLES.glob("*.txt"))
    held_back = dumps[-1]
    staging = tmp_path / "first"
    staging.mkdir()
    for dump in dumps[:-1]:
        shutil.copy2(dump, staging / dump.name)
    settings = site(tmp_path / "site", store, dumps=staging)
    run_deploy(settings)
    before = output_files(settings)
    shutil.copy2(held_back, settings.input_dir / held_back.name)
    build(settings)
    after = output_files(settings)
    changed = sorted(path for path in after if before.get(path) != after[path])
    report = run_deploy(settings)
    assert sorted(report.uploaded) == changed
    assert report.deleted == sorted(set(before) - set(after))
    assert report.requests == len(changed) + (1 if report.deleted else 0)
    kinds = {stage_of(path) for path in changed}
    assert {Stage.PAGES, Stage.FEEDS, Stage.LISTINGS, Stage.SITEMAP_INDEX} <= kinds
    assert published(settings, store) == after


def test_a_forgotten_entry_s_page_is_deleted_after_its_feeds_are_put(
        tmp_path: Path, store: SeaweedFS) -> None:
    settings = site(tmp_path, store)
    run_deploy(settings)
    pages = {path for path in scan_output(settings.output_dir).files if path.startswith("artikel/")}
    with State(settings.state_path) as state:
        entry_id = state.db.execute("SELECT id FROM entries LIMIT 1").fetchone()[0]
        forget(settings, state, [entry_id])
    gone = pages - set(scan_output(settings.output_dir).files)
    assert len(gone) == 1
    order: list[str] = []
    with State(settings.state_path) as state:
        shop = S3Store(settings)
        shop.client.meta.events.register(
            "before-parameter-build.s3", lambda model, params, **_: order.append(
                f"{model.name} {params.get('Key', '')}"))
        report = deploy(settings, state, store=shop)
    assert report.deleted == sorted(gone)
    assert order[-1] == "DeleteObjects "
    assert "PutObject news/rss.xml" in order[:-1], order
    assert set(published(settings, store)) == set(scan_output(settings.output_dir).files)


def test_puts_go_pages_then_feeds_then_listings_then_the_sitemap_index(
        tmp_path: Path, store: SeaweedFS) -> None:
    settings = site(tmp_path, store, entries_per_feed=10)  # archive documents too
    timeline: list[tuple[str, str]] = []  # ("put", path) as it starts, ("in", path) once done
    lock = threading.Lock()

    def begun(params: dict[str, Any], **_: Any) -> None:
        with lock:
            timeline.append(("put", params["Key"].removeprefix("news/")))

    def ended(path: str) -> None:
        with lock:
            timeline.append(("in", path))

    with State(settings.state_path) as state:
        shop = S3Store(settings)
        shop.client.meta.events.register("before-parameter-build.s3.PutObject", begun)
        deploy(settings, state, store=shop, on_put=ended)
    every = set(scan_output(settings.output_dir).files)
    assert {path for event, path in timeline if event == "put"} == every
    # No file is started before every file of the stages before its own is in the store.
    stored: set[str] = set()
    for event, path in timeline:
        if event == "in":
            stored.add(path)
        else:
            assert {p for p in every if stage_of(p) < stage_of(path)} <= stored, path
    assert {stage_of(path) for path in every} == set(Stage)


def test_a_killed_deploy_run_again_ends_as_a_clean_one_putting_nothing_twice(
        tmp_path: Path, store: SeaweedFS) -> None:
    corpus = generate_corpus(tmp_path / "corpus", 250, 0.1, seed=5)
    (corpus / "truth.jsonl").unlink()
    settings = site(tmp_path / "killed", store, dumps=corpus)
    config = tmp_path / "feeds.toml"
    config.write_text(
        f'[site]\ntitle = "Warta Uji"\n[deploy]\ntarget = "{settings.deploy_target}"\n'
        f'endpoint_url = "{store.endpoint}"\nregion = "us-east-1"\n', encoding="utf-8")
    command = [sys.executable, "-m", "feeds", "deploy", "-c", str(config), "--output",
               str(settings.output_dir), "--state", str(settings.state_path)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    recorded: set[str] = set()
    deadline = time.monotonic() + 60
    while len(recorded) < 40 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
        with State(settings.state_path, lock=False) as reader:
            recorded = set(reader.deployed.all())
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the deploy ended before it was killed"
    with State(settings.state_path, lock=False) as reader:
        recorded = set(reader.deployed.all())
    total = len(scan_output(settings.output_dir).files)
    assert 40 <= len(recorded) < total
    finished = subprocess.run(command, capture_output=True, text=True, check=True)
    uploaded = {line.removeprefix("/").removesuffix("index.html")
                for line in finished.stdout.split()}
    assert not {path.removesuffix("index.html") for path in recorded} & uploaded
    clean = site(tmp_path / "clean", store, dumps=corpus)
    run_deploy(clean)
    killed_objects = store.objects(bucket_of(settings))
    clean_objects = store.objects(bucket_of(clean))
    assert killed_objects == clean_objects
    assert {key.removeprefix("news/") for key in killed_objects} == set(
        scan_output(settings.output_dir).files)


def test_the_store_stopped_mid_deploy_is_a_clear_error_and_the_next_deploy_finishes(
        tmp_path: Path, store: SeaweedFS) -> None:
    settings = site(tmp_path, store)
    total = len(scan_output(settings.output_dir).files)
    puts = itertools.count(1)
    stopped = threading.Event()

    def stop_at_twenty(_: str) -> None:
        if next(puts) == 20 and not stopped.is_set():
            stopped.set()
            store.stop()

    try:
        with pytest.raises(DeployError, match=r"cannot reach http://127\.0\.0\.1:\d+"):
            run_deploy(settings, on_put=stop_at_twenty)
    finally:
        store.start()
    with State(settings.state_path) as state:
        recorded = set(state.deployed.all())
    assert 20 <= len(recorded) < total
    report = run_deploy(settings)
    assert not set(report.uploaded) & recorded
    assert published(settings, store) == output_files(settings)


def cli(settings: Settings, tmp_path: Path, *args: str,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    config = tmp_path / "cli.toml"
    config.write_text(
        f'[site]\ntitle = "Warta Uji"\nbase_url = "{settings.base_url}"\n'
        f'[deploy]\ntarget = "{settings.deploy_target}"\n'
        f'endpoint_url = "{settings.deploy_endpoint_url}"\nregion = "us-east-1"\n'
        f'attempts = 2\non_change = "{settings.deploy_on_change}"\n', encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "feeds", "deploy", "-c", str(config), "--output",
         str(settings.output_dir), "--state", str(settings.state_path), *args],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120)


def test_wrong_keys_a_missing_bucket_and_no_store_are_one_clear_line_each(
        tmp_path: Path, store: SeaweedFS) -> None:
    from dataclasses import replace

    settings = site(tmp_path, store)
    wrong = cli(settings, tmp_path, env={"AWS_SECRET_ACCESS_KEY": "not-the-secret"})
    assert wrong.returncode == 1
    assert wrong.stderr.strip().count("\n") == 0
    assert "the secret key does not match the access key (SignatureDoesNotMatch)" in wrong.stderr
    unknown = cli(settings, tmp_path, env={"AWS_ACCESS_KEY_ID": "nobody"})
    assert unknown.returncode == 1 and "(InvalidAccessKeyId)" in unknown.stderr
    missing = cli(replace(settings, deploy_target="s3://no-such-bucket/news"), tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.strip() == ("feeds: s3://no-such-bucket/news/: "
                                      "no such bucket: no-such-bucket")
    closed = cli(replace(settings, deploy_endpoint_url="http://127.0.0.1:9"), tmp_path)
    assert closed.returncode == 1 and closed.stderr.strip().count("\n") == 0
    assert "cannot reach http://127.0.0.1:9" in closed.stderr
    with State(settings.state_path) as state:
        assert state.deployed.count() == 0  # nothing was recorded that the store lacks


class _Throttling(BaseHTTPRequestHandler):
    requests = 0

    def do_PUT(self) -> None:
        type(self).requests += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = (b"<?xml version='1.0'?><Error><Code>SlowDown</Code>"
                b"<Message>Please reduce your request rate.</Message></Error>")
        self.send_response(503)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


def test_a_throttling_store_is_retried_with_backoff_then_a_clear_error(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Throttling)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings = make_settings(tmp_path, deploy_target="s3://news",
                                 deploy_endpoint_url=f"http://127.0.0.1:{server.server_port}",
                                 deploy_region="us-east-1", deploy_attempts=3)
        (settings.output_dir).mkdir(parents=True)
        (settings.output_dir / "rss.xml").write_bytes(b"<rss/>")
        with pytest.raises(DeployError, match=r"the store kept failing \(503 SlowDown: Please "
                                              r"reduce your request rate\) after 3 attempts"):
            run_deploy(settings)
        assert _Throttling.requests == 3
    finally:
        server.shutdown()
        server.server_close()


def test_more_deletions_than_allowed_stop_the_deploy_before_anything_moves(
        tmp_path: Path, store: SeaweedFS) -> None:
    settings = site(tmp_path, store)
    run_deploy(settings)
    pages = sorted(settings.output_dir.glob("artikel/*/*/*.html"))
    for page in pages[:3]:
        page.unlink()
    Output(settings.output_dir).write("rss.xml", b"changed")  # renamed in, as feeds writes
    with pytest.raises(DeployError, match=r"would delete 3 files, more than "
                                          r"deploy.max_deletes \(2\); nothing was changed"):
        run_deploy(settings, max_deletes=2)
    assert published(settings, store)["rss.xml"] != b"changed"
    report = run_deploy(settings, max_deletes=3)
    assert len(report.deleted) == 3 and report.uploaded == ["rss.xml"]


def test_a_dry_run_says_what_would_move_and_moves_nothing(tmp_path: Path,
                                                          store: SeaweedFS) -> None:
    settings = site(tmp_path, store)
    dry = run_deploy(settings, dry_run=True)
    assert len(dry.uploaded) == len(scan_output(settings.output_dir).files) and dry.requests == 0
    assert published(settings, store) == {}
    with State(settings.state_path) as state:
        assert state.deployed.count() == 0
    real = run_deploy(settings)
    assert sorted(real.uploaded) == sorted(dry.uploaded)


def test_verify_repairs_a_store_changed_by_hand(tmp_path: Path, store: SeaweedFS) -> None:
    settings = site(tmp_path, store)
    run_deploy(settings)
    client = store.client()
    bucket = bucket_of(settings)
    client.delete_object(Bucket=bucket, Key="news/feeds.opml")
    client.put_object(Bucket=bucket, Key="news/rss.xml", Body=b"defaced")
    client.put_object(Bucket=bucket, Key="news/stray.html", Body=b"left by hand")
    trusting = run_deploy(settings)
    assert trusting.changed == [] and trusting.requests == 0  # the record says all is there
    report = run_deploy(settings, verify=True)
    assert sorted(report.uploaded) == ["feeds.opml", "rss.xml"]
    assert report.deleted == ["stray.html"]
    assert published(settings, store) == output_files(settings)
    assert run_deploy(settings).requests == 0


def test_changed_paths_go_to_the_cdn_command_and_the_changed_list(
        tmp_path: Path, store: SeaweedFS) -> None:
    received = tmp_path / "purged.txt"
    settings = site(tmp_path / "site", store, base_url="https://warta.example/berita/",
                    deploy_on_change=f"cat > {received}")
    run_deploy(settings)
    # Renamed into place, as feeds writes: a file changed in place leaves its directory's
    # mtime as it was, and a deploy more than RACY_NS after the last trusts the directory.
    Output(settings.output_dir).write("category/dunia/rss.xml", b"<rss/>")
    Output(settings.output_dir).write("index.html", b"<html></html>")
    listed = tmp_path / "changed.txt"
    result = cli(settings, tmp_path, "--changed-list", str(listed))
    assert result.returncode == 0, result.stderr
    expected = ["/berita/category/dunia/rss.xml", "/berita/index.html", "/berita/"]
    assert listed.read_text(encoding="utf-8").split() == expected
    assert result.stdout.split() == expected
    assert received.read_text(encoding="utf-8").split() == expected


def test_the_cdn_command_gets_its_paths_again_after_it_failed(tmp_path: Path,
                                                              store: SeaweedFS) -> None:
    from dataclasses import replace

    received = tmp_path / "purged.txt"
    settings = site(tmp_path / "site", store, deploy_on_change="exit 7")
    run_deploy(replace(settings, deploy_on_change=""))
    Output(settings.output_dir).write("rss.xml", b"<rss>1</rss>")
    with pytest.raises(DeployError, match="exited with status 7; its 1 paths are given again"):
        run_deploy(settings)
    Output(settings.output_dir).write("atom.xml", b"<feed/>")
    run_deploy(replace(settings, deploy_on_change=f"cat > {received}"))
    assert received.read_text(encoding="utf-8").split() == ["/rss.xml", "/atom.xml"]


def test_changed_headers_put_every_file_again(tmp_path: Path, store: SeaweedFS) -> None:
    from dataclasses import replace

    settings = site(tmp_path, store)
    run_deploy(settings)
    longer = replace(settings, deploy_cache_pages="public, max-age=604800")
    report = run_deploy(longer)
    assert len(report.uploaded) == len(scan_output(settings.output_dir).files)
    objects = store.objects(bucket_of(settings))
    page = next(key for key in objects if key.startswith("news/artikel/"))
    assert objects[page]["cache"] == "public, max-age=604800"


def test_gzip_stores_text_compressed_and_says_so(tmp_path: Path, store: SeaweedFS) -> None:
    settings = site(tmp_path, store, deploy_gzip=True)
    run_deploy(settings)
    objects = store.objects(bucket_of(settings))
    rss = objects["news/rss.xml"]
    assert rss["encoding"] == "gzip"
    assert gzip.decompress(rss["body"]) == (settings.output_dir / "rss.xml").read_bytes()
    assert objects["news/icon.png"]["encoding"] is None
    assert run_deploy(settings).requests == 0  # compressed the same way every time


def test_a_reader_subscribes_to_a_feed_served_by_the_store(tmp_path: Path,
                                                           store: SeaweedFS) -> None:
    bucket_url = f"{store.endpoint}/site{{}}/news/"
    settings = site(tmp_path, store)
    base = bucket_url.format(bucket_of(settings).removeprefix("site"))
    run_deploy(settings)
    feed = feedparser.parse(store.fetch(bucket_of(settings), "news/rss.xml"))
    assert not feed.bozo and len(feed.entries) > 0
    for entry in feed.entries:
        page = entry.link.replace(settings.base_url, base)
        assert entry.link.startswith(settings.base_url)
        key = page.removeprefix(f"{store.endpoint}/{bucket_of(settings)}/")
        assert store.fetch(bucket_of(settings), key).startswith(b"<!DOCTYPE html>")


def test_the_daemon_deploys_after_a_pass_and_retries_a_failed_deploy(
        tmp_path: Path, store: SeaweedFS, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="feeds.daemon")
    settings = site(tmp_path, store)
    with State(settings.state_path) as state:
        daemon = Daemon(settings, state, deploy=True)
        daemon.full_pass()  # nothing new: the deploy owed from the start
        assert published(settings, store) == output_files(settings)
        extra = generate_corpus(tmp_path / "more", 3, 0.0, seed=99)
        store.stop()
        try:
            for dump in extra.glob("*.txt"):
                shutil.copy2(dump, settings.input_dir / dump.name)
            report = daemon.full_pass()
            assert report is not None and report.parsed == 3  # published locally all the same
            assert "deploy failed, retried after the next pass" in caplog.text
        finally:
            store.start()
        daemon.full_pass()  # nothing new to publish; the owed deploy goes
        assert published(settings, store) == output_files(settings)
        assert "recovered: deploying again" in caplog.text


# The decisions alone, without a store.

def test_each_file_has_its_stage_and_its_cache_lifetime() -> None:
    from feeds.deploy import header_rules
    from feeds.deploy.plan import headers_for

    rules = header_rules(make_settings_only())
    cases = {
        "artikel/2025/01/x.html": (Stage.PAGES, "public, max-age=86400"),
        "icon.svg": (Stage.PAGES, "public, max-age=86400"),
        "category/dunia/rss.xml": (Stage.FEEDS, "public, max-age=300"),
        "author/ani/feed.json": (Stage.FEEDS, "public, max-age=300"),
        "category/dunia/index.html": (Stage.LISTINGS, "public, max-age=300"),
        "sitemap/2025-01.xml": (Stage.LISTINGS, "public, max-age=300"),
        "news-sitemap.xml": (Stage.LISTINGS, "public, max-age=300"),
        "feeds.opml": (Stage.LISTINGS, "public, max-age=300"),
        "sitemap.xml": (Stage.SITEMAP_INDEX, "public, max-age=300"),
        "archive/3/rss.xml": (Stage.ARCHIVES, "public, max-age=86400"),
        "category/dunia/archive/12/feed.json": (Stage.ARCHIVES, "public, max-age=86400"),
    }
    for path, (stage, cache) in cases.items():
        assert (stage_of(path), headers_for(path, rules).cache_control) == (stage, cache), path


def make_settings_only() -> Settings:
    from feeds.config import validate

    return validate(Settings(deploy_target="s3://news"))


def test_the_plan_reads_only_files_whose_stat_changed_and_deletes_what_is_gone() -> None:
    from feeds.deploy.plan import LocalFile, plan
    from feeds.state import DeployedFile

    local = {"rss.xml": LocalFile(10, 5), "artikel/a.html": LocalFile(7, 1),
             "index.html": LocalFile(3, 3), "sitemap.xml": LocalFile(4, 4)}
    deployed = {"rss.xml": DeployedFile(10, 5, "aa"), "artikel/a.html": DeployedFile(7, 2, "bb"),
                "index.html": DeployedFile(3, 3, ""), "old.html": DeployedFile(1, 1, "cc")}
    decided = plan(local, deployed)
    assert decided.candidates == ["artikel/a.html", "index.html", "sitemap.xml"]
    assert decided.deletions == ["old.html"]
    assert decided.unchanged == 1


def test_changed_url_paths_name_an_index_page_s_directory_too() -> None:
    from feeds.deploy.plan import url_paths

    assert url_paths(["index.html", "category/ekonomi/index.html", "artikel/a b.html"],
                     "https://warta.example/") == [
        "/index.html", "/", "/category/ekonomi/index.html", "/category/ekonomi/",
        "/artikel/a%20b.html"]


def test_a_full_store_and_other_refusals_read_as_one_line() -> None:
    from feeds.deploy.plan import Target
    from feeds.deploy.store import _refusal

    target = Target.parse("s3://news/site")
    assert target == Target("news", "site/")
    full = {"Error": {"Code": "QuotaExceeded", "Message": "Bucket quota exceeded."},
            "ResponseMetadata": {"HTTPStatusCode": 403}}
    assert _refusal(full, target) == ("the store is full or over its quota "
                                      "(QuotaExceeded: Bucket quota exceeded)")
    insufficient = {"Error": {}, "ResponseMetadata": {"HTTPStatusCode": 507}}
    assert _refusal(insufficient, target).startswith("the store is full or over its quota")
    denied = {"Error": {"Code": "AccessDenied", "Message": "Access Denied"},
              "ResponseMetadata": {"HTTPStatusCode": 403}}
    assert _refusal(denied, target) == ("access denied: the credentials may not write this "
                                        "bucket (AccessDenied)")


def test_a_directory_unchanged_since_the_last_deploy_is_not_looked_into(
        tmp_path: Path, store: SeaweedFS) -> None:
    import os

    settings = site(tmp_path, store)
    run_deploy(settings)
    an_hour_ago = time.time_ns() - 3600 * 10**9
    directories = [settings.output_dir, *(p for p in settings.output_dir.rglob("*") if p.is_dir())]
    for directory in directories:  # as if the deploy had been an hour ago
        os.utime(directory, ns=(an_hour_ago, an_hour_ago))
    run_deploy(settings)  # records the directories' settled mtimes
    with State(settings.state_path) as state:
        assert scan_output(settings.output_dir, state.deployed.dirs()).looked_into == set()
    Output(settings.output_dir).write("category/dunia/rss.xml", b"<rss>new</rss>")
    report = run_deploy(settings)
    assert report.uploaded == ["category/dunia/rss.xml"]
    assert report.unchanged == len(scan_output(settings.output_dir).files) - 1
    # A file changed in place, not renamed into place, with its directory's mtime put
    # back, is found by --verify alone.
    page = next(settings.output_dir.glob("artikel/*/*/*.html"))
    settled = page.parent.stat().st_mtime_ns
    page.write_bytes(b"edited by hand")
    os.utime(page.parent, ns=(settled, settled))
    assert run_deploy(settings).uploaded == []
    relative = page.relative_to(settings.output_dir).as_posix()
    assert run_deploy(settings, verify=True).uploaded == [relative]
