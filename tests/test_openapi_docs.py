"""The OpenAPI documents in docs/openapi/ are what the services serve, and say how they refuse."""

from __future__ import annotations

from typing import Any

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


def _is_empty(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """No schema, ``{}``, or an object without declared properties (a ``dict[str, Any]``)."""
    if "$ref" in schema:
        return _is_empty(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    parts = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    if parts:
        return any(_is_empty(p, components) for p in parts if p.get("type") != "null")
    if schema.get("type") == "array":
        return _is_empty(schema.get("items", {}), components)
    if schema.get("type") == "object" or not schema.get("type"):
        return not schema.get("properties")
    return False


def _json_answers_without_schema(service: str) -> list[tuple[str, str, str]]:
    document_ = document(service)
    components = document_.get("components", {}).get("schemas", {})
    return [
        (method, path, status)
        for path, operations in document_["paths"].items()
        for method, operation in operations.items()
        for status, response in operation["responses"].items()
        if status.startswith("2")
        and "application/json" in response.get("content", {})
        and _is_empty(response["content"]["application/json"].get("schema", {}), components)
    ]


@pytest.mark.parametrize("service", list(FACTORIES))
def test_every_json_answer_declares_its_shape(service: str) -> None:
    """Each 2xx JSON body has a schema with properties; files and streams say their media
    type instead of application/json."""
    assert _json_answers_without_schema(service) == []
