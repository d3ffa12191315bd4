"""What the catalogue holds: agencies, fields and the content of a procedure version.

Pydantic models with the invariants that need no store; the ones that do
(an agency exists, a field exists) are checked by the use cases.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from shared.vn.money import MAX_VND
from shared.vn.text import nfc

CODE = r"^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$"
JSON_SCHEMA_2020_12 = "https://json-schema.org/draft/2020-12/schema"
Tier = Literal["province", "department", "commune", "former_district"]
GovernmentLevel = Literal["central", "province", "commune"]
Delivery = Literal["office", "post", "online"]
FeeRule = Literal["per_copy", "per_page", "per_item"]
_JSON_TYPES = {"object", "array", "string", "integer", "number", "boolean", "null"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _nfc(cls, values: Any) -> Any:
        """Every text a person reads is stored in NFC."""
        return _nfc_deep(values)


def _nfc_deep(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value).strip()
    if isinstance(value, list):
        return [_nfc_deep(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc_deep(v) for k, v in value.items()}
    return value


class Agency(_Model):
    code: str = Field(pattern=CODE)
    name: str = Field(min_length=2, max_length=200)
    tier: Tier
    parent_code: str | None = Field(None, pattern=CODE)
    retired: bool = False
    address: str | None = Field(None, max_length=300)
    phone: str | None = Field(None, max_length=40)

    @model_validator(mode="after")
    def _hierarchy(self) -> Agency:
        if self.tier == "province" and self.parent_code is not None:
            raise ValueError("a province has no parent agency")
        if self.tier != "province" and self.parent_code is None:
            raise ValueError("only a province has no parent agency")
        return self


class ProcedureField(_Model):
    """A field (lĩnh vực) procedures belong to."""

    code: str = Field(pattern=CODE)
    name: str = Field(min_length=2, max_length=200)


class RequiredDocument(_Model):
    code: str = Field(pattern=CODE)
    name: str = Field(min_length=2, max_length=500)
    originals: int = Field(1, ge=0, le=20)
    copies: int = Field(0, ge=0, le=20)
    required: bool = True
    wallet_types: list[str] = Field(default_factory=list)
    note: str | None = Field(None, max_length=500)


FORM_FIELD = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"


_FEE_CORE = ("code", "name", "amount", "rule")


class FeeRuleError(ValueError):
    """A fee line that cannot be computed from the form; the message is Vietnamese."""


class Fee(_Model):
    """One fee line. ``rule`` null: a fixed amount. Otherwise ``amount`` is the unit price
    and the count comes from the integer form field ``quantity_field``: units
    ``free_units + 1 .. max_units`` are charged, capped at ``max_amount``, all of it times
    ``multiplier_field`` (e.g. pages of each copy × copies). ``applies_if`` names a boolean
    form field the line depends on; when it applies it ``replaces`` another line."""

    code: str = Field(pattern=CODE)
    name: str = Field(min_length=2, max_length=300)
    amount: int = Field(ge=0, le=MAX_VND, description="VND; the unit price of a rule line")
    rule: FeeRule | None = None
    quantity_field: str | None = Field(None, pattern=FORM_FIELD)
    multiplier_field: str | None = Field(None, pattern=FORM_FIELD)
    free_units: int = Field(0, ge=0, le=100_000)
    max_units: int | None = Field(None, ge=1, le=100_000)
    max_amount: int | None = Field(None, ge=0, le=MAX_VND)
    applies_if: str | None = Field(None, pattern=FORM_FIELD)
    replaces: str | None = Field(None, pattern=CODE)

    @model_serializer(mode="wrap")
    def _only_rules_in_use(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """A fixed line still reads {code, name, amount, rule}: rule options only when set."""
        data: dict[str, Any] = handler(self)
        return {
            k: v
            for k, v in data.items()
            if k in _FEE_CORE or v != type(self).model_fields[k].default
        }

    @model_validator(mode="after")
    def _coherent(self) -> Fee:
        counted = (self.quantity_field, self.multiplier_field, self.max_units, self.max_amount)
        if self.rule is None and (any(v is not None for v in counted) or self.free_units):
            raise FeeRuleError(
                f"Khoản phí «{self.code}» là mức thu cố định: chỉ khoản tính theo số lượng "
                "(rule) mới có trường số lượng, số đơn vị miễn phí, tối đa hoặc mức trần."
            )
        if self.max_units is not None and self.max_units <= self.free_units:
            raise FeeRuleError(
                f"Khoản phí «{self.code}»: số đơn vị tính phí tối đa phải lớn "
                "hơn số đơn vị được miễn phí."
            )
        if self.replaces is not None and self.applies_if is None:
            raise FeeRuleError(
                f"Khoản phí «{self.code}» chỉ thay thế «{self.replaces}» khi "
                "có điều kiện áp dụng (applies_if)."
            )
        if self.replaces == self.code:
            raise FeeRuleError(f"Khoản phí «{self.code}» không thể thay thế chính nó.")
        return self


class TemplateRef(_Model):
    """A downloadable form (mẫu đơn, tờ khai); the bytes live in the template store."""

    code: str = Field(pattern=CODE)
    name: str = Field(min_length=2, max_length=300)
    filename: str = Field(min_length=3, max_length=200)
    content_type: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=1)


class ProcedureFields(_Model):
    """What a procedure version says, field by field; :class:`ProcedureContent` adds the
    checks across fields, the views (a version, a draft) add what they show beside it."""

    code: str = Field(pattern=CODE)
    name: str = Field(min_length=3, max_length=400)
    field_code: str = Field(pattern=CODE)
    service_level: int = Field(ge=1, le=4)
    agency_codes: list[str] = Field(min_length=1)
    government_level: GovernmentLevel
    summary: str = Field("", max_length=2000)
    applicants: str = Field("", max_length=500)
    steps: list[str] = Field(min_length=1)
    required_documents: list[RequiredDocument] = Field(default_factory=list)
    form_schema: dict[str, Any]
    form_ui: dict[str, Any] = Field(default_factory=dict)
    templates: list[TemplateRef] = Field(default_factory=list)
    time_limit_days: int = Field(ge=0, le=365, description="working days")
    fees: list[Fee] = Field(default_factory=list)
    result: str = Field("", max_length=500)
    result_delivery: list[Delivery] = Field(min_length=1)
    legal_basis: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)


class ProcedureContent(ProcedureFields):
    """Everything a published version says; a version is this, frozen, plus its number."""

    @property
    def mode(self) -> str:
        """Decree 42/2022: level 4 is "toàn trình", anything less is "một phần"."""
        return "toan_trinh" if self.service_level == 4 else "mot_phan"

    @field_validator("form_schema")
    @classmethod
    def _json_schema(cls, schema: dict[str, Any]) -> dict[str, Any]:
        schema = {"$schema": JSON_SCHEMA_2020_12, **schema}
        if schema["$schema"] != JSON_SCHEMA_2020_12:
            raise ValueError("form_schema must be JSON Schema 2020-12")
        if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
            raise ValueError("form_schema must describe an object with properties")
        for name, prop in schema["properties"].items():
            if not isinstance(prop, dict) or not isinstance(prop.get("title"), str):
                raise ValueError(f"form field {name!r} needs a title")
            if prop.get("type") not in _JSON_TYPES | {None}:
                raise ValueError(f"form field {name!r} has an unknown type")
        missing = set(schema.get("required", [])) - set(schema["properties"])
        if missing:
            raise ValueError(f"required fields without a definition: {sorted(missing)}")
        return schema

    @model_validator(mode="after")
    def _fees_computable(self, info: ValidationInfo) -> ProcedureContent:
        """Every form field a fee line reads exists with the right type. Versions stored
        before fee rules (a rule line without its count field) still load as stored."""
        stored = bool(info.context and info.context.get("stored"))
        check_fee_fields(self.fees, self.form_schema.get("properties", {}), stored=stored)
        return self

    @model_validator(mode="after")
    def _consistent(self) -> ProcedureContent:
        codes = [d.code for d in self.required_documents]
        if len(codes) != len(set(codes)):
            raise ValueError("required document codes must be unique")
        if len({f.code for f in self.fees}) != len(self.fees):
            raise ValueError("fee codes must be unique")
        if len({t.code for t in self.templates}) != len(self.templates):
            raise ValueError("template codes must be unique")
        if "online" in self.result_delivery and self.service_level < 4:
            raise ValueError("online result delivery needs service level 4")
        return self


_FIELD_TYPES = {"integer": "số nguyên", "boolean": "ô đánh dấu (đúng/sai)"}


def check_fee_fields(fees: list[Fee], properties: dict[str, Any], *, stored: bool = False) -> None:
    codes = {f.code for f in fees}
    for fee in fees:
        if fee.rule is not None and fee.quantity_field is None and not stored:
            raise FeeRuleError(
                f"Khoản phí «{fee.code}» tính theo số lượng phải nêu trường "
                "của tờ khai chứa số lượng (quantity_field)."
            )
        if fee.replaces is not None and fee.replaces not in codes:
            raise FeeRuleError(
                f"Khoản phí «{fee.code}» thay thế khoản «{fee.replaces}» không "
                "có trong danh sách phí của thủ tục."
            )
        for name, kind in (
            (fee.quantity_field, "integer"),
            (fee.multiplier_field, "integer"),
            (fee.applies_if, "boolean"),
        ):
            if name is None:
                continue
            prop = properties.get(name)
            if not isinstance(prop, dict):
                raise FeeRuleError(
                    f"Khoản phí «{fee.code}» dùng trường «{name}» không có trong tờ khai."
                )
            if prop.get("type") != kind:
                raise FeeRuleError(
                    f"Khoản phí «{fee.code}»: trường «{name}» của tờ khai "
                    f"phải là {_FIELD_TYPES[kind]}."
                )
