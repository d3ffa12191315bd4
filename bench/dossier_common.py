"""What the dossier benchmarks share: a published procedure without engines."""

from __future__ import annotations

from services.dossier.application.ports import InMemoryProcedures
from services.dossier.domain.procedure import ProcedureVersion

PROCEDURE = ProcedureVersion(
    code="1.001193",
    version=1,
    name="Đăng ký khai sinh",
    service_level=3,
    agency_codes=("NB.HOALU",),
    time_limit_days=3,
    form_schema={
        "type": "object",
        "properties": {"ho_ten": {"type": "string"}, "email": {"type": "string"}},
    },
)


def bench_procedures() -> InMemoryProcedures:
    procedures = InMemoryProcedures()
    procedures.add(PROCEDURE)
    return procedures
