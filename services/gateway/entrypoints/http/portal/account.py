"""Register, activate (the emailed link), log in and out, forgotten password."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import APIRouter, Request, Response

from services.gateway.entrypoints.http.portal.api import ServiceDownError
from services.gateway.entrypoints.http.portal.session import clear_tokens, client_ip, store_tokens
from services.gateway.entrypoints.http.portal.web import portal_of, posted, redirect, render

router = APIRouter()
CSRF_EXPIRED = "Phiên làm việc của biểu mẫu đã hết hạn, vui lòng thử lại."
PASSWORD_REASONS = {
    "too_short": "Mật khẩu phải có ít nhất 8 ký tự.",
    "too_long": "Mật khẩu không được dài quá 128 ký tự.",
    "common": "Mật khẩu quá phổ biến, vui lòng chọn mật khẩu khác.",
    "contextual": "Mật khẩu không được trùng với thư điện tử hoặc số định danh.",
}


async def _identity(request: Request, method: str, path: str, **kwargs: Any) -> Any:
    return await portal_of(request).services.call(
        method, "identity", path, client_ip=client_ip(request), **kwargs
    )


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return ""


def password_message(answer: Any) -> str:
    if answer.problem_type == "weak-password":
        return PASSWORD_REASONS.get(str(answer.body.get("reason")), answer.detail)
    return str(answer.detail)


@router.get("/dang-ky")
async def register_page(request: Request) -> Response:
    return await render(request, "register.html", {"form": {}, "errors": {}})


@router.post("/dang-ky")
async def register(request: Request) -> Response:
    form = await posted(request)
    if form is None:
        return await render(
            request, "register.html", {"form": {}, "errors": {}, "error": CSRF_EXPIRED}, 400
        )
    errors: dict[str, str] = {}
    if form.get("password") != form.get("password2"):
        errors["password2"] = "Mật khẩu nhập lại không khớp."
    fields = {
        k: str(form.get(k) or "").strip()
        for k in ("email", "full_name", "phone", "national_id", "date_of_birth", "address")
    }
    body: dict[str, Any] = {k: v for k, v in fields.items() if v}
    body["password"] = str(form.get("password") or "")
    if form.get("kind") == "organisation":  # «Tổ chức, doanh nghiệp»: the unit's data too
        body["kind"] = "organisation"
        body["organisation"] = {
            k: str(form.get(f"org_{k}") or "").strip()
            for k in ("tax_code", "name", "address", "representative")
        }
    context: dict[str, Any] = {"form": form, "errors": errors}
    if errors:
        return await render(request, "register.html", context, 422)
    try:
        answer = await _identity(request, "POST", "/api/v1/auth/register", json=body)
    except ServiceDownError as down:
        return await render(request, "register.html", {**context, "error": down.message}, 503)
    if answer.ok:
        return await render(
            request,
            "message.html",
            {
                "title": "Đăng ký thành công",
                "message": f"Chúng tôi đã gửi thư kích hoạt tới {body.get('email')}. "
                "Vui lòng mở thư và bấm vào liên kết để kích hoạt tài khoản "
                "(kiểm tra cả hộp thư rác).",
            },
        )
    context["errors"] = answer.field_errors()
    if answer.problem_type == "weak-password":
        context["errors"]["password"] = password_message(answer)
    context["error"] = answer.detail
    return await render(request, "register.html", context, answer.status)


@router.get("/kich-hoat")
async def activate_page(request: Request, token: str = "") -> Response:
    # A GET never activates: mail scanners follow links. The button posts the token.
    return await render(request, "activate.html", {"token": token})


@router.post("/kich-hoat")
async def activate(request: Request) -> Response:
    form = await posted(request)
    if form is None:
        return await render(request, "activate.html", {"error": CSRF_EXPIRED}, 400)
    try:
        answer = await _identity(
            request, "POST", "/api/v1/auth/activate", json={"token": str(form.get("token") or "")}
        )
    except ServiceDownError as down:
        return await render(request, "activate.html", {"error": down.message}, 503)
    if not answer.ok:
        return await render(request, "activate.html", {"error": answer.detail}, answer.status)
    return await render(
        request,
        "login.html",
        {"notice": "Tài khoản đã được kích hoạt. Mời bạn đăng nhập.", "next": ""},
    )


@router.get("/dang-nhap")
async def login_page(request: Request, tiep: str = "") -> Response:
    return await render(request, "login.html", {"next": _safe_next(tiep)})


@router.post("/dang-nhap")
async def login(request: Request) -> Response:
    form = await posted(request)
    if form is None:
        return await render(request, "login.html", {"error": CSRF_EXPIRED}, 400)
    email = str(form.get("email") or "").strip()
    context = {"email": email, "next": _safe_next(str(form.get("next") or ""))}
    try:
        answer = await _identity(
            request,
            "POST",
            "/api/v1/auth/login",
            json={"email": email, "password": str(form.get("password") or "")},
        )
    except ServiceDownError as down:
        return await render(request, "login.html", {**context, "error": down.message}, 503)
    if not answer.ok:
        return await render(
            request, "login.html", {**context, "error": answer.detail}, answer.status
        )
    store_tokens(request, answer.body)
    viewer = await portal_of(request).verifier.verify(str(answer.body["access_token"]))
    home = {"officer": "/can-bo", "auditor": "/kiem-tra", "admin": "/kiem-tra"}
    return redirect(request, context["next"] or home.get(viewer.role, "/ho-so"))


@router.post("/dang-xuat")
async def logout(request: Request) -> Response:
    form = await posted(request)
    if form is None:  # another site cannot log people out
        return redirect(request, "/")
    refresh = request.cookies.get("motcua_refresh")
    if refresh:
        # The cookies go anyway when identity is down; the session expires on its own.
        with contextlib.suppress(ServiceDownError):
            await _identity(request, "POST", "/api/v1/auth/logout", json={"refresh_token": refresh})
    clear_tokens(request)
    return redirect(request, "/")


async def _captcha(request: Request) -> dict[str, Any] | None:
    try:
        answer = await _identity(request, "GET", "/api/v1/auth/captcha")
    except ServiceDownError:
        return None
    return answer.body if answer.ok else None


@router.get("/quen-mat-khau")
async def forgot_page(request: Request) -> Response:
    captcha = await _captcha(request)
    return await render(request, "forgot.html", {"captcha": captcha})


@router.post("/quen-mat-khau")
async def forgot(request: Request) -> Response:
    form = await posted(request)
    if form is None:
        return await render(
            request, "forgot.html", {"error": CSRF_EXPIRED, "captcha": await _captcha(request)}, 400
        )
    body = {k: str(form.get(k) or "").strip() for k in ("email", "captcha_token", "captcha_answer")}
    try:
        answer = await _identity(request, "POST", "/api/v1/auth/password/forgot", json=body)
    except ServiceDownError as down:
        return await render(request, "forgot.html", {"error": down.message}, 503)
    if answer.ok:
        return await render(
            request,
            "message.html",
            {
                "title": "Đã gửi yêu cầu",
                "message": "Nếu địa chỉ thư điện tử đã đăng ký, bạn sẽ nhận được liên kết đặt lại "
                "mật khẩu (có hiệu lực trong 30 phút).",
            },
        )
    return await render(
        request,
        "forgot.html",
        {"error": answer.detail, "email": body["email"], "captcha": await _captcha(request)},
        answer.status,
    )


@router.get("/dat-lai-mat-khau")
async def reset_page(request: Request, token: str = "") -> Response:
    return await render(request, "reset.html", {"token": token})


@router.post("/dat-lai-mat-khau")
async def reset(request: Request) -> Response:
    form = await posted(request)
    if form is None:
        return await render(request, "reset.html", {"error": CSRF_EXPIRED}, 400)
    token = str(form.get("token") or "")
    if form.get("new_password") != form.get("new_password2"):
        return await render(
            request,
            "reset.html",
            {"token": token, "errors": {"new_password2": "Mật khẩu nhập lại không khớp."}},
            422,
        )
    try:
        answer = await _identity(
            request,
            "POST",
            "/api/v1/auth/password/reset",
            json={"token": token, "new_password": str(form.get("new_password") or "")},
        )
    except ServiceDownError as down:
        return await render(request, "reset.html", {"token": token, "error": down.message}, 503)
    if not answer.ok:
        return await render(
            request,
            "reset.html",
            {"token": token, "error": password_message(answer)},
            answer.status,
        )
    return await render(
        request,
        "login.html",
        {"notice": "Mật khẩu đã được đặt lại. Mời bạn đăng nhập.", "next": ""},
    )
