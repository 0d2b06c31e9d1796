"""RSS and Atom: feedparser on fetched bytes, entries normalised into FeedEntry records or named drops."""

from __future__ import annotations

import calendar
import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
import lxml.html
from lxml.etree import ParserError

from pipeline.config import defaults as settings
from pipeline.domain.records import Drop, FeedEntry

STAGE = "feed"

# Query parameters that only track the reader: AT Internet's xtor is on most French outlets' feed links.
_TRACKING_PARAMS = frozenset(
    {"xtor", "at_medium", "at_campaign", "at_platform", "at_send_date", "fbclid", "gclid", "mc_cid", "mc_eid",
     "ns_campaign", "ns_mchannel", "ns_source", "ns_linkname", "ocid", "cmpid", "_ga", "dclid", "igshid"}
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class FeedParse:
    """What one fetched feed body turned into: entries, per-entry drops, and a reason when it yielded nothing."""

    entries: tuple[FeedEntry, ...]
    drops: tuple[Drop, ...]
    title: str
    reason: str | None = None  # set when the feed as a whole is unusable: "not_a_feed", "malformed", ...
    salvaged: bool = False  # feedparser flagged the feed (bozo) but entries could still be read
    detail: str = ""


def canonical_url(link: str, base: str = "") -> str:
    """An absolute http(s) URL without fragment, tracking parameters or default port; '' when not http(s)."""
    absolute = urljoin(base, link.strip()) if base else link.strip()
    parts = urlsplit(absolute)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return ""
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        return ""
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith("utm_") and k.lower() not in _TRACKING_PARAMS]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query, doseq=True), ""))


def _text(fragment: str) -> str:
    """Plain text of an HTML fragment (feed summaries often carry markup and entities)."""
    if not fragment or not fragment.strip():
        return ""
    try:
        text = lxml.html.fromstring(fragment).text_content()
    except (ParserError, ValueError):
        text = fragment
    return _SPACES.sub(" ", text).strip()


def _published(entry: Mapping[str, Any], now: datetime) -> tuple[datetime, str]:
    """The entry's time in UTC and its quality: feeds omit dates or carry 1970 and year-3000 ones."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = dict.get(entry, key)  # type: ignore[call-overload]  # plain lookup: no deprecated key mapping
        if parsed:
            try:
                when = datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
            except (OverflowError, ValueError, OSError):
                return now, "absurd"
            if when.year < settings.OLDEST_PLAUSIBLE_YEAR or when > now + timedelta(
                seconds=settings.FUTURE_DATE_TOLERANCE
            ):
                return now, "absurd"
            return when, "ok"
    return now, "missing"


def _entry_id(entry: Mapping[str, Any], url: str, feed_name: str, title: str, summary: str) -> str:
    guid = str(entry.get("id") or "").strip()
    if guid:
        # A URL guid is global; a bare one ("12345") is only unique within its feed.
        return guid if guid.startswith(("http://", "https://")) else f"{feed_name}:{guid}"
    if url:
        return url
    digest = hashlib.sha256(f"{title}\n{summary}".encode()).hexdigest()[:32]
    return f"{feed_name}:sha256:{digest}"


def _looks_binary(body: bytes) -> bool:
    """NUL bytes that are not UTF-16 or UTF-32 text (which feedparser decodes itself)."""
    head = body[:512]
    if b"\x00" not in head:
        return False
    utf_starts = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\x00<", b"<\x00", b"\x00\x00\x00<", b"<\x00\x00\x00")
    return not head.startswith(utf_starts)


def _feed_reason(parsed: Any, body: bytes) -> tuple[str, str]:
    """Why a feed with no entries yielded nothing, as a named reason and a one-line detail."""
    exc = parsed.get("bozo_exception")
    head = body[:2048].lstrip().lower()
    if not body.strip():
        return "empty_body", "the server sent no content"
    if parsed.get("version"):
        return "no_entries", f"a {parsed.get('version')} feed with no entries"
    if _looks_binary(body):
        return "binary", "the body is binary data, not XML"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "not_a_feed", "an HTML page, not a feed (a homepage or a bot challenge)"
    if parsed.get("bozo"):
        return "malformed", f"not well-formed XML: {exc}"
    return "not_a_feed", "no RSS or Atom structure found"


def parse_feed(
    body: bytes,
    *,
    feed_name: str,
    feed_url: str,
    outlet: str | None,
    now: datetime,
    headers: Mapping[str, str] | None = None,
    max_age: timedelta | None = None,
) -> FeedParse:
    """Parse a fetched feed body. Never raises on bad input: what cannot be read comes back as a reason."""
    # Bytes only: given a URL or a path, feedparser would fetch it itself, with no timeout and no cap.
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers=dict(headers or {}),
        sanitize_html=True,
        resolve_relative_uris=True,
    )
    title = _text(str(parsed.feed.get("title", "")))
    outlet_name = outlet or title or feed_name
    base = str(parsed.feed.get("link") or feed_url)
    entries: list[FeedEntry] = []
    drops: list[Drop] = []
    for entry in parsed.entries:
        item = _normalise(entry, feed_name=feed_name, base=base, outlet=outlet_name, now=now)
        if isinstance(item, Drop):
            drops.append(item)
        elif max_age is not None and item.date_quality == "ok" and item.published < now - max_age:
            drops.append(Drop(STAGE, "too_old", item.entry_id, item.published.isoformat()))
        else:
            entries.append(item)
    if not parsed.entries:
        reason, detail = _feed_reason(parsed, body)
        return FeedParse((), tuple(drops), title, reason=reason, detail=detail)
    return FeedParse(tuple(entries), tuple(drops), title, salvaged=bool(parsed.get("bozo")))


def _normalise(entry: Mapping[str, Any], *, feed_name: str, base: str, outlet: str, now: datetime
               ) -> FeedEntry | Drop:
    title = _text(str(entry.get("title", "")))
    summary = _text(str(entry.get("summary", "")))
    link = str(entry.get("link") or "")
    if not link:
        # RSS without <link> sometimes has a permalink guid.
        guid = str(entry.get("id") or "")
        link = guid if guid.startswith(("http://", "https://")) else ""
    url = canonical_url(link, base) if link else ""
    entry_id = _entry_id(entry, url, feed_name, title, summary)
    if link and not url:
        return Drop(STAGE, "bad_link", entry_id, link[:200])
    if not title and not summary:
        return Drop(STAGE, "empty_entry", entry_id, url)
    # An entry without a link stays: its summary is all there is to read (the fetch stage falls back on it).
    published, quality = _published(entry, now)
    return FeedEntry(entry_id=entry_id, url=url, feed=feed_name, outlet=outlet, title=title, summary=summary,
                     published=published, date_quality=quality)
