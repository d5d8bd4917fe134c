"""The active-filter chips read like sentences and each removes only its own value; page links
keep the rest of the search."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from board.browse.labels import filter_summary
from board.browse.view_model import chips, page_urls, url_with


def test_chips_are_readable_and_remove_one_value():
    state = {"state": ["NY", "CA"], "fee_max": ["2000"], "usmle": ["step1"],
             "ecfmg_certified": ["false"], "sort": ["fee"]}
    by_label = {c["label"]: c["url"] for c in chips(state)}
    # The eligibility profile is not a chip: its own panel shows it (with "Clear profile").
    assert set(by_label) == {"State: New York", "State: California", "Fee up to $2,000"}
    assert filter_summary(state)[-2:] == ["USMLE: Step 1 passed", "Not ECFMG certified"]
    left = parse_qs(urlparse(by_label["State: New York"]).query)
    assert left["state"] == ["CA"] and left["fee_max"] == ["2000"] and left["sort"] == ["fee"]
    assert "fee_max" not in parse_qs(urlparse(by_label["Fee up to $2,000"]).query)
    assert [c["label"] for c in chips({"fee_max": ["0"]})] == ["Free only"]


def test_page_links_equal_url_with_wherever_the_page_sits():
    states = [
        {},
        {"q": ["cardio & peds"]},
        {"page": ["3"]},
        {"q": ["x"], "page": ["2"], "state": ["NY", "CA"], "sort": ["fee"]},
        {"state": ["NY"], "alert": ["tok/+="], "page": ["9"]},
    ]
    for state in states:
        url = page_urls(state)
        for n in (1, 2, 10):
            assert url(n) == url_with(state, page=n)
    assert page_urls({"q": ["a b"], "page": ["4"], "kind": ["research"]})(5) == \
        "/?q=a+b&page=5&kind=research"
