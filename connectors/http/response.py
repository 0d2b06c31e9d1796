"""What a fetch gives back: an HTTP response whatever its status, or a FetchError naming its reason."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import MappingProxyType

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
