"""S3BlobStore on a real S3 server (versitygw, the launcher's engine): what the dossier
and identity services rely on, checked through the S3 API itself."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from shared.blobstore import (
    BlobNotFoundError,
    BlobTooLargeError,
    BlobTypeNotAllowedError,
    BlobUnavailableError,
)
from shared.blobstore_s3 import S3BlobStore, s3_client
from tests.support.engines import Engines
from tests.support.s3 import engines_s3_client, private_s3

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 32


def _bucket_exists(client: object, bucket: str) -> bool:
    try:
        client.head_bucket(Bucket=bucket)  # type: ignore[attr-defined]
        return True
    except ClientError:
        return False


def test_round_trip_bucket_on_first_use_and_idempotent_put(engines: Engines, run_id: str) -> None:
    client = engines_s3_client(engines)
    store = S3BlobStore(client, run_id, max_bytes=1024)
    assert not _bucket_exists(client, run_id)
    assert store.exists("0" * 64) is False  # no bucket yet: simply absent
    with pytest.raises(BlobNotFoundError):
        store.get("0" * 64)

    digest = store.put(PDF)
    assert digest == hashlib.sha256(PDF).hexdigest()
    assert _bucket_exists(client, run_id)
    head = client.head_object(Bucket=run_id, Key=f"{digest[:2]}/{digest}")
    assert head["ContentLength"] == len(PDF) and head["ContentType"] == "application/pdf"
    assert store.exists(digest) and store.get(digest) == PDF

    # the object is replaced behind the store's back: get refuses bytes that do not match;
    # a second put of the same bytes uploads them again (it refreshes the object's time,
    # which the sweep of unreferenced blobs reads), which repairs the copy too
    client.put_object(Bucket=run_id, Key=f"{digest[:2]}/{digest}", Body=b"%PDF-damaged")
    with pytest.raises(BlobNotFoundError):
        store.get(digest)
    assert store.put(PDF) == digest
    assert store.get(digest) == PDF

    png = store.put(PNG)
    keys = sorted(o["Key"] for o in client.list_objects_v2(Bucket=run_id)["Contents"])
    assert keys == sorted([f"{digest[:2]}/{digest}", f"{png[:2]}/{png}"])
    for name in ("../../etc/passwd", "A" * 64, ""):
        assert store.exists(name) is False
        with pytest.raises(BlobNotFoundError):
            store.get(name)


def test_refused_files_never_reach_the_server(engines: Engines, run_id: str) -> None:
    client = engines_s3_client(engines)
    store = S3BlobStore(client, run_id, max_bytes=1024)
    with pytest.raises(BlobTypeNotAllowedError):
        store.put(b"MZ\x90\x00" + b"\x00" * 60)
    with pytest.raises(BlobTooLargeError):
        store.put(PDF + b"\x00" * 2048)
    assert not _bucket_exists(client, run_id)  # not even the bucket was created


def test_the_server_refuses_bytes_that_do_not_match_their_checksum(
    engines: Engines, run_id: str
) -> None:
    """Why S3BlobStore sends x-amz-checksum-sha256: damaged bytes are never stored."""
    client = engines_s3_client(engines)
    client.create_bucket(Bucket=run_id)
    wrong = base64.b64encode(hashlib.sha256(PNG).digest()).decode()
    with pytest.raises(ClientError):
        client.put_object(Bucket=run_id, Key="x", Body=PDF, ChecksumSHA256=wrong)
    assert client.list_objects_v2(Bucket=run_id).get("KeyCount") == 0


def test_boto3_default_checksums_are_accepted(engines: Engines, run_id: str) -> None:
    """A client with boto3's defaults (CRC32 on every upload) works too."""
    client = boto3.client(
        "s3",
        endpoint_url=engines.s3_url,
        region_name=engines.s3_region,
        aws_access_key_id=engines.s3_access_key,
        aws_secret_access_key=engines.s3_secret_key,
    )
    client.create_bucket(Bucket=run_id)
    client.put_object(Bucket=run_id, Key="tep.pdf", Body=PDF)
    assert client.get_object(Bucket=run_id, Key="tep.pdf")["Body"].read() == PDF


def test_wrong_keys_are_unavailable_not_missing(engines: Engines, run_id: str) -> None:
    client = s3_client(engines.s3_url, engines.s3_access_key, "not-the-secret", engines.s3_region)
    store = S3BlobStore(client, run_id)
    for call in (
        lambda: store.put(PDF),
        lambda: store.get("0" * 64),
        lambda: store.exists("0" * 64),
    ):
        with pytest.raises(BlobUnavailableError):
            call()


def test_a_stopped_server_is_unavailable_and_a_restarted_one_serves_again(
    tmp_path: Path, run_id: str
) -> None:
    with private_s3(tmp_path / "s3") as server:
        entry = server.entry
        store = S3BlobStore(
            s3_client(entry["url"], entry["access_key"], entry["secret_key"]), run_id
        )
        digest = store.put(PDF)
        server.stop()
        for call in (
            lambda: store.put(PNG),
            lambda: store.get(digest),
            lambda: store.exists(digest),
        ):
            with pytest.raises(BlobUnavailableError):
                call()
        server.start()
        assert store.get(digest) == PDF
        assert store.exists(store.put(PNG))
