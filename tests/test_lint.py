"""The code has no undefined names, unused imports or syntax errors (ruff's pyflakes rules)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing() -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is a test dependency: install with .[test]"
    done = subprocess.run([ruff, "check", "--select", "F,E9", "pipeline", "connectors", "benchmarks", "fixtures",
                           "tests"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
