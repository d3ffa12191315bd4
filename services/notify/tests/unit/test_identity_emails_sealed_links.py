"""An activation email opens its sealed link just before sending, once per event; a link
sealed for another key sends nothing and is recorded as unsealable."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from services.notify.application.identity_emails import IdentityEmails
from services.notify.tests.unit.fakes import FakeMailer, FakeNotifyStore, FakeTemplates
from shared.events.envelope import Actor, IntegrationEvent
from shared.sealing import seal

KEY = X25519PrivateKey.generate()
LINK = "https://p.vn/kich-hoat?token=t1"


def _requested(sealed_for: X25519PrivateKey) -> IntegrationEvent:
    return IntegrationEvent(
        id=uuid.uuid4(),
        source="/motcua/identity",
        type="vn.motcua.identity.activation_requested",
        subject="a1",
        time=datetime(2026, 11, 23, 1, tzinfo=UTC),
        data={
            "email": "hoa@example.vn",
            "full_name": "Nguyễn Thị Hoa",
            "sealed_link": seal(sealed_for.public_key(), LINK, b"a1"),
            "expires_at": "2026-11-23T02:00:00+00:00",
        },
        sequence=2,
        actor=Actor(id="a1", role="citizen"),
    )


async def test_the_activation_email_carries_the_opened_link_once() -> None:
    store, mailer = FakeNotifyStore(), FakeMailer()
    emails = IdentityEmails(store, mailer, FakeTemplates(), KEY)
    event = _requested(KEY)
    await emails(event)
    await emails(event)  # redelivered
    [(to, email, key)] = mailer.outbox
    assert (to, key) == ("hoa@example.vn", str(event.id))
    assert LINK in email.body and "09:00 ngày 23/11/2026" in email.body
    assert store.emails == {str(event.id): "sent"}


async def test_a_link_sealed_for_another_key_sends_nothing() -> None:
    store, mailer = FakeNotifyStore(), FakeMailer()
    event = _requested(X25519PrivateKey.generate())
    await IdentityEmails(store, mailer, FakeTemplates(), KEY)(event)
    assert mailer.outbox == []
    assert store.emails == {str(event.id): "unsealable"}
