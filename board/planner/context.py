"""What every page needs from the planner (board.web.common.render adds it): the saved
listings' ids (the Save buttons' state), their count (the header's Shortlist link) and
whether an IMG is signed in. A visitor without a planner costs no query."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from board.planner.identity import current_planner, is_signed_in
from board.planner.shortlist import shortlist_ids


async def page_context(request: ASGIConnection) -> dict[str, Any]:
    planner = await current_planner(request)
    ids = await shortlist_ids(planner.id) if planner is not None else []
    return {"saved_ids": frozenset(ids), "shortlist_count": len(ids),
            "planner_signed_in": is_signed_in(planner),
            "planner_email": planner.email if is_signed_in(planner) else None}
