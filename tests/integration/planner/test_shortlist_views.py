"""Save and remove through the real app: without JavaScript the form comes back to its page
(never another site) with a flash; with htmx the button is swapped in place; /shortlist keeps
a listing that closes, expires or fills, marked, with remove buttons and the compare form."""

from __future__ import annotations

import datetime as dt

from board.listings import services as listings
from board.planner import shortlist
from board.planner.tables import Planner, ShortlistItem
from board.store.tables import Opportunity
from tests.support.factories import make_draft, make_institution, make_listing
from tests.support.members import csrf_token, post_form


async def test_save_without_js_goes_back_with_a_flash(client):
    inst = await make_institution()
    opp = await make_listing(inst, title="Pathology research")
    page = await client.get(f"/opportunities/{opp}")
    assert f'action="/shortlist/{opp}"' in page.text and ">Save<" in page.text

    saved = await post_form(client, f"/shortlist/{opp}", {"next": "/?specialty=Pathology"},
                            follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/?specialty=Pathology"
    landed = await client.get(f"/opportunities/{opp}")
    assert "Saved “Pathology research” to your shortlist." in landed.text
    assert f'action="/shortlist/{opp}/remove"' in landed.text and "Saved ✓" in landed.text
    assert 'id="shortlist-count"> (1)<' in landed.text

    # Saving twice keeps one row; another site as `next` or Referer is never followed.
    evil = await post_form(client, f"/shortlist/{opp}", {"next": "//evil.example/x"},
                           headers={"referer": "https://evil.example/page"},
                           follow_redirects=False)
    assert evil.headers["location"] == f"/opportunities/{opp}"
    assert await ShortlistItem.count().run() == 1
    own = await post_form(client, f"/shortlist/{opp}/remove",
                          headers={"referer": "http://testserver.local/shortlist"},
                          follow_redirects=False)
    assert own.headers["location"] == "/shortlist"
    assert await ShortlistItem.count().run() == 0

    # Unknown or private listings cannot be saved.
    draft = await make_draft(inst, title="Draft rotation")
    assert (await post_form(client, f"/shortlist/{draft}")).status_code == 404
    assert (await post_form(client, "/shortlist/999999")).status_code == 404
    assert (await client.post(f"/shortlist/{opp}")).status_code == 403  # no CSRF token


async def test_htmx_swaps_the_button_in_place(client):
    inst = await make_institution()
    opp = await make_listing(inst, title="Neurology observership")
    token = await csrf_token(client, "/")
    headers = {"HX-Request": "true"}
    saved = await client.post(f"/shortlist/{opp}", data={"_csrf_token": token}, headers=headers)
    assert saved.status_code == 200 and "<html" not in saved.text
    assert "Saved ✓" in saved.text and f'hx-post="/shortlist/{opp}/remove"' in saved.text
    assert 'hx-swap-oob="true">\u0020(1)<' in saved.text
    removed = await client.post(f"/shortlist/{opp}/remove", data={"_csrf_token": token},
                                headers=headers)
    assert ">Save<" in removed.text and f'hx-post="/shortlist/{opp}"' in removed.text
    assert await ShortlistItem.count().run() == 0
    assert await Planner.count().run() == 1  # one anonymous planner for the session


async def test_shortlist_keeps_closed_expired_and_full_listings_marked(client):
    inst = await make_institution()
    empty = await client.get("/shortlist")
    assert empty.status_code == 200 and "Nothing saved yet" in empty.text
    assert await Planner.count().run() == 0  # reading makes no planner

    titles = {"open": "Open surgery rotation", "closed": "Closed surgery rotation",
              "expired": "Expired surgery rotation", "full": "Full surgery rotation"}
    ids = {k: await make_listing(inst, title=t) for k, t in titles.items()}
    for opp in ids.values():
        await post_form(client, f"/shortlist/{opp}")
    await listings.close(ids["closed"])
    await Opportunity.update({Opportunity.expires_at: dt.datetime.now(dt.UTC)
                              - dt.timedelta(days=1)}).where(Opportunity.id == ids["expired"]).run()
    await listings.expire_due(dt.datetime.now(dt.UTC))
    await Opportunity.update({Opportunity.full_until: dt.date.today() + dt.timedelta(days=30)}
                             ).where(Opportunity.id == ids["full"]).run()

    page = await client.get("/shortlist")
    for status, opp in ids.items():
        assert f"shortlist__item--{status}" in page.text, status
        assert f'action="/shortlist/{opp}/remove"' in page.text
        assert f'name="ids" value="{opp}"' in page.text
    assert 'action="/compare"' in page.text and 'method="get"' in page.text
    planner = await Planner.select(Planner.id).first().run()
    rows = await shortlist.saved_listings(planner["id"], dt.datetime.now(dt.UTC))
    assert {r["id"]: r["shortlist_status"] for r in rows} == {v: k for k, v in ids.items()}
