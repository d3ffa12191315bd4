from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.dossier.application.dossiers import DossierApplication


def _dossiers(request: Request) -> DossierApplication:
    app: DossierApplication = request.app.state.dossiers
    return app


Dossiers = Annotated[DossierApplication, Depends(_dossiers)]
