"""The caller, as the gateway forwards it after verifying the access token.

Services listen on loopback only; the gateway strips these headers from
incoming requests and sets them from the verified token:
``X-Motcua-User-Id``, ``X-Motcua-Role`` (citizen, organisation, officer,
auditor, admin), ``X-Motcua-Agency`` and ``X-Motcua-Officer-Roles``
(comma-separated: receiver, processor, approver, agency_admin).
"""

from typing import Annotated

from fastapi import Depends, Header

from shared.events.envelope import Actor
from shared.problems import ProblemError


def current_actor(
    x_motcua_user_id: Annotated[str | None, Header()] = None,
    x_motcua_role: Annotated[str | None, Header()] = None,
    x_motcua_agency: Annotated[str | None, Header()] = None,
    x_motcua_officer_roles: Annotated[str | None, Header()] = None,
) -> Actor:
    if not x_motcua_user_id or not x_motcua_role:
        raise ProblemError(401, "unauthenticated", "Bạn cần đăng nhập để thực hiện thao tác này.")
    roles = tuple(r.strip() for r in (x_motcua_officer_roles or "").split(",") if r.strip())
    return Actor(
        id=x_motcua_user_id,
        role=x_motcua_role,
        agency=x_motcua_agency or None,
        officer_roles=roles,
    )


CurrentActor = Annotated[Actor, Depends(current_actor)]
