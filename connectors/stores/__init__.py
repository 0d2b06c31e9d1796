"""The store port implemented twice: SQLite (the embedded default) and PostgreSQL (shared by workers)."""
