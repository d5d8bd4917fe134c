"""The planner's emails: the magic sign-in link."""

from __future__ import annotations

from board.mail.render import Email


def signin_email(to: str, link: str) -> Email:
    return Email("signin", to, {"link": link})
