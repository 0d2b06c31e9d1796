from __future__ import annotations

from pipeline.config import defaults as settings
from pipeline.domain.records import FeedState
from pipeline.ingest.schedule import after_failure, after_gone, after_success, backoff, due, validators

T0 = 1_750_000_000.0


def state() -> FeedState:
    return FeedState(name="f", url="https://a.example/rss")


def test_backoff_doubles_and_is_capped_at_one_day() -> None:
    delays = [backoff(n, 300) for n in range(1, 14)]
    assert delays[0] == 300  # never sooner than the feed's own interval
    assert delays == sorted(delays)
    assert delays[-1] == settings.BACKOFF_CAP == 86400
    s = state()
    for _ in range(30):
        s = after_failure(s, T0, 300, "http_503")
    assert s.failures == 30 and s.next_poll == T0 + 86400  # still scheduled: never abandoned
    assert s.last_error == "http_503"


def test_retry_after_is_honoured_but_bounded() -> None:
    s = after_failure(state(), T0, 60, "http_429", retry_after=3600)
    assert s.next_poll == T0 + 3600
    s = after_failure(state(), T0, 60, "http_429", retry_after=10 * 86400)
    assert s.next_poll == T0 + 86400
    s = after_failure(state(), T0, 60, "http_429", retry_after=0)
    assert s.next_poll >= T0 + settings.MIN_INTERVAL


def test_success_resets_failures_and_keeps_validators() -> None:
    s = after_failure(state(), T0, 300, "connect_timeout")
    s = after_success(s, T0 + 10, 300, etag='"v1"', last_modified="Wed, 21 Oct 2025 07:28:00 GMT", full_fetch=True)
    assert s.failures == 0 and s.next_poll == T0 + 310 and s.etag == '"v1"'
    assert validators(s, T0 + 400, full_fetch_every=6 * 3600) == ('"v1"', "Wed, 21 Oct 2025 07:28:00 GMT")
    # Some servers keep stale validators: a full fetch is forced every few hours.
    assert validators(s, T0 + 10 + 6 * 3600, full_fetch_every=6 * 3600) == (None, None)
    s2 = after_success(s, T0 + 500, 300, etag=None, last_modified=None, full_fetch=False)
    assert s2.etag == '"v1"' and s2.last_full_fetch == T0 + 10


def test_a_301_is_recorded_only_after_repeated_sightings() -> None:
    moved = [(301, "https://b.example/rss")]
    s = state()
    for poll in range(settings.PERMANENT_REDIRECT_CONFIRMATIONS - 1):
        s = after_success(s, T0 + poll, 60, etag=None, last_modified=None, full_fetch=True, redirects=moved)
        assert s.url == "https://a.example/rss"
    s = after_success(s, T0 + 9, 60, etag=None, last_modified=None, full_fetch=True, redirects=moved)
    assert s.url == "https://b.example/rss"


def test_an_interrupted_301_streak_starts_over_and_302_never_moves() -> None:
    s = state()
    s = after_success(s, T0, 60, etag=None, last_modified=None, full_fetch=True, redirects=[(301, "https://b/")])
    s = after_success(s, T0, 60, etag=None, last_modified=None, full_fetch=True, redirects=[])
    assert s.redirect_seen == 0
    for _ in range(5):
        s = after_success(s, T0, 60, etag=None, last_modified=None, full_fetch=True, redirects=[(302, "https://c/")])
    assert s.url == "https://a.example/rss"


def test_gone_feeds_are_not_due() -> None:
    gone = after_gone(state(), T0)
    live = FeedState(name="g", url="https://g/", next_poll=T0 - 1)
    later = FeedState(name="h", url="https://h/", next_poll=T0 + 100)
    assert gone.gone and [s.name for s in due([gone, live, later], T0)] == ["g"]
