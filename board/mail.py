"""Outgoing mail: SMTP from SMTP_URL (STARTTLS/SSL, auth), or `.eml` files under var/mail/
on the embedded default so a developer can open them."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlparse

import aiosmtplib


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

    def finish(self, msg: EmailMessage) -> EmailMessage:
        if "From" not in msg:
            msg["From"] = self.sender
        if "Date" not in msg:
            msg["Date"] = dt.datetime.now(dt.UTC)
        if "Message-ID" not in msg:
            msg["Message-ID"] = f"<{uuid.uuid4().hex}@imgboard>"
        return msg

    async def send(self, msg: EmailMessage) -> None:
        self.finish(msg)
        if self.smtp is None:
            await asyncio.to_thread(self._write_eml, msg)
            return
        async with self.connection() as smtp:
            await smtp.send_message(msg)

    def _write_eml(self, msg: EmailMessage) -> Path:
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.mail_dir / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(msg.as_bytes())
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
