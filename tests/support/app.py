"""The real app for tests, two ways: in process in the test's own event loop (`app_client`,
with a `Borrowed` runtime the test owns), or served by uvicorn in a child process (`ServedApp`)
for tests that need a server over a socket (contract fuzzing, faults across processes).

A child process, not a thread: the test process's PostgreSQL pool and Meilisearch client
belong to the test's event loop, and a server in another loop of the same process would share
the process-wide Piccolo engine with them. The child builds its own runtime from the
environment, exactly as `board serve` workers do."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from board.runtime import Runtime
from search.server import free_port


def app_client(app, base_url: str = "http://testserver.local") -> httpx.AsyncClient:
    """An httpx client calling the ASGI app in THIS event loop (asyncpg and the pooled
    Meilisearch connections belong to the loop that made them; Litestar's AsyncTestClient
    runs the app in a portal thread with its own loop). The lifespan does not run: start and
    stop the runtime yourself."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url,
                             follow_redirects=True)


class Borrowed(Runtime):
    """A runtime the test owns, lent to an app: the app's lifespan must not start or stop it."""

    def __init__(self, rt: Runtime):
        self.__dict__.update(rt.__dict__)

    async def start(self, *, apply_settings: bool = True) -> None:
        return None

    async def stop(self) -> None:
        return None


class ServedApp:
    def __init__(self, env: dict[str, str], workers: int = 1, log_path: Path | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env}
        self.workers = workers
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> ServedApp:
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "board.serve:app_factory", "--factory",
             "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers),
             "--log-level", "warning", "--no-access-log"],
            env=self.env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the served app exited with {self.proc.returncode}")
            try:
                httpx.get(f"{self.url}/healthz", timeout=2.0)
                return self
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the served app did not answer within {timeout}s")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


def app_env(database_url: str, meili_url: str, meili_key: str, index: str, var_dir: Path,
            **extra: str) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "MEILI_URL": meili_url, "MEILI_MASTER_KEY": meili_key,
            "MEILI_INDEX": index, "BOARD_VAR_DIR": str(var_dir), "BOARD_ENV": "development",
            "SMTP_URL": "", "BASE_URL": "http://testserver.local", **extra}
