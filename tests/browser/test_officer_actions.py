"""The officer console's other actions in the browser: refusal at reception, internal
opinion, extension with a new appointment, refusal with a reason, an action outside
one's duty refused in Vietnamese; the citizen sees the outcome and the reason."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import new_page, shot
from tests.browser.steps import act, file_khai_sinh, log_in, officer, open_in_console
from tests.e2e.journey import Person, new_citizen, ok, pdf, register_and_activate, upload
from tests.e2e.journey import log_in as log_in_api

pytestmark = pytest.mark.integration
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(scope="module")
def person(portal: Any) -> Person:
    someone = new_citizen("canbo")
    register_and_activate(portal, someone).close()
    return someone


def citizen_page(browser: Browser, portal: Any, person: Person) -> tuple[Any, Page]:
    context, page = new_page(browser, portal)
    log_in(page, person.email, person.password)
    return context, page


def wait_in_queue(page: Page, code: str) -> None:
    for _ in range(40):  # the queues are a read model: a moment behind the events
        page.goto("/can-bo?hang=to_receive")
        if page.locator("#queue").get_by_text(code).count():
            return
        page.wait_for_timeout(500)
    raise AssertionError(f"{code} never reached the queue")


def test_refused_at_reception_with_a_reason(
    browser: Browser, portal: Any, person: Person, files: dict[str, Path]
) -> None:
    context, page = citizen_page(browser, portal, person)
    dossier = file_khai_sinh(page, portal, person.national_id, person.email, files)
    context.close()

    context, page = officer(browser, portal, "receiver.hoalu@motcua.local")
    wait_in_queue(page, dossier["code"])
    open_in_console(page, dossier, "to_receive")
    act(page, "reject-at-reception", {"reason": "Giấy chứng sinh không đúng người khai."})
    expect(page.get_by_text("Đã từ chối tiếp nhận.")).to_be_visible()
    expect(page.locator("#dossier-status")).to_have_text("Từ chối tiếp nhận")
    expect(page.locator("#actions form")).to_have_count(0)  # nothing left to do
    context.close()

    context, page = citizen_page(browser, portal, person)
    page.goto(dossier["dossier_path"])
    expect(page.locator("#dossier-status")).to_have_text("Từ chối tiếp nhận")
    expect(page.locator("#timeline")).to_contain_text("Giấy chứng sinh không đúng người khai.")
    context.close()


def test_opinion_extension_and_refusal_by_the_approver(
    browser: Browser, portal: Any, person: Person, files: dict[str, Path]
) -> None:
    context, page = citizen_page(browser, portal, person)
    dossier = file_khai_sinh(page, portal, person.national_id, person.email, files)
    context.close()

    context, page = officer(browser, portal, "receiver.hoalu@motcua.local")
    wait_in_queue(page, dossier["code"])
    open_in_console(page, dossier)
    act(page, "accept")
    expect(page.locator("#dossier-status")).to_have_text("Đã tiếp nhận")
    context.close()

    context, page = officer(browser, portal, "processor.hoalu@motcua.local")
    open_in_console(page, dossier)
    act(page, "start-processing")
    act(page, "opinions", {"opinion": "Cần xác minh thêm với cơ sở y tế."})
    expect(page.get_by_text("Đã ghi ý kiến.")).to_be_visible()
    # Approving is not a processor's duty: the service does not offer it, so neither does the page.
    expect(page.locator("form[data-action='approve']")).to_have_count(0)
    expect(page.locator("form[data-action='reject']")).to_have_count(0)
    expect(page.locator("form[data-action='propose']")).to_have_count(1)
    expect(page.locator("#dossier-status")).to_have_text("Đang xử lý")
    shot(page, "30-can-bo-khong-du-quyen")
    context.close()

    context, page = officer(browser, portal, "approver.hoalu@motcua.local")
    open_in_console(page, dossier)
    later = (datetime.now(UTC) + timedelta(days=20)).astimezone(VIETNAM).strftime("%Y-%m-%dT%H:%M")
    act(
        page,
        "extend",
        {"new_appointment_at": later, "reason": "Chờ kết quả xác minh của cơ sở y tế."},
    )
    expect(page.get_by_text("Đã gia hạn.")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Gia hạn, hẹn lại ngày trả kết quả")
    act(page, "reject", {"reason": "Cơ sở y tế không xác nhận việc sinh."})
    expect(page.locator("#dossier-status")).to_have_text("Từ chối giải quyết")
    shot(page, "31-can-bo-tu-choi")
    context.close()

    context, page = citizen_page(browser, portal, person)
    page.goto(dossier["dossier_path"])
    expect(page.locator("#dossier-status")).to_have_text("Từ chối giải quyết")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Cơ sở y tế không xác nhận việc sinh.")
    expect(timeline).not_to_contain_text("Cần xác minh thêm")  # internal opinions stay inside
    with page.expect_download() as letter:
        page.get_by_role("link", name=re.compile("Phiếu xin lỗi")).click()
    assert letter.value.path().read_bytes().startswith(b"%PDF")
    shot(page, "33-cong-dan-bi-tu-choi")
    context.close()


def test_the_citizen_withdraws_a_dossier_with_a_reason(
    browser: Browser, portal: Any, person: Person, files: dict[str, Path]
) -> None:
    context, page = citizen_page(browser, portal, person)
    dossier = file_khai_sinh(page, portal, person.national_id, person.email, files)
    page.locator("details.withdraw summary").click()
    page.fill("#withdraw-reason", "Gia đình đã đăng ký tại nơi khác.")
    page.get_by_role("button", name="Xác nhận rút hồ sơ").click()
    expect(page.locator("#dossier-status")).to_have_text("Đã rút hồ sơ")
    expect(page.locator("#timeline")).to_contain_text("Gia đình đã đăng ký tại nơi khác.")
    expect(page.locator("details.withdraw")).to_have_count(0)
    assert dossier["code"] in page.locator("#dossier-code").inner_text()
    context.close()


def test_a_level_3_fee_is_recorded_at_the_office(
    browser: Browser, portal: Any, person: Person, tmp_path: Path
) -> None:
    """«Đăng ký lại khai sinh» (level 3, 5.000 ₫ paid at the office): the citizen's part
    through the API, the officers' in the console (the approver attaches the signed
    result PDF), the office payment recorded there."""
    result_pdf = tmp_path / "trich-luc-dang-ky-lai.pdf"
    result_pdf.write_bytes(pdf("ket-qua-" + person.email))
    citizen = log_in_api(portal, person.email, person.password)
    created = ok(
        citizen.post(
            "/api/v1/dossiers",
            json={
                "procedure_code": "1.004746",
                "agency_code": "NB.HOALU",
                "form": {
                    "ho_ten": "Nguyễn Thị Hồng Nhung",
                    "so_dinh_danh": person.national_id,
                    "noi_cu_tru": "Phường Hoa Lư, tỉnh Ninh Bình",
                    "so_dien_thoai": "0912345678",
                    "email": person.email,
                    "noi_dang_ky_truoc": "UBND xã Ninh Hải (cũ)",
                },
            },
        ),
        201,
    )
    for code in ("TK", "BANSAO", "GTTT"):
        upload(citizen, created["id"], code, f"{code}.pdf", pdf(code + person.email))
    sent = ok(citizen.post(f"/api/v1/dossiers/{created['id']}/submit"))
    citizen.close()
    dossier = {"code": sent["code"], "dossier_path": f"/ho-so/{created['id']}"}

    for email, actions in (
        ("receiver.hoalu@motcua.local", [("accept", {})]),
        (
            "processor.hoalu@motcua.local",
            [
                ("start-processing", {}),
                ("propose", {"decision": "approve", "note": "Đủ điều kiện."}),
            ],
        ),
        ("approver.hoalu@motcua.local", [("approve", {"result_number": "KSL-7/2026"})]),
    ):
        context, page = officer(browser, portal, email)
        open_in_console(page, dossier)
        for action, fields in actions:
            if action == "approve":
                page.locator("form[data-action='approve'] [name='result_file']").set_input_files(
                    str(result_pdf)
                )
            act(page, action, fields)
            expect(page.locator(".notice.ok")).to_be_visible()
        context.close()

    context, page = officer(browser, portal, "receiver.hoalu@motcua.local")
    for _ in range(40):  # payment opens the order from the dossier's event
        open_in_console(page, dossier)
        if page.locator("form[data-action='office-payment']").count():
            break
        page.wait_for_timeout(500)
    expect(page.locator("#dossier-status")).to_have_text("Chờ thanh toán")
    expect(page.locator("form[data-action='office-payment']")).to_contain_text("5.000 ₫")
    with page.expect_download() as result_file:  # the agency has it before the fee
        page.locator("#result-file").click()
    assert result_file.value.path().read_bytes() == result_pdf.read_bytes()
    act(page, "office-payment", {"receipt_no": "BL-0000123"})
    expect(page.get_by_text("Đã ghi nhận thu phí tại quầy.")).to_be_visible()
    for _ in range(40):  # the dossier learns of the payment from payment's event
        open_in_console(page, dossier)
        if page.locator("#dossier-status").inner_text() == "Đã có kết quả":
            break
        page.wait_for_timeout(500)
    expect(page.locator("#dossier-status")).to_have_text("Đã có kết quả")
    shot(page, "34-can-bo-thu-phi-tai-quay")
    act(page, "return-result", {"channel": "office"})
    expect(page.locator("#dossier-status")).to_have_text("Đã trả kết quả")
    context.close()


def test_assignment_and_transfer_to_another_agency(
    browser: Browser, portal: Any, person: Person
) -> None:
    citizen = log_in_api(portal, person.email, person.password)
    created = ok(
        citizen.post(
            "/api/v1/dossiers",
            json={
                "procedure_code": "1.004746",
                "agency_code": "NB.HOALU",
                "form": {
                    "ho_ten": "Nguyễn Thị Hồng Nhung",
                    "so_dinh_danh": person.national_id,
                    "noi_cu_tru": "Phường Hoa Lư, tỉnh Ninh Bình",
                    "so_dien_thoai": "0912345678",
                    "email": person.email,
                    "noi_dang_ky_truoc": "UBND xã Ninh Hải (cũ)",
                },
            },
        ),
        201,
    )
    for code in ("TK", "BANSAO", "GTTT"):
        upload(citizen, created["id"], code, f"{code}.pdf", pdf(code + "chuyen" + person.email))
    sent = ok(citizen.post(f"/api/v1/dossiers/{created['id']}/submit"))
    citizen.close()
    dossier = {"code": sent["code"], "dossier_path": f"/ho-so/{created['id']}"}
    processor = log_in_api(portal, "processor.hoalu@motcua.local")
    processor_id = ok(processor.get("/api/v1/me"))["id"]
    processor.close()

    context, page = officer(browser, portal, "receiver.hoalu@motcua.local")
    open_in_console(page, dossier)
    act(page, "accept")
    context.close()
    context, page = officer(browser, portal, "agencyadmin.hoalu@motcua.local")
    open_in_console(page, dossier)
    picker = page.locator("form[data-action='assign'] select[name='officer_id']")
    expect(picker.locator("option")).to_contain_text(["— Chọn cán bộ —"])  # no id to type
    picked = picker.select_option(label="Cán bộ xử lý NB.HOALU (xử lý)")
    assert picked == [processor_id]
    act(page, "assign", {"note": "Chị Hoa xử lý."})
    expect(page.get_by_text("Đã phân công.")).to_be_visible()
    expect(page.locator("#assignee")).to_have_text("Cán bộ xử lý NB.HOALU")
    expect(page.locator("#timeline")).to_contain_text("Phân công cán bộ xử lý")
    context.close()
    context, page = officer(browser, portal, "processor.hoalu@motcua.local")
    page.goto("/can-bo?hang=in_processing&cua_toi=1")  # «Chỉ hồ sơ được giao cho tôi»
    for _ in range(40):
        if page.locator("#queue").get_by_text(dossier["code"]).count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.locator("#queue")).to_contain_text(dossier["code"])
    open_in_console(page, dossier)
    expect(page.locator("#dossier-status")).to_have_text("Đang xử lý")  # assigned = taken up
    context.close()
    context, page = officer(browser, portal, "agencyadmin.hoalu@motcua.local")
    open_in_console(page, dossier)
    act(page, "transfer", {"to_agency": "NB.STP", "reason": "Cần Sở Tư pháp xác minh."})
    expect(page.get_by_text("Đã chuyển hồ sơ.")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Cần Sở Tư pháp xác minh.")
    context.close()
    context, page = officer(browser, portal, "processor.stp@motcua.local")
    open_in_console(page, dossier)  # the handling agency now may act
    expect(page.locator("#dossier-status")).to_have_text("Đang xử lý")
    expect(page.locator("form[data-action='propose']")).to_be_visible()
    shot(page, "36-can-bo-so-tu-phap")
    context.close()


def test_an_agency_admin_creates_disables_and_enables_an_officer(
    browser: Browser, portal: Any
) -> None:
    email = f"canbo.moi.{datetime.now(UTC):%H%M%S%f}@motcua.local"
    password = "Cán bộ mới của sở 2026"
    context, page = officer(browser, portal, "agencyadmin.stp@motcua.local")
    page.goto("/can-bo")
    page.locator("#staff-link").click()
    expect(page.get_by_role("heading", name=re.compile("Cán bộ của cơ quan"))).to_be_visible()
    new = page.locator("#new-officer")
    new.get_by_label("Họ và tên").fill("Trần Thị Mới")
    new.get_by_label("Thư điện tử").fill(email)
    new.get_by_label("Mật khẩu ban đầu").fill("12345678")  # among the most common
    new.get_by_label("xử lý").check()
    new.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.locator(".notice.err")).to_contain_text("phổ biến")
    expect(new.get_by_label("Họ và tên")).to_have_value("Trần Thị Mới")  # kept, not retyped
    new.get_by_label("Mật khẩu ban đầu").fill(password)
    new.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.get_by_text("Đã tạo tài khoản cán bộ.")).to_be_visible()
    row = page.locator("#staff tr[data-staff='Trần Thị Mới']")
    expect(row.locator(".staff-status")).to_have_text("Đang hoạt động")
    expect(row).to_contain_text("xử lý")

    row.get_by_placeholder("Lý do").fill("Nghỉ hưu theo chế độ")
    row.get_by_role("button", name="Khóa tài khoản").click()
    expect(page.get_by_text("Đã khóa tài khoản.")).to_be_visible()
    expect(row.locator(".staff-status")).to_have_text("Đã khóa")
    shot(page, "37-quan-tri-can-bo")

    locked_out, login_page = new_page(browser, portal)
    login_page.goto("/dang-nhap")
    login_page.fill("#f-email", email)
    login_page.fill("#f-password", password)
    login_page.click("form[action='/dang-nhap'] button")
    expect(login_page.get_by_text("Tài khoản đã bị khóa.")).to_be_visible()
    locked_out.close()

    row.get_by_placeholder("Lý do").fill("Được gọi trở lại công tác")
    row.get_by_role("button", name="Mở khóa").click()
    expect(row.locator(".staff-status")).to_have_text("Đang hoạt động")
    context.close()
    context, page = new_page(browser, portal)
    log_in(page, email, password)  # asserts the officer is signed in
    context.close()

    context, page = officer(browser, portal, "processor.stp@motcua.local")
    refused = page.goto("/can-bo/nhan-su")
    assert refused is not None and refused.status == 403  # not an agency admin
    expect(page.get_by_text("Chỉ cán bộ quản trị của cơ quan")).to_be_visible()
    context.close()
