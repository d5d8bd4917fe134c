"""The facet lists' fast path (no option dicts) renders exactly what the options path does."""

from __future__ import annotations

import random

from board.browse.facet_lists import facet_options, list_html, matching_options, options_html
from board.browse.labels import FACET_TITLES
from board.browse.view_model import FACET_ORDER, facet_groups


def _values(facet: str) -> list[str]:
    return [o["value"] for o in facet_options(facet, {}, ())]


def test_list_html_matches_the_options_path_for_every_facet() -> None:
    rng = random.Random(7)
    for facet in FACET_ORDER:
        values = _values(facet)
        for _ in range(20):
            # Ties in the counts too: the long lists break them by label.
            counts = {v: rng.choice((0, 0, 1, 3, 3, 250)) for v in values if rng.random() < 0.7}
            selected = tuple(rng.sample(values, rng.randint(0, min(3, len(values)))))
            expected = options_html(FACET_TITLES[facet],
                                    facet_options(facet, counts, selected))
            assert list_html(facet, counts, selected) == expected


def test_long_lists_put_the_selected_first_then_the_largest_counts() -> None:
    html = list_html("state", {"TX": 5, "NY": 9, "CA": 9}, ("WY",))
    order = [v for v in ("WY", "CA", "NY", "TX") if f'value="{v}"' in html]
    positions = [html.index(f'value="{v}"') for v in order]
    assert positions == sorted(positions)  # WY (selected), California, New York (9), TX (5)
    assert 'value="WY" checked' in html and "facet__option--empty" in html


def test_a_typed_filter_still_narrows_the_specialty_list() -> None:
    groups = {g["name"]: g for g in facet_groups({}, None, facet_q="cardio")}
    narrowed = str(groups["specialty"]["options_html"])
    assert "Cardiovascular disease" in narrowed and "Dermatology" not in narrowed
    assert narrowed == str(options_html(FACET_TITLES["specialty"], matching_options(
        facet_options("specialty", {}, ()), "cardio"), "cardio"))


def test_each_group_is_one_fieldset_with_the_filter_box_its_list_needs() -> None:
    groups = {g["name"]: str(g["html"]) for g in facet_groups({}, None, facet_q='ca"<rdio')}
    specialty, state, kind = groups["specialty"], groups["state"], groups["kind"]
    assert specialty.startswith('<fieldset class="facet" id="facet-specialty">')
    assert 'name="facet_q" value="ca&#34;&lt;rdio"' in specialty  # the visitor's text, escaped
    assert 'data-hx-get="/partials/facet-search"' in specialty and "facet__list--long" in specialty
    assert "data-local-filter hidden" in state and 'data-filter-list="facet-list-state"' in state
    assert "facet__search" not in kind and 'class="facet__list" id="facet-list-kind"' in kind
    assert all(html.endswith("</ul>\n</fieldset>") for html in groups.values())
