"""Delete the wallet files no document names any more: ``motcua files sweep identity``.

The identity app also sweeps by itself (``MOTCUA_IDENTITY_BLOB_SWEEP_INTERVAL_HOURS``).
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from services.identity.application.documents import sweep_document_files
from services.identity.bootstrap import account_store, document_blobs, open_store
from services.identity.settings import IdentitySettings
from shared.vn.time import utc_now


async def _sweep(grace: timedelta | None) -> str:
    settings = IdentitySettings()
    pool = await open_store(settings)
    try:
        report = await sweep_document_files(
            account_store(pool),
            document_blobs(settings),
            utc_now(),
            grace if grace is not None else settings.blob_sweep_grace(),
        )
    finally:
        await pool.close()
    return json.dumps({"service": "identity", **report.as_dict()})


def main(grace: timedelta | None = None) -> str:
    """The sweep's report as JSON (``grace``: default the setting)."""
    return asyncio.run(_sweep(grace))
