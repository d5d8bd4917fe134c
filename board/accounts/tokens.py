"""API tokens of an institution: shown once at creation, stored only as a SHA-256 hash (a
leaked database does not leak usable tokens), revocable, with the last use recorded."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from board.core.validation import ValidationErrors
from board.indexing.gateway import as_utc, utcnow
from board.store.tables import ApiToken, Member

TOKEN_PREFIX = "imgb_"
PREFIX_CHARS = 12  # what the dashboard shows to tell tokens apart ("imgb_AbCdEfG")
# Recording every request's use would turn each API read into a write; a minute is enough.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
MAX_TOKENS = 20


class TokenNotFound(Exception):
    pass


@dataclass(frozen=True)
class TokenIdentity:
    token_id: int
    institution_id: int
    member_id: int | None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def clean_name(name: str) -> str:
    text = " ".join((name or "").split())
    if not 1 <= len(text) <= 100:
        raise ValidationErrors({"name": "give the token a name of 1 to 100 characters "
                                        "(for example 'HR system')"})
    return text


async def create(institution_id: int, member_id: int | None, name: str,
                 now: dt.datetime | None = None) -> tuple[int, str]:
    """(token id, the token itself): the caller shows it once; only its hash is stored."""
    label = clean_name(name)
    active = await ApiToken.count().where(
        (ApiToken.institution == institution_id) & ApiToken.revoked_at.is_null()).run()
    if active >= MAX_TOKENS:
        raise ValidationErrors({"name": f"an institution can have at most {MAX_TOKENS} active "
                                        "tokens: revoke one first"})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(institution=institution_id, member=member_id, name=label,
                   token_hash=hash_token(token), prefix=token[:PREFIX_CHARS],
                   created_at=now or utcnow())
    await row.save().run()
    return row.id, token


async def list_for(institution_id: int) -> list[dict[str, Any]]:
    return await ApiToken.select(
        ApiToken.id, ApiToken.name, ApiToken.prefix, ApiToken.created_at,
        ApiToken.last_used_at, ApiToken.revoked_at,
        ApiToken.member.name.as_alias("member_name"),
    ).where(ApiToken.institution == institution_id).order_by(
        ApiToken.created_at, ascending=False).run()


async def revoke(token_id: int, institution_id: int, now: dt.datetime | None = None) -> None:
    """Revoke one of the institution's tokens (TokenNotFound for anyone else's)."""
    rows = await ApiToken.update({ApiToken.revoked_at: now or utcnow()}).where(
        (ApiToken.id == token_id) & (ApiToken.institution == institution_id)
        & ApiToken.revoked_at.is_null()
    ).returning(ApiToken.id).run()
    if rows:
        return
    exists = await ApiToken.exists().where(
        (ApiToken.id == token_id) & (ApiToken.institution == institution_id)).run()
    if not exists:
        raise TokenNotFound(token_id)  # already revoked is fine: revoking is idempotent


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, value = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


async def authenticate(token: str | None, now: dt.datetime | None = None) -> TokenIdentity | None:
    """Who the token acts for, or None for an unknown, revoked or deactivated one."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = await ApiToken.select(
        ApiToken.id, ApiToken.institution, ApiToken.member, ApiToken.last_used_at,
        ApiToken.revoked_at,
    ).where(ApiToken.token_hash == hash_token(token)).first().run()
    if row is None or row["revoked_at"] is not None:
        return None
    if row["member"] is not None:
        member = await Member.select(Member.is_active).where(Member.id == row["member"]).first().run()
        if member is None or not member["is_active"]:
            return None  # a token must not outlive its member's access
    now = now or utcnow()
    last = as_utc(row["last_used_at"])
    if last is None or now - last >= LAST_USED_RESOLUTION:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"]).run()
    return TokenIdentity(row["id"], row["institution"], row["member"])
