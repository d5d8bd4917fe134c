"""The IMG facts of issue 14 as pure rules: derived values, validation of choices, lists and
yes/no/not-stated, the cross-field rules, and how "not stated" reads (never "free" or "no")."""

from __future__ import annotations

import pytest

from board.core import facts
from board.core.derived import as_list, derived_values, search_letter_fact, total_cost
from board.core.validation import ValidationErrors, validate_opportunity

BASE = {"title": "Internal Medicine Observership", "kind": "observership",
        "specialty": "Internal medicine", "state": "TX", "apply_url": "https://h.example.org/a"}


@pytest.mark.parametrize(("values", "total"), [
    ({"fee_usd": None, "application_fee_usd": 100, "deposit_usd": 500}, None),
    ({"fee_usd": 0}, 0),
    ({"fee_usd": 1000, "application_fee_usd": None, "deposit_usd": None}, 1000),
    ({"fee_usd": 1000, "application_fee_usd": 100, "deposit_usd": 899}, 1999),
    ({"fee_usd": 1000, "application_fee_usd": 100, "deposit_usd": 899,
      "refund_policy": "full"}, 1100),  # a fully refundable deposit is not a cost
    ({"fee_usd": 1000, "deposit_usd": 899, "refund_policy": "visa_denial_only"}, 1899),
])
def test_total_cost(values, total):
    assert total_cost(values) == total


def test_legacy_booleans_follow_their_source_only_when_it_is_stated():
    assert derived_values({"lor_policy": "on_request"})["lor_offered"] is True
    assert derived_values({"lor_policy": "standard"})["lor_offered"] is True
    assert derived_values({"lor_policy": "none", "lor_offered": True})["lor_offered"] is False
    assert "lor_offered" not in derived_values({"lor_policy": None, "lor_offered": True})
    assert derived_values({"hands_on_level": 0})["hands_on"] is False
    assert derived_values({"hands_on_level": 1})["hands_on"] is True
    assert "hands_on" not in derived_values({"hands_on_level": None})
    assert derived_values({"visa_statuses": ["j1"]})["b1b2_accepted"] is False
    assert derived_values({"visa_statuses": '["b1b2"]'})["b1b2_accepted"] is True
    assert "b1b2_accepted" not in derived_values({"visa_statuses": None})


def test_search_letter_fact_keeps_not_stated_apart_from_no():
    assert search_letter_fact({"lor_offered": True, "lor_policy": None}) is True
    assert search_letter_fact({"lor_offered": False, "lor_policy": "none"}) is False
    assert search_letter_fact({"lor_offered": False, "lor_policy": None}) is None


def test_validation_cleans_choices_lists_and_tristates():
    clean = validate_opportunity({
        **BASE, "refund_policy": "Visa_Denial_Only", "payee": "", "open_to": "graduate; student",
        "visa_statuses": ["j1", "b1b2", "j1"], "remote_from_abroad": "", "hands_on_level": "3",
        "fee_usd": "", "lor_policy": "standard", "lor_offered": "false"})
    assert clean["refund_policy"] == "visa_denial_only" and clean["payee"] is None
    assert clean["open_to"] == ["student", "graduate"]  # vocabulary order, no duplicates
    assert clean["visa_statuses"] == ["b1b2", "j1"] and clean["b1b2_accepted"] is True
    assert clean["remote_from_abroad"] is None  # empty is not stated, not "no"
    assert clean["hands_on"] is True and clean["lor_offered"] is True
    assert clean["fee_usd"] is None and clean["total_cost_usd"] is None
    assert validate_opportunity({**BASE, "open_to": ""})["open_to"] is None
    assert validate_opportunity({**BASE, "remote_from_abroad": "no"})["remote_from_abroad"] is False


def test_a_skipped_fee_is_not_free():
    clean = validate_opportunity(BASE)
    assert clean.get("fee_usd") is None and clean["total_cost_usd"] is None


@pytest.mark.parametrize(("data", "field"), [
    ({"payee": "intermediary"}, "intermediary_name"),
    ({"payee": "intermediary", "intermediary_name": "  "}, "intermediary_name"),
    ({"participants_last_year": 5, "letters_last_year": 6}, "letters_last_year"),
    ({"refund_policy": "sometimes"}, "refund_policy"),
    ({"visa_statuses": "b1b2;tourist"}, "visa_statuses"),
    ({"visa_statuses": {"b1b2": True}}, "visa_statuses"),
    ({"hands_on_level": 5}, "hands_on_level"),
    ({"remote_from_abroad": "maybe"}, "remote_from_abroad"),
])
def test_bad_values_name_their_field(data, field):
    with pytest.raises(ValidationErrors) as exc:
        validate_opportunity({**BASE, **data})
    assert field in exc.value.errors


def test_a_patch_sees_the_stored_values_for_the_cross_field_rules():
    existing = {**validate_opportunity(BASE), "intermediary_name": "", "fee_usd": 1000}
    with pytest.raises(ValidationErrors) as exc:
        validate_opportunity({"payee": "intermediary"}, existing=existing)
    assert "intermediary_name" in exc.value.errors
    clean = validate_opportunity({"deposit_usd": 500}, existing=existing)
    assert clean["total_cost_usd"] == 1500  # the total follows a change of one part


def test_wording_says_not_stated():
    assert facts.usd(None) == "Not stated" and facts.usd(0) == "Free" and facts.usd(1500) == "$1,500"
    assert facts.total_cost_label(None) == "Cost not stated"
    assert facts.total_cost_label(2400) == "Total $2,400"
    assert facts.hands_on_level_label(3) == "Level 3 of 4: writes notes in the ehr under supervision"
    assert facts.hands_on_level_label(None) == "Not stated"
    assert facts.letter_label({"lor_policy": "on_request", "letters_last_year": 12,
                               "participants_last_year": 15}) == (
        "A letter on request (12 of 15 participants last year got a letter)")
    assert facts.letter_label({"lor_policy": None, "lor_offered": False}) == "Letter policy not stated"
    assert facts.choices('["b1b2", "j1"]', "visa_statuses") == "B-1/B-2 visitor, J-1"
    assert facts.choices(None, "open_to") == "Not stated"
    assert as_list([]) is None
