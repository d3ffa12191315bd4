"""The caller, as the gateway forwards it after verifying the access token.

Services listen on loopback only; the gateway strips these headers from
incoming requests and sets them from the verified token.
"""

from typing import Annotated

from fastapi import Depends, Header

from shared.events.envelope import Actor
from shared.problems import ProblemError


def current_actor(
    x_motcua_user_id: Annotated[str | None, Header()] = None,
    x_motcua_role: Annotated[str | None, Header()] = None,
    x_motcua_agency: Annotated[str | None, Header()] = None,
) -> Actor:
    if not x_motcua_user_id or not x_motcua_role:
        raise ProblemError(401, "unauthenticated", "Bạn cần đăng nhập để thực hiện thao tác này.")
    return Actor(id=x_motcua_user_id, role=x_motcua_role, agency=x_motcua_agency)


CurrentActor = Annotated[Actor, Depends(current_actor)]
