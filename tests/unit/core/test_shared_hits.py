"""board.core.shared_hits.PerHit: one derived value per shared hit, by identity."""

from __future__ import annotations

from typing import Any

from board.core.shared_hits import PerHit


def test_built_once_per_hit_and_extra_and_aged_out() -> None:
    calls: list[Any] = []

    def build(hit: dict[str, Any], extra: Any) -> str:
        calls.append((hit["id"], extra))
        return f"{hit['id']}@{extra}"

    memo: PerHit[str] = PerHit(build, max_entries=2)
    a, b, c = {"id": 1}, {"id": 2}, {"id": 3}
    assert memo.get(a, "x") == "1@x" and memo.get(a, "x") == "1@x"
    assert calls == [(1, "x")]
    assert memo.get(a, "y") == "1@y"  # another extra: built again
    # An equal dict that is not the same object is not the remembered hit.
    assert memo.get({"id": 1}, "y") == "1@y" and len(calls) == 3
    memo.get(b, "x")
    memo.get(c, "x")
    memo.get(a, "y")  # aged out by the two newer entries
    assert len(calls) == 6
