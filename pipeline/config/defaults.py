"""Every default of guetteur in one place, each with the reason for its value."""

# --- store
STORE_PATH = "guetteur.db"  # the embedded SQLite default of CONTRACT.md
STORE_CONNECT_TIMEOUT = 10  # whole seconds (libpq's unit) to reach a PostgreSQL store: an error at start, not a hang
# Seconds a worker sharing a PostgreSQL store holds the outbox rows it took, before another worker may send them.
# Longer than the longest send (a webhook's timeout is at most 5 minutes), so that only a worker hung past it, or cut
# off from the database, loses its rows; it is renewed while the worker records outcomes, and a worker whose
# connection closes (it exited or died) frees its rows at once.
OUTBOX_LEASE = 360.0
HELD_RECHECK = 1.0  # seconds: how soon a deliverer looks again at rows another worker holds, which it may free any time

# --- HTTP client (connectors.http.client)
USER_AGENT = "guetteur/0.1 (+https://example.org/bot)"  # outlets block anonymous crawlers; say who we are
CONNECT_TIMEOUT = 10.0  # seconds; a host that does not accept in 10 s is down for our purposes
READ_TIMEOUT = 20.0  # seconds between two bytes; a stalled server is cut here
FETCH_DEADLINE = 60.0  # seconds for a whole fetch, redirects included: the bound a dripping body meets
MAX_BYTES = 10 * 1024 * 1024  # 10 MB, counted after decompression: no article page is that big
MAX_REDIRECTS = 5  # browsers allow 20; news sites need at most 2 or 3, the rest is a loop or a trap
FULL_FETCH_EVERY = 6 * 3600.0  # seconds: some servers keep answering 304 with stale validators
MAX_IN_FLIGHT = 16  # requests in flight overall
MAX_PER_HOST = 2  # requests in flight per host: be polite to each outlet
HTTP_MAX_IDLE = 16  # kept-alive connections across all hosts: a few per outlet being crawled
HTTP_IDLE_SECONDS = 30.0  # servers drop idle connections after 5 to 75 s; older ones are not worth a failed send

# --- feeds (pipeline.ingest.schedule)
FEED_INTERVAL = 300.0  # seconds between polls of a feed when the config does not say
MIN_INTERVAL = 1.0  # seconds: the floor of any delay (a Retry-After of 0 must not become a busy loop)
BACKOFF_BASE = 60.0  # seconds after the first failure, then doubled
BACKOFF_CAP = 86400.0  # one day: a failing feed is retried daily, never abandoned
PERMANENT_REDIRECT_CONFIRMATIONS = 3  # a 301 seen this many times in a row is recorded as the feed's new URL
FUTURE_DATE_TOLERANCE = 86400.0  # seconds; an entry dated further ahead than this has an absurd date
OLDEST_PLAUSIBLE_YEAR = 1995  # no French outlet ran an RSS feed before this

# --- extraction (pipeline.ingest.extraction)
EXTRACT_TIMEOUT = 20.0  # seconds per page in the extraction worker; trafilatura has no timeout of its own
EXTRACT_MAX_HTML = 5 * 1024 * 1024  # bytes of HTML handed to trafilatura; bigger pages are cut, not parsed whole
MIN_TEXT_CHARS = 200  # shorter extracted text is not an article (a paywall stub, a video page)
EXTRACT_MAX_ELEMENTS = 60_000  # a news page has 1-5k elements; 60k is a generated trap or a whole archive
FURNITURE_MAX_SHARE = 0.25  # a furniture block (a menu, a "Les plus lus") holds less than this share of the text
EXTRACT_CHILD_MEMORY = 1536 * 1024 * 1024  # bytes of address space for the extraction child: lxml on a trap page
# The child's memory grows with the pages it has parsed (85 MB to 231 MB in five minutes of 200 feeds), so it is
# replaced, as web servers recycle their workers, after this many pages or once its resident memory passes the
# bound below. A fresh child costs about a second, once per thousand pages.
EXTRACT_CHILD_MAX_PAGES = 1000
EXTRACT_CHILD_MAX_RSS = 300 * 1024 * 1024  # bytes

# --- language (pipeline.ingest.language)
LANGUAGE_SAMPLE_CHARS = 3000  # langdetect is stable well before this; more only costs time
LANGUAGE_MIN_CHARS = 40  # below this langdetect guesses; the article is dropped as undetermined
LANGUAGE_MIN_PROBABILITY = 0.70  # a weaker top language is undetermined

# --- the source (pipeline.runtime.graph)
# Seconds the source sleeps between looks at the schedule: the bound on reacting to a stop, and the cost of idling
# (each look is a bundle through Prism): 200 feeds due hourly cost 4.7% of a core at 1 s, 2.8% at 2 s.
SOURCE_MAX_SLEEP = 2.0
DEMO_POLL_INTERVAL = "2s"  # the demo's fixtures change every few seconds; real feeds are polled every few minutes

# --- novelty and syndication (pipeline.judging)
TOLERANCE = 0.10  # [novelty] tolerance: figures within 10% of one seen before are the same figure
# An alert lists the latest earlier figures, not all of them: a story followed for months gathers dozens, and an
# alert carrying every one grows with each (a soak's 500th alert weighed 115 kB). Judging still uses every figure.
PREVIOUS_SHOWN = 10
DUPLICATE_JACCARD = 0.8  # estimated Jaccard at or above which two texts are copies of one story (syndication)
DUPLICATE_CANDIDATES = 20  # stored articles compared with a new one to find the story it copies
# [novelty] min_confidence: a claim read with less confidence is doubtful: recorded, never alerting, making nothing
# known, until another outlet reports it too. Only readings that guess twice fall under it (see below).
MIN_CONFIDENCE = 0.5

# --- how sure the claim reader is of a reading (pipeline.claims.extractor)
CONFIDENCE_PARSED = 0.95  # the parse attaches the counted noun to the cue, or a qualitative cue has its actors
CONFIDENCE_CLAUSE = 0.8  # a cue in the figure's clause, found by word order
CONFIDENCE_CARRIED = 0.7  # a bare figure counting the noun of the sentence before ("Parmi eux, 4 000 ...")
CONFIDENCE_DEFAULT = 0.6  # no cue at all: the unit's default predicate ("10 000 soldats nord-coréens à Koursk")
CONFIDENCE_MENTION = 0.8  # a claim without a figure
CONFIDENCE_INFERRED = 0.75  # a qualitative claim whose actor is a pronoun or a trip's destination
CONFIDENCE_ACTOR_BEFORE = 0.8  # factor when the story's actor is named only in the sentence before

# --- metrics
METRICS_PORT = 9108

# --- delivery (pipeline.judging.delivery, connectors.sinks.webhook)
WEBHOOK_TIMEOUT = 15.0  # seconds for a whole webhook request: a receiver should answer at once and work later
# Seconds before each retry; the first attempt is immediate. Standard Webhooks' (and Svix's) schedule: 8 attempts
# over about 27.5 hours, enough to outlast a receiver's bad night without keeping alerts forever.
WEBHOOK_RETRY_SCHEDULE = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)
RETRY_JITTER = 0.2  # each delay is drawn in ±20% of its value, so that receivers back from an outage are not stormed
RETRY_AFTER_CAP = 86400.0  # seconds: a Retry-After longer than a day is read as a day
LOCAL_RETRY_CAP = 60.0  # seconds: a file or console sink that fails (disk full) is retried at least every minute
WEBHOOK_MAX_RESPONSE = 1024 * 1024  # bytes of a receiver's answer read (its body is never used); more is a failure
DELIVERY_POLL = 0.25  # seconds between two looks at a sink's outbox when it is empty: the delivery latency
DELIVERY_BATCH = 100  # outbox rows read at once for one sink
DELIVERY_IDLE_RECHECK = 1.0  # seconds: the longest a sink's worker sleeps, so `alerts retry` is seen quickly
DELIVERY_STOP_GRACE = 3.0  # seconds a stopping monitor keeps delivering what is due before it exits
