"""Keeping an index in shape: create it, apply settings (each task awaited and checked),
upsert and delete documents."""

from __future__ import annotations

from typing import Any

from search.client import MeiliClient
from search.index_settings import IndexSpec, index_settings, settings_drift


async def apply_settings(client: MeiliClient, index: str, spec: IndexSpec,
                         timeout: float = 120.0) -> dict:
    """Create the index if needed and re-apply settings that drifted; returns the drift
    that was repaired (empty when the live settings already matched)."""
    if await client.get_index(index) is None:
        await client.create_index(index)
    drift = settings_drift(await client.get_settings(index), index_settings(spec))
    if drift:
        task = await client.update_settings(index, drift)
        await client.wait_task(task, timeout=timeout)
    return drift


async def upsert(client: MeiliClient, index: str, docs: list[dict[str, Any]],
                 timeout: float = 60.0) -> None:
    if docs:
        await client.wait_task(await client.add_documents(index, docs), timeout=timeout)


async def delete(client: MeiliClient, index: str, ids: list[int], timeout: float = 60.0) -> None:
    if ids:
        await client.wait_task(await client.delete_documents(index, ids), timeout=timeout)


async def indexed_versions(client: MeiliClient, index: str, page: int = 5000) -> dict[int, int]:
    """id -> updated_at_ts of every document in the index (for reconcile)."""
    out: dict[int, int] = {}
    offset = 0
    while True:
        data = await client.fetch_documents(index, ["id", "updated_at_ts"], limit=page,
                                            offset=offset)
        for doc in data.get("results", []):
            out[int(doc["id"])] = int(doc.get("updated_at_ts") or 0)
        offset += page
        if offset >= int(data.get("total", 0)):
            return out
