from __future__ import annotations

import functools
import gc
import gzip
import ipaddress
import json
import socket
import ssl
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.http.addresses import AddressPolicy
from connectors.http.client import FETCH_ERROR_REASONS, FetchError, HttpClient, HttpResponse
from pipeline.config.schema import HttpSettings

MB = 1024 * 1024
PUBLIC_STAND_IN = ipaddress.ip_network("127.0.0.2/32")  # allow-listed: plays a public address in these tests


# --- a loopback HTTP server on raw sockets, so tests control every byte and every pause


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes


# Answers one request on the socket; returns True to keep the connection open for another.
Handler = Callable[[socket.socket, Request], bool | None]


@dataclass
class Server:
    """Serves `handler` on host:0, one thread per connection, and records every connection and request."""

    handler: Handler
    host: str = "127.0.0.1"
    port: int = 0
    tls: ssl.SSLContext | None = None
    on_connect: Callable[[socket.socket], None] | None = None  # replaces the HTTP exchange when given
    requests: list[Request] = field(default_factory=list)
    peers: list[tuple[str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        self._listener = socket.create_server((self.host, self.port), family=family)
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str = "/", host: str | None = None, scheme: str = "http") -> str:
        host = host or (f"[{self.host}]" if ":" in self.host else self.host)
        return f"{scheme}://{host}:{self.port}{path}"

    def connections(self) -> int:
        """Connections accepted so far, counted once all those already queued have been accepted."""
        with socket.create_connection((self.host, self.port)) as probe:
            me = probe.getsockname()[:2]
            waited = time.monotonic() + 5
            while me not in self.peers:
                assert time.monotonic() < waited, "the probe connection was never accepted"
                time.sleep(0.005)
        return self.peers.index(me)  # the backlog is accepted in order: every earlier one came first

    def close(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, peer = self._listener.accept()
            except OSError:
                return
            self.peers.append(peer[:2])
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            if self.on_connect is not None:
                self.on_connect(conn)
                return
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            reader = conn.makefile("rb")
            while (request := _read_request(reader)) is not None:
                self.requests.append(request)
                if not self.handler(conn, request):
                    break
        except (OSError, ssl.SSLError):
            pass  # the client left: cut at its cap or deadline, or refused our certificate
        finally:
            conn.close()


def _read_request(reader: Any) -> Request | None:
    line = reader.readline()
    if not line.strip():
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while (line := reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = reader.read(int(headers.get("content-length", "0")))
    return Request(method, path, headers, body)


def respond(conn: socket.socket, status: int = 200, headers: dict[str, str] | None = None, body: bytes = b"") -> bool:
    headers = dict(headers or {})
    if "Transfer-Encoding" not in headers:
        headers.setdefault("Content-Length", str(len(body)))
    head = f"HTTP/1.1 {status} Whatever\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    conn.sendall(head.encode("latin-1") + body)
    return False


def chunked(parts: list[bytes]) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts if p) + b"0\r\n\r\n"


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(handler: Handler, **kwargs: Any) -> Server:
        servers.append(Server(handler, **kwargs))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def counting(serve: Callable[..., Server]) -> Server:
    """A listener on 127.0.0.1 that answers anything: a refused fetch must never reach it."""
    return serve(lambda conn, request: respond(conn, 200, body=b"reached"))


def settings(**overrides: Any) -> HttpSettings:
    values: dict[str, Any] = {
        "allow_private_networks": True,
        "connect_timeout": "2s",
        "read_timeout": "5s",
        "deadline": "10s",
    }
    return HttpSettings(**(values | overrides))


def resolver_for(names: dict[str, list[str]], calls: list[str] | None = None) -> Callable[[str, int], list[str]]:
    def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        if host not in names:
            raise OSError(f"{host}: Name or service not known")
        return names[host]

    return resolve


def public_client(names: dict[str, list[str]], **overrides: Any) -> HttpClient:
    """A client that refuses loopback, except 127.0.0.2, which the resolver serves as public names."""
    policy = AddressPolicy(allowed_networks=(PUBLIC_STAND_IN,))
    return HttpClient(settings(allow_private_networks=False, **overrides), policy=policy, resolver=resolver_for(names))


def fetch_error(call: Callable[[], object]) -> FetchError:
    with pytest.raises(FetchError) as caught:
        call()
    assert caught.value.reason in FETCH_ERROR_REASONS
    return caught.value


# --- the address guard


def test_refused_addresses_never_get_a_connection(counting: Server) -> None:
    port = counting.port
    try:  # a listener on ::1 with the same port, where the IPv6 spellings would land
        v6 = Server(counting.handler, host="::1", port=port)
    except OSError:
        v6 = None
    client = HttpClient(settings(allow_private_networks=False))
    refused = [
        f"http://127.0.0.1:{port}/",
        f"http://[::1]:{port}/",
        f"http://169.254.169.254:{port}/latest/meta-data/",
        f"http://10.0.0.1:{port}/",
        f"http://100.64.0.1:{port}/",
        f"http://[::ffff:127.0.0.1]:{port}/",
        f"http://[::ffff:7f00:1]:{port}/",
        f"http://2130706433:{port}/",
        f"http://0x7f000001:{port}/",
        f"http://0177.0.0.1:{port}/",
        f"http://127.1:{port}/",
        f"http://localhost:{port}/",
    ]
    for url in refused:
        error = fetch_error(functools.partial(client.get, url))
        assert error.reason == "blocked_address", url
    assert fetch_error(lambda: client.get("file:///etc/passwd")).reason == "bad_scheme"
    assert counting.connections() == 0
    if v6 is not None:
        assert v6.connections() == 0
        v6.close()


def test_error_messages_name_the_address_and_why() -> None:
    client = HttpClient(settings(allow_private_networks=False))
    error = fetch_error(lambda: client.get("http://2130706433:8080/x"))
    assert str(error) == "blocked_address: http://2130706433:8080/x: 2130706433 is 127.0.0.1, which is loopback"
    error = fetch_error(lambda: client.get("http://localhost:8080/x"))
    assert error.detail.startswith("localhost resolves to ") and error.detail.endswith(", which is loopback")


def test_a_public_url_redirecting_to_loopback_is_refused_before_connecting(
    serve: Callable[..., Server], counting: Server
) -> None:
    public = serve(
        lambda conn, req: respond(conn, 302, {"Location": f"http://127.0.0.1:{counting.port}/admin"}), host="127.0.0.2"
    )
    client = public_client({"news.example": ["127.0.0.2"]})
    error = fetch_error(lambda: client.get(public.url("/", host="news.example")))
    assert error.reason == "blocked_address"
    assert error.url == f"http://127.0.0.1:{counting.port}/admin"
    assert public.requests[0].headers["host"] == f"news.example:{public.port}"
    assert counting.connections() == 0


def test_a_name_resolving_to_public_and_private_addresses_is_refused(
    serve: Callable[..., Server], counting: Server
) -> None:
    public = serve(lambda conn, req: respond(conn, 200, body=b"public"), host="127.0.0.2", port=counting.port)
    client = public_client({"mixed.example": ["127.0.0.2", "127.0.0.1"]})
    error = fetch_error(lambda: client.get(f"http://mixed.example:{counting.port}/"))
    assert error.reason == "blocked_address" and "127.0.0.1, which is loopback" in error.detail
    assert public.connections() == 0 and counting.connections() == 0


def test_the_checked_address_is_the_one_connected_to(serve: Callable[..., Server], counting: Server) -> None:
    # A rebinding resolver answers the allowed address once, then loopback: only one answer may ever count.
    public = serve(lambda conn, req: respond(conn, 200, body=b"public"), host="127.0.0.2", port=counting.port)
    answers = iter([["127.0.0.2"]] + [["127.0.0.1"]] * 10)
    calls: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return next(answers)

    client = HttpClient(
        settings(allow_private_networks=False),
        policy=AddressPolicy(allowed_networks=(PUBLIC_STAND_IN,)),
        resolver=rebinding,
    )
    response = client.get(f"http://rebind.example:{counting.port}/")
    assert response.body == b"public" and calls == ["rebind.example"]
    assert public.requests[0].headers["host"] == f"rebind.example:{counting.port}"
    assert counting.connections() == 0


def test_allow_private_networks_lets_loopback_through(serve: Callable[..., Server]) -> None:
    server = serve(lambda conn, req: respond(conn, 200, {"Content-Type": "text/html"}, b"<p>local</p>"))
    response = HttpClient(settings(allow_private_networks=True)).get(server.url("/page"))
    assert response.ok and response.body == b"<p>local</p>" and response.headers["content-type"] == "text/html"
    assert response.url == server.url("/page") and response.redirects == ()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.org/file", "bad_scheme"),
        ("data:text/html,<p>hi</p>", "bad_scheme"),
        ("file:///etc/passwd", "bad_scheme"),
        ("//example.org/no-scheme", "bad_scheme"),
        ("http://user:secret@example.org/", "bad_url"),
        ("http:///no-host", "bad_url"),
        ("http://example.org:99999/", "bad_url"),
        ("http://exa mple.org/", "bad_url"),
        ("http://%31%32%37.0.0.1/", "bad_url"),
    ],
)
def test_urls_that_cannot_be_fetched(url: str, reason: str) -> None:
    assert fetch_error(lambda: HttpClient(settings()).get(url)).reason == reason


def test_unresolvable_hosts_are_dns_errors() -> None:
    client = HttpClient(settings(), resolver=resolver_for({"empty.example": []}))
    assert fetch_error(lambda: client.get("http://nowhere.example/")).reason == "dns_error"
    assert fetch_error(lambda: client.get("http://empty.example/")).reason == "dns_error"


def test_a_closed_port_is_a_connect_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    assert fetch_error(lambda: HttpClient(settings()).get(f"http://127.0.0.1:{port}/")).reason == "connect_error"


# --- bodies: decoding, framing and the byte cap


def test_the_user_agent_and_accepted_encodings_reach_the_server(serve: Callable[..., Server]) -> None:
    server = serve(lambda conn, req: respond(conn, 200, body=b"ok"))
    HttpClient(settings(user_agent="guetteur-test/1.0 (+https://example.org/bot)")).get(server.url())
    (request,) = server.requests
    assert request.headers["user-agent"] == "guetteur-test/1.0 (+https://example.org/bot)"
    assert request.headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, which some servers send
        ("identity", lambda data: data),
        ("gzip", lambda data: gzip.compress(data[:500]) + gzip.compress(data[500:])),  # two gzip members
    ],
)
def test_encoded_bodies_are_decoded(
    serve: Callable[..., Server], encoding: str, encode: Callable[[bytes], bytes]
) -> None:
    page = ("<p>Le président a déclaré…</p>" * 200).encode()
    server = serve(lambda conn, req: respond(conn, 200, {"Content-Encoding": encoding}, encode(page)))
    assert HttpClient(settings()).get(server.url()).body == page


def test_chunked_bodies_are_reassembled(serve: Callable[..., Server]) -> None:
    parts = [b"a" * 10, b"b" * 70000, b"c"]
    server = serve(lambda conn, req: respond(conn, 200, {"Transfer-Encoding": "chunked"}, chunked(parts)))
    assert HttpClient(settings()).get(server.url()).body == b"".join(parts)


def test_gzip_over_chunked_is_decoded(serve: Callable[..., Server]) -> None:
    page = b"<html>" + b"x" * 100000 + b"</html>"
    packed = gzip.compress(page)
    parts = [packed[i : i + 777] for i in range(0, len(packed), 777)]
    headers = {"Transfer-Encoding": "chunked", "Content-Encoding": "gzip"}
    server = serve(lambda conn, req: respond(conn, 200, headers, chunked(parts)))
    assert HttpClient(settings()).get(server.url()).body == page


@pytest.mark.parametrize(
    ("encoding", "body"),
    [("br", b"\x1b\x00\x00"), ("gzip, gzip", b""), ("gzip", b"\x1f\x8b\x08\x00garbage-not-deflate" * 10)],
)
def test_unsupported_or_corrupt_encodings_are_decompression_errors(
    serve: Callable[..., Server], encoding: str, body: bytes
) -> None:
    server = serve(lambda conn, req: respond(conn, 200, {"Content-Encoding": encoding}, body))
    assert fetch_error(lambda: HttpClient(settings()).get(server.url())).reason == "decompression_error"


def test_a_content_length_over_the_cap_is_refused_before_reading(serve: Callable[..., Server]) -> None:
    def promise_50mb(conn: socket.socket, req: Request) -> bool:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 52428800\r\n\r\n")
        time.sleep(3)  # never sends the body: a client that tried to read it would wait here
        return False

    server = serve(promise_50mb)
    started = time.monotonic()
    error = fetch_error(lambda: HttpClient(settings(max_bytes=10 * MB)).get(server.url()))
    assert error.reason == "too_large" and "Content-Length" in error.detail
    assert time.monotonic() - started < 1


def test_a_declared_size_without_a_body_is_not_a_refusal(serve: Callable[..., Server]) -> None:
    # 304 and HEAD answers may declare the full resource's Content-Length; no such body follows.
    def big_resource(conn: socket.socket, req: Request) -> bool:
        status = 304 if "if-none-match" in req.headers else 200
        conn.sendall(f'HTTP/1.1 {status} OK\r\nContent-Length: 52428800\r\nETag: "big"\r\n\r\n'.encode())
        return True

    server = serve(big_resource)
    client = HttpClient(settings())
    assert client.get(server.url("/feed"), etag='"big"').not_modified
    head = client.request("HEAD", server.url("/feed"))
    assert head.status == 200 and head.headers["content-length"] == "52428800" and head.body == b""


def test_the_cap_counts_decoded_bytes(serve: Callable[..., Server]) -> None:
    packed = zlib.compress(bytes(20 * MB))[2:-4]  # 20 KB of raw deflate, 20 MB once inflated
    server = serve(lambda conn, req: respond(conn, 200, {"Content-Encoding": "deflate"}, packed))
    client = HttpClient(settings())
    error = fetch_error(lambda: client.request("GET", server.url(), max_bytes=MB))
    assert error.reason == "too_large" and "decoded" in error.detail
    assert len(client.request("GET", server.url(), max_bytes=20 * MB).body) == 20 * MB


def test_a_body_just_at_the_cap_is_kept(serve: Callable[..., Server]) -> None:
    server = serve(lambda conn, req: respond(conn, 200, {"Transfer-Encoding": "chunked"}, chunked([b"x" * 1000])))
    client = HttpClient(settings())
    assert len(client.request("GET", server.url(), max_bytes=1000).body) == 1000
    assert fetch_error(lambda: client.request("GET", server.url(), max_bytes=999)).reason == "too_large"


def test_a_body_cut_short_is_a_lost_connection(serve: Callable[..., Server]) -> None:
    def truncated(conn: socket.socket, req: Request) -> bool:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 10)
        return False

    server = serve(truncated)
    assert fetch_error(lambda: HttpClient(settings()).get(server.url())).reason == "connection_lost"


def test_garbage_instead_of_http_is_a_protocol_error(serve: Callable[..., Server]) -> None:
    def garbage(conn: socket.socket, req: Request) -> bool:
        conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
        return False

    server = serve(garbage)
    assert fetch_error(lambda: HttpClient(settings()).get(server.url())).reason == "protocol_error"


# --- time: read timeout and the total deadline


def test_a_silent_server_is_a_read_timeout(serve: Callable[..., Server]) -> None:
    def stall(conn: socket.socket, req: Request) -> bool:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        time.sleep(3)
        return False

    server = serve(stall)
    started = time.monotonic()
    error = fetch_error(lambda: HttpClient(settings(read_timeout="0.5s")).get(server.url()))
    assert error.reason == "read_timeout" and time.monotonic() - started < 2


def test_headers_dripping_a_byte_at_a_time_are_cut_at_the_deadline(serve: Callable[..., Server]) -> None:
    # Every read gets a byte well within the read timeout: only the deadline can end this.
    def drip_headers(conn: socket.socket, req: Request) -> bool:
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        for _ in range(100):
            conn.sendall(b"X")
            time.sleep(0.1)
        return False

    server = serve(drip_headers)
    started = time.monotonic()
    error = fetch_error(lambda: HttpClient(settings(read_timeout="5s", deadline="1s")).get(server.url()))
    assert error.reason == "deadline" and error.detail == "not done within 1 s"
    assert time.monotonic() - started < 1.5


def test_the_deadline_spans_redirects(serve: Callable[..., Server]) -> None:
    def slow_redirect(conn: socket.socket, req: Request) -> bool:
        time.sleep(0.4)
        return respond(conn, 302, {"Location": f"/hop{int(req.path[4:] or 0) + 1}"})

    server = serve(slow_redirect)
    started = time.monotonic()
    error = fetch_error(lambda: HttpClient(settings(deadline="1s", max_redirects=10)).get(server.url("/hop0")))
    assert error.reason == "deadline" and time.monotonic() - started < 1.5
    assert len(server.requests) <= 3


def test_a_stalled_tls_handshake_is_a_connect_timeout(serve: Callable[..., Server]) -> None:
    server = serve(lambda conn, req: None, on_connect=lambda conn: time.sleep(3))
    started = time.monotonic()
    error = fetch_error(lambda: HttpClient(settings(connect_timeout="0.5s")).get(server.url(scheme="https")))
    assert error.reason == "connect_timeout" and time.monotonic() - started < 1.5


def test_a_dripping_tls_handshake_is_cut_at_the_deadline(serve: Callable[..., Server]) -> None:
    def drip_record(conn: socket.socket) -> None:
        conn.sendall(b"\x16\x03\x03\x40\x00")  # a TLS handshake record of 16 KB, then its bytes one by one
        for _ in range(100):
            conn.sendall(b"\x00")
            time.sleep(0.1)

    server = serve(lambda conn, req: None, on_connect=drip_record)
    started = time.monotonic()
    error = fetch_error(
        lambda: HttpClient(settings(connect_timeout="5s", deadline="1s")).get(server.url(scheme="https"))
    )
    assert error.reason == "deadline" and time.monotonic() - started < 1.5


# --- status codes, conditional GET, Retry-After


def test_error_statuses_are_returned_not_raised(serve: Callable[..., Server]) -> None:
    statuses = {"/gone": 410, "/slow-down": 429, "/down": 503, "/missing": 404}

    def answer(conn: socket.socket, req: Request) -> bool:
        return respond(conn, statuses[req.path], {"Retry-After": "120"}, b"no")

    server = serve(answer)
    client = HttpClient(settings())
    for path, status in statuses.items():
        response = client.get(server.url(path))
        assert response.status == status and not response.ok and response.body == b"no"
    assert client.get(server.url("/down")).retry_after(datetime.now(UTC)) == 120.0


def test_conditional_get_returns_not_modified(serve: Callable[..., Server]) -> None:
    etag, modified = '"v42"', "Tue, 28 Oct 2025 10:00:00 GMT"

    def conditional(conn: socket.socket, req: Request) -> bool:
        if req.headers.get("if-none-match") == etag or req.headers.get("if-modified-since") == modified:
            return respond(conn, 304, {"ETag": etag})
        return respond(conn, 200, {"ETag": etag, "Last-Modified": modified}, b"<rss/>")

    server = serve(conditional)
    client = HttpClient(settings())
    first = client.get(server.url("/feed"))
    assert first.ok and not first.not_modified and first.body == b"<rss/>"
    by_etag = client.get(server.url("/feed"), etag=first.headers["etag"])
    by_date = client.get(server.url("/feed"), last_modified=first.headers["last-modified"])
    assert by_etag.not_modified and by_date.not_modified and by_etag.body == b""
    assert server.requests[1].headers["if-none-match"] == etag
    assert server.requests[2].headers["if-modified-since"] == modified


def test_accept_is_sent_when_given(serve: Callable[..., Server]) -> None:
    server = serve(lambda conn, req: respond(conn, 200))
    HttpClient(settings()).get(server.url(), accept="application/rss+xml")
    assert server.requests[0].headers["accept"] == "application/rss+xml"


def _with_retry_after(value: str) -> HttpResponse:
    return HttpResponse("https://example.org/", 503, {"retry-after": value}, b"")


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
    assert _with_retry_after("120").retry_after(now) == 120.0
    assert _with_retry_after(" 0 ").retry_after(now) == 0.0
    assert _with_retry_after("Thu, 01 Jan 2026 00:02:00 GMT").retry_after(now) == 120.0
    assert _with_retry_after("Thu, 01 Jan 2026 00:02:00 GMT").retry_after(now.timestamp()) == 120.0
    assert _with_retry_after("Thu, 01 Jan 2026 00:02:00 GMT").retry_after(now.replace(tzinfo=None)) == 120.0
    assert _with_retry_after("Wed, 31 Dec 2025 23:00:00 GMT").retry_after(now) == 0.0  # already past
    assert _with_retry_after("soon").retry_after(now) is None
    assert _with_retry_after("-5").retry_after(now) is None
    assert HttpResponse("https://example.org/", 200, {}, b"").retry_after(now) is None


# --- redirects


def test_a_redirect_chain_is_followed_and_recorded(serve: Callable[..., Server]) -> None:
    hops = {"/a": (301, "/b"), "/b": (302, "c?x=1"), "/c?x=1": (307, "/d"), "/d": (308, "/final")}

    def chain(conn: socket.socket, req: Request) -> bool:
        if req.path in hops:
            status, location = hops[req.path]
            return respond(conn, status, {"Location": location})
        return respond(conn, 200, body=b"final")

    server = serve(chain)
    response = HttpClient(settings()).get(server.url("/a"))
    assert response.body == b"final" and response.url == server.url("/final")
    assert [(r.status, r.from_url, r.to_url) for r in response.redirects] == [
        (301, server.url("/a"), server.url("/b")),
        (302, server.url("/b"), server.url("/c?x=1")),
        (307, server.url("/c?x=1"), server.url("/d")),
        (308, server.url("/d"), server.url("/final")),
    ]


def test_follow_redirects_false_returns_the_redirect(serve: Callable[..., Server]) -> None:
    server = serve(lambda conn, req: respond(conn, 301, {"Location": "/elsewhere"}, b"moved"))
    response = HttpClient(settings()).request("GET", server.url("/here"), follow_redirects=False)
    assert response.status == 301 and response.headers["location"] == "/elsewhere" and response.body == b"moved"
    assert len(server.requests) == 1


def test_redirect_loops_and_long_chains_are_named(serve: Callable[..., Server]) -> None:
    def loops(conn: socket.socket, req: Request) -> bool:
        if req.path.startswith("/loop"):
            return respond(conn, 302, {"Location": "/loop-b" if req.path == "/loop-a" else "/loop-a"})
        return respond(conn, 302, {"Location": f"/chain{int(req.path[6:]) + 1}"})

    server = serve(loops)
    client = HttpClient(settings(max_redirects=3))
    loop = fetch_error(lambda: client.get(server.url("/loop-a")))
    assert loop.reason == "redirect_loop" and loop.url == server.url("/loop-a")
    chain = fetch_error(lambda: client.get(server.url("/chain0")))
    assert chain.reason == "too_many_redirects" and chain.url == server.url("/chain4")
    assert len(server.requests) == 2 + 4


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://example.org/x", "gopher://127.0.0.1:6379/_INFO"])
def test_a_redirect_to_another_scheme_is_refused(serve: Callable[..., Server], location: str) -> None:
    server = serve(lambda conn, req: respond(conn, 302, {"Location": location}))
    error = fetch_error(lambda: HttpClient(settings()).get(server.url()))
    assert error.reason == "bad_scheme" and error.url == location


def test_303_and_post_redirects_switch_to_get(serve: Callable[..., Server]) -> None:
    def answer(conn: socket.socket, req: Request) -> bool:
        if req.path == "/result":
            return respond(conn, 200, body=req.method.encode())
        status = int(req.path[1:])
        return respond(conn, status, {"Location": "/result"})

    server = serve(answer)
    client = HttpClient(settings())
    json_type = {"Content-Type": "application/json"}
    for status, method in [(303, "GET"), (301, "GET"), (302, "GET"), (307, "POST"), (308, "POST")]:
        response = client.request("POST", server.url(f"/{status}"), headers=json_type, body=b'{"a": 1}')
        assert response.body == method.encode(), status
        followed = server.requests[-1]
        assert followed.body == (b'{"a": 1}' if method == "POST" else b"")
        assert ("content-type" in followed.headers) == (method == "POST")


def test_credentials_do_not_follow_a_redirect_to_another_host(serve: Callable[..., Server]) -> None:
    other = serve(lambda conn, req: respond(conn, 200, body=b"other"), host="127.0.0.2")

    def here_or_away(conn: socket.socket, req: Request) -> bool:
        if req.path == "/landing":
            return respond(conn, 200, body=b"here")
        away = req.path == "/away"
        return respond(conn, 302, {"Location": other.url("/landing", host="b.example") if away else "/landing"})

    here = serve(here_or_away)
    client = HttpClient(settings(), resolver=resolver_for({"a.example": ["127.0.0.1"], "b.example": ["127.0.0.2"]}))
    secrets = {"Authorization": "Bearer s3cret", "Cookie": "session=1", "X-Trace": "t1"}
    assert client.request("GET", here.url("/same", host="a.example"), headers=secrets).body == b"here"
    kept = here.requests[-1].headers
    assert kept["authorization"] == "Bearer s3cret" and kept["cookie"] == "session=1"
    assert client.request("GET", here.url("/away", host="a.example"), headers=secrets).body == b"other"
    dropped = other.requests[-1].headers
    assert "authorization" not in dropped and "cookie" not in dropped and dropped["x-trace"] == "t1"


def test_headers_the_client_owns_cannot_be_overridden() -> None:
    for name in ("Host", "User-Agent", "Accept-Encoding", "Content-Length"):
        with pytest.raises(ValueError, match=name):
            HttpClient(settings()).request("GET", "http://127.0.0.1:9/", headers={name: "x"})


# --- connections


def test_connections_are_kept_alive_and_replaced_when_dropped(serve: Callable[..., Server]) -> None:
    def keep(conn: socket.socket, req: Request) -> bool:
        respond(conn, 200, body=req.path.encode())
        return req.path != "/then-close"  # closes without saying so

    server = serve(keep)
    client = HttpClient(settings())
    assert [client.get(server.url(f"/{i}")).body for i in range(3)] == [b"/0", b"/1", b"/2"]
    assert client.get(server.url("/then-close")).body == b"/then-close"
    time.sleep(0.05)  # let the FIN arrive
    assert client.get(server.url("/after")).body == b"/after"
    assert server.connections() == 2
    client.close()


def test_the_client_is_shared_by_threads(serve: Callable[..., Server]) -> None:
    def keep(conn: socket.socket, req: Request) -> bool:
        respond(conn, 200, body=req.path.encode())
        return True

    server = serve(keep)
    client = HttpClient(settings())
    results: dict[int, bytes] = {}

    def work(n: int) -> None:
        for i in range(10):
            results[n * 100 + i] = client.get(server.url(f"/{n * 100 + i}")).body

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {k: f"/{k}".encode() for k in results} and len(results) == 80


# --- TLS: connected to the checked IP, verified against the hostname


def _tls_files(tmp_path: Path, hostname: str) -> tuple[Path, Path, Path]:
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.now(UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "guetteur test CA")])

    def builder(subject: Any, public_key: Any) -> Any:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(ca_name)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1))
            .not_valid_after(now + timedelta(hours=1))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        )

    ca = (
        builder(ca_name, ca_key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        builder(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)]), key.public_key())
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    paths = tmp_path / "ca.pem", tmp_path / "leaf.pem", tmp_path / "leaf.key"
    paths[0].write_bytes(ca.public_bytes(pem))
    paths[1].write_bytes(leaf.public_bytes(pem))
    paths[2].write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return paths


def test_https_connects_to_the_checked_ip_and_verifies_the_hostname(
    serve: Callable[..., Server], tmp_path: Path
) -> None:
    ca, cert, key = _tls_files(tmp_path, "secure.example")
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    sni: list[str | None] = []
    server_tls.sni_callback = lambda sock, name, context: sni.append(name)
    server = serve(lambda conn, req: respond(conn, 200, body=b"secret page"), host="127.0.0.2", tls=server_tls)
    names = {"secure.example": ["127.0.0.2"], "impostor.example": ["127.0.0.2"]}
    policy = AddressPolicy(allowed_networks=(PUBLIC_STAND_IN,))
    client = HttpClient(
        settings(allow_private_networks=False), policy=policy, resolver=resolver_for(names), ca_file=str(ca)
    )

    response = client.get(server.url("/", host="secure.example", scheme="https"))
    assert response.body == b"secret page" and sni == ["secure.example"]
    assert server.requests[0].headers["host"] == f"secure.example:{server.port}"
    # The same server under a name its certificate does not carry, or under its bare IP: refused.
    assert (
        fetch_error(lambda: client.get(server.url("/", host="impostor.example", scheme="https"))).reason == "tls_error"
    )
    assert fetch_error(lambda: client.get(server.url("/", scheme="https"))).reason == "tls_error"
    # And with the system's CAs only, the private CA is not trusted.
    untrusting = HttpClient(settings(allow_private_networks=False), policy=policy, resolver=resolver_for(names))
    assert (
        fetch_error(lambda: untrusting.get(server.url("/", host="secure.example", scheme="https"))).reason
        == "tls_error"
    )
    assert len(server.requests) == 1


def test_https_keeps_connections_alive_and_cuts_a_dripping_body_at_the_deadline(
    serve: Callable[..., Server], tmp_path: Path
) -> None:
    ca, cert, key = _tls_files(tmp_path, "secure.example")
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)

    def answer(conn: socket.socket, req: Request) -> bool:
        if req.path != "/drip":
            respond(conn, 200, body=req.path.encode())
            return True
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nx")
        for _ in range(5):  # the next byte would come after the deadline
            time.sleep(2)
            conn.sendall(b"x")
        return False

    server = serve(answer, tls=server_tls)
    client = HttpClient(
        settings(deadline="1s"), resolver=resolver_for({"secure.example": ["127.0.0.1"]}), ca_file=str(ca)
    )
    assert [client.get(server.url(f"/{i}", host="secure.example", scheme="https")).body for i in (1, 2)] == [
        b"/1",
        b"/2",
    ]
    started = time.monotonic()
    error = fetch_error(lambda: client.get(server.url("/drip", host="secure.example", scheme="https")))
    assert error.reason == "deadline" and time.monotonic() - started < 1.5
    assert server.connections() == 1


# --- memory: each hostile body in a fresh process whose peak RSS is measured around the fetch

_CHILD = r"""
import json, re, sys, time
from connectors.http.client import FetchError, HttpClient
from pipeline.config.schema import HttpSettings

def peak() -> int:
    status = open("/proc/self/status").read()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) * 1024

url, deadline, cap = sys.argv[1], sys.argv[2], int(sys.argv[3])
client = HttpClient(HttpSettings(allow_private_networks=True, read_timeout="20s", deadline=deadline))
# Imports peak higher than where they settle: reset the high-water mark to the current RSS (Linux 4.0+).
with open("/proc/self/clear_refs", "w") as clear_refs:
    clear_refs.write("5")
before = peak()
started = time.monotonic()
try:
    response = client.request("GET", url, max_bytes=cap)
    outcome = {"status": response.status, "size": len(response.body)}
except FetchError as exc:
    outcome = {"reason": exc.reason, "detail": exc.detail}
outcome.update(seconds=time.monotonic() - started, growth=peak() - before)
print(json.dumps(outcome))
"""


def fetch_in_child(url: str, deadline: str = "30s", cap: int = 10 * MB) -> dict[str, Any]:
    if not Path("/proc/self/clear_refs").exists():
        pytest.skip("peak RSS is measured through Linux's /proc/self/clear_refs and VmHWM")
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, url, deadline, str(cap)], capture_output=True, text=True, timeout=60, check=True
    )
    outcome: dict[str, Any] = json.loads(done.stdout)
    print(f"\n{url} -> {outcome}")
    return outcome


def test_the_memory_measure_sees_a_body_that_is_kept(serve: Callable[..., Server]) -> None:
    # The control: a 30 MB body under a 40 MB cap must show, or the bounds below would prove nothing.
    body = b"y" * 30 * MB
    server = serve(lambda conn, req: respond(conn, 200, body=body))
    outcome = fetch_in_child(server.url("/big"), cap=40 * MB)
    assert outcome["size"] == 30 * MB and outcome["growth"] > 30 * MB


@functools.cache
def gzip_bomb() -> bytes:
    """About 1 MB of gzip that expands to 1 GB of zeros, compressed as a stream: never 1 GB in memory."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(MB)
    return b"".join([packer.compress(zeros) for _ in range(1024)] + [packer.flush()])


def test_a_gzip_bomb_is_cut_at_the_cap_in_bounded_memory(serve: Callable[..., Server]) -> None:
    bomb = gzip_bomb()
    assert len(bomb) < 1.1 * MB
    server = serve(lambda conn, req: respond(conn, 200, {"Content-Encoding": "gzip"}, bomb))
    outcome = fetch_in_child(server.url("/bomb"))
    assert outcome["reason"] == "too_large" and "decoded" in outcome["detail"]
    assert outcome["growth"] < 50 * MB


def test_a_100_mb_chunked_body_is_cut_at_the_cap_in_bounded_memory(serve: Callable[..., Server]) -> None:
    def endless(conn: socket.socket, req: Request) -> bool:
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        piece = b"%x\r\n%s\r\n" % (64 * 1024, b"x" * 64 * 1024)
        for _ in range(1600):  # 100 MB, generated as it goes
            conn.sendall(piece)
        conn.sendall(b"0\r\n\r\n")
        return False

    server = serve(endless)
    outcome = fetch_in_child(server.url("/endless"))
    assert outcome["reason"] == "too_large"
    assert outcome["growth"] < 50 * MB


def test_a_dripping_body_is_cut_at_the_deadline_in_bounded_memory(serve: Callable[..., Server]) -> None:
    def drip(conn: socket.socket, req: Request) -> bool:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
        for _ in range(100):  # one byte a second: every read succeeds long before the read timeout
            conn.sendall(b"x")
            time.sleep(1)
        return False

    server = serve(drip)
    outcome = fetch_in_child(server.url("/drip"), deadline="2s")
    assert outcome["reason"] == "deadline"
    assert 1.9 < outcome["seconds"] < 2.5
    assert outcome["growth"] < 50 * MB


def test_requests_start_no_thread_of_their_own(serve: Callable[..., Server], thread_starts: list[str]) -> None:
    # A timer thread per request (20 a second for 200 feeds every 10 s) made resident memory grow for as long as
    # the monitor ran; deadlines share the process's one watchdog thread.
    server = serve(lambda conn, req: respond(conn, 200, body=b"ok"))
    client = HttpClient(settings())
    thread_starts.clear()  # the server's own
    for _ in range(20):
        assert client.get(server.url("/feed")).ok
    assert set(thread_starts) <= {"guetteur-watchdog"}


def test_a_finished_request_is_freed_at_once_not_by_the_cycle_collector(serve: Callable[..., Server]) -> None:
    # A request and its deadline alarm referred to each other until the deadline passed, a minute later: by then
    # the pair had reached the collector's oldest generation, which runs rarely, and the monitor held tens of
    # thousands of dead requests between two full collections. Reference counting alone must free them now.
    server = serve(lambda conn, req: respond(conn, 200, body=b"ok"))
    client = HttpClient(settings())
    assert client.get(server.url("/warm")).ok
    gc.collect()
    gc.disable()  # what survives now is what only the cycle collector could free
    try:
        for _ in range(30):
            assert client.get(server.url("/feed")).ok
        left = [obj for obj in gc.get_objects() if type(obj).__name__ == "Fetch"]
    finally:
        gc.enable()
    assert left == []
