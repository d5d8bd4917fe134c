"""The accounts feature's emails: address verification, password reset, invitation."""

from __future__ import annotations

from board.mail.render import Email


def verify_email(to: str, name: str, link: str) -> Email:
    return Email("verify", to, {"name": name, "link": link})


def reset_email(to: str, name: str, link: str) -> Email:
    return Email("reset", to, {"name": name, "link": link})


def invite_email(to: str, inviter: str, institution: str, link: str) -> Email:
    return Email("invite", to, {"inviter": inviter, "institution": institution, "link": link})
