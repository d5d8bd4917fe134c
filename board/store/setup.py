"""Opening the store for a command: the engine from DATABASE_URL, reachable and migrated,
or one clear `error:` line (never a traceback)."""

from __future__ import annotations

from board.core.cli_support import Failure
from board.settings import Settings


async def open_db(settings: Settings) -> None:
    from board.store import engine as db

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
