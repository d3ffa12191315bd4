"""The documents the use cases hand the stores (ports.py): a version's content as JSON
(JSON Schemas' ``$schema`` and ``$defs`` keys included, kept as JSONB), and the listing
columns publishing writes. Pure: no store is named here."""

from __future__ import annotations

from typing import Any

from services.catalog.domain.model import ProcedureContent
from services.catalog.domain.text import accented_words


def content_to_doc(content: ProcedureContent) -> dict[str, Any]:
    return content.model_dump(mode="json")


def content_from_doc(doc: dict[str, Any]) -> ProcedureContent:
    """A stored draft or version; one stored before fee rules loads as it was."""
    return ProcedureContent.model_validate(doc, context={"stored": True})


def search_fields(content: ProcedureContent, version: int, field_name: str) -> dict[str, Any]:
    """What the list and search read of the published version; PostgreSQL folds the texts
    (``search_words``) when it stores them."""
    return {
        "name": content.name,
        "keywords": [*content.keywords, field_name],  # the field's name is how people ask too
        "accented": f" {' '.join(accented_words(content.name))} ",
        "field_code": content.field_code,
        "service_level": content.service_level,
        "agency_codes": content.agency_codes,
        "card": card(content, version),
    }


def card(content: ProcedureContent, version: int) -> dict[str, Any]:
    """A procedure as a search result shows it."""
    return {
        "code": content.code,
        "version": version,
        "name": content.name,
        "field_code": content.field_code,
        "service_level": content.service_level,
        "mode": content.mode,
        "agency_codes": content.agency_codes,
        "government_level": content.government_level,
        "time_limit_days": content.time_limit_days,
        "fee_total": sum(f.amount for f in content.fees if f.rule is None and f.applies_if is None),
        "fee_counted": any(f.rule is not None for f in content.fees),
    }
