"""The search page speaks to people: a bad value is reported at its field in plain words
while the rest of the search still answers; "Near" takes what people type; shared URLs are
canonical; synonyms find the ACGME names; no results offers relaxations with their counts."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from tests.support.factories import make_institution, make_listing
from tests.support.outbox import drain_all


async def _seed(runtime) -> dict[str, int]:
    inst = await make_institution("Lakeside Medical Center")
    ids = {
        "houston": await make_listing(inst, title="Cardiology observership in Houston",
                                      specialty="Cardiovascular disease", hands_on=False),
        "chicago": await make_listing(inst, title="Pediatrics externship in Chicago",
                                      kind="externship", specialty="Pediatrics", state="IL",
                                      city="Chicago", hands_on=True),
        "obgyn": await make_listing(inst, title="Women's health observership",
                                    specialty="Obstetrics and gynecology", state="NY",
                                    city="New York", description="Clinic days and rounds."),
    }
    await drain_all(runtime.gateway)
    return ids


def _ids(html: str) -> set[int]:
    return {int(x) for x in re.findall(r'href="/opportunities/(\d+)"', html)}


async def test_a_bad_value_is_shown_at_its_field_and_the_rest_still_searches(client, runtime):
    ids = await _seed(runtime)
    page = await client.get("/", params={"graduation_year": "19", "state": "IL"})
    assert page.status_code == 400
    html = page.text
    # At the field, in people's words, the field marked invalid and pointing at it.
    assert re.search(r'id="graduation_year"[^>]*aria-invalid="true" '
                     r'aria-describedby="graduation_year-error"', html)
    assert 'id="graduation_year-error" data-param="graduation_year">Enter a 4-digit year' in html
    assert "graduation_year: " not in html  # never the parameter's name as a message
    assert 'role="alert"' in html and "Part of this search was left out" in html
    assert 'value="19"' in html  # what was typed is kept
    # The rest of the search (state=IL) still answers.
    assert _ids(html) == {ids["chicago"]}
    # The same through htmx: a swappable fragment with the same error.
    part = await client.get("/", params={"fee_max": "cheap"}, headers={"HX-Request": "true"})
    assert part.status_code == 400 and "<html" not in part.text
    assert 'id="fee_max-error" data-param="fee_max">Enter a fee in whole US dollars' in part.text
    assert _ids(part.text) == set(ids.values())
    # Nearest without a place: the message is at the Near box.
    nearest = await client.get("/", params={"sort": "distance"})
    assert nearest.status_code == 400
    assert 'id="near-error" data-param="sort">Enter a place to sort by Nearest.' in nearest.text
    # None yet with a step: at the USMLE field.
    both = await client.get("/", params=[("usmle", "none"), ("usmle", "step1")])
    assert both.status_code == 400 and "cannot be combined with a step you passed" in both.text
    # The JSON API keeps naming the parameter.
    api = await client.get("/api/v1/opportunities", params={"graduation_year": "19"})
    assert api.status_code == 400 and api.json()["field"] == "graduation_year"


async def test_near_takes_what_people_type(client, runtime):
    ids = await _seed(runtime)
    for text in ("Chicago", "Chicago IL", "Chicago, Illinois", "60601"):
        page = await client.get("/", params={"near": text, "radius_miles": "25"})
        assert page.status_code == 200, (text, page.text[:300])
        assert _ids(page.text) == {ids["chicago"]}, text
    ambiguous = await client.get("/", params={"near": "Springfield"})
    assert ambiguous.status_code == 200
    assert "Showing results near Springfield, IL — did you mean" in ambiguous.text
    assert 'href="/?near=Springfield%2C+MA">Springfield, MA</a>' in ambiguous.text
    wrong = await client.get("/", params={"near": "Houston, VT"})
    assert wrong.status_code == 400
    assert "We can&#39;t find Houston in Vermont. Did you mean" in wrong.text
    assert 'href="/?near=Houston%2C+TX">Houston, TX</a>' in wrong.text
    options = await client.get("/partials/places", params={"near": "chica"})
    assert options.status_code == 200 and options.text.startswith(
        '<option value="Chicago, IL"></option>')
    assert (await client.get("/partials/places", params={"near": "c"})).text == ""


async def test_a_plain_form_submit_redirects_to_the_canonical_url(client, runtime):
    await _seed(runtime)
    resp = await client.get("/?q=&sort=relevance&fee_max=&near=&radius_miles=50&state=IL"
                            "&facet_q=&hands_on_min=&alert=abc", follow_redirects=False)
    assert resp.status_code == 302
    assert sorted(parse_qsl(resp.headers["location"][2:])) == [("alert", "abc"), ("state", "IL")]
    empty = await client.get("/?q=&sort=relevance&radius_miles=50", follow_redirects=False)
    assert empty.status_code == 302 and empty.headers["location"] == "/"
    # An htmx request is cleaned by board.js before it leaves: answered as it is.
    part = await client.get("/?q=&state=IL", headers={"HX-Request": "true"},
                            follow_redirects=False)
    assert part.status_code == 200
    kept = await client.get("/?state=IL&alert=abc")
    assert kept.status_code == 200 and 'name="alert" value="abc"' in kept.text


async def test_synonyms_find_the_acgme_names(client, runtime):
    ids = await _seed(runtime)
    for word in ("OBGYN", "ob/gyn"):
        page = await client.get("/", params={"q": word})
        assert page.status_code == 200
        assert _ids(page.text) == {ids["obgyn"]}, word
    peds = await client.get("/", params={"q": "peds"})
    assert _ids(peds.text) == {ids["chicago"]}
    facet = await client.get("/", params={"specialty": "cardiology"})
    assert facet.status_code == 200 and _ids(facet.text) == {ids["houston"]}
    part = await client.get("/partials/facet-search", params={
        "facet": "specialty", "facet_q": "OBGYN"}, headers={"HX-Request": "true"})
    assert 'value="Obstetrics and gynecology"' in part.text


async def test_no_results_offers_relaxations_with_counts(client, runtime):
    ids = await _seed(runtime)
    page = await client.get("/", params={"hands_on": "true", "state": "TX"})
    assert page.status_code == 200 and _ids(page.text) == set()
    offers = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>: (\d+) results?</li>', page.text)
    by_label = {label: (url, int(n)) for url, label, n in offers}
    assert by_label["Remove State: Texas"][1] == 1, offers
    assert by_label["Remove Hands-on: Hands-on (direct patient care)"][1] == 1, offers
    url = by_label["Remove State: Texas"][0].replace("&amp;", "&")
    assert _ids((await client.get(url)).text) == {ids["chicago"]}
    # Dropping the words takes a search of its own (counted without fetching or sorting hits).
    words = await client.get("/", params={"q": "peds", "state": "TX", "sort": "deadline"})
    assert words.status_code == 200 and _ids(words.text) == set()
    offers = dict(re.findall(r'<li><a href="[^"]+">([^<]+)</a>: (\d+) results?</li>', words.text))
    assert offers == {"Remove the words \u201cpeds\u201d": "1", "Remove State: Texas": "1"}, offers
    near = await client.get("/", params={"near": "Milwaukee, WI", "radius_miles": "25"})
    offers = re.findall(r'<li><a href="[^"]+">([^<]+)</a>: (\d+) results?</li>', near.text)
    assert ("Widen to 100 miles", "1") in offers, offers
