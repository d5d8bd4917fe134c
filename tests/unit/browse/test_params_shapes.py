"""The search parameters read the same from every shape they arrive in: the page's and the
API's multi-dict, a stored subscription's plain dict, a form that sends every field empty.
(The parsers skip a parameter the mapping does not hold before its checks: absent, empty
and present must still mean what they meant.)"""

from __future__ import annotations

import datetime as dt

import pytest
from litestar.datastructures import MultiDict

from board.browse.params import ALL_PARAMS, ParamError, filters_of, parse_search
from board.browse.profile import params_of
from board.browse.view_model import current_params

NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
PAIRS = [("q", "cardiology"), ("state", "NY"), ("state", "ca"), ("kind", "observership"),
         ("hands_on", "true"), ("fee_max", "500"), ("graduation_year", "2019"),
         ("usmle", "step1"), ("sort", "newest"), ("page", "2")]


def _grouped(pairs):
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


def test_multidict_dict_and_empty_fields_parse_alike():
    every_field_empty = {name: [""] for name in ALL_PARAMS} | _grouped(PAIRS)
    queries = [parse_search(shape, now=NOW) for shape in
               (MultiDict(PAIRS), _grouped(PAIRS), every_field_empty)]
    assert queries[0] == queries[1] == queries[2]
    query = queries[0]
    assert query.selected("state") == ("NY", "CA")
    assert (query.fee_max, query.graduation_year, query.page) == (500, 2019, 2)
    assert query.usmle == ("step1",)
    # What the query did not carry keeps its default.
    assert (query.cost_max, query.hands_on_min, query.per_page, query.eligible_only) == (
        None, None, 20, True)


def test_the_state_passes_read_only_what_is_there():
    for shape in (MultiDict(PAIRS), _grouped(PAIRS)):
        assert current_params(shape) == _grouped(PAIRS)
        assert filters_of(shape) == {k: v for k, v in _grouped(PAIRS).items()
                                     if k not in {"page", "sort"}}
        assert params_of(shape) == {"graduation_year": ["2019"], "usmle": ["step1"]}
    assert current_params({}) == filters_of({}) == params_of({}) == {}


@pytest.mark.parametrize("name, value", [("fee_max", "lots"), ("state", "ZZ"), ("visa", "x"),
                                          ("eligible_only", "maybe"), ("sort", "best")])
def test_a_bad_value_is_still_named(name, value):
    for shape in (MultiDict([*PAIRS, (name, value)]), {**_grouped(PAIRS), name: [value]}):
        with pytest.raises(ParamError) as caught:
            parse_search(shape, now=NOW)
        assert caught.value.param == name
