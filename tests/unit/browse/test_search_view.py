"""The active-filter chips read like sentences and each removes only its own value."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from board.browse.labels import filter_summary
from board.browse.view_model import chips


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
