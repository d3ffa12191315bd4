"""The portal's pages as a browser without JavaScript sees them: a cookie session
opened through «Đăng nhập» (its CSRF field included), then plain GETs."""

from __future__ import annotations

import re

import httpx

from tests.e2e.journey import DEMO_PASSWORD
from tests.e2e.suite import Suite


def portal_session(suite: Suite, email: str, password: str = DEMO_PASSWORD) -> httpx.Client:
    browser = suite.client(follow_redirects=False)
    form = browser.get("/dang-nhap")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert form.status_code == 200 and csrf, form.text
    signed_in = browser.post(
        "/dang-nhap", data={"email": email, "password": password, "csrf": csrf.group(1), "next": ""}
    )
    assert signed_in.status_code in (302, 303), signed_in.text
    return browser


def provider_answers(payment_url: str, action: str) -> str:
    """At the VNPay-protocol sandbox the payer presses «Thanh toán» (``pay``) or «Hủy»
    (``cancel``); the address the provider sends the browser back to."""
    with httpx.Client(timeout=30, trust_env=False) as browser:
        page = browser.get(payment_url)
        token = re.search(r'name="token" value="([0-9a-f]+)"', page.text)
        assert page.status_code == 200 and token, page.text
        base = payment_url.split("/paymentv2/")[0]
        back = browser.post(
            f"{base}/paymentv2/confirm", data={"token": token.group(1), "action": action}
        )
        assert back.status_code == 302, back.text
        return back.headers["location"]
