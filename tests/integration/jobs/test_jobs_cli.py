"""`board jobs` as an operator runs it: `once` prints the counts and leaves a history row,
`status` lists the last runs, an unknown name is a usage error naming the valid ones, and
`jobs run` runs the scheduler in the foreground until SIGTERM."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from click.testing import CliRunner

from board import piccolo_conf
from board.cli import main
from board.store import engine as db
from board.store.tables import ALL_TABLES, JobRun
from jobs.cli import format_status
from jobs.embedded_search import running_embedded_url
from jobs.table import JOBS, JobSpec
from tests.support.factories import make_institution, make_listing

DAY = dt.timedelta(days=1)


@pytest.fixture
async def cli(runtime, tmp_path):
    """Invoke `board ...` in process against the test store and search. The CLI runs its
    own event loop, so it gets its own engine (a PostgreSQL pool belongs to one loop), and
    the test's engine is put back afterwards."""
    from piccolo.apps.migrations.tables import Migration

    # The test's own loop is paused while the CLI runs: a drain that the fixtures' writes
    # woke would sit inside its write transaction, holding SQLite's lock against the CLI.
    await runtime.drainer.stop()

    engine = db.current_engine()
    configured = db._configured
    s = runtime.settings
    env = {"DATABASE_URL": s.database_url, "MEILI_URL": s.meili_url,
           "MEILI_MASTER_KEY": s.meili_master_key, "MEILI_INDEX": s.meili_index,
           "BOARD_VAR_DIR": str(tmp_path / "var"), "SMTP_URL": ""}

    def restore() -> None:
        db._configured = configured
        piccolo_conf.DB = engine
        for table in [*ALL_TABLES, Migration]:
            table._meta.db = engine

    def invoke(*args: str):
        db._configured = None
        try:
            return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        finally:
            restore()

    def query(make_query):
        """Run a query from this (synchronous) test, in a loop and engine of its own."""
        async def go():
            db._configured = None
            db.configure(s.database_url)
            await db.open_store()
            try:
                return await make_query().run()
            finally:
                await db.close_store()
        try:
            return asyncio.run(go())
        finally:
            restore()

    invoke.query = query  # type: ignore[attr-defined]
    return invoke


async def _stale_listings(count: int) -> list[int]:
    inst = await make_institution()
    now = dt.datetime.now(dt.UTC)
    return [await make_listing(inst, now=now - 61 * DAY) for _ in range(count)]


@pytest.fixture
async def three_stale(store):
    return await _stale_listings(3)


def test_once_runs_the_job_prints_its_counts_and_records_the_run(cli, three_stale):
    result = cli("jobs", "once", "expire")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "expire: expired=3"
    again = cli("jobs", "once", "expire")
    assert again.exit_code == 0 and again.stdout.strip() == "expire: expired=0"

    status = cli("jobs", "status")
    assert status.exit_code == 0, status.output
    lines = status.stdout.splitlines()
    assert lines[0].split()[:4] == ["JOB", "STARTED", "DURATION", "STATUS"]
    expire_lines = [line for line in lines if line.startswith("expire ")]
    assert len(expire_lines) == 2
    assert expire_lines[0].split()[-2:] == ["ok", "expired=0"]  # newest first
    assert expire_lines[1].split()[-2:] == ["ok", "expired=3"]
    assert any(line.split() == ["remind", "never", "run"] for line in lines)


def test_once_leaves_a_manual_row_in_the_history(cli, three_stale):
    assert cli("jobs", "once", "expire").exit_code == 0
    rows = cli.query(lambda: JobRun.select(JobRun.key, JobRun.status).where(JobRun.job == "expire"))
    assert len(rows) == 1 and rows[0]["key"].startswith("expire:manual:") and rows[0]["status"] == "ok"


def test_unknown_job_is_a_usage_error_naming_the_valid_ones(cli, store):
    result = cli("jobs", "once", "expyre")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: unknown job 'expyre': choose one of expire, remind, digest, drain, reconcile, purge, "
        "reconfirm, follow-ups, events"]
    assert result.stdout == ""


def test_a_failing_job_exits_1_with_its_error(cli, store, monkeypatch):
    async def broken(rt, now):
        raise RuntimeError("reconcile could not reach the index")

    monkeypatch.setitem(JOBS, "broken", JobSpec("broken", broken, CronTrigger(hour=1), "always fails"))
    result = cli("jobs", "once", "broken")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: broken failed: RuntimeError: reconcile could not reach the index"]


def test_status_table_formats_durations_counts_and_errors():
    start = dt.datetime(2031, 1, 15, 10, 0, tzinfo=dt.UTC)
    lines = format_status({
        "expire": [{"started_at": start, "finished_at": start + dt.timedelta(seconds=1.5),
                    "status": "ok", "counts": {"expired": 4}, "error": ""}],
        "purge": [{"started_at": start, "finished_at": None, "status": "running", "counts": {},
                   "error": ""},
                  {"started_at": start, "finished_at": start, "status": "failed", "counts": {},
                   "error": "OSError: disk full\nmore"}],
    })
    assert lines[1].split() == ["expire", "2031-01-15", "10:00:00Z", "1.50s", "ok", "expired=4"]
    # Found by name: jobs registered after purge (follow-ups, events) add lines at the end.
    purge = [line for line in lines if line.startswith("purge ")]
    assert purge[0].split() == ["purge", "2031-01-15", "10:00:00Z", "-", "running", "-"]
    assert purge[1].split()[-3:] == ["OSError:", "disk", "full"]
    assert "digest     never run" in lines and "reconfirm  never run" in lines
    assert lines[-1] == "events     never run"


def _board_env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"MEILI_URL", "MEILI_MASTER_KEY", "SMTP_URL", "DATABASE_URL"}}
    env.update({"BOARD_VAR_DIR": str(tmp / "var"), "DATABASE_URL": f"sqlite:///{tmp / 'jobs.sqlite'}",
                **extra})
    return env


def test_jobs_run_schedules_in_the_foreground_and_stops_on_sigterm(tmp_path, meili):
    env = _board_env(tmp_path, MEILI_URL=meili.url, MEILI_MASTER_KEY=meili.master_key,
                     MEILI_INDEX=f"jobs_run_{os.getpid()}")
    board = [sys.executable, "-m", "board"]
    assert subprocess.run([*board, "migrate"], env=env, capture_output=True, timeout=120).returncode == 0
    proc = subprocess.Popen([*board, "jobs", "run"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        # On start every job catches up on its latest slot: the history fills in.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status = subprocess.run([*board, "jobs", "status"], env=env, capture_output=True,
                                    text=True, timeout=60)
            if "expire " in status.stdout and " ok " in status.stdout.split("expire", 1)[1]:
                break
            assert proc.poll() is None, proc.stdout.read()
            time.sleep(0.5)
        else:
            pytest.fail(f"no expire run recorded: {status.stdout} {status.stderr}")
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, output
    assert "scheduler running" in output and "scheduler stopped" in output


def test_jobs_run_without_a_search_server_says_what_to_set(tmp_path):
    result = subprocess.run([sys.executable, "-m", "board", "jobs", "run"],
                            env=_board_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "MEILI_URL" in lines[0]


def test_a_running_embedded_meilisearch_is_found_by_its_data_directory(meili, tmp_root, tmp_path):
    assert running_embedded_url(tmp_root / "meili") == meili.url
    assert running_embedded_url(tmp_path / "meili") is None


def test_once_on_the_embedded_default_starts_search_for_the_run_and_stops_it(tmp_path):
    env = _board_env(tmp_path)
    board = [sys.executable, "-m", "board"]
    assert subprocess.run([*board, "migrate"], env=env, capture_output=True, timeout=120).returncode == 0
    result = subprocess.run([*board, "jobs", "once", "drain"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("drain: upserted=0 ")
    assert running_embedded_url(tmp_path / "var" / "meili") is None  # no process left behind
