from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connectors.feeds.parse import canonical_url, parse_feed

NOW = datetime(2025, 10, 28, 12, 0, tzinfo=UTC)


def rss(items: str, extra: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Le Quotidien</title>'
            f"<link>https://quotidien.example/</link>{extra}{items}</channel></rss>").encode()


def parse(body: bytes, **kw: object):
    return parse_feed(body, feed_name="q", feed_url="https://quotidien.example/rss", outlet=None, now=NOW, **kw)


def test_canonical_url_strips_trackers_fragment_and_default_port() -> None:
    assert canonical_url("HTTPS://Www.Example.FR:443/a/b.html?utm_source=rss&id=3&xtor=RSS-1#top") == (
        "https://www.example.fr/a/b.html?id=3")
    assert canonical_url("/monde/x.html", "https://example.fr/rss") == "https://example.fr/monde/x.html"
    assert canonical_url("http://example.fr:8080") == "http://example.fr:8080/"
    assert canonical_url("javascript:alert(1)") == ""
    assert canonical_url("file:///etc/passwd") == ""


def test_entries_are_normalised() -> None:
    body = rss(
        "<item><title>Un &lt;b&gt;titre&lt;/b&gt;</title><link>https://quotidien.example/a.html?utm_medium=x</link>"
        "<guid isPermaLink='false'>12345</guid><pubDate>Tue, 28 Oct 2025 11:47:00 +0100</pubDate>"
        "<description>&lt;p&gt;Le résumé &amp;amp; la suite&lt;/p&gt;</description></item>"
        "<item><title>Sans guid</title><link>https://quotidien.example/b.html#comments</link>"
        "<pubDate>Tue, 28 Oct 2025 09:00:00 GMT</pubDate></item>"
    )
    result = parse(body)
    assert result.reason is None and not result.drops
    first, second = result.entries
    assert first.entry_id == "q:12345"  # a bare guid is only unique within its feed
    assert first.url == "https://quotidien.example/a.html"
    assert first.published == datetime(2025, 10, 28, 10, 47, tzinfo=UTC)
    assert first.outlet == "Le Quotidien" and first.summary == "Le résumé & la suite"
    assert second.entry_id == second.url == "https://quotidien.example/b.html"


def test_an_entry_with_neither_guid_nor_link_gets_a_content_hash() -> None:
    body = rss("<item><title>Brève</title><description>Un texte sans lien.</description></item>")
    (entry,) = parse(body).entries
    assert entry.entry_id.startswith("q:sha256:") and entry.url == ""
    assert parse(body).entries[0].entry_id == entry.entry_id  # stable


def test_missing_and_absurd_dates_use_the_poll_time_and_say_so() -> None:
    body = rss(
        "<item><title>a</title><link>https://q.example/a</link></item>"
        "<item><title>b</title><link>https://q.example/b</link><pubDate>Thu, 01 Jan 1970 00:00:00 GMT</pubDate></item>"
        "<item><title>c</title><link>https://q.example/c</link><pubDate>Sat, 01 Jan 2999 00:00:00 GMT</pubDate></item>"
    )
    qualities = {e.url[-1]: (e.date_quality, e.published) for e in parse(body).entries}
    assert qualities == {"a": ("missing", NOW), "b": ("absurd", NOW), "c": ("absurd", NOW)}


def test_max_age_skips_old_items_as_a_named_drop() -> None:
    body = rss("<item><title>old</title><link>https://q.example/old</link>"
               "<pubDate>Mon, 01 Sep 2025 00:00:00 GMT</pubDate></item>")
    result = parse(body, max_age=timedelta(days=7))
    assert not result.entries and [d.reason for d in result.drops] == ["too_old"]


def test_unusable_bodies_end_as_named_reasons() -> None:
    assert parse(b"").reason == "empty_body"
    assert parse(b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>cf</body></html>"
                 ).reason == "not_a_feed"
    assert parse(b"\x00\x01\x02binary\x00lock").reason == "binary"
    assert parse(b"<rss><channel><title>x</ti").reason in ("malformed", "no_entries")
    broken_item = parse(b"<rss><channel><item><title></ti")
    assert not broken_item.entries and [d.reason for d in broken_item.drops] == ["empty_entry"]
    assert parse(rss("")).reason == "no_entries"


def test_a_salvageable_bozo_feed_is_read() -> None:
    body = rss("<item><title>caf\xe9</title><link>https://q.example/a</link></item>").replace(
        b"utf-8", b"us-ascii").replace("café".encode(), "caf\xe9".encode("latin-1"))
    result = parse(body)
    assert len(result.entries) == 1
