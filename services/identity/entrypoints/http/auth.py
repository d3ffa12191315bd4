"""/auth: register, activate, login, refresh, logout, forgotten password, captcha."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from services.identity.application import limits, passwords, registration, sessions
from services.identity.domain.captcha import new_challenge
from services.identity.entrypoints.http.deps import ClientAddress, Ctx
from services.identity.entrypoints.http.models import AccountNotice, Captcha, Notice, TokenPair

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
SAME_ANSWER = Notice(detail="Nếu địa chỉ thư điện tử đã đăng ký, một thư hướng dẫn đã được gửi.")


class OrganisationIn(BaseModel):
    tax_code: str = Field(max_length=20)
    name: str = Field(max_length=300)
    address: str = Field(max_length=500)
    representative: str = Field(max_length=200)


class RegisterIn(BaseModel):
    kind: Literal["citizen", "organisation"] = "citizen"
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)
    full_name: str = Field(max_length=200)
    phone: str | None = Field(None, max_length=20)
    national_id: str | None = Field(None, max_length=20)
    date_of_birth: date | None = None
    address: str | None = Field(None, max_length=500)
    organisation: OrganisationIn | None = None


class TokenIn(BaseModel):
    token: str = Field(max_length=200)


class EmailIn(BaseModel):
    email: str = Field(max_length=254)


class LoginIn(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


class RefreshIn(BaseModel):
    refresh_token: str = Field(max_length=200)


class ForgotIn(BaseModel):
    email: str = Field(max_length=254)
    captcha_token: str = Field(max_length=500)
    captcha_answer: str = Field(max_length=10)


class ResetIn(BaseModel):
    token: str = Field(max_length=200)
    new_password: str = Field(max_length=1024)


@router.post("/register", status_code=201)
async def register(body: RegisterIn, ctx: Ctx, address: ClientAddress) -> AccountNotice:
    await limits.admit(ctx, "register", address, body.email)
    account_id = await registration.register(
        ctx,
        registration.Registration(
            kind=body.kind,
            email=body.email,
            password=body.password,
            full_name=body.full_name,
            phone=body.phone,
            national_id=body.national_id,
            date_of_birth=body.date_of_birth,
            address=body.address,
            organisation=body.organisation.model_dump() if body.organisation else None,
        ),
    )
    return AccountNotice(
        id=account_id,
        status="pending",
        detail="Đăng ký thành công. Vui lòng mở thư điện tử để kích hoạt tài khoản.",
    )


@router.post("/activate")
async def activate(body: TokenIn, ctx: Ctx) -> AccountNotice:
    account_id = await registration.activate(ctx, body.token)
    return AccountNotice(
        id=account_id,
        status="active",
        detail="Tài khoản đã được kích hoạt. Bạn có thể đăng nhập.",
    )


@router.post("/activation/resend", status_code=202)
async def resend(body: EmailIn, ctx: Ctx, address: ClientAddress) -> Notice:
    await limits.admit(ctx, "resend", address, body.email)
    await registration.resend_activation(ctx, body.email)
    return SAME_ANSWER


@router.post("/login")
async def login(body: LoginIn, ctx: Ctx, address: ClientAddress, response: Response) -> TokenPair:
    response.headers["Cache-Control"] = "no-store"
    tokens = await sessions.login(ctx, body.email, body.password, address)
    return TokenPair.model_validate(tokens.body())


@router.post("/refresh")
async def refresh(body: RefreshIn, ctx: Ctx, response: Response) -> TokenPair:
    response.headers["Cache-Control"] = "no-store"
    tokens = await sessions.refresh(ctx, body.refresh_token)
    return TokenPair.model_validate(tokens.body())


@router.post("/logout", status_code=204, response_model=None)
async def logout(body: RefreshIn, ctx: Ctx) -> Response:
    await sessions.logout(ctx, body.refresh_token)
    return Response(status_code=204)


@router.get("/captcha")
async def captcha(ctx: Ctx, response: Response) -> Captcha:
    response.headers["Cache-Control"] = "no-store"
    challenge = new_challenge(ctx.captcha_key, ctx.clock())
    return Captcha(
        captcha_token=challenge.token,
        question=challenge.question,
        expires_at=challenge.expires_at,
    )


@router.post("/password/forgot", status_code=202)
async def forgot(body: ForgotIn, ctx: Ctx, address: ClientAddress) -> Notice:
    await limits.admit(ctx, "forgot", address, body.email)
    await passwords.forgot_password(ctx, body.email, body.captcha_token, body.captcha_answer)
    return SAME_ANSWER


@router.post("/password/reset")
async def reset(body: ResetIn, ctx: Ctx) -> Notice:
    await passwords.reset_password(ctx, body.token, body.new_password)
    return Notice(detail="Mật khẩu đã được đặt lại. Vui lòng đăng nhập bằng mật khẩu mới.")
