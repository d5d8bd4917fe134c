"""The counters a poster sees on the dashboard: listing page views and apply clicks.

Each is one `UPDATE ... SET n = n + 1` (no read, no lock held across the request), so
concurrent visitors never lose a count. Views by the listing's own institution (or staff)
and by self-declared crawlers are not counted: the number is meant as human interest."""

from __future__ import annotations

import re

from board.store.tables import Opportunity

_BOTS = re.compile(r"bot|crawl|spider|slurp|preview|fetch|monitor|headless", re.IGNORECASE)


def is_bot(user_agent: str | None) -> bool:
    """A crawler by its own User-Agent (an empty one counts as a script, not a visitor)."""
    return not user_agent or bool(_BOTS.search(user_agent))


async def count_view(opportunity_id: int) -> None:
    await Opportunity.update({Opportunity.views: Opportunity.views + 1}).where(
        Opportunity.id == opportunity_id).run()


async def count_apply_click(opportunity_id: int) -> None:
    await Opportunity.update({Opportunity.apply_clicks: Opportunity.apply_clicks + 1}).where(
        Opportunity.id == opportunity_id).run()
