"""Where the Prometheus client keeps each process's numbers so N workers add up.

prometheus-client's multiprocess mode writes every process's values into mmap files under
PROMETHEUS_MULTIPROC_DIR and sums them at scrape time. The directory must be set BEFORE
prometheus_client is imported (it picks its value class at import), so `board serve` and
`board jobs run` call `prepare()` first thing, and it must start empty (files of a previous
run would be added to this one's counters).

Each role gets its own sub-directory of `var/metrics/` (web, jobs): in docker-compose the web
and scheduler containers share the volume but not a PID namespace, so two processes in
different containers could both be PID 7 and write the same file. A restart of one role
wipes only its own sub-directory; `/metrics` reads every sub-directory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"


def root_of(var_dir: Path) -> Path:
    return var_dir / "metrics"


def prepare(var_dir: Path, role: str) -> Path:
    """Point this process (and the workers it spawns) at an emptied `var/metrics/<role>/`."""
    if "prometheus_client" in sys.modules and os.environ.get(ENV) is None:
        # Too late: the client already chose in-process values; workers would not add up.
        raise RuntimeError("prometheus_client was imported before the multiprocess directory "
                           "was set")
    path = root_of(var_dir) / role
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    os.environ[ENV] = str(path)
    return path


def directories() -> list[Path]:
    """Every role's directory next to this process's own (empty when not in multiprocess mode)."""
    own = os.environ.get(ENV)
    if not own:
        return []
    own_path = Path(own)
    if own_path.parent.name != "metrics":
        return [own_path]  # a directory chosen by hand: never scan its neighbours
    return sorted({own_path, *(p for p in own_path.parent.iterdir() if p.is_dir())})
