"""Subscribing (double opt-in), managing and one-click unsubscribing, through the real app,
with confirmation mails delivered to a real aiosmtpd server."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import importlib
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from board.digests import subscriptions
from board.digests.subscriptions import canonical_filters, filters_key, token_for
from board.mail.transport import Mailer
from board.store.tables import Subscriber
from tests.support.members import post_form


@pytest.fixture
def web(client, smtp):
    rt = client.app.state.runtime
    rt.mailer = Mailer(smtp.url, rt.settings.var_dir / "mail", rt.settings.mail_from)
    return client


def confirm_link(msg) -> str:
    return re.search(r"http://testserver\.local(/subscribe/confirm/\S+)",
                     msg.get_body(("plain",)).get_content()).group(1)


async def rows() -> list[dict]:
    return await Subscriber.select().order_by(Subscriber.id).run()


def test_filters_are_canonical_so_the_same_search_has_one_key():
    a = canonical_filters({"state": ["ny", "CA"], "kind": "research", "hands_on": True})
    b = canonical_filters({"hands_on": "true", "kind": ["research"], "state": ["CA", "NY"]})
    assert a == b == {"hands_on": ["true"], "kind": ["research"], "state": ["CA", "NY"]}
    assert filters_key(a) == filters_key(b) and len(filters_key(a)) == 64
    assert filters_key(a) != filters_key({"state": ["CA"]})


async def test_api_subscribe_mails_only_a_confirmation_and_confirming_twice_is_harmless(web, smtp):
    r = await web.post("/api/v1/subscriptions",
                       json={"email": "Ada@Example.com", "filters": {"state": ["NY"], "kind": "research"}})
    assert r.status_code == 202, r.text
    [msg] = smtp.to("ada@example.com")
    assert "New York" in msg.get_body(("plain",)).get_content()
    [row] = await rows()
    assert row["confirmed_at"] is None and row["email"] == "ada@example.com"
    link = confirm_link(msg)
    # Following the link (as a mail scanner does) only shows the button.
    page = await web.get(link)
    assert page.status_code == 200 and "Confirm my subscription" in page.text
    assert f'action="{link}"' in page.text and "New York" in page.text
    assert (await rows())[0]["confirmed_at"] is None
    assert (await post_form(web, link)).status_code == 200
    first = (await rows())[0]["confirmed_at"]
    assert first is not None
    again = await post_form(web, link)
    assert again.status_code == 200 and (await rows())[0]["confirmed_at"] == first
    # Same address, same filters written differently: no duplicate, no new mail.
    r = await web.post("/api/v1/subscriptions",
                       json={"email": "ada@example.com", "filters": {"kind": ["research"], "state": "ny"}})
    assert r.status_code == 202 and len(await rows()) == 1 and len(smtp.to("ada@example.com")) == 1


@pytest.mark.parametrize("body, field", [
    ({"email": "not-an-email", "filters": {}}, "email"),
    ({"filters": {"state": ["NY"]}}, "email"),
    ({"email": "a@example.com", "filters": {"state": ["ZZ"]}}, "filters.state"),
    ({"email": "a@example.com", "filters": {"colour": "blue"}}, "filters.colour"),
    ({"email": "a@example.com", "filters": ["state"]}, "filters"),
])
async def test_bad_subscriptions_answer_400_naming_the_field(web, smtp, body, field):
    r = await web.post("/api/v1/subscriptions", json=body)
    assert r.status_code == 400 and r.json()["field"] == field, r.text
    assert await rows() == [] and smtp.messages == []


async def test_confirmation_mails_are_limited_per_address(web, smtp):
    codes = [(await web.post("/api/v1/subscriptions", json={"email": "bomb@example.com",
                                                            "filters": {}})).status_code
             for _ in range(5)]
    assert codes == [202, 202, 202, 429, 429]
    assert len(smtp.to("bomb@example.com")) == 3 and len(await rows()) == 1


async def test_subscribe_form_is_prefilled_from_the_search(web, smtp):
    page = await web.get("/subscribe?state=NY&kind=research&page=3")
    assert page.status_code == 200
    assert "State: New York" in page.text and 'name="state" value="NY"' in page.text
    assert 'name="page"' not in page.text
    token = web.cookies["csrftoken"]
    done = await web.post("/subscribe", data={"email": "form@example.com", "state": "NY",
                                              "kind": "research", "_csrf_token": token})
    assert done.status_code == 200 and "Check your inbox" in done.text
    [row] = await rows()
    assert subscriptions.stored_filters(row) == {"kind": ["research"], "state": ["NY"]}
    bad = await web.post("/subscribe", data={"email": "nope", "state": "NY", "_csrf_token": token})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.text


async def confirmed(email: str = "reader@example.com") -> dict:
    out = await subscriptions.subscribe(email, {"state": ["TX"]}, "unused")
    row = (await rows())[-1]
    await subscriptions.confirm(row)
    assert out.subscriber_id == row["id"]
    return (await rows())[-1]


async def test_one_click_unsubscribe_needs_no_cookie_and_is_idempotent(web):
    row = await confirmed()
    token = token_for(row, "manage", web.app.state.runtime.settings.secret_key)
    page = await web.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and 'method="post"' in page.text
    assert (await rows())[0]["unsubscribed_at"] is None  # GET changes nothing
    web.cookies.clear()
    r = await web.post(f"/unsubscribe/{token}", content=b"List-Unsubscribe=One-Click",
                       headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and not r.history
    first = (await rows())[0]["unsubscribed_at"]
    assert first is not None
    web.cookies.clear()
    r = await web.post(f"/unsubscribe/{token}", content=b"List-Unsubscribe=One-Click",
                       headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and (await rows())[0]["unsubscribed_at"] == first


async def test_an_unsubscribe_token_can_only_unsubscribe(web):
    # Before: the unsubscribe link carried the manage token (filters, pause) for a year.
    row = await confirmed()
    token = token_for(row, "unsubscribe", web.app.state.runtime.settings.secret_key)
    assert (await web.get(f"/manage/{token}")).status_code == 400
    page = await web.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and f"/manage/{token}" not in page.text
    web.cookies.clear()
    r = await web.post(f"/unsubscribe/{token}", content=b"List-Unsubscribe=One-Click",
                       headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and (await rows())[0]["unsubscribed_at"] is not None


async def test_tampered_or_expired_tokens_change_nothing(web):
    row = await confirmed()
    secret = web.app.state.runtime.settings.secret_key
    token = token_for(row, "manage", secret)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    from board.core import signing

    expired = signing.sign("manage", [row["id"], row["token"][:16]], -1, key=secret)
    confirm_token = token_for(row, "confirm", secret)  # right signature, wrong purpose
    for bad in (tampered, expired, confirm_token, "garbage"):
        assert (await web.post(f"/unsubscribe/{bad}")).status_code in {400, 404}
        assert (await web.get(f"/manage/{bad}")).status_code in {400, 404}
    assert (await rows())[0]["unsubscribed_at"] is None


async def test_manage_link_pauses_resumes_and_changes_filters(web):
    row = await confirmed()
    token = token_for(row, "manage", web.app.state.runtime.settings.secret_key)
    page = await web.get(f"/manage/{token}")
    assert page.status_code == 200 and "State: Texas" in page.text
    csrf = web.cookies["csrftoken"]
    r = await web.post(f"/manage/{token}", data={"action": "pause", "_csrf_token": csrf})
    assert r.status_code == 200 and (await rows())[0]["paused"] is True
    await web.post(f"/manage/{token}", data={"action": "resume", "_csrf_token": csrf})
    assert (await rows())[0]["paused"] is False
    r = await web.post(f"/manage/{token}", data={"action": "filters", "state": ["CA", "NY"],
                                                 "hands_on": "true", "_csrf_token": csrf})
    assert r.status_code == 200
    now = (await rows())[0]
    assert subscriptions.stored_filters(now) == {"hands_on": ["true"], "state": ["CA", "NY"]}
    assert now["filters_key"] == filters_key({"hands_on": ["true"], "state": ["CA", "NY"]})
    bad = await web.post(f"/manage/{token}", data={"action": "filters", "fee_max": "-4",
                                                   "_csrf_token": csrf})
    assert bad.status_code == 400 and (await rows())[0]["filters_key"] == now["filters_key"]
    await web.post(f"/manage/{token}", data={"action": "unsubscribe", "_csrf_token": csrf})
    assert (await rows())[0]["unsubscribed_at"] is not None


async def test_editing_an_alert_in_search_keeps_every_filter(web):
    # Before: the manage form carried only some filters; a payee, visa or cost filter set
    # through the search page was silently dropped when the subscriber saved it. Now the
    # alert is edited on the search page itself: its link holds every filter.
    filters = {"state": ["TX"], "payee": ["institution"], "visa": ["b1b2"],
               "cost_max": ["1500"], "hands_on_min": ["2"], "graduation_year": ["2019"]}
    await subscriptions.subscribe("keeper@example.com", filters, "unused")
    row = (await rows())[-1]
    await subscriptions.confirm(row)
    token = token_for(row, "manage", web.app.state.runtime.settings.secret_key)
    page = await web.get(f"/manage/{token}")
    edit = re.search(r'href="(/\?[^"]+)">Edit in search', page.text).group(1).replace("&amp;", "&")
    params = parse_qs(urlsplit(edit).query)
    assert params.pop("alert") == [token]
    assert canonical_filters(params) == canonical_filters(filters)
    search = await web.get(edit)
    assert search.status_code == 200 and "Update this alert" in search.text
    assert "Email me new matches" not in search.text
    r = await web.post(f"/manage/{token}/alert", data={
        **params, "state": "CA", "sort": "relevance", "fee_max": "", "subscribe_email": "",
        "_csrf_token": web.cookies["csrftoken"]}, follow_redirects=True)
    assert r.status_code == 200 and "now uses the search" in r.text
    assert subscriptions.stored_filters((await rows())[-1]) == canonical_filters(
        {**filters, "state": ["CA"]})


async def test_resubscribing_after_unsubscribe_needs_a_new_confirmation(web, smtp):
    row = await confirmed("back@example.com")
    await subscriptions.unsubscribe(row)
    r = await web.post("/api/v1/subscriptions", json={"email": "back@example.com",
                                                      "filters": {"state": "TX"}})
    assert r.status_code == 202 and len(await rows()) == 1
    again = (await rows())[0]
    assert again["unsubscribed_at"] is None and again["confirmed_at"] is None
    old = token_for(row, "manage", web.app.state.runtime.settings.secret_key)
    assert (await web.get(f"/manage/{old}")).status_code == 400  # old links died
    assert len(smtp.to("back@example.com")) == 1


async def test_concurrent_subscribes_of_one_search_make_one_row(web):
    # Before: no unique (email, filters) constraint; on PostgreSQL two concurrent
    # subscribes could both insert, and the address got two digests a week.
    outcomes = await asyncio.gather(*[
        subscriptions.subscribe("Twin@Example.com", {"state": ["NY", "CA"]}, "unused")
        for _ in range(8)])
    [row] = await rows()
    assert {o.subscriber_id for o in outcomes} == {row["id"]}
    with pytest.raises(Exception):  # noqa: B017 (sqlite3 or asyncpg: the store refuses it)
        await Subscriber(email=row["email"], filters=row["filters"],
                         filters_key=row["filters_key"], token="x" * 64).save().run()
    assert len(await rows()) == 1


async def test_the_migration_merges_existing_duplicates(web):
    migration = importlib.import_module(
        "board.piccolo_migrations.board_2026_11_29t00_56_00_000000")
    await Subscriber.raw(migration.DROP_INDEX).run()
    try:
        now = dt.datetime.now(dt.UTC)
        for i, (email, confirmed_at) in enumerate([("dup@example.com", None),
                                                   ("Dup@Example.com", now),
                                                   ("dup@example.com", None)]):
            await Subscriber(email=email, filters={"state": ["NY", "CA"]}, filters_key=str(i),
                             token=f"{i}" * 64, confirmed_at=confirmed_at).save().run()
    finally:
        await migration._normalise_and_dedupe()
    [row] = await rows()
    assert row["confirmed_at"] is not None and row["email"] == "dup@example.com"
    assert row["filters_key"] == filters_key(canonical_filters({"state": ["CA", "NY"]}))


async def test_links_signed_with_an_old_key_work_while_it_is_a_fallback(web):
    # Before: changing SECRET_KEY broke every year-long unsubscribe and manage link at once.
    rt = web.app.state.runtime
    old_key = rt.settings.secret_key
    row = await confirmed("rotated@example.com")
    token = token_for(row, "unsubscribe", old_key)
    new_key = "n3w-" + "k" * 40
    rt.settings = dataclasses.replace(rt.settings, secret_key=new_key, secret_key_fallbacks=())
    web.cookies.clear()
    refused = await web.post(f"/unsubscribe/{token}", content=b"List-Unsubscribe=One-Click",
                             headers={"content-type": "application/x-www-form-urlencoded"})
    assert refused.status_code == 400 and (await rows())[-1]["unsubscribed_at"] is None
    rt.settings = dataclasses.replace(rt.settings, secret_key_fallbacks=(old_key,))
    web.cookies.clear()
    ok = await web.post(f"/unsubscribe/{token}", content=b"List-Unsubscribe=One-Click",
                        headers={"content-type": "application/x-www-form-urlencoded"})
    assert ok.status_code == 200 and (await rows())[-1]["unsubscribed_at"] is not None
    # New links are signed with the new key only.
    fresh = token_for(row, "manage", rt.settings.signing_keys)
    assert fresh == token_for(row, "manage", new_key) != token_for(row, "manage", old_key)
