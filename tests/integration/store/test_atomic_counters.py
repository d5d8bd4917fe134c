"""Rate-limit counters increment in one statement in the real database: before, `hit` read
a JSON count and wrote count+1 back, so parallel requests all read the same number and a
limit of 5 let dozens through. IPv6 clients count per /64."""

from __future__ import annotations

import asyncio

from board.store.kv import DatabaseStore
from board.web import ratelimit


async def test_forty_parallel_increments_count_exactly_forty(store):
    kv = DatabaseStore("rate")
    counts = await asyncio.gather(*(kv.incr("parallel", 60) for _ in range(40)))
    assert sorted(counts) == list(range(1, 41))
    assert await kv.incr("parallel", 60) == 41
    assert await kv.expires_in("parallel") <= 60


async def test_forty_parallel_hits_let_exactly_the_limit_through(store):
    kv = DatabaseStore("rate")
    allowed = await asyncio.gather(*(ratelimit.hit(kv, "login", "Ann@Example.org", 10, 900)
                                     for _ in range(40)))
    assert allowed.count(True) == 10 and allowed.count(False) == 30
    # Case and spaces do not make a new counter; a reset (a successful login) clears it.
    assert not await ratelimit.hit(kv, "login", " ann@example.org", 10, 900)
    await ratelimit.reset(kv, "login", "ann@example.org", 900)
    assert await ratelimit.hit(kv, "login", "ann@example.org", 10, 900)


def test_ipv6_clients_are_bucketed_per_64():
    a = ratelimit.bucket_of("2001:db8:1:2:aaaa::1")
    assert a == ratelimit.bucket_of("2001:db8:1:2:ffff:ffff:ffff:ffff") == "2001:db8:1:2::/64"
    assert a != ratelimit.bucket_of("2001:db8:1:3::1")
    assert ratelimit.bucket_of("::ffff:192.0.2.7") == "192.0.2.7"
    assert ratelimit.bucket_of("192.0.2.7") == "192.0.2.7"
    assert ratelimit.bucket_of("unknown") == "unknown"
