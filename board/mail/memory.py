"""An in-memory transport: what would have been sent, kept as parsed messages. For tests and
tools that need no SMTP server and no files; it never fails."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

from board.mail.transport import SENT, Attempt


class MemoryChunk:
    def __init__(self, transport: MemoryTransport):
        self.transport = transport

    async def __aenter__(self) -> MemoryChunk:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def send(self, recipient: str, data: bytes) -> Attempt:
        await self.transport.send(recipient, data)
        return Attempt(SENT)


class MemoryTransport:
    describe = "memory"

    def __init__(self, sender: str = "IMG Opportunity Board <noreply@imgboard.local>"):
        self.sender = sender
        self.retry_delays: tuple[float, ...] = ()
        self.sent: list[tuple[str, bytes]] = []

    async def send(self, recipient: str, data: bytes) -> None:
        self.sent.append((recipient, data))

    def chunk(self) -> MemoryChunk:
        return MemoryChunk(self)

    async def check(self) -> None:
        return None

    @property
    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[misc]
                for _, data in self.sent]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]
