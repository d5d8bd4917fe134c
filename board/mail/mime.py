"""The one MIME writer: a rendered email as CRLF bytes, ready for SMTP DATA or an .eml file.

It writes the headers and base64 parts directly instead of going through the email package's
generator: microseconds instead of milliseconds per message, which is what lets the weekly
digest go out to many subscribers quickly (bench/bench_digest.py measures it).

`Stencil` is for one content sent to many people who each get their own links (the digest):
the bodies are base64-encoded once up to the first placeholder, and only the rest is encoded
per recipient. `Stencil.write(links, ...)` gives the same bytes as
`write(msg.replace(links), ...)` (same boundary given), without re-encoding the whole body."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import uuid
from collections.abc import Mapping, Sequence
from email.header import Header
from email.utils import format_datetime

from board.mail.render import Rendered

LINE = 57  # input bytes per 76-character base64 line: whole lines encode independently


def header(name: str, value: str) -> str:
    value = " ".join(value.split())  # a header never holds a newline
    if not value.isascii():
        value = Header(value, "utf-8").encode()
    return f"{name}: {value}\r\n"


def _b64(data: bytes) -> str:
    raw = base64.b64encode(data).decode("ascii")
    return "".join(raw[i:i + 76] + "\r\n" for i in range(0, len(raw), 76))


def _part(subtype: str, encoded: str) -> str:
    return (f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
            f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}")


def new_message_id(domain: str) -> str:
    return f"<{uuid.uuid4().hex}@{domain}>"


@functools.lru_cache(maxsize=8)
def _date(now: dt.datetime) -> str:
    return format_datetime(now.astimezone(dt.UTC))  # a run stamps all its mails alike


def _message(head: str, text_b64: str, html_b64: str | None, boundary: str | None) -> bytes:
    if html_b64 is None:
        return (head + _part("plain", text_b64)).encode("utf-8")
    boundary = boundary or f"=_board_{uuid.uuid4().hex}"
    body = (
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n'
        f"\r\n--{boundary}\r\n{_part('plain', text_b64)}"
        f"--{boundary}\r\n{_part('html', html_b64)}"
        f"--{boundary}--\r\n"
    )
    return (head + body).encode("utf-8")


def _head(subject: str, *, sender: str, to: str, message_id: str, now: dt.datetime,
          headers: Mapping[str, str] | None) -> str:
    return "".join([
        header("From", sender),
        header("To", to),
        header("Subject", subject),
        header("Date", _date(now)),
        header("Message-ID", message_id),
        *(header(k, v) for k, v in (headers or {}).items()),
        "MIME-Version: 1.0\r\n",
    ])


def write(msg: Rendered, *, sender: str, to: str, message_id: str, now: dt.datetime,
          headers: Mapping[str, str] | None = None, boundary: str | None = None) -> bytes:
    """Plain text alone, or plain text + HTML as multipart/alternative; `headers` go after
    the standard ones (List-Unsubscribe and the like). `boundary`: a fresh one when None."""
    head = _head(msg.subject, sender=sender, to=to, message_id=message_id, now=now,
                 headers=headers)
    html = _b64(msg.html.encode("utf-8")) if msg.html else None
    return _message(head, _b64(msg.text.encode("utf-8")), html, boundary)


class _Body:
    """One body's base64 up to the last whole line before its first placeholder, and the
    text from there on that each recipient's links are put into before it is encoded."""

    def __init__(self, text: str, placeholders: Sequence[str]):
        data = text.encode("utf-8")
        cut = min((i for i in (data.find(p.encode("utf-8")) for p in placeholders) if i >= 0),
                  default=len(data))
        cut -= cut % LINE
        # Bytes: the cut may fall inside a character; the placeholders all come after it.
        self.encoded, self.rest = _b64(data[:cut]), data[cut:]

    def fill(self, links: Mapping[str, str]) -> str:
        rest = self.rest
        for placeholder, value in links.items():
            rest = rest.replace(placeholder.encode("utf-8"), value.encode("utf-8"))
        return self.encoded + _b64(rest)


class Stencil:
    """A rendered message with placeholders, its bodies encoded once (see the module doc).
    Its messages share one MIME boundary: a base64 line never holds "_", so no body can
    contain it, and one random string per content spares a uuid4 per message."""

    def __init__(self, msg: Rendered, placeholders: Sequence[str]):
        self.subject = msg.subject
        self.boundary = f"=_board_{uuid.uuid4().hex}"
        self.text = _Body(msg.text, placeholders)
        self.html = _Body(msg.html, placeholders) if msg.html else None

    def write(self, links: Mapping[str, str], *, sender: str, to: str, message_id: str,
              now: dt.datetime, headers: Mapping[str, str] | None = None,
              boundary: str | None = None) -> bytes:
        head = _head(self.subject, sender=sender, to=to, message_id=message_id, now=now,
                     headers=headers)
        html = self.html.fill(links) if self.html is not None else None
        return _message(head, self.text.fill(links), html, boundary or self.boundary)
