"""The shared store on Redis (REDIS_URL): sessions, rate-limit counters and the search
cache's generation, so workers on several machines see the same ones. Without REDIS_URL the
database store (board.store.kv) does the same job with no other server to run.

Litestar's RedisStore gives get/set/delete with expiry; the rate limits also need an atomic
counter (`incr`, as DatabaseStore has), and the hot-query cache a generation number that any
process bumps after it changed the search index."""

from __future__ import annotations

import hashlib
import logging

from litestar.stores.redis import RedisStore
from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
# The generation counter must outlive any cache entry; a year is "forever" for it.
GENERATION_TTL = 365 * 24 * 3600


def connect(url: str) -> Redis:
    # Short timeouts: a stalled Redis must turn into an error page, not a hung worker.
    return Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)


class CountingRedisStore(RedisStore):
    async def incr(self, key: str, expires_in: int) -> int:
        """Add one to the counter `key` and return the new count, atomically (MULTI): a new
        counter expires in `expires_in` seconds, an existing one keeps its expiry."""
        if len(key) > 200:
            # Visitor-supplied parts (an email typed at login) may be huge: store a digest.
            key = "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        name = self._make_key(key)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(name, 0, ex=max(1, int(expires_in)), nx=True)
            pipe.incr(name)
            _, count = await pipe.execute()
        return int(count)


class SharedGeneration:
    """A number every process reads before using a cached search result and bumps after a
    write to the index it waited for: a change made by one worker invalidates the hot-query
    caches of all of them at once, not only its own."""

    KEY = "search-generation"

    def __init__(self, store: CountingRedisStore):
        self.store = store

    async def current(self) -> int | None:
        """The shared generation, or None when Redis cannot say (then nothing is cached)."""
        try:
            value = await self.store.get(self.KEY)
        except (RedisError, OSError) as exc:
            log.warning("search cache bypassed: Redis unavailable: %s", exc)
            return None
        return int(value) if value else 0

    async def bump(self) -> None:
        try:
            await self.store.incr(self.KEY, GENERATION_TTL)
        except (RedisError, OSError) as exc:
            # Other workers' caches then expire with their time window (seconds), as
            # without Redis.
            log.warning("search cache generation not shared: Redis unavailable: %s", exc)
