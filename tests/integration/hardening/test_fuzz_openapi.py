"""Contract fuzzing: schemathesis generates requests for every operation of the app's own
OpenAPI schema (valid data and deliberately invalid data) against the app served by uvicorn,
and checks each answer: never a 5xx, a documented status code, the documented content type
and a body that matches the documented schema."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from board.accounts import tokens
from tests.conftest import TEST_DATABASE_URL, clear_tables
from tests.support.app import ServedApp, app_env
from tests.support.factories import make_institution, make_listing

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# A few hundred cases in all: per operation and per mode (valid, invalid).
EXAMPLES = {GenerationMode.POSITIVE: 30, GenerationMode.NEGATIVE: 15}


@pytest.fixture
async def served(meili, migrated_db, tmp_path):
    await clear_tables()
    inst = await make_institution()
    for i in range(3):
        await make_listing(inst, title=f"Anesthesiology Observership {i}", specialty="Anesthesiology")
    _, token = await tokens.create(inst, None, "fuzzing")
    env = app_env(TEST_DATABASE_URL, meili.url, meili.master_key, f"fuzz_{uuid.uuid4().hex[:8]}",
                  tmp_path / "var")
    app = await asyncio.to_thread(ServedApp(env, log_path=tmp_path / "server.log").start)
    yield app, token
    await asyncio.to_thread(app.stop)
    await clear_tables()


def _fuzz_operation(operation, mode: GenerationMode, base_url: str, token: str,
                    seen: Counter) -> list[str]:
    failures: list[str] = []

    @settings(max_examples=EXAMPLES[mode], deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        response = case.call(base_url=base_url, headers=headers, timeout=15)
        seen[(operation.label, response.status_code)] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as exc:
            reason = str(exc.exceptions[0]).splitlines()[0]
            failures.append(f"{operation.label} [{mode}] {response.status_code} {reason}: "
                            f"{case.as_curl_command()} -> {response.text[:300]}")

    try:
        run()
    except Unsatisfiable:
        # An operation without parameters or body (GET /healthz) has no invalid variant.
        if mode is GenerationMode.POSITIVE:
            raise
    return failures


async def test_every_operation_holds_its_contract_under_fuzzing(served):
    app, token = served
    schema = schemathesis.openapi.from_url(f"{app.url}/schema/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = {op.label for op in operations}
    # The schema really lists the API (a schema that lost its paths would fuzz nothing).
    assert {"GET /api/v1/opportunities", "GET /healthz", "POST /api/v1/subscriptions"} <= labels
    seen: Counter = Counter()
    failures: list[str] = []
    for operation in operations:
        for mode in EXAMPLES:
            failures += await asyncio.to_thread(_fuzz_operation, operation, mode, app.url,
                                                token, seen)
    # One line per distinct kind of failure (operation, mode, status, check).
    distinct = {f.split(": curl")[0]: f for f in failures}
    assert not distinct, "\n".join(distinct.values())
    assert sum(seen.values()) >= 150, seen
    assert not [key for key in seen if key[1] >= 500], seen
