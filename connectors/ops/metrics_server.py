"""Serve /metrics (Prometheus) and /healthz (fails when polling has stalled) on one port."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # a scrape every 15 s is not news


def serve(registry: CollectorRegistry, port: int, healthy: Callable[[], tuple[bool, str]],
          host: str = "0.0.0.0") -> WSGIServer:
    """Start the endpoint in a daemon thread; raises OSError when the port is taken."""
    metrics_app = make_wsgi_app(registry)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            ok, why = healthy()
            start_response("200 OK" if ok else "503 Service Unavailable", [("Content-Type", "text/plain")])
            return [why.encode() + b"\n"]
        return metrics_app(environ, start_response)

    server = make_server(host, port, app, server_class=_Server, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, name="guetteur-metrics", daemon=True).start()
    return server


def stalled_after(heartbeat: Callable[[], float], limit: float, started: float | None = None
                  ) -> Callable[[], tuple[bool, str]]:
    """A health check that fails when the polling source has not looked at its schedule for `limit` seconds."""
    born = time.time() if started is None else started

    def check() -> tuple[bool, str]:
        last = heartbeat() or born
        age = time.time() - last
        if age > limit:
            return False, f"polling stalled: the source last looked at its feeds {age:.0f} s ago"
        return True, f"ok: the source looked at its feeds {age:.0f} s ago"

    return check
