"""Files the dossier API stores (attachments, result files): refusals as problems."""

from __future__ import annotations

from typing import Any

from shared.blobstore import (
    ALLOWED_TYPES,
    BlobStore,
    BlobTooLargeError,
    BlobTypeNotAllowedError,
    sniff_content_type,
)
from shared.problems import ProblemError

# What a stored file's download says it is (shared.blobstore allows these types only).
FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The stored file.",
        "content": {media_type: {} for media_type in sorted(ALLOWED_TYPES)},
    }
}
PDF: dict[int | str, dict[str, Any]] = {
    200: {"description": "The printable paper.", "content": {"application/pdf": {}}}
}


def store_file(blobs: BlobStore, data: bytes, what: str) -> dict[str, Any]:
    """Put ``data`` in the store; its {content_type, size, sha256}. Too large is 413 and a
    type not allowed 415 (``what`` names the file for people); an unreachable store
    stays :class:`shared.blobstore.BlobUnavailableError`, a 503 (shared.problems)."""
    try:
        sha256 = blobs.put(data)
    except BlobTooLargeError:
        raise ProblemError(
            413, "attachment-too-large", f"{what} vượt quá dung lượng cho phép."
        ) from None
    except BlobTypeNotAllowedError:
        raise ProblemError(
            415, "attachment-type-not-allowed", "Chỉ chấp nhận tệp PDF, JPEG hoặc PNG."
        ) from None
    return {"content_type": sniff_content_type(data), "size": len(data), "sha256": sha256}
