"""The procedure version a dossier is filed under, as the catalog published it.

A snapshot is copied into the dossier's first event, so the dossier keeps the
rules (level, agencies, documents, time limit, fees, form schema) it was
created under even when the catalog later publishes a new version.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class RequiredDocument:
    code: str
    name: str
    required: bool = True
    wallet_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fee:
    """A fee line as the catalog publishes it (docs/events.md, ``procedure_published``).

    ``rule`` None: a fixed amount. Otherwise ``amount`` is the unit price; the count is
    the integer form field ``quantity_field``, units ``free_units + 1 .. max_units`` are
    charged, capped at ``max_amount``, all times the form field ``multiplier_field``.
    ``applies_if`` names a boolean form field; a line that applies ``replaces`` another.
    A rule line without ``quantity_field`` (published before fee rules) counts once.
    """

    code: str
    name: str
    amount: int  # VND
    rule: str | None = None
    quantity_field: str | None = None
    multiplier_field: str | None = None
    free_units: int = 0
    max_units: int | None = None
    max_amount: int | None = None
    applies_if: str | None = None
    replaces: str | None = None

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Fee:
        def optional_int(key: str) -> int | None:
            return None if data.get(key) is None else int(data[key])

        def optional_str(key: str) -> str | None:
            return None if data.get(key) is None else str(data[key])

        return cls(
            code=str(data.get("code", "")),
            name=str(data.get("name", "")),
            amount=int(data["amount"]),
            rule=optional_str("rule"),
            quantity_field=optional_str("quantity_field"),
            multiplier_field=optional_str("multiplier_field"),
            free_units=int(data.get("free_units") or 0),
            max_units=optional_int("max_units"),
            max_amount=optional_int("max_amount"),
            applies_if=optional_str("applies_if"),
            replaces=optional_str("replaces"),
        )

    def applies(self, form: dict[str, Any]) -> bool:
        return self.applies_if is None or form.get(self.applies_if) is True

    def charge(self, form: dict[str, Any]) -> FeeLine:
        """This line for ``form``: how many units and how much (VND)."""
        if self.rule is None or self.quantity_field is None:
            return FeeLine(self.code, self.name, self.amount, 1, self.amount, self.rule)
        units = form_count(form, self.quantity_field)
        if self.max_units is not None:
            units = min(units, self.max_units)
        charged = max(0, units - self.free_units)
        each = self.amount * charged
        if self.max_amount is not None:
            each = min(each, self.max_amount)
        times = form_count(form, self.multiplier_field) if self.multiplier_field else 1
        return FeeLine(self.code, self.name, self.amount, charged * times, each * times, self.rule)


@dataclass(frozen=True)
class FeeLine:
    """A computed fee line: ``quantity`` units of ``unit_amount``, ``amount`` after any cap."""

    code: str
    name: str
    unit_amount: int
    quantity: int
    amount: int
    rule: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def form_count(form: dict[str, Any], name: str) -> int:
    """A count the citizen typed; missing, negative or not a whole number counts as 0."""
    value = form.get(name)
    if isinstance(value, bool):
        return 0
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and value > 0 else 0


def compute_fees(fees: tuple[Fee, ...], form: dict[str, Any]) -> tuple[list[FeeLine], int]:
    """The lines the law charges for ``form`` and their total (VND).

    Lines whose condition is not met are left out, and so is a line another applying
    line replaces; a counted line with nothing to count (e.g. within its free units) too.
    """
    applying = [fee for fee in fees if fee.applies(form)]
    replaced = {fee.replaces for fee in applying if fee.replaces}
    lines = [fee.charge(form) for fee in applying if fee.code not in replaced]
    lines = [line for line in lines if line.quantity > 0]
    return lines, sum(line.amount for line in lines)


@dataclass(frozen=True)
class ProcedureVersion:
    code: str
    version: int
    name: str
    service_level: int
    agency_codes: tuple[str, ...]
    time_limit_days: int
    required_documents: tuple[RequiredDocument, ...] = ()
    fees: tuple[Fee, ...] = ()
    result_delivery: tuple[str, ...] = ("office",)
    form_schema: dict[str, Any] = field(default_factory=dict)
    form_ui: dict[str, Any] = field(default_factory=dict)  # field order and widgets

    def fee_lines(self, form: dict[str, Any]) -> list[FeeLine]:
        return compute_fees(self.fees, form)[0]

    def fee_total(self, form: dict[str, Any]) -> int:
        return compute_fees(self.fees, form)[1]

    def document(self, code: str) -> RequiredDocument | None:
        return next((d for d in self.required_documents if d.code == code), None)

    def delivery_channels(self) -> tuple[str, ...]:
        """Level 3 returns results at the office only; level 4 may also post or go online."""
        allowed = ("office", "post", "online") if self.service_level >= 4 else ("office",)
        return tuple(c for c in self.result_delivery if c in allowed) or ("office",)

    def snapshot(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ProcedureVersion:
        """From a snapshot or a catalog ``procedure_published`` event's data."""
        return cls(
            code=str(data["code"]),
            version=int(data["version"]),
            name=str(data.get("name", "")),
            service_level=int(data["service_level"]),
            agency_codes=tuple(data.get("agency_codes") or ()),
            time_limit_days=int(data.get("time_limit_days") or 0),
            required_documents=tuple(
                RequiredDocument(
                    code=str(d["code"]),
                    name=str(d.get("name", "")),
                    required=bool(d.get("required", True)),
                    wallet_types=tuple(d.get("wallet_types") or ()),
                )
                for d in data.get("required_documents") or ()
            ),
            fees=tuple(Fee.from_data(f) for f in data.get("fees") or ()),
            result_delivery=tuple(data.get("result_delivery") or ("office",)),
            form_schema=dict(data.get("form_schema") or {}),
            form_ui=dict(data.get("form_ui") or {}),
        )
