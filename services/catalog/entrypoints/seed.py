"""Demo data: Ninh Bình's agencies, fields and 40+ procedures, idempotently.

``motcua seed --demo`` calls :func:`seed_demo`. Every write goes through the
use cases, so each agency, field and published version is also an event in
the outbox (published by the running catalog process). A second run changes
nothing and records no event: unchanged records are skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from services.catalog import bootstrap
from services.catalog.application.catalog import Catalog
from services.catalog.domain.errors import NotFoundError
from services.catalog.domain.model import Agency, ProcedureContent, ProcedureField, TemplateRef
from services.catalog.settings import CatalogSettings
from shared.events.envelope import Actor
from shared.vn.money import MAX_VND

DEMO = Path(__file__).resolve().parents[1] / "demo"
SEED_ACTOR = Actor(id="catalog-demo-seed", role="system")
DELIVERY = {
    1: ["office"],
    2: ["office", "post"],
    3: ["office", "post"],
    4: ["office", "post", "online"],
}
_KINDS: dict[str, dict[str, Any]] = {
    "text": {"type": "string", "minLength": 1, "maxLength": 300},
    "longtext": {"type": "string", "minLength": 1, "maxLength": 3000},
    "date": {"type": "string", "format": "date"},
    "int": {"type": "integer", "minimum": 0, "maximum": 1_000_000},
    "money": {"type": "integer", "minimum": 0, "maximum": MAX_VND},
    "email": {"type": "string", "format": "email", "maxLength": 254},
    "phone": {"type": "string", "pattern": "^(0|\\+84)[0-9]{9,10}$"},
    "id12": {"type": "string", "pattern": "^[0-9]{12}$"},
    "bool": {"type": "boolean"},
}
_WIDGETS = {
    "longtext": "textarea",
    "date": "date",
    "money": "money",
    "email": "email",
    "phone": "tel",
}


def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((DEMO / name).read_text(encoding="utf-8"))


def _flatten(items: list[Any]) -> list[Any]:
    """YAML aliases cannot be spliced into a list: ``[*steps, "more"]`` nests them."""
    return [x for item in items for x in (_flatten(item) if isinstance(item, list) else [item])]


def form(
    spec: list[Any], groups: dict[str, list[list[str]]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A JSON Schema 2020-12 and presentation hints from the compact field list."""
    fields: list[list[str]] = []
    for entry in spec:
        fields.extend(groups[entry] if isinstance(entry, str) else [entry])
    properties: dict[str, Any] = {}
    required: list[str] = []
    order: list[str] = []
    widgets: dict[str, str] = {}
    for raw_name, title, kind in fields:
        name = raw_name.rstrip("*")
        if name in properties:
            continue
        if kind.startswith("enum:"):
            prop = {"type": "string", "enum": kind[5:].split("|")}
            widgets[name] = "select"
        else:
            prop = dict(_KINDS[kind])
            if kind in _WIDGETS:
                widgets[name] = _WIDGETS[kind]
        properties[name] = {"title": title, **prop}
        order.append(name)
        if raw_name.endswith("*"):
            required.append(name)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    return schema, {"order": order, "widgets": widgets}


def fee_line(raw: list[Any]) -> dict[str, Any]:
    """``[code, name, VND, rule?, {quantity_field, free_units, …}?]``."""
    options = raw[-1] if isinstance(raw[-1], dict) else {}
    plain = raw[:-1] if options else raw
    return {
        "code": plain[0],
        "name": plain[1],
        "amount": plain[2],
        "rule": plain[3] if len(plain) > 3 else None,
        **options,
    }


def procedure_content(
    raw: dict[str, Any], meta: dict[str, Any], templates: list[TemplateRef]
) -> ProcedureContent:
    schema, ui = form(raw["form"], meta["form_groups"])
    agencies = raw["agencies"]
    documents = [
        {
            "code": d[0],
            "name": d[1],
            "originals": d[2],
            "copies": d[3],
            "wallet_types": d[4] if len(d) > 4 else [],
            "required": d[5] if len(d) > 5 else True,
        }
        for d in raw["documents"]
    ]
    fees = [fee_line(f) for f in raw["fees"]]
    return ProcedureContent(
        code=raw["code"],
        name=raw["name"],
        field_code=raw["field"],
        service_level=raw["level"],
        government_level=raw["gov"],
        agency_codes=meta["agency_groups"][agencies] if isinstance(agencies, str) else agencies,
        summary=raw.get("summary", ""),
        applicants=raw.get("applicants", ""),
        steps=_flatten(raw["steps"]),
        required_documents=documents,
        form_schema=schema,
        form_ui=ui,
        templates=templates,
        time_limit_days=raw["days"],
        fees=fees,
        result=raw.get("result", ""),
        result_delivery=raw.get("delivery", DELIVERY[raw["level"]]),
        legal_basis=_flatten(raw.get("legal", [])),
        keywords=raw.get("keywords", []),
    )


async def _templates(
    catalog: Catalog, raw: dict[str, Any], meta: dict[str, Any], names: dict[str, str]
) -> list[TemplateRef]:
    """Level 2 and up offer the form as a real .docx to download."""
    if raw["level"] < 2 or "form_title" not in raw:
        return []
    schema, _ = form(raw["form"], meta["form_groups"])
    addressee = (
        "Ủy ban nhân dân xã/phường ……………"
        if raw["gov"] == "commune"
        else names.get(raw["agencies"][0], "……………")
    )
    data = bootstrap.form_renderer()(raw["form_title"], addressee, schema)
    ref = await catalog.templates.store_file("TK", raw["form_title"], raw["form_title"], data)
    return [ref]


async def seed_into(pool: bootstrap.Pool) -> dict[str, int]:
    catalog = bootstrap.build_catalog(pool)
    meta = load("agencies.yaml")
    for field in meta["fields"]:
        await catalog.registry.save_field(ProcedureField(**field), SEED_ACTOR)
    for agency in meta["agencies"]:
        await catalog.registry.save_agency(Agency(**agency), SEED_ACTOR)
    names = {a["code"]: a["name"] for a in meta["agencies"]}
    published = 0
    procedures = load("procedures.yaml")["procedures"]
    for raw in procedures:
        templates = await _templates(catalog, raw, meta, names)
        content = procedure_content(raw, meta, templates)
        try:
            current, _ = await catalog.procedures.version(content.code)
        except NotFoundError:
            current = None
        if current == content:
            continue
        await catalog.procedures.save_draft(content, SEED_ACTOR, "dữ liệu mẫu")
        await catalog.procedures.publish(content.code, SEED_ACTOR, "dữ liệu mẫu")
        published += 1
    return {
        "agencies": len(meta["agencies"]),
        "fields": len(meta["fields"]),
        "procedures": len(procedures),
        "published": published,
    }


async def seed_demo() -> dict[str, int]:
    pool = await bootstrap.open_store(CatalogSettings())
    try:
        return await seed_into(pool)
    finally:
        await pool.close()
