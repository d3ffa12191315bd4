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
from shared.problems import file_refused

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


def store_file(blobs: BlobStore, data: bytes) -> dict[str, Any]:
    """Put ``data`` in the store; its {content_type, size, sha256}. Too large is 413
    ``attachment-too-large`` and a type not allowed 415 ``attachment-type-not-allowed``
    (the shared words, dossier's documented types); an unreachable store stays
    :class:`shared.blobstore.BlobUnavailableError`, a 503 (shared.problems)."""
    try:
        sha256 = blobs.put(data)
    except (BlobTooLargeError, BlobTypeNotAllowedError) as error:
        raise file_refused(error, "attachment") from None
    return {"content_type": sniff_content_type(data), "size": len(data), "sha256": sha256}
