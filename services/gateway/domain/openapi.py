"""Merging the services' OpenAPI documents into the gateway's one document.

Schemas of the same name and the same content are shared; a name two services define
differently is qualified with the service's name (and its ``$ref``s rewritten). Only the
paths the gateway routes to a service are kept; the services that did not answer are
named in ``x-motcua-unavailable``.
"""

from __future__ import annotations

import copy
from typing import Any

from services.gateway.domain.routing import SERVICES, service_for

SCHEMA_REF = "#/components/schemas/"


def merge(documents: dict[str, dict[str, Any]], unavailable: list[str]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    tags: dict[str, dict[str, Any]] = {}
    for service, original in documents.items():
        document = copy.deepcopy(original)
        own = document.get("components", {}).get("schemas", {})
        renames = {
            name: f"{service}.{name}"
            for name, schema in own.items()
            if name in schemas and schemas[name] != schema
        }
        if renames:
            document = _rewrite_refs(document, renames)
            own = document.get("components", {}).get("schemas", {})
        for name, schema in own.items():
            schemas[renames.get(name, name)] = schema
        for path, operations in document.get("paths", {}).items():
            if service_for(path) != service:
                continue  # not reachable through the gateway
            paths[path] = operations
            for operation in operations.values():
                for tag in operation.get("tags", []) if isinstance(operation, dict) else []:
                    tags.setdefault(tag, {"name": tag, "x-motcua-service": service})
    result: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Một Cửa — API",
            "version": "1",
            "description": "Mọi API của hệ thống Một Cửa qua cổng duy nhất (gateway). "
            "Lỗi trả về dạng application/problem+json (RFC 9457).",
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
        "security": [{}, {"bearer": []}],
        "tags": [tags[name] for name in sorted(tags)],
        "x-motcua-services": {name: SERVICES[name] for name in documents},
    }
    if unavailable:
        result["x-motcua-unavailable"] = sorted(unavailable)
    return result


def _rewrite_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(SCHEMA_REF):
                name = value.removeprefix(SCHEMA_REF)
                value = SCHEMA_REF + renames.get(name, name)
            out[key] = _rewrite_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item, renames) for item in node]
    return node
