"""A long Vietnamese subject survives flattening word for word; the ids are stable."""

from __future__ import annotations

from email import message_from_bytes, policy

from services.notify.adapters.mailer import build_message, flatten, message_id
from services.notify.domain.messages import Email


def test_a_long_vietnamese_subject_keeps_every_space() -> None:
    subject = "[Một Cửa] Hồ sơ HL-CAL sắp đến hạn trả kết quả, vui lòng kiểm tra ngay hôm nay"
    email = Email(subject, "Kính gửi Quý cán bộ,\nHồ sơ HL-CAL sắp đến hạn.\n", "<p>HL-CAL</p>")
    raw = flatten(build_message("Một Cửa <no-reply@motcua.local>", "a@example.vn", email, "e1:u1"))
    assert raw.isascii()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert str(parsed["Subject"]) == subject
    assert str(parsed["From"]) == "Một Cửa <no-reply@motcua.local>"
    assert parsed["Message-ID"] == message_id("e1:u1") == "<e1.u1.email@motcua.local>"
    plain = parsed.get_body(("plain",))
    assert plain is not None and "Hồ sơ HL-CAL sắp đến hạn." in plain.get_content()
