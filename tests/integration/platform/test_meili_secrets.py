"""The embedded Meilisearch's master key stays private (issue 13): it reaches the process
through its environment, not argv (which `ps` shows to every user), and the key file is
created 0600 from the start."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import httpx

from search.server import LocalMeili, master_key_for


def test_key_file_is_created_private(tmp_path: Path):
    old = os.umask(0)  # even a permissive umask must not widen the file
    try:
        key = master_key_for(tmp_path / "meili")
    finally:
        os.umask(old)
    key_file = tmp_path / "meili" / "master.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert master_key_for(tmp_path / "meili") == key  # reused on restart


def test_master_key_is_not_on_the_command_line(tmp_path: Path):
    server = LocalMeili(tmp_path / "meili", os.environ.get("MEILI_BIN", ""))
    with server:
        assert server.process is not None
        cmdline = Path(f"/proc/{server.process.pid}/cmdline").read_bytes()
        assert server.master_key.encode() not in cmdline
        # ...and the key is in force: without it the API refuses, with it it answers.
        assert httpx.get(f"{server.url}/indexes", timeout=5).status_code == 401
        ok = httpx.get(f"{server.url}/indexes", timeout=5,
                       headers={"Authorization": f"Bearer {server.master_key}"})
        assert ok.status_code == 200
