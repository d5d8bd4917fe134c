"""POST/PATCH/DELETE /api/v1/opportunities with a Bearer token, end to end: the store, the
outbox, what search shows after the drain, and every refusal (401/404/400/409)."""

from __future__ import annotations

import asyncio

from board.accounts import tokens
from board.indexing import outbox
from board.listings import services as listings
from board.store.tables import Opportunity
from tests.support.factories import listing_data, make_draft, make_institution, make_listing

API = "/api/v1/opportunities"


async def _token(institution_id: int) -> dict[str, str]:
    _, token = await tokens.create(institution_id, None, "tests")
    return {"Authorization": f"Bearer {token}"}


async def _drain(runtime) -> None:
    for _ in range(50):
        if not (await outbox.drain(runtime.gateway)).skipped and await outbox.pending_count() == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the outbox did not drain")


async def _search_ids(client, q: str) -> set[int]:
    resp = await client.get(API, params={"q": q, "per_page": 50})
    assert resp.status_code == 200, resp.text
    return {h["id"] for h in resp.json()["hits"]}


async def test_post_patch_delete_end_to_end(client, runtime):
    inst = await make_institution("Api Verified Hospital", verified=True)
    auth = await _token(inst)
    created = await client.post(API, headers=auth, json=listing_data(
        title="Quokka cardiology observership", fee_usd=250, lor_offered=True))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "published" and body["review_flags"] == []
    assert body["institution"] == {"name": "Api Verified Hospital", "verified": True}
    assert body["url"].endswith(f"/opportunities/{body['id']}")
    await _drain(runtime)
    assert await _search_ids(client, "Quokka") == {body["id"]}

    patched = await client.patch(f"{API}/{body['id']}", headers=auth,
                                 json={"title": "Wombat cardiology observership", "fee_usd": "0"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["title"] == "Wombat cardiology observership"
    assert patched.json()["fee_usd"] == 0 and patched.json()["lor_offered"] is True
    await _drain(runtime)
    assert await _search_ids(client, "Wombat") == {body["id"]}

    deleted = await client.delete(f"{API}/{body['id']}", headers=auth)
    assert deleted.status_code == 200 and deleted.json() == {"id": body["id"], "status": "closed"}
    await _drain(runtime)
    assert await _search_ids(client, "Wombat") == set()
    assert (await listings.get(body["id"]))["status"] == "closed"


async def test_the_drainer_makes_a_post_searchable_within_seconds(client, runtime):
    inst = await make_institution(verified=True)
    auth = await _token(inst)
    created = await client.post(API, headers=auth, json=listing_data(title="Platypus research post"))
    assert created.status_code == 201
    # No explicit drain: the kick after the commit wakes the runtime's drainer.
    for _ in range(100):
        if await _search_ids(client, "Platypus") == {created.json()["id"]}:
            break
        await asyncio.sleep(0.1)
    assert await _search_ids(client, "Platypus") == {created.json()["id"]}


async def test_drafts_pending_and_submit_later(client):
    verified = await make_institution(verified=True)
    unverified = await make_institution(verified=False)
    draft = await client.post(API, headers=await _token(verified),
                              json={**listing_data(), "submit": False})
    assert draft.status_code == 201 and draft.json()["status"] == "draft"
    submitted = await client.patch(f"{API}/{draft.json()['id']}", headers=await _token(verified),
                                   json={"submit": True})
    assert submitted.json()["status"] == "published"

    pending = await client.post(API, headers=await _token(unverified), json=listing_data())
    assert pending.json()["status"] == "pending"
    flagged = await client.post(API, headers=await _token(verified), json=listing_data(
        description="We guarantee a residency match to every observer."))
    assert flagged.json()["status"] == "pending"
    assert flagged.json()["review_flags"][0].startswith("promises a guaranteed")

    gone = await client.delete(f"{API}/{draft.json()['id']}", headers=await _token(verified))
    assert gone.json()["status"] == "closed"  # it was published by then
    new_draft = await client.post(API, headers=await _token(verified),
                                  json={**listing_data(), "submit": False})
    deleted = await client.delete(f"{API}/{new_draft.json()['id']}", headers=await _token(verified))
    assert deleted.json()["status"] == "deleted"
    assert await Opportunity.exists().where(Opportunity.id == new_draft.json()["id"]).run() is False


async def test_missing_bad_and_revoked_tokens_are_401(client):
    inst = await make_institution()
    token_id, token = await tokens.create(inst, None, "soon revoked")
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": f"Basic {token}"},
                    {"Authorization": f"Bearer {token}x"}):
        resp = await client.post(API, headers=headers, json=listing_data())
        assert resp.status_code == 401, (headers, resp.text)
        assert resp.json()["status_code"] == 401 and "token" in resp.json()["detail"]
    await tokens.revoke(token_id, inst)
    resp = await client.post(API, headers={"Authorization": f"Bearer {token}"}, json=listing_data())
    assert resp.status_code == 401 and "revoked" in resp.json()["detail"]
    opp = await make_listing(inst)
    for call in (client.patch(f"{API}/{opp}", json={"title": "Changed title"}),
                 client.delete(f"{API}/{opp}")):
        assert (await call).status_code == 401
    assert await Opportunity.count().run() == 1


async def test_another_institution_gets_404(client):
    a = await make_institution("Institution A")
    b = await make_institution("Institution B")
    opp = await make_listing(a, title="A's own listing")
    draft = await make_draft(a, title="A's draft listing")
    auth_b = await _token(b)
    for target in (opp, draft, 999_999):
        patched = await client.patch(f"{API}/{target}", headers=auth_b, json={"title": "Hijacked!"})
        assert patched.status_code == 404, patched.text
        assert (await client.delete(f"{API}/{target}", headers=auth_b)).status_code == 404
    assert (await listings.get(opp))["title"] == "A's own listing"
    assert (await listings.get(opp))["status"] == "published"
    assert (await listings.get(draft))["status"] == "draft"


async def test_validation_errors_are_400_naming_the_field(client):
    inst = await make_institution()
    auth = await _token(inst)
    cases = [
        (listing_data(fee_usd="a lot"), "fee_usd", "must be a whole number"),
        (listing_data(kind="vacation"), "kind", "must be one of"),
        ({**listing_data(), "salary": 5}, "salary", "is not a known field"),
        ({**listing_data(), "submit": "maybe"}, "submit", "must be true or false"),
        (listing_data(apply_url="", apply_email=""), "apply_url", "give a https link"),
        ({"title": "Only a title"}, "kind", "is required"),
    ]
    for payload, field, message in cases:
        resp = await client.post(API, headers=auth, json=payload)
        assert resp.status_code == 400, resp.text
        body = resp.json()
        assert body["field"] == field and message in body["errors"][field], body
    not_json = await client.post(API, headers={**auth, "Content-Type": "application/json"},
                                 content=b"not json")
    assert not_json.status_code == 400
    assert (await client.post(API, headers=auth, json=[1, 2])).status_code == 400
    assert await Opportunity.count().run() == 0
    opp = await make_listing(inst, start_date="2030-06-01")
    resp = await client.patch(f"{API}/{opp}", headers=auth, json={"application_deadline": "2030-07-01"})
    assert resp.status_code == 400 and resp.json()["field"] == "application_deadline"
    resp = await client.patch(f"{API}/{opp}", headers=auth, json={"state": "", "remote": False})
    assert resp.status_code == 400 and resp.json()["field"] == "state"
    assert await Opportunity.count().run() == 1


async def test_lifecycle_conflicts_are_409(client):
    inst = await make_institution()
    auth = await _token(inst)
    opp = await make_listing(inst)
    resp = await client.patch(f"{API}/{opp}", headers=auth, json={"submit": True})
    assert resp.status_code == 409 and "published listing cannot be submitted" in resp.json()["detail"]
    await listings.remove(opp)
    resp = await client.patch(f"{API}/{opp}", headers=auth, json={"title": "Back from the dead"})
    assert resp.status_code == 409


async def test_a_refused_patch_changes_nothing(client):
    # Before: the field update committed, then `submit` answered 409: the "failed" request
    # had already retitled the live listing and queued a search update.
    inst = await make_institution()
    auth = await _token(inst)
    opp = await make_listing(inst, title="Original echidna title")
    events_before = await outbox.pending_count()
    resp = await client.patch(f"{API}/{opp}", headers=auth,
                              json={"title": "Sneaky echidna title", "submit": True})
    assert resp.status_code == 409, resp.text
    row = await listings.get(opp)
    assert row["title"] == "Original echidna title" and row["status"] == "published"
    assert await outbox.pending_count() == events_before


async def test_a_null_expiry_on_a_live_listing_is_400(client):
    # Before: `expires_at: null` stored NULL: the live listing left search, never expired
    # and never got a reminder.
    inst = await make_institution()
    auth = await _token(inst)
    opp = await make_listing(inst)
    expires = (await listings.get(opp))["expires_at"]
    assert expires is not None
    resp = await client.patch(f"{API}/{opp}", headers=auth, json={"expires_at": None})
    assert resp.status_code == 400, resp.text
    assert resp.json()["field"] == "expires_at"
    assert (await listings.get(opp))["expires_at"] == expires
    draft = await make_draft(inst)
    resp = await client.patch(f"{API}/{draft}", headers=auth, json={"expires_at": None})
    assert resp.status_code == 200, resp.text  # a draft gets its expiry when published


async def test_openapi_documents_the_write_api_with_bearer_auth(client):
    schema = (await client.get("/schema/openapi.json")).json()
    assert schema["components"]["securitySchemes"]["BearerToken"] == {
        "type": "http", "scheme": "bearer",
        "description": "An institution API token, created on /dashboard/tokens"}
    post = schema["paths"][API]["post"]
    assert post["security"] == [{"BearerToken": []}]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["fee_usd"]["type"] == ["integer", "null"]
    assert body["required"] == ["title", "kind", "specialty"]
    assert {"201", "400", "401", "404"} <= set(post["responses"])
    item = schema["paths"][f"{API}/{{opportunity_id}}"]
    assert {"patch", "delete"} <= set(item) and item["delete"]["security"] == [{"BearerToken": []}]


async def test_missing_token_answers_401_with_a_bearer_challenge(client):
    r = await client.post("/api/v1/opportunities", json={"title": "Anything at all"})
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert "Bearer" in r.json()["detail"]
