"""A lean HTTP/1.1 keep-alive client for the one server search talks to (Meilisearch).

Why not httpx: on the search page's cache-miss path, httpx (its pool, anyio streams, cookie and
header models, the response decoders) was a third of the web process's CPU per request
(bench/bench_search_distinct.py with py-spy). This client sends one request per pooled
connection at a time over an asyncio Protocol and parses answers with httptools (uvicorn's
parser, C): no compression is asked for (the answer comes from localhost or a private network,
where gzip costs both ends more CPU than it saves), no cookies, no redirects.

Failures are `HttpError` (connect refused, reset, timeout, malformed answer); a connection taken
from the pool that the server closed meanwhile (an engine restart) is retried once on a fresh one.
"""

from __future__ import annotations

import asyncio
import ssl
import urllib.parse
from dataclasses import dataclass

import httptools

MAX_IDLE = 32


class HttpError(Exception):
    """The request did not get an answer: connection, timeout or protocol failure."""


@dataclass(slots=True)
class HttpResponse:
    status: int
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


class _Connection(asyncio.Protocol):
    """One TCP connection: one request at a time, the answer parsed as it arrives."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future | None = None
        self.body: list[bytes] = []
        self.received = False  # any byte of the current answer arrived
        self.closed = False
        self.keep_alive = True

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.received = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(HttpError(f"malformed HTTP answer: {exc}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(HttpError(f"connection closed by the server ({exc!r})"))

    # httptools callbacks
    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.keep_alive = self.parser.should_keep_alive()
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(HttpResponse(self.parser.get_status_code(), b"".join(self.body)))

    def _fail(self, exc: Exception) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)

    async def send(self, data: bytes) -> HttpResponse:
        self.body, self.received = [], False
        self.waiter = self.loop.create_future()
        self.transport.write(data)  # type: ignore[union-attr]
        try:
            return await self.waiter
        finally:
            self.waiter = None

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()


class HttpPool:
    """Keep-alive connections to one `http(s)://host:port` base URL (a path prefix is kept)."""

    def __init__(self, base_url: str, headers: dict[str, str], connect_timeout: float):
        url = urllib.parse.urlsplit(base_url)
        # A bad URL fails at the first request, as a connection failure (SearchUnavailable).
        self.problem = "" if url.scheme in ("http", "https") and url.hostname else (
            f"not an http(s) URL: {base_url!r}")
        self.host = url.hostname or ""
        self.port = url.port or (443 if url.scheme == "https" else 80)
        self.ssl = ssl.create_default_context() if url.scheme == "https" else None
        self.prefix = url.path.rstrip("/")
        self.connect_timeout = connect_timeout
        fixed = {"Host": url.netloc, **headers}
        self._head = "".join(f"{k}: {v}\r\n" for k, v in fixed.items())
        self._idle: list[_Connection] = []

    async def _connect(self) -> _Connection:
        if self.problem:
            raise HttpError(self.problem)
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.connect_timeout):
                _, conn = await loop.create_connection(lambda: _Connection(loop), self.host,
                                                       self.port, ssl=self.ssl)
        except (OSError, TimeoutError) as exc:
            raise HttpError(f"cannot connect to {self.host}:{self.port}: {exc!r}") from exc
        return conn

    def _take_idle(self) -> _Connection | None:
        loop = asyncio.get_running_loop()
        while self._idle:
            conn = self._idle.pop()
            if not conn.closed and conn.loop is loop:
                return conn
            conn.close()
        return None

    async def request(self, method: str, path: str, body: bytes | None, timeout: float,
                      headers: dict[str, str] | None = None) -> HttpResponse:
        head = f"{method} {self.prefix}{path} HTTP/1.1\r\n{self._head}"
        if headers:
            head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        data = (head + f"Content-Length: {len(body or b'')}\r\n\r\n").encode("latin-1")
        if body:
            data += body
        try:
            async with asyncio.timeout(timeout):
                conn = self._take_idle()
                if conn is not None:
                    try:
                        return self._release(conn, await conn.send(data))
                    except HttpError:
                        conn.close()
                        if conn.received:
                            raise  # the server answered something: not a stale connection
                    except BaseException:  # timed out or cancelled mid-answer
                        conn.close()
                        raise
                    # A pooled connection the server had closed (engine restart): once more on
                    # a fresh one (every Meilisearch call we make is idempotent).
                conn = await self._connect()
                try:
                    return self._release(conn, await conn.send(data))
                except BaseException:
                    conn.close()
                    raise
        except TimeoutError as exc:
            raise HttpError(f"no answer within {timeout} s") from exc
        except OSError as exc:
            raise HttpError(repr(exc)) from exc

    def _release(self, conn: _Connection, response: HttpResponse) -> HttpResponse:
        if conn.keep_alive and not conn.closed and len(self._idle) < MAX_IDLE:
            self._idle.append(conn)
        else:
            conn.close()
        return response

    async def aclose(self) -> None:
        while self._idle:
            self._idle.pop().close()
