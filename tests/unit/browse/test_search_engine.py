"""Pure functions of the search adapter: the multi-search shape, highlighting, the capped flag,
an unshaped result."""

from __future__ import annotations

import msgspec

from board.core.search_spec import FACETS, INDEX_SPEC
from search.answers import HitMemo, answer_types, safe_highlight
from search.documents import HL_POST, HL_PRE
from search.engine import build_queries, shape_result
from search.index_settings import MAX_TOTAL_HITS
from search.memory import MemoryIndex
from search.query import SearchQuery, build_filter, filters_without, sort_for


def test_one_extra_query_per_selected_facet_without_its_own_clause():
    query = SearchQuery(selections={"state": ("NY", "CA"), "hands_on": ("true",)}, now_ts=100)
    main, *extra = build_queries("idx", query, INDEX_SPEC)
    assert 'state = "NY"' in " ".join(main["filter"]) and "hands_on = true" in " ".join(main["filter"])
    assert "state" not in main["facets"] and "hands_on" not in main["facets"]
    assert {f for f in FACETS if f not in {"state", "hands_on"}} <= set(main["facets"])
    by_facet = {q["facets"][0]: q for q in extra}
    assert set(by_facet) == {"state", "hands_on"}
    assert not any("state =" in c for c in by_facet["state"]["filter"])
    assert any("hands_on = true" in c for c in by_facet["state"]["filter"])
    assert all(q["hitsPerPage"] == 0 for q in extra)


def test_highlight_escapes_everything_but_our_marks():
    text = f"{HL_PRE}Cardio{HL_POST} <script>x</script> & <mark>fake</mark>"
    assert safe_highlight(text) == ("<mark>Cardio</mark> &lt;script&gt;x&lt;/script&gt; &amp; "
                                    "&lt;mark&gt;fake&lt;/mark&gt;")
    assert safe_highlight(None) == ""


def test_capped_past_max_total_hits_and_distance_sort():
    raw = [{"hits": [], "totalHits": MAX_TOTAL_HITS, "totalPages": MAX_TOTAL_HITS // 20,
            "facetDistribution": {}, "facetStats": {}}]
    result = shape_result(raw, SearchQuery(page=5000), 3, INDEX_SPEC)
    assert result.capped and result.hits == [] and result.page == 5000
    assert not shape_result([{**raw[0], "totalHits": 12}], SearchQuery(), 1, INDEX_SPEC).capped
    assert sort_for(SearchQuery(sort="distance")) == []
    assert sort_for(SearchQuery(sort="distance", geo=(29.76, -95.36))) == [
        "_geoPoint(29.76, -95.36):asc"]


def test_filters_without_each_selected_facet_share_the_rest():
    query = SearchQuery(selections={"state": ("NY",), "kind": ("research",)}, now_ts=100)
    filters = filters_without(query, INDEX_SPEC)
    assert set(filters) == {None, "state", "kind"}
    assert 'kind = "research"' in " ".join(filters["state"])
    assert "state =" not in " ".join(filters["state"])
    assert filters[None] == build_filter(query, INDEX_SPEC)
    # Leaving out a facet with no selection changes nothing (the facet search's case).
    assert build_filter(query, INDEX_SPEC, without="specialty") == filters[None]
    assert len(filters[None]) == len(filters["state"]) + 1


def test_an_unshaped_result_hands_over_the_engines_bytes_shaped_later_alike():
    hits = [{"id": i, "title": f"Cardiology {i}", "institution_name": "General",
             "_formatted": {"title": f"{HL_PRE}Cardiology{HL_POST} {i}"}} for i in (1, 2)]
    body = msgspec.json.encode({"results": [{"hits": hits, "totalHits": 2, "totalPages": 1,
                                             "facetDistribution": {}, "facetStats": {}}]})
    answers = answer_types(INDEX_SPEC)[1].decode(body).results
    memo, query = HitMemo(), SearchQuery()
    raw = shape_result(answers, query, 1, INDEX_SPEC, memo, shape=False)
    shaped = shape_result(answers, query, 1, INDEX_SPEC, memo)
    assert raw.hits == [] and [msgspec.json.decode(h)["id"] for h in raw.raw_hits] == [1, 2]
    assert shaped.raw_hits is None and shaped.total == raw.total == 2
    assert memo.shape(raw.raw_hits, query, INDEX_SPEC) == shaped.hits
    assert shaped.hits[0]["highlight"]["title"] == "<mark>Cardiology</mark> 1"
    # The in-memory index shapes the same bytes the same way.
    assert MemoryIndex(INDEX_SPEC).shape_hits(raw.raw_hits, query) == shaped.hits
