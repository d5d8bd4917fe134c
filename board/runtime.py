"""What a running board holds: settings, the search gateway, the outbox drainer, the mailer.
One object, created at start-up and reached from handlers through `app.state.runtime`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from board.core.search_spec import INDEX_SPEC
from board.indexing.gateway import SearchGateway
from board.indexing.outbox import Drainer
from board.mail.transport import Mailer, Transport
from board.settings import Settings
from board.store import engine as db
from search import sync
from search.client import MeiliClient
from search.errors import MeiliError, SearchUnavailable

log = logging.getLogger(__name__)


class StartupError(Exception):
    pass


@dataclass
class Runtime:
    settings: Settings
    client: MeiliClient
    gateway: SearchGateway
    mailer: Transport  # SMTP or .eml files; tests may swap in another transport
    drainer: Drainer
    # REDIS_URL's client (sessions, rate limits, the search cache's generation), or None.
    redis: Any = None

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        client = MeiliClient(settings.meili_url, settings.meili_master_key,
                             timeout=settings.search_timeout,
                             share_searches=settings.search_share_after)
        gateway = SearchGateway(client, settings.meili_index)
        mailer = Mailer(settings.smtp_url, settings.var_dir / "mail", settings.mail_from)
        rt = cls(settings, client, gateway, mailer, Drainer(gateway))
        if settings.redis_url:
            rt.share_through_redis()
        return rt

    def share_through_redis(self) -> None:
        """Every process then learns of each index write: their hot-query caches drop
        entries at once instead of at the end of their time window."""
        from board.store.redis_store import CountingRedisStore, SharedGeneration, connect

        self.redis = connect(self.settings.redis_url)
        generation = SharedGeneration(CountingRedisStore(self.redis, namespace="board_search"))
        self.client.after_task = generation.bump
        self.gateway.cache.shared_generation = generation.current

    def stores(self) -> dict[str, Any]:
        """The Litestar stores: Redis when REDIS_URL is set, else the database."""
        if self.redis is not None:
            from board.store.redis_store import CountingRedisStore

            return {"sessions": CountingRedisStore(self.redis, namespace="board_sessions"),
                    "rate_limit": CountingRedisStore(self.redis, namespace="board_rate")}
        from board.store.kv import DatabaseStore

        return {"sessions": DatabaseStore("sessions"), "rate_limit": DatabaseStore("rate")}

    async def start(self, *, apply_settings: bool = True) -> None:
        db.configure(self.settings.database_url)
        await db.open_store()
        if apply_settings:
            try:
                await sync.apply_settings(self.client, self.settings.meili_index, INDEX_SPEC)
            except SearchUnavailable as exc:
                # `board serve` refuses to start without search (preflight); a worker that
                # starts while the engine blips serves 503s for search and catches up later.
                log.warning("search engine unreachable at start-up: %s", exc)
            except MeiliError as exc:
                raise StartupError(f"applying index settings failed: {exc}") from exc
        self.drainer.start()

    async def stop(self) -> None:
        await self.drainer.stop()
        await self.client.aclose()
        if self.redis is not None:
            await self.redis.aclose()
        await db.close_store()
