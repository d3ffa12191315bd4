"""Agencies and fields: public reads, admin writes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import ValidationError

from services.catalog.application.common import invalid
from services.catalog.domain.errors import InvalidAgencyError
from services.catalog.domain.model import Agency, ProcedureField, Tier
from services.catalog.entrypoints.http.deps import PREFIX, AdminActor, CatalogDep
from services.catalog.entrypoints.http.models import AgencyList, AgencyView, CodeName, FieldList

router = APIRouter(prefix=PREFIX, tags=["agencies", "fields"])


@router.get("/agencies", response_model=AgencyList)
async def list_agencies(
    catalog: CatalogDep,
    tier: Tier | None = None,
    parent: Annotated[str | None, Query(max_length=40)] = None,
    include_retired: bool = False,
) -> dict[str, Any]:
    items = await catalog.registry.list_agencies(tier, parent, include_retired)
    return {"items": items, "total": len(items)}


@router.get("/agencies/{code}", response_model=AgencyView)
async def get_agency(catalog: CatalogDep, code: str) -> dict[str, Any]:
    return await catalog.registry.agency(code)


@router.put("/agencies/{code}", response_model=AgencyView)
async def save_agency(
    catalog: CatalogDep, actor: AdminActor, code: str, body: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    try:
        agency = Agency.model_validate({**body, "code": code})
    except ValidationError as error:
        raise invalid(
            error, InvalidAgencyError, "Thông tin cơ quan không hợp lệ, vui lòng kiểm tra lại."
        ) from error
    return await catalog.registry.save_agency(agency, actor)


@router.get("/fields", response_model=FieldList)
async def list_fields(catalog: CatalogDep) -> dict[str, Any]:
    items = await catalog.registry.list_fields()
    return {"items": items, "total": len(items)}


@router.put("/fields/{code}", response_model=CodeName)
async def save_field(
    catalog: CatalogDep, actor: AdminActor, code: str, body: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    try:
        field = ProcedureField.model_validate({**body, "code": code})
    except ValidationError as error:
        raise invalid(
            error, InvalidAgencyError, "Thông tin lĩnh vực không hợp lệ, vui lòng kiểm tra lại."
        ) from error
    return await catalog.registry.save_field(field, actor)
