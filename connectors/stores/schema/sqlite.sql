-- guetteur's store on SQLite: every statement is idempotent (IF NOT EXISTS), run at start.
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feed_states (name TEXT PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    entry_id TEXT PRIMARY KEY, url TEXT NOT NULL, feed TEXT NOT NULL, outcome TEXT NOT NULL, seen_at TEXT NOT NULL,
    payload TEXT
);
CREATE INDEX IF NOT EXISTS entries_pending ON entries(outcome) WHERE outcome = 'pending';
CREATE INDEX IF NOT EXISTS entries_url ON entries(url);
CREATE TABLE IF NOT EXISTS articles (
    url TEXT PRIMARY KEY, entry_id TEXT, outlet TEXT, title TEXT, published TEXT, language TEXT,
    signature BLOB NOT NULL, duplicate_of TEXT, processed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS article_bands (band INTEGER NOT NULL, hash INTEGER NOT NULL, url TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS article_bands_key ON article_bands(band, hash);
CREATE TABLE IF NOT EXISTS claims (
    id INTEGER PRIMARY KEY, article_url TEXT NOT NULL, topic TEXT NOT NULL, predicate TEXT NOT NULL,
    low REAL, high REAL, unit TEXT, attributed_to TEXT, hedged INTEGER NOT NULL, place TEXT, act TEXT,
    event_date TEXT, quantitative INTEGER NOT NULL, evidence TEXT NOT NULL, judgement TEXT NOT NULL,
    alert_id TEXT, seen_at TEXT NOT NULL, confidence REAL NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS claims_topic_predicate ON claims(topic, predicate);
-- Covers the figure reads of judging, which never read doubtful claims: their GROUP BY walks the index, the table is
-- read once per distinct figure. (Version 1's claims_figures indexed the doubtful ones too, and covered no read.)
DROP INDEX IF EXISTS claims_figures;
CREATE INDEX IF NOT EXISTS claims_figures_sure ON claims(topic, predicate, unit, low, high, attributed_to, judgement)
    WHERE judgement <> 'doubtful';
-- The doubtful claims that a second outlet's report may promote.
CREATE INDEX IF NOT EXISTS claims_doubtful ON claims(topic, predicate) WHERE judgement = 'doubtful';
CREATE INDEX IF NOT EXISTS claims_article ON claims(article_url);
CREATE TABLE IF NOT EXISTS alerts (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, alert_id TEXT NOT NULL REFERENCES alerts(id), sink TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, next_attempt REAL NOT NULL DEFAULT 0,
    last_error TEXT, delivered_at TEXT, UNIQUE (alert_id, sink)
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(sink, state, seq);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox(state, seq);
CREATE TABLE IF NOT EXISTS disabled_sinks (sink TEXT PRIMARY KEY, since TEXT NOT NULL, reason TEXT NOT NULL);
