"""Which Meilisearch a `board jobs` command talks to on the embedded default (no
MEILI_URL). Two Meilisearch processes on one data directory would both start and corrupt
each other's task queue, so a command first looks for the one `board serve` is running
and reuses it; only when there is none does it start its own, like `board serve` does."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from search.server import LocalMeili, master_key_for


def running_embedded_url(data_dir: Path) -> str | None:
    """The URL of a live meilisearch process serving `data_dir` (Linux /proc), if any."""
    db_path = str(Path(data_dir) / "data.ms")
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        argv = [a.decode(errors="replace") for a in args if a]
        if not argv or not argv[0].endswith("meilisearch") or "--db-path" not in argv:
            continue
        if argv[argv.index("--db-path") + 1:][:1] != [db_path] or "--http-addr" not in argv:
            continue
        addr = argv[argv.index("--http-addr") + 1:][:1]
        if addr:
            return f"http://{addr[0]}"
    return None


@contextlib.contextmanager
def embedded_search(data_dir: Path, meili_bin: str = "") -> Iterator[tuple[str, str]]:
    """(url, master key) of the embedded Meilisearch: the running one, or one started here
    and stopped on exit. Raises search.server.MeiliServerError when it cannot start."""
    url = running_embedded_url(data_dir)
    if url:
        yield url, master_key_for(Path(data_dir))
        return
    server = LocalMeili(Path(data_dir), meili_bin)
    server.start()
    try:
        yield server.url, server.master_key
    finally:
        server.stop()
