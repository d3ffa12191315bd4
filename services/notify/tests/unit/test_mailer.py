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


def test_plain_only_and_plain_with_html_have_the_right_parts() -> None:
    plain_only = message_from_bytes(
        flatten(build_message("a@example.vn", "b@example.vn", Email("S", "Xin chào\n", None), "e")),
        policy=policy.default,
    )
    assert plain_only.get_content_type() == "text/plain"
    assert plain_only.get_content().splitlines() == ["Xin chào"]
    raw = flatten(
        build_message("a@example.vn", "b@example.vn", Email("S", "Chào\n", "<p>Chào</p>"), "e")
    )
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    both = message_from_bytes(raw, policy=policy.default)
    assert both.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in both.iter_parts()] == ["text/plain", "text/html"]
    html = both.get_body(("html",))
    assert html is not None and html.get_content() == "<p>Chào</p>"
