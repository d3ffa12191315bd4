"""Whose orders a caller lists: an agency's officer the agency's, anyone else their own."""

from __future__ import annotations

from typing import Any

from services.payment.application.orders import OrderQuery, list_orders
from shared.events.envelope import Actor


class AskedViews:
    """Records what the read model was asked."""

    def __init__(self) -> None:
        self.asked: dict[str, Any] = {}

    async def page(self, **query: Any) -> tuple[list[dict[str, Any]], str | None]:
        self.asked = query
        return [], None


async def _asked(actor: Actor, query: OrderQuery | None = None) -> dict[str, Any]:
    views = AskedViews()
    await list_orders(views, actor, query or OrderQuery())
    return views.asked


async def test_an_officer_lists_the_agency_s_orders() -> None:
    asked = await _asked(Actor(id="o-1", role="officer", agency="HN.TP"))
    assert (asked["payer_id"], asked["agency_code"]) == (None, "HN.TP")


async def test_a_citizen_and_an_officer_of_no_agency_list_their_own() -> None:
    for actor in (Actor(id="c-1", role="citizen"), Actor(id="o-2", role="officer")):
        asked = await _asked(actor)
        assert (asked["payer_id"], asked["agency_code"]) == (actor.id, None)


async def test_the_filters_and_the_cursor_reach_the_read_model() -> None:
    query = OrderQuery(dossier_id="d-1", status="paid", refund_due=True, after="c", limit=7)
    asked = await _asked(Actor(id="c-1", role="citizen"), query)
    assert asked == {
        "payer_id": "c-1",
        "agency_code": None,
        "dossier_id": "d-1",
        "status": "paid",
        "refund_due": True,
        "after": "c",
        "limit": 7,
    }
