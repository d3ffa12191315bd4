"""Names of uploaded files as people see them later: hostile names are made plain."""

from __future__ import annotations

import pytest

from shared.filenames import MAX_NAME, upload_name


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Giấy khai sinh.pdf", "Giấy khai sinh.pdf"),
        ("Gia\u0302\u0301y to\u031b\u0300.pdf", "Giấy tờ.pdf"),  # decomposed (macOS) → NFC
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\an\\cccd.png", "cccd.png"),
        ("a\x00b.pdf", "ab.pdf"),
        ("to\nkhai\r\n.pdf", "to khai .pdf"),
        ("hoso\u202efdp.exe", "hosofdp.exe"),  # shows as «hosoexe.pdf» with the override
        ("\u2066\u200fanh\u2069\u061c.png", "anh.png"),
        ("\ufeffban sao.pdf", "ban sao.pdf"),
    ],
)
def test_a_hostile_name_is_stored_plain(raw: str, stored: str) -> None:
    assert upload_name(raw) == stored


@pytest.mark.parametrize("raw", [None, "", "..", "../", "\\", " . ", "\u202e\x00", "a/"])
def test_a_name_left_empty_falls_back_to_the_default(raw: str | None) -> None:
    assert upload_name(raw) == "tep-dinh-kem"
    assert upload_name(raw, "ket-qua.pdf") == "ket-qua.pdf"


def test_a_long_name_is_cut_keeping_its_extension() -> None:
    name = upload_name("ă" * 500 + ".pdf")
    assert len(name) == MAX_NAME and name.endswith("ă.pdf")
    assert len(upload_name("x" * 500)) == MAX_NAME
