"""Procedures: admins edit a draft and publish it as a new immutable version."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from pydantic import ValidationError

from services.catalog.application.common import Clock, history_entry, invalid
from services.catalog.application.documents import content_from_doc, content_to_doc, search_fields
from services.catalog.application.ports import ProcedureRepository
from services.catalog.application.registry import Registry
from services.catalog.application.views import (
    CodeName,
    DraftSaved,
    ProcedureView,
    Published,
    Withdrawn,
)
from services.catalog.domain import events
from services.catalog.domain.errors import (
    ConflictError,
    InvalidProcedureError,
    NotFoundError,
    NothingToPublishError,
    NotPublishedError,
)
from services.catalog.domain.model import FeeRuleError, ProcedureContent, check_fee_fields
from shared.events.envelope import Actor
from shared.vn.time import utc_now

Doc = dict[str, Any]
_RETRY = "Thủ tục vừa được người khác cập nhật, vui lòng tải lại và thử lại."


class Procedures:
    def __init__(
        self, store: ProcedureRepository, registry: Registry, clock: Clock = utc_now
    ) -> None:
        self.store = store
        self.registry = registry
        self.clock = clock

    async def create(self, content: ProcedureContent, actor: Actor, reason: str) -> DraftSaved:
        """A new procedure, as a draft: nothing is public until it is published."""
        await self._check_references(content)
        if await self.store.get(content.code) is not None:
            raise ConflictError(f"Thủ tục có mã {content.code} đã tồn tại.")
        return await self._save_draft(content, actor, reason, None)

    async def save_draft(
        self,
        content: ProcedureContent,
        actor: Actor,
        reason: str = "",
        expected_revision: int | None = None,
    ) -> DraftSaved:
        """Create the procedure or replace its draft; published versions are untouched."""
        await self._check_references(content)
        return await self._save_draft(content, actor, reason, expected_revision)

    async def _save_draft(
        self, content: ProcedureContent, actor: Actor, reason: str, expected_revision: int | None
    ) -> DraftSaved:
        now = self.clock()
        draft = content_to_doc(content)
        doc = await self.store.get(content.code)
        if doc is None:
            if not await self.store.create(
                content.code, draft, history_entry("created", actor, now, reason), now
            ):
                raise ConflictError(_RETRY)
            return DraftSaved(code=content.code, draft_revision=1)
        revision = doc["draft_revision"]
        if expected_revision is not None and revision != expected_revision:
            raise ConflictError(_RETRY)
        # without an expected revision the last save wins, as when two tabs save in turn
        saved = await self.store.save_draft(
            content.code,
            expected_revision,
            draft,
            history_entry("draft_saved", actor, now, reason),
            now,
        )
        if saved is None:
            raise ConflictError(_RETRY)
        return DraftSaved(code=content.code, draft_revision=saved)

    async def draft(self, code: str) -> ProcedureContent:
        content, _ = await self.draft_with_revision(code)
        return content

    async def draft_with_revision(self, code: str) -> tuple[ProcedureContent, int]:
        doc = await self._doc(code)
        return content_from_doc(doc["draft"]), doc["draft_revision"]

    async def publish(self, code: str, actor: Actor, reason: str = "") -> Published:
        doc = await self._doc(code)
        if doc["status"] == "published" and doc["draft_revision"] == doc["published_revision"]:
            raise NothingToPublishError(
                f"Bản nháp của thủ tục {code} không có thay đổi so với phiên bản đang áp dụng."
            )
        content = content_from_doc(doc["draft"])
        try:  # a draft saved before fee rules must name its count fields now
            check_fee_fields(content.fees, content.form_schema["properties"])
        except FeeRuleError as error:
            raise InvalidProcedureError(str(error)) from error
        await self._check_references(content)
        field = await self.registry.field(content.field_code)
        version = doc["current_version"] + 1
        now = self.clock()
        data = events.version_data(content, version, now)
        event = events.procedure_published(data, doc["seq"] + 1, actor, now)
        snapshot = {
            "version": version,
            "published_at": now,
            "published_by": actor.id,
            "content": content_to_doc(content),
        }
        listing = search_fields(content, version, field.name if field else "")
        entry = history_entry("published", actor, now, reason, version=version)
        if not await self.store.publish(
            code, doc["seq"], doc["draft_revision"], snapshot, listing, entry, event, now
        ):
            raise ConflictError(_RETRY)
        return Published(code=code, version=version, published_at=now)

    async def withdraw(self, code: str, actor: Actor, reason: str) -> Withdrawn:
        doc = await self._doc(code)
        if doc["status"] != "published":
            raise NotPublishedError(f"Thủ tục {code} không có phiên bản đang áp dụng.")
        version = doc["current_version"]
        now = self.clock()
        event = events.procedure_withdrawn(code, version, reason, doc["seq"] + 1, actor, now)
        entry = history_entry("withdrawn", actor, now, reason, version=version)
        if not await self.store.withdraw(code, doc["seq"], version, entry, event, now):
            raise ConflictError(_RETRY)
        return Withdrawn(code=code, version=version, status="withdrawn")

    async def version(self, code: str, version: int | None = None) -> tuple[ProcedureContent, Doc]:
        """A published version (the current one by default) and its metadata."""
        doc = await self.store.get_with_version(code, version)
        if doc is None or doc["current_version"] == 0:
            raise NotFoundError(f"Không tìm thấy thủ tục có mã {code}.")
        if version is None:
            if doc["status"] != "published":
                raise NotFoundError(
                    f"Thủ tục {code} đã bị bãi bỏ hoặc tạm ngừng áp dụng.",
                    latest_version=doc["current_version"],
                )
            version = doc["current_version"]
        snapshot = doc["snapshot"]
        if snapshot is None:
            raise NotFoundError(f"Thủ tục {code} không có phiên bản {version}.")
        if snapshot["withdrawn_at"] is not None:
            status = "withdrawn"
        elif version == doc["current_version"]:
            status = "current"
        else:
            status = "superseded"
        meta = {
            "version": version,
            "status": status,
            "latest_version": doc["current_version"],
            "published_at": snapshot["published_at"].astimezone(UTC).isoformat(),
        }
        return content_from_doc(snapshot["content"]), meta

    async def public_view(self, code: str, version: int | None = None) -> ProcedureView:
        content, meta = await self.version(code, version)
        names = await self.registry.names(content.agency_codes)
        field = await self.registry.field(content.field_code)
        return ProcedureView.model_validate(
            {
                **content.model_dump(),
                **meta,
                "mode": content.mode,
                "field": field or CodeName(code=content.field_code, name=""),
                "agencies": [CodeName(code=c, name=names.get(c, "")) for c in content.agency_codes],
            }
        )

    async def _doc(self, code: str) -> Doc:
        doc = await self.store.get(code)
        if doc is None:
            raise NotFoundError(f"Không tìm thấy thủ tục có mã {code}.")
        return doc

    async def _check_references(self, content: ProcedureContent) -> None:
        if await self.registry.field(content.field_code) is None:
            raise InvalidProcedureError(f"Không tìm thấy lĩnh vực có mã {content.field_code}.")
        agencies = await self.registry.agencies.get_many(content.agency_codes)
        active = {a["code"] for a in agencies if not a.get("retired")}
        missing = [c for c in content.agency_codes if c not in active]
        if missing:
            raise InvalidProcedureError(
                f"Cơ quan {', '.join(missing)} không tồn tại hoặc đã ngừng hoạt động."
            )


def parse_content(data: Doc) -> ProcedureContent:
    try:
        return ProcedureContent.model_validate(data)
    except ValidationError as error:
        fee_errors = [
            e["ctx"]["error"]
            for e in error.errors()
            if isinstance(e.get("ctx", {}).get("error"), FeeRuleError)
        ]
        detail = (
            str(fee_errors[0])
            if fee_errors
            else "Nội dung thủ tục không hợp lệ, vui lòng kiểm tra lại."
        )
        raise invalid(error, InvalidProcedureError, detail) from error
