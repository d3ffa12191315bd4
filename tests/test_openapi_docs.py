"""The OpenAPI documents in docs/openapi/ are what the services serve, and say how they refuse."""

from __future__ import annotations

import pytest

from motcua_ops.openapi import DOCS, FACTORIES, document, rendered


@pytest.mark.parametrize("service", list(FACTORIES))
def test_the_committed_document_is_what_the_code_serves(service: str) -> None:
    committed = (DOCS / f"{service}.json").read_text(encoding="utf-8")
    assert committed == rendered(service), (
        f"docs/openapi/{service}.json is stale: run `make openapi` and commit it"
    )


@pytest.mark.parametrize("service", list(FACTORIES))
def test_every_operation_documents_its_problem_answer(service: str) -> None:
    schema = document(service)
    assert schema["components"]["schemas"]["Problem"]["required"] == [
        "type",
        "title",
        "status",
        "detail",
    ]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            default = operation["responses"].get("default", {})
            assert "application/problem+json" in default.get("content", {}), (method, path)
