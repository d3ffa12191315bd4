"""Printable papers (PDF) in Vietnamese: the DejaVu fonts (they have every Vietnamese glyph)
registered once, one set of paragraph styles and one page template. A paper is a list of
reportlab flowables (paragraphs, tables) that reportlab lays out and wraps itself."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"


@cache
def fonts() -> tuple[str, str]:
    """The regular and bold font names, registered with reportlab on first use."""
    for directory in FONT_DIRS:
        regular, bold = directory / "DejaVuSans.ttf", directory / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont(REGULAR, str(regular)))
            pdfmetrics.registerFont(TTFont(BOLD, str(bold)))
            pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD)
            return REGULAR, BOLD
    raise RuntimeError("DejaVu Sans not found: install the fonts-dejavu-core package")


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle  # the paper's name, bold and centred
    centred: ParagraphStyle
    centred_bold: ParagraphStyle
    body: ParagraphStyle
    bold: ParagraphStyle
    indented: ParagraphStyle  # an item of a list


@cache
def styles(size: float) -> Styles:
    """The styles of a paper whose text is ``size`` points."""
    regular, bold = fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=size, leading=size * 1.45)
    centred = ParagraphStyle("centred", body, alignment=TA_CENTER)
    return Styles(
        title=ParagraphStyle(
            "title", centred, fontName=bold, fontSize=14, leading=18, spaceBefore=6 * mm
        ),
        centred=centred,
        centred_bold=ParagraphStyle("centred_bold", centred, fontName=bold),
        body=body,
        bold=ParagraphStyle("bold", body, fontName=bold),
        indented=ParagraphStyle("indented", body, leftIndent=2 * size),
    )


def text(value: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: what people typed (a name, a reason) is not markup."""
    return Paragraph(escape(value), style)


def render(
    story: Sequence[Flowable],
    *,
    title: str,
    pagesize: tuple[float, float] = A4,
    margin: float = 20 * mm,
) -> bytes:
    """The paper as PDF bytes; the same story gives the same bytes (no timestamps)."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=title,
        author="Cổng dịch vụ công Một Cửa",
        invariant=True,
    )
    document.build(list(story))
    return buffer.getvalue()
