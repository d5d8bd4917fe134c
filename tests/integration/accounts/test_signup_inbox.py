"""After sign-up: a "check your inbox" page that repeats the address and resends the link
(at most three a day per address), verifying signs the new member in on a new session id,
and an individual physician signs up without a website. Real app, store and .eml mails."""

from __future__ import annotations

import re

from board.store.tables import Institution
from tests.support.mail import link_in, mails
from tests.support.members import PASSWORD, post_form

PHYSICIAN = {
    "institution_name": "Dr. Amina Shah, Cardiology", "institution_kind": "physician",
    "website": "", "city": "Chicago", "state": "IL", "name": "Amina Shah",
    "email": "amina.shah@gmail.example", "password": PASSWORD,
}


async def test_check_inbox_resend_is_rate_limited_and_verifying_signs_in(client, settings):
    page = await post_form(client, "/signup", PHYSICIAN)
    assert page.url.path == "/signup/sent", page.text[:400]
    assert re.search(r'id="signup-email">amina.shah@gmail.example<', page.text)
    inst = await Institution.select().where(Institution.name == PHYSICIAN["institution_name"]
                                            ).first().run()
    assert inst["kind"] == "physician" and inst["website"] == ""
    assert len(mails(settings)) == 1
    for attempt in range(3):  # the daily allowance per address
        again = await post_form(client, "/signup/resend", {})
        assert again.status_code == 200 and "We sent a new link" in again.text, attempt
    assert len(mails(settings)) == 4
    refused = await post_form(client, "/signup/resend", {})
    assert refused.status_code == 429 and "try again tomorrow" in refused.text
    assert len(mails(settings)) == 4  # nothing more went out

    session_before = client.cookies.get("session")
    link = link_in(mails(settings)[-1], "/verify/")
    done = await post_form(client, link)
    assert done.url.path == "/dashboard" and PHYSICIAN["institution_name"] in done.text
    assert client.cookies.get("session") != session_before  # a new session id (rotated)


async def test_an_institution_still_needs_a_website_and_errors_follow_the_form(client):
    bad = {**PHYSICIAN, "institution_kind": "hospital", "email": "x", "state": "ZZ"}
    page = await post_form(client, "/signup", bad)
    assert page.status_code == 400
    summary = page.text.split('role="alert"', 1)[1].split("</ol>", 1)[0]
    assert re.findall(r'href="#f-([a-z_]+)"', summary) == ["website", "state", "email"]
