"""Outgoing mail transports: SMTP from SMTP_URL (STARTTLS/SSL, auth), or `.eml` files under
var/mail/ on the embedded default so a developer can open them (an in-memory one for tests is
in board.mail.memory). Transports move finished bytes; board.mail.mime writes them."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import uuid
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

import aiosmtplib
from aiosmtplib import (
    SMTPConnectError,
    SMTPDataError,
    SMTPRecipientRefused,
    SMTPResponseException,
    SMTPSenderRefused,
    SMTPServerDisconnected,
    SMTPTimeoutError,
)

# What one attempt at one recipient came to. "unknown": the connection died after the
# message was handed over (the server may have accepted it), so it must never be resent.
SENT, UNKNOWN, RETRY, FAILED, BOUNCED = "sent", "unknown", "retry", "failed", "bounced"
HARD_BOUNCES = frozenset({550, 551, 553})


class Chunk(Protocol):
    """Many messages over one connection; `send` reports, never raises, per recipient."""

    async def __aenter__(self) -> Chunk: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def send(self, recipient: str, data: bytes) -> Attempt: ...


class Transport(Protocol):
    sender: str
    retry_delays: tuple[float, ...]

    async def send(self, recipient: str, data: bytes) -> None: ...

    def chunk(self) -> Chunk: ...

    async def check(self) -> None: ...


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    start_tls: bool | None

    @classmethod
    def from_url(cls, url: str) -> SmtpTarget:
        p = urlparse(url)
        if p.scheme not in {"smtp", "smtps", "smtp+starttls"} or not p.hostname:
            raise ValueError("SMTP_URL must look like smtp://user:pass@host:port "
                             "(smtps:// for SSL, smtp+starttls:// to require STARTTLS)")
        return cls(
            host=p.hostname,
            port=p.port or (465 if p.scheme == "smtps" else 587 if p.scheme == "smtp+starttls"
                            else 25),
            username=unquote(p.username) if p.username else None,
            password=unquote(p.password) if p.password else None,
            use_tls=p.scheme == "smtps",
            start_tls=True if p.scheme == "smtp+starttls" else (None if p.scheme == "smtp"
                                                                 else False),
        )


class Mailer:
    def __init__(self, smtp_url: str, mail_dir: Path, sender: str, timeout: float = 10.0):
        self.smtp = SmtpTarget.from_url(smtp_url) if smtp_url else None
        self.mail_dir = Path(mail_dir)
        self.sender = sender
        self.timeout = timeout
        # Pauses between in-run retry rounds after 4xx replies (seconds).
        self.retry_delays: tuple[float, ...] = (1.0, 5.0)

    @functools.cached_property
    def envelope_from(self) -> str:
        return parseaddr(self.sender)[1] or self.sender

    @property
    def describe(self) -> str:
        return f"smtp://{self.smtp.host}:{self.smtp.port}" if self.smtp else str(self.mail_dir)

    def connection(self) -> aiosmtplib.SMTP:
        assert self.smtp is not None
        return aiosmtplib.SMTP(
            hostname=self.smtp.host, port=self.smtp.port, username=self.smtp.username,
            password=self.smtp.password, use_tls=self.smtp.use_tls, start_tls=self.smtp.start_tls,
            timeout=self.timeout,
        )

    async def send(self, recipient: str, data: bytes) -> None:
        """One finished message; raises the SMTP error (the caller decides what it means)."""
        if self.smtp is None:
            await asyncio.to_thread(self.write_eml, data)
            return
        async with self.connection() as smtp:
            await smtp.sendmail(self.envelope_from, [recipient], data)

    def chunk(self) -> ChunkSender:
        """One reused SMTP connection for a chunk of recipients (`async with`)."""
        return ChunkSender(self)

    def write_eml(self, data: bytes) -> Path:
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.mail_dir / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(data)
        return path

    async def check(self) -> None:
        """Raise when mail cannot be delivered (health check)."""
        if self.smtp is None:
            self.mail_dir.mkdir(parents=True, exist_ok=True)
            probe = self.mail_dir / ".probe"
            probe.write_text("ok")
            probe.unlink()
            return
        smtp = self.connection()
        await asyncio.wait_for(smtp.connect(), timeout=min(self.timeout, 2.0))
        try:
            await smtp.noop()
        finally:
            smtp.close()


@dataclass
class Attempt:
    status: str
    code: int | None = None
    detail: str = ""


def classify(code: int, detail: str) -> Attempt:
    if 400 <= code < 500:
        return Attempt(RETRY, code, detail)
    return Attempt(BOUNCED if code in HARD_BOUNCES else FAILED, code, detail)


class ChunkSender:
    """Sends pre-rendered messages one recipient at a time over one connection, and says
    for each what happened. It never raises for one recipient's trouble: a dead connection
    is reopened for the next message."""

    def __init__(self, mailer: Mailer):
        self.mailer = mailer
        self.smtp: aiosmtplib.SMTP | None = None

    async def __aenter__(self) -> ChunkSender:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self.smtp is not None and self.smtp.is_connected:
            try:
                await self.smtp.quit()
            except (aiosmtplib.SMTPException, OSError):
                self.smtp.close()
        self.smtp = None

    def _drop(self) -> None:
        if self.smtp is not None:
            self.smtp.close()
        self.smtp = None

    async def _reset(self) -> None:
        if self.smtp is not None and self.smtp.is_connected:
            try:
                await self.smtp.rset()
                return
            except (aiosmtplib.SMTPException, OSError):
                pass
        self._drop()

    async def send(self, recipient: str, data: bytes) -> Attempt:
        if self.mailer.smtp is None:
            await asyncio.to_thread(self.mailer.write_eml, data)
            return Attempt(SENT)
        for reconnect in (True, False):
            try:
                if self.smtp is None or not self.smtp.is_connected:
                    self.smtp = self.mailer.connection()
                    await self.smtp.connect()
                await self.smtp.mail(self.mailer.envelope_from)
                await self.smtp.rcpt(recipient)
                break
            except (SMTPRecipientRefused, SMTPSenderRefused) as exc:
                await self._reset()
                return classify(exc.code, exc.message)
            except SMTPResponseException as exc:
                self._drop()
                return classify(exc.code, exc.message)
            except (SMTPServerDisconnected, SMTPConnectError, SMTPTimeoutError, OSError) as exc:
                # Nothing was handed over yet: safe to reopen once and try again.
                self._drop()
                if not reconnect:
                    return Attempt(RETRY, None, f"connection: {exc}")
        try:
            await self.smtp.data(data)
        except SMTPDataError as exc:
            await self._reset()
            return classify(exc.code, exc.message)
        except (SMTPServerDisconnected, SMTPTimeoutError, OSError) as exc:
            self._drop()
            return Attempt(UNKNOWN, None, f"connection lost after DATA: {exc}")
        return Attempt(SENT)
