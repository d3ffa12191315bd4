"""Attachments through the dossier HTTP API land in an S3 bucket (a real versitygw) and
come back identical; a stopped S3 server is a 503 problem, nothing half-written."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from services.dossier.tests.integration.support import AGENCY, publish_procedure
from shared.blobstore_s3 import s3_client
from tests.support.engines import Engines
from tests.support.processes import ServiceProcess
from tests.support.s3 import private_s3
from tests.support.tokens import caller

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 32


@pytest.fixture
def schema(engines: Engines, run_id: str) -> Iterator[str]:
    yield run_id
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')


def _upload(
    client: httpx.Client,
    base: str,
    owner: dict[str, str],
    data: bytes,
    name: str = "giay-chung-sinh.pdf",
) -> httpx.Response:
    return client.post(
        f"{base}/attachments",
        headers=owner,
        data={"document_code": "giay_chung_sinh"},
        files={"file": (name, data, "application/octet-stream")},
    )


def test_attachments_live_in_s3_and_a_stopped_store_is_a_503(
    engines: Engines, run_id: str, schema: str, tmp_path: Path
) -> None:
    asyncio.run(publish_procedure(engines.postgres_dsn, schema))
    with private_s3(tmp_path / "s3") as s3:
        bucket = f"{run_id}-files"
        env = {
            **engines.env(),
            **s3.env("dossier"),
            "MOTCUA_STATE_DIR": str(tmp_path / "state"),
            "MOTCUA_DOSSIER_POSTGRES_SCHEMA": schema,
            "MOTCUA_DOSSIER_BLOB_S3_BUCKET": bucket,
        }
        api = ServiceProcess("services.dossier", env, "MOTCUA_DOSSIER_PORT", tmp_path).start()
        objects = s3_client(s3.entry["url"], s3.entry["access_key"], s3.entry["secret_key"])

        def keys() -> list[str]:
            listing = objects.list_objects_v2(Bucket=bucket)
            return sorted(o["Key"] for o in listing.get("Contents", []))

        owner = caller(f"{run_id}-cong-dan")
        try:
            with httpx.Client(base_url=api.url, timeout=60, trust_env=False) as client:
                created = client.post(
                    "/api/v1/dossiers",
                    headers=owner,
                    json={
                        "procedure_code": "1.001193",
                        "agency_code": AGENCY,
                        "form": {"ho_ten_tre": "Nguyễn Minh Khôi"},
                    },
                )
                assert created.status_code == 201, created.text
                base = f"/api/v1/dossiers/{created.json()['id']}"

                refused = _upload(client, base, owner, b"MZ\x90\x00" + b"\x00" * 60, "a.pdf")
                assert refused.status_code == 415
                with pytest.raises(Exception, match="NoSuchBucket"):
                    keys()  # refused before anything was sent: not even the bucket exists

                uploaded = _upload(client, base, owner, PDF)
                assert uploaded.status_code == 201, uploaded.text
                attachment = uploaded.json()
                digest = hashlib.sha256(PDF).hexdigest()
                assert attachment["sha256"] == digest
                assert keys() == [f"{digest[:2]}/{digest}"]  # the bucket, made on first use
                stored = objects.get_object(Bucket=bucket, Key=f"{digest[:2]}/{digest}")
                assert stored["Body"].read() == PDF
                assert stored["ContentType"] == "application/pdf"
                assert not (tmp_path / "state" / "dossier" / "blobs").exists()  # not on disk

                download = client.get(f"{base}/attachments/{attachment['id']}", headers=owner)
                assert download.status_code == 200 and download.content == PDF
                again = _upload(client, base, owner, PDF, "ban-sao.pdf")  # same bytes
                assert again.status_code == 201 and keys() == [f"{digest[:2]}/{digest}"]

                s3.stop()
                before = client.get(base, headers=owner).json()
                down = _upload(client, base, owner, PNG, "anh.png")
                assert down.status_code == 503, down.text
                assert down.headers["content-type"].startswith("application/problem+json")
                problem = down.json()
                assert problem["type"].endswith("/file-store-unavailable")
                assert "Kho lưu trữ tệp tạm thời không truy cập được" in problem["detail"]
                assert down.headers["retry-after"] == "5"
                after = client.get(base, headers=owner).json()
                assert after["version"] == before["version"]  # no attachment recorded
                assert after["attachments"] == before["attachments"]
                gone = client.get(f"{base}/attachments/{attachment['id']}", headers=owner)
                assert gone.status_code == 503
                assert gone.json()["type"].endswith("/file-store-unavailable")

                s3.start()
                back = _upload(client, base, owner, PNG, "anh.png")
                assert back.status_code == 201, back.text
                assert len(keys()) == 2
                assert (
                    client.get(f"{base}/attachments/{attachment['id']}", headers=owner).content
                    == PDF
                )
        finally:
            api.stop()


def test_a_refused_attachment_leaves_no_object_in_the_bucket(
    engines: Engines, run_id: str, schema: str, tmp_path: Path
) -> None:
    asyncio.run(publish_procedure(engines.postgres_dsn, schema))
    with private_s3(tmp_path / "s3") as s3:
        bucket = f"{run_id}-files"
        env = {
            **engines.env(),
            **s3.env("dossier"),
            "MOTCUA_STATE_DIR": str(tmp_path / "state"),
            "MOTCUA_DOSSIER_POSTGRES_SCHEMA": schema,
            "MOTCUA_DOSSIER_BLOB_S3_BUCKET": bucket,
        }
        api = ServiceProcess("services.dossier", env, "MOTCUA_DOSSIER_PORT", tmp_path).start()
        objects = s3_client(s3.entry["url"], s3.entry["access_key"], s3.entry["secret_key"])

        def keys() -> list[str]:
            try:
                listing = objects.list_objects_v2(Bucket=bucket)
            except objects.exceptions.NoSuchBucket:
                return []
            return sorted(o["Key"] for o in listing.get("Contents", []))

        owner = caller(f"{run_id}-cong-dan")
        try:
            with httpx.Client(base_url=api.url, timeout=60, trust_env=False) as client:
                created = client.post(
                    "/api/v1/dossiers",
                    headers=owner,
                    json={
                        "procedure_code": "1.001193",
                        "agency_code": AGENCY,
                        "form": {"ho_ten_tre": "Nguyễn Minh Khôi"},
                    },
                )
                assert created.status_code == 201, created.text
                base = f"/api/v1/dossiers/{created.json()['id']}"

                unknown = client.post(
                    f"{base}/attachments",
                    headers=owner,
                    data={"document_code": "khong_co"},
                    files={"file": ("a.png", PNG, "image/png")},
                )
                assert unknown.status_code == 422, unknown.text
                assert keys() == []  # refused before the bytes were stored

                uploaded = _upload(client, base, owner, PDF)
                assert uploaded.status_code == 201, uploaded.text
                submitted = client.post(f"{base}/submit", headers=owner)
                assert submitted.status_code == 200, submitted.text
                reason = {"reason": "Nộp nhầm thủ tục"}
                withdrawn = client.post(f"{base}/withdraw", headers=owner, json=reason)
                assert withdrawn.status_code == 200, withdrawn.text  # no longer editable
                stored = keys()
                late = _upload(client, base, owner, PNG + b"khac", "anh.png")  # new bytes
                assert late.status_code == 409, late.text
                assert late.headers["content-type"].startswith("application/problem+json")
                assert keys() == stored  # the PDF only: the refused PNG was never written
        finally:
            api.stop()
