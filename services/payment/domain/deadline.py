"""When an unpaid order lapses: N working days after it was opened, by the working-day
calendar with the overrides the catalog announced (shown to payers as «Hạn thanh toán»)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.vn.time import format_time_on_date
from shared.workdays import WorkCalendar


@dataclass(frozen=True)
class PaymentTerm:
    days: int  # working days
    calendar: WorkCalendar

    def deadline(self, opened_at: datetime) -> datetime:
        return self.calendar.add_working_days(opened_at, self.days)

    def deadline_of(self, opened_at: datetime) -> tuple[datetime, str]:
        """The deadline and the reason an order expired at it, as people read it."""
        deadline = self.deadline(opened_at)
        return deadline, (
            f"Quá hạn thanh toán: {self.days} ngày làm việc kể từ khi mở giao "
            f"dịch (hạn {format_time_on_date(deadline)})."
        )
