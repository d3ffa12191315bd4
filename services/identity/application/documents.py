"""The personal document wallet (giấy tờ cá nhân): kept on the account document.

Files are stored content-addressed in the blob store; the account's
``documents`` array holds the metadata, so adding one and its event are one
write. A document is only ever looked up within its owner's account: another
person's document id is simply not found.

A removed document's file goes with the next sweep once no document of any account
names it (:func:`sweep_document_files`): the wallet is the citizen's own store, and a
dossier citing a wallet document records its type, number and name, not its file.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from services.identity.application.context import Identity
from services.identity.application.ports import Accounts, Change
from services.identity.domain.accounts import SELF_REGISTERED, account_actor
from services.identity.domain.errors import (
    AccountNotFoundError,
    ConcurrentChangeError,
    DocumentNotFoundError,
    InvalidFieldError,
    NotAllowedError,
)
from services.identity.domain.validation import check_name
from shared.blob_sweep import GRACE, SweepReport, sweep
from shared.blobstore import BlobNotFoundError, BlobStore, check_blob
from shared.filenames import upload_name

# Vietnamese labels live in docs/api.md and the portal; codes are stable.
DOCUMENT_TYPES = frozenset(
    {
        "cccd",
        "ho_chieu",
        "giay_khai_sinh",
        "giay_phep_lai_xe",
        "so_ho_khau",
        "bang_tot_nghiep",
        "giay_chung_nhan_dang_ky_doanh_nghiep",
        "khac",
    }
)
MAX_DOCUMENTS = 100


@dataclass(frozen=True)
class NewDocument:
    type: str
    number: str
    issued_on: date | None
    issuer: str | None
    file_name: str
    data: bytes


async def _owner(ctx: Identity, account_id: str) -> dict[str, Any]:
    account = await ctx.store.by_id(account_id)
    if account is None:
        raise AccountNotFoundError()
    if account["kind"] not in SELF_REGISTERED:
        raise NotAllowedError()
    return account


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "account_id"}


async def add_document(ctx: Identity, account_id: str, new: NewDocument) -> dict[str, Any]:
    account = await _owner(ctx, account_id)
    if new.type not in DOCUMENT_TYPES:
        raise InvalidFieldError("type", "unknown_document_type")
    if len(account.get("documents", [])) >= MAX_DOCUMENTS:
        raise InvalidFieldError("documents", "too_many_documents")
    number = check_name("number", new.number, 50)
    if new.issued_on and new.issued_on > ctx.clock().date():
        raise InvalidFieldError("issued_on", "in_the_future")
    info = check_blob(new.data, max_bytes=ctx.settings.max_document_bytes)  # BlobError
    sha256 = ctx.blobs.put(new.data)
    doc = {
        "id": str(uuid.uuid4()),
        "type": new.type,
        "number": number,
        "issued_on": new.issued_on.isoformat() if new.issued_on else None,
        "issuer": check_name("issuer", new.issuer, 300) if new.issuer else None,
        "file": {
            "name": upload_name(new.file_name),
            "content_type": info.content_type,
            "size": info.size,
            "sha256": sha256,
        },
        "added_at": ctx.clock(),
    }
    event = {
        "account_id": account_id,
        "document_id": doc["id"],
        **{k: doc[k] for k in ("type", "number", "issued_on", "issuer", "file")},
    }
    done = await ctx.store.update(
        account,
        [Change("document_added", event)],
        account_actor(account),
        ctx.clock(),
        push={"documents": doc},
    )
    if not done:
        raise ConcurrentChangeError()
    return _public(doc)


async def list_documents(ctx: Identity, account_id: str) -> list[dict[str, Any]]:
    account = await _owner(ctx, account_id)
    return [_public(d) for d in account.get("documents", [])]


async def get_document(ctx: Identity, account_id: str, document_id: str) -> dict[str, Any]:
    account = await _owner(ctx, account_id)
    for doc in account.get("documents", []):
        if doc["id"] == document_id:
            return _public(doc)
    raise DocumentNotFoundError()


async def document_file(
    ctx: Identity, account_id: str, document_id: str
) -> tuple[dict[str, Any], bytes]:
    doc = await get_document(ctx, account_id, document_id)
    try:
        return doc, ctx.blobs.get(doc["file"]["sha256"])
    except BlobNotFoundError:  # the store lost it: the same 404 as a document not the caller's
        raise DocumentNotFoundError("Không tìm thấy tệp của giấy tờ này.") from None


async def remove_document(ctx: Identity, account_id: str, document_id: str) -> None:
    account = await _owner(ctx, account_id)
    kept = [d for d in account.get("documents", []) if d["id"] != document_id]
    if len(kept) == len(account.get("documents", [])):
        raise DocumentNotFoundError()
    # The whole list is rewritten, guarded by the version the account was read at.
    done = await ctx.store.update(
        account,
        [Change("document_removed", {"account_id": account_id, "document_id": document_id})],
        account_actor(account),
        ctx.clock(),
        set_={"documents": kept},
    )
    if not done:
        raise DocumentNotFoundError()


async def sweep_document_files(
    store: Accounts, blobs: BlobStore, now: datetime, grace: timedelta = GRACE
) -> SweepReport:
    """Delete the wallet files no document names any more, older than ``grace``; the
    documents are read once the store is listed (:mod:`shared.blob_sweep`)."""
    loop = asyncio.get_running_loop()

    def referenced() -> set[str]:
        return asyncio.run_coroutine_threadsafe(store.document_files(), loop).result()

    return await asyncio.to_thread(sweep, blobs, referenced, now=now, grace=grace)
