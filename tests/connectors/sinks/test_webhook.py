"""The webhook sink: Standard Webhooks headers checked by `standardwebhooks` itself, statuses, timeout, guard."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from connectors.http.client import HttpClient
from connectors.sinks.webhook import WebhookSender, signed_headers
from pipeline.config.schema import HttpSettings, WebhookSink
from pipeline.domain.alert import Alert
from pipeline.judging.render import render_text
from pipeline.ports.sink import SinkError
from tests.webhooks import OTHER_SECRET, SECRET, Arrival, Receiver

BODY = json.dumps({"id": "a1", "kind": "new_claim", "topic": "russie-coree-du-nord", "predicate": "troops_killed",
                   "evidence": "Des soldats tués",
                   "figure": {"low": 600, "high": 600, "unit": "soldiers"}, "attributed_to": "Séoul",
                   "hedged": False, "previous": [], "created_at": "2025-09-03T12:00:04+00:00",
                   "article": {"url": "https://news.example/1", "outlet": "Agence", "title": "Titre",
                               "published": "2025-09-03T12:00:00+02:00", "language": "fr"}}, ensure_ascii=False)


def webhook(url: str, **options: Any) -> WebhookSink:
    return WebhookSink(type="webhook", url=url, secret=options.pop("secret", SECRET), **options)


def sender(url: str, *, allow_private: bool = True, **options: Any) -> WebhookSender:
    return WebhookSender(webhook(url, **options), HttpSettings(allow_private_networks=allow_private))


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


def failure(call: Any) -> SinkError:
    with pytest.raises(SinkError) as caught:
        call()
    return caught.value


def test_signed_headers_verify_and_a_body_changed_by_one_byte_does_not() -> None:
    headers = signed_headers([SECRET], "a1", BODY)
    assert headers["webhook-id"] == "a1"
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 2
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(SECRET).verify(BODY.encode("utf-8"), headers) == json.loads(BODY)
    raw = bytearray(BODY.encode("utf-8"))
    raw[10] ^= 0x01
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(bytes(raw), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(BODY.encode("utf-8"), {**headers, "webhook-id": "a2"})
    with pytest.raises(WebhookVerificationError):
        Webhook(OTHER_SECRET).verify(BODY.encode("utf-8"), headers)


def test_a_rotated_secret_gives_two_signatures_each_verifiable() -> None:
    headers = signed_headers([OTHER_SECRET, SECRET], "a1", BODY)
    assert [part[:3] for part in headers["webhook-signature"].split(" ")] == ["v1,", "v1,"]
    for secret in (SECRET, OTHER_SECRET):
        Webhook(secret).verify(BODY.encode("utf-8"), headers)


def test_the_timestamp_is_utc_whatever_the_time_zone_of_now() -> None:
    paris = datetime.now(timezone(timedelta(hours=2)))
    headers = signed_headers([SECRET], "a1", BODY, now=paris)
    assert int(headers["webhook-timestamp"]) == int(paris.timestamp())
    Webhook(SECRET).verify(BODY.encode("utf-8"), headers)


def test_the_alert_arrives_signed_byte_for_byte_with_its_id(receiver: Receiver) -> None:
    hook = sender(receiver.url, previous_secret=OTHER_SECRET)
    hook.send("a1", BODY)
    hook.send("a1", BODY)  # a retry: same id, same bytes, its own timestamp
    first, second = receiver.snapshot()
    for arrival in (first, second):
        assert arrival.verified and arrival.webhook_id == "a1" and arrival.body == BODY.encode("utf-8")
        assert len(arrival.signature.split(" ")) == 2
    Webhook(OTHER_SECRET).verify(first.body, {"webhook-id": first.webhook_id, "webhook-timestamp": first.timestamp,
                                              "webhook-signature": first.signature})


def test_the_text_format_carries_the_french_rendering_for_chat_webhooks(receiver: Receiver) -> None:
    sender(receiver.url, format="text").send("a1", BODY)
    (arrival,) = receiver.snapshot()
    assert arrival.verified and arrival.webhook_id == "a1"
    assert arrival.json() == {"text": render_text(Alert.loads(BODY))}
    assert "600 soldats" in arrival.json()["text"] and "https://news.example/1" in arrival.json()["text"]


@pytest.mark.parametrize(("status", "headers", "result", "retry_after"), [
    (503, {"retry-after": "7"}, "throttled", 7.0),
    (429, {"retry-after": "2"}, "throttled", 2.0),
    (503, {}, "throttled", None),
    (410, {}, "gone", None),
    (400, {}, "rejected", None),
    (500, {}, "server_error", None),
])
def test_statuses_become_failures_that_say_what_to_do(status: int, headers: dict[str, str], result: str,
                                                       retry_after: float | None) -> None:
    with Receiver(answer=lambda arrival, count: (status, headers)) as receiver:
        error = failure(lambda: sender(receiver.url).send("a1", BODY))
    assert (error.result, error.retry_after, error.gone) == (result, retry_after, status == 410)
    assert str(status) in str(error)


def test_a_redirect_is_not_followed_and_is_a_failure() -> None:
    def answer(arrival: Arrival, count: int) -> tuple[int, dict[str, str]]:
        return (307, {"location": "/elsewhere"}) if arrival.path == "/hook" else (200, {})

    with Receiver(answer=answer) as receiver:
        error = failure(lambda: sender(receiver.url).send("a1", BODY))
        assert [a.path for a in receiver.snapshot()] == ["/hook"]
    assert error.result == "redirect"


def test_a_hanging_receiver_is_cut_at_the_timeout() -> None:
    with Receiver(answer=lambda arrival, count: None) as receiver:
        started = time.monotonic()
        error = failure(lambda: sender(receiver.url, timeout="0.5s").send("a1", BODY))
        took = time.monotonic() - started
    assert error.result == "timeout"
    assert 0.4 < took < 3, took


def test_a_url_on_loopback_is_refused_unless_private_networks_are_allowed(receiver: Receiver) -> None:
    error = failure(lambda: sender(receiver.url, allow_private=False).send("a1", BODY))
    assert error.result == "refused" and "127.0.0.1" in str(error)
    # A public-looking name that resolves to loopback is refused too, after resolution.
    port = int(receiver.url.split(":")[2].split("/")[0])
    client = HttpClient(HttpSettings(), resolver=lambda host, p: ["127.0.0.1"])
    named = WebhookSender(webhook(f"http://hooks.example.org:{port}/hook"), HttpSettings(), client=client)
    assert failure(lambda: named.send("a1", BODY)).result == "refused"
    assert receiver.snapshot() == []
    sender(receiver.url, allow_private=True).send("a1", BODY)
    assert len(receiver.snapshot()) == 1


def test_a_closed_port_is_a_network_error() -> None:
    with Receiver() as receiver:
        url = receiver.url
    assert failure(lambda: sender(url).send("a1", BODY)).result == "network_error"


def test_the_sink_key_names_the_host_but_not_the_token_in_the_path() -> None:
    key = webhook("https://hooks.slack.example/services/T000/B000/s3cr3tt0k3n").key
    assert key.startswith("webhook:hooks.slack.example#") and "s3cr3t" not in key
    assert key != webhook("https://hooks.slack.example/services/T000/B000/other").key
    assert key == webhook("https://hooks.slack.example/services/T000/B000/s3cr3tt0k3n").key
