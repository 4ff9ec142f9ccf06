"""The object store, through boto3: the reference S3 client, whose standard
credential chain (environment, shared credentials file, instance role) and
retries with backoff (5xx answers, throttling, dropped connections) every
S3-compatible store is tested against. Every failure becomes one DeployError
naming the target and what went wrong."""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from feeds.deploy.plan import Headers, Target
from feeds.errors import DeployError

if TYPE_CHECKING:
    from feeds.config import Settings

DELETE_BATCH = 1000  # the most keys one DeleteObjects request takes
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0

# What a store's error codes mean to an operator.
_CREDENTIALS = {"InvalidAccessKeyId": "the store does not know the access key",
                "SignatureDoesNotMatch": "the secret key does not match the access key",
                "AccessDenied": "access denied: the credentials may not write this bucket",
                "ExpiredToken": "the credentials have expired",
                "InvalidToken": "the session token is not valid"}
_FULL = {"QuotaExceeded", "XMinioStorageFull", "InsufficientStorage", "StorageFull",
         "EntityTooLarge", "ServiceQuotaExceeded"}


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    etag: str  # the MD5 of its bytes for a single-part upload
    size: int


class S3Store:
    """One bucket of an S3-compatible store; `requests` counts the HTTP requests
    made, retries included."""

    def __init__(self, settings: Settings, *, concurrency: int = 16) -> None:
        import boto3  # only a deploy loads the S3 stack
        from botocore.config import Config

        self.target = Target.parse(settings.deploy_target)
        self.endpoint = settings.deploy_endpoint_url or "Amazon S3"
        config = Config(retries={"total_max_attempts": settings.deploy_attempts,
                                 "mode": "standard"},
                        connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT,
                        max_pool_connections=concurrency,
                        # Stores other than Amazon's do not all know the newer
                        # checksums; every PUT carries Content-MD5 instead.
                        request_checksum_calculation="when_required",
                        response_checksum_validation="when_required")
        with self._errors():
            self.client = boto3.session.Session().client(
                "s3", endpoint_url=settings.deploy_endpoint_url or None,
                region_name=settings.deploy_region or None, config=config)
        self.requests = 0
        self.client.meta.events.register("before-send.s3", self._count)

    def _count(self, **_: Any) -> None:
        self.requests += 1

    def put(self, key: str, body: bytes, md5: str, headers: Headers) -> None:
        extra = {"ContentEncoding": headers.content_encoding} if headers.content_encoding else {}
        with self._errors(key):
            self.client.put_object(
                Bucket=self.target.bucket, Key=key, Body=body,
                ContentMD5=base64.b64encode(bytes.fromhex(md5)).decode("ascii"),
                ContentType=headers.content_type, CacheControl=headers.cache_control, **extra)

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), DELETE_BATCH):
            batch = keys[start:start + DELETE_BATCH]
            with self._errors(batch[0]):
                answer = self.client.delete_objects(
                    Bucket=self.target.bucket,
                    Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True})
            failed = answer.get("Errors") or []
            if failed:
                first = failed[0]
                raise DeployError(str(self.target), f"cannot delete {first.get('Key')}: "
                                               f"{first.get('Code')} {first.get('Message')}")

    def objects(self) -> Iterator[StoredObject]:
        """Every object under the target's prefix (a listing, page by page)."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.target.bucket, Prefix=self.target.prefix)
        with self._errors():
            for page in pages:
                for item in page.get("Contents", []):
                    yield StoredObject(item["Key"], str(item["ETag"]).strip('"'),
                                       int(item["Size"]))

    @contextlib.contextmanager
    def _errors(self, key: str | None = None) -> Iterator[None]:
        """Each failure as one DeployError: about the target when it is the store's
        or the credentials', about the object otherwise."""
        from botocore import exceptions

        target = str(self.target)
        where = f"{target}{key.removeprefix(self.target.prefix)}" if key else target
        try:
            yield
        except exceptions.NoCredentialsError as error:
            raise DeployError(target, "no credentials: set AWS_ACCESS_KEY_ID and "
                                      "AWS_SECRET_ACCESS_KEY, a shared credentials file "
                                      "(AWS_PROFILE) or an instance role") from error
        except (exceptions.EndpointConnectionError, exceptions.ConnectionClosedError,
                exceptions.ConnectTimeoutError, exceptions.ReadTimeoutError) as error:
            raise DeployError(target, f"cannot reach {self.endpoint}: {error}") from error
        except exceptions.ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            about = target if code == "NoSuchBucket" or code in _CREDENTIALS else where
            raise DeployError(about, _refusal(error.response, self.target)) from error
        except exceptions.BotoCoreError as error:
            raise DeployError(where, str(error)) from error


def _refusal(response: Any, target: Target) -> str:
    """One line for an error the store answered with."""
    error = response.get("Error", {})
    code = str(error.get("Code", ""))
    message = str(error.get("Message", "")).rstrip(".")
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    attempts = response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
    if code == "NoSuchBucket":
        return f"no such bucket: {target.bucket}"
    if code in _CREDENTIALS:
        return f"{_CREDENTIALS[code]} ({code})"
    if code in _FULL or status == 507:
        return f"the store is full or over its quota ({code or status}: {message})"
    if isinstance(status, int) and (status >= 500 or code in ("SlowDown", "Throttling")):
        return (f"the store kept failing ({status} {code}: {message}) "
                f"after {attempts + 1} attempts")
    return f"{code or status}: {message}" if message else f"{code or status}"
