"""Every operation's problem+json answer, in the service's OpenAPI document.

Any route can refuse (a Problem, bad input, an unreachable store): the document says so once
per operation, as a ``default`` response in application/problem+json with the RFC 9457 shape,
so clients generated from it know the errors' form.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from shared.problems import MEDIA_TYPE

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `detail` is Vietnamese, for people.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri", "description": "stable, for programs"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "what a person reads (Vietnamese)"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "the fields refused (422 validation-error)",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "code": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}
_PROBLEM_RESPONSE = {
    "description": "Refused: problem+json (RFC 9457)",
    "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


class ServiceApp(FastAPI):
    """FastAPI whose OpenAPI document carries the Problem schema and response."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            schema = get_openapi(
                title=self.title,
                version=self.version,
                description=self.description,
                routes=self.routes,
                tags=self.openapi_tags,
            )
            components = schema.setdefault("components", {})
            components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    operation.setdefault("responses", {}).setdefault("default", _PROBLEM_RESPONSE)
            self.openapi_schema = schema
        return self.openapi_schema
