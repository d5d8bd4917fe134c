"""/compare against the real store: the right verdict per listing for the visitor's profile,
differing rows highlighted and marked in text, "Not stated" as such, and bad ids a 400 that
names the problem."""

from __future__ import annotations

import re

from board.planner import compare
from tests.support.factories import make_draft, make_institution, make_listing


def _row(html: str, fact: str) -> str:
    match = re.search(rf'<tr class="compare-row[^"]*" data-fact="{fact}".*?</tr>', html, re.S)
    assert match, fact
    return match.group(0)


async def test_compare_shows_the_verdict_per_listing_and_highlights_differences(client):
    inst = await make_institution(name="Compare General Hospital")
    visitors = await make_listing(inst, title="Visitors clerkship", visa_statuses=["b1b2"],
                                  hands_on_level=3, setting="inpatient", fee_usd=500)
    j1_only = await make_listing(inst, title="J-1 clerkship", visa_statuses=["j1"],
                                 hands_on_level=0, setting="inpatient", fee_usd=0)
    silent = await make_listing(inst, title="Silent observership", setting="inpatient")
    draft = await make_draft(inst, title="Not public")

    resp = await client.get(f"/compare?ids={visitors},{j1_only}&ids={silent}&visa=b1b2")
    assert resp.status_code == 200, resp.text[:300]
    html = resp.text
    titles = re.findall(r'<th scope="col" class="compare-table__listing">\s*<a href="[^"]+">([^<]+)',
                        html)
    assert titles == ["Visitors clerkship", "J-1 clerkship", "Silent observership"]
    verdicts = re.findall(r'data-verdict="([a-z_]+)"', _row(html, "eligibility"))
    assert verdicts == ["eligible", "not_eligible", "unknown"]
    eligibility = _row(html, "eligibility")
    assert "does not list participants on a B-1/B-2" in eligibility
    assert 'href="/guides/visas-for-observerships#b-1-b-2-visitor-visa"' in eligibility

    # A differing row is highlighted and says so in text; an equal one does not.
    hands_on = _row(html, "hands_on")
    assert "compare-row--differs" in hands_on and ">Differs</span>" in hands_on
    assert "Not stated" in hands_on  # the silent listing
    setting = _row(html, "setting")
    assert "compare-row--differs" not in setting and "Differs" not in setting
    assert "Not stated" in _row(html, "hours")
    assert "No reviews yet" in _row(html, "reviews")
    # More than two: each column offers the comparison without it.
    assert f'href="/compare?ids={j1_only},{silent}"' in html

    # Without a profile: no verdict, an invitation to set one.
    plain = await client.get(f"/compare?ids={visitors},{j1_only}")
    assert "No profile given" in plain.text and "data-verdict" not in plain.text

    # A private listing among public ones is named as not shown; alone it cannot compare.
    partial = await client.get(f"/compare?ids={visitors},{j1_only},{draft}")
    assert partial.status_code == 200 and f"no public listing {draft}" in partial.text
    lone = await client.get(f"/compare?ids={visitors},{draft}")
    assert lone.status_code == 404 and f"no public listing {draft}" in lone.text


async def test_compare_errors_are_400_naming_the_problem(client):
    for query, words in [("ids=1", "at least 2"), ("", "at least 2"),
                         ("ids=1,2,3,4,5", "at most 4"), ("ids=1,abc", "abc: not a listing"),
                         ("ids=1&ids=-2", "-2: not a listing"),
                         ("ids=1,99999999999999", "not a listing")]:
        resp = await client.get(f"/compare?{query}")
        assert resp.status_code == 400, query
        assert "ids:" in resp.text and words in resp.text, (query, resp.text[:500])
    assert compare.parse_ids({"ids": ["3,1", "3"]}) == [3, 1]
