"""Reading the visible listings for a full reindex, a batch at a time, as cheaply as the store
allows: the rows `gateway.load_rows` gives (the same value types and review summary) less
the columns no search document reads, by keyset pagination on the id.

Why not `load_rows`: on SQLite, Piccolo's connection turns every value into Python through
the converters `sqlite3` calls per column (an INTEGER goes through `Decimal`), then builds the
row through a dict comprehension; for a 100k-listing reindex that was the largest share of
the board's CPU, which the search engine, ingesting at the same time on the same cores, needs.
Here the same SELECT runs on a connection of our own that hands back plain tuples, and only
the columns whose type needs it are converted, to what Piccolo's converters return (tests
check that the documents equal those built from `load_rows`). PostgreSQL's driver decodes in
C already: it takes the ordinary path. The review summaries come from one range query per
batch instead of an `IN (...)` of every id."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine

from board.core.search_spec import INDEX_SPEC
from board.listings.visibility import visible_where
from board.reviews.summary import public_summary
from board.store.drivers import SQLITE_BUSY_TIMEOUT_S
from board.store.engine import current_engine
from board.store.tables import Opportunity, Review

_UTC = dt.UTC
# Stored for the host, the moderators and the counters; `document_from_row` never reads them.
# Leaving them out of the SELECT is a fifth of the reading.
NOT_IN_DOCUMENTS = ("created_by", "institution", "visa_notes", "apply_url", "apply_email",
                    "review_flags", "approved_values", "rejection_reason", "created_at",
                    "submitted_at", "closed_at", "reminded_for", "views", "apply_clicks",
                    "join_url")
if set(NOT_IN_DOCUMENTS) & {*INDEX_SPEC.searchable, *INDEX_SPEC.filterable,
                            *INDEX_SPEC.hit_fields, *INDEX_SPEC.plain_fields,
                            *INDEX_SPEC.bool_fields}:
    raise RuntimeError("bulk_read.NOT_IN_DOCUMENTS names a field the search index uses")
_SELECTED = (
    *Opportunity.all_columns(exclude=list(NOT_IN_DOCUMENTS)),
    Opportunity.institution.name.as_alias("institution_name"),
    Opportunity.institution.verified.as_alias("institution_verified"),
)


def _timestamptz(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    # Stored with "+00:00" it is UTC already; replace() alone costs a microsecond.
    return moment if moment.tzinfo is _UTC else moment.replace(tzinfo=_UTC)


# What Piccolo's sqlite3 converters make of a stored value, without their per-value wrapper.
_FAST: dict[str, Callable[[Any], Any]] = {
    "BOOLEAN": lambda value: value == 1 or value == "1",
    "TIMESTAMPTZ": _timestamptz,
    "DATE": dt.date.fromisoformat,
}


def _converter(column_type: str) -> Callable[[Any], Any] | None:
    """None when the raw value is already what Piccolo returns."""
    name = column_type.split("(")[0].split(" ")[0].upper()
    if name in _FAST:
        return _FAST[name]
    if name == "INTEGER":
        return None  # the column's affinity stores what the board writes (ints) as int
    registered = sqlite3.converters.get(name)
    if registered is None:
        return None
    return lambda value: registered(str(value).encode())


class ListingReader:
    """`await reader.read(after_id, limit)`: the next visible rows by id, with `reviews`."""

    def __init__(self, now: dt.datetime, executor: Executor | None = None):
        self.now = now
        self._executor = executor  # where the SQLite reads run (None: asyncio's default)
        engine = current_engine()
        self._path = engine.path if isinstance(engine, SQLiteEngine) else None
        self._connection: sqlite3.Connection | None = None
        # A cancelled read's thread runs on to its end: closing waits for it.
        self._lock = threading.Lock()
        self._converters = [(i, c) for i, c in enumerate(
            _converter(column.column_type) for column in _SELECTED) if c]

    def _query(self, after_id: int, limit: int):
        return Opportunity.select(*_SELECTED).where(
            visible_where(self.now) & (Opportunity.id > after_id)
        ).order_by(Opportunity.id).limit(limit)

    async def read(self, after_id: int, limit: int) -> list[dict[str, Any]]:
        query = self._query(after_id, limit)
        if self._path is None:
            rows = await query.run()
        else:
            sql, args = query.querystrings[0].compile_string(engine_type="sqlite")
            rows = await asyncio.get_running_loop().run_in_executor(
                self._executor, self._fetch, sql, args)
        if rows:
            await self._add_reviews(rows)
        return rows

    def _fetch(self, sql: str, args: list[Any]) -> list[dict[str, Any]]:
        with self._lock:
            return self._fetch_locked(sql, args)

    def _fetch_locked(self, sql: str, args: list[Any]) -> list[dict[str, Any]]:
        if self._connection is None:
            self._connection = sqlite3.connect(self._path, timeout=SQLITE_BUSY_TIMEOUT_S,
                                               check_same_thread=False)
        cursor = self._connection.execute(sql, args)
        names = [d[0] for d in cursor.description]
        rows = []
        for raw in cursor.fetchall():
            values = list(raw)
            for index, convert in self._converters:
                if values[index] is not None:
                    values[index] = convert(values[index])
            rows.append(dict(zip(names, values, strict=True)))
        return rows

    async def _add_reviews(self, rows: list[dict[str, Any]]) -> None:
        shown = await Review.select(
            Review.opportunity_id, Review.overall, Review.teaching, Review.hands_on,
            Review.organisation, Review.letter, Review.costs_as_advertised,
        ).where((Review.opportunity_id >= rows[0]["id"]) & (Review.opportunity_id <= rows[-1]["id"])
                & (Review.status == "shown")).run()
        by_listing: dict[int, list[dict[str, Any]]] = {}
        for review in shown:
            by_listing.setdefault(review["opportunity_id"], []).append(review)
        # Most listings have no review: one summary object serves them all (documents are
        # encoded, never changed).
        none = public_summary([])
        for row in rows:
            reviews = by_listing.get(row["id"])
            row["reviews"] = public_summary(reviews) if reviews else none

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
