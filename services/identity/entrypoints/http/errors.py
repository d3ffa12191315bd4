"""The one mapping identity keeps of its own: the document wallet's file refusals.

Every identity error is a :class:`shared.errors.Problem` and an unreachable store or file
store is answered by the shared handlers; the blob store's refusals (``shared.blobstore``,
not Problems) are answered here.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from shared.blobstore import BlobError, BlobNotFoundError, BlobTooLargeError
from shared.problems import problem_response


def refused_file(request: Request, error: Exception) -> JSONResponse:
    path = request.url.path
    match error:
        case BlobTooLargeError(limit=limit):
            detail = f"Tệp đính kèm vượt quá {limit // (1024 * 1024)} MiB."
            return problem_response(413, "file-too-large", detail, instance=path)
        case BlobNotFoundError():  # the document's file is not in the store
            detail = "Không tìm thấy tệp của giấy tờ này."
            return problem_response(404, "not-found", detail, instance=path)
    detail = "Chỉ chấp nhận tệp PDF, JPEG hoặc PNG."
    return problem_response(415, "file-type-not-allowed", detail, instance=path)


def install(app: FastAPI) -> None:
    """After ``create_app``: BlobUnavailableError keeps its shared 503 handler (the more
    specific class wins), every other BlobError is a refusal of the file."""

    async def handler(request: Request, error: Exception) -> JSONResponse:
        return refused_file(request, error)

    app.add_exception_handler(BlobError, handler)
