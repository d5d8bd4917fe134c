"""What every `board` command shares: the one-line `error: ...` failure (exit 1), settings
loaded or a clear error, running a coroutine, and a progress bar only on a terminal."""

from __future__ import annotations

import asyncio
import sys
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


def progress_bar(total: int, label: str):
    """A tqdm bar on a terminal, nothing otherwise (CI logs stay readable)."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit="row", file=sys.stderr)
