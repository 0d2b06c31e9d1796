"""Pollers share the process's bounded pool of polling threads, whatever the number of looks and of Pollers."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from connectors.stores import open_store
from pipeline.config.schema import load_settings
from pipeline.runtime.process import new_poller


def test_looks_and_pollers_share_the_process_pool(tmp_path: Path, empty_feeds: tuple[str, Counter[str]],
                                                  thread_starts: list[str]) -> None:
    # A pool per look started and ended max_in_flight threads several times a second in a monitor with many
    # feeds, and a pool per Poller kept one set of idle threads per source instance Beam keeps; both made the
    # monitor's resident memory grow (README, "Soak figures").
    feed_server = empty_feeds[0]
    feeds = "".join(f'[[feeds]]\nname = "f{i}"\nurl = "{feed_server}/f{i}.xml"\ninterval = "1m"\n' for i in range(8))
    config = tmp_path / "g.toml"
    config.write_text('[store]\npath = "g.db"\n[http]\nallow_private_networks = true\nmax_in_flight = 3\n'
                      + feeds + '[[sinks]]\ntype = "jsonl"\npath = "alerts.jsonl"\n', encoding="utf-8")
    settings = load_settings(config)
    pollers = [new_poller(settings, open_store(str(tmp_path / f"g{n}.db"))) for n in range(2)]
    for _ in range(5):
        for poller in pollers:
            assert poller.poll_all() == []  # the feeds are empty; every poll still goes out
    assert all(state.last_success is not None for poller in pollers for state in poller.states.values())
    polling = [name for name in thread_starts if name.startswith("guetteur-poll")]
    assert len(polling) <= 3
