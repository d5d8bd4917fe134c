"""The digest's emails: the weekly digest and the subscription's confirmation.

The weekly digest is multipart text + HTML with the RFC 8058 one-click unsubscribe headers and
a Message-ID derived from (subscriber, period), so a resend could never look like a new
message. Rendering is split in two because many subscribers share one filter set:
`render_parts` runs Jinja and css-inline once per distinct content, with placeholders for the
per-subscriber links, `stencil` base64-encodes the bodies once up to the first placeholder
(board.mail.mime.Stencil), and `assemble` fills in each subscriber's links and headers.
Per message that leaves the headers and the footer's few lines to write and encode."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from board.core.facts import hands_on_level_label, letter_label, total_cost_label, usd
from board.mail import mime
from board.mail.delivery import mail_domain
from board.mail.render import Email, Rendered, render
from board.settings import Settings

MANAGE_PH = "__DIGEST_MANAGE_URL__"
UNSUB_PH = "__DIGEST_UNSUBSCRIBE_URL__"
MAX_NEW = 30
MAX_CLOSING = 10
Parts = Rendered  # the name the digest job and the benchmark know


def confirm_email(to: str, confirm_url: str, summary: Sequence[str]) -> Email:
    return Email("confirm", to, {"confirm_url": confirm_url, "summary": list(summary)})


def period_of(now: dt.datetime) -> str:
    year, week, _ = now.astimezone(dt.UTC).isocalendar()
    return f"{year}-W{week:02d}"


def message_id(subscriber_id: int, period: str, settings: Settings) -> str:
    return f"<digest.{subscriber_id}.{period}@{mail_domain(settings)}>"


def fee_label(fee: Any) -> str:
    return usd(fee)  # None is "Not stated", never "Free"


def listing_view(hit: Mapping[str, Any], base_url: str) -> dict[str, Any]:
    """A search hit (search.engine.shape_hit) as the digest templates show it."""
    place = ", ".join(p for p in (hit.get("city"), hit.get("state")) if p) or (
        "Remote" if hit.get("remote") else "")
    return {
        "title": hit.get("title") or "",
        "institution": hit["institution"]["name"] or "",
        "place": place,
        "fee": fee_label(hit.get("fee_usd")),
        "cost": total_cost_label(hit.get("total_cost_usd")),
        "hands_on": ("Hands-on " + hands_on_level_label(hit["hands_on_level"]).lower()
                     if hit.get("hands_on_level") is not None
                     else "Hands-on" if hit.get("hands_on") else "Observation only"),
        "lor": letter_label(hit),
        # The site's word for no date: the card and listing page say "Rolling" too.
        "deadline": hit.get("application_deadline") or "Rolling",
        "start": hit.get("start_date") or "Rolling",
        "url": f"{base_url}/opportunities/{hit['id']}",
    }


def render_parts(settings: Settings, summary: Sequence[str], new: Sequence[Mapping[str, Any]],
                 closing: Sequence[Mapping[str, Any]], search_url: str, period: str) -> Rendered:
    base = settings.base_url
    return render("digest", {
        "new": [listing_view(h, base) for h in new[:MAX_NEW]],
        "more": max(0, len(new) - MAX_NEW),
        "closing": [listing_view(h, base) for h in closing[:MAX_CLOSING]],
        "summary": list(summary), "search_url": search_url, "week": week_label(period),
        "manage_url": MANAGE_PH, "unsubscribe_url": UNSUB_PH, "base_url": base,
    })


def stencil(parts: Rendered) -> mime.Stencil:
    """`parts` ready for many subscribers: what comes before their links is encoded once."""
    return mime.Stencil(parts, (MANAGE_PH, UNSUB_PH))


def assemble(parts: Rendered | mime.Stencil, settings: Settings, *, to: str, subscriber_id: int,
             period: str, manage_url: str, unsubscribe_url: str, now: dt.datetime,
             boundary: str | None = None) -> bytes:
    """The finished message as CRLF bytes, ready for SMTP DATA or an .eml file (the same
    bytes from `parts` or from its `stencil`, given the same MIME boundary)."""
    if isinstance(parts, Rendered):
        parts = stencil(parts)
    unsub = f"<{unsubscribe_url}>"
    if settings.unsubscribe_mailto:
        unsub += f", <mailto:{settings.unsubscribe_mailto}?subject=unsubscribe>"
    return parts.write(
        {MANAGE_PH: manage_url, UNSUB_PH: unsubscribe_url},
        sender=settings.mail_from, to=to, now=now, boundary=boundary,
        message_id=message_id(subscriber_id, period, settings), headers={
            "List-Id": f"IMG Opportunity Board weekly digest <digest.{mail_domain(settings)}>",
            "List-Unsubscribe": unsub,
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        })


# The digest's period is the ISO week, which starts on Monday: the hourly job's first tick
# of the week (Monday 00:05 UTC) sends it, so Monday is the day subscribers are told.
DIGEST_DAY = "Monday"


def week_label(period: str) -> str:
    """"2026-W48" as people say it: "week of 23 November" (the Monday it starts)."""
    try:
        year, week = period.split("-W")
        monday = dt.date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        return "this week"
    return f"week of {monday.day} {monday.strftime('%B')}"
