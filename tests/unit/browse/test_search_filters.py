"""Search filters and the hot-search cache without a server: quoting a value, refusing an
unknown facet, moving `now` to the end of its cache window, and cache generations."""

from __future__ import annotations

import pytest

from board.core.search_spec import INDEX_SPEC
from search.query import SearchQuery, base_clauses, facet_clause, quote
from search.result_cache import ResultCache


def test_quote_escapes_backslash_before_quote():
    assert quote('a"b') == '"a\\"b"'
    assert quote("a\\") == '"a\\\\"'
    assert quote('\\"') == '"\\\\\\""'


def test_unknown_facet_is_refused():
    with pytest.raises(ValueError):
        facet_clause('state = "NY" OR id', ("x",), INDEX_SPEC)


def test_window_moves_now_to_the_end_of_its_window():
    cache = ResultCache(window_s=10)
    for now in (1000, 1001, 1009):
        windowed = cache.windowed(SearchQuery(now_ts=now))
        assert windowed.now_ts == 1010
        # Hidden up to a window early, never shown after its expiry.
        assert "expires_at_ts > 1010" in base_clauses(windowed)
    assert cache.windowed(SearchQuery(now_ts=1010)).now_ts == 1020


def test_entries_belong_to_one_generation_and_the_lru_is_bounded():
    cache = ResultCache(max_entries=2)
    cache.put(b"a", 0, "A")
    assert cache.get(b"a", 0) == "A"
    assert cache.get(b"a", 1) is None  # a write finished since: stale
    cache.put(b"b", 0, "B")
    cache.get(b"a", 0)
    cache.put(b"c", 0, "C")  # evicts the least recently used ("b")
    assert cache.get(b"b", 0) is None and cache.get(b"a", 0) == "A" and cache.get(b"c", 0) == "C"
