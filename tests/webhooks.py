"""Test helpers for delivery: a loopback Standard Webhooks receiver, and a store filled with synthetic alerts."""

from __future__ import annotations

import json
import random
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from pipeline.domain.records import Article, Claim, Figure
from pipeline.ingest.fingerprint import fingerprint
from pipeline.ports.store import Store

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER_SECRET = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="  # base64 of the alphabet: 26 bytes


@dataclass(frozen=True)
class Arrival:
    """One request as the receiver saw it."""

    path: str
    webhook_id: str | None
    timestamp: str | None
    signature: str | None
    body: bytes
    verified: bool  # standardwebhooks' own verification, with the receiver's secret
    # time.time() when its body was read: the deliverer schedules retries by the wall clock (they outlive a restart),
    # and on a machine whose wall clock is slewed (one here ran 0.5% fast) the monotonic one disagrees by milliseconds.
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A sender killed in the middle of a request resets its connection: that is the test, not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


# An answer: a status, and headers; or None to hang until the receiver is closed.
Answer = tuple[int, dict[str, str]] | None


class Receiver:
    """A loopback webhook receiver that verifies every request with `standardwebhooks` and records it.

    `answer(arrival, count)` decides each response, `count` being how many times that webhook-id has arrived
    (this one included); by default every request gets 200.
    """

    def __init__(self, secret: str = SECRET, answer: Callable[[Arrival, int], Answer] | None = None,
                 delay: float = 0.0) -> None:
        self.secret = secret
        self.answer = answer or (lambda arrival, count: (200, {}))
        self.delay = delay
        self.arrivals: list[Arrival] = []
        self._counts: dict[str | None, int] = defaultdict(int)
        self._lock = threading.Lock()
        self._released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                if len(body) < length:
                    # The sender died in the middle of its body: a real server drops such a request unanswered,
                    # it never reaches the application.
                    raise ConnectionResetError(f"body cut at {len(body)} of {length} bytes")
                arrival = receiver._record(self.path, dict(self.headers.items()), body)
                with receiver._lock:
                    count = receiver._counts[arrival.webhook_id]
                answer = receiver.answer(arrival, count)
                if answer is None:
                    receiver._released.wait(60)
                    return
                if receiver.delay:
                    time.sleep(receiver.delay)
                status, headers = answer
                self.send_response(status)
                for name, value in {"content-length": "0", **headers}.items():
                    self.send_header(name, value)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def _record(self, path: str, headers: dict[str, str], body: bytes) -> Arrival:
        lowered = {k.lower(): v for k, v in headers.items()}
        try:
            Webhook(self.secret).verify(body, lowered, json_parse=False)
            verified = True
        except WebhookVerificationError:
            verified = False
        arrival = Arrival(path, lowered.get("webhook-id"), lowered.get("webhook-timestamp"),
                          lowered.get("webhook-signature"), body, verified, time.time())
        with self._lock:
            self.arrivals.append(arrival)
            self._counts[arrival.webhook_id] += 1
        return arrival

    def snapshot(self) -> list[Arrival]:
        with self._lock:
            return list(self.arrivals)

    def received_ids(self) -> set[str | None]:
        with self._lock:
            return {a.webhook_id for a in self.arrivals}

    def wait_for(self, condition: Callable[[list[Arrival]], bool], timeout: float) -> list[Arrival]:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            arrivals = self.snapshot()
            if condition(arrivals):
                return arrivals
            time.sleep(0.02)
        raise AssertionError(f"the receiver's condition did not hold within {timeout} s "
                             f"({len(self.snapshot())} arrivals)")

    def close(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Receiver:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


NOW = datetime(2025, 9, 3, 10, 0, tzinfo=UTC)
_WORDS = [f"mot{k}" for k in range(3000)]


def fill(store: Store, count: int, sinks: Sequence[str], *, start: int = 0, seed: int = 7) -> list[str]:
    """Commit `count` synthetic articles of one new claim each (a topic of their own): one alert each, in order.

    Returns the alert ids in creation order. The texts are distinct random words, so no article is taken for a
    syndicated copy of another.
    """
    rng = random.Random(seed + start)
    ids = []
    for i in range(start, start + count):
        text = f"Dépêche numéro {i}. " + " ".join(rng.choice(_WORDS) for _ in range(60))
        article = Article(url=f"https://news.example/{i}", outlet="Agence test", title=f"Dépêche {i}", text=text,
                          published=NOW + timedelta(seconds=i), language="fr", entry_id=f"entry-{i}", feed="f")
        claim = Claim(f"topic-{i}", "troops_killed", f"Environ {100 + i} soldats nord-coréens ont été tués.",
                      quantitative=True, figure=Figure(100 + i, 100 + i, "soldiers"), attributed_to="Séoul",
                      label="soldats nord-coréens tués")  # what the claim reader takes from the topic file
        committed = store.commit_article(article, fingerprint(text), [claim], sinks=list(sinks), tolerance=0.1,
                                         now=NOW + timedelta(seconds=i))
        ids += [alert.id for alert in committed.alerts]
    return ids
