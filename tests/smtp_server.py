"""A real SMTP server (aiosmtpd) for tests, with switchable faults per recipient."""

from __future__ import annotations

import email
import socket
import threading
from email.message import EmailMessage
from email.policy import default as default_policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


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
