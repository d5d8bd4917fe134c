"""GET /metrics: off without METRICS_TOKEN, refused without the bearer token, and counting
requests by route template, job runs and the outbox backlog (in one process here; the
multi-worker sum is in test_metrics_workers)."""

from __future__ import annotations

import dataclasses

from board.app import create_app
from jobs.slots import run_now
from tests.support.app import Borrowed, app_client
from tests.support.metrics import sample

TOKEN = "metrics-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


async def test_metrics_is_not_found_without_a_configured_token(client):
    response = await client.get("/metrics", headers=AUTH)
    assert response.status_code == 404


async def test_metrics_refuses_a_missing_or_wrong_token_and_counts_what_happened(runtime):
    rt = Borrowed(runtime)
    rt.settings = dataclasses.replace(runtime.settings, metrics_token=TOKEN)
    async with app_client(create_app(rt.settings, runtime=rt)) as c:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            refused = await c.get("/metrics", headers=headers)
            assert refused.status_code == 401, headers
            assert refused.headers["www-authenticate"].startswith("Bearer")
        before = (await c.get("/metrics", headers=AUTH)).text
        for _ in range(3):
            assert (await c.get("/about")).status_code == 200
        await c.get("/unsubscribe/not-a-real-token.SECRETPART")
        await c.get("/api/v1/opportunities?q=cardiology")
        assert (await run_now(runtime, "expire"))["status"] == "ok"
        response = await c.get("/metrics", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    after = response.text

    def grew(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert grew("board_http_requests_total", method="GET", route="/about", status="200") == 3
    assert grew("board_http_requests_total", method="GET", route="/unsubscribe/{token}") == 1
    assert grew("board_http_request_duration_seconds_count", method="GET", route="/about") == 3
    assert grew("board_search_duration_seconds_count") >= 1
    assert grew("board_job_runs_total", job="expire", outcome="ok") == 1
    # Route templates only: a raw path (and its token) never becomes a label.
    assert "SECRETPART" not in after and "not-a-real-token" not in after
    assert sample(after, "board_outbox_pending") >= 0
    assert "board_outbox_oldest_pending_age_seconds" in after
