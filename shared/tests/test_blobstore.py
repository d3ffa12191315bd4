import hashlib
from pathlib import Path

import pytest

from shared.blobstore import (
    BlobNotFoundError,
    BlobTooLargeError,
    BlobTypeNotAllowedError,
    InMemoryBlobStore,
    LocalBlobStore,
    check_blob,
)

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(params=["local", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> LocalBlobStore | InMemoryBlobStore:
    if request.param == "local":
        return LocalBlobStore(tmp_path / "blobs", max_bytes=1024)
    return InMemoryBlobStore(max_bytes=1024)


def test_put_is_content_addressed_and_idempotent(store: LocalBlobStore) -> None:
    digest = store.put(PDF)
    assert digest == hashlib.sha256(PDF).hexdigest()
    assert store.put(PDF) == digest
    assert store.exists(digest)
    assert store.get(digest) == PDF


def test_unknown_or_malformed_names_are_not_found(store: LocalBlobStore) -> None:
    assert not store.exists("0" * 64)
    assert not store.exists("../../etc/passwd")
    with pytest.raises(BlobNotFoundError):
        store.get("0" * 64)
    with pytest.raises(BlobNotFoundError):
        store.get("../secret")


def test_type_is_sniffed_from_bytes_and_limited(store: LocalBlobStore) -> None:
    assert check_blob(PNG).content_type == "image/png"
    assert check_blob(PDF).content_type == "application/pdf"
    with pytest.raises(BlobTypeNotAllowedError):
        store.put(b"MZ\x90\x00" + b"\x00" * 60)  # a Windows executable
    with pytest.raises(BlobTypeNotAllowedError):
        store.put(b"just some text")
    with pytest.raises(BlobTooLargeError):
        store.put(PDF + b"\x00" * 2048)


def test_local_files_are_private(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    digest = store.put(PNG)
    path = tmp_path / digest[:2] / digest
    assert path.stat().st_mode & 0o777 == 0o600
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")]
