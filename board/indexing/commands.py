"""`board reindex`: rebuild the search index beside the live one and swap it in."""

from __future__ import annotations

import dataclasses

import click

from board.core.cli_support import Failure, progress_bar, run, settings_or_exit
from board.settings import Settings
from board.store.setup import open_db
from search.server import LocalMeili, MeiliServerError


def _embedded(settings: Settings) -> tuple[LocalMeili, Settings]:
    """The embedded Meilisearch's data directory, served just for this command. A running
    `board serve` holds it locked: then the rebuild belongs in that process's engine."""
    server = LocalMeili(settings.var_dir / "meili", settings.meili_bin)
    try:
        server.start()
    except MeiliServerError as exc:
        raise Failure(f"cannot open the embedded Meilisearch ({exc}); if `board serve` is "
                      "running, stop it first or point MEILI_URL at its engine") from None
    return server, dataclasses.replace(settings, meili_url=server.url,
                                       meili_master_key=server.master_key)


@click.command()
@click.option("--batch", default=5000, show_default=True, type=click.IntRange(1, 100_000),
              help="Listings read and sent per request.")
def reindex(batch: int) -> None:
    """Rebuild the search index with zero downtime (build, check, swap, replay)."""
    settings = settings_or_exit()

    async def go():
        from board.indexing.gateway import SearchGateway, utcnow
        from board.indexing.outbox import LeaseBusy
        from board.indexing.reindex import ReindexError, visible_count
        from board.indexing.reindex import reindex as do_reindex
        from board.store import engine as db
        from search.client import MeiliClient
        from search.errors import MeiliError, SearchUnavailable

        await open_db(settings)
        server, live = _embedded(settings) if settings.embedded_meili else (None, settings)
        # A patient client: a busy engine answers slowly while it indexes a whole store.
        client = MeiliClient(live.meili_url, live.meili_master_key, timeout=30.0)
        try:
            bar = progress_bar(await visible_count(utcnow()), "indexing")
            try:
                return await do_reindex(SearchGateway(client, live.meili_index), batch=batch,
                                        on_batch=bar.update if bar else None)
            finally:
                if bar:
                    bar.close()
        except (ReindexError, LeaseBusy) as exc:
            raise Failure(str(exc)) from None
        except SearchUnavailable as exc:
            raise Failure(f"search engine unavailable: {exc}") from None
        except MeiliError as exc:
            raise Failure(f"Meilisearch refused the rebuild: {exc}") from None
        finally:
            await client.aclose()
            await db.close_store()
            if server is not None:
                server.stop()

    result = run(go)
    verb = "created" if result.created else "rebuilt"
    click.echo(f"index {result.index} {verb}: {result.documents} listings in "
               f"{result.seconds:.1f}s ({result.per_second:.0f}/s), "
               f"{result.replayed} changed during the build replayed")
