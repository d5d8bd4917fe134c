"""Shared search URLs are canonical (board.browse.params.canonical_pairs): what a plain form
submit sends is reduced to what filters, and the no-results relaxations are the right ones."""

from __future__ import annotations

from board.browse.params import canonical_pairs, parse_search_keeping_the_rest
from board.browse.relax import candidates


def test_empty_fields_default_order_and_idle_radius_are_dropped():
    sent = [("q", ""), ("sort", "relevance"), ("fee_max", ""), ("near", " "),
            ("radius_miles", "50"), ("state", "IL"), ("state", "IL"), ("facet_q", ""),
            ("page", "1"), ("alert", "tok")]
    assert canonical_pairs(sent) == [("state", "IL"), ("alert", "tok")]


def test_what_filters_is_kept_in_order():
    sent = [("q", " cardiology "), ("near", "Chicago"), ("radius_miles", "25"),
            ("sort", "distance"), ("page", "2"), ("usmle", "step1"), ("usmle", "step2ck")]
    assert canonical_pairs(sent) == [("q", "cardiology"), *sent[1:]]
    assert canonical_pairs([]) == []


def test_a_bad_parameter_is_left_out_and_reported():
    query, kept, errors = parse_search_keeping_the_rest(
        {"state": ["IL"], "fee_max": ["cheap"], "sort": ["distance"], "colour": ["red"]})
    assert query.selections == {"state": ("IL",)} and query.fee_max is None
    assert {e.param for e in errors} == {"fee_max", "sort", "colour"}
    assert set(kept) == {"state"}
    by = {e.param: e for e in errors}
    assert by["fee_max"].human.startswith("Enter a fee") and by["fee_max"].field == "fee_max"
    assert by["sort"].field == "near" and by["sort"].message.startswith("sort=distance")


def test_relaxation_candidates():
    state = {"q": ["cardio"], "state": ["TX", "NY"], "near": ["Chicago"],
             "radius_miles": ["100"], "graduation_year": ["2015"]}
    labels = [label for label, _ in candidates(state)]
    assert labels[:3] == ["Remove the words \u201ccardio\u201d", "Widen to 250 miles",
                          "Widen to 500 miles"]
    assert "Remove State: Texas" in labels and "Search anywhere in the US" in labels
    assert labels[-1] == "Also show listings you may not be eligible for"
    texas = dict(candidates(state))["Remove State: Texas"]
    assert texas["state"] == ["NY"] and texas["q"] == ["cardio"]
