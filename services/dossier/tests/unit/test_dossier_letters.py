"""The receipt and the apology letter are PDFs whose text is the Vietnamese we wrote."""

from __future__ import annotations

import io
import unicodedata
from datetime import timedelta

from pypdf import PdfReader

from services.dossier.adapters.letters import render
from services.dossier.application import letters
from services.dossier.domain.status import Status
from services.dossier.tests.unit.builders import APPROVER, T0, in_state


def _text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return unicodedata.normalize("NFC", page.extract_text()).replace("\n", " ")


def test_the_receipt_names_code_documents_and_appointment() -> None:
    dossier = in_state(Status.ACCEPTED)
    title, lines = letters.receipt_lines(dossier, "Phường Hoa Lư")
    text = _text(render(title, lines, "Phường Hoa Lư"))
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert dossier.code is not None and dossier.code in text
    assert "a1.pdf" in text
    # accepted Fri 20/11 10:00 (local); 3 working days, Tue 24/11 being a holiday
    assert "Ngày hẹn trả kết quả: 26/11/2026 10:00" in text
    assert "Nguyễn Văn An" in text


def test_the_apology_letter_gives_the_reason_and_the_new_date() -> None:
    dossier = in_state(Status.IN_PROCESSING)
    assert dossier.appointment_at is not None
    dossier.extend(
        APPROVER,
        "Cần xác minh thông tin với Sở Tư pháp",
        dossier.appointment_at + timedelta(days=7),
        T0,
    )
    title, lines = letters.apology_lines(dossier, 0, "Phường Hoa Lư")
    text = _text(render(title, lines, "Phường Hoa Lư"))
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "Cần xác minh thông tin với Sở Tư pháp" in text
    assert "thành thật xin lỗi" in text
    assert "hẹn trả kết quả ngày 26/11/2026" in text
    assert "hẹn lại ngày trả kết quả: 03/12/2026 10:00" in text  # 7 days later
