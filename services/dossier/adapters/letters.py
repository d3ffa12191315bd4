"""The dossier's printable papers as PDF (shared.vn.pdf: Vietnamese fonts, styles, page,
the national motto in the header); their content is :mod:`services.dossier.application.letters`.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from shared.vn import pdf


def render(title: str, lines: list[str], agency_name: str) -> bytes:
    style = pdf.styles(11)
    heading = pdf.styles(10)
    header = Table(
        [
            [
                pdf.text(agency_name.upper(), heading.centred_bold),
                [
                    pdf.text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", heading.centred_bold),
                    pdf.text("Độc lập - Tự do - Hạnh phúc", heading.centred),
                ],
            ]
        ],
        colWidths=["45%", "55%"],
    )
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [header, pdf.text(title, style.title), Spacer(1, 6 * mm)]
    # an item of a list ("  1. Tờ khai") is indented; a paragraph would drop the spaces
    story += [
        pdf.text(line.strip(), style.indented if line.startswith(" ") else style.body)
        for line in lines
    ]
    return pdf.render(story, title=title)
