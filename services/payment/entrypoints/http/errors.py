"""Domain errors → problem+json, in one place; a store that does not answer → 503."""

import logging

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout

from services.payment.domain.errors import PaymentError
from shared.problems import problem_response

log = logging.getLogger(__name__)

# PostgreSQL unreachable, through our pool or the event store's (the library wraps
# psycopg's errors in its own): nothing was changed, the caller may try again.
STORE_DOWN = (psycopg.OperationalError, PoolTimeout, OperationalError, InterfaceError)


def install(app: FastAPI) -> None:
    @app.exception_handler(PaymentError)
    async def _domain(request: Request, exc: PaymentError) -> JSONResponse:
        return problem_response(exc.status, exc.type, exc.detail, instance=request.url.path)

    for error in STORE_DOWN:

        @app.exception_handler(error)
        async def _store_down(request: Request, exc: Exception) -> JSONResponse:
            log.warning("store unavailable: %r", exc)
            return problem_response(
                503,
                "service-unavailable",
                "Dịch vụ thanh toán tạm thời không truy cập được dữ liệu, vui lòng thử lại sau.",
                instance=request.url.path,
                headers={"Retry-After": "5"},
            )
