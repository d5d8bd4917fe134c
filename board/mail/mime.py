"""The one MIME writer: a rendered email as CRLF bytes, ready for SMTP DATA or an .eml file.

It writes the headers and base64 parts directly instead of going through the email package's
generator: microseconds instead of milliseconds per message, which is what lets the weekly
digest go out to many subscribers quickly (bench/bench_digest.py measures it)."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Mapping
from email.header import Header
from email.utils import format_datetime

from board.mail.render import Rendered


def header(name: str, value: str) -> str:
    value = " ".join(value.split())  # a header never holds a newline
    if not value.isascii():
        value = Header(value, "utf-8").encode()
    return f"{name}: {value}\r\n"


def _b64(text: str) -> str:
    raw = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return "".join(raw[i:i + 76] + "\r\n" for i in range(0, len(raw), 76))


def _part(subtype: str, text: str) -> str:
    return (f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
            f"Content-Transfer-Encoding: base64\r\n\r\n{_b64(text)}")


def new_message_id(domain: str) -> str:
    return f"<{uuid.uuid4().hex}@{domain}>"


def write(msg: Rendered, *, sender: str, to: str, message_id: str, now: dt.datetime,
          headers: Mapping[str, str] | None = None) -> bytes:
    """Plain text alone, or plain text + HTML as multipart/alternative; `headers` go after
    the standard ones (List-Unsubscribe and the like)."""
    head = "".join([
        header("From", sender),
        header("To", to),
        header("Subject", msg.subject),
        header("Date", format_datetime(now.astimezone(dt.UTC))),
        header("Message-ID", message_id),
        *(header(k, v) for k, v in (headers or {}).items()),
        "MIME-Version: 1.0\r\n",
    ])
    if not msg.html:
        return (head + _part("plain", msg.text)).encode("utf-8")
    boundary = f"=_board_{uuid.uuid4().hex}"
    body = (
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n'
        f"\r\n--{boundary}\r\n{_part('plain', msg.text)}"
        f"--{boundary}\r\n{_part('html', msg.html)}"
        f"--{boundary}--\r\n"
    )
    return (head + body).encode("utf-8")
