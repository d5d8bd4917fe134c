"""The card's and listing page's short labels: the requirements line never invents a
requirement, the posted date reads like a person's, and "Back to search" only ever points at
this site's search page."""

from __future__ import annotations

import datetime as dt

import pytest

from board.core.listing_labels import (
    NO_REQUIREMENT,
    back_to_search,
    posted_label,
    requirements_line,
)


@pytest.mark.parametrize(("facts", "line"), [
    ({"usmle_step1_required": True, "ecfmg_required": True, "max_years_since_graduation": 5},
     "Step 1 · ECFMG · graduated within 5 years"),
    ({"usmle_step1_required": True, "usmle_step2ck_required": True}, "Step 1 · Step 2 CK"),
    ({"max_years_since_graduation": 1}, "Graduated within 1 year"),
    ({"max_years_since_graduation": 0}, "Graduated this year"),
    ({"usmle_step2ck_required": True, "ecfmg_required": None}, "Step 2 CK"),
    # Not stated and "no" both leave the line saying only that nothing is stated.
    ({}, NO_REQUIREMENT),
    ({"usmle_step1_required": None, "usmle_step2ck_required": None, "ecfmg_required": None,
      "max_years_since_graduation": None}, NO_REQUIREMENT),
    ({"usmle_step1_required": False, "usmle_step2ck_required": False,
      "ecfmg_required": False}, NO_REQUIREMENT),
])
def test_requirements_line(facts, line):
    assert requirements_line(facts) == line


def test_no_requirement_wording_claims_nothing():
    assert NO_REQUIREMENT == "No exam requirement stated"


@pytest.mark.parametrize(("value", "label"), [
    (dt.date(2026, 11, 3), "Posted 3 Nov 2026"),
    (dt.datetime(2026, 11, 3, 23, 30, tzinfo=dt.UTC), "Posted 3 Nov 2026"),
    ("2026-01-15T08:00:00Z", "Posted 15 Jan 2026"),
    ("2026-01-15", "Posted 15 Jan 2026"),
    (None, ""), ("", ""), ("not a date", ""),
])
def test_posted_label(value, label):
    assert posted_label(value) == label


HOST = "board.example.org"


@pytest.mark.parametrize(("referer", "from_param", "back"), [
    (f"https://{HOST}/?q=cardiology&state=NY", None, "/?q=cardiology&state=NY"),
    (f"http://{HOST}/", None, "/"),
    (None, "/?specialty=Neurology&page=2", "/?specialty=Neurology&page=2"),
    # `from` wins over the Referer (the visitor came through another page since).
    (f"https://{HOST}/?q=a", "/?q=b", "/?q=b"),
    # Another site, another page of this site, a bad `from`: back to the plain search.
    ("https://evil.example/?q=cardiology", None, "/"),
    (f"https://{HOST}/opportunities/3", None, "/"),
    (f"https://{HOST}/dashboard?q=x", None, "/"),
    (None, "https://evil.example/?q=x", "/"),
    (None, "//evil.example/?q=x", "/"),
    (None, "/\\evil.example", "/"),
    (None, "javascript:alert(1)", "/"),
    ("not a url", None, "/"),
    (None, None, "/"),
    (f"https://{HOST}/?" + "q=x&" * 2_000, None, "/"),
])
def test_back_to_search(referer, from_param, back):
    assert back_to_search(referer, HOST, from_param) == back


def test_back_to_search_needs_a_host_to_trust_a_referer():
    assert back_to_search(f"https://{HOST}/?q=a", None) == "/"
