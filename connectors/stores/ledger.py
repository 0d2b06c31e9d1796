"""The reads and writes of commit_article that both stores send alike, written once for either placeholder style."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Union

from connectors.stores.common import claim_values
from pipeline.domain.records import Article, Fingerprint, Judgement
from pipeline.ports.store import DoubtRow, FigureRow, IdentityRow

if TYPE_CHECKING:
    import sqlite3

    import psycopg

# A SQLite connection or a psycopg cursor: both execute, and fetch from what execute returns, alike.
Db = Union["sqlite3.Connection", "psycopg.Cursor[Any]"]


# Distinct (low, high, attributed_to) of one unit, as FigureRow: the id of the latest record, then the first
# record's values. {unit_is} compares a unit that may be NULL; {where} and {then} narrow and order it.
_FIGURES = ("SELECT g.last, c.low, c.high, c.unit, c.attributed_to, c.seen_at, c.article_url FROM "
            "(SELECT MIN(id) AS first, MAX(id) AS last FROM claims WHERE topic = {p} AND predicate = {p} "
            "AND {unit_is} AND low IS NOT NULL AND judgement <> 'doubtful' {where} GROUP BY low, high, attributed_to "
            "{then}) AS g "
            "JOIN claims AS c ON c.id = g.first")
# INSERT OR REPLACE of SQLite: an entry recorded again is the new record, whole.
PG_REPLACE_ENTRY = ("INSERT INTO entries VALUES (%s, %s, %s, %s, %s, NULL, NULL) ON CONFLICT (entry_id) DO UPDATE SET "
                  "url = EXCLUDED.url, feed = EXCLUDED.feed, outcome = EXCLUDED.outcome, seen_at = EXCLUDED.seen_at, "
                  "payload = NULL, claimed_by = NULL")
_CLAIM_COLUMNS = ("article_url, topic, predicate, low, high, unit, attributed_to, hedged, place, act, event_date, "
                  "quantitative, evidence, judgement, alert_id, seen_at, confidence")


class SqlLedger:
    """The statements both dialects share; a store's ledger adds those its dialect writes its own way.

    `db` is a SQLite connection or a psycopg cursor inside the commit's transaction: both execute and fetch alike.
    """

    P = "?"  # the driver's placeholder
    UNIT_IS = "unit IS ?"  # NULL-safe equality of the unit

    def __init__(self, db: Db) -> None:
        self.db = db

    def _sql(self, text: str, **parts: str) -> str:
        return text.format(p=self.P, unit_is=self.UNIT_IS, **parts)

    def has_article(self, url: str) -> bool:
        return self.db.execute(self._sql("SELECT 1 FROM articles WHERE url = {p}"), (url,)).fetchone() is not None

    def evidence(self, url: str) -> set[str]:
        return {row[0] for row in self.db.execute(self._sql("SELECT evidence FROM claims WHERE article_url = {p}"),
                                                  (url,))}

    def mentioned(self, topic: str, predicate: str) -> bool:
        sql = self._sql("SELECT 1 FROM claims WHERE topic = {p} AND predicate = {p} AND judgement <> 'doubtful' "
                        "LIMIT 1")
        return self.db.execute(sql, (topic, predicate)).fetchone() is not None

    def identities(self, topic: str, predicate: str) -> list[IdentityRow]:
        sql = self._sql("SELECT DISTINCT place, act, event_date FROM claims WHERE topic = {p} AND predicate = {p} "
                        "AND NOT quantitative AND judgement <> 'doubtful' ORDER BY place, act, event_date")
        return [tuple(row) for row in self.db.execute(sql, (topic, predicate)).fetchall()]

    def figures_meeting(self, topic: str, predicate: str, unit: str | None, low: float, high: float,
                        tolerance: float) -> list[FigureRow]:
        # The factors are computed in Python, as novelty.meets does, so both stores round alike at the boundary.
        sql = self._sql(_FIGURES, where=self._sql("AND low * {p} <= {p} AND high * {p} >= {p}"), then="")
        rows = self.db.execute(sql, (topic, predicate, unit, 1 - tolerance, high, 1 + tolerance, low)).fetchall()
        return [tuple(row) for row in rows]

    def latest_figures(self, topic: str, predicate: str, unit: str | None, count: int) -> list[FigureRow]:
        sql = self._sql(_FIGURES, where="", then=self._sql("ORDER BY last DESC LIMIT {p}"))
        return [tuple(row) for row in self.db.execute(sql, (topic, predicate, unit, count)).fetchall()]

    def doubted_elsewhere(self, topic: str, predicate: str, outlet: str) -> list[DoubtRow]:
        sql = self._sql("SELECT c.low, c.high, c.unit, c.place, c.act, c.event_date FROM claims AS c "
                        "JOIN articles AS a ON a.url = c.article_url WHERE c.topic = {p} AND c.predicate = {p} "
                        "AND c.judgement = 'doubtful' AND a.outlet <> {p} AND a.duplicate_of IS NULL")
        return [tuple(row) for row in self.db.execute(sql, (topic, predicate, outlet)).fetchall()]

    def add_claim(self, article_url: str, judgement: Judgement, alert_id: str | None, seen_at: str) -> None:
        values = ", ".join([self.P] * (_CLAIM_COLUMNS.count(",") + 1))  # one per column, however many
        self.db.execute(f"INSERT INTO claims ({_CLAIM_COLUMNS}) VALUES ({values})",
                        claim_values(article_url, judgement, alert_id, seen_at))


class SqliteLedger(SqlLedger):
    """commit_article's reads and writes on a connection inside a transaction, in SQLite's own words."""

    def sharing_bands(self, bands: Sequence[int], limit: int) -> list[tuple[str, bytes, str | None]]:
        keys = ", ".join("(?, ?)" for _ in bands)
        return self.db.execute(
            f"WITH k(band, hash) AS (VALUES {keys}) SELECT a.url, a.signature, a.duplicate_of FROM "
            "(SELECT b.url, COUNT(*) AS shared FROM k JOIN article_bands AS b ON b.band = k.band AND b.hash = k.hash "
            "GROUP BY b.url) AS m JOIN articles AS a ON a.url = m.url ORDER BY m.shared DESC, a.processed_at, a.url "
            "LIMIT ?", [*(x for pair in enumerate(bands) for x in pair), limit]).fetchall()

    def add_article(self, article: Article, fingerprint: Fingerprint, duplicate_of: str | None, seen_at: str) -> bool:
        added = self.db.execute(
            "INSERT OR IGNORE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (article.url, article.entry_id, article.outlet, article.title, article.published.isoformat(),
             article.language, fingerprint.signature, duplicate_of, seen_at)).rowcount > 0
        if added:
            self.db.executemany("INSERT INTO article_bands VALUES (?, ?, ?)",
                                [(band, value, article.url) for band, value in enumerate(fingerprint.bands)])
        return added

    def add_alert(self, alert_id: str, created_at: str, body: str, sinks: Sequence[str]) -> bool:
        if not self.db.execute("INSERT OR IGNORE INTO alerts VALUES (?, ?, ?)", (alert_id, created_at, body)).rowcount:
            return False
        self.db.executemany("INSERT OR IGNORE INTO outbox (alert_id, sink) VALUES (?, ?)",
                            [(alert_id, sink) for sink in sinks])
        return True

    def entry_processed(self, article: Article, seen_at: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, NULL)",
                        (article.entry_id, article.url, article.feed, "processed", seen_at))


class PostgresLedger(SqlLedger):
    """commit_article's reads and writes on a cursor inside a transaction, in PostgreSQL's own words."""

    P = "%s"
    UNIT_IS = "unit IS NOT DISTINCT FROM %s::text"

    def sharing_bands(self, bands: Sequence[int], limit: int) -> list[tuple[str, bytes, str | None]]:
        rows = self.db.execute(
            "SELECT a.url, a.signature, a.duplicate_of FROM (SELECT b.url, COUNT(*) AS shared FROM article_bands b "
            "JOIN unnest(%s::bigint[]) WITH ORDINALITY AS k(hash, n) ON b.band = k.n - 1 AND b.hash = k.hash "
            "GROUP BY b.url) AS m JOIN articles a ON a.url = m.url ORDER BY m.shared DESC, a.processed_at, a.url "
            "LIMIT %s", (list(bands), limit)).fetchall()
        return [(url, bytes(signature), duplicate_of) for url, signature, duplicate_of in rows]

    def add_article(self, article: Article, fingerprint: Fingerprint, duplicate_of: str | None, seen_at: str) -> bool:
        # A conflict is a worker that committed the same article a moment ago: this one was already processed.
        added = self.db.execute(
            "INSERT INTO articles VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (url) DO NOTHING "
            "RETURNING url", (article.url, article.entry_id, article.outlet, article.title,
                              article.published.isoformat(), article.language, fingerprint.signature, duplicate_of,
                              seen_at)).fetchone() is not None
        if added:
            self.db.execute("INSERT INTO article_bands SELECT n - 1, hash, %s FROM unnest(%s::bigint[]) "
                             "WITH ORDINALITY AS k(hash, n)", (article.url, list(fingerprint.bands)))
        return added

    def add_alert(self, alert_id: str, created_at: str, body: str, sinks: Sequence[str]) -> bool:
        if self.db.execute("INSERT INTO alerts (id, created_at, body) VALUES (%s, %s, %s) ON CONFLICT (id) "
                            "DO NOTHING RETURNING id", (alert_id, created_at, body)).fetchone() is None:
            return False
        self.db.execute("INSERT INTO outbox (alert_id, sink) SELECT %s, unnest(%s::text[]) ON CONFLICT DO NOTHING",
                         (alert_id, list(sinks)))
        return True

    def entry_processed(self, article: Article, seen_at: str) -> None:
        self.db.execute(PG_REPLACE_ENTRY, (article.entry_id, article.url, article.feed, "processed", seen_at))
