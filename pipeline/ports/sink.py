"""The sink port: where an alert is sent, and how a failed attempt says what to do next."""

from __future__ import annotations

from typing import Protocol

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
