"""A suspended institution's listings are out of sight everywhere the public looks, direct
links included: the listing page and GET /api/v1/opportunities/{id} answer 404 (as for a
private listing), /compare and /feed.ics leave them out, and the digest does not mail them.
Its own members still see the page; lifting the suspension brings it all back."""

from __future__ import annotations

import datetime as dt

from board.mail.transport import Mailer
from board.moderation.institutions import set_suspended
from jobs.slots import run_slot
from tests.support.app import app_client
from tests.support.factories import make_confirmed_subscriber, make_institution, make_listing
from tests.support.members import log_in_as, make_member
from tests.support.outbox import drain_all, wait_for_search


async def test_a_suspended_institutions_listing_answers_404_and_leaves_compare_and_feed(client):
    soon = dt.date.today() + dt.timedelta(days=20)  # a deadline: an event in the feed
    shady = await make_institution(name="Shady Clinic")
    fine = await make_institution(name="Fine Hospital")
    hidden = await make_listing(shady, title="Shady nephrology observership", state="NY",
                                application_deadline=soon)
    shown = await make_listing(fine, title="Fine nephrology observership", state="NY",
                               application_deadline=soon)
    other = await make_listing(fine, title="Fine cardiology observership", state="NY")
    await wait_for_search(client, lambda hits: {hidden, shown, other} <= {h["id"] for h in hits})
    assert (await client.get(f"/opportunities/{hidden}")).status_code == 200

    await set_suspended(shady, True)
    await wait_for_search(client, lambda hits: hidden not in {h["id"] for h in hits})
    page = await client.get(f"/opportunities/{hidden}")
    assert page.status_code == 404 and "Shady nephrology" not in page.text
    api = await client.get(f"/api/v1/opportunities/{hidden}")
    assert api.status_code == 404 and "Shady" not in api.text
    assert (await client.get(f"/api/v1/opportunities/{shown}")).status_code == 200
    # Compare with only one listing left to show answers 404; with two, the suspended one
    # is reported missing.
    assert (await client.get(f"/compare?ids={hidden},{shown}")).status_code == 404
    compare = await client.get(f"/compare?ids={hidden},{shown},{other}")
    assert compare.status_code == 200 and "Shady nephrology" not in compare.text
    assert "Fine nephrology" in compare.text and "Fine cardiology" in compare.text
    feed = await client.get("/feed.ics?q=nephrology")
    assert feed.status_code == 200 and "Fine nephrology" in feed.text and "Shady" not in feed.text

    # Its own member still opens the page (to see what the moderators saw).
    async with app_client(client.app) as member:
        await log_in_as(member, await make_member(shady, "owner@shady.example.org"))
        assert (await member.get(f"/opportunities/{hidden}")).status_code == 200

    await set_suspended(shady, False)
    await wait_for_search(client, lambda hits: hidden in {h["id"] for h in hits})
    assert (await client.get(f"/opportunities/{hidden}")).status_code == 200
    assert (await client.get(f"/api/v1/opportunities/{hidden}")).status_code == 200


async def test_the_digest_leaves_out_a_suspended_institutions_listing(runtime, smtp):
    runtime.mailer = Mailer(smtp.url, runtime.settings.var_dir / "mail", runtime.settings.mail_from)
    at = dt.datetime(2031, 1, 6, 0, 5, tzinfo=dt.UTC)
    await make_confirmed_subscriber("watch@example.com", {"state": ["NY"]}, at - dt.timedelta(days=3))
    shady, fine = await make_institution(name="Shady Clinic"), await make_institution()
    await make_listing(shady, now=at - dt.timedelta(days=1), title="Shady surgery observership",
                       state="NY", city="New York")
    await make_listing(fine, now=at - dt.timedelta(days=1), title="Fine surgery observership",
                       state="NY", city="New York")
    await set_suspended(shady, True, now=at - dt.timedelta(hours=12))
    await drain_all(runtime.gateway)
    assert (await run_slot(runtime, "digest", now=at))["counts"]["sent"] == 1
    [msg] = smtp.to("watch@example.com")
    text = msg.get_body(("plain",)).get_content()
    assert "Fine surgery observership" in text and "Shady" not in text
