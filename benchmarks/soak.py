"""Soak: the monitor on many loopback feeds for a long while; memory, idle CPU and alert latency, in one run.

    python -m benchmarks.soak [--minutes 30] [--feeds 200] [--every 3] [--interval 10s] [--idle 60]

Serves `--feeds` feeds on loopback; every `--every` seconds a new on-topic article (with a figure never seen
before and a tolerance of 0, so it must raise an alert) appears in one of them. Runs `guetteur run` on them as a
child process and samples the resident memory and CPU time of its whole process tree (Prism and the extraction
workers included). Prints RSS at start and end, its slope after warm-up (goal: under 1 MB per 10 minutes), the
CPU used while idle (goal: under 5% of a core), and the latency from an item appearing to its alert (p50, p95).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title></head><body>
<nav><a href="/">Accueil</a> <a href="/monde">Monde</a></nav>
<article><h1>{title}</h1>
<p>La coopération militaire entre la Russie et la Corée du Nord continue de s'intensifier, selon plusieurs
services de renseignement occidentaux qui suivent de près le déploiement des soldats nord-coréens sur le front.</p>
<p>Environ {figure} soldats nord-coréens ont été tués depuis leur arrivée dans la région de Koursk, selon Séoul,
qui cite des estimations de son service de renseignement publiées le {day} de ce mois.</p>
<p>Moscou et Pyongyang ont signé un traité de partenariat stratégique prévoyant une défense mutuelle, et les
livraisons d'obus nord-coréens à l'armée russe se poursuivent, d'après les mêmes sources, dépêche {serial}.</p>
</article><aside><h2>Les plus lus</h2><ul><li>Météo : un week-end ensoleillé</li></ul></aside></body></html>"""


@dataclass
class Catalogue:
    feeds: int
    items: dict[int, list[tuple[int, float]]] = field(default_factory=dict)  # feed -> [(serial, appeared)]
    lock: threading.Lock = field(default_factory=threading.Lock)
    serial: int = 0

    def add(self) -> tuple[int, int, float]:
        with self.lock:
            self.serial += 1
            feed = self.serial % self.feeds
            appeared = time.time()
            self.items.setdefault(feed, []).append((self.serial, appeared))
            del self.items[feed][:-20]  # a feed lists its 20 newest items, like real ones
            return self.serial, feed, appeared

    def feed_xml(self, base: str, feed: int) -> tuple[bytes, str]:
        with self.lock:
            items = list(self.items.get(feed, []))
        parts = [
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Soak {feed}</title>'
            f"<link>{base}/</link>"
        ]
        for serial, appeared in reversed(items):
            when = format_datetime(datetime.fromtimestamp(appeared, UTC))
            parts.append(
                f"<item><title>Dépêche {serial}</title><link>{base}/article/{serial}.html</link>"
                f"<guid>{base}/article/{serial}.html</guid><pubDate>{escape(when)}</pubDate></item>"
            )
        parts.append("</channel></rss>")
        etag = f'"{feed}-{items[-1][0] if items else 0}"'
        return "".join(parts).encode(), etag


def figure_of(serial: int) -> int:
    # A figure no article had before; the soak's config sets [novelty] tolerance = 0, so each one is new.
    # (With the default 10%, new figures must grow geometrically, and 600 articles would need absurd numbers.)
    return 1000 + serial


def serve(catalogue: Catalogue) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path.startswith("/feed/"):
                body, etag = catalogue.feed_xml(base, int(self.path.split("/")[2].split(".")[0]))
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self._send(body, "application/rss+xml", etag)
            elif self.path.startswith("/article/"):
                serial = int(self.path.split("/")[2].split(".")[0])
                title = f"Corée du Nord : nouvelles pertes dans la région de Koursk, dépêche {serial}"
                page = PAGE.format(
                    title=title, figure=f"{figure_of(serial):,}".replace(",", " "), day=serial % 28 + 1, serial=serial
                )
                self._send(page.encode(), "text/html; charset=utf-8", None)
            else:
                self.send_error(404)

        def _send(self, body: bytes, kind: str, etag: str | None) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def tree(pid: int) -> list[int]:
    """The process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by the whole tree, those of children that ended and were reaped included.

    Without the reaped children's share (cutime, cstime), a recycled extraction worker took its CPU seconds out of
    the sum, and one 90-minute run printed a negative CPU while polling.
    """
    cpu = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for member in tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        cpu += sum(int(value) for value in fields[11:15]) / tick  # utime, stime, cutime, cstime
    return cpu


def read_alerts(path: Path, offset: int, alerted: dict[str, float]) -> int:
    """Note when each article's first alert line appeared; return the new read offset."""
    if not path.exists():
        return offset
    with path.open("rb") as handle:
        handle.seek(offset)
        chunk = handle.read()
    complete = chunk[: chunk.rfind(b"\n") + 1]
    for line in complete.decode().splitlines():
        alerted.setdefault(json.loads(line)["article"]["url"], time.time())
    return offset + len(complete)


def cpu_over(pid: int, seconds: float) -> float:
    """CPU used by the process tree over a period, as a share of one core."""
    before = cpu_seconds(pid)
    started = time.time()
    time.sleep(seconds)
    after = cpu_seconds(pid)
    return (after - before) / (time.time() - started)


def breakdown(pid: int) -> dict[str, float]:
    """RSS in MB per kind of process of the tree: which one grows, when the sum does."""
    out: dict[str, float] = {}
    for member in tree(pid):
        try:
            command = Path(f"/proc/{member}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        kind = "prism" if "prism" in command else "extraction worker" if "multiprocessing" in command else "guetteur"
        rss = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0) / 1024
        out[kind] = out.get(kind, 0.0) + rss
    return out


def slope_per_10_min(points: list[tuple[float, float]]) -> float:
    if len(points) < 2:
        return float("nan")
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    denominator = sum((x - mx) ** 2 for x in xs)
    return 600 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / denominator if denominator else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--every", type=float, default=3.0, help="seconds between two new articles")
    parser.add_argument("--interval", default="10s", help="poll interval of every feed")
    parser.add_argument("--warmup", type=float, default=5.0, help="minutes excluded from the memory slope")
    parser.add_argument("--idle", type=float, default=60.0, help="seconds of idle CPU measurement at the end")
    args = parser.parse_args(argv)

    catalogue = Catalogue(args.feeds)
    server = serve(catalogue)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    work = Path(tempfile.mkdtemp(prefix="guetteur-soak-"))
    alerts_path = work / "alerts.jsonl"
    lines = [
        'languages = ["fr"]',
        "[novelty]",
        "tolerance = 0.0",
        "[store]",
        f'path = "{work / "g.db"}"',
        "[http]",
        "allow_private_networks = true",
        "[metrics]",
        "port = 0",
    ]
    for feed in range(args.feeds):
        lines += [
            "[[feeds]]",
            f'name = "soak-{feed}"',
            f'url = "{base}/feed/{feed}.xml"',
            f'interval = "{args.interval}"',
        ]
    lines += ["[[sinks]]", 'type = "jsonl"', f'path = "{alerts_path}"']
    (work / "g.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    log = (work / "monitor.log").open("wb")
    # Every sample kept on disk: a slope says whether memory grew, the series says when (a step, a ramp, a plateau).
    samples_path = work / "memory.tsv"
    samples_file = samples_path.open("w", encoding="utf-8", buffering=1)
    print(f"working in {work}; the tree's RSS every 10 s in {samples_path.name}", flush=True)
    monitor = subprocess.Popen(
        [sys.executable, "-m", "pipeline.app.cli", "run", "--config", str(work / "g.toml")],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    started = time.time()
    appeared: dict[str, float] = {}
    alerted: dict[str, float] = {}
    memory: list[tuple[float, float]] = []
    end_of_load = started + args.minutes * 60
    next_item = started + 60  # a minute for start-up before the first article
    next_sample = started
    read_bytes = 0
    by_kind: dict[str, list[tuple[float, float]]] = {}  # RSS samples of each kind of process
    while time.time() < end_of_load:
        now = time.time()
        if now >= next_item:
            serial, _, when = catalogue.add()
            appeared[f"{base}/article/{serial}.html"] = when
            next_item += args.every
        if now >= next_sample:
            kinds = breakdown(monitor.pid)  # one walk of /proc gives the tree's RSS and each process's share
            memory.append((now - started, sum(kinds.values())))
            for kind, mb in kinds.items():
                by_kind.setdefault(kind, []).append((now - started, mb))
            samples_file.write(
                f"{now - started:.0f}\t" + "\t".join(f"{kind}={mb:.1f}" for kind, mb in sorted(kinds.items())) + "\n"
            )
            next_sample += 10
        read_bytes = read_alerts(alerts_path, read_bytes, alerted)
        if monitor.poll() is not None:
            print(f"the monitor exited early with {monitor.returncode}; see {work / 'monitor.log'}")
            return 1
        time.sleep(0.2)

    for _ in range(75):  # the last articles are judged; then nothing new appears
        time.sleep(0.2)
        read_bytes = read_alerts(alerts_path, read_bytes, alerted)
    polling_cpu = cpu_over(monitor.pid, args.idle)
    monitor.send_signal(signal.SIGTERM)
    code = monitor.wait(timeout=60)
    # Idle proper: the same store and feeds, none of them due for an hour; what the monitor costs doing nothing.
    quiet_config = (
        (work / "g.toml").read_text(encoding="utf-8").replace(f'interval = "{args.interval}"', 'interval = "1h"')
    )
    (work / "quiet.toml").write_text(quiet_config, encoding="utf-8")
    quiet = subprocess.Popen(
        [sys.executable, "-m", "pipeline.app.cli", "run", "--config", str(work / "quiet.toml")],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    time.sleep(45)  # start-up and the first poll of every feed
    idle_cpu = cpu_over(quiet.pid, args.idle)
    quiet.send_signal(signal.SIGTERM)
    quiet.wait(timeout=60)
    server.shutdown()
    samples_file.close()

    latencies = sorted(alerted[url] - appeared[url] for url in appeared if url in alerted)
    after_warmup = [p for p in memory if p[0] >= args.warmup * 60]
    print(
        f"soak: {args.minutes:g} min, {args.feeds} feeds polled every {args.interval}, a new article every "
        f"{args.every:g} s ({len(appeared)} articles, {len(latencies)} alerted); exit code {code}"
    )
    warm = after_warmup[0][1] if after_warmup else float("nan")
    print(
        f"RSS of the process tree: start {memory[0][1]:.0f} MB, after warm-up {warm:.0f} MB, "
        f"end {memory[-1][1]:.0f} MB; slope after {args.warmup:g} min of warm-up: "
        f"{slope_per_10_min(after_warmup):+.2f} MB per 10 min (goal < 1)"
    )
    # A plateau shows as a second half flatter than the whole; a leak keeps its slope.
    second_half = [p for p in memory if p[0] >= (args.warmup * 60 + memory[-1][0]) / 2]
    print(f"slope over the second half of the load (from minute {second_half[0][0] / 60:.0f}): "
          f"{slope_per_10_min(second_half):+.2f} MB per 10 min")
    for kind, points in sorted(by_kind.items()):
        warm_points = [p for p in points if p[0] >= args.warmup * 60]
        if warm_points:
            print(f"  {kind}: {warm_points[0][1]:.0f} -> {warm_points[-1][1]:.0f} MB after warm-up, slope "
                  f"{slope_per_10_min(warm_points):+.2f} MB per 10 min")
    print(
        f"CPU while idle (no feed due, no article, {args.idle:g} s): {100 * idle_cpu:.1f}% of a core (goal < 5%); "
        f"while still polling {args.feeds} feeds every {args.interval} with nothing new: {100 * polling_cpu:.1f}%"
    )
    if latencies:
        p50 = latencies[len(latencies) // 2]
        p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
        print(
            f"latency from an item appearing to its alert: p50 {p50:.1f} s, p95 {p95:.1f} s "
            f"(poll interval {args.interval})"
        )
    missing = len(appeared) - len(latencies)
    if missing:
        print(f"{missing} articles raised no alert (see {work})")
    return 0 if code == 0 and not missing else 1


if __name__ == "__main__":
    sys.exit(main())
