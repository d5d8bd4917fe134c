"""`board serve`: preflight checks with clear messages, the embedded Meilisearch when no
MEILI_URL is set, then uvicorn. Ctrl-C or SIGTERM stops everything this started."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import sys

import click
import uvicorn

from board.settings import Settings, load_settings
from search.server import LocalMeili, MeiliServerError, port_in_use

# uvicorn's access log writes the raw path, tokens in links included: board.web.access_log
# writes one line per request with the route template instead. No log_config: uvicorn's own
# lines go through the root handler, in LOG_FORMAT like every other line.
# uvloop and httptools named (and pinned) rather than left to "auto": the search page's
# throughput was measured with them (bench/bench_search_distinct.py), and "auto" would
# silently fall back to asyncio's loop and h11 where a build lacks them.
UVICORN_OPTIONS = {"log_level": "info", "proxy_headers": False, "access_log": False,
                   "log_config": None, "loop": "uvloop", "http": "httptools"}


class _Stop(Exception):
    """SIGTERM, turned into an exception so `finally` blocks stop what we started."""


def _on_sigterm(signum, frame) -> None:
    raise _Stop


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


async def _preflight(settings: Settings) -> None:
    from board.core.search_spec import INDEX_SPEC
    from board.store.engine import close_store
    from board.store.setup import open_db
    from search import sync
    from search.client import MeiliClient
    from search.errors import MeiliError, SearchUnavailable

    await open_db(settings)
    client = MeiliClient(settings.meili_url, settings.meili_master_key, timeout=5.0)
    try:
        drift = await sync.apply_settings(client, settings.meili_index, INDEX_SPEC)
        if drift:
            click.echo(f"search index settings applied: {', '.join(sorted(drift))}")
        await _catch_up(client, settings.meili_index)
    except SearchUnavailable:
        _fail(f"Meilisearch is unreachable at {settings.meili_url}: start it, fix MEILI_URL, "
              "or unset MEILI_URL to use the embedded one")
    except MeiliError as exc:
        _fail(f"Meilisearch refused the index settings ({exc}); check MEILI_MASTER_KEY")
    finally:
        await client.aclose()
        await close_store()


async def _catch_up(client, index: str) -> None:
    """Send what the outbox still holds (fresh demo data, edits made while the server was
    down) before saying "serving": the first search then shows every listing, not the few
    the background drainer had reached. Bounded: events that keep failing stay pending for
    the drainer (with its backoff) and are reported, never waited for."""
    from board.indexing.gateway import SearchGateway
    from board.indexing.outbox import drain, pending_count

    pending = await pending_count()
    if not pending:
        return
    click.echo(f"indexing {pending} pending change(s) before serving")
    gateway = SearchGateway(client, index)
    while True:
        result = await drain(gateway, batch=1000, max_batches=1000, wait=30.0)
        if result.errors or result.skipped or result.failed or not result.events:
            break
    left = await pending_count()
    if left:
        click.echo(f"warning: {left} change(s) not indexed yet; the background drainer retries "
                   "them", err=True)


def _configure_logging(settings: Settings) -> None:
    from board.observability import logs

    logs.configure(settings.log_format)


def app_factory():
    """For multi-worker uvicorn: each worker builds the app from the environment (and
    configures logging itself: a spawned worker does not inherit the parent's)."""
    from board.app import create_app

    settings = load_settings()
    _configure_logging(settings)
    return create_app(settings, with_scheduler=False, settle_heap=True)


def serve(settings: Settings, *, scheduler: bool, workers: int = 1) -> None:
    if settings.metrics_token:
        from board.observability import multiproc

        # First: the workers inherit the directory, and their counters add up in /metrics.
        multiproc.prepare(settings.var_dir, "web")
    _configure_logging(settings)
    if port_in_use(settings.host, settings.port):
        _fail(f"port {settings.port} on {settings.host} is busy: stop what uses it or pass "
              "--port / set PORT")
    meili: LocalMeili | None = None
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        if settings.embedded_meili:
            try:
                meili = LocalMeili(settings.var_dir / "meili", settings.meili_bin)
                meili.start()
            except MeiliServerError as exc:
                _fail(str(exc))
            settings = dataclasses.replace(settings, meili_url=meili.url,
                                           meili_master_key=meili.master_key)
            click.echo(f"embedded Meilisearch running at {meili.url} (data in {meili.data_dir})")
        from board.core.cli_support import Failure

        try:
            asyncio.run(_preflight(settings))
        except Failure as exc:
            _fail(exc.message)
        click.echo(f"serving on http://{settings.host}:{settings.port}"
                   + (" with the scheduler" if scheduler else ""))
        if workers > 1:
            os.environ["MEILI_URL"] = settings.meili_url
            os.environ["MEILI_MASTER_KEY"] = settings.meili_master_key
            uvicorn.run("board.serve:app_factory", factory=True, host=settings.host,
                        port=settings.port, workers=workers, **UVICORN_OPTIONS)
            return
        from board.app import create_app

        app = create_app(settings, with_scheduler=scheduler, settle_heap=True)
        config = uvicorn.Config(app, host=settings.host, port=settings.port, lifespan="on",
                                **UVICORN_OPTIONS)
        server = uvicorn.Server(config)
        try:
            server.run()
        except (KeyboardInterrupt, _Stop):
            pass  # uvicorn re-raises the signal it handled after its graceful shutdown
        if not server.started:
            _fail("the web app did not start; see the messages above")
    finally:
        if meili is not None:
            meili.stop()
            click.echo("embedded Meilisearch stopped")
