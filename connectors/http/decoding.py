"""Reading a response body: decompressed as it arrives, cut at the byte cap, bounded by the deadline."""

from __future__ import annotations

import io
import zlib

from urllib3.response import BaseHTTPResponse

from connectors.http.deadline import Fetch
from connectors.http.failures import NETWORK_ERRORS, error_of
from connectors.http.response import FetchError

_READ_CHUNK = 64 * 1024
_GZIP_WBITS = 16 + zlib.MAX_WBITS


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


def read_body(response: BaseHTTPResponse, method: str, cap: int, fetch: Fetch, url: str) -> bytes:
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
    except NETWORK_ERRORS as exc:
        raise error_of(exc, url, fetch, connecting=False) from None
    except zlib.error as exc:
        raise FetchError("decompression_error", url, str(exc)) from None
    return body.getvalue()


def _append(body: io.BytesIO, decoded: bytes, cap: int, url: str) -> None:
    if body.tell() + len(decoded) > cap:
        raise FetchError("too_large", url, f"more than {cap} bytes once decoded")
    body.write(decoded)
