"""What people do in the browser, shared by the browser tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import new_page
from tests.e2e.journey import DEMO_PASSWORD
from tests.support.mail import messages_to

KHAI_SINH = {
    "ho_ten": "Nguyễn Thị Hồng Nhung",
    "ngay_sinh": "1990-03-04",
    "noi_cu_tru": "Phường Hoa Lư, tỉnh Ninh Bình",
    "so_dien_thoai": "0912345678",
    "ho_ten_tre": "Trần Gia Na",
    "ngay_sinh_tre": "2026-11-01",
    "noi_sinh": "Bệnh viện Sản Nhi Ninh Bình",
    "dan_toc": "Kinh",
    "quoc_tich": "Việt Nam",
    "ho_ten_me": "Nguyễn Thị Hồng Nhung",
    "ho_ten_cha": "Trần Văn Nam",
}


def log_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/dang-nhap")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("form[action='/dang-nhap'] button")
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def mailed_link(maildir: Path, email: str, page: Page, path: str) -> str:
    """The first link to ``path`` in an email the SMTP sink received for ``email``."""
    for _ in range(120):
        for message in messages_to(maildir, email):
            body = message.get_body(preferencelist=("plain", "html"))
            found = re.search(
                rf"https?://\S+{re.escape(path)}\?token=[A-Za-z0-9_\-]+",
                str(body.get_content() if body else ""),
            )
            if found:
                return found.group(0)
        page.wait_for_timeout(500)
    raise AssertionError(f"no email with a {path} link to {email}")


def officer(browser: Browser, portal: Any, email: str) -> tuple[BrowserContext, Page]:
    context, page = new_page(browser, portal)
    log_in(page, email)
    return context, page


def open_in_console(page: Page, dossier: dict[str, Any], queue: str | None = None) -> None:
    if queue:
        page.goto(f"/can-bo?hang={queue}")
        page.locator("#queue").get_by_role("link", name=dossier["code"]).click()
    else:
        page.goto("/can-bo" + dossier["dossier_path"])
    expect(page.get_by_role("heading", name=re.compile(re.escape(dossier["code"])))).to_be_visible()


def act(page: Page, action: str, fields: dict[str, str] | None = None) -> None:
    """Fill and send the console's form of ``action`` (checkboxes are ticked)."""
    form = page.locator(f"form[data-action='{action}']").first
    for name, value in (fields or {}).items():
        target = form.locator(f"[name='{name}']")
        if target.evaluate("e => e.type") == "checkbox":
            target.check()
        elif target.evaluate("e => e.tagName") == "SELECT":
            target.select_option(value)
        else:
            target.fill(value)
    form.locator("button").click()


def file_khai_sinh(
    page: Page, portal: Any, national_id: str, email: str, files: dict[str, Path]
) -> dict[str, Any]:
    """«Đăng ký khai sinh» at Phường Hoa Lư, filled, documents uploaded, «Gửi đi»."""
    page.goto("/thu-tuc/1.001193?co_quan=NB.HOALU")
    page.get_by_role("button", name="Đăng ký trực tuyến").click()
    for name, value in {**KHAI_SINH, "so_dinh_danh": national_id, "email": email}.items():
        page.fill(f"#f_{name}", value)
    page.select_option("#f_quan_he", "Mẹ")
    page.select_option("#f_gioi_tinh", "Nữ")
    for code, tag in (("TK", "to-khai"), ("GCS", "giay-chung-sinh"), ("GTTT", "cccd")):
        upload = page.locator(f"#doc-{code} form[data-upload]")
        upload.locator("input[type=file]").set_input_files(str(files[tag]))
        upload.get_by_role("button", name="Tải lên").click()
        expect(upload.locator(".upload-msg")).to_contain_text("Đã tải lên")
    page.get_by_role("button", name="Gửi đi").click()
    expect(page.locator(".notice.ok")).to_contain_text("Mã hồ sơ:")
    return {
        "code": page.locator("#dossier-code").inner_text().strip(),
        "dossier_path": page.url.split("?")[0].replace(portal.gateway_url, ""),
    }
