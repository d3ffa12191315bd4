"""The gateway in front of the whole running suite: a stopped service answers 503 at once
while the rest works, the combined OpenAPI document, the edge headers."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.e2e.journey import (
    BIRTH,
    PROBLEM,
    add_wallet_document,
    cite_wallet_document,
    extract_draft,
    log_in,
    lookup,
    new_citizen,
    ok,
    pdf,
    register_and_activate,
    upload,
)
from tests.e2e.suite import Suite

pytestmark = pytest.mark.integration


def test_with_catalog_stopped_its_api_answers_503_and_the_rest_works(suite: Suite) -> None:
    person = new_citizen("khi-ngung")
    citizen = register_and_activate(suite, person)
    suite.stop("catalog")
    try:
        with suite.client() as anonymous:
            started = time.monotonic()
            down = anonymous.get("/api/v1/catalog/procedures", params={"q": "khai sinh"})
            assert time.monotonic() - started < 5  # refused at once, never a hang
            assert down.status_code == 503
            assert down.headers["content-type"] == PROBLEM
            assert int(down.headers["retry-after"]) > 0
            problem = down.json()
            assert problem["type"].endswith("/service-unavailable")
            assert problem["service"] == "catalog"
            assert "Danh mục thủ tục hành chính" in problem["detail"]
        # logging in, filing a dossier (dossier keeps its own copy of the procedures) and
        # the public lookup do not need catalog
        again = log_in(suite, person.email, person.password)
        again.close()
        dossier_id = extract_draft(citizen, person)
        upload(citizen, dossier_id, "TK", "to-khai.pdf", pdf(f"tk-{dossier_id}"))
        cite_wallet_document(
            citizen, dossier_id, "GTTT", add_wallet_document(citizen, person.national_id)
        )
        code = ok(citizen.post(f"/api/v1/dossiers/{dossier_id}/submit"))["code"]
        assert lookup(suite, code, person.national_id)["status"] == "submitted"
        assert ok(citizen.get("/api/v1/payments/orders"))["items"] == []
    finally:
        suite.start("catalog")
        citizen.close()
    with suite.client() as anonymous:
        back = anonymous.get(f"/api/v1/catalog/procedures/{BIRTH}")
        assert back.status_code == 200 and back.json()["code"] == BIRTH


def test_the_combined_openapi_document_covers_every_service(suite: Suite) -> None:
    with suite.client() as anonymous:
        response = anonymous.get("/api/v1/openapi.json", headers={"X-Request-ID": "e2e-42"})
        document = ok(response)
    assert response.headers["x-request-id"] == "e2e-42"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "strict-transport-security" not in response.headers  # plain HTTP here
    assert "x-motcua-unavailable" not in document
    paths = document["paths"]
    for path in (
        "/api/v1/auth/login",
        "/api/v1/me",
        "/api/v1/catalog/procedures",
        "/api/v1/dossiers",
        "/api/v1/officer/dossiers/{dossier_id}/accept",
        "/api/v1/lookup/{code}",
        "/api/v1/payments/orders/{order_id}/checkout",
    ):
        assert path in paths, path
    schemas = document["components"]["schemas"]

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [node["$ref"]] if "$ref" in node else [r for v in node.values() for r in refs(v)]
        return [r for v in node for r in refs(v)] if isinstance(node, list) else []

    missing = {r for r in refs(document) if r.removeprefix("#/components/schemas/") not in schemas}
    assert not missing  # every reference resolves in the merged document
