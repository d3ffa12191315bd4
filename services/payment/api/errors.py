"""Domain errors → problem+json, in one place."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.payment.domain.errors import PaymentError
from shared.problems import problem_response


def install(app: FastAPI) -> None:
    @app.exception_handler(PaymentError)
    async def _domain(request: Request, exc: PaymentError) -> JSONResponse:
        return problem_response(exc.status, exc.type, exc.detail, instance=request.url.path)
