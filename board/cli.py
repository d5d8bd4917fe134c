"""The `board` command line. Usage errors exit 2, failures exit 1, each with one clear
line on stderr."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sys
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

import click

from board.settings import Settings, SettingsError, load_settings


class Failure(click.ClickException):
    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.message}", err=True)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise Failure(str(exc)) from None


def run(coro_fn: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(coro_fn())


async def open_db(settings: Settings) -> None:
    from board import db

    db.configure(settings.database_url)
    try:
        await db.open_store()
        await db.ping()
    except db.StoreError as exc:
        raise Failure(str(exc)) from None
    except Exception as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "no such table" in message or "does not exist" in message:
            raise Failure("the database has no tables yet: run `board migrate`") from None
        raise Failure(f"cannot use the database at DATABASE_URL: {message}") from None


def progress_bar(total: int, label: str):
    """A tqdm bar on a terminal, nothing otherwise (CI logs stay readable)."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit="row", file=sys.stderr)


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
        from board import db

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
        from board import db
        from board.seed import seed_demo, store_is_empty

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
def create_admin(email: str, password: str) -> None:
    """Create (or promote) a staff account."""
    from board.passwords import MIN_LENGTH, hash_password
    from board.validation import clean_email

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
        from board import db
        from board.seed import create_admin as create

        await open_db(settings)
        try:
            return await create(email, await hash_password(password))
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


def _register_optional() -> None:
    """Commands that live in their own modules (import, reindex, jobs)."""
    for module, name in (("board.cli_import", "import_cmd"), ("board.cli_search", "reindex"),
                         ("jobs.cli", "jobs")):
        try:
            mod = __import__(module, fromlist=[name])
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        main.add_command(getattr(mod, name))


_register_optional()
