"""Concurrent searches share multi-search requests (micro-batching, no added wait).

Each search the board runs is a handful of queries (the main one and one per selected
disjunctive facet) sent as one `/multi-search`. Under load many visitors search at once,
and the engine pays a fixed cost per HTTP request besides the queries themselves: parsing,
the API key check, the search queue's permit, its threads waking. On the distinct-search
benchmark four searches per request cost the engine 5-9% less CPU per search than one, and
the web process makes a quarter of the round trips.

The rule adds no delay: while fewer than `max_in_flight` requests are at the engine, a search
goes out at once, alone. Only when that many are already out do later searches wait, and
when one comes back everything that queued meanwhile leaves together as ONE request. So an
idle board answers as before, and a busy one sends fewer, fuller requests where it would
have queued them at the engine anyway. `max_in_flight` keeps the engine's cores busy
(two per core: a request is parsed and answered while the other one runs).

One failed query must not fail its neighbours: when the engine refuses a shared request
(a 4xx names one query), each search in it is retried on its own. A transport failure or a
5xx is the engine's state, the same for all of them, and reaches every caller."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from search.errors import MeiliError

Send = Callable[[list[dict], Any], Awaitable[list[Any]]]
# A request's size stays ordinary: at most this many queries leave together. And at most
# this many searches: the engine answers a request's queries one after another, so the
# first search of a long batch waits for the last (the page's p99 rose past 2x raw's with
# batches of up to 11; most of the engine's saving is in the first few).
MAX_QUERIES = 32
MAX_SEARCHES = 4


class _Waiting:
    __slots__ = ("queries", "future")

    def __init__(self, queries: list[dict], future: asyncio.Future) -> None:
        self.queries = queries
        self.future = future


class SearchCoalescer:
    def __init__(self, send: Send, max_in_flight: int) -> None:
        self._send = send
        self.max_in_flight = max(1, max_in_flight)
        self._in_flight = 0
        # Keyed by the answer decoder: one request's answers are decoded by one decoder.
        self._waiting: dict[Any, list[_Waiting]] = {}
        self._tasks: set[asyncio.Task] = set()
        self.requests = 0  # sent, for the tests and the benchmark's report
        self.shared = 0  # of them, requests that carried more than one search

    async def multi_search(self, queries: list[dict], decoder: Any = None) -> list[Any]:
        if self._in_flight < self.max_in_flight and not self._waiting:
            self._in_flight += 1
            self.requests += 1
            try:
                return await self._send(queries, decoder)
            finally:
                self._in_flight -= 1
                self._next()
        future = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(decoder, []).append(_Waiting(queries, future))
        return await future

    def _next(self) -> None:
        """Send what waits, up to the in-flight limit."""
        while self._waiting and self._in_flight < self.max_in_flight:
            decoder, queue = next(iter(self._waiting.items()))
            batch, count = [], 0
            while queue and len(batch) < MAX_SEARCHES and (
                    not batch or count + len(queue[0].queries) <= MAX_QUERIES):
                waiting = queue.pop(0)
                if not waiting.future.done():  # its caller went away (cancelled)
                    batch.append(waiting)
                    count += len(waiting.queries)
            if not queue:
                del self._waiting[decoder]
            if batch:
                self._in_flight += 1
                task = asyncio.get_running_loop().create_task(self._shared(batch, decoder))
                self._tasks.add(task)  # the loop keeps only a weak reference
                task.add_done_callback(self._tasks.discard)

    async def _shared(self, batch: list[_Waiting], decoder: Any) -> None:
        self.requests += 1
        self.shared += len(batch) > 1
        try:
            answers = await self._send([q for w in batch for q in w.queries], decoder)
        except MeiliError as exc:
            if len(batch) == 1:
                _fail(batch, exc)
            else:
                await asyncio.gather(*(self._alone(w, decoder) for w in batch))
        except Exception as exc:  # noqa: BLE001 - the engine's state: every caller gets it
            _fail(batch, exc)
        except BaseException:
            for waiting in batch:
                waiting.future.cancel()
            raise
        else:
            start = 0
            for waiting in batch:
                end = start + len(waiting.queries)
                if not waiting.future.done():
                    waiting.future.set_result(answers[start:end])
                start = end
        finally:
            self._in_flight -= 1
            self._next()

    async def _alone(self, waiting: _Waiting, decoder: Any) -> None:
        try:
            answers = await self._send(waiting.queries, decoder)
        except Exception as exc:  # noqa: BLE001 - handed to its own caller
            if not waiting.future.done():
                waiting.future.set_exception(exc)
            return
        if not waiting.future.done():
            waiting.future.set_result(answers)


def _fail(batch: list[_Waiting], exc: BaseException) -> None:
    for waiting in batch:
        if not waiting.future.done():
            waiting.future.set_exception(exc)
