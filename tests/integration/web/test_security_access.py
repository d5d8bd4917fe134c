"""A member of institution B cannot see or act on institution A's listings: 404 (not 403)
for every dashboard route, and drafts stay invisible on the public page."""

from __future__ import annotations

import pytest

from board.listings import services as listings
from tests.support.factories import listing_data, make_draft, make_institution, make_listing
from tests.support.members import login, make_member, post_form


@pytest.fixture
async def two_institutions(client):
    a = await make_institution(name="Institution A")
    b = await make_institution(name="Institution B")
    await make_member(a, "a@example.org")
    await make_member(b, "b@example.org")
    draft = await make_draft(a, title="A's Secret Draft")
    live = await make_listing(a, title="A's Published Listing")
    await login(client, "b@example.org")
    return {"draft": draft, "live": live}


@pytest.mark.parametrize("which", ["draft", "live"])
@pytest.mark.parametrize("path", ["preview", "edit"])
async def test_get_pages_of_another_institution_are_404(client, two_institutions, which, path):
    page = await client.get(f"/dashboard/opportunities/{two_institutions[which]}/{path}")
    assert page.status_code == 404
    assert "A&#39;s" not in page.text and "A's" not in page.text


@pytest.mark.parametrize("which", ["draft", "live"])
@pytest.mark.parametrize("action", ["edit", "submit", "renew", "close"])
async def test_actions_on_another_institution_are_404_and_change_nothing(client, two_institutions,
                                                                        which, action):
    opp_id = two_institutions[which]
    before = await listings.get(opp_id)
    data = listing_data(title="Hijacked title") if action == "edit" else {}
    page = await post_form(client, f"/dashboard/opportunities/{opp_id}/{action}", data)
    assert page.status_code == 404
    after = await listings.get(opp_id)
    assert (after["status"], after["title"], after["expires_at"]) == (
        before["status"], before["title"], before["expires_at"])


async def test_drafts_of_another_institution_are_404_on_the_public_page(client, two_institutions):
    assert (await client.get(f"/opportunities/{two_institutions['draft']}")).status_code == 404
    assert (await client.get(f"/opportunities/{two_institutions['live']}")).status_code == 200
    assert "A&#39;s Secret Draft" not in (await client.get("/dashboard")).text
