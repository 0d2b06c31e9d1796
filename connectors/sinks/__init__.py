"""Where alerts go: the JSONL file, the console and Standard Webhooks, each built from its configured sink."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from connectors.sinks.console import ConsoleWriter
from connectors.sinks.jsonl import JsonlWriter
from pipeline.config.schema import ConsoleSink, HttpSettings, JsonlSink, WebhookSink
from pipeline.ports.sink import Sink

log = logging.getLogger(__name__)


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
        unique.setdefault(sink.key, sink)  # two workers on one outbox key would send each alert twice
    if len(unique) < len(configured):
        log.warning("the config names the same sink more than once; each gets every alert once")
    return tuple(build_sink(sink, http) for sink in unique.values())
