"""Subscribing from the search results (the inline box posts the search form itself), the
"Update this alert" box on a search opened from a manage page, and the digest's words: the
week as people say it (never "2026-W48") and "Rolling" for a missing date."""

from __future__ import annotations

import datetime as dt
import re

from board.digests import subscriptions
from board.digests.emails import period_of, week_label
from board.digests.subscriptions import token_for
from board.mail.transport import Mailer
from board.store.tables import Subscriber
from jobs.slots import run_slot
from tests.support.factories import make_confirmed_subscriber, make_institution, make_listing
from tests.support.outbox import drain_all, wait_for_search

ISO_WEEK = re.compile(r"\b\d{4}-W\d{2}\b")


async def _web(client, smtp):
    rt = client.app.state.runtime
    rt.mailer = Mailer(smtp.url, rt.settings.var_dir / "mail", rt.settings.mail_from)
    return client


def _search_form(**fields) -> dict:
    # What the search form sends: every control, most of them empty.
    return {"q": "", "sort": "relevance", "fee_max": "", "cost_max": "", "hands_on_min": "",
            "near": "", "radius_miles": "50", "facet_q": "", **fields}


async def test_inline_box_subscribes_with_the_search_filters_and_says_the_day(client, smtp):
    web = await _web(client, smtp)
    page = await web.get("/?state=NY&kind=research")
    assert page.status_code == 200
    box = page.text[page.text.index('id="subscribe-inline"'):]
    assert "Email me new matches" in box and "every Monday" in box
    assert 'formaction="/subscribe/inline"' in box and 'name="subscribe_email"' in box
    csrf = web.cookies["csrftoken"]
    # Without JavaScript: the whole search form posts, the sent page answers.
    done = await web.post("/subscribe/inline", data=_search_form(
        state="NY", kind="research", fee_max="300", subscribe_email="inline@example.com",
        _csrf_token=csrf))
    assert done.status_code == 200 and "Check your inbox" in done.text
    [row] = await Subscriber.select().run()
    assert subscriptions.stored_filters(row) == {"fee_max": ["300"], "kind": ["research"],
                                                 "state": ["NY"]}
    [msg] = smtp.to("inline@example.com")
    assert "New York" in msg.get_body(("plain",)).get_content()
    # With htmx: the box itself comes back, saying so.
    swapped = await web.post("/subscribe/inline", headers={"HX-Request": "true"}, data=_search_form(
        state="CA", subscribe_email="second@example.com", _csrf_token=csrf))
    assert swapped.status_code == 200 and "<html" not in swapped.text
    assert "Check your inbox" in swapped.text and 'id="subscribe-inline"' in swapped.text
    bad = await web.post("/subscribe/inline", headers={"HX-Request": "true"}, data=_search_form(
        subscribe_email="not-an-address", _csrf_token=csrf))
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.text
    assert "subscribe-inline-error" in bad.text
    # A search carrying an empty address field (no-JS form submit) still searches.
    assert (await web.get("/?state=NY&subscribe_email=")).status_code == 200


async def test_update_this_alert_replaces_the_stored_filters(client, smtp):
    web = await _web(client, smtp)
    out = await subscriptions.subscribe("alert@example.com", {"state": ["TX"]}, "unused")
    row = (await Subscriber.select().where(Subscriber.id == out.subscriber_id).first().run())
    await subscriptions.confirm(row)
    token = token_for(row, "manage", web.app.state.runtime.settings.secret_key)
    page = await web.get(f"/?state=TX&alert={token}")
    assert "Update this alert" in page.text and f'formaction="/manage/{token}/alert"' in page.text
    # Inside the search form: a further search (htmx or not) keeps the alert.
    assert f'<input type="hidden" name="alert" value="{token}">' in page.text
    # Paging keeps the alert: the links (and so the htmx-pushed URLs) carry it.
    inst = await make_institution(name="Paging Institute")
    ids = [await make_listing(inst, title=f"Paged listing {n}", state="TX") for n in range(2)]
    await wait_for_search(web, lambda hits: set(ids) <= {h["id"] for h in hits})
    paged = await web.get(f"/?state=TX&per_page=1&alert={token}")
    nxt = re.search(r'<a href="([^"]+)" rel="next">', paged.text)
    assert nxt and f"alert={token}" in nxt.group(1).replace("&amp;", "&")
    second = await web.get(nxt.group(1).replace("&amp;", "&"))
    assert "Update this alert" in second.text and "Email me new matches" not in second.text
    swapped = await web.get(nxt.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"})
    assert "Update this alert" in swapped.text and f"alert={token}" in swapped.text
    # A forged token gets the ordinary box.
    assert "Email me new matches" in (await web.get("/?state=TX&alert=forged")).text
    r = await web.post(f"/manage/{token}/alert", headers={"HX-Request": "true"}, data=_search_form(
        state="TX", hands_on="true", near="Houston, TX", radius_miles="100",
        _csrf_token=web.cookies["csrftoken"]))
    assert r.status_code == 200 and "Alert updated" in r.text and f'value="{token}"' in r.text
    stored = subscriptions.stored_filters(
        await Subscriber.select().where(Subscriber.id == row["id"]).first().run())
    assert stored["hands_on"] == ["true"] and stored["radius_miles"] == ["100"]
    assert stored["state"] == ["TX"] and "near" in stored


def test_week_label_speaks_plainly():
    assert week_label("2026-W48") == "week of 23 November"
    assert week_label(period_of(dt.datetime(2031, 1, 8, tzinfo=dt.UTC))) == "week of 6 January"


async def test_digest_mail_has_no_iso_week_and_says_rolling(runtime, smtp):
    runtime.mailer = Mailer(smtp.url, runtime.settings.var_dir / "mail", runtime.settings.mail_from)
    at = dt.datetime(2031, 1, 6, 0, 5, tzinfo=dt.UTC)
    await make_confirmed_subscriber("weekly@example.com", {"state": ["NY"]}, at - dt.timedelta(days=3))
    inst = await make_institution()
    await make_listing(inst, now=at - dt.timedelta(days=1), title="Rolling cardiology observership",
                       state="NY", city="New York", start_date=None, application_deadline=None)
    await drain_all(runtime.gateway)
    assert (await run_slot(runtime, "digest", now=at))["counts"]["sent"] == 1
    [msg] = smtp.to("weekly@example.com")
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    for part in (msg["Subject"], text, html):
        assert not ISO_WEEK.search(part), part
    assert "week of 6 January" in text and "week of 6 January" in html
    assert "Starts: Rolling" in text and "Deadline: Rolling" in text
    assert "overflow-wrap" in html and "#0b5f7a" in html and "IMG Opportunity Board" in html
