"""The dossier's printable papers, as PDF with a font that has Vietnamese glyphs:

- the receipt «Giấy tiếp nhận hồ sơ và hẹn trả kết quả», issued at acceptance;
- the letter «Phiếu xin lỗi và hẹn lại ngày trả kết quả», one per extension.

Each paper's content is a list of lines (also what tests compare with the PDF's text).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from services.dossier.application.views import local
from services.dossier.domain.dossier import Dossier

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_fonts: list[str] = []


def fonts() -> tuple[str, str]:
    if not _fonts:
        for directory in FONT_DIRS:
            regular, bold = directory / "DejaVuSans.ttf", directory / "DejaVuSans-Bold.ttf"
            if regular.is_file() and bold.is_file():
                pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
                pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
                _fonts.extend(["DejaVuSans", "DejaVuSans-Bold"])
                break
        else:
            raise RuntimeError("DejaVu Sans not found: install the fonts-dejavu-core package")
    return _fonts[0], _fonts[1]


def _applicant(d: Dossier) -> str:
    return d.applicant or d.owner_id


def receipt_lines(d: Dossier, agency_name: str) -> tuple[str, list[str]]:
    received = [a.get("name") or a.get("document_code") or a["id"] for a in d.attachments.values()]
    lines = [
        f"{agency_name} tiếp nhận hồ sơ của: {_applicant(d)}",
        f"Mã hồ sơ: {d.code}",
        f"Thủ tục: {d.procedure_code} — {d.procedure.get('name', '')}",
        "Giấy tờ đã nhận:",
        *[f"  {n}. {name}" for n, name in enumerate(received, start=1)],
        f"Thời gian tiếp nhận: {local(d.accepted_at)}",
        f"Ngày hẹn trả kết quả: {local(d.appointment_at)}",
        f"Thời hạn giải quyết: {d.procedure.get('time_limit_days')} ngày làm việc",
        f"Tra cứu tình trạng hồ sơ bằng mã {d.code} tại Cổng dịch vụ công.",
    ]
    return "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", lines


def apology_lines(d: Dossier, index: int, agency_name: str) -> tuple[str, list[str]]:
    extension: dict[str, Any] = d.extensions[index]
    lines = [
        f"Kính gửi: {_applicant(d)}",
        f"Ngày {local(d.accepted_at)}, {agency_name} tiếp nhận hồ sơ mã {d.code} "
        f"(thủ tục {d.procedure.get('name', '')}),",
        f"hẹn trả kết quả ngày {local(extension['previous_appointment_at'])}.",
        f"Tuy nhiên, hồ sơ chưa giải quyết đúng hạn. Lý do: {extension['reason']}.",
        "Sự chậm trễ này đã gây phiền hà cho Ông/Bà, cơ quan chúng tôi thành thật xin lỗi.",
        f"Cơ quan xin hẹn lại ngày trả kết quả: {local(extension['appointment_at'])}.",
    ]
    return "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", lines


def render(title: str, lines: list[str], agency_name: str) -> bytes:
    regular, bold = fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=0)
    canvas.setTitle(title)
    width, height = A4
    canvas.setFont(bold, 10)
    canvas.drawString(20 * mm, height - 20 * mm, agency_name.upper())
    canvas.drawCentredString(
        width - 60 * mm, height - 20 * mm, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    )
    canvas.setFont(regular, 10)
    canvas.drawCentredString(width - 60 * mm, height - 25 * mm, "Độc lập - Tự do - Hạnh phúc")
    canvas.setFont(bold, 14)
    canvas.drawCentredString(width / 2, height - 45 * mm, title)
    canvas.setFont(regular, 11)
    y = height - 60 * mm
    for line in lines:
        for chunk in _wrap(line, regular, 11, width - 40 * mm):
            canvas.drawString(20 * mm, y, chunk)
            y -= 7 * mm
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _wrap(line: str, font: str, size: float, limit: float) -> list[str]:
    words, out, current = line.split(" "), [], ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if pdfmetrics.stringWidth(candidate, font, size) > limit and current:
            out.append(current)
            current = word
        else:
            current = candidate
    return [*out, current]
