"""Public lookup by code without login (seed 002 «Tra cứu hồ sơ đã nộp»).

A code alone is not enough: the caller also gives the last 4 characters of the
applicant's identity number from the form, so codes cannot be enumerated; a
wrong code and a wrong second factor get the same answer.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query

from services.dossier.application.dossiers import DossierNotFoundError
from services.dossier.application.views import PublicView, public_view
from services.dossier.domain.code import is_valid
from services.dossier.domain.dossier import Dossier
from services.dossier.entrypoints.http.deps import Dossiers

router = APIRouter(prefix="/api/v1/lookup", tags=["lookup"])
ID_FIELDS = ("so_dinh_danh", "so_cccd", "cccd", "so_giay_to")


@router.get("/{code}")
def lookup(
    code: str, app: Dossiers, id_last4: Annotated[str, Query(pattern=r"^[0-9A-Za-z]{4}$")]
) -> PublicView:
    code = code.strip().upper()
    if not is_valid(code):
        raise DossierNotFoundError
    dossier: Dossier = app.repository.get(app.find_by_code(code))
    number = next((str(dossier.form[f]) for f in ID_FIELDS if dossier.form.get(f)), "")
    if not number or re.sub(r"\s", "", number)[-4:].upper() != id_last4.upper():
        raise DossierNotFoundError
    return public_view(dossier)
