"""The one HTTP client: every fetch passes the address guard, timeouts, a total deadline and a byte cap."""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from types import MappingProxyType
from urllib.parse import urljoin, urlsplit

from urllib3.response import BaseHTTPResponse

from connectors.http.addresses import (
    AddressPolicy,
    IPAddress,
    ResolutionError,
    Resolver,
    ip_literal,
    resolve_host,
    system_resolver,
)
from connectors.http.deadline import Fetch
from connectors.http.decoding import read_body
from connectors.http.failures import NETWORK_ERRORS, STALE_CONNECTION, error_of
from connectors.http.limits import Limiter
from connectors.http.pool import Connection, IdleConnections, PinnedHTTPConnection, PinnedHTTPSConnection, pool_key
from connectors.http.response import FETCH_ERROR_REASONS, FetchError, HttpResponse, Redirect
from connectors.http.url import Target, parse_target
from pipeline.config import defaults as settings
from pipeline.config.schema import HttpSettings

__all__ = ["FETCH_ERROR_REASONS", "FetchError", "HttpClient", "HttpResponse", "Redirect"]

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Only these go out on a kept-alive connection: resending one the server dropped meanwhile is harmless.
_REUSABLE_METHODS = frozenset({"GET", "HEAD"})
# The client owns these: framing, decoding, identity and the pinned Host header.
_RESERVED_HEADERS = frozenset(
    {"host", "user-agent", "accept-encoding", "content-length", "transfer-encoding", "connection"}
)
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
_BODY_HEADERS = frozenset({"content-type", "content-encoding", "content-language", "content-location"})
_MAX_IDLE = settings.HTTP_MAX_IDLE


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
        self._idle = IdleConnections(_MAX_IDLE)

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
            fetch = Fetch(self._deadline)
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
        fetch: Fetch,
    ) -> HttpResponse:
        target = parse_target(url)
        redirects: list[Redirect] = []
        requested = {(method, target.url)}
        while True:
            status, answer_headers, data = self._exchange(target, method, headers, body, cap, fetch)
            location = answer_headers.get("location")
            if not follow_redirects or status not in _REDIRECT_STATUSES or location is None:
                return HttpResponse(
                    target.url, status, MappingProxyType(answer_headers), data, tuple(redirects), fetch.elapsed()
                )
            following = parse_target(urljoin(target.url, _location(location)))
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
        self, target: Target, method: str, headers: dict[str, str], body: bytes | None, cap: int, fetch: Fetch
    ) -> tuple[int, dict[str, str], bytes]:
        """One request and its whole response, on a kept-alive or new connection to a checked address."""
        addresses = self._checked_addresses(target, fetch)
        try:
            conn, response = self._send(target, addresses, method, headers, body, fetch)
            try:
                data = read_body(response, method, cap, fetch, target.url)
            except BaseException:
                conn.close()
                raise
            finally:
                response.close()
            # http.client drops the socket of a response that said "Connection: close".
            if method in _REUSABLE_METHODS and conn.sock is not None and not fetch.over():
                self._idle.put(pool_key(target, conn.host), conn)
            else:
                conn.close()
            return response.status, {name.lower(): response.headers[name] for name in response.headers}, data
        finally:
            fetch.release()

    def _checked_addresses(self, target: Target, fetch: Fetch) -> tuple[IPAddress, ...]:
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
        target: Target,
        addresses: tuple[IPAddress, ...],
        method: str,
        headers: dict[str, str],
        body: bytes | None,
        fetch: Fetch,
    ) -> tuple[Connection, BaseHTTPResponse]:
        """Send the request and read the response's head."""
        wire = {"Host": target.host_header} | {_title(name): value for name, value in headers.items()}
        reuse = method in _REUSABLE_METHODS
        while True:
            conn, reused = self._connection(target, addresses, fetch, reuse)
            try:
                conn.timeout = fetch.timeout(self._read_timeout, target.url)
                conn.request(method, target.path, body=body, headers=wire, preload_content=False, decode_content=False)
                return conn, conn.getresponse()
            except NETWORK_ERRORS as exc:
                conn.close()
                if reused and isinstance(exc, STALE_CONNECTION) and not fetch.over():
                    reuse = False  # the server closed the kept-alive connection meanwhile: once more, afresh
                    continue
                raise error_of(exc, target.url, fetch, connecting=False) from None
            except BaseException:
                conn.close()
                raise

    def _connection(
        self, target: Target, addresses: tuple[IPAddress, ...], fetch: Fetch, reuse: bool
    ) -> tuple[Connection, bool]:
        """A kept-alive connection, or a new one to the first checked address that answers; and whether reused."""
        if reuse:
            for ip in addresses:
                if (idle := self._idle.take(pool_key(target, str(ip)))) is not None and idle.sock is not None:
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
            except NETWORK_ERRORS as exc:
                conn.close()
                failure = error_of(exc, target.url, fetch, connecting=True)
                if failure.reason not in ("connect_error", "connect_timeout"):
                    raise failure from None
        assert failure is not None, "resolve_host never returns no address"
        raise failure

    def _new_connection(self, target: Target, ip: str) -> Connection:
        # Connecting to the very IP that was checked leaves no gap for DNS to answer differently in between.
        if target.scheme == "https":
            # ssl_context verifies the certificate and, with server_hostname, the hostname (check_hostname).
            return PinnedHTTPSConnection(ip, target.port, server_hostname=target.host, ssl_context=self._tls)
        return PinnedHTTPConnection(ip, target.port)


def _title(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def _location(value: str) -> str:
    # http.client reads headers as Latin-1; servers that put raw UTF-8 in Location get it back this way.
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _redirected(
    status: int, method: str, body: bytes | None, headers: dict[str, str], source: Target, target: Target
) -> tuple[str, bytes | None, dict[str, str]]:
    """The method, body and headers of the request a redirect asks for (RFC 9110 15.4, as browsers do it)."""
    if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
        method, body = "GET", None
        headers = {name: value for name, value in headers.items() if name not in _BODY_HEADERS}
    if target.origin != source.origin:
        # Credentials were meant for the origin that was asked, not wherever it points to.
        headers = {name: value for name, value in headers.items() if name not in _CREDENTIAL_HEADERS}
    return method, body, headers
