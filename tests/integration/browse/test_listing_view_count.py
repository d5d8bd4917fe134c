"""The dashboard's view count is real: a visitor's page view adds one; the owner's own views
and crawlers' do not."""

from __future__ import annotations

from board.browse.counters import is_bot
from board.listings import services as listings
from tests.support.factories import make_institution, make_listing
from tests.support.members import login, make_member

BROWSER = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"}


async def _views(opp_id: int) -> int:
    return (await listings.get(opp_id))["views"]


async def test_visitor_views_are_counted_but_not_the_owners_or_bots(client):
    inst = await make_institution()
    opp_id = await make_listing(inst, title="Counted Observership")
    assert await _views(opp_id) == 0
    for _ in range(2):
        assert (await client.get(f"/opportunities/{opp_id}", headers=BROWSER)).status_code == 200
    assert await _views(opp_id) == 2

    bot = {"user-agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"}
    assert (await client.get(f"/opportunities/{opp_id}", headers=bot)).status_code == 200
    assert await _views(opp_id) == 2

    await make_member(inst, "owner-views@example.org")
    await login(client, "owner-views@example.org")
    page = await client.get(f"/opportunities/{opp_id}", headers=BROWSER)
    assert page.status_code == 200 and await _views(opp_id) == 2
    dashboard = await client.get("/dashboard")
    assert "Counted Observership" in dashboard.text and ">2<" in dashboard.text


def test_crawlers_are_recognised_by_their_user_agent():
    assert is_bot("Mozilla/5.0 (compatible; bingbot/2.0)") and is_bot(None) and is_bot("")
    assert not is_bot(BROWSER["user-agent"])
