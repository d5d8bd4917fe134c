"""The account services that send mail: sign-up with its verification link, a new link for
an unverified login, the password-reset link, and invitations.

Each mail accompanies something already done (an account created, an invitation signed), so
a delivery failure is logged and reported as False for the page to say so, never raised."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from board.accounts import emails
from board.accounts import services as accounts
from board.mail.delivery import send_or_log
from board.mail.transport import Transport
from board.settings import Settings
from board.store.tables import Institution, Member


async def send_verification(mailer: Transport, settings: Settings, member_id: int) -> bool:
    row = await Member.select(Member.email, Member.name).where(Member.id == member_id).first().run()
    token = accounts.verification_token(member_id, row["email"], settings.signing_keys)
    return await send_or_log(mailer, settings, emails.verify_email(
        row["email"], row["name"], f"{settings.base_url}/verify/{token}"))


RESENDS_PER_ADDRESS_PER_DAY = 3
SENT_AGAIN = "Please confirm your email address first: we have sent you a new link."
SENT_RECENTLY = ("Please confirm your email address first: we sent a link recently. Check your "
                 "inbox (and spam folder) for it; you can ask for another one tomorrow.")


async def resend_verification(mailer: Transport, settings: Settings, member_id: int,
                              may_mail: Callable[[str], Awaitable[bool]]) -> str:
    """A new link for an unverified login, unless `may_mail(address)` (the caller's per-
    address counter) says enough went out today; the message for the login page either way.
    Why a cap: anyone who knows the address can log in with a wrong-or-right password over
    and over, and each attempt would mail its owner."""
    row = await Member.select(Member.email).where(Member.id == member_id).first().run()
    if row is None or not await may_mail(row["email"]):
        return SENT_RECENTLY
    await send_verification(mailer, settings, member_id)
    return SENT_AGAIN


async def resend_to_address(mailer: Transport, settings: Settings, email: str,
                            may_mail: Callable[[str], Awaitable[bool]]) -> bool:
    """A new link for an unconfirmed account with this address; False when the daily cap is
    reached. Nothing is sent for an unknown or confirmed address, but the answer is the
    same, so the page cannot tell which addresses have accounts."""
    if not await may_mail(email):
        return False
    row = await Member.select(Member.id).where(
        (Member.email == email) & Member.email_verified_at.is_null()).first().run()
    if row is not None:
        await send_verification(mailer, settings, row["id"])
    return True


async def sign_up(data: Mapping[str, Any], mailer: Transport, settings: Settings) -> bool:
    """Create the account (ValidationErrors as accounts.sign_up); True when the verification
    mail went out."""
    member_id = await accounts.sign_up(data)
    return await send_verification(mailer, settings, member_id)


async def send_reset(email: str, mailer: Transport, settings: Settings) -> None:
    """Mail a reset link when an active account has this email; silent either way, so the
    page cannot tell whether the account exists."""
    found = await accounts.reset_token_for(email, settings.signing_keys)
    if found:
        member, token = found
        await send_or_log(mailer, settings, emails.reset_email(
            member["email"], member["name"], f"{settings.base_url}/password-reset/{token}"))


async def invite(inviter: Mapping[str, Any], email: str, mailer: Transport,
                 settings: Settings) -> tuple[str, bool]:
    """(the invited address, whether the mail went out); ValidationErrors for a bad or
    already registered email."""
    token = await accounts.invite(inviter, email, settings.signing_keys)
    address = accounts.read_invite(token, settings.signing_keys)["e"]
    inst = await Institution.select(Institution.name).where(
        Institution.id == inviter["institution"]).first().run()
    sent = await send_or_log(mailer, settings, emails.invite_email(
        address, inviter["name"] or inviter["email"], inst["name"],
        f"{settings.base_url}/invite/{token}"))
    return address, sent
