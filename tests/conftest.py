"""Shared test fixtures: the shared seeds and corpus (skipping where they are absent), a throwaway PostgreSQL."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
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


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Any]:
    """A throwaway PostgreSQL cluster (tests/postgres.py), started by the first test that asks for one."""
    from tests.postgres import start_cluster

    cluster = start_cluster()
    yield cluster
    cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: Any) -> str:
    """The URL of a new, empty database of the session's cluster."""
    return postgres_cluster.create_database()


@pytest.fixture
def thread_starts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the threads started from the test's own thread while it runs (servers' threads excluded)."""
    import threading

    started: list[str] = []
    caller = threading.current_thread()
    original = threading.Thread.start

    def start(self: threading.Thread) -> None:
        if threading.current_thread() is caller:
            started.append(self.name)
        original(self)

    monkeypatch.setattr(threading.Thread, "start", start)
    return started
