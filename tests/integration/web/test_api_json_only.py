"""Writes to /api/ must be JSON: a cross-site page can send text/plain or a form without a
preflight, so before this rule it could subscribe a visitor's address (the API is exempt
from CSRF). Now every such write answers 415 naming the Content-Type, and changes nothing."""

from __future__ import annotations

import json

from board.accounts import tokens
from board.store.tables import Opportunity, Subscriber
from tests.support.factories import make_institution, make_listing

SUBSCRIBE = {"email": "victim@example.org", "filters": {"state": ["NY"]}}


async def test_a_text_plain_or_form_subscribe_is_refused_with_415(client):
    body = json.dumps(SUBSCRIBE).encode()
    for headers in ({"Content-Type": "text/plain"}, {"Content-Type": "text/plain;charset=UTF-8"},
                    {"Content-Type": "application/x-www-form-urlencoded"},
                    {"Content-Type": "multipart/form-data; boundary=x"}, {}):
        r = await client.post("/api/v1/subscriptions", content=body, headers=headers)
        assert r.status_code == 415, (headers, r.status_code, r.text)
        assert "application/json" in r.json()["detail"] and r.json()["field"] == "Content-Type"
    assert await Subscriber.count().run() == 0
    ok = await client.post("/api/v1/subscriptions", content=body,
                           headers={"Content-Type": "application/json; charset=utf-8"})
    assert ok.status_code == 202, ok.text
    assert await Subscriber.count().run() == 1


async def test_every_api_write_method_needs_json_but_a_bare_delete_does_not(client):
    inst = await make_institution()
    _, token = await tokens.create(inst, None, "tests")
    auth = {"Authorization": f"Bearer {token}"}
    opp = await make_listing(inst)
    plain = {**auth, "Content-Type": "text/plain"}
    url = f"/api/v1/opportunities/{opp}"
    assert (await client.patch(url, headers=plain, content=b'{"title": "Changed title"}')
            ).status_code == 415
    assert (await client.post("/api/v1/opportunities", headers=plain, content=b"{}")
            ).status_code == 415
    assert (await client.request("DELETE", url, headers=plain, content=b"x")).status_code == 415
    assert (await Opportunity.select(Opportunity.title).where(Opportunity.id == opp).first()
            .run())["title"] != "Changed title"
    assert (await client.delete(url, headers=auth)).status_code in (200, 204)
