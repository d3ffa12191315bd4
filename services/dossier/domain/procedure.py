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
    code: str
    name: str
    amount: int  # VND


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

    @property
    def fee_total(self) -> int:
        return sum(fee.amount for fee in self.fees)

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
                    code=str(d["code"]), name=str(d.get("name", "")),
                    required=bool(d.get("required", True)),
                    wallet_types=tuple(d.get("wallet_types") or ()),
                )
                for d in data.get("required_documents") or ()
            ),
            fees=tuple(
                Fee(code=str(f.get("code", "")), name=str(f.get("name", "")),
                    amount=int(f["amount"]))
                for f in data.get("fees") or ()
            ),
            result_delivery=tuple(data.get("result_delivery") or ("office",)),
            form_schema=dict(data.get("form_schema") or {}),
        )
