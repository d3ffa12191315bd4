"""What the use cases need from outside, as small protocols with in-memory versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from services.dossier.domain.lookup import Attempts, LookupPolicy, one_more
from services.dossier.domain.procedure import ProcedureVersion
from shared.workdays import WorkCalendar


class ProcedureCatalog(Protocol):
    """Published procedure versions, kept locally from the catalog's events."""

    def get(self, code: str, version: int | None = None) -> ProcedureVersion | None: ...

    def calendar(self) -> WorkCalendar: ...

    def agency_name(self, code: str) -> str: ...

    def wallet_document(self, document_id: str) -> dict[str, Any] | None:
        """{account_id, type, number, ...} of a citizen's wallet document, if it exists."""

    def profile(self, account_id: str) -> dict[str, Any]:
        """An organisation's profile (tax_code, name, address, representative)."""


class PdfRenderer(Protocol):
    """A printable paper: its title, its lines, the issuing agency's name in the header."""

    def __call__(self, title: str, lines: list[str], agency_name: str) -> bytes: ...


@dataclass
class InMemoryProcedures:
    procedures: dict[tuple[str, int], ProcedureVersion] = field(default_factory=dict)
    work_calendar: WorkCalendar = field(default_factory=WorkCalendar)
    agencies: dict[str, str] = field(default_factory=dict)
    wallet: dict[str, dict[str, Any]] = field(default_factory=dict)

    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)

    def wallet_document(self, document_id: str) -> dict[str, Any] | None:
        return self.wallet.get(document_id)

    def profile(self, account_id: str) -> dict[str, Any]:
        return self.profiles.get(account_id, {})

    def agency_name(self, code: str) -> str:
        return self.agencies.get(code, code)

    def add(self, procedure: ProcedureVersion) -> None:
        self.procedures[(procedure.code, procedure.version)] = procedure

    def get(self, code: str, version: int | None = None) -> ProcedureVersion | None:
        if version is not None:
            return self.procedures.get((code, version))
        versions = [p for (c, _), p in self.procedures.items() if c == code]
        return max(versions, key=lambda p: p.version, default=None)

    def calendar(self) -> WorkCalendar:
        return self.work_calendar


class LookupAttempts(Protocol):
    """The public lookup's tries per code, shared by every instance of the service."""

    def count(self, code: str, now: datetime, policy: LookupPolicy) -> Attempts:
        """Record one more try of ``code`` atomically; the record after it."""
        ...

    def clear(self, code: str) -> None: ...


@dataclass
class InMemoryLookupAttempts:
    records: dict[str, Attempts] = field(default_factory=dict)

    def count(self, code: str, now: datetime, policy: LookupPolicy) -> Attempts:
        self.records[code] = one_more(self.records.get(code), now, policy)
        return self.records[code]

    def clear(self, code: str) -> None:
        self.records.pop(code, None)
