from __future__ import annotations

import asyncio
import email
import re
import smtplib
from email import policy
from email.message import EmailMessage
from pathlib import Path

from motcua_ops import smtp_sink
from motcua_ops.ports import free_port


def test_eml_name_is_utc_timestamp_and_uuid() -> None:
    assert re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{32}\.eml", smtp_sink.eml_name())


def test_store_message_writes_bytes_and_no_temp_file(tmp_path: Path) -> None:
    path = smtp_sink.store_message(tmp_path / "mail", b"Subject: x\r\n\r\nhi\r\n")
    assert path.read_bytes() == b"Subject: x\r\n\r\nhi\r\n"
    assert [p.name for p in path.parent.iterdir()] == [path.name]


async def test_sink_stores_received_message_as_eml(tmp_path: Path) -> None:
    maildir = tmp_path / "mail"
    port = free_port()
    server = asyncio.create_task(smtp_sink.serve("127.0.0.1", port, maildir))
    try:
        await _wait_listening(port)
        message = EmailMessage()
        message["From"] = "no-reply@motcua.example"
        message["To"] = "cong.dan@example.vn"
        message["Subject"] = "Hồ sơ đã được tiếp nhận"
        message.set_content("Xin chào, hồ sơ của bạn đã được tiếp nhận.")
        await asyncio.to_thread(_send, port, message)
        files = sorted(maildir.glob("*.eml"))
        assert len(files) == 1
        stored = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
        assert stored["To"] == "cong.dan@example.vn"
        assert stored["Subject"] == "Hồ sơ đã được tiếp nhận"
        assert "đã được tiếp nhận" in stored.get_content()
        assert not list(maildir.glob(".*.tmp"))
    finally:
        server.cancel()


def _send(port: int, message: EmailMessage) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
        client.send_message(message)


async def _wait_listening(port: int) -> None:
    for _ in range(100):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise AssertionError("sink did not listen")
