"""Domain errors → problem+json, in one place."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.dossier.application.dossiers import DossierNotFoundError
from services.dossier.domain import errors
from shared.problems import problem_response

_STATUS = {
    errors.NotOwnerError: 403,
    errors.InvalidTransitionError: 409,
    errors.OnlineFilingNotAllowedError: 422,
}


def install(app: FastAPI) -> None:
    @app.exception_handler(errors.DossierError)
    async def _domain(request: Request, exc: errors.DossierError) -> JSONResponse:
        return problem_response(
            _STATUS.get(type(exc), 400), exc.type, exc.detail, instance=request.url.path
        )

    @app.exception_handler(DossierNotFoundError)
    async def _missing(request: Request, exc: DossierNotFoundError) -> JSONResponse:
        return problem_response(
            404, "dossier-not-found", "Không tìm thấy hồ sơ.", instance=request.url.path
        )
