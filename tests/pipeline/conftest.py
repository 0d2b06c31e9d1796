"""Fixtures of the pipeline tests."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

EMPTY_RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://x/</link></channel></rss>'


@pytest.fixture
def empty_feeds() -> Iterator[tuple[str, Counter[str]]]:
    """A loopback server answering every path with an empty RSS feed: its base URL, and the requests by path."""
    requests: Counter[str] = Counter()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            requests[self.path] += 1
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(EMPTY_RSS)))
            self.end_headers()
            self.wfile.write(EMPTY_RSS)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()
