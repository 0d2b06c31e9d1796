"""deploy/compose.yaml through Docker Compose itself (`docker compose config`; no engine is needed for that)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.promql import DEPLOY, REPO

# Built by `make test` (the Makefile's $(COMPOSE)): Compose v2 as a Docker CLI plugin, also runnable on its own.
COMPOSE = REPO / ".cache" / "docker" / "cli-plugins" / "docker-compose"


def compose(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    if not os.access(COMPOSE, os.X_OK):
        pytest.fail(f"{COMPOSE.relative_to(REPO)} is missing: `make test` builds it (Docker Compose v2, with Go)",
                    pytrace=False)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GRAFANA_", "GUETTEUR_", "COMPOSE_"))}
    return subprocess.run([str(COMPOSE), "--project-directory", str(DEPLOY), "-f", str(DEPLOY / "compose.yaml"),
                           *args], env={**clean, **(env or {})}, capture_output=True, text=True, timeout=60)


def model() -> dict[str, Any]:
    done = compose("config", "--format", "json", env={"GRAFANA_ADMIN_PASSWORD": "test-only"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_compose_file_is_valid() -> None:
    done = compose("config", "-q", env={"GRAFANA_ADMIN_PASSWORD": "test-only"})
    assert done.returncode == 0, done.stderr


def test_grafana_admin_password_must_be_given() -> None:
    done = compose("config", "-q")
    assert done.returncode != 0 and "GRAFANA_ADMIN_PASSWORD" in done.stderr


def test_every_bind_mount_and_the_build_exist() -> None:
    services = model()["services"]
    assert set(services) == {"guetteur", "prometheus", "grafana"}
    for name, service in services.items():
        for volume in service.get("volumes", []):
            if volume["type"] == "bind":
                assert Path(volume["source"]).exists(), f"{name}: {volume['source']}"
                assert volume.get("read_only"), f"{name}: {volume['target']} should be mounted read-only"
    build = services["guetteur"]["build"]
    assert (Path(build["context"]) / build["dockerfile"]).is_file()


def test_ports_are_published_on_loopback_only_and_prometheus_scrapes_the_service() -> None:
    services = model()["services"]
    for name, service in services.items():
        for port in service.get("ports", []):
            assert port["host_ip"] == "127.0.0.1", f"{name}: {port}"
    prometheus_yml = (DEPLOY / "prometheus" / "prometheus.yml").read_text(encoding="utf-8")
    assert '"guetteur:9108"' in prometheus_yml  # the compose service name and the config's metrics port
    assert services["guetteur"]["stop_grace_period"] == "30s"
