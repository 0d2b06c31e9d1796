"""A throwaway PostgreSQL cluster for the tests: one per session, on loopback, with a fresh database per test."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest

USER = "guetteur"  # the cluster's superuser; trust authentication on loopback, so no password
# Speed over durability: the cluster lives for one session and is thrown away.
_OPTIONS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=200")


def server_bin() -> Path | None:
    """Where initdb and pg_ctl are: on PATH, else Debian's newest /usr/lib/postgresql/N/bin."""
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return versions[-1].parent if versions else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """A running cluster in a temporary directory; `stop` removes it all."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="guetteur-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._names = itertools.count()
        # PostgreSQL refuses to run as root, and the tests run as root here and in CI: then it runs as `postgres`.
        self._as = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        if self._as:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, tool: str, *args: str) -> None:
        try:
            subprocess.run([*self._as, str(self.bindir / tool), *args], check=True, capture_output=True, text=True,
                           timeout=120)
        except subprocess.CalledProcessError as exc:
            detail = " ".join((exc.stderr or exc.stdout or "").split())[-300:]
            pytest.fail(f"PostgreSQL {tool} failed: {detail} (log: {self.root / 'log'})", pytrace=False)

    def start(self) -> Cluster:
        self._run("initdb", "-D", str(self.data), "-U", USER, "--auth=trust", "--no-sync", "-E", "UTF8",
                  "--locale=C")
        settings = ["listen_addresses=127.0.0.1", f"port={self.port}", f"unix_socket_directories={self.root}",
                    *_OPTIONS]
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-t", "60",
                  "-o", " ".join(f"-c {s}" for s in settings), "start")
        return self

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run([*self._as, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w",
                            "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database, and its URL: each test its own, so no test sees another's rows or locks."""
        name = f"test_{next(self._names)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def start_cluster() -> Cluster:
    bindir = server_bin()
    if bindir is None:
        pytest.fail("PostgreSQL's server (initdb, pg_ctl) is not installed: `make test` installs it (Debian package "
                    "postgresql)", pytrace=False)
    cluster = Cluster(bindir)
    try:
        return cluster.start()
    except BaseException:
        cluster.stop()
        raise
