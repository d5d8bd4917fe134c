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


def test_web_and_scheduler_share_redis_and_the_metrics_directory():
    compose = _compose()
    services = compose["services"]
    assert services["redis"]["healthcheck"]["test"][-1] == "ping"
    assert "profiles" not in services["redis"]  # always on: the workers share it
    for name in ("web", "scheduler"):
        env = services[name]["environment"]
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
        assert env["METRICS_TOKEN"].startswith("${METRICS_TOKEN"), name
        assert env["LOG_FORMAT"] in {"${LOG_FORMAT:-json}", "json"}, name
        assert env["SENTRY_DSN"].startswith("${SENTRY_DSN"), name
        # The volume sits where `board serve` / `board jobs run` keep their Prometheus files.
        assert "metrics:/app/var/metrics" in services[name]["volumes"], name
    assert services["web"]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "metrics" in compose["volumes"]


def test_monitoring_profile_scrapes_the_board_with_the_metrics_token():
    compose = _compose()
    services = compose["services"]
    for name in ("prometheus", "grafana"):
        assert services[name]["profiles"] == ["monitoring"], name
        assert all(str(port).startswith("127.0.0.1:") for port in services[name]["ports"]), name
    assert compose["secrets"]["metrics_token"] == {"environment": "METRICS_TOKEN"}
    assert services["prometheus"]["secrets"] == ["metrics_token"]
    monitoring = ROOT / "deploy" / "monitoring"
    mounted = {v.split(":")[0] for name in ("prometheus", "grafana") for v in services[name]["volumes"]}
    for local in mounted - {"promdata", "grafanadata"}:
        assert (ROOT / local).exists(), local
    scrape = yaml.safe_load((monitoring / "prometheus.yml").read_text())["scrape_configs"][0]
    assert scrape["metrics_path"] == "/metrics"
    assert scrape["static_configs"][0]["targets"] == ["web:8000"]
    assert scrape["authorization"]["credentials_file"] == "/run/secrets/metrics_token"


def test_grafana_dashboard_queries_only_metrics_the_board_exports():
    import json

    from board.observability import metrics

    dashboard = json.loads((ROOT / "deploy/monitoring/grafana/dashboards/board.json").read_text())
    exported = set(re.findall(r'"(board_[a-z_]+)"', (ROOT / "board/observability/metrics.py")
                              .read_text()))
    assert metrics.CONTENT_TYPE.startswith("text/plain")
    used = {name for panel in dashboard["panels"] for target in panel["targets"]
            for name in re.findall(r"board_[a-z_]+", target["expr"])}
    suffixes = ("_bucket", "_count", "_sum")
    assert used and {next((n[: -len(s)] for s in suffixes if n.endswith(s)), n)
                     for n in used} <= exported
    datasource = yaml.safe_load((ROOT / "deploy/monitoring/grafana/provisioning/datasources/"
                                 "prometheus.yml").read_text())["datasources"][0]
    assert {p["datasource"]["uid"] for p in dashboard["panels"]} == {datasource["uid"]}
