"""Passwordless sign-in for IMGs: a magic link, valid 15 minutes, used at most once.

The link carries a signed token (board.core.signing, purpose "img-signin") holding the
address and a random nonce. Using it claims the nonce in a ledger (a KeyValue row keyed by
the nonce's hash, inserted with ON CONFLICT DO NOTHING): of two clicks, or a replay, exactly
one insert wins, so a link signs in once however it is raced. The ledger row outlives the
token's 15 minutes and then expires like any KeyValue row.

An IMG account is only a Planner with a confirmed email: it has no password and no
institution, and nothing here touches Member, so an IMG can never post."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from board.core import signing
from board.core.validation import clean_email
from board.mail.delivery import send_or_log
from board.mail.transport import Transport
from board.planner.emails import signin_email
from board.planner.identity import create_planner
from board.planner.tables import Planner
from board.settings import Settings
from board.store.tables import KeyValue

PURPOSE = "img-signin"
LINK_TTL_S = 15 * 60
LEDGER_PREFIX = "img-signin-used:"
LEDGER_KEEP = dt.timedelta(days=1)


class SignInError(Exception):
    """The link cannot sign anyone in; the message says why, for the page."""


def normalised_email(value: Any) -> str:
    """The address as stored (lower case); ValueError naming the problem otherwise."""
    email = clean_email(value).lower()
    if not email:
        raise ValueError("is required")
    if len(email) > 254:
        raise ValueError("is too long")
    return email


def make_token(email: str, keys: signing.Keys, *, now: float | None = None) -> str:
    return signing.sign(PURPOSE, {"e": email, "n": secrets.token_urlsafe(16)}, LINK_TTL_S,
                        key=keys, now=now)


def read_token(token: str, keys: signing.Keys, *, now: float | None = None) -> dict[str, str]:
    """The link's address and nonce; SignInError for a bad or expired link (not yet used or
    not: the ledger is checked on use, so the GET page costs no write)."""
    try:
        payload = signing.unsign(PURPOSE, token, key=keys, now=now)
    except signing.ExpiredToken:
        raise SignInError("This sign-in link has expired (links work for 15 minutes). "
                          "Ask for a new one below.") from None
    except signing.BadToken:
        raise SignInError("This sign-in link is not valid. Ask for a new one below.") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("e"), str) \
            or not isinstance(payload.get("n"), str):
        raise SignInError("This sign-in link is not valid. Ask for a new one below.")
    return payload


async def claim(nonce: str, *, now: dt.datetime) -> bool:
    """Record the nonce as used; False when it already was (a second use of the link)."""
    key = LEDGER_PREFIX + hashlib.sha256(nonce.encode()).hexdigest()
    rows = await KeyValue.insert(KeyValue(key=key, value=b"", expires_at=now + LEDGER_KEEP)) \
        .on_conflict(action="DO NOTHING").returning(KeyValue.id).run()
    return bool(rows)


async def use_token(token: str, keys: signing.Keys, *, now: dt.datetime | None = None) -> Planner:
    """The account planner this link signs into (made on first sign-in, confirmed now);
    SignInError for an expired, forged or already used link."""
    moment = now or dt.datetime.now(dt.UTC)
    payload = read_token(token, keys, now=moment.timestamp())
    if not await claim(payload["n"], now=moment):
        raise SignInError("This sign-in link was already used. Each link signs in once: ask "
                          "for a new one below.")
    return await account_for(payload["e"], now=moment)


async def account_for(email: str, *, now: dt.datetime) -> Planner:
    """The planner of a confirmed address, made when the address signs in for the first time."""
    planner = await Planner.objects().where(Planner.email == email).first().run()
    if planner is None:
        try:
            planner = await create_planner(email=email, confirmed_at=now, last_signin_at=now)
            return planner
        except Exception:  # the same address signing in twice at once: the other insert won
            planner = await Planner.objects().where(Planner.email == email).first().run()
            if planner is None:
                raise
    await Planner.update({Planner.confirmed_at: planner.confirmed_at or now,
                          Planner.last_signin_at: now}).where(Planner.id == planner.id).run()
    planner.confirmed_at = planner.confirmed_at or now
    return planner


async def send_link(email: str, mailer: Transport, settings: Settings) -> bool:
    """Mail a sign-in link to any valid address (a known one signs into its account, a new
    one gets an account on first use), so the answer never tells whether it is known.
    False when the mail could not go out."""
    token = make_token(email, settings.signing_keys)
    return await send_or_log(mailer, settings, signin_email(email, f"{settings.base_url}/signin/{token}"))
