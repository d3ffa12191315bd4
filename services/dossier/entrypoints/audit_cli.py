"""Audit from the command line: ``motcua audit replay|verify CODE`` (motcua_ops/cli.py).

Reads the dossier event store configured for the dossier service (environment
``MOTCUA_DOSSIER_*`` and the launcher's state), never through the HTTP API.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from services.dossier.application.dossiers import DossierApplication, DossierNotFoundError
from services.dossier.application.views import dossier_view, event_record
from services.dossier.settings import DossierSettings


def _open() -> DossierApplication:
    return DossierApplication(env=DossierSettings().eventstore_env())


def _resolve(app: DossierApplication, ref: str) -> UUID:
    try:
        return UUID(ref)
    except ValueError:
        return app.find_by_code(ref.strip())


def replay(ref: str, at: str | None = None) -> tuple[int, str]:
    """(exit code, JSON text): the state as of ``at`` (ISO, default now) and its events."""
    app = _open()
    try:
        dossier_id = _resolve(app, ref)
        moment = datetime.fromisoformat(at) if at else datetime.now(UTC)
        if moment.tzinfo is None:
            return 2, json.dumps(
                {"error": "Thời điểm phải có múi giờ, ví dụ +07:00."}, ensure_ascii=False
            )
        dossier = app.state_as_of(dossier_id, moment)
        events = [event_record(e) for e in app.stored_events(dossier_id) if e.timestamp <= moment]
        body = {
            "as_of": moment.isoformat(),
            "dossier": dossier_view(dossier, internal=True) if dossier else None,
            "events": events,
        }
        return 0, json.dumps(body, ensure_ascii=False, indent=2, default=_plain)
    except DossierNotFoundError:
        return 1, json.dumps({"error": f"Không tìm thấy hồ sơ {ref}."}, ensure_ascii=False)
    finally:
        app.close()


def _plain(value: Any) -> str:
    """Times as the HTTP answers write them (``datetime.isoformat()``)."""
    return value.isoformat() if isinstance(value, datetime) else str(value)


def verify(ref: str) -> tuple[int, str]:
    """(0 if the hash chain is intact else 1, JSON report)."""
    app = _open()
    try:
        report = app.verify_chain(_resolve(app, ref))
        return (0 if report.valid else 1), json.dumps(report.as_dict(), ensure_ascii=False)
    except DossierNotFoundError:
        return 1, json.dumps({"error": f"Không tìm thấy hồ sơ {ref}."}, ensure_ascii=False)
    finally:
        app.close()
