"""A listing's review summary: scores and rates only from MIN_FOR_SCORES reviews, and the
summaries of many listings in one query. A leaf module (the store's tables only), because
indexing reads it to carry each listing's `reviews` object in its search document, and the
review services write through the outbox: importing the services here would be a circle."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from board.store.tables import Review

MIN_FOR_SCORES = 3
_SCORES = ("overall", "teaching", "hands_on", "organisation")


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
        scores={name: round(sum(r[name] for r in rows) / count, 1) for name in _SCORES})
    return out


def public_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The API's `reviews` object (CONTRACT)."""
    full = summary(rows)
    return {k: full[k] for k in ("count", "rating", "letter_rate", "costs_as_advertised_rate")}


async def summaries(opportunity_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The `reviews` object of each listing, in one query (per chunk of ids, so a reindex
    batch stays under PostgreSQL's bind-argument limit)."""
    ids = list(opportunity_ids)
    by_listing: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for start in range(0, len(ids), 5000):
        rows = await Review.select(Review.opportunity_id, Review.overall, Review.teaching,
                                   Review.hands_on, Review.organisation, Review.letter,
                                   Review.costs_as_advertised).where(
            Review.opportunity_id.is_in(ids[start:start + 5000])
            & (Review.status == "shown")).run()
        for row in rows:
            by_listing[row["opportunity_id"]].append(row)
    return {i: public_summary(rows) for i, rows in by_listing.items()}
