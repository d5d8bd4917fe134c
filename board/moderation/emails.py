"""The moderation feature's email: a rejected listing, with the moderator's reason."""

from __future__ import annotations

from board.mail.render import Email


def rejected_email(to: str, title: str, reason: str, link: str) -> Email:
    return Email("rejected", to, {"title": title, "reason": reason, "link": link})
