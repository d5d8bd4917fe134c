"""A small async Meilisearch client over a lean keep-alive HTTP/1.1 pool (search.http11):
every call has an explicit timeout, and transport failures become SearchUnavailable so callers
can answer 503 instead of 500."""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from search.coalesce import SearchCoalescer
from search.errors import MeiliError, SearchUnavailable, TaskFailed
from search.http11 import HttpError, HttpPool

_json = msgspec.json.Encoder()


class MeiliClient:
    def __init__(self, url: str, api_key: str = "", timeout: float = 2.0,
                 share_searches: int = 0):
        """`share_searches`: concurrent searches share requests once that many are at the
        engine (search.coalesce); 0 sends each search on its own."""
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.url = url.rstrip("/")
        self.timeout = timeout
        # Bumped whenever a task this client waited for has finished (the index may have
        # changed): caches of search results key on it.
        self.generation = 0
        # Called after each bump (the board shares the news with its other processes).
        self.after_task: Callable[[], Awaitable[None]] | None = None
        self._http = HttpPool(self.url, headers, connect_timeout=min(timeout, 2.0))
        self.coalescer = SearchCoalescer(self._multi_search, share_searches) \
            if share_searches > 0 else None

    async def aclose(self) -> None:
        await self._http.aclose()

    async def request(
        self, method: str, path: str, body: Any = None, *, params: dict | None = None,
        timeout: float | None = None, raw: bytes | None = None, content_type: str | None = None,
        decoder: msgspec.json.Decoder | None = None,
    ) -> Any:
        """The decoded answer (by `decoder`, typed, when given); 4xx raise MeiliError."""
        resp = await self.send(method, path, body, params=params, timeout=timeout, raw=raw,
                               content_type=content_type)
        if resp.status < 400 and decoder is not None:
            return decoder.decode(resp.content)
        data = msgspec.json.decode(resp.content) if resp.content else None
        if resp.status >= 400:
            data = data or {}
            raise MeiliError(data.get("code", "unknown"), data.get("message", resp.text[:200]),
                             resp.status)
        return data

    async def send(self, method: str, path: str, body: Any = None, *, params: dict | None = None,
                   timeout: float | None = None, raw: bytes | None = None,
                   content_type: str | None = None):
        """The raw answer (status, content) of a call that reached the engine; 5xx and
        transport failures raise SearchUnavailable."""
        content = raw if raw is not None else (_json.encode(body) if body is not None else None)
        if params:
            path += "?" + urllib.parse.urlencode(params)
        headers = {"Content-Type": content_type or "application/json"} if content else None
        try:
            resp = await self._http.request(method, path, content, self.timeout if timeout is None
                                            else timeout, headers)
        except HttpError as exc:
            raise SearchUnavailable(f"Meilisearch at {self.url} is unreachable: {exc}") from exc
        if resp.status >= 500:
            raise SearchUnavailable(f"Meilisearch answered {resp.status}: {resp.text[:200]}")
        return resp

    # -- health and tasks -------------------------------------------------------------

    async def healthy(self) -> bool:
        try:
            data = await self.request("GET", "/health", timeout=min(self.timeout, 1.0))
        except (SearchUnavailable, MeiliError):
            return False
        return bool(data and data.get("status") == "available")

    async def wait_task(self, task: dict | int, timeout: float = 60.0) -> dict:
        """Wait for a task to finish; raise TaskFailed when it did not succeed."""
        uid = task if isinstance(task, int) else task["taskUid"]
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            info = await self.request("GET", f"/tasks/{uid}")
            status = info.get("status")
            if status in {"succeeded", "failed", "canceled"}:
                self.generation += 1
                if self.after_task is not None:
                    await self.after_task()
            if status == "succeeded":
                return info
            if status in {"failed", "canceled"}:
                err = info.get("error") or {}
                raise TaskFailed(err.get("code", status), err.get("message", f"task {uid} {status}"))
            if time.monotonic() > deadline:
                raise SearchUnavailable(f"Meilisearch task {uid} did not finish in {timeout}s")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.25)

    # -- indexes ------------------------------------------------------------------------

    async def get_index(self, uid: str) -> dict | None:
        try:
            return await self.request("GET", f"/indexes/{uid}")
        except MeiliError as exc:
            if exc.code == "index_not_found":
                return None
            raise

    async def create_index(self, uid: str, primary_key: str = "id") -> None:
        task = await self.request("POST", "/indexes", {"uid": uid, "primaryKey": primary_key})
        try:
            await self.wait_task(task)
        except TaskFailed as exc:
            if exc.code != "index_already_exists":
                raise

    async def delete_index(self, uid: str) -> None:
        try:
            task = await self.request("DELETE", f"/indexes/{uid}")
        except MeiliError as exc:
            if exc.code == "index_not_found":
                return
            raise
        try:
            await self.wait_task(task)
        except TaskFailed as exc:
            if exc.code != "index_not_found":
                raise

    async def get_settings(self, uid: str) -> dict:
        return await self.request("GET", f"/indexes/{uid}/settings")

    async def update_settings(self, uid: str, settings: dict) -> dict:
        return await self.request("PATCH", f"/indexes/{uid}/settings", settings)

    async def swap_indexes(self, a: str, b: str) -> None:
        task = await self.request("POST", "/swap-indexes", [{"indexes": [a, b]}])
        await self.wait_task(task)

    async def stats(self, uid: str) -> dict:
        return await self.request("GET", f"/indexes/{uid}/stats")

    # -- documents ----------------------------------------------------------------------

    async def add_documents(self, uid: str, docs: list[dict]) -> dict:
        return await self.request("POST", f"/indexes/{uid}/documents", docs,
                                  params={"primaryKey": "id"})

    async def add_ndjson(self, uid: str, payload: bytes, timeout: float = 120.0) -> dict:
        return await self.request("POST", f"/indexes/{uid}/documents", raw=payload,
                                  params={"primaryKey": "id"}, timeout=timeout,
                                  content_type="application/x-ndjson")

    async def delete_documents(self, uid: str, ids: list[int]) -> dict:
        return await self.request("POST", f"/indexes/{uid}/documents/delete-batch", ids)

    async def fetch_documents(self, uid: str, fields: list[str], limit: int = 1000,
                              offset: int = 0, filter: str | None = None) -> dict:
        body: dict[str, Any] = {"fields": fields, "limit": limit, "offset": offset}
        if filter:
            body["filter"] = filter
        return await self.request("POST", f"/indexes/{uid}/documents/fetch", body)

    # -- search -------------------------------------------------------------------------

    async def multi_search(self, queries: list[dict],
                           decoder: msgspec.json.Decoder | None = None) -> list[Any]:
        """Each query's answer: dicts, or what `decoder` makes of `{"results": [...]}`."""
        if self.coalescer is not None:
            return await self.coalescer.multi_search(queries, decoder)
        return await self._multi_search(queries, decoder)

    async def _multi_search(self, queries: list[dict],
                            decoder: msgspec.json.Decoder | None = None) -> list[Any]:
        data = await self.request("POST", "/multi-search", {"queries": queries}, decoder=decoder)
        return data["results"] if decoder is None else data.results

