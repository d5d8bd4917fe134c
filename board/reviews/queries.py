"""Reading reviews: the shown ones of a listing or an institution (newest first), and the
staff list. The summaries live in board.reviews.summary (re-exported here)."""

from __future__ import annotations

from typing import Any

from board.reviews.summary import public_summary, summaries, summary
from board.store.tables import Review

_PUBLIC = (Review.id, Review.opportunity_id, Review.institution_id, Review.overall,
           Review.teaching, Review.hands_on, Review.organisation, Review.letter,
           Review.costs_as_advertised, Review.body, Review.display_name, Review.reply,
           Review.replied_at, Review.created_at)


__all__ = ["for_staff", "public_summary", "shown", "summaries", "summary"]


async def shown(*, opportunity_id: int | None = None, institution_id: int | None = None,
                limit: int = 100) -> list[dict[str, Any]]:
    query = Review.select(*_PUBLIC).where(Review.status == "shown")
    if opportunity_id is not None:
        query = query.where(Review.opportunity_id == opportunity_id)
    if institution_id is not None:
        query = query.where(Review.institution_id == institution_id)
    return await query.order_by(Review.created_at, ascending=False).order_by(
        Review.id, ascending=False).limit(limit).run()


async def for_staff(limit: int = 100) -> list[dict[str, Any]]:
    """Held reviews first (a red flag waits for a moderator), then the newest others."""
    rows = await Review.select(
        Review.all_columns(), Review.opportunity_id).order_by(Review.created_at,
                                                               ascending=False).limit(limit).run()
    return sorted(rows, key=lambda r: r["status"] != "held")
