"""deploy/Dockerfile and the systemd unit agree with the rest of the repository (no engine here to build the image)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import defaults as settings
from tests.deploy.promql import DEPLOY, REPO

DOCKERFILE = DEPLOY / "Dockerfile"
UNIT = DEPLOY / "systemd" / "guetteur.service"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    lines = [line for line in DOCKERFILE.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [(words[0].upper(), words[1].strip()) for line in joined.splitlines() if (words := line.split(None, 1))]


def test_base_images_are_pinned_and_python_matches_the_project() -> None:
    images = [args.split()[0] for op, args in instructions() if op == "FROM"]
    assert len(images) == 3
    for image in images:
        assert re.fullmatch(r"[\w./-]+:\d+\.\d+\.\d+-[\w.-]+(@sha256:[0-9a-f]{64})?", image), f"unpinned: {image}"
    assert all(image.startswith("python:3.11.") for image in images[1:])


def test_prism_is_the_makefiles_and_is_the_one_guetteur_runs() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    module = re.search(r"^PRISM_MODULE := (\S+)$", makefile, re.MULTILINE)
    assert module and f"ARG PRISM_MODULE={module[1]}" in DOCKERFILE.read_text(encoding="utf-8")
    env = " ".join(args for op, args in instructions() if op == "ENV")
    copied = [args.split()[-1] for op, args in instructions() if op == "COPY" and "--from=prism" in args]
    assert copied and f"GUETTEUR_PRISM={copied[0]}" in env


def test_runs_as_a_user_with_a_health_check_on_healthz() -> None:
    ops = instructions()
    users = [args for op, args in ops if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    health = [args for op, args in ops if op == "HEALTHCHECK"]
    assert len(health) == 1 and f":{settings.METRICS_PORT}/healthz" in health[0]


def test_what_the_image_copies_is_in_the_build_context() -> None:
    kept = [line[1:] for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines() if line.startswith("!")]
    for op, args in instructions():
        if op == "COPY" and not args.startswith("--from"):
            for source in args.split()[:-1]:
                assert (REPO / source).exists(), source
                assert source in kept, f"{source} is excluded by Dockerfile.dockerignore"


def unit_settings() -> dict[str, str]:
    found = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            found[key] = value
    return found


def test_unit_is_hardened_and_waits_for_the_drain() -> None:
    unit = unit_settings()
    assert unit["DynamicUser"] == "yes" and unit["NoNewPrivileges"] == "yes" and unit["ProtectSystem"] == "strict"
    assert unit["Restart"] == "on-failure" and unit["KillSignal"] == "SIGTERM"
    # SIGTERM to guetteur only: it stops Prism and the extraction worker itself, after draining through them.
    assert unit["KillMode"] == "mixed"
    stop = float(unit["TimeoutStopSec"].removesuffix("s"))
    assert stop >= settings.EXTRACT_TIMEOUT + settings.DELIVERY_STOP_GRACE
    assert "GUETTEUR_PRISM=" in unit["Environment"]


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is absent (not a systemd machine)")
    # verify wants the commands to exist: point them at this venv's guetteur, keep every other line.
    text = UNIT.read_text(encoding="utf-8").replace("/opt/guetteur/bin/guetteur", str(Path(sys.executable).parent
                                                                                      / "guetteur"))
    (tmp_path / "guetteur.service").write_text(text, encoding="utf-8")
    done = subprocess.run([analyze, "verify", str(tmp_path / "guetteur.service")], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
