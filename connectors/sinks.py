"""Where alerts go: the JSONL file and the console (webhooks are delivered by connectors.webhook)."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from pathlib import Path
from collections.abc import Sequence
from typing import Protocol, TextIO

from pipeline.config import ConsoleSink, JsonlSink, WebhookSink
from pipeline.render import render_line


log = logging.getLogger(__name__)


class SinkError(Exception):
    """A delivery that failed; the alert stays in the outbox."""


class Sink(Protocol):
    key: str

    def send(self, alert_id: str, body: str) -> None: ...


def sink_key(sink: JsonlSink | WebhookSink | ConsoleSink) -> str:
    """The sink's name in the outbox: stable across restarts as long as the config names the same target."""
    if isinstance(sink, JsonlSink):
        return f"jsonl:{sink.path}"
    if isinstance(sink, WebhookSink):
        return f"webhook:{sink.url}"
    return "console"


class JsonlWriter:
    """Appends one alert per line; each line is flushed and fsynced before the outbox marks it delivered."""

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

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    def send(self, alert_id: str, body: str) -> None:
        stream = self._stream or sys.stdout
        alert = json.loads(body)
        stream.write(f"ALERT {render_line(alert)}\n      « {alert['evidence']} »\n")
        stream.flush()


def build_sinks(configured: Sequence[JsonlSink | WebhookSink | ConsoleSink]) -> tuple[Sink, ...]:
    """The writers for the configured sinks that this version delivers to."""
    sinks: list[Sink] = []
    for sink in configured:
        if isinstance(sink, JsonlSink):
            sinks.append(JsonlWriter(sink))
        elif isinstance(sink, ConsoleSink):
            sinks.append(ConsoleWriter())
        else:
            # Their alerts are still written to the outbox under this sink's key, and wait there.
            log.warning("sink %s: webhook delivery is not available in this version; its alerts wait in the outbox",
                        sink_key(sink))
    return tuple(sinks)
