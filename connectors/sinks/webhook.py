"""The webhook sink: Standard Webhooks requests, signed with `standardwebhooks`, through the one HTTP client."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook

from connectors.http.client import FetchError, HttpClient
from connectors.http.limits import Limiter
from pipeline.config import defaults as settings
from pipeline.config.schema import HttpSettings, WebhookSink
from pipeline.domain.alert import Alert
from pipeline.judging.render import render_text
from pipeline.ports.sink import SinkError

# FetchError reasons, by the attempt result they stand for (see pipeline.ports.sink.RESULTS).
_TIMEOUTS = frozenset({"connect_timeout", "read_timeout", "deadline"})
_REFUSALS = frozenset({"blocked_address", "bad_url", "bad_scheme"})


def sign(secrets: list[str], alert_id: str, timestamp: datetime, body: str) -> str:
    """The webhook-signature header: one `v1,<base64>` per secret, separated by spaces (rotation sends two).

    `timestamp` must be an aware UTC datetime: the library replaces the time zone rather than converting.
    """
    return " ".join(Webhook(secret).sign(alert_id, timestamp, body) for secret in secrets)


def signed_headers(secrets: list[str], alert_id: str, body: str, now: datetime | None = None) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt: the id is the alert's, the timestamp is the attempt's."""
    now = now or datetime.now(UTC)
    stamp = datetime.fromtimestamp(math.floor(now.timestamp()), UTC)
    return {
        "content-type": "application/json",
        "webhook-id": alert_id,
        "webhook-timestamp": str(int(stamp.timestamp())),
        "webhook-signature": sign(secrets, alert_id, stamp, body),
    }


def webhook_http(sink: WebhookSink, http: HttpSettings) -> HttpSettings:
    """The HTTP settings of a webhook: the config's guard and User-Agent, every bound within the sink's timeout."""
    timeout = sink.timeout
    return http.model_copy(update={
        "connect_timeout": min(http.connect_timeout, timeout),
        "read_timeout": min(http.read_timeout, timeout),
        "deadline": timeout,
    })


class WebhookSender:
    """POSTs each alert to one URL, signed; any answer but 2xx is a SinkError that says what to do next.

    The body is the stored alert JSON, byte for byte on every retry (or, with `format = "text"`, a JSON object
    whose `text` is the French rendering, for chat webhooks). A request is cut at the sink's timeout; redirects
    are never followed; the address guard of the HTTP client applies.
    """

    kind = "webhook"

    def __init__(self, sink: WebhookSink, http: HttpSettings, *, client: HttpClient | None = None) -> None:
        self.key = sink.key
        self.url = sink.url
        self.format = sink.format
        self.retry_schedule: tuple[float, ...] | None = tuple(d.total_seconds() for d in sink.retry_schedule)
        self._secrets = [sink.secret] + ([sink.previous_secret] if sink.previous_secret else [])
        # A client of its own, with one slot: a hanging receiver holds no slot of the feeds' politeness limiter.
        self._client = client or HttpClient(webhook_http(sink, http), limiter=Limiter(1, 1))

    def payload(self, body: str) -> str:
        if self.format == "text":
            return json.dumps({"text": render_text(Alert.loads(body))}, ensure_ascii=False)
        return body

    def send(self, alert_id: str, body: str) -> None:
        payload = self.payload(body)
        headers = signed_headers(self._secrets, alert_id, payload)
        try:
            response = self._client.request("POST", self.url, headers=headers, body=payload.encode("utf-8"),
                                            follow_redirects=False, max_bytes=settings.WEBHOOK_MAX_RESPONSE)
        except FetchError as exc:
            # Neither the URL nor its path goes into the message: a chat webhook's token is in its path.
            message = f"{exc.reason}: {exc.detail}"
            if exc.reason in _TIMEOUTS:
                raise SinkError(message, result="timeout") from None
            raise SinkError(message, result="refused" if exc.reason in _REFUSALS else "network_error") from None
        status = response.status
        if 200 <= status < 300:
            return
        if status == 410:
            raise SinkError("HTTP 410 Gone: the receiver removed this endpoint", result="gone", gone=True)
        if status in (429, 503):
            wait = response.retry_after(datetime.now(UTC))
            raise SinkError(f"HTTP {status}" + (f", Retry-After {wait:g} s" if wait is not None else ""),
                            result="throttled", retry_after=wait)
        if 300 <= status < 400:
            raise SinkError(f"HTTP {status}: redirects are not followed", result="redirect")
        raise SinkError(f"HTTP {status}", result="rejected" if 400 <= status < 500 else "server_error")

    def close(self) -> None:
        self._client.close()
