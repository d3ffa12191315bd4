"""Request plumbing shared by the routes: the application, the provider, the idempotency key."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Any

from fastapi import Header, Request

from services.payment import bootstrap
from services.payment.application.payments import PaymentApplication
from services.payment.application.ports import Merchant, OrderViews, ProviderApi, ReceiptPrinter
from services.payment.domain.errors import IdempotencyKeyMissingError
from services.payment.domain.order import Command
from services.payment.settings import PaymentSettings
from shared.events.envelope import Actor

KEY = re.compile(r"[A-Za-z0-9_:.\-]{1,128}")

# Read as optional, so that a missing or malformed key is this service's own 400
# (shared/http/openapi.py documents the header as required, with this pattern).
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Một khóa riêng cho mỗi thao tác; gửi lại cùng khóa không thực hiện hai lần.",
        json_schema_extra={"pattern": f"^{KEY.pattern}$"},
    ),
]


def payments(request: Request) -> PaymentApplication:
    return request.app.state.payments


def order_views(request: Request) -> OrderViews:
    views: OrderViews = request.app.state.orders
    return views


def receipt_printer() -> ReceiptPrinter:
    return bootstrap.receipt_printer()


def settings(request: Request) -> PaymentSettings:
    return request.app.state.settings


def merchant(request: Request) -> Merchant:
    return bootstrap.merchant(settings(request))


def provider_api(request: Request) -> ProviderApi:
    return bootstrap.provider_api(settings(request))


def command(key: str | None, operation: str, actor: Actor, body: dict[str, Any]) -> Command:
    """The idempotency key and a fingerprint of what was asked with it."""
    if key is None or not KEY.fullmatch(key):
        raise IdempotencyKeyMissingError
    digest = hashlib.sha256(
        json.dumps(
            {"op": operation, "actor": actor.id, "body": body}, sort_keys=True, ensure_ascii=False
        ).encode()
    ).hexdigest()
    return Command(key=key, fingerprint=digest)


def client_ip(request: Request) -> str:
    forwarded = request.headers.get("x-forwarded-for", "").split(",")[0].strip()
    return forwarded or (request.client.host if request.client else "127.0.0.1")
