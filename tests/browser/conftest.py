"""Browser fixtures: Debian's chromium driven by Playwright against the running suite.

The suite is the end-to-end ``suite`` fixture (tests/e2e/plugin.py): every service on
the session's real engines, demo data seeded. Never ``playwright install``: the browser
is /usr/bin/chromium (deploy/local/install.sh installs it).

For working on pages, ``MOTCUA_BROWSER_DEV_STATE=<state dir of a running motcua up>``
points the tests at that suite instead; the stopped-service test then stops and starts
that suite's process through the launcher.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from motcua_ops.services import SERVICES, ServiceSpec, start_services, stop_services
from tests.e2e.journey import pdf

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def spec_of(name: str) -> ServiceSpec:
    return next(spec for spec in SERVICES if spec.name == name)


@dataclass
class DevSuite:
    """A suite started by ``motcua up`` (local work on the pages only)."""

    state_dir: Path

    @property
    def gateway_url(self) -> str:
        services = json.loads((self.state_dir / "services.json").read_text())
        return str(services["gateway"]["url"])

    @property
    def maildir(self) -> Path:
        return self.state_dir / "mail"

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.gateway_url, trust_env=False, timeout=30, **kwargs)

    def stop(self, name: str) -> None:
        assert stop_services(self.state_dir, [spec_of(name)]) == [name], f"{name} not running"

    def start(self, name: str) -> None:
        [result] = start_services(self.state_dir, [spec_of(name)])
        assert result.ok, result


@pytest.fixture(scope="session")
def portal(request: pytest.FixtureRequest) -> Any:
    dev = os.environ.get("MOTCUA_BROWSER_DEV_STATE")
    if dev:
        return DevSuite(Path(dev))
    return request.getfixturevalue("suite")


@pytest.fixture(scope="package")
def browser(portal: Any) -> Iterator[Browser]:
    # After the suite: Playwright's sync API keeps an event loop running in this thread,
    # and the suite's start-up runs its own (asyncio.run). Package scope closes it when
    # the browser tests end, so the tests after them may run event loops again.
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


def new_page(browser: Browser, portal: Any, *, mobile: bool = False) -> tuple[BrowserContext, Page]:
    context = browser.new_context(
        base_url=portal.gateway_url,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        viewport={"width": 375, "height": 812} if mobile else {"width": 1280, "height": 900},
        accept_downloads=True,
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.js_errors = errors  # type: ignore[attr-defined]
    return context, page


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("files")
    made = {}
    for tag in ("to-khai", "giay-chung-sinh", "cccd", "to-khai-bo-sung"):
        made[tag] = folder / f"{tag}.pdf"
        made[tag].write_bytes(pdf(tag + uuid.uuid4().hex))
    return made


def shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[FAILED] = True
    return report


FAILED = pytest.StashKey[bool]()


@pytest.fixture(autouse=True)
def screenshot_on_failure(request: pytest.FixtureRequest) -> Iterator[None]:
    """What the browser showed when a test failed: every page still open."""
    yield
    if not request.node.stash.get(FAILED, False) or "browser" not in request.fixturenames:
        return
    browser: Browser = request.getfixturevalue("browser")
    for i, context in enumerate(browser.contexts):
        for j, page in enumerate(context.pages):
            shot(page, f"failed-{request.node.name}-{i}-{j}")
