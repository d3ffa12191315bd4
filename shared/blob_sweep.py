"""Deleting the blobs nothing refers to any more: one sweep for every service with files.

A service knows which blobs its records still need (``referenced``: a dossier's files
for audit, a wallet's documents); the sweep deletes every other blob older than a grace
period. The order makes a blob being stored safe: the store is listed first, the
references read after it, and each blob's time read again just before it is deleted.
A file is stored before the record naming it is saved, and a put (even of bytes already
stored) refreshes the blob's time, so a blob whose record is on its way is either
referenced by the time the references are read or too young to go. What remains is the
moment between that last read and the delete itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.blobstore import BlobStore

log = logging.getLogger(__name__)
GRACE = timedelta(days=1)


@dataclass(frozen=True)
class SweepReport:
    listed: int  # blobs in the store
    referenced: int  # of those old enough to go, still referenced
    deleted: int

    def as_dict(self) -> dict[str, int]:
        return {"listed": self.listed, "referenced": self.referenced, "deleted": self.deleted}


def sweep(
    store: BlobStore,
    referenced: Callable[[], set[str]],
    *,
    now: datetime,
    grace: timedelta = GRACE,
) -> SweepReport:
    """Delete the blobs of ``store`` older than ``grace`` that ``referenced()`` (read
    after the store is listed) does not name."""
    cutoff = now - grace
    listed = list(store.listing())
    old = [blob for blob in listed if blob.modified < cutoff]
    if not old:
        log.info("blob sweep: %d listed, none old enough to go", len(listed))
        return SweepReport(len(listed), 0, 0)
    keep = referenced()
    deleted = kept = 0
    for blob in old:
        if blob.sha256 in keep:
            kept += 1
            continue
        modified = store.modified(blob.sha256)
        if modified is None or modified >= cutoff:  # gone, or stored again meanwhile
            continue
        store.delete(blob.sha256)
        deleted += 1
    log.info("blob sweep: %d listed, %d old and referenced, %d deleted", len(listed), kept, deleted)
    return SweepReport(len(listed), kept, deleted)


async def sweep_forever(run: Callable[[], Awaitable[SweepReport]], every_seconds: float) -> None:
    """Sweep now and then every ``every_seconds`` (a service's worker or app runs it; two
    instances sweeping at once delete a file once); a failure is logged, tried next round."""
    while True:
        try:
            await run()
        except Exception:
            log.warning("blob sweep failed; next round", exc_info=True)
        await asyncio.sleep(every_seconds)
