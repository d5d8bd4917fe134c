"""Building institutions and listings through the same service functions the app uses, so a
listing reaches each state (draft, pending, published, closed, removed) by the app's own
transitions, never by writing a status column."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from board.core.validation import validate_opportunity
from board.digests import subscriptions
from board.listings import services as listings
from board.store.tables import Institution

_seq = itertools.count(1)


async def make_institution(name: str | None = None, verified: bool = True, **kw: Any) -> int:
    row = Institution(name=name or f"Test Hospital {next(_seq)}", kind="hospital",
                      city=kw.pop("city", "Houston"), state=kw.pop("state", "TX"),
                      website=kw.pop("website", "https://hospital.example.org"),
                      verified=verified, **kw)
    await row.save().run()
    return row.id


def listing_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Internal Medicine Observership",
        "kind": "observership",
        "specialty": "Internal medicine",
        "state": "TX",
        "city": "Houston",
        "description": "Rounds and clinic with **attendings**.",
        "fee_usd": 0,
        "apply_url": "https://hospital.example.org/apply",
    }
    data.update(overrides)
    return data


async def make_listing(institution_id: int, publish: bool = True,
                       now: dt.datetime | None = None, **overrides: Any) -> int:
    clean = validate_opportunity(listing_data(**overrides))
    opp_id = await listings.create(institution_id, clean, now=now)
    if publish:
        await listings.publish_now(opp_id, now=now)
    return opp_id


async def make_draft(institution_id: int, **overrides: Any) -> int:
    return await make_listing(institution_id, publish=False, **overrides)


async def make_pending(institution_id: int, now: dt.datetime | None = None, **overrides: Any) -> int:
    """Submitted for review: the institution must be unverified or the listing red-flagged,
    otherwise submitting publishes it."""
    opp_id = await make_draft(institution_id, **overrides)
    status = await listings.submit(opp_id, now=now)
    assert status == "pending", f"submitting published listing {opp_id}: not a pending factory"
    return opp_id


async def make_closed(institution_id: int, now: dt.datetime | None = None, **overrides: Any) -> int:
    opp_id = await make_listing(institution_id, now=now, **overrides)
    await listings.close(opp_id, now=now)
    return opp_id


async def make_removed(institution_id: int, now: dt.datetime | None = None, **overrides: Any) -> int:
    opp_id = await make_listing(institution_id, now=now, **overrides)
    await listings.remove(opp_id, now=now)
    return opp_id


async def make_confirmed_subscriber(email: str, filters: dict[str, Any], at: dt.datetime) -> int:
    """A digest subscriber who signed up and confirmed at `at`: their first digest counts
    the listings published after it."""
    out = await subscriptions.subscribe(email, filters, "s", now=at)
    await subscriptions.confirm({"id": out.subscriber_id}, now=at)
    return out.subscriber_id
