"""The IMG facts of issue 14 against the real Meilisearch and the served pages: "not stated"
never matches "free", "no letter", a maximum cost or a minimum hands-on level; the cost sort
puts it last; hits and the API carry every new field; the listing page says "Not stated";
JSON-LD tells a paid position from a program the IMG pays for."""

from __future__ import annotations

import json
import re

from tests.support.factories import make_institution, make_listing
from tests.support.outbox import drain_all

API = "/api/v1/opportunities"
FULL = {"application_fee_usd": 100, "fee_usd": 1500, "deposit_usd": 899,
        "refund_policy": "visa_denial_only", "refund_terms": "Refund only on a visa denial.",
        "payee": "intermediary", "intermediary_name": "Example Rotations LLC",
        "lor_policy": "on_request", "participants_last_year": 15, "letters_last_year": 12,
        "hands_on_level": 3, "ehr_access": "write", "setting": "both", "hours_per_week": 40,
        "seats": 2, "open_to": ["graduate"], "visa_statuses": ["b1b2", "j1"],
        "remote_from_abroad": False}


async def _ids(client, **params) -> set[int]:
    resp = await client.get(API, params={**params, "per_page": 50})
    assert resp.status_code == 200, resp.text
    return {h["id"] for h in resp.json()["hits"]}


async def test_not_stated_never_matches_free_no_letter_cost_or_level(client, runtime):
    inst = await make_institution("Facts Hospital")
    silent = await make_listing(inst, title="Silent observership", fee_usd=None)
    free = await make_listing(inst, title="Free observership", fee_usd=0, lor_policy="none",
                              hands_on_level=0)
    full = await make_listing(inst, title="Brokered observership", **FULL)
    await drain_all(runtime.gateway)
    assert await _ids(client, fee_max=0) == {free}
    assert await _ids(client, cost_max=0) == {free}
    assert await _ids(client, cost_max=5000) == {free, full}
    assert await _ids(client, hands_on_min=0) == {free, full}
    assert await _ids(client, hands_on_min=3) == {full}
    assert await _ids(client, lor_offered="false") == {free}
    assert await _ids(client, lor_policy="none") == {free}
    assert await _ids(client, lor_offered="true") == {full}
    assert await _ids(client, open_to="graduate") == {full}
    assert await _ids(client, visa_statuses=["j1", "h1b"]) == {full}
    assert await _ids(client, payee="intermediary", setting="both") == {full}
    body = (await client.get(API, params={"sort": "cost"})).json()
    assert [h["id"] for h in body["hits"]] == [free, full, silent]  # not stated last
    assert body["facet_stats"]["total_cost_usd"] == {"min": 0, "max": 2499}
    assert body["facets"]["lor_offered"] == {"true": 1, "false": 1}  # silence counts nowhere
    assert body["facets"]["visa_statuses"] == {"b1b2": 1, "j1": 1}
    hit = next(h for h in body["hits"] if h["id"] == full)
    assert {k: hit[k] for k in FULL} == FULL and hit["total_cost_usd"] == 2499
    assert hit["lor_offered"] is True and hit["hands_on"] is True and hit["b1b2_accepted"] is True
    quiet = next(h for h in body["hits"] if h["id"] == silent)
    assert quiet["fee_usd"] is None and quiet["total_cost_usd"] is None
    assert quiet["open_to"] is None and quiet["remote_from_abroad"] is None
    one = (await client.get(f"{API}/{full}")).json()
    assert {k: one[k] for k in FULL} == FULL and one["total_cost_usd"] == 2499


async def test_new_parameters_are_validated_and_documented(client, runtime):
    for query, param in [("hands_on_min=5", "hands_on_min"), ("cost_max=-1", "cost_max"),
                         ("payee=broker", "payee"), ("open_to=resident", "open_to"),
                         ("visa_statuses=tourist", "visa_statuses"), ("sort=price", "sort")]:
        resp = await client.get(f"{API}?{query}")
        assert resp.status_code == 400 and resp.json()["field"] == param, query
    schema = (await client.get("/schema/openapi.json")).json()
    names = {p["name"] for p in schema["paths"][API]["get"]["parameters"]}
    assert {"payee", "refund_policy", "lor_policy", "setting", "open_to", "visa_statuses",
            "hands_on_min", "cost_max"} <= names
    page = await client.get("/", params={"payee": "intermediary", "hands_on_min": "2",
                                         "cost_max": "1000"})
    assert page.status_code == 200
    assert "A company in between (intermediary)" in page.text  # the facet's label
    assert "Hands-on at least level 2" in page.text and "Total cost up to $1,000" in page.text


async def test_listing_page_shows_what_you_will_pay_and_says_not_stated(client, runtime):
    inst = await make_institution("Page Hospital")
    full = await make_listing(inst, title="Brokered observership", **FULL)
    silent = await make_listing(inst, title="Silent observership", fee_usd=None)
    await drain_all(runtime.gateway)
    page = (await client.get(f"/opportunities/{full}")).text
    box = re.search(r'id="what-you-will-pay">(.*?)</section>', page, re.S).group(1)
    assert "$100" in box and "$1,500" in box and "$899" in box and "$2,499" in box
    assert "Refund only if the visa is denied" in box and "Example Rotations LLC" in box
    assert 'id="intermediary-notice"' in page and "<strong>Example Rotations LLC</strong>" in page
    assert "12 of 15 participants last year got a letter" in page
    assert "writes notes in the ehr under supervision" in page.lower()
    assert "B-1/B-2 visitor, J-1" in page and "Graduates" in page
    data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["@type"] == "EducationalOccupationalProgram"  # the IMG pays: not a job
    assert data["offers"]["price"] == 2499 and data["provider"]["name"] == "Page Hospital"
    quiet = (await client.get(f"/opportunities/{silent}")).text
    box = re.search(r'id="what-you-will-pay">(.*?)</section>', quiet, re.S).group(1)
    assert "Free" not in box and box.count("Not stated") >= 6
    assert "Cost not stated" in quiet
    results = (await client.get("/", params={"q": "observership"})).text
    assert "Cost not stated" in results and "Total $2,499" in results and "Hands-on 3/4" in results
    feed = (await client.get("/feed.atom")).text
    assert "Total $2,499" in feed and "12 of 15 participants" in feed and "Cost not stated" in feed
