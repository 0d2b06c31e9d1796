"""The one HTTP client: every fetch passes the address guard, timeouts, a total deadline and a byte cap."""

from __future__ import annotations

import contextlib
import http.client
import io
import re
import socket
import ssl
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import MappingProxyType
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import urllib3.exceptions
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.response import BaseHTTPResponse
from urllib3.util.ssl_match_hostname import CertificateError

from connectors.http.addresses import (
    AddressPolicy,
    IPAddress,
    ResolutionError,
    Resolver,
    ip_literal,
    resolve_host,
    system_resolver,
)
from connectors.http.limits import Limiter
from connectors.http.watchdog import WATCHDOG
from pipeline.config import defaults as settings
from pipeline.config.schema import HttpSettings

# The closed set of FetchError reasons, each with what it means.
FETCH_ERROR_REASONS: Mapping[str, str] = MappingProxyType(
    {
        "bad_scheme": "the URL, or a redirect's Location, is not http or https",
        "bad_url": "the URL cannot be fetched as written: no host, bad port, credentials, invalid characters",
        "blocked_address": "the host is, or resolves to, an address the address policy refuses",
        "dns_error": "the host resolves to nothing",
        "connect_timeout": "no TCP connection or TLS handshake within the connect timeout",
        "connect_error": "the connection was refused, or the host unreachable",
        "tls_error": "TLS failed: untrusted certificate, wrong hostname, broken handshake",
        "read_timeout": "the server went silent for longer than the read timeout",
        "deadline": "the whole fetch, redirects and body included, outlived the deadline",
        "too_large": "the body, counted after decompression, exceeds the byte cap",
        "too_many_redirects": "more redirects than settings allow",
        "redirect_loop": "a redirect leads back to a URL already requested",
        "decompression_error": "the body is corrupt for its Content-Encoding, or the encoding is unsupported",
        "connection_lost": "the server closed or reset the connection before the response was complete",
        "protocol_error": "the server's answer is not valid HTTP/1.1",
    }
)

_DEFAULT_PORTS = {"http": 80, "https": 443}
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Only these go out on a kept-alive connection: resending one the server dropped meanwhile is harmless.
_REUSABLE_METHODS = frozenset({"GET", "HEAD"})
# The client owns these: framing, decoding, identity and the pinned Host header.
_RESERVED_HEADERS = frozenset(
    {"host", "user-agent", "accept-encoding", "content-length", "transfer-encoding", "connection"}
)
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
_BODY_HEADERS = frozenset({"content-type", "content-encoding", "content-language", "content-location"})
_HOSTNAME = re.compile(r"^[a-z0-9_.-]+$")
# Reserved and unreserved characters and '%' stay as written; spaces, controls and non-ASCII are escaped.
_URL_SAFE = "/%:@!$&'()*+,;=-._~?"
_READ_CHUNK = 64 * 1024
_MAX_IDLE = settings.HTTP_MAX_IDLE
_IDLE_SECONDS = settings.HTTP_IDLE_SECONDS
_GZIP_WBITS = 16 + zlib.MAX_WBITS


class FetchError(Exception):
    """A fetch that produced no HTTP response; `reason` is one of FETCH_ERROR_REASONS."""

    def __init__(self, reason: str, url: str, detail: str) -> None:
        if reason not in FETCH_ERROR_REASONS:
            raise ValueError(f"unknown FetchError reason {reason!r}")
        super().__init__(reason, url, detail)
        self.reason = reason
        self.url = url
        self.detail = detail

    def __str__(self) -> str:
        return " ".join(f"{self.reason}: {self.url}: {self.detail}".split())


@dataclass(frozen=True)
class Redirect:
    status: int
    from_url: str
    to_url: str


@dataclass(frozen=True)
class HttpResponse:
    """An HTTP answer, whatever its status: 304, 410, 429 and 503 mean something to the caller."""

    url: str  # the final URL, after redirects
    status: int
    headers: Mapping[str, str]  # lower-cased names; repeated headers joined with ", "
    body: bytes  # decoded from its Content-Encoding
    redirects: tuple[Redirect, ...] = ()
    elapsed: float = 0.0  # seconds for the whole fetch, redirects included

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def retry_after(self, now: datetime | float) -> float | None:
        """Seconds to wait according to Retry-After (delta-seconds or HTTP-date), None when absent or unreadable.

        `now` is a datetime (a naive one is taken as UTC) or a POSIX timestamp; a date in the past gives 0.
        """
        value = self.headers.get("retry-after", "").strip()
        if re.fullmatch(r"[0-9]+", value):
            return float(value)
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if isinstance(now, datetime):
            now = (now if now.tzinfo else now.replace(tzinfo=UTC)).timestamp()
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        return max(0.0, when.timestamp() - now)


@dataclass(frozen=True)
class _Target:
    """One URL as fetched: normalised, fragment dropped, host in ASCII, path escaped."""

    url: str
    scheme: str
    host: str  # lower-case ASCII; an IPv6 literal without brackets
    port: int
    path: str  # path and query, as sent on the request line

    @property
    def origin(self) -> tuple[str, str, int]:
        return self.scheme, self.host, self.port

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def _target(url: str) -> _Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError("bad_url", url, str(exc)) from None
    if parts.scheme not in _DEFAULT_PORTS:
        raise FetchError("bad_scheme", url, f"only http and https are fetched, not {parts.scheme or 'a relative URL'}")
    if "@" in parts.netloc:
        raise FetchError("bad_url", url, "credentials in the URL are not supported")
    if port == 0:
        raise FetchError("bad_url", url, "port 0")
    host = _ascii_host(parts.hostname or "", url)
    port = port or _DEFAULT_PORTS[parts.scheme]
    path = quote(parts.path or "/", safe=_URL_SAFE)
    query = quote(parts.query, safe=_URL_SAFE)
    netloc = f"[{host}]" if ":" in host else host
    if port != _DEFAULT_PORTS[parts.scheme]:
        netloc += f":{port}"
    normalised = urlunsplit((parts.scheme, netloc, path, query, ""))
    return _Target(normalised, parts.scheme, host, port, f"{path}?{query}" if query else path)


def _ascii_host(hostname: str, url: str) -> str:
    if not hostname:
        raise FetchError("bad_url", url, "no host")
    if ":" in hostname:  # urlsplit only lets a bracketed IPv6 literal through
        return hostname
    try:
        ascii_host = hostname.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise FetchError("bad_url", url, f"host is not a valid name: {exc}") from None
    if not _HOSTNAME.match(ascii_host):
        raise FetchError("bad_url", url, f"invalid characters in host {hostname!r}")
    return ascii_host


class _Fetch:
    """One request's clock: its deadline, and a watchdog that shuts its sockets down when the deadline passes.

    Per-read socket timeouts cannot bound a fetch: a server sending one byte a second, in the headers or the
    body, never lets a read time out. So the process's watchdog (connectors.http.watchdog) shuts down the sockets in
    use when the deadline passes, which wakes any blocked read wherever it is; the code that was reading then
    sees `over()` and reports "deadline". Sockets are watched through duplicate descriptors: TLS wrapping
    detaches the socket object a connection starts with, while a shutdown through any descriptor of a socket
    ends it for all. Connect is bounded by its timeout shortened to what is left of the deadline, and so is
    the TLS handshake, which CPython times as a whole.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds
        self._lock = threading.Lock()  # also serialises shutdown and close of the duplicates
        self._sockets: list[socket.socket] = []
        self._expired = False
        self._finished = False
        self._alarm = WATCHDOG.call_at(self._end, self._expire)

    def elapsed(self) -> float:
        return self.seconds - (self._end - time.monotonic())

    def over(self) -> bool:
        return self._expired or time.monotonic() >= self._end

    def error(self, url: str) -> FetchError:
        return FetchError("deadline", url, f"not done within {self.seconds:g} s")

    def check(self, url: str) -> None:
        if self.over():
            raise self.error(url)

    def timeout(self, per_operation: float, url: str) -> float:
        """`per_operation`, shortened to what is left of the deadline."""
        self.check(url)
        return min(per_operation, self._end - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        twin = socket.fromfd(sock.fileno(), sock.family, sock.type)
        with self._lock:
            self._sockets.append(twin)
            if self._expired:
                _shutdown(twin)

    def release(self) -> None:
        """Stop watching the sockets of the exchange that just ended."""
        with self._lock:
            for twin in self._sockets:
                twin.close()
            self._sockets.clear()

    def finish(self) -> None:
        self._alarm.cancel()
        with self._lock:
            self._finished = True
        self.release()

    def _expire(self) -> None:
        with self._lock:
            if self._finished:
                return
            self._expired = True
            for twin in self._sockets:
                _shutdown(twin)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the peer: nothing left to wake
        sock.shutdown(socket.SHUT_RDWR)


class _ReportsSocket:
    """Reports a connection's socket the moment it exists, so the deadline watchdog can shut it down."""

    on_socket: Callable[[socket.socket], None] | None = None

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        if self.on_socket is not None:
            self.on_socket(sock)
        return sock


class _PinnedHTTPConnection(_ReportsSocket, HTTPConnection):
    """A connection to an IP the guard checked."""


class _PinnedHTTPSConnection(_ReportsSocket, HTTPSConnection):
    """The TLS twin of _PinnedHTTPConnection; SNI and the certificate check use the URL's hostname."""


_Connection = _PinnedHTTPConnection | _PinnedHTTPSConnection
_Key = tuple[str, str, int, str]  # scheme, IP, port, TLS hostname


def _key(target: _Target, ip: str) -> _Key:
    # Plain HTTP connections serve any Host; a TLS one is bound to the name its certificate was checked for.
    return target.scheme, ip, target.port, target.host if target.scheme == "https" else ""


class _IdleConnections:
    """Kept-alive connections awaiting their next request: bounded, oldest closed first, thread-safe."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._items: deque[tuple[_Key, _Connection, float]] = deque()
        self._lock = threading.Lock()

    def take(self, key: _Key) -> _Connection | None:
        while True:
            with self._lock:
                found = next((i for i in reversed(range(len(self._items))) if self._items[i][0] == key), None)
                if found is None:
                    return None
                _, conn, since = self._items[found]
                del self._items[found]
            # A server may have closed it while it waited.
            if time.monotonic() - since < _IDLE_SECONDS and conn.is_connected:
                return conn
            conn.close()

    def put(self, key: _Key, conn: _Connection) -> None:
        conn.on_socket = None
        with self._lock:
            self._items.append((key, conn, time.monotonic()))
            evicted = self._items.popleft() if len(self._items) > self._limit else None
        if evicted is not None:
            evicted[1].close()

    def close(self) -> None:
        with self._lock:
            items = list(self._items)
            self._items.clear()
        for _, conn, _ in items:
            conn.close()


class HttpClient:
    """Fetches http(s) URLs for every part of guetteur; shared by worker threads.

    `policy` defaults to refusing every non-public address unless settings allow private networks; `resolver`
    defaults to the system's; `ca_file` replaces the system's trusted CAs (an intranet CA, a test's).
    """

    def __init__(
        self,
        http: HttpSettings,
        *,
        policy: AddressPolicy | None = None,
        resolver: Resolver | None = None,
        ca_file: str | None = None,
        limiter: Limiter | None = None,
    ) -> None:
        self._http = http
        # The runtime passes the process's limiter (pipeline.runtime.process.limiter), so that the poller's and every
        # stage's clients share the same slots; a client made alone has slots of its own.
        self._limiter = limiter or Limiter(http.max_in_flight, http.max_per_host)
        self._policy = policy if policy is not None else AddressPolicy(allow_private=http.allow_private_networks)
        self._resolver = resolver or system_resolver
        self._connect_timeout = http.connect_timeout.total_seconds()
        self._read_timeout = http.read_timeout.total_seconds()
        self._deadline = http.deadline.total_seconds()
        # Certificates and hostnames are always verified: there is no switch to turn that off.
        self._tls = ssl.create_default_context(cafile=ca_file)
        self._idle = _IdleConnections(_MAX_IDLE)

    def close(self) -> None:
        self._idle.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> HttpResponse:
        """A GET, conditional when given the validators of the previous answer (sent back verbatim)."""
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        return self.request("GET", url, headers=headers)

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        follow_redirects: bool = True,
        max_bytes: int | None = None,
    ) -> HttpResponse:
        """Send one request, following redirects by hand; any HTTP status is returned, failures raise FetchError.

        Raises ValueError for a header the client sets itself (Host, User-Agent, Accept-Encoding, framing).
        """
        cap = self._http.max_bytes if max_bytes is None else max_bytes
        if cap <= 0:
            raise ValueError("max_bytes must be positive")
        sent_headers = self._headers(headers or {})
        # The slot is taken before the deadline starts: waiting for our own politeness is not the server's time.
        with self._limiter.slot((urlsplit(url).hostname or "").lower()):
            fetch = _Fetch(self._deadline)
            try:
                return self._follow(method.upper(), url, sent_headers, body, follow_redirects, cap, fetch)
            finally:
                fetch.finish()

    def _headers(self, given: Mapping[str, str]) -> dict[str, str]:
        headers = {"user-agent": self._http.user_agent, "accept-encoding": "gzip, deflate"}
        for name, value in given.items():
            if name.lower() in _RESERVED_HEADERS:
                raise ValueError(f"the {name} header is set by the HTTP client itself")
            headers[name.lower()] = value
        return headers

    def _follow(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes | None,
        follow_redirects: bool,
        cap: int,
        fetch: _Fetch,
    ) -> HttpResponse:
        target = _target(url)
        redirects: list[Redirect] = []
        requested = {(method, target.url)}
        while True:
            status, answer_headers, data = self._exchange(target, method, headers, body, cap, fetch)
            location = answer_headers.get("location")
            if not follow_redirects or status not in _REDIRECT_STATUSES or location is None:
                return HttpResponse(
                    target.url, status, MappingProxyType(answer_headers), data, tuple(redirects), fetch.elapsed()
                )
            following = _target(urljoin(target.url, _location(location)))
            method, body, headers = _redirected(status, method, body, headers, target, following)
            hops = f"at redirect {len(redirects) + 1} from {url}"
            if (method, following.url) in requested:
                raise FetchError("redirect_loop", following.url, f"requested already, {hops}")
            if len(redirects) >= self._http.max_redirects:
                raise FetchError(
                    "too_many_redirects", following.url, f"the limit is {self._http.max_redirects}, {hops}"
                )
            requested.add((method, following.url))
            redirects.append(Redirect(status, target.url, following.url))
            target = following

    def _exchange(
        self, target: _Target, method: str, headers: dict[str, str], body: bytes | None, cap: int, fetch: _Fetch
    ) -> tuple[int, dict[str, str], bytes]:
        """One request and its whole response, on a kept-alive or new connection to a checked address."""
        addresses = self._checked_addresses(target, fetch)
        try:
            conn, response = self._send(target, addresses, method, headers, body, fetch)
            try:
                data = _read_body(response, method, cap, fetch, target.url)
            except BaseException:
                conn.close()
                raise
            finally:
                response.close()
            # http.client drops the socket of a response that said "Connection: close".
            if method in _REUSABLE_METHODS and conn.sock is not None and not fetch.over():
                self._idle.put(_key(target, conn.host), conn)
            else:
                conn.close()
            return response.status, {name.lower(): response.headers[name] for name in response.headers}, data
        finally:
            fetch.release()

    def _checked_addresses(self, target: _Target, fetch: _Fetch) -> tuple[IPAddress, ...]:
        fetch.check(target.url)
        try:
            addresses = resolve_host(target.host, target.port, self._resolver)
        except ResolutionError as exc:
            raise FetchError("dns_error", target.url, exc.detail) from None
        if (refused := self._policy.first_refusal(addresses)) is not None:
            ip, reason = refused
            if target.host == str(ip):
                via = ""
            else:
                via = f"{target.host} is " if ip_literal(target.host) is not None else f"{target.host} resolves to "
            raise FetchError("blocked_address", target.url, f"{via}{ip}, which is {reason}")
        return addresses

    def _send(
        self,
        target: _Target,
        addresses: tuple[IPAddress, ...],
        method: str,
        headers: dict[str, str],
        body: bytes | None,
        fetch: _Fetch,
    ) -> tuple[_Connection, BaseHTTPResponse]:
        """Send the request and read the response's head."""
        wire = {"Host": target.host_header} | {_title(name): value for name, value in headers.items()}
        reuse = method in _REUSABLE_METHODS
        while True:
            conn, reused = self._connection(target, addresses, fetch, reuse)
            try:
                conn.timeout = fetch.timeout(self._read_timeout, target.url)
                conn.request(method, target.path, body=body, headers=wire, preload_content=False, decode_content=False)
                return conn, conn.getresponse()
            except _NETWORK_ERRORS as exc:
                conn.close()
                if reused and isinstance(exc, _STALE_CONNECTION) and not fetch.over():
                    reuse = False  # the server closed the kept-alive connection meanwhile: once more, afresh
                    continue
                raise _failure(exc, target.url, fetch, connecting=False) from None
            except BaseException:
                conn.close()
                raise

    def _connection(
        self, target: _Target, addresses: tuple[IPAddress, ...], fetch: _Fetch, reuse: bool
    ) -> tuple[_Connection, bool]:
        """A kept-alive connection, or a new one to the first checked address that answers; and whether reused."""
        if reuse:
            for ip in addresses:
                if (idle := self._idle.take(_key(target, str(ip)))) is not None and idle.sock is not None:
                    fetch.watch(idle.sock)
                    return idle, True
        failure: FetchError | None = None
        for ip in addresses:
            conn = self._new_connection(target, str(ip))
            conn.on_socket = fetch.watch
            conn.timeout = fetch.timeout(self._connect_timeout, target.url)
            try:
                conn.connect()
                return conn, False
            except _NETWORK_ERRORS as exc:
                conn.close()
                failure = _failure(exc, target.url, fetch, connecting=True)
                if failure.reason not in ("connect_error", "connect_timeout"):
                    raise failure from None
        assert failure is not None, "resolve_host never returns no address"
        raise failure

    def _new_connection(self, target: _Target, ip: str) -> _Connection:
        # Connecting to the very IP that was checked leaves no gap for DNS to answer differently in between.
        if target.scheme == "https":
            # ssl_context verifies the certificate and, with server_hostname, the hostname (check_hostname).
            return _PinnedHTTPSConnection(ip, target.port, server_hostname=target.host, ssl_context=self._tls)
        return _PinnedHTTPConnection(ip, target.port)


def _title(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def _location(value: str) -> str:
    # http.client reads headers as Latin-1; servers that put raw UTF-8 in Location get it back this way.
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _redirected(
    status: int, method: str, body: bytes | None, headers: dict[str, str], source: _Target, target: _Target
) -> tuple[str, bytes | None, dict[str, str]]:
    """The method, body and headers of the request a redirect asks for (RFC 9110 15.4, as browsers do it)."""
    if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
        method, body = "GET", None
        headers = {name: value for name, value in headers.items() if name not in _BODY_HEADERS}
    if target.origin != source.origin:
        # Credentials were meant for the origin that was asked, not wherever it points to.
        headers = {name: value for name, value in headers.items() if name not in _CREDENTIAL_HEADERS}
    return method, body, headers


_NETWORK_ERRORS = (OSError, http.client.HTTPException, urllib3.exceptions.HTTPError, CertificateError)
_STALE_CONNECTION = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
# Failures after connecting that mean the other end went away (RemoteDisconnected is a ConnectionError).
_LOST = (ssl.SSLEOFError, ssl.SSLZeroReturnError, http.client.IncompleteRead, ConnectionError)


def _failure(exc: BaseException, url: str, fetch: _Fetch, *, connecting: bool) -> FetchError:
    """The FetchError a network exception stands for, judged by its root cause: urllib3 wraps the original."""
    if fetch.over():
        return fetch.error(url)
    root = exc
    while root.__cause__ is not None:
        root = root.__cause__
    detail = " ".join(str(root).split()) or type(root).__name__
    # NewConnectionError subclasses ConnectTimeoutError in urllib3 2, though it means refused or unreachable.
    timed_out = isinstance(root, urllib3.exceptions.TimeoutError) and not isinstance(
        root, urllib3.exceptions.NewConnectionError
    )
    if isinstance(root, TimeoutError) or timed_out:
        return FetchError("connect_timeout" if connecting else "read_timeout", url, detail)
    if isinstance(root, (ssl.SSLCertVerificationError, CertificateError)):
        return FetchError("tls_error", url, detail)
    if connecting:
        return FetchError("tls_error" if isinstance(root, ssl.SSLError) else "connect_error", url, detail)
    if isinstance(root, _LOST):
        return FetchError("connection_lost", url, detail)
    if isinstance(root, ssl.SSLError):
        return FetchError("tls_error", url, detail)
    if isinstance(root, (http.client.HTTPException, urllib3.exceptions.HTTPError)):
        return FetchError("protocol_error", url, detail)
    return FetchError("connection_lost", url, detail)


class _Decoder:
    """Undoes one Content-Encoding in bounded steps: no call returns more than the `limit` it is given."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._inflate: zlib._Decompress | None = None
        self._head = b""  # deflate: the first bytes, until they tell zlib-wrapped from raw
        if encoding == "gzip":
            self._inflate = zlib.decompressobj(_GZIP_WBITS)

    def feed(self, data: bytes, limit: int) -> bytes:
        if self._encoding == "identity":
            return data
        if self._inflate is None:
            self._head += data
            if len(self._head) < 2:
                return b""
            # "deflate" means zlib-wrapped (RFC 9110), but some servers send it raw, as browsers accept.
            self._inflate = zlib.decompressobj(zlib.MAX_WBITS if _zlib_header(self._head) else -zlib.MAX_WBITS)
            data, self._head = self._head, b""
        out = b""
        while data and len(out) < limit:
            if self._inflate.eof:
                if self._encoding != "gzip" or data[:1] != b"\x1f":
                    break  # bytes after the end of the stream are ignored, as browsers do
                self._inflate = zlib.decompressobj(_GZIP_WBITS)  # concatenated gzip members (RFC 1952)
            # max_length is what bounds a bomb: zlib stops there and keeps the rest of the input for later.
            out += self._inflate.decompress(data, limit - len(out))
            data = self._inflate.unused_data if self._inflate.eof else b""
        return out

    def finish(self, limit: int) -> bytes:
        # Like browsers, a stream cut short yields what it decoded so far.
        if self._inflate is None or self._inflate.eof:
            return b""
        return self._inflate.flush(limit)


def _zlib_header(head: bytes) -> bool:
    cmf, flg = head[0], head[1]
    return cmf & 0x0F == 8 and cmf >> 4 <= 7 and (cmf << 8 | flg) % 31 == 0


def _decoder(content_encoding: str, url: str) -> _Decoder:
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    codings = ["gzip" if c == "x-gzip" else c for c in codings if c not in ("", "identity")]
    if not codings:
        return _Decoder("identity")
    if len(codings) > 1 or codings[0] not in ("gzip", "deflate"):
        raise FetchError("decompression_error", url, f"unsupported Content-Encoding {content_encoding!r}")
    return _Decoder(codings[0])


def _read_body(response: BaseHTTPResponse, method: str, cap: int, fetch: _Fetch, url: str) -> bytes:
    """The decoded body, refused past `cap` bytes: raw bytes are read in chunks and decoded here, so that
    neither the wire nor decompression ever holds much more than `cap`."""
    declared = response.headers.get("content-length", "").strip()
    # HEAD, 204 and 304 answers have no body, whatever size they declare for the resource.
    bodiless = method == "HEAD" or response.status in (204, 304)
    if declared.isdigit() and int(declared) > cap and not bodiless:
        raise FetchError("too_large", url, f"Content-Length {declared} exceeds the {cap} byte cap")
    decoder = _decoder(response.headers.get("content-encoding", ""), url)
    body = io.BytesIO()  # its getvalue() hands over the buffer without a copy: the body is held once, not twice
    raw = 0
    try:
        while True:
            chunk = response.read1(_READ_CHUNK, decode_content=False)
            fetch.check(url)  # an empty read may be the watchdog's shutdown
            if not chunk:
                break
            raw += len(chunk)
            # Raw bytes count too: the bytes a decoder skips after the end of its stream still cost time and memory.
            if raw > cap:
                raise FetchError("too_large", url, f"more than {cap} bytes on the wire")
            _append(body, decoder.feed(chunk, cap - body.tell() + 1), cap, url)
        _append(body, decoder.finish(cap - body.tell() + 1), cap, url)
    except _NETWORK_ERRORS as exc:
        raise _failure(exc, url, fetch, connecting=False) from None
    except zlib.error as exc:
        raise FetchError("decompression_error", url, str(exc)) from None
    return body.getvalue()


def _append(body: io.BytesIO, decoded: bytes, cap: int, url: str) -> None:
    if body.tell() + len(decoded) > cap:
        raise FetchError("too_large", url, f"more than {cap} bytes once decoded")
    body.write(decoded)
