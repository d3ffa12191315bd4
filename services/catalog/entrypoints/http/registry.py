"""Agencies and fields: public reads, admin writes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import ValidationError

from services.catalog.application.common import invalid
from services.catalog.application.views import AgencyView, CodeName
from services.catalog.domain.errors import InvalidAgencyError
from services.catalog.domain.model import Agency, ProcedureField, Tier
from services.catalog.entrypoints.http.deps import PREFIX, AdminActor, CatalogDep
from services.catalog.entrypoints.http.models import AgencyList, FieldList

router = APIRouter(prefix=PREFIX, tags=["agencies", "fields"])


@router.get("/agencies")
async def list_agencies(
    catalog: CatalogDep,
    tier: Tier | None = None,
    parent: Annotated[str | None, Query(max_length=40)] = None,
    include_retired: bool = False,
) -> AgencyList:
    items = await catalog.registry.list_agencies(tier, parent, include_retired)
    return AgencyList(items=items, total=len(items))


@router.get("/agencies/{code}")
async def get_agency(catalog: CatalogDep, code: str) -> AgencyView:
    return await catalog.registry.agency(code)


@router.put("/agencies/{code}")
async def save_agency(
    catalog: CatalogDep, actor: AdminActor, code: str, body: Annotated[dict[str, Any], Body()]
) -> AgencyView:
    try:
        agency = Agency.model_validate({**body, "code": code})
    except ValidationError as error:
        raise invalid(
            error, InvalidAgencyError, "Thông tin cơ quan không hợp lệ, vui lòng kiểm tra lại."
        ) from error
    return await catalog.registry.save_agency(agency, actor)


@router.get("/fields")
async def list_fields(catalog: CatalogDep) -> FieldList:
    items = await catalog.registry.list_fields()
    return FieldList(items=items, total=len(items))


@router.put("/fields/{code}")
async def save_field(
    catalog: CatalogDep, actor: AdminActor, code: str, body: Annotated[dict[str, Any], Body()]
) -> CodeName:
    try:
        field = ProcedureField.model_validate({**body, "code": code})
    except ValidationError as error:
        raise invalid(
            error, InvalidAgencyError, "Thông tin lĩnh vực không hợp lệ, vui lòng kiểm tra lại."
        ) from error
    return await catalog.registry.save_field(field, actor)
