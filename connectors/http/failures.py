"""What a network exception means: the FetchError reason it stands for, judged by its root cause."""

from __future__ import annotations

import http.client
import ssl

import urllib3.exceptions
from urllib3.util.ssl_match_hostname import CertificateError

from connectors.http.deadline import Fetch
from connectors.http.response import FetchError

NETWORK_ERRORS = (OSError, http.client.HTTPException, urllib3.exceptions.HTTPError, CertificateError)
STALE_CONNECTION = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
# Failures after connecting that mean the other end went away (RemoteDisconnected is a ConnectionError).
_LOST = (ssl.SSLEOFError, ssl.SSLZeroReturnError, http.client.IncompleteRead, ConnectionError)


def error_of(exc: BaseException, url: str, fetch: Fetch, *, connecting: bool) -> FetchError:
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
