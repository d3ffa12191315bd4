"""The services' OpenAPI documents, generated into docs/openapi/ (``make openapi``).

Each document is built from the service's own app factory, with placeholder engine addresses
(building an app connects to nothing), so it is exactly what the running service serves at
``/openapi.json``. tests/test_openapi_docs.py fails when a committed document drifts from
the code.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from motcua_ops.paths import REPO_ROOT
from motcua_ops.services import TOKEN_SERVICES

DOCS = REPO_ROOT / "docs" / "openapi"
FACTORIES = {
    "identity": "services.identity.entrypoints.http.app:build_app",
    "dossier": "services.dossier.entrypoints.http.app:build_app",
    "payment": "services.payment.entrypoints.http.app:build_app",
    "notify": "services.notify.entrypoints.http.app:build_app",
    "catalog": "services.catalog.entrypoints.http.app:build_app",
}
# Addresses only: no process is reached while an app is built.
PLACEHOLDERS = {
    "MOTCUA_POSTGRES_DSN": "postgresql://openapi@127.0.0.1:1/openapi",
    "MOTCUA_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
    "MOTCUA_SMTP_HOST": "127.0.0.1",
    "MOTCUA_SMTP_PORT": "1",
    # payment refuses its public VNPay secret outside sandbox mode; no payment is made here
    "MOTCUA_PAYMENT_SANDBOX": "true",
    **{
        f"MOTCUA_{name.upper()}_JWKS_URL": "http://127.0.0.1:1/jwks.json" for name in TOKEN_SERVICES
    },
}


def document(service: str) -> dict[str, Any]:
    """The service's document, built with the placeholders set for the while."""
    module, _, factory = FACTORIES[service].partition(":")
    added = [name for name in PLACEHOLDERS if name not in os.environ]
    os.environ.update({name: PLACEHOLDERS[name] for name in added})
    try:
        app = getattr(importlib.import_module(module), factory)()
        schema: dict[str, Any] = app.openapi()
    finally:
        for name in added:
            del os.environ[name]
    return schema


def rendered(service: str) -> str:
    return json.dumps(document(service), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    DOCS.mkdir(parents=True, exist_ok=True)
    for service in argv or list(FACTORIES):
        path: Path = DOCS / f"{service}.json"
        path.write_text(rendered(service), encoding="utf-8")
        print(f"wrote {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
