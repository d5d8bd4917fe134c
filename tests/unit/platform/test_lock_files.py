"""The lock files agree with pyproject.toml: every pin there is locked at the same version,
every locked package carries hashes, and the image's lock is a subset of the dev lock (run
`make lock` after changing a dependency)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text()
    entries = re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)[^\n]*\\\n((?:\s+--hash=sha256:[0-9a-f]{64}"
                         r"\s*\\?\n?)+)", text, re.M)
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==", text, re.M)
    assert len(entries) == len(pins), f"{name}: a package without --hash"
    return {_norm(n): v for n, v, _ in entries}


def _pins(specs: list[str]) -> dict[str, str]:
    out = {}
    for spec in specs:
        name, _, version = re.sub(r"\[.*?\]", "", spec).partition("==")
        out[_norm(name)] = version.strip()
    return out


def test_locks_match_pyproject_and_each_other():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = _pins(project["dependencies"])
    test = _pins(project["optional-dependencies"]["test"])
    dev, image = _locked("requirements-dev.lock"), _locked("requirements.lock")
    for name, version in {**runtime, **test}.items():
        assert dev.get(name) == version, f"{name}=={version} not locked: run `make lock`"
    for name, version in runtime.items():
        assert image.get(name) == version, f"{name}=={version} not in requirements.lock"
    assert {"setuptools", "wheel"} <= set(dev) & set(image)  # the build backend, hashed too
    assert all(dev.get(name) == version for name, version in image.items())
    # (some test pins, pyyaml say, are also runtime dependencies of a runtime package)
    assert not {"pytest", "playwright", "ruff", "hypothesis", "schemathesis", "zipcodes"} & set(image)
