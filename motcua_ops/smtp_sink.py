"""SMTP sink: `python -m motcua_ops.smtp_sink --host H --port P --maildir DIR`.

An aiosmtpd server that accepts every message and stores it, bytes as received, as
`<UTC timestamp>-<uuid>.eml` in DIR (written to a temporary name, then renamed, so a
reader never sees a partial file). ``--reply-delay`` holds each 250 back for that many
seconds after the message is stored (tests: a client killed in that window has had its
message accepted without knowing it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import uuid
from datetime import UTC, datetime
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session


def eml_name(now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S.%fZ")
    return f"{stamp}-{uuid.uuid4().hex}.eml"


def store_message(maildir: Path, data: bytes) -> Path:
    maildir.mkdir(parents=True, exist_ok=True)
    final = maildir / eml_name()
    tmp = maildir / f".{final.name}.tmp"
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, final)
    return final


class MaildirHandler:
    def __init__(self, maildir: Path, reply_delay: float = 0.0) -> None:
        self.maildir = maildir
        self.reply_delay = reply_delay

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        data = raw if isinstance(raw, bytes) else raw.encode("utf-8")
        path = await asyncio.to_thread(store_message, self.maildir, data)
        print(f"stored {path.name} from {envelope.mail_from} to {envelope.rcpt_tos}", flush=True)
        if self.reply_delay:
            await asyncio.sleep(self.reply_delay)
        return "250 Message accepted for delivery"


async def serve(host: str, port: int, maildir: Path, reply_delay: float = 0.0) -> None:
    handler = MaildirHandler(maildir, reply_delay)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, enable_SMTPUTF8=True, hostname="motcua-smtp-sink"),
        host=host,
        port=port,
    )
    stopped = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopped.set)
    print(f"SMTP sink on {host}:{port}, storing into {maildir}", flush=True)
    async with server:
        await stopped.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="SMTP server storing messages as .eml files")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", type=Path, required=True)
    parser.add_argument(
        "--reply-delay",
        type=float,
        default=0.0,
        help="seconds between storing a message and answering 250",
    )
    args = parser.parse_args(argv)
    args.maildir.mkdir(parents=True, exist_ok=True)
    asyncio.run(serve(args.host, args.port, args.maildir.resolve(), args.reply_delay))


if __name__ == "__main__":
    main()
