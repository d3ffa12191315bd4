"""Agencies (cơ quan) and fields (lĩnh vực): saved whole by admins, read by everyone."""

from __future__ import annotations

from typing import Any

from services.catalog.application.common import Clock
from services.catalog.application.ports import RecordRepository
from services.catalog.application.views import AgencyView, CodeName
from services.catalog.domain import events
from services.catalog.domain.errors import ConflictError, InvalidAgencyError, NotFoundError
from services.catalog.domain.model import Agency, ProcedureField
from shared.events.envelope import Actor
from shared.vn.time import utc_now

Doc = dict[str, Any]
_AGENCY_FIELDS = ("code", "name", "tier", "parent_code", "retired", "address", "phone")


def agency_view(doc: Doc) -> AgencyView:
    return AgencyView.model_validate({key: doc.get(key) for key in _AGENCY_FIELDS})


class Registry:
    def __init__(
        self, agencies: RecordRepository, fields: RecordRepository, clock: Clock = utc_now
    ) -> None:
        self.agencies = agencies
        self.fields = fields
        self.clock = clock

    async def save_agency(self, agency: Agency, actor: Actor) -> AgencyView:
        if agency.parent_code is not None:
            parent = await self.agencies.get(agency.parent_code)
            if parent is None:
                raise InvalidAgencyError(f"Không tìm thấy cơ quan cấp trên {agency.parent_code}.")
            if parent["tier"] != "province":
                raise InvalidAgencyError("Cơ quan cấp trên phải là Ủy ban nhân dân cấp tỉnh.")
        existing = await self.agencies.get(agency.code)
        if existing is not None and agency_view(existing).model_dump() == agency.model_dump():
            return agency_view(existing)  # nothing changed: no event
        seq = existing["seq"] if existing else 0
        now = self.clock()
        event = events.agency_saved(agency, seq + 1, actor, now)
        if not await self.agencies.save(agency.code, seq, agency.model_dump(), event, now):
            raise ConflictError("Cơ quan vừa được người khác cập nhật, vui lòng thử lại.")
        return AgencyView.model_validate(agency.model_dump())

    async def agency(self, code: str) -> AgencyView:
        doc = await self.agencies.get(code)
        if doc is None:
            raise NotFoundError(f"Không tìm thấy cơ quan có mã {code}.")
        return agency_view(doc)

    async def list_agencies(
        self, tier: str | None, parent: str | None, include_retired: bool
    ) -> list[AgencyView]:
        query: Doc = {}
        if tier:
            query["tier"] = tier
        if parent:
            query["parent_code"] = parent
        if not include_retired:
            query["retired"] = False
        return [agency_view(d) for d in await self.agencies.list(query)]

    async def names(self, codes: list[str]) -> dict[str, str]:
        docs = await self.agencies.get_many(codes)
        return {d["code"]: d["name"] for d in docs}

    async def save_field(self, field: ProcedureField, actor: Actor) -> CodeName:
        existing = await self.fields.get(field.code)
        if existing is not None and existing["name"] == field.name:
            return CodeName(code=field.code, name=field.name)
        seq = existing["seq"] if existing else 0
        now = self.clock()
        event = events.field_saved(field, seq + 1, actor, now)
        if not await self.fields.save(field.code, seq, field.model_dump(), event, now):
            raise ConflictError("Lĩnh vực vừa được người khác cập nhật, vui lòng thử lại.")
        return CodeName(code=field.code, name=field.name)

    async def field(self, code: str) -> CodeName | None:
        doc = await self.fields.get(code)
        return None if doc is None else CodeName(code=doc["code"], name=doc["name"])

    async def list_fields(self) -> list[CodeName]:
        return [CodeName(code=d["code"], name=d["name"]) for d in await self.fields.list({})]
