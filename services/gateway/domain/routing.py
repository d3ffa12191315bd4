"""Which service answers which path: the gateway's one prefix table."""

from __future__ import annotations

# Vietnamese names shown to people (landing page, error details).
SERVICES: dict[str, str] = {
    "identity": "Tài khoản và đăng nhập",
    "catalog": "Danh mục thủ tục hành chính",
    "dossier": "Hồ sơ",
    "payment": "Thanh toán",
    "notify": "Thông báo",
}

# Path prefix -> service. A prefix matches itself and anything below it
# ("/api/v1/dossiers" matches "/api/v1/dossiers/1", not "/api/v1/dossiersx").
# Only prefixes some service serves: anything else is the gateway's own 404.
# notify's inbox and statistics (issue 7) are routed ahead of their arrival.
PREFIXES: dict[str, str] = {
    "/api/v1/dossiers": "dossier",
    "/api/v1/officer": "dossier",
    "/api/v1/audit": "dossier",
    "/api/v1/lookup": "dossier",
    "/api/v1/auth": "identity",
    "/api/v1/me": "identity",
    "/api/v1/.well-known": "identity",
    "/api/v1/admin/accounts": "identity",
    "/api/v1/staff": "identity",
    "/.well-known": "identity",
    "/api/v1/catalog": "catalog",
    "/api/v1/payments": "payment",
    "/api/v1/notifications": "notify",
    "/api/v1/stats": "notify",
}


def service_for(path: str) -> str | None:
    """The service that owns ``path`` (already percent-decoded), or None.

    Paths with "." or ".." segments are refused: the upstream would resolve
    them and could land outside the prefix this table matched.
    """
    segments = path.split("/")
    if "." in segments or ".." in segments:
        return None
    for prefix, service in PREFIXES.items():
        if path == prefix or path.startswith(prefix + "/"):
            return service
    return None
