"""Institution accounts: sign-up (an institution and its first member), email verification,
login checks, password reset and invitations, with the signed links they travel by.

Plain service functions: the web handlers parse forms and call these; errors are
`ValidationErrors` (field -> message) or `AccountError` (one message for the page).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache
from typing import Any
from urllib.parse import urlparse

from board.core import signing, vocab
from board.core.passwords import (
    MIN_LENGTH,
    hash_password,
    hash_password_sync,
    needs_rehash,
    session_stamp,
    verify_password,
)
from board.core.validation import ValidationErrors, clean_email
from board.store.engine import write_transaction
from board.store.tables import Institution, Member

VERIFY_TTL = 3 * 24 * 3600
RESET_TTL = 3600
INVITE_TTL = 7 * 24 * 3600


class AccountError(Exception):
    """A failure to show to the user as is (e.g. a wrong password, an expired link)."""


class NotVerified(AccountError):
    def __init__(self, member_id: int):
        super().__init__("Please confirm your email address first: we have sent you a new link.")
        self.member_id = member_id


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def clean_website(value: str) -> str:
    text = (value or "").strip()
    if text and "://" not in text:
        text = "https://" + text
    parsed = urlparse(text)
    if parsed.scheme not in {"http", "https"} or "." not in (parsed.hostname or "") \
            or " " in text or len(text) > 300:
        raise ValueError("must be a web address such as https://hospital.org")
    return text


def domain_matches(email: str, website: str) -> bool:
    """True when the email's domain is the website's host or a subdomain of it (or the other
    way round), ignoring a leading www: a hint for moderators, not a proof."""
    host = (urlparse(website).hostname or "").lower().removeprefix("www.")
    domain = email.rpartition("@")[2].lower().removeprefix("www.")
    if not host or not domain:
        return False
    return domain == host or domain.endswith("." + host) or host.endswith("." + domain)


def _check_password(password: str, errors: dict[str, str]) -> None:
    if len(password or "") < MIN_LENGTH:
        errors["password"] = f"must have at least {MIN_LENGTH} characters"
    elif len(password) > 1000:
        errors["password"] = "must have at most 1000 characters"


def _text(data: Mapping[str, Any], name: str, limit: int, errors: dict[str, str],
          required: bool = True) -> str:
    text = str(data.get(name) or "").replace("\x00", "").strip()
    if required and not text:
        errors[name] = "is required"
    elif len(text) > limit:
        errors[name] = f"must be at most {limit} characters"
    return text


async def _email_taken(email: str) -> bool:
    return await Member.exists().where(Member.email == email).run()


def _email(data: Mapping[str, Any], errors: dict[str, str]) -> str:
    try:
        email = clean_email(data.get("email"))
    except ValueError as exc:
        errors["email"] = str(exc)
        return ""
    if not email:
        errors["email"] = "is required"
    return email.lower()


async def sign_up(data: Mapping[str, Any]) -> int:
    """Create an (unverified) institution and its first member; return the member id."""
    errors: dict[str, str] = {}
    inst_name = _text(data, "institution_name", 200, errors)
    kind = str(data.get("institution_kind") or "").strip().lower()
    if kind not in vocab.INSTITUTION_KINDS:
        errors["institution_kind"] = "must be one of " + ", ".join(vocab.INSTITUTION_KINDS)
    try:
        # An individual physician may have no website of their own; an institution must
        # (moderators verify it by its site and the email's domain).
        given = str(data.get("website") or "").strip()
        website = "" if kind == "physician" and not given else clean_website(given)
    except ValueError as exc:
        errors["website"], website = str(exc), ""
    city = _text(data, "city", 120, errors)
    state = str(data.get("state") or "").strip().upper()
    if state not in vocab.states():
        errors["state"] = "must be a USPS state or territory code such as NY"
    name = _text(data, "name", 200, errors)
    email = _email(data, errors)
    password = str(data.get("password") or "")
    _check_password(password, errors)
    await _check_unique(inst_name, email, errors)
    if errors:
        raise ValidationErrors(errors)
    password_hash = await hash_password(password)
    try:
        async with write_transaction():
            inst = Institution(name=inst_name, kind=kind, website=website, city=city, state=state,
                               verified=False)
            await inst.save().run()
            member = Member(institution=inst.id, email=email, name=name,
                            password_hash=password_hash)
            await member.save().run()
    except Exception:
        # A concurrent sign-up took the name or email between the check and the insert (the
        # unique constraints held): say which, as the check would have.
        await _check_unique(inst_name, email, errors)
        if errors:
            raise ValidationErrors(errors) from None
        raise
    return member.id


async def _check_unique(inst_name: str, email: str, errors: dict[str, str]) -> None:
    if inst_name and "institution_name" not in errors and await Institution.exists().where(
            Institution.name == inst_name).run():
        errors["institution_name"] = ("is already registered: ask a colleague there to invite "
                                      "you from their dashboard")
    if email and "email" not in errors and await _email_taken(email):
        errors["email"] = "already has an account: log in or reset your password"


def verification_token(member_id: int, email: str, secret: signing.Keys) -> str:
    return signing.sign("verify-email", {"m": member_id, "e": email}, VERIFY_TTL, key=secret)


def read_verification(token: str, secret: signing.Keys) -> dict[str, Any]:
    """The verification link's payload, or AccountError; changes nothing (the GET page)."""
    try:
        return signing.unsign("verify-email", token, key=secret)
    except signing.ExpiredToken:
        raise AccountError("This confirmation link has expired. Log in to get a new one.") from None
    except signing.BadToken:
        raise AccountError("This confirmation link is not valid.") from None


async def verify_email(token: str, secret: signing.Keys) -> int:
    payload = read_verification(token, secret)
    rows = await Member.update({Member.email_verified_at: _now()}).where(
        (Member.id == payload["m"]) & (Member.email == payload["e"])
        & Member.email_verified_at.is_null()).returning(Member.id).run()
    if not rows and not await Member.exists().where(
            (Member.id == payload["m"]) & (Member.email == payload["e"])).run():
        raise AccountError("This confirmation link is not valid.")
    return int(payload["m"])


async def verify_and_member(token: str, secret: signing.Keys) -> dict[str, Any] | None:
    """Confirm the address; the member row when this call confirmed it (so the page may
    sign them in), None when it was confirmed before (a link used twice signs nobody in)."""
    payload = read_verification(token, secret)
    row = await Member.select().where(
        (Member.id == payload["m"]) & (Member.email == payload["e"])).first().run()
    if row is None:
        raise AccountError("This confirmation link is not valid.")
    if row["email_verified_at"] is not None or not row["is_active"]:
        return None
    await verify_email(token, secret)
    return row


@cache
def _dummy_hash() -> str:
    return hash_password_sync("not a real password")


async def authenticate(email: str, password: str) -> dict[str, Any]:
    """The member for these credentials, or AccountError. A missing account costs the same
    hashing time as a wrong password, so timing does not tell which emails exist."""
    email = (email or "").strip().lower()
    # A NUL byte or an over-long value can never be a stored email (and PostgreSQL refuses
    # NUL in text outright): treat it as an unknown account, not a server error.
    plausible = email and "\x00" not in email and len(email) <= 254
    row = await Member.select().where(Member.email == email).first().run() if plausible else None
    stored = row["password_hash"] if row and row["password_hash"] else _dummy_hash()
    ok = await verify_password(password or "", stored)
    if not row or not ok or not row["is_active"] or not row["password_hash"]:
        raise AccountError("The email or password is not correct.")
    if row["email_verified_at"] is None:
        raise NotVerified(row["id"])
    changes: dict[Any, Any] = {Member.last_login_at: _now()}
    if needs_rehash(row["password_hash"]):
        # The clear password is at hand only now: store it as argon2id in place of a legacy
        # PBKDF2 hash (or a weaker argon2 one). Only if the hash is still the one checked,
        # so a password reset racing this login is never undone.
        new_hash = await hash_password(password)
        upgraded = await Member.update({**changes, Member.password_hash: new_hash}).where(
            (Member.id == row["id"]) & (Member.password_hash == row["password_hash"])
        ).returning(Member.id).run()
        if upgraded:
            return {**row, "password_hash": new_hash}
    await Member.update(changes).where(Member.id == row["id"]).run()
    return row


def session_data(member: Mapping[str, Any]) -> dict[str, Any]:
    """What a login puts in the session: the member and the stamp of its current password
    (board.web.common.current_member refuses the session once the password changed)."""
    return {"member_id": member["id"], "stamp": session_stamp(member["password_hash"])}


def _reset_fingerprint(password_hash: str) -> str:
    # Ties a reset link to the current password: once used (or the password changed), dead.
    return password_hash[-16:]


async def reset_token_for(email: str, secret: signing.Keys) -> tuple[dict[str, Any], str] | None:
    """(member, token) for an active account with this email, else None (the caller answers
    the same either way)."""
    try:
        email = clean_email(email).lower()
    except ValueError:
        return None
    row = await Member.select().where((Member.email == email) & (Member.is_active == True)  # noqa: E712
                                      ).first().run() if email else None
    if row is None:
        return None
    token = signing.sign("reset-password", {"m": row["id"], "f": _reset_fingerprint(
        row["password_hash"])}, RESET_TTL, key=secret)
    return row, token


async def reset_password(token: str, password: str, secret: signing.Keys) -> int:
    try:
        payload = signing.unsign("reset-password", token, key=secret)
    except signing.BadToken:
        raise AccountError("This reset link is not valid or has expired: request a new one.") from None
    errors: dict[str, str] = {}
    _check_password(password, errors)
    if errors:
        raise ValidationErrors(errors)
    new_hash = await hash_password(password)
    async with write_transaction():
        row = await Member.select(Member.password_hash).where(
            (Member.id == payload["m"]) & (Member.is_active == True)).first().run()  # noqa: E712
        if row is None or _reset_fingerprint(row["password_hash"]) != payload["f"]:
            raise AccountError("This reset link has already been used: request a new one.")
        # Following the emailed link also proves the address.
        await Member.update({Member.password_hash: new_hash}).where(Member.id == payload["m"]).run()
        await Member.update({Member.email_verified_at: _now()}).where(
            (Member.id == payload["m"]) & Member.email_verified_at.is_null()).run()
    return int(payload["m"])


async def invite(inviter: Mapping[str, Any], email: str, secret: signing.Keys) -> str:
    """A signed invitation for `email` to join the inviter's institution."""
    errors: dict[str, str] = {}
    email = _email({"email": email}, errors)
    if email and "email" not in errors and await _email_taken(email):
        errors["email"] = "already has an account"
    if errors:
        raise ValidationErrors(errors)
    return signing.sign("invite", {"i": inviter["institution"], "e": email, "by": inviter["id"]},
                        INVITE_TTL, key=secret)


def read_invite(token: str, secret: signing.Keys) -> dict[str, Any]:
    try:
        return signing.unsign("invite", token, key=secret)
    except signing.ExpiredToken:
        raise AccountError("This invitation has expired: ask your colleague for a new one.") from None
    except signing.BadToken:
        raise AccountError("This invitation link is not valid.") from None


async def accept_invite(token: str, data: Mapping[str, Any], secret: signing.Keys) -> int:
    payload = read_invite(token, secret)
    errors: dict[str, str] = {}
    name = _text(data, "name", 200, errors)
    password = str(data.get("password") or "")
    _check_password(password, errors)
    if errors:
        raise ValidationErrors(errors)
    password_hash = await hash_password(password)
    async with write_transaction():
        if await _email_taken(payload["e"]):
            raise AccountError("This invitation has already been used: log in instead.")
        # The invitation arrived by email, so the address is proven.
        member = Member(institution=payload["i"], email=payload["e"], name=name,
                        password_hash=password_hash, email_verified_at=_now())
        await member.save().run()
    return member.id
