"""Dossier forms generated from a procedure version's JSON Schema and form_ui hints."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

WIDGET_TYPES = {"email": "email", "date": "date", "tel": "tel", "number": "number"}


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str  # text, email, tel, date, number, select, textarea, checkbox
    required: bool
    options: list[str] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)
    description: str = ""


def fields_of(schema: dict[str, Any], ui: dict[str, Any] | None) -> list[FormField]:
    properties: dict[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    ui = ui or {}
    order = [n for n in ui.get("order") or [] if n in properties]
    order += [n for n in properties if n not in order]
    widgets: dict[str, str] = ui.get("widgets") or {}
    return [_field(name, properties[name], name in required, widgets.get(name)) for name in order]


def _field(name: str, spec: dict[str, Any], required: bool, widget: str | None) -> FormField:
    label = str(spec.get("title") or name)
    kind_of = spec.get("type")
    attrs: dict[str, str] = {}
    if spec.get("enum"):
        return FormField(name, label, "select", required, [str(v) for v in spec["enum"]])
    if kind_of == "boolean":
        return FormField(name, label, "checkbox", required)
    if kind_of in ("integer", "number"):
        for key, attr in (("minimum", "min"), ("maximum", "max")):
            if key in spec:
                attrs[attr] = str(spec[key])
        attrs["step"] = "1" if kind_of == "integer" else "any"
        return FormField(name, label, "number", required, attrs=attrs)
    kind = WIDGET_TYPES.get(widget or "", "text")
    if spec.get("format") == "date":
        kind = "date"
    elif spec.get("format") == "email":
        kind = "email"
    if widget == "textarea" or int(spec.get("maxLength") or 0) > 1000:
        kind = "textarea"
    if "maxLength" in spec:
        attrs["maxlength"] = str(spec["maxLength"])
    if spec.get("pattern"):
        attrs["pattern"] = str(spec["pattern"])
        attrs["data-msg"] = "Giá trị không đúng định dạng."
    return FormField(
        name, label, kind, required, attrs=attrs, description=str(spec.get("description") or "")
    )


def parse(fields: list[FormField], posted: dict[str, Any]) -> dict[str, Any]:
    """The form document from posted strings; empty fields are left out (saved as drafts)."""
    form: dict[str, Any] = {}
    for f in fields:
        raw = posted.get(f"f_{f.name}")
        if f.kind == "checkbox":
            form[f.name] = raw is not None
            continue
        value = str(raw or "").strip()
        if not value:
            continue
        if f.kind == "number":
            try:
                form[f.name] = int(value) if f.attrs.get("step") == "1" else float(value)
            except ValueError:
                form[f.name] = value  # the schema check names the field
        else:
            form[f.name] = unicodedata.normalize("NFC", value)
    return form
