"""Reconciliation for agency administrators: the provider's day against our orders."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.payment.application.ports import ProviderError
from services.payment.application.reconciliation import reconcile
from services.payment.entrypoints.http.deps import payments, provider_api
from services.payment.entrypoints.http.models import Reconciliation
from shared.http.actor import CurrentActor
from shared.problems import ProblemError

router = APIRouter(prefix="/api/v1/payments", tags=["reconciliation"])


@router.get("/reconciliation", response_model_exclude_unset=True)
def reconciliation(
    actor: CurrentActor,
    request: Request,
    date: Annotated[str, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")],
) -> Reconciliation:
    """``date`` is a day in Vietnam (GMT+7), as the provider's report counts days."""
    allowed = actor.role == "admin" or (
        actor.role == "officer" and "agency_admin" in actor.officer_roles
    )
    if not allowed:
        raise ProblemError(
            403, "payment-not-allowed", "Chỉ quản trị viên được xem đối soát thanh toán."
        )
    try:
        transactions = provider_api(request).report(re.sub(r"-", "", date))
    except ProviderError:
        raise ProblemError(
            502,
            "payment-provider-unavailable",
            "Không lấy được báo cáo từ cổng thanh toán, vui lòng thử lại sau.",
        ) from None
    agency = None if actor.role == "admin" else actor.agency
    report = reconcile(payments(request), transactions, agency)
    return Reconciliation.model_validate({"date": date, **report})
