"""The dashboard form carries the IMG facts of issue 14: grouped, with help text, an
explicit "Not stated" for choices, checkboxes for lists; the cross-field rule is an error
next to its field; an edit shows what was stored."""

from __future__ import annotations

import re

from board.listings import services as listings
from board.store.tables import Opportunity
from tests.support.factories import listing_data, make_institution
from tests.support.members import login, make_member, post_form

FORM = {**listing_data(title="Internal Medicine Observership"), "fee_usd": "1500",
        "application_fee_usd": "100", "deposit_usd": "899", "refund_policy": "",
        "payee": "intermediary", "intermediary_name": "Example Rotations LLC",
        "lor_policy": "on_request", "participants_last_year": "15", "letters_last_year": "12",
        "hands_on_level": "2", "setting": "both", "visa_statuses": ["b1b2", "j1"],
        "open_to": [], "remote_from_abroad": "false"}


async def _member(client) -> int:
    inst = await make_institution()
    await make_member(inst, f"facts{inst}@example.org")
    await login(client, f"facts{inst}@example.org")
    return inst


async def test_the_form_groups_the_facts_with_not_stated_choices(client):
    await _member(client)
    form = (await client.get("/dashboard/opportunities/new")).text
    for legend in ("What the participant does", "Money", "Letters", "Visa"):
        assert f"<legend>{legend}</legend>" in form, legend
    assert re.search(r'name="refund_policy" value="" checked> Not stated', form)
    assert re.search(r'name="hands_on_level" value="" checked> Not stated', form)
    assert 'value="3"> 3 · Writes notes in the EHR under supervision' in form
    assert 'type="checkbox" name="visa_statuses" value="b1b2"' in form
    assert 'name="remote_from_abroad" value="false"> No' in form
    assert "empty = not stated" in form  # the fee's help text
    assert not re.search(r'id="f-fee_usd"[^>]*value="0"', form)  # never prefilled as free


async def test_intermediary_without_a_name_is_an_error_next_to_the_field(client):
    await _member(client)
    page = await post_form(client, "/dashboard/opportunities/new",
                           {**FORM, "intermediary_name": ""})
    assert page.status_code == 400
    assert 'id="intermediary_name-error"' in page.text
    assert re.search(r'name="visa_statuses" value="j1" checked', page.text)  # ticks kept
    assert await Opportunity.count().run() == 0


async def test_saved_facts_are_stored_and_shown_again_on_edit(client):
    await _member(client)
    page = await post_form(client, "/dashboard/opportunities/new", FORM)
    assert page.status_code == 200, page.text[:300]
    [row] = await Opportunity.select(Opportunity.id).run()
    stored = await listings.get(row["id"])
    assert stored["visa_statuses"] == ["b1b2", "j1"] and stored["open_to"] is None
    assert stored["refund_policy"] is None and stored["remote_from_abroad"] is False
    assert stored["total_cost_usd"] == 2499 and stored["hands_on"] is True
    assert stored["lor_offered"] is True and stored["b1b2_accepted"] is True
    edit = (await client.get(f"/dashboard/opportunities/{row['id']}/edit")).text
    assert re.search(r'name="payee" value="intermediary" checked', edit)
    assert re.search(r'name="visa_statuses" value="b1b2" checked', edit)
    assert re.search(r'name="remote_from_abroad" value="false" checked', edit)
    assert re.search(r'name="refund_policy" value="" checked> Not stated', edit)
