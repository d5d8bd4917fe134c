"""A TCP proxy in front of a real server whose behaviour a test switches at will: forward
("up"), refuse connections like a stopped server ("down"), accept and never answer ("hang"),
or forward with a delay before each answer ("slow"). Switching closes the connections already
open, as a crash or restart of the server would."""

from __future__ import annotations

import asyncio
import contextlib

from search.server import free_port


class FaultProxy:
    def __init__(self, upstream_host: str, upstream_port: int):
        self.upstream = (upstream_host, upstream_port)
        self.port = free_port()
        self.mode = "up"
        self.delay = 0.0
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.connections = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> FaultProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port,
                                                  reuse_address=True)
        return self

    async def stop(self) -> None:
        self._drop_connections()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
            self._server = None

    async def set(self, mode: str, delay: float = 0.0) -> None:
        assert mode in {"up", "down", "hang", "slow"}
        self._drop_connections()
        if mode == "down":
            await self.stop()
        elif self._server is None:
            await self.start()
        self.mode, self.delay = mode, delay

    def _drop_connections(self) -> None:
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        try:
            if self.mode == "hang":
                while await reader.read(65536):
                    pass  # swallow the request, never answer
                return
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
            self._writers.add(up_writer)
            await asyncio.gather(self._pipe(reader, up_writer, 0.0),
                                 self._pipe(up_reader, writer, self.delay if self.mode == "slow" else 0))
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    delay: float) -> None:
        try:
            while data := await reader.read(65536):
                if delay:
                    await asyncio.sleep(delay)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
            self._writers.discard(writer)
