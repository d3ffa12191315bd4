"""Catalog integration events (docs/events.md, Catalog table), built from domain data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.catalog.domain.model import Agency, ProcedureContent, ProcedureField
from shared.events.envelope import Actor, IntegrationEvent


def _event(
    kind: str, subject: str, sequence: int, data: dict[str, Any], actor: Actor, now: datetime
) -> IntegrationEvent:
    return IntegrationEvent.of(
        context="catalog",
        kind=kind,
        subject=subject,
        sequence=sequence,
        data=data,
        actor=actor,
        time=now,
    )


def version_data(content: ProcedureContent, version: int, published_at: datetime) -> dict[str, Any]:
    """A complete published version: what consumers keep to file dossiers against it."""
    data = content.model_dump(mode="json")
    return {
        "code": content.code,
        "version": version,
        "name": content.name,
        "field_code": content.field_code,
        "service_level": content.service_level,
        "mode": content.mode,
        "agency_codes": content.agency_codes,
        "government_level": content.government_level,
        "steps": content.steps,
        "required_documents": data["required_documents"],
        "form_schema": data["form_schema"],
        "form_ui": data["form_ui"],
        "time_limit_days": content.time_limit_days,
        "fees": data["fees"],
        "result_delivery": content.result_delivery,
        "legal_basis": content.legal_basis,
        # optional additions to the contract
        "summary": content.summary,
        "applicants": content.applicants,
        "result": content.result,
        "templates": data["templates"],
        "keywords": content.keywords,
        "published_at": published_at.isoformat(),
    }


def procedure_published(
    data: dict[str, Any], sequence: int, actor: Actor, now: datetime
) -> IntegrationEvent:
    return _event("procedure_published", data["code"], sequence, data, actor, now)


def procedure_withdrawn(
    code: str, version: int, reason: str, sequence: int, actor: Actor, now: datetime
) -> IntegrationEvent:
    data = {"code": code, "version": version, "reason": reason}
    return _event("procedure_withdrawn", code, sequence, data, actor, now)


def agency_saved(agency: Agency, sequence: int, actor: Actor, now: datetime) -> IntegrationEvent:
    data = {
        "code": agency.code,
        "name": agency.name,
        "parent_code": agency.parent_code,
        "tier": agency.tier,
        "retired": agency.retired,
    }
    return _event("agency_saved", agency.code, sequence, data, actor, now)


def field_saved(
    field: ProcedureField, sequence: int, actor: Actor, now: datetime
) -> IntegrationEvent:
    data = {"code": field.code, "name": field.name}
    return _event("field_saved", f"field-{field.code}", sequence, data, actor, now)


def calendar_updated(
    year: int,
    days_off: list[str],
    working_days: list[str],
    reason: str,
    sequence: int,
    actor: Actor,
    now: datetime,
) -> IntegrationEvent:
    data = {"year": year, "days_off": days_off, "working_days": working_days, "reason": reason}
    return _event("calendar_updated", f"calendar-{year}", sequence, data, actor, now)
