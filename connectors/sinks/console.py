"""The console sink: each alert as a readable French line and its evidence, for a person watching."""

from __future__ import annotations

import sys
from typing import TextIO

from pipeline.domain.alert import Alert
from pipeline.judging.render import render_line
from pipeline.ports.sink import SinkError


class ConsoleWriter:
    """Prints each alert for a person: one readable French line and the evidence."""

    key = "console"
    kind = "console"
    retry_schedule: tuple[float, ...] | None = None

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    def send(self, alert_id: str, body: str) -> None:
        stream = self._stream or sys.stdout
        alert = Alert.loads(body)
        try:
            stream.write(f"ALERT {render_line(alert)}\n      « {alert.evidence} »\n")
            stream.flush()
        except (OSError, ValueError) as exc:  # a closed pipe, a closed stream
            raise SinkError(f"console: {exc}") from None
