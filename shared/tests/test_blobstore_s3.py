"""S3BlobStore's logic against botocore's Stubber (canned S3 answers, no network): which
requests it makes, in which order, and how it reads the answers. The same store on a
real S3 server: shared/tests/integration/test_blobstore_s3.py."""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import ANY, Stubber
from pydantic import ValidationError

from services.dossier.settings import DossierSettings
from shared.blobstore import (
    BlobNotFoundError,
    BlobTooLargeError,
    BlobTypeNotAllowedError,
    BlobUnavailableError,
    LocalBlobStore,
)
from shared.blobstore_s3 import S3BlobStore, s3_client

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
DIGEST = hashlib.sha256(PDF).hexdigest()
KEY = f"{DIGEST[:2]}/{DIGEST}"
BUCKET = "motcua-test"


@pytest.fixture
def stubbed() -> Iterator[tuple[S3BlobStore, Stubber]]:
    client = s3_client("http://127.0.0.1:9", "motcua", "bi-mat")
    store = S3BlobStore(client, BUCKET, max_bytes=1024)
    with Stubber(client) as stubber:
        yield store, stubber
        stubber.assert_no_pending_responses()


def _missing(stubber: Stubber, method: str, code: str = "404") -> None:
    stubber.add_client_error(method, service_error_code=code, http_status_code=404)


def test_first_put_creates_the_bucket_then_uploads_with_its_sha256(stubbed: Any) -> None:
    store, stubber = stubbed
    _missing(stubber, "head_bucket")
    stubber.add_response("create_bucket", {}, {"Bucket": BUCKET})
    checksum = base64.b64encode(hashlib.sha256(PDF).digest()).decode()
    expected = {
        "Bucket": BUCKET,
        "Key": KEY,
        "Body": PDF,
        "ContentType": "application/pdf",
        "ChecksumSHA256": checksum,
    }
    stubber.add_response("put_object", {}, expected)
    assert store.put(PDF) == DIGEST
    # the bucket is known from now on; the same bytes again are put again, which
    # refreshes the object's time (the sweep of unreferenced blobs reads it)
    stubber.add_response("put_object", {}, expected)
    assert store.put(PDF) == DIGEST


def test_a_bucket_created_meanwhile_by_another_instance_is_fine(stubbed: Any) -> None:
    store, stubber = stubbed
    _missing(stubber, "head_bucket")
    stubber.add_client_error(
        "create_bucket", service_error_code="BucketAlreadyOwnedByYou", http_status_code=409
    )
    stubber.add_response(
        "put_object",
        {},
        {"Bucket": BUCKET, "Key": KEY, "Body": ANY, "ContentType": ANY, "ChecksumSHA256": ANY},
    )
    assert store.put(PDF) == DIGEST


def test_refused_files_send_no_request(stubbed: Any) -> None:
    store, _ = stubbed  # the Stubber fails on any request it was not given
    with pytest.raises(BlobTypeNotAllowedError):
        store.put(b"MZ\x90\x00" + b"\x00" * 60)
    with pytest.raises(BlobTooLargeError):
        store.put(PDF + b"\x00" * 2048)
    with pytest.raises(BlobNotFoundError):
        store.get("../../etc/passwd")
    assert store.exists("not-a-digest") is False


def test_get_reads_and_checks_the_bytes_against_their_name(stubbed: Any) -> None:
    store, stubber = stubbed
    stubber.add_response("get_object", {"Body": io.BytesIO(PDF)}, {"Bucket": BUCKET, "Key": KEY})
    assert store.get(DIGEST) == PDF
    stubber.add_response(
        "get_object", {"Body": io.BytesIO(PDF + b"x")}, {"Bucket": BUCKET, "Key": KEY}
    )
    with pytest.raises(BlobNotFoundError):
        store.get(DIGEST)


@pytest.mark.parametrize("code", ["NoSuchKey", "NoSuchBucket"])
def test_a_missing_object_or_bucket_is_not_found(stubbed: Any, code: str) -> None:
    store, stubber = stubbed
    _missing(stubber, "get_object", code)
    with pytest.raises(BlobNotFoundError):
        store.get(DIGEST)
    _missing(stubber, "head_object")
    assert store.exists(DIGEST) is False


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("InternalError", 500),
        ("SlowDown", 503),
        ("AccessDenied", 403),
        ("SignatureDoesNotMatch", 403),
        ("InvalidAccessKeyId", 403),
    ],
)
def test_server_errors_and_refused_keys_are_unavailable(
    stubbed: Any, code: str, status: int
) -> None:
    store, stubber = stubbed
    stubber.add_client_error("get_object", service_error_code=code, http_status_code=status)
    with pytest.raises(BlobUnavailableError):
        store.get(DIGEST)
    stubber.add_client_error("head_bucket", service_error_code=code, http_status_code=status)
    with pytest.raises(BlobUnavailableError):
        store.put(PDF)
    stubber.add_client_error("head_object", service_error_code=code, http_status_code=status)
    with pytest.raises(BlobUnavailableError):
        store.exists(DIGEST)


def test_a_bucket_deleted_behind_our_back_is_created_again(stubbed: Any) -> None:
    store, stubber = stubbed
    store._bucket_ready = True
    stubber.add_client_error("put_object", service_error_code="NoSuchBucket", http_status_code=404)
    _missing(stubber, "head_bucket")
    stubber.add_response("create_bucket", {}, {"Bucket": BUCKET})
    stubber.add_response(
        "put_object",
        {},
        {"Bucket": BUCKET, "Key": KEY, "Body": ANY, "ContentType": ANY, "ChecksumSHA256": ANY},
    )
    assert store.put(PDF) == DIGEST


def test_an_unreachable_server_is_unavailable() -> None:
    client = s3_client("http://127.0.0.1:9", "motcua", "bi-mat")
    store = S3BlobStore(client, BUCKET)

    def refuse(**_: Any) -> None:
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9")

    client.meta.events.register("before-send.s3", refuse)
    with pytest.raises(BlobUnavailableError):
        store.put(PDF)
    with pytest.raises(BlobUnavailableError):
        store.get(DIGEST)
    with pytest.raises(BlobUnavailableError):
        store.exists(DIGEST)


def test_settings_choose_local_disk_unless_an_s3_url_is_set(tmp_path: Path) -> None:
    local = DossierSettings().blob_store(tmp_path)
    assert isinstance(local, LocalBlobStore) and local.root == tmp_path
    settings = DossierSettings(
        blob_s3_url="http://127.0.0.1:7070",
        blob_s3_access_key="motcua",
        blob_s3_secret_key="bi-mat-lam",
    )
    s3 = settings.blob_store(tmp_path)
    assert isinstance(s3, S3BlobStore) and s3.bucket == "motcua-dossier"
    assert "bi-mat-lam" not in repr(settings) and "bi-mat-lam" not in str(settings)
    with pytest.raises(ValidationError):  # a URL without keys is refused at start-up
        DossierSettings(blob_s3_url="http://127.0.0.1:7070")
    with pytest.raises(ValidationError):
        DossierSettings(blob_s3_bucket="Not_A_Bucket")
