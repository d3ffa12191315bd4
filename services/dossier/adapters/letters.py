"""The dossier's printable papers as PDF (A4, the national motto in the header), in a font
that has Vietnamese glyphs; their content is :mod:`services.dossier.application.letters`."""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

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
