"""The dossier API as a process on the real engines (PostgreSQL, the session's S3), with
one published procedure, for the tests of files beside it; who calls is
:func:`caller` (the unit tests' caller helper, so every test names callers one way)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

from services.dossier.adapters.incoming import IncomingEvents
from services.dossier.adapters.tables import MIGRATIONS, metadata
from services.dossier.tests.unit.test_dossier_api_matrix import headers as caller
from shared.events.envelope import Actor, IntegrationEvent
from shared.pg.migrate import migrate
from shared.pg.pools import open_async_pool
from tests.support.engines import Engines
from tests.support.processes import ServiceProcess
from tests.support.s3 import engines_s3_client

__all__ = ["AGENCY", "PROCEDURE", "DossierApi", "caller", "dossier_api", "publish_procedure"]

AGENCY = "NB.HOALU"
REPO = Path(__file__).resolve().parents[4]
PROCEDURE = {
    "code": "1.001193",
    "version": 1,
    "name": "Đăng ký khai sinh",
    "field_code": "HT",
    "service_level": 4,
    "mode": "toan_trinh",
    "agency_codes": [AGENCY],
    "government_level": "commune",
    "steps": ["Nộp hồ sơ"],
    "required_documents": [
        {
            "code": "giay_chung_sinh",
            "name": "Giấy chứng sinh",
            "originals": 1,
            "copies": 0,
            "required": True,
            "wallet_types": [],
        },
        {
            "code": "uy_quyen",
            "name": "Văn bản ủy quyền",
            "originals": 1,
            "copies": 0,
            "required": False,
            "wallet_types": [],
        },
    ],
    "form_schema": {"type": "object", "properties": {"ho_ten_tre": {"type": "string"}}},
    "form_ui": {},
    "time_limit_days": 3,
    "fees": [],
    "result_delivery": ["office"],
    "legal_basis": ["Luật Hộ tịch 2014"],
}


async def publish_procedure(dsn: str, schema: str) -> None:
    """What the dossier worker does with catalog's procedure_published (its own code)."""
    migrate(dsn, schema, MIGRATIONS, metadata)
    pool = await open_async_pool(dsn, schema, max_size=1)
    try:
        event = IntegrationEvent(
            id=uuid.uuid4(),
            source="/motcua/catalog",
            type="vn.motcua.catalog.procedure_published",
            subject=PROCEDURE["code"],
            time=datetime.now(UTC),
            data=PROCEDURE,
            sequence=1,
            actor=Actor(id="catalog", role="system"),
        )
        await IncomingEvents(pool, dossiers=None).handle(event)  # type: ignore[arg-type]
    finally:
        await pool.close()


@dataclass
class DossierApi:
    client: httpx.Client
    env: dict[str, str]
    bucket: str
    objects: Any  # a boto3 client of the session's S3

    def object_keys(self) -> list[str]:
        try:
            listing = self.objects.list_objects_v2(Bucket=self.bucket)
        except self.objects.exceptions.NoSuchBucket:
            return []
        return sorted(o["Key"] for o in listing.get("Contents", []))

    def new_dossier(self, owner: Actor) -> str:
        created = self.client.post(
            "/api/v1/dossiers",
            headers=caller(owner),
            json={
                "procedure_code": PROCEDURE["code"],
                "agency_code": AGENCY,
                "form": {"ho_ten_tre": "Nguyễn Minh Khôi"},
            },
        )
        assert created.status_code == 201, created.text
        return f"/api/v1/dossiers/{created.json()['id']}"

    def upload(self, owner: Actor, base: str, data: bytes, code: str) -> dict[str, Any]:
        uploaded = self.client.post(
            f"{base}/attachments",
            headers=caller(owner),
            data={"document_code": code},
            files={"file": ("tep.pdf", data, "application/octet-stream")},
        )
        assert uploaded.status_code == 201, uploaded.text
        found: dict[str, Any] = uploaded.json()
        return found

    def sweep(self, *args: str) -> str:
        """``motcua files sweep dossier`` as an operator runs it; its JSON report."""
        done = subprocess.run(
            [sys.executable, "-m", "motcua_ops.cli", "files", "sweep", "dossier", *args],
            env={**os.environ, **self.env, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    @contextmanager
    def worker(self, log_dir: Path, **env: str) -> Iterator[ServiceProcess]:
        """The dossier worker on the same schema and bucket, with ``env`` added."""
        process = ServiceProcess(
            "services.dossier.entrypoints.worker",
            {
                **self.env,
                "MOTCUA_DOSSIER_CONSUMER_GROUP": self.bucket,
                "MOTCUA_DOSSIER_TOPIC_PREFIX": self.bucket,  # no other run's topics
                **env,
            },
            "MOTCUA_DOSSIER_WORKER_PORT",
            log_dir,
        ).start()
        try:
            yield process
        finally:
            process.stop()


@contextmanager
def dossier_api(engines: Engines, log_dir: Path) -> Iterator[DossierApi]:
    """The dossier API on a fresh schema and bucket of the session's engines."""
    schema = "t" + uuid.uuid4().hex[:12]
    asyncio.run(publish_procedure(engines.postgres_dsn, schema))
    bucket = f"{schema}-files"
    env = {
        **engines.env(),
        "MOTCUA_STATE_DIR": str(log_dir / "state"),
        "MOTCUA_DOSSIER_POSTGRES_SCHEMA": schema,
        "MOTCUA_DOSSIER_BLOB_S3_BUCKET": bucket,
    }
    api = ServiceProcess("services.dossier", env, "MOTCUA_DOSSIER_PORT", log_dir).start()
    objects = engines_s3_client(engines)
    try:
        with httpx.Client(base_url=api.url, timeout=60, trust_env=False) as client:
            yield DossierApi(client, env, bucket, objects)
    finally:
        api.stop()
        for key in DossierApi(httpx.Client(), env, bucket, objects).object_keys():
            objects.delete_object(Bucket=bucket, Key=key)
        with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
