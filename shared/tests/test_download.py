"""The download name: UTF-8 for today's browsers, readable ASCII for the others."""

from __future__ import annotations

from shared.http.download import content_disposition


def test_a_vietnamese_name_keeps_its_diacritics_and_gets_a_plain_fallback() -> None:
    header = content_disposition('Tờ khai đăng ký "khai sinh".docx')
    assert header.startswith('attachment; filename="To khai dang ky _khai sinh_.docx"; ')
    assert header.endswith(
        "filename*=UTF-8''T%E1%BB%9D%20khai%20%C4%91%C4%83ng%20k%C3%BD%20%22khai%20sinh%22.docx"
    )
