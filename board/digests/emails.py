"""The weekly digest message: multipart text + HTML from templates/emails/digest/, CSS inlined,
with the RFC 8058 one-click unsubscribe headers and a Message-ID derived from (subscriber,
period) so a resend could never look like a new message.

Rendering is split in two because many subscribers share one filter set: `render_parts`
runs Jinja and css_inline once per distinct content, with placeholders for the per-subscriber
links, and `assemble` fills them in and writes the MIME bytes directly (base64 parts), which
costs microseconds instead of the milliseconds the email package's generator takes."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.header import Header
from email.utils import format_datetime
from functools import cache
from typing import Any
from urllib.parse import urlparse

import css_inline
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from board.settings import ROOT, Settings

EMAILS = ROOT / "templates" / "emails"
MANAGE_PH = "__DIGEST_MANAGE_URL__"
UNSUB_PH = "__DIGEST_UNSUBSCRIBE_URL__"
MAX_NEW = 30
MAX_CLOSING = 10


@dataclass(frozen=True)
class Parts:
    subject: str
    text: str
    html: str


@cache
def _env(html: bool) -> Environment:
    return Environment(
        loader=FileSystemLoader(str(EMAILS)), undefined=StrictUndefined, keep_trailing_newline=True,
        autoescape=select_autoescape(enabled_extensions=("html",), default=False) if html else False,
    )


def period_of(now: dt.datetime) -> str:
    year, week, _ = now.astimezone(dt.UTC).isocalendar()
    return f"{year}-W{week:02d}"


def mail_domain(settings: Settings) -> str:
    return urlparse(settings.base_url).hostname or "imgboard.local"


def message_id(subscriber_id: int, period: str, settings: Settings) -> str:
    return f"<digest.{subscriber_id}.{period}@{mail_domain(settings)}>"


def fee_label(fee: Any) -> str:
    fee = int(fee or 0)
    return "Free" if fee == 0 else f"${fee:,}"


def listing_view(hit: Mapping[str, Any], base_url: str) -> dict[str, Any]:
    """A search hit (search.engine.shape_hit) as the digest templates show it."""
    place = ", ".join(p for p in (hit.get("city"), hit.get("state")) if p) or (
        "Remote" if hit.get("remote") else "")
    return {
        "title": hit.get("title") or "",
        "institution": hit["institution"]["name"] or "",
        "place": place,
        "fee": fee_label(hit.get("fee_usd")),
        "hands_on": "Hands-on" if hit.get("hands_on") else "Observation only",
        "lor": "Letter of recommendation offered" if hit.get("lor_offered") else "No letter",
        "deadline": hit.get("application_deadline") or "None stated",
        "url": f"{base_url}/opportunities/{hit['id']}",
    }


def render_parts(settings: Settings, summary: Sequence[str], new: Sequence[Mapping[str, Any]],
                 closing: Sequence[Mapping[str, Any]], search_url: str, period: str) -> Parts:
    base = settings.base_url
    context = {
        "new": [listing_view(h, base) for h in new[:MAX_NEW]],
        "more": max(0, len(new) - MAX_NEW),
        "closing": [listing_view(h, base) for h in closing[:MAX_CLOSING]],
        "summary": list(summary), "search_url": search_url, "period": period,
        "manage_url": MANAGE_PH, "unsubscribe_url": UNSUB_PH, "base_url": base,
    }
    subject = _env(False).get_template("digest/subject.txt").render(**context)
    text = _env(False).get_template("digest/body.txt").render(**context)
    html = css_inline.inline(_env(True).get_template("digest/body.html").render(**context))
    return Parts(" ".join(subject.split()), text, html)


def _header(name: str, value: str) -> str:
    value = " ".join(value.split())  # a header never holds a newline
    if not value.isascii():
        value = Header(value, "utf-8").encode()
    return f"{name}: {value}\r\n"


def _b64(text: str) -> str:
    raw = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return "".join(raw[i:i + 76] + "\r\n" for i in range(0, len(raw), 76))


def assemble(parts: Parts, settings: Settings, *, to: str, subscriber_id: int, period: str,
             manage_url: str, unsubscribe_url: str, now: dt.datetime) -> bytes:
    """The finished message as CRLF bytes, ready for SMTP DATA or an .eml file."""
    unsub = f"<{unsubscribe_url}>"
    if settings.unsubscribe_mailto:
        unsub += f", <mailto:{settings.unsubscribe_mailto}?subject=unsubscribe>"
    domain = mail_domain(settings)
    boundary = f"=_digest_{uuid.uuid4().hex}"
    head = "".join([
        _header("From", settings.mail_from),
        _header("To", to),
        _header("Subject", parts.subject),
        _header("Date", format_datetime(now.astimezone(dt.UTC))),
        _header("Message-ID", message_id(subscriber_id, period, settings)),
        _header("List-Id", f"IMG Opportunity Board weekly digest <digest.{domain}>"),
        _header("List-Unsubscribe", unsub),
        _header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        _header("Auto-Submitted", "auto-generated"),
        "MIME-Version: 1.0\r\n",
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n',
    ])
    text = parts.text.replace(MANAGE_PH, manage_url).replace(UNSUB_PH, unsubscribe_url)
    html = parts.html.replace(MANAGE_PH, manage_url).replace(UNSUB_PH, unsubscribe_url)
    body = (
        f"\r\n--{boundary}\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        f"{_b64(text)}"
        f"--{boundary}\r\n"
        'Content-Type: text/html; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        f"{_b64(html)}"
        f"--{boundary}--\r\n"
    )
    return (head + body).encode("utf-8")
