"""Downloadable forms (mẫu đơn, tờ khai): real files kept with the draft and its versions."""

from __future__ import annotations

import hashlib

import filetype

from services.catalog.application.common import Clock
from services.catalog.application.ports import TemplateRepository
from services.catalog.application.procedures import Procedures
from services.catalog.domain.errors import InvalidTemplateError, NotFoundError
from services.catalog.domain.model import ProcedureContent, TemplateRef
from shared.events.envelope import Actor
from shared.vn.time import utc_now

MAX_BYTES = 5 * 1024 * 1024
ALLOWED = {  # sniffed from the bytes, never from the name
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "doc": "application/msword",
}


def sniff(content: bytes) -> tuple[str, str]:
    kind = filetype.guess(content)
    if kind is None or kind.extension not in ALLOWED:
        raise InvalidTemplateError(
            "Tệp biểu mẫu phải là văn bản Word (.docx, .doc), OpenDocument (.odt), "
            "bảng tính (.xlsx) hoặc PDF."
        )
    return kind.extension, ALLOWED[kind.extension]


class Templates:
    def __init__(
        self, store: TemplateRepository, procedures: Procedures, clock: Clock = utc_now
    ) -> None:
        self.store = store
        self.procedures = procedures
        self.clock = clock

    async def store_file(self, code: str, name: str, filename: str, content: bytes) -> TemplateRef:
        if not content:
            raise InvalidTemplateError("Tệp biểu mẫu trống.")
        if len(content) > MAX_BYTES:
            raise InvalidTemplateError("Tệp biểu mẫu vượt quá 5 MB.")
        extension, content_type = sniff(content)
        stem = filename.rsplit(".", 1)[0] if "." in filename else filename
        sha256 = hashlib.sha256(content).hexdigest()
        await self.store.put(sha256, content, content_type, self.clock())
        try:
            return TemplateRef(
                code=code,
                name=name,
                filename=f"{stem}.{extension}",
                content_type=content_type,
                sha256=sha256,
                size=len(content),
            )
        except ValueError as error:
            raise InvalidTemplateError("Tên hoặc mã biểu mẫu không hợp lệ.") from error

    async def attach(
        self, procedure_code: str, template: TemplateRef, actor: Actor, reason: str = ""
    ) -> TemplateRef:
        """Add or replace a template in the draft; it appears in the next published version."""
        draft, revision = await self.procedures.draft_with_revision(procedure_code)
        kept = [t for t in draft.templates if t.code != template.code]
        content = ProcedureContent.model_validate(
            {**draft.model_dump(), "templates": [*kept, template]}
        )
        await self.procedures.save_draft(
            content, actor, reason or f"biểu mẫu {template.code}", expected_revision=revision
        )
        return template

    async def download(
        self, procedure_code: str, template_code: str, version: int | None
    ) -> tuple[TemplateRef, bytes]:
        content, _ = await self.procedures.version(procedure_code, version)
        ref = next((t for t in content.templates if t.code == template_code), None)
        if ref is None:
            raise NotFoundError(f"Thủ tục {procedure_code} không có biểu mẫu {template_code}.")
        data = await self.store.get(ref.sha256)
        if data is None:
            raise NotFoundError(f"Tệp của biểu mẫu {template_code} không còn được lưu trữ.")
        return ref, data
