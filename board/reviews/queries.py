"""Reading reviews: the shown ones of a listing or an institution (newest first), their
summary (scores and rates only from MIN_FOR_SCORES reviews), and summaries for search hits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from board.reviews.services import MIN_FOR_SCORES
from board.store.tables import Review

_PUBLIC = (Review.id, Review.opportunity_id, Review.institution_id, Review.overall,
           Review.teaching, Review.hands_on, Review.organisation, Review.letter,
           Review.costs_as_advertised, Review.body, Review.display_name, Review.reply,
           Review.replied_at, Review.created_at)


async def shown(*, opportunity_id: int | None = None, institution_id: int | None = None,
                limit: int = 100) -> list[dict[str, Any]]:
    query = Review.select(*_PUBLIC).where(Review.status == "shown")
    if opportunity_id is not None:
        query = query.where(Review.opportunity_id == opportunity_id)
    if institution_id is not None:
        query = query.where(Review.institution_id == institution_id)
    return await query.order_by(Review.created_at, ascending=False).order_by(
        Review.id, ascending=False).limit(limit).run()


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """{"count", "rating", "letter_rate", "costs_as_advertised_rate"} plus the counts behind
    the rates ("letters received: 9 of 11"); all but count are None below MIN_FOR_SCORES."""
    count = len(rows)
    out: dict[str, Any] = {"count": count, "rating": None, "letter_rate": None,
                           "costs_as_advertised_rate": None, "letters_received": None,
                           "letters_asked": None, "costs_ok": None, "scores": None}
    if count < MIN_FOR_SCORES:
        return out
    asked = [r for r in rows if r["letter"] in ("yes", "no")]
    received = sum(r["letter"] == "yes" for r in asked)
    costs_ok = sum(bool(r["costs_as_advertised"]) for r in rows)
    out.update(
        rating=round(sum(r["overall"] for r in rows) / count, 1),
        letter_rate=round(received / len(asked), 2) if asked else None,
        costs_as_advertised_rate=round(costs_ok / count, 2),
        letters_received=received, letters_asked=len(asked), costs_ok=costs_ok,
        scores={name: round(sum(r[name] for r in rows) / count, 1)
                for name in ("overall", "teaching", "hands_on", "organisation")})
    return out


def public_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The API's `reviews` object (CONTRACT)."""
    full = summary(rows)
    return {k: full[k] for k in ("count", "rating", "letter_rate", "costs_as_advertised_rate")}


async def summaries(opportunity_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The `reviews` object of each listing, in one query (search hits)."""
    ids = list(opportunity_ids)
    by_listing: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        rows = await Review.select(Review.opportunity_id, Review.overall, Review.teaching,
                                   Review.hands_on, Review.organisation, Review.letter,
                                   Review.costs_as_advertised).where(
            Review.opportunity_id.is_in(ids) & (Review.status == "shown")).run()
        for row in rows:
            by_listing[row["opportunity_id"]].append(row)
    return {i: public_summary(rows) for i, rows in by_listing.items()}


async def for_staff(limit: int = 100) -> list[dict[str, Any]]:
    """Held reviews first (a red flag waits for a moderator), then the newest others."""
    rows = await Review.select(
        Review.all_columns(), Review.opportunity_id).order_by(Review.created_at,
                                                               ascending=False).limit(limit).run()
    return sorted(rows, key=lambda r: r["status"] != "held")
