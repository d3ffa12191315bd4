"""What people do through the gateway, as HTTP calls: register, activate from the email,
log in, file and follow a dossier, act on it as an officer, pay at the sandbox.

Nothing here talks to a service directly: every call goes to ``suite.gateway_url``
with the access token identity issued, exactly as the portal's pages do.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.e2e.suite import Suite, wait_until
from tests.support.mail import messages_to

DEMO_PASSWORD = "Demo Một Cửa 2025"  # README.md "Demo accounts"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PROBLEM = "application/problem+json"
WARD = "NB.HOALU"  # Phường Hoa Lư, whose demo officers act below
BIRTH = "1.001193"  # Đăng ký khai sinh (level 4, lệ phí 0 đồng in the demo)
EXTRACT = "1.004873"  # Cấp bản sao trích lục hộ tịch (level 4, 8.000 đồng)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url.path}: "
        f"{response.status_code} {response.text[:800]}"
    )
    return response.json()


def pdf(tag: str) -> bytes:
    """A small valid PDF whose bytes (and so sha256) differ per ``tag``."""
    return PDF + f"% {tag}\n".encode()


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    assert body is not None
    return str(body.get_content())


def mails(suite: Suite, recipient: str) -> list[EmailMessage]:
    return messages_to(suite.maildir, recipient)


@dataclass
class Session:
    """One logged-in person: an httpx client on the gateway with their bearer token."""

    http: httpx.Client
    email: str

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.post(path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.put(path, **kwargs)

    def close(self) -> None:
        self.http.close()


def log_in(suite: Suite, email: str, password: str = DEMO_PASSWORD) -> Session:
    with suite.client() as anonymous:
        tokens = ok(
            anonymous.post("/api/v1/auth/login", json={"email": email, "password": password})
        )
    assert tokens["token_type"] == "Bearer"
    http = suite.client(headers={"Authorization": f"Bearer {tokens['access_token']}"})
    return Session(http, email)


@dataclass
class Person:
    email: str
    password: str
    full_name: str
    national_id: str


def new_citizen(tag: str) -> Person:
    unique = uuid.uuid4().hex[:8]
    return Person(
        email=f"{tag}-{unique}@congdan.example.vn",
        password=f"Khai sinh cho con {unique}",
        full_name="Nguyễn Thị Hồng Nhung",
        national_id="0371900" + str(uuid.uuid4().int)[:5],
    )


def activation_link(suite: Suite, email: str) -> str:
    """The link of the activation email the SMTP sink received (waits for it)."""

    def link() -> str | None:
        for message in mails(suite, email):
            found = re.search(r"https?://\S+/kich-hoat\?token=[A-Za-z0-9_\-]+", text_of(message))
            if found:
                return found.group(0)
        return None

    found: str = wait_until(link, 60, f"the activation email to {email}")
    return found


def register_and_activate(suite: Suite, person: Person) -> Session:
    """«Đăng ký», open the emailed link (the portal posts its token), «Đăng nhập»."""
    with suite.client() as anonymous:
        created = ok(
            anonymous.post(
                "/api/v1/auth/register",
                json={
                    "email": person.email,
                    "password": person.password,
                    "full_name": person.full_name,
                    "national_id": person.national_id,
                    "date_of_birth": "1990-03-04",
                    "phone": "0912345678",
                    "address": "Phường Hoa Lư, tỉnh Ninh Bình",
                },
            ),
            201,
        )
        assert created["status"] == "pending"
        refused = anonymous.post(
            "/api/v1/auth/login", json={"email": person.email, "password": person.password}
        )
        assert refused.status_code == 403 and refused.json()["type"].endswith(
            "account-not-activated"
        )
        link = activation_link(suite, person.email)
        assert link.startswith(suite.gateway_url + "/kich-hoat?token=")
        token = parse_qs(urlsplit(link).query)["token"][0]
        assert (
            ok(anonymous.post("/api/v1/auth/activate", json={"token": token}))["status"] == "active"
        )
    return log_in(suite, person.email, person.password)


def officer_act(
    officer: Session, dossier_id: str, action: str, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    result: dict[str, Any] = ok(
        officer.post(f"/api/v1/officer/dossiers/{dossier_id}/{action}", json=body or {})
    )
    return result


def upload(
    citizen: Session, dossier_id: str, document_code: str, name: str, data: bytes
) -> dict[str, Any]:
    result: dict[str, Any] = ok(
        citizen.post(
            f"/api/v1/dossiers/{dossier_id}/attachments",
            data={"document_code": document_code},
            files={"file": (name, data, "application/pdf")},
        ),
        201,
    )
    return result


def add_wallet_document(citizen: Session, number: str) -> str:
    """«Giấy tờ cá nhân»: the citizen's identity card, kept in identity's wallet."""
    added = ok(
        citizen.post(
            "/api/v1/me/documents",
            data={
                "type": "cccd",
                "number": number,
                "issued_on": "2021-05-01",
                "issuer": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
            },
            files={"file": ("cccd.pdf", pdf(number), "application/pdf")},
        ),
        201,
    )
    return str(added["id"])


def cite_wallet_document(
    citizen: Session, dossier_id: str, document_code: str, wallet_id: str
) -> None:
    """Cite it in the dossier: dossier learns of it from identity's event, so wait."""

    def cited() -> bool:
        response = citizen.post(
            f"/api/v1/dossiers/{dossier_id}/wallet-documents",
            json={"document_code": document_code, "wallet_document_id": wallet_id},
        )
        if response.status_code == 422:
            return False  # not yet projected into the dossier service
        ok(response, 201)
        return True

    wait_until(cited, 60, "the wallet document to reach the dossier service")


def status_of(citizen: Session, dossier_id: str) -> str:
    return str(ok(citizen.get(f"/api/v1/dossiers/{dossier_id}"))["status"])


def lookup(suite: Suite, code: str, national_id: str) -> dict[str, Any]:
    """«Tra cứu hồ sơ đã nộp» on the home page: no login, code + last 4 of the CCCD."""
    with suite.client() as anonymous:
        found: dict[str, Any] = ok(
            anonymous.get(f"/api/v1/lookup/{code}", params={"id_last4": national_id[-4:]})
        )
    return found


def pay_at_the_sandbox(payment_url: str) -> httpx.Response:
    """The citizen's browser at the sandbox page presses «Thanh toán»; returns the
    redirect back to the merchant (the same signed result the IPN carries)."""
    with httpx.Client(timeout=30, trust_env=False) as browser:
        page = browser.get(payment_url)
        assert page.status_code == 200, page.text
        assert "Thanh toán" in page.text
        token = re.search(r'name="token" value="([0-9a-f]+)"', page.text)
        assert token, page.text
        base = payment_url.split("/paymentv2/")[0]
        redirect = browser.post(
            f"{base}/paymentv2/confirm", data={"token": token.group(1), "action": "pay"}
        )
        assert redirect.status_code == 302, redirect.text
        return redirect


def applicant(person_name: str, national_id: str, email: str) -> dict[str, Any]:
    return {
        "ho_ten": person_name,
        "so_dinh_danh": national_id,
        "ngay_sinh": "1990-03-04",
        "noi_cu_tru": "Tổ 5, phường Hoa Lư, tỉnh Ninh Bình",
        "so_dien_thoai": "0912345678",
        "email": email,
    }


def extract_draft(citizen: Session, person: Person, copies: int = 1) -> str:
    """A draft of «Cấp bản sao trích lục hộ tịch» (level 4, 8.000 đồng a copy) at the
    ward, its form filled for ``person``; returns its id."""
    form = {
        **applicant(person.full_name, person.national_id, person.email),
        "loai_trich_luc": "Khai sinh",
        "ho_ten_nguoi_duoc_cap": "Trần Minh Khôi",
        "so_ban": copies,
    }
    return str(
        ok(
            citizen.post(
                "/api/v1/dossiers",
                json={"procedure_code": EXTRACT, "agency_code": WARD, "form": form},
            ),
            201,
        )["id"]
    )
