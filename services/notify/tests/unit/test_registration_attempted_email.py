"""Someone registering an address that has an account: its owner gets a Vietnamese email
with links to log in or reset the password (no sealed link: nothing in it is secret)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from services.notify.adapters.templates import JinjaTemplates
from services.notify.application.identity_emails import IdentityEmails
from services.notify.tests.unit.fakes import FakeMailer, FakeNotifyStore
from shared.events.envelope import Actor, IntegrationEvent


def _attempted() -> IntegrationEvent:
    return IntegrationEvent(
        id=uuid.uuid4(),
        source="/motcua/identity",
        type="vn.motcua.identity.registration_attempted",
        subject="a1",
        time=datetime(2026, 11, 23, 1, tzinfo=UTC),
        data={
            "account_id": "a1",
            "email": "hoa@example.vn",
            "full_name": "Nguyễn Thị Hoa",
            "login_link": "https://p.vn/dang-nhap",
            "reset_link": "https://p.vn/quen-mat-khau",
        },
        sequence=3,
        actor=Actor(id="system", role="system"),
    )


async def test_the_owner_is_told_someone_tried_to_register_the_address() -> None:
    store, mailer = FakeNotifyStore(), FakeMailer()
    event = _attempted()
    await IdentityEmails(store, mailer, JinjaTemplates(), X25519PrivateKey.generate())(event)
    [(to, email, key)] = mailer.outbox
    assert (to, key) == ("hoa@example.vn", str(event.id))
    assert email.subject == "[Một Cửa] Có người đăng ký tài khoản bằng địa chỉ thư của bạn"
    assert "Kính gửi Nguyễn Thị Hoa" in email.body
    assert "dùng địa chỉ thư điện tử này để đăng ký tài khoản mới" in email.body
    assert "https://p.vn/dang-nhap" in email.body and "https://p.vn/quen-mat-khau" in email.body
    assert email.html is not None and "Quên mật khẩu" in email.html
    assert store.emails == {str(event.id): "sent"}
