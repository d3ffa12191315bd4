"""«Trang cá nhân» password change and «Quên mật khẩu» in the browser: the captcha in
Vietnamese words, the emailed reset link, the new password works and the old one not."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import new_page, shot
from tests.browser.steps import log_in, mailed_link
from tests.e2e.journey import Person, new_citizen, register_and_activate

pytestmark = pytest.mark.integration
WORDS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười")


@pytest.fixture(scope="module")
def person(portal: Any) -> Person:
    someone = new_citizen("matkhau")
    register_and_activate(portal, someone).close()
    registered[someone.email] = time.monotonic()
    return someone


registered: dict[str, float] = {}
LINK_INTERVAL = 61  # identity sends an account at most one emailed link a minute


def test_change_password_on_the_personal_page(
    browser: Browser, portal: Any, person: Person
) -> None:
    context, page = new_page(browser, portal)
    log_in(page, person.email, person.password)
    page.goto("/trang-ca-nhan")
    page.fill("#f-current_password", "không phải mật khẩu này")
    page.fill("#f-new_password", "Mật khẩu mới của Nhung 1")
    page.fill("#f-new_password2", "Mật khẩu mới của Nhung 1")
    page.get_by_role("button", name="Đổi mật khẩu").click()
    expect(page.locator(".notice.err")).to_be_visible()
    page.fill("#f-current_password", person.password)
    page.fill("#f-new_password", "ngắn")
    page.fill("#f-new_password2", "ngắn")
    page.get_by_role("button", name="Đổi mật khẩu").click()
    expect(page.locator("[data-error-for=new_password]")).to_have_text(
        "Mật khẩu phải có ít nhất 8 ký tự."
    )
    page.fill("#f-new_password", "Mật khẩu mới của Nhung 1")
    page.fill("#f-new_password2", "Mật khẩu mới của Nhung 1")
    page.get_by_role("button", name="Đổi mật khẩu").click()
    expect(page.get_by_text("Đã đổi mật khẩu.")).to_be_visible()
    page.get_by_role("button", name="Đăng xuất").click()
    expect(
        page.get_by_role("navigation", name="Tài khoản").get_by_role("link", name="Đăng nhập")
    ).to_be_visible()
    person.password = "Mật khẩu mới của Nhung 1"
    log_in(page, person.email, person.password)
    context.close()


def test_forgotten_password_reset_from_the_email(
    browser: Browser, portal: Any, person: Person
) -> None:
    context, page = new_page(browser, portal)
    page.goto("/dang-nhap")
    page.get_by_role("link", name="Quên mật khẩu?").click()
    question = page.locator("label[for=f-captcha]").inner_text().lower()
    found = re.search(r"([^\s:]+) cộng ([^\s]+) bằng", question)
    assert found, question
    page.fill("#f-email", person.email)
    page.fill("#f-captcha", str(WORDS.index(found.group(1)) + WORDS.index(found.group(2))))
    shot(page, "32-quen-mat-khau")
    time.sleep(max(0.0, LINK_INTERVAL - (time.monotonic() - registered[person.email])))
    page.get_by_role("button", name="Gửi yêu cầu").click()
    expect(page.get_by_role("heading", name="Đã gửi yêu cầu")).to_be_visible()
    link = mailed_link(portal.maildir, person.email, page, "/dat-lai-mat-khau")
    page.goto(link)
    page.fill("#f-new_password", "Đặt lại mật khẩu Nhung 2")
    page.fill("#f-new_password2", "Đặt lại mật khẩu Nhung 2")
    page.get_by_role("button", name="Đặt lại mật khẩu").click()
    expect(page.get_by_text("Mật khẩu đã được đặt lại. Mời bạn đăng nhập.")).to_be_visible()
    page.goto(link)  # a reset link works once
    page.fill("#f-new_password", "Lần thứ hai không được 3")
    page.fill("#f-new_password2", "Lần thứ hai không được 3")
    page.get_by_role("button", name="Đặt lại mật khẩu").click()
    expect(page.locator(".notice.err")).to_be_visible()
    person.password = "Đặt lại mật khẩu Nhung 2"
    log_in(page, person.email, person.password)
    context.close()


def test_an_organisation_registers_with_its_unit(browser: Browser, portal: Any) -> None:
    email = f"congty-{uuid.uuid4().hex[:8]}@doanhnghiep.example.vn"
    password = "Công ty Tràng An 2025"
    context, page = new_page(browser, portal)
    page.goto("/dang-ky")
    expect(page.locator("[data-for-kind=organisation]")).to_be_hidden()
    page.get_by_label("Tổ chức, doanh nghiệp").check()
    page.fill("#f-full_name", "Phạm Văn Tràng")
    page.fill("#f-email", email)
    page.fill("#f-org_name", "Công ty TNHH Du lịch Tràng An")
    page.fill("#f-org_tax_code", "2700785410")  # wrong check digit
    page.fill("#f-org_address", "Phường Hoa Lư, tỉnh Ninh Bình")
    page.fill("#f-org_representative", "Phạm Văn Tràng")
    page.fill("#f-password", password)
    page.fill("#f-password2", password)
    page.click("form[action='/dang-ky'] button")
    expect(page.locator("[data-error-for=org_tax_code]")).to_have_text("Mã số thuế không hợp lệ.")
    shot(page, "35-dang-ky-to-chuc-loi")
    page.fill("#f-org_tax_code", "2700785413")
    page.fill("#f-password", password)
    page.fill("#f-password2", password)
    page.click("form[action='/dang-ky'] button")
    expect(page.get_by_role("heading", name="Đăng ký thành công")).to_be_visible()
    page.goto(mailed_link(portal.maildir, email, page, "/kich-hoat"))
    page.get_by_role("button", name="Kích hoạt tài khoản").click()
    log_in(page, email, password)
    page.goto("/trang-ca-nhan")
    expect(page.locator("#f-org_tax_code")).to_have_value("2700785413")
    expect(page.locator("#f-org_name")).to_have_value("Công ty TNHH Du lịch Tràng An")
    context.close()


def test_an_expired_access_token_is_refreshed_server_side(
    browser: Browser, portal: Any, person: Person
) -> None:
    context, page = new_page(browser, portal)
    log_in(page, person.email, person.password)
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["motcua_access"]["httpOnly"] and cookies["motcua_refresh"]["httpOnly"]
    assert cookies["motcua_access"]["sameSite"] == "Lax"
    access = cookies["motcua_access"]
    stale = "het-han." + access["value"]
    context.add_cookies(
        [
            {
                "name": access["name"],
                "value": stale,
                "domain": access["domain"],
                "path": access["path"],
            }
        ]
    )
    page.goto("/ho-so")
    expect(page.get_by_role("heading", name="QUẢN LÝ HỒ SƠ")).to_be_visible()
    renewed = {c["name"]: c for c in context.cookies()}
    assert renewed["motcua_access"]["value"] not in (
        stale,
        cookies["motcua_access"]["value"],
    )
    assert renewed["motcua_refresh"]["value"] != cookies["motcua_refresh"]["value"]  # rotated
    context.clear_cookies()
    page.goto("/ho-so")
    expect(page).to_have_url(re.compile(r"/dang-nhap\?tiep=%2Fho-so$"))
    context.close()
