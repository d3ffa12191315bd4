"""The online form checked against the procedure version's JSON Schema (Draft 2020-12).

Saving a draft checks what was filled (types, formats, lengths) but lets
required fields wait; submitting checks everything. Messages are Vietnamese,
one per field.

Numbers are checked whatever the schema says (:mod:`services.dossier.domain.numbers`):
finite, integers within ±(2^53 - 1); a field's own ``minimum``/``maximum`` narrow it.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from services.dossier.domain.numbers import unsound_numbers

_MESSAGES = {
    "required": "Vui lòng nhập trường bắt buộc này.",
    "type": "Giá trị không đúng kiểu dữ liệu.",
    "format": "Giá trị không đúng định dạng.",
    "pattern": "Giá trị không đúng định dạng.",
    "minLength": "Giá trị quá ngắn.",
    "maxLength": "Giá trị quá dài.",
    "minimum": "Giá trị nhỏ hơn mức cho phép.",
    "maximum": "Giá trị lớn hơn mức cho phép.",
    "enum": "Giá trị không nằm trong danh sách cho phép.",
    "const": "Giá trị không hợp lệ.",
    "additionalProperties": "Trường này không có trong tờ khai.",
}


def normalise(value: Any) -> Any:
    """Vietnamese text in NFC, everywhere in the form."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {normalise(k): normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return value


def _field(error: ValidationError) -> str:
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        path.append(missing)
    if error.validator == "additionalProperties" and "'" in error.message:
        path.append(error.message.split("'")[1])
    return ".".join(p for p in path if p) or "form"


def _label(schema: dict[str, Any], field: str) -> str:
    node: Any = schema
    for part in field.split("."):
        node = (node.get("properties") or {}).get(part) if isinstance(node, dict) else None
        if node is None:
            return field
    return str(node.get("title") or field) if isinstance(node, dict) else field


def form_errors(
    schema: dict[str, Any], form: dict[str, Any], *, complete: bool
) -> list[dict[str, str]]:
    """Per-field problems: [{field, label, message}]; empty when the form is fine."""
    problems = [
        {"field": field or "form", "label": _label(schema, field or "form"), "message": message}
        for field, message in unsound_numbers(form)
    ]
    if problems or not schema:  # the schema's checks compare numbers: only sound ones
        return problems
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for error in sorted(validator.iter_errors(form), key=lambda e: list(e.absolute_path)):
        if not complete and error.validator == "required":
            continue
        field = _field(error)
        problems.append(
            {
                "field": field,
                "label": _label(schema, field),
                "message": _MESSAGES.get(str(error.validator), "Giá trị không hợp lệ."),
            }
        )
    return problems
