"""Service start/stop against a throwaway HTTP module (not the real services)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from motcua_ops import procs
from motcua_ops.services import ServiceSpec, service_status, start_services, stop_services
from motcua_ops.state import load_services

FAKE = """
import json, os
from http.server import BaseHTTPRequestHandler, HTTPServer

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path not in ("/healthz", "/readyz", "/env", "/metrics"):
            self.send_error(404)
            return
        body = json.dumps({k: v for k, v in os.environ.items() if k.startswith("MOTCUA_")})
        if self.path == "/metrics":
            body = os.environ.get("FAKE_METRICS", "")
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass

HTTPServer(("127.0.0.1", int(os.environ[os.environ["FAKE_PORT_ENV"]])), Handler).serve_forever()
"""


def _specs(root: Path) -> list[ServiceSpec]:
    (root / "fakesvc").mkdir()
    (root / "fakesvc" / "__init__.py").write_text("")
    (root / "fakesvc" / "__main__.py").write_text(FAKE)
    (root / "broken.py").write_text("raise SystemExit('broken on purpose')\n")
    return [
        ServiceSpec("alpha", "fakesvc", "FAKE_PORT", cwd=root),
        ServiceSpec("beta-relay", "broken", "MOTCUA_BETA_PORT", cwd=root),
        ServiceSpec("absent", "nosuchmodule", "MOTCUA_ABSENT_PORT", cwd=root),
    ]


def test_services_start_record_and_stop(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FAKE_PORT_ENV", "FAKE_PORT")
    monkeypatch.delenv("FAKE_PORT", raising=False)
    monkeypatch.delenv("MOTCUA_PAYMENT_SANDBOX", raising=False)
    state = tmp_path / "state"
    specs = _specs(tmp_path)
    results = {r.name: r for r in start_services(state, specs, timeout=20)}
    assert results["alpha"].state == "started"
    assert results["beta-relay"].state == "failed"
    assert "broken on purpose" in results["beta-relay"].detail
    assert results["absent"].state == "missing"

    recorded = load_services(state)
    alpha = recorded["alpha"]
    assert alpha["url"] == f"http://127.0.0.1:{alpha['port']}"
    assert procs.pid_alive(alpha["pid"])
    assert recorded["beta-relay"]["pid"] is None
    assert "absent" not in recorded
    assert json.loads((state / "services.json").read_text()) == recorded

    env = httpx.get(f"{alpha['url']}/env", trust_env=False).json()
    assert env["MOTCUA_STATE_DIR"] == str(state.resolve())
    assert env["MOTCUA_GATEWAY_ALPHA_URL"] == alpha["url"]
    assert env["MOTCUA_GATEWAY_BETA_RELAY_URL"].startswith("http://127.0.0.1:")
    assert env["MOTCUA_PAYMENT_SANDBOX"] == "true"  # the local suite pays at the sandbox

    again = {r.name: r for r in start_services(state, specs[:1], timeout=20)}
    assert again["alpha"].state == "running"
    assert again["alpha"].pid == alpha["pid"]
    assert [s.state for s in service_status(state, specs[:1])] == ["running"]

    assert stop_services(state, specs) == ["alpha"]
    assert not procs.pid_alive(alpha["pid"])
    assert stop_services(state, specs) == []
    assert load_services(state)["alpha"]["port"] == alpha["port"]  # kept for the next start
    assert [s.state for s in service_status(state, specs[:1])] == ["stopped"]


def test_an_operator_choice_of_sandbox_mode_is_kept(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FAKE_PORT_ENV", "FAKE_PORT")
    monkeypatch.delenv("FAKE_PORT", raising=False)
    monkeypatch.setenv("MOTCUA_PAYMENT_SANDBOX", "false")  # a real terminal's secret is set
    state = tmp_path / "state"
    alpha = _specs(tmp_path)[0]
    (result,) = start_services(state, [alpha], timeout=20)
    try:
        env = httpx.get(f"{result.url}/env", trust_env=False).json()
        assert env["MOTCUA_PAYMENT_SANDBOX"] == "false"
    finally:
        stop_services(state, [alpha])
