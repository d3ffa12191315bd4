"""Delete the files no dossier needs any more: ``motcua files sweep dossier``.

Run it daily (cron, a Kubernetes CronJob); the rule of what stays is in
:mod:`services.dossier.domain.files`, the grace period in :mod:`shared.blob_sweep`.
"""

from __future__ import annotations

import json
from datetime import timedelta

from services.dossier.application.blobs import sweep_files
from services.dossier.bootstrap import blob_store, build_dossiers, migrate_store
from services.dossier.settings import DossierSettings


def main(grace: timedelta) -> str:
    """The sweep's report as JSON."""
    settings = DossierSettings()
    migrate_store(settings)
    dossiers = build_dossiers(settings)
    try:
        report = sweep_files(dossiers, blob_store(settings), grace)
    finally:
        dossiers.close()
    return json.dumps({"service": "dossier", **report.as_dict()})
