"""The mail a test can read: a real SMTP server (aiosmtpd, the `smtp` fixture) with switchable
faults per recipient, and the .eml files the app writes when no SMTP server is configured."""

from __future__ import annotations

import email
import re
import socket
import threading
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from board.settings import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler:
    def __init__(self, sink: SmtpSink):
        self.sink = sink

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list) -> str:
        fault = self.sink.faults.get(address.lower())
        if fault and fault.startswith(("4", "5")):
            if self.sink.fault_once and fault.startswith("4"):
                self.sink.faults.pop(address.lower(), None)
            return fault
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        rcpts = [r.lower() for r in envelope.rcpt_tos]
        drop = [r for r in rcpts if self.sink.faults.get(r) == "drop-after-data"]
        msg = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.sink.lock:
            self.sink.messages.append(msg)
        if drop:
            for r in drop:
                self.sink.faults.pop(r, None)
            # The message was accepted, but the client never learns it: the connection dies.
            server.transport.close()
            return "250 OK"
        return "250 Message accepted"


class SmtpSink:
    def __init__(self) -> None:
        self.port = _free_port()
        self.messages: list[EmailMessage] = []
        self.faults: dict[str, str] = {}
        self.fault_once = True
        self.lock = threading.Lock()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address.lower() in str(m["To"]).lower()]


def mails(settings: Settings) -> list[EmailMessage]:
    """The .eml files the app wrote under its var dir, oldest first."""
    folder = Path(settings.var_dir) / "mail"
    if not folder.exists():
        return []
    return [email.message_from_bytes(p.read_bytes(), policy=default_policy)
            for p in sorted(folder.glob("*.eml"))]


def text_of(msg: EmailMessage) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def link_in(msg: EmailMessage, path_prefix: str) -> str:
    """The path (from `path_prefix` on) of the first link in the mail's text part."""
    found = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"[^\s]*)", text_of(msg))
    assert found, f"no {path_prefix} link in: {text_of(msg)}"
    return found.group(1)
