"""The planner identity API against the real store: tables migrated, a shortlist is one row
per listing however often it is saved, and deleting a listing or a planner takes its rows."""

from __future__ import annotations

from board.planner import shortlist
from board.planner.identity import PLANNER_TABLES, create_planner
from board.planner.tables import Planner, ShortlistItem
from board.store.tables import Opportunity
from tests.support.factories import make_institution, make_listing


async def test_shortlist_saves_once_and_lists_newest_first(store):
    inst = await make_institution()
    first, second = await make_listing(inst), await make_listing(inst, title="Cardiology")
    planner = await create_planner()
    other = await create_planner()
    assert planner.calendar_token and planner.calendar_token != other.calendar_token
    assert planner.email is None and isinstance(PLANNER_TABLES, list)

    await shortlist.add(planner.id, first)
    await shortlist.add(planner.id, first)  # a double click
    await shortlist.add(planner.id, second)
    await shortlist.add(other.id, first)
    assert await shortlist.shortlist_ids(planner.id) == [second, first]
    assert await shortlist.count(planner.id) == 2
    assert await shortlist.is_saved(other.id, first)

    await shortlist.remove(planner.id, second)
    assert await shortlist.shortlist_ids(planner.id) == [first]

    await Opportunity.delete().where(Opportunity.id == first).run()
    await Planner.delete().where(Planner.id == other.id).run()
    assert await ShortlistItem.count().run() == 0  # both foreign keys cascade
