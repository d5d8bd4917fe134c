"""Red flags of the money patterns IMGs report about brokers (issue 14)."""

from __future__ import annotations

from board.listings.red_flags import red_flags

CLEAN = {"title": "Internal Medicine Observership", "description": "Rounds and clinic.",
         "fee_usd": 500, "total_cost_usd": 600, "payee": "institution", "apply_url": ""}


def _flags(**changes) -> list[str]:
    return red_flags({**CLEAN, **changes})


def test_a_plain_listing_has_no_flag():
    assert _flags() == []


def test_payment_before_any_contact_with_the_physician():
    assert "asks for payment before any contact with the physician" in _flags(
        description="Pay the $500 deposit before we introduce you to your preceptor.")
    assert "asks for payment before any contact with the physician" in _flags(
        refund_terms="Payment is due prior to any contact with the attending.")
    assert _flags(description="The fee is due two weeks before the start date.") == []


def test_non_refundable_money_to_an_intermediary():
    flag = "non-refundable money paid to an intermediary"
    assert flag in _flags(payee="intermediary", intermediary_name="Agency LLC",
                          refund_terms="The deposit is non-refundable.")
    assert flag in _flags(payee="intermediary", intermediary_name="Agency LLC",
                          refund_policy="none")
    assert flag not in _flags(refund_terms="Non-refundable.")  # the hospital itself is paid


def test_guaranteed_letter_or_match():
    assert any("guaranteed" in f for f in _flags(description="Guaranteed letter of recommendation!"))
    assert any("guaranteed" in f for f in _flags(refund_terms="Residency match guaranteed or money back"))


def test_a_large_total_without_refund_terms():
    flag = "total cost above $3,000 without refund terms"
    assert flag in _flags(fee_usd=3500, total_cost_usd=3500)
    assert flag not in _flags(fee_usd=3500, total_cost_usd=3500,
                              refund_terms="Full refund up to 30 days before the start.")
    assert flag not in _flags(fee_usd=None, total_cost_usd=None)  # not stated: nothing to judge


def test_an_intermediary_without_a_name():
    assert "intermediary payee without a name" in _flags(payee="intermediary", intermediary_name="")
