"""Where alerts go: the JSONL file, the console and webhooks (connectors.sinks.webhook), behind one small protocol."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, TextIO
from urllib.parse import urlsplit

from pipeline.config.schema import ConsoleSink, HttpSettings, JsonlSink, WebhookSink
from pipeline.judging.render import render_line

log = logging.getLogger(__name__)

# The closed set of a delivery attempt's results: the `result` label of guetteur_delivery_attempts_total.
RESULTS = (
    "delivered",
    "throttled",  # 429 or 503: the receiver asked for time (Retry-After honoured)
    "gone",  # 410: the endpoint is disabled until a person enables it again
    "redirect",  # 3xx: never followed, a failure
    "rejected",  # another 4xx
    "server_error",  # another 5xx, or any other status
    "timeout",  # no answer within the sink's timeout
    "network_error",  # refused, reset, DNS, TLS
    "refused",  # the address guard (or the URL itself) forbids the request: no connection was made
    "error",  # a local sink failed (disk full, closed stream)
)


class SinkError(Exception):
    """A delivery that failed; the alert stays in the outbox.

    `result` is one of RESULTS; `retry_after` is the receiver's Retry-After in seconds; `gone` disables the sink.
    """

    def __init__(self, message: str, *, result: str = "error", retry_after: float | None = None,
                 gone: bool = False) -> None:
        if result not in RESULTS or result == "delivered":
            raise ValueError(f"unknown failure result {result!r}")
        super().__init__(message)
        self.result = result
        self.retry_after = retry_after
        self.gone = gone


class Sink(Protocol):
    key: str  # the sink's name in the outbox
    kind: str  # jsonl, console or webhook: the only label metrics give a sink (a URL may hold a token)
    # Seconds before each retry (the first attempt is immediate); None: retried for ever, never a dead letter.
    retry_schedule: tuple[float, ...] | None

    def send(self, alert_id: str, body: str) -> None: ...


def sink_key(sink: JsonlSink | WebhookSink | ConsoleSink) -> str:
    """The sink's name in the outbox: stable across restarts as long as the config names the same target.

    A webhook is named by its host and a digest of its URL: chat webhooks carry their token in the path, and
    the key is printed in logs and by `guetteur alerts`.
    """
    if isinstance(sink, JsonlSink):
        return f"jsonl:{sink.path}"
    if isinstance(sink, WebhookSink):
        digest = hashlib.sha256(sink.url.encode("utf-8")).hexdigest()[:8]
        return f"webhook:{urlsplit(sink.url).hostname}#{digest}"
    return "console"


class JsonlWriter:
    """Appends one alert per line; each line is flushed and fsynced before the outbox marks it delivered."""

    kind = "jsonl"
    # A full disk is for the operator to fix: the alerts wait, they are never dropped.
    retry_schedule: tuple[float, ...] | None = None

    def __init__(self, sink: JsonlSink) -> None:
        self.key = sink_key(sink)
        self.path = Path(sink.path)
        self._lock = threading.Lock()

    def send(self, alert_id: str, body: str) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, self.path.open("a", encoding="utf-8") as out:
                out.write(body.replace("\n", " ") + "\n")
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            raise SinkError(f"{self.path}: {exc.strerror or exc}") from None


class ConsoleWriter:
    """Prints each alert for a person: one readable French line and the evidence."""

    key = "console"
    kind = "console"
    retry_schedule: tuple[float, ...] | None = None

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    def send(self, alert_id: str, body: str) -> None:
        stream = self._stream or sys.stdout
        alert = json.loads(body)
        try:
            stream.write(f"ALERT {render_line(alert)}\n      « {alert['evidence']} »\n")
            stream.flush()
        except (OSError, ValueError) as exc:  # a closed pipe, a closed stream
            raise SinkError(f"console: {exc}") from None


def build_sink(sink: JsonlSink | WebhookSink | ConsoleSink, http: HttpSettings | None = None) -> Sink:
    """The writer of one configured sink; webhooks use `http` for the address guard and the User-Agent."""
    if isinstance(sink, JsonlSink):
        return JsonlWriter(sink)
    if isinstance(sink, ConsoleSink):
        return ConsoleWriter()
    from connectors.sinks.webhook import WebhookSender  # the HTTP client is only loaded where a webhook is configured

    return WebhookSender(sink, http or HttpSettings())


def build_sinks(configured: Sequence[JsonlSink | WebhookSink | ConsoleSink],
                http: HttpSettings | None = None) -> tuple[Sink, ...]:
    """The writers of the configured sinks, in the config's order; a sink named twice is delivered to once."""
    unique: dict[str, JsonlSink | WebhookSink | ConsoleSink] = {}
    for sink in configured:
        unique.setdefault(sink_key(sink), sink)  # two workers on one outbox key would send each alert twice
    if len(unique) < len(configured):
        log.warning("the config names the same sink more than once; each gets every alert once")
    return tuple(build_sink(sink, http) for sink in unique.values())
