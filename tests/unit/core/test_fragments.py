"""Form blocks rendered once per distinct values (board/web/fragments.py)."""

from __future__ import annotations

import re

from board.core import vocab
from board.web import fragments
from board.web.fragments import fragment, frozen

ESSENTIALS = "partials/search_essentials.html"


def _values(state: dict, errors: dict | None = None) -> dict:
    return {"state": state, "field_errors": errors or {},
            "hands_on_levels": vocab.CHOICES["hands_on_levels"]}


def _fee(html: str) -> str:
    return re.search(r'id="fee_max"[^>]*?value="([^"]*)"', html, re.S).group(1)


def test_the_same_values_give_the_remembered_html_and_other_values_their_own() -> None:
    fragments.clear()
    state = {"fee_max": ["500"], "near": ["Chicago, IL"]}
    first = fragment(ESSENTIALS, _values(state), frozen(state, ("fee_max", "near")))
    again = fragment(ESSENTIALS, _values(dict(state)), frozen(state, ("fee_max", "near")))
    assert again is first  # not rendered twice
    assert _fee(first) == "500" and 'value="Chicago, IL"' in first
    other = {"fee_max": ["0"]}
    html = fragment(ESSENTIALS, _values(other), frozen(other, ("fee_max", "near")))
    assert _fee(html) == "0" and 'value="Chicago, IL"' not in html


def test_a_field_error_is_rendered_fresh_and_not_remembered() -> None:
    fragments.clear()
    error = {"fee_max": {"param": "fee_max", "human": "Enter a whole number of dollars.",
                         "links": []}}
    html = fragment(ESSENTIALS, _values({"fee_max": ["abc"]}, error), None)
    assert 'id="fee_max-error"' in html and "Enter a whole number of dollars." in html
    assert 'aria-invalid="true"' in html
    assert fragments._rendered == {}  # noqa: SLF001 - nothing kept


def test_keys_hold_only_the_named_parameters_in_order() -> None:
    state = {"q": ["x"], "near": ["60601"], "fee_max": ["100"], "usmle": ["step1", "step2ck"]}
    assert frozen(state, ("fee_max", "near", "cost_max")) == (
        ("fee_max", ("100",)), ("near", ("60601",)))
    assert frozen(state, ("usmle",)) == (("usmle", ("step1", "step2ck")),)
