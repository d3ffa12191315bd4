"""The seeds' journey clicked through in a real browser: a citizen registers, activates
from the email, keeps a document in the wallet, searches «khai sinh», files the dossier
with attachments and a wallet document and «Gửi đi»; officers of Phường Hoa Lư ask for a
supplement, the citizen supplements, they accept, process, approve and return the result;
the public lookup, the citizen's timeline and the auditor's replay show it; with a
service stopped, the portal says so in Vietnamese and the rest keeps working.

The tests of this module run in order and share one dossier.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import new_page, shot
from tests.browser.steps import act, log_in, mailed_link, officer, open_in_console
from tests.e2e.journey import pdf

pytestmark = pytest.mark.integration
PASSWORD = "Khai sinh cho bé Na 2025"


@pytest.fixture(scope="module")
def state() -> dict[str, Any]:
    unique = uuid.uuid4().hex[:8]
    return {
        "email": f"nhung-{unique}@congdan.example.vn",
        "national_id": "0371900" + str(uuid.uuid4().int)[:5],
    }


def test_home_page_offers_register_login_search_and_lookup(browser: Browser, portal: Any) -> None:
    for mobile in (False, True):
        context, page = new_page(browser, portal, mobile=mobile)
        page.goto("/")
        account = page.get_by_role("navigation", name="Tài khoản")
        expect(account.get_by_role("link", name="Đăng ký")).to_be_visible()
        expect(account.get_by_role("link", name="Đăng nhập")).to_be_visible()
        expect(page.get_by_role("link", name="DỊCH VỤ CÔNG TRỰC TUYẾN")).to_be_attached()
        expect(page.get_by_role("link", name="THỦ TỤC HÀNH CHÍNH")).to_be_attached()
        expect(page.get_by_role("heading", name="TRA CỨU HỒ SƠ ĐÃ NỘP")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= (375 if mobile else 1280), "the page scrolls sideways"
        shot(page, "01-trang-chu-dien-thoai" if mobile else "01-trang-chu")
        assert page.js_errors == []  # type: ignore[attr-defined]
        context.close()


def test_register_activate_from_the_email_and_log_in(
    browser: Browser, portal: Any, state: dict[str, Any]
) -> None:
    context, page = new_page(browser, portal)
    page.goto("/")
    page.get_by_role("navigation", name="Tài khoản").get_by_role("link", name="Đăng ký").click()
    page.fill("#f-full_name", "Nguyễn Thị Hồng Nhung")
    page.fill("#f-email", state["email"])
    page.fill("#f-national_id", "123")
    page.fill("#f-password", PASSWORD)
    page.fill("#f-password2", PASSWORD + "x")
    page.click("form[action='/dang-ky'] button")
    # Client-side messages in Vietnamese, nothing sent yet.
    expect(page.locator("[data-error-for=national_id]")).to_have_text(
        "Số định danh cá nhân phải gồm 12 chữ số."
    )
    expect(page.locator("[data-error-for=password2]")).to_have_text("Mật khẩu nhập lại không khớp.")
    shot(page, "02-dang-ky-loi")
    page.fill("#f-national_id", state["national_id"])
    page.fill("#f-phone", "0912345678")
    page.fill("#f-date_of_birth", "1990-03-04")
    page.fill("#f-password2", PASSWORD)
    page.click("form[action='/dang-ky'] button")
    expect(page.get_by_role("heading", name="Đăng ký thành công")).to_be_visible()
    link = mailed_link(portal.maildir, state["email"], page, "/kich-hoat")
    assert link.startswith(portal.gateway_url + "/kich-hoat?token=")
    page.goto(link)
    shot(page, "03-kich-hoat")
    page.get_by_role("button", name="Kích hoạt tài khoản").click()
    expect(page.get_by_text("Tài khoản đã được kích hoạt")).to_be_visible()
    page.fill("#f-email", state["email"])
    page.fill("#f-password", "sai mật khẩu rồi")
    page.click("form[action='/dang-nhap'] button")
    expect(page.locator(".notice.err")).to_contain_text("mật khẩu")
    shot(page, "04-dang-nhap-sai")
    log_in(page, state["email"], PASSWORD)
    expect(page.get_by_role("heading", name="QUẢN LÝ HỒ SƠ")).to_be_visible()
    state["cookies"] = context.cookies()
    context.close()


def citizen(browser: Browser, portal: Any, state: dict[str, Any]) -> tuple[Any, Page]:
    context, page = new_page(browser, portal)
    context.add_cookies(state["cookies"])
    return context, page


def test_personal_page_keeps_a_document_in_the_wallet(
    browser: Browser, portal: Any, state: dict[str, Any], files: dict[str, Path]
) -> None:
    context, page = citizen(browser, portal, state)
    page.goto("/")
    page.get_by_role("link", name="Trang cá nhân").click()
    page.select_option("#d-type", "cccd")
    page.fill("#d-number", state["national_id"])
    page.fill("#d-issued", "2021-06-01")
    page.fill("#d-issuer", "Cục Cảnh sát quản lý hành chính về trật tự xã hội")
    page.set_input_files("#d-file", str(files["cccd"]))
    page.get_by_role("button", name="Thêm giấy tờ").click()
    expect(page.get_by_text("Đã thêm giấy tờ vào kho giấy tờ cá nhân.")).to_be_visible()
    expect(page.locator("#wallet")).to_contain_text(state["national_id"])
    shot(page, "05-trang-ca-nhan")
    context.close()


def test_search_khai_sinh_and_file_the_dossier_online(
    browser: Browser, portal: Any, state: dict[str, Any], files: dict[str, Path]
) -> None:
    context, page = citizen(browser, portal, state)
    page.goto("/")
    page.fill("#home-q", "khai sinh")
    page.locator("form.search button").click()
    expect(page.locator("#result-count")).to_contain_text("Tìm thấy")
    shot(page, "06-tim-thu-tuc")
    page.get_by_role("link", name="Đăng ký khai sinh", exact=True).click()
    expect(page.get_by_role("heading", name="Đăng ký khai sinh")).to_be_visible()
    expect(page.get_by_text("Trình tự thực hiện")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Tờ khai đăng ký khai sinh"))).to_be_visible()
    shot(page, "07-chi-tiet-thu-tuc")
    page.select_option("#apply-agency", "NB.HOALU")
    page.get_by_role("button", name="Đăng ký trực tuyến").click()
    expect(page.get_by_role("heading", name="1. Thông tin tờ khai")).to_be_visible()
    state["dossier_path"] = page.url.rsplit("/khai", 1)[0].replace(portal.gateway_url, "")

    # «Gửi đi» with nothing filled: the browser names every missing field in Vietnamese.
    page.get_by_role("button", name="Gửi đi").click()
    expect(page.locator("[data-error-for=f_ho_ten]")).to_have_text("Vui lòng nhập thông tin này.")
    page.fill("#f_so_dien_thoai", "12ab")
    page.locator("#f_so_dien_thoai").blur()
    page.get_by_role("button", name="Gửi đi").click()
    expect(page.locator("[data-error-for=f_so_dien_thoai]")).to_have_text(
        "Giá trị không đúng định dạng."
    )
    shot(page, "08-to-khai-loi")

    values = {
        "ho_ten": "Nguyễn Thị Hồng Nhung",
        "so_dinh_danh": state["national_id"],
        "ngay_sinh": "1990-03-04",
        "noi_cu_tru": "Phường Hoa Lư, tỉnh Ninh Bình",
        "so_dien_thoai": "0912345678",
        "email": state["email"],
        "ho_ten_tre": "Trần Gia Na",
        "ngay_sinh_tre": "2026-11-01",
        "noi_sinh": "Bệnh viện Sản Nhi Ninh Bình",
        "dan_toc": "Kinh",
        "quoc_tich": "Việt Nam",
        "ho_ten_me": "Nguyễn Thị Hồng Nhung",
        "ho_ten_cha": "Trần Văn Nam",
    }
    for name, value in values.items():
        page.fill(f"#f_{name}", value)
    page.select_option("#f_quan_he", "Mẹ")
    page.select_option("#f_gioi_tinh", "Nữ")
    # Without the required documents the dossier service refuses; the page says why.
    page.get_by_role("button", name="Gửi đi").click()
    expect(page.locator(".notice.err")).to_be_visible()
    expect(page.locator("#f_ho_ten_tre")).to_have_value("Trần Gia Na")

    for code, tag in (("TK", "to-khai"), ("GCS", "giay-chung-sinh")):
        upload = page.locator(f"#doc-{code} form[data-upload]")
        upload.locator("input[type=file]").set_input_files(str(files[tag]))
        upload.get_by_role("button", name="Tải lên").click()
        expect(upload.locator(".upload-msg")).to_have_text(f"Đã tải lên: {tag}.pdf")
        expect(upload.locator("progress")).to_have_attribute("value", "100")
    wallet = page.locator("#doc-GTTT form.wallet")
    expect(wallet.locator("select")).to_contain_text(state["national_id"])
    wallet.get_by_role("button", name="Dùng giấy tờ này").click()
    expect(wallet.locator(".upload-msg")).to_have_text("Đã dùng giấy tờ trong kho.")
    expect(page.locator("#doc-GTTT .attached li")).to_have_count(1)
    shot(page, "09-to-khai-dinh-kem")
    page.get_by_role("button", name="Gửi đi").click()
    notice = page.locator(".notice.ok")
    expect(notice).to_contain_text("Đã gửi hồ sơ thành công. Mã hồ sơ:")
    state["code"] = page.locator("#dossier-code").inner_text().strip()
    expect(page.locator("#dossier-status")).to_have_text("Mới đăng ký")
    steps = page.locator("#timeline li strong").all_inner_texts()
    assert steps[0] == "Tạo hồ sơ nháp" and steps[-1] == "Nộp hồ sơ", steps
    shot(page, "10-ho-so-da-gui")
    page.goto("/ho-so")
    expect(page.locator("#my-dossiers")).to_contain_text(state["code"])
    shot(page, "11-quan-ly-ho-so")
    context.close()


def test_officer_asks_for_a_supplement_and_the_bell_rings(
    browser: Browser, portal: Any, state: dict[str, Any]
) -> None:
    watching, watcher = citizen(browser, portal, state)
    watcher.goto(state["dossier_path"])
    bell = watcher.locator("#bell-count")
    expect(watcher.locator("#bell-count[data-live='1']")).to_have_count(1)  # the stream's count
    before = int(bell.text_content() or "0")
    context, page = officer(browser, portal, "receiver.hoalu@motcua.local")
    expect(page.get_by_role("heading", name=re.compile("Bàn làm việc"))).to_be_visible()
    for _ in range(40):  # the queues are a read model: a moment behind the events
        if page.locator("#queue").get_by_text(state["code"]).count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.locator("#q-to_receive .badge")).not_to_have_text("0")
    expect(page.locator("#queue")).to_contain_text("Nguyễn Thị Hồng Nhung")  # the applicant
    shot(page, "12-can-bo-hang-doi")
    open_in_console(page, state, "to_receive")
    shot(page, "13-can-bo-ho-so")
    act(
        page,
        "request-supplement",
        {
            "item_TK": "on",
            "why_TK": "Tờ khai thiếu chữ ký của người yêu cầu.",
            "reason": "Hồ sơ chưa hợp lệ.",
        },
    )
    expect(page.get_by_text("Đã gửi yêu cầu bổ sung.")).to_be_visible()
    expect(page.locator("#dossier-status")).to_have_text("Yêu cầu bổ sung")
    context.close()
    # The citizen's open page learns it live (notify's stream through the gateway).
    expect(bell).to_have_text(str(before + 1), timeout=30_000)
    expect(bell).to_be_visible()
    shot(watcher, "14a-chuong-thong-bao")
    watcher.locator("#bell").click()
    expect(watcher.locator("#inbox")).to_contain_text(state["code"])
    shot(watcher, "14b-thong-bao")
    watching.close()


def test_citizen_supplements(
    browser: Browser, portal: Any, state: dict[str, Any], files: dict[str, Path]
) -> None:
    context, page = citizen(browser, portal, state)
    page.goto(state["dossier_path"])
    expect(page.get_by_text("Tờ khai thiếu chữ ký của người yêu cầu.")).to_be_visible()
    page.get_by_role("link", name="Bổ sung hồ sơ").click()
    page.set_input_files("#file_TK", str(files["to-khai-bo-sung"]))
    page.fill("#note_TK", "Đã ký lại tờ khai.")
    shot(page, "14c-bo-sung")
    page.get_by_role("button", name="Gửi bổ sung").click()
    expect(page.locator("#dossier-status")).to_have_text("Mới đăng ký")
    context.close()


def test_officers_accept_process_approve_and_return_the_result(
    browser: Browser, portal: Any, state: dict[str, Any], tmp_path: Path
) -> None:
    context, page = officer(browser, portal, "receiver.hoalu@motcua.local")
    open_in_console(page, state)
    act(page, "accept")
    expect(page.get_by_text("Đã tiếp nhận hồ sơ và cấp giấy hẹn.")).to_be_visible()
    expect(page.locator("#dossier-status")).to_have_text("Đã tiếp nhận")
    with page.expect_download() as receipt:
        page.get_by_role("link", name=re.compile("Giấy tiếp nhận")).click()
    assert receipt.value.path().read_bytes().startswith(b"%PDF")
    context.close()

    context, page = officer(browser, portal, "processor.hoalu@motcua.local")
    open_in_console(page, state)
    act(page, "start-processing")
    expect(page.locator("#dossier-status")).to_have_text("Đang xử lý")
    act(page, "propose", {"decision": "approve", "note": "Hồ sơ đủ điều kiện đăng ký khai sinh."})
    expect(page.get_by_text("Đã trình đề xuất.")).to_be_visible()
    shot(page, "15-can-bo-xu-ly")
    context.close()

    context, page = officer(browser, portal, "approver.hoalu@motcua.local")
    open_in_console(page, state)
    result_pdf = tmp_path / "giay-khai-sinh.pdf"
    result_pdf.write_bytes(pdf("ket-qua-" + state["code"]))
    state["result_sha256"] = hashlib.sha256(result_pdf.read_bytes()).hexdigest()
    page.locator("form[data-action='approve'] [name='result_file']").set_input_files(
        str(result_pdf)
    )
    act(page, "approve", {"result_number": "KS-123/2026"})
    expect(page.get_by_text("Đã phê duyệt")).to_be_visible()
    expect(page.locator("#dossier-status")).to_have_text("Đã có kết quả")
    context.close()

    context, page = officer(browser, portal, "receiver.hoalu@motcua.local")
    open_in_console(page, state)
    act(page, "return-result", {"channel": "online"})
    expect(page.locator("#dossier-status")).to_have_text("Đã trả kết quả")
    shot(page, "16-can-bo-tra-ket-qua")
    context.close()


def test_citizen_timeline_and_public_lookup_show_the_same_steps(
    browser: Browser, portal: Any, state: dict[str, Any]
) -> None:
    context, page = citizen(browser, portal, state)
    page.goto(state["dossier_path"])
    steps = page.locator("#timeline li strong").all_inner_texts()
    assert in_order(JOURNEY, steps), steps
    with page.expect_download() as result_file:  # «Tải kết quả giải quyết»
        page.get_by_role("link", name=re.compile("Tải kết quả giải quyết")).click()
    content = result_file.value.path().read_bytes()
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == state["result_sha256"]
    shot(page, "17-dong-thoi-gian")
    phone, small = new_page(browser, portal, mobile=True)  # the same pages on a phone
    phone.add_cookies(state["cookies"])
    for path, name in (
        (state["dossier_path"], "17a-dong-thoi-gian-dien-thoai"),
        ("/ho-so", "17b-quan-ly-ho-so-dien-thoai"),
        ("/thu-tuc/1.001193", "17c-thu-tuc-dien-thoai"),
    ):
        small.goto(path)
        assert small.evaluate("document.documentElement.scrollWidth") <= 375, path
        shot(small, name)
    phone.close()
    page.goto("/")
    page.fill("#lk-ma", state["code"])
    page.fill("#lk-cccd", state["national_id"][-4:])
    page.locator("#tra-cuu button").click()
    result = page.locator("#lookup-result")
    expect(result).to_contain_text("Đã trả kết quả")
    expect(result).not_to_contain_text("Nguyễn Thị Hồng Nhung")  # no personal data
    shot(page, "18-tra-cuu")
    page.goto("/thong-ke")  # notify's projection: a moment behind the events
    for _ in range(40):
        if page.locator("#by_procedure").get_by_text("Đăng ký khai sinh").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.locator("#by_agency")).to_contain_text("Hoa Lư")
    assert int(page.locator("#received").inner_text()) >= 1
    shot(page, "18a-thong-ke")
    context.close()


JOURNEY = [
    "Tạo hồ sơ nháp",
    "Nộp hồ sơ",
    "Yêu cầu bổ sung hồ sơ",
    "Công dân bổ sung hồ sơ",
    "Tiếp nhận hồ sơ, hẹn ngày trả kết quả",
    "Bắt đầu xử lý",
    "Phê duyệt kết quả",
    "Trả kết quả",
]
EVENTS = [
    "Created",
    "Submitted",
    "SupplementRequested",
    "Supplemented",
    "Accepted",
    "ProcessingStarted",
    "Proposed",
    "Approved",
    "ResultReturned",
]


def in_order(expected: list[str], seen: list[str]) -> bool:
    """``expected`` is a subsequence of ``seen`` (other steps may come between)."""
    remaining = iter(seen)
    return all(any(step == item for item in remaining) for step in expected)


def test_auditor_replays_the_dossier(browser: Browser, portal: Any, state: dict[str, Any]) -> None:
    context, page = officer(browser, portal, "thanhtra@motcua.local")
    page.fill("#ma", state["code"])
    page.get_by_role("button", name="Xem").click()
    expect(page.locator("#chain")).to_contain_text("Chuỗi sự kiện toàn vẹn")
    types = page.locator("#events tbody tr td:nth-child(2)").all_inner_texts()
    assert in_order(EVENTS, [t.strip().rsplit(".", 1)[-1] for t in types]), types
    shot(page, "19-thanh-tra")
    # The state as of the supplement request: replayed up to that event only.
    row = page.locator("#events tbody tr").filter(has_text="SupplementRequested")
    row.get_by_role("link", name="Trạng thái lúc này").click()
    expect(page.locator("#state-at")).to_contain_text("Yêu cầu bổ sung")
    expect(page.locator("#chain")).to_contain_text("Chuỗi sự kiện toàn vẹn")
    shot(page, "20-thanh-tra-trang-thai")
    page.fill("#luc", "2020-01-01T00:00:00")
    page.get_by_role("button", name="Xem").click()
    expect(page.locator(".notice.err")).to_contain_text("chưa tồn tại")
    context.close()


def test_a_fee_is_paid_online_under_giao_dich(
    browser: Browser, portal: Any, state: dict[str, Any], files: dict[str, Path]
) -> None:
    """«Cấp Giấy xác nhận tình trạng hôn nhân» (level 4, 3.000 ₫) at Phường Hoa Lư."""
    context, page = citizen(browser, portal, state)
    page.goto("/nop-ho-so")
    page.select_option("#co_quan", "NB.HOALU")
    page.get_by_role("button", name="Xem dịch vụ công").click()
    shot(page, "22-nop-ho-so-chon-co-quan")
    row = page.locator("tr").filter(has_text="Cấp Giấy xác nhận tình trạng hôn nhân")
    row.get_by_role("link", name=re.compile("Đăng ký trực tuyến")).click()
    page.get_by_role("button", name="Đăng ký trực tuyến").click()
    for name, value in {
        "ho_ten": "Nguyễn Thị Hồng Nhung",
        "so_dinh_danh": state["national_id"],
        "noi_cu_tru": "Phường Hoa Lư, tỉnh Ninh Bình",
        "so_dien_thoai": "0912345678",
        "email": state["email"],
        "muc_dich": "Đăng ký kết hôn",
    }.items():
        page.fill(f"#f_{name}", value)
    page.select_option("#f_tinh_trang", "Chưa kết hôn")
    upload = page.locator("#doc-TK form[data-upload]")
    upload.locator("input[type=file]").set_input_files(str(files["to-khai"]))
    upload.get_by_role("button", name="Tải lên").click()
    expect(upload.locator(".upload-msg")).to_contain_text("Đã tải lên")
    wallet = page.locator("#doc-GTTT form.wallet")
    wallet.get_by_role("button", name="Dùng giấy tờ này").click()
    expect(wallet.locator(".upload-msg")).to_have_text("Đã dùng giấy tờ trong kho.")
    expect(page.locator("#f_muc_dich")).to_have_value("Đăng ký kết hôn")  # nothing typed lost
    page.get_by_role("button", name="Gửi đi").click()
    expect(page.locator(".notice.ok")).to_contain_text("Mã hồ sơ:")
    paid = {
        "code": page.locator("#dossier-code").inner_text().strip(),
        "dossier_path": page.url.split("?")[0].replace(portal.gateway_url, ""),
    }
    context.close()

    for email, actions in (
        ("receiver.hoalu@motcua.local", [("accept", {})]),
        (
            "processor.hoalu@motcua.local",
            [
                ("start-processing", {}),
                ("propose", {"decision": "approve", "note": "Đủ điều kiện."}),
            ],
        ),
        ("approver.hoalu@motcua.local", [("approve", {"result_number": "XNHN-45/2026"})]),
    ):
        context, page = officer(browser, portal, email)
        open_in_console(page, paid)
        for action, fields in actions:
            act(page, action, fields)
            expect(page.locator(".notice.ok")).to_be_visible()
        context.close()

    context, page = citizen(browser, portal, state)
    page.goto(paid["dossier_path"])
    expect(page.locator("#dossier-status")).to_have_text("Chờ thanh toán")
    page.goto("/trang-ca-nhan")
    page.locator(".tabs").get_by_role("link", name="Giao dịch").click()
    for _ in range(40):  # payment opens the fee order from the dossier's event
        if page.locator("#orders tr").filter(has_text=paid["code"]).count():
            break
        page.wait_for_timeout(500)
        page.reload()
    order = page.locator("#orders tr").filter(has_text=paid["code"])
    expect(order).to_contain_text("3.000 ₫")
    expect(order).to_contain_text("Hạn thanh toán")
    shot(page, "23-giao-dich")
    order.get_by_role("link", name="Thanh toán").click()
    page.get_by_role("button", name="Tiếp tục thanh toán").click()  # terms not yet accepted
    expect(page.get_by_role("heading", name=re.compile("Thanh toán lệ phí"))).to_be_visible()
    expect(page.locator("#pay-by")).to_have_text(re.compile(r"\d{2}/\d{2}/\d{4}"))
    page.get_by_label(re.compile("Tôi cam kết")).check()
    shot(page, "24-thanh-toan")
    page.get_by_role("button", name="Tiếp tục thanh toán").click()
    shot(page, "24a-chuyen-cong-thanh-toan")
    page.locator("#pay-link").click()  # to the provider (the VNPay sandbox)
    page.get_by_role("button", name=re.compile("^Thanh toán")).first.click()
    # Back at the portal's own page: paid, or paid at the provider with the signed IPN
    # on its way (the page refreshes itself until the order says so).
    expect(page).to_have_url(re.compile(r"/thanh-toan/ket-qua\?.*vnp_TxnRef="))
    expect(page.locator("#payment-outcome")).to_have_text(
        re.compile("^(Đã thanh toán|Đang chờ xác nhận)$")
    )
    expect(page.locator("#payment-outcome")).to_have_text("Đã thanh toán", timeout=30_000)
    expect(page.locator("#payment-dossier")).to_have_text(paid["code"])
    expect(page.locator("#payment-amount")).to_have_text("3.000 ₫")
    expect(page.locator("#payment-receipt-no")).not_to_be_empty()
    expect(page.get_by_role("link", name="Xem hồ sơ")).to_have_attribute(
        "href", paid["dossier_path"]
    )
    shot(page, "25-thanh-toan-thanh-cong")
    with page.expect_download() as receipt:
        page.get_by_role("link", name=re.compile("Tải biên lai")).click()
    assert receipt.value.path().read_bytes().startswith(b"%PDF")
    page.goto("/giao-dich")
    for _ in range(40):
        if (
            page.locator("#orders tr")
            .filter(has_text=paid["code"])
            .filter(has_text="Đã thanh toán")
            .count()
        ):
            break
        page.wait_for_timeout(500)
        page.reload()
    order = page.locator("#orders tr").filter(has_text=paid["code"])
    with page.expect_download() as receipt:
        order.get_by_role("link", name=re.compile("Biên lai")).click()
    assert receipt.value.path().read_bytes().startswith(b"%PDF")
    for _ in range(40):  # the dossier learns of the payment from payment's event
        page.goto(paid["dossier_path"])
        if page.locator("#dossier-status").inner_text() == "Đã có kết quả":
            break
        page.wait_for_timeout(500)
    expect(page.locator("#dossier-status")).to_have_text("Đã có kết quả")
    context.close()


def test_a_stopped_service_is_named_and_the_rest_keeps_working(
    browser: Browser, portal: Any, state: dict[str, Any]
) -> None:
    portal.stop("catalog")
    try:
        context, page = citizen(browser, portal, state)
        page.goto("/")
        expect(page.locator("[data-down]")).to_have_text(
            "Dịch vụ Danh mục thủ tục hành chính tạm thời không phản hồi, vui lòng thử lại sau."
        )
        expect(page.get_by_role("heading", name="TRA CỨU HỒ SƠ ĐÃ NỘP")).to_be_visible()
        shot(page, "21-dich-vu-ngung")
        page.goto("/ho-so")
        expect(page.locator("#my-dossiers")).to_contain_text(state["code"])
        page.goto("/thu-tuc?q=khai+sinh")
        expect(page.locator("[data-down]")).to_be_visible()
        context.close()
    finally:
        portal.start("catalog")
