"""Verdicts, reasons and visa-fit warnings for a table of profiles x listings, and the
engine's eligible-only rule (the memory mirror of search.query.eligibility_clauses) hiding
exactly the listings whose verdict is `not_eligible`."""

from __future__ import annotations

import pytest

from board.browse.eligibility import ELIGIBLE, NOT_ELIGIBLE, UNKNOWN, Profile, annotate, assess
from board.core.search_spec import INDEX_SPEC
from search.index_settings import IndexSpec
from search.memory import _eligible
from search.query import SearchQuery, eligibility_clauses

YEAR = 2026
STATED = {"max_years_since_graduation": None, "usmle_step1_required": False,
          "usmle_step2ck_required": False, "ecfmg_required": False}
LISTINGS = {
    "open": {**STATED, "visa_statuses": ["b1b2", "j1"], "open_to": ["student", "graduate"]},
    "recent_grads": {**STATED, "max_years_since_graduation": 5, "visa_statuses": ["b1b2"],
                     "open_to": ["graduate"]},
    "step1": {**STATED, "usmle_step1_required": True, "visa_statuses": ["j1"],
              "open_to": ["graduate"]},
    "ecfmg": {**STATED, "ecfmg_required": True, "visa_statuses": [], "open_to": []},
    "students": {**STATED, "visa_statuses": ["f1"], "open_to": ["student"]},
    "silent": {**STATED, "visa_statuses": None, "open_to": None,
               "usmle_step1_required": None},
}
P_2017 = Profile(graduation_year=2017)
P_2023_B1 = Profile(graduation_year=2023, visa="b1b2", student=False)
P_NO_STEPS = Profile(usmle=("none",), ecfmg_certified=False)
P_STEP1_J1 = Profile(usmle=("step1",), visa="j1")
P_STUDENT = Profile(student=True)

TABLE = [
    (P_2017, "open", ELIGIBLE, []),
    (P_2017, "recent_grads", NOT_ELIGIBLE,
     ["graduated in 2017; this program takes graduates of the last 5 years"]),
    (P_2023_B1, "recent_grads", ELIGIBLE,
     ["graduated in 2023, within its 5 years", "takes participants on a B-1/B-2 visitor visa"]),
    (P_2023_B1, "step1", NOT_ELIGIBLE,
     ["this program does not list participants on a B-1/B-2 visitor visa"]),
    (P_2023_B1, "students", NOT_ELIGIBLE,
     ["this program does not list participants on a B-1/B-2 visitor visa",
      "this program takes final-year students only"]),
    (P_2023_B1, "ecfmg", UNKNOWN,
     ["the host does not state which visa statuses may take part",
      "the host does not state whether it takes students or graduates"]),
    (P_NO_STEPS, "step1", NOT_ELIGIBLE, ["requires USMLE Step 1"]),
    (P_NO_STEPS, "ecfmg", NOT_ELIGIBLE, ["requires ECFMG certification"]),
    (P_NO_STEPS, "open", ELIGIBLE, []),
    (P_NO_STEPS, "silent", UNKNOWN,
     ["the host does not state whether USMLE Step 1 is required"]),
    (P_STEP1_J1, "step1", ELIGIBLE, ["takes participants on a J-1 visa"]),
    (P_STEP1_J1, "silent", UNKNOWN,
     ["the host does not state whether USMLE Step 1 is required",
      "the host does not state which visa statuses may take part"]),
    (P_STUDENT, "recent_grads", NOT_ELIGIBLE, ["this program takes graduates only"]),
    (P_STUDENT, "students", ELIGIBLE, []),
    (P_STUDENT, "silent", UNKNOWN,
     ["the host does not state whether it takes students or graduates"]),
]


@pytest.mark.parametrize(("profile", "listing", "verdict", "reasons"), TABLE)
def test_verdict_and_reasons(profile, listing, verdict, reasons):
    result = assess(profile, LISTINGS[listing], YEAR)
    assert (result.verdict, list(result.reasons)) == (verdict, reasons)


SPEC = IndexSpec(**{**INDEX_SPEC.__dict__,
                    "filterable": (*INDEX_SPEC.filterable, "visa_statuses", "open_to")})


def _doc(listing: dict) -> dict:
    limit = listing["max_years_since_graduation"]
    return {**listing, "grad_years_limit": 1000 if limit is None else limit}


@pytest.mark.parametrize(("profile", "listing", "verdict", "reasons"), TABLE)
def test_engine_rule_hides_exactly_not_eligible(profile, listing, verdict, reasons):
    query = SearchQuery(graduation_year=profile.graduation_year, usmle=profile.usmle,
                        ecfmg_certified=profile.ecfmg_certified, visa=profile.visa,
                        student=profile.student, now_ts=1_780_000_000)  # 2026
    assert _eligible(_doc(LISTINGS[listing]), query, SPEC) is (verdict != NOT_ELIGIBLE)


def test_clauses_keep_not_stated_and_only_for_known_fields():
    query = SearchQuery(visa="b1b2", student=True, usmle=("none",), now_ts=1_780_000_000)
    clauses = eligibility_clauses(query, SPEC)
    assert '(visa_statuses = "b1b2" OR visa_statuses NOT EXISTS OR visa_statuses IS EMPTY ' \
           'OR visa_statuses IS NULL)' in clauses
    assert any(c.startswith('(open_to = "student"') for c in clauses)
    assert "usmle_step1_required != true" in clauses
    bare = IndexSpec(**{**INDEX_SPEC.__dict__, "facets": (), "filterable": ()})
    assert not any("visa_statuses" in c for c in eligibility_clauses(query, bare))


WARNINGS = [
    (Profile(visa="b1b2"), {"kind": "clerkship", "hands_on_level": 2}, ["b1b2_hands_on"]),
    (Profile(visa="b1b2"), {"kind": "clerkship", "hands_on_level": 1}, []),
    (Profile(visa="b1b2"), {"kind": "clerkship", "hands_on_level": None}, []),
    (Profile(visa="b1b2"), {"kind": "research", "stipend_usd": None}, ["b1b2_unpaid_research"]),
    (Profile(visa="b1b2"), {"kind": "research", "stipend_usd": 2000}, []),
    (Profile(visa="b1b2"), {"kind": "research", "hands_on_level": 3, "stipend_usd": 0},
     ["b1b2_hands_on", "b1b2_unpaid_research"]),
    (Profile(visa="j1"), {"kind": "observership", "j1_sponsored": False}, ["j1_not_sponsored"]),
    (Profile(visa="j1"), {"kind": "observership", "j1_sponsored": True}, []),
    (Profile(visa="h1b"), {"kind": "research", "hands_on_level": 4}, []),
    (Profile(graduation_year=2020), {"kind": "research", "hands_on_level": 4}, []),
]


@pytest.mark.parametrize(("profile", "listing", "codes"), WARNINGS)
def test_visa_fit_warnings(profile, listing, codes):
    warnings = assess(profile, listing, YEAR).warnings
    assert [w["code"] for w in warnings] == codes
    for w in warnings:
        assert w["href"].startswith("/guides/visas-for-observerships#")
        assert "ask the host" in w["text"].lower()
        assert "\n" not in w["text"]


def test_annotate_copies_hits_and_empty_profile_is_falsy():
    hits = [{"id": 1, **LISTINGS["open"]}]
    out = annotate(hits, P_2017, YEAR)
    assert out[0]["eligibility"] == {"verdict": ELIGIBLE, "reasons": []}
    assert out[0]["warnings"] == [] and "eligibility" not in hits[0]
    assert not Profile() and Profile(student=False) and Profile(usmle=("none",))


def test_profile_form_names_every_status_of_the_vocabulary():
    from board.browse.eligibility import VISA_LABELS, VISA_PHRASES, VISA_STATUSES

    assert set(VISA_LABELS) == set(VISA_PHRASES) == set(VISA_STATUSES)
