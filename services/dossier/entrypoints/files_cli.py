"""Delete the files no dossier needs any more: ``motcua files sweep dossier``.

The worker also sweeps by itself (``MOTCUA_DOSSIER_BLOB_SWEEP_INTERVAL_HOURS``); the rule
of what stays is in :mod:`services.dossier.domain.files`.
"""

from __future__ import annotations

import json
from datetime import timedelta

from services.dossier.application.blobs import sweep_files
from services.dossier.bootstrap import blob_store, build_dossiers, migrate_store
from services.dossier.settings import DossierSettings


def main(grace: timedelta | None = None) -> str:
    """The sweep's report as JSON (``grace``: default the setting)."""
    settings = DossierSettings()
    grace = grace if grace is not None else settings.blob_sweep_grace()
    migrate_store(settings)
    dossiers = build_dossiers(settings)
    try:
        report = sweep_files(dossiers, blob_store(settings), grace)
    finally:
        dossiers.close()
    return json.dumps({"service": "dossier", **report.as_dict()})
