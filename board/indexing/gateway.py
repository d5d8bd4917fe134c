"""The board's handle on search (a MeiliIndex: the client, the live index name), and how a
stored opportunity becomes a document (through `search.documents.build_document`)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from typing import Any

from board.core import vocab
from board.core.derived import as_list, search_letter_fact
from board.core.event_listing import document_values
from board.core.fields import OPPORTUNITY_FIELDS
from board.core.markdown import plain_text
from board.core.search_spec import INDEX_SPEC
from board.listings.visibility import visible_where
from board.observability import metrics
from board.reviews.summary import summaries as review_summaries
from board.store.tables import Opportunity
from search.client import MeiliClient
from search.documents import build_document
from search.errors import MeiliError, SearchUnavailable
from search.meili_index import MeiliIndex
from search.query import SearchQuery
from search.result_cache import ResultCache

_COLUMNS = (
    Opportunity.all_columns(),
    Opportunity.institution.name.as_alias("institution_name"),
    Opportunity.institution.verified.as_alias("institution_verified"),
    Opportunity.institution.suspended_at.as_alias("institution_suspended_at"),
)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


_LIST_FIELDS = tuple(f.name for f in OPPORTUNITY_FIELDS if f.is_list)


def document_from_row(row: dict[str, Any], now: dt.datetime | None = None, *,
                      consume: bool = False) -> dict[str, Any]:
    """`consume`: the caller is done with `row` (a reindex batch), so it is completed in
    place rather than copied (a copy per listing is a measurable share of a reindex)."""
    # Search and highlight the text a visitor reads, not the Markdown syntax; lists come
    # back from the store as JSON text; "No letter" matches only a stated "no letters";
    # an event carries its next occurrence (and leaves search after its last one).
    values = row if consume else dict(row)
    for name in _LIST_FIELDS:
        values[name] = as_list(row.get(name))
    values.update(document_values(row, now or utcnow()))
    values["description"] = plain_text(row.get("description") or "")
    values["state_name"] = vocab.states().get(row.get("state") or "", "")
    values["lor_offered"] = search_letter_fact(row)
    return build_document(values, INDEX_SPEC.bool_fields, INDEX_SPEC.plain_fields)


async def load_rows(ids: Iterable[int] | None = None, *, visible_only: bool = False,
                    now: dt.datetime | None = None, limit: int | None = None,
                    after_id: int = 0) -> list[dict[str, Any]]:
    query = Opportunity.select(*_COLUMNS).order_by(Opportunity.id)
    if ids is not None:
        query = query.where(Opportunity.id.is_in(list(ids)))
    if after_id:
        query = query.where(Opportunity.id > after_id)
    if visible_only:
        query = query.where(visible_where(now or utcnow()))
    if limit:
        query = query.limit(limit)
    rows = await query.run()
    # Each document carries its listing's review summary, so a search page reads it from the
    # hits instead of querying the store; a change of shown reviews re-sends the listing.
    reviews = await review_summaries(r["id"] for r in rows)
    for row in rows:
        row["reviews"] = reviews[row["id"]]
    return rows


class SearchGateway(MeiliIndex):
    """The board's handle on search: the Meilisearch SearchIndex (search.index.SearchIndex)
    over the board's own index spec; indexing, the runtime and the tests know this name."""

    def __init__(self, client: MeiliClient, index: str, cache: ResultCache | None = None):
        super().__init__(client, index, INDEX_SPEC, cache)

    async def search(self, query: SearchQuery, *, shape: bool = True):
        """A search, timed and counted for /metrics (an engine error by its kind)."""
        started = time.perf_counter()
        try:
            result = await super().search(query, shape=shape)
        except SearchUnavailable:
            metrics.observe_search(time.perf_counter() - started, "unavailable")
            raise
        except MeiliError:
            metrics.observe_search(time.perf_counter() - started, "rejected")
            raise
        metrics.observe_search(time.perf_counter() - started)
        return result
