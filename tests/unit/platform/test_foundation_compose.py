"""docker-compose.yml cannot run here (no Docker engine): check it parses and agrees with
the settings the app reads."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from board.settings import ROOT

SETTINGS_SOURCE = (ROOT / "board" / "settings.py").read_text()
KNOWN = set(re.findall(r'source\.get\("([A-Z_]+)"', SETTINGS_SOURCE))


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_services_with_health_checks():
    services = _compose()["services"]
    assert {"web", "scheduler", "postgres", "meilisearch", "mailpit"} <= set(services)
    assert services["meilisearch"]["image"] == "getmeili/meilisearch:v1.21"
    for name in ("web", "postgres", "meilisearch"):
        assert "healthcheck" in services[name], name
    assert services["scheduler"]["command"] == ["board", "jobs", "run"]
    assert "--no-scheduler" in " ".join(services["web"]["command"])


def test_compose_environment_uses_only_known_settings():
    services = _compose()["services"]
    for name in ("web", "scheduler"):
        env = services[name]["environment"]
        assert set(env) <= KNOWN, set(env) - KNOWN
        assert env["BOARD_ENV"] == "production"
        assert env["DATABASE_URL"].startswith("postgresql://")
        assert env["MEILI_URL"] == "http://meilisearch:7700"


def test_env_example_documents_known_settings():
    names = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert names <= KNOWN, names - KNOWN
    assert {"DATABASE_URL", "MEILI_URL", "MEILI_MASTER_KEY", "SMTP_URL", "SECRET_KEY",
            "BASE_URL", "BOARD_ENV", "HOST", "PORT"} <= names


def test_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in KNOWN - {"BOARD_VAR_DIR", "MEILI_INDEX"} if name not in readme]
    assert not missing, missing


def test_dockerfile_exists_for_the_build():
    assert (Path(ROOT) / "Dockerfile").read_text().startswith("#")


def test_production_mail_comes_from_env_and_mailpit_is_dev_only():
    services = _compose()["services"]
    for name in ("web", "scheduler"):
        assert services[name]["environment"]["SMTP_URL"].startswith("${SMTP_URL"), name
        assert "mailpit" not in services[name].get("depends_on", {}), name
    mailpit = services["mailpit"]
    assert mailpit["profiles"] == ["dev"]
    assert all(str(port).startswith("127.0.0.1:") for port in mailpit["ports"])
