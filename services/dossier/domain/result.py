"""The result document: what the approver signs and who may download it when.

The file itself lives in the blob store, named by its SHA-256; the dossier only
records its descriptor ``{name, content_type, size, sha256}`` in ``result["document"]``.
"""

from __future__ import annotations

import re
from typing import Any

from services.dossier.domain import errors
from services.dossier.domain.numbers import unsound_numbers
from services.dossier.domain.status import Status
from shared.events.envelope import Actor
from shared.filenames import upload_name

DOCUMENT_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
OWNER_MAY_DOWNLOAD = frozenset({Status.RESULT_READY, Status.COMPLETED})
_SHA256 = re.compile(r"[0-9a-f]{64}")
RESULT_NAME = "ket-qua-giai-quyet.pdf"


def checked_result(result: dict[str, Any]) -> dict[str, Any]:
    """The approver's result with its document, if any, checked to be a descriptor;
    its numbers finite and within ±(2^53 - 1)."""
    unsound = next(unsound_numbers(result), None)
    if unsound is not None:
        raise errors.InvalidInputError(f"Kết quả giải quyết, mục «{unsound[0]}»: {unsound[1]}")
    document = result.get("document")
    if document is None:
        return result
    if not isinstance(document, dict):
        raise errors.InvalidInputError("Tệp kết quả không hợp lệ.")
    size, sha256 = document.get("size"), str(document.get("sha256") or "")
    if (
        document.get("content_type") not in DOCUMENT_TYPES
        or not isinstance(size, int)
        or isinstance(size, bool)
        or size <= 0
        or not _SHA256.fullmatch(sha256)
    ):
        raise errors.InvalidInputError("Tệp kết quả phải là tệp PDF, JPEG hoặc PNG đã tải lên.")
    clean = {
        "name": upload_name(str(document.get("name") or ""), RESULT_NAME),
        "content_type": document["content_type"],
        "size": size,
        "sha256": sha256,
    }
    return {**result, "document": clean}


def result_document(result: dict[str, Any] | None) -> dict[str, Any] | None:
    document = (result or {}).get("document") if isinstance(result, dict) else None
    return document if isinstance(document, dict) and document.get("sha256") else None


def downloadable_result(
    status: Status,
    result: dict[str, Any] | None,
    actor: Actor,
    *,
    owner: bool,
    agencies: frozenset[str],
) -> dict[str, Any]:
    """The result document ``actor`` may download now, or a refusal.

    The owner once the result is ready (after the fee, if any) or handed over;
    officers of the dossier's agencies and auditors as soon as it is approved.
    """
    if not owner and actor.role not in ("auditor", "admin"):
        if actor.role != "officer":
            raise errors.NotAllowedError("Bạn không được tải kết quả giải quyết của hồ sơ này.")
        if actor.agency not in agencies:
            raise errors.WrongAgencyError
    document = result_document(result)
    if document is None:
        raise errors.ResultNotFoundError
    if owner and status not in OWNER_MAY_DOWNLOAD:
        raise errors.ResultNotFoundError(
            "Kết quả giải quyết chưa sẵn sàng để tải "
            "(hồ sơ cần hoàn tất lệ phí hoặc chờ phê duyệt)."
        )
    return document
