"""Served like production: two app processes sharing one Prometheus multiprocess directory
(as `board serve --workers 2` gives its workers) and a `board jobs once` process in the
jobs directory next to it. /metrics on either worker reports the sum, and the JSON log lines
they write parse and never hold a token or an email from a URL."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid

import httpx
import pytest

from tests.conftest import TEST_DATABASE_URL, clear_tables
from tests.support.app import ServedApp, app_env
from tests.support.metrics import sample

TOKEN = "metrics-workers-token-0123456789"
LINK_TOKEN = "eyJwIjpbMSwiYWJjIl0sImUiOjF9.SECRETMACSECRETMAC"


@pytest.fixture
async def two_workers(meili, migrated_db, tmp_path):
    await clear_tables()
    metrics_root = tmp_path / "var" / "metrics"
    env = app_env(TEST_DATABASE_URL, meili.url, meili.master_key, f"m_{uuid.uuid4().hex[:8]}",
                  tmp_path / "var", METRICS_TOKEN=TOKEN, LOG_FORMAT="json",
                  PROMETHEUS_MULTIPROC_DIR=str(metrics_root / "web"))
    (metrics_root / "web").mkdir(parents=True)
    (metrics_root / "jobs").mkdir(parents=True)
    apps = [ServedApp(env, log_path=tmp_path / f"worker{i}.log") for i in (1, 2)]
    for app in apps:  # one after the other: each computes the city table at start-up
        await asyncio.to_thread(app.start, 180.0)
    yield apps, env, tmp_path
    await asyncio.gather(*(asyncio.to_thread(a.stop) for a in apps))
    await clear_tables()


def _run_job(env: dict[str, str], metrics_dir: str) -> None:
    result = subprocess.run([sys.executable, "-m", "board", "jobs", "once", "expire"],
                            env={**env, "PROMETHEUS_MULTIPROC_DIR": metrics_dir},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


async def test_metrics_add_up_across_workers_and_the_job_runner(two_workers):
    (one, two), env, tmp_path = two_workers
    auth = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(timeout=30) as http:
        assert (await http.get(f"{one.url}/metrics")).status_code == 401
        for app, times in ((one, 3), (two, 2)):
            for _ in range(times):
                assert (await http.get(f"{app.url}/about")).status_code == 200
        await asyncio.to_thread(_run_job, env, str(tmp_path / "var" / "metrics" / "jobs"))
        texts = [(await http.get(f"{app.url}/metrics", headers=auth)).text for app in (one, two)]
    for text in texts:  # either worker answers with the sum of both, plus the job runner
        assert sample(text, "board_http_requests_total", method="GET", route="/about",
                      status="200") == 5
        assert sample(text, "board_job_runs_total", job="expire", outcome="ok") == 1


async def test_json_log_lines_parse_carry_the_request_id_and_never_a_token(two_workers):
    (one, two), _, tmp_path = two_workers
    async with httpx.AsyncClient(timeout=30) as http:
        given = await http.get(f"{one.url}/unsubscribe/{LINK_TOKEN}?email=someone@example.com",
                               headers={"X-Request-ID": "req-abc.123"})
        made_up = await http.get(f"{two.url}/manage/{LINK_TOKEN}",
                                 headers={"X-Request-ID": "bad id\" <script>"})
        await http.get(f"{one.url}/no/such/page/{LINK_TOKEN}")
    assert given.headers["x-request-id"] == "req-abc.123"
    generated = made_up.headers["x-request-id"]
    assert generated != "bad id\" <script>" and len(generated) == 32
    await asyncio.to_thread(one.stop)  # flush and close before reading the logs
    await asyncio.to_thread(two.stop)
    text = "".join((tmp_path / f"worker{i}.log").read_text() for i in (1, 2))
    assert "SECRETMAC" not in text and "someone@example.com" not in text
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    access = {line["request_id"]: line for line in lines if line["logger"] == "board.access"}
    assert access["req-abc.123"]["route"] == "/unsubscribe/{token}"
    assert access["req-abc.123"]["status"] == 400 and access["req-abc.123"]["duration_ms"] >= 0
    assert access[generated]["route"] == "/manage/{token}"
    assert any(line["route"] == "-" and line["status"] == 404 for line in access.values())
    assert all({"time", "level", "message"} <= set(line) for line in lines)
    assert os.environ.get("LOG_FORMAT") is None  # the test process itself stays untouched
