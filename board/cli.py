"""The `board` command line. Usage errors exit 2, failures exit 1, each with one clear
line on stderr."""

from __future__ import annotations

import dataclasses
import os
import warnings

import click

from board.core.cli_support import Failure, progress_bar, run, settings_or_exit
from board.store.setup import open_db


@click.group()
def main() -> None:
    """IMG Opportunity Board."""
    os.environ.setdefault("PICCOLO_CONF", "board.piccolo_conf")
    # Piccolo warns (with colours) when it cannot reach the database; we say it once, plainly.
    warnings.filterwarnings("ignore", module=r"piccolo\..*")


@main.command()
def migrate() -> None:
    """Apply the committed database migrations."""
    settings = settings_or_exit()

    async def go() -> list[str]:
        from board.store import engine as db

        db.configure(settings.database_url)
        try:
            await db.open_store()
            ran = await db.migrate()
        except db.StoreError as exc:
            raise Failure(str(exc)) from None
        except Exception as exc:
            raise Failure(f"migration failed: {str(exc).splitlines()[0]}") from None
        finally:
            await db.close_store()
        return ran

    ran = run(go)
    click.echo(f"migrations applied: {len(ran)}" + (f" ({', '.join(ran)})" if ran else ""))


@main.command()
@click.option("--demo", is_flag=True, help="Create realistic demo institutions and listings.")
@click.option("--count", default=300, show_default=True, type=click.IntRange(1, 200_000))
@click.option("--if-empty", is_flag=True, help="Only seed when the store has no listings.")
def seed(demo: bool, count: int, if_empty: bool) -> None:
    """Fill the store with demo data."""
    if not demo:
        raise click.UsageError("only demo data can be seeded: pass --demo")
    settings = settings_or_exit()

    async def go() -> dict | None:
        from board.seed import seed_demo, store_is_empty
        from board.store import engine as db

        await open_db(settings)
        try:
            if if_empty and not await store_is_empty():
                return None
            bar = progress_bar(count, "seeding")
            result = await seed_demo(count, progress=bar.update if bar else None)
            if bar:
                bar.close()
            return result
        finally:
            await db.close_store()

    result = run(go)
    if result is None:
        click.echo("store already has listings: demo data not added")
    else:
        click.echo(f"seeded {result['opportunities']} listings from "
                   f"{result['institutions']} institutions")


@main.command("create-admin")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="BOARD_ADMIN_PASSWORD")
@click.option("--promote-member", is_flag=True,
              help="Also when EMAIL belongs to an institution's member: make that member staff.")
def create_admin(email: str, password: str, promote_member: bool) -> None:
    """Create (or promote) a staff account."""
    from board.core.passwords import MIN_LENGTH, hash_password
    from board.core.validation import clean_email

    try:
        email = clean_email(email).lower()  # accounts store emails lower-cased
    except ValueError as exc:
        raise click.UsageError(f"EMAIL {exc}") from None
    if not email:
        raise click.UsageError("EMAIL is required")
    if len(password) < MIN_LENGTH:
        raise click.UsageError(f"the password must have at least {MIN_LENGTH} characters")
    settings = settings_or_exit()

    async def go() -> int:
        from board.seed import MemberOfInstitution
        from board.seed import create_admin as create
        from board.store import engine as db

        await open_db(settings)
        try:
            return await create(email, await hash_password(password), promote_member)
        except MemberOfInstitution:
            raise Failure(f"{email} is a member of an institution; pass --promote-member to "
                          "make that account staff (its password is replaced)") from None
        finally:
            await db.close_store()

    member_id = run(go)
    click.echo(f"staff account {email} ready (id {member_id})")


@main.command()
@click.option("--host", default=None, help="Interface to listen on (HOST).")
@click.option("--port", default=None, type=click.IntRange(1, 65535), help="Port (PORT).")
@click.option("--no-scheduler", is_flag=True, help="Do not run scheduled jobs in this process.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Web worker processes (more than one never runs the scheduler).")
def serve(host: str | None, port: int | None, no_scheduler: bool, workers: int) -> None:
    """Serve the board (and, on the embedded default, a local Meilisearch)."""
    from board.serve import serve as do_serve

    settings = settings_or_exit()
    settings = dataclasses.replace(settings, host=host or settings.host,
                                   port=port or settings.port)
    do_serve(settings, scheduler=not no_scheduler and workers == 1, workers=workers)


def _add_commands() -> None:
    """Commands that live with their feature, added by name here (a list to read; a renamed
    module is an ImportError at start-up, never a silently missing command)."""
    from board.imports.commands import import_cmd
    from board.indexing.commands import reindex
    from jobs.cli import jobs

    for command in (import_cmd, reindex, jobs):
        main.add_command(command)


_add_commands()
