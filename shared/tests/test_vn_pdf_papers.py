"""A paper is a PDF whose text is the Vietnamese we wrote, wrapped to the page."""

from __future__ import annotations

import io
import unicodedata

from pypdf import PdfReader
from reportlab.lib.pagesizes import A5

from shared.vn import pdf


def _text(paper: bytes) -> str:
    assert paper.startswith(b"%PDF")
    page = PdfReader(io.BytesIO(paper)).pages[0]
    return unicodedata.normalize("NFC", page.extract_text())


def test_vietnamese_and_markup_characters_come_out_as_written() -> None:
    style = pdf.styles(11)
    story = [
        pdf.text("GIẤY TIẾP NHẬN HỒ SƠ", style.title),
        pdf.text("Người nộp: Công ty <Đại Việt> & Cộng sự", style.body),
    ]
    text = _text(pdf.render(story, title="Giấy tiếp nhận"))
    assert "GIẤY TIẾP NHẬN HỒ SƠ" in text
    assert "Người nộp: Công ty <Đại Việt> & Cộng sự" in text


def test_a_long_line_wraps_inside_the_page_and_keeps_every_word() -> None:
    words = ["Lý do: cần xác minh thông tin với Sở Tư pháp"] * 12
    style = pdf.styles(9)
    text = _text(pdf.render([pdf.text(" ".join(words), style.body)], title="x", pagesize=A5))
    lines = text.split("\n")
    assert len(lines) > 3
    assert " ".join(lines).split() == " ".join(words).split()


def test_the_same_paper_gives_the_same_bytes() -> None:
    def paper() -> bytes:
        return pdf.render([pdf.text("Biên lai", pdf.styles(9).centred_bold)], title="Biên lai")

    assert paper() == paper()


def test_the_fonts_are_registered_once() -> None:
    assert pdf.fonts() == pdf.fonts() == ("DejaVuSans", "DejaVuSans-Bold")
