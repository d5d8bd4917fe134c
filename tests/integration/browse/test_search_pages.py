"""The HTML side of search: the page and its htmx partials, the specialty type-to-filter box,
the Atom feed and the listing page (JSON-LD, sanitized Markdown)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from tests.support.factories import make_draft, make_institution, make_listing
from tests.support.outbox import drain_all

ATOM = "{http://www.w3.org/2005/Atom}"


async def _seed(runtime) -> dict[str, int]:
    inst = await make_institution("Lakeside Medical Center")
    ids = {
        "cardio": await make_listing(inst, title="Cardiology observership in Houston",
                                     specialty="Cardiovascular disease"),
        "cardio_ny": await make_listing(inst, title="Cardiology research in New York",
                                        kind="research", specialty="Cardiovascular disease",
                                        state="NY", city="New York", fee_usd=500),
        "peds": await make_listing(inst, title="Pediatrics externship in Chicago",
                                   kind="externship", specialty="Pediatrics", state="IL",
                                   city="Chicago", hands_on=True),
    }
    await drain_all(runtime.gateway)
    return ids


def _options(html: str) -> dict[str, tuple[int, bool]]:
    """value -> (count, greyed) of every specialty checkbox in an HTML fragment."""
    found = {}
    for m in re.finditer(r'<label class="facet__option( facet__option--empty)?">\s*<input '
                         r'type="checkbox" name="specialty" value="([^"]+)"[^>]*>\s*<span>[^<]*'
                         r'</span>\s*<span class="facet__count"[^>]*>(\d+)</span>', html):
        found[m.group(2)] = (int(m.group(3)), bool(m.group(1)))
    return found


async def test_specialty_type_to_filter(client, runtime):
    await _seed(runtime)
    page = await client.get("/")
    assert page.status_code == 200
    full = _options(page.text)
    assert len(full) > 100  # every ACGME specialty is listed without JavaScript
    assert full["Cardiovascular disease"] == (2, False) and full["Pediatrics"] == (1, False)
    assert full["Psychiatry"] == (0, True)  # zero counts are kept, greyed
    assert 'hx-get="/partials/facet-search"' in page.text
    assert 'hx-trigger="keyup changed delay:300ms, search"' in page.text
    assert '<label for="facet-q-specialty">' in page.text
    assert "facet__list--long" in page.text

    part = await client.get("/partials/facet-search", params={
        "facet": "specialty", "facet_q": "cardio", "state": "TX"}, headers={"HX-Request": "true"})
    assert part.status_code == 200 and "<html" not in part.text
    opts = _options(part.text)
    assert opts["Cardiovascular disease"] == (1, False)  # counted under state=TX
    assert "Pediatrics" not in opts
    assert all("cardio" in v.casefold() for v in opts)
    assert opts["Interventional cardiology"] == (0, True)

    # A checked value stays in the narrowed list, so the form never loses it.
    part = await client.get("/partials/facet-search", params={
        "facet": "specialty", "facet_q": "cardio", "specialty": "Pediatrics"})
    opts = _options(part.text)
    assert "Pediatrics" in opts and 'value="Pediatrics" checked' in part.text
    # Disjunctive: the specialty selection does not change the specialty counts.
    assert opts["Cardiovascular disease"] == (2, False)

    none = await client.get("/partials/facet-search", params={"facet": "specialty",
                                                              "facet_q": "<b>zzzz"})
    assert _options(none.text) == {} and "No specialty matches" in none.text
    assert "&lt;b&gt;zzzz" in none.text and "<b>" not in none.text
    bad = await client.get("/partials/facet-search", params={"facet": "title", "facet_q": "x"},
                           headers={"Accept": "application/json"})
    assert bad.status_code == 400 and bad.json()["field"] == "facet"

    # Without JavaScript, facet_q on the page narrows the list the same way.
    page = await client.get("/", params={"facet_q": "pedia"})
    assert page.status_code == 200
    assert set(_options(page.text)) == {v for v in full if "pedia" in v.casefold()}


async def test_page_states_and_partial(client, runtime):
    ids = await _seed(runtime)
    part = await client.get("/", params={"kind": "research"}, headers={"HX-Request": "true"})
    assert part.status_code == 200 and "<html" not in part.text
    assert f'href="/opportunities/{ids["cardio_ny"]}"' in part.text
    assert f'href="/opportunities/{ids["peds"]}"' not in part.text
    assert "Remove filter: </span>Type: Research" in part.text

    empty = await client.get("/", params={"kind": "mentorship"})
    assert empty.status_code == 200 and "No opportunities match all of these filters" in empty.text
    assert 'href="/subscribe?kind=mentorship"' in empty.text

    past = await client.get("/", params={"per_page": 2, "page": 5})
    assert past.status_code == 200 and "There is no page 5" in past.text
    assert 'href="/?per_page=2"' in past.text
    paged = await client.get("/", params={"per_page": 2, "page": 2, "sort": "newest"})
    assert 'aria-current="page">Page 2<' in paged.text and 'rel="prev"' in paged.text


async def test_atom_feed_lists_the_matching_listings(client, runtime):
    ids = await _seed(runtime)
    resp = await client.get("/feed.atom", params={"specialty": "Cardiovascular disease"})
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(resp.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    urls = {e.find(f"{ATOM}id").text for e in entries}
    base = runtime.settings.base_url
    assert urls == {f"{base}/opportunities/{ids['cardio']}", f"{base}/opportunities/{ids['cardio_ny']}"}
    titles = {e.find(f"{ATOM}title").text for e in entries}
    assert titles == {"Cardiology observership in Houston", "Cardiology research in New York"}
    summaries = [e.find(f"{ATOM}summary").text for e in entries]
    assert any("$500" in s for s in summaries) and any("Free" in s for s in summaries)
    bad = await client.get("/feed.atom", params={"state": "ZZ"})
    assert bad.status_code == 400


async def test_listing_page_json_ld_and_sanitized_markdown(client, runtime):
    inst = await make_institution("Riverside Hospital")
    opp = await make_listing(
        inst, title="Neurology observership",
        specialty="Neurology", fee_usd=0, stipend_usd=1200,  # paid: a JobPosting
        description="**Bold rounds**\n\n<script>alert(1)</script>\n\n"
                    "[click](javascript:alert(2)) and [site](https://example.org)\n\n"
                    "<img src=x onerror=alert(3)>")
    draft = await make_draft(inst, title="Draft neurology observership")
    await drain_all(runtime.gateway)
    page = await client.get(f"/opportunities/{opp}")
    assert page.status_code == 200
    prose = re.search(r'<div class="prose">(.*?)</div>', page.text, re.S).group(1)
    assert "<strong>Bold rounds</strong>" in prose
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in prose and "<script" not in prose
    assert 'href="javascript:' not in page.text and "<img" not in page.text
    assert 'href="https://example.org"' in prose and 'rel="nofollow noopener"' in prose
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page.text, re.S)
    data = json.loads(block.group(1))
    assert data["@type"] == "JobPosting" and data["title"] == "Neurology observership"
    assert data["hiringOrganization"]["name"] == "Riverside Hospital"
    assert data["baseSalary"]["value"]["value"] == 1200  # pay to the participant
    assert data["jobLocation"]["address"]["addressRegion"] == "TX"
    assert "validThrough" in data
    assert data["description"].startswith("Bold rounds <script>alert(1)</script>")  # plain text
    assert "<script>" not in block.group(1)  # "<" is escaped inside the script element
    assert (await client.get(f"/opportunities/{draft}")).status_code == 404
    assert (await client.get("/opportunities/987654")).status_code == 404
