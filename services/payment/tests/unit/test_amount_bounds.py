"""Money in request bodies and payment requests is bounded (VND, at most MAX_VND): an
amount beyond it is a 422 problem in Vietnamese, never a 500 deeper down."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from services.payment.domain import errors
from services.payment.entrypoints.http import orders
from services.payment.tests.integration.support import officer
from services.payment.tests.unit.test_fee_order import order
from shared.http.app import create_app
from shared.vn.money import MAX_VND
from tests.support import tokens


@pytest.fixture
def client() -> TestClient:
    app = create_app("payment")
    app.include_router(orders.router)  # the body is refused before any store is asked
    app.state.verifier = tokens.verifier()
    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize("amount", [MAX_VND + 1, 10**400])
@pytest.mark.parametrize(
    ("route", "body"),
    [("office-payment", {"receipt_no": "BL-1"}), ("refunds", {"reason": "Hoàn phí"})],
)
def test_an_amount_beyond_the_maximum_is_refused(
    client: TestClient, route: str, body: dict[str, str], amount: int
) -> None:
    answer = client.post(
        f"/api/v1/payments/orders/{uuid.uuid4()}/{route}",
        json={**body, "amount": amount},
        headers={**officer("o-1", "HN.TP", "receiver", "approver"), "Idempotency-Key": "k-1"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"].endswith("/validation-error")
    assert problem["detail"]
    assert [e["field"] for e in problem["errors"]] == ["amount"]


def test_a_payment_request_beyond_the_maximum_opens_no_order() -> None:
    assert order(MAX_VND).amount == MAX_VND
    with pytest.raises(errors.InvalidFeeRequestError, match="vượt quá mức thu tối đa"):
        order(MAX_VND + 1)
