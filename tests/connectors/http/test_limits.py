from __future__ import annotations

import threading
import time

from connectors.http.limits import Limiter


def test_in_flight_is_bounded_overall_and_per_host() -> None:
    limiter = Limiter(total=3, per_host=2)
    peak_total = 0
    peak_host: dict[str, int] = {}
    lock = threading.Lock()

    def work(host: str) -> None:
        nonlocal peak_total
        with limiter.slot(host):
            total, hosts = limiter.in_flight()
            with lock:
                peak_total = max(peak_total, total)
                peak_host[host] = max(peak_host.get(host, 0), hosts[host])
            time.sleep(0.02)

    threads = [threading.Thread(target=work, args=(f"h{i % 2}.example",)) for i in range(20)]
    threads += [threading.Thread(target=work, args=("other.example",)) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak_total == 3
    assert max(peak_host.values()) == 2
    assert limiter.in_flight() == (0, {})  # nothing is left behind for hosts that went quiet
