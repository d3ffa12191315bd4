"""Public lookup by code without login (seed 002 «Tra cứu hồ sơ đã nộp»).

A code alone is not enough: the caller also gives the last 4 characters of the
applicant's identity number from the form, so codes cannot be enumerated; a
wrong code and a wrong second factor get the same answer, after the same work, and a
code tried too often is locked for a while (``application/lookup.py``).

A refusal is also answered no sooner than ``refusal_seconds`` after the request came:
replaying a known dossier costs a little more than reading none, and the floor hides
what is left of that difference. The wait is an ``await``, so it holds no thread.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from services.dossier.application.dossiers import DossierNotFoundError
from services.dossier.application.lookup import PublicLookup
from services.dossier.application.views import PublicView

router = APIRouter(prefix="/api/v1/lookup", tags=["lookup"])


def _lookup(request: Request) -> PublicLookup:
    lookup: PublicLookup = request.app.state.lookup
    return lookup


@router.get("/{code}")
async def lookup(
    code: str,
    finder: Annotated[PublicLookup, Depends(_lookup)],
    id_last4: Annotated[str, Query(pattern=r"^[0-9A-Za-z]{4}$")],
) -> PublicView:
    started = time.monotonic()
    try:
        return await run_in_threadpool(finder.find, code, id_last4)
    except DossierNotFoundError:
        await asyncio.sleep(max(0.0, finder.refusal_seconds - (time.monotonic() - started)))
        raise
