"""The work behind `guetteur extract` and `guetteur run`, apart from argument parsing."""

from __future__ import annotations

import logging
import zlib
from pathlib import Path
from typing import Any

from connectors.http.client import FetchError, HttpClient
from connectors.ops.metrics_server import serve, stalled_after
from connectors.sinks import build_sinks
from connectors.stores import open_store
from pipeline.claims.analyst import warm_up
from pipeline.config.defaults import DELIVERY_STOP_GRACE
from pipeline.config.schema import HttpSettings, Settings
from pipeline.domain.errors import GuetteurError
from pipeline.ingest.extraction import ExtractionFailure
from pipeline.ingest.extraction_worker import BoundedExtractor
from pipeline.ingest.language import detect_language
from pipeline.judging.delivery import Deliverer
from pipeline.ports.metrics import Metrics
from pipeline.runtime.process import process_metrics
from pipeline.runtime.runner import run_pipeline
from pipeline.topics.matching import load_topics

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


def serve_metrics(metrics: Metrics, port: int, *, stall_after: float) -> None:
    """Serve /metrics and /healthz on the port (0 disables); a port in use is a clear error, not a traceback."""
    if not port:
        return
    healthy = stalled_after(lambda: metrics.last_look, stall_after)
    try:
        serve(metrics.registry, port, healthy)
    except OSError as exc:
        raise GuetteurError(f"metrics port {port}: {exc.strerror or exc}") from None
    log.info("metrics on http://127.0.0.1:%d/metrics, health on /healthz", port)


def stall_limit(settings: Settings) -> float:
    """Polling has stalled when the source has not looked at its feeds for three times its longest nap."""
    return max(60.0, 3 * max((f.interval.total_seconds() for f in settings.feeds), default=60.0))


def run_command(settings: Settings, *, once: bool, deliver_timeout: float = 30.0) -> int:
    """The monitor: the Beam graph, plus the outbox deliverer beside it (never inside a bundle)."""
    if not settings.feeds:
        raise GuetteurError("the config lists no [[feeds]]: nothing to monitor")
    load_topics(settings.topics)  # a bad [[topics]] table is a config error before anything starts
    metrics = process_metrics()
    serve_metrics(metrics, settings.metrics.port, stall_after=stall_limit(settings))
    store = open_store(settings.store.location)
    # Delivery starts first: what a previous run left in the outbox goes out while spaCy and Beam start.
    deliverer = Deliverer(store, build_sinks(settings.sinks, settings.http), metrics)
    deliverer.start()
    try:
        # The DoFns run in this process (LOOPBACK) and share spaCy's model with it: load it before the first article.
        warm_up()
        run_pipeline(settings, once=once)
    except BaseException:
        deliverer.stop()
        store.close()
        raise
    # --once retries for up to --deliver-timeout; a stopping monitor only sends what is due at once.
    deliverer.drain(deliver_timeout if once else DELIVERY_STOP_GRACE)
    deliverer.stop()
    pending = store.outbox_size()
    if pending:
        log.warning("%d alert deliveries wait in the outbox for the next run", pending)
    store.close()
    return 0
