"""The Nu HTML Checker (vnu, npm `vnu-jar`, installed into the virtualenv by
scripts/install-test-assets.sh, never fetched at test time) run over rendered pages.

Java starts once per call, so a test hands every page over in one batch: each document is
written to a temporary file named after the page and vnu checks them all in one run."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

VNU_JAR = Path(sys.prefix) / "test-assets" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name) + ".html"


def vnu_errors(documents: Mapping[str, str]) -> list[str]:
    """One line per error vnu finds, `page:line: message (extract)`; [] when all are valid."""
    java = shutil.which("java")
    assert java, "Java is needed to run the Nu HTML Checker (Debian: default-jre-headless)"
    assert VNU_JAR.is_file(), f"{VNU_JAR} is missing: run scripts/install-test-assets.sh"
    with tempfile.TemporaryDirectory(prefix="vnu-") as folder:
        names: dict[str, str] = {}
        for name, html in documents.items():
            path = Path(folder) / _file_name(name)
            path.write_text(html, encoding="utf-8")
            names[path.name] = name
        result = subprocess.run(
            [java, "-Xss4m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
             *sorted(str(Path(folder) / n) for n in names)],
            capture_output=True, text=True, timeout=600)
    # vnu prints its JSON report on stderr and exits 1 when it found errors.
    report = json.loads(result.stderr or "{}")
    problems = []
    for m in report.get("messages", []):
        page = names.get(Path(m.get("url", "")).name, m.get("url", "?"))
        extract = " ".join(str(m.get("extract", "")).split())[:120]
        problems.append(f"{page}:{m.get('lastLine', '?')}: {m.get('type')}: {m.get('message')} "
                        f"[{extract}]")
    assert result.returncode in (0, 1) and (problems or result.returncode == 0), result.stderr[-2000:]
    return problems
