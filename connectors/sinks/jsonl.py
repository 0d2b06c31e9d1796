"""The JSONL sink: one alert per line of a file, fsynced before the outbox marks it delivered."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from pipeline.config.schema import JsonlSink
from pipeline.ports.sink import SinkError


class JsonlWriter:
    """Appends one alert per line; each line is flushed and fsynced before the outbox marks it delivered."""

    kind = "jsonl"
    # A full disk is for the operator to fix: the alerts wait, they are never dropped.
    retry_schedule: tuple[float, ...] | None = None

    def __init__(self, sink: JsonlSink) -> None:
        self.key = sink.key
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
