"""Supply-chain audit of what the virtualenv has installed (the pinned project and its
dependencies): fails (exit 1) on any known vulnerability, and fails loudly (exit 2) when the
vulnerability data cannot be fetched, never passing silently.

pip-audit (pinned in the test extra) asks PyPI per release (/pypi/NAME/VERSION/json). Where
that endpoint is not served (some registry mirrors serve only /pypi/NAME/json, and pip-audit
then reports every package as "not found" and exits 0), each skipped package is checked
here against the project endpoint, whose `vulnerabilities` describe the newest release: exact
for a pin at the newest release; a pin behind it is listed as not audited (a warning naming
it, since what affects an older release is not in that answer).

Usage: python scripts/audit.py [VENV]   (default .venv)
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PYPI = "https://pypi.org/pypi/{name}/json"
PROJECT = "img-opportunity-board"  # this project (installed editable), not on PyPI


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def fail(message: str, code: int = 2) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def run_pip_audit(venv: Path) -> dict:
    proc = subprocess.run(
        [str(venv / "bin" / "pip-audit"), "--local", "--skip-editable", "--progress-spinner",
         "off", "--format", "json"], capture_output=True, text=True, timeout=600)
    if proc.returncode not in (0, 1) or not proc.stdout.strip():
        fail(f"pip-audit failed (exit {proc.returncode}): {proc.stderr.strip()[-800:]}")
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        fail(f"pip-audit printed no JSON report: {proc.stdout[:300]!r} {proc.stderr[-300:]!r}")
    raise AssertionError


def project_vulnerabilities(name: str, version: str) -> tuple[str, list[dict] | None]:
    """(newest release, its vulnerabilities) — None when `version` is not the newest."""
    try:
        with urllib.request.urlopen(PYPI.format(name=name), timeout=30) as resp:
            data = json.load(resp)
    except (urllib.error.URLError, TimeoutError, json.JSONDecodeError) as exc:
        fail(f"cannot fetch vulnerability data for {name} from PyPI: {exc}")
    latest = data["info"]["version"]
    if latest != version:
        return latest, None
    return latest, [v for v in data.get("vulnerabilities") or [] if not v.get("withdrawn")]


def main() -> None:
    venv = Path(sys.argv[1] if len(sys.argv) > 1 else ".venv")
    report = run_pip_audit(venv)
    deps = [d for d in report.get("dependencies", []) if d["name"] != PROJECT]
    if not deps:
        fail("pip-audit listed no installed packages; is the virtualenv installed?")
    installed = {_norm(d["name"]): d["version"] for d in json.loads(
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "list", "--format", "json"],
                       capture_output=True, text=True, check=True).stdout)}
    for d in deps:  # a skipped entry has no version of its own
        d.setdefault("version", installed.get(_norm(d["name"]), "?"))
    found = [(d["name"], d["version"], v) for d in deps for v in d.get("vulns", [])]
    skipped = [d for d in deps if d.get("skip_reason")]
    print(f"pip-audit: {len(deps) - len(skipped)} packages audited per release, "
          f"{len(skipped)} skipped")
    if skipped and len(skipped) == len(deps):
        print("pip-audit could not audit any release (per-release endpoint not served): "
              "checking each against PyPI's project endpoint")
    not_audited = []
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda d: (d, *project_vulnerabilities(d["name"], d["version"])),
                                skipped))
    for dep, latest, vulns in answers:
        if vulns is None:
            not_audited.append(f"{dep['name']}=={dep['version']} (newest is {latest})")
            continue
        found += [(dep["name"], dep["version"], {
            "id": v.get("id"), "fix_versions": v.get("fixed_in"),
            "description": (v.get("summary") or v.get("details") or "")[:200]}) for v in vulns]
    for name in not_audited:
        print(f"warning: not audited, behind the newest release: {name}")
    if found:
        for name, version, vuln in found:
            print(f"VULNERABLE {name}=={version}: {vuln.get('id')} fixed in "
                  f"{', '.join(vuln.get('fix_versions') or []) or 'no release yet'}: "
                  f"{vuln.get('description', '')}")
        fail(f"{len(found)} known vulnerabilities in installed packages", code=1)
    print(f"audit: no known vulnerabilities in {len(deps) - len(not_audited)} packages "
          f"({len(not_audited)} not audited)")


if __name__ == "__main__":
    main()
