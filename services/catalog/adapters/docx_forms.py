"""Real Word (.docx) forms generated from a procedure's form schema, for the demo seed.

A .docx is a zip of WordprocessingML parts (ECMA-376); the three parts below are
the minimum Word, LibreOffice and python-docx open. Deterministic bytes (fixed
zip timestamps), so a re-seed stores the same content-addressed file.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any
from xml.sax.saxutils import escape

_FIXED_TIME = (2025, 7, 1, 0, 0, 0)
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _paragraph(
    text: str, bold: bool = False, center: bool = False, size: int = 26, italic: bool = False
) -> str:
    props = "".join(
        [
            "<w:b/>" if bold else "",
            "<w:i/>" if italic else "",
            '<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman"'
            ' w:cs="Times New Roman"/>',
            f'<w:sz w:val="{size}"/>',
        ]
    )
    align = '<w:pPr><w:jc w:val="center"/></w:pPr>' if center else ""
    return (
        f"<w:p>{align}<w:r><w:rPr>{props}</w:rPr>"
        f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'
    )


def form_docx(title: str, addressee: str, schema: dict[str, Any], note: str = "") -> bytes:
    """A tờ khai: national motto, title, addressee, one dotted line per form field."""
    body = [
        _paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, center=True),
        _paragraph("Độc lập - Tự do - Hạnh phúc", bold=True, center=True),
        _paragraph(""),
        _paragraph(title.upper(), bold=True, center=True, size=30),
        _paragraph(f"Kính gửi: {addressee}", center=True),
        _paragraph(""),
    ]
    for prop in schema.get("properties", {}).values():
        body.append(_paragraph(f"{prop['title']}: " + "." * 60))
    body += [
        _paragraph(""),
        _paragraph(
            "Tôi cam đoan nội dung khai trên đây là đúng sự thật và chịu trách nhiệm "
            "trước pháp luật về cam đoan của mình."
        ),
        _paragraph("…………, ngày …… tháng …… năm ……", center=True, italic=True),
        _paragraph("NGƯỜI KHAI", bold=True, center=True),
        _paragraph("(Ký, ghi rõ họ, chữ đệm, tên)", center=True, italic=True),
    ]
    if note:
        body.append(_paragraph(f"Ghi chú: {note}", italic=True, size=22))
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{_W}"><w:body>{"".join(body)}'
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1701"/></w:sectPr>'
        "</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _RELS),
            ("word/document.xml", document),
        ):
            archive.writestr(zipfile.ZipInfo(name, _FIXED_TIME), text.encode())
    return buffer.getvalue()
