"""The public way to send one email: `await send(mailer, settings, email)`.

Services and tasks call it (never web handlers). `send` raises what the transport raised, so
a request whose whole point is the mail (a subscription's confirmation) lets the app map SMTP
trouble to a 503 or 400; `send_or_log` is for mails that accompany an action that already
happened (a sign-up, a rejection), where the page says the mail failed instead."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from urllib.parse import urlparse

from board.mail import mime
from board.mail.render import Email, render
from board.mail.transport import Transport
from board.settings import Settings

log = logging.getLogger("board.mail")


def mail_domain(settings: Settings) -> str:
    return _hostname(settings.base_url)


@functools.lru_cache(maxsize=8)
def _hostname(base_url: str) -> str:
    # Parsed once: the digest asks twice per message (Message-ID, List-Id).
    return urlparse(base_url).hostname or "imgboard.local"


def finished(email: Email, settings: Settings, sender: str, now: dt.datetime | None = None) -> bytes:
    context = {"base_url": settings.base_url, **email.context}
    return mime.write(render(email.template, context), sender=sender, to=email.to,
                      message_id=mime.new_message_id(mail_domain(settings)),
                      now=now or dt.datetime.now(dt.UTC), headers=email.headers)


async def send(mailer: Transport, settings: Settings, email: Email) -> None:
    await mailer.send(email.to, finished(email, settings, mailer.sender))


async def send_or_log(mailer: Transport, settings: Settings, email: Email) -> bool:
    """False (and the cause logged) when delivery failed."""
    try:
        await send(mailer, settings, email)
    except Exception:  # SMTP down or refusing: the user is told, the cause is logged
        log.exception("sending the %s mail to %s failed", email.template, email.to)
        return False
    return True
