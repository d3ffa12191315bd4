"""MongoDB helpers that stay within what FerretDB 1.x supports.

No multi-document transactions: an effect and the record that it was
applied live in one document, written in one operation.
"""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError


def make_client(url: str) -> AsyncMongoClient[dict[str, Any]]:
    return AsyncMongoClient(url, tz_aware=True, serverSelectionTimeoutMS=5000)


async def insert_once(collection: AsyncCollection[dict[str, Any]], doc: dict[str, Any]) -> bool:
    """Insert ``doc`` keyed by its ``_id`` (an event id); False if it was already there."""
    try:
        await collection.insert_one(doc)
    except DuplicateKeyError:
        return False
    return True


async def apply_versioned(
    collection: AsyncCollection[dict[str, Any]],
    doc_id: str,
    version: int,
    changes: dict[str, Any],
) -> bool:
    """Apply ``changes`` to a read-model document only if it is older than ``version``.

    The version guard makes redelivered or reordered events harmless: an event
    at or below the stored version is skipped. Returns True if applied.
    """
    try:
        result = await collection.update_one(
            {"_id": doc_id, "version": {"$lt": version}},
            {"$set": {**changes, "version": version}},
            upsert=True,
        )
    except DuplicateKeyError:
        return False  # the document exists with a version >= this one
    return result.modified_count == 1 or result.upserted_id is not None
