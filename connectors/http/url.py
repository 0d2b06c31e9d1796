"""A URL as fetched: normalised, its host in ASCII (IDNA), its path escaped; what cannot be fetched is refused."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from connectors.http.response import FetchError

DEFAULT_PORTS = {"http": 80, "https": 443}
_HOSTNAME = re.compile(r"^[a-z0-9_.-]+$")
# Reserved and unreserved characters and '%' stay as written; spaces, controls and non-ASCII are escaped.
_URL_SAFE = "/%:@!$&'()*+,;=-._~?"


@dataclass(frozen=True)
class Target:
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
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def parse_target(url: str) -> Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError("bad_url", url, str(exc)) from None
    if parts.scheme not in DEFAULT_PORTS:
        raise FetchError("bad_scheme", url, f"only http and https are fetched, not {parts.scheme or 'a relative URL'}")
    if "@" in parts.netloc:
        raise FetchError("bad_url", url, "credentials in the URL are not supported")
    if port == 0:
        raise FetchError("bad_url", url, "port 0")
    host = _ascii_host(parts.hostname or "", url)
    port = port or DEFAULT_PORTS[parts.scheme]
    path = quote(parts.path or "/", safe=_URL_SAFE)
    query = quote(parts.query, safe=_URL_SAFE)
    netloc = f"[{host}]" if ":" in host else host
    if port != DEFAULT_PORTS[parts.scheme]:
        netloc += f":{port}"
    normalised = urlunsplit((parts.scheme, netloc, path, query, ""))
    return Target(normalised, parts.scheme, host, port, f"{path}?{query}" if query else path)


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
