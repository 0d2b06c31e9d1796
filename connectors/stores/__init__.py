"""The store port implemented twice: SQLite (the embedded default) and PostgreSQL (shared by workers)."""

from __future__ import annotations

from connectors.stores.common import POSTGRES_SCHEMES
from pipeline.ports.store import Store


def open_store(location: str, *, check_integrity: bool = True) -> Store:
    """The store a config names: a SQLite path (the embedded default) or a postgresql:// URL.

    The integrity check reads the whole store: the process runs it once at start, not every stage's connection.
    """
    if location.startswith(POSTGRES_SCHEMES):
        from connectors.stores.postgres import PostgresStore  # psycopg is only loaded where a URL is configured

        return PostgresStore(location, check_integrity=check_integrity)
    from connectors.stores.sqlite import SqliteStore

    return SqliteStore(location, check_integrity=check_integrity)
