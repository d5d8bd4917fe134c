"""The listing page and the result card against the real store and Meilisearch: the
requirements line on cards and pages, the posted date, Apply in the header, the J-1 badge,
the report link, "Back to search" from a Referer or `from`, and similar open listings on a
dead listing's error page (which keeps its 404 / 410)."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

from board.listings import services as listings
from tests.support.factories import make_draft, make_institution, make_listing
from tests.support.outbox import drain_all

HOST = "http://testserver.local"
REQS = re.compile(r'class="(?:result-card|listing)__reqs">(.*?)</p>', re.S)


def _reqs(html: str) -> list[str]:
    # As shown: the card writes its separators as character references (&middot;).
    return [unescape(re.sub(r"<[^>]+>", "", m)).replace("Requirements: ", "").strip()
            for m in REQS.findall(html)]


async def test_requirements_line_on_card_and_page(client, runtime):
    inst = await make_institution("Requirements Hospital")
    strict = await make_listing(inst, title="Strict observership", usmle_step1_required=True,
                                ecfmg_required=True, max_years_since_graduation=5)
    silent = await make_listing(inst, title="Silent observership")
    await drain_all(runtime.gateway)
    results = (await client.get("/", params={"q": "observership"})).text
    cards = dict(zip(re.findall(r'<h3 class="result-card__title"><a href="/opportunities/(\d+)"',
                                results), _reqs(results), strict=True))
    assert cards == {str(strict): "Step 1 · ECFMG · graduated within 5 years",
                     str(silent): "No exam requirement stated"}
    page = (await client.get(f"/opportunities/{strict}")).text
    assert _reqs(page) == ["Step 1 · ECFMG · graduated within 5 years"]


async def test_card_shows_the_verdict_once_the_profile_is_filled(client, runtime):
    inst = await make_institution("Verdict Hospital")
    await make_listing(inst, title="Step 1 observership", usmle_step1_required=True)
    await drain_all(runtime.gateway)
    html = (await client.get("/", params={"usmle": "step1", "graduation_year": "2024"})).text
    assert "Step 1" in _reqs(html)
    assert re.search(r'data-verdict="eligible">\s*<p class="verdict__title">You meet the '
                     r'stated requirements', html)


async def test_listing_header_posted_date_apply_j1_and_report_link(client, runtime):
    inst = await make_institution("Header Hospital")
    posted = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)
    opp = await make_listing(inst, now=posted, title="J-1 Research Fellowship", kind="research",
                             visa_statuses=["j1"], j1_sponsored=True,
                             expires_at=(dt.date.today() + dt.timedelta(days=30)).isoformat())
    page = (await client.get(f"/opportunities/{opp}")).text
    header = re.search(r'<header class="listing__header">(.*?)</header>', page, re.S).group(1)
    assert "Posted 3 Nov 2026" in header
    assert '<span class="badge badge--visa">J-1</span>' in header
    assert f'href="/opportunities/{opp}/apply"' in header  # Apply before any long section
    assert f'<div class="apply-bar"><a class="btn btn--primary" href="/opportunities/{opp}/apply"' in page
    assert f'<a href="/opportunities/{opp}/report">Report this listing</a>' in page
    assert "<textarea" not in page  # the report form is its own page now
    assert (await client.get(f"/opportunities/{opp}/report")).status_code == 200


async def test_closed_listing_offers_no_apply(client, runtime):
    inst = await make_institution("Closed Hospital")
    opp = await make_listing(inst, title="Closed observership")
    await listings.close(opp)
    page = (await client.get(f"/opportunities/{opp}")).text
    assert "apply-bar" not in page and f"/opportunities/{opp}/apply" not in page


async def test_back_to_search_follows_the_referer_or_from(client, runtime):
    inst = await make_institution("Back Hospital")
    opp = await make_listing(inst, title="Back observership")
    url = f"/opportunities/{opp}"

    async def back(**kw) -> str:
        html = (await client.get(url, **kw)).text
        return re.search(r'class="muted listing__back"><a href="([^"]*)"', html).group(1)

    assert await back(headers={"referer": f"{HOST}/?q=cardiology&state=NY"}) == \
        "/?q=cardiology&amp;state=NY"
    assert await back(params={"from": "/?specialty=Neurology"}) == "/?specialty=Neurology"
    assert await back(headers={"referer": "https://elsewhere.example/?q=x"}) == "/"
    assert await back(headers={"referer": f"{HOST}/dashboard"}) == "/"
    assert await back() == "/"


def _similar_links(html: str) -> list[str]:
    section = re.search(r'<section class="container similar-listings".*?</section>', html, re.S)
    return re.findall(r'href="/opportunities/(\d+)"', section.group(0)) if section else []


async def test_unknown_and_removed_listings_offer_similar_open_ones(client, runtime):
    inst = await make_institution("Similar Hospital")
    neuro_ny = await make_listing(inst, title="Neurology NY", specialty="Neurology", state="NY",
                                  city="New York")
    neuro_tx = await make_listing(inst, title="Neurology TX", specialty="Neurology")
    other = await make_listing(inst, title="Pediatrics TX", specialty="Pediatrics")
    gone = await make_listing(inst, title="Neurology NY removed", specialty="Neurology",
                              state="NY", city="New York")
    await listings.remove(gone)
    draft = await make_draft(inst, title="Secret draft", specialty="Neurology")
    await drain_all(runtime.gateway)

    removed = await client.get(f"/opportunities/{gone}")
    assert removed.status_code == 410
    links = _similar_links(removed.text)
    assert links[:2] == [str(neuro_ny), str(neuro_tx)]  # same state first, then specialty
    assert str(gone) not in links

    unknown = await client.get("/opportunities/999999")
    assert unknown.status_code == 404 and "This listing does not exist." in unknown.text
    assert set(_similar_links(unknown.text)) == {str(neuro_ny), str(neuro_tx), str(other)}

    hidden = await client.get(f"/opportunities/{draft}")
    assert hidden.status_code == 404 and str(draft) not in _similar_links(hidden.text)
    assert "Secret draft" not in hidden.text
