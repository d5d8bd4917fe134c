"""The search cards render through board/core/cards.py (issue 19): the page's call of the
`result_card` global and the `partials/result_card.html` include other callers use give the
same markup, and every part of a card (Save state, signals, event time, verdict) still shows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from board.core.templating import environment

TODAY = dt.date(2026, 11, 29)


class _Url:
    path, query = "/", "q=cardio&state=TX"


class _Request:
    url = _Url()


def _hit(n: int, **extra: Any) -> dict[str, Any]:
    hit = {"id": n, "title": f"Cardiology <b>{n}</b>", "city": "Houston", "state": "TX",
           "remote": False, "distance_miles": None, "kind": "observership",
           "institution": {"name": "Baylor & Co", "verified": n % 2 == 0},
           "highlight": {"title": f"<mark>Cardiology</mark> {n}", "description": "a ward"},
           "total_cost_usd": 0, "hands_on_level": 2, "hands_on": True, "lor_offered": True,
           "b1b2_accepted": True, "j1_sponsored": False, "application_deadline": "2026-12-05",
           "confirmed_at": "2026-11-20T00:00:00Z", "full_until": "2027-01-10",
           "reported_closed_at": None, "duration_weeks": 4, "specialty": "Cardiology",
           "reviews": {"rating": 4.5, "count": 3}}
    return {**hit, **extra}


HITS = [
    _hit(1),
    _hit(2, total_cost_usd=None, reviews=None, reported_closed_at="2026-11-01T00:00:00Z",
         eligibility={"verdict": "not_eligible", "reasons": ["needs Step 1"]},
         warnings=[{"text": "B1 <visitors>", "href": "/guides/visas"}]),
    _hit(3, kind="event", starts_at="2026-12-10T15:00:00Z", ends_at="2026-12-10T16:30:00Z",
         timezone="America/Chicago", join_url="https://x.example/j?a=1&b=2",
         join_url_public=False),
]
CONTEXT = {"request": _Request(), "saved_ids": frozenset({1}), "today": TODAY.isoformat(),
           "closing_soon": (TODAY + dt.timedelta(days=14)).isoformat(), "hits": HITS}


def _render(source: str) -> str:
    return environment().from_string(source).render(CONTEXT)


def test_call_and_include_give_the_same_cards() -> None:
    by_include = _render('{% for hit in hits %}<li>{% include "partials/result_card.html" %}'
                         '</li>{% endfor %}')
    by_macro = _render('{% for hit in hits %}<li>{{ result_card(hit, today, closing_soon, '
                       'saved_ids, "/?q=cardio&state=TX", request) }}</li>{% endfor %}')
    assert by_macro == by_include
    cards = by_macro.split("<li><article")
    assert len(cards) == 4  # one before the first card, then three cards
    first, second, third = cards[1:]
    assert 'formaction="/shortlist/1/remove"' in first and "Saved ✓" in first
    assert 'value="/?q=cardio&amp;state=TX"' in first  # the Save button's way back
    assert "Cardiology &lt;b&gt;1&lt;/b&gt;" in first  # titles are escaped in the button
    assert "<mark>Cardiology</mark> 1" in first  # the highlight is not
    assert "Baylor &amp; Co" in first and "Free" in first and "Rated 4.5/5" in first
    assert "Full until 2027-01-10" in first and "Confirmed open " in first
    assert 'formaction="/shortlist/2"' in second and "Cost not stated" in second
    assert "Reported closed by visitors" in second
    assert 'data-verdict="not_eligible"' in second and "Not eligible: needs Step 1" in second
    assert "B1 &lt;visitors&gt;" in second
    assert 'data-start="2026-12-10T' in third and "/opportunities/3/join" in third


def test_save_button_partial_keeps_the_out_of_band_count() -> None:
    html = _render('{% with save_id=7, save_title="X", save_oob=true, shortlist_count=2 %}'
                   '{% include "partials/save_button.html" %}{% endwith %}')
    assert html.startswith('<button type="submit" form="save-form" formaction="/shortlist/7"')
    assert html.endswith('<span id="shortlist-count" data-hx-swap-oob="true"> (2)</span>')


def test_a_shared_hit_keeps_its_card_but_the_visitor_and_clock_parts_are_fresh() -> None:
    hit = _hit(9, application_deadline="2026-12-20")
    source = ('{{ result_card(hit, today, closing_soon, saved_ids, "/", request) }}')

    def card(**context: Any) -> str:
        return environment().from_string(source).render({**CONTEXT, "hit": hit, **context})

    first = card()
    assert first == card()  # built from the remembered parts: the same card
    assert "Closing soon" not in first and 'formaction="/shortlist/9"' in first
    later = card(today="2026-12-10", closing_soon="2026-12-24", saved_ids=frozenset({9}))
    assert "Closing soon" in later and 'formaction="/shortlist/9/remove"' in later
    assert "Full until 2027-01-10" in later
    gone = card(today="2027-01-11")
    assert "Full until" not in gone and "<mark>Cardiology</mark> 9" in gone
    # A changed listing is a new hit (the search hands out a new dict): a new card.
    assert "Total $250" in environment().from_string(source).render(
        {**CONTEXT, "hit": {**hit, "total_cost_usd": 250}})
