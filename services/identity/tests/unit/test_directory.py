"""The staff directory's policy: an agency's own officers (any duty) and admins read it,
nobody else; active staff first, by name."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from services.identity.application.directory import agency_staff, may_read_staff
from services.identity.domain.errors import InvalidFieldError, NotAllowedError
from shared.events.envelope import Actor

ADMIN = Actor(id="a", role="admin")


def officer(agency: str, *roles: str) -> Actor:
    return Actor(id="o", role="officer", agency=agency, officer_roles=roles)


class Store:
    def __init__(self, accounts: list[dict[str, Any]]) -> None:
        self.accounts = accounts
        self.asked: list[str] = []

    async def staff_of(self, agency: str) -> list[dict[str, Any]]:
        self.asked.append(agency)
        return [a for a in self.accounts if a["agency_code"] == agency]


class Ctx:
    def __init__(self, store: Store) -> None:
        self.store = store


def account(
    id_: str,
    name: str,
    status: str = "active",
    agency: str = "NB.HOALU",
    roles: tuple[str, ...] = ("processor",),
) -> dict[str, Any]:
    return {
        "_id": id_,
        "profile": {"full_name": name},
        "status": status,
        "agency_code": agency,
        "officer_roles": list(roles),
    }


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        (officer("NB.HOALU", "receiver"), True),
        (officer("NB.HOALU", "processor"), True),
        (officer("NB.HOALU", "approver"), True),
        (officer("NB.HOALU", "agency_admin"), True),
        (ADMIN, True),
        (officer("NB.STP", "agency_admin"), False),
        (Actor(id="t", role="auditor"), False),
        (Actor(id="c", role="citizen"), False),
        (Actor(id="c", role="citizen", agency="NB.HOALU"), False),
    ],
)
def test_who_reads_the_staff_of_an_agency(actor: Actor, allowed: bool) -> None:
    assert may_read_staff(actor, "NB.HOALU") is allowed


def test_active_first_by_name_and_refusals_before_any_read() -> None:
    store = Store(
        [
            account("3", "Vũ Văn Nghỉ", "disabled"),
            account("2", "Đặng Thị Ánh"),
            account("1", "Bùi Văn An", roles=("approver", "processor")),
            account("9", "Người ở Sở", agency="NB.STP"),
        ]
    )
    ctx: Any = Ctx(store)
    listed = asyncio.run(agency_staff(ctx, officer("NB.HOALU", "receiver"), None))
    assert listed["agency_code"] == "NB.HOALU"
    assert [(s["id"], s["active"]) for s in listed["items"]] == [
        ("1", True),
        ("2", True),
        ("3", False),
    ]
    assert listed["items"][0]["officer_roles"] == ["approver", "processor"]
    with pytest.raises(NotAllowedError):
        asyncio.run(agency_staff(ctx, officer("NB.STP", "agency_admin"), "NB.HOALU"))
    with pytest.raises(NotAllowedError):
        asyncio.run(agency_staff(ctx, Actor(id="c", role="citizen"), None))
    with pytest.raises(InvalidFieldError):
        asyncio.run(agency_staff(ctx, ADMIN, None))
    assert store.asked == ["NB.HOALU"]
