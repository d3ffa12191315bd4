"""How catalogue content is stored: MongoDB-protocol servers refuse field names that
start with ``$`` or contain ``.``, which JSON Schemas have (``$schema``, ``$defs``),
so the form schema and its presentation hints are kept as JSON strings."""

from __future__ import annotations

import json
from typing import Any

from services.catalog.domain.model import ProcedureContent
from services.catalog.domain.text import fold, index_keys

_AS_JSON = ("form_schema", "form_ui")


def content_to_doc(content: ProcedureContent) -> dict[str, Any]:
    data = content.model_dump(mode="json")
    for key in _AS_JSON:
        data[f"{key}_json"] = json.dumps(data.pop(key), ensure_ascii=False, sort_keys=True)
    return data


def content_from_doc(doc: dict[str, Any]) -> ProcedureContent:
    """A stored draft or version; one stored before fee rules loads as it was."""
    data = dict(doc)
    for key in _AS_JSON:
        data[key] = json.loads(data.pop(f"{key}_json"))
    return ProcedureContent.model_validate(data, context={"stored": True})


def search_fields(content: ProcedureContent, version: int, field_name: str) -> dict[str, Any]:
    """The top-level fields the list and search queries read (published version only)."""
    keys = set(index_keys(content.name, *content.keywords, field_name, content.code))
    keys.add(fold(content.code))
    return {
        "s_keys": sorted(keys),
        "s_name": fold(content.name),
        "s_keywords": [*content.keywords, field_name],
        "field_code": content.field_code,
        "service_level": content.service_level,
        "agency_codes": content.agency_codes,
        "card": card(content, version),
    }


def card(content: ProcedureContent, version: int) -> dict[str, Any]:
    """A procedure as a search result shows it."""
    return {
        "code": content.code, "version": version, "name": content.name,
        "field_code": content.field_code, "service_level": content.service_level,
        "mode": content.mode, "agency_codes": content.agency_codes,
        "government_level": content.government_level,
        "time_limit_days": content.time_limit_days,
        "fee_total": sum(f.amount for f in content.fees
                         if f.rule is None and f.applies_if is None),
        "fee_counted": any(f.rule is not None for f in content.fees),
    }
