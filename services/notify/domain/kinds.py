"""Which event becomes which notification, for whom, with what people read.

No I/O here: a ``Notice`` names the kind (the preference key), the audience
(the dossier's owner or the officers of the agency), the inbox title and the
template with its values. The adapters find the addresses and send.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from shared.vn.money import format_vnd
from shared.vn.time import format_time_on_date

Audience = Literal["owner", "officers"]

# Preference keys: email on/off per kind (in-app is always on).
KINDS: dict[str, str] = {
    "dossier_created": "Hồ sơ nháp đã tạo (chỉ trong ứng dụng)",
    "dossier_submitted": "Hồ sơ đã gửi",
    "dossier_new": "Hồ sơ mới cần tiếp nhận (cán bộ)",
    "dossier_accepted": "Hồ sơ được tiếp nhận, ngày hẹn trả kết quả",
    "supplement_requested": "Yêu cầu bổ sung hồ sơ",
    "dossier_supplemented": "Công dân đã bổ sung hồ sơ (cán bộ)",
    "dossier_rejected": "Hồ sơ bị từ chối",
    "result_ready": "Hồ sơ đã có kết quả",
    "dossier_completed": "Đã trả kết quả",
    "payment_due": "Phí, lệ phí cần thanh toán",
    "payment_received": "Đã nhận thanh toán",
    "payment_expired": "Giao dịch thanh toán hết hạn",
    "payment_refund_due": "Tiền nhận sau khi giao dịch đã đóng, chờ hoàn",
    "deadline_approaching": "Sắp đến hạn xử lý",
    "deadline_overdue": "Hồ sơ quá hạn",
    "dossier_withdrawn": "Hồ sơ đã rút",
    "dossier_extended": "Gia hạn giải quyết hồ sơ",
}


@dataclass(frozen=True)
class Notice:
    kind: str
    audience: Audience
    title: str
    template: str
    subject: str
    values: dict[str, Any] = field(default_factory=dict)
    email: bool = True  # False: in-app only


def local_time(iso: str | None) -> str:
    """An ISO UTC instant as people here read it: 08:00 ngày 23/11/2026 (giờ Việt Nam)."""
    if not iso:
        return ""
    return format_time_on_date(datetime.fromisoformat(iso))


def dossier_notices(event_type: str, data: dict[str, Any], code: str) -> list[Notice]:
    """The notices of one dossier event (``code`` from the projection when data lacks it)."""
    kind = event_type.rsplit(".", 1)[-1]
    values: dict[str, Any] = {
        "code": code,
        **{k: v for k, v in data.items() if isinstance(v, str | int)},
    }
    if kind == "created":
        return [
            Notice("dossier_created", "owner", "Đã tạo hồ sơ nháp.", "", "", values, email=False)
        ]
    if kind == "submitted":
        return [
            Notice(
                "dossier_submitted",
                "owner",
                f"Hồ sơ {code} đã được gửi đến cơ quan tiếp nhận.",
                "dossier_submitted",
                f"[Một Cửa] Hồ sơ {code} đã được gửi thành công",
                values,
            ),
            Notice(
                "dossier_new",
                "officers",
                f"Hồ sơ mới {code} đang chờ tiếp nhận.",
                "dossier_new",
                f"[Một Cửa] Hồ sơ mới {code} chờ tiếp nhận",
                values,
            ),
        ]
    if kind == "accepted":
        values["appointment"] = local_time(data.get("appointment_at"))
        return [
            Notice(
                "dossier_accepted",
                "owner",
                f"Hồ sơ {code} đã được tiếp nhận, hẹn trả kết quả {values['appointment']}.",
                "dossier_accepted",
                f"[Một Cửa] Hồ sơ {code} đã được tiếp nhận",
                values,
            )
        ]
    if kind == "supplement_requested":
        values["items"] = [i.get("name") or i.get("document_code") for i in data.get("items", [])]
        return [
            Notice(
                "supplement_requested",
                "owner",
                f"Hồ sơ {code} cần bổ sung giấy tờ.",
                "supplement_requested",
                f"[Một Cửa] Yêu cầu bổ sung hồ sơ {code}",
                values,
            )
        ]
    if kind == "supplemented":
        values["appointment"] = local_time(data.get("appointment_at"))
        return [
            Notice(
                "dossier_supplemented",
                "officers",
                f"Hồ sơ {code} đã được bổ sung.",
                "dossier_supplemented",
                f"[Một Cửa] Hồ sơ {code} đã được bổ sung",
                values,
            )
        ]
    if kind in ("rejected", "rejected_at_reception"):
        stage = "tiếp nhận" if kind == "rejected_at_reception" else "giải quyết"
        values["stage"] = stage
        return [
            Notice(
                "dossier_rejected",
                "owner",
                f"Hồ sơ {code} bị từ chối {stage}.",
                "dossier_rejected",
                f"[Một Cửa] Hồ sơ {code} bị từ chối {stage}",
                values,
            )
        ]
    if (kind == "approved" and not data.get("fee_due")) or kind == "payment_received":
        return [
            Notice(
                "result_ready",
                "owner",
                f"Hồ sơ {code} đã có kết quả.",
                "result_ready",
                f"[Một Cửa] Hồ sơ {code} đã có kết quả",
                values,
            )
        ]
    if kind == "result_returned":
        return [
            Notice(
                "dossier_completed",
                "owner",
                f"Hồ sơ {code} đã được trả kết quả.",
                "dossier_completed",
                f"[Một Cửa] Hồ sơ {code} đã hoàn thành",
                values,
            )
        ]
    if kind == "extended":
        values["appointment"] = local_time(data.get("appointment_at"))
        return [
            Notice(
                "dossier_extended",
                "owner",
                f"Hồ sơ {code} được gia hạn đến {values['appointment']}.",
                "dossier_extended",
                f"[Một Cửa] Gia hạn giải quyết hồ sơ {code}",
                values,
            )
        ]
    if kind == "withdrawn":
        return [
            Notice(
                "dossier_withdrawn",
                "officers",
                f"Hồ sơ {code} đã được công dân rút.",
                "dossier_withdrawn",
                f"[Một Cửa] Hồ sơ {code} đã được rút",
                values,
            )
        ]
    return []


def fee_item(item: dict[str, Any]) -> str:
    """«Phí thêm (2 × 5.000 đồng): 10.000 đồng» for a counted line, else name: amount."""
    count = ""
    if item.get("quantity") and item.get("unit_amount"):
        count = f" ({int(item['quantity'])} × {format_vnd(int(item['unit_amount']))})"
    return f"{item['name']}{count}: {format_vnd(int(item['amount']))}"


def payment_notices(event_type: str, data: dict[str, Any], code: str) -> list[Notice]:
    kind = event_type.rsplit(".", 1)[-1]
    values: dict[str, Any] = {
        "code": code,
        **{k: v for k, v in data.items() if isinstance(v, str | int)},
    }
    if kind == "order_created":
        values["amount_text"] = format_vnd(int(data.get("amount", 0)))
        values["items"] = [fee_item(i) for i in data.get("items", [])]
        return [
            Notice(
                "payment_due",
                "owner",
                f"Hồ sơ {code} cần thanh toán {values['amount_text']}.",
                "payment_due",
                f"[Một Cửa] Thanh toán phí, lệ phí hồ sơ {code}",
                values,
            )
        ]
    if kind == "order_paid":
        values["amount_text"] = format_vnd(int(data.get("amount", 0)))
        values["paid"] = local_time(data.get("paid_at"))
        return [
            Notice(
                "payment_received",
                "owner",
                f"Đã nhận {values['amount_text']} cho hồ sơ {code}.",
                "payment_received",
                f"[Một Cửa] Biên lai thanh toán hồ sơ {code}",
                values,
            )
        ]
    if kind == "order_expired":
        values["deadline_text"] = local_time(data.get("deadline"))
        return [
            Notice(
                "payment_expired",
                "owner",
                f"Giao dịch thanh toán hồ sơ {code} đã hết hạn.",
                "payment_expired",
                f"[Một Cửa] Hết hạn thanh toán hồ sơ {code}",
                values,
            )
        ]
    if kind in REFUND_DUE:
        values["amount_text"] = format_vnd(int(data.get("amount", 0)))
        values["paid"] = local_time(data.get("paid_at"))
        values["why"] = REFUND_DUE[kind]
        return [
            Notice(
                "payment_refund_due",
                "owner",
                f"Đã nhận {values['amount_text']} cho hồ sơ {code} nhưng "
                f"{values['why']}; khoản tiền sẽ được hoàn lại.",
                "payment_refund_due",
                f"[Một Cửa] Khoản thanh toán hồ sơ {code} sẽ được hoàn lại",
                values,
            )
        ]
    return []


# Money received that the order cannot keep, by payment event: why it is given back.
REFUND_DUE = {
    "order_paid_twice": "phí, lệ phí của hồ sơ đã được thanh toán trước đó",
    "order_paid_after_close": "giao dịch thanh toán đã đóng",
    "order_charged_on_closed_attempt": "lượt thanh toán đó đã được thay bằng lượt khác",
}


def reminder_notices(kind: str, code: str, appointment_at: str) -> list[Notice]:
    values = {"code": code, "appointment": local_time(appointment_at)}
    if kind == "deadline_approaching":
        return [
            Notice(
                kind,
                "officers",
                f"Hồ sơ {code} sắp đến hạn ({values['appointment']}).",
                kind,
                f"[Một Cửa] Hồ sơ {code} sắp đến hạn trả kết quả",
                values,
            )
        ]
    return [
        Notice(
            kind,
            "officers",
            f"Hồ sơ {code} đã quá hạn ({values['appointment']}).",
            kind,
            f"[Một Cửa] Hồ sơ {code} đã quá hạn",
            values,
        ),
        Notice(
            kind,
            "owner",
            f"Hồ sơ {code} đã quá hạn trả kết quả.",
            "deadline_overdue_owner",
            f"[Một Cửa] Hồ sơ {code} chậm trả kết quả",
            values,
        ),
    ]
