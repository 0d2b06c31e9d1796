"""The work behind `guetteur extract` and `guetteur run`, apart from argument parsing."""

from __future__ import annotations

import logging
import threading
import zlib
from pathlib import Path
from typing import Any

from prometheus_client import start_http_server

from connectors.http import FetchError, HttpClient
from pipeline.config import HttpSettings, Settings
from pipeline.errors import GuetteurError
from pipeline.extraction import ExtractionFailure
from pipeline.extraction_worker import BoundedExtractor
from connectors.sinks import build_sinks
from pipeline.ingest import Events, Ingestion
from pipeline.render import render_line
from pipeline.store import open_store
from pipeline.topic_rules import load_topics
from pipeline.language import detect_language
from pipeline.metrics import Metrics
from pipeline.records import Article, Drop

log = logging.getLogger("guetteur")


def _read_source(source: str, allow_private: bool) -> tuple[bytes, str]:
    if source.startswith(("http://", "https://")):
        client = HttpClient(HttpSettings(allow_private_networks=allow_private))
        try:
            response = client.get(source)
        except FetchError as exc:
            raise GuetteurError(str(exc)) from None
        if not response.ok:
            raise GuetteurError(f"{source}: HTTP {response.status}")
        return response.body, response.url
    path = Path(source)
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise GuetteurError(f"{source}: cannot read: {exc.strerror or exc}") from None
    if body[:2] == b"\x1f\x8b":  # saved pages are often gzipped; bounded like the HTTP client's bodies
        try:
            body = zlib.decompressobj(wbits=31).decompress(body, HttpSettings().max_bytes)
        except zlib.error as exc:
            raise GuetteurError(f"{source}: bad gzip data: {exc}") from None
    return body, path.resolve().as_uri()


def extract_command(source: str, *, allow_private: bool = False) -> dict[str, Any]:
    body, url = _read_source(source, allow_private)
    with BoundedExtractor() as extractor:
        result = extractor.extract(body, url)
    if isinstance(result, ExtractionFailure):
        raise GuetteurError(f"{source}: no article: {result.reason}" + (f" ({result.detail})" if result.detail else ""))
    language = detect_language(result.title, result.text)
    return {
        "title": result.title,
        "text": result.text,
        "language": language.code,
        "published": result.published.isoformat() if result.published else None,
        "outlet": result.outlet,
    }


def serve_metrics(metrics: Metrics, port: int) -> None:
    """Serve /metrics on the port (0 disables); a port in use is a clear error, not a traceback."""
    if not port:
        return
    try:
        start_http_server(port, registry=metrics.registry)
    except OSError as exc:
        raise GuetteurError(f"metrics port {port}: {exc.strerror or exc}") from None
    log.info("metrics on http://127.0.0.1:%d/metrics", port)


def _log_article(article: Article) -> None:
    log.info("kept %s [%s] %s (%s)", article.language, article.source, article.title[:90], article.outlet)


def _log_drop(drop: Drop) -> None:
    log.info("dropped at %s: %s %s %s", drop.stage, drop.reason, drop.key[:100], drop.detail[:100])


def build_ingestion(settings: Settings, extractor: BoundedExtractor, metrics: Metrics, events: Events) -> Ingestion:
    topics = load_topics(settings.topics)
    store = open_store(settings.store.location)
    return Ingestion(settings, HttpClient(settings.http), extractor, metrics, store, topics,
                     sinks=build_sinks(settings.sinks), events=events)


def _log_alert(alert: dict[str, Any]) -> None:
    log.info("ALERT %s", render_line(alert))


def run_command(settings: Settings, stop: threading.Event, *, once: bool, deliver_timeout: float = 30.0) -> int:
    if not settings.feeds:
        raise GuetteurError("the config lists no [[feeds]]: nothing to monitor")
    metrics = Metrics()
    serve_metrics(metrics, settings.metrics.port)
    with BoundedExtractor() as extractor:
        ingestion = build_ingestion(settings, extractor, metrics,
                                    Events(on_article=_log_article, on_drop=_log_drop, on_alert=_log_alert))
        try:
            if once:
                pending = ingestion.run_once(deliver_timeout)
                if pending:
                    log.warning("%d alert deliveries wait in the outbox for the next run", pending)
            else:
                ingestion.run(stop)
        finally:
            ingestion.store.close()
    return 0
