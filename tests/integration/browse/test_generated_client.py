"""The OpenAPI schema is good enough for a client generator: openapi-python-client (pinned in
the `test` extra) generates a client from the schema the served app publishes, with no warning
(`--fail-on-warning`), every vocabulary typed as an enum, and the client searches and fetches
a listing from the app served by uvicorn over real Meilisearch and the real store."""

from __future__ import annotations

import asyncio
import importlib
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from board.core import vocab
from tests.conftest import TEST_DATABASE_URL, clear_tables
from tests.support.app import ServedApp, app_env
from tests.support.factories import make_institution, make_listing
from tests.support.outbox import wait_for_search

GENERATOR = Path(sys.prefix) / "bin" / "openapi-python-client"
PACKAGE = "board_api_client"


@pytest.fixture
async def served(meili, migrated_db, tmp_path):
    await clear_tables()
    inst = await make_institution("Houston Methodist Test")
    ids = [await make_listing(inst, title="Cardiology Observership", specialty="Cardiovascular disease",
                              state="TX", city="Houston", hands_on=True),
           await make_listing(inst, title="Remote Research Mentorship", kind="research", state="",
                              city="", remote=True, specialty="Internal medicine")]
    env = app_env(TEST_DATABASE_URL, meili.url, meili.master_key, f"gen_{uuid.uuid4().hex[:8]}",
                  tmp_path / "var")
    app = await asyncio.to_thread(ServedApp(env, log_path=tmp_path / "server.log").start)
    async with httpx.AsyncClient(base_url=app.url) as http:  # the served app indexes them
        await wait_for_search(http, lambda hits: len(hits) == len(ids))
    yield app, ids
    await asyncio.to_thread(app.stop)
    await clear_tables()


def _generate(schema_url: str, out: Path) -> None:
    config = out.parent / "generator.yml"
    config.write_text(f"package_name_override: {PACKAGE}\npost_hooks: []\n")
    done = subprocess.run(
        [str(GENERATOR), "generate", "--url", schema_url, "--meta", "none", "--fail-on-warning",
         "--config", str(config), "--output-path", str(out)],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr


async def test_a_generated_client_has_enums_and_searches_and_gets(served, tmp_path):
    app, (cardio_id, remote_id) = served
    await asyncio.to_thread(_generate, f"{app.url}/schema/openapi.json", tmp_path / PACKAGE)
    sys.path.insert(0, str(tmp_path))
    try:
        client_mod = importlib.import_module(f"{PACKAGE}.client")
        search = importlib.import_module(
            f"{PACKAGE}.api.opportunities.api_v1_opportunities_search_opportunities")
        get_one = importlib.import_module(
            f"{PACKAGE}.api.opportunities.api_v1_opportunities_opportunity_id_get_opportunity")
        models = importlib.import_module(f"{PACKAGE}.models")
    finally:
        sys.path.remove(str(tmp_path))

    # Every vocabulary is an enum of exactly its values.
    assert {k.value for k in models.Kind} == set(vocab.KINDS)
    assert {s.value for s in models.Specialty} == set(vocab.specialties())
    assert {s.value for s in models.State} == {"", *vocab.states()}  # "" = not stated (remote)
    assert {s.value for s in models.ApiV1OpportunitiesSearchOpportunitiesSort} == {
        "relevance", "newest", "deadline", "fee", "distance", "cost", "confirmed"}
    assert {v.value for v in models.Payee} == set(vocab.CHOICES["payees"])
    assert {v.value for v in models.ApiV1OpportunitiesSearchOpportunitiesVisa} == set(
        vocab.CHOICES["visa_statuses"])
    assert {v.value for v in models.ApiV1OpportunitiesSearchOpportunitiesHandsOnItem} == {"true", "false"}
    assert {v.value for v in models.ApiV1OpportunitiesSearchOpportunitiesUsmleItem} == set(vocab.USMLE_STEPS)

    client = client_mod.Client(base_url=app.url, raise_on_unexpected_status=True)

    def calls():
        with client:
            found = search.sync(
                client=client, state=[models.ApiV1OpportunitiesSearchOpportunitiesStateItem.TX],
                hands_on=[models.ApiV1OpportunitiesSearchOpportunitiesHandsOnItem.TRUE],
                sort=models.ApiV1OpportunitiesSearchOpportunitiesSort.NEWEST)
            everything = search.sync(client=client)
            one = get_one.sync(remote_id, client=client)
            missing = get_one.sync(999_999, client=client)
        return found, everything, one, missing

    found, everything, one, missing = await asyncio.to_thread(calls)
    assert isinstance(found, models.SearchResponse), found
    assert [h.id for h in found.hits] == [cardio_id] and found.total == 1
    hit = found.hits[0]
    assert hit.kind is models.Kind.OBSERVERSHIP and hit.state is models.State.TX
    assert hit.specialty.value == "Cardiovascular disease" and hit.hands_on is True
    assert everything.total == 2
    assert isinstance(one, models.OpportunityOut) and one.id == remote_id
    assert one.state.value == "" and one.remote is True and one.kind is models.Kind.RESEARCH
    assert isinstance(missing, models.ErrorBody) and missing.status_code == 404
