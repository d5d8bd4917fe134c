"""Digest subscriptions: subscribe (double opt-in), confirm, change filters, pause, unsubscribe.

Filters are stored in a canonical form (validated by the search parser, values sorted) with a
`filters_key` (sha256 of the canonical JSON), so the digest runs one search per distinct
filter set and re-subscribing with the same filters finds the existing row.

Links in mails carry signed tokens (board.signing) whose payload is the subscriber id plus
the start of its random `token` column, so a token maps to exactly one subscriber row."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from board.browse import labels
from board.browse.params import FILTER_PARAMS, ParamError, filters_of, parse_search
from board.core import signing
from board.core.validation import ValidationErrors, clean_email
from board.digests.emails import confirm_email
from board.mail.delivery import send
from board.mail.transport import Transport
from board.settings import Settings
from board.store import engine as db
from board.store.tables import Subscriber

CONFIRM_TTL = 7 * 24 * 3600
MANAGE_TTL = 365 * 24 * 3600
MAILS_PER_ADDRESS_PER_DAY = 3


class TooManyMails(Exception):
    """The address already got its share of confirmation mails today."""


class BadLink(Exception):
    """A tampered, expired or stale link: nothing changes."""


@dataclass
class SubscribeOutcome:
    subscriber_id: int
    status: str  # "pending" (confirmation due) | "active" (already confirmed: no mail)
    address: str
    filters: dict[str, list[str]]
    confirm_token: str | None = None


def canonical_filters(params: Mapping[str, Any]) -> dict[str, list[str]]:
    """Validated (ParamError naming the parameter) and normalised: the query's own
    canonical values (specialty spelling, upper-case states), each list sorted."""
    unknown = [k for k in params.keys() if k not in FILTER_PARAMS and k not in {"page", "per_page"}]
    if unknown:
        raise ParamError(unknown[0], "is not a search filter")
    query = parse_search(params)
    raw = filters_of(params)
    out: dict[str, list[str]] = {}
    for facet, values in query.selections.items():
        out[facet] = sorted(values)
    if query.q:
        out["q"] = [query.q]
    if query.fee_max is not None:
        out["fee_max"] = [str(query.fee_max)]
    if query.cost_max is not None:
        out["cost_max"] = [str(query.cost_max)]
    if query.hands_on_min is not None:
        out["hands_on_min"] = [str(query.hands_on_min)]
    if raw.get("confirmed_within_days"):
        out["confirmed_within_days"] = [str(int(raw["confirmed_within_days"][0]))]
    if query.graduation_year is not None:
        out["graduation_year"] = [str(query.graduation_year)]
    if query.usmle:
        out["usmle"] = sorted(query.usmle)
    if query.ecfmg_certified is not None:
        out["ecfmg_certified"] = ["true" if query.ecfmg_certified else "false"]
    if query.visa is not None:
        out["visa"] = [query.visa]
    if query.student is not None:
        out["student"] = ["true" if query.student else "false"]
    if not query.eligible_only:  # the default (true) is not stored: same digest, same key
        out["eligible_only"] = ["false"]
    if query.geo is not None:
        out["near"] = [raw["near"][0]]
        out["radius_miles"] = [str(query.radius_miles)]
    return dict(sorted(out.items()))


def filters_key(filters: Mapping[str, list[str]]) -> str:
    text = json.dumps(filters, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _validated(email: Any, filters: Mapping[str, Any]) -> tuple[str, dict[str, list[str]]]:
    try:
        address = clean_email(email)
    except ValueError as exc:
        raise ValidationErrors({"email": str(exc)}) from None
    if not address:
        raise ValidationErrors({"email": "is required"})
    if not isinstance(filters, Mapping):
        raise ValidationErrors({"filters": "must be an object of search parameters"})
    try:
        canon = canonical_filters(filters)
    except ParamError as exc:
        raise ValidationErrors({f"filters.{exc.param}": exc.message}) from None
    return address.lower(), canon


def token_for(row: Mapping[str, Any], purpose: str, secret: signing.Keys) -> str:
    ttl = CONFIRM_TTL if purpose == "confirm" else MANAGE_TTL
    return signing.sign(purpose, [row["id"], row["token"][:16]], ttl, key=secret)


async def subscriber_for(token: str, purpose: str, secret: signing.Keys) -> dict[str, Any]:
    """The one subscriber a link token names; BadLink otherwise (tampered, expired, stale)."""
    try:
        sub_id, prefix = signing.unsign(purpose, token, key=secret)
        sub_id, prefix = int(sub_id), str(prefix)
    except (signing.BadToken, TypeError, ValueError):
        raise BadLink("This link is invalid or has expired.") from None
    row = await Subscriber.select().where(Subscriber.id == sub_id).first().run()
    if row is None or not row["token"].startswith(prefix):
        raise BadLink("This link is invalid or has expired.")
    return row


async def unsubscribe_target(token: str, secret: signing.Keys) -> tuple[dict[str, Any], bool]:
    """The subscriber an unsubscribe link names, and whether the token may also manage.
    Mails now carry an "unsubscribe"-only token (a forwarded digest or a link scanner must
    not be able to change filters for a year); "manage" tokens from older mails still
    unsubscribe."""
    try:
        return await subscriber_for(token, "unsubscribe", secret), False
    except BadLink:
        return await subscriber_for(token, "manage", secret), True


async def subscribe(email: Any, filters: Mapping[str, Any], secret: signing.Keys,
                    may_mail=None, now: dt.datetime | None = None) -> SubscribeOutcome:
    """Create or reuse the (email, filters) subscription. `may_mail(address)` is the
    per-address limiter; it is asked only when a confirmation mail would go out."""
    now = now or dt.datetime.now(dt.UTC)
    address, canon = _validated(email, filters)
    key = filters_key(canon)
    match = (Subscriber.email == address) & (Subscriber.filters_key == key)
    row = await Subscriber.select().where(match).order_by(Subscriber.id).first().run()
    if row and row["confirmed_at"] and not row["unsubscribed_at"]:
        return SubscribeOutcome(row["id"], "active", address, canon)
    # Asked before the write transaction: the limiter writes to the store itself.
    if may_mail is not None and not await may_mail(address):
        raise TooManyMails("Too many confirmation emails were sent to this address today; "
                           "please use the newest one or try again tomorrow.")
    async with db.write_transaction():
        row = await Subscriber.select().where(match).order_by(Subscriber.id).first().run()
        if row is None:
            # The unique (email, filters_key) index (migration 2026-11-29) makes a concurrent
            # subscribe of the same search insert nothing here; both then share one row.
            await Subscriber.insert(Subscriber(
                email=address, filters=canon, filters_key=key, token=secrets.token_hex(32),
                created_at=now)).on_conflict(
                    target=(Subscriber.email, Subscriber.filters_key), action="DO NOTHING").run()
            row = await Subscriber.select().where(match).order_by(Subscriber.id).first().run()
        elif row["unsubscribed_at"]:
            # Coming back after unsubscribing: opt in again, and old links stop working.
            token = secrets.token_hex(32)
            await Subscriber.update({
                Subscriber.unsubscribed_at: None, Subscriber.confirmed_at: None,
                Subscriber.paused: False, Subscriber.token: token, Subscriber.created_at: now,
            }).where(Subscriber.id == row["id"]).run()
            row = {**row, "token": token}
    return SubscribeOutcome(row["id"], "pending", address, canon, token_for(row, "confirm", secret))


async def confirm(row: Mapping[str, Any], now: dt.datetime | None = None) -> None:
    """Idempotent: the first click confirms, later clicks change nothing."""
    now = now or dt.datetime.now(dt.UTC)
    await Subscriber.update({Subscriber.confirmed_at: now}).where(
        (Subscriber.id == row["id"]) & Subscriber.confirmed_at.is_null()
        & Subscriber.unsubscribed_at.is_null()
    ).run()


async def unsubscribe(row: Mapping[str, Any], now: dt.datetime | None = None) -> None:
    """Idempotent: keeps the first unsubscribe time."""
    now = now or dt.datetime.now(dt.UTC)
    await Subscriber.update({Subscriber.unsubscribed_at: now}).where(
        (Subscriber.id == row["id"]) & Subscriber.unsubscribed_at.is_null()
    ).run()


async def set_paused(row: Mapping[str, Any], paused: bool) -> None:
    await Subscriber.update({Subscriber.paused: paused}).where(Subscriber.id == row["id"]).run()


async def change_filters(row: Mapping[str, Any], filters: Mapping[str, Any]) -> dict[str, list[str]]:
    try:
        canon = canonical_filters(filters)
    except ParamError as exc:
        raise ValidationErrors({exc.param: exc.message}) from None
    await Subscriber.update({Subscriber.filters: canon, Subscriber.filters_key: filters_key(canon)}
                            ).where(Subscriber.id == row["id"]).run()
    return canon


def filter_summary(filters: Mapping[str, Any]) -> list[str]:
    """Readable lines such as "State: New York" ("All listings" when there is no filter)."""
    state = {k: list(v) if isinstance(v, list | tuple) else [str(v)] for k, v in filters.items()}
    return labels.filter_summary(state)


def stored_filters(row: Mapping[str, Any]) -> dict[str, list[str]]:
    value = row.get("filters") or {}
    return json.loads(value) if isinstance(value, str) else dict(value)


async def send_confirmation(mailer: Transport, settings: Settings, outcome: SubscribeOutcome
                            ) -> None:
    """Raises the transport's error: the request exists for this mail, so the app answers
    503 (retry) or 400 (address refused) rather than claiming it was sent."""
    url = f"{settings.base_url}/subscribe/confirm/{outcome.confirm_token}"
    await send(mailer, settings, confirm_email(outcome.address, url,
                                               filter_summary(outcome.filters)))


async def start(email: Any, filters: Mapping[str, Any], mailer: Transport, settings: Settings,
                may_mail: Callable[[str], Awaitable[bool]]) -> SubscribeOutcome:
    """Subscribe, then mail the confirmation when one is due (never for an active row)."""
    outcome = await subscribe(email, filters, settings.signing_keys, may_mail)
    if outcome.confirm_token:
        await send_confirmation(mailer, settings, outcome)
    return outcome
