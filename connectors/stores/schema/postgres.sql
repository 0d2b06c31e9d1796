-- guetteur's store on PostgreSQL: every statement is idempotent (IF NOT EXISTS), run at start.
-- SQLite's schema in PostgreSQL's types. Times stay ISO text, as in SQLite: an article's publication keeps the
-- offset it was published with ("+02:00"), which a timestamptz would turn into UTC. Two columns more: the worker
-- that took a pending entry, and the lease on an outbox row.
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feed_states (name TEXT PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    entry_id TEXT PRIMARY KEY, url TEXT NOT NULL, feed TEXT NOT NULL, outcome TEXT NOT NULL, seen_at TEXT NOT NULL,
    payload TEXT, claimed_by INTEGER
);
CREATE INDEX IF NOT EXISTS entries_pending ON entries(outcome) WHERE outcome = 'pending';
CREATE INDEX IF NOT EXISTS entries_url ON entries(url);
CREATE TABLE IF NOT EXISTS articles (
    url TEXT PRIMARY KEY, entry_id TEXT, outlet TEXT, title TEXT, published TEXT, language TEXT,
    signature BYTEA NOT NULL, duplicate_of TEXT, processed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS article_bands (band INTEGER NOT NULL, hash BIGINT NOT NULL, url TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS article_bands_key ON article_bands(band, hash);
CREATE TABLE IF NOT EXISTS claims (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, article_url TEXT NOT NULL, topic TEXT NOT NULL,
    predicate TEXT NOT NULL, low DOUBLE PRECISION, high DOUBLE PRECISION, unit TEXT, attributed_to TEXT,
    hedged BOOLEAN NOT NULL, place TEXT, act TEXT, event_date TEXT, quantitative BOOLEAN NOT NULL,
    evidence TEXT NOT NULL, judgement TEXT NOT NULL, alert_id TEXT, seen_at TEXT NOT NULL,
    confidence DOUBLE PRECISION NOT NULL DEFAULT 1
);
-- Version 2: a store of version 1 gains the confidence of its claims (all read with full confidence then).
ALTER TABLE claims ADD COLUMN IF NOT EXISTS confidence DOUBLE PRECISION NOT NULL DEFAULT 1;
CREATE INDEX IF NOT EXISTS claims_topic_predicate ON claims(topic, predicate);
-- Covers the figure reads of judging (connectors/stores/ledger.py, _FIGURES), which never read doubtful claims.
-- (Version 1's claims_figures indexed them too; after the version 2 column below it covered no read.)
DROP INDEX IF EXISTS claims_figures;
CREATE INDEX IF NOT EXISTS claims_figures_sure ON claims(topic, predicate, unit, low, high, attributed_to, id, judgement)
    WHERE judgement <> 'doubtful';
-- The doubtful claims that a second outlet's report may promote.
CREATE INDEX IF NOT EXISTS claims_doubtful ON claims(topic, predicate) WHERE judgement = 'doubtful';
CREATE INDEX IF NOT EXISTS claims_article ON claims(article_url);
CREATE TABLE IF NOT EXISTS alerts (
    seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE, id TEXT PRIMARY KEY, created_at TEXT NOT NULL, body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, alert_id TEXT NOT NULL REFERENCES alerts(id),
    sink TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt DOUBLE PRECISION NOT NULL DEFAULT 0, last_error TEXT, delivered_at TEXT,
    lease_owner INTEGER, lease_until DOUBLE PRECISION NOT NULL DEFAULT 0, UNIQUE (alert_id, sink)
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(sink, state, seq);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox(state, seq);
CREATE TABLE IF NOT EXISTS disabled_sinks (sink TEXT PRIMARY KEY, since TEXT NOT NULL, reason TEXT NOT NULL);
