"""Property: whatever sequence of creates, edits, expiries, closes, drains and engine
outages happens, once the engine is up and the outbox is drained, the index equals the set
of visible listings in the store (ids, update times and titles)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from board.indexing import outbox
from board.indexing.gateway import utcnow
from board.listings import services as listings
from board.store.tables import Opportunity, OutboxEvent
from tests.support.factories import make_institution, make_listing
from tests.support.outbox import (
    drain_all,
    index_state,
    store_state,
)

pick = st.integers(min_value=0, max_value=50)
steps = st.lists(st.one_of(
    st.tuples(st.just("create"), st.booleans()),
    st.tuples(st.just("edit"), pick),
    st.tuples(st.just("expire"), pick),
    st.tuples(st.just("close"), pick),
    st.tuples(st.just("drain")),
    st.tuples(st.just("down")),
    st.tuples(st.just("up")),
), min_size=1, max_size=14)


async def _reset(rt, engine) -> int:
    engine.up()
    await OutboxEvent.delete(force=True).run()
    await Opportunity.delete(force=True).run()
    task = await rt.client.request("DELETE", f"/indexes/{rt.gateway.index}/documents")
    await rt.client.wait_task(task)
    return await make_institution()


async def _step(rt, engine, inst: int, ids: list[int], step: tuple) -> None:
    name, arg = step[0], (step[1] if len(step) > 1 else None)
    target = ids[arg % len(ids)] if ids and isinstance(arg, int) and name != "create" else None
    if name == "create":
        ids.append(await make_listing(inst, publish=arg, title=f"Observership number {len(ids)}"))
    elif name == "edit" and target:
        row = await listings.get(target)
        if row["status"] != "removed":
            await listings.update(target, {"title": f"Edited observership {target} {utcnow():%H%M%S%f}"})
    elif name == "expire" and target:
        # Time passes (no event), then the expire job does its set-based update (events).
        past = utcnow() - dt.timedelta(seconds=1)
        await Opportunity.update({Opportunity.expires_at: past}).where(Opportunity.id == target).run()
        await listings.expire_due(utcnow())
    elif name == "close" and target:
        if (await listings.get(target))["status"] in {"published", "expired", "pending", "draft"}:
            await listings.close(target)
    elif name == "drain":
        await outbox.drain(rt.gateway)
    elif name == "down":
        engine.down()
    elif name == "up":
        engine.up()


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=steps)
# The outage paths, always covered whatever the random draw finds.
@example(steps=[("create", True), ("down",), ("edit", 0), ("drain",), ("create", True), ("up",)])
@example(steps=[("create", True), ("create", True), ("drain",), ("down",), ("close", 0),
                ("expire", 1), ("drain",), ("up",), ("edit", 1)])
async def test_after_engine_up_and_a_final_drain_the_index_equals_the_visible_set(
        own_runtime, own_meili, steps):
    rt = own_runtime
    await rt.drainer.stop()  # the steps drive the drainer; no background surprises
    inst = await _reset(rt, own_meili)
    ids: list[int] = []
    for step in steps:
        await _step(rt, own_meili, inst, ids, step)
    own_meili.up()
    await drain_all(rt.gateway)
    assert await index_state(rt.client, rt.gateway.index) == await store_state()
