"""The prefix table: whole segments only, no dot segments, every service configurable."""

from __future__ import annotations

import pytest

from services.gateway.domain.routing import PREFIXES, SERVICES, service_for
from services.gateway.settings import GatewaySettings


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/api/v1/dossiers", "dossier"),
        ("/api/v1/dossiers/", "dossier"),
        ("/api/v1/dossiersx", None),
        ("/api/v1/me/documents", "identity"),
        ("/api/v1/media", None),
        ("/api/v1/dossiers/../auth/login", None),
        ("/api/v1/dossiers/./1", None),
        ("/api/v2/dossiers", None),
        ("/", None),
    ],
)
def test_service_for(path: str, service: str | None) -> None:
    assert service_for(path) == service


def test_every_routed_service_has_a_name_and_an_upstream_setting() -> None:
    assert set(PREFIXES.values()) == set(SERVICES)
    assert {f"{name}_url" for name in SERVICES} <= set(GatewaySettings.model_fields)
