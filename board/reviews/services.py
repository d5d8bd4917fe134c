"""Reviews from participants only. A host records a completed rotation (participant email,
dates); the participant gets a signed link (REVIEW_LINK_DAYS) to one review of it, no
account. The same link withdraws it. Hosts reply but cannot edit or delete; moderators hide
(with a reason the author sees). Scores and rates appear only from MIN_FOR_SCORES reviews.
Nothing here stores an IP address."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from board.core.signing import BadToken, sign, unsign
from board.core.validation import ValidationErrors, clean_email
from board.indexing import outbox
from board.indexing.gateway import utcnow
from board.listings.red_flags import red_flags
from board.mail.delivery import send
from board.mail.render import Email
from board.settings import Settings
from board.store.engine import write_transaction
from board.store.tables import Completion, Opportunity, Review

PURPOSE = "review"
REVIEW_LINK_DAYS = 90
SCORES = ("overall", "teaching", "hands_on", "organisation")
LETTER = ("yes", "no", "did_not_ask")
BODY_MAX, NAME_MAX, COUNTRY_MAX, REPLY_MAX = 2000, 80, 60, 2000
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)


class NotFound(Exception):
    pass


class AlreadyReviewed(Exception):
    pass


# --- links --------------------------------------------------------------------------------

def token(settings: Settings, completion_id: int, now: dt.datetime | None = None) -> str:
    now = now or utcnow()
    return sign(PURPOSE, {"c": completion_id}, REVIEW_LINK_DAYS * 86400,
                key=settings.signing_keys, now=now.timestamp())


def read_token(settings: Settings, text: str) -> int:
    payload = unsign(PURPOSE, text, key=settings.signing_keys)
    if not isinstance(payload, dict) or not isinstance(payload.get("c"), int):
        raise BadToken("malformed token")
    return payload["c"]


# --- completions --------------------------------------------------------------------------

def _date(value: Any, name: str, errors: dict[str, str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors[name] = "give the date as YYYY-MM-DD"
        return None


def clean_completion(data: dict[str, Any], today: dt.date) -> dict[str, Any]:
    errors: dict[str, str] = {}
    email = ""
    try:
        email = clean_email(data.get("participant_email"))
    except ValueError as exc:
        errors["participant_email"] = str(exc)
    if not email and "participant_email" not in errors:
        errors["participant_email"] = "is required"
    starts = _date(data.get("starts_on"), "starts_on", errors)
    ends = _date(data.get("ends_on"), "ends_on", errors)
    if starts and ends and ends < starts:
        errors["ends_on"] = "must not be before the start"
    if ends and ends > today:
        errors["ends_on"] = "must not be in the future: record a rotation once it is completed"
    try:
        opportunity_id = int(str(data.get("opportunity_id") or ""))
    except ValueError:
        opportunity_id = 0
        errors["opportunity_id"] = "choose one of your listings"
    if errors:
        raise ValidationErrors(errors)
    return {"participant_email": email, "starts_on": starts, "ends_on": ends,
            "opportunity_id": opportunity_id}


async def record_completion(rt: Any, institution_id: int, clean: dict[str, Any]) -> int:
    """Store the completion (only for the institution's own published-once listing) and mail
    the participant the review link."""
    listing = await Opportunity.select(Opportunity.id, Opportunity.title,
                                       Opportunity.published_at).where(
        (Opportunity.id == clean["opportunity_id"])
        & (Opportunity.institution == institution_id)).first().run()
    if listing is None or listing["published_at"] is None:
        raise ValidationErrors({"opportunity_id": "choose one of your published listings"})
    row = Completion(institution_id=institution_id, **clean, created_at=utcnow())
    await row.save().run()
    settings: Settings = rt.settings
    await send(rt.mailer, settings, Email("review_invite", clean["participant_email"], {
        "listing": listing, "review_url": f"{settings.base_url}/review/{token(settings, row.id)}",
        "days": REVIEW_LINK_DAYS}))
    return row.id


async def completions_of(institution_id: int) -> list[dict[str, Any]]:
    return await Completion.select().where(Completion.institution_id == institution_id).order_by(
        Completion.created_at, ascending=False).limit(200).run()


async def completion(completion_id: int) -> dict[str, Any]:
    row = await Completion.select().where(Completion.id == completion_id).first().run()
    if row is None:
        raise NotFound(completion_id)
    return row


# --- reviews ------------------------------------------------------------------------------

def clean_review(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name in SCORES:
        value = str(data.get(name) or "").strip()
        if value not in {"1", "2", "3", "4", "5"}:
            errors[name] = "choose 1 to 5"
        else:
            out[name] = int(value)
    letter = str(data.get("letter") or "")
    if letter not in LETTER:
        errors["letter"] = "choose yes, no or did not ask"
    out["letter"] = letter
    costs = str(data.get("costs_as_advertised") or "")
    if costs not in {"yes", "no"}:
        errors["costs_as_advertised"] = "choose yes or no"
    out["costs_as_advertised"] = costs == "yes"
    # Plain text: shown escaped, never rendered as Markdown.
    body = str(data.get("body") or "").replace("\x00", "").strip()
    if len(body) > BODY_MAX:
        errors["body"] = f"at most {BODY_MAX} characters"
    out["body"] = body
    show_name = str(data.get("show_name") or "") == "yes"
    name = str(data.get("name") or "").strip()[:NAME_MAX + 1]
    country = str(data.get("country") or "").strip()
    if show_name and not name:
        errors["name"] = "give the name to show, or choose to show your country"
    if len(name) > NAME_MAX:
        errors["name"] = f"at most {NAME_MAX} characters"
    if len(country) > COUNTRY_MAX:
        errors["country"] = f"at most {COUNTRY_MAX} characters"
    out["display_name"] = name if show_name else (f"an IMG from {country}" if country else "an IMG")
    if errors:
        raise ValidationErrors(errors)
    return out


def review_flags(body: str) -> list[str]:
    """The listing red flags applied to the text, plus links (a review is not an advert)."""
    flags = red_flags({"description": body})
    if _LINK.search(body):
        flags.append("contains a link")
    return flags


async def review_of(completion_id: int) -> dict[str, Any] | None:
    return await Review.select().where(Review.completion_id == completion_id).first().run()


async def submit_review(completion_id: int, clean: dict[str, Any],
                        now: dt.datetime | None = None) -> dict[str, Any]:
    """One review per completion (the unique column decides between two tabs). A text with
    a red flag waits for a moderator ("held") instead of showing at once."""
    done = await completion(completion_id)
    if await review_of(completion_id):
        raise AlreadyReviewed(completion_id)
    status = "held" if review_flags(clean["body"]) else "shown"
    try:
        async with write_transaction():
            await Review.insert(Review(completion_id=completion_id,
                                       opportunity_id=done["opportunity_id"],
                                       institution_id=done["institution_id"], status=status,
                                       created_at=now or utcnow(), **clean)).run()
            if status == "shown":
                await _reindex(done["opportunity_id"])
    except Exception:
        if await review_of(completion_id):
            raise AlreadyReviewed(completion_id) from None
        raise
    return await review_of(completion_id)  # type: ignore[return-value]


async def _reindex(opportunity_ids: list[int] | int) -> None:
    """Inside the transaction that changed which reviews are shown: the listing's search
    document carries its review summary (search hits read it from there, no store query
    per search), so the outbox sends the listing again."""
    await outbox.record(opportunity_ids, "reviews")


async def withdraw(completion_id: int) -> None:
    async with write_transaction():
        rows = await Review.update({Review.status: "withdrawn"}).where(
            Review.completion_id == completion_id).returning(Review.opportunity_id).run()
        await _reindex([r["opportunity_id"] for r in rows])


async def hide(review_id: int, reason: str) -> None:
    async with write_transaction():
        rows = await Review.update({Review.status: "hidden", Review.hidden_reason: reason}
                                   ).where((Review.id == review_id) & (Review.status != "withdrawn")
                                           ).returning(Review.opportunity_id).run()
        if not rows:
            raise NotFound(review_id)
        await _reindex(rows[0]["opportunity_id"])


async def show(review_id: int) -> None:
    """A moderator publishes a held review (or un-hides one)."""
    async with write_transaction():
        rows = await Review.update({Review.status: "shown", Review.hidden_reason: ""}).where(
            (Review.id == review_id) & Review.status.is_in(["held", "hidden"])).returning(
            Review.opportunity_id).run()
        if not rows:
            raise NotFound(review_id)
        await _reindex(rows[0]["opportunity_id"])


async def reply(review_id: int, institution_id: int, text: str,
                now: dt.datetime | None = None) -> None:
    """The host's one reply (it may be reworded; the review itself never changes)."""
    text = text.replace("\x00", "").strip()
    if not 1 <= len(text) <= REPLY_MAX:
        raise ValidationErrors({"reply": f"write 1 to {REPLY_MAX} characters"})
    rows = await Review.update({Review.reply: text, Review.replied_at: now or utcnow()}).where(
        (Review.id == review_id) & (Review.institution_id == institution_id)).returning(
        Review.id).run()
    if not rows:
        raise NotFound(review_id)
