"""Wallet files on the real S3 engine and PostgreSQL: a removed document's file is gone
after the sweep, unless another document (of any account) still names the same file."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

from services.identity.adapters.store import AccountStore
from services.identity.application import documents
from services.identity.bootstrap import open_store
from services.identity.settings import IdentitySettings
from services.identity.tests.integration.test_account_store import ACTOR, NOW, _account, _ctx
from shared.blobstore_s3 import S3BlobStore
from shared.vn.time import utc_now
from tests.support.engines import Engines
from tests.support.s3 import engines_s3_client

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _document(data: bytes) -> documents.NewDocument:
    return documents.NewDocument("cccd", "001099000001", None, None, "cccd.pdf", data)


@pytest.fixture
async def store(engines: Engines, run_id: str) -> AsyncIterator[AccountStore]:
    pool = await open_store(
        IdentitySettings(postgres_dsn=engines.postgres_dsn, postgres_schema=run_id)
    )
    try:
        yield AccountStore(pool)
    finally:
        await pool.close()
        with psycopg.connect(engines.postgres_dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{run_id}" CASCADE')


@pytest.fixture
def blobs(engines: Engines, run_id: str) -> Iterator[S3BlobStore]:
    store = S3BlobStore(engines_s3_client(engines), f"{run_id}-wallet")
    yield store
    for blob in store.listing():
        store.delete(blob.sha256)


async def test_a_removed_documents_file_goes_with_the_sweep_a_shared_one_stays(
    store: AccountStore, blobs: S3BlobStore, tmp_path: Path
) -> None:
    ctx = replace(_ctx(store, tmp_path), blobs=blobs)
    hoa, lan = _account("hoa@example.vn"), _account("lan@example.vn")
    for account in (hoa, lan):
        await store.insert(account, [], ACTOR, NOW)
    alone, shared = PDF + b"% chi cua Hoa\n", PDF + b"% ca hai\n"
    only_hoas = await documents.add_document(ctx, hoa["_id"], _document(alone))
    hoas_copy = await documents.add_document(ctx, hoa["_id"], _document(shared))
    await documents.add_document(ctx, lan["_id"], _document(shared))
    await documents.remove_document(ctx, hoa["_id"], only_hoas["id"])
    await documents.remove_document(ctx, hoa["_id"], hoas_copy["id"])
    names = {only_hoas["file"]["sha256"], hoas_copy["file"]["sha256"]}
    assert {b.sha256 for b in blobs.listing()} == names

    young = await documents.sweep_document_files(store, blobs, utc_now())  # a day's grace
    assert young.deleted == 0
    await asyncio.sleep(1.2)  # S3 times are in whole seconds
    report = await documents.sweep_document_files(store, blobs, utc_now(), timedelta(0))
    assert report.as_dict() == {"listed": 2, "referenced": 1, "deleted": 1}
    assert not blobs.exists(only_hoas["file"]["sha256"])
    assert blobs.get(hoas_copy["file"]["sha256"]) == shared  # Lan's document names it
