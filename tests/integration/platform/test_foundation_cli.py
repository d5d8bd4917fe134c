"""The CLI and `board serve` as a new user runs them: real subprocesses, a temporary store,
the embedded Meilisearch; clear one-line errors; Ctrl-C leaves no process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from board.settings import ROOT
from search.server import free_port

BOARD = [sys.executable, "-m", "board"]


def env_for(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"MEILI_URL", "MEILI_MASTER_KEY", "SMTP_URL", "DATABASE_URL"}}
    env.update({"BOARD_VAR_DIR": str(tmp / "var"),
                "DATABASE_URL": f"sqlite:///{tmp / 'cli.sqlite'}", **extra})
    return env


def board(tmp: Path, *args: str, timeout: float = 120, **extra: str):
    return subprocess.run([*BOARD, *args], env=env_for(tmp, **extra), capture_output=True,
                          text=True, timeout=timeout)


def test_migrate_then_seed_is_idempotent(tmp_path: Path):
    first = board(tmp_path, "migrate")
    assert first.returncode == 0, first.stderr
    committed = len(list((ROOT / "board" / "piccolo_migrations").glob("board_*.py")))
    assert f"migrations applied: {committed} " in first.stdout
    assert "migrations applied: 0" in board(tmp_path, "migrate").stdout
    seeded = board(tmp_path, "seed", "--demo", "--count", "40", "--if-empty")
    assert seeded.returncode == 0 and "seeded 40 listings" in seeded.stdout
    again = board(tmp_path, "seed", "--demo", "--if-empty")
    assert again.returncode == 0 and "already has listings" in again.stdout


def test_seed_without_migrate_says_what_to_do(tmp_path: Path):
    result = board(tmp_path, "seed", "--demo")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: the database has no tables yet: run `board migrate`"]


def test_usage_errors_exit_2(tmp_path: Path):
    assert board(tmp_path, "seed").returncode == 2
    assert board(tmp_path, "seed", "--demo", "--count", "0").returncode == 2
    assert board(tmp_path, "no-such-command").returncode == 2


@pytest.mark.parametrize("url, needle", [
    ("mysql://x/y", "DATABASE_URL"),
    ("postgresql://nobody@127.0.0.1:1/none", "PostgreSQL"),
])
def test_bad_database_url_is_one_clear_line(tmp_path: Path, url: str, needle: str):
    result = board(tmp_path, "migrate", DATABASE_URL=url)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0], lines


def test_create_admin(tmp_path: Path):
    assert board(tmp_path, "migrate").returncode == 0
    ok = board(tmp_path, "create-admin", "mod@example.org", BOARD_ADMIN_PASSWORD="a-long-password")
    assert ok.returncode == 0 and "mod@example.org" in ok.stdout
    short = board(tmp_path, "create-admin", "mod@example.org", BOARD_ADMIN_PASSWORD="short")
    assert short.returncode == 2 and "at least" in short.stderr
    bad = board(tmp_path, "create-admin", "not-an-email", BOARD_ADMIN_PASSWORD="a-long-password")
    assert bad.returncode == 2 and "EMAIL" in bad.stderr


def _meili_pids(marker: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if "meilisearch" in cmd and marker in cmd:
                pids.append(int(entry.name))
    return pids


def _wait_health(port: int, proc: subprocess.Popen, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else "exited"
        try:
            r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            if r.status_code == 200:
                return r.json()
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError("board serve did not become healthy")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_embedded_shows_listings_and_stops_cleanly(tmp_path: Path, sig: int):
    assert board(tmp_path, "migrate").returncode == 0
    assert board(tmp_path, "seed", "--demo", "--count", "30").returncode == 0
    port = free_port()
    proc = subprocess.Popen([*BOARD, "serve", "--port", str(port)], env=env_for(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_health(port, proc) == {"status": "ok", "store": "ok", "search": "ok",
                                            "mail": "ok"}
        assert _meili_pids(str(tmp_path)), "the embedded Meilisearch should be running"
        # "serving" comes only once the seeded listings are indexed: the first search
        # already finds all of them (no waiting for the background drainer).
        total = httpx.get(f"http://127.0.0.1:{port}/api/v1/opportunities").json()["total"]
        assert total == 30
        page = httpx.get(f"http://127.0.0.1:{port}/")
        assert page.status_code == 200 and page.text.count('class="result-card"') == 20
        proc.send_signal(sig)
        assert proc.wait(30) == 0
        out = proc.stdout.read()
        assert out.index("indexing 30 pending change(s)") < out.index("serving on"), out
    finally:
        if proc.poll() is None:
            proc.kill()
    time.sleep(0.5)
    assert _meili_pids(str(tmp_path)) == [], "Meilisearch must not outlive board serve"


def test_serve_busy_port_is_one_clear_line(tmp_path: Path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        result = board(tmp_path, "serve", "--port", str(port), timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(f"error: port {port}")
    assert _meili_pids(str(tmp_path)) == []


def test_serve_unreachable_meili_url_and_missing_binary(tmp_path: Path):
    assert board(tmp_path, "migrate").returncode == 0
    dead = board(tmp_path, "serve", "--port", str(free_port()),
                 MEILI_URL=f"http://127.0.0.1:{free_port()}", timeout=60)
    assert dead.returncode == 1 and "Meilisearch is unreachable" in dead.stderr
    missing = board(tmp_path, "serve", "--port", str(free_port()),
                    MEILI_BIN=str(tmp_path / "no-meilisearch"), timeout=60)
    assert missing.returncode == 1 and "MEILI_BIN" in missing.stderr
