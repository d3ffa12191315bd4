"""Identity, notify and the gateway as real processes on the real engines, for the
identity integration tests, plus helpers that act the way a citizen's browser does."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import psycopg
from aiokafka import AIOKafkaConsumer

from motcua_ops.services import jwks_env
from services.identity.domain.captcha import WORDS
from services.identity.settings import IdentitySettings
from shared.events.envelope import IntegrationEvent
from shared.pg.pools import connection_kwargs
from tests.support.engines import Engines
from tests.support.mail import messages_to
from tests.support.processes import ServiceProcess, free_port

PORTAL = "https://dichvucong.ninhbinh.example.vn"
PASSWORD = "Hoa sen nở giữa đầm 2025"


@dataclass
class Suite:
    engines: Engines
    prefix: str
    state: Path
    api: httpx.Client
    processes: list[ServiceProcess]
    secrets: set[str] = field(default_factory=set)

    @property
    def identity_schema(self) -> str:
        return f"{self.prefix}_identity"

    def settings(self) -> IdentitySettings:
        """identity's settings on this suite's schema (for the seed, run in-process)."""
        return IdentitySettings(
            postgres_dsn=self.engines.postgres_dsn,
            postgres_schema=self.identity_schema,
            data_dir=self.state / "identity",
        )

    def db(self) -> psycopg.Connection[Any]:
        """A connection on identity's schema (autocommit, rows as dicts)."""
        return psycopg.connect(
            self.engines.postgres_dsn, autocommit=True, **connection_kwargs(self.identity_schema)
        )

    def stop(self) -> None:
        self.api.close()
        for process in self.processes:
            process.stop()
        with psycopg.connect(self.engines.postgres_dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{self.identity_schema}" CASCADE')

    def email(self, name: str) -> str:
        return f"{self.prefix}-{name}-{uuid.uuid4().hex[:6]}@example.vn"

    def remember(self, *values: str) -> None:
        self.secrets.update(v for v in values if v)

    def wait_mail(self, to: str, count: int, timeout: float = 60) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = messages_to(self.engines.maildir, to)
            if len(found) >= count:
                return found
            time.sleep(0.3)
        raise AssertionError(f"{count} email(s) to {to} did not arrive")

    def link_token(self, message: EmailMessage, path: str) -> str:
        text = message.get_body(preferencelist=("plain",))
        assert text is not None
        match = re.search(
            re.escape(f"{PORTAL}{path}?token=") + r"([A-Za-z0-9_-]+)", text.get_content()
        )
        assert match, "the email carries no link to the configured portal"
        self.remember(match.group(1))
        return match.group(1)

    def register(self, email: str, password: str = PASSWORD, **extra: Any) -> httpx.Response:
        self.remember(password)
        body = {
            "email": email,
            "password": password,
            "full_name": "Nguyễn Thị Hoa",
            "phone": "0912345678",
            "national_id": "037190000123",
            "date_of_birth": "1990-05-17",
            "address": "Phường Hoa Lư, tỉnh Ninh Bình",
            **extra,
        }
        return self.api.post("/api/v1/auth/register", json=body)

    def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        response = self.api.post("/api/v1/auth/login", json={"email": email, "password": password})
        if response.status_code == 200:
            self.remember(response.json()["access_token"], response.json()["refresh_token"])
        return response

    def active_citizen(self, name: str) -> tuple[str, dict[str, str]]:
        email = self.email(name)
        assert self.register(email).status_code == 201
        token = self.link_token(self.wait_mail(email, 1)[0], "/kich-hoat")
        assert self.api.post("/api/v1/auth/activate", json={"token": token}).status_code == 200
        tokens = self.login(email)
        assert tokens.status_code == 200, tokens.text
        return email, {"Authorization": f"Bearer {tokens.json()['access_token']}"}

    def solve_captcha(self) -> dict[str, str]:
        challenge = self.api.get("/api/v1/auth/captcha").json()
        words = challenge["question"].lower().split(" bằng ")[0].split(" cộng ")
        answer = sum(WORDS.index(w.strip()) for w in words)
        return {"captcha_token": challenge["captcha_token"], "captcha_answer": str(answer)}


def start_suite(engines: Engines, tmp: Path) -> Suite:
    prefix = "t" + uuid.uuid4().hex[:10]
    state = tmp / "state"
    env = {
        **engines.env(),
        "MOTCUA_STATE_DIR": str(state),
        "MOTCUA_IDENTITY_TOPIC_PREFIX": f"{prefix}.",
        "MOTCUA_IDENTITY_POSTGRES_SCHEMA": f"{prefix}_identity",
        "MOTCUA_IDENTITY_PORTAL_URL": PORTAL,
        # wide enough that the "immediate" resend, sent after the first email arrived
        # on a loaded 2-core machine, still falls inside it
        "MOTCUA_IDENTITY_LINK_RESEND_SECONDS": "6",
        "MOTCUA_IDENTITY_LOGIN_FREE_FAILURES": "2",
        "MOTCUA_IDENTITY_LOGIN_BASE_DELAY_SECONDS": "1",
        "MOTCUA_IDENTITY_LOGIN_LOCK_AFTER": "4",
        "MOTCUA_IDENTITY_LOGIN_LOCK_SECONDS": "120",
        "MOTCUA_NOTIFY_TOPIC_PREFIX": f"{prefix}.",
        "MOTCUA_NOTIFY_POSTGRES_SCHEMA": f"{prefix}_notify",
        "MOTCUA_NOTIFY_CONSUMER_GROUP": prefix,
    }
    logs = tmp / "logs"
    logs.mkdir()
    identity = ServiceProcess("services.identity", env, "MOTCUA_IDENTITY_PORT", logs)
    # notify verifies its callers' tokens against this identity's keys (started after it)
    notify = ServiceProcess(
        "services.notify", {**env, **jwks_env(identity.url)}, "MOTCUA_NOTIFY_PORT", logs
    )
    notify.start()
    identity.start()
    down = f"http://127.0.0.1:{free_port()}"
    gateway_env = {
        **env,
        "MOTCUA_GATEWAY_IDENTITY_URL": identity.url,
        "MOTCUA_GATEWAY_NOTIFY_URL": notify.url,
        **{f"MOTCUA_GATEWAY_{s}_URL": down for s in ("CATALOG", "DOSSIER", "PAYMENT")},
    }
    gateway = ServiceProcess("services.gateway", gateway_env, "MOTCUA_GATEWAY_PORT", logs)
    gateway.start()
    api = httpx.Client(base_url=gateway.url, timeout=30, trust_env=False)
    return Suite(engines, prefix, state, api, [gateway, identity, notify])


def problem(response, status: int, type_: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/" + type_)
    assert response.json()["detail"]


async def _identity_events(bootstrap: str, topic: str) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[bytes] = []
    try:
        while batch := await consumer.getmany(timeout_ms=3000):
            found.extend(r.value for records in batch.values() for r in records)
    finally:
        await consumer.stop()
    return found


def events_of(suite: Suite, account_id: str) -> list[IntegrationEvent]:
    """The account's events on the identity topic, in order."""
    time.sleep(1)  # the relay publishes within a fraction of a second
    values = asyncio.run(
        _identity_events(
            suite.engines.kafka_bootstrap_servers, f"{suite.prefix}.motcua.identity.events"
        )
    )
    events = [IntegrationEvent.model_validate_json(v) for v in values]
    return sorted((e for e in events if e.subject == account_id), key=lambda e: e.sequence)


def assert_no_secrets(suite: Suite) -> None:
    """Every secret the tests used must appear in no log line and no event. It makes its
    own register/activate/login/refresh/reset round first, so it also checks on its own."""
    email, _ = suite.active_citizen("secrets")
    refreshed = suite.api.post(
        "/api/v1/auth/refresh", json={"refresh_token": suite.login(email).json()["refresh_token"]}
    )
    suite.remember(refreshed.json()["refresh_token"], refreshed.json()["access_token"])
    time.sleep(6.1)  # the per-account spacing of emailed links
    suite.api.post("/api/v1/auth/password/forgot", json={"email": email, **suite.solve_captcha()})
    reset_token = suite.link_token(suite.wait_mail(email, 2)[1], "/dat-lai-mat-khau")
    suite.remember("Mật khẩu mới sau khi quên 42")
    assert (
        suite.api.post(
            "/api/v1/auth/password/reset",
            json={"token": reset_token, "new_password": "Mật khẩu mới sau khi quên 42"},
        ).status_code
        == 200
    )
    with suite.db() as db:
        hashes = {a["password_hash"] for a in db.execute("SELECT password_hash FROM accounts")}
        for session in db.execute("SELECT token_hash, previous_hashes FROM sessions"):
            hashes.add(session["token_hash"])
            hashes.update(session["previous_hashes"])
    assert len(suite.secrets) >= 7 and len(hashes) >= 3
    time.sleep(1)  # the relay publishes within a fraction of a second
    events = asyncio.run(
        _identity_events(
            suite.engines.kafka_bootstrap_servers, f"{suite.prefix}.motcua.identity.events"
        )
    )
    assert len(events) >= 5
    text = {"events": b"\n".join(events).decode()}
    for process in suite.processes:
        text[process.module] = process.log_path.read_text(errors="replace")
    assert "vn.motcua.identity.account_registered" in text["events"]
    for name, content in text.items():
        assert "$argon2" not in content, name
        for secret in suite.secrets | hashes:
            assert secret not in content, f"a secret leaked into {name}"
