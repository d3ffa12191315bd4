"""Delete the wallet files no document names any more: ``motcua files sweep identity``.

Run it daily (cron, a Kubernetes CronJob); the grace period is in :mod:`shared.blob_sweep`.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from services.identity.application.documents import sweep_document_files
from services.identity.bootstrap import account_store, document_blobs, open_store
from services.identity.settings import IdentitySettings
from shared.vn.time import utc_now


async def _sweep(grace: timedelta) -> str:
    settings = IdentitySettings()
    pool = await open_store(settings)
    try:
        report = await sweep_document_files(
            account_store(pool), document_blobs(settings), utc_now(), grace
        )
    finally:
        await pool.close()
    return json.dumps({"service": "identity", **report.as_dict()})


def main(grace: timedelta) -> str:
    """The sweep's report as JSON."""
    return asyncio.run(_sweep(grace))
