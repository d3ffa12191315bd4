"""The SMTP sink (`motcua_ops.smtp_sink`): stores every message it receives as .eml."""

from __future__ import annotations

import smtplib
import sys
from pathlib import Path
from typing import ClassVar

from motcua_ops import procs
from motcua_ops.engines.base import Engine, Entry
from motcua_ops.paths import child_env


class SmtpSink(Engine):
    name = "smtp"
    marker = "motcua_ops.smtp_sink"
    port_envs: ClassVar[dict[str, str]] = {"port": "MOTCUA_SMTP_PORT"}
    start_timeout = 20.0

    @property
    def maildir(self) -> Path:
        return self.paths.state / "mail"

    def entry(self, ports: dict[str, int]) -> Entry:
        return {
            "host": "127.0.0.1",
            "port": ports["port"],
            "maildir": str(self.maildir),
            "pid": None,
        }

    def start(self, entry: Entry) -> int:
        self.maildir.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "motcua_ops.smtp_sink",
            "--host",
            entry["host"],
            "--port",
            str(entry["port"]),
            "--maildir",
            entry["maildir"],
        ]
        return procs.spawn(cmd, self.paths.log(self.name), cwd=self.paths.state, env=child_env())

    def answering(self, entry: Entry) -> bool:
        try:
            with smtplib.SMTP(entry["host"], entry["port"], timeout=2) as client:
                code, _ = client.ehlo()
                return code == 250
        except (OSError, smtplib.SMTPException):
            return False
