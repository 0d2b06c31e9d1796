"""Shared test fixtures: where the shared seeds and corpus live, skipping with a reason where they are absent."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GUETTEUR_SHARED", REPO.parent / "shared"))


def shared_dir(name: str) -> Path:
    path = SHARED / name
    if not path.is_dir():
        pytest.skip(f"{path} is absent: the shared {name} is read from beside the repository, never copied into it")
    return path


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return shared_dir("corpus")


@pytest.fixture(scope="session")
def gold() -> dict[str, Any]:
    return json.loads((shared_dir("seeds") / "gold.json").read_text(encoding="utf-8"))
