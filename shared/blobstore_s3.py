"""The blob store on an S3-compatible object store (AWS S3, versitygw, MinIO, Ceph RGW...).

Same behaviour as :class:`shared.blobstore.LocalBlobStore`: :func:`check_blob` runs
before anything is sent, the object key is ``<ab>/<sha256>`` (the local layout), and a
missing or malformed name is :class:`BlobNotFoundError`. A put of bytes already stored
sends them again: that refreshes the object's time, which the sweep of unreferenced
blobs (:mod:`shared.blob_sweep`) reads, and S3 servers such as versitygw keep the time
of an object copied onto itself. The bucket is created on first use if it is absent.

An unreachable or refusing store (connection refused, timeout, 5xx, bad keys) is
:class:`BlobUnavailableError`, which the APIs turn into a 503 problem; nothing is half
stored, since S3 makes an object visible only once it is complete.

Every upload carries its SHA-256 (``x-amz-checksum-sha256``), so the server refuses
bytes damaged on the way; every download is checked against its name.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from shared.blobstore import (
    ALLOWED_TYPES,
    MAX_BYTES,
    SHA256_HEX,
    BlobNotFoundError,
    BlobUnavailableError,
    StoredBlob,
    _checked_name,
    check_blob,
)

log = logging.getLogger(__name__)

NOT_FOUND = frozenset({"404", "NoSuchKey", "NoSuchBucket", "NotFound"})
NO_BUCKET = frozenset({"NoSuchBucket"})
ALREADY_THERE = frozenset({"BucketAlreadyOwnedByYou", "BucketAlreadyExists"})


def _code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _status(error: Exception) -> int:
    response = getattr(error, "response", None) or {}
    return int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)


def _unavailable(error: Exception, what: str) -> BlobUnavailableError:
    code = _code(error) or type(error).__name__
    log.warning("blob store unavailable: %s failed (%s)", what, code)
    return BlobUnavailableError(f"{what}: {code}")


class S3BlobStore:
    """Blobs as objects ``<ab>/<sha256>`` of one bucket. ``client`` is a boto3 S3 client
    (thread-safe; see :func:`s3_client`)."""

    def __init__(
        self,
        client: Any,
        bucket: str,
        *,
        region: str = "us-east-1",
        max_bytes: int = MAX_BYTES,
        allowed: frozenset[str] = ALLOWED_TYPES,
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.region = region
        self.max_bytes = max_bytes
        self.allowed = allowed
        self._bucket_ready = False

    @staticmethod
    def key(sha256: str) -> str:
        name = _checked_name(sha256)
        return f"{name[:2]}/{name}"

    def put(self, data: bytes) -> str:
        info = check_blob(data, max_bytes=self.max_bytes, allowed=self.allowed)
        key = self.key(info.sha256)
        self._ensure_bucket()
        checksum = base64.b64encode(hashlib.sha256(data).digest()).decode()
        for attempt in (1, 2):
            try:
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=key,
                    Body=data,
                    ContentType=info.content_type,
                    ChecksumSHA256=checksum,
                )
                return info.sha256
            except self._errors() as error:
                if _code(error) in NO_BUCKET and attempt == 1:  # deleted behind our back
                    self._bucket_ready = False
                    self._ensure_bucket()
                    continue
                raise _unavailable(error, "put") from None
        raise AssertionError("unreachable")

    def get(self, sha256: str) -> bytes:
        key = self.key(sha256)  # BlobNotFoundError for a malformed name
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
            data: bytes = response["Body"].read()
        except self._errors() as error:
            if _code(error) in NOT_FOUND or _status(error) == 404:
                raise BlobNotFoundError(sha256) from None
            raise _unavailable(error, "get") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            log.error("blob %s in bucket %s does not match its name", key, self.bucket)
            raise BlobNotFoundError(sha256)
        return data

    def exists(self, sha256: str) -> bool:
        try:
            return self._head(self.key(sha256))
        except BlobNotFoundError:
            return False

    def _head(self, key: str) -> bool:
        return self._head_time(key) is not None

    def _head_time(self, key: str) -> datetime | None:
        try:
            found = self.client.head_object(Bucket=self.bucket, Key=key)
        except self._errors() as error:
            if _code(error) in NOT_FOUND or _status(error) == 404:
                return None
            raise _unavailable(error, "head") from None
        modified: datetime = found["LastModified"]
        return modified

    def listing(self) -> Iterator[StoredBlob]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    name = str(item["Key"]).rpartition("/")[2]
                    if SHA256_HEX.fullmatch(name) and item["Key"] == self.key(name):
                        yield StoredBlob(name, item["LastModified"])
        except self._errors() as error:
            if _code(error) in NO_BUCKET:  # nothing was ever stored
                return
            raise _unavailable(error, "list") from None

    def modified(self, sha256: str) -> datetime | None:
        try:
            return self._head_time(self.key(sha256))
        except BlobNotFoundError:
            return None

    def delete(self, sha256: str) -> None:
        try:
            key = self.key(sha256)
        except BlobNotFoundError:
            return
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except self._errors() as error:
            if _code(error) in NOT_FOUND or _status(error) == 404:
                return
            raise _unavailable(error, "delete") from None

    def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except self._errors() as error:
            if not (_code(error) in NOT_FOUND or _status(error) == 404):
                raise _unavailable(error, "head bucket") from None
            self._create_bucket()
        self._bucket_ready = True

    def _create_bucket(self) -> None:
        args: dict[str, Any] = {"Bucket": self.bucket}
        if self.region != "us-east-1":
            args["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        try:
            self.client.create_bucket(**args)
            log.info("blob store: created bucket %s", self.bucket)
        except self._errors() as error:
            if _code(error) not in ALREADY_THERE:  # another instance was first
                raise _unavailable(error, "create bucket") from None

    @staticmethod
    def _errors() -> tuple[type[Exception], ...]:
        from botocore.exceptions import BotoCoreError, ClientError

        return (BotoCoreError, ClientError)


def s3_client(url: str, access_key: str, secret_key: str, region: str = "us-east-1") -> Any:
    """A boto3 S3 client for an S3-compatible endpoint: path-style addressing (no
    bucket sub-domains), short connect timeout, a few retries on throttling and 5xx."""
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=3,
        read_timeout=30,
        retries={"mode": "standard", "max_attempts": 3},
        # as many kept connections as the worker threads that may call at once (anyio's 40
        # for sync routes): with botocore's 10, a busy service opened a new one per call
        max_pool_connections=40,
        s3={"addressing_style": "path"},
        # our own SHA-256 goes with each upload; no CRC trailers the server may not know
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=config,
    )
