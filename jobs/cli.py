"""`board jobs`: the scheduler in the foreground, one job now, and the run history.
Usage errors exit 2 and failures exit 1, each with one `error: ...` line on stderr."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import signal
from collections.abc import Awaitable, Callable
from typing import Any

import click

from board.core.cli_support import Failure, run, settings_or_exit
from board.settings import Settings
from board.store.setup import open_db
from jobs.table import JOBS, unknown_job_message


class UsageFailure(click.ClickException):
    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.message}", err=True)


@click.group("jobs")
def jobs() -> None:
    """Scheduled jobs: expire, remind, digest, drain, reconcile, purge, reconfirm, follow-ups."""


async def _with_runtime(settings: Settings, work: Callable[[Any], Awaitable[Any]]) -> Any:
    from board.runtime import Runtime, StartupError
    from board.store import engine as db

    await open_db(settings)  # the store's own clear errors (unreachable, not migrated)
    await db.close_store()
    rt = Runtime.build(settings)
    try:
        await rt.start()
    except StartupError as exc:
        await db.close_store()
        raise Failure(str(exc)) from None
    try:
        return await work(rt)
    finally:
        await rt.stop()


def _run_with_search(settings: Settings, work: Callable[[Any], Awaitable[Any]], *,
                     may_start_embedded: bool) -> Any:
    """Run `work(runtime)` against the configured search, or on the embedded default the
    Meilisearch `board serve` is running (started here only when allowed and none runs)."""
    if not settings.embedded_meili:
        return run(lambda: _with_runtime(settings, work))
    from jobs.embedded_search import embedded_search, running_embedded_url
    from search.server import MeiliServerError

    data_dir = settings.var_dir / "meili"
    if not may_start_embedded and running_embedded_url(data_dir) is None:
        raise Failure("`board jobs run` needs a search server: set MEILI_URL (and "
                      "MEILI_MASTER_KEY), or start `board serve`, which runs the scheduler "
                      "in-process on the embedded default")
    with contextlib.ExitStack() as stack:
        try:
            url, key = stack.enter_context(embedded_search(data_dir, settings.meili_bin))
        except MeiliServerError as exc:
            raise Failure(f"cannot start the embedded Meilisearch: {exc}; or set MEILI_URL") from None
        local = dataclasses.replace(settings, meili_url=url, meili_master_key=key)
        return run(lambda: _with_runtime(local, work))


def format_counts(counts: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in counts.items()) or "-"


@jobs.command("once")
@click.argument("name")
def once(name: str) -> None:
    """Run the job NAME now and print its counts."""
    if name not in JOBS:
        raise UsageFailure(unknown_job_message(name))
    settings = settings_or_exit()

    async def work(rt: Any) -> dict[str, Any]:
        from jobs.slots import run_now

        return await run_now(rt, name)

    result = _run_with_search(settings, work, may_start_embedded=True)
    if result["status"] == "ok":
        click.echo(f"{name}: {format_counts(result['counts'])}")
        return
    raise Failure(f"{name} {result['status']}: {result['error']}")


@jobs.command("run")
def run_scheduler() -> None:
    """Run the scheduler in the foreground; Ctrl-C or SIGTERM stops it."""
    settings = settings_or_exit()
    from board.observability import logs, multiproc

    if settings.metrics_token:
        # Its own directory next to the web workers': /metrics adds the job counters in.
        multiproc.prepare(settings.var_dir, "jobs")
    logs.configure(settings.log_format)

    async def work(rt: Any) -> None:
        from jobs.runner import build_scheduler

        scheduler = build_scheduler(rt)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        scheduler.start()
        click.echo(f"scheduler running ({', '.join(JOBS)}); Ctrl-C or SIGTERM stops it")
        try:
            await stop.wait()
        finally:
            click.echo("stopping the scheduler (running jobs may finish)")
            await scheduler.stop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    _run_with_search(settings, work, may_start_embedded=False)
    click.echo("scheduler stopped")


def _fmt_time(value: dt.datetime | None) -> str:
    if value is None:
        return "-"
    value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def format_status(runs: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The status table: one line per run, newest first, jobs in table order."""
    lines = [f"{'JOB':<10} {'STARTED':<21} {'DURATION':>9}  {'STATUS':<8} COUNTS / ERROR"]
    for name in JOBS:
        rows = runs.get(name) or []
        if not rows:
            lines.append(f"{name:<10} never run")
        for row in rows:
            started, finished = row["started_at"], row["finished_at"]
            duration = f"{(finished - started).total_seconds():.2f}s" if finished and started else "-"
            detail = row["error"].splitlines()[0] if row["error"] else format_counts(row["counts"] or {})
            lines.append(f"{name:<10} {_fmt_time(started):<21} {duration:>9}  "
                         f"{row['status']:<8} {detail}")
    return lines


@jobs.command("status")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 100),
              help="Runs shown per job.")
def status(limit: int) -> None:
    """List the last runs of each job: time, duration, status, counts."""
    settings = settings_or_exit()

    async def go() -> dict[str, list[dict[str, Any]]]:
        from board.store import engine as db
        from board.store.tables import JobRun

        await open_db(settings)
        try:
            return {name: await JobRun.select(
                JobRun.started_at, JobRun.finished_at, JobRun.status, JobRun.counts, JobRun.error,
            ).where(JobRun.job == name).order_by(JobRun.started_at, ascending=False).order_by(
                JobRun.id, ascending=False).limit(limit).output(load_json=True).run()
                for name in JOBS}
        finally:
            await db.close_store()

    for line in format_status(run(go)):
        click.echo(line)
