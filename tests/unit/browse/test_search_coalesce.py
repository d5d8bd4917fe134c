"""The sharing rule of search.coalesce on its own: who goes out alone, who waits, how a shared
answer is split, and how one refused query is kept from failing its neighbours. The engine
here is a coroutine that records what it is sent; the same rule against the real
Meilisearch: tests/integration/browse/test_search_sharing.py."""

from __future__ import annotations

import asyncio

import pytest

from search.coalesce import MAX_QUERIES, MAX_SEARCHES, SearchCoalescer
from search.errors import MeiliError, SearchUnavailable


class Engine:
    """Answers each query with its own "q" once released; refuses queries marked "bad"."""

    def __init__(self, down: bool = False) -> None:
        self.sent: list[list[str]] = []
        self.release = asyncio.Event()
        self.down = down

    async def send(self, queries: list[dict], decoder: object) -> list[str]:
        self.sent.append([q["q"] for q in queries])
        await self.release.wait()
        if self.down:
            raise SearchUnavailable("engine down")
        if any(q["q"] == "bad" for q in queries):
            raise MeiliError("invalid_search_filter", "bad filter", 400)
        return [f"answer {q['q']}" for q in queries]


async def _started(coalescer: SearchCoalescer, *searches: list[str]) -> list[asyncio.Task]:
    tasks = []
    for queries in searches:
        tasks.append(asyncio.create_task(coalescer.multi_search([{"q": q} for q in queries])))
        await asyncio.sleep(0)  # each reaches the coalescer in this order
    return tasks


async def test_below_the_limit_every_search_goes_out_alone_at_once():
    engine = Engine()
    coalescer = SearchCoalescer(engine.send, 3)
    tasks = await _started(coalescer, ["a"], ["b", "b2"], ["c"])
    assert engine.sent == [["a"], ["b", "b2"], ["c"]]
    engine.release.set()
    assert await asyncio.gather(*tasks) == [["answer a"], ["answer b", "answer b2"], ["answer c"]]
    assert (coalescer.requests, coalescer.shared) == (3, 0)


async def test_past_the_limit_waiting_searches_leave_together_and_get_their_own_answers():
    engine = Engine()
    coalescer = SearchCoalescer(engine.send, 1)
    tasks = await _started(coalescer, ["a"], ["b", "b2"], ["c"], ["d"])
    assert engine.sent == [["a"]]  # the rest wait for it
    engine.release.set()
    results = await asyncio.gather(*tasks)
    assert engine.sent == [["a"], ["b", "b2", "c", "d"]]
    assert results == [["answer a"], ["answer b", "answer b2"], ["answer c"], ["answer d"]]
    assert (coalescer.requests, coalescer.shared) == (2, 1)


async def test_a_refused_query_fails_only_its_own_search():
    engine = Engine()
    coalescer = SearchCoalescer(engine.send, 1)
    tasks = await _started(coalescer, ["first"], ["ok"], ["bad"], ["fine", "fine2"])
    engine.release.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert results[0] == ["answer first"] and results[1] == ["answer ok"]
    assert isinstance(results[2], MeiliError) and results[2].status == 400
    assert results[3] == ["answer fine", "answer fine2"]
    # The shared request was refused, then each of its searches was asked again alone.
    assert engine.sent[1] == ["ok", "bad", "fine", "fine2"]
    assert sorted(engine.sent[2:]) == [["bad"], ["fine", "fine2"], ["ok"]]


async def test_an_engine_outage_reaches_every_waiting_search():
    engine = Engine(down=True)
    coalescer = SearchCoalescer(engine.send, 1)
    tasks = await _started(coalescer, ["a"], ["b"], ["c"])
    engine.release.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, SearchUnavailable) for r in results)
    assert len(engine.sent) == 2  # no retry one by one: the engine is down for all of them


async def test_a_cancelled_search_is_not_sent_and_the_others_are_answered():
    engine = Engine()
    coalescer = SearchCoalescer(engine.send, 1)
    tasks = await _started(coalescer, ["a"], ["gone"], ["b"])
    tasks[1].cancel()
    await asyncio.sleep(0)
    engine.release.set()
    assert await tasks[0] == ["answer a"] and await tasks[2] == ["answer b"]
    with pytest.raises(asyncio.CancelledError):
        await tasks[1]
    assert engine.sent == [["a"], ["b"]]


async def test_a_shared_request_holds_at_most_max_queries_and_max_searches():
    engine = Engine()
    coalescer = SearchCoalescer(engine.send, 1)
    long = [[f"q{i}-{j}" for j in range(10)] for i in range(5)]
    tasks = await _started(coalescer, ["first"], *long, *[[f"s{i}"] for i in range(6)])
    engine.release.set()
    results = await asyncio.gather(*tasks)
    assert results[2] == [f"answer q1-{j}" for j in range(10)] and results[-1] == ["answer s5"]
    assert all(len(sent) <= MAX_QUERIES for sent in engine.sent)
    # Whole searches only: three of ten queries (a fourth would pass MAX_QUERIES), the other
    # two with two short ones (MAX_SEARCHES), then the last four.
    assert MAX_SEARCHES == 4
    assert [len(sent) for sent in engine.sent] == [1, 30, 22, 4]
