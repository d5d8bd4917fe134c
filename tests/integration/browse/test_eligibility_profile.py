"""The eligibility profile against the real Meilisearch: hits carry a verdict and warnings only
when a profile is given; eligible_only (the default with a profile) hides `not_eligible` and
keeps `unknown`, with facet counts equal to a count over the store; bad profile values answer
400 naming the parameter; the search page remembers the profile in a cookie and puts it back
into the URL."""

from __future__ import annotations

from collections import Counter
from urllib.parse import parse_qs, urlparse

from board.browse.eligibility import NOT_ELIGIBLE, assess
from board.browse.params import parse_profile
from board.core.search_spec import FACETS
from board.indexing.gateway import document_from_row, load_rows, utcnow
from board.listings.visibility import is_visible
from tests.support.factories import make_institution, make_listing
from tests.support.outbox import drain_all

API = "/api/v1/opportunities"


async def _seed(runtime) -> dict[str, int]:
    inst = await make_institution("Profile Test Hospital")
    ids = {
        "open": await make_listing(inst, title="Open observership for everyone",
                                   visa_statuses=["b1b2", "j1"], open_to=["student", "graduate"]),
        "recent": await make_listing(inst, title="Observership for recent graduates",
                                     max_years_since_graduation=3, visa_statuses=["b1b2"],
                                     open_to=["graduate"], state="CA"),
        "j1_only": await make_listing(inst, title="Sponsored clerkship", kind="clerkship",
                                      visa_statuses=["j1"], j1_sponsored=True, state="TX"),
        "silent": await make_listing(inst, title="Observership that states nothing",
                                     state="CA"),
        "students": await make_listing(inst, title="Clerkship for final-year students",
                                       kind="clerkship", open_to=["student"],
                                       visa_statuses=["b1b2", "f1"], hands_on_level=3),
        "step1": await make_listing(inst, title="Research needing Step 1", kind="research",
                                    usmle_step1_required=True, visa_statuses=["b1b2"]),
    }
    await drain_all(runtime.gateway)
    return ids


def _store_counts(rows, profile, eligible_only: bool) -> tuple[set[int], dict[str, Counter]]:
    year = utcnow().year
    now = utcnow()
    kept = [r for r in rows if is_visible(r, now) and not (
        eligible_only and assess(profile, r, year).verdict == NOT_ELIGIBLE)]
    # Facet values as the index holds them (e.g. a letter policy not stated is no facet value).
    docs = [document_from_row(dict(r)) for r in kept]
    counts: dict[str, Counter] = {}
    for facet in FACETS:
        c: Counter = Counter()
        for d in docs:
            value = d.get(facet)
            for v in value if isinstance(value, list) else [value]:
                if v is None or v == "":
                    continue
                c["true" if v is True else "false" if v is False else str(v)] += 1
        counts[facet] = c
    return {r["id"] for r in kept}, counts


async def test_eligible_only_hides_not_eligible_keeps_unknown_and_counts_match(client, runtime):
    ids = await _seed(runtime)
    year = utcnow().year
    params = {"graduation_year": year - 6, "usmle": "none", "visa": "b1b2", "student": "false"}
    body = (await client.get(API, params=params)).json()
    verdicts = {h["id"]: h["eligibility"]["verdict"] for h in body["hits"]}
    assert verdicts == {ids["open"]: "eligible", ids["silent"]: "unknown"}
    silent = next(h for h in body["hits"] if h["id"] == ids["silent"])
    assert "the host does not state which visa statuses may take part" in \
        silent["eligibility"]["reasons"]

    rows = await load_rows(list(ids.values()))
    profile = parse_profile(params)
    kept, counts = _store_counts(rows, profile, eligible_only=True)
    assert kept == set(verdicts) and body["total"] == len(kept)
    for facet in FACETS:
        assert {k: v for k, v in body["facets"][facet].items() if v} == dict(counts[facet]), facet

    everything = (await client.get(API, params={**params, "eligible_only": "false"})).json()
    all_verdicts = {h["id"]: h["eligibility"]["verdict"] for h in everything["hits"]}
    assert all_verdicts == {ids["open"]: "eligible", ids["silent"]: "unknown",
                            ids["recent"]: "not_eligible", ids["j1_only"]: "not_eligible",
                            ids["students"]: "not_eligible", ids["step1"]: "not_eligible"}
    recent = next(h for h in everything["hits"] if h["id"] == ids["recent"])
    assert recent["eligibility"]["reasons"] == [
        f"graduated in {year - 6}; this program takes graduates of the last 3 years"]
    students = next(h for h in everything["hits"] if h["id"] == ids["students"])
    assert [w["code"] for w in students["warnings"]] == ["b1b2_hands_on"]
    assert students["warnings"][0]["href"] == "/guides/visas-for-observerships#b-1-b-2-visitor-visa"

    # A facet selected on top: the disjunctive counts stay exact under the eligibility filter.
    narrowed = (await client.get(API, params={**params, "state": "CA"})).json()
    assert [h["id"] for h in narrowed["hits"]] == [ids["silent"]]
    assert narrowed["facets"]["state"] == dict(counts["state"])


async def test_hits_carry_eligibility_only_with_a_profile(client, runtime):
    await _seed(runtime)
    plain = (await client.get(API)).json()
    assert plain["total"] == 6
    assert all("eligibility" not in h and "warnings" not in h for h in plain["hits"])
    with_profile = (await client.get(API, params={"visa": "j1"})).json()
    assert with_profile["hits"] and all(
        set(h["eligibility"]) == {"verdict", "reasons"} and isinstance(h["warnings"], list)
        for h in with_profile["hits"])
    schema = (await client.get("/schema/openapi.json")).json()
    names = {p["name"] for p in schema["paths"][API]["get"]["parameters"]}
    assert {"visa", "student", "eligible_only"} <= names


async def test_bad_profile_values_answer_400_naming_the_parameter(client, runtime):
    for query, param in [("visa=tourist", "visa"), ("visa=b1b2&visa=j1", "visa"),
                         ("student=maybe", "student"), ("eligible_only=perhaps", "eligible_only")]:
        resp = await client.get(f"{API}?{query}")
        assert resp.status_code == 400, (query, resp.text)
        assert resp.json()["field"] == param, query
        page = await client.get(f"/?{query}")
        assert page.status_code == 400 and f'data-param="{param}"' in page.text, query


async def test_search_page_remembers_the_profile_and_puts_it_in_the_url(client, runtime):
    ids = await _seed(runtime)
    first = await client.get("/", params={"q": "observership", "visa": "b1b2", "student": "false"})
    assert first.status_code == 200 and "profile" in client.cookies
    assert "You meet the stated requirements" in first.text
    assert "Eligibility unknown: the host does not state" in first.text

    again = await client.get("/?state=CA")  # no profile in the URL: the saved one is added
    assert again.history and again.history[0].status_code == 303
    params = parse_qs(urlparse(str(again.url)).query)
    assert params == {"state": ["CA"], "visa": ["b1b2"], "student": ["false"]}
    assert "Not eligible" not in again.text  # eligible_only is the default

    shown = await client.get("/?visa=b1b2&student=false&eligible_only=false")
    assert "Not eligible: this program does not list participants on a B-1/B-2 visitor visa" \
        in shown.text
    assert "Not eligible: this program takes final-year students only" in shown.text
    assert "Not eligible" not in (await client.get("/?visa=b1b2&student=false")).text

    listing = await client.get(f"/opportunities/{ids['students']}")
    assert "Not eligible: this program takes final-year students only" in listing.text
    assert 'href="/guides/visas-for-observerships#b-1-b-2-visitor-visa"' in listing.text

    cleared = await client.get("/?state=CA&visa=b1b2&student=false&profile=clear")
    assert parse_qs(urlparse(str(cleared.url)).query) == {"state": ["CA"]}
    assert "profile" not in client.cookies
    assert "You meet the stated requirements" not in cleared.text


async def test_a_tampered_profile_cookie_is_ignored(client, runtime):
    client.cookies.set("profile", "not-base64-json!")
    page = await client.get("/?q=anything")
    assert page.status_code == 200 and not page.history
