"""The identity emails render in Vietnamese, in text and HTML, with the link escaped; an
operator's template directory overrides a packaged template by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from services.notify.adapters.templates import JinjaTemplates


def test_activation_email_has_text_and_html_parts_with_the_link() -> None:
    link = "https://dichvucong.example.vn/kich-hoat?token=abc&x=<1>"
    email = JinjaTemplates().render(
        "activation",
        "[Một Cửa] Kích hoạt tài khoản của bạn",
        full_name="Nguyễn Thị Hoa",
        link=link,
        expires_at="08:00 ngày 23/11/2026",
    )
    assert "Kính gửi Nguyễn Thị Hoa" in email.body and link in email.body
    assert email.html is not None and "Kích hoạt tài khoản" in email.html
    assert "token=abc&amp;x=&lt;1&gt;" in email.html and link not in email.html


def test_reset_email_states_the_expiry() -> None:
    email = JinjaTemplates().render(
        "password_reset",
        "[Một Cửa] Đặt lại mật khẩu",
        full_name="Trần Văn Bình",
        link="https://p.example.vn/dat-lai-mat-khau?token=t",
        expires_at="08:30 ngày 23/11/2026",
    )
    assert "hết hạn lúc 08:30 ngày 23/11/2026" in email.body
    assert "mật khẩu hiện tại vẫn giữ nguyên" in email.body


def test_a_template_in_the_override_directory_replaces_the_packaged_one(tmp_path: Path) -> None:
    (tmp_path / "activation.txt").write_text(
        "Chào {{ full_name }}, mở liên kết: {{ link }}\n",
        encoding="utf-8",
    )
    values: dict[str, Any] = {
        "full_name": "Nguyễn Thị Hoa",
        "link": "https://p.vn/k",
        "expires_at": "08:00",
    }
    email = JinjaTemplates(tmp_path).render("activation", "[Một Cửa] Kích hoạt", **values)
    assert email.body == "Chào Nguyễn Thị Hoa, mở liên kết: https://p.vn/k\n"
    assert email.html is not None and "Kích hoạt tài khoản" in email.html  # still packaged
    assert JinjaTemplates().render("activation", "s", **values).body.startswith("Kính gửi")
