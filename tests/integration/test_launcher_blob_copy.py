"""`motcua up` on a state dir whose services kept files on local disk: the files are
copied into the services' S3 buckets (a real versitygw), once, and stay on disk."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from motcua_ops.blob_copy import copy_local_blobs
from shared.blobstore_s3 import S3BlobStore, s3_client
from tests.support.s3 import private_s3

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 32


def _keep(root: Path, data: bytes, name: str | None = None) -> str:
    digest = name or hashlib.sha256(data).hexdigest()
    (root / digest[:2]).mkdir(parents=True, exist_ok=True)
    (root / digest[:2] / digest).write_bytes(data)
    return digest


def test_local_files_are_copied_into_the_buckets_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in (
        "MOTCUA_DOSSIER_BLOB_DIR",
        "MOTCUA_IDENTITY_DATA_DIR",
        "MOTCUA_DOSSIER_BLOB_S3_BUCKET",
        "MOTCUA_IDENTITY_BLOB_S3_BUCKET",
    ):
        monkeypatch.delenv(var, raising=False)
    state = tmp_path / "state"
    pdf = _keep(state / "dossier" / "blobs", PDF)
    _keep(state / "dossier" / "blobs", b"%PDF-altered", name=hashlib.sha256(PNG).hexdigest())
    (state / "dossier" / "blobs" / pdf[:2] / ".tmp-abc").write_bytes(b"half")
    png = _keep(state / "identity" / "blobs", PNG)
    with private_s3(tmp_path / "s3") as s3:
        env = {**s3.env("dossier"), **s3.env("identity")}
        assert copy_local_blobs(state, env) == {"dossier": 1, "identity": 1}
        client = s3_client(s3.entry["url"], s3.entry["access_key"], s3.entry["secret_key"])
        dossier = S3BlobStore(client, "motcua-dossier")
        identity = S3BlobStore(client, "motcua-identity")
        assert dossier.get(pdf) == PDF and identity.get(png) == PNG
        assert not dossier.exists(png)  # the altered file was not copied under any name
        listed = client.list_objects_v2(Bucket="motcua-dossier")["Contents"]
        assert [o["Key"] for o in listed] == [f"{pdf[:2]}/{pdf}"]
        assert copy_local_blobs(state, env) == {"dossier": 1, "identity": 1}  # idempotent
        assert (state / "dossier" / "blobs" / pdf[:2] / pdf).read_bytes() == PDF  # kept

        assert copy_local_blobs(state, {}) == {}  # services on local disk: nothing to do
        s3.stop()
        assert copy_local_blobs(state, env) == {}  # reported, not raised: up goes on
