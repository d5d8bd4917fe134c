"""An institution member logging in on a browser that already has an anonymous shortlist
keeps it: the login rotates the session (new id, the old row deleted) but carries the
browser's planner over; nothing else of the old session survives."""

from __future__ import annotations

from board.planner import shortlist
from board.planner.tables import Planner
from tests.support.factories import make_institution, make_listing
from tests.support.members import log_in_as, make_member, post_form


async def test_member_login_keeps_the_browsers_anonymous_shortlist(client):
    inst = await make_institution()
    opp = await make_listing(inst, title="Nephrology observership")
    saved = await post_form(client, f"/shortlist/{opp}", {"next": "/shortlist"})
    assert saved.status_code == 200 and "Nephrology observership" in saved.text
    [planner] = await Planner.select(Planner.id).where(Planner.email.is_null()).run()
    before = client.cookies.get("session")

    await log_in_as(client, await make_member(inst, "host@example.org"))
    assert client.cookies.get("session") not in (None, before)  # rotated all the same
    assert (await client.get("/dashboard", follow_redirects=False)).status_code == 200
    page = await client.get("/shortlist")
    assert "Nephrology observership" in page.text
    assert await Planner.count().run() == 1  # the same planner, not a new one
    assert await shortlist.shortlist_ids(planner["id"]) == [opp]
