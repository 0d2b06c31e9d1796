"""What both stores share: the schema version, and feed states and entries kept as JSON text."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from importlib import resources
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pipeline.domain.records import FeedEntry, FeedState, Judgement

SCHEMA_VERSION = 2  # 2: claims.confidence
POSTGRES_SCHEMES = ("postgresql://", "postgres://")  # a [store] url; anything else is a SQLite path


def feed_state_json(state: FeedState) -> str:
    data = asdict(state)
    if data["next_poll"] == float("inf"):
        data["next_poll"] = 1e18  # JSON has no infinity; a gone feed is never due anyway
    return json.dumps(data)


def feed_state_from_json(text: str) -> FeedState:
    return FeedState(**json.loads(text))


def entry_json(entry: FeedEntry) -> str:
    data = asdict(entry)
    data["published"] = entry.published.isoformat()
    return json.dumps(data, ensure_ascii=False)


def entry_from_json(text: str) -> FeedEntry:
    data = json.loads(text)
    data["published"] = datetime.fromisoformat(data["published"])
    return FeedEntry(**data)


def redacted(location: str) -> str:
    """The store's location fit for a log line or an error: a URL without its password (in the netloc or query)."""
    if not location.startswith(POSTGRES_SCHEMES):
        return location
    parts = urlsplit(location)
    netloc = parts.netloc
    if parts.password is not None:
        userinfo, _, hostport = netloc.rpartition("@")
        netloc = f"{userinfo.partition(':')[0]}@{hostport}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "password"])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def claim_values(article_url: str, judgement: Judgement, alert_id: str | None, seen_at: str) -> tuple[object, ...]:
    """A claims row in the column order both schemas share, from article_url to confidence."""
    c = judgement.claim
    return (article_url, c.topic, c.predicate, c.figure.low if c.figure else None,
            c.figure.high if c.figure else None, c.figure.unit if c.figure else None, c.attributed_to,
            c.hedged, c.place, c.act, c.event_date, c.quantitative, c.evidence, judgement.kind, alert_id, seen_at,
            c.confidence)


def schema(dialect: str) -> str:
    """The schema of one store ("sqlite" or "postgres"), shipped as SQL beside this module."""
    return resources.files("connectors.stores").joinpath("schema", f"{dialect}.sql").read_text(encoding="utf-8")
