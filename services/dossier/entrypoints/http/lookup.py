"""Public lookup by code without login (seed 002 «Tra cứu hồ sơ đã nộp»).

A code alone is not enough: the caller also gives the last 4 characters of the
applicant's identity number from the form, so codes cannot be enumerated; a
wrong code and a wrong second factor get the same answer, after the same work, and a
code tried too often is locked for a while (``application/lookup.py``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from services.dossier.application.lookup import PublicLookup
from services.dossier.application.views import PublicView

router = APIRouter(prefix="/api/v1/lookup", tags=["lookup"])


def _lookup(request: Request) -> PublicLookup:
    lookup: PublicLookup = request.app.state.lookup
    return lookup


@router.get("/{code}")
def lookup(
    code: str,
    finder: Annotated[PublicLookup, Depends(_lookup)],
    id_last4: Annotated[str, Query(pattern=r"^[0-9A-Za-z]{4}$")],
) -> PublicView:
    return finder.find(code, id_last4)
