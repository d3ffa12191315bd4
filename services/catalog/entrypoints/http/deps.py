"""Dependencies of the catalog routes: the use cases and the admin check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.catalog.application.catalog import Catalog
from shared.events.envelope import Actor
from shared.http.actor import CurrentActor
from shared.problems import ProblemError

PREFIX = "/api/v1/catalog"


def catalog(request: Request) -> Catalog:
    return request.app.state.catalog


def admin_actor(actor: CurrentActor) -> Actor:
    """Every write to the catalogue is an admin's."""
    if actor.role != "admin":
        raise ProblemError(
            403, "forbidden", "Chỉ quản trị viên mới được thay đổi danh mục thủ tục hành chính."
        )
    return actor


CatalogDep = Annotated[Catalog, Depends(catalog)]
AdminActor = Annotated[Actor, Depends(admin_actor)]
